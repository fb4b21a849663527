"""AdaGrad: a learning rate per coordinate, shrinking with the gradients seen so far."""

from __future__ import annotations

import numpy as np

from descent import _validation
from descent.optimizers.base import Optimizer


class AdaGrad(Optimizer):
    r"""AdaGrad (Duchi, Hazan & Singer, 2011, "Adaptive subgradient methods for online
    learning and stochastic optimization").

    Rule, with h = 0 at the start (all operations per coordinate):

        h ← h + g²
        θ ← θ − η g / (√h + ε)

    h only grows, so with a constant g the step shrinks like 1/√t. ε is added outside the
    square root, as torch.optim.Adagrad does: it only guards against dividing by √h = 0.

    Args:
        lr: learning rate η > 0 (default 1e-2, as torch.optim.Adagrad).
        eps: ε > 0 (default 1e-10, as torch.optim.Adagrad).
        fast: True for the same step without temporary arrays (default False; see
            ``descent.optimizers.fast``).
    """

    def __init__(self, lr: float = 1e-2, eps: float = 1e-10, fast: bool = False):
        super().__init__(lr, fast)
        self.eps = _validation.positive("eps", eps)

    def init_state(self, theta):
        return {"h": np.zeros_like(theta)}

    def step(self, theta, g, state):
        lr, eps, h = self.lr, self.eps, state["h"]
        h += g**2
        theta -= lr * g / (np.sqrt(h) + eps)
