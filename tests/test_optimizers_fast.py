"""The fast twins (descent.optimizers.fast): the readable steps' numbers, bit for bit, with
no new array of θ's size and one shared scratch space."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from descent.optimizers import ALL, SGD, Adam, AdamW, NAdam, RMSProp, fast

# every optimizer with a fast twin, plus the variants whose state or rule differ
CASES = {name: (cls, {}) for name, cls in ALL.items() if fast.twin(cls()) is not None}
CASES["Adam-amsgrad"] = (Adam, {"amsgrad": True})
CASES["Adam-L2"] = (Adam, {"weight_decay": 0.1})
CASES["Adam-amsgrad-L2"] = (Adam, {"amsgrad": True, "weight_decay": 0.01})
CASES["AdamW-amsgrad"] = (AdamW, {"amsgrad": True, "weight_decay": 0.05})
CASES["NAdam-psi"] = (NAdam, {"momentum_decay": 0.05})


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", list(CASES))
def test_fast_steps_equal_the_readable_steps_bit_for_bit(case, dtype):
    cls, kwargs = CASES[case]
    rng = np.random.default_rng(11)
    start = {"W": rng.normal(size=(4, 3)).astype(dtype), "b": rng.normal(size=5).astype(dtype)}
    readable, quick = cls(**kwargs), cls(**kwargs, fast=True)
    p_readable = {k: v.copy() for k, v in start.items()}
    p_fast = {k: v.copy() for k, v in start.items()}
    for k in range(8):
        # the gradient depends on where we are; a zero entry once, a zero array once
        grads = {
            key: (0.5 * p + rng.normal(size=p.shape)).astype(dtype) for key, p in p_readable.items()
        }
        if k == 2:
            grads["W"][0, 0] = 0.0
        if k == 5:
            grads["b"][:] = 0.0
        readable.update(p_readable, grads)
        quick.update(p_fast, {key: g.copy() for key, g in grads.items()})
        for key in start:
            assert p_fast[key].dtype == dtype
            np.testing.assert_array_equal(p_fast[key], p_readable[key], err_msg=key)
            for name, value in readable.state[key].items():
                np.testing.assert_array_equal(quick.state[key][name], value, err_msg=name)
    assert not np.allclose(p_readable["W"], start["W"])  # the parameters moved


def test_every_optimizer_of_the_book_has_a_fast_twin():
    book = {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adadelta", "Adam",
            "AdaMax", "NAdam", "AdamW", "COCOB"}  # fmt: skip
    assert book <= set(CASES)
    assert fast.twin(AdamW()) is fast.twin(Adam()) is fast.adam  # AdamW runs Adam's step
    for name, (cls, kwargs) in CASES.items():
        assert cls(**kwargs, fast=True).fast and not cls(**kwargs).fast, name


def test_a_subclass_with_its_own_step_has_no_twin():
    class Halved(SGD):
        def step(self, theta, g, state):
            theta -= 0.5 * self.lr * g

    class Renamed(SGD):  # the same step: SGD's twin
        pass

    assert Halved().lr == 1e-3 and fast.twin(Halved()) is None
    with pytest.raises(ValueError, match="Halved.step has no fast twin"):
        Halved(fast=True)
    with pytest.raises(ValueError, match="Halved.step has no fast twin"):
        fast.step(Halved(), np.ones(2), np.ones(2), {}, fast.Workspace())
    params = {"w": np.ones(2)}
    Renamed(lr=0.5, fast=True).update(params, {"w": np.ones(2)})
    np.testing.assert_array_equal(params["w"], [0.5, 0.5])


def test_fast_is_shown_but_is_not_a_hyperparameter():
    opt = Adam(lr=0.01, fast=True)
    assert "fast" not in opt.hyperparameters() and "fast" not in repr(Adam())
    assert repr(opt).endswith("amsgrad=False, fast=True)")
    params = {"w": np.ones(4)}
    opt.update(params, {"w": np.full(4, 0.5)})
    # a state saved by a fast optimizer resumes in a readable one, and the other way round
    readable = Adam(lr=0.01)
    readable.load_state_dict(opt.state_dict())
    assert not readable.fast and readable.t == 1


def peak_allocation(fn, *args) -> int:
    """Largest amount of memory (bytes) allocated at one time while ``fn(*args)`` ran;
    numpy reports its arrays' data to tracemalloc."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn(*args)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("case", list(CASES))
def test_a_fast_step_allocates_no_array_of_theta_size_and_a_readable_one_does(case):
    cls, kwargs = CASES[case]
    rng = np.random.default_rng(3)
    theta, g = rng.normal(size=50_000), rng.normal(size=50_000)
    opt, work = cls(**kwargs), fast.Workspace()
    opt.t = 1
    state = opt.init_state(theta)
    fast.step(opt, theta, g, state, work)  # the first step allocates the scratch space
    opt.t = 2
    assert peak_allocation(fast.step, opt, theta, g, state, work) < theta.nbytes / 10
    assert peak_allocation(opt.step, theta, g, state) >= theta.nbytes  # temporaries


def test_scratch_is_shared_by_all_parameter_arrays_and_steps():
    rng = np.random.default_rng(0)
    params = {"W": rng.normal(size=(30, 40)), "b": rng.normal(size=40), "c": np.zeros(())}
    opt = RMSProp(fast=True)
    for _ in range(3):
        opt.update(params, {k: rng.normal(size=v.shape) for k, v in params.items()})
    work = opt._workspace
    # two scratch arrays of the largest parameter (1200 entries), not two per parameter
    assert work.nbytes == 2 * 1200 * 8
    tmp, denom = work.arrays(params["W"], 2)
    assert tmp.shape == denom.shape == (30, 40) and not np.shares_memory(tmp, denom)
    again = work.arrays(params["b"])
    assert again.shape == (40,) and np.shares_memory(again, tmp)


def test_scratch_grows_and_keeps_dtypes_apart():
    work = fast.Workspace()
    small = work.arrays(np.zeros(3), 2)
    assert work.nbytes == 2 * 3 * 8
    big = work.arrays(np.zeros((5, 4)))
    assert big.shape == (5, 4) and work.nbytes == 2 * 20 * 8
    assert not np.shares_memory(big, small[0])  # the block was replaced, not overrun
    f32 = work.arrays(np.zeros(7, dtype=np.float32))
    assert f32.dtype == np.float32 and work.nbytes == 2 * 20 * 8 + 7 * 4


def test_a_workspace_takes_its_arrays_from_a_given_block():
    block = np.zeros((3, 10))
    work = fast.Workspace(block)
    a, b = work.arrays(np.zeros((2, 5)), 2)
    assert np.shares_memory(a, block[0]) and np.shares_memory(b, block[1])
    assert work.nbytes == block.nbytes


def test_scratch_is_neither_state_nor_a_hyperparameter():
    opt = Adam(lr=0.01, fast=True)
    params = {"w": np.ones(4)}
    opt.update(params, {"w": np.full(4, 0.5)})
    assert opt._workspace.nbytes > 0
    assert opt.hyperparameters() == {
        "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
        "weight_decay": 0.0, "amsgrad": False,
    }  # fmt: skip
    assert set(opt.state_dict()["state"]["w"]) == {"m", "v"}
    assert "workspace" not in repr(opt)


@pytest.mark.parametrize("fast_flag", [False, True])
def test_float32_parameters_stay_float32(fast_flag):
    for name, cls in ALL.items():
        theta = np.linspace(-1, 1, 6, dtype=np.float32)
        opt = cls(fast=fast_flag)
        for _ in range(2):
            opt.update({"w": theta}, {"w": np.linspace(1, -1, 6, dtype=np.float32)})
        assert theta.dtype == np.float32 and np.all(np.isfinite(theta)), name
        assert all(v.dtype == np.float32 for v in opt.state["w"].values() if hasattr(v, "dtype"))
        assert all(b.dtype == np.float32 for b in opt._workspace.blocks.values()), name
