"""COCOB-Backprop: training without a learning rate, by betting on the gradient's sign."""

from __future__ import annotations

import numpy as np

from descent import _validation
from descent.optimizers.base import Optimizer


class COCOB(Optimizer):
    r"""COCOB-Backprop (Orabona & Tommasi, 2017, "Training deep networks without learning
    rates through coin betting", Algorithm 2). There is no learning rate: ``lr`` is None.

    g is the gradient ∇f(θ), as in every optimizer here; the paper bets on the negative
    gradient −g (its sum is the paper's θₜ = −S) and calls the parameters w. With θ₁ the
    parameters at the first update and G = R = S = 0, L = ε at the start, per coordinate:

        L ← max(L, |g|)                            (largest |g| seen)
        G ← G + |g|                                (sum of |g|)
        R ← max(R − (θ − θ₁) g, 0)                 (reward: what the bets have won)
        S ← S + g                                  (sum of the gradients)
        θ ← θ₁ − S (L + R) / (L · max(G + L, α L))

    The paper starts from L = 0: 0/0 in a coordinate whose gradients have all been 0. Like
    the authors' code we start from a tiny L = ε, which changes nothing once some |g| ≥ ε
    has been seen (then L = max |g|, as in the paper).

    Args: alpha: α > 0, keeps the first steps small (default 100, as the paper);
    eps: ε > 0, the starting value of L (default 1e-8, as the authors' code);
    fast: True for the same step without temporary arrays (default False; see
    ``descent.optimizers.fast``).
    """

    has_lr = False

    def __init__(self, alpha: float = 100.0, eps: float = 1e-8, fast: bool = False):
        super().__init__(fast=fast)
        self.alpha = _validation.positive("alpha", alpha)
        self.eps = _validation.positive("eps", eps)

    def init_state(self, theta):
        zeros = {name: np.zeros_like(theta) for name in ("G", "R", "S")}
        return {"L": np.full_like(theta, self.eps), **zeros, "theta1": theta.copy()}

    def step(self, theta, g, state):
        alpha = self.alpha
        L, G, R, S, theta1 = (state[k] for k in ("L", "G", "R", "S", "theta1"))
        L[:] = np.maximum(L, np.abs(g))
        G += np.abs(g)
        R[:] = np.maximum(R - (theta - theta1) * g, 0.0)
        S += g
        theta[:] = theta1 - S * (L + R) / (L * np.maximum(G + L, alpha * L))
