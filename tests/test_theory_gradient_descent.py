"""descent.theory.gradient_descent: the closed forms against runs of the SGD class."""

import numpy as np
import pytest

from descent import functions, theory
from descent.optimizers import SGD
from descent.training import run


def rotated_quadratic(eigenvalues, seed=0):
    """½ θᵀAθ − bᵀθ with A = Q diag(λ) Qᵀ for a random rotation Q and a random b."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(len(eigenvalues), len(eigenvalues))))
    A = q @ np.diag(eigenvalues) @ q.T
    return functions.quadratic((A + A.T) / 2, b=rng.normal(size=len(eigenvalues)))


def test_factors_and_rate_by_hand():
    np.testing.assert_allclose(theory.gradient_descent.factors(0.5, [0.2, 4.0]), [0.9, -1.0])
    assert theory.gradient_descent.rate(0.5, [0.2, 4.0]) == pytest.approx(1.0)
    assert theory.gradient_descent.rate(0.25, functions.narrow_valley) == pytest.approx(
        0.95
    )  # max(0.95, 0)
    rates = theory.gradient_descent.rate(np.array([0.1, 0.25, 0.6]), [0.2, 4.0])
    np.testing.assert_allclose(rates, [0.98, 0.95, 1.4])
    assert theory.gradient_descent.factors(np.ones((3, 4)), [1.0, 2.0]).shape == (3, 4, 2)


def test_convergence_condition_is_zero_below_eta_lambda_below_two():
    lams = [0.1, 2.0]  # the bowl: 2/λ₁ = 1
    assert theory.gradient_descent.max_lr(lams) == pytest.approx(1.0)
    lrs = np.array([-0.1, 0.0, 0.5, 0.999, 1.0, 1.001])
    np.testing.assert_array_equal(theory.gradient_descent.converges(lrs, lams), [0, 0, 1, 1, 0, 0])
    assert not theory.gradient_descent.converges(
        0.1, [-1.0, 1.0]
    )  # a saddle never converges from every start
    assert not theory.gradient_descent.converges(0.1, [0.0, 1.0])  # nor a flat direction
    with pytest.raises(ValueError, match="largest eigenvalue"):
        theory.gradient_descent.max_lr([-1.0, 0.0])


@pytest.mark.parametrize("f", [functions.bowl, functions.narrow_valley], ids=lambda f: f.name)
def test_the_optimal_step_balances_the_extreme_directions(f):
    lam = f.eigenvalues
    lr, rate = theory.gradient_descent.optimal(lam.min(), lam.max())
    assert lr == pytest.approx(2 / (lam.max() + lam.min()))
    kappa = f.condition_number
    assert rate == pytest.approx((kappa - 1) / (kappa + 1)) == pytest.approx(19 / 21)
    factors = theory.gradient_descent.factors(lr, lam)
    assert factors[0] == pytest.approx(-factors[1])  # equal size, opposite signs
    # and it is the minimum of the rate over a fine grid of learning rates
    grid = np.linspace(0.01, 2 / lam.max(), 20001)
    assert grid[np.argmin(theory.gradient_descent.rate(grid, lam))] == pytest.approx(lr, abs=1e-3)
    assert theory.gradient_descent.rate(grid, lam).min() >= rate - 1e-12


def test_optimal_refuses_bad_eigenvalues():
    for lam_min, lam_max in [(0.0, 1.0), (2.0, 1.0), (-1.0, 1.0), (1.0, np.inf)]:
        with pytest.raises(ValueError, match="lam_min"):
            theory.gradient_descent.optimal(lam_min, lam_max)


@pytest.mark.parametrize("eta_fraction", [0.3, 1.0, 1.5])  # of the optimal step
def test_measured_rate_of_sgd_runs_matches_the_prediction(eta_fraction):
    f = rotated_quadratic([0.5, 2.0, 10.0], seed=1)
    lr = eta_fraction * theory.gradient_descent.optimal(0.5, 10.0)[0]
    traj = run(SGD(lr=lr), f, f.start, steps=300)
    measured = theory.measured_rate(traj, f.minima[0])
    assert measured == pytest.approx(theory.gradient_descent.rate(lr, f.eigenvalues), abs=1e-4)


def test_measured_rate_of_a_divergent_run_is_above_one():
    f = functions.narrow_valley
    traj = run(SGD(lr=0.52), f, f.start, steps=60)  # ηλ₁ = 2.08
    assert theory.measured_rate(traj, [0.0, 0.0]) == pytest.approx(1.08, abs=1e-3)


def test_measured_rate_on_exact_geometric_sequences_and_the_floor():
    t = np.arange(40)
    assert theory.measured_rate(0.7**t, 0.0) == pytest.approx(0.7, rel=1e-12)
    points = np.column_stack([3 * (-0.5) ** t, np.zeros(40)])
    assert theory.measured_rate(points, [0.0, 0.0], skip=0) == pytest.approx(0.5, rel=1e-12)
    # iterates that reach the minimum exactly (or below the floor) are not used
    hits_zero = np.concatenate([0.1 ** np.arange(6), np.zeros(10)])
    assert theory.measured_rate(hits_zero, 0.0, skip=0) == pytest.approx(0.1, rel=1e-9)
    with pytest.raises(ValueError, match="at least 2 iterates"):
        theory.measured_rate([1.0, 0.1, 0.0, 0.0], 0.0)  # skip 1 of 2 usable leaves 1
    with pytest.raises(ValueError, match="first iterate"):
        theory.measured_rate([0.0, 0.0], 0.0)


def test_steps_for_reduction_grow_like_kappa():
    assert theory.steps_for_reduction(0.5, 1e-3) == 10  # 0.5^10 < 1e-3 < 0.5^9
    assert theory.steps_for_reduction(0.1, 1e-6) == 6  # exact powers are not rounded up
    assert theory.steps_for_reduction(0.0, 1e-6) == 1
    steps = [
        theory.steps_for_reduction(theory.gradient_descent.optimal(1.0, k)[1], 1e-6)
        for k in (10, 100, 1000)
    ]
    assert steps[1] / steps[0] == pytest.approx(10, rel=0.1)
    assert steps[2] / steps[1] == pytest.approx(10, rel=0.02)
    assert steps[2] == pytest.approx(1000 / 2 * np.log(1e6), rel=0.01)  # (κ/2) ln(1/ε)
    for bad in [(1.0, 0.1), (0.5, 1.0), (0.5, 0.0)]:
        with pytest.raises(ValueError):
            theory.steps_for_reduction(*bad)


def test_gd_rate_equals_momentum_rate_without_momentum():
    lams = np.array([0.3, 1.0, 7.0])
    lrs = np.linspace(0.01, 0.35, 15)
    np.testing.assert_allclose(
        theory.gradient_descent.rate(lrs, lams), theory.momentum.rate(lrs, 0.0, lams)
    )
