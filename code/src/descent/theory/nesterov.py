"""Nesterov's method on a quadratic (Chapter 7): its rate, stability limit and best (η, μ).

Nesterov's accelerated gradient as the package implements it, b ← μ b + g ;
θ ← θ − η (g + μ b), written with the velocity v = −η b so that it reads like momentum.
For one eigenvalue λ (g = λθ):

    v_t = μ v_{t−1} − ηλ θ_{t−1}
    θ_t = θ_{t−1} − ηλ θ_{t−1} + μ v_t = μ² v_{t−1} + (1 − (1 + μ) ηλ) θ_{t−1}

(θ is the look-ahead point θ' + μ v of the look-ahead form, see Chapter 7). The matrix has
trace (1 + μ)(1 − ηλ) and determinant μ (1 − ηλ), so its eigenvalues are the roots of
r² − (1 + μ)(1 − ηλ) r + μ (1 − ηλ) = 0. Heavy ball's determinant is μ whatever λ is;
Nesterov's shrinks as ηλ grows: the look-ahead gradient damps the stiff directions.
The names are those of ``theory.momentum``, plus ``standard``. numpy only.
"""

from __future__ import annotations

import numpy as np

from descent.theory._quadratic import check_interval, largest_radius, largest_root_magnitude

__all__ = [
    "converges",
    "critical_momentum",
    "iteration_matrix",
    "max_lr",
    "optimal",
    "rate",
    "spectral_radius",
    "standard",
]


def iteration_matrix(lr: float, momentum: float, lam: float) -> np.ndarray:
    """The 2×2 matrix N with (v_t, θ_t) = N (v_{t−1}, θ_{t−1}) for one eigenvalue λ:

        N = [[μ,   −ηλ            ],
             [μ²,  1 − (1 + μ) ηλ ]]

    θ is the parameter that ``descent.optimizers.Nesterov`` stores and v = −η b its
    buffer b rescaled to a velocity. Compare ``theory.momentum.iteration_matrix``. At ηλ = 1
    the matrix is nilpotent: N ≠ 0 but N² = 0, so that direction needs two steps to reach 0.

    Args:
        lr: the learning rate η. momentum: μ. lam: the eigenvalue λ (curvature).

    Returns:
        array of shape (2, 2); the state is ordered (v, θ).
    """
    eta_lam = float(lr) * float(lam)
    mu = float(momentum)
    return np.array([[mu, -eta_lam], [mu * mu, 1.0 - (1.0 + mu) * eta_lam]])


def spectral_radius(lr, momentum, lam):
    """max |r| over the eigenvalues r of ``iteration_matrix(lr, momentum, lam)``.

    With s = 1 − ηλ, a = (1 + μ) s and c = μ s the roots of r² − a r + c are
    r = (a ± √(a² − 4c)) / 2: real if a² ≥ 4c, with larger magnitude (|a| + √(a² − 4c)) / 2;
    otherwise complex conjugates of magnitude √c = √(μ (1 − ηλ)). All arguments
    broadcast; μ = 0 gives gradient descent's |1 − ηλ|.
    """
    lr, mu, lam = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (lr, momentum, lam)))
    s = 1.0 - lr * lam
    return largest_root_magnitude((1.0 + mu) * s, mu * s)


def rate(lr, momentum, eigenvalues):
    """The convergence rate of Nesterov's method on a quadratic with these eigenvalues of A.

    The largest ``spectral_radius`` over the eigenvalues: ‖θ_t − θ*‖ shrinks like
    rate^t; the run converges iff rate < 1. ``lr`` and ``momentum`` broadcast against each
    other; ``eigenvalues`` is one number or a 1-D array. For every eigenvalue in an
    interval [λₙ, λ₁], passing the two ends is enough: the radius is largest at one of them.

    Returns:
        an array of the broadcast shape of ``lr`` and ``momentum`` (a float for scalars).
    """
    return largest_radius(spectral_radius, lr, momentum, eigenvalues)


def converges(lr, momentum, lam):
    """True where Nesterov's method converges for eigenvalue λ > 0:
    0 < ηλ < 2 (1 + μ) / (1 + 2μ) with 0 ≤ μ < 1.

    From the root conditions |c| < 1 and |a| < 1 + c of r² − a r + c: for ηλ < 1 they always
    hold, for ηλ > 1 the second one reads (ηλ − 1)(1 + 2μ) < 1. The limit falls from 2
    (gradient descent, μ = 0) towards 4/3 as μ → 1, while heavy ball's rises to 4. Broadcasts.
    """
    lr, mu, lam = (np.asarray(x, dtype=float) for x in (lr, momentum, lam))
    eta_lam = lr * lam
    ok = (eta_lam > 0) & (eta_lam < 2.0 * (1.0 + mu) / (1.0 + 2.0 * mu)) & (mu >= 0) & (mu < 1)
    return ok[()] if ok.ndim == 0 else ok


def max_lr(momentum, lam_max):
    """The stability limit η < 2 (1 + μ) / ((1 + 2μ) λ₁): 1.36 / λ₁ for μ = 0.9, against
    heavy ball's 3.8 / λ₁ (``theory.momentum.max_lr``) and gradient descent's 2 / λ₁."""
    mu = np.asarray(momentum, dtype=float)
    return 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * np.asarray(lam_max, dtype=float))


def critical_momentum(lr, lam):
    """Critical damping μ_c = (1 − √(ηλ)) / (1 + √(ηλ)) for 0 < ηλ < 1, where the two roots
    coincide: a positive double root r = (1 + μ_c)(1 − ηλ) / 2 = 1 − √(ηλ).

    Below μ_c the roots are real (overdamped), above it complex (the iterates spiral). For
    fixed η and λ the spectral radius is smallest at μ_c, where it equals 1 − √(ηλ): the same
    best value as heavy ball's, reached with a larger momentum. With
    η = 1/λ₁ and λ = λₙ this is (√κ − 1) / (√κ + 1), the momentum of ``standard``:
    the standard choice critically damps the flattest direction. Heavy ball's critical
    momentum, (1 − √(ηλ))², is smaller. Broadcasts.
    """
    root = np.sqrt(np.asarray(lr, dtype=float) * np.asarray(lam, dtype=float))
    return (1.0 - root) / (1.0 + root)


def standard(lam_min: float, lam_max: float) -> tuple[float, float, float]:
    """The textbook constants for a λₙ-strongly convex function with λ₁-Lipschitz gradient
    (Nesterov, 2004/2018, "Lectures on Convex Optimization", constant step scheme):

        η = 1 / λ₁,   μ = (√κ − 1) / (√κ + 1),   rate on quadratics = 1 − 1/√κ

    On a quadratic the flattest direction λₙ is critically damped, with the positive double
    root 1 − 1/√κ. The stiffest one has ηλ₁ = 1 and r = 0: its iteration matrix N is then
    nilpotent, not zero (N ≠ 0, N² = 0), so the stored θ reaches the minimum of that
    direction in two steps, not one. Every eigenvalue in between is underdamped, with
    |r| = √(μ (1 − ηλ)) below 1 − 1/√κ. The same constants come with
    a guarantee on every smooth strongly convex function, not only on quadratics.

    Returns:
        the tuple (η, μ, rate).
    """
    lam_min, lam_max = check_interval(lam_min, lam_max)
    root_kappa = np.sqrt(lam_max / lam_min)
    return 1.0 / lam_max, (root_kappa - 1.0) / (root_kappa + 1.0), 1.0 - 1.0 / root_kappa


def optimal(lam_min: float, lam_max: float) -> tuple[float, float, float]:
    """The best constant (η, μ) of Nesterov's method on quadratics with eigenvalues in
    [λₙ, λ₁], and its rate (Lessard, Recht & Packard, 2016, "Analysis and design of
    optimization algorithms via integral quadratic constraints", SIAM J. Optim. 26(1)):

        η* = 4 / (3λ₁ + λₙ),   μ* = (√(3κ + 1) − 2) / (√(3κ + 1) + 2),
        rate = 1 − 2 / √(3κ + 1)

    Still slower than heavy ball's best, (√κ − 1) / (√κ + 1) (``theory.momentum.optimal``):
    on a quadratic whose extreme eigenvalues are known, heavy ball needs about 1/√3 ≈ 0.58
    times the steps of Nesterov's method at its best, and half those of ``standard``.

    Returns:
        the tuple (η*, μ*, rate).
    """
    lam_min, lam_max = check_interval(lam_min, lam_max)
    root = np.sqrt(3.0 * lam_max / lam_min + 1.0)
    return 4.0 / (3.0 * lam_max + lam_min), (root - 2.0) / (root + 2.0), 1.0 - 2.0 / root
