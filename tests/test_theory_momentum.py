"""descent.theory.momentum, heavy ball's formulas, against the iterates of
descent.optimizers.Momentum and against closed forms derived independently here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from descent import functions, theory
from descent.optimizers import Momentum
from descent.training import run


def momentum_iterates(lr, mu, lam, theta0, steps):
    """θ_0 ... θ_steps of Momentum on f(θ) = ½ λ θ² (1-D), shape (steps + 1,)."""
    f = functions.quadratic([[lam]], name="line")
    return run(Momentum(lr=lr, momentum=mu), f, [theta0], steps, bound=1e300).points[:, 0]


def measured_rate(errors, t0, t1):
    """The contraction per step between steps t0 and t1: exp of the least-squares slope of
    log |e_t|, which averages out the oscillation of a spiralling run."""
    t = np.arange(t0, t1 + 1)
    return math.exp(np.polyfit(t, np.log(np.abs(errors[t0 : t1 + 1])), 1)[0])


# --------------------------------------------------------------------------- iteration matrix


@pytest.mark.parametrize(
    "lr, mu, lam", [(0.1, 0.9, 2.0), (0.01, 0.1, 1.0), (2.2, 0.2, 1.0), (0.3, 0.0, 1.5)]
)
def test_iteration_matrix_reproduces_the_optimizer(lr, mu, lam):
    M = theory.momentum.iteration_matrix(lr, mu, lam)
    assert M.shape == (2, 2)
    thetas = momentum_iterates(lr, mu, lam, theta0=3.0, steps=60)
    state = np.array([0.0, 3.0])  # (v, θ), v = 0 at the start
    for t in range(1, 61):
        state = M @ state
        np.testing.assert_allclose(state[1], thetas[t], rtol=1e-10, atol=1e-12)


def test_iteration_matrix_has_trace_and_determinant_of_the_characteristic_polynomial():
    rng = np.random.default_rng(0)
    for lr, mu, lam in rng.uniform([0.01, 0.0, 0.1], [2.0, 0.99, 5.0], size=(20, 3)):
        M = theory.momentum.iteration_matrix(lr, mu, lam)
        assert math.isclose(np.trace(M), 1 + mu - lr * lam, rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(np.linalg.det(M), mu, rel_tol=1e-9, abs_tol=1e-12)


# --------------------------------------------------------------------------- spectral radius


def test_spectral_radius_is_the_largest_eigenvalue_magnitude():
    rng = np.random.default_rng(1)
    samples = rng.uniform([0.001, 0.0, 0.05], [3.0, 0.999, 10.0], size=(300, 3))
    for lr, mu, lam in samples:
        eig = np.linalg.eigvals(theory.momentum.iteration_matrix(lr, mu, lam))
        assert math.isclose(
            theory.momentum.spectral_radius(lr, mu, lam), np.max(np.abs(eig)), rel_tol=1e-7
        ), (lr, mu, lam)


def test_spectral_radius_broadcasts_and_reduces_to_gradient_descent():
    lr = np.linspace(0.05, 1.9, 7)[:, None]
    lam = np.array([0.1, 1.0, 2.0])
    radius = theory.momentum.spectral_radius(lr, 0.0, lam)
    assert radius.shape == (7, 3)
    np.testing.assert_allclose(radius, np.abs(1 - lr * lam), rtol=1e-12, atol=1e-15)
    assert isinstance(theory.momentum.spectral_radius(0.1, 0.5, 1.0), float | np.floating)


@pytest.mark.parametrize(
    "lr, mu, lam",
    [
        (0.1, 0.9, 2.0),  # complex roots: |r| = √μ
        (0.01, 0.1, 1.0),  # real positive roots
        (2.2, 0.2, 1.0),  # real negative roots
        (0.5, 0.0, 1.2),  # gradient descent
    ],
)
def test_radius_is_the_measured_rate_of_the_iterates(lr, mu, lam):
    radius = theory.momentum.spectral_radius(lr, mu, lam)
    steps = int(np.ceil(np.log(1e-200) / np.log(radius)))  # decay to ~1e-200, no underflow
    thetas = momentum_iterates(lr, mu, lam, theta0=1.0, steps=steps)
    # oscillating errors cross zero: compare envelopes, the largest |θ| over a period-long window
    window = 40
    early = np.max(np.abs(thetas[steps // 2 : steps // 2 + window]))
    late = np.max(np.abs(thetas[steps - window : steps]))
    rate = (late / early) ** (1.0 / (steps - window - steps // 2))
    assert math.isclose(rate, radius, rel_tol=5e-3), (rate, radius)


def test_rate_is_the_worst_eigenvalue_and_matches_a_quadratic_run():
    f = functions.bowl  # eigenvalues 0.1 and 2
    lams = f.eigenvalues
    lr, mu = 0.9, 0.5
    expected = max(theory.momentum.spectral_radius(lr, mu, lam) for lam in lams)
    assert theory.momentum.rate(lr, mu, lams) == pytest.approx(expected, rel=1e-12)
    traj = run(Momentum(lr=lr, momentum=mu), f, f.start, 400)
    d = traj.distances(f.minima[0])
    assert measured_rate(d, 100, 400) == pytest.approx(expected, rel=1e-3)


def test_rate_shapes_and_errors():
    lr, mu = np.meshgrid(np.linspace(0.1, 2, 5), np.linspace(0, 0.9, 4))
    assert theory.momentum.rate(lr, mu, [0.1, 2.0]).shape == (4, 5)
    assert np.ndim(theory.momentum.rate(0.5, 0.5, 1.0)) == 0
    with pytest.raises(ValueError, match="eigenvalues"):
        theory.momentum.rate(0.5, 0.5, np.ones((2, 2)))


# --------------------------------------------------------------------------- convergence region


def test_convergence_region_is_where_the_radius_is_below_one():
    lr, mu = np.meshgrid(np.linspace(0.01, 4.5, 181), np.linspace(0.0, 0.99, 100))
    lam = 1.0
    radius = theory.momentum.spectral_radius(lr, mu, lam)
    converges = theory.momentum.converges(lr, mu, lam)
    margin = np.abs(lr * lam - (2 + 2 * mu)) > 1e-9  # exactly on the boundary |r| = 1
    assert np.array_equal(converges[margin], (radius < 1)[margin])
    assert converges.any() and (~converges).any()
    assert not theory.momentum.converges(0.5, 1.0, 1.0)  # μ = 1: no friction
    assert not theory.momentum.converges(0.0, 0.5, 1.0)


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_max_lr_separates_convergent_and_divergent_runs(mu):
    f = functions.narrow_valley  # λ₁ = 4
    limit = theory.momentum.max_lr(mu, f.eigenvalues[-1])
    assert limit == pytest.approx(2 * (1 + mu) / 4)
    below = run(Momentum(lr=0.97 * limit, momentum=mu), f, f.start, 3000)
    above = run(Momentum(lr=1.03 * limit, momentum=mu), f, f.start, 3000)
    assert not below.diverged and below.distances(f.minima[0])[-1] < 1e-3
    assert above.diverged or above.distances(f.minima[0])[-1] > 1e3


# --------------------------------------------------------------------------- critical damping


@pytest.mark.parametrize("eta_lam", [0.01, 0.2, 1.0, 2.5])
def test_critical_momentum_gives_a_double_root_and_the_smallest_radius(eta_lam):
    mu_c = theory.momentum.critical_momentum(eta_lam, 1.0)
    assert mu_c == pytest.approx((1 - math.sqrt(eta_lam)) ** 2)
    a = 1 + mu_c - eta_lam
    assert a * a - 4 * mu_c == pytest.approx(0.0, abs=1e-12)  # discriminant 0
    best = theory.momentum.spectral_radius(eta_lam, mu_c, 1.0)
    assert best == pytest.approx(abs(1 - math.sqrt(eta_lam)), abs=1e-7)
    others = theory.momentum.spectral_radius(eta_lam, np.linspace(0, 0.999, 2000), 1.0)
    assert np.all(others >= best - 1e-7)


# --------------------------------------------------------------------------- optimal tuning


@pytest.mark.parametrize("lam_min, lam_max", [(0.1, 2.0), (1.0, 100.0), (0.5, 0.5)])
def test_optimal_parameters_closed_form(lam_min, lam_max):
    lr, mu, rate = theory.momentum.optimal(lam_min, lam_max)
    kappa = lam_max / lam_min
    assert lr == pytest.approx(4 / (math.sqrt(lam_max) + math.sqrt(lam_min)) ** 2)
    assert mu == pytest.approx(((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2, abs=1e-15)
    assert rate == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), abs=1e-15)
    # both extreme eigenvalues are critically damped, and the rate is achieved
    assert theory.momentum.critical_momentum(lr, lam_min) == pytest.approx(mu, abs=1e-12)
    assert theory.momentum.critical_momentum(lr, lam_max) == pytest.approx(mu, abs=1e-12)
    lams = np.linspace(lam_min, lam_max, 50)
    assert theory.momentum.rate(lr, mu, lams) == pytest.approx(rate, abs=1e-6)


def test_optimal_parameters_beat_a_grid_search_and_gradient_descent():
    lam_min, lam_max = 1.0, 50.0
    lr, mu, rate = theory.momentum.optimal(lam_min, lam_max)
    grid_lr, grid_mu = np.meshgrid(np.linspace(0.001, 0.2, 400), np.linspace(0, 0.99, 400))
    grid = theory.momentum.rate(grid_lr, grid_mu, [lam_min, lam_max])
    assert grid.min() >= rate - 1e-3
    kappa = lam_max / lam_min
    assert rate < (kappa - 1) / (kappa + 1)  # gradient descent's best rate
    assert theory.momentum.rate(2 / (lam_min + lam_max), 0.0, [lam_min, lam_max]) == (
        pytest.approx((kappa - 1) / (kappa + 1))
    )


def test_optimal_rate_is_measured_on_a_random_quadratic():
    rng = np.random.default_rng(3)
    lams = np.concatenate([[1.0, 100.0], rng.uniform(1.0, 100.0, 8)])
    Q, _ = np.linalg.qr(rng.normal(size=(10, 10)))
    f = functions.quadratic(Q @ np.diag(lams) @ Q.T, name="kappa100")
    lr, mu, rate = theory.momentum.optimal(1.0, 100.0)
    traj = run(Momentum(lr=lr, momentum=mu), f, rng.normal(size=10), 600)
    d = traj.distances(f.minima[0])
    # the extreme eigenvalues are double roots, so the error is ~ t·rateᵗ: measure late
    assert measured_rate(d, 300, 600) == pytest.approx(rate, rel=1e-2)
    assert rate == pytest.approx(9 / 11)


def test_optimal_rejects_bad_eigenvalues():
    for bad in [(0.0, 1.0), (-1.0, 2.0), (3.0, 2.0), (1.0, math.inf)]:
        with pytest.raises(ValueError, match="lam_min"):
            theory.momentum.optimal(*bad)
