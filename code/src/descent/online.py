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
optimizer of ``descent.optimizers``. It is the book's one training loop,
``descent.training.fit``, with one example per step: the slopes C, −1, −1 are the examples,
visited in this order, and the model ``LinearOnInterval`` projects x back onto [a, b] after
every update (for one coordinate, the projection weighted by √v̂ that the paper uses is
plain clipping). Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from descent.schedules import Scheduled
from descent.training import History, fit

__all__ = ["LinearOnInterval", "reddi_gradient", "run_online"]


def reddi_gradient(t: int, C: float = 3.0) -> float:
    """The gradient of Reddi et al.'s loss fₜ at step t ≥ 1: C if t mod 3 = 1, else −1."""
    return float(C) if t % 3 == 1 else -1.0


class LinearOnInterval:
    """Linear losses f(x) = g x of one parameter x ∈ [a, b], as a model for ``fit``.

    An example is a slope g (the targets are ignored); a batch's loss is the mean slope
    times x, its gradient the mean slope. ``project()``, which ``fit`` calls after every
    update, clips x back onto [a, b]: projected online gradient descent.

    Args:
        x0: the start, inside ``bounds``. bounds: the interval (a, b), a < b.
    """

    def __init__(self, x0: float = 0.0, bounds=(-1.0, 1.0)):
        self.low, self.high = (float(b) for b in bounds)
        if not self.low < self.high or not self.low <= x0 <= self.high:
            raise ValueError(f"need a < b and x0 in [a, b], got bounds={bounds!r}, x0={x0!r}")
        self.params = {"x": np.array([float(x0)])}

    def loss_and_gradient(self, slopes, targets=None):
        g = np.mean(slopes)
        return g * self.params["x"][0], {"x": np.array([g])}

    def loss(self, slopes, targets=None) -> float:
        return float(np.mean(slopes) * self.params["x"][0])

    def project(self) -> None:
        np.clip(self.params["x"], self.low, self.high, out=self.params["x"])


def run_online(
    optimizer,
    steps: int,
    *,
    C: float = 3.0,
    x0: float = 0.0,
    bounds=(-1.0, 1.0),
    decay: bool = True,
    label: str | None = None,
) -> History:
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

    Returns:
        a ``descent.training.History``: ``points[:, 0]`` the points x₀, x₁, ..., x_T (x_t
        after the t-th update), ``loss`` the loss fₜ(xₜ₋₁) of each step (the point played
        before fₜ was revealed) and ``regret`` the average regret R_t / t, t = 1..T.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    model = LinearOnInterval(x0, bounds)
    slopes = np.array([reddi_gradient(t, C) for t in (1, 2, 3)])  # one period
    if label is None:
        name = type(optimizer).__name__
        label = "AMSGrad" if getattr(optimizer, "amsgrad", False) else name
    base_lr, done = optimizer.lr, optimizer.t
    trainer = optimizer
    if decay:  # η_t = 1 · η/√t: the optimizer's lr is 1 while the schedule gives η/√t
        optimizer.lr = 1.0
        trainer = Scheduled(optimizer, lambda t: base_lr / np.sqrt(t - done))
    try:
        history = fit(
            model,
            trainer,
            (slopes, np.zeros(3), None, None),
            steps=steps,
            batch_size=1,
            shuffle=False,
            keep_points=True,
            progress=False,
            label=label,
        )
    finally:
        optimizer.lr = base_lr
    g = np.array([reddi_gradient(t, C) for t in range(1, steps + 1)])
    total = np.cumsum(g)  # Σ gₖ: the losses are linear, fₖ(x) = gₖ x
    best = np.minimum(total * model.low, total * model.high)  # best fixed point in hindsight
    history.regret = (np.cumsum(history.loss) - best) / np.arange(1, steps + 1)
    return history
