"""Chapter 2, gradient checking: the checkers of the numerical gradient and the relative
error."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import (
    Case,
    CheckResult,
    _error,
    _result,
    _show,
    _wrap,
    check,
    exercise,
    hint_lines,
    report,
)


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


def _numerical_gradient(f, x, h=1e-5):
    """The reference: the test functions know their exact gradient."""
    return f.grad(x)


def _relative_error(a, b):
    from descent.gradients import relative_error

    return relative_error(a, b)


_NUMERICAL_GRADIENT_HINTS = (
    "Move one entry of x at a time, by +h and by −h, and divide the change of f by the "
    "distance between the two points, 2h.",
    "Visit every index of x, whatever its shape, and change x itself, not a copy. Save the "
    "entry before you change it and put it back in a `finally` block, so that x is "
    "restored even when f raises.",
)


class _Fails(_Smooth):
    """A test function that raises RuntimeError on its ``after + 1``-th call."""

    def __init__(self, after: int):
        super().__init__(
            f"a function that raises RuntimeError on call {after + 1}",
            self._count,
            lambda x: x,
        )
        self.calls, self.after = 0, after

    def _count(self, x):
        self.calls += 1
        if self.calls > self.after:
            raise RuntimeError("f failed on purpose, to test that x is restored")
        return float(np.sum(x))


def _restores_on_error(fn, level) -> CheckResult | None:
    """The exercise's last requirement: x is as it was after ``fn`` when f raises (here on
    its 4th call, with x[1] moved). None if it is; else a wrong verdict."""
    x = np.array([0.5, -1.0, 2.0])
    before = x.copy()
    try:
        fn(_Fails(after=3), x)
    except RuntimeError:
        pass
    except Exception as error:
        return _error("numerical_gradient", 0, error, "when f raises", "f raises on call 4", fn)
    if np.array_equal(x, before):
        return None
    i = int(np.argmax(x != before))
    lines = [
        "✘ numerical_gradient: x is not restored when f raises.",
        f"  input:    f = {_Fails(3).description},",
        f"            x = {_show(before)}",
        _wrap(
            f"After the call, x[{i}] is {_show(x[i])} instead of {_show(before[i])}: the entry "
            "you were changing when f raised was never put back. The exercise asks that x be "
            "exactly as you found it even then."
        ),
        *hint_lines(_NUMERICAL_GRADIENT_HINTS, level),
    ]
    return _result("wrong", "numerical_gradient", 0, "\n".join(lines))


@exercise("numerical_gradient", "f, x, h=1e-5", reference=_numerical_gradient)
def check_numerical_gradient(fn, *, strict=None, hint=None) -> CheckResult:
    """Chapter 2: ``fn(f, x, h=1e-5)`` returns the centered-difference gradient of f at x,
    an array shaped like x (vectors and matrices), and leaves x as it found it, even when f
    raises an exception."""
    result = check(
        fn,
        _numerical_gradient,
        _numerical_gradient_cases(),
        name="numerical_gradient",
        hint=_NUMERICAL_GRADIENT_HINTS,
        level=hint,
        strict=False,
        rtol=1e-6,
        atol=1e-7,
        unchanged=(1,),
        diagnose=_diagnose_numerical_gradient,
        quiet=True,
    )
    if result.passed:
        not_restored = _restores_on_error(fn, hint)
        if not_restored is not None:
            result = not_restored
    return report(result, strict=strict)


@exercise("relative_error", "a, b", reference=_relative_error)
def check_relative_error(fn, *, strict=None, hint=None) -> CheckResult:
    """Chapter 2: ``fn(a, b)`` returns max over entries of ``|aᵢ − bᵢ| / max(|aᵢ|, |bᵢ|)``, with
    0 for entries where both are 0 — one float, for arrays of any shape or numbers."""
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
    hint_texts = (
        "Work entry by entry: the difference divided by the larger of the two magnitudes; "
        "then keep the largest of these ratios.",
        "Where both entries are 0 the ratio is 0/0: make it count as 0 (a tiny floor under "
        "the denominator does it). Return one Python float, for arrays and for numbers.",
    )
    return check(
        fn,
        _relative_error,
        cases,
        name="relative_error",
        hint=hint_texts,
        level=hint,
        strict=strict,
    )
