"""Chapter 3, gradient descent: the checker of the gradient descent loop."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import Case, CheckResult, check, exercise


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


@exercise("gradient_descent", "grad, theta0, lr, steps", reference=_gradient_descent_reference)
def check_gradient_descent(fn, *, strict=None, hint=None) -> CheckResult:
    """Chapter 3: ``fn(grad, theta0, lr, steps)`` runs θ ← θ − η ∇f(θ) for ``steps`` steps and
    returns every iterate, θ₀ = theta0 first, as an array of shape (steps + 1, dim); it
    leaves theta0 unchanged."""
    return check(
        fn,
        _gradient_descent_reference,
        _gradient_descent_cases(),
        name="gradient_descent",
        hint=(
            "Each step moves θ against the gradient at the current θ, by the learning rate "
            "times that gradient. Keep every iterate, θ₀ first.",
            "Work on a float copy of theta0, never on theta0 itself, and make a new array at "
            "each step instead of changing the last one in place: otherwise all the rows you "
            "kept are the same array.",
        ),
        level=hint,
        strict=strict,
        rtol=1e-10,
        atol=1e-12,
        unchanged=(1,),
        diagnose=_diagnose_gradient_descent,
    )
