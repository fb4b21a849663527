"""Gradient descent on a quadratic (Chapter 3): its rate, stability limit and best step.

Gradient descent, θ ← θ − η g, on f(θ) = ½ (θ − θ*)ᵀA(θ − θ*). The error e = θ − θ* obeys
e_t = (I − ηA) e_{t−1}, so in the eigenbasis of A each coordinate is multiplied by 1 − ηλ
at every step, for its own eigenvalue λ:

    e_t = (1 − ηλ)^t e_0     (one eigen-direction)

It converges from every start iff |1 − ηλᵢ| < 1 for all i, i.e. 0 < ηλᵢ < 2; the slowest
direction sets the rate max |1 − ηλᵢ|, which is smallest when the two extreme directions
shrink equally fast: 1 − ηλₙ = −(1 − ηλ₁). numpy only.
"""

from __future__ import annotations

import numpy as np

from descent.theory._quadratic import check_interval

__all__ = ["converges", "factors", "max_lr", "optimal", "rate"]


def _eigenvalues(eigenvalues) -> np.ndarray:
    """The eigenvalues as a non-empty 1-D float array (a number, a sequence, or an object with
    an ``eigenvalues`` attribute such as ``functions.bowl``)."""
    lams = np.atleast_1d(np.asarray(getattr(eigenvalues, "eigenvalues", eigenvalues), float))
    if lams.ndim != 1 or lams.size == 0 or not np.all(np.isfinite(lams)):
        raise ValueError(
            f"eigenvalues must be a finite number or a non-empty 1-D array, got {eigenvalues!r}"
        )
    return lams


def factors(lr, eigenvalues):
    """1 − ηλᵢ: what one step of gradient descent multiplies the error along eigenvector i by.

    ``lr`` may be an array (a grid of learning rates); the result then has shape
    ``np.shape(lr) + (n,)`` for n eigenvalues. A factor in (0, 1) shrinks the error
    monotonically, one in (−1, 0) shrinks it while flipping its sign at every step (a
    zig-zag), and |factor| ≥ 1 does not shrink it at all.
    """
    lams = _eigenvalues(eigenvalues)
    return 1.0 - np.asarray(lr, dtype=float)[..., np.newaxis] * lams


def rate(lr, eigenvalues):
    """The rate of gradient descent on a quadratic: max over i of |1 − ηλᵢ|.

    ‖θ_t − θ*‖ shrinks like rate^t (for a start with a component along the slowest
    direction); the run converges from every start iff rate < 1. ``lr`` broadcasts (a float
    for a scalar ``lr``). μ = 0 in ``theory.momentum.rate`` gives the same numbers.
    """
    largest = np.max(np.abs(factors(lr, eigenvalues)), axis=-1)
    return largest[()] if largest.ndim == 0 else largest


def converges(lr, eigenvalues):
    """True where gradient descent converges from every start: 0 < ηλᵢ < 2 for every i.

    With all λᵢ > 0 this is 0 < η < 2/λ₁. A λᵢ ≤ 0 (a saddle, a maximum, a flat direction)
    never gives convergence from every start. Broadcasts over ``lr``.
    """
    eta_lam = np.asarray(lr, dtype=float)[..., np.newaxis] * _eigenvalues(eigenvalues)
    ok = np.all((eta_lam > 0) & (eta_lam < 2.0), axis=-1)
    return ok[()] if ok.ndim == 0 else ok


def max_lr(eigenvalues) -> float:
    """The stability limit 2/λ₁: gradient descent converges for 0 < η < 2/λ₁ (λ₁ the largest
    eigenvalue, which must be > 0)."""
    lam_max = float(np.max(_eigenvalues(eigenvalues)))
    if not lam_max > 0:
        raise ValueError(f"the largest eigenvalue must be > 0, got {lam_max!r}")
    return 2.0 / lam_max


def optimal(lam_min: float, lam_max: float) -> tuple[float, float]:
    """The best fixed learning rate on a quadratic with eigenvalues in [λₙ, λ₁], and its rate.

        η* = 2 / (λ₁ + λₙ),   rate = (λ₁ − λₙ) / (λ₁ + λₙ) = (κ − 1) / (κ + 1)

    with κ = λ₁ / λₙ. At η* the two extreme directions shrink by the same factor, one with a
    sign flip (1 − η*λₙ = −(1 − η*λ₁)); any other η makes one of them slower. The same
    bound holds for every function whose curvature stays in [λₙ, λ₁] (Polyak 1987, §1.4;
    Nesterov 2004, Theorem 2.1.15). ``theory.momentum.optimal`` replaces κ by √κ.

    Returns:
        the tuple (η*, rate).
    """
    lam_min, lam_max = check_interval(lam_min, lam_max)
    return 2.0 / (lam_max + lam_min), (lam_max - lam_min) / (lam_max + lam_min)
