"""descent.step_cost: memory per parameter, bytes per step, passes, the benchmark."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from descent import step_cost
from descent.optimizers import ALL, Adam, AdamW, Momentum, NAdam, fast

# every optimizer, plus the variants whose state or rule differ
CASES = {name: (cls, {}) for name, cls in ALL.items()}
CASES["Adam-amsgrad"] = (Adam, {"amsgrad": True})
CASES["Adam-L2"] = (Adam, {"weight_decay": 0.1})
CASES["AdamW-amsgrad"] = (AdamW, {"amsgrad": True, "weight_decay": 0.05})
CASES["NAdam-psi"] = (NAdam, {"momentum_decay": 0.05})


@pytest.mark.parametrize("case", list(CASES))
def test_state_bytes_are_8_per_state_array_in_float64(case):
    cls, kwargs = CASES[case]
    opt = cls(**kwargs)
    arrays = step_cost.state_array_names(opt)
    assert step_cost.state_bytes(opt) == 8 * len(arrays)
    assert step_cost.state_bytes(opt, dtype=np.float32) == 4 * len(arrays)


def test_state_bytes_per_optimizer():
    expected = {"SGD": 0, "Momentum": 8, "Nesterov": 8, "AdaGrad": 8, "RMSProp": 8,
                "Adadelta": 16, "Adam": 16, "AdaMax": 16, "NAdam": 16, "AdamW": 16,
                "COCOB": 40}  # fmt: skip
    assert {name: step_cost.state_bytes(name) for name in ALL} == expected
    assert step_cost.state_bytes(Adam(amsgrad=True)) == 24  # v_max: a third array


def test_bytes_moved_per_step():
    expected = {"SGD": 24, "Momentum": 40, "Nesterov": 40, "AdaGrad": 40, "RMSProp": 40,
                "Adadelta": 56, "Adam": 56, "AdaMax": 56, "NAdam": 56, "AdamW": 56,
                "COCOB": 96}  # fmt: skip
    assert {name: step_cost.bytes_moved(name) for name in ALL} == expected
    assert step_cost.bytes_moved(Adam(amsgrad=True)) == 72
    assert step_cost.bytes_moved("Adam", dtype=np.float32) == 28


def test_cocob_reads_theta1_but_never_writes_it():
    # 5 state arrays; θ₁ is read only: 2 (θ) + 1 (g) + 5 reads + 4 writes = 12 accesses
    assert len(step_cost.state_array_names("COCOB")) == 5
    assert step_cost.bytes_moved("COCOB") == 12 * 8


def test_passes_count_numpy_operations_and_their_bytes():
    # SGD: η g (read g, write a new array or tmp), θ -= it (read θ and it; write θ): 40 B
    assert step_cost.passes("SGD") == step_cost.passes("SGD", fast=False) == (2, 40.0)
    # fast Adam: 10 passes of one read and one write, 4 of two reads and one write
    assert step_cost.passes("Adam") == (14, 10 * 16 + 4 * 24)
    assert step_cost.passes(Adam(amsgrad=True)) == (15, 256 + 24)  # + max(v_max, v)
    # readable Adam: the same 14, plus the copies m[:] = ... and v[:] = ... (16 B each)
    assert step_cost.passes("Adam", fast=False) == (16, 256 + 2 * 16)
    for name in ALL:
        calls, moved = step_cost.passes(name)
        assert calls >= 2 and moved > step_cost.bytes_moved(name), name
        readable_calls, readable_moved = step_cost.passes(name, fast=False)
        # the readable step makes the same passes, plus one copy per "x[:] = ..." line;
        # COCOB's computes |g| twice
        copies = readable_calls - calls - (name == "COCOB")
        assert 0 <= copies <= 3, name
        assert readable_moved == moved + 16 * (copies + (name == "COCOB")), name


def test_passes_count_a_copy_into_a_state_array():
    class Probe(Momentum):
        def step(self, theta, g, state):
            v = state["v"]
            v[:] = 0.9 * v - 0.1 * g

    # 0.9 v, 0.1 g, their difference, and the copy into v: 4 passes of 16, 16, 24, 16 B
    assert step_cost.passes(Probe(), fast=False) == (4, 72.0)


def test_passes_leave_the_step_usable():
    opt = Adam()
    step_cost.passes(opt)  # works on a copy: opt itself is untouched
    step_cost.passes(opt, fast=False)
    assert opt.t == 0 and not opt.state
    params = {"w": np.ones(3)}
    opt.update(params, {"w": np.ones(3)})
    assert type(params["w"]) is np.ndarray and params["w"][0] < 1


def test_the_fast_steps_scratch_arrays_are_at_most_two():
    counts = {name: step_cost.scratch_arrays(name) for name in ALL}
    assert counts["SGD"] == counts["Momentum"] == counts["AdaMax"] == 1
    assert counts["Adam"] == counts["AdaGrad"] == counts["COCOB"] == 2
    assert max(counts.values()) == 2


def test_copy_bandwidth_is_a_plausible_number():
    bw = step_cost.copy_bandwidth(n=2**16, repeat=2)
    assert math.isfinite(bw) and 1e8 < bw < 1e13  # 0.1 GB/s ... 10 TB/s


def test_timings_are_positive_and_grow_with_n():
    for fast_flag in (False, True):
        small = step_cost.time_step("Adam", 100, fast=fast_flag, repeat=2)
        big = step_cost.time_step("Adam", 200_000, fast=fast_flag, repeat=2)
        assert 0 < small < big


def synthetic():
    r = step_cost.StepCost(sizes=(10, 1000), copy_bandwidth=1e9)
    r.bytes_moved = {"SGD": 24.0}
    r.state_bytes, r.scratch_arrays = {"SGD": 0.0}, {"SGD": 1}
    r.passes = {"SGD": {"readable": (2, 48.0), "fast": (2, 40.0)}}
    r.fast = {"SGD": np.array([1e-6, 4.8e-5])}
    r.readable = {"SGD": np.array([1e-6, 9.6e-5])}
    r.torch = {"default": {"SGD": np.array([2e-6, 2.4e-5])}}
    return r


def test_step_cost_arithmetic():
    r = synthetic()
    np.testing.assert_allclose(r.limit("SGD"), [2.4e-7, 2.4e-5])  # 24 n bytes at 1 GB/s
    np.testing.assert_allclose(r.fraction("SGD"), [0.24, 0.5])
    np.testing.assert_allclose(r.fraction("SGD", fast=False), [0.24, 0.25])
    np.testing.assert_allclose(r.speedup("SGD"), [1.0, 2.0])
    np.testing.assert_allclose(r.torch_ratio("SGD"), [2.0, 0.5])
    assert np.isnan(r.torch_ratio("SGD", "fused")).all()
    table = r.time_table(1000)
    assert "2.00×" in table and "0.50" in table and "torch default" in table
    assert r.predicted_fraction("SGD") == 0.6 and r.predicted_fraction("SGD", fast=False) == 0.5
    assert r.memory_table().splitlines()[2].split() == ["SGD", "0", "1", "24", "2", "48", "2", "40"]
    assert r.speedup_table().splitlines() == [
        "optimizer     n = 1e1    n = 1e3",
        "SGD             1.00×      2.00×",
    ]


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="Adamm"):
        step_cost.measure(["Adamm"], sizes=(10,))
    with pytest.raises(ValueError, match="variant"):
        step_cost.time_torch("Adam", 10, variant="compiled")


def test_quick_command_prints_every_optimizer(capsys):
    result = step_cost.main(["--quick", "--no-torch", "--repeat", "1"])
    out = capsys.readouterr().out
    assert result.sizes == (1000, 10_000) and not result.torch
    assert "copy bandwidth" in out and "n = 10,000 parameters" in out
    assert "Readable time ÷ fast time" in out
    lines = out.splitlines()
    for name in ALL:
        # one memory row, one row per size and one row of speed-ups
        assert sum(line.startswith(f"{name} ") for line in lines) == 4, name
    for name in ALL:
        assert np.all(result.readable[name] > 0) and np.all(result.fast[name] > 0)


def test_command_line_errors():
    with pytest.raises(SystemExit):
        step_cost.main(["--repeat", "0"])
    with pytest.raises(SystemExit):
        step_cost.main(["--optimizers", "Adamm"])


def test_works_without_torch():
    """With torch made unimportable, measure() and the module still work."""
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from descent import step_cost\n"
        "r = step_cost.measure(['SGD', 'COCOB'], sizes=(100,), repeat=1, copy_n=2**14)\n"
        "assert r.torch == {} and step_cost.time_torch('SGD', 10) is None\n"
        "assert r.readable['COCOB'][0] > 0 and r.fast['COCOB'][0] > 0\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_importing_step_cost_does_not_import_torch():
    code = "import sys; import descent.step_cost; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_repeat_can_be_given_per_size():
    r = step_cost.measure(["SGD"], sizes=(10, 20), repeat=(2, 1), copy_n=2**12, torch=False)
    assert r.readable["SGD"].shape == r.fast["SGD"].shape == (2,)
    with pytest.raises(ValueError, match="one per size"):
        step_cost.measure(["SGD"], sizes=(10, 20), repeat=(2,), torch=False)
    with pytest.raises(ValueError, match="repeat"):
        step_cost.measure(["SGD"], sizes=(10,), repeat=0, torch=False)


def test_with_one_gradient_forever_cocob_overflows():
    # why the timings alternate the sign of g: the same g, step after step, makes COCOB's
    # reward grow exponentially (a bet that always wins)
    opt, theta, g, state = step_cost._prepared("COCOB", 100, seed=0)
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        for _ in range(5000):
            opt.step(theta, g, state)


@pytest.mark.parametrize("fast_flag", [False, True])
@pytest.mark.parametrize("name", list(ALL))
def test_a_timed_step_keeps_every_state_finite(name, fast_flag):
    # 5000 timed calls, more than any timing makes: no overflow, no invalid value
    opt, theta, g, state = step_cost._prepared(name, 100, seed=0)
    if fast_flag:
        work = fast.Workspace()
        step = step_cost._alternating(lambda *args: fast.step(opt, *args, work), theta, g, state)
    else:
        step = step_cost._alternating(opt.step, theta, g, state)
    with np.errstate(all="raise"):
        for _ in range(5000):
            step()
    arrays = [theta] + [v for v in state.values() if isinstance(v, np.ndarray)]
    assert all(np.isfinite(a).all() for a in arrays)


def test_the_copy_bandwidth_is_the_best_of_two_measurements(monkeypatch):
    speeds = iter([1e9, 3e9])
    monkeypatch.setattr(step_cost, "copy_bandwidth", lambda n, repeat: next(speeds))
    r = step_cost.measure(["SGD"], sizes=(10,), repeat=1, torch=False)
    assert r.copy_bandwidth == 3e9  # measured before and after the timings, best kept


def test_unread_writes_count_scratch_new_and_copied_arrays():
    # fast SGD: theta -= lr * g writes lr * g into a scratch array it did not read
    assert step_cost.unread_writes("SGD") == (1, 8.0)
    # fast Adam: four passes write a scratch array (g², m̂ or its scaled form, the
    # denominator); the in-place updates of m, v and θ are not counted
    assert step_cost.unread_writes("Adam") == (4, 32.0)
    # the readable Adam makes a new array in every pass but the last (θ -= ...), and
    # copies two of them into m and v: 15 of its 16 passes
    assert step_cost.unread_writes("Adam", fast=False) == (15, 120.0)
    for name in ALL:
        count, moved = step_cost.unread_writes(name)
        assert 1 <= count <= step_cost.passes(name)[0] and moved == 8 * count
