"""A test function drawn by itself: its contours, and the field of its gradient.

``contour`` draws the level lines of a 2-D test function over its window, with its minima
and saddle points; ``gradient_field`` adds the arrows of −∇f. The window and the levels
come from the function (``function.window``, ``function.levels``), so that a function looks
the same in every chapter.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from descent.plotting.style import (
    MINIMUM_MARKER,
    SADDLE_MARKER,
    axes_or_new,
    axis_labels,
    label_axes,
    pretty_name,
)

__all__ = ["contour", "gradient_field"]

_FILL_CMAP = LinearSegmentedColormap.from_list("descent_fill", ["#9cc3e0", "#ffffff"])


def require_dim(function, dim: int, what: str) -> None:
    if getattr(function, "dim", None) != dim:
        raise ValueError(
            f"{what} needs a {dim}-D function, got {getattr(function, 'name', function)!r} "
            f"with dim={getattr(function, 'dim', None)}"
            + ("; use plot_1d for 1-D functions" if dim == 2 else "")
        )


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
    require_dim(function, 2, "contour")
    ax = axes_or_new(ax)
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
        ax.plot(inside[:, 0], inside[:, 1], label=label, **MINIMUM_MARKER)
    saddles = _points_inside(getattr(function, "saddle_points", []), function.window)
    if len(saddles):
        label = "saddle point" if len(saddles) == 1 else "saddle points"
        ax.plot(saddles[:, 0], saddles[:, 1], label=label, **SADDLE_MARKER)

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ratio = (x1 - x0) / (y1 - y0)
    ax.set_aspect("equal" if 1 / 3 <= ratio <= 3 else "auto")
    ax.grid(False)
    label_axes(ax, function, title)
    return ax


def _points_inside(points, window) -> np.ndarray:
    (x0, x1), (y0, y1) = window
    pts = np.array([np.asarray(p, dtype=float) for p in points]).reshape(-1, 2)
    keep = (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)
    return pts[keep]


def gradient_field(function, ax=None, n=15, *, title=None, contours=True):
    """Arrows of the steepest-descent direction −∇f on an n × n grid over the window.

    Every arrow has the same length, so that all directions can be read; the colour
    shows how steep the function is there (log₁₀ ‖∇f‖, lighter = steeper). Contour lines
    are drawn underneath (``contours=False`` to omit them): the arrows cross them at right
    angles.
    """
    require_dim(function, 2, "gradient_field")
    ax = contour(function, ax=ax, title=title) if contours else axes_or_new(ax)
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
        xlabel, ylabel = axis_labels(function)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    if title is None:
        ax.set_title(f"Steepest descent $-\\nabla f$: {pretty_name(function)}")
    return ax
