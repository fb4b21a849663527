r"""The cost of one optimizer step on this machine: memory, memory traffic and time.

Run it as a program to print the figures (numpy only; torch.optim is compared when it is
installed, never required)::

    python -m descent.step_cost            # 10³ … 10⁷ parameters, about a minute
    python -m descent.step_cost --quick    # a smoke test in seconds (small sizes)

**Memory.** ``state_bytes(opt)`` is what an optimizer keeps per parameter between steps,
measured on the arrays its ``init_state`` returns: 8 bytes per state array in float64
(SGD 0, Momentum 8, Adam 16, COCOB 40). On top of that, a step needs memory for its
intermediate results: the readable ``step`` makes a new array for each of them; its fast
twin (``descent.optimizers.fast``) writes them into ``scratch_arrays(opt)`` arrays of the
size of the largest parameter array, shared by all parameter arrays (a ``Workspace``):
not state, never saved, but memory.

**Traffic.** ``bytes_moved(opt)`` is the number of bytes per parameter that a step *must*
move between memory and the processor: a step that went over memory only once would read
θ, g and every state array once, and write θ and every state array that it changes once::

    SGD 24   Momentum, Nesterov, AdaGrad, RMSProp 40   Adadelta, Adam, AdaMax, NAdam,
    AdamW 56   Adam(amsgrad=True) 72   COCOB 96   (float64; COCOB only reads θ₁)

which arrays a step changes is found by running it, not read from a table. A single-pass
step writes only arrays it has just read, so **write-allocate** (the hardware reading a
cache line before it is written) would add nothing to it.

A numpy step moves more: each numpy operation is a pass of its own, which reads its
operands and writes its result. ``passes(opt)`` runs one step on arrays that log every
operation (and every copy ``m[:] = ...``) and returns the number of passes and the bytes
per parameter they move (Adam's fast step: 14 passes, 256 bytes, where 56 would do; its
readable step with ``fast=False``: 16 passes, 288 bytes). Some of those passes write an
array they did not read: a scratch array, a new array, or a copy into a state array.
``unread_writes(opt)`` counts them (fast Adam: 4 passes, 32 bytes per parameter). On a
cache that write-allocates, each of them reads its target too: traffic that ``passes``
does not count.

**Bandwidth.** ``copy_bandwidth()`` times ``np.copyto`` between two arrays far larger than
the caches (best of k) and counts 16 bytes per float64 element, one read and one write, as
the STREAM benchmark does (McCalpin, 1995). On caches that write-allocate, the copy also
reads its destination first, so the true traffic may be 24 bytes and the figure a
conservative ceiling: a step that moved its bytes in one pass could then reach up to about
1.5× of it. This is a hypothesis about the hardware; the module does not measure it.
``measure()`` measures the copy bandwidth before and after the timings and keeps the
better one.
``fraction`` = bytes moved ÷ time ÷ copy bandwidth says how close a step comes.

**Time.** ``time_step(opt, n)`` is the best of ``repeat`` timings of the fast step on
arrays of n float64 parameters (``descent.timing.best_time``, in processor time of this
thread so that other programs on the machine do not count: ``CLOCK``);
``time_step(opt, n, fast=False)`` times the readable ``opt.step``, the way one writes a
rule first. Both compute the same numbers, bit for bit (tests/test_optimizers_fast.py).
``passes``, ``time_step`` and ``StepCost.fraction`` describe the fast step unless told
``fast=False``: it is the step a large model should run. ``measure()`` does all of it for
several optimizers and sizes and returns a ``StepCost``.
"""

from __future__ import annotations

import argparse
import itertools
import math
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from descent.optimizers import ALL, Optimizer
from descent.optimizers import fast as fast_steps
from descent.timing import best_time, blas_threads

__all__ = [
    "SIZES",
    "TORCH_VARIANTS",
    "StepCost",
    "bytes_moved",
    "copy_bandwidth",
    "main",
    "make_optimizer",
    "measure",
    "passes",
    "scratch_arrays",
    "state_array_names",
    "state_bytes",
    "time_step",
    "time_torch",
    "unread_writes",
]

SIZES = (10**3, 10**4, 10**5, 10**6, 10**7)
#: Every timing counts the processor time of this thread (``time.thread_time``), not the
#: wall-clock time: on a machine shared with other programs, the time when the operating
#: system runs something else is not counted. numpy's elementwise operations, and torch
#: with one thread, run in the calling thread, and the page faults of a new array are
#: processor time of that thread too. (In a virtual machine, work the host does for the
#: program, such as backing fresh memory, may go uncounted: readable times err on the low
#: side.)
CLOCK = time.thread_time
#: The step counter used when timing (bias corrections and NAdam's schedule need t ≥ 1).
T_TIMING = 10
#: torch.optim implementations compared: its default (on CPU the for-loop over tensors,
#: the same as foreach=False), the multi-tensor ``foreach`` one, and ``fused`` kernels.
TORCH_VARIANTS = ("default", "foreach", "fused")


def make_optimizer(name: str) -> Optimizer:
    """The optimizer ``name`` (a key of ``descent.optimizers.ALL``) with its defaults."""
    if name not in ALL:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(ALL)}")
    return ALL[name]()


def _as_optimizer(opt) -> Optimizer:
    return make_optimizer(opt) if isinstance(opt, str) else opt


# --------------------------------------------------------------------------- memory


def state_array_names(opt, dtype=np.float64, n: int = 1000) -> list[str]:
    """Names of the arrays of θ's size in the state ``init_state`` makes for n parameters."""
    opt = _as_optimizer(opt)
    state = opt.init_state(np.zeros(n, dtype=dtype))
    return [k for k, v in state.items() if isinstance(v, np.ndarray) and v.size == n]


def state_bytes(opt, dtype=np.float64, n: int = 1000) -> float:
    """Bytes of optimizer state per parameter: the arrays of the state ``init_state``
    makes for n parameters of ``dtype``, divided by n. (A scalar in the state, such as
    NAdam's Π, is one number per parameter *array*, not per parameter: not counted.)"""
    opt = _as_optimizer(opt)
    state = opt.init_state(np.zeros(n, dtype=dtype))
    return sum(v.nbytes for v in state.values() if isinstance(v, np.ndarray)) / n


def scratch_arrays(opt, n: int = 1000) -> int:
    """How many scratch arrays of θ's size one fast step uses (a ``fast.Workspace``)."""
    opt, theta, g, state = _prepared(opt, n, seed=0)
    work = fast_steps.Workspace()
    fast_steps.step(opt, theta, g, state, work)
    return round(work.nbytes / theta.nbytes)


# --------------------------------------------------------------------------- traffic


def bytes_moved(opt, dtype=np.float64, n: int = 64) -> float:
    """Bytes per parameter that one step must move (see the module docstring): θ read and
    written, g read, each state array read, and written if the step changes it.

    Which state arrays change is found by running three steps on random data."""
    opt, theta, g, state = _prepared(opt, n, seed=1, dtype=dtype)
    arrays = state_array_names(opt, dtype, n)
    before = {k: state[k].copy() for k in arrays}
    rng = np.random.default_rng(2)
    for _ in range(3):
        opt.t += 1
        opt.step(theta, g, state)
        g[...] = rng.uniform(-1, 1, size=n)
    written = [k for k in arrays if not np.array_equal(state[k], before[k])]
    accesses = 2 + 1 + len(arrays) + len(written)  # θ read + written, g read, the state
    return accesses * np.dtype(dtype).itemsize


def _random_arrays(n: int, seed: int, dtype=np.float64):
    """θ and g: n entries each, uniform in [−1, 1)."""
    rng = np.random.default_rng(seed)
    return tuple((2 * rng.random(n, dtype=dtype) - 1) for _ in range(2))


def _fresh(opt, theta, pool=None):
    """A new (readable) optimizer of the same kind and hyperparameters, with the step
    counter at ``T_TIMING``, its state for θ and a workspace for its fast twin. With a
    ``pool`` (see ``_pool``), the state arrays and the scratch space are rows of it."""
    opt = _as_optimizer(opt)
    opt = type(opt)(**opt.hyperparameters())
    opt.t = T_TIMING
    state = opt.init_state(theta)
    if pool is None:
        return opt, state, fast_steps.Workspace()
    rows = iter(pool)
    for key, value in state.items():
        if isinstance(value, np.ndarray) and value.shape == theta.shape:
            row = next(rows).reshape(theta.shape)
            row[...] = value
            state[key] = row
    return opt, state, fast_steps.Workspace(pool[-2:])  # the last two rows: the scratch arrays


def _prepared(opt, n: int, seed: int, dtype=np.float64):
    """``_fresh(opt)`` with random θ and g of size n: (optimizer, θ, g, state)."""
    theta, g = _random_arrays(n, seed, dtype)
    opt, state, _ = _fresh(opt, theta)
    return opt, theta, g, state


# --------------------------------------------------------------------------- bandwidth


def copy_bandwidth(n: int = 2**24, repeat: int = 5) -> float:
    """Bytes per second of ``np.copyto(dst, src)`` for two float64 arrays of n entries
    (default 2²⁴: 128 MiB each, more than the last-level cache of common processors):
    16 n bytes (a read and a write per entry, STREAM's count) ÷ the best of ``repeat``."""
    src = np.ones(n)
    dst = np.zeros(n)  # both written once here, so that no page fault is timed
    seconds = best_time(np.copyto, dst, src, repeat=repeat, number=1, clock=CLOCK)
    return 2 * src.nbytes / seconds


# --------------------------------------------------------------------------- passes


class _Counted(np.ndarray):
    """An array that logs each numpy operation (ufunc call) made with it, and each copy
    into it (``m[:] = ...``), with the bytes of θ-sized arrays the operation reads and
    writes (``passes``)."""

    size_counted = 0  # arrays of this size are counted (θ's size)
    log: list = []

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        def plain(x):
            return x.view(np.ndarray) if isinstance(x, _Counted) else x

        def counted(x):
            return x.view(_Counted) if isinstance(x, np.ndarray) else x

        if out is not None:
            kwargs["out"] = tuple(plain(o) for o in out)
        result = getattr(ufunc, method)(*(plain(x) for x in inputs), **kwargs)
        results = result if isinstance(result, tuple) else (result,)
        n = _Counted.size_counted
        read = sum(x.nbytes for x in inputs if isinstance(x, np.ndarray) and x.size == n)
        targets = [o for o in (out or results) if isinstance(o, np.ndarray) and o.size == n]
        written = sum(o.nbytes for o in targets)
        unread = sum(  # written, but not read by this operation: a scratch or new array
            o.nbytes
            for o in targets
            if not any(isinstance(x, np.ndarray) and np.shares_memory(o, x) for x in inputs)
        )
        _Counted.log.append((ufunc.__name__, read, written, unread))
        if out is not None:
            return out[0] if len(out) == 1 else out
        return tuple(map(counted, results)) if isinstance(result, tuple) else counted(result)

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if isinstance(value, np.ndarray) and value.size == _Counted.size_counted:
            _Counted.log.append(("copy", value.nbytes, value.nbytes, value.nbytes))


def passes(opt, *, fast: bool = True, n: int = 64) -> tuple[int, float]:
    """How one step goes over memory: (the number of numpy operations on arrays of θ's
    size, the bytes per parameter they read and write, STREAM's count).

    Each numpy operation is one pass: it reads its operands from memory and writes its
    result; so is each copy of a result into a state array (``m[:] = ...``). Counts the
    fast twin of the step (``descent.optimizers.fast``), or with ``fast=False`` the
    readable ``opt.step``."""
    log = _pass_log(opt, fast, n)
    return len(log), sum(r + w for _, r, w, _ in log) / n


def unread_writes(opt, *, fast: bool = True, n: int = 64) -> tuple[int, float]:
    """The passes of one step that write an array they do not read (a scratch array, a
    new array, or a copy into a state array): (how many, the bytes per parameter they
    write). On a processor whose cache write-allocates, each such write also reads the
    array it overwrites first: that many more bytes than ``passes`` counts. A pass that
    writes an operand in place (``m *= beta1``) is not one of them."""
    log = _pass_log(opt, fast, n)
    unread = [u for *_, u in log if u]
    return len(unread), sum(unread) / n


def _pass_log(opt, fast: bool, n: int) -> list:
    """(operation, bytes read, bytes written, bytes written to an unread array) of every
    numpy operation of one step on arrays of n entries."""
    opt, theta, g, state = _prepared(opt, n, seed=3)
    theta, g = theta.view(_Counted), g.view(_Counted)
    state = opt.init_state(theta)  # zeros_like & co. keep the subclass: counted too
    work = fast_steps.Workspace(np.empty((4, n)).view(_Counted))  # and the scratch
    _Counted.size_counted, _Counted.log = n, []
    try:
        if fast:
            fast_steps.step(opt, theta, g, state, work)
        else:
            opt.step(theta, g, state)
        log = _Counted.log
    finally:
        _Counted.size_counted, _Counted.log = 0, []
    return log


# --------------------------------------------------------------------------- timing


def time_step(opt, n: int, *, fast: bool = True, repeat: int = 5, seed: int = 0) -> float:
    """Seconds of one step of ``opt`` on n float64 parameters (best of ``repeat``): its
    fast twin, or with ``fast=False`` the readable ``opt.step``.

    The step runs on random θ and g (uniform in [−1, 1)) and its own state, over and over,
    with g and −g in turn (so that no state overflows): the values drift a little from
    call to call, the amount of work does not."""
    theta, g = _random_arrays(n, seed)
    pool = _pool(theta, 2 + len(state_array_names(opt)))
    return _time(opt, theta, g, repeat, pool, fast=fast)


def _time(opt, theta, g, repeat, pool=None, *, fast=False, long=False):
    """``long=True``: a step known to take milliseconds is timed one call at a time, with
    no warm-up call: a readable step asks for fresh memory at every call, each call as
    cold as the first."""
    opt, state, work = _fresh(opt, theta, pool)
    if fast:
        twin = fast_steps.twin(opt)
        call = _alternating(lambda *args: twin(opt, *args, work), theta, g, state)
    else:
        call = _alternating(opt.step, theta, g, state)
    if long:
        return best_time(call, repeat=repeat, number=1, warmup=False, clock=CLOCK)
    return best_time(call, repeat=repeat, clock=CLOCK)


def _alternating(step, theta, g, state):
    """A call of ``step(θ, ±g, state)``, with g and −g in turn.

    A timing repeats the step thousands of times. With the same g every time, some states
    grow without bound (COCOB's reward grows exponentially and overflows after about a
    thousand steps); with alternating signs every state stays bounded, and the work per
    step is the same."""
    grads = itertools.cycle((g, -g))
    return lambda: step(theta, next(grads), state)


def _pool(theta, rows: int) -> np.ndarray:
    """``rows`` arrays of θ's size in one block, written once, so that the state and scratch
    arrays taken from it are real memory: timing a step then measures the step, not the
    operating system handing out (and zeroing) fresh pages, nor reads of never-written
    zeros, which all map to one shared page."""
    block = np.empty((rows, theta.size), dtype=theta.dtype)
    block.fill(0.0)
    return block


#: descent name -> (torch.optim class, keyword arguments equal to our defaults).
_TORCH = {
    "SGD": ("SGD", {"lr": 1e-3}),
    "Momentum": ("SGD", {"lr": 1e-3, "momentum": 0.9}),
    "Nesterov": ("SGD", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    "AdaGrad": ("Adagrad", {}),
    "RMSProp": ("RMSprop", {}),
    "Adadelta": ("Adadelta", {}),
    "Adam": ("Adam", {}),
    "AdaMax": ("Adamax", {}),
    "NAdam": ("NAdam", {}),
    "AdamW": ("AdamW", {}),
}


def time_torch(name: str, n: int, variant: str = "default", *, repeat: int = 5, seed: int = 0):
    """Seconds of one ``torch.optim`` step on the same kind of float64 arrays as
    ``time_step`` (shared with numpy, no copy), with one torch thread, as numpy uses one.

    ``variant``: "default" (on CPU, the for-loop over tensors: foreach=False), "foreach"
    or "fused". Returns None if torch is not installed, has no such optimizer (COCOB) or
    no such implementation of it (fused exists for SGD, Adagrad, Adam and AdamW)."""
    if variant not in TORCH_VARIANTS:
        raise ValueError(f"variant must be one of {TORCH_VARIANTS}, got {variant!r}")
    return _time_torch(name, *_random_arrays(n, seed), variant, repeat)


def _time_torch(name, theta, g, variant, repeat):
    try:
        import torch
    except ImportError:
        return None
    if name not in _TORCH:
        return None
    cls_name, kwargs = _TORCH[name]
    extra = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}[variant]
    p = torch.from_numpy(theta)
    p.grad = torch.from_numpy(g)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        try:
            opt = getattr(torch.optim, cls_name)([p], **kwargs, **extra)
            opt.step()  # creates the state; also raises here if the variant is unsupported
        except (RuntimeError, ValueError, TypeError):
            return None
        return best_time(opt.step, repeat=repeat, clock=CLOCK)
    finally:
        torch.set_num_threads(threads)


# --------------------------------------------------------------------------- all together


@dataclass
class StepCost:
    """Measurements of ``measure()``: per optimizer name, arrays over ``sizes``.

    Attributes:
        sizes: numbers of parameters n.
        copy_bandwidth: bytes per second of np.copyto (16 bytes per float64 entry), the
            better of two measurements, before and after the timings.
        state_bytes, scratch_arrays, bytes_moved: per name (bytes per parameter; count of
            the fast twin's scratch arrays; bytes per parameter).
        passes: per name, {"readable": ..., "fast": ...}, each (numpy operations of one
            step, bytes per parameter they move).
        readable, fast: per name, seconds per step at each size (the readable step and
            its fast twin).
        torch: per variant ("default", "foreach", "fused"), per name, seconds per step
            (NaN where torch lacks the optimizer or the variant); empty without torch.
    """

    sizes: tuple
    copy_bandwidth: float
    state_bytes: dict = field(default_factory=dict)
    scratch_arrays: dict = field(default_factory=dict)
    bytes_moved: dict = field(default_factory=dict)
    passes: dict = field(default_factory=dict)
    readable: dict = field(default_factory=dict)
    fast: dict = field(default_factory=dict)
    torch: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.fast)

    def limit(self, name: str) -> np.ndarray:
        """Seconds a step would take if it moved its bytes at the copy bandwidth."""
        return self.bytes_moved[name] * np.asarray(self.sizes) / self.copy_bandwidth

    def fraction(self, name: str, fast: bool = True) -> np.ndarray:
        """Achieved fraction of the copy bandwidth at each size, by the fast step (or the
        readable one): bytes moved ÷ time ÷ copy bandwidth (= limit ÷ time)."""
        return self.limit(name) / (self.fast if fast else self.readable)[name]

    def predicted_fraction(self, name: str, fast: bool = True) -> float:
        """The fraction of the copy bandwidth a step would reach if each of its numpy
        passes ran at the copy bandwidth: bytes it must move ÷ bytes its passes move."""
        return self.bytes_moved[name] / self.passes[name]["fast" if fast else "readable"][1]

    def speedup(self, name: str) -> np.ndarray:
        """Readable time ÷ fast time at each size."""
        return self.readable[name] / self.fast[name]

    def torch_ratio(self, name: str, variant: str = "default") -> np.ndarray:
        """torch.optim's time ÷ our fast step's at each size (> 1: ours is faster); NaN
        without it."""
        theirs = self.torch.get(variant, {}).get(name)
        if theirs is None:
            return np.full(len(self.sizes), np.nan)
        return theirs / self.fast[name]

    def memory_table(self) -> str:
        """Per optimizer: state and scratch arrays, the bytes a step must move, and the
        numpy passes of the readable and the fast step with the bytes they move (per
        parameter)."""
        rows = [
            f"{'':<10} {'state':>7} {'scratch':>8} {'must move':>10} "
            f"{'readable step':>15} {'fast step':>15}",
            f"{'optimizer':<10} {'B/param':>7} {'arrays':>8} {'B/param':>10}"
            + f" {'passes':>7} {'move B':>7}" * 2,
        ]
        for name in self.names:
            row = (
                f"{name:<10} {self.state_bytes[name]:>7.3g} {self.scratch_arrays[name]:>8d} "
                f"{self.bytes_moved[name]:>10.0f}"
            )
            for which in ("readable", "fast"):
                calls, moved = self.passes.get(name, {}).get(which, (0, math.nan))
                row += f" {calls:>7d} {moved:>7.0f}"
            rows.append(row)
        return "\n".join(rows)

    def time_table(self, n: int) -> str:
        """Time per step at size n (readable, fast), speed-up, fraction of the copy
        bandwidth (fast step), torch ratios."""
        i = self.sizes.index(n)
        variants = [v for v in TORCH_VARIANTS if v in self.torch]
        head = f"{'optimizer':<10} {'readable':>10} {'fast':>10} {'speed-up':>9} {'of copy bw':>10}"
        head += "".join(f" {'torch ' + v:>13}" for v in variants)
        rows = [head]
        for name in self.names:
            row = (
                f"{name:<10} {_duration(self.readable[name][i]):>10} "
                f"{_duration(self.fast[name][i]):>10} {self.speedup(name)[i]:>8.2f}× "
                f"{self.fraction(name)[i]:>10.2f}"
            )
            for v in variants:
                r = self.torch_ratio(name, v)[i]
                row += f" {'–' if math.isnan(r) else f'{r:.2f}×':>13}"
            rows.append(row)
        return "\n".join(rows)

    def speedup_table(self) -> str:
        """Readable time ÷ fast time, one row per optimizer, one column per size."""
        sizes = (f"n = {n:.0e}".replace("e+0", "e").replace("e+", "e") for n in self.sizes)
        rows = [f"{'optimizer':<10}" + "".join(f" {size:>10}" for size in sizes)]
        for name in self.names:
            rows.append(f"{name:<10}" + "".join(f" {r:>9.2f}×" for r in self.speedup(name)))
        return "\n".join(rows)


def _duration(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def measure(
    names: Sequence[str] | None = None,
    sizes: Sequence[int] = SIZES,
    *,
    repeat: int | Sequence[int] = 5,
    copy_n: int = 2**24,
    torch: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> StepCost:
    """Measure memory, traffic and time of each optimizer at each size (float64).

    Args:
        names: optimizers (keys of ``descent.optimizers.ALL``); default all of them.
        sizes: numbers of parameters.
        repeat: timings per measurement, the best one is kept: one number, or one per
            size (fewer for the largest sizes, where one timing is long and steady).
        copy_n: entries of each array of the copy-bandwidth measurement.
        torch: compare with torch.optim (None: if it can be imported).
        progress: called with a short text before each measurement (e.g. ``print``).
    """
    names = list(ALL) if names is None else list(names)
    for name in names:
        make_optimizer(name)  # a clear error for an unknown name, before any timing
    sizes = tuple(int(n) for n in sizes)
    repeats = [repeat] * len(sizes) if isinstance(repeat, int) else [int(r) for r in repeat]
    if len(repeats) != len(sizes) or min(repeats) < 1:
        raise ValueError(
            f"repeat must be an integer >= 1 or one per size ({len(sizes)}), got {repeat!r}"
        )
    if torch is None:
        try:
            import torch as _torch  # noqa: F401
        except ImportError:
            torch = False
        else:
            torch = True
    say = progress or (lambda text: None)
    with blas_threads(1):
        say(f"copy bandwidth ({copy_n:,} entries)")
        bandwidth = copy_bandwidth(copy_n, repeat=max(repeats))
        result = StepCost(sizes, bandwidth)
        for name in names:
            result.state_bytes[name] = state_bytes(name)
            result.scratch_arrays[name] = scratch_arrays(name)
            result.bytes_moved[name] = bytes_moved(name)
            result.passes[name] = {"readable": passes(name, fast=False), "fast": passes(name)}
        # rows of the pool: the most state arrays, then two of scratch space
        rows = 2 + max(len(state_array_names(name)) for name in names)
        variants = TORCH_VARIANTS if torch else ()
        timings = {"readable": {}, "fast": {}, **{v: {} for v in variants}}
        for n, repeat in zip(sizes, repeats, strict=True):
            theta, g = _random_arrays(n, seed=0)  # shared: θ drifts, the work does not
            pool = _pool(theta, rows)
            for name in names:
                say(f"{name}, n = {n:,}")
                fast = _time(name, theta, g, repeat, pool, fast=True)
                timings["fast"].setdefault(name, []).append(fast)
                timings["readable"].setdefault(name, []).append(
                    _time(name, theta, g, repeat, pool, long=fast > 0.005)
                )
                for v in variants:
                    seconds = _time_torch(name, theta, g, v, repeat)
                    timings[v].setdefault(name, []).append(math.nan if seconds is None else seconds)
            del theta, g, pool
        # measured again after the timings, the best kept: a moment when another program
        # used the memory at the start then does not lower the ceiling of every step
        say("copy bandwidth, again")
        result.copy_bandwidth = max(bandwidth, copy_bandwidth(copy_n, repeat=max(repeats)))
    result.readable = {k: np.array(v) for k, v in timings["readable"].items()}
    result.fast = {k: np.array(v) for k, v in timings["fast"].items()}
    for v in variants:
        per_name = {k: np.array(t) for k, t in timings[v].items()}
        if any(np.isfinite(t).any() for t in per_name.values()):
            result.torch[v] = per_name
    return result


# --------------------------------------------------------------------------- the program


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m descent.step_cost",
        description="Time one step of each optimizer (float64) against the machine's copy "
        "bandwidth, readable step against fast step and, if installed, torch.optim.",
    )
    parser.add_argument(
        "--sizes",
        type=float,
        nargs="+",
        metavar="N",
        help="numbers of parameters (default 1e3 1e4 1e5 1e6 1e7)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="timings per measurement, the best is kept (default 5)",
    )
    parser.add_argument(
        "--optimizers",
        nargs="+",
        choices=list(ALL),
        metavar="NAME",
        help=f"a subset of: {' '.join(ALL)}",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes (1e3, 1e4), 2 repeats, a smaller copy: seconds",
    )
    parser.add_argument("--no-torch", action="store_true", help="skip torch.optim")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be >= 1, got {args.repeat}")
    if args.sizes and any(n < 1 or n != int(n) for n in args.sizes):
        parser.error("--sizes must be whole numbers >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> StepCost:
    """The command line: measure, then print the memory table, one time table per size and
    the speed-up of the fast steps at every size."""
    args = _parse_args(argv)
    if args.quick:
        sizes, repeat, copy_n = (10**3, 10**4), min(args.repeat, 2), 2**22
    else:
        sizes, repeat, copy_n = SIZES, args.repeat, 2**24
    if args.sizes:
        sizes = tuple(int(n) for n in args.sizes)
    result = measure(
        args.optimizers,
        sizes,
        repeat=repeat,
        copy_n=copy_n,
        torch=False if args.no_torch else None,
        progress=lambda text: print(f"  measuring {text} ...", file=sys.stderr),
    )
    bw = result.copy_bandwidth
    print(
        f"descent.step_cost: numpy {np.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}; float64; best of {repeat}"
    )
    print(
        f"copy bandwidth: {bw / 1e9:.1f} GB/s (np.copyto, 2 arrays of {copy_n:,} float64, "
        "16 bytes per entry)\n"
    )
    print(
        "Per parameter (float64): the state kept between steps, the scratch arrays the fast "
        "step\nwrites into (shared by all parameter arrays), the bytes a step must move, and "
        "the numpy\npasses of the readable and the fast step with the bytes they move."
    )
    print(result.memory_table())
    for n in result.sizes:
        print(
            f"\nOne step on n = {n:,} parameters. speed-up: readable time ÷ fast time; "
            "of copy bw:\nbytes moved ÷ fast time ÷ copy bandwidth"
            + (
                ";\ntorch: torch.optim's time ÷ our fast step's (1 thread)."
                if result.torch
                else "."
            )
        )
        print(result.time_table(n))
    print("\nReadable time ÷ fast time (the speed-up of the fast twin), by size:")
    print(result.speedup_table())
    if not result.torch:
        print("\n(torch is not installed or --no-torch: no comparison with torch.optim)")
    return result


if __name__ == "__main__":
    main()
