"""Adadelta: RMSProp whose step has the units of θ."""

from __future__ import annotations

import numpy as np

from descent import _validation
from descent.optimizers.base import Optimizer


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012, "ADADELTA: an adaptive learning rate method").

    Rule, with s = u = 0 at the start (all operations per coordinate):

        s ← ρ s + (1 − ρ) g²
        Δ ← √(u + ε) / √(s + ε) · g
        u ← ρ u + (1 − ρ) Δ²
        θ ← θ − η Δ

    ε is inside both square roots, as in the paper and torch.optim.Adadelta: √(u + ε) is
    what makes the very first step nonzero (u = 0 then). Zeiler's rule has no η (η = 1).

    Args:
        lr: η > 0, a factor on Δ (default 1.0, as torch.optim.Adadelta).
        rho: decay rate ρ in [0, 1) of both running means (default 0.9, as torch).
        eps: ε > 0 (default 1e-6, as torch).
        fast: True for the same step without temporary arrays (default False; see
            ``descent.optimizers.fast``).
    """

    def __init__(self, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, fast=False):
        super().__init__(lr, fast)
        self.rho = _validation.in_unit_interval("rho", rho)
        self.eps = _validation.positive("eps", eps)

    def init_state(self, theta):
        return {"s": np.zeros_like(theta), "u": np.zeros_like(theta)}

    def step(self, theta, g, state):
        lr, rho, eps, s, u = self.lr, self.rho, self.eps, state["s"], state["u"]
        s[:] = rho * s + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(s + eps) * g
        u[:] = rho * u + (1 - rho) * delta**2
        theta -= lr * delta
