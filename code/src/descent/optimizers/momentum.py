"""Momentum (the heavy ball) and Nesterov's accelerated gradient."""

from __future__ import annotations

import numpy as np

from descent import _validation
from descent.optimizers.base import Optimizer


class Momentum(Optimizer):
    r"""Gradient descent with heavy-ball momentum (Polyak, 1964, "Some methods of speeding
    up the convergence of iteration methods").

    Rule, with the velocity v = 0 at the start:

        v ← μ v − η g
        θ ← θ + v

    With a constant η this gives the same iterates as torch.optim.SGD's form
    b ← μ b + g ; θ ← θ − η b, because v = −η b. Neither form damps g by (1 − μ): the damped
    form m ← μ m + (1 − μ) g ; θ ← θ − η' m takes the same steps when η = (1 − μ) η'.

    Args:
        lr: learning rate η > 0 (default 1e-3, as torch.optim.SGD).
        momentum: μ in [0, 1) (default 0.9, the usual value; torch's default is 0 only
            because momentum is optional in its SGD).
        fast: True for the same step without temporary arrays (default False; see
            ``descent.optimizers.fast``).
    """

    def __init__(self, lr: float = 1e-3, momentum: float = 0.9, fast: bool = False):
        super().__init__(lr, fast)
        self.momentum = _validation.in_unit_interval("momentum", momentum)

    def init_state(self, theta):
        return {"v": np.zeros_like(theta)}

    def step(self, theta, g, state):
        lr, mu, v = self.lr, self.momentum, state["v"]
        v[:] = mu * v - lr * g
        theta += v


class Nesterov(Optimizer):
    r"""Nesterov's accelerated gradient (Nesterov, 1983; in deep learning: Sutskever, Martens,
    Dahl & Hinton, 2013, "On the importance of initialization and momentum in deep learning").

    Rule, with b = 0 at the start (torch.optim.SGD with nesterov=True):

        b ← μ b + g
        θ ← θ − η (g + μ b)        (with the new b)

    This is the look-ahead form v ← μ v − η ∇f(θ' + μ v) ; θ' ← θ' + v, written for the
    look-ahead point θ = θ' + μ v with v = −η b: the gradient is always taken at the
    stored parameters, so no extra gradient evaluation is needed.

    Args:
        lr: learning rate η > 0 (default 1e-3, as torch.optim.SGD).
        momentum: μ in [0, 1) (default 0.9, the usual value; torch's default is 0 only
            because momentum is optional in its SGD).
        fast: True for the same step without temporary arrays (default False; see
            ``descent.optimizers.fast``).
    """

    def __init__(self, lr: float = 1e-3, momentum: float = 0.9, fast: bool = False):
        super().__init__(lr, fast)
        self.momentum = _validation.in_unit_interval("momentum", momentum)

    def init_state(self, theta):
        return {"b": np.zeros_like(theta)}

    def step(self, theta, g, state):
        lr, mu, b = self.lr, self.momentum, state["b"]
        b[:] = mu * b + g
        theta -= lr * (g + mu * b)
