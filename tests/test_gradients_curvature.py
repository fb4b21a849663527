"""descent.gradients.largest_curvature: power iteration with finite-difference
Hessian-vector products."""

import numpy as np
import pytest

from descent import data, nn
from descent.gradients import largest_curvature


def quadratic(A):
    params = {"theta": np.array([0.3, -1.2, 0.5])}
    return params, (lambda: {"theta": A @ params["theta"]})


def test_finds_the_largest_eigenvalue_of_a_quadratic():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    A = Q @ np.diag([0.5, 2.0, 7.0]) @ Q.T
    params, grad = quadratic(A)
    assert abs(largest_curvature(grad, params, iterations=60) - 7.0) < 1e-6


def test_returns_the_eigenvalue_of_largest_size_even_if_negative():
    params, grad = quadratic(np.diag([1.0, -3.0, 0.5]))
    assert abs(largest_curvature(grad, params, iterations=80) + 3.0) < 1e-6


def test_restores_the_parameters_exactly_even_on_error():
    params, grad = quadratic(np.diag([1.0, 2.0, 3.0]))
    before = params["theta"].copy()
    largest_curvature(grad, params, iterations=5)
    assert np.array_equal(params["theta"], before)
    calls = []

    def failing():
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return grad()

    with pytest.raises(RuntimeError):
        largest_curvature(failing, params, iterations=5)
    assert np.array_equal(params["theta"], before)


def test_several_arrays_match_the_dense_hessian_of_a_network():
    digits = data.load_digits()
    x, t = digits.x_train[:40], digits.t_train[:40]
    model = nn.MLP(64, [], 10, seed=0)  # softmax regression: a smooth loss
    names = list(model.params)
    flat = np.concatenate([model.params[k].ravel() for k in names])

    def set_flat(z):
        start = 0
        for k in names:
            size = model.params[k].size
            model.params[k][...] = z[start : start + size].reshape(model.params[k].shape)
            start += size

    def flat_grad(z):
        set_flat(z)
        g = model.gradient(x, t)
        return np.concatenate([g[k].ravel() for k in names])

    h = 1e-5
    H = np.array(
        [(flat_grad(flat + h * e) - flat_grad(flat - h * e)) / (2 * h) for e in np.eye(flat.size)]
    )
    set_flat(flat)
    lam = np.linalg.eigvalsh((H + H.T) / 2)
    got = largest_curvature(lambda: model.gradient(x, t), model.params, iterations=100)
    assert abs(got - lam[-1]) < 1e-4 * lam[-1]


@pytest.mark.parametrize(
    "kwargs",
    [dict(iterations=0), dict(iterations=2.5), dict(iterations=True), dict(h=0.0), dict(h=-1.0)],
)
def test_bad_arguments_are_refused(kwargs):
    params, grad = quadratic(np.eye(3))
    with pytest.raises(ValueError):
        largest_curvature(grad, params, **kwargs)


def test_integer_parameters_are_refused():
    params = {"theta": np.array([1, 2])}
    with pytest.raises(TypeError):
        largest_curvature(lambda: {"theta": params["theta"] * 1.0}, params)
