"""Appendix, the cost of an optimizer step: the checker of an in-place RMSProp step."""

from __future__ import annotations

import textwrap
import tracemalloc

import numpy as np

from descent.checks.adaptive import rmsprop_mistakes
from descent.checks.engine import WIDTH, Case, CheckResult, diagnose_pair, exercise

#: entries of the arrays on which the checker measures the memory a step allocates
ALLOCATION_SIZE = 20_000


def _in_place(fn, theta, s, g, lr, rho, eps, tmp):
    """Run an in-place step and return what it left in θ and s, so that the engine can
    compare them with the rule's new arrays. Its return value is ignored."""
    fn(theta, s, g, lr, rho, eps, tmp)
    return theta, s


def _rmsprop_step_inplace(theta, s, g, lr, rho, eps, tmp):
    """A correct solution, in place with one scratch array (the exercise's record)."""
    s *= rho
    np.square(g, out=tmp)
    tmp *= 1 - rho
    s += tmp
    np.sqrt(s, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    theta -= tmp


def _diagnose(case, received, expected) -> str | None:
    theta, s = (np.asarray(a, dtype=float) for a in case.args[:2])
    got_theta, got_s = np.asarray(received, dtype=float)
    if np.array_equal(got_theta, theta) and not np.allclose(expected[0], theta):
        return (
            "θ did not change. `theta = theta - ...` makes a new array and gives it the "
            "name theta inside your function; the caller's array stays as it was. Write "
            "into the array itself: `theta -= ...` or `np.subtract(theta, tmp, out=theta)`."
        )
    if np.array_equal(got_s, s) and not np.allclose(expected[1], s):
        return (
            "s did not change. `s = rho * s + ...` makes a new array; update the caller's "
            "array in place: `s *= rho`, then `s += ...`."
        )
    return diagnose_pair("s", _mistakes)(case, received, expected)


def _mistakes(theta, s, g, lr, rho, eps, tmp) -> dict:
    """Chapter 9's known wrong RMSProp steps (sentence -> (θ, s)), for these arguments."""
    return rmsprop_mistakes(theta, s, g, lr, rho, eps)


def _peak_allocation(fn, *args) -> int:
    """The most memory (bytes) held at one time by allocations made during ``fn(*args)``;
    numpy reports its arrays' data to tracemalloc."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn(*args)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        if not was_tracing:
            tracemalloc.stop()


def _allocation_verdict(exercise, fn, cases, level) -> CheckResult:
    """Once the values are right: the verdict on the memory the step allocates."""
    name, n_cases = exercise.name, len(cases)
    rng = np.random.default_rng(0)
    theta, g = rng.normal(size=ALLOCATION_SIZE), rng.normal(size=ALLOCATION_SIZE)
    s, tmp = rng.uniform(0.1, 1.0, size=ALLOCATION_SIZE), np.empty(ALLOCATION_SIZE)
    with np.errstate(all="ignore"):
        fn(theta.copy(), s.copy(), g.copy(), 0.01, 0.9, 1e-8, tmp)  # warm-up
        peak = _peak_allocation(fn, theta, s, g, 0.01, 0.9, 1e-8, tmp)
    if peak < theta.nbytes / 10:
        return CheckResult(
            True,
            "passed",
            textwrap.fill(
                f"✔ {name}: correct on all {n_cases} test cases, and in place: on arrays "
                f"of {theta.nbytes:,} bytes it allocated {peak:,} bytes.",
                WIDTH,
                subsequent_indent="  ",
            ),
            name,
        )
    text = (
        f"✘ {name}: the values are right, but the step is not in place. On arrays of "
        f"{ALLOCATION_SIZE:,} entries ({theta.nbytes:,} bytes each) it held {peak:,} bytes "
        f"of new memory at once, about {peak / theta.nbytes:.1f} new arrays. Every "
        "operation without out= makes one (lr * g, np.sqrt(s), ... + eps). Write each "
        "intermediate result into tmp, s or theta, with in-place operators (+=, *=) and "
        "the out= argument of numpy's functions."
    )
    message = textwrap.fill(text, WIDTH, subsequent_indent="  ")
    return CheckResult(False, "wrong", message, name, n_cases)


@exercise(
    "rmsprop_step_inplace",
    "theta, s, g, lr, rho, eps, tmp",
    reference=_rmsprop_step_inplace,
    hints=(
        "(The pair shown is θ and s as your function left them.) Change θ and s themselves, "
        "with in-place operators and the out= argument of numpy's functions, and keep every "
        "intermediate result in tmp.",
        "Update s first: scale it by ρ, and build (1 − ρ) g² in tmp before you add it. Then "
        "reuse tmp for √s + ε and for the step, and subtract the step from θ in place.",
    ),
    rtol=1e-10,
    atol=1e-14,
    unchanged=(2,),
    diagnose=_diagnose,
    run=_in_place,
    extra=_allocation_verdict,
)
def check_rmsprop_step_inplace():
    """Appendix: ``fn(theta, s, g, lr, rho, eps, tmp)`` performs one RMSProp step **in
    place**, for arrays of any shape:

        s ← ρ s + (1 − ρ) g² ;  θ ← θ − η g / (√s + ε)

    changing θ and s, using ``tmp`` (an array of θ's shape with any values in it) as its
    only scratch space, leaving g unchanged, and allocating no new array. Its return value
    is ignored. The values are compared with the rule (any order of the operations that
    agrees to ~1e-10 is right), then the memory the function allocates on arrays of
    ``ALLOCATION_SIZE`` entries must stay below a tenth of one such array.
    """
    # θ, s, g, η, ρ, ε and a scratch array; the first case has s = 0 and g = 0 in some
    # entries (only ε prevents 0/0) and an ε large enough to show where it is added
    rng = np.random.default_rng(12)

    def rand(shape, lr, rho, eps, scale=1.0):
        theta, g = rng.normal(size=shape), scale * rng.normal(size=shape)
        s = scale**2 * rng.uniform(0.05, 2.0, size=shape)
        return Case((theta, s, g, lr, rho, eps, np.full(shape, np.nan)))

    first = Case(
        (
            np.array([1.0, -2.0, 0.5, 3.0]),
            np.array([0.0, 0.25, 4.0, 0.0]),
            np.array([0.3, -1.0, 2.0, 0.0]),
            0.1,
            0.9,
            0.1,
            np.zeros(4),
        )  # fmt: skip
    )
    return [
        first,
        rand((2, 3), 0.01, 0.99, 1e-8),
        rand(5, 0.5, 0.5, 1e-6),
        rand((3, 2), 1e-3, 0.9, 1e-8, scale=1e-4),  # tiny gradients: ε's place matters
    ]
