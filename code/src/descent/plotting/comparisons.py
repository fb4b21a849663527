"""Figures of a fair comparison of optimizers (``descent.comparison``).

``plot_sensitivity`` draws the final loss against the learning rate η of every run of the
grid; ``plot_race`` and ``plot_loss_race`` draw the best run of each optimizer, one panel
per family of optimizers (``comparison.FAMILIES``), so that a dozen paths stay readable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from descent.comparison import FAMILIES, Comparison
from descent.plotting.curves import plot_losses
from descent.plotting.paths import plot_trajectories
from descent.plotting.style import style_for

__all__ = ["plot_loss_race", "plot_race", "plot_sensitivity"]


def plot_sensitivity(comparison: Comparison, ax=None, title=None, *, ceiling=None):
    """Final loss against η for every optimizer of a comparison, log-log, in the book's
    colours. Diverged runs are drawn as "×" at ``ceiling`` (default: twice the largest
    finite loss); an optimizer without η is a horizontal line; the best η of each is
    circled."""
    ax = ax or plt.gca()
    finite = [v for s in comparison.values() for v in s.losses if math.isfinite(v)]
    ceiling = ceiling or 2 * max(finite, default=1.0)
    for name, s in comparison.items():
        style = style_for(name)
        if not s.has_lr:
            ax.axhline(s.best_loss, color=style["color"], ls=":", lw=1.5, label=f"{name} (no η)")
            continue
        ok = ~s.diverged
        ax.plot(s.lrs[ok], s.losses[ok], label=name, markersize=4, **style)
        if s.diverged.any():
            ax.plot(s.lrs[~ok], np.full((~ok).sum(), ceiling), "x", color=style["color"])
        if s.best_index is not None:
            ax.plot(s.best_lr, s.best_loss, "o", ms=10, mfc="none", color=style["color"])
    ax.set(xscale="log", yscale="log", xlabel="learning rate η", ylabel="final loss")
    ax.set_title("Final loss against η" if title is None else title)
    return ax


def _best_runs(runs) -> dict:
    """name → run: a Comparison's best runs, or a dict name → run as it is."""
    if not isinstance(runs, Comparison):
        return dict(runs)
    failed = [n for n, s in runs.items() if s.best_run is None]
    if failed:
        raise ValueError(f"every run of {failed} diverged: there is no best run to draw")
    return {name: s.best_run for name, s in runs.items()}


def _panels(families, names, axes, height=3.6, **kwargs):
    groups = {
        title: present
        for title, members in families.items()
        if (present := [n for n in members if n in names])
    }
    if axes is None:
        _, axes = plt.subplots(1, len(groups), figsize=(3.8 * len(groups), height), **kwargs)
    return groups, np.ravel(axes)


def plot_race(function, runs, families: Mapping = FAMILIES, axes=None):
    """The trajectories of several optimizers on a 2-D test function, one panel per family
    of ``families`` (title → optimizer names), so that a dozen paths stay readable.

    Args:
        function: a test function of ``descent.functions``.
        runs: a ``Comparison`` (its best runs are drawn) or a dict name → ``Trajectory``.
        axes: one axes per family present (default: a new figure of one row).

    Returns the axes.
    """
    runs = _best_runs(runs)
    (x0, x1), (y0, y1) = function.window
    # the contours are drawn with equal axes: a wide window gets a lower figure
    height = float(np.clip(3.6 * (y1 - y0) / (x1 - x0) + 0.9, 2.7, 4.0))
    groups, axes = _panels(families, runs, axes, height=height)
    for ax, (title, names) in zip(axes, groups.items(), strict=True):
        paths = {runs[n].label or n: runs[n] for n in names}
        plot_trajectories(function, paths, ax=ax, title=title)
        # the legend goes below the panel, where it hides no path
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(
            handles,
            labels,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            ncol=2,
            fontsize=8,
            frameon=False,
        )
    return axes


def plot_loss_race(histories, families: Mapping = FAMILIES, axes=None, *, metric="train_loss"):
    """Loss (or accuracy) curves per epoch of several optimizers, one panel per family,
    sharing the y axis so that the panels can be compared.

    Args:
        histories: a ``Comparison`` (its best runs) or a dict name → ``History``.
        metric: "train_loss", "test_loss", "train_acc" or "test_acc" (log scale for losses).

    Returns the axes.
    """
    histories = _best_runs(histories)
    groups, axes = _panels(families, histories, axes, height=3.4, sharey=True)
    for ax, (title, names) in zip(axes, groups.items(), strict=True):
        curves = {histories[n].label or n: histories[n] for n in names}
        log = metric.endswith("loss")
        plot_losses(curves, x="epoch", log=log, ax=ax, title=title, metric=metric)
    for ax in axes[1:]:
        ax.set_ylabel("")
    return axes
