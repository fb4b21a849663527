"""A notebook's figures, drawn once: the picture Jupyter's inline backend shows, in less
time.

The inline backend (matplotlib-inline) shows a figure as ``savefig(bbox_inches="tight")``
writes it: matplotlib draws the whole figure once to measure its ink, then draws it again
on a canvas cut to that box (the "tight box", plus ``savefig.pad_inches`` around it). The
second drawing lays out every label again, because a canvas of another size gets a new
renderer and so empty caches.

``png(fig)`` draws the figure once, with room around it. It then measures the tight box
with the renderer that drew (whose text sizes are known) and cuts the pixels to it. The
picture has the same size and the same ink, within a pixel of where the second drawing
puts it. A new figure takes about a third less time; in the book's build, showing the
figures costs about a tenth less, because a figure's first drawing also makes its ticks.

One drawing cannot be cut to a box that reaches outside it: a legend placed far beyond the
figure's edge is not on it. Such a figure takes matplotlib's own two drawings. So does
every figure when the reader chose other formats or settings for the inline backend
(``%config InlineBackend.figure_formats = ...``): ``show_figures_drawn_once`` replaces only
the backend's default PNG.
"""

from __future__ import annotations

import io
import math
from binascii import b2a_base64

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

__all__ = ["png", "show_figures_drawn_once"]


def png(fig: Figure) -> bytes | None:
    """``fig`` as the PNG that ``fig.savefig(buffer, bbox_inches="tight")`` writes, drawn
    once (see the module's docstring); None for a figure with no axes and no lines, which
    Jupyter does not show."""
    if not fig.axes and not fig.lines:
        return None
    canvas, previous = _agg_canvas(fig)
    try:
        pixels, margin = _drawing(fig, canvas)
        # the tight box, measured with the renderer that drew: its text sizes are known
        ink = fig.get_tightbbox(canvas.renderer)
    finally:
        if previous is not None:
            fig.set_canvas(previous)
    dpi = fig.dpi
    height, width = pixels.shape[0] / dpi, pixels.shape[1] / dpi
    if ink.x0 < -margin or ink.y0 < -margin or ink.x1 > width - margin or ink.y1 > height - margin:
        return _drawn_twice(fig)  # some ink lies beyond this drawing
    out = io.BytesIO()
    mpl.image.imsave(
        out, _cut(pixels, ink, margin, dpi, fig.get_facecolor()), format="png", dpi=dpi
    )
    return out.getvalue()


def _drawing(fig: Figure, canvas: FigureCanvasAgg) -> tuple[np.ndarray, float]:
    """One drawing of ``fig`` on ``canvas``: its RGBA pixels (height, width, 4), and the
    room around the figure, in inches on each side.

    A figure without a layout engine may put ink beyond its edges (a long x-axis label
    below a short figure): it is drawn with ``MARGIN`` inches of room on each side, each
    artist in the place it has on the figure. A layout engine (``layout="constrained"``)
    keeps everything inside the figure, and lays it out on the very drawing that shows it.
    """
    if fig.get_layout_engine() is not None:
        canvas.draw()
        return np.array(canvas.buffer_rgba()), 0.0
    dpi = fig.dpi
    # the room's size in pixels is a whole number and a half, which matplotlib rounds
    # down to that whole number whatever the rounding errors in inches
    width, height = (math.ceil((side + 2 * MARGIN) * dpi) for side in fig.get_size_inches())
    room = Bbox.from_bounds(-MARGIN, -MARGIN, (width + 0.5) / dpi, (height + 0.5) / dpi)
    raw = io.BytesIO()
    fig.savefig(
        raw,
        format="rgba",
        dpi=dpi,
        bbox_inches=room,
        facecolor=fig.get_facecolor(),
        edgecolor=fig.get_edgecolor(),
    )
    return np.frombuffer(raw.getbuffer(), dtype=np.uint8).reshape(height, width, 4), MARGIN


#: Inches of room around a figure without a layout engine (see ``_drawing``).
MARGIN = 1.0


def _cut(pixels: np.ndarray, ink, margin: float, dpi: float, facecolor) -> np.ndarray:
    """The RGBA ``pixels`` (height, width, 4) of a drawing with ``margin`` inches of room
    around the figure, cut to the tight box ``ink`` (inches from the figure's bottom left)
    plus ``savefig.pad_inches`` on each side.

    The size is the one matplotlib gives a canvas of that box: its size in pixels, rounded
    down. Where the padding reaches past the drawing, the figure's face colour fills it.
    """
    box = ink.padded(mpl.rcParams["savefig.pad_inches"])
    width, height = int(box.width * dpi), int(box.height * dpi)
    left = math.floor((box.x0 + margin) * dpi + 0.5)
    top = math.floor(pixels.shape[0] - (box.y1 + margin) * dpi + 0.5)  # rows from the top
    out = np.empty((height, width, 4), dtype=np.uint8)
    out[...] = np.round(np.multiply(mpl.colors.to_rgba(facecolor), 255))
    rows = slice(max(top, 0), min(top + height, pixels.shape[0]))
    cols = slice(max(left, 0), min(left + width, pixels.shape[1]))
    out[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left] = pixels[
        rows, cols
    ]
    return out


def _agg_canvas(fig: Figure):
    """An Agg canvas for ``fig``: its own if it has one, else a new one (returned with the
    canvas to give back afterwards)."""
    if isinstance(fig.canvas, FigureCanvasAgg):
        return fig.canvas, None
    previous = fig.canvas
    return FigureCanvasAgg(fig), previous


def _drawn_twice(fig: Figure) -> bytes:
    """matplotlib's own tight PNG, drawn twice: IPython's ``print_figure``, which the
    inline backend registers for figures by default."""
    from IPython.core.pylabtools import print_figure

    return print_figure(fig, fmt="png")


def _png_base64(fig: Figure) -> str | None:
    """``png(fig)`` as base64 text, the form Jupyter's display formatters return."""
    data = png(fig)
    return None if data is None else b2a_base64(data, newline=False).decode("ascii")


def show_figures_drawn_once(shell=None) -> bool:
    """Make Jupyter show matplotlib figures with ``png``; True if it now does.

    It does so only in an IPython kernel whose inline backend still has its default
    settings (PNG, a tight box): other settings the reader chose are kept. Importing
    ``descent.plotting`` calls it.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    if "inline" not in str(mpl.get_backend()):
        return False
    from matplotlib_inline.config import InlineBackend

    inline = InlineBackend.instance()
    if set(inline.figure_formats) != {"png"} or inline.print_figure_kwargs != {
        "bbox_inches": "tight"
    }:
        return False
    shell.display_formatter.formatters["image/png"].for_type(Figure, _png_base64)
    return True
