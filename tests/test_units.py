"""descent.units: rescaled test problems and models, and the exact identities Chapter 10 builds on
(what a change of units does to SGD, RMSProp and Adadelta)."""

import numpy as np
import pytest

from descent import functions, gradients, nn, units
from descent.optimizers import SGD, Adadelta, RMSProp
from descent.training import run

# Powers of two: multiplying by them is exact in floating point, so the identities below hold
# to rounding even on Rosenbrock and Beale, where other factors' rounding errors grow.
SCALES = [(4.0, 1.0), (1.0, 0.125), (1 / 64, 8.0), (32.0, 0.25)]


@pytest.mark.parametrize("a, b", SCALES)
@pytest.mark.parametrize("name", ["bowl", "rosenbrock", "beale"])
def test_value_gradient_and_hessian_are_those_of_a_f_of_b_phi(name, a, b):
    f = functions.ALL[name]
    F = units.rescaled(f, loss=a, params=b)
    rng = np.random.default_rng(10)
    for phi in rng.uniform(-1.5, 1.5, size=(4, 2)) / b:
        assert F(phi) == pytest.approx(a * f(b * phi), rel=1e-12)
        numerical = gradients.numerical_gradient(lambda p: float(F(p)), phi.copy(), h=1e-6 / b)
        assert gradients.relative_error(F.grad(phi), numerical) < 1e-6
        assert np.allclose(F.hessian(phi), a * b**2 * f.hessian(b * phi), rtol=1e-12)


def test_the_facts_move_with_the_units():
    F = units.rescaled(functions.beale, loss=3.0, params=0.5)
    beale = functions.beale
    assert np.allclose(F.minima[0], np.array([6.0, 1.0])) and F.f_min == 0.0
    assert np.allclose(F.grad(F.minima[0]), 0.0)
    for p, q in zip(F.saddle_points, beale.saddle_points, strict=True):
        assert np.allclose(p, q / 0.5) and np.allclose(F.grad(p), 0.0, atol=1e-9)
    assert F.window == ((-9.0, 9.0), (-9.0, 9.0))
    assert np.allclose(F.start, beale.start / 0.5) and np.allclose(F.levels, 3 * beale.levels)
    assert not F.start.flags.writeable  # read-only, like every test function's facts
    assert np.allclose(F.to_original(F.start), beale.start)
    assert np.allclose(F.from_original(beale.minima[0]), F.minima[0])
    G = units.rescaled(functions.sinc10, loss=2.0, params=4.0)  # 1-D works too
    assert G.window == (-3.0, 3.0) and np.allclose(G.minima[0] * 4, functions.sinc10.minima[0])
    assert G.f_min == pytest.approx(2 * functions.sinc10.f_min)


def test_grids_evaluate_at_once_as_for_every_test_function():
    F = units.rescaled(functions.rosenbrock, loss=2.0, params=0.5)
    X, Y = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(0, 2, 3))
    Z = F(np.stack([X, Y]))
    assert Z.shape == (3, 4)
    assert Z[1, 2] == pytest.approx(float(F(np.array([X[1, 2], Y[1, 2]]))))
    assert F.grad(np.stack([X, Y])).shape == (2, 3, 4)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf"), "2"])
def test_scales_must_be_positive_numbers(bad):
    with pytest.raises(ValueError, match="loss must be"):
        units.rescaled(functions.bowl, loss=bad)
    with pytest.raises(ValueError, match="params must be"):
        units.rescaled(functions.bowl, params=bad)


def _path(optimizer, F, steps):
    """The run on F, converted back to the original units."""
    traj = run(optimizer, F, F.start, steps)
    assert not traj.diverged
    return F.to_original(traj.points)


@pytest.mark.parametrize("a, b", SCALES)
def test_sgd_on_the_rescaled_problem_is_sgd_with_lr_times_a_b_squared(a, b):
    f, F = functions.beale, units.rescaled(functions.beale, loss=a, params=b)
    lr = 1e-3
    reference = run(SGD(lr=lr * a * b**2), f, f.start, 300).points
    assert np.allclose(_path(SGD(lr=lr), F, 300), reference, rtol=1e-10, atol=1e-12)
    if a * b**2 != 1:  # then it is a different run from SGD(lr) on f (a b² = 1 leaves H as it is)
        assert np.max(np.abs(run(SGD(lr=lr), f, f.start, 300).points - reference)) > 1e-3


@pytest.mark.parametrize("a, b", SCALES)
def test_rmsprop_on_the_rescaled_problem_is_rmsprop_with_lr_times_b_and_eps_over_ab(a, b):
    f, F = functions.rosenbrock, units.rescaled(functions.rosenbrock, loss=a, params=b)
    reference = run(RMSProp(lr=0.01 * b, rho=0.9, eps=1e-3 / (a * b)), f, f.start, 300).points
    got = _path(RMSProp(lr=0.01, rho=0.9, eps=1e-3), F, 300)
    assert np.allclose(got, reference, rtol=1e-9, atol=1e-12)


def adadelta_two_eps(grad, theta0, steps, eps_u, eps_s, lr=1.0, rho=0.9):
    """Adadelta with one ε under each root: Δ = √(u + ε_u) / √(s + ε_s) · g."""
    theta, s, u = np.array(theta0, dtype=float), 0.0, 0.0
    path = [theta.copy()]
    for _ in range(steps):
        g = grad(theta)
        s = rho * s + (1 - rho) * g**2
        delta = np.sqrt(u + eps_u) / np.sqrt(s + eps_s) * g
        u = rho * u + (1 - rho) * delta**2
        theta = theta - lr * delta
        path.append(theta.copy())
    return np.array(path)


@pytest.mark.parametrize("a, b", SCALES)
def test_adadelta_on_the_rescaled_problem_rescales_its_two_epsilons(a, b):
    # Adadelta(ε) on F is Adadelta on f with ε_u = b² ε under the left root and
    # ε_s = ε / (ab)² under the right one: one ε cannot carry both units.
    f, F = functions.beale, units.rescaled(functions.beale, loss=a, params=b)
    eps = 1e-4
    got = _path(Adadelta(eps=eps), F, 400)
    expected = adadelta_two_eps(f.grad, f.start, 400, eps_u=b**2 * eps, eps_s=eps / (a * b) ** 2)
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-12)
    # the package's Adadelta is the special case ε_u = ε_s
    same = adadelta_two_eps(f.grad, f.start, 400, eps_u=eps, eps_s=eps)
    assert np.allclose(run(Adadelta(eps=eps), f, f.start, 400).points, same, rtol=1e-9)


def test_adadelta_lr_is_the_square_root_of_a_factor_on_the_numerator_eps():
    # η = k with ε_u = ε gives the same iterates as η = 1 with ε_u = k² ε.
    f, eps, k = functions.rosenbrock, 1e-6, 32.0
    with_lr = adadelta_two_eps(f.grad, f.start, 500, eps_u=eps, eps_s=eps, lr=k)
    with_eps = adadelta_two_eps(f.grad, f.start, 500, eps_u=k**2 * eps, eps_s=eps)
    assert np.allclose(with_lr, with_eps, rtol=1e-9, atol=1e-12)
    assert np.allclose(run(Adadelta(lr=k, eps=eps), f, f.start, 500).points, with_lr, rtol=1e-9)


def test_a_rescaled_model_multiplies_loss_and_gradients_and_shares_params():
    data_x = np.random.default_rng(2).normal(size=(5, 4))
    t = np.array([0, 1, 2, 1, 0])
    model = nn.MLP(4, [3], 3, seed=0)
    scaled = units.rescaled(model, loss=8.0)
    assert isinstance(scaled, units.RescaledModel) and scaled.params is model.params
    loss, grads = model.loss_and_gradient(data_x, t)
    grads = {k: v.copy() for k, v in grads.items()}
    s_loss, s_grads = scaled.loss_and_gradient(data_x, t)
    assert s_loss == pytest.approx(8 * loss) and scaled.loss(data_x, t) == pytest.approx(8 * loss)
    for k in grads:
        np.testing.assert_allclose(s_grads[k], 8 * grads[k])
        np.testing.assert_allclose(scaled.gradient(data_x, t)[k], 8 * grads[k])
    assert scaled.accuracy(data_x, t) == model.accuracy(data_x, t)
    assert repr(scaled).startswith("RescaledModel(") and "loss=8" in repr(scaled)


def test_a_rescaled_model_without_loss_and_gradient_uses_loss_and_gradient():
    class Line:  # L(w) = (w x − t)² summed, without a loss_and_gradient method
        params = {"w": np.array([2.0])}

        def loss(self, x, t):
            return float(np.sum((self.params["w"] * x - t) ** 2))

        def gradient(self, x, t):
            return {"w": np.array([np.sum(2 * (self.params["w"] * x - t) * x)])}

    x, t = np.array([1.0, 3.0]), np.array([1.0, 1.0])
    loss, grads = units.rescaled(Line(), loss=0.5).loss_and_gradient(x, t)
    assert loss == 0.5 * (1.0 + 25.0) and grads["w"][0] == 0.5 * (2.0 + 30.0)


def test_rescaling_a_model_refuses_a_parameter_scale_and_bad_input():
    model = nn.MLP(4, [3], 3, seed=0)
    with pytest.raises(ValueError, match="loss must be"):
        units.rescaled(model, loss=-1.0)
    with pytest.raises(ValueError, match="params=1"):
        units.rescaled(model, params=2.0)
    with pytest.raises(TypeError, match="test function"):
        units.rescaled(np.zeros(3), loss=2.0)
