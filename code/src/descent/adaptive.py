r"""Measuring what adaptive methods do (Chapters 8 and 9).

AdaGrad and RMSProp give every coordinate its own learning rate, η / (√h + ε) or
η / (√s + ε), and that rate changes at every step. ``effective_lr`` makes it visible: the
learning rate each coordinate actually received at each step of a ``descent.training.run``,
measured as −Δθ / g (for any optimizer whose step is a per-coordinate multiple of the
current gradient). Mini-batch training of a least-squares problem with any optimizer is
``descent.training.fit`` of a ``descent.training.LeastSquares`` model.

numpy only.
"""

from __future__ import annotations

import numpy as np

__all__ = ["effective_lr"]


def effective_lr(trajectory, function) -> np.ndarray:
    r"""The learning rate each coordinate received at each step: −(θ_t − θ_{t−1}) / g_t.

    With g_t = ∇f(θ_{t−1}), the gradient the optimizer saw at step t. For SGD this is η at
    every step; for AdaGrad it is η / (√h_t + ε), for RMSProp η / (√s_t + ε), measured from
    the iterates without looking inside the optimizer. For methods with momentum the ratio
    mixes in earlier gradients and is not a learning rate.

    Args:
        trajectory: a ``descent.training.Trajectory`` (``points`` of shape (k+1, dim)).
        function: the test function it ran on (``function.grad``).

    Returns:
        shape (k, dim); NaN where a gradient entry is exactly 0 (no rate can be measured).
    """
    points = np.asarray(trajectory.points, dtype=float)
    if points.ndim != 2 or len(points) < 2:
        raise ValueError(
            f"the trajectory needs at least one step, got points of shape {points.shape}"
        )
    grads = np.asarray(function.grad(points[:-1].T), dtype=float).T  # g_t = ∇f(θ_{t−1})
    steps = np.diff(points, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(grads != 0, -steps / np.where(grads != 0, grads, 1.0), np.nan)
