"""state_dict() / load_state_dict(): resuming is bit-for-bit, and the dict is a copy."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from descent.optimizers import ALL, Adam, AdamW, RMSProp

# Every optimizer, plus the variants whose state differs (AMSGrad keeps v_max).
CASES = {name: (cls, {}) for name, cls in ALL.items()}
CASES["Adam-amsgrad"] = (Adam, {"amsgrad": True, "weight_decay": 0.01})
CASES["AdamW-amsgrad"] = (AdamW, {"amsgrad": True})


def make_params():
    rng = np.random.default_rng(7)
    return {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}


def grads_at(params, k):
    """A deterministic stochastic gradient: a quadratic's gradient plus noise seeded by k."""
    rng = np.random.default_rng(1000 + k)
    return {name: 2.0 * p + 0.5 * rng.normal(size=p.shape) for name, p in params.items()}


def run(opt, params, first, last):
    for k in range(first, last):
        opt.update(params, grads_at(params, k))


def assert_state_equal(a, b):
    assert a["type"] == b["type"] and a["t"] == b["t"]
    assert a["hyperparameters"] == b["hyperparameters"]
    assert a["state"].keys() == b["state"].keys()
    for key in a["state"]:
        sa, sb = a["state"][key], b["state"][key]
        assert sa.keys() == sb.keys()
        for name in sa:
            np.testing.assert_array_equal(sa[name], sb[name], err_msg=f"{key}/{name}")


@pytest.mark.parametrize("case", list(CASES))
def test_resume_is_bit_for_bit(case):
    cls, kwargs = CASES[case]
    params = make_params()
    opt = cls(**kwargs)
    run(opt, params, 0, 5)
    saved, saved_params = opt.state_dict(), copy.deepcopy(params)
    run(opt, params, 5, 12)

    fresh = cls()  # default hyperparameters: load_state_dict must restore them too
    fresh.load_state_dict(saved)
    assert fresh.t == 5
    resumed = saved_params
    run(fresh, resumed, 5, 12)
    for name in params:
        np.testing.assert_array_equal(resumed[name], params[name])
    assert_state_equal(fresh.state_dict(), opt.state_dict())
    # the run did move the parameters, so equality is not trivial
    assert not np.array_equal(params["W"], make_params()["W"])


@pytest.mark.parametrize("case", list(CASES))
def test_state_dict_is_a_copy(case):
    cls, kwargs = CASES[case]
    params = make_params()
    opt = cls(**kwargs)
    run(opt, params, 0, 3)
    saved = opt.state_dict()
    snapshot = copy.deepcopy(saved)
    run(opt, params, 3, 6)  # the optimizer moves on ...
    assert_state_equal(saved, snapshot)  # ... the saved dict does not

    # and mutating a dict after loading it does not reach into the optimizer
    other = cls()
    other.load_state_dict(saved)
    before = other.state_dict()
    for state in saved["state"].values():
        for name, value in state.items():
            if isinstance(value, np.ndarray):
                value += 1.0
            else:
                state[name] = value + 1.0
    saved["t"] = 99
    assert_state_equal(other.state_dict(), before)


def test_state_dict_contents():
    opt = Adam(lr=0.01, amsgrad=True)
    params = make_params()
    run(opt, params, 0, 2)
    d = opt.state_dict()
    assert d["type"] == "Adam" and d["t"] == 2
    assert d["hyperparameters"]["lr"] == 0.01 and d["hyperparameters"]["amsgrad"] is True
    assert set(d["state"]) == {"W", "b"}
    assert set(d["state"]["W"]) == {"m", "v", "v_max"}
    assert d["state"]["W"]["m"].shape == (3, 2)


def test_wrong_optimizer_type_is_refused():
    adam = Adam()
    run(adam, make_params(), 0, 2)
    rms = RMSProp()
    before = rms.state_dict()
    with pytest.raises(ValueError, match="Adam"):
        rms.load_state_dict(adam.state_dict())
    assert_state_equal(rms.state_dict(), before)


@pytest.mark.parametrize("bad", [None, [1, 2], "Adam", 3.0])
def test_non_dict_state_is_refused(bad):
    with pytest.raises(TypeError, match="state_dict"):
        Adam().load_state_dict(bad)


def test_incomplete_state_dict_is_refused_before_anything_changes():
    opt = Adam()
    run(opt, make_params(), 0, 2)
    d = opt.state_dict()
    del d["state"]
    before = opt.state_dict()
    with pytest.raises(KeyError, match="state"):
        opt.load_state_dict(d)
    assert_state_equal(opt.state_dict(), before)
