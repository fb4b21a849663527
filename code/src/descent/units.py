r"""The same test problem measured in other units: rescaled losses and parameters.

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

Only numpy is imported here.
"""

from __future__ import annotations

import numpy as np

from descent import _validation
from descent.functions import TestFunction

__all__ = ["Rescaled", "rescaled"]


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


def rescaled(function, loss: float = 1.0, params: float = 1.0) -> Rescaled:
    """``function`` in other units: F(φ) = loss · f(params · φ), see ``Rescaled``.

    >>> from descent import functions
    >>> F = rescaled(functions.bowl, loss=4.0, params=10.0)
    >>> F.minima[0], F.start
    (array([0., 0.]), array([-0.7,  0.2]))
    >>> float(F(F.start)) == 4.0 * float(functions.bowl(functions.bowl.start))
    True
    """
    return Rescaled(function, loss=loss, params=params)
