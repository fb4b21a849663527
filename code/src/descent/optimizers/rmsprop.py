"""RMSProp: AdaGrad with a leaky (exponentially weighted) memory of g²."""

from __future__ import annotations

import numpy as np

from descent import _validation
from descent.optimizers.base import Optimizer


class RMSProp(Optimizer):
    r"""RMSProp (Hinton, Srivastava & Swersky, 2012, "Neural networks for machine learning",
    lecture 6e).

    Rule, with s = 0 at the start (all operations per coordinate):

        s ← ρ s + (1 − ρ) g²
        θ ← θ − η g / (√s + ε)

    ε is added outside the square root, as torch.optim.RMSprop does. torch calls ρ ``alpha``.

    Args:
        lr: learning rate η > 0 (default 1e-2, as torch.optim.RMSprop).
        rho: decay rate ρ in [0, 1) of the mean of g² (default 0.99, as torch).
        eps: ε > 0 (default 1e-8, as torch).
        fast: True for the same step without temporary arrays (default False; see
            ``descent.optimizers.fast``).
    """

    def __init__(self, lr: float = 1e-2, rho: float = 0.99, eps: float = 1e-8, fast=False):
        super().__init__(lr, fast)
        self.rho = _validation.in_unit_interval("rho", rho)
        self.eps = _validation.positive("eps", eps)

    def init_state(self, theta):
        return {"s": np.zeros_like(theta)}

    def step(self, theta, g, state):
        lr, rho, eps, s = self.lr, self.rho, self.eps, state["s"]
        s[:] = rho * s + (1 - rho) * g**2
        theta -= lr * g / (np.sqrt(s) + eps)
