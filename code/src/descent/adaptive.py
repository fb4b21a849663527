r"""Measuring what adaptive methods do (Chapters 8 and 9).

AdaGrad and RMSProp give every coordinate its own learning rate, η / (√h + ε) or
η / (√s + ε), and that rate changes at every step. Two tools make it visible:

* ``effective_lr``   the learning rate each coordinate actually received at each step of a
                     ``descent.training.run``, measured as −Δθ / g (for any optimizer whose
                     step is a per-coordinate multiple of the current gradient);
* ``minibatch_run``  mini-batch training of a ``descent.data.RegressionProblem`` with any
                     optimizer of ``descent.optimizers``, recording f(θ_t) − f* at every
                     step (``descent.stochastic.sgd`` does the same for plain SGD only).

numpy only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from descent.data import RegressionProblem, minibatches
from descent.training import label_for

__all__ = ["MinibatchRun", "effective_lr", "minibatch_run"]


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


@dataclass(repr=False)
class MinibatchRun:
    """What ``minibatch_run`` recorded.

    Attributes:
        suboptimality: (k+1,) f(θ_t) − f* for t = 0..k, computed as ½ (θ_t − θ*)ᵀH(θ_t − θ*),
            which equals it for least squares and keeps its digits when it is tiny.
        weights: (d,) the last accepted iterate θ_k.
        batch_size, label: as given.
        diverged_at: the update t whose iterate was not finite or left the bound (the run
            stopped there and ``weights`` is θ_{t−1}), else None.
    """

    suboptimality: np.ndarray
    weights: np.ndarray
    batch_size: int
    label: str = ""
    diverged_at: int | None = None

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def steps(self) -> int:
        """The number of accepted updates k."""
        return len(self.suboptimality) - 1

    def tail_mean(self, k: int = 20) -> float:
        """The mean of f(θ_t) − f* over the last ``k`` recorded iterates (inf if diverged)."""
        if self.diverged:
            return math.inf
        return float(np.mean(self.suboptimality[-k:]))

    def __repr__(self) -> str:
        text = (
            f"MinibatchRun({self.label!r}: B={self.batch_size}, {self.steps} updates, "
            f"final f − f* = {self.suboptimality[-1]:.3g}"
        )
        if self.diverged:
            text += f", diverged at update {self.diverged_at}"
        return text + ")"


def minibatch_run(
    problem: RegressionProblem,
    optimizer,
    *,
    batch_size: int,
    epochs: int,
    seed: int = 0,
    start=None,
    bound: float = 1e6,
    label: str | None = None,
) -> MinibatchRun:
    """Mini-batch training of a least-squares problem with any optimizer.

    Every epoch visits the examples once, in batches drawn by ``descent.data.minibatches``
    from ``np.random.default_rng(seed)``; each step computes the batch gradient
    g = X_ℬᵀ(X_ℬ θ − y_ℬ)/|ℬ| and calls ``optimizer.update({"w": θ}, {"w": g})``. The same
    seed gives the same batches for every optimizer, so runs can be compared step by step.

    The run stops, with ``diverged_at`` set and no warnings, at the first update whose
    gradient or iterate is not finite or whose iterate is farther than ``bound`` from θ*.

    Args:
        problem: a ``descent.data.RegressionProblem``.
        optimizer: an optimizer of ``descent.optimizers`` (its state is updated).
        batch_size: B ≥ 1. epochs: the number of passes over the data (≥ 1).
        seed: seeds the batches. start: θ₀, shape (d,); default zeros. Not modified.
        bound: see above. label: default ``label_for(optimizer)``.
    """
    if not isinstance(problem, RegressionProblem):
        raise TypeError(
            f"problem must be a descent.data.RegressionProblem, got {type(problem).__name__}"
        )
    for name, value in (("batch_size", batch_size), ("epochs", epochs)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    w = np.zeros(problem.dim) if start is None else np.array(start, dtype=float)
    if w.shape != (problem.dim,):
        raise ValueError(f"start must have shape ({problem.dim},), got {np.shape(start)}")
    H, w_star = problem.hessian(), problem.w_star

    def gap(w):
        e = w - w_star
        return 0.5 * float(e @ H @ e)

    rng = np.random.default_rng(seed)
    params, subopt, diverged_at, t = {"w": w}, [gap(w)], None, 0
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            for idx in minibatches(problem.n, batch_size, rng):
                t += 1
                g = problem.grad(w, idx)
                if not np.all(np.isfinite(g)):
                    diverged_at = t
                    break
                before = w.copy()
                optimizer.update(params, {"w": g})
                value = gap(w)
                if not (math.isfinite(value) and np.linalg.norm(w - w_star) <= bound):
                    w[:] = before  # keep the last accepted iterate
                    diverged_at = t
                    break
                subopt.append(value)
            if diverged_at is not None:
                break
    return MinibatchRun(
        suboptimality=np.array(subopt),
        weights=w.copy(),
        batch_size=int(batch_size),
        label=label_for(optimizer) if label is None else str(label),
        diverged_at=diverged_at,
    )
