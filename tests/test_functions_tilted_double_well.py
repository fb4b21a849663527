"""descent.functions.tilted_double_well (Chapter 6): derivatives, the stationary points it
advertises, and the behaviour the chapter builds on (gradient descent stays in the shallow
well, momentum can leave it)."""

import numpy as np
import pytest

from descent import functions
from descent.gradients import numerical_gradient, relative_error
from descent.optimizers import SGD, Momentum
from descent.training import run

f = functions.tilted_double_well


def test_derivatives_match_finite_differences_and_broadcast():
    rng = np.random.default_rng(0)
    for x in rng.uniform(*f.window, size=(10, 1)):
        assert relative_error(f.grad(x), numerical_gradient(f, x.copy())) <= 1e-7
        hess = (f.grad(x + 1e-5) - f.grad(x - 1e-5)) / 2e-5
        assert relative_error(f.hessian(x)[0], hess) <= 1e-6
    grid = np.linspace(-2, 2, 12).reshape(1, 3, 4)
    assert f(grid).shape == (3, 4) and f.grad(grid).shape == (1, 3, 4)
    assert f.hessian(grid).shape == (1, 1, 3, 4)
    np.testing.assert_allclose(f(grid)[1, 2], f(grid[:, 1, 2]))


def test_stationary_points_and_their_kinds():
    points = {
        "global": f.minima[0],
        "local": f.local_minima[0],
        "max": f.local_maxima[0],
    }
    for name, p in points.items():
        assert p.shape == (1,) and abs(f.grad(p)[0]) < 1e-12, name
    assert f.hessian(points["global"])[0, 0] > 0 and f.hessian(points["local"])[0, 0] > 0
    assert f.hessian(points["max"])[0, 0] < 0
    np.testing.assert_allclose(
        sorted(np.roots([4, 0, -8, 1]).real),
        [points[k][0] for k in ("global", "max", "local")],
        rtol=1e-12,
    )
    xs = np.linspace(*f.window, 20001)
    assert abs(f(xs[None]).min() - f.f_min) < 1e-6  # the global minimum over the window
    assert f(points["global"]) == pytest.approx(f.f_min)
    assert f(points["global"]) < f(points["local"]) < f(points["max"]) < f(f.start)
    lo, hi = f.window
    assert lo < points["global"][0] < points["max"][0] < points["local"][0] < f.start[0] < hi


def test_read_only_and_not_in_all():
    with pytest.raises(ValueError):
        f.local_minima[0][0] = 0.0
    assert "tilted_double_well" not in functions.ALL
    assert "tilted_double_well" in functions.__all__


def test_gradient_descent_stays_in_the_shallow_well_and_momentum_escapes():
    local, best = f.local_minima[0][0], f.minima[0][0]
    for lr in (0.002, 0.005, 0.01, 0.02, 0.03):
        gd = run(SGD(lr=lr), f, f.start, 2000)
        assert abs(gd.final[0] - local) < 1e-6, lr
        assert np.all(np.diff(gd.values) <= 1e-12)  # downhill at every step: it cannot climb out
    heavy = run(Momentum(lr=0.01, momentum=0.9), f, f.start, 600)
    assert abs(heavy.final[0] - best) < 1e-6
    assert heavy.points[:, 0].min() < best  # it overshoots the deep well too, then settles
