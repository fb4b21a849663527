"""Tests of descent.nn: every backward pass against finite differences, numerical stability,
and the parameter sharing an optimizer relies on."""

import numpy as np
import pytest

from descent import nn
from descent.gradients import gradient_check, numerical_gradient, relative_error
from descent.nn import MLP, Affine, ReLU, Sigmoid, SoftmaxWithLoss


def layer_gradients(layer, x, dout):
    """Backward of ``layer`` for the loss L = Σ out · dout, whose ∂L/∂out is dout."""
    layer.forward(x)
    return layer.backward(dout)


def projected_loss(layer, x, dout):
    return lambda _: np.sum(layer.forward(x) * dout)


def away_from_zero(rng, shape, margin=0.1):
    """Normal-ish values with |x| ≥ margin, so h = 1e-5 never crosses a kink at 0."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < margin, np.sign(x + 1e-12) * margin + x, x)


# --------------------------------------------------------------------------- layers


def test_affine_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    x, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    layer = Affine(W, b)
    dx = layer_gradients(layer, x, dout)
    loss = projected_loss(layer, x, dout)
    assert relative_error(dx, numerical_gradient(loss, x)) <= 1e-7
    assert relative_error(layer.dW, numerical_gradient(loss, W)) <= 1e-7
    assert relative_error(layer.db, numerical_gradient(loss, b)) <= 1e-7
    assert layer.dW.shape == W.shape and layer.db.shape == b.shape


def test_affine_flattens_images_and_restores_their_shape():
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((12, 2)), np.zeros(2)
    x = rng.standard_normal((5, 3, 4))
    layer = Affine(W, b)
    out = layer.forward(x)
    np.testing.assert_allclose(out, x.reshape(5, 12) @ W)
    dx = layer.backward(np.ones((5, 2)))
    assert dx.shape == x.shape
    with pytest.raises(ValueError, match="shape"):
        Affine(W, np.zeros(3))


def test_relu_backward_matches_finite_differences_away_from_the_kink():
    rng = np.random.default_rng(2)
    x, dout = away_from_zero(rng, (6, 5)), rng.standard_normal((6, 5))
    layer = ReLU()
    dx = layer_gradients(layer, x, dout)
    assert relative_error(dx, numerical_gradient(projected_loss(layer, x, dout), x)) <= 1e-7
    np.testing.assert_array_equal(dx[x < 0], 0.0)
    np.testing.assert_array_equal(layer.forward(np.array([-1.0, -1e-4, 0.0, 2.0])), [0, 0, 0, 2.0])


def test_sigmoid_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    x, dout = 2 * rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    layer = Sigmoid()
    dx = layer_gradients(layer, x, dout)
    assert relative_error(dx, numerical_gradient(projected_loss(layer, x, dout), x)) <= 1e-7


def test_sigmoid_is_stable_for_huge_inputs():
    y = nn.sigmoid(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))  # no overflow warning
    np.testing.assert_allclose(y, [0.0, np.exp(-50.0), 0.5, 1.0, 1.0], rtol=1e-12, atol=0)


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_backward_matches_finite_differences(one_hot):
    rng = np.random.default_rng(4)
    scores, t = rng.standard_normal((7, 4)), rng.integers(0, 4, 7)
    targets = np.eye(4)[t] if one_hot else t
    layer = SoftmaxWithLoss()
    layer.forward(scores, targets)
    dscores = layer.backward()
    numeric = numerical_gradient(lambda _: layer.forward(scores, targets), scores)
    assert relative_error(dscores, numeric) <= 1e-7
    layer.forward(scores, targets)
    np.testing.assert_allclose(layer.backward(2.0), 2 * dscores)


def test_backward_before_forward_says_what_to_do():
    for layer in (Affine(np.ones((2, 2)), np.zeros(2)), ReLU(), Sigmoid(), SoftmaxWithLoss()):
        with pytest.raises(RuntimeError, match="forward"):
            layer.backward(np.ones((1, 2)))


# --------------------------------------------------------------------------- stable functions


def test_softmax_is_stable_where_the_naive_formula_overflows():
    scores = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert np.isnan(naive).any()
    p = nn.softmax(scores)
    expected = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
    np.testing.assert_allclose(p[0], expected, rtol=1e-14)
    np.testing.assert_allclose(p[1], expected[::-1], rtol=1e-14)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)


def test_log_sum_exp_and_log_softmax():
    assert nn.log_sum_exp(np.array([1000.0, 1000.0])) == pytest.approx(1000 + np.log(2), rel=1e-15)
    x = np.random.default_rng(5).standard_normal((3, 4))
    np.testing.assert_allclose(nn.log_sum_exp(x), np.log(np.exp(x).sum(axis=1)), rtol=1e-14)
    np.testing.assert_allclose(nn.log_softmax(x), np.log(nn.softmax(x)), rtol=1e-13)


def test_loss_of_huge_scores_is_finite_and_exact():
    layer = SoftmaxWithLoss()
    loss = layer.forward(np.array([[1000.0, 0.0]]), np.array([1]))  # p(class 1) = e^-1000
    assert loss == pytest.approx(1000.0, rel=1e-15)
    np.testing.assert_allclose(layer.backward(), [[1.0, -1.0]])


@pytest.mark.parametrize("n_classes", [2, 10])
def test_uniform_scores_give_loss_log_c(n_classes):
    scores = np.full((5, n_classes), 3.7)
    t = np.arange(5) % n_classes
    assert SoftmaxWithLoss().forward(scores, t) == pytest.approx(np.log(n_classes), rel=1e-14)
    assert nn.cross_entropy(nn.softmax(scores), t) == pytest.approx(np.log(n_classes), rel=1e-14)


def test_cross_entropy_agrees_with_the_fused_layer_and_accepts_one_hot():
    rng = np.random.default_rng(6)
    scores, t = rng.standard_normal((8, 3)), rng.integers(0, 3, 8)
    fused = SoftmaxWithLoss().forward(scores, t)
    assert nn.cross_entropy(nn.softmax(scores), t) == pytest.approx(fused, rel=1e-13)
    assert nn.cross_entropy(nn.softmax(scores), np.eye(3)[t]) == pytest.approx(fused, rel=1e-13)
    one = nn.cross_entropy(np.array([0.2, 0.8]), 1)  # a single example
    assert one == pytest.approx(-np.log(0.8))
    assert np.isfinite(nn.cross_entropy(np.array([[1.0, 0.0]]), np.array([1])))


def test_bad_targets_are_refused():
    with pytest.raises(ValueError, match="0..2"):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="labels of shape"):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array([0.0, 1.0]))


# --------------------------------------------------------------------------- the MLP


def small_problem(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((6, 5)), rng.integers(0, 4, 6)


def pre_activations(model, x):
    """The inputs of every hidden activation, to confirm the check stays off ReLU's kink."""
    out, hidden = x, []
    for i in range(1, len(model.sizes)):
        a = out @ model.params[f"W{i}"] + model.params[f"b{i}"]
        hidden.append(a)
        out = np.maximum(a, 0) if model.activation == "relu" else nn.sigmoid(a)
    return hidden[:-1]


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("init", ["he", "xavier"])
def test_mlp_backprop_matches_finite_differences(activation, init):
    x, t = small_problem()
    model = MLP(5, [7, 6], 4, activation=activation, init=init, seed=2)
    rng = np.random.default_rng(2)
    for i in (1, 2, 3):  # non-zero biases, so that db and every unit are really exercised
        model.params[f"b{i}"][:] = 0.5 * rng.standard_normal(model.params[f"b{i}"].shape)
    if activation == "relu":  # h = 1e-5 moves a pre-activation by far less than 1e-3
        assert min(np.abs(a).min() for a in pre_activations(model, x)) > 1e-3

    grads = model.gradient(x, t)
    numeric = model.numerical_gradient(x, t)
    assert set(grads) == set(model.params) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    for name in grads:
        assert grads[name].shape == model.params[name].shape
        # array scale: a few entries are ~1e-4, where round-off (~1e-11) alone is ~1e-7 of them
        assert relative_error(grads[name], numeric[name], scale="array") <= 1e-7, name
    assert gradient_check(lambda: model.loss(x, t), model.params, grads).passed


def test_mlp_gradient_check_passes_on_real_digits():
    """On real images many weights get gradients near 0 (rarely-inked pixels)."""
    from descent.data import load_digits

    data = load_digits()
    x, t = data.x_train[:20], data.t_train[:20]
    model = MLP(64, [16], 10, activation="sigmoid", init="xavier", seed=0)
    report = gradient_check(lambda: model.loss(x, t), model.params, model.gradient(x, t))
    assert report.passed, report


def sigmoid_backward_with_y(self, dout):
    return dout * self.y  # the bug: y instead of y(1 − y)


def relu_backward_without_mask(self, dout):
    return dout  # the bug: forgot to zero the gradient where x ≤ 0


_AFFINE_BACKWARD = Affine.backward


def affine_backward_with_mean_db(self, dout):
    dx = _AFFINE_BACKWARD(self, dout)
    self.db = dout.mean(axis=0)  # the bug: a mean over the batch instead of a sum
    return dx


@pytest.mark.parametrize(
    ("layer", "wrong_backward", "activation"),
    [
        (Sigmoid, sigmoid_backward_with_y, "sigmoid"),
        (ReLU, relu_backward_without_mask, "relu"),
        (Affine, affine_backward_with_mean_db, "relu"),
    ],
    ids=["sigmoid-y", "relu-no-mask", "affine-db-mean"],
)
def test_gradient_check_catches_a_planted_bug(layer, wrong_backward, activation, monkeypatch):
    """Plant a wrong backward (monkeypatch removes it after the test): the check must fail."""
    x, t = small_problem(seed=3)
    model = MLP(5, [6], 4, activation=activation, seed=0)
    model.params["b1"][:] = 0.3
    check = gradient_check(lambda: model.loss(x, t), model.params, model.gradient(x, t))
    assert check.passed

    monkeypatch.setattr(layer, "backward", wrong_backward)
    report = gradient_check(lambda: model.loss(x, t), model.params, model.gradient(x, t))
    assert not report.passed
    assert report.verdict == "wrong"


def test_mlp_shares_its_param_arrays_with_its_layers():
    x, t = small_problem()
    model = MLP(5, [7], 4, seed=0)
    assert model.layers[0].W is model.params["W1"]
    before = model.predict(x)
    grads = model.gradient(x, t)
    for name in model.params:  # what an optimizer does: update in place
        model.params[name] -= 0.5 * grads[name]
    after = model.predict(x)
    assert not np.allclose(before, after)
    assert model.loss(x, t) < MLP(5, [7], 4, seed=0).loss(x, t)
    model.params["W2"] = np.zeros_like(model.params["W2"])  # a reassignment is followed too
    model.params["b2"] = np.zeros_like(model.params["b2"])
    assert model.loss(x, t) == pytest.approx(np.log(4), rel=1e-14)


def test_mlp_loss_is_log_c_when_all_scores_are_equal():
    x, t = small_problem()
    model = MLP(5, [7, 7], 4, seed=0)
    model.params["W3"][:] = 0.0
    assert model.loss(x, t) == pytest.approx(np.log(4), rel=1e-14)


def test_mlp_accuracy_and_one_hot_targets():
    x, t = small_problem()
    model = MLP(5, [7], 4, seed=0)
    expected = np.mean(model.predict(x).argmax(axis=1) == t)
    assert model.accuracy(x, t) == expected
    assert model.accuracy(x, np.eye(4)[t]) == expected
    assert model.loss(x, np.eye(4)[t]) == pytest.approx(model.loss(x, t), rel=1e-15)
    loss, grads = model.loss_and_gradient(x, t)
    assert loss == model.loss(x, t)
    np.testing.assert_array_equal(grads["W1"], model.gradient(x, t)["W1"])
    assert model.loss_and_accuracy(x, t) == (model.loss(x, t), expected)
    assert model.loss_and_accuracy(x, np.eye(4)[t])[1] == expected


def test_mlp_numerical_gradient_leaves_params_unchanged():
    x, t = small_problem()
    model = MLP(5, [4], 4, seed=0)
    before = {k: v.copy() for k, v in model.params.items()}
    model.numerical_gradient(x, t)
    for k in before:
        np.testing.assert_array_equal(model.params[k], before[k])


@pytest.mark.parametrize(
    ("init", "expected_std"),
    [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / (400 + 300))), (0.01, 0.01)],
)
def test_initialisation_scales(init, expected_std):
    model = MLP(400, [300], 10, init=init, seed=0)
    assert model.params["W1"].std() == pytest.approx(expected_std, rel=0.02)
    np.testing.assert_array_equal(model.params["b1"], 0.0)


def test_mlp_is_seeded_and_validates_its_arguments():
    a, b, c = MLP(5, [7], 4, seed=0), MLP(5, [7], 4, seed=0), MLP(5, [7], 4, seed=1)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    assert "5 → 7 → 4" in repr(a) and a.n_params == 5 * 7 + 7 + 7 * 4 + 4
    with pytest.raises(ValueError, match="activation"):
        MLP(5, [7], 4, activation="tanh")
    with pytest.raises(ValueError, match="init"):
        MLP(5, [7], 4, init="lecun")
    with pytest.raises(ValueError, match="positive integers"):
        MLP(5, [0], 4)
    assert MLP(5, [], 4).sizes == [5, 4]  # softmax regression
