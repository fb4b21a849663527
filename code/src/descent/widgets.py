"""Interactive explorers: sliders that redraw a figure, with a picture for the static book.

An ``Explorer`` is a figure plus the sliders that control it. In Jupyter or Binder the
sliders are live: moving one redraws the figure (on release, to stay responsive). The
book's static pages cannot run Python, so an explorer also carries a PNG of its figure;
the book is configured to show that picture instead of dead controls.

An explorer keeps one matplotlib figure for its whole life and draws it once per change
(no second pass to crop it; its layout engine keeps the labels inside), then sends the
pixels as a quickly compressed PNG shown at its own size, so that it stays sharp. An
explorer with a ``background`` draws that once and keeps its pixels; a change then draws
only what moves: ``trajectory_explorer`` draws the contours once and then only the paths.

Make one with ``explore(draw, lr=(0.01, 1.0, 0.01, 0.1))`` for any figure, or with
``trajectory_explorer(functions.bowl, Momentum, {"lr": ..., "momentum": ...})`` for the most
common one: an optimizer's path on a test function. Make it the last expression of a cell.

Slider specifications (the values of ``sliders``):

* ``(min, max, step, default)``, ``(min, max, step)`` or ``(min, max)``: a slider, of
  integers if all the numbers are integers, else of floats (default: the middle);
* ``log_slider(min, max, default)``: a slider over powers of ten, for learning rates;
* a list of strings: a drop-down menu; ``True`` / ``False``: a check box;
* any ipywidgets control, used as it is.
"""

from __future__ import annotations

import base64
import functools
import html
import math
import struct
import zlib
from collections.abc import Mapping

import ipywidgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from descent import optimizers, plotting
from descent.training import run

__all__ = ["Explorer", "explore", "log_slider", "trajectory_explorer"]

#: How the book's symbols appear next to a slider of that name.
SYMBOLS = {
    "lr": "η",
    "momentum": "μ",
    "rho": "ρ",
    "beta1": "β₁",
    "beta2": "β₂",
    "eps": "ε",
    "weight_decay": "λ",
    "alpha": "α",
    "h": "h",
    "x0": "start x",
    "y0": "start y",
    "steps": "steps",
}


class Explorer:
    """A figure redrawn by ``draw(ax, **values)`` whenever one of its sliders moves.

    Args:
        draw: called with a matplotlib ``Axes`` and one keyword argument per slider; it
            draws on ``ax`` (for several panels, use ``ax.figure``: remove ``ax`` and call
            ``ax.figure.subplots(...)``). Use the axes, never ``plt.*``.
        sliders: dict name -> slider specification (see the module docstring).
        background: optional ``background(ax)``, which draws once what never changes
            (contours, axes limits and labels). Then ``draw`` draws only what moves, on the
            same axes every time: what it drew before is removed first, and it is drawn
            over the kept pixels of the background (matplotlib's blitting), so that a
            change does not draw the contours and the axes again (only their spines, in
            their place among what moves). ``draw`` must then leave the limits, scales and
            labels of the axes alone. A background may replace the
            axes by panels (``ax.remove()``, ``ax.figure.subplots(...)``): ``draw`` then gets
            the first panel, and all of them in ``ax.figure.axes``.
        figsize: the figure size in inches (default: the book's). At ``dpi`` 100 the
            default picture is 640 × 420 pixels; keep it under about 480 pixels high so that
            the explorer, sliders included, fits a laptop's screen.
        dpi: pixels per inch of the picture, which is shown at its own size.

    Attributes:
        controls: dict name -> ipywidgets control.
        ui: the ipywidgets box (controls above the picture) that Jupyter displays.
        values: the current value of every control.
        fig: the one matplotlib figure the explorer draws, again and again.
    """

    def __init__(self, draw, sliders: Mapping, *, background=None, figsize=None, dpi: int = 100):
        if not callable(draw):
            raise TypeError(f"draw must be a function draw(ax, **values), got {draw!r}")
        self.draw = draw
        self.background = background
        self.fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.fig)
        self._ax = None  # with a background: the axes, kept
        self._moving = []  # with a background: what the last call of draw added
        self._pixels = None  # with a background: its picture, once drawn
        self.controls = {name: _control(name, spec) for name, spec in sliders.items()}
        # Shown at its own size (a stretched picture is blurred), narrower on a small screen.
        self.image = ipywidgets.Image(
            format="png",
            layout=ipywidgets.Layout(align_self="flex-start", max_width="100%", height="auto"),
        )
        self.message = ipywidgets.HTML()
        controls = ipywidgets.HBox(
            list(self.controls.values()), layout=ipywidgets.Layout(flex_flow="row wrap")
        )
        self.ui = ipywidgets.VBox([controls, self.image, self.message])
        for control in self.controls.values():
            control.observe(self._redraw, names="value")
        self._redraw()

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def figure(self, **values) -> Figure:
        """The explorer's figure drawn for the current values, ``values`` overriding some."""
        values = {**self.values, **values}
        if self.background is None:  # everything, from scratch
            self.fig.clear()
            self.draw(self.fig.add_subplot(), **values)
            return self.fig
        if self._ax is None:
            self._ax = self.fig.add_subplot()
            self.background(self._ax)  # it may replace the axes by several panels:
            if self._ax not in self.fig.axes:  # then draw gets the first one
                self._ax = self.fig.axes[0]
            for ax in self.fig.axes:
                ax.set_autoscale_on(False)  # what moves must not move the axes
                for spine in ax.spines.values():  # drawn with what moves, in zorder:
                    spine.set_animated(True)  # a region drawn under them leaves them whole
        while self._moving:
            self._moving.pop().remove()
        before = {artist for ax in self.fig.axes for artist in ax.get_children()}
        self.draw(self._ax, **values)
        for ax in self.fig.axes:
            self._moving += [artist for artist in ax.get_children() if artist not in before]
            for artist in [ax.title, ax._left_title, ax._right_title, *self._moving]:
                artist.set_animated(True)  # drawn over the background's pixels, in png()
        return self.fig

    def png(self, **values) -> bytes:
        """The figure (see ``figure``) as PNG bytes: one drawing, a fast compression."""
        fig = self.figure(**values)
        canvas = fig.canvas
        if self.background is None or self._pixels is None:
            canvas.draw()  # all but the animated artists: with a background, that is it
            if self.background is not None:
                fig.set_layout_engine("none")  # keep the layout the background fits
                self._pixels = canvas.copy_from_bbox(fig.bbox)
        else:
            canvas.restore_region(self._pixels)
        for ax in fig.axes:
            moving = [artist for artist in ax.get_children() if artist.get_animated()]
            for artist in sorted(moving, key=lambda artist: artist.get_zorder()):
                fig.draw_artist(artist)
        picture = Image.fromarray(np.asarray(canvas.buffer_rgba()))  # RGBA, not copied
        # the resolution goes into the file, so that a static page knows how large to show
        # the picture for its text to stay readable (book/_ext/descent_site.py)
        return _png(np.asarray(_crop(picture.convert("RGB"))), fig.dpi)

    def _redraw(self, change=None) -> None:
        # An error in draw is shown under the picture: a callback's exception would
        # otherwise vanish into the kernel's log.
        try:
            self.image.value = self.png()
            self.message.value = ""
        except Exception as error:
            self.message.value = (
                f"<pre style='color:#D55E00'>{html.escape(type(error).__name__)}: "
                f"{html.escape(str(error))}</pre>"
            )

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The widget view for Jupyter, and the current picture (PNG) for static pages."""
        bundle = dict(self.ui._repr_mimebundle_(**kwargs) or {})
        if self.image.value:
            bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        names = ", ".join(self.controls)
        bundle["text/plain"] = (
            f"Explorer({names}): open this notebook in Jupyter or Binder to move the sliders"
        )
        return bundle

    def __repr__(self) -> str:
        return f"Explorer({', '.join(f'{k}={v!r}' for k, v in self.values.items())})"


def _crop(picture: Image.Image, margin: int = 6) -> Image.Image:
    """The picture without its white border (but ``margin`` pixels), as ``bbox="tight"``.

    Ink is a pixel with a channel below 250. Pillow finds its box in compiled code, which
    is several times faster than numpy for the 600 000 pixels of a wide explorer.
    """
    box = picture.point(_INK).getbbox()  # the ink in white (255), the rest black (0)
    if box is None:
        return picture
    left, top, right, bottom = box
    return picture.crop(
        (
            max(left - margin, 0),
            max(top - margin, 0),
            min(right + margin, picture.width),
            min(bottom + margin, picture.height),
        )
    )


#: ``Image.point``'s lookup table for ``_crop``: 255 for a channel value below 250, else 0.
_INK = [255 if value < 250 else 0 for value in range(256)] * 3


def _png(pixels: np.ndarray, dpi: float) -> bytes:
    """An RGB picture, shape (height, width, 3) of uint8, as PNG bytes with its resolution.

    What Pillow's ``save(format="png", compress_level=1, dpi=(dpi, dpi))`` writes, in
    about half its time: the same pixels, unfiltered rows compressed at zlib's fastest
    level, which for a figure's flat colours is about as small as Pillow's file.
    """
    height, width, _ = pixels.shape
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 0] = 0  # each row: its filter, 0 (none), then its pixels' RGB values
    rows[:, 1:] = pixels.reshape(height, 3 * width)
    per_metre = int(dpi / 0.0254 + 0.5)  # pHYs counts pixels per metre, as Pillow rounds it
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            _png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _png_chunk(b"IDAT", zlib.compress(rows, 1)),
            _png_chunk(b"IEND", b""),
        ]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and the CRC of type and data."""
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def explore(draw, background=None, **sliders) -> Explorer:
    """An ``Explorer`` of ``draw(ax, **values)`` with one slider per keyword.

    ``background(ax)``, if given, draws once what never changes (see ``Explorer``).

    >>> def draw(ax, lr):
    ...     plotting.plot_trajectories(functions.bowl, [run(SGD(lr=lr), functions.bowl)], ax=ax)
    >>> explore(draw, lr=(0.05, 1.0, 0.05, 0.3))  # doctest: +SKIP
    """
    return Explorer(draw, sliders, background=background)


def trajectory_explorer(
    function, make_optimizer, sliders: Mapping, start=None, steps: int = 50, *, title=None
) -> Explorer:
    """Sliders for hyperparameters, and the path ``run(make_optimizer(**values), function)``.

    Args:
        function: a test function from ``descent.functions`` (2-D or 1-D).
        make_optimizer: called with the slider values, returns an optimizer (an optimizer
            class itself works: ``make_optimizer=Momentum``), or a dict label -> optimizer
            or a list of optimizers to compare several paths.
        sliders: dict name -> specification. The names ``x0`` and ``y0`` (start point) and
            ``steps`` are used by the explorer itself; all others go to ``make_optimizer``.
        start: the start point when there is no x0/y0 slider; default ``function.start``.
        steps: the number of updates when there is no ``steps`` slider.
        title: default: the function's title and the slider values.
    """
    base_start = np.atleast_1d(
        np.array(function.start if start is None else start, dtype=float)
    ).copy()

    def background(ax):
        if getattr(function, "dim", 2) == 1:
            plotting.plot_1d(function, ax=ax)
        else:
            plotting.contour(function, ax=ax)

    @functools.lru_cache(maxsize=64)
    def remembered_run(kind, hyperparameters, fast, start, n, label):
        optimizer = kind(**dict(hyperparameters), fast=fast)
        # run's lean loop: the same path, bit for bit, in about half the time
        return run(optimizer, function, np.array(start), n, label=label, fast=True)

    def path(optimizer, start, n, label=None):
        """``run(optimizer, function, start, n)``, computed once for each optimizer of
        ``descent.optimizers`` that has not stepped yet: a slider that another path does
        not depend on (ρ of one optimizer of two) then redraws without running it again."""
        if type(optimizer) not in optimizers.ALL.values() or optimizer.t != 0:
            return run(optimizer, function, start, n, label=label)
        hyperparameters = tuple(sorted(optimizer.hyperparameters().items()))
        return remembered_run(
            type(optimizer), hyperparameters, optimizer.fast, tuple(start), n, label
        )

    def draw(ax, **values):
        point = base_start.copy()
        if "x0" in values:
            point[0] = values.pop("x0")
        if "y0" in values:
            point[1] = values.pop("y0")
        n = int(values.pop("steps", steps))
        made = make_optimizer(**values)
        if isinstance(made, Mapping):
            runs = {label: path(opt, point, n, label) for label, opt in made.items()}
        elif isinstance(made, (list, tuple)):
            runs = [path(opt, point, n) for opt in made]
        else:
            runs = [path(made, point, n)]
        heading = title
        if heading is None:
            heading = plotting.title_for(function)
            if values:
                heading += "\n" + ", ".join(
                    f"{SYMBOLS.get(k, k)} = {_text(v)}" for k, v in values.items()
                )
        plotting.draw_paths(function, runs, ax)
        ax.set_title(heading)

    return Explorer(draw, sliders, background=background)


# --------------------------------------------------------------------------- controls


def log_slider(low: float, high: float, value: float | None = None, step: float = 0.1, **kwargs):
    """A slider from ``low`` to ``high`` on a logarithmic scale (learning rates, ε, ...).

    ``step`` is in powers of ten: 0.1 gives ten positions per decade. The default value is
    the geometric middle √(low · high).
    """
    if not 0 < low < high:
        raise ValueError(f"a log slider needs 0 < low < high, got low={low!r}, high={high!r}")
    value = math.sqrt(low * high) if value is None else value
    options = dict(readout_format=".3g", continuous_update=False, **kwargs)
    return ipywidgets.FloatLogSlider(
        value=value, base=10, min=math.log10(low), max=math.log10(high), step=step, **options
    )


def _control(name: str, spec):
    """An ipywidgets control for one slider specification (see the module docstring)."""
    description = SYMBOLS.get(name, name)
    if isinstance(spec, ipywidgets.Widget):
        control = spec
        if not getattr(control, "description", ""):
            control.description = description
    elif isinstance(spec, bool):
        control = ipywidgets.Checkbox(value=spec, description=description)
    elif isinstance(spec, list) and spec and all(isinstance(s, str) for s in spec):
        control = ipywidgets.Dropdown(options=spec, value=spec[0], description=description)
    elif (
        isinstance(spec, (tuple, list)) and 2 <= len(spec) <= 4 and all(_is_number(s) for s in spec)
    ):
        control = _slider(description, *spec)
    else:
        raise TypeError(
            f"slider {name!r}: expected (min, max, step, default), a list of strings, a bool "
            f"or an ipywidgets control, got {spec!r}"
        )
    if control.has_trait("continuous_update"):
        control.continuous_update = False  # redraw when the slider is released
    if control.has_trait("style") and hasattr(control.style, "description_width"):
        control.style.description_width = "initial"  # room for "β₁ (beta1)"-like names
    return control


def _slider(description, low, high, step=None, value=None):
    if not low < high:
        raise ValueError(f"slider {description!r}: need min < max, got {low!r} and {high!r}")
    integers = all(
        isinstance(v, (int, np.integer)) for v in (low, high, step, value) if v is not None
    )
    if step is None:
        step = 1 if integers else (high - low) / 100
    if value is None:
        value = low + round((high - low) / 2 / step) * step
    if not low <= value <= high:
        raise ValueError(f"slider {description!r}: default {value!r} is outside [{low}, {high}]")
    if integers:
        return ipywidgets.IntSlider(
            value=value, min=low, max=high, step=step, description=description
        )
    return ipywidgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        readout_format=_readout_format(low, step),
    )


def _readout_format(low, step) -> str:
    """Enough decimals to tell every position of the slider apart: 0.9999 is not "1.00"."""
    decimals = max(_decimals(low), _decimals(step))
    return f".{decimals}f"


def _decimals(number) -> int:
    """Digits after the decimal point of a number written in the shortest way (at most 6)."""
    digits = f"{float(number):.6f}".rstrip("0").split(".")[1]
    return len(digits)


def _text(value) -> str:
    return f"{value:g}" if _is_number(value) else str(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
