r"""Stochastic and mini-batch gradient descent on a least-squares problem, and its theory.

A loss that is an average over N examples, f(θ) = (1/N) Σᵢ fᵢ(θ), has the gradient
∇f(θ) = (1/N) Σᵢ ∇fᵢ(θ). Mini-batch gradient descent replaces that average by the average
over a batch ℬ of B examples, g = (1/B) Σ_{i∈ℬ} ∇fᵢ(θ), and steps θ ← θ − η_t g. B = 1 is
stochastic gradient descent (SGD), B = N (without replacement) is full-batch gradient descent.

* ``sgd`` runs it on a ``descent.data.RegressionProblem`` (``descent.training.fit`` with
  plain SGD) and records the suboptimality f(θ_t) − f*, the examples processed and the
  wall-clock time; its step size may decay, as ``0.05 * schedules.InverseTime(t₀)`` does:
  η_t = η₀ / (1 + (t − 1)/t₀) satisfies the Robbins–Monro conditions Σ η_t = ∞, Σ η_t² < ∞;
  ``sgd(..., fast=True)`` computes the same run, bit for bit, without ``fit``'s per-step
  bookkeeping (several times faster: for chapter 4's explorer);
* ``gradient_covariance``, ``minibatch_variance``: how noisy a mini-batch gradient is;
* ``noise_floor``: the exact stationary E[f(θ) − f*] of constant-step SGD with batches drawn
  with replacement, ≈ η tr(Σ) / (4B) for small η, and ``max_stable_lr``, the largest step
  for which it is finite;
* ``weight_plane``: a two-weight slice of a regression problem, and ``as_quadratic`` to draw
  it with ``descent.plotting``.

numpy only.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Callable

import numpy as np

from descent._validation import positive
from descent.data import RegressionProblem
from descent.optimizers import SGD
from descent.schedules import Scheduled
from descent.training import History, LeastSquares, _length, fit

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
    fast: bool = False,
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
        fast: True computes the same History with a loop of its own instead of ``fit``:
            the same batches and the same arithmetic, so the same iterates, losses and
            suboptimalities bit for bit (only the wall-clock ``time`` differs), several
            times faster. Only for a constant ``lr``.

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
    label = f"B = {batch_size}" if label is None else str(label)
    if fast:
        if callable(lr):
            raise ValueError("fast=True needs a constant lr; use fast=False for a schedule")
        return _sgd_fast(
            LeastSquares(problem, start, bound),
            problem,
            positive("lr", lr),
            batch_size,
            epochs,
            steps,
            seed,
            shuffle,
            replacement,
            keep_points,
            label,
        )
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
        label=label,
    )


def _sgd_fast(
    model, problem, lr, batch_size, epochs, steps, seed, shuffle, replacement, keep_points, label
) -> History:
    """``sgd``'s fast twin: ``fit``'s loop for a ``LeastSquares`` model and ``SGD(lr)``,
    with the same operations on the same numbers, in the same order, and nothing else.

    ``fit`` pays, at every update, for what any model and any optimizer need: the batch
    copied out of the data, the inputs checked, the parameter dict flattened. Here each
    epoch's batches are cut from one reordered copy of the data, and a step is its
    arithmetic: r = X_ℬθ − y_ℬ, g = X_ℬᵀr/|ℬ|, θ ← θ − ηg. The batches are those ``fit``
    draws (see ``_epoch_indices``). ``tests/test_stochastic.py`` checks the result against
    ``fit``'s, bit for bit.
    """
    epochs, total = _length(epochs, steps)
    X, y, n = problem.X, problem.y, problem.n
    per_epoch = max(1, n // batch_size) if replacement else math.ceil(n / batch_size)
    if total is None:
        total = epochs * per_epoch
    indices = _epoch_indices(n, batch_size, per_epoch, total, seed, shuffle, replacement)
    optimum, bound2 = model.optimum, model.bound**2
    theta = model.params["w"].copy()
    points, losses, times, sizes = [theta], [], [], []
    elapsed, t, diverged_at = 0.0, 0, None
    with np.errstate(all="ignore"):
        while t < total and diverged_at is None:
            rows = next(indices)
            if replacement:
                batches = ((X.take(r, axis=0), y.take(r)) for r in rows)
            else:  # rows: the order of the examples in this epoch
                x_epoch, y_epoch = X.take(rows, axis=0), y.take(rows)
                batches = (
                    (x_epoch[i : i + batch_size], y_epoch[i : i + batch_size])
                    for i in range(0, n, batch_size)
                )
            for x, target in batches:
                t += 1
                tic = time.perf_counter()
                residual = x.dot(theta) - target
                loss = 0.5 * float(residual.dot(residual)) / len(target)
                g = x.T.dot(residual) / len(target)
                if not (math.isfinite(loss) and all(map(math.isfinite, g.tolist()))):
                    diverged_at = t
                    break
                step = theta - lr * g
                elapsed += time.perf_counter() - tic
                e = step - optimum
                if not float(e.dot(e)) <= bound2:
                    diverged_at = t
                    break
                theta = step
                points.append(theta)
                losses.append(loss)
                times.append(elapsed)
                sizes.append(len(target))
                if t == total:
                    break
        points = np.array(points)
        suboptimality = model.suboptimality(points)
    return History(
        loss=np.array(losses, dtype=float),
        time=np.array(times, dtype=float),
        lr=np.full(len(losses), lr),
        examples=np.concatenate([[0], np.cumsum(sizes, dtype=int)]),
        final=theta.copy(),
        n=n,
        batch_size=batch_size,
        points=points if keep_points else None,
        suboptimality=suboptimality,
        diverged_at=diverged_at,
        label=label,
    )


#: The most row indices that ``_drawn_epochs`` keeps for one run (8 MB).
_KEPT_INDICES = 1 << 20


def _epoch_indices(n, batch_size, per_epoch, total, seed, shuffle, replacement):
    """The row indices of each epoch of a run, as ``fit`` draws them, one epoch at a time:
    the order of the N examples (without replacement), or the rows of the epoch's batches.

    They depend on the seed alone, not on η: for an integer seed they are drawn once and
    kept (up to ``_KEPT_INDICES`` per run), so that runs that differ only in η, as chapter
    4's explorer makes, do not draw them again. Any other seed (a generator, whose state
    after the run must be the one ``fit`` leaves) draws them epoch by epoch, as ``fit``.
    """
    epochs = math.ceil(total / per_epoch)
    size = epochs * (per_epoch * batch_size if replacement else n)
    integer = isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)
    if integer and size <= _KEPT_INDICES:
        drawn = _drawn_epochs(n, batch_size, per_epoch, epochs, int(seed), shuffle, replacement)
        return iter(drawn)
    return _draw_epochs(np.random.default_rng(seed), n, batch_size, per_epoch, shuffle, replacement)


def _draw_epochs(rng, n, batch_size, per_epoch, shuffle, replacement):
    while True:  # one call per epoch, as training._batches makes
        if replacement:
            yield rng.integers(0, n, size=(per_epoch, batch_size))
        else:
            yield rng.permutation(n) if shuffle else np.arange(n)


@functools.lru_cache(maxsize=24)
def _drawn_epochs(n, batch_size, per_epoch, epochs, seed, shuffle, replacement) -> np.ndarray:
    """The first ``epochs`` of ``_draw_epochs`` for ``default_rng(seed)``, in one read-only
    array. With replacement in one call, which gives the same numbers as one per epoch."""
    rng = np.random.default_rng(seed)
    if replacement:
        drawn = rng.integers(0, n, size=(epochs, per_epoch, batch_size))
    else:
        epoch_orders = _draw_epochs(rng, n, batch_size, per_epoch, shuffle, replacement)
        drawn = np.array(list(itertools.islice(epoch_orders, epochs))).reshape(epochs, n)
    drawn.setflags(write=False)
    return drawn


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
