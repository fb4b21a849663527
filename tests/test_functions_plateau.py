"""descent.functions.plateau (Chapter 3): derivatives, metadata and the flatness it is for."""

import numpy as np
import pytest

from descent import functions
from descent.gradients import numerical_gradient, relative_error
from descent.optimizers import SGD
from descent.training import run

f = functions.plateau


def test_gradient_and_hessian_match_finite_differences():
    rng = np.random.default_rng(0)
    for x in rng.uniform(-3, 3, size=(10, 2)):
        assert relative_error(f.grad(x), numerical_gradient(f, x)) <= 1e-7
        jac = np.array([numerical_gradient(lambda z, i=i: f.grad(z)[i], x.copy()) for i in (0, 1)])
        H = f.hessian(x)
        np.testing.assert_allclose(H, H.T)
        assert relative_error(H, jac, scale="array") <= 1e-7


def test_vectorised_on_a_grid():
    X, Y = np.meshgrid(np.linspace(-5, 5, 4), np.linspace(-5, 5, 3))
    grid = np.stack([X, Y])
    assert f(grid).shape == (3, 4) and f.grad(grid).shape == (2, 3, 4)
    assert f.hessian(grid).shape == (2, 2, 3, 4)
    np.testing.assert_allclose(f.hessian(grid)[:, :, 1, 2], f.hessian(grid[:, 1, 2]))


def test_minimum_metadata_and_conditioning():
    assert f.name == "plateau" and f.dim == 2 and "plateau" not in functions.ALL
    np.testing.assert_array_equal(f.minima[0], [0.0, 0.0])
    assert f(f.minima[0]) == f.f_min == 0.0
    np.testing.assert_allclose(f.hessian(f.minima[0]), np.eye(2))  # κ = 1 at the bottom
    (x0, x1), (y0, y1) = f.window
    assert x0 < f.start[0] < x1 and y0 < f.start[1] < y1
    assert np.linalg.norm(f.start) == pytest.approx(4.0)
    assert np.all(np.diff(f.levels) > 0) and f.levels[-1] == pytest.approx(0.9999)
    grid = np.stack(np.meshgrid(np.linspace(-5, 5, 201), np.linspace(-5, 5, 201)))
    assert f(grid).min() >= 0.0 and f(grid).max() < 1.0


def test_it_is_flat_far_out_and_concave_along_the_radius():
    for r, size in [(4.0, 1.34e-3), (5.0, 1.86e-5)]:
        assert np.linalg.norm(f.grad([r, 0.0])) == pytest.approx(size, rel=0.03)
    lam = np.linalg.eigvalsh(f.hessian(np.array([0.0, 2.0])))
    assert lam[0] < 0 < lam[1]  # radial curvature e^{-2}(1 - 4) < 0, tangential e^{-2} > 0


def test_the_time_on_the_plateau_grows_like_exp_r_squared_over_2():
    steps = []
    for r in (3.0, 4.0):
        traj = run(SGD(lr=1.0), f, [-r, 0.0], steps=400)
        steps.append(traj.steps_to([0.0, 0.0], 1.0))
    assert steps[0] < 20 < 200 < steps[1] < 250
    assert steps[1] / steps[0] > np.exp((16 - 9) / 2) / 3  # e^{3.5} ≈ 33, up to a power of r
