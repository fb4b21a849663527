"""Stochastic gradient descent, the rule every other optimizer refines."""

from __future__ import annotations

from descent.optimizers.base import Optimizer


class SGD(Optimizer):
    r"""Plain (stochastic) gradient descent.

    Rule, for each parameter array θ with gradient g:

        θ ← θ − η g

    Args:
        lr: learning rate η > 0 (default 1e-3, as torch.optim.SGD).
        fast: True for the same step without temporary arrays (default False; see
            ``descent.optimizers.fast``).
    """

    def __init__(self, lr: float = 1e-3, fast: bool = False):
        super().__init__(lr, fast)

    def step(self, theta, g, state):
        theta -= self.lr * g
