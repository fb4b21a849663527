"""Heavy-ball momentum on a quadratic (Chapter 6): its rate, stability limit and best (η, μ).

Heavy-ball momentum, v ← μ v − η g ; θ ← θ + v, on f(θ) = ½ θᵀAθ. In the eigenbasis of A
each coordinate evolves on its own, with g = λθ for its eigenvalue λ:

    v_t = μ v_{t−1} − ηλ θ_{t−1}
    θ_t = θ_{t−1} + v_t = μ v_{t−1} + (1 − ηλ) θ_{t−1}

so (v_t, θ_t) = M (v_{t−1}, θ_{t−1}) with the 2×2 matrix of ``iteration_matrix``, whose
eigenvalues are the roots of r² − (1 + μ − ηλ) r + μ = 0 (trace 1 + μ − ηλ, determinant
μ). The names are those of ``theory.gradient_descent`` and ``theory.nesterov``. numpy only.
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
]


def iteration_matrix(lr: float, momentum: float, lam: float) -> np.ndarray:
    """The 2×2 matrix M with (v_t, θ_t) = M (v_{t−1}, θ_{t−1}) for one eigenvalue λ:

        M = [[μ,  −ηλ    ],
             [μ,  1 − ηλ ]]

    Args:
        lr: the learning rate η. momentum: μ. lam: the eigenvalue λ (curvature).

    Returns:
        array of shape (2, 2); the state is ordered (v, θ).
    """
    eta_lam = float(lr) * float(lam)
    mu = float(momentum)
    return np.array([[mu, -eta_lam], [mu, 1.0 - eta_lam]])


def spectral_radius(lr, momentum, lam):
    """max |r| over the eigenvalues r of ``iteration_matrix(lr, momentum, lam)``.

    With a = 1 + μ − ηλ the roots are r = (a ± √(a² − 4μ)) / 2. If a² ≥ 4μ they are real and
    the larger magnitude is (|a| + √(a² − 4μ)) / 2; otherwise they are complex conjugates
    of equal magnitude √μ (their product is det M = μ). The error in this eigen-direction
    then shrinks like radius^t (times a factor linear in t when the two roots coincide).
    All arguments broadcast; μ = 0 gives gradient descent's |1 − ηλ|.
    """
    lr, mu, lam = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (lr, momentum, lam)))
    return largest_root_magnitude(1.0 + mu - lr * lam, mu)


def rate(lr, momentum, eigenvalues):
    """The convergence rate of momentum on a quadratic with these eigenvalues of A.

    The largest ``spectral_radius`` over the eigenvalues: ‖θ_t − θ*‖ shrinks like
    rate^t; the run converges iff rate < 1. ``lr`` and ``momentum`` broadcast against each
    other (e.g. two grids for a phase diagram); ``eigenvalues`` is one number or a 1-D array.

    Returns:
        an array of the broadcast shape of ``lr`` and ``momentum`` (a float for scalars).
    """
    return largest_radius(spectral_radius, lr, momentum, eigenvalues)


def converges(lr, momentum, lam):
    """True where momentum converges for eigenvalue λ > 0: 0 < ηλ < 2 + 2μ with 0 ≤ μ < 1.

    These are the conditions for both roots of r² − (1 + μ − ηλ) r + μ to lie inside the
    unit circle: |μ| < 1 (their product) and |1 + μ − ηλ| < 1 + μ. Broadcasts.
    """
    lr, mu, lam = (np.asarray(x, dtype=float) for x in (lr, momentum, lam))
    eta_lam = lr * lam
    ok = (eta_lam > 0) & (eta_lam < 2.0 + 2.0 * mu) & (mu >= 0) & (mu < 1)
    return ok[()] if ok.ndim == 0 else ok


def max_lr(momentum, lam_max):
    """The stability limit η < 2 (1 + μ) / λ₁: with μ = 0.9 almost twice GD's 2 / λ₁."""
    return 2.0 * (1.0 + np.asarray(momentum, dtype=float)) / np.asarray(lam_max, dtype=float)


def critical_momentum(lr, lam):
    """Critical damping μ_c = (1 − √(ηλ))², where the two roots coincide at r = 1 − √(ηλ).

    For fixed η and λ (with 0 < ηλ < 4) the spectral radius is smallest at μ = μ_c, and
    equals |1 − √(ηλ)| there: below μ_c the roots are real and apart (overdamped), above it
    complex with magnitude √μ (underdamped, the iterates spiral). Broadcasts.
    """
    eta_lam = np.asarray(lr, dtype=float) * np.asarray(lam, dtype=float)
    return (1.0 - np.sqrt(eta_lam)) ** 2


def optimal(lam_min: float, lam_max: float) -> tuple[float, float, float]:
    """The best constant (η, μ) on a quadratic with eigenvalues in [λₙ, λ₁], and its rate.

        η* = 4 / (√λ₁ + √λₙ)²,   μ* = ((√κ − 1) / (√κ + 1))²,   rate = (√κ − 1) / (√κ + 1)

    with κ = λ₁ / λₙ. Both extreme eigenvalues are then critically damped (ηλₙ = (1 − √μ)²
    and ηλ₁ = (1 + √μ)²) and every eigenvalue in between is underdamped with |r| = √μ.
    Gradient descent's best rate is (κ − 1) / (κ + 1): momentum replaces κ by √κ
    (Polyak, 1964; Goh, 2017, "Why Momentum Really Works").

    Returns:
        the tuple (η*, μ*, rate).
    """
    lam_min, lam_max = check_interval(lam_min, lam_max)
    root_min, root_max = np.sqrt(lam_min), np.sqrt(lam_max)
    best = (root_max - root_min) / (root_max + root_min)
    return 4.0 / (root_max + root_min) ** 2, best**2, best
