"""descent.functions.cliff (Chapters 8 and 9): derivatives, metadata, and the shape it is for."""

import numpy as np
import pytest

from descent import functions
from descent.gradients import numerical_gradient, relative_error
from descent.optimizers import AdaGrad
from descent.training import run

f = functions.cliff


def test_gradient_and_hessian_match_finite_differences():
    rng = np.random.default_rng(8)
    for x in rng.uniform([-10, -5], [10, 5], size=(12, 2)):
        assert relative_error(f.grad(x), numerical_gradient(f, x)) <= 1e-7
        jac = np.array([numerical_gradient(lambda z, i=i: f.grad(z)[i], x.copy()) for i in (0, 1)])
        H = f.hessian(x)
        np.testing.assert_allclose(H, H.T)
        assert relative_error(H, jac, scale="array") <= 1e-6


def test_vectorised_on_a_grid_and_finite_far_out():
    X, Y = np.meshgrid(np.linspace(-10, 10, 4), np.linspace(-5, 5, 3))
    grid = np.stack([X, Y])
    assert f(grid).shape == (3, 4) and f.grad(grid).shape == (2, 3, 4)
    assert f.hessian(grid).shape == (2, 2, 3, 4)
    np.testing.assert_allclose(f.hessian(grid)[:, :, 1, 2], f.hessian(grid[:, 1, 2]))
    far = np.array([-500.0, 0.0])  # e^{2000} would overflow; logaddexp does not
    assert np.isfinite(f(far)) and f.grad(far)[0] == pytest.approx(-50 - 20)


def test_minimum_and_metadata():
    assert f.name == "cliff" and f.dim == 2 and "cliff" not in functions.ALL
    x_star = f.minima[0]
    assert np.linalg.norm(f.grad(x_star)) < 1e-15
    assert 4.0e-7 < x_star[0] < 4.2e-7 and x_star[1] == 0.0
    assert f(x_star) == pytest.approx(f.f_min, rel=1e-12) and 1.0e-8 < f.f_min < 1.1e-8
    assert np.all(np.linalg.eigvalsh(f.hessian(x_star)) > 0)
    rng = np.random.default_rng(1)
    others = rng.uniform([-10, -5], [10, 5], size=(2000, 2)).T
    assert np.all(f(others) > f.f_min)
    assert f.window == functions.bowl.window
    np.testing.assert_array_equal(f.start, functions.bowl.start)
    np.testing.assert_array_equal(f.levels[:10], functions.bowl.levels)  # the bowl's, then more
    assert np.all(np.diff(f.levels) > 0) and f.levels[-1] == 121.0


def test_a_bowl_on_the_right_a_steep_cliff_on_the_left():
    right = np.stack(np.meshgrid(np.linspace(-0.4, 10, 50), np.linspace(-5, 5, 11)))
    np.testing.assert_allclose(f(right), functions.bowl(right), rtol=0, atol=1e-7)
    for x in (-7.0, -9.0):  # on the cliff the x-slope is about −20, 30 times the bowl's −0.7
        assert f.grad(np.array([x, 0.0]))[0] == pytest.approx(-20 + x / 10, abs=1e-2)


def test_adagrad_remembers_the_cliff():
    # the same AdaGrad, from the same point at the foot of the cliff: with the memory of
    # the cliff it needs many times more steps to reach the minimum than with a fresh one
    traj = run(AdaGrad(lr=1.5), f, f.start, steps=1500)
    foot = int(np.argmax(traj.points[:, 0] > -4.5))
    fresh = run(AdaGrad(lr=1.5), f, traj.points[foot], steps=1500)
    with_memory = traj.steps_to(f.minima[0], 1e-2) - foot
    assert with_memory > 10 * fresh.steps_to(f.minima[0], 1e-2)
