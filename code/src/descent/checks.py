"""Checkers for the exercises: run the student's function on seeded cases, compare it with a
reference, and say what went wrong in words a student can act on.

In a chapter, an exercise has a stub cell, then a check cell::

    checks.check_rosenbrock_gradient(rosenbrock_gradient)

which prints one of

* ``✔ rosenbrock_gradient: correct on all 7 test cases.``
* ``… rosenbrock_gradient: not implemented yet.`` (the stub raises NotImplementedError or
  returns None / ...): never an error, so a student's notebook keeps running;
* ``✘ rosenbrock_gradient: wrong result ...`` with the first input where it differs, the
  expected and the received value, and a hint;
* ``✘ rosenbrock_gradient raised ...`` with the exception and the student's own line.

In strict mode (``strict=True``, or the environment variable ``DESCENT_STRICT_CHECKS`` or
``CI`` set to 1 / true / yes / on) a wrong answer or an error raises AssertionError, so
that a broken solution fails the book's build; a stub still only prints.

Adding a checker for a new exercise takes a few lines: build seeded ``Case``s (or use
``random_cases``), name a reference implementation, call ``check``::

    def check_sigmoid(fn, *, strict=None):
        \"\"\"Exercise: fn(x) = 1 / (1 + exp(−x)), elementwise, stable for large |x|.\"\"\"
        cases = random_cases((5,), (3, 4), seed=5, low=-30, high=30)
        return check(fn, nn.sigmoid, cases, name="sigmoid", hint="...", strict=strict)

and add wrong student functions to tests/test_checks.py to prove that it catches them.
"""

from __future__ import annotations

import copy
import inspect
import os
import sysconfig
import textwrap
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Case",
    "CheckResult",
    "check",
    "check_gradient_descent",
    "check_numerical_gradient",
    "check_relative_error",
    "check_rosenbrock_gradient",
    "random_cases",
    "strict_mode",
]

STATUSES = ("passed", "not implemented", "wrong", "error")
_TRUTHY = {"1", "true", "yes", "on"}
#: Messages are wrapped to this many characters, the width of a notebook output on the page.
WIDTH = 76
_INDENT = len("  expected: ")  # where values start in a message
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = tuple(
    os.path.abspath(p)
    for p in {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
)


@dataclass(frozen=True)
class Case:
    """One test input: positional ``args``, keyword ``kwargs``, and optionally a ``label``
    that shows the input better than the arguments' values (e.g. "f = ½‖x‖², x = ...")."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    label: str | None = None


@dataclass
class CheckResult:
    """The verdict of a check.

    Attributes:
        passed: True only if every case gave the expected result.
        status: "passed", "not implemented", "wrong" or "error".
        message: the text that was printed.
        name: the name of the exercise.
        case: the index of the first failing case, or None.
    """

    passed: bool
    status: str
    message: str
    name: str = ""
    case: int | None = None

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"CheckResult(name={self.name!r}, status={self.status!r}, passed={self.passed})"

    def _ipython_display_(self) -> None:
        # check() has printed the message already; showing the result object as well,
        # when a check is the last line of a cell, would say the same thing twice.
        pass


def strict_mode() -> bool:
    """True if ``DESCENT_STRICT_CHECKS`` or ``CI`` is set to 1 / true / yes / on."""
    return any(
        os.environ.get(var, "").strip().lower() in _TRUTHY
        for var in ("DESCENT_STRICT_CHECKS", "CI")
    )


def check(
    student_fn: Callable,
    reference_fn: Callable,
    cases: Iterable,
    *,
    name: str | None = None,
    hint: str = "",
    strict: bool | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    unchanged: Sequence[int] = (),
    diagnose: Callable | None = None,
    quiet: bool = False,
) -> CheckResult:
    """Compare ``student_fn`` with ``reference_fn`` on each case; print and return a verdict.

    Each case is a ``Case``, a tuple of positional arguments, or a single argument. Both
    functions get deep copies of the arguments, so neither can change the cases. The first
    case where the student's result differs (in type, shape, dtype or value, with
    ``np.allclose(received, expected, rtol, atol)``) is reported.

    Args:
        student_fn: the student's function.
        reference_fn: a correct implementation, called with the same arguments.
        cases: the test inputs; put the most telling one first.
        name: the exercise's name in the messages (default: the student function's name).
        hint: one or two sentences shown with a wrong answer.
        strict: raise AssertionError on a wrong answer or an error; None reads the
            environment (``strict_mode()``). A stub never raises.
        unchanged: indices of arguments the student's function must leave as they were
            (e.g. a numerical gradient must restore x).
        diagnose: ``diagnose(case, received, expected) -> str | None``, a sentence naming a
            known mistake, tried when a result is wrong.
        quiet: do not print.
    """
    name = name or getattr(student_fn, "__name__", "your function")
    strict = strict_mode() if strict is None else bool(strict)
    cases = [_as_case(c) for c in cases]
    if not cases:
        raise ValueError("check needs at least one case")
    result = _verdict(student_fn, reference_fn, cases, name, hint, rtol, atol, unchanged, diagnose)
    if strict and result.status in ("wrong", "error"):
        raise AssertionError(result.message)
    if not quiet:
        print(result.message)
    return result


def random_cases(*shapes, seed: int = 0, low: float = -2.0, high: float = 2.0) -> list[Case]:
    """One case per shape, each a single float64 array drawn uniformly from [low, high).

    >>> [c.args[0].shape for c in random_cases((2,), (3, 2))]
    [(2,), (3, 2)]
    """
    rng = np.random.default_rng(seed)
    return [Case((rng.uniform(low, high, size=shape),)) for shape in shapes]


# --------------------------------------------------------------------------- the engine


def _as_case(case) -> Case:
    if isinstance(case, Case):
        return case
    return Case(case if isinstance(case, tuple) else (case,))


def _verdict(student_fn, reference_fn, cases, name, hint, rtol, atol, unchanged, diagnose):
    n = len(cases)
    if not callable(student_fn):
        return _result(
            "error", name, None, f"✘ {name}: expected a function, got {type(student_fn).__name__}."
        )
    for i, case in enumerate(cases):
        where = f"test case {i + 1} of {n}"
        shown_input = _show_input(case, student_fn, reference_fn)
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        try:
            with np.errstate(all="ignore"):
                received = student_fn(*args, **kwargs)
        except NotImplementedError:
            return _not_implemented(name)
        except Exception as error:
            lines = [
                f"✘ {name} raised {type(error).__name__}: {error}",
                f"  on {where}, input: {shown_input}",
                *_student_line(error),
            ]
            return _result("error", name, i, "\n".join(lines))
        if received is None or received is Ellipsis:
            if i == 0:
                return _not_implemented(name, returned=received)
            problem = f"it returned {received!r} (is a `return` missing on some path?)"
        else:
            with np.errstate(all="ignore"):
                expected = reference_fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
            problem = _changed_input(case, args, unchanged, student_fn, reference_fn)
            if problem is None:
                problem = _compare(received, expected, rtol, atol)
        if problem is None:
            continue
        lines = [f"✘ {name}: wrong result on {where}.", f"  input:    {shown_input}"]
        if received is not None and received is not Ellipsis:
            lines += [
                f"  expected: {_show(expected, _INDENT)}",
                f"  received: {_show(received, _INDENT)}",
            ]
        lines.append(_wrap(problem))
        if received is not None and received is not Ellipsis:
            known = diagnose(case, received, expected) if diagnose else None
            known = known or _generic_diagnosis(received, expected, rtol, atol)
            if known:
                lines.append(_wrap(known))
        if hint:
            lines.append(_wrap(f"Hint: {hint}"))
        return _result("wrong", name, i, "\n".join(lines))
    plural = "s" if n > 1 else ""
    return _result("passed", name, None, f"✔ {name}: correct on all {n} test case{plural}.")


def _result(status, name, case, message) -> CheckResult:
    return CheckResult(status == "passed", status, message, name, case)


def _not_implemented(name, returned=NotImplementedError) -> CheckResult:
    if returned is NotImplementedError:
        text = (
            f"… {name}: not implemented yet. Write your code in its cell (in place of "
            "`raise NotImplementedError`), run that cell, then run this check again."
        )
    else:
        text = (
            f"… {name}: not implemented yet: it returned {returned!r}. Write your code in "
            "its cell, end it with `return ...`, run that cell, then run this check again."
        )
    return _result(
        "not implemented", name, None, textwrap.fill(text, WIDTH, subsequent_indent="  ")
    )


def _compare(received, expected, rtol, atol) -> str | None:
    """None if ``received`` matches ``expected``, else a sentence saying how it differs."""
    expected = np.asarray(expected)
    try:
        got = np.asarray(received)
    except Exception:
        return f"Your result, a {type(received).__name__}, is not a number or an array."
    if got.dtype.kind not in "biuf":
        return (
            f"Your result, a {type(received).__name__} of dtype {got.dtype}, is not made of "
            "numbers."
        )
    if expected.ndim == 0:
        if got.size != 1:
            return f"Expected a single number, but your result has shape {got.shape}."
        got = got.reshape(())
    else:
        if got.shape != expected.shape:
            text = f"Wrong shape: expected {expected.shape}, received {got.shape}."
            if got.shape == expected.shape[::-1]:
                text += " Is it transposed?"
            elif got.size == expected.size:
                text += f" Reshape it, e.g. with .reshape({expected.shape})."
            return text
        if expected.dtype.kind == "f" and got.dtype.kind in "biu":
            return (
                f"Wrong dtype: your array holds {got.dtype}, expected floating-point numbers "
                f"({expected.dtype}); an integer array cannot hold fractions. Create it with "
                "dtype=float, or with np.zeros_like(x) for a float x."
            )
    got = got.astype(float)
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return "Your result contains NaN or inf (a division 0/0, or by 0?)."
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        return None
    if expected.ndim == 0:
        return f"The values differ by {abs(float(got) - float(expected)):.3g}."
    excess = np.abs(got - expected) - (atol + rtol * np.abs(expected))
    wrong = np.count_nonzero(excess > 0)
    at = np.unravel_index(np.argmax(excess), expected.shape)
    index = at[0] if len(at) == 1 else tuple(int(i) for i in at)
    return (
        f"{wrong} of {expected.size} entries differ; the largest difference is at index "
        f"{index}: expected {expected[at]:.8g}, received {got[at]:.8g}."
    )


def _generic_diagnosis(received, expected, rtol, atol) -> str | None:
    """Name a few mistakes any numeric exercise can make."""
    try:
        got = np.asarray(received, dtype=float)
        expected = np.asarray(expected, dtype=float)
        if got.shape != expected.shape and got.size == 1 and expected.ndim == 0:
            got = got.reshape(())
        if got.shape != expected.shape or not np.all(np.isfinite(got)):
            return None
    except (TypeError, ValueError):
        return None
    if np.allclose(expected, 0, atol=atol):
        return None

    def close(a):
        return np.allclose(got, a, rtol=rtol, atol=atol)

    if close(-expected):
        return "The sign is flipped: your result is −1 times the expected one."
    if close(2 * expected):
        return "Your result is twice the expected one: a factor 2 too many?"
    if close(expected / 2):
        return "Your result is half the expected one: a factor 2 missing?"
    if np.allclose(got, 0):
        return "Your result is all zeros."
    return None


def _changed_input(case, args, unchanged, student_fn, reference_fn) -> str | None:
    """A sentence if the student's function left an argument it must not change modified."""
    for k in unchanged:
        before, after = np.asarray(case.args[k]), np.asarray(args[k])
        if before.shape == after.shape and np.allclose(after, before, rtol=1e-12, atol=0):
            continue
        arg = _arg_names(student_fn, reference_fn, len(case.args))[k]
        text = f"Your function changed its input {arg}: after the call"
        if before.shape == after.shape and before.size:
            at = np.unravel_index(np.argmax(np.abs(after - before)), before.shape)
            index = at[0] if len(at) == 1 else tuple(int(i) for i in at)
            text += f", {arg}[{index}] is {_show(after[at])} instead of {_show(before[at])}"
        else:
            text += f" it has shape {after.shape} instead of {before.shape}"
        return (
            text + f". Put every entry back as it was before you return (save the old value "
            f"of {arg}[i] and restore it), so that the caller's array is unchanged."
        )
    return None


def _student_line(error: BaseException) -> list[str]:
    """Where in the student's own code the exception happened (frames outside descent/
    and outside installed libraries), as message lines."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not _inside(f.filename)]
    own = [f for f in frames if not f.filename.startswith(_LIBRARY_DIRS)] or frames
    if not own:
        return []
    frame = own[-1]
    lines = [f"  at line {frame.lineno} of your code, in {frame.name}:"]
    if frame.line:
        lines.append(f"      {frame.line.strip()}")
    return lines


def _inside(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PACKAGE_DIR + os.sep)


# --------------------------------------------------------------------------- showing values


def _show_input(case: Case, student_fn, reference_fn) -> str:
    """The case's arguments as "x = ..., y = ...", one per line if they are long."""
    if case.label is not None:
        return case.label
    names = _arg_names(student_fn, reference_fn, len(case.args))
    pairs = list(zip(names, case.args, strict=True)) + list(case.kwargs.items())
    parts = [f"{k} = {_show(v, _INDENT + len(k) + 3)}" for k, v in pairs]
    if len(parts) > 1 and (any("\n" in p for p in parts) or sum(map(len, parts)) > 70):
        return ("\n" + " " * _INDENT).join(parts)
    return ", ".join(parts)


def _arg_names(student_fn, reference_fn, n: int) -> list[str]:
    """The names of the first n positional parameters, from the student's signature if it
    has enough of them, else from the reference's, else arg1, arg2, ..."""
    for fn in (student_fn, reference_fn):
        try:
            params = [
                p.name
                for p in inspect.signature(fn).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
        except (TypeError, ValueError):
            continue
        if len(params) >= n:
            return params[:n]
    return [f"arg{i + 1}" for i in range(n)]


def _wrap(sentence: str) -> str:
    """A sentence as indented lines of at most 88 characters."""
    return textwrap.fill(sentence, WIDTH, initial_indent="  ", subsequent_indent="  ")


def _show(value, indent: int = 0) -> str:
    """A short, readable rendering of an argument or a result."""
    if callable(value) and not isinstance(value, np.ndarray):
        return getattr(value, "description", None) or getattr(value, "__name__", repr(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.10g}"
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=8, threshold=24, edgeitems=3, linewidth=WIDTH - indent):
            text = repr(value)
        return text.replace("\n", "\n" + " " * indent)
    return repr(value)


# --------------------------------------------------------------------------- chapter checkers


def check_rosenbrock_gradient(fn, *, strict=None) -> CheckResult:
    """Chapter 1: ``fn(x)`` returns ∇f(x), shape (2,), for f(x, y) = (1 − x)² + 100(y − x²)²."""
    from descent.functions import rosenbrock

    fixed = [Case((np.array(p),)) for p in ([-1.5, 2.0], [0.0, 0.0], [1.0, 1.0])]
    cases = fixed + random_cases((2,), (2,), (2,), (2,), seed=2024)
    hint = (
        "differentiate term by term with the chain rule; the derivative of 100(y − x²)² with "
        "respect to x brings out a factor −2x. Return np.array([df_dx, df_dy])."
    )
    return check(fn, rosenbrock.grad, cases, name="rosenbrock_gradient", hint=hint, strict=strict)


class _Smooth:
    """A test function with its analytic gradient, shown in messages by its formula."""

    def __init__(self, description, f, grad):
        self.description, self._f, self.grad = description, f, grad

    def __call__(self, x):
        return self._f(np.asarray(x, dtype=float))

    def __repr__(self):
        return self.description


def _numerical_gradient_cases() -> list[Case]:
    from descent.functions import rosenbrock

    rng = np.random.default_rng(7)
    a, b = rng.normal(size=2), rng.normal(size=3)
    functions = [
        (
            _Smooth("½‖x‖²", lambda x: 0.5 * np.sum(x**2), lambda x: x.copy()),
            np.array([1.0, -2.0, 0.5]),
        ),
        (
            _Smooth(
                "log Σ exp(xᵢ)",
                lambda x: np.log(np.sum(np.exp(x))),
                lambda x: np.exp(x) / np.sum(np.exp(x)),
            ),
            rng.normal(size=4),
        ),
        (
            _Smooth("Rosenbrock (1 − x)² + 100 (y − x²)²", rosenbrock, rosenbrock.grad),
            np.array([-1.5, 2.0]),
        ),
        (
            _Smooth(
                "½‖W a − b‖² for a 3×2 matrix W",
                lambda W: 0.5 * np.sum((W @ a - b) ** 2),
                lambda W: np.outer(W @ a - b, a),
            ),
            rng.normal(size=(3, 2)),
        ),
        (
            _Smooth(
                "Σ sin(Xᵢⱼ) + ½ Σ Xᵢⱼ² for a 2×3 matrix X (Fortran order)",
                lambda X: np.sum(np.sin(X)) + 0.5 * np.sum(X**2),
                lambda X: np.cos(X) + X,
            ),
            np.asfortranarray(rng.normal(size=(2, 3))),
        ),
    ]
    return [Case((f, x)) for f, x in functions]


def _diagnose_numerical_gradient(case, received, expected) -> str | None:
    from descent.gradients import numerical_gradient

    f, x = case.args
    got = np.asarray(received, dtype=float)
    if got.shape != x.shape:
        return None
    forward = numerical_gradient(f, x.copy(), 1e-5, method="forward")
    if np.allclose(got, forward, rtol=1e-7, atol=1e-9):
        return (
            "This is the forward difference (f(x + h) − f(x)) / h, whose error shrinks only "
            "like h; use the centered one, (f(x + h) − f(x − h)) / 2h, error O(h²)."
        )
    if np.allclose(got, 0) and not x.flags.c_contiguous:
        return (
            "All zeros on a non-contiguous x: x.ravel() or x.reshape(-1) then returns a copy, "
            "and perturbing the copy does not change x. Perturb x itself, e.g. "
            "for i in np.ndindex(x.shape): ... x[i] ..."
        )
    return None


def check_numerical_gradient(fn, *, strict=None) -> CheckResult:
    """Chapter 2: ``fn(f, x, h=1e-5)`` returns the centered-difference gradient of f at x,
    an array shaped like x (vectors and matrices), and leaves x as it found it."""
    return check(
        fn,
        lambda f, x: f.grad(x),
        _numerical_gradient_cases(),
        name="numerical_gradient",
        hint=(
            "for every index i of x (np.ndindex(x.shape) visits all of them, whatever the "
            "shape): save x[i], set x[i] = old + h and evaluate f, set x[i] = old − h and "
            "evaluate f, restore x[i] = old, and store (f₊ − f₋) / 2h."
        ),
        strict=strict,
        rtol=1e-6,
        atol=1e-7,
        unchanged=(1,),
        diagnose=_diagnose_numerical_gradient,
    )


def check_relative_error(fn, *, strict=None) -> CheckResult:
    """Chapter 2: ``fn(a, b)`` returns max over entries of |aᵢ − bᵢ| / max(|aᵢ|, |bᵢ|), with
    0 for entries where both are 0 — one float, for arrays of any shape or numbers."""
    from descent.gradients import relative_error

    rng = np.random.default_rng(11)
    m = rng.normal(size=(3, 4))
    cases = [
        (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.1, 3.0])),
        (np.array([1.0, -2.0]), np.array([-1.0, -2.0])),
        (1e-3, 1.1e-3),
        (np.array([0.0, 1.0]), np.array([0.0, 1.0 + 1e-8])),
        (np.zeros(3), np.zeros(3)),
        (np.array([0.0, 5.0]), np.array([1e-3, 5.0])),
        (m, m + 1e-6 * rng.normal(size=(3, 4))),
    ]
    hint = (
        "compute the ratio entry by entry, |a − b| / max(|a|, |b|) with np.abs and "
        "np.maximum, count entries where both are 0 as 0 (guard the division, e.g. with "
        "np.maximum(..., 1e-300)), and return the largest ratio as a float."
    )
    return check(fn, relative_error, cases, name="relative_error", hint=hint, strict=strict)


# --------------------------------------------------------------------------- Chapter 6: momentum


def _momentum_step(theta, v, g, lr, momentum):
    """The reference: v ← μ v − η g ; θ ← θ + v, returning new arrays (θ, v)."""
    v_new = momentum * np.asarray(v, dtype=float) - lr * np.asarray(g, dtype=float)
    return np.asarray(theta, dtype=float) + v_new, v_new


def _diagnose_momentum_step(case, received, expected) -> str | None:
    theta, v, g, lr, mu = (case.args[k] for k in range(5))
    try:
        got = np.asarray(received, dtype=float)
    except (TypeError, ValueError):
        return "Return the pair `theta_new, v_new`: two arrays with the shape of theta."
    if got.shape == np.shape(theta):
        return "You returned one array; return both new arrays: `return theta_new, v_new`."
    if got.shape != (2, *np.shape(theta)):
        return None
    known = {
        "θ and v are swapped: return them in the order (theta_new, v_new).": (
            expected[1],
            expected[0],
        ),
        "θ moved by the old velocity: update v first, then θ ← θ + v with the new v.": (
            theta + v,
            expected[1],
        ),
        "This is the damped form v ← μv − (1 − μ)ηg; the rule here has no (1 − μ).": (
            theta + mu * v - (1 - mu) * lr * g,
            mu * v - (1 - mu) * lr * g,
        ),
        "This is torch's form b ← μb + g ; θ ← θ − ηb. Here v is the step itself (v = −ηb), "
        "so v ← μv − ηg and θ ← θ + v.": (theta - lr * (mu * v + g), mu * v + g),
        "The gradient is added: go downhill, v ← μv − ηg.": (
            theta + mu * v + lr * g,
            mu * v + lr * g,
        ),
        "The old velocity is not multiplied by μ: v ← μv − ηg.": (theta + v - lr * g, v - lr * g),
    }
    for text, (theta_k, v_k) in known.items():
        if np.allclose(got, np.stack([theta_k, v_k]), rtol=1e-6, atol=1e-8):
            return text
    return None


def check_momentum_step(fn, *, strict=None) -> CheckResult:
    """Chapter 6: ``fn(theta, v, g, lr, momentum)`` returns ``(theta_new, v_new)`` with
    v_new = μ v − η g and theta_new = θ + v_new, for arrays of any shape."""
    rng = np.random.default_rng(6)

    def arrays(shape):  # θ, v, g
        return tuple(rng.normal(size=shape) for _ in range(3))

    cases = [
        Case((np.array([1.0, -2.0]), np.array([0.5, 0.0]), np.array([2.0, -1.0]), 0.1, 0.9)),
        Case((np.array([3.0, 1.0, -1.0]), np.zeros(3), np.array([1.0, -4.0, 0.5]), 0.25, 0.9)),
        Case((*arrays((2, 3)), 0.01, 0.5)),
        Case((*arrays(4), 0.3, 0.0)),
        Case((*arrays((3, 2)), 1e-3, 0.99)),
    ]
    hint = (
        "two lines: v_new = momentum * v - lr * g, then theta_new = theta + v_new; "
        "return theta_new, v_new."
    )
    return check(
        fn,
        _momentum_step,
        cases,
        name="momentum_step",
        hint=hint,
        strict=strict,
        diagnose=_diagnose_momentum_step,
    )


def _diagnose_momentum_rate(case, received, expected) -> str | None:
    lr, mu, lam = case.args
    got = np.asarray(received, dtype=float)
    if got.size != 1:
        return (
            "Return one number, the spectral radius: the largest |r| over the two "
            "eigenvalues r of M, e.g. np.max(np.abs(np.linalg.eigvals(M)))."
        )
    got = float(got.reshape(()))
    roots = np.roots([1.0, -(1.0 + mu - lr * lam), mu])
    if np.isclose(got, abs(1 - lr * lam)) and not np.isclose(expected, abs(1 - lr * lam)):
        return "This is gradient descent's |1 − ηλ|: the momentum μ enters M too."
    if np.isclose(got, np.max(roots.real)):
        return "The largest real part is not the largest magnitude: take np.abs of the roots."
    if np.isclose(got, np.sqrt(mu)):
        return "√μ is the magnitude only of complex roots; real roots can be larger."
    return None


def check_momentum_rate(fn, *, strict=None) -> CheckResult:
    """Chapter 6: ``fn(lr, momentum, lam)`` returns the spectral radius (largest |r| over
    the eigenvalues r) of heavy-ball momentum's 2×2 matrix M = [[μ, −ηλ], [μ, 1 − ηλ]]."""
    from descent.theory import momentum_spectral_radius

    cases = [
        Case((0.1, 0.9, 2.0), label="η = 0.1, μ = 0.9, λ = 2 (complex roots)"),
        Case((0.01, 0.1, 1.0), label="η = 0.01, μ = 0.1, λ = 1 (real positive roots)"),
        Case((2.2, 0.2, 1.0), label="η = 2.2, μ = 0.2, λ = 1 (real negative roots)"),
        Case((0.25, 0.25, 1.0), label="η = 0.25, μ = 0.25, λ = 1 (critical damping)"),
        Case((0.5, 0.0, 3.0), label="η = 0.5, μ = 0, λ = 3 (gradient descent)"),
        Case((3.0, 0.2, 1.0), label="η = 3, μ = 0.2, λ = 1 (diverges)"),
        Case((0.001, 0.99, 50.0), label="η = 0.001, μ = 0.99, λ = 50"),
    ]
    hint = (
        "build M = np.array([[momentum, -lr * lam], [momentum, 1 - lr * lam]]) and return "
        "the largest absolute value of its eigenvalues, np.linalg.eigvals(M); they may be "
        "complex, and np.abs gives their magnitude."
    )
    return check(
        fn,
        lambda lr, momentum, lam: float(momentum_spectral_radius(lr, momentum, lam)),
        cases,
        name="momentum_rate",
        hint=hint,
        strict=strict,
        rtol=1e-6,
        atol=1e-9,
        diagnose=_diagnose_momentum_rate,
    )


__all__ += ["check_momentum_rate", "check_momentum_step"]


class _Gradient:
    """A gradient function ∇f, shown in messages by the formula of f."""

    def __init__(self, description, grad):
        self.description, self._grad = description, grad

    def __call__(self, theta):
        return self._grad(np.asarray(theta, dtype=float))

    def __repr__(self):
        return self.description


def _gradient_descent_reference(grad, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = [theta.copy()]
    for _ in range(steps):
        theta = theta - lr * np.asarray(grad(theta), dtype=float)
        path.append(theta)
    return np.array(path)


def _gradient_descent_cases() -> list[Case]:
    from descent.functions import narrow_valley, quadratic, rosenbrock, sinc10

    rng = np.random.default_rng(3)
    M = rng.normal(size=(3, 3))
    quad3 = quadratic(M @ M.T + np.eye(3), b=rng.normal(size=3))
    valley = _Gradient("∇f of f = 0.1x₁² + 2x₂²", narrow_valley.grad)
    sinc = _Gradient("∇f of f = 10 sin(x)/x", sinc10.grad)
    banana = _Gradient("∇f of Rosenbrock's f", rosenbrock.grad)
    bowl3 = _Gradient("∇f of f = ½θᵀAθ − bᵀθ (3-D)", quad3.grad)
    return [
        Case((valley, np.array([-5.0, -2.0]), 0.3, 5)),
        Case((sinc, np.array([2.0]), 1.0, 6)),
        Case((banana, np.array([-1.5, 2.0]), 1e-3, 4)),
        Case((bowl3, rng.normal(size=3), 0.1, 8)),
        Case((valley, np.array([1.0, 1.0]), 0.3, 0)),
    ]


def _diagnose_gradient_descent(case, received, expected) -> str | None:
    grad, theta0, lr, steps = case.args
    try:
        got = np.asarray(received, dtype=float)
    except (TypeError, ValueError):
        return None
    expected = np.asarray(expected)
    if got.shape == expected.shape and np.allclose(got, expected, rtol=1e-10, atol=1e-12):
        return (  # the iterates are right, so what is wrong is the changed theta0
            "Your iterates are right, but theta = theta0 does not copy the array: updating "
            "theta in place (theta -= ...) then changes the caller's theta0 too. Start from a "
            "copy, theta = np.array(theta0, dtype=float)."
        )
    if got.shape == expected[1:].shape and steps > 0:
        if np.allclose(got, expected[1:]):
            return (
                "You returned θ₁, …, θ_T but not the start: the first row must be θ₀ = "
                "theta0, so that the result has steps + 1 rows."
            )
        if np.allclose(got, expected[:-1]):
            return "You returned θ₀, …, θ_{T−1}: the last update is missing."
    if got.shape != expected.shape or steps == 0:
        return None
    if np.allclose(got, expected[-1]) and not np.allclose(expected[0], expected[-1]):
        return (
            "Every row is the last iterate: you stored θ and then updated it in place "
            "(θ -= ...), which changes the rows stored before. Store a copy, "
            "path.append(theta.copy()), or write theta = theta - lr * g, which makes a new array."
        )
    ascent = _gradient_descent_reference(lambda th: -np.asarray(grad(th)), theta0, lr, steps)
    if np.allclose(got, ascent):
        return "Your iterates climb: θ + η g is gradient ascent. Step against the gradient."
    g0 = np.asarray(grad(np.array(theta0, dtype=float)), dtype=float)
    frozen = theta0 - lr * np.arange(steps + 1)[:, np.newaxis] * g0
    if np.allclose(got, frozen):
        return (
            "Every step uses the gradient at the start θ₀: evaluate g = grad(θ) again at the "
            "current θ inside the loop."
        )
    return None


def check_gradient_descent(fn, *, strict=None) -> CheckResult:
    """Chapter 3: ``fn(grad, theta0, lr, steps)`` runs θ ← θ − η ∇f(θ) for ``steps`` steps and
    returns every iterate, θ₀ = theta0 first, as an array of shape (steps + 1, dim); it
    leaves theta0 unchanged."""
    return check(
        fn,
        _gradient_descent_reference,
        _gradient_descent_cases(),
        name="gradient_descent",
        hint=(
            "start from a float copy of theta0 and a list holding it; then, steps times: "
            "g = grad(theta), theta = theta - lr * g, append theta. Return np.array(list)."
        ),
        strict=strict,
        rtol=1e-10,
        atol=1e-12,
        unchanged=(1,),
        diagnose=_diagnose_gradient_descent,
    )


# --------------------------------------------------------------------------- Chapter 7: Nesterov


def _nesterov_step(theta, v, g, lr, momentum):
    """The reference, in velocity form (v = −η b of the package's buffer b):
    v ← μ v − η g ; θ ← θ + μ v − η g (with the new v), returning new arrays (θ, v)."""
    theta, v, g = (np.asarray(a, dtype=float) for a in (theta, v, g))
    v_new = momentum * v - lr * g
    return theta + momentum * v_new - lr * g, v_new


def _diagnose_nesterov_step(case, received, expected) -> str | None:
    theta, v, g, lr, mu = (case.args[k] for k in range(5))
    try:
        got = np.asarray(received, dtype=float)
    except (TypeError, ValueError):
        return "Return the pair `theta_new, v_new`: two arrays with the shape of theta."
    if got.shape == np.shape(theta):
        return "You returned one array; return both new arrays: `return theta_new, v_new`."
    if got.shape != (2, *np.shape(theta)):
        return None
    v_new = mu * v - lr * g
    known = {
        "θ and v are swapped: return them in the order (theta_new, v_new).": (
            expected[1],
            expected[0],
        ),
        "This is heavy-ball momentum, θ ← θ + v_new (Chapter 6): the look-ahead correction "
        "is missing. It is what you get when the θ update uses the buffer from before this "
        "step, or when the copy of the old v is overwritten by the update of v (an alias, "
        "not a copy).": (theta + v_new, v_new),
        "The μ² term uses the updated velocity. In θ ← θ + μ² v − (1 + μ) η g the v is the "
        "one from before this step; with the new one the method takes larger steps than "
        "Nesterov's and can diverge where it converges.": (
            theta + mu * mu * v_new - (1 + mu) * lr * g,
            v_new,
        ),
        "The −μ v term (with the old v) is missing: θ ← θ − μ v + (1 + μ) v_new.": (
            theta + (1 + mu) * v_new,
            v_new,
        ),
        "This is torch's form with its buffer b ← μ b + g. Here v is a velocity, v = −η b, "
        "so v ← μ v − η g.": (theta - lr * (g + mu * (mu * v + g)), mu * v + g),
        "The gradient is added: go downhill, v ← μ v − η g.": (
            theta + mu * (mu * v + lr * g) + lr * g,
            mu * v + lr * g,
        ),
        "θ is right but v is not: return the new velocity μ v − η g.": (expected[0], v),
    }
    for text, (theta_k, v_k) in known.items():
        if np.allclose(got, np.stack([theta_k, v_k]), rtol=1e-6, atol=1e-8):
            return text
    return None


def check_nesterov_step(fn, *, strict=None) -> CheckResult:
    """Chapter 7: ``fn(theta, v, g, lr, momentum)`` returns ``(theta_new, v_new)`` for one step
    of Nesterov's method in velocity form, with g = ∇f(theta):

        v_new = μ v − η g ;  theta_new = θ + μ v_new − η g  (= θ − μ v + (1 + μ) v_new)

    for arrays of any shape, leaving the inputs unchanged. The same iterates as
    ``descent.optimizers.Nesterov`` with v = −η b."""
    rng = np.random.default_rng(7)

    def arrays(shape):  # θ, v, g
        return tuple(rng.normal(size=shape) for _ in range(3))

    cases = [
        Case((np.array([1.0, -2.0]), np.array([0.5, -0.25]), np.array([2.0, -1.0]), 0.1, 0.9)),
        Case((np.array([3.0, 1.0, -1.0]), np.zeros(3), np.array([1.0, -4.0, 0.5]), 0.25, 0.9)),
        Case((*arrays((2, 3)), 0.01, 0.5)),
        Case((*arrays((3, 2)), 1e-3, 0.99)),
        Case((*arrays(4), 0.3, 0.0)),
    ]
    hint = (
        "update the velocity exactly as heavy ball does, v_new = momentum * v - lr * g; then "
        "move θ by the look-ahead part of the new velocity plus a plain gradient step: "
        "theta_new = theta + momentum * v_new - lr * g. Return theta_new, v_new."
    )
    return check(
        fn,
        _nesterov_step,
        cases,
        name="nesterov_step",
        hint=hint,
        strict=strict,
        unchanged=(0, 1, 2),
        diagnose=_diagnose_nesterov_step,
    )


__all__ += ["check_nesterov_step"]


# --------------------------------------------------------------------------- Chapter 5: backprop


def _affine_backward(x, W, dout):
    """The reference: dx = dout Wᵀ, dW = xᵀ dout, db = Σₙ doutₙ."""
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def _affine_part(fn, k: int):
    """The k-th of the three arrays ``fn(x, W, dout)`` returns, checked one at a time."""

    def part(x, W, dout):
        result = fn(x, W, dout)
        if result is None or result is Ellipsis:
            return result
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            what = f"a {type(result).__name__}"
            if isinstance(result, (tuple, list)):
                what += f" of {len(result)} items"
            raise TypeError(f"return the three gradients as a tuple: dx, dW, db (got {what})")
        return result[k]

    part.__name__ = getattr(fn, "__name__", "affine_backward")
    return part


def _diagnose_affine_backward(k: int):
    def diagnose(case, received, expected) -> str | None:
        x, W, dout = case.args
        got = np.asarray(received, dtype=float)
        dx_text = "dx = dout @ W.T: Wᵀ takes the (N, M) gradient back to the input's (N, D)."
        dw_text = "dW = x.T @ dout has the shape (D, M) of W; dout.T @ x is its transpose."
        mean_text = (
            "You averaged over the batch. Sum it: the loss layer has already divided by N, "
            "and b is used by every example."
        )
        axis_text = "Sum over the batch axis (axis=0), one entry per output."
        if k == 0:  # dout @ W exists only when W is square
            known = [(dout @ W, dx_text)] if W.shape[0] == W.shape[1] else []
        elif k == 1:
            known = [(dout.T @ x, dw_text)]
        else:
            known = [(dout.mean(axis=0), mean_text), (dout.sum(axis=1), axis_text)]
        for wrong, text in known:
            if got.shape == np.shape(wrong) and np.allclose(got, wrong, rtol=1e-6, atol=1e-8):
                same_shape = np.shape(wrong) == np.shape(expected)
                if not (same_shape and np.allclose(wrong, expected, rtol=1e-6, atol=1e-8)):
                    return text
        return None

    return diagnose


def check_affine_backward(fn, *, strict=None) -> CheckResult:
    """Chapter 5: ``fn(x, W, dout)`` returns ``(dx, dW, db)`` for out = x W + b, with
    x (N, D), W (D, M), dout = ∂L/∂out (N, M): dx = dout Wᵀ (N, D), dW = xᵀ dout (D, M),
    db = Σₙ doutₙ (M,). The three arrays are checked in this order."""
    rng = np.random.default_rng(55)
    shapes = [(2, 3, 4), (5, 4, 4), (1, 3, 2), (4, 1, 3), (3, 6, 2)]  # (N, D, M)
    cases = [
        Case(tuple(rng.normal(size=s) for s in ((n, d), (d, m), (n, m)))) for n, d, m in shapes
    ]
    hints = {
        "dx": "dx[n, d] = Σₘ dout[n, m] W[d, m]: a matrix product of dout with W transposed. "
        "Let the shapes guide you: (N, M) times (M, D) gives (N, D).",
        "dW": "dW[d, m] = Σₙ x[n, d] dout[n, m]: one matrix product, summing over the batch. "
        "(D, N) times (N, M) gives (D, M).",
        "db": "b[m] is added to out[n, m] for every example n, so db[m] = Σₙ dout[n, m]: "
        "sum over the batch axis.",
    }
    for k, part in enumerate(("dx", "dW", "db")):
        result = check(
            _affine_part(fn, k),
            lambda x, W, dout, k=k: _affine_backward(x, W, dout)[k],
            cases,
            name=f"affine_backward ({part})",
            hint=hints[part],
            strict=strict,
            unchanged=(0, 1, 2),
            diagnose=_diagnose_affine_backward(k),
            quiet=True,
        )
        if result.status == "not implemented":
            result.message = result.message.replace(f"affine_backward ({part})", "affine_backward")
        if not result.passed:
            print(result.message)
            return result
    message = f"✔ affine_backward: dx, dW and db correct on all {len(cases)} test cases."
    print(message)
    return _result("passed", "affine_backward", None, message)


def _diagnose_log_sum_exp(case, received, expected) -> str | None:
    (x,) = case.args
    got = np.asarray(received, dtype=float)
    if got.size != np.size(expected):
        return None
    got = got.reshape(np.shape(expected))
    m = x.max(axis=-1)
    if x.ndim == 2:
        with np.errstate(all="ignore"):
            one_max = x.max()
            global_shift = one_max + np.log(np.exp(x - one_max).sum(axis=-1))
        if np.allclose(got, global_shift, equal_nan=True):
            return "Subtract each row's own maximum (axis=-1, keepdims=True), not one for all."
    if not np.all(np.isfinite(got)):
        return (
            "exp overflows to inf once its argument exceeds about 709.78, and underflows to "
            "0 below about −745, so that log gives −inf. Subtract the largest entry first."
        )
    if np.allclose(got + m, expected):
        return "You subtracted the maximum m but did not add it back after the log."
    if np.allclose(got, m):
        return "That is the maximum alone, only an approximation: add log Σ exp(xₖ − m)."
    return None


def check_log_sum_exp(fn, *, strict=None) -> CheckResult:
    """Chapter 5: ``fn(x)`` returns log Σₖ exp(xₖ) over the last axis of x, without
    overflow or underflow: a number for x of shape (C,), an array (N,) for x (N, C)."""
    from descent import nn

    def log_sum_exp(x):  # a number, not a 0-d array, for one vector
        result = nn.log_sum_exp(x)
        return float(result) if result.ndim == 0 else result

    rng = np.random.default_rng(5)
    cases = [
        Case((np.array([1.0, 2.0, 3.0]),)),
        Case((np.array([1000.0, 1001.0, 1002.0]),), label="x = [1000, 1001, 1002] (large)"),
        Case((np.array([-1000.0, -1001.0]),), label="x = [−1000, −1001] (very negative)"),
        Case((np.array([[0.0, 1.0, 2.0], [1000.0, 1000.0, 1000.0], [-5.0, 3.0, 700.0]]),)),
        Case((np.array([[0.0, 1.0], [-1000.0, -999.0]]),), label="x = [[0, 1], [−1000, −999]]"),
        Case((rng.uniform(-50, 50, size=(4, 5)),)),
    ]
    hint = (
        "with m the largest entry of each row, log Σ exp(xₖ) = m + log Σ exp(xₖ − m): every "
        "exponent is then ≤ 0 and the largest term is exactly 1. Reduce over axis=-1."
    )
    return check(
        fn,
        log_sum_exp,
        cases,
        name="log_sum_exp",
        hint=hint,
        strict=strict,
        rtol=1e-9,
        atol=1e-9,
        unchanged=(0,),
        diagnose=_diagnose_log_sum_exp,
    )


__all__ += ["check_affine_backward", "check_log_sum_exp"]


# ------------------------------------------------------------------------ Chapter 4: mini-batches


def _minibatch_gradient(X, y, w):
    """The reference: ∇ of (1/2B) ‖X w − y‖², i.e. Xᵀ(X w − y) / B."""
    X, y, w = (np.asarray(a, dtype=float) for a in (X, y, w))
    return X.T @ (X @ w - y) / len(y)


def _diagnose_minibatch_gradient(case, received, expected) -> str | None:
    X, y, w = case.args
    got = np.asarray(received, dtype=float)
    if got.shape != expected.shape:
        if got.shape == (len(y),) or got.shape == X.shape:
            return (
                "Your result has one entry per example (or per example and weight): sum "
                "over the examples with a matrix product, X.T @ residual, so that the "
                "gradient has one entry per weight, shape (d,)."
            )
        return None
    B, d = X.shape
    if B > 1 and np.allclose(got, B * expected, rtol=1e-6, atol=1e-8):
        return (
            f"Your result is B = {B} times too large: you summed the examples' gradients. "
            "Divide by the batch size len(y): the loss is a mean, so that the gradient does "
            "not grow with B and the same η works for every batch size."
        )
    if d != B and np.allclose(got, B * expected / d, rtol=1e-6, atol=1e-8):
        return "You divided by the number of weights X.shape[1]; divide by len(y), the examples."
    return None


def check_minibatch_gradient(fn, *, strict=None) -> CheckResult:
    """Chapter 4: ``fn(X, y, w)`` returns the gradient of the mini-batch least-squares loss
    (1/2B) Σᵢ (xᵢᵀw − yᵢ)² over the B rows of X (shape (B, d)), i.e. Xᵀ(Xw − y)/B, shape
    (d,), and leaves X, y and w unchanged."""
    rng = np.random.default_rng(4)

    def batch(B, d):
        return Case((rng.normal(size=(B, d)), rng.normal(size=B), rng.normal(size=d)))

    cases = [
        Case(
            (
                np.array([[1.0, 2.0], [1.0, -1.0], [1.0, 0.0]]),
                np.array([3.0, 0.0, 1.0]),
                np.array([0.5, 1.0]),
            )
        ),
        batch(1, 3),
        batch(8, 3),
        batch(32, 11),
        batch(5, 1),
        batch(2, 6),
    ]
    hint = (
        "with r = X @ w − y (the B residuals), the gradient of (1/2B) Σ rᵢ² is X.T @ r / B: "
        "one matrix product does the sum over the examples, and len(y) is B."
    )
    return check(
        fn,
        _minibatch_gradient,
        cases,
        name="minibatch_gradient",
        hint=hint,
        strict=strict,
        rtol=1e-9,
        atol=1e-12,
        unchanged=(0, 1, 2),
        diagnose=_diagnose_minibatch_gradient,
    )


_EPOCH_HINT = (
    "draw one random order with order = rng.permutation(n), then cut it into consecutive "
    "pieces: [order[k:k + batch_size] for k in range(0, n, batch_size)]."
)


def _epoch_batches(result):
    """The student's batches as a list of arrays, or a sentence saying why they are not."""
    if isinstance(result, np.ndarray) and result.ndim == 1:
        return (
            "You returned one flat array. Return a list of index arrays, one per mini-batch "
            "(the last one may be shorter)."
        )
    try:
        batches = [np.asarray(b) for b in result]
    except TypeError:
        return f"Return a list of index arrays, one per mini-batch, not a {type(result).__name__}."
    for k, b in enumerate(batches):
        if b.ndim != 1 or (b.size and b.dtype.kind not in "iu"):
            return (
                f"Batch {k} is not a 1-D array of integer indices (it has dtype {b.dtype} and "
                f"shape {b.shape}); index arrays such as rng.permutation(n)[0:3] are."
            )
    return batches


def _epoch_problem(batches, n, batch_size) -> str | None:
    """A sentence describing what is wrong with one epoch of batches, or None."""
    sizes = [len(b) for b in batches]
    full, rest = divmod(n, batch_size)
    expected = [batch_size] * full + ([rest] if rest else [])
    everything = np.concatenate(batches) if batches else np.array([], dtype=int)
    if everything.size and (everything.min() < 0 or everything.max() >= n):
        return (
            f"Indices must lie in 0..{n - 1}, but yours run from {everything.min()} to "
            f"{everything.max()} (counting from 1?)."
        )
    counts = np.bincount(everything, minlength=n) if everything.size else np.zeros(n, int)
    if np.any(counts > 1):
        i = int(np.argmax(counts > 1))
        return (
            f"Index {i} appears {counts[i]} times in one epoch (and others are missing): "
            "drawing with replacement. Without replacement every example is used exactly "
            "once per epoch: shuffle a permutation instead of drawing indices at random."
        )
    if sizes != expected:
        if rest and sizes == expected[:-1]:
            return (
                f"The last {rest} examples (n mod batch_size) are missing: keep the shorter "
                "last batch, so that every example is used in every epoch."
            )
        return f"The batch sizes are {sizes}, expected {expected}."
    return None


def _epoch_verdict(fn, cases, name) -> CheckResult:
    n_cases = len(cases)
    for i, (n, batch_size, seed) in enumerate(cases):
        shown = f"n = {n}, batch_size = {batch_size}, rng = np.random.default_rng({seed})"
        where = f"test case {i + 1} of {n_cases}"
        try:
            result = fn(n, batch_size, np.random.default_rng(seed))
            batches = _epoch_batches(result) if result is not None and result is not ... else None
            again = None
            if isinstance(batches, list):
                rng = np.random.default_rng(seed)
                again = [_epoch_batches(fn(n, batch_size, rng)) for _ in range(2)]
        except NotImplementedError:
            return _not_implemented(name)
        except Exception as error:
            lines = [
                f"✘ {name} raised {type(error).__name__}: {error}",
                f"  on {where}, input: {shown}",
                *_student_line(error),
            ]
            return _result("error", name, i, "\n".join(lines))
        if batches is None:
            if i == 0:
                return _not_implemented(name, returned=result)
            problem = f"it returned {result!r} (is a `return` missing on some path?)"
        elif isinstance(batches, str):
            problem = batches
        else:
            problem = _epoch_problem(batches, n, batch_size)
            if problem is None:
                problem = _epoch_randomness(batches, again, n, batch_size)
        if problem is None:
            continue
        lines = [f"✘ {name}: wrong result on {where}.", f"  input:    {shown}"]
        if isinstance(batches, list):
            lines.append(f"  received: {_show([b.tolist() for b in batches], _INDENT)}")
        lines += [_wrap(problem), _wrap(f"Hint: {_EPOCH_HINT}")]
        return _result("wrong", name, i, "\n".join(lines))
    return _result("passed", name, None, f"✔ {name}: correct on all {n_cases} test cases.")


def _epoch_randomness(batches, again, n, batch_size) -> str | None:
    """Is the epoch shuffled, drawn from ``rng``, and different from the next epoch?"""
    first, second = again
    if isinstance(first, str) or isinstance(second, str):
        return first if isinstance(first, str) else second

    def same(a, b):
        return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))

    order = np.concatenate(batches)
    if n >= 10 and np.array_equal(order, np.arange(n)):
        return (
            "The examples come in their stored order 0, 1, 2, ...: shuffle them. Data sets "
            "are often sorted (by class, by date), and unshuffled batches are then biased."
        )
    if n >= 10 and batch_size >= 2 and all(np.all(np.diff(b) == 1) for b in batches):
        return (
            "Every batch is a block of neighbouring indices: you shuffled the order of the "
            "batches, not the examples. Shuffle the indices, then cut them into batches."
        )
    if not same(batches, first):
        return (
            "Two generators with the same seed gave different batches: draw the order from "
            "the rng argument (rng.permutation), not from np.random, so that a run can be "
            "reproduced."
        )
    if n >= 10 and same(first, second):
        return (
            "Two epochs drawn with the same generator came out identical: use the rng you are "
            "given (do not create a new generator with a fixed seed inside the function), so "
            "that every epoch has a fresh order."
        )
    return None


def check_epoch_indices(fn, *, strict=None) -> CheckResult:
    """Chapter 4: ``fn(n, batch_size, rng)`` returns one epoch of mini-batches without
    replacement: a list of 1-D integer index arrays that together hold each of 0..n−1
    exactly once, in a random order drawn from the generator ``rng``, all of ``batch_size``
    indices except the last, which holds the n mod batch_size left over (if any).

    There is no single right answer (any random order will do), so the checker tests these
    properties, plus: the same seed gives the same batches, and two epochs drawn from one
    generator differ.
    """
    name = "epoch_indices"
    strict = strict_mode() if strict is None else bool(strict)
    cases = [(10, 3, 0), (12, 4, 1), (7, 7, 2), (5, 10, 3), (1, 1, 4), (100, 32, 5), (64, 1, 6)]
    result = _epoch_verdict(fn, cases, name)
    if strict and result.status in ("wrong", "error"):
        raise AssertionError(result.message)
    print(result.message)
    return result


__all__ += ["check_epoch_indices", "check_minibatch_gradient"]


# --------------------------------------------------------------------------- Chapter 11: Adam


def _adam_step(
    theta,
    g,
    m,
    v,
    t,
    lr=1e-3,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    *,
    count=None,
    correct=(True, True),
    eps_mode="outside",
    damp=(True, True),
):
    """The reference (with the defaults), and the known mistakes (with the keywords):
    count: the t used in the bias correction (default t + 1); correct: bias-correct (m, v);
    eps_mode: "outside" √v̂ + ε, "inside" √(v̂ + ε), "hat" folded ηₜ m / (√v + ε);
    damp: the (1 − β) factors of m and v. Returns (θ, m, v, t + 1) as new arrays."""
    theta, g, m, v = (np.asarray(a, dtype=float) for a in (theta, g, m, v))
    n = t + 1 if count is None else count
    m = beta1 * m + ((1 - beta1) if damp[0] else 1.0) * g
    v = beta2 * v + ((1 - beta2) if damp[1] else 1.0) * g**2
    with np.errstate(all="ignore"):
        if eps_mode == "hat":
            lr_t = lr * np.sqrt(1 - beta2**n) / (1 - beta1**n)
            return theta - lr_t * m / (np.sqrt(v) + eps), m, v, t + 1
        m_hat = m / (1 - beta1**n) if correct[0] else m
        v_hat = v / (1 - beta2**n) if correct[1] else v
        if eps_mode == "inside":
            step = m_hat / np.sqrt(v_hat + eps)
        else:
            step = m_hat / (np.sqrt(v_hat) + eps)
    return theta - lr * step, m, v, t + 1


def _adam_stacked(fn):
    """``fn``'s result (θ, m, v, t) as one array of shape (4, *θ.shape), rows θ, m, v, t,
    so that the engine compares all four at once."""

    def stacked(theta, g, m, v, t, lr, beta1, beta2, eps):
        result = fn(theta, g, m, v, t, lr, beta1, beta2, eps)
        if result is None or result is Ellipsis:
            return result
        if not isinstance(result, (tuple, list)) or len(result) != 4:
            what = f"a {type(result).__name__}"
            if isinstance(result, (tuple, list)):
                what += f" of {len(result)} items"
            raise TypeError(
                f"return the new state as a tuple: theta_new, m_new, v_new, t_new (got {what})"
            )
        theta_new, m_new, v_new, t_new = result
        shape = np.shape(theta)
        parts = [np.asarray(a, dtype=float) for a in (theta_new, m_new, v_new)]
        for name, part in zip(("theta_new", "m_new", "v_new"), parts, strict=True):
            if part.shape != shape:
                raise ValueError(f"{name} has shape {part.shape}; it must have theta's {shape}")
        if np.size(t_new) != 1:
            raise TypeError(f"t_new must be one number, the new step count; got {t_new!r}")
        return np.stack([*parts, np.full(shape, float(np.ravel(t_new)[0]))])

    stacked.__name__ = getattr(fn, "__name__", "adam_step")
    return stacked


def _adam_reference(theta, g, m, v, t, lr, beta1, beta2, eps):
    theta_new, m_new, v_new, t_new = _adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
    return np.stack([theta_new, m_new, v_new, np.full(np.shape(theta), float(t_new))])


def _diagnose_adam_step(case, received, expected) -> str | None:
    theta, g, m, v, t, lr, beta1, beta2, eps = case.args
    got = np.asarray(received, dtype=float)
    if got.shape != expected.shape:
        return None
    if t == 0 and not np.all(np.isfinite(got[0])):
        return (
            "θ is NaN or inf on the first update: the bias correction divided by "
            "1 − β⁰ = 0. Count the update before you correct, t_new = t + 1, and use t_new "
            "in 1 − β₁ᵗ and 1 − β₂ᵗ: the first update has t = 1."
        )
    rows_right = [np.allclose(got[k], expected[k], rtol=1e-6, atol=1e-12) for k in range(4)]
    if all(rows_right[:3]) and not rows_right[3]:
        return "θ, m and v are right; return the new step count t_new = t + 1 as well."
    if not rows_right[0] and not all(rows_right[1:3]):
        for damp, text in (
            ((False, True), "m ← β₁ m + (1 − β₁) g: the factor (1 − β₁) on g is missing."),
            ((True, False), "v ← β₂ v + (1 − β₂) g²: the factor (1 − β₂) on g² is missing."),
        ):
            wrong = _adam_step(*case.args, damp=damp)
            if np.allclose(got[:3], np.stack(wrong[:3]), rtol=1e-6, atol=1e-12):
                return text
    known = [
        (
            dict(count=t),
            "The bias correction used the old count t; count this update first, "
            "t_new = t + 1, then divide by 1 − β₁^t_new and 1 − β₂^t_new.",
        ),
        (
            dict(correct=(False, False)),
            "There is no bias correction: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ (with the new "
            "t) before the step. Without it the early steps have the wrong size.",
        ),
        (dict(correct=(True, False)), "Only m is bias-corrected; v̂ = v / (1 − β₂ᵗ) too."),
        (dict(correct=(False, True)), "Only v is bias-corrected; m̂ = m / (1 − β₁ᵗ) too."),
        (
            dict(eps_mode="inside"),
            "ε is inside the square root, √(v̂ + ε). Algorithm 1 (and torch) add it "
            "outside, √v̂ + ε; with ε = 1e-8 inside, the root acts like an ε of 1e-4 outside.",
        ),
        (
            dict(eps_mode="hat"),
            "This is the folded form ηₜ m / (√v + ε) with ηₜ = η √(1 − β₂ᵗ) / (1 − β₁ᵗ): it "
            "differs from Algorithm 1 only through ε, which it adds to √v instead of √v̂. "
            "Correct m and v first and add ε to √v̂.",
        ),
    ]
    for keywords, text in known:
        wrong = _adam_step(*case.args, **keywords)
        stacked = np.stack([*wrong[:3], np.full(np.shape(theta), float(wrong[3]))])
        with np.errstate(all="ignore"):
            if np.allclose(got, stacked, rtol=1e-6, atol=1e-12, equal_nan=True):
                return text
    ascent = theta + (theta - expected[0])
    if np.allclose(got[0], ascent, rtol=1e-6, atol=1e-12):
        return "θ moved uphill: subtract the step, θ − η m̂ / (√v̂ + ε)."
    return None


def check_adam_step(fn, *, strict=None) -> CheckResult:
    """Chapter 11: ``fn(theta, g, m, v, t, lr, beta1, beta2, eps)`` performs one Adam update
    (Algorithm 1 of Kingma & Ba, ε outside the root, as torch) and returns
    ``(theta_new, m_new, v_new, t_new)``; ``m``, ``v`` are the moment estimates and ``t`` the
    number of updates made so far (zeros and 0 before the first), so that t_new = t + 1 is
    the number of this update, the t of the bias correction."""
    rng = np.random.default_rng(11)

    def state(shape, t, lr, beta1, beta2, eps, scale=1.0):
        """θ, g and a plausible state after t updates: m and v as zero-started averages of
        gradients of size ``scale`` (so v̂ ≈ scale²), then the hyperparameters."""
        m = (1 - beta1**t) * 0.3 * scale * rng.normal(size=shape)
        v = (1 - beta2**t) * (scale * rng.uniform(0.5, 1.5, size=shape)) ** 2
        theta, g = rng.normal(size=shape), scale * rng.normal(size=shape)
        return Case((theta, g, m, v, t, lr, beta1, beta2, eps))

    cases = [
        Case(
            (
                np.array([1.0, -2.0]),
                np.array([0.5, -1.0]),
                np.zeros(2),
                np.zeros(2),
                0,
                0.1,
                0.9,
                0.999,
                1e-8,
            )
        ),
        state(3, 5, 0.01, 0.9, 0.999, 1e-8),
        state((2, 3), 100, 1e-3, 0.9, 0.99, 1e-8),
        state(4, 3, 0.01, 0.9, 0.999, 1e-8, scale=1e-4),  # tiny gradients: ε matters
        state(3, 20, 0.05, 0.8, 0.999, 0.1),
        state(2, 1000, 0.01, 0.0, 0.9, 1e-8),
    ]
    hint = (
        "t_new = t + 1; m_new = β₁ m + (1 − β₁) g; v_new = β₂ v + (1 − β₂) g²; "
        "m̂ = m_new / (1 − β₁ ** t_new); v̂ = v_new / (1 − β₂ ** t_new); "
        "theta_new = theta − lr · m̂ / (√v̂ + eps). The rows shown are θ, m, v, t."
    )
    return check(
        _adam_stacked(fn),
        _adam_reference,
        cases,
        name="adam_step",
        hint=hint,
        strict=strict,
        rtol=1e-7,
        atol=1e-12,
        diagnose=_diagnose_adam_step,
    )


__all__ += ["check_adam_step"]


# --------------------------------------------------------------------------- Chapter 10: Adadelta


def _adadelta_step(theta, s, u, g, lr, rho, eps):
    """The reference, returning new arrays (θ, s, u):
    s ← ρ s + (1 − ρ) g² ; Δ ← √(u + ε) / √(s + ε) · g ; u ← ρ u + (1 − ρ) Δ² ; θ ← θ − η Δ."""
    theta, s, u, g = (np.asarray(a, dtype=float) for a in (theta, s, u, g))
    s_new = rho * s + (1 - rho) * g**2
    delta = np.sqrt(u + eps) / np.sqrt(s_new + eps) * g
    u_new = rho * u + (1 - rho) * delta**2
    return theta - lr * delta, s_new, u_new


def _adadelta_mistakes(theta, s, u, g, lr, rho, eps) -> dict:
    """Known wrong versions of one Adadelta step: sentence -> (θ, s, u)."""
    theta, s, u, g = (np.asarray(a, dtype=float) for a in (theta, s, u, g))
    s_new = rho * s + (1 - rho) * g**2
    delta = np.sqrt(u + eps) / np.sqrt(s_new + eps) * g
    u_new = rho * u + (1 - rho) * delta**2

    def rest(d):  # the θ and u that follow from a wrong Δ
        return theta - lr * d, s_new, rho * u + (1 - rho) * d**2

    outside = (np.sqrt(u) + eps) / (np.sqrt(s_new) + eps) * g
    no_eps_up = np.sqrt(u) / np.sqrt(s_new + eps) * g
    old_s = np.sqrt(u + eps) / np.sqrt(s + eps) * g
    upside_down = np.sqrt(s_new + eps) / np.sqrt(u + eps) * g
    late_u = np.sqrt(u_new + eps) / np.sqrt(s_new + eps) * g
    s_plain = rho * s + g**2
    d_plain = np.sqrt(u + eps) / np.sqrt(s_plain + eps) * g
    u_plain = rho * u + d_plain**2
    return {
        "ε is outside the square roots, (√u + ε) / (√s + ε). Inside them, √(u + ε) is about "
        "√ε when u = 0, which is what makes the first steps as large as they are; outside, "
        "the first step is about ε, a thousand times smaller for ε = 1e-6.": rest(outside),
        "The numerator has no ε, √u / √(s + ε). u starts at 0, so every Δ is 0 and "
        "Adadelta never moves: ε under the left root is what starts it.": rest(no_eps_up),
        "Δ used s from before its update. Update s with this step's g² first, then divide "
        "by √(s + ε) with the new s.": rest(old_s),
        "The ratio is upside down: Δ = √(u + ε) / √(s + ε) · g, the RMS of past steps over "
        "the RMS of gradients (units of θ over units of g).": rest(upside_down),
        "The step used u after its update. Δ must use u from before this step (the RMS of "
        "the previous steps); u is updated with Δ² only afterwards.": (
            theta - lr * late_u,
            s_new,
            u_new,
        ),
        "u accumulated the step actually taken, (η Δ)². The rule (Zeiler's, as torch) "
        "accumulates Δ², before the factor η.": (
            theta - lr * delta,
            s_new,
            rho * u + (1 - rho) * (lr * delta) ** 2,
        ),
        "u accumulated g² instead of Δ²: s is the running mean of g², u the running mean "
        "of the steps Δ².": (theta - lr * delta, s_new, rho * u + (1 - rho) * g**2),
        "The (1 − ρ) factors are missing: s ← ρ s + (1 − ρ) g² and u ← ρ u + (1 − ρ) Δ² are "
        "averages, not sums.": (theta - lr * d_plain, s_plain, u_plain),
        "The step goes uphill: θ ← θ − η Δ.": (theta + lr * delta, s_new, u_new),
        "This is RMSProp's step, θ ← θ − η g / (√s + ε); Adadelta's Δ has √(u + ε) in "
        "place of η.": (theta - lr * g / (np.sqrt(s_new) + eps), s_new, u),
    }


def _diagnose_adadelta_step(case, received, expected) -> str | None:
    theta = case.args[0]
    try:
        got = np.asarray(received, dtype=float)
    except (TypeError, ValueError):
        return "Return the triple `theta_new, s_new, u_new`: three arrays shaped like theta."
    if got.shape == np.shape(theta):
        return "You returned one array; return all three: `return theta_new, s_new, u_new`."
    if got.shape == (2, *np.shape(theta)):
        return "You returned two arrays; return all three: `return theta_new, s_new, u_new`."
    if got.shape != (3, *np.shape(theta)):
        return None
    for order in ((0, 2, 1), (1, 0, 2), (2, 1, 0), (1, 2, 0), (2, 0, 1)):
        if np.allclose(got, np.stack([expected[k] for k in order]), rtol=1e-6, atol=1e-8):
            return "The three arrays are in the wrong order: return theta_new, s_new, u_new."
    for text, arrays in _adadelta_mistakes(*case.args).items():
        if np.allclose(got, np.stack(arrays), rtol=1e-6, atol=1e-8):
            return text
    return None


def check_adadelta_step(fn, *, strict=None) -> CheckResult:
    """Chapter 10: ``fn(theta, s, u, g, lr, rho, eps)`` returns ``(theta_new, s_new, u_new)``
    after one Adadelta step for arrays of any shape:

        s_new = ρ s + (1 − ρ) g² ;  Δ = √(u + ε) / √(s_new + ε) · g ;
        u_new = ρ u + (1 − ρ) Δ² ;  theta_new = θ − η Δ

    (ε inside both roots, u updated after Δ and with Δ² before the factor η), the same
    iterates as ``descent.optimizers.Adadelta``. The first case is a first step, s = u = 0.
    """
    rng = np.random.default_rng(10)

    def state(shape, lr, rho, eps, g_scale=1.0):  # θ, s, u, g with positive s and u
        theta = rng.normal(size=shape)
        s = rng.uniform(0.05, 2.0, size=shape) * g_scale**2
        u = rng.uniform(1e-4, 0.05, size=shape)
        g = rng.normal(size=shape) * g_scale
        return Case((theta, s, u, g, lr, rho, eps))

    first_theta, first_g = np.array([1.0, -2.0]), np.array([2.0, -0.5])
    theta_2, s_2 = np.array([0.5, 1.5, -1.0]), np.array([0.4, 1.0, 0.01])
    u_2, g_2 = np.array([1e-3, 4e-4, 2e-5]), np.array([1.0, -2.0, 0.1])
    cases = [
        Case((first_theta, np.zeros(2), np.zeros(2), first_g, 1.0, 0.9, 1e-6)),  # first step
        Case((theta_2, s_2, u_2, g_2, 1.0, 0.95, 1e-6)),
        state((2, 3), 0.5, 0.9, 1e-4),
        state(4, 2.0, 0.5, 1e-2),
        state((3, 2), 1.0, 0.99, 1e-8, g_scale=1e-3),
    ]
    hint = (
        "four lines, in the order of the algorithm box: s_new = rho * s + (1 - rho) * g**2; "
        "delta = np.sqrt(u + eps) / np.sqrt(s_new + eps) * g; "
        "u_new = rho * u + (1 - rho) * delta**2; theta_new = theta - lr * delta."
    )
    return check(
        fn,
        _adadelta_step,
        cases,
        name="adadelta_step",
        hint=hint,
        strict=strict,
        rtol=1e-7,
        atol=1e-12,
        diagnose=_diagnose_adadelta_step,
    )


__all__ += ["check_adadelta_step"]


# ------------------------------------------------------------- Chapters 8 and 9: AdaGrad, RMSProp


def _adagrad_step(theta, h, g, lr, eps):
    """The reference, returning new arrays (θ, h): h ← h + g² ; θ ← θ − η g / (√h + ε)."""
    theta, h, g = (np.asarray(a, dtype=float) for a in (theta, h, g))
    h_new = h + g**2
    return theta - lr * g / (np.sqrt(h_new) + eps), h_new


def _rmsprop_step(theta, s, g, lr, rho, eps):
    """The reference, returning new arrays (θ, s): s ← ρ s + (1 − ρ) g² ;
    θ ← θ − η g / (√s + ε)."""
    theta, s, g = (np.asarray(a, dtype=float) for a in (theta, s, g))
    s_new = rho * s + (1 - rho) * g**2
    return theta - lr * g / (np.sqrt(s_new) + eps), s_new


_EPS_INSIDE = (
    "ε is inside the square root, √({acc} + ε). This book (like torch and Duchi et al.'s "
    "paper) adds it outside, √{acc} + ε. The two differ where {acc} is small: inside, "
    "ε = 1e-8 acts like an ε of 1e-4 outside."
)


def _adagrad_mistakes(theta, h, g, lr, eps) -> dict:
    """Known wrong versions of one AdaGrad step: sentence -> (θ, h)."""
    theta, h, g = (np.asarray(a, dtype=float) for a in (theta, h, g))
    h_new = h + g**2
    with np.errstate(all="ignore"):
        return {
            _EPS_INSIDE.format(acc="h"): (theta - lr * g / np.sqrt(h_new + eps), h_new),
            "The step used h from before its update. Add this step's g² to h first, then "
            "divide by √h + ε with the new h (on the first step the old h is 0).": (
                theta - lr * g / (np.sqrt(h) + eps),
                h_new,
            ),
            "h holds only the latest g², not the sum of all of them: h ← h + g² accumulates. "
            "(Keeping only g² gives a step of η·g/|g|, the sign of g.)": (
                theta - lr * g / (np.abs(g) + eps),
                g**2,
            ),
            "The square root is missing: divide by √h + ε, not by h + ε.": (
                theta - lr * g / (h_new + eps),
                h_new,
            ),
            "ε is missing: where h and g are both 0 the step is 0/0. Divide by √h + ε.": (
                theta - lr * g / np.sqrt(h_new),
                h_new,
            ),
            "h accumulated g instead of g²: h ← h + g², the square entry by entry.": (
                theta - lr * g / (np.sqrt(h + g) + eps),
                h + g,
            ),
            "The step goes uphill: θ ← θ − η g / (√h + ε).": (
                theta + lr * g / (np.sqrt(h_new) + eps),
                h_new,
            ),
            "θ is right but h is not: return the new sum h + g², not the old h.": (
                theta - lr * g / (np.sqrt(h_new) + eps),
                h,
            ),
        }


def _rmsprop_mistakes(theta, s, g, lr, rho, eps) -> dict:
    """Known wrong versions of one RMSProp step: sentence -> (θ, s)."""
    theta, s, g = (np.asarray(a, dtype=float) for a in (theta, s, g))
    s_new = rho * s + (1 - rho) * g**2

    def step(acc):
        return theta - lr * g / (np.sqrt(acc) + eps), acc

    with np.errstate(all="ignore"):
        return {
            _EPS_INSIDE.format(acc="s"): (theta - lr * g / np.sqrt(s_new + eps), s_new),
            "ρ and 1 − ρ are swapped: the old s keeps the weight ρ (close to 1), the new g² "
            "gets 1 − ρ. s ← ρ s + (1 − ρ) g².": step((1 - rho) * s + rho * g**2),
            "The factor (1 − ρ) on g² is missing: s ← ρ s + (1 − ρ) g² is an average of "
            "g², not a sum; without it s is 1/(1 − ρ) times too large.": step(rho * s + g**2),
            "This is AdaGrad's sum h ← h + g²; RMSProp forgets: s ← ρ s + (1 − ρ) g².": step(
                s + g**2
            ),
            "The step used s from before its update. Update s with this step's g² first, "
            "then divide by √s + ε with the new s.": (
                theta - lr * g / (np.sqrt(s) + eps),
                s_new,
            ),
            "The square root is missing: divide by √s + ε, not by s + ε.": (
                theta - lr * g / (s_new + eps),
                s_new,
            ),
            "ε is missing: where s and g are both 0 the step is 0/0. Divide by √s + ε.": (
                theta - lr * g / np.sqrt(s_new),
                s_new,
            ),
            "The step goes uphill: θ ← θ − η g / (√s + ε).": (
                theta + lr * g / (np.sqrt(s_new) + eps),
                s_new,
            ),
            "θ is right but s is not: return the new average ρ s + (1 − ρ) g², not the old s.": (
                theta - lr * g / (np.sqrt(s_new) + eps),
                s,
            ),
        }


def _diagnose_pair(state: str, mistakes):
    """A ``diagnose`` for a step returning (theta_new, state_new), given ``mistakes``
    (the case's arguments -> {sentence: (θ, state)})."""
    pair = f"`theta_new, {state}_new`"

    def diagnose(case, received, expected) -> str | None:
        theta = case.args[0]
        try:
            got = np.asarray(received, dtype=float)
        except (TypeError, ValueError):
            return f"Return the pair {pair}: two arrays with the shape of theta."
        if got.shape == np.shape(theta):
            return f"You returned one array; return both new arrays: `return {pair[1:-1]}`."
        if got.shape != (2, *np.shape(theta)):
            return None
        if np.allclose(got, expected[::-1], rtol=1e-6, atol=1e-8):
            return f"θ and {state} are swapped: return them in the order {pair}."
        for text, arrays in mistakes(*case.args).items():
            if np.allclose(got, np.stack(arrays), rtol=1e-6, atol=1e-8, equal_nan=True):
                return text
        return None

    return diagnose


def _adaptive_cases(seed: int, with_rho: bool) -> list[Case]:
    """Shared cases: θ, the accumulator, g, then (lr, [rho,] eps). The first case has an
    empty accumulator in two entries (a first step; one with g = 0, where only ε prevents
    0/0) and an ε large enough to show where it is added."""
    rng = np.random.default_rng(seed)

    def rand(shape, lr, rho, eps, g_scale=1.0):
        acc = rng.uniform(0.05, 2.0, size=shape) * g_scale**2
        theta, g = rng.normal(size=shape), rng.normal(size=shape) * g_scale
        return Case((theta, acc, g, lr, *((rho,) if with_rho else ()), eps))

    first = (
        np.array([1.0, -2.0, 0.5, 3.0]),
        np.array([0.0, 0.25, 4.0, 0.0]),
        np.array([0.3, -1.0, 2.0, 0.0]),
    )
    return [
        Case((*first, 0.1, *((0.9,) if with_rho else ()), 0.1)),
        rand((2, 3), 0.01, 0.99, 1e-8),
        rand(5, 0.5, 0.5, 1e-6),
        rand((3, 2), 1e-3, 0.9, 1e-8, g_scale=1e-4),  # tiny gradients: ε's place matters
        rand(3, 1.0, 0.0, 1e-10),
    ]


def check_adagrad_step(fn, *, strict=None) -> CheckResult:
    """Chapter 8: ``fn(theta, h, g, lr, eps)`` returns ``(theta_new, h_new)`` after one
    AdaGrad step, for arrays of any shape:

        h_new = h + g² ;  theta_new = θ − η g / (√h_new + ε)

    (ε outside the root, as torch), the same iterates as ``descent.optimizers.AdaGrad``.
    """
    hint = (
        "two lines: h_new = h + g**2, then "
        "theta_new = theta - lr * g / (np.sqrt(h_new) + eps); return theta_new, h_new."
    )
    return check(
        fn,
        _adagrad_step,
        _adaptive_cases(8, with_rho=False),
        name="adagrad_step",
        hint=hint,
        strict=strict,
        rtol=1e-7,
        atol=1e-12,
        unchanged=(0, 1, 2),
        diagnose=_diagnose_pair("h", _adagrad_mistakes),
    )


def check_rmsprop_step(fn, *, strict=None) -> CheckResult:
    """Chapter 9: ``fn(theta, s, g, lr, rho, eps)`` returns ``(theta_new, s_new)`` after one
    RMSProp step, for arrays of any shape:

        s_new = ρ s + (1 − ρ) g² ;  theta_new = θ − η g / (√s_new + ε)

    (ε outside the root, as torch), the same iterates as ``descent.optimizers.RMSProp``.
    """
    hint = (
        "two lines: s_new = rho * s + (1 - rho) * g**2, then "
        "theta_new = theta - lr * g / (np.sqrt(s_new) + eps); return theta_new, s_new."
    )
    return check(
        fn,
        _rmsprop_step,
        _adaptive_cases(9, with_rho=True),
        name="rmsprop_step",
        hint=hint,
        strict=strict,
        rtol=1e-7,
        atol=1e-12,
        unchanged=(0, 1, 2),
        diagnose=_diagnose_pair("s", _rmsprop_mistakes),
    )


__all__ += ["check_adagrad_step", "check_rmsprop_step"]
