"""Bad input gets a clear error that names the argument, before anything changes."""

from __future__ import annotations

import copy
import inspect

import numpy as np
import pytest

from descent.optimizers import ALL, Adam


def bad_hyperparameters():
    """(class name, argument, bad value) for every argument of every optimizer."""
    bad = {
        "lr": [0, 0.0, -0.1, float("nan"), float("inf"), True, "0.1", None],
        "momentum": [-0.1, 1.0, 1.5, float("nan"), True, "0.9"],
        "rho": [-0.1, 1.0, 2.0, float("nan"), False, "0.9"],
        "beta1": [-0.1, 1.0, 1.5, float("nan"), True, "0.9"],
        "beta2": [-1e-3, 1.0, 1.5, float("nan"), True, "0.999"],
        "eps": [0, -1e-8, float("nan"), float("inf"), True, "1e-8"],
        "weight_decay": [-0.1, float("nan"), float("inf"), True, "0.01"],
        "momentum_decay": [-1e-3, float("nan"), True, "4e-3"],
        "alpha": [0, -1.0, float("nan"), True, "100"],
        "amsgrad": [1, 0, "yes", None],
        "fast": [1, 0, "yes", None],
    }
    cases = []
    for name, cls in ALL.items():
        for arg in inspect.signature(cls).parameters:
            assert arg in bad, f"{name}.{arg} has no bad values listed here"
            cases += [(name, arg, value) for value in bad[arg]]
    return cases


@pytest.mark.parametrize(("name", "arg", "value"), bad_hyperparameters())
def test_bad_hyperparameter_is_refused_with_its_name(name, arg, value):
    with pytest.raises((ValueError, TypeError), match=rf"\b{arg}\b"):
        ALL[name](**{arg: value})


@pytest.mark.parametrize("name", list(ALL))
def test_good_edge_values_are_accepted(name):
    cls = ALL[name]
    edge = {
        "momentum": 0.0,
        "rho": 0.0,
        "beta1": 0.0,
        "beta2": 0.0,
        "weight_decay": 0.0,
        "momentum_decay": 0.0,
        "amsgrad": True,
        "fast": True,
        "lr": np.float64(0.5),
        "eps": 1e-300,
        "alpha": 1,
    }
    kwargs = {arg: edge[arg] for arg in inspect.signature(cls).parameters}
    opt = cls(**kwargs)
    for arg, value in kwargs.items():
        assert getattr(opt, arg) == value


def test_cocob_has_no_learning_rate():
    opt = ALL["COCOB"]()
    assert opt.lr is None and not opt.has_lr
    assert all(cls.has_lr for name, cls in ALL.items() if name != "COCOB")
    assert "lr" not in opt.hyperparameters()
    with pytest.raises(TypeError):
        ALL["COCOB"](lr=0.1)


# ----------------------------------------------------------------------------- update()


def warm_optimizer(name):
    """An optimizer that has already taken two steps on params {weight, bias}."""
    opt = ALL[name]()
    params = {"weight": np.array([[1.0, -2.0], [0.5, 3.0]]), "bias": np.array([0.1, -0.1])}
    for k in range(2):
        opt.update(params, {key: (k + 1) * 0.3 * p for key, p in params.items()})
    return opt, params


def good_grads(params):
    return {key: 0.1 * np.ones_like(p) for key, p in params.items()}


def bad_updates(params):
    """(description, params, grads, words the message must contain) for update()."""
    g = good_grads(params)
    nan_bias = dict(g, bias=np.array([0.0, np.nan]))
    inf_bias = dict(g, bias=np.array([np.inf, 0.0]))
    read_only = params["bias"].copy()
    read_only.flags.writeable = False
    return [
        ("missing gradient", params, {"weight": g["weight"]}, ["bias"]),
        ("extra gradient", params, dict(g, scale=np.ones(1)), ["scale"]),
        ("wrong shape", params, dict(g, bias=np.ones(3)), ["bias", "shape"]),
        ("nan gradient", params, nan_bias, ["bias", "NaN"]),
        ("inf gradient", params, inf_bias, ["bias", "inf"]),
        ("integer parameter", dict(params, bias=np.array([1, 2])), g, ["bias", "int"]),
        ("list parameter", dict(params, bias=[0.1, -0.1]), g, ["bias", "numpy array"]),
        ("read-only parameter", dict(params, bias=read_only), g, ["bias", "read-only"]),
        ("new shape", dict(params, bias=np.zeros(3)), dict(g, bias=np.zeros(3)), ["bias"]),
        ("not dicts", [params["weight"]], [g["weight"]], ["dict"]),
    ]


CASE_IDS = [case[0] for case in bad_updates(warm_optimizer("SGD")[1])]


@pytest.mark.parametrize("name", list(ALL))
@pytest.mark.parametrize("case", range(len(CASE_IDS)), ids=CASE_IDS)
def test_bad_update_raises_and_changes_nothing(name, case):
    opt, params = warm_optimizer(name)
    description, bad_params, bad_grads, words = bad_updates(params)[case]
    if description == "new shape" and name == "SGD":
        return  # SGD keeps no state, so a parameter may change shape between updates
    params_before = copy.deepcopy(params)
    state_before = opt.state_dict()
    with pytest.raises((ValueError, TypeError, KeyError, FloatingPointError)) as info:
        opt.update(bad_params, bad_grads)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    for key in params:
        np.testing.assert_array_equal(params[key], params_before[key])
    after = opt.state_dict()
    assert after["t"] == state_before["t"] == 2
    for key, state in state_before["state"].items():
        for slot, value in state.items():
            np.testing.assert_array_equal(after["state"][key][slot], value)


def test_a_fresh_optimizer_stays_fresh_after_a_bad_update():
    opt = Adam()
    params = {"w": np.ones(2)}
    with pytest.raises(FloatingPointError):
        opt.update(params, {"w": np.array([1.0, np.nan])})
    assert opt.t == 0 and opt.state == {}
    np.testing.assert_array_equal(params["w"], [1.0, 1.0])


@pytest.mark.parametrize("name", list(ALL))
def test_gradient_that_is_the_parameter_itself(name):
    # g = θ (the gradient of θ²/2) passed as the same array: the update must use the
    # gradient as it was, not as θ changes under it
    a, b = ALL[name](), ALL[name]()
    shared = np.array([1.0, -2.0, 0.5])
    separate = shared.copy()
    for _ in range(3):
        a.update({"w": shared}, {"w": shared})
        b.update({"w": separate}, {"w": separate.copy()})
    np.testing.assert_array_equal(shared, separate)


def test_float32_parameters_stay_float32():
    params = {"w": np.ones(3, dtype=np.float32)}
    opt = Adam(lr=0.1)
    opt.update(params, {"w": np.ones(3)})
    assert params["w"].dtype == np.float32
    assert opt.state["w"]["m"].dtype == np.float32
    np.testing.assert_allclose(params["w"], 0.9, rtol=1e-6)


def test_is_real_accepts_numbers_and_refuses_bools_arrays_and_strings():
    from descent import _validation

    for good in (1, 0.5, np.float32(2.0), np.int64(3), -np.inf):
        assert _validation.is_real(good), good
    for bad in (True, np.bool_(True), np.array(1.0), [1.0], "1", None, 1j):
        assert not _validation.is_real(bad), bad
