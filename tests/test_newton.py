"""descent.newton: one step on quadratics, quadratic convergence, and what it is attracted to."""

import numpy as np
import pytest

from descent import functions
from descent.newton import newton, newton_step
from descent.training import Trajectory


def test_one_step_solves_any_positive_definite_quadratic():
    rng = np.random.default_rng(0)
    for n, kappa in [(2, 1.0), (2, 1e4), (5, 1e3)]:
        q, _ = np.linalg.qr(rng.normal(size=(n, n)))
        A = q @ np.diag(np.geomspace(1.0, kappa, n)) @ q.T
        f = functions.quadratic((A + A.T) / 2, b=rng.normal(size=n))
        traj = newton(f, rng.normal(size=n), steps=1)
        np.testing.assert_allclose(traj.final, f.minima[0], rtol=1e-8, atol=1e-8)
    traj = newton(functions.bowl, steps=1)  # default start
    assert np.allclose(traj.points, [[-7.0, 2.0], [0.0, 0.0]])


def test_the_step_solves_h_d_equals_minus_g():
    f, theta = functions.rosenbrock, np.array([-1.5, 2.0])
    d = newton_step(f, theta)
    np.testing.assert_allclose(f.hessian(theta) @ d, -f.grad(theta), rtol=1e-12)
    assert newton_step(functions.sinc10, [4.0]).shape == (1,)


def test_quadratic_convergence_on_sinc10_with_the_predicted_constant():
    f, x_star = functions.sinc10, functions.sinc10.minima[1][0]
    traj = newton(f, [4.0], steps=6)
    e = traj.points[:, 0] - x_star  # signed errors
    h = 1e-5
    f3 = (f.hessian([x_star + h]) - f.hessian([x_star - h]))[0, 0] / (2 * h)  # f'''(x*)
    constant = f3 / (2 * f.hessian([x_star])[0, 0])
    assert 1e-5 < abs(e[2]) < 1e-3 and abs(e[3]) < 1e-8  # digits: ~4, then ~8.5
    assert e[3] / e[2] ** 2 == pytest.approx(constant, rel=1e-2)
    digits = -np.log10(np.abs(e[1:4]))
    assert np.all(digits[1:] / digits[:-1] > 1.8)  # the correct digits about double
    assert np.all(np.abs(e[4:]) < 1e-15)


def test_attracted_to_any_stationary_point():
    saddle = newton(functions.saddle, steps=1)  # one step onto the saddle point
    np.testing.assert_allclose(saddle.final, [0.0, 0.0], atol=1e-15)
    maximum = newton(functions.himmelblau, [0.0, 0.0], steps=8)
    assert np.all(np.linalg.eigvalsh(functions.himmelblau.hessian(maximum.final)) < 0)
    assert np.linalg.norm(functions.himmelblau.grad(maximum.final)) < 1e-10


def test_a_singular_hessian_stops_the_run_cleanly():
    flat = functions.quadratic(np.diag([1.0, 0.0]))  # H singular everywhere
    traj = newton(flat, [1.0, 1.0], steps=5)
    assert traj.diverged and traj.diverged_at == 1 and traj.steps == 0
    assert "diverged at step 1" in repr(traj)


def test_leaving_the_bound_is_divergence():
    traj = newton(functions.sinc10, [2.0], steps=5, bound=10.0)  # f''(2) < 0: to x = -20.6
    assert traj.diverged and traj.diverged_at == 1 and traj.steps == 0
    assert newton(functions.sinc10, [2.0], steps=1).final[0] == pytest.approx(-20.617, abs=1e-3)


def test_where_the_curvature_is_negative_newton_steps_uphill():
    # on the plateau's rim (r > 1) the radial curvature is negative: away from the well
    traj = newton(functions.plateau, [3.0, 0.0], steps=10)
    assert np.all(np.diff(traj.values) > 0) and np.all(np.diff(traj.points[:, 0]) > 0)


def test_damped_newton_label_start_and_validation():
    start = np.array([2.0, 2.0])
    traj = newton(functions.bowl, start, steps=3, lr=0.5)
    assert isinstance(traj, Trajectory) and traj.label == "Newton (η=0.5)"
    np.testing.assert_allclose(traj.points, start * 0.5 ** np.arange(4)[:, None])
    np.testing.assert_array_equal(start, [2.0, 2.0])  # not modified
    assert newton(functions.bowl, steps=0).steps == 0 and newton(functions.bowl).label == "Newton"
    with pytest.raises(ValueError, match="lr"):
        newton(functions.bowl, lr=0.0)
    with pytest.raises(ValueError, match="steps"):
        newton(functions.bowl, steps=-1)
    with pytest.raises(ValueError, match="shape"):
        newton(functions.bowl, [1.0, 2.0, 3.0])
