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
    """

    def __init__(self, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6):
        super().__init__(lr)
        self.rho = _validation.in_unit_interval("rho", rho)
        self.eps = _validation.positive("eps", eps)

    def init_state(self, theta):
        return {"s": np.zeros_like(theta), "u": np.zeros_like(theta)}

    def step(self, theta, g, state):
        s, u, (delta, tmp) = state["s"], state["u"], self.scratch(theta, 2)
        s *= self.rho  # s ← ρ s + (1 − ρ) g²
        s += np.multiply(1 - self.rho, np.square(g, out=tmp), out=tmp)
        np.sqrt(np.add(u, self.eps, out=delta), out=delta)  # Δ ← √(u+ε) / √(s+ε) · g
        delta /= np.sqrt(np.add(s, self.eps, out=tmp), out=tmp)
        delta *= g
        u *= self.rho  # u ← ρ u + (1 − ρ) Δ²
        u += np.multiply(1 - self.rho, np.square(delta, out=tmp), out=tmp)
        theta -= np.multiply(self.lr, delta, out=delta)  # θ ← θ − η Δ
