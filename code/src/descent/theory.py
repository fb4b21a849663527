"""What theory predicts for first-order methods on quadratics, to compare with measurements.

On f(θ) = ½ θᵀAθ with eigenvalues λ₁ ≥ … ≥ λₙ > 0 (κ = λ₁/λₙ), every method of the book's
first chapters is a linear recurrence, so its convergence condition, best hyperparameters
and rate have closed forms. The chapters measure the same quantities on the iterates and
assert that the two agree. numpy only.
"""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------- momentum (Chapter 6)
#
# Heavy-ball momentum, v ← μ v − η g ; θ ← θ + v, on f(θ) = ½ θᵀAθ. In the eigenbasis of A
# each coordinate evolves on its own, with g = λθ for its eigenvalue λ:
#
#     v_t = μ v_{t−1} − ηλ θ_{t−1}
#     θ_t = θ_{t−1} + v_t = μ v_{t−1} + (1 − ηλ) θ_{t−1}
#
# so (v_t, θ_t) = M (v_{t−1}, θ_{t−1}) with the 2×2 matrix below, whose eigenvalues are the
# roots of r² − (1 + μ − ηλ) r + μ = 0 (trace 1 + μ − ηλ, determinant μ).


def momentum_iteration_matrix(lr: float, momentum: float, lam: float) -> np.ndarray:
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


def _largest_root_magnitude(a, c):
    """max |r| over the roots of r² − a r + c (arrays of equal shape): (|a| + √(a² − 4c)) / 2
    if the roots are real (a² ≥ 4c), else √c, the modulus of both complex roots."""
    disc = a * a - 4.0 * c
    real = 0.5 * (np.abs(a) + np.sqrt(np.maximum(disc, 0.0)))
    radius = np.where(disc >= 0, real, np.sqrt(np.maximum(c, 0.0)))
    return radius[()] if radius.ndim == 0 else radius


def momentum_spectral_radius(lr, momentum, lam):
    """max |r| over the eigenvalues r of ``momentum_iteration_matrix(lr, momentum, lam)``.

    With a = 1 + μ − ηλ the roots are r = (a ± √(a² − 4μ)) / 2. If a² ≥ 4μ they are real and
    the larger magnitude is (|a| + √(a² − 4μ)) / 2; otherwise they are complex conjugates
    of equal magnitude √μ (their product is det M = μ). The error in this eigen-direction
    then shrinks like radius^t (times a factor linear in t when the two roots coincide).
    All arguments broadcast; μ = 0 gives gradient descent's |1 − ηλ|.
    """
    lr, mu, lam = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (lr, momentum, lam)))
    return _largest_root_magnitude(1.0 + mu - lr * lam, mu)


def momentum_rate(lr, momentum, eigenvalues):
    """The convergence rate of momentum on a quadratic with these eigenvalues of A.

    The largest ``momentum_spectral_radius`` over the eigenvalues: ‖θ_t − θ*‖ shrinks like
    rate^t; the run converges iff rate < 1. ``lr`` and ``momentum`` broadcast against each
    other (e.g. two grids for a phase diagram); ``eigenvalues`` is one number or a 1-D array.

    Returns:
        an array of the broadcast shape of ``lr`` and ``momentum`` (a float for scalars).
    """
    return _largest_radius(momentum_spectral_radius, lr, momentum, eigenvalues)


def momentum_converges(lr, momentum, lam):
    """True where momentum converges for eigenvalue λ > 0: 0 < ηλ < 2 + 2μ with 0 ≤ μ < 1.

    These are the conditions for both roots of r² − (1 + μ − ηλ) r + μ to lie inside the
    unit circle: |μ| < 1 (their product) and |1 + μ − ηλ| < 1 + μ. Broadcasts.
    """
    lr, mu, lam = (np.asarray(x, dtype=float) for x in (lr, momentum, lam))
    eta_lam = lr * lam
    ok = (eta_lam > 0) & (eta_lam < 2.0 + 2.0 * mu) & (mu >= 0) & (mu < 1)
    return ok[()] if ok.ndim == 0 else ok


def momentum_max_lr(momentum, lam_max):
    """The stability limit η < 2 (1 + μ) / λ₁: with μ = 0.9 almost twice GD's 2 / λ₁."""
    return 2.0 * (1.0 + np.asarray(momentum, dtype=float)) / np.asarray(lam_max, dtype=float)


def momentum_critical_momentum(lr, lam):
    """Critical damping μ_c = (1 − √(ηλ))², where the two roots coincide at r = 1 − √(ηλ).

    For fixed η and λ (with 0 < ηλ < 4) the spectral radius is smallest at μ = μ_c, and
    equals |1 − √(ηλ)| there: below μ_c the roots are real and apart (overdamped), above it
    complex with magnitude √μ (underdamped, the iterates spiral). Broadcasts.
    """
    eta_lam = np.asarray(lr, dtype=float) * np.asarray(lam, dtype=float)
    return (1.0 - np.sqrt(eta_lam)) ** 2


def momentum_optimal(lam_min: float, lam_max: float) -> tuple[float, float, float]:
    """The best constant (η, μ) on a quadratic with eigenvalues in [λₙ, λ₁], and its rate.

        η* = 4 / (√λ₁ + √λₙ)²,   μ* = ((√κ − 1) / (√κ + 1))²,   rate = (√κ − 1) / (√κ + 1)

    with κ = λ₁ / λₙ. Both extreme eigenvalues are then critically damped (ηλₙ = (1 − √μ)²
    and ηλ₁ = (1 + √μ)²) and every eigenvalue in between is underdamped with |r| = √μ.
    Gradient descent's best rate is (κ − 1) / (κ + 1): momentum replaces κ by √κ
    (Polyak, 1964; Goh, 2017, "Why Momentum Really Works").

    Returns:
        the tuple (η*, μ*, rate).
    """
    lam_min, lam_max = float(lam_min), float(lam_max)
    if not 0 < lam_min <= lam_max < np.inf:
        raise ValueError(
            f"need 0 < lam_min <= lam_max < inf, got lam_min={lam_min!r}, lam_max={lam_max!r}"
        )
    root_min, root_max = np.sqrt(lam_min), np.sqrt(lam_max)
    rate = (root_max - root_min) / (root_max + root_min)
    return 4.0 / (root_max + root_min) ** 2, rate**2, rate


# ------------------------------------------------------------------ gradient descent (Chapter 3)
#
# Gradient descent, θ ← θ − η g, on f(θ) = ½ (θ − θ*)ᵀA(θ − θ*). The error e = θ − θ* obeys
# e_t = (I − ηA) e_{t−1}, so in the eigenbasis of A each coordinate is multiplied by 1 − ηλ
# at every step, for its own eigenvalue λ:
#
#     e_t = (1 − ηλ)^t e_0     (one eigen-direction)
#
# It converges from every start iff |1 − ηλᵢ| < 1 for all i, i.e. 0 < ηλᵢ < 2; the slowest
# direction sets the rate max |1 − ηλᵢ|, which is smallest when the two extreme directions
# shrink equally fast: 1 − ηλₙ = −(1 − ηλ₁).


def _eigenvalues(eigenvalues) -> np.ndarray:
    """The eigenvalues as a non-empty 1-D float array (a number, a sequence, or an object with
    an ``eigenvalues`` attribute such as ``functions.bowl``)."""
    lams = np.atleast_1d(np.asarray(getattr(eigenvalues, "eigenvalues", eigenvalues), float))
    if lams.ndim != 1 or lams.size == 0 or not np.all(np.isfinite(lams)):
        raise ValueError(
            f"eigenvalues must be a finite number or a non-empty 1-D array, got {eigenvalues!r}"
        )
    return lams


def gd_factors(lr, eigenvalues):
    """1 − ηλᵢ: what one step of gradient descent multiplies the error along eigenvector i by.

    ``lr`` may be an array (a grid of learning rates); the result then has shape
    ``np.shape(lr) + (n,)`` for n eigenvalues. A factor in (0, 1) shrinks the error
    monotonically, one in (−1, 0) shrinks it while flipping its sign at every step (a
    zig-zag), and |factor| ≥ 1 does not shrink it at all.
    """
    lams = _eigenvalues(eigenvalues)
    return 1.0 - np.asarray(lr, dtype=float)[..., np.newaxis] * lams


def gd_rate(lr, eigenvalues):
    """The rate of gradient descent on a quadratic: max over i of |1 − ηλᵢ|.

    ‖θ_t − θ*‖ shrinks like rate^t (for a start with a component along the slowest
    direction); the run converges from every start iff rate < 1. ``lr`` broadcasts (a float
    for a scalar ``lr``). μ = 0 in ``momentum_rate`` gives the same numbers.
    """
    rate = np.max(np.abs(gd_factors(lr, eigenvalues)), axis=-1)
    return rate[()] if rate.ndim == 0 else rate


def gd_converges(lr, eigenvalues):
    """True where gradient descent converges from every start: 0 < ηλᵢ < 2 for every i.

    With all λᵢ > 0 this is 0 < η < 2/λ₁. A λᵢ ≤ 0 (a saddle, a maximum, a flat direction)
    never gives convergence from every start. Broadcasts over ``lr``.
    """
    eta_lam = np.asarray(lr, dtype=float)[..., np.newaxis] * _eigenvalues(eigenvalues)
    ok = np.all((eta_lam > 0) & (eta_lam < 2.0), axis=-1)
    return ok[()] if ok.ndim == 0 else ok


def gd_max_lr(eigenvalues) -> float:
    """The stability limit 2/λ₁: gradient descent converges for 0 < η < 2/λ₁ (λ₁ the largest
    eigenvalue, which must be > 0)."""
    lam_max = float(np.max(_eigenvalues(eigenvalues)))
    if not lam_max > 0:
        raise ValueError(f"the largest eigenvalue must be > 0, got {lam_max!r}")
    return 2.0 / lam_max


def gd_optimal(lam_min: float, lam_max: float) -> tuple[float, float]:
    """The best fixed learning rate on a quadratic with eigenvalues in [λₙ, λ₁], and its rate.

        η* = 2 / (λ₁ + λₙ),   rate = (λ₁ − λₙ) / (λ₁ + λₙ) = (κ − 1) / (κ + 1)

    with κ = λ₁ / λₙ. At η* the two extreme directions shrink by the same factor, one with a
    sign flip (1 − η*λₙ = −(1 − η*λ₁)); any other η makes one of them slower. The same
    bound holds for every function whose curvature stays in [λₙ, λ₁] (Polyak 1987, §1.4;
    Nesterov 2004, Theorem 2.1.15). ``momentum_optimal`` replaces κ by √κ.

    Returns:
        the tuple (η*, rate).
    """
    lam_min, lam_max = float(lam_min), float(lam_max)
    if not 0 < lam_min <= lam_max < np.inf:
        raise ValueError(
            f"need 0 < lam_min <= lam_max < inf, got lam_min={lam_min!r}, lam_max={lam_max!r}"
        )
    return 2.0 / (lam_max + lam_min), (lam_max - lam_min) / (lam_max + lam_min)


def steps_for_reduction(rate: float, reduction: float) -> int:
    """The smallest t with rate^t ≤ reduction: the steps a linear rate needs to shrink the
    error by the factor ``reduction`` (e.g. 1e-6). For rate = (κ−1)/(κ+1) and large κ this is
    about (κ/2) ln(1/reduction): proportional to κ.
    """
    rate, reduction = float(rate), float(reduction)
    if not 0 <= rate < 1:
        raise ValueError(f"rate must be in [0, 1) for the error to shrink, got {rate!r}")
    if not 0 < reduction < 1:
        raise ValueError(f"reduction must be in (0, 1), e.g. 1e-6, got {reduction!r}")
    if rate == 0:
        return 1
    return int(np.ceil(np.log(reduction) / np.log(rate) - 1e-9))


def measured_rate(points, minimizer, *, skip: int | None = None, floor: float = 1e-12) -> float:
    """The linear rate of convergence of a sequence of iterates, measured: the r with
    ‖θ_t − θ*‖ ≈ C rᵗ over the tail of the run.

    The errors e_t = ‖θ_t − θ*‖ are used up to the last one above ``floor`` · e_0 (below
    that, round-off decides the ratios, not the method). The first ``skip`` of them are a
    transient and are dropped (default: the first half). r is exp of the least-squares
    slope of log e_t against t over the rest, so a zig-zag that makes single ratios
    e_{t+1}/e_t wobble does not disturb it. r < 1 means linear convergence at rate r; r > 1
    means the error grows.

    Args:
        points: the iterates, shape (k+1, dim) or (k+1,) (1-D), or a ``Trajectory``.
        minimizer: θ*, shape (dim,).
        skip: the number of leading iterates to ignore.
        floor: relative error below which the iterates are not used.
    """
    points = np.asarray(getattr(points, "points", points), dtype=float)
    if points.ndim == 1:
        points = points[:, np.newaxis]
    errors = np.linalg.norm(points - np.asarray(minimizer, dtype=float), axis=1)
    if not (errors.size and np.isfinite(errors[0]) and errors[0] > 0):
        raise ValueError("the first iterate must be a finite point other than the minimizer")
    usable = np.isfinite(errors) & (errors > floor * errors[0])
    k = errors.size if usable.all() else int(np.argmin(usable))  # first unusable index
    skip = k // 2 if skip is None else int(skip)
    t = np.arange(skip, k)
    if t.size < 2:
        raise ValueError(
            f"need at least 2 iterates after skip={skip} with error above floor, got {t.size} "
            f"(of {errors.size}); run more steps, or lower skip"
        )
    slope = np.polyfit(t, np.log(errors[skip:k]), 1)[0]
    return float(np.exp(slope))


# --------------------------------------------------------------------------- Nesterov (Chapter 7)
#
# Nesterov's accelerated gradient as the package implements it, b ← μ b + g ;
# θ ← θ − η (g + μ b), written with the velocity v = −η b so that it reads like momentum.
# For one eigenvalue λ (g = λθ):
#
#     v_t = μ v_{t−1} − ηλ θ_{t−1}
#     θ_t = θ_{t−1} − ηλ θ_{t−1} + μ v_t = μ² v_{t−1} + (1 − (1 + μ) ηλ) θ_{t−1}
#
# (θ is the look-ahead point θ' + μ v of the look-ahead form, see Chapter 7). The matrix has
# trace (1 + μ)(1 − ηλ) and determinant μ (1 − ηλ), so its eigenvalues are the roots of
# r² − (1 + μ)(1 − ηλ) r + μ (1 − ηλ) = 0. Heavy ball's determinant is μ whatever λ is;
# Nesterov's shrinks as ηλ grows: the look-ahead gradient damps the stiff directions.


def nesterov_iteration_matrix(lr: float, momentum: float, lam: float) -> np.ndarray:
    """The 2×2 matrix N with (v_t, θ_t) = N (v_{t−1}, θ_{t−1}) for one eigenvalue λ:

        N = [[μ,   −ηλ            ],
             [μ²,  1 − (1 + μ) ηλ ]]

    θ is the parameter that ``descent.optimizers.Nesterov`` stores and v = −η b its
    buffer b rescaled to a velocity. Compare ``momentum_iteration_matrix``. At ηλ = 1 the
    matrix is nilpotent: N ≠ 0 but N² = 0, so that direction needs two steps to reach 0.

    Args:
        lr: the learning rate η. momentum: μ. lam: the eigenvalue λ (curvature).

    Returns:
        array of shape (2, 2); the state is ordered (v, θ).
    """
    eta_lam = float(lr) * float(lam)
    mu = float(momentum)
    return np.array([[mu, -eta_lam], [mu * mu, 1.0 - (1.0 + mu) * eta_lam]])


def nesterov_spectral_radius(lr, momentum, lam):
    """max |r| over the eigenvalues r of ``nesterov_iteration_matrix(lr, momentum, lam)``.

    With s = 1 − ηλ, a = (1 + μ) s and c = μ s the roots of r² − a r + c are
    r = (a ± √(a² − 4c)) / 2: real if a² ≥ 4c, with larger magnitude (|a| + √(a² − 4c)) / 2;
    otherwise complex conjugates of magnitude √c = √(μ (1 − ηλ)). All arguments
    broadcast; μ = 0 gives gradient descent's |1 − ηλ|.
    """
    lr, mu, lam = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (lr, momentum, lam)))
    s = 1.0 - lr * lam
    return _largest_root_magnitude((1.0 + mu) * s, mu * s)


def nesterov_rate(lr, momentum, eigenvalues):
    """The convergence rate of Nesterov's method on a quadratic with these eigenvalues of A.

    The largest ``nesterov_spectral_radius`` over the eigenvalues: ‖θ_t − θ*‖ shrinks like
    rate^t; the run converges iff rate < 1. ``lr`` and ``momentum`` broadcast against each
    other; ``eigenvalues`` is one number or a 1-D array. For every eigenvalue in an
    interval [λₙ, λ₁], passing the two ends is enough: the radius is largest at one of them.

    Returns:
        an array of the broadcast shape of ``lr`` and ``momentum`` (a float for scalars).
    """
    return _largest_radius(nesterov_spectral_radius, lr, momentum, eigenvalues)


def nesterov_converges(lr, momentum, lam):
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


def nesterov_max_lr(momentum, lam_max):
    """The stability limit η < 2 (1 + μ) / ((1 + 2μ) λ₁): 1.36 / λ₁ for μ = 0.9, against
    heavy ball's 3.8 / λ₁ (``momentum_max_lr``) and gradient descent's 2 / λ₁."""
    mu = np.asarray(momentum, dtype=float)
    return 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * np.asarray(lam_max, dtype=float))


def nesterov_critical_momentum(lr, lam):
    """Critical damping μ_c = (1 − √(ηλ)) / (1 + √(ηλ)) for 0 < ηλ < 1, where the two roots
    coincide: a positive double root r = (1 + μ_c)(1 − ηλ) / 2 = 1 − √(ηλ).

    Below μ_c the roots are real (overdamped), above it complex (the iterates spiral). For
    fixed η and λ the spectral radius is smallest at μ_c, where it equals 1 − √(ηλ): the same
    best value as heavy ball's, reached with a larger momentum. With
    η = 1/λ₁ and λ = λₙ this is (√κ − 1) / (√κ + 1), the momentum of ``nesterov_standard``:
    the standard choice critically damps the flattest direction. Heavy ball's critical
    momentum, (1 − √(ηλ))², is smaller. Broadcasts.
    """
    root = np.sqrt(np.asarray(lr, dtype=float) * np.asarray(lam, dtype=float))
    return (1.0 - root) / (1.0 + root)


def _check_interval(lam_min, lam_max) -> tuple[float, float]:
    lam_min, lam_max = float(lam_min), float(lam_max)
    if not 0 < lam_min <= lam_max < np.inf:
        raise ValueError(
            f"need 0 < lam_min <= lam_max < inf, got lam_min={lam_min!r}, lam_max={lam_max!r}"
        )
    return lam_min, lam_max


def nesterov_standard(lam_min: float, lam_max: float) -> tuple[float, float, float]:
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
    lam_min, lam_max = _check_interval(lam_min, lam_max)
    root_kappa = np.sqrt(lam_max / lam_min)
    return 1.0 / lam_max, (root_kappa - 1.0) / (root_kappa + 1.0), 1.0 - 1.0 / root_kappa


def nesterov_optimal(lam_min: float, lam_max: float) -> tuple[float, float, float]:
    """The best constant (η, μ) of Nesterov's method on quadratics with eigenvalues in
    [λₙ, λ₁], and its rate (Lessard, Recht & Packard, 2016, "Analysis and design of
    optimization algorithms via integral quadratic constraints", SIAM J. Optim. 26(1)):

        η* = 4 / (3λ₁ + λₙ),   μ* = (√(3κ + 1) − 2) / (√(3κ + 1) + 2),
        rate = 1 − 2 / √(3κ + 1)

    Still slower than heavy ball's best, (√κ − 1) / (√κ + 1) (``momentum_optimal``): on a
    quadratic whose extreme eigenvalues are known, heavy ball needs about 1/√3 ≈ 0.58 times
    the steps of Nesterov's method at its best, and half those of ``nesterov_standard``.

    Returns:
        the tuple (η*, μ*, rate).
    """
    lam_min, lam_max = _check_interval(lam_min, lam_max)
    root = np.sqrt(3.0 * lam_max / lam_min + 1.0)
    return 4.0 / (3.0 * lam_max + lam_min), (root - 2.0) / (root + 2.0), 1.0 - 2.0 / root


def lower_bound_rate(kappa):
    """Nesterov's lower bound: no first-order method beats (√κ − 1) / (√κ + 1) per step.

    For every method whose iterate θ_t lies in θ₀ + span{∇f(θ₀), …, ∇f(θ_{t−1})} (gradient
    descent, heavy ball, Nesterov, conjugate gradients, ...) there is a λₙ-strongly convex
    function with λ₁-Lipschitz gradient, κ = λ₁/λₙ, on which ‖θ_t − θ*‖ ≥ rate^t ‖θ₀ − θ*‖
    (Nesterov, 2004/2018, Theorem 2.1.13): ``WorstCaseQuadratic``. Broadcasts.
    """
    root = np.sqrt(np.asarray(kappa, dtype=float))
    return (root - 1.0) / (root + 1.0)


class WorstCaseQuadratic:
    r"""Nesterov's "worst function in the world" for first-order methods, in n dimensions.

        f(θ) = (λ₁ − λₙ)/8 · (θ₁² + Σᵢ₌₁ⁿ⁻¹ (θᵢ − θᵢ₊₁)² + θₙ² − 2 θ₁) + λₙ/2 · ‖θ‖²

    (Nesterov, 2004/2018, §2.1.4). Its Hessian A = (λ₁ − λₙ)/4 · T + λₙ I, with T the
    tridiagonal matrix (2 on the diagonal, −1 beside it), has eigenvalues
    λₙ + (λ₁ − λₙ) sin²(kπ / (2n + 2)), k = 1, …, n: all inside (λₙ, λ₁), so the condition
    number is just below κ. Started at θ₀ = 0, the gradient is a multiple of e₁, and each
    gradient reaches one coordinate further (A is tridiagonal): after t steps of any method
    whose iterates lie in the span of the gradients seen so far, θ_t is zero beyond
    coordinate t. The minimizer decays like qⁱ with q = (√κ − 1) / (√κ + 1),

        θ*ᵢ = (qⁱ − q^(2n+2−i)) / (1 − q^(2n+2)),

    so the coordinates not yet reached keep ‖θ_t − θ*‖ ≥ ``tail(t)`` ≈ q^t ‖θ*‖: the lower
    bound ``lower_bound_rate``. The gradient costs O(n), so long runs are cheap.

    Args:
        kappa: κ = λ₁ / λₙ > 1. n: the dimension (take n well above the steps you run).
        lam_min: λₙ (default 1).
    """

    def __init__(self, kappa: float, n: int, lam_min: float = 1.0):
        if not kappa > 1:
            raise ValueError(f"kappa must be > 1, got {kappa!r}")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise ValueError(f"n must be an integer >= 2, got {n!r}")
        self.kappa, self.n = float(kappa), int(n)
        self.lam_min, self.lam_max = _check_interval(lam_min, kappa * lam_min)
        self.q = float(lower_bound_rate(self.kappa))
        i = np.arange(1, self.n + 1)
        q, m = self.q, 2 * self.n + 2
        self.minimizer = (q**i - q ** (m - i)) / (1.0 - q**m)
        self.minimizer.flags.writeable = False
        k = np.arange(1, self.n + 1)
        sines = np.sin(k * np.pi / (2 * self.n + 2)) ** 2
        self.eigenvalues = self.lam_min + (self.lam_max - self.lam_min) * sines
        self.eigenvalues.flags.writeable = False
        self.f_min = float(self(self.minimizer))

    @property
    def _c(self) -> float:
        return (self.lam_max - self.lam_min) / 4.0

    def __call__(self, theta) -> float:
        """f(θ) for θ of shape (n,)."""
        x = self._vector(theta)
        quad = x[0] ** 2 + np.sum(np.diff(x) ** 2) + x[-1] ** 2
        return float(0.5 * self._c * (quad - 2.0 * x[0]) + 0.5 * self.lam_min * x @ x)

    def grad(self, theta) -> np.ndarray:
        """∇f(θ) = (λ₁ − λₙ)/4 · (Tθ − e₁) + λₙ θ, shape (n,), in O(n)."""
        x = self._vector(theta)
        tx = 2.0 * x
        tx[1:] -= x[:-1]
        tx[:-1] -= x[1:]
        tx[0] -= 1.0
        return self._c * tx + self.lam_min * x

    def hessian(self) -> np.ndarray:
        """The dense n × n matrix A (for checks; the gradient never builds it)."""
        T = 2.0 * np.eye(self.n) - np.eye(self.n, k=1) - np.eye(self.n, k=-1)
        return self._c * T + self.lam_min * np.eye(self.n)

    def tail(self, t: int) -> float:
        """‖(θ*ᵢ)ᵢ>t‖ / ‖θ*‖: how far from θ* every span method started at 0 still is after t
        steps, relative to where it started."""
        return float(np.linalg.norm(self.minimizer[t:]) / np.linalg.norm(self.minimizer))

    def _vector(self, theta) -> np.ndarray:
        x = np.asarray(theta, dtype=float)
        if x.shape != (self.n,):
            raise ValueError(f"theta must have shape ({self.n},), got {x.shape}")
        return x

    def __repr__(self) -> str:
        return f"WorstCaseQuadratic(kappa={self.kappa:g}, n={self.n}, lam_min={self.lam_min:g})"


def _largest_radius(spectral_radius, lr, momentum, eigenvalues):
    """max over the eigenvalues of ``spectral_radius(η, μ, λ)``, broadcast over η and μ."""
    lr, mu = np.broadcast_arrays(np.asarray(lr, dtype=float), np.asarray(momentum, dtype=float))
    lams = np.atleast_1d(np.asarray(eigenvalues, dtype=float))
    if lams.ndim != 1 or lams.size == 0:
        raise ValueError(f"eigenvalues must be a number or a 1-D array, got shape {lams.shape}")
    rate = np.max(spectral_radius(lr[..., np.newaxis], mu[..., np.newaxis], lams), axis=-1)
    return rate[()] if rate.ndim == 0 else rate
