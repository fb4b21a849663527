"""Checkers for the exercises, the engine: run the student's function on seeded cases,
compare it with a reference, and say what went wrong in words a student can act on.

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

The checkers themselves live in one module per chapter (``descent/checks/adam.py``, ...),
each with its references, cases and diagnoses; this module holds what they share.
An exercise is declared once, with ``@exercise`` (imported from
``descent.checks.engine``): what the student writes (name, parameters, a reference
solution, the names of the items it returns), the hints, and how the answer is compared;
the function it decorates builds the seeded cases, and becomes the checker::

    @exercise(
        "sigmoid",
        "x",
        reference=nn.sigmoid,
        hints=("the idea", "more help"),
    )
    def check_sigmoid():
        \"\"\"Exercise: fn(x) = 1 / (1 + exp(−x)), elementwise, stable for large |x|.\"\"\"
        return random_cases((5,), (3, 4), seed=5, low=-30, high=30)

which makes ``check_sigmoid(fn, *, strict=None, hint=None)``. Then re-export it in
``descent/checks/__init__.py`` (import and ``__all__``), call it in strict mode in a hidden
cell of the chapter's solution, and add wrong student functions to the module's tests
(tests/test_checks_<module>.py, or tests/test_checks.py for chapters 1 and 2) to prove
that it catches them and names each mistake. tests/test_checks_generic.py tests, from the
declaration, what every checker must do: accept the reference, say "not implemented yet"
to a stub, show the student's line of an error, name a wrong shape and dtype and a
changed input, follow strict mode, and keep the solution out of its messages.
"""

from __future__ import annotations

import copy
import difflib
import dis
import inspect
import linecache
import os
import sysconfig
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

STATUSES = ("passed", "not implemented", "wrong", "error")
_TRUTHY = {"1", "true", "yes", "on"}
#: The environment variable that sets the course's help level (see ``hints_allowed``).
HINTS_VARIABLE = "DESCENT_HINTS"
#: The most help a checker can give: level 1 names the idea, level 2 the step.
MAX_HINT_LEVEL = 2
_course_hints: int | None = None  # set by set_hints(); None: read the environment
#: Messages are wrapped to this many characters, the width of a notebook output on the page.
WIDTH = 76
VALUE_INDENT = len("  expected: ")  # where values start in a message
# descent/, the package: this file is in descent/checks/, one level below
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY_DIRS = tuple(
    os.path.abspath(p)
    for p in {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
)


@dataclass(frozen=True)
class Exercise:
    """One exercise, declared once: what the student writes, how it is checked. ``@exercise``
    makes it, and the checker it builds carries it as ``checker.exercise``.

    Attributes:
        name: the student's function's name, e.g. "momentum_step", or class's name, e.g.
            "AdamOptimizer" (a class is called, to make an object, as a function is); the
            messages name the exercise by it.
        params: its parameter list as written in the stub, e.g. "theta, v, g, lr, momentum"
            (a class's: those of ``__init__``, after ``self``).
        reference: a correct solution, called exactly as the student's function is.
        cases: builds the seeded test inputs (``Case`` objects, tuples or single
            arguments), the most telling one first.
        returns: for a function that returns a tuple, the names of its items in order,
            e.g. ("theta_new", "v_new"); None for a single value.
        hints: the hints of a wrong answer, from the idea to more help (see ``check``).
        rtol: the relative tolerance of the comparison (``np.allclose``).
        atol: its absolute tolerance.
        unchanged: indices of the arguments the student's function must leave as they were.
        diagnose: names a known mistake (see ``check``).
        run: ``run(fn, *args)``, how a solution is run on a case's arguments when its return
            value is not what is compared: a class's objects put through their methods, a
            step done in place, a tuple turned into rows. The student's function and the
            reference go through it alike.
        extra: ``extra(exercise, fn, cases, level)``, a requirement that a comparison of
            values cannot test, checked once every case passed: a new result (a wrong one,
            or a pass that says more), or None if it holds.
        verdict: ``verdict(exercise, fn, cases, level)``, for an exercise with no single
            right answer to compare with: it replaces the comparison and returns the
            CheckResult.
    """

    name: str
    params: str
    reference: Callable
    cases: Callable[[], Iterable]
    returns: tuple[str, ...] | None = None
    hints: str | Sequence[str] = ()
    rtol: float = 1e-6
    atol: float = 1e-8
    unchanged: Sequence[int] = ()
    diagnose: Callable | None = None
    run: Callable | None = None
    extra: Callable | None = None
    verdict: Callable | None = None

    @property
    def is_class(self) -> bool:
        """True if the student writes a class (a CapWords name, e.g. "AdamOptimizer"); its
        ``params`` are then those of ``__init__``, after ``self``."""
        return self.name[:1].isupper()

    @property
    def signature(self) -> str:
        """The first line of the stub: ``def name(params):``, or ``class Name:``."""
        return f"class {self.name}:" if self.is_class else f"def {self.name}({self.params}):"

    def runner(self, fn: Callable) -> Callable:
        """``fn`` as the comparison calls it: through ``run`` if the exercise has one."""
        if self.run is None:
            return fn

        def call(*args, **kwargs):
            return self.run(fn, *args, **kwargs)

        call.__wrapped__ = fn  # the student's own signature, globals and name
        return call

    def check(self, fn, *, strict=None, hint=None, quiet=False) -> CheckResult:
        """Check ``fn`` on the exercise's cases; print and return the verdict (``strict``,
        ``hint``, the level the student asked for, and ``quiet`` as in ``check``)."""
        cases = [_as_case(c) for c in self.cases()]
        if not cases:
            raise ValueError(f"the exercise {self.name} needs at least one case")
        if not callable(fn):
            what = f"✘ {self.name}: expected a function, got {type(fn).__name__}."
            return report(make_result("error", self.name, None, what), strict=strict, quiet=quiet)
        if self.verdict is not None:
            return report(self.verdict(self, fn, cases, hint), strict=strict, quiet=quiet)
        result = _verdict(
            self.runner(fn),
            self.runner(self.reference),
            cases,
            self.name,
            hint_lines(self.hints, hint),
            self.rtol,
            self.atol,
            self.unchanged,
            self.diagnose,
            self.returns,
        )
        more = self.extra(self, fn, cases, hint) if result.passed and self.extra else None
        return report(result if more is None else more, strict=strict, quiet=quiet)


def exercise(name: str, params: str, *, reference: Callable, returns=None, hints=(), **how):
    """Decorator that declares an exercise and turns the function it decorates, which
    builds the exercise's seeded cases, into its checker ``check_xxx(fn, *, strict=None,
    hint=None)``, with that function's name and docstring.

    ``name``, ``params``, ``reference`` and ``returns`` say what the student writes,
    ``hints`` and the keywords of ``how`` (``rtol``, ``atol``, ``unchanged``, ``diagnose``,
    ``run``, ``extra``, ``verdict``) how it is checked: see ``Exercise``. The checker
    carries the declaration as ``checker.exercise``; the tests build generic students from
    it, and instructors can read it to write a stub
    (``checks.check_adam_step.exercise.signature``)."""

    def build(cases: Callable[[], Iterable]) -> Callable:
        record = Exercise(
            name,
            params,
            reference,
            cases,
            tuple(returns) if returns else None,
            hints,
            **how,
        )

        def checker(fn, *, strict: bool | None = None, hint: int | None = None) -> CheckResult:
            return record.check(fn, strict=strict, hint=hint)

        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(checker, attribute, getattr(cases, attribute))
        checker.exercise = record
        return checker

    return build


class WrongResult(Exception):
    """Raised by a wrapper around the student's function (one that unpacks or validates
    its result before the comparison, e.g. a tuple of three arrays) when the result has the
    wrong form. ``check`` reports it as a wrong result, with this exception's text as the
    reason, not as an error in the student's code."""


def state_arrays(result, names: Sequence[str], shape: tuple) -> list[np.ndarray]:
    """A student's returned state, ``result``, as float arrays of θ's ``shape``, one per name
    of ``names`` (e.g. "theta_new", "m_new"): raises WrongResult, with a sentence the student
    can act on, if it is not a tuple of that many items, or an item has the wrong shape or
    is not floating-point."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        what = f"a {type(result).__name__}"
        if isinstance(result, (tuple, list)):
            what += f" of {len(result)} items"
        raise WrongResult(f"Return the new state as a tuple: {', '.join(names)} (got {what}).")
    parts = [np.asarray(a) for a in result]
    for name, part in zip(names, parts, strict=True):
        if part.shape != shape:
            raise WrongResult(
                f"Wrong shape: {name} has shape {part.shape}; it must have theta's {shape}."
            )
        if part.dtype.kind != "f":
            raise WrongResult(
                f"Wrong dtype: {name} holds {part.dtype}, expected floating-point numbers "
                "(float64), like theta."
            )
    return parts


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


def set_hints(level: int | None) -> None:
    """Set the course's help level for every checker in this Python session (a kernel):
    0 shows no hint (an exam), 1 the first hint only, 2 every hint a student asks for.
    ``None`` goes back to the environment variable ``DESCENT_HINTS`` (default 2).

    A wrong answer always shows what is wrong; the level only limits the hints."""
    global _course_hints
    if level is not None and level not in range(MAX_HINT_LEVEL + 1):
        raise ValueError(f"level must be 0, 1 or 2 (or None), got {level!r}")
    _course_hints = level


def hints_allowed() -> int:
    """The most help a checker gives in this session: the level of ``set_hints``, else the
    environment variable ``DESCENT_HINTS`` (0, 1 or 2), else 2."""
    if _course_hints is not None:
        return _course_hints
    text = os.environ.get(HINTS_VARIABLE, "").strip()
    if not text:
        return MAX_HINT_LEVEL
    if text not in {str(k) for k in range(MAX_HINT_LEVEL + 1)}:
        raise ValueError(f"{HINTS_VARIABLE} must be 0, 1 or 2, got {text!r}")
    return int(text)


def hint_lines(hints: str | Sequence[str], level: int | None = None) -> list[str]:
    """The hint lines of a wrong answer: the hints up to ``level`` (1 if None: a student
    asks for more with ``hint=2``), never past the course's level ``hints_allowed()``, and a
    line saying how to get more help when there is more."""
    hints = [hints] if isinstance(hints, str) else list(hints)
    hints = [h for h in hints if h]
    asked = 1 if level is None else int(level)
    allowed = hints_allowed()
    shown = max(0, min(asked, allowed, len(hints)))
    lines = [
        wrap_sentence(f"Hint {k + 1} of {len(hints)}: {h}") for k, h in enumerate(hints[:shown])
    ]
    if shown < len(hints) and shown < allowed:
        lines.append(wrap_sentence(f"More help: run the check again with hint={shown + 1}."))
    elif asked > allowed and shown < len(hints):
        limit = f"up to level {allowed}" if allowed else "no hints"
        lines.append(wrap_sentence(f"(Your course gives {limit}.)"))
    return lines


def check(
    student_fn: Callable,
    reference_fn: Callable,
    cases: Iterable,
    *,
    name: str | None = None,
    hint: str | Sequence[str] = (),
    level: int | None = None,
    strict: bool | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    unchanged: Sequence[int] = (),
    diagnose: Callable | None = None,
    returns: Sequence[str] | None = None,
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
        hint: the hints of a wrong answer, from the idea (which term, which line of the
            algorithm box) to more help, never code that solves the exercise; a string is
            one hint. See ``hint_lines``.
        level: the hint level the student asked for (the checker's ``hint=``).
        strict: raise AssertionError on a wrong answer or an error; None reads the
            environment (``strict_mode()``). A stub never raises.
        unchanged: indices of arguments the student's function must leave as they were
            (e.g. a numerical gradient must restore x).
        diagnose: ``diagnose(case, received, expected) -> str | None``, a sentence naming a
            known mistake, tried when a result is wrong (if it raises, it is ignored).
        returns: for a reference returning a tuple, the names of its items ("theta_new",
            "v_new"): a tuple or list the student returns is then compared item by item, and
            a wrong shape or dtype is reported for the item that has it.
        quiet: do not print.
    """
    cases = list(cases)
    declared = Exercise(
        name or getattr(student_fn, "__name__", "your function"),
        "",
        reference_fn,
        lambda: cases,
        returns=returns,
        hints=hint,
        rtol=rtol,
        atol=atol,
        unchanged=unchanged,
        diagnose=diagnose,
    )
    return declared.check(student_fn, strict=strict, hint=level, quiet=quiet)


def report(result: CheckResult, *, strict: bool | None = None, quiet: bool = False):
    """Finish a check: in strict mode raise AssertionError (with the message) on a wrong
    answer or an error, else print the message (unless ``quiet``); return the result.
    ``check`` ends with it; a checker that builds its verdict itself calls it too."""
    strict = strict_mode() if strict is None else bool(strict)
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


def _verdict(
    student_fn, reference_fn, cases, name, hints, rtol, atol, unchanged, diagnose, returns
):
    n = len(cases)
    for i, case in enumerate(cases):
        where = f"test case {i + 1} of {n}"
        shown_input = _show_input(case, student_fn, reference_fn)
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        shown = True  # show the expected and received values
        try:
            with np.errstate(all="ignore"):
                received = student_fn(*args, **kwargs)
        except NotImplementedError:
            return not_implemented_result(name)
        except WrongResult as wrong:
            problem, shown = str(wrong), False
        except Exception as error:
            return error_result(name, i, error, f"on {where}", shown_input, student_fn)
        else:
            if received is None or received is Ellipsis:
                if i == 0:
                    return not_implemented_result(name, returned=received)
                problem = f"it returned {received!r} (is a `return` missing on some path?)"
                shown = False
            else:
                with np.errstate(all="ignore"):
                    expected = reference_fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
                problem = _changed_input(case, args, unchanged, student_fn, reference_fn)
                if problem is None:
                    problem = _compare(received, expected, rtol, atol, returns)
        if problem is None:
            continue
        lines = [f"✘ {name}: wrong result on {where}.", *stray_globals(student_fn)]
        lines.append(f"  input:    {shown_input}")
        if shown:
            lines += [
                f"  expected: {show_value(expected, VALUE_INDENT)}",
                f"  received: {show_value(received, VALUE_INDENT)}",
            ]
        lines.append(wrap_sentence(problem))
        if shown:
            known = _diagnosis(diagnose, case, received, expected, rtol, atol)
            if known:
                lines.append(wrap_sentence(known))
        lines += hints
        return make_result("wrong", name, i, "\n".join(lines))
    plural = "s" if n > 1 else ""
    return make_result("passed", name, None, f"✔ {name}: correct on all {n} test case{plural}.")


def make_result(status, name, case, message) -> CheckResult:
    return CheckResult(status == "passed", status, message, name, case)


def error_result(name, case, error, where, shown_input, student_fn=None) -> CheckResult:
    """The verdict on an exception raised by the student's code: its type and text, where
    (the case and its input), and the student's own line, without the traceback through
    the checker."""
    text = " ".join(str(error).split())
    if len(text) > 300:
        text = text[:297] + "..."
    lines = [
        f"✘ {name} raised {type(error).__name__} {where}" + (":" if text else "."),
        *([wrap_sentence(text)] if text else []),
        *stray_globals(student_fn),
        f"  input:    {shown_input}",
        *_student_line(error),
    ]
    return make_result("error", name, case, "\n".join(lines))


def _diagnosis(diagnose, case, received, expected, rtol, atol) -> str | None:
    """The checker's diagnosis of a wrong result, else a generic one. A diagnosis that
    fails on an unexpected result (say, of the wrong shape) is skipped."""
    known = None
    if diagnose is not None:
        try:
            with np.errstate(all="ignore"):
                known = diagnose(case, received, expected)
        except Exception:
            known = None
    return known or _generic_diagnosis(received, expected, rtol, atol)


def not_implemented_result(name, returned=NotImplementedError) -> CheckResult:
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
    return make_result(
        "not implemented", name, None, textwrap.fill(text, WIDTH, subsequent_indent="  ")
    )


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def _compare(received, expected, rtol, atol, returns=None) -> str | None:
    """None if ``received`` matches ``expected``, else a sentence saying how it differs.

    An expected tuple (or list) is compared item by item when the student also returned
    a tuple or list, so that a wrong shape or dtype is named for the item that has it."""
    if isinstance(expected, (tuple, list)) and isinstance(received, (tuple, list)):
        n = len(expected)
        names = list(returns) if returns and len(returns) == n else None
        if len(received) != n:
            what = f" ({', '.join(names)})" if names else ""
            return f"Return {n} items{what}; your function returned {len(received)}."
        for k, (got, want) in enumerate(zip(received, expected, strict=True)):
            problem = _compare(got, want, rtol, atol)
            if problem is not None:
                which = _ORDINALS[k] if k < len(_ORDINALS) else f"number {k + 1}"
                item = f"the {which} of the {n} items you return"
                return f"In {f'{names[k]} ({item})' if names else item}: {problem}"
        return None
    if received is None or received is Ellipsis:  # an item of a tuple
        return f"It is {received!r}: is a `return` or an assignment missing?"
    try:
        expected = np.asarray(expected)
    except ValueError:  # a tuple of items of different shapes, and the student's is not one
        what = f" ({', '.join(returns)})" if returns else ""
        n, kind = len(expected), type(received).__name__
        return f"Return a tuple of {n} items{what}; your function returned one {kind}."
    try:
        got = np.asarray(received)
    except Exception:
        return (
            f"Your result, a {type(received).__name__}, is not a number or an array (are its "
            "pieces arrays of different shapes?)."
        )
    if got.dtype.kind == "c" and expected.dtype.kind != "c":
        return (
            f"Wrong dtype: your result is complex ({got.dtype}), expected real numbers "
            f"({expected.dtype}). np.abs(z) is the magnitude of a complex z, z.real its real "
            "part."
        )
    if got.dtype.kind not in "biuf":
        return (
            f"Wrong dtype: your result, a {type(received).__name__} of dtype {got.dtype}, is "
            "not made of numbers (an array of objects or strings, or pieces of different "
            "shapes?)."
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
    dtype = got.dtype
    single = dtype.kind == "f" and dtype.itemsize < expected.dtype.itemsize
    got = got.astype(float)
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return "Your result contains NaN or inf (a division 0/0, or by 0?)."
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        return None
    if single and expected.dtype.kind == "f":
        return (
            f"Wrong dtype: your result is {dtype}, which keeps about "
            f"{np.finfo(dtype).precision} significant digits; the expected result is "
            f"{expected.dtype}. Compute in double precision (dtype=float)."
        )
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


def diagnose_pair(state: str, mistakes):
    """A ``diagnose`` for an optimizer step returning (theta_new, state_new).

    It names a wrong return shape, θ and the state swapped, and each mistake of
    ``mistakes(*case.args) -> {sentence: (θ, state)}`` whose result the student returned.
    Used by the checkers of momentum, Nesterov, AdaGrad and RMSProp steps."""
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
            text += (
                f", {arg}[{index}] is {show_value(after[at])} instead of {show_value(before[at])}"
            )
        else:
            text += f" it has shape {after.shape} instead of {before.shape}"
        return (
            text + f". The caller's {arg} must be as it was when you return: compute into a "
            f"new array (e.g. {arg} - step, not {arg} -= step), work on a copy, or put back "
            f"every entry you change (save {arg}[i], restore it)."
        )
    return None


def stray_globals(student_fn) -> list[str]:
    """Message lines naming the notebook variables that the student's function reads
    although they are not its parameters (a typo such as ``velocity`` for ``v`` then reads
    whatever ``velocity`` holds in the notebook): numbers, arrays and other data, not
    modules, functions or classes. Wrappers are followed through ``__wrapped__``."""
    fn = inspect.unwrap(student_fn) if callable(student_fn) else None
    if inspect.isclass(fn):  # a class: each of its methods, with its own parameters
        methods = [m for m in vars(fn).values() if inspect.isfunction(m)]
        return list(dict.fromkeys(line for m in methods for line in stray_globals(m)))
    code, namespace = getattr(fn, "__code__", None), getattr(fn, "__globals__", None)
    if code is None or namespace is None:
        return []
    params = [p for p in inspect.signature(fn).parameters if p != "self"]
    lines = []
    for global_name in _globals_read(code):
        if global_name.startswith("_") or global_name not in namespace:
            continue
        value = namespace[global_name]
        if callable(value) or inspect.ismodule(value):
            continue
        text = (
            f"Your function reads `{global_name}`, a variable of the notebook that is not one "
            f"of its parameters ({', '.join(params)}): its value comes from outside the call."
        )
        # a parameter that abbreviates the name (v for velocity), else one spelled alike
        close = [p for p in params if global_name.startswith(p)][:1]
        close = close or difflib.get_close_matches(global_name, params, n=1, cutoff=0.6)
        if close:
            text += f" Did you mean the parameter `{close[0]}`?"
        lines.append(wrap_sentence(text))
    return lines


def _globals_read(code) -> list[str]:
    """The global names a code object (and the functions, lambdas and comprehensions
    inside it) loads, in order of first use."""
    names = [
        ins.argval
        for ins in dis.get_instructions(code)
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")
    ]
    for const in code.co_consts:
        if inspect.iscode(const):
            names += _globals_read(const)
    return list(dict.fromkeys(names))


def _student_line(error: BaseException) -> list[str]:
    """Where in the student's own code the exception happened (frames outside descent/
    and outside installed libraries), as message lines. A method is named with its class,
    e.g. ``AdamOptimizer.update``."""
    frames = []  # (file, line number, qualified name) of each frame, outermost first
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append((code.co_filename, tb.tb_lineno, getattr(code, "co_qualname", code.co_name)))
        tb = tb.tb_next
    frames = [f for f in frames if not _inside(f[0])]
    own = [f for f in frames if not f[0].startswith(_LIBRARY_DIRS)] or frames
    if not own:
        return []
    filename, lineno, name = own[-1]
    lines = [f"  at line {lineno} of your code, in {name}:"]
    text = linecache.getline(filename, lineno).strip()
    if text:
        lines.append(f"      {text}")
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
    parts = [f"{k} = {show_value(v, VALUE_INDENT + len(k) + 3)}" for k, v in pairs]
    if len(parts) > 1 and (any("\n" in p for p in parts) or sum(map(len, parts)) > 70):
        return ("\n" + " " * VALUE_INDENT).join(parts)
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


def wrap_sentence(sentence: str) -> str:
    """A sentence as indented lines of at most WIDTH characters."""
    return textwrap.fill(sentence, WIDTH, initial_indent="  ", subsequent_indent="  ")


def show_value(value, indent: int = 0) -> str:
    """A short, readable rendering of an argument or a result."""
    if callable(value) and not isinstance(value, np.ndarray):
        return getattr(value, "description", None) or getattr(value, "__name__", repr(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.10g}"
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=8, threshold=24, edgeitems=3, linewidth=WIDTH - indent):
            text = repr(value)
        return text.replace("\n", "\n" + " " * indent)
    if (
        isinstance(value, tuple)
        and 1 < len(value) <= 8
        and any(isinstance(v, np.ndarray) for v in value)
    ):  # one item per line: (array(...),\n array(...))
        items = [show_value(v, indent + 1) for v in value]
        return "(" + (",\n" + " " * (indent + 1)).join(items) + ")"
    return repr(value)
