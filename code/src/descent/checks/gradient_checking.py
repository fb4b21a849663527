"""Chapter 2, gradient checking: the checkers of the numerical gradient and the relative
error."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import Case, CheckResult, check, exercise


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


@exercise("numerical_gradient", "f, x, h=1e-5", reference=_numerical_gradient)
def check_numerical_gradient(fn, *, strict=None) -> CheckResult:
    """Chapter 2: ``fn(f, x, h=1e-5)`` returns the centered-difference gradient of f at x,
    an array shaped like x (vectors and matrices), and leaves x as it found it."""
    return check(
        fn,
        _numerical_gradient,
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


@exercise("relative_error", "a, b", reference=_relative_error)
def check_relative_error(fn, *, strict=None) -> CheckResult:
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
    hint = (
        "compute the ratio entry by entry, |a − b| / max(|a|, |b|) with np.abs and "
        "np.maximum, count entries where both are 0 as 0 (guard the division, e.g. with "
        "np.maximum(..., 1e-300)), and return the largest ratio as a float."
    )
    return check(fn, _relative_error, cases, name="relative_error", hint=hint, strict=strict)
