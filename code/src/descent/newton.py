"""Newton's method on the test functions: the step that uses the curvature, for contrast.

Gradient descent steps by −η g and needs a learning rate matched to the curvature. Newton's
method reads the curvature from the Hessian H = ∇²f(θ) and steps to the stationary point of
the local quadratic model f(θ) + gᵀd + ½ dᵀH d:

    θ ← θ − η H⁻¹ g        (η = 1: the pure Newton step)

On a quadratic with positive definite H one pure step lands on the minimum, whatever the
condition number κ. Near a minimum with positive definite H it converges *quadratically*:
‖θ_{t+1} − θ*‖ ≤ C ‖θ_t − θ*‖², so the number of correct digits roughly doubles at every
step (Nocedal & Wright 2006, Theorem 3.5). It is attracted to *any* stationary point,
though: a saddle or a maximum as readily as a minimum, because the step solves ∇(model) = 0.

``newton`` returns the same ``Trajectory`` as ``descent.training.run``, so that its path can
be drawn and compared with the optimizers'. numpy only.
"""

from __future__ import annotations

import numpy as np

from descent import _validation
from descent.training import Trajectory, iterate

__all__ = ["newton", "newton_step"]


def newton_step(function, theta) -> np.ndarray:
    """The Newton step d = −H⁻¹ ∇f(θ) at one point θ, shape (dim,).

    Solves H d = −g with ``np.linalg.solve``: it never forms H⁻¹, which
    would cost more and lose accuracy. Raises ``numpy.linalg.LinAlgError``
    if H is singular. (Lines kept short: Chapter 3 prints this function.)
    """
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    n = theta.size
    g = np.asarray(function.grad(theta), dtype=float).reshape(n)
    H = np.asarray(function.hessian(theta), dtype=float).reshape(n, n)
    return -np.linalg.solve(H, g)


def newton(
    function, start=None, steps: int = 10, *, lr: float = 1.0, bound: float = 1e6, label=None
) -> Trajectory:
    """Run Newton's method θ ← θ + η d, d = −H⁻¹∇f(θ), on a test function.

    Args:
        function: a test function with ``grad`` and ``hessian`` (``descent.functions``).
        start: the starting point, shape (dim,); default ``function.start``. Not modified.
        steps: the number of Newton steps k ≥ 0.
        lr: the step fraction η > 0; 1 is the pure Newton step, η < 1 is "damped" Newton.
        bound: the run counts as diverged once ‖θ‖ > bound.
        label: the legend label; default "Newton", or "Newton (η=0.5)" for η ≠ 1.

    Returns:
        a ``Trajectory`` with ``points`` (k+1, dim) and ``values`` (k+1,). The run stops
        early with ``diverged=True`` (and ``diverged_at`` the failed step t) when the
        Hessian is singular, or the new point or its value is not finite or leaves the
        bound, exactly like ``run``. It does not stop at the minimum: once there, the steps
        are zero or at the level of round-off.
    """
    lr = _validation.positive("lr", lr)
    if label is None:
        label = "Newton" if lr == 1.0 else f"Newton (η={lr:g})"

    def advance(theta):
        try:
            return theta + lr * newton_step(function, theta)
        except np.linalg.LinAlgError:  # a singular Hessian: no Newton step exists
            return None

    return iterate(advance, function, start, steps, bound=bound, label=label)
