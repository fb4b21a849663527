"""Optimizers' paths on a test function: drawn, added to a figure, or animated.

Each path is drawn in its optimizer's style (``style_for``), from a white circle (the
start) to a large marker (where it ended); a run that diverged says so in the legend.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from descent.plotting.animation import html_player
from descent.plotting.landscapes import contour, require_dim
from descent.plotting.style import (
    MINIMUM_MARKER,
    START_MARKER,
    add_legend,
    axes_or_new,
    display_label,
    label_axes,
    markevery,
    styles_for,
)

__all__ = ["animate_trajectories", "draw_paths", "plot_1d", "plot_trajectories"]


def _trajectory_items(trajectories) -> list[tuple[str, np.ndarray, np.ndarray | None, int | None]]:
    """(label, points (k+1, dim), values or None, diverged_at) for each trajectory.

    Accepts one Trajectory, a list of them, or a dict label -> Trajectory or array of points.
    """
    if hasattr(trajectories, "points"):
        trajectories = [trajectories]
    if isinstance(trajectories, Mapping):
        pairs = list(trajectories.items())
    else:
        pairs = [
            (getattr(t, "label", None) or f"run {i + 1}", t) for i, t in enumerate(trajectories)
        ]
    items = []
    for label, t in pairs:
        if hasattr(t, "points"):
            points = np.asarray(t.points, dtype=float)
            values = np.asarray(t.values, dtype=float)
            diverged_at = t.diverged_at if getattr(t, "diverged", False) else None
        else:
            points, values, diverged_at = np.asarray(t, dtype=float), None, None
        if points.ndim == 1:
            points = points[:, np.newaxis]
        items.append((str(label), points, values, diverged_at))
    return items


def plot_trajectories(function, trajectories, ax=None, title=None, *, filled=False, levels=None):
    """Several optimizers' paths on the contours of a 2-D test function.

    Each path is drawn in its optimizer's colour, line style and marker (from its label),
    from a white circle (the start) to a large marker (where it ended). A run that diverged
    says so in the legend: "Adam (η=2) (diverged at step 7)". 1-D functions are passed on
    to ``plot_1d``.

    Args:
        function: a test function from ``descent.functions``.
        trajectories: a ``Trajectory``, a list of them, or a dict label -> Trajectory (or
            label -> array of points of shape (k+1, 2)).
        ax, title: as in ``contour``; ``filled`` and ``levels`` are passed on to it.
    """
    if getattr(function, "dim", 2) == 1:
        return plot_1d(function, trajectories, ax=ax, title=title)
    ax = contour(function, ax=ax, levels=levels, filled=filled, title=title)
    _draw_paths(ax, function, _trajectory_items(trajectories))
    (x0, x1), (y0, y1) = function.window
    ax.set_xlim(x0, x1)  # a path that left the window must not widen it
    ax.set_ylim(y0, y1)
    add_legend(ax)
    return ax


def draw_paths(function, trajectories, ax, *, legend: bool = True) -> list:
    """Draw paths on axes that already show ``function`` (by ``contour`` or ``plot_1d``).

    Adds each path with its end and start markers, as ``plot_trajectories`` does, and
    renews the legend (``legend=False``: none, for a figure whose other panel names the
    same colours). Returns the artists it added, so that an explorer can remove them
    and draw new paths over the same contours instead of drawing everything again.
    """
    before = set(ax.get_children())
    _draw_paths(ax, function, _trajectory_items(trajectories))
    if legend:
        add_legend(ax)
    return [artist for artist in ax.get_children() if artist not in before]


def plot_1d(function, trajectories=(), ax=None, title=None):
    """A 1-D test function (such as ``sinc10``) with optimizers' iterates on its curve.

    Each iterate θ_t is drawn at (θ_t, f(θ_t)) in its optimizer's colour and marker, joined
    by thin lines in the order visited; the start is a white circle, minima are stars.
    """
    require_dim(function, 1, "plot_1d")
    ax = axes_or_new(ax)
    x0, x1 = np.ravel(function.window)[:2]
    xs = np.linspace(x0, x1, 600)
    with np.errstate(all="ignore"):
        ys = np.asarray(function(xs[np.newaxis]), dtype=float)
    ax.plot(xs, ys, color="0.35", linewidth=1.5, zorder=1)
    minima = np.array([float(np.ravel(m)[0]) for m in function.minima])
    minima = minima[(minima >= x0) & (minima <= x1)]
    if len(minima):
        label = "minimum" if len(minima) == 1 else "minima"
        ax.plot(minima, function(minima[np.newaxis]), label=label, **MINIMUM_MARKER)
    _draw_paths(ax, function, _trajectory_items(trajectories))
    span = np.nanmax(ys) - np.nanmin(ys)
    ax.set_xlim(x0, x1)
    ax.set_ylim(np.nanmin(ys) - 0.08 * span, np.nanmax(ys) + 0.08 * span)
    label_axes(ax, function, title)
    return ax


def _path_xy(function, points, values) -> np.ndarray:
    """Where to draw the iterates: (θ₁, θ₂) in 2-D, (θ, f(θ)) in 1-D; shape (k+1, 2)."""
    if getattr(function, "dim", 2) != 1:
        return points[:, :2]
    if values is None:
        with np.errstate(all="ignore"):
            values = function(points[:, 0][np.newaxis])
    return np.column_stack([points[:, 0], values])


def _draw_paths(ax, function, items) -> list:
    """Draw each path, its end marker and the start marker(s); return (path, end) pairs."""
    drawn = []
    styles = styles_for([label for label, _, _, _ in items])
    for (label, points, values, diverged_at), style in zip(items, styles, strict=True):
        xy = _path_xy(function, points, values)
        (path,) = ax.plot(
            xy[:, 0],
            xy[:, 1],
            color=style["color"],
            linestyle=style["linestyle"],
            linewidth=1.6 if function.dim == 2 else 1.0,
            marker=style["marker"],
            markersize=3.5 if function.dim == 2 else 5,
            markevery=markevery(len(xy)),
            label=display_label(label, diverged_at),
            zorder=3,
        )
        (end,) = ax.plot(
            xy[-1:, 0],
            xy[-1:, 1],
            linestyle="none",
            marker=style["marker"],
            markersize=10,
            markerfacecolor=style["color"],
            markeredgecolor="white",
            markeredgewidth=0.8,
            zorder=4,
        )
        drawn.append((path, end, xy))
    if items:
        starts = [
            _path_xy(function, points[:1], None if values is None else values[:1])[0]
            for _, points, values, _ in items
        ]
        starts = np.unique(np.array(starts), axis=0)
        ax.plot(starts[:, 0], starts[:, 1], label="start", **START_MARKER)
    return drawn


def animate_trajectories(
    function,
    trajectories,
    frames=60,
    interval=80,
    figsize=(5, 4),
    dpi=72,
    title=None,
    alt=None,
):
    """An animation of optimizers moving on a test function, as HTML for a notebook.

    The figure is the one ``plot_trajectories`` (or ``plot_1d``) draws, revealed step by
    step; long trajectories are subsampled to at most ``frames`` frames, and a counter in
    the corner says which step t each frame shows. The player is ``html_player``'s: it
    works offline and plays once; choose "Loop" in the player to repeat.
    The figure is never registered with pyplot, so nothing is left open or shown twice.
    60 frames at the default size weigh well under 1.5 MB.

    ``alt`` is the player image's alternative text, for readers who cannot see it: a
    sentence saying what moves and what to notice. The default names the optimizers and
    the function, e.g. "Animation: Momentum and Nesterov descending the Rosenbrock
    function".

    Returns:
        ``IPython.display.HTML``; make it the last expression of a cell.
    """
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ValueError(f"frames must be an integer >= 1, got {frames!r}")
    items = _trajectory_items(trajectories)
    if not items:
        raise ValueError("trajectories is empty: give at least one Trajectory")
    if alt is None:
        alt = _default_alt(function, [label for label, *_ in items])
    fig = Figure(figsize=figsize, dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if getattr(function, "dim", 2) == 1:
        plot_1d(function, {}, ax=ax, title=title)
    else:
        contour(function, ax=ax, title=title)
    paths = _draw_paths(ax, function, items)
    add_legend(ax)
    fig.tight_layout()

    # Everything but the moving paths is the same in every frame: html_player draws it
    # once and each frame draws only the animated artists over it. The legend's place is
    # chosen first, with the full paths, so that it does not cross them.
    canvas.draw()
    legend = ax.get_legend()
    if legend is not None:
        box = legend.get_window_extent().transformed(ax.transAxes.inverted())
        legend.set_loc((box.x0, box.y0))  # freeze the place "best" chose
    counter = fig.text(0.98, 0.02, "", ha="right", va="bottom", fontsize=9)
    for artist in [counter, *(artist for path, end, _ in paths for artist in (path, end))]:
        artist.set_animated(True)

    longest = max(len(xy) for _, _, xy in paths)
    shown = np.unique(np.round(np.linspace(0, longest - 1, min(frames, longest))).astype(int))

    def update(t):
        for path, end, xy in paths:
            k = min(t, len(xy) - 1)
            path.set_data(xy[: k + 1, 0], xy[: k + 1, 1])
            end.set_data(xy[k : k + 1, 0], xy[k : k + 1, 1])
        counter.set_text(f"step t = {t}")

    return html_player(fig, update, shown, interval=interval, alt=alt)


# Test functions as a sentence names them: people keep their capital, formulas are spelled.
_SPOKEN_NAMES = {
    "rosenbrock": "Rosenbrock",
    "beale": "Beale",
    "himmelblau": "Himmelblau",
    "sinc10": "10 sin(x)/x",
    "tilted_double_well": "tilted double-well",
}


def _default_alt(function, labels) -> str:
    """The default alt text: "Animation: Momentum and Nesterov descending the Rosenbrock
    function"."""
    name = str(getattr(function, "name", "") or "")
    name = _SPOKEN_NAMES.get(name, name.replace("_", " ").strip())
    where = f"the {name} function" if name else "a test function"
    if any(mark in label for label in labels for mark in (",", ":", " and ")):
        labels = [f"“{label}”" for label in labels]  # so that the list stays readable
    who = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"Animation: {who} descending {where}"
