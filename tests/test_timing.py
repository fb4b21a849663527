"""descent.timing: the minimum over repeated measurements, and limiting BLAS threads."""

import gc
import time

import numpy as np
import pytest

from descent import timing


def test_best_time_measures_a_known_duration():
    seconds = timing.best_time(time.sleep, 0.002, repeat=3, number=2)
    # sleep never returns early; the upper bound leaves room for a busy machine, where
    # waking up after a sleep can take tens of milliseconds
    assert 0.002 <= seconds < 0.2


def fake_clock(durations):
    """A clock and a function to time: each call of the function lasts the next duration."""
    now, lengths = [0.0], iter(durations)

    def fn():
        now[0] += next(lengths)

    return (lambda: now[0]), fn


def test_best_time_calls_the_function_the_expected_number_of_times():
    calls = []
    timing.best_time(calls.append, 1, repeat=4, number=3)
    assert len(calls) == 1 + 4 * 3  # one warm-up call, then repeat × number


def test_best_time_chooses_enough_calls_for_min_time():
    calls = []

    def tiny():
        calls.append(None)

    seconds = timing.best_time(tiny, repeat=2, min_time=0.002)
    assert len(calls) > 20 and seconds < 1e-3


def test_best_time_is_the_minimum_not_the_mean():
    # warm-up, then four measurements of which one is fast
    clock, uneven = fake_clock([0.0, 20.0, 1.0, 20.0, 20.0])
    assert timing.best_time(uneven, repeat=4, number=1, clock=clock) == 1.0


def test_best_time_is_per_call():
    clock, fn = fake_clock([0.0] + [3.0] * 6)  # warm-up, then 2 measurements of 3 calls
    assert timing.best_time(fn, repeat=2, number=3, clock=clock) == 3.0


def test_best_time_passes_arguments_and_restores_the_garbage_collector():
    assert gc.isenabled()
    seen = {}
    timing.best_time(lambda a, b=0: seen.update(a=a, b=b), 1, b=2, repeat=1, number=1)
    assert seen == {"a": 1, "b": 2} and gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        timing.best_time(lambda: 1 / 0)
    assert gc.isenabled()


def test_best_time_with_the_thread_clock_ignores_sleeping():
    # sleeping uses no processor time: the thread clock sees (almost) none of it
    wall = timing.best_time(time.sleep, 0.005, repeat=2, number=1)
    cpu = timing.best_time(time.sleep, 0.005, repeat=2, number=1, clock=time.thread_time)
    assert wall >= 0.005 and cpu < 0.002


def test_best_time_can_skip_the_warm_up_call():
    calls = []
    timing.best_time(calls.append, 1, repeat=2, number=1, warmup=False)
    assert len(calls) == 2  # no warm-up: repeat × number
    timing.best_time(calls.append, 1, repeat=2, warmup=False)  # number chosen: calibrates
    assert len(calls) > 2 + 2


def test_best_time_uses_the_clock_it_is_given():
    ticks = iter(range(100))
    seconds = timing.best_time(lambda: None, repeat=3, number=1, clock=lambda: next(ticks))
    assert seconds == 1  # every measurement is one tick of this fake clock


@pytest.mark.parametrize(
    "kwargs",
    [dict(repeat=0), dict(repeat=1.5), dict(number=0), dict(min_time=-1.0), dict(clock=1.0)],
)
def test_best_time_validates(kwargs):
    with pytest.raises(ValueError):
        timing.best_time(lambda: None, **kwargs)


def test_interleaved_takes_turns_and_keeps_each_best():
    order = []
    # a fake clock: each measurement lasts the ticks given for (function, round)
    lengths = {("a", 0): 1, ("b", 0): 3, ("a", 1): 2, ("b", 1): 1, ("a", 2): 4, ("b", 2): 2}
    state = {"now": 0}

    def clock():
        return state["now"]

    def make(name):
        def fn():
            rnd = sum(1 for o in order if o == name)
            order.append(name)
            state["now"] += lengths[name, rnd]

        return fn

    best = timing.interleaved(
        {"a": make("a"), "b": make("b")}, rounds=3, repeat=1, number=1, warmup=False, clock=clock
    )
    assert order == ["a", "b"] * 3  # one measurement of each, in turn, three rounds
    assert best == {"a": 1, "b": 1} and list(best) == ["a", "b"]


@pytest.mark.parametrize("rounds", [0, 1.5, True])
def test_interleaved_validates_rounds(rounds):
    with pytest.raises(ValueError, match="rounds must be an integer >= 1"):
        timing.interleaved({"a": lambda: None}, rounds=rounds)


def _threads():
    from threadpoolctl import threadpool_info

    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


def test_blas_threads_in_a_with_block_limits_and_restores():
    before = _threads()
    with timing.blas_threads(1) as limit:
        assert all(n == 1 for n in _threads()) and repr(limit) == "blas_threads(1)"
        a = np.ones((50, 50))
        assert np.allclose(a @ a, 50.0)
    assert _threads() == before
    with timing.blas_threads(None):
        assert _threads() == before


def test_blas_threads_called_alone_lasts_until_restored():
    before = _threads()
    limit = timing.blas_threads(1)
    try:
        assert all(n == 1 for n in _threads())
        assert all(n == 1 for n in _threads())  # still, on a later line
    finally:
        limit.restore()
    assert _threads() == before
    limit.restore()  # a second restore does nothing
    assert _threads() == before


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "1"])
def test_blas_threads_validates(bad):
    with pytest.raises(ValueError, match="limit"):
        timing.blas_threads(bad)
