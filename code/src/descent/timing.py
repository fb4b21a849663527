"""Wall-clock timing that survives a busy machine: the minimum over repeated measurements.

A timing is the true cost of the code plus whatever else the computer was doing at that
moment (other processes, the garbage collector, a cold cache), and the extra part is never
negative. So the *smallest* of several measurements is the best estimate of the cost itself;
the mean and the maximum mostly measure the noise (the advice of Python's ``timeit``).
On a machine with more busy processes than cores, the operating system hands out the cores
in slices of a few milliseconds, so many *short* measurements (about a millisecond each)
have a much better chance of running uninterrupted than a few long ones.

``best_time(fn)`` returns seconds per call: it calls ``fn`` once to warm up, picks a
number of calls per measurement so that one measurement lasts at least ``min_time``
seconds (too short a measurement is dominated by the clock's resolution), and returns the
minimum over ``repeat`` measurements of the mean time per call.

``best_time(fn, clock=time.thread_time)`` counts the processor time of the calling thread
instead of the wall-clock time: the time when the operating system runs another program is
then not counted at all, which makes long measurements (tens of milliseconds and more, too
long to escape every interruption) far steadier on a busy machine. It suits code that runs
in the calling thread only, such as numpy's elementwise operations.

``interleaved({"a": fn_a, "b": fn_b}, rounds=3)`` times several functions that are to be
compared with each other: it measures each one in turn, ``rounds`` times over, and keeps
each function's best. A busy moment of the machine then spoils one round of one function,
not the comparison; and if the machine is busy all along, every function is slowed alike,
so that their ratios, which are what a claim compares, hold.

``blas_threads(k)`` limits the threads of numpy's linear-algebra library (BLAS) to ``k``,
inside a ``with`` block or for the rest of the session, so that a timing does not depend
on whether the library decided to use a second core that another process was using. It
uses threadpoolctl, which scikit-learn installs.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

__all__ = ["best_time", "blas_threads", "interleaved"]

K = TypeVar("K")


def best_time(
    fn: Callable,
    *args,
    repeat: int = 9,
    number: int | None = None,
    min_time: float = 0.001,
    clock: Callable[[], float] = time.perf_counter,
    warmup: bool = True,
    **kwargs,
) -> float:
    """Seconds per call of ``fn(*args, **kwargs)``: the minimum over ``repeat`` measurements.

    Args:
        fn: the code to time; its result is discarded.
        repeat: the number of measurements (≥ 1); more makes the minimum more robust.
        number: calls per measurement (≥ 1); default: doubled from 1 until one measurement
            takes at least ``min_time`` seconds.
        min_time: the shortest measurement accepted when ``number`` is chosen automatically.
        clock: the clock, in seconds (default ``time.perf_counter``, wall-clock time;
            ``time.thread_time`` counts only the processor time of this thread).
        warmup: make one call before measuring (default). ``warmup=False`` with a given
            ``number`` skips it, for long calls with nothing to warm up (each call as cold
            as the first, e.g. one that allocates fresh memory every time).

    The garbage collector is switched off while measuring (as ``timeit`` does) and restored.
    """
    for name, value in (("repeat", repeat), ("number", number)):
        if value is None and name == "number":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    if not (isinstance(min_time, (int, float)) and math.isfinite(min_time) and min_time >= 0):
        raise ValueError(f"min_time must be a finite number >= 0, got {min_time!r}")

    if not callable(clock):
        raise ValueError(f"clock must be a function returning seconds, got {clock!r}")

    def measure(calls: int) -> float:
        tic = clock()
        for _ in range(calls):
            fn(*args, **kwargs)
        return clock() - tic

    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if number is None or warmup:
            first = measure(1)  # warm-up: caches, lazy imports, first allocations
        if number is None:
            number = 1
            elapsed = first
            while elapsed < min_time and number < 1_000_000:
                number *= 2
                elapsed = measure(number)
        return min(measure(number) / number for _ in range(repeat))
    finally:
        if gc_was_enabled:
            gc.enable()


def interleaved(fns: Mapping[K, Callable[[], object]], rounds: int = 3, **kwargs) -> dict[K, float]:
    """Seconds per call of each function of ``fns``, timed in ``rounds`` interleaved rounds.

    Each round times every function once with ``best_time(fn, **kwargs)``; the result is
    each function's minimum over the rounds, in the order of ``fns``.
    """
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"rounds must be an integer >= 1, got {rounds!r}")
    best = {key: math.inf for key in fns}
    for _ in range(rounds):
        for key, fn in fns.items():
            best[key] = min(best[key], best_time(fn, **kwargs))
    return best


class blas_threads:
    """Limit numpy's BLAS to ``limit`` threads (None: leave it as it is).

    Used in a ``with`` block, the limit holds inside the block and the previous number of
    threads is restored after it. Called on its own line, the limit holds for the rest of
    the session (or until ``.restore()``)::

        timing.blas_threads(1)              # from now on
        with timing.blas_threads(1):        # only here
            best_time(np.dot, a, b)

    Why: a matrix product large enough for the BLAS library to split across cores runs
    at the mercy of every other process on the machine. On a busy computer a second thread
    that has to wait for a core can make the product several times slower instead of
    faster, and timings then measure the machine's load, not the code.
    """

    def __init__(self, limit: int | None):
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise ValueError(f"limit must be an integer >= 1 or None, got {limit!r}")
        self.limit = limit
        self._limiter = None
        if limit is not None:
            from threadpoolctl import threadpool_limits

            self._limiter = threadpool_limits(limits=limit, user_api="blas")

    def restore(self) -> None:
        """Give BLAS back the number of threads it had before."""
        if self._limiter is not None:
            self._limiter.restore_original_limits()
            self._limiter = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.restore()

    def __repr__(self) -> str:
        return f"blas_threads({self.limit!r})"
