"""The book's look: one colour per optimizer, the matplotlib settings, labels and legends.

* ``use_style()`` applies the book's matplotlib settings (``STYLE``); importing
  ``descent.plotting`` calls it.
* One colour, line style and marker per optimizer (``COLORS``, ``LINESTYLES``, ``MARKERS``;
  ``style_for("Adam (η=0.1)")`` looks them up from any label that starts with the class
  name), from the colour-blind-safe Okabe–Ito palette.
* The book's notation in titles and axis labels (``title_for``): a test function's name and
  formula, its axes in the variables of its formula.
"""

from __future__ import annotations

import re
import zlib

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "COLORS",
    "LINESTYLES",
    "MARKERS",
    "OKABE_ITO",
    "STYLE",
    "color_for",
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

MINIMUM_MARKER = dict(
    linestyle="none",
    marker="*",
    markersize=15,
    markerfacecolor=OKABE_ITO["yellow"],
    markeredgecolor="black",
    markeredgewidth=0.9,
    zorder=6,
)
SADDLE_MARKER = dict(
    linestyle="none",
    marker="X",
    markersize=9,
    markerfacecolor="white",
    markeredgecolor="black",
    markeredgewidth=1.0,
    zorder=6,
)
START_MARKER = dict(
    linestyle="none",
    marker="o",
    markersize=8,
    markerfacecolor="white",
    markeredgecolor="black",
    markeredgewidth=1.5,
    zorder=5,
)


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


# --------------------------------------------------------------------------- labels and legends


def title_for(function) -> str:
    """The default title of a test function's figures: its name and, if short, its formula."""
    name = pretty_name(function)
    formula = getattr(function, "formula", "")
    if formula and len(formula) <= 48 and _mathtext_ok(formula):
        return f"{name}: ${formula}$"
    return name


def pretty_name(function) -> str:
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


def axis_labels(function) -> tuple[str, str]:
    """Axis labels in the variables of the function's own formula."""
    formula = getattr(function, "formula", "")
    if "x_1" in formula or "x_2" in formula:
        return "$x_1$", "$x_2$"
    if r"\theta" in formula:
        return r"$\theta_1$", r"$\theta_2$"
    if getattr(function, "dim", 2) == 1:
        return "$x$", "$f(x)$"
    return "$x$", "$y$"


def label_axes(ax, function, title=None) -> None:
    """Axis labels in the function's variables, the title (default ``title_for``), a legend."""
    xlabel, ylabel = axis_labels(function)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title_for(function) if title is None else title)
    add_legend(ax)


def axes_or_new(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def display_label(label: str, diverged_at: int | None) -> str:
    return label if diverged_at is None else f"{label} (diverged at step {diverged_at})"


def markevery(n: int, most: int = 40) -> int:
    return max(1, int(np.ceil(n / most)))


_MARKER_LABELS = ("start", "minimum", "minima", "saddle point", "saddle points")


def add_legend(ax) -> None:
    """A legend when there is more than one labelled artist; trajectories first."""
    handles, labels = ax.get_legend_handles_labels()
    if len(handles) < 2:
        return
    order = sorted(range(len(labels)), key=lambda i: labels[i] in _MARKER_LABELS)
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="best")
