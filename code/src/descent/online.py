r"""Online convex optimization on an interval, and the problem on which Adam fails.

In *online* optimization the loss changes at every step: at step t the learner picks
xₜ ∈ [a, b], then sees fₜ and its gradient, and is judged by its *regret*

    R_T = Σₜ fₜ(xₜ) − min over x of Σₜ fₜ(x),

the excess loss over the best fixed point in hindsight. A method converges in this sense
when the average regret R_T / T tends to 0.

Reddi, Kale & Kumar (2018, "On the convergence of Adam and beyond", Theorem 1) give a
problem on [−1, 1] with linear losses, for C > 2,

    fₜ(x) = C x   if t mod 3 = 1,        fₜ(x) = −x   otherwise,

whose sum over a period of three steps is (C − 2) x: the best fixed point is x = −1. With
β₁ = 0, β₂ = 1/(1 + C²) and step sizes η/√t, Adam drifts to x = +1, the worst point, and its
average regret tends to 2(C − 2)/3; AMSGrad goes to −1. ``run_online`` reproduces it with any
optimizer of ``descent.optimizers``: each step is the optimizer's update followed by the
projection onto [a, b] (for one coordinate, the projection weighted by √v̂ that the paper
uses is plain clipping). Only numpy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["OnlineRun", "reddi_gradient", "run_online"]


def reddi_gradient(t: int, C: float = 3.0) -> float:
    """The gradient of Reddi et al.'s loss fₜ at step t ≥ 1: C if t mod 3 = 1, else −1."""
    return float(C) if t % 3 == 1 else -1.0


@dataclass(repr=False)
class OnlineRun:
    """An online run on Reddi et al.'s problem.

    Attributes:
        x: shape (T+1,), the points x₀, x₁, ..., x_T (x_t after the t-th update).
        regret: shape (T,), the average regret R_t / t after t steps, t = 1..T, where the
            loss of step t is fₜ(xₜ₋₁) (the point played before fₜ was revealed).
        C: the constant of the problem. label: a legend label.
    """

    x: np.ndarray
    regret: np.ndarray
    C: float
    label: str = ""

    def __repr__(self) -> str:
        return (
            f"OnlineRun({self.label!r}, steps={len(self.regret)}, final x={self.x[-1]:.4f}, "
            f"average regret={self.regret[-1]:.4f})"
        )


def run_online(
    optimizer,
    steps: int,
    *,
    C: float = 3.0,
    x0: float = 0.0,
    bounds=(-1.0, 1.0),
    decay: bool = True,
    label: str | None = None,
) -> OnlineRun:
    """Run ``optimizer`` on Reddi et al.'s online problem for ``steps`` steps.

    Step t: g = ``reddi_gradient(t, C)``; the learning rate is ``lr / √t`` if ``decay``
    (as in the paper's theorem), else the optimizer's own; ``optimizer.update`` on the
    parameter {"x": [x]}; then x is clipped to ``bounds``. The optimizer's ``lr`` is
    restored at the end.

    Args:
        optimizer: e.g. ``Adam(lr=0.5, beta1=0.0, beta2=0.1)`` or the same with amsgrad=True.
        steps: T ≥ 1. C: the constant (> 2 for the problem to mean anything).
        x0: the start, inside ``bounds``. bounds: the interval (a, b), a < b.
        decay: use the step sizes η/√t.
        label: legend label; default "AMSGrad" for Adam(amsgrad=True), else the class name.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    low, high = (float(b) for b in bounds)
    if not low < high or not low <= x0 <= high:
        raise ValueError(f"need a < b and x0 in [a, b], got bounds={bounds!r}, x0={x0!r}")
    params = {"x": np.array([float(x0)])}
    xs = np.empty(steps + 1)
    xs[0] = x0
    losses = np.empty(steps)
    best = np.empty(steps)
    total = 0.0  # Σ gₖ: the losses are linear, fₖ(x) = gₖ x
    base_lr = optimizer.lr
    try:
        for t in range(1, steps + 1):
            g = reddi_gradient(t, C)
            losses[t - 1] = g * params["x"][0]
            total += g
            best[t - 1] = min(total * low, total * high)  # best fixed point in hindsight
            if decay:
                optimizer.lr = base_lr / np.sqrt(t)
            optimizer.update(params, {"x": np.array([g])})
            np.clip(params["x"], low, high, out=params["x"])
            xs[t] = params["x"][0]
    finally:
        optimizer.lr = base_lr
    regret = (np.cumsum(losses) - best) / np.arange(1, steps + 1)
    if label is None:
        name = type(optimizer).__name__
        label = "AMSGrad" if getattr(optimizer, "amsgrad", False) else name
    return OnlineRun(x=xs, regret=regret, C=float(C), label=label)
