"""The optimizers' steps work in place: no new array of θ's size, one shared scratch space."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from descent.optimizers import ALL, SGD, Adam, AdamW, RMSProp

CASES = {name: (cls, {}) for name, cls in ALL.items()}
CASES["Adam-amsgrad-L2"] = (Adam, {"amsgrad": True, "weight_decay": 0.01})
CASES["AdamW-amsgrad"] = (AdamW, {"amsgrad": True})


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
def test_a_step_allocates_no_array_of_theta_size(case):
    cls, kwargs = CASES[case]
    rng = np.random.default_rng(3)
    theta, g = rng.normal(size=50_000), rng.normal(size=50_000)
    opt = cls(**kwargs)
    opt.t = 1
    state = opt.init_state(theta)
    opt.step(theta, g, state)  # the first step allocates the scratch space
    opt.t = 2
    assert peak_allocation(opt.step, theta, g, state) < theta.nbytes / 10


def test_the_allocation_measurement_sees_a_temporary():
    # the same measurement catches the out-of-place form (so the test above can fail)
    theta, g = np.ones(50_000), np.ones(50_000)

    def out_of_place(theta, g):
        theta -= 0.1 * g

    assert peak_allocation(out_of_place, theta, g) >= theta.nbytes


def test_scratch_is_shared_by_all_parameter_arrays_and_steps():
    rng = np.random.default_rng(0)
    params = {"W": rng.normal(size=(30, 40)), "b": rng.normal(size=40), "c": np.zeros(())}
    opt = RMSProp()
    for _ in range(3):
        opt.update(params, {k: rng.normal(size=v.shape) for k, v in params.items()})
    # two scratch arrays of the largest parameter (1200 entries), not two per parameter
    assert opt.workspace_nbytes == 2 * 1200 * 8
    tmp, denom = opt.scratch(params["W"], 2)
    assert tmp.shape == denom.shape == (30, 40) and not np.shares_memory(tmp, denom)
    again = opt.scratch(params["b"])
    assert again.shape == (40,) and np.shares_memory(again, tmp)


def test_scratch_grows_and_keeps_dtypes_apart():
    opt = SGD()
    small = opt.scratch(np.zeros(3), 2)
    assert opt.workspace_nbytes == 2 * 3 * 8
    big = opt.scratch(np.zeros((5, 4)))
    assert big.shape == (5, 4) and opt.workspace_nbytes == 2 * 20 * 8
    assert not np.shares_memory(big, small[0])  # the block was replaced, not overrun
    f32 = opt.scratch(np.zeros(7, dtype=np.float32))
    assert f32.dtype == np.float32 and opt.workspace_nbytes == 2 * 20 * 8 + 7 * 4


def test_scratch_is_neither_state_nor_a_hyperparameter():
    opt = Adam(lr=0.01)
    params = {"w": np.ones(4)}
    opt.update(params, {"w": np.full(4, 0.5)})
    assert opt.workspace_nbytes > 0
    assert opt.hyperparameters() == {
        "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
        "weight_decay": 0.0, "amsgrad": False,
    }  # fmt: skip
    assert set(opt.state_dict()["state"]["w"]) == {"m", "v"}
    assert "_scratch" not in repr(opt)


def test_float32_parameters_stay_float32():
    for name, cls in ALL.items():
        theta = np.linspace(-1, 1, 6, dtype=np.float32)
        opt = cls()
        for _ in range(2):
            opt.update({"w": theta}, {"w": np.linspace(1, -1, 6, dtype=np.float32)})
        assert theta.dtype == np.float32 and np.all(np.isfinite(theta)), name
        assert all(v.dtype == np.float32 for v in opt._scratch.values()), name
