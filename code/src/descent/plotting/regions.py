"""Decision regions: what a classifier of points in the plane has learned, as a picture.

A classifier with two inputs assigns a class to every point of the plane. Colouring each
point by that class shows the decision regions, and their borders the decision boundary:
straight lines for a linear model (softmax regression), bends and islands for a network
with a hidden layer. ``decision_regions`` draws them with the data on top, in the book's
style (colour-blind-safe colours, one marker per class as well as one colour).
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from descent.plotting.animation import animation_html
from descent.plotting.style import OKABE_ITO

__all__ = [
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "animate_training",
    "decision_regions",
    "predict_grid",
    "region_axes",
    "region_legend",
]

#: Marker areas (points²) of the data points and of the circles around misclassified ones.
POINT_SIZE, MISTAKE_SIZE = 18, 70

#: One colour and one marker per class (Okabe–Ito), for up to six classes.
CLASS_COLORS = [
    OKABE_ITO[name]
    for name in ("blue", "orange", "bluish green", "reddish purple", "sky blue", "vermillion")
]
CLASS_MARKERS = ["o", "s", "^", "D", "v", "P"]


def predict_grid(model, window, resolution: int = 150):
    """The predicted class at every point of a grid over ``window``.

    Args:
        model: has ``predict(x)`` mapping inputs (N, 2) to scores (N, C), like
            ``descent.nn.MLP``.
        window: ((x_min, x_max), (y_min, y_max)).
        resolution: grid points per axis.

    Returns:
        (X, Y, labels), each of shape (resolution, resolution).
    """
    (x0, x1), (y0, y1) = window
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"window must be ((x_min, x_max), (y_min, y_max)), got {window!r}")
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    scores = model.predict(np.column_stack([X.ravel(), Y.ravel()]))
    return X, Y, np.asarray(scores).argmax(axis=1).reshape(X.shape)


def _window(x, margin: float = 0.5):
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def _tint(color, amount: float = 0.72):
    """The colour mixed with white: light enough for a background region."""
    rgb = np.asarray(to_rgb(color))
    return tuple(rgb + amount * (1 - rgb))


def _class_colors(n_classes: int) -> tuple[list, ListedColormap]:
    if n_classes > len(CLASS_COLORS):
        raise ValueError(f"at most {len(CLASS_COLORS)} classes can be drawn, got {n_classes}")
    colors = CLASS_COLORS[:n_classes]
    return colors, ListedColormap([_tint(c) for c in colors])


def _draw_regions(ax, X, Y, labels, n_classes: int):
    """The coloured regions (a mesh) and the boundary between them (contours, or None)."""
    _, cmap = _class_colors(n_classes)
    mesh = ax.pcolormesh(
        X, Y, labels, cmap=cmap, vmin=-0.5, vmax=n_classes - 0.5, shading="auto", zorder=0
    )
    # A legend placed "best" (``_finish``) asks every collection for its paths, then uses
    # only its offsets: the mesh would make one path per cell (22 500) for nothing, which
    # took longer than drawing the whole figure. Drawing the mesh does not use them.
    mesh.get_paths = list
    return mesh, _draw_boundary(ax, X, Y, labels, n_classes)


def _draw_boundary(ax, X, Y, labels, n_classes: int):
    if n_classes < 2 or np.unique(labels).size < 2:
        return None
    levels = np.arange(n_classes - 1) + 0.5
    return ax.contour(X, Y, labels, levels=levels, colors="0.25", linewidths=1.0, zorder=1)


def _draw_points(ax, x, t, n_classes: int) -> None:
    colors, _ = _class_colors(n_classes)
    for c in range(n_classes):
        mine = t == c
        ax.scatter(
            x[mine, 0],
            x[mine, 1],
            s=POINT_SIZE,
            color=colors[c],
            marker=CLASS_MARKERS[c],
            edgecolors="white",
            linewidths=0.5,
            label=f"class {c}",
            zorder=3,
        )


def region_axes(ax, x, window=None):
    """Set up ``ax`` as ``decision_regions`` does for the points ``x``, drawing nothing.

    The window (default: the range of ``x``, shape (N, 2), plus a margin) becomes the
    limits; the axes are labelled x₁ and x₂, without a grid. An explorer that redraws only
    the regions sets its axes up once with this (the ``background`` of a
    ``descent.widgets.Explorer``). Returns the window.
    """
    window = _window(np.asarray(x, dtype=float)) if window is None else window
    ax.set_xlim(*window[0])
    ax.set_ylim(*window[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
    return window


def region_legend(ax, n_classes: int):
    """A legend beside ``ax`` (outside it, on the right) for the marks of ``decision_regions``.

    One entry per class (its colour and marker) and one for the circles around
    misclassified points, whether or not any are drawn. An explorer draws it once, with
    the axes, and then calls ``decision_regions(..., legend=False)`` at every change.
    """
    colors, _ = _class_colors(n_classes)
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=CLASS_MARKERS[c],
            markersize=np.sqrt(POINT_SIZE),
            color=colors[c],
            markeredgecolor="white",
            markeredgewidth=0.5,
            label=f"class {c}",
        )
        for c in range(n_classes)
    ]
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=np.sqrt(MISTAKE_SIZE),
            markerfacecolor="none",
            markeredgecolor="black",
            label="misclassified",
        )
    )
    return ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small")


def _finish(ax, window, legend: bool = True) -> None:
    region_axes(ax, None, window)
    if legend:
        ax.legend(loc="best", fontsize="small", framealpha=0.9)


def _points_and_labels(x, t):
    x, t = np.asarray(x, dtype=float), np.asarray(t)
    if x.ndim != 2 or x.shape[1] != 2 or t.shape != (len(x),):
        raise ValueError(
            f"decision regions need points x of shape (N, 2) and labels t of shape (N,), "
            f"got {x.shape} and {t.shape}"
        )
    return x, t


def decision_regions(
    model,
    x,
    t,
    ax=None,
    *,
    window=None,
    resolution: int = 150,
    title: str | None = None,
    n_classes: int | None = None,
    legend: bool = True,
):
    """The plane coloured by the class ``model`` predicts, with the points (x, t) on top.

    Args:
        model: has ``predict(x)`` -> scores (N, C), e.g. a ``descent.nn.MLP`` with two
            inputs.
        x: (N, 2) points; t: (N,) their integer labels.
        ax: matplotlib axes (default: a new figure's).
        window: ((x_min, x_max), (y_min, y_max)); default: the points' range plus a margin.
        resolution: grid points per axis for the regions.
        title: default "Decision regions (accuracy …)" with the model's accuracy on (x, t).
        n_classes: default: the larger of the number of scores and max(t) + 1.
        legend: False draws no legend (an explorer draws ``region_legend`` once instead).

    Returns:
        The axes. Misclassified points are circled in black.
    """
    x, t = _points_and_labels(x, t)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 4.2))
    window = _window(x) if window is None else window
    X, Y, labels = predict_grid(model, window, resolution)
    predicted = np.asarray(model.predict(x)).argmax(axis=1)
    if n_classes is None:
        n_classes = max(np.asarray(model.predict(x[:1])).shape[1], int(t.max()) + 1)
    _draw_regions(ax, X, Y, labels, n_classes)
    _draw_points(ax, x, t, n_classes)
    wrong = predicted != t
    if wrong.any():
        ax.scatter(
            x[wrong, 0],
            x[wrong, 1],
            s=MISTAKE_SIZE,
            facecolors="none",
            edgecolors="black",
            linewidths=1.0,
            label="misclassified",
            zorder=4,
        )
    accuracy = float(np.mean(~wrong))
    ax.set_title(f"Decision regions (accuracy {accuracy:.0%})" if title is None else title)
    _finish(ax, window, legend)
    return ax


def animate_training(
    model,
    optimizer,
    data,
    *,
    epochs: int = 60,
    frames: int = 30,
    batch_size: int = 16,
    seed: int = 0,
    window=None,
    resolution: int = 100,
    figsize=(4.6, 4.2),
    dpi: int = 72,
    interval: int = 250,
    alt: str | None = None,
):
    """An animation of the decision regions of ``model`` while it trains on ``data``.

    The model is trained in place with ``descent.training.fit``, one epoch per call (the
    mini-batch order of epoch e seeded by ``seed + e``), for ``epochs`` epochs. The regions
    are recorded before training and after ``frames`` − 1 evenly spaced epochs, and drawn as
    in ``decision_regions``, with the training points on top and the epoch and the training
    accuracy in the title. ``alt``, the player's alternative text, says by default how
    the training accuracy changed from the first frame to the last.

    Returns:
        ``(html, snapshots)``: offline HTML for a notebook (``animation_html``; the
        figure is never registered with pyplot) and the list of recorded
        ``(epoch, training accuracy)`` pairs.
    """
    from descent.training import fit

    if isinstance(frames, bool) or frames < 2 or epochs < 1:
        raise ValueError(f"need frames >= 2 and epochs >= 1, got {frames!r} and {epochs!r}")
    x, t = _points_and_labels(data.x_train, data.t_train)
    window = _window(x) if window is None else window
    shown = set(np.round(np.linspace(0, epochs, frames)).astype(int).tolist())
    snapshots = []  # (epoch, labels on the grid, training accuracy)
    for epoch in range(epochs + 1):
        if epoch:
            fit(model, optimizer, data, epochs=1, batch_size=batch_size, seed=seed + epoch)
        if epoch in shown:
            X, Y, labels = predict_grid(model, window, resolution)
            snapshots.append((epoch, labels, float(model.accuracy(x, t))))
    n_classes = max(np.asarray(model.predict(x[:1])).shape[1], int(t.max()) + 1)

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    mesh, boundary = _draw_regions(ax, X, Y, snapshots[0][1], n_classes)
    _draw_points(ax, x, t, n_classes)
    _finish(ax, window)
    title = ax.set_title(" ")
    fig.tight_layout()
    drawn = [boundary]

    def update(k):
        epoch, labels, accuracy = snapshots[k]
        mesh.set_array(labels.ravel())
        if drawn[0] is not None:
            drawn[0].remove()
        drawn[0] = _draw_boundary(ax, X, Y, labels, n_classes)
        title.set_text(f"Epoch {epoch}: training accuracy {accuracy:.0%}")

    anim = FuncAnimation(fig, update, frames=len(snapshots), interval=interval)
    if alt is None:
        (first, _, start), (last, _, end) = snapshots[0], snapshots[-1]
        alt = (
            f"Animation of the decision regions of the model over the training points while "
            f"it trains, from epoch {first} to epoch {last}: the training accuracy goes from "
            f"{start:.0%} to {end:.0%}."
        )
    with mpl.rc_context({"savefig.bbox": "standard", "savefig.dpi": dpi}):
        html = animation_html(anim, alt=alt)
    return html, [(epoch, accuracy) for epoch, _, accuracy in snapshots]
