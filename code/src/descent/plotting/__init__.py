"""The book's figures: contours, trajectories, loss curves, gradient fields and animations.

Every figure in the book is drawn by this package, so they share one look:

* one style, set by ``use_style()`` when the package is imported;
* one colour, line style and marker per optimizer (``COLORS``, ``LINESTYLES``, ``MARKERS``;
  ``style_for("Adam (η=0.1)")`` looks them up from any label that starts with the class
  name), from the colour-blind-safe Okabe–Ito palette;
* the same window and contour levels for the same test function (``function.window``,
  ``function.levels``), so figures from different chapters can be compared by eye.

Each figure function draws on ``ax`` if given (so that figures can have several panels),
else on a new figure, and returns the axes. None of them calls ``plt.show()``.

One module per job; the names most chapters use are importable from ``descent.plotting``
itself (``plotting.contour(...)``)::

    descent.plotting.style        colours, line styles and markers per optimizer,
                                  matplotlib settings, titles and axis labels
    descent.plotting.landscapes   contour, gradient_field: a test function by itself
    descent.plotting.paths        plot_trajectories, plot_1d, draw_paths,
                                  animate_trajectories: optimizers' paths on it
    descent.plotting.curves       plot_losses: loss curves
    descent.plotting.comparisons  plot_sensitivity, plot_race, plot_loss_race
    descent.plotting.animation    html_player, animation_html: offline HTML players
    descent.plotting.graphs       computational graphs (descent.compgraph), drawn and
                                  animated
    descent.plotting.regions      decision regions of a classifier
    descent.plotting.notebook     png: a figure as Jupyter shows it, drawn once
                                  (importing the package makes Jupyter use it)
"""

from descent.plotting.animation import animation_html, html_player
from descent.plotting.comparisons import plot_loss_race, plot_race, plot_sensitivity
from descent.plotting.curves import plot_losses
from descent.plotting.landscapes import contour, gradient_field
from descent.plotting.notebook import show_figures_drawn_once
from descent.plotting.paths import animate_trajectories, draw_paths, plot_1d, plot_trajectories
from descent.plotting.style import (
    COLORS,
    LINESTYLES,
    MARKERS,
    OKABE_ITO,
    STYLE,
    color_for,
    style_for,
    styles_for,
    title_for,
    use_style,
)

__all__ = [
    "COLORS",
    "LINESTYLES",
    "MARKERS",
    "OKABE_ITO",
    "STYLE",
    "animate_trajectories",
    "animation_html",
    "color_for",
    "contour",
    "draw_paths",
    "gradient_field",
    "html_player",
    "plot_1d",
    "plot_loss_race",
    "plot_losses",
    "plot_race",
    "plot_sensitivity",
    "plot_trajectories",
    "style_for",
    "styles_for",
    "title_for",
    "use_style",
]

show_figures_drawn_once()
