"""Tests of descent.functions: every analytic derivative against finite differences, and the
facts (minima, saddles, windows) that the chapters print and plot."""

import numpy as np
import pytest

from descent import functions
from descent.functions import ALL, quadratic
from descent.gradients import numerical_gradient, relative_error

# every named problem, plus a 3-D quadratic with a non-zero b and a non-diagonal A
_rng = np.random.default_rng(42)
_M = _rng.standard_normal((3, 3))
QUAD3 = quadratic(_M @ _M.T + np.eye(3), b=[1.0, -2.0, 0.5], name="quad3")
PROBLEMS = [*ALL.values(), QUAD3]
IDS = [f.name for f in PROBLEMS]


def random_points(f, k, seed):
    """k points inside the plotting window (or around the minimum in n-D), shape (k, dim)."""
    rng = np.random.default_rng(seed)
    if f.dim == 1:
        lo, hi = f.window
        return rng.uniform(lo, hi, size=(k, 1))
    if f.window is not None:
        (x0, x1), (y0, y1) = f.window
        return np.column_stack([rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)])
    return f.minima[0] + 3 * rng.standard_normal((k, f.dim))


def numerical_jacobian(g, x, h=1e-5):
    """J[i, j] = ∂gᵢ/∂xⱼ by centered differences, row by row."""
    return np.array(
        [numerical_gradient(lambda z, i=i: g(z)[i], x.copy(), h) for i in range(len(x))]
    )


def test_all_holds_the_seven_named_problems():
    expected = {"bowl", "narrow_valley", "rosenbrock", "beale", "saddle", "himmelblau", "sinc10"}
    assert set(ALL) == expected
    assert all(name == f.name for name, f in ALL.items())


@pytest.mark.parametrize("f", PROBLEMS, ids=IDS)
def test_gradient_matches_finite_differences(f):
    for x in random_points(f, 8, seed=0):
        err = relative_error(f.grad(x), numerical_gradient(f, x))
        assert err <= 1e-7, (f.name, x, err)


@pytest.mark.parametrize("f", PROBLEMS, ids=IDS)
def test_hessian_is_the_jacobian_of_the_gradient(f):
    for x in random_points(f, 5, seed=1):
        H = f.hessian(x)
        assert H.shape == (f.dim, f.dim)
        np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-12)
        err = relative_error(H, numerical_jacobian(f.grad, x), scale="array")
        assert err <= 1e-7, (f.name, x, err)


@pytest.mark.parametrize("f", PROBLEMS, ids=IDS)
def test_minima_are_stationary_with_value_f_min(f):
    for m in f.minima:
        assert m.shape == (f.dim,)
        assert np.max(np.abs(f.grad(m))) <= 1e-12, (f.name, m, f.grad(m))
        assert abs(f(m) - f.f_min) <= 1e-12 * max(1.0, abs(f.f_min))
        assert np.all(np.linalg.eigvalsh(f.hessian(m)) > 0), "a minimum has a positive Hessian"


@pytest.mark.parametrize("f", PROBLEMS, ids=IDS)
def test_saddle_points_are_stationary_and_indefinite(f):
    for p in f.saddle_points:
        assert np.max(np.abs(f.grad(p))) <= 1e-12, (f.name, p)
        eigenvalues = np.linalg.eigvalsh(f.hessian(p))
        assert eigenvalues[0] < 0 < eigenvalues[-1], (f.name, p, eigenvalues)


@pytest.mark.parametrize(
    "f", [f for f in ALL.values() if f.f_min is not None], ids=lambda f: f.name
)
def test_nothing_in_the_window_is_below_f_min(f):
    """f_min is the global minimum: a fine grid over the window finds nothing lower."""
    if f.dim == 1:
        grid = np.linspace(*f.window, 20001)[np.newaxis]
    else:
        (x0, x1), (y0, y1) = f.window
        grid = np.stack(np.meshgrid(np.linspace(x0, x1, 401), np.linspace(y0, y1, 401)))
    values = f(grid)
    assert values.min() >= f.f_min - 1e-12
    assert values.min() <= f.f_min + 1e-2 * max(1.0, np.ptp(values))  # and it is reached


def test_saddle_has_no_minimum_and_is_unbounded_below():
    f = functions.saddle
    assert f.minima == [] and f.f_min is None
    assert f(np.array([0.0, 1e6])) < -1e11


@pytest.mark.parametrize("f", PROBLEMS, ids=IDS)
def test_vectorised_evaluation_equals_pointwise(f):
    points = random_points(f, 12, seed=2)  # (12, dim)
    grid = points.T.reshape(f.dim, 3, 4)  # coordinates first, then a 3×4 grid
    values, grads, hessians = f(grid), f.grad(grid), f.hessian(grid)
    assert values.shape == (3, 4)
    assert grads.shape == (f.dim, 3, 4)
    assert hessians.shape == (f.dim, f.dim, 3, 4)
    for k, x in enumerate(points):
        i, j = divmod(k, 4)
        np.testing.assert_allclose(values[i, j], f(x), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(grads[:, i, j], f.grad(x), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(hessians[:, :, i, j], f.hessian(x), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("f", ALL.values(), ids=list(ALL))
def test_metadata_for_plots(f):
    assert f.start.shape == (f.dim,)
    assert isinstance(f.formula, str) and f.formula.count("$") == 0 and "x" in f.formula
    if f.dim == 1:
        lo, hi = f.window
        assert lo < f.start[0] < hi
        assert all(lo < m[0] < hi for m in f.minima)
    else:
        (x0, x1), (y0, y1) = f.window
        assert x0 < f.start[0] < x1 and y0 < f.start[1] < y1
        assert all(x0 < m[0] < x1 and y0 < m[1] < y1 for m in f.minima)
        assert np.all(np.diff(f.levels) > 0), "contour levels must increase"


def test_log_spaced_levels_for_the_steep_functions():
    for f in (functions.rosenbrock, functions.beale):
        ratios = f.levels[1:] / f.levels[:-1]
        np.testing.assert_allclose(ratios, ratios[0])
        assert ratios[0] > 1.5


def test_shared_arrays_are_read_only():
    f = functions.rosenbrock
    with pytest.raises(ValueError):
        f.start[0] = 0.0
    with pytest.raises(ValueError):
        f.minima[0][0] = 0.0
    theta = f.start.copy()  # the documented way to start an update
    theta -= 0.1
    assert f.start[0] == -1.5


def test_points_of_the_wrong_shape_are_refused_with_a_hint():
    with pytest.raises(ValueError, match=r"shape \(2, \.\.\.\)"):
        functions.rosenbrock(np.zeros(3))
    with pytest.raises(ValueError, match=r"xs\[np.newaxis\]"):
        functions.sinc10(np.zeros((5, 2)))


# --------------------------------------------------------------------------- named facts


def test_the_named_problems_have_their_textbook_minima():
    np.testing.assert_array_equal(functions.rosenbrock.minima[0], [1.0, 1.0])
    np.testing.assert_array_equal(functions.beale.minima[0], [3.0, 0.5])
    assert len(functions.himmelblau.minima) == 4
    np.testing.assert_allclose(np.abs(functions.sinc10.minima[0]), 4.493409457909064)
    assert functions.bowl(np.array([-7.0, 2.0])) == pytest.approx(49 / 20 + 4)
    assert functions.narrow_valley(np.array([-5.0, -2.0])) == pytest.approx(0.1 * 25 + 2 * 4)


def test_bowl_and_valley_are_quadratics_with_condition_number_20():
    for f in (functions.bowl, functions.narrow_valley):
        assert isinstance(f, functions.Quadratic)
        assert f.condition_number == pytest.approx(20.0)
    np.testing.assert_allclose(functions.bowl.eigenvalues, [0.1, 2.0])


def test_quadratic_factory():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    f = quadratic(A, b, name="tilted")
    x_star = np.linalg.solve(A, b)
    np.testing.assert_allclose(f.minima[0], x_star)
    assert f.f_min == pytest.approx(-0.5 * b @ x_star)
    np.testing.assert_allclose(f.eigenvalues, np.linalg.eigvalsh(A))
    assert f.condition_number == pytest.approx(f.eigenvalues[1] / f.eigenvalues[0])
    x = np.array([0.3, -0.7])
    assert f(x) == pytest.approx(0.5 * x @ A @ x - b @ x)
    np.testing.assert_allclose(f.grad(x), A @ x - b)
    assert f.name == "tilted" and f.window is not None and len(f.levels) > 0


def test_quadratic_refuses_bad_matrices():
    with pytest.raises(ValueError, match="symmetric"):
        quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="semidefinite"):
        quadratic([[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError, match="shape"):
        quadratic([[1.0, 0.0], [0.0, 1.0]], b=[1.0, 2.0, 3.0])


def test_singular_quadratic_has_a_valley_not_a_point():
    f = quadratic([[1.0, 0.0], [0.0, 0.0]], b=[2.0, 0.0])  # minimum along the line x = 2
    assert f.minima == [] and f.f_min == pytest.approx(-2.0)
    assert f.condition_number == np.inf
    g = quadratic([[1.0, 0.0], [0.0, 0.0]], b=[0.0, 1.0])  # −y: no minimum at all
    assert g.f_min is None


# --------------------------------------------------------------------------- sinc10 near 0


def test_sinc10_at_zero_has_its_limits():
    f = functions.sinc10
    assert f(np.array([0.0])) == 10.0
    assert f.grad(np.array([0.0]))[0] == 0.0
    assert f.hessian(np.array([0.0]))[0, 0] == pytest.approx(-10 / 3, rel=1e-15)


def test_sinc10_is_finite_and_smooth_across_the_series_threshold():
    f = functions.sinc10
    xs = np.concatenate([np.linspace(-0.3, 0.3, 6001), [1e-300, -1e-300, 1e-8, 0.1, -0.1]])
    x = xs[np.newaxis]
    for values in (f(x), f.grad(x), f.hessian(x)):
        assert np.all(np.isfinite(values))
    # the series (|x| < 0.1) and the closed form (|x| ≥ 0.1) meet without a jump
    below, above = np.array([[0.1 - 1e-12]]), np.array([[0.1]])
    assert abs(f(below) - f(above)) < 1e-10
    assert abs(f.grad(below) - f.grad(above)).max() < 1e-10
    assert abs(f.hessian(below) - f.hessian(above)).max() < 1e-10
    # where both are accurate, the series agrees with the closed form of sin(x)/x
    near = np.linspace(0.05, 0.0999, 50)
    np.testing.assert_allclose(f(near[np.newaxis]), 10 * np.sin(near) / near, rtol=1e-15)


def test_sinc10_derivatives_near_zero_match_finite_differences():
    f = functions.sinc10
    for x0 in (1e-3, -0.02, 0.0999, 0.1001, 0.5):
        x = np.array([x0])
        assert relative_error(f.grad(x), numerical_gradient(f, x)) <= 1e-7
        # the second derivative is ≈ −10/3 here, far from 0: the entry-wise error is meaningful
        assert relative_error(f.hessian(x), numerical_jacobian(f.grad, x)) <= 1e-7


def test_sinc10_near_zero_is_accurate_to_rounding():
    """Against the leading Taylor terms (the omitted ones are below 1e-15 relative for
    |x| ≤ 1e-2), where the closed forms lose digits to cancellation: at x = 1e-6 the
    closed-form derivative (x cos x − sin x)/x² keeps only 4 of 16 digits."""
    f = functions.sinc10
    xs = np.array([1e-8, -1e-6, 1e-4, -1e-2])
    x = xs[np.newaxis]
    np.testing.assert_allclose(f(x), 10 * (1 - xs**2 / 6 + xs**4 / 120), rtol=1e-15)
    np.testing.assert_allclose(f.grad(x)[0], 10 * (-xs / 3 + xs**3 / 30 - xs**5 / 840), rtol=1e-14)
    np.testing.assert_allclose(
        f.hessian(x)[0, 0], 10 * (-1 / 3 + xs**2 / 10 - xs**4 / 168), rtol=1e-14
    )
    # and the series still agree with the closed forms just inside the threshold
    near = np.linspace(0.07, 0.0999, 30)
    closed_grad = 10 * (near * np.cos(near) - np.sin(near)) / near**2
    closed_hess = 10 * ((2 - near**2) * np.sin(near) - 2 * near * np.cos(near)) / near**3
    np.testing.assert_allclose(f.grad(near[np.newaxis])[0], closed_grad, rtol=1e-12)
    np.testing.assert_allclose(f.hessian(near[np.newaxis])[0, 0], closed_hess, rtol=1e-11)
