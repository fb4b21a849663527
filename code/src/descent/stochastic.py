r"""Stochastic and mini-batch gradient descent on a least-squares problem, and its theory.

A loss that is an average over N examples, f(θ) = (1/N) Σᵢ fᵢ(θ), has the gradient
∇f(θ) = (1/N) Σᵢ ∇fᵢ(θ). Mini-batch gradient descent replaces that average by the average
over a batch ℬ of B examples, g = (1/B) Σ_{i∈ℬ} ∇fᵢ(θ), and steps θ ← θ − η_t g. B = 1 is
stochastic gradient descent (SGD), B = N (without replacement) is full-batch gradient descent.

* ``sgd`` runs it on a ``descent.data.RegressionProblem`` (``descent.training.fit`` with
  plain SGD) and records the suboptimality f(θ_t) − f*, the examples processed and the
  wall-clock time; its step size may decay, as ``0.05 * schedules.InverseTime(t₀)`` does:
  η_t = η₀ / (1 + (t − 1)/t₀) satisfies the Robbins–Monro conditions Σ η_t = ∞, Σ η_t² < ∞;
* ``gradient_covariance``, ``minibatch_variance``: how noisy a mini-batch gradient is;
* ``noise_floor``: the exact stationary E[f(θ) − f*] of constant-step SGD with batches drawn
  with replacement, ≈ η tr(Σ) / (4B) for small η, and ``max_stable_lr``, the largest step
  for which it is finite;
* ``weight_plane``: a two-weight slice of a regression problem, and ``as_quadratic`` to draw
  it with ``descent.plotting``.

numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from descent._validation import positive
from descent.data import RegressionProblem
from descent.optimizers import SGD
from descent.schedules import Scheduled
from descent.training import History, LeastSquares, fit

__all__ = [
    "as_quadratic",
    "gradient_covariance",
    "max_stable_lr",
    "minibatch_variance",
    "noise_floor",
    "sgd",
    "weight_plane",
]


# --------------------------------------------------------------------------- runs


def sgd(
    problem: RegressionProblem,
    *,
    lr: float | Callable,
    batch_size: int,
    epochs: int | None = None,
    steps: int | None = None,
    seed=0,
    replacement: bool = False,
    shuffle: bool = True,
    start=None,
    keep_points: bool = False,
    label: str | None = None,
    bound: float = 1e6,
) -> History:
    """Mini-batch gradient descent θ ← θ − η_t g on a least-squares problem.

    Chapter 4's name for ``descent.training.fit`` of a ``LeastSquares`` model with plain
    ``SGD``: every update takes a batch ℬ of ``batch_size`` row indices, computes
    g = X_ℬᵀ(X_ℬ θ − y_ℬ)/|ℬ| and steps. Without replacement the batches of an epoch are
    those of ``descent.data.minibatches`` (so every example is used once per epoch, and a
    hand loop over ``minibatches`` with the same seed takes the same steps); with
    replacement the max(1, N // B) batches of an epoch are drawn at once, uniformly.
    ``batch_size`` ≥ N without replacement is full-batch gradient descent.

    Args:
        problem: a ``descent.data.RegressionProblem`` (X, y, w_star, hessian()).
        lr: η > 0, or a function t ↦ η_t, t = 1, 2, ..., such as
            ``0.05 * descent.schedules.InverseTime(t₀)``.
        batch_size: B ≥ 1.
        epochs, steps: how long to run; give exactly one. ``epochs`` runs whole epochs
            (⌈N/B⌉ updates each without replacement, max(1, N // B) with replacement);
            ``steps`` stops after that many updates, wherever in an epoch.
        seed: seeds the batches (a ``np.random.Generator`` is used as it is).
        replacement: draw every batch uniformly with replacement.
        shuffle: without replacement, a fresh random order every epoch (True) or the order
            0..N−1 every epoch (False).
        start: θ₀, shape (d,); default zeros. Not modified.
        keep_points: also record every iterate (for drawing paths).
        label: default "B = <batch_size>".
        bound: the run stops, with ``diverged=True``, at the first update whose iterate is
            not finite or has ‖θ − θ*‖ > bound; that iterate is not recorded. No warnings.

    Returns:
        a ``descent.training.History``: ``suboptimality`` f(θ_t) − f*, ``examples``,
        ``passes`` and ``updates`` per iterate; ``time`` and ``lr`` per update.
    """
    if not isinstance(problem, RegressionProblem):
        raise TypeError(
            f"problem must be a descent.data.RegressionProblem, got {type(problem).__name__}"
        )
    batch_size = _check_batch_size(batch_size)
    if (epochs is None) == (steps is None):
        raise ValueError("give exactly one of epochs and steps")
    # η_t = 1 · (η_t from the function): the same number, so the same steps
    optimizer = Scheduled(SGD(lr=1.0), lr) if callable(lr) else SGD(lr=lr)
    return fit(
        LeastSquares(problem, start, bound),
        optimizer,
        problem,
        epochs=epochs,
        steps=steps,
        batch_size=batch_size,
        seed=seed,
        shuffle=shuffle,
        replacement=replacement,
        keep_points=keep_points,
        evaluate=False,
        progress=False,
        label=f"B = {batch_size}" if label is None else str(label),
    )


# --------------------------------------------------------------------------- gradient noise


def _per_example_gradients(problem: RegressionProblem, w=None) -> np.ndarray:
    """(N, d): ∇fᵢ(w) = xᵢ (xᵢᵀw − yᵢ) for every example; default w = w*."""
    w = problem.w_star if w is None else np.asarray(w, dtype=float)
    return problem.X * (problem.X @ w - problem.y)[:, np.newaxis]


def gradient_covariance(problem: RegressionProblem, w=None) -> np.ndarray:
    """Σ = (1/N) Σᵢ (∇fᵢ(w) − ∇f(w))(∇fᵢ(w) − ∇f(w))ᵀ, the covariance of the gradient of one
    example drawn uniformly at random, shape (d, d); default w = w* (where ∇f = 0)."""
    G = _per_example_gradients(problem, w)
    G = G - G.mean(axis=0)
    return G.T @ G / problem.n


def minibatch_variance(
    problem: RegressionProblem, batch_size: int, replacement: bool = False, w=None
) -> float:
    """E‖g − ∇f(w)‖² for the mean gradient g of a uniformly random batch of B examples.

    With replacement the B gradients are independent: tr(Σ) / B. Without replacement
    (a random subset) the finite-population correction applies: tr(Σ) / B · (N − B)/(N − 1),
    which is 0 for B = N.
    """
    n = problem.n
    batch_size = _check_batch_size(batch_size)
    if not replacement and batch_size > n:
        raise ValueError(
            f"batch_size must be in 1..{n} without replacement (>= 1 with), got {batch_size!r}"
        )
    variance = float(np.trace(gradient_covariance(problem, w))) / batch_size
    if not replacement:
        variance *= (n - batch_size) / (n - 1) if n > 1 else 0.0
    return variance


def _check_batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    return int(batch_size)


def _second_moment_terms(problem: RegressionProblem, batch_size: int):
    """L = H ⊗ I + I ⊗ H and Q = (1/B) E[Aᵢ ⊗ Aᵢ] + (1 − 1/B) H ⊗ H, both (d², d²).

    With a row-major vec, vec(HP + PH) = L vec(P) and vec(E[A_ℬ P A_ℬ]) = Q vec(P) for
    batches ℬ of B examples drawn with replacement (Aᵢ = xᵢxᵢᵀ).
    """
    X, d = problem.X, problem.dim
    H, eye = problem.hessian(), np.eye(d)
    outer = (X[:, :, np.newaxis] * X[:, np.newaxis, :]).reshape(problem.n, d * d)  # xᵢ ⊗ xᵢ
    fourth = outer.T @ outer / problem.n  # E[Aᵢ ⊗ Aᵢ]: entries (1/N) Σᵢ x_ia x_ic x_ib x_id
    L = np.kron(H, eye) + np.kron(eye, H)
    Q = fourth / batch_size + (1 - 1 / batch_size) * np.kron(H, H)
    return L, Q


def max_stable_lr(problem: RegressionProblem, batch_size: int) -> float:
    """The largest constant step η for which SGD's second moment E[eeᵀ] stays bounded
    (batches of B examples drawn with replacement, least squares).

    One update maps P = E[eeᵀ] to P − η(HP + PH) + η² E[A_ℬ P A_ℬ] + (noise), i.e.
    vec(P) ↦ (I − ηL + η²Q) vec(P) + ..., which settles if and only if η Q ≺ L: the bound is
    η < 1 / λ_max(L⁻¹Q). For B → ∞ this is 2/λ_max(H), the bound of full-batch gradient
    descent; a single example (B = 1) allows a smaller step.
    """
    L, Q = _second_moment_terms(problem, _check_batch_size(batch_size))
    C = np.linalg.cholesky(L)
    Ci = np.linalg.inv(C)
    largest = np.linalg.eigvalsh(Ci @ Q @ Ci.T)[-1]
    return float(1.0 / largest)


def noise_floor(problem: RegressionProblem, lr: float, batch_size: int) -> float:
    """The stationary mean E[f(θ) − f*] of SGD with a constant step η and batches of B
    examples drawn with replacement, on least squares; ``inf`` if η ≥ ``max_stable_lr``.

    With e = θ − θ*, Aᵢ = xᵢxᵢᵀ and ξᵢ = xᵢ(xᵢᵀθ* − yᵢ), one update is
    e ← (I − η A_ℬ) e − η ξ_ℬ. In the stationary state E[e] = 0 and P = E[e eᵀ] solves

        HP + PH − η [ (1/B) E[Aᵢ P Aᵢ] + (1 − 1/B) H P H ] = (η / B) Σ,

    a linear system of d² unknowns; the result is ½ tr(H P). For small η it is
    η tr(Σ) / (4B): proportional to the step size and inversely proportional to B.
    """
    lr = positive("lr", lr)
    batch_size = _check_batch_size(batch_size)
    if lr >= max_stable_lr(problem, batch_size):
        return math.inf
    L, Q = _second_moment_terms(problem, batch_size)
    d = problem.dim
    Sigma = gradient_covariance(problem)
    P = np.linalg.solve(L - lr * Q, lr * Sigma.reshape(-1) / batch_size).reshape(d, d)
    return 0.5 * float(np.trace(problem.hessian() @ P))


# --------------------------------------------------------------------------- a 2-D slice


def weight_plane(problem: RegressionProblem, i: int, j: int, name: str | None = None):
    """The two-weight problem in which only weights i and j vary and the others stay at w*.

    Its design matrix is the columns i and j of X, its targets y − X_rest w*_rest, so its
    optimum is (w*_i, w*_j) and its loss at (wᵢ, wⱼ) equals the full loss at w* with
    weights i and j replaced: a 2-D slice through the optimum of the d-dimensional loss.
    """
    d = problem.dim
    if not (0 <= i < d and 0 <= j < d and i != j):
        raise ValueError(f"i and j must be two different weights in 0..{d - 1}, got {i}, {j}")
    rest = [k for k in range(d) if k not in (i, j)]
    X2 = problem.X[:, [i, j]]
    y2 = problem.y - problem.X[:, rest] @ problem.w_star[rest]
    return RegressionProblem(X2, y2, name=name or f"{problem.name} (w{i}, w{j})")


def as_quadratic(problem: RegressionProblem, **kwargs):
    """The loss of a 2-weight problem as a ``descent.functions`` test function, to draw.

    f(w) = ½ wᵀHw − bᵀw + c with H = XᵀX/N and b = Xᵀy/N; the returned quadratic omits the
    constant c = ½ mean(y²), so it has the same minimizer w* and the same contours, and
    ``f_min`` is f* − c. Keywords (name, formula, window, levels, start) go to
    ``descent.functions.quadratic``.
    """
    from descent.functions import quadratic

    H = problem.hessian()
    b = problem.X.T @ problem.y / problem.n
    kwargs.setdefault("name", problem.name)
    return quadratic(H, b, **kwargs)
