"""Loss curves: the training loss of several runs against steps, epochs or seconds."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from descent.plotting.style import add_legend, axes_or_new, display_label, markevery, styles_for

__all__ = ["plot_losses"]

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
    ax = axes_or_new(ax)
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
            markevery=markevery(len(xs), 8),
        )
        if smooth and smooth > 1 and x != "epoch" and len(ys) >= smooth:
            ax.plot(xs, ys, color=style["color"], alpha=0.25, linewidth=0.8)
            ys = np.convolve(ys, np.ones(smooth) / smooth, mode="valid")
            xs = xs[smooth - 1 :]
            kwargs["markevery"] = markevery(len(xs), 8)
        ax.plot(xs, ys, label=display_label(str(label), diverged_at), **kwargs)
    if log:
        ax.set_yscale("log")
    what = metric.replace("_", " ").replace("acc", "accuracy") if x == "epoch" else "loss"
    ylabel = what if x == "epoch" else "mini-batch training loss"
    ax.set_xlabel(_X_LABELS[x])
    ax.set_ylabel(ylabel)
    ax.set_title(
        ("Training loss" if x != "epoch" else what.capitalize()) if title is None else title
    )
    add_legend(ax)
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
