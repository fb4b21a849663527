"""Stochastic gradient descent, the rule every other optimizer refines."""

from __future__ import annotations

import numpy as np

from descent.optimizers.base import Optimizer


class SGD(Optimizer):
    r"""Plain (stochastic) gradient descent.

    Rule, for each parameter array θ with gradient g:

        θ ← θ − η g

    Args:
        lr: learning rate η > 0 (default 1e-3, as torch.optim.SGD).
    """

    def __init__(self, lr: float = 1e-3):
        super().__init__(lr)

    def step(self, theta, g, state):
        tmp = self.scratch(theta)
        theta -= np.multiply(self.lr, g, out=tmp)  # θ ← θ − η g
