"""Chapter 3, gradient descent: the checkers of the gradient descent loop and of one step
with a backtracking (Armijo) line search."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import Case, exercise


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


@exercise(
    "gradient_descent",
    "grad, theta0, lr, steps",
    reference=_gradient_descent_reference,
    hints=(
        "Each step moves θ against the gradient at the current θ, by the learning rate "
        "times that gradient. Keep every iterate, θ₀ first.",
        "Work on a float copy of theta0, never on theta0 itself, and make a new array at "
        "each step instead of changing the last one in place: otherwise all the rows you "
        "kept are the same array.",
    ),
    rtol=1e-10,
    atol=1e-12,
    unchanged=(1,),
    diagnose=_diagnose_gradient_descent,
)
def check_gradient_descent():
    """Chapter 3: ``fn(grad, theta0, lr, steps)`` runs θ ← θ − η ∇f(θ) for ``steps`` steps and
    returns every iterate, θ₀ = theta0 first, as an array of shape (steps + 1, dim); it
    leaves theta0 unchanged."""
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


# --------------------------------------------------------------------------- line search


class _Loss:
    """A loss f for the line search, shown in messages by its formula."""

    def __init__(self, description, f):
        self.description, self._f = description, f

    def __call__(self, theta):
        return float(self._f(np.asarray(theta, dtype=float)))

    def __repr__(self):
        return self.description


def _armijo_step(theta, g, f, eta0=1.0, c=1e-4, shrink=0.5, *, power=2, slack=True):
    """The reference: start at η = eta0 and multiply η by ``shrink`` until
    f(θ − η g) ≤ f(θ) − c η ‖g‖²; return (θ − η g, η). ``power`` and ``slack`` make the
    known mistakes (‖g‖ for ‖g‖², no c η ‖g‖² term)."""
    theta, g = np.asarray(theta, dtype=float), np.asarray(g, dtype=float)
    eta, f0 = eta0, f(theta)
    decrease = float(np.sum(g**2)) ** (power / 2) if slack else 0.0
    while f(theta - eta * g) > f0 - c * eta * decrease:
        eta *= shrink
    return theta - eta * g, eta


def _diagnose_armijo(case, received, expected) -> str | None:
    theta_new, eta = received
    eta, expected_eta = float(eta), float(expected[1])
    known = [
        (
            dict(slack=False),
            "Your search stops at the first η that lowers f at all. Armijo's condition asks "
            "for a sufficient decrease: at least c η ‖g‖² below f(θ).",
        ),
        (dict(power=1), "The decrease asked for uses ‖g‖; Armijo's condition has ‖g‖²."),
    ]
    for keywords, text in known:
        wrong = _armijo_step(*case.args, **keywords)
        if np.isclose(eta, wrong[1], rtol=1e-12) and not np.isclose(eta, expected_eta):
            return text
    shrink = case.args[5]
    if np.isclose(eta, expected_eta * shrink) or np.isclose(eta, expected_eta / shrink):
        return (
            f"η is one shrink away from the right one ({expected_eta:.6g}): test the condition "
            "before each shrink, and return the η of the step you take."
        )
    if np.isclose(eta, expected_eta) and not np.allclose(theta_new, expected[0]):
        return "η is right but the step is not: θ_new = θ − η g with that η."
    return None


@exercise(
    "armijo_step",
    "theta, g, f, eta0=1.0, c=1e-4, shrink=0.5",
    reference=_armijo_step,
    returns=("theta_new", "eta"),
    hints=(
        "Try η = eta0 first. While the step θ − η g does not lower f by at least c η ‖g‖², "
        "shrink η and try again.",
        "Compute f(θ) and ‖g‖² once, before the loop; the loop only tries new η. The last "
        "η tried is the one that passed: return the step it makes, and that η.",
    ),
    rtol=1e-9,
    atol=1e-12,
    unchanged=(0, 1),
    diagnose=_diagnose_armijo,
)
def check_armijo_step():
    """Chapter 3: ``fn(theta, g, f, eta0, c, shrink)`` takes one gradient step with Armijo's
    backtracking line search: η starts at eta0 and is multiplied by ``shrink`` until
    f(θ − η g) ≤ f(θ) − c η ‖g‖²; it returns ``(theta_new, eta)`` and leaves θ and g
    unchanged."""
    from descent.functions import bowl, rosenbrock

    A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
    quadratic = _Loss(
        "½ θᵀAθ for a 3×3 A with eigenvalues in [0.5, 3.6]", lambda t: 0.5 * t @ A @ t
    )
    cases = [
        ((-7.0, 2.0), bowl, "the bowl x²/20 + y²", 1.0, 1e-4, 0.5),
        ((-7.0, 2.0), bowl, "the bowl x²/20 + y²", 1.0, 0.3, 0.8),  # c matters, and ‖g‖²
        ((-1.5, 2.0), rosenbrock, "Rosenbrock", 1.0, 1e-4, 0.5),
        ((-7.0, 2.0), bowl, "the bowl x²/20 + y²", 4.0, 0.5, 0.3),
        ((1.0, -2.0, 0.5), quadratic, None, 1.0, 0.3, 0.8),
        ((3.0, 0.5), bowl, "the bowl x²/20 + y²", 0.05, 1e-4, 0.5),
    ]
    found = []
    for point, f, name, eta0, c, shrink in cases:
        theta = np.array(point)
        loss = f if isinstance(f, _Loss) else _Loss(name, f)
        g = A @ theta if f is quadratic else f.grad(theta)
        indent = "\n" + " " * 12
        label = (
            f"theta = {theta.tolist()}, g = ∇f(theta),{indent}f = {loss!r},{indent}"
            f"eta0 = {eta0}, c = {c}, shrink = {shrink}"
        )
        found.append(Case((theta, g, loss, eta0, c, shrink), label=label))
    return found
