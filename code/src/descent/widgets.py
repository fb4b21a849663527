"""Interactive explorers: sliders that redraw a figure, with a picture for the static book.

An ``Explorer`` is a figure plus the sliders that control it. In Jupyter or Binder the
sliders are live: moving one redraws the figure (on release, to stay responsive). The
book's static pages cannot run Python, so an explorer also carries a PNG of its figure;
the book is configured to show that picture instead of dead controls.

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
import html
import io
import math
from collections.abc import Mapping

import ipywidgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from descent import plotting
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
        draw: called with a fresh matplotlib ``Axes`` and one keyword argument per slider;
            it draws on ``ax`` (for several panels, use ``ax.figure``: remove ``ax`` and
            call ``ax.figure.subplots(...)``). Use the axes, never ``plt.*``.
        sliders: dict name -> slider specification (see the module docstring).
        figsize: the figure size in inches (default: the book's).
        dpi: resolution of the picture.

    Attributes:
        controls: dict name -> ipywidgets control.
        ui: the ipywidgets box (controls above the picture) that Jupyter displays.
        values: the current value of every control.
    """

    def __init__(self, draw, sliders: Mapping, *, figsize=None, dpi: int = 100):
        if not callable(draw):
            raise TypeError(f"draw must be a function draw(ax, **values), got {draw!r}")
        self.draw = draw
        self.figsize = figsize
        self.dpi = dpi
        self.controls = {name: _control(name, spec) for name, spec in sliders.items()}
        self.image = ipywidgets.Image(format="png")
        self.message = ipywidgets.HTML()
        self.ui = ipywidgets.VBox(
            [ipywidgets.VBox(list(self.controls.values())), self.image, self.message]
        )
        for control in self.controls.values():
            control.observe(self._redraw, names="value")
        self._redraw()

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def figure(self, **values) -> Figure:
        """The figure for the current values, with ``values`` overriding some of them."""
        fig = Figure(figsize=self.figsize, dpi=self.dpi)
        FigureCanvasAgg(fig)
        self.draw(fig.add_subplot(), **{**self.values, **values})
        return fig

    def png(self, **values) -> bytes:
        """The figure (see ``figure``) as PNG bytes."""
        buffer = io.BytesIO()
        self.figure(**values).savefig(buffer, format="png", dpi=self.dpi)
        return buffer.getvalue()

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


def explore(draw, **sliders) -> Explorer:
    """An ``Explorer`` of ``draw(ax, **values)`` with one slider per keyword.

    >>> def draw(ax, lr):
    ...     plotting.plot_trajectories(functions.bowl, [run(SGD(lr=lr), functions.bowl)], ax=ax)
    >>> explore(draw, lr=(0.05, 1.0, 0.05, 0.3))  # doctest: +SKIP
    """
    return Explorer(draw, sliders)


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

    def draw(ax, **values):
        point = base_start.copy()
        if "x0" in values:
            point[0] = values.pop("x0")
        if "y0" in values:
            point[1] = values.pop("y0")
        n = int(values.pop("steps", steps))
        made = make_optimizer(**values)
        if isinstance(made, Mapping):
            runs = {label: run(opt, function, point, n, label=label) for label, opt in made.items()}
        elif isinstance(made, (list, tuple)):
            runs = [run(opt, function, point, n) for opt in made]
        else:
            runs = [run(made, function, point, n)]
        heading = title
        if heading is None:
            heading = plotting.title_for(function)
            if values:
                heading += "\n" + ", ".join(
                    f"{SYMBOLS.get(k, k)} = {_text(v)}" for k, v in values.items()
                )
        plotting.plot_trajectories(function, runs, ax=ax, title=heading)

    return Explorer(draw, sliders)


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
        value=value, min=low, max=high, step=step, description=description, readout_format=".3g"
    )


def _text(value) -> str:
    return f"{value:g}" if _is_number(value) else str(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
