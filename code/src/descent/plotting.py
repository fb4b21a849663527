"""The book's figures: contours, trajectories, loss curves, gradient fields and animations.

Every figure in the book is drawn by these functions, so they share one look:

* one style, set by ``use_style()`` when this module is imported;
* one colour, line style and marker per optimizer (``COLORS``, ``LINESTYLES``, ``MARKERS``;
  ``style_for("Adam (η=0.1)")`` looks them up from any label that starts with the class
  name), from the colour-blind-safe Okabe–Ito palette;
* the same window and contour levels for the same test function (``function.window``,
  ``function.levels``), so figures from different chapters can be compared by eye.

Each function draws on ``ax`` if given (so that figures can have several panels), else on
a new figure, and returns the axes. None of them calls ``plt.show()``.
"""

from __future__ import annotations

import base64
import io
import re
import zlib
from collections.abc import Mapping
from pathlib import Path
from tempfile import TemporaryDirectory

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import HTMLWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

__all__ = [
    "COLORS",
    "LINESTYLES",
    "MARKERS",
    "OKABE_ITO",
    "animate_trajectories",
    "color_for",
    "contour",
    "draw_paths",
    "gradient_field",
    "plot_1d",
    "plot_losses",
    "plot_trajectories",
    "style_for",
    "styles_for",
    "title_for",
    "use_style",
]

#: The Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), distinguishable with
#: every common form of colour blindness; plus a neutral grey.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "grey": "#999999",
}

# One row per optimizer: colour, line style, marker. Eight colours cannot tell thirteen
# optimizers apart, so relatives share a colour and differ by line style and marker
# (Adam / AMSGrad, Nesterov / NAdam, ...), and every optimizer a chapter compares with its
# predecessor gets a colour of its own.
_OI = OKABE_ITO
_STYLES = {
    "SGD": (_OI["black"], "-", "o"),
    "Momentum": (_OI["orange"], "-", "s"),
    "Nesterov": (_OI["sky blue"], "--", "D"),
    "AdaGrad": (_OI["bluish green"], "-", "^"),
    "RMSProp": (_OI["reddish purple"], "-", "v"),
    "Adadelta": (_OI["blue"], "-.", "<"),
    "Adam": (_OI["vermillion"], "-", "P"),
    "AMSGrad": (_OI["vermillion"], "--", "X"),
    "AdaMax": (_OI["blue"], "--", ">"),
    "NAdam": (_OI["sky blue"], "-.", "h"),
    "AdamW": (_OI["reddish purple"], "--", "p"),
    "COCOB": (_OI["bluish green"], "--", "*"),
    "Newton": (_OI["grey"], ":", "d"),
}
COLORS = {name: style[0] for name, style in _STYLES.items()}
LINESTYLES = {name: style[1] for name, style in _STYLES.items()}
MARKERS = {name: style[2] for name, style in _STYLES.items()}
_BY_LOWER = {name.lower(): name for name in _STYLES}
_FALLBACK_COLORS = [c for k, c in OKABE_ITO.items() if k not in ("yellow", "grey")]

#: The book's matplotlib settings (applied by ``use_style``).
STYLE = {
    "figure.figsize": (6.4, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "0.8",
    "axes.grid": True,
    "grid.color": "0.85",
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=_FALLBACK_COLORS),
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "image.cmap": "viridis",
    "animation.html": "jshtml",
}

_MIN_STYLE = dict(
    linestyle="none",
    marker="*",
    markersize=15,
    markerfacecolor=OKABE_ITO["yellow"],
    markeredgecolor="black",
    markeredgewidth=0.9,
    zorder=6,
)
_SADDLE_STYLE = dict(
    linestyle="none",
    marker="X",
    markersize=9,
    markerfacecolor="white",
    markeredgecolor="black",
    markeredgewidth=1.0,
    zorder=6,
)
_START_STYLE = dict(
    linestyle="none",
    marker="o",
    markersize=8,
    markerfacecolor="white",
    markeredgecolor="black",
    markeredgewidth=1.5,
    zorder=5,
)
_FILL_CMAP = LinearSegmentedColormap.from_list("descent_fill", ["#9cc3e0", "#ffffff"])


def use_style() -> None:
    """Apply the book's matplotlib style (done once when ``descent.plotting`` is imported)."""
    mpl.rcParams.update(STYLE)


use_style()


# --------------------------------------------------------------------------- optimizer styles


def _optimizer_name(label: str) -> str | None:
    """The optimizer class a label names: its leading word, e.g. "Adam (η=0.1)" -> "Adam"."""
    label = str(label)
    if "amsgrad=true" in label.lower():
        return "AMSGrad"
    match = re.match(r"\s*([A-Za-z]+)", label)
    return _BY_LOWER.get(match.group(1).lower()) if match else None


def style_for(label: str) -> dict:
    """``{"color", "linestyle", "marker"}`` for an optimizer name or a label starting with it.

    Labels that name no known optimizer get a colour chosen by a stable hash of the label,
    so that they too look the same in every figure.
    """
    name = _optimizer_name(label)
    if name is not None:
        color, linestyle, marker = _STYLES[name]
    else:
        color = _FALLBACK_COLORS[zlib.crc32(str(label).encode()) % len(_FALLBACK_COLORS)]
        linestyle, marker = "-", "o"
    return {"color": color, "linestyle": linestyle, "marker": marker}


def color_for(label: str) -> str:
    """The colour of an optimizer, from its name or a label such as ``"Adam (η=0.1)"``."""
    return style_for(label)["color"]


def styles_for(labels) -> list[dict]:
    """``style_for`` each label, with variants when several labels name one optimizer.

    The first run of an optimizer gets its book style; further runs of the same optimizer
    in the same figure (say SGD with three learning rates) keep its hue, lighter, with
    other line styles and markers, so that they can be told apart and still read as SGD.
    """
    counts: dict[str, int] = {}
    styles = []
    for label in labels:
        style = style_for(label)
        key = _optimizer_name(label) or str(label)
        i = counts[key] = counts.get(key, -1) + 1
        if i:
            linestyles = [ls for ls in ("-", "--", ":", "-.") if ls != style["linestyle"]]
            markers = [m for m in ("o", "s", "^", "D", "v", "P") if m != style["marker"]]
            mix = (0.45, 0.65, 0.25, 0.55)[(i - 1) % 4]
            rgb = np.asarray(mpl.colors.to_rgb(style["color"]))
            style = {
                "color": mpl.colors.to_hex(rgb + mix * (1 - rgb)),
                "linestyle": linestyles[(i - 1) % len(linestyles)],
                "marker": markers[(i - 1) % len(markers)],
            }
        styles.append(style)
    return styles


# --------------------------------------------------------------------------- helpers


def title_for(function) -> str:
    """The default title of a test function's figures: its name and, if short, its formula."""
    name = _pretty_name(function)
    formula = getattr(function, "formula", "")
    if formula and len(formula) <= 48 and _mathtext_ok(formula):
        return f"{name}: ${formula}$"
    return name


def _pretty_name(function) -> str:
    return function.name.replace("_", " ").capitalize()


_MATHTEXT_CACHE: dict[str, bool] = {}


def _mathtext_ok(formula: str) -> bool:
    """Whether matplotlib's mathtext can typeset this LaTeX (it knows only a subset)."""
    if formula not in _MATHTEXT_CACHE:
        from matplotlib.mathtext import MathTextParser

        try:
            MathTextParser("path").parse(f"${formula}$")
            _MATHTEXT_CACHE[formula] = True
        except Exception:
            _MATHTEXT_CACHE[formula] = False
    return _MATHTEXT_CACHE[formula]


def _axis_labels(function) -> tuple[str, str]:
    """Axis labels in the variables of the function's own formula."""
    formula = getattr(function, "formula", "")
    if "x_1" in formula or "x_2" in formula:
        return "$x_1$", "$x_2$"
    if r"\theta" in formula:
        return r"$\theta_1$", r"$\theta_2$"
    if getattr(function, "dim", 2) == 1:
        return "$x$", "$f(x)$"
    return "$x$", "$y$"


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _require_dim(function, dim: int, what: str) -> None:
    if getattr(function, "dim", None) != dim:
        raise ValueError(
            f"{what} needs a {dim}-D function, got {getattr(function, 'name', function)!r} "
            f"with dim={getattr(function, 'dim', None)}"
            + ("; use plot_1d for 1-D functions" if dim == 2 else "")
        )


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


def _display_label(label: str, diverged_at: int | None) -> str:
    return label if diverged_at is None else f"{label} (diverged at step {diverged_at})"


def _markevery(n: int, most: int = 40) -> int:
    return max(1, int(np.ceil(n / most)))


_MARKER_LABELS = ("start", "minimum", "minima", "saddle point", "saddle points")


def _legend(ax) -> None:
    """A legend when there is more than one labelled artist; trajectories first."""
    handles, labels = ax.get_legend_handles_labels()
    if len(handles) < 2:
        return
    order = sorted(range(len(labels)), key=lambda i: labels[i] in _MARKER_LABELS)
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="best")


# --------------------------------------------------------------------------- contours


def contour(function, ax=None, levels=None, filled=False, *, title=None, resolution=200):
    """Contour lines of a 2-D test function over its window, with its minima and saddles.

    Lower levels are drawn darker. The window and levels come from the function
    (``function.window``, ``function.levels``) so that it looks the same in every chapter.
    Minima are marked with a star, saddle points with a cross; the aspect ratio is equal
    unless the window is very elongated.

    Args:
        function: a 2-D test function from ``descent.functions``.
        ax: axes to draw on (default: a new figure).
        levels: override the function's levels (an increasing array).
        filled: also shade between the levels (darker = lower).
        title: default ``title_for(function)``.
        resolution: grid points per axis.
    """
    _require_dim(function, 2, "contour")
    ax = _axes(ax)
    (x0, x1), (y0, y1) = function.window
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    with np.errstate(all="ignore"):
        Z = np.asarray(function(np.stack([X, Y])), dtype=float)
    if levels is None:
        levels = getattr(function, "levels", None)
    if levels is None:  # quantiles of f over the window: readable for any function
        levels = np.unique(np.quantile(Z[np.isfinite(Z)], np.linspace(0.02, 0.95, 15)))
    levels = np.asarray(levels, dtype=float)
    shades = [str(g) for g in np.linspace(0.3, 0.78, len(levels))]
    if filled:
        fills = _FILL_CMAP(np.linspace(0.0, 1.0, len(levels) + 1))
        ax.contourf(X, Y, Z, levels=levels, colors=fills, extend="both", zorder=0)
    ax.contour(X, Y, Z, levels=levels, colors=shades, linewidths=0.8, zorder=1)

    inside = _points_inside(function.minima, function.window)
    if len(inside):
        label = "minimum" if len(inside) == 1 else "minima"
        ax.plot(inside[:, 0], inside[:, 1], label=label, **_MIN_STYLE)
    saddles = _points_inside(getattr(function, "saddle_points", []), function.window)
    if len(saddles):
        label = "saddle point" if len(saddles) == 1 else "saddle points"
        ax.plot(saddles[:, 0], saddles[:, 1], label=label, **_SADDLE_STYLE)

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ratio = (x1 - x0) / (y1 - y0)
    ax.set_aspect("equal" if 1 / 3 <= ratio <= 3 else "auto")
    ax.grid(False)
    xlabel, ylabel = _axis_labels(function)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title_for(function) if title is None else title)
    _legend(ax)
    return ax


def _points_inside(points, window) -> np.ndarray:
    (x0, x1), (y0, y1) = window
    pts = np.array([np.asarray(p, dtype=float) for p in points]).reshape(-1, 2)
    keep = (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)
    return pts[keep]


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
    _legend(ax)
    return ax


def draw_paths(function, trajectories, ax) -> list:
    """Draw paths on axes that already show ``function`` (by ``contour`` or ``plot_1d``).

    Adds each path with its end and start markers, as ``plot_trajectories`` does, and
    renews the legend. Returns the artists it added, so that an explorer can remove them
    and draw new paths over the same contours instead of drawing everything again.
    """
    before = set(ax.get_children())
    _draw_paths(ax, function, _trajectory_items(trajectories))
    _legend(ax)
    return [artist for artist in ax.get_children() if artist not in before]


def plot_1d(function, trajectories=(), ax=None, title=None):
    """A 1-D test function (such as ``sinc10``) with optimizers' iterates on its curve.

    Each iterate θ_t is drawn at (θ_t, f(θ_t)) in its optimizer's colour and marker, joined
    by thin lines in the order visited; the start is a white circle, minima are stars.
    """
    _require_dim(function, 1, "plot_1d")
    ax = _axes(ax)
    x0, x1 = np.ravel(function.window)[:2]
    xs = np.linspace(x0, x1, 600)
    with np.errstate(all="ignore"):
        ys = np.asarray(function(xs[np.newaxis]), dtype=float)
    ax.plot(xs, ys, color="0.35", linewidth=1.5, zorder=1)
    minima = np.array([float(np.ravel(m)[0]) for m in function.minima])
    minima = minima[(minima >= x0) & (minima <= x1)]
    if len(minima):
        label = "minimum" if len(minima) == 1 else "minima"
        ax.plot(minima, function(minima[np.newaxis]), label=label, **_MIN_STYLE)
    _draw_paths(ax, function, _trajectory_items(trajectories))
    span = np.nanmax(ys) - np.nanmin(ys)
    ax.set_xlim(x0, x1)
    ax.set_ylim(np.nanmin(ys) - 0.08 * span, np.nanmax(ys) + 0.08 * span)
    xlabel, ylabel = _axis_labels(function)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title_for(function) if title is None else title)
    _legend(ax)
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
            markevery=_markevery(len(xy)),
            label=_display_label(label, diverged_at),
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
        ax.plot(starts[:, 0], starts[:, 1], label="start", **_START_STYLE)
    return drawn


# --------------------------------------------------------------------------- loss curves

_X_LABELS = {"step": "step $t$", "epoch": "epoch", "time": "wall-clock time (s)"}


def plot_losses(
    histories, x="step", log=True, ax=None, title=None, smooth=None, *, metric="train_loss"
):
    """Loss curves of several training runs, one colour per optimizer.

    Args:
        histories: a ``History``, a list of them, or a dict label -> History or -> array of
            per-step losses.
        x: "step" (mini-batch loss at every step), "epoch" (``metric`` after every epoch,
            epoch 0 being the untrained model) or "time" (mini-batch loss against
            cumulative wall-clock seconds).
        log: logarithmic loss axis.
        smooth: an integer k > 1 draws the moving average over k steps on top of the raw
            curve, which is then drawn faintly (step and time axes only).
        metric: what x="epoch" plots: "train_loss", "test_loss", "train_acc" or "test_acc".
    """
    if x not in _X_LABELS:
        raise ValueError(f'x must be "step", "epoch" or "time", got {x!r}')
    if smooth is not None and (not isinstance(smooth, (int, np.integer)) or smooth < 1):
        raise ValueError(f"smooth must be None or an integer window >= 1, got {smooth!r}")
    ax = _axes(ax)
    if hasattr(histories, "loss"):
        histories = [histories]
    if isinstance(histories, Mapping):
        pairs = list(histories.items())
    else:
        pairs = [(getattr(h, "label", None) or f"run {i + 1}", h) for i, h in enumerate(histories)]
    for (label, h), style in zip(pairs, styles_for([label for label, _ in pairs]), strict=True):
        xs, ys = _curve(h, x, metric, label)
        diverged_at = getattr(h, "diverged_at", None) if getattr(h, "diverged", False) else None
        kwargs = dict(
            color=style["color"],
            linestyle=style["linestyle"],
            marker=style["marker"],
            markersize=4,
            markevery=_markevery(len(xs), 8),
        )
        if smooth and smooth > 1 and x != "epoch" and len(ys) >= smooth:
            ax.plot(xs, ys, color=style["color"], alpha=0.25, linewidth=0.8)
            ys = np.convolve(ys, np.ones(smooth) / smooth, mode="valid")
            xs = xs[smooth - 1 :]
            kwargs["markevery"] = _markevery(len(xs), 8)
        ax.plot(xs, ys, label=_display_label(str(label), diverged_at), **kwargs)
    if log:
        ax.set_yscale("log")
    what = metric.replace("_", " ").replace("acc", "accuracy") if x == "epoch" else "loss"
    ylabel = what if x == "epoch" else "mini-batch training loss"
    ax.set_xlabel(_X_LABELS[x])
    ax.set_ylabel(ylabel)
    ax.set_title(
        ("Training loss" if x != "epoch" else what.capitalize()) if title is None else title
    )
    _legend(ax)
    return ax


def _curve(h, x, metric, label):
    if hasattr(h, "loss"):
        if x == "epoch":
            epochs = getattr(h, "epochs", [])
            return np.array([e["epoch"] for e in epochs]), np.array([e[metric] for e in epochs])
        ys = np.asarray(h.loss, dtype=float)
        xs = np.asarray(h.time, dtype=float) if x == "time" else np.arange(1, len(ys) + 1)
        return xs, ys
    if x == "time":
        raise ValueError(f"{label!r} is an array of losses without timings; use x='step'")
    ys = np.asarray(h, dtype=float)
    return np.arange(1 if x == "step" else 0, len(ys) + (1 if x == "step" else 0)), ys


# --------------------------------------------------------------------------- gradient field


def gradient_field(function, ax=None, n=15, *, title=None, contours=True):
    """Arrows of the steepest-descent direction −∇f on an n × n grid over the window.

    Every arrow has the same length, so that all directions can be read; the colour
    shows how steep the function is there (log₁₀ ‖∇f‖, lighter = steeper). Contour lines
    are drawn underneath (``contours=False`` to omit them): the arrows cross them at right
    angles.
    """
    _require_dim(function, 2, "gradient_field")
    ax = contour(function, ax=ax, title=title) if contours else _axes(ax)
    (x0, x1), (y0, y1) = function.window
    xs, ys = np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1]
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        G = -np.asarray(function.grad(np.stack([X, Y])), dtype=float)
        norm = np.hypot(G[0], G[1])
        length = 0.8 * min(xs[1] - xs[0], ys[1] - ys[0])
        scale = np.where(norm > 0, length / np.where(norm > 0, norm, 1.0), 0.0)
        color = np.log10(np.where(norm > 0, norm, np.nan))
    ax.quiver(
        X,
        Y,
        G[0] * scale,
        G[1] * scale,
        color,
        cmap="viridis",
        angles="xy",
        scale_units="xy",
        scale=1,
        width=0.004,
        pivot="mid",
        zorder=2,
    )
    if not contours:
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        xlabel, ylabel = _axis_labels(function)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    if title is None:
        ax.set_title(f"Steepest descent $-\\nabla f$: {_pretty_name(function)}")
    return ax


# --------------------------------------------------------------------------- animation


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
    the corner says which step t each frame shows. The player is matplotlib's JavaScript
    one (as ``FuncAnimation.to_jshtml``, with text for its button icons, which matplotlib
    loads from a CDN, so that the page works offline) and plays once; choose "Loop" in
    the player to repeat.
    The figure is never registered with pyplot, so nothing is left open or shown twice.
    60 frames at the default size weigh well under 1.5 MB.

    ``alt`` is the player image's alternative text, for readers who cannot see it: a
    sentence saying what moves and what to notice. The default names the optimizers and
    the function, e.g. "Animation: Momentum and Nesterov descending the Rosenbrock
    function".

    Returns:
        ``IPython.display.HTML``; make it the last expression of a cell.
    """
    from IPython.display import HTML

    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ValueError(f"frames must be an integer >= 1, got {frames!r}")
    items = _trajectory_items(trajectories)
    if not items:
        raise ValueError("trajectories is empty: give at least one Trajectory")
    if alt is None:
        alt = _default_alt(function, [label for label, *_ in items])
    alt = _check_alt(alt)
    fig = Figure(figsize=figsize, dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if getattr(function, "dim", 2) == 1:
        plot_1d(function, {}, ax=ax, title=title)
    else:
        contour(function, ax=ax, title=title)
    paths = _draw_paths(ax, function, items)
    _legend(ax)
    fig.tight_layout()

    # Everything but the moving paths is the same in every frame: draw it once (with the
    # full paths, so that the legend finds a place they do not cross) and reuse the pixels.
    canvas.draw()
    legend = ax.get_legend()
    if legend is not None:
        box = legend.get_window_extent().transformed(ax.transAxes.inverted())
        legend.set_loc((box.x0, box.y0))  # freeze the place "best" chose
    moving = [artist for path, end, _ in paths for artist in (path, end)]
    for artist in moving:
        artist.set_visible(False)
    canvas.draw()
    background = np.asarray(canvas.buffer_rgba()).copy()
    for artist in ax.get_children():
        artist.set_visible(artist in moving)
    fig.patch.set_visible(False)
    fig.figimage(background, zorder=-1)
    counter = fig.text(0.98, 0.02, "", ha="right", va="bottom", fontsize=9)

    longest = max(len(xy) for _, _, xy in paths)
    shown = np.unique(np.round(np.linspace(0, longest - 1, min(frames, longest))).astype(int))
    # matplotlib's HTML movie writer, the one behind FuncAnimation.to_jshtml, fed directly.
    writer = _PaletteHTMLWriter(fps=1000 / interval, embed_frames=True, default_mode="once")
    with TemporaryDirectory() as folder:
        html_file = Path(folder, "animation.html")
        with mpl.rc_context({"savefig.bbox": "standard"}):
            with writer.saving(fig, str(html_file), dpi):
                for t in shown:
                    for path, end, xy in paths:
                        k = min(t, len(xy) - 1)
                        path.set_data(xy[: k + 1, 0], xy[: k + 1, 1])
                        end.set_data(xy[k : k + 1, 0], xy[k : k + 1, 1])
                    counter.set_text(f"step t = {t}")
                    writer.grab_frame()
        html = html_file.read_text()
    return HTML(_with_alt(_offline(html), alt))


def animation_html(animation, fig=None, alt=None):
    """Any matplotlib animation as offline HTML for a notebook.

    ``animation.to_jshtml()`` with the player's one remote resource (an icon stylesheet
    from a CDN) replaced by text buttons, so that the page works without a network. Use it
    for animations that ``animate_trajectories`` does not draw. Draw on a
    ``matplotlib.figure.Figure`` (not registered with pyplot), or pass the pyplot figure as
    ``fig`` so that it is closed and not shown a second time below the player.

    ``alt`` is the player image's alternative text: a sentence saying what the animation
    shows and what to notice. The default is built from the figure's titles and texts as
    the last frame leaves them, e.g. "Animation in 12 frames, ending at: Secants at
    x = 3.5, h = 0.05"; give one whenever that says too little.
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML

    if alt is not None:
        alt = _check_alt(alt)
    html = animation.to_jshtml(default_mode="once")
    if alt is None:  # drawing the frames left the figure as the last frame shows it
        figure = animation._fig
        texts = [ax.get_title() for ax in figure.axes] + [t.get_text() for t in figure.texts]
        texts = "; ".join(t for t in map(_plain_text, texts) if t) or "a matplotlib figure"
        alt = f"Animation in {len(_FRAME.findall(html))} frames, ending at: {texts}"
    if fig is not None:
        plt.close(fig)
    return HTML(_with_alt(_offline(html), alt))


# Test functions as a sentence names them: people keep their capital, formulas are spelled.
_SPOKEN_NAMES = {
    "rosenbrock": "Rosenbrock",
    "beale": "Beale",
    "himmelblau": "Himmelblau",
    "sinc10": "10 sin(x)/x",
    "tilted_double_well": "tilted double-well",
}
_FRAME = re.compile(r"frames\[\d+\] = \"data:image/")
# mathtext commands of the book's titles, as the characters a screen reader can say.
_TEX_NAMES = "alpha beta epsilon eta theta mu rho nabla cdot times".split()
_TEX_SYMBOLS = dict(zip(_TEX_NAMES, "αβεηθμρ∇·×", strict=True))


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


def _check_alt(alt) -> str:
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a sentence describing the animation, got {alt!r}")
    return " ".join(alt.split())


def _plain_text(text: str) -> str:
    """A matplotlib label without its mathtext markup: "$\\eta = 0.1$" -> "η = 0.1"."""
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _TEX_SYMBOLS.get(m.group(1), m.group(1)), text)
    text = text.replace("\\,", " ").replace("$", "").replace("{", "").replace("}", "")
    return " ".join(text.split())


def _with_alt(html: str, alt: str) -> str:
    """The player's HTML with ``alt`` on its one <img> (the frame it shows)."""
    from html import escape

    tag = re.compile(r'<img id="_anim_img(\w*)"')
    if len(tag.findall(html)) != 1:
        raise RuntimeError("matplotlib's animation player changed: cannot find its <img>")
    return tag.sub(lambda m: f'{m.group(0)} alt="{escape(alt, quote=True)}"', html)


# matplotlib's player draws its buttons with Font Awesome icons from a CDN; the book must
# work offline, so the buttons get text symbols instead (their tooltips name them too).
_BUTTON_TEXT = {
    "minus": "−",
    "fast-backward": "|◀◀",
    "step-backward": "|◀",
    "play fa-flip-horizontal": "◀",
    "pause": "||",
    "play": "▶",
    "step-forward": "▶|",
    "fast-forward": "▶▶|",
    "plus": "+",
}


def _offline(html: str) -> str:
    """The player's HTML without its one remote resource (a stylesheet of icons)."""
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*"\s*/?>', "", html)
    return re.sub(
        r'<i class="fa fa-([a-z -]+)"></i>', lambda m: _BUTTON_TEXT.get(m.group(1), ""), html
    )


class _PaletteHTMLWriter(HTMLWriter):
    """matplotlib's HTML (JavaScript) movie writer, with 64-colour PNG frames.

    The book's figures have few colours (grey contours, a handful of optimizer colours),
    so a palette loses nothing visible and makes each frame about a third of the size of a
    full-colour PNG: 60 frames of a 5 × 4 inch figure at 72 dpi stay well under 1.5 MB.
    Frames are taken from the Agg canvas at the figure's own dpi.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.frame_format = "png"  # whatever rcParams["animation.frame_format"] says

    def grab_frame(self, **savefig_kwargs):
        from PIL import Image  # matplotlib itself depends on Pillow

        self.fig.canvas.draw()
        pixels = np.asarray(self.fig.canvas.buffer_rgba())[..., :3]
        image = Image.fromarray(pixels).quantize(
            64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        frame = io.BytesIO()
        image.save(frame, format="png", optimize=False)
        self._saved_frames.append(base64.encodebytes(frame.getvalue()).decode("ascii"))
