"""descent.theory.nesterov (Chapter 7) and descent.theory.lower_bound, checked against the
iterates of descent.optimizers.Nesterov and against independent computations (eigenvalues
of the iteration matrix, grid searches, dense linear algebra)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from descent import theory
from descent.optimizers import Momentum, Nesterov


def nesterov_iterates(lr, mu, grad, theta0, n):
    """θ_0..θ_n and the velocities v_t = −η b_t of the package's Nesterov, shape (n+1, d)."""
    opt = Nesterov(lr=lr, momentum=mu)
    theta = np.array(theta0, dtype=float)
    params = {"theta": theta}
    thetas, vs = [theta.copy()], [np.zeros_like(theta)]
    for _ in range(n):
        opt.update(params, {"theta": grad(theta)})
        thetas.append(theta.copy())
        vs.append(-lr * opt.state["theta"]["b"])
    return np.array(thetas), np.array(vs)


@pytest.mark.parametrize(
    ("lr", "mu", "lam"),
    [(0.1, 0.9, 2.0), (0.5, 0.6, 2.5), (0.3, 0.0, 1.0), (0.02, 0.99, 3.0)],
)
def test_iteration_matrix_reproduces_the_package_iterates(lr, mu, lam):
    # 1.25 = ηλ > 1 in the second case: the iterates flip sign, the matrix must follow.
    thetas, vs = nesterov_iterates(lr, mu, lambda th: lam * th, [1.5], 60)
    N = theory.nesterov.iteration_matrix(lr, mu, lam)
    state = np.array([0.0, 1.5])
    for t in range(1, 61):
        state = N @ state
        np.testing.assert_allclose(state, [vs[t, 0], thetas[t, 0]], rtol=1e-10, atol=1e-14)
    assert abs(thetas[1, 0] - 1.5) > 1e-3  # it moved


def test_spectral_radius_is_that_of_the_matrix_and_broadcasts():
    rng = np.random.default_rng(0)
    lrs, mus, lams = rng.uniform(0.01, 1.5, 200), rng.uniform(0, 0.999, 200), rng.uniform(0, 2, 200)
    radii = theory.nesterov.spectral_radius(lrs, mus, lams)
    assert radii.shape == (200,)
    for lr, mu, lam, r in zip(lrs, mus, lams, radii, strict=True):
        expected = np.max(np.abs(np.linalg.eigvals(theory.nesterov.iteration_matrix(lr, mu, lam))))
        assert r == pytest.approx(expected, rel=1e-6, abs=1e-9)
    assert isinstance(theory.nesterov.spectral_radius(0.1, 0.5, 1.0), float)
    # μ = 0 is gradient descent
    np.testing.assert_allclose(
        theory.nesterov.spectral_radius(lrs, 0.0, lams), np.abs(1 - lrs * lams)
    )


def test_measured_rate_of_the_package_matches_the_predicted_rate():
    eigenvalues = np.array([0.05, 0.4, 1.0, 2.0])
    grad = eigenvalues.__mul__
    for lr, mu in [(0.5, 0.6), (0.3, 0.9), (0.6, 0.3)]:
        thetas, _ = nesterov_iterates(lr, mu, grad, np.ones(4), 400)
        predicted = theory.nesterov.rate(lr, mu, eigenvalues)
        measured = theory.measured_rate(thetas, np.zeros(4), floor=1e-13)
        assert measured == pytest.approx(predicted, abs=0.01), (lr, mu)
        assert predicted < 1


def test_radius_is_largest_at_an_end_of_the_interval():
    rng = np.random.default_rng(1)
    lams = np.linspace(0.01, 1.0, 301)
    for lr, mu in zip(rng.uniform(0.05, 1.3, 300), rng.uniform(0, 0.999, 300), strict=True):
        inside = theory.nesterov.rate(lr, mu, lams)
        assert inside <= theory.nesterov.rate(lr, mu, [lams[0], lams[-1]]) + 1e-12


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
def test_stability_limit_agrees_with_the_radius_and_with_runs(mu):
    lam = 2.0
    limit = theory.nesterov.max_lr(mu, lam)
    assert limit * lam == pytest.approx(2 * (1 + mu) / (1 + 2 * mu))
    for factor, converges in [(0.97, True), (1.03, False)]:
        lr = factor * limit
        assert bool(theory.nesterov.converges(lr, mu, lam)) is converges
        assert bool(theory.nesterov.spectral_radius(lr, mu, lam) < 1) is converges
        thetas, _ = nesterov_iterates(lr, mu, lambda th: lam * th, [1.0], 3000)
        assert bool(abs(thetas[-1, 0]) < 1e-3) is converges, (mu, factor, thetas[-1])
    # smaller than heavy ball's limit 2(1 + μ)/λ for every μ > 0
    if mu > 0:
        assert limit < theory.momentum.max_lr(mu, lam)


def test_heavy_ball_survives_a_learning_rate_that_nesterov_does_not():
    lam, lr, mu = 1.0, 2.0, 0.9  # ηλ = 2: heavy ball's limit is 3.8, Nesterov's 1.36
    opt_hb, opt_nag = Momentum(lr=lr, momentum=mu), Nesterov(lr=lr, momentum=mu)
    for opt, converges in [(opt_hb, True), (opt_nag, False)]:
        theta = np.array([1.0])
        with np.errstate(all="ignore"):
            for _ in range(400):
                opt.update({"theta": theta}, {"theta": lam * theta})
        assert bool(abs(theta[0]) < 1e-3) is converges


def test_critical_momentum_gives_a_double_root_and_the_smallest_radius():
    mus = np.linspace(0.0, 0.999, 4000)
    for eta_lam in [0.01, 0.1, 0.3, 0.7, 0.95]:
        mu_c = theory.nesterov.critical_momentum(eta_lam, 1.0)
        roots = np.linalg.eigvals(theory.nesterov.iteration_matrix(eta_lam, mu_c, 1.0))
        assert abs(roots[0] - roots[1]) < 1e-6
        np.testing.assert_allclose(roots.real, 1 - math.sqrt(eta_lam), atol=1e-6)
        radii = theory.nesterov.spectral_radius(eta_lam, mus, 1.0)
        assert abs(mus[np.argmin(radii)] - mu_c) < 1e-3
        at_mu_c = theory.nesterov.spectral_radius(eta_lam, mu_c, 1.0)
        assert at_mu_c == pytest.approx(1 - math.sqrt(eta_lam), abs=1e-6)
        assert radii.min() >= at_mu_c - 1e-7  # a double root: √ of a rounding error
        # larger than heavy ball's critical momentum, with the same best radius
        assert mu_c > theory.momentum.critical_momentum(eta_lam, 1.0)


@pytest.mark.parametrize("kappa", [4.0, 25.0, 100.0, 1000.0])
def test_standard_constants_have_rate_one_minus_one_over_root_kappa(kappa):
    lr, mu, rate = theory.nesterov.standard(1.0, kappa)
    assert rate == pytest.approx(1 - 1 / math.sqrt(kappa))
    dense = np.linspace(1.0, kappa, 2001)
    assert theory.nesterov.rate(lr, mu, dense) == pytest.approx(rate, rel=1e-9)
    # the flattest direction is critically damped
    assert mu == pytest.approx(theory.nesterov.critical_momentum(lr, 1.0))
    # measured on the package's iterates, on a diagonal quadratic with both ends
    eigenvalues = np.array([1.0, math.sqrt(kappa), kappa])
    thetas, _ = nesterov_iterates(lr, mu, eigenvalues.__mul__, np.ones(3), 3000)
    measured = theory.measured_rate(thetas, np.zeros(3), floor=1e-12)
    # a double root: the error is (a + b t) rate^t, so the measured rate is a little larger
    assert rate - 1e-3 < measured < rate + 0.15 * (1 - rate)


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_optimal_constants_beat_a_grid_and_lose_to_heavy_ball(kappa):
    lr, mu, rate = theory.nesterov.optimal(1.0, kappa)
    # a double root at λₙ: the radius carries √(rounding error) ≈ 1e-8
    assert theory.nesterov.rate(lr, mu, [1.0, kappa]) == pytest.approx(rate, abs=1e-7)
    lrs = np.linspace(0.5, 1.45, 96)[:, np.newaxis] / kappa
    mus = np.linspace(0.0, 0.999, 500)[np.newaxis, :]
    grid = theory.nesterov.rate(lrs, mus, [1.0, kappa])
    assert grid.min() >= rate - 1e-7
    assert grid.min() < rate + 0.01 * (1 - rate) * 10  # and the grid gets close to it
    assert rate < theory.nesterov.standard(1.0, kappa)[2]
    hb_rate = theory.momentum.optimal(1.0, kappa)[2]
    assert hb_rate < rate
    assert hb_rate == pytest.approx(theory.lower_bound.rate(kappa))
    # steps ∝ 1/ln(1/rate): heavy ball needs fewer, about 1/√3 of Nesterov's best for large κ
    ratio = math.log(rate) / math.log(hb_rate)
    assert ratio < 0.7
    if kappa >= 100:
        assert ratio == pytest.approx(1 / math.sqrt(3), rel=0.1)


def test_interval_arguments_are_validated():
    for fn in (theory.nesterov.standard, theory.nesterov.optimal):
        with pytest.raises(ValueError, match="lam_min"):
            fn(0.0, 1.0)
        with pytest.raises(ValueError, match="lam_min"):
            fn(2.0, 1.0)
    with pytest.raises(ValueError, match="eigenvalues"):
        theory.nesterov.rate(0.1, 0.5, np.ones((2, 2)))
    with pytest.raises(ValueError, match="kappa"):
        theory.lower_bound.WorstCaseQuadratic(1.0, 10)
    with pytest.raises(ValueError, match="n must"):
        theory.lower_bound.WorstCaseQuadratic(10.0, 1)


def test_worst_case_quadratic_against_dense_linear_algebra():
    f = theory.lower_bound.WorstCaseQuadratic(kappa=50.0, n=40, lam_min=0.5)
    A = f.hessian()
    b = np.zeros(40)
    b[0] = (f.lam_max - f.lam_min) / 4
    rng = np.random.default_rng(2)
    x = rng.normal(size=40)
    np.testing.assert_allclose(f.grad(x), A @ x - b, rtol=1e-12, atol=1e-12)
    assert f(x) == pytest.approx(0.5 * x @ A @ x - b @ x, rel=1e-12)
    np.testing.assert_allclose(f.minimizer, np.linalg.solve(A, b), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(np.sort(f.eigenvalues), np.linalg.eigvalsh(A), rtol=1e-10)
    assert f.lam_min < f.eigenvalues.min() and f.eigenvalues.max() < f.lam_max
    assert f.f_min == pytest.approx(-0.5 * b @ f.minimizer)
    np.testing.assert_allclose(f.grad(f.minimizer), 0, atol=1e-12)
    # the minimizer decays like q^i, q the lower-bound rate
    ratios = f.minimizer[1:10] / f.minimizer[:9]
    np.testing.assert_allclose(ratios, theory.lower_bound.rate(50.0), rtol=1e-6)
    with pytest.raises(ValueError, match="shape"):
        f.grad(np.zeros(39))


def test_no_span_method_beats_the_tail_bound_on_the_worst_case():
    kappa, n = 100.0, 200
    f = theory.lower_bound.WorstCaseQuadratic(kappa, n)
    star = f.minimizer
    nag = theory.nesterov.standard(f.lam_min, f.lam_max)[:2]
    hb = theory.momentum.optimal(f.lam_min, f.lam_max)[:2]
    for cls, (lr, mu) in [(Nesterov, nag), (Momentum, hb)]:
        opt = cls(lr=lr, momentum=mu)
        theta = np.zeros(n)
        for t in range(1, 61):
            opt.update({"theta": theta}, {"theta": f.grad(theta)})
            assert np.all(theta[t:] == 0)  # information travels one coordinate per step
            assert np.linalg.norm(theta - star) >= f.tail(t) * np.linalg.norm(star) * (1 - 1e-12)
    # the tail is the lower bound q^t up to the finite dimension
    assert f.tail(30) == pytest.approx(theory.lower_bound.rate(kappa) ** 30, rel=1e-6)
