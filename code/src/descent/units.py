r"""The same problem measured in other units: rescaled losses and parameters.

Changing units changes the numbers an optimizer sees, not the problem. If the loss is
measured in units a times smaller (a sum over a mini-batch of a examples instead of the
mean, bits instead of nats, ...) it is multiplied by a; if the parameters are measured in
units b times larger (a weight per kilometre instead of per metre) their values are divided
by b. ``rescaled(f, loss=a, params=b)`` is the problem

    F(φ) = a · f(b φ),    with φ = θ / b,

whose gradient and Hessian are ∇F(φ) = a b ∇f(bφ) and ∇²F(φ) = a b² ∇²f(bφ). An optimizer
whose hyperparameters carry no units produces the same iterates on F as on f, expressed
in the new units: φ_t = θ_t / b (``F.to_original(points)`` converts back). Chapter 10 uses
this to test which optimizers are invariant, and to what degree.

The problem is a test function (``Rescaled``) or a model such as ``descent.nn.MLP``
(``RescaledModel``, the loss only: a sum over a mini-batch of B examples instead of the
mean is ``rescaled(model, loss=B)``); ``rescaled`` picks the right one.

Only numpy is imported here.
"""

from __future__ import annotations

import numpy as np

from descent import _validation
from descent.functions import TestFunction

__all__ = ["Rescaled", "RescaledModel", "rescaled"]


class Rescaled(TestFunction):
    r"""F(φ) = a · f(b φ): the test function ``function`` with its loss multiplied by
    a = ``loss`` and its parameters divided by b = ``params`` (φ = θ / b).

    Everything a chapter needs moves with the units: the minima and saddle points are
    θ* / b, ``f_min`` is a f*, the window and the start are divided by b and the contour
    levels multiplied by a, so that ``plotting.contour(F)`` draws the same picture as
    ``contour(f)`` with other numbers on its axes.

    Attributes:
        original: the function f that was rescaled.
        loss_scale: a.  param_scale: b.
    """

    def __init__(self, function, loss: float = 1.0, params: float = 1.0):
        a = _validation.positive("loss", loss)
        b = _validation.positive("params", params)
        self.original, self.loss_scale, self.param_scale = function, a, b
        window = (np.asarray(function.window, dtype=float) / b).tolist()
        levels = getattr(function, "levels", None)
        super().__init__(
            name=f"{function.name} (loss × {a:g}, θ / {b:g})",
            formula=rf"F(\varphi) = {a:g}\, f({b:g}\,\varphi)",
            dim=function.dim,
            minima=[np.asarray(m) / b for m in function.minima],
            f_min=None if function.f_min is None else a * function.f_min,
            window=tuple(tuple(w) if isinstance(w, list) else w for w in window),
            start=np.asarray(function.start) / b,
            levels=None if levels is None else a * np.asarray(levels),
            saddle_points=[np.asarray(p) / b for p in getattr(function, "saddle_points", [])],
        )

    def __call__(self, x):
        x = self._coords(x)
        return self.loss_scale * self.original(self.param_scale * x)

    def grad(self, x):
        x = self._coords(x)
        a, b = self.loss_scale, self.param_scale
        return a * b * np.asarray(self.original.grad(b * x))

    def hessian(self, x):
        x = self._coords(x)
        a, b = self.loss_scale, self.param_scale
        return a * b**2 * np.asarray(self.original.hessian(b * x))

    def to_original(self, points) -> np.ndarray:
        """Points φ in the new units as points θ = b φ of the original problem."""
        return self.param_scale * np.asarray(points, dtype=float)

    def from_original(self, points) -> np.ndarray:
        """Points θ of the original problem in the new units, φ = θ / b."""
        return np.asarray(points, dtype=float) / self.param_scale


class RescaledModel:
    """A model whose loss, and so its gradients, are multiplied by a = ``loss``: the same
    training problem in other units, F(θ) = a · L(θ).

    It shares ``params`` with the wrapped model, so training it trains the model.
    ``loss`` is a times the model's loss; ``accuracy`` is unchanged.

    Attributes:
        original: the model that was rescaled.
        loss_scale: a.
    """

    def __init__(self, model, loss: float = 1.0):
        self.original = model
        self.loss_scale = _validation.positive("loss", loss)

    @property
    def params(self) -> dict:
        return self.original.params

    def loss(self, x, t) -> float:
        return self.loss_scale * self.original.loss(x, t)

    def accuracy(self, x, t) -> float:
        return self.original.accuracy(x, t)

    def loss_and_gradient(self, x, t):
        if hasattr(self.original, "loss_and_gradient"):
            loss, grads = self.original.loss_and_gradient(x, t)
        else:
            loss, grads = self.original.loss(x, t), self.original.gradient(x, t)
        a = self.loss_scale
        return a * loss, {k: a * g for k, g in grads.items()}

    def gradient(self, x, t) -> dict:
        return self.loss_and_gradient(x, t)[1]

    def __repr__(self) -> str:
        return f"RescaledModel({self.original!r}, loss={self.loss_scale:g})"


def rescaled(problem, loss: float = 1.0, params: float = 1.0) -> Rescaled | RescaledModel:
    """``problem`` in other units: F(φ) = loss · f(params · φ).

    A test function gives a ``Rescaled``; a model (it has ``params`` and ``loss(x, t)``)
    gives a ``RescaledModel``, which shares the model's parameters and so rescales the
    loss only (``params`` must then be 1).

    >>> from descent import functions
    >>> F = rescaled(functions.bowl, loss=4.0, params=10.0)
    >>> F.minima[0], F.start
    (array([0., 0.]), array([-0.7,  0.2]))
    >>> float(F(F.start)) == 4.0 * float(functions.bowl(functions.bowl.start))
    True
    """
    if isinstance(problem, TestFunction):
        return Rescaled(problem, loss=loss, params=params)
    if not (hasattr(problem, "params") and hasattr(problem, "loss")):
        raise TypeError(
            "problem must be a test function of descent.functions or a model with params "
            f"and loss(x, t), got {type(problem).__name__}"
        )
    if params != 1:
        raise ValueError(
            "a model shares its parameters with the rescaled model, so only its loss can "
            f"be rescaled: use params=1, got params={params!r}"
        )
    return RescaledModel(problem, loss=loss)
