"""Chapter 6, momentum: the checkers of one heavy-ball step, of its rate, and of a grid
search for the best (η, μ)."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import Case, diagnose_pair, exercise


def _momentum_step(theta, v, g, lr, momentum):
    """The reference: v ← μ v − η g ; θ ← θ + v, returning new arrays (θ, v)."""
    v_new = momentum * np.asarray(v, dtype=float) - lr * np.asarray(g, dtype=float)
    return np.asarray(theta, dtype=float) + v_new, v_new


def _momentum_mistakes(theta, v, g, lr, mu):
    """Common wrong momentum steps: {what went wrong: (θ, v) it returns}."""
    return {
        "θ moved by the old velocity: update v first, then θ ← θ + v with the new v.": (
            theta + v,
            mu * v - lr * g,
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


@exercise(
    "momentum_step",
    "theta, v, g, lr, momentum",
    reference=_momentum_step,
    returns=("theta_new", "v_new"),
    hints=(
        "Follow the algorithm box line by line: first the new velocity, from the old "
        "velocity and the gradient; then the new θ, from the new velocity.",
        "The velocity decays by the factor μ and gains −η times the gradient; θ then moves "
        "by the whole new velocity. Return new arrays, θ first, and leave the inputs as they "
        "were.",
    ),
    unchanged=(0, 1, 2),
    diagnose=diagnose_pair("v", _momentum_mistakes),
)
def check_momentum_step():
    """Chapter 6: ``fn(theta, v, g, lr, momentum)`` returns ``(theta_new, v_new)`` with
    v_new = μ v − η g and theta_new = θ + v_new, for arrays of any shape, leaving the
    inputs unchanged."""
    rng = np.random.default_rng(6)

    def arrays(shape):  # θ, v, g
        return tuple(rng.normal(size=shape) for _ in range(3))

    return [
        Case((np.array([1.0, -2.0]), np.array([0.5, 0.0]), np.array([2.0, -1.0]), 0.1, 0.9)),
        Case((np.array([3.0, 1.0, -1.0]), np.zeros(3), np.array([1.0, -4.0, 0.5]), 0.25, 0.9)),
        Case((*arrays((2, 3)), 0.01, 0.5)),
        Case((*arrays(4), 0.3, 0.0)),
        Case((*arrays((3, 2)), 1e-3, 0.99)),
    ]


def _diagnose_momentum_rate(case, received, expected) -> str | None:
    lr, mu, lam = case.args
    got = np.asarray(received, dtype=float)
    if got.size != 1:
        return (
            "Return one number, the spectral radius: the largest |r| over the two "
            "eigenvalues r of M."
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


def _momentum_rate(lr, momentum, lam):
    from descent.theory.momentum import spectral_radius

    return float(spectral_radius(lr, momentum, lam))


@exercise(
    "momentum_rate",
    "lr, momentum, lam",
    reference=_momentum_rate,
    hints=(
        "The rate is the spectral radius of the 2×2 iteration matrix M: the largest "
        "magnitude among its eigenvalues.",
        "Build M from its equation in the chapter with the given η, μ and λ. Its eigenvalues "
        "can be complex: compare their magnitudes, not their real parts.",
    ),
    rtol=1e-6,
    atol=1e-9,
    diagnose=_diagnose_momentum_rate,
)
def check_momentum_rate():
    """Chapter 6: ``fn(lr, momentum, lam)`` returns the spectral radius (largest ``|r|`` over
    the eigenvalues r) of heavy-ball momentum's 2×2 matrix M = [[μ, −ηλ], [μ, 1 − ηλ]]."""
    return [
        Case((0.1, 0.9, 2.0), label="η = 0.1, μ = 0.9, λ = 2 (complex roots)"),
        Case((0.01, 0.1, 1.0), label="η = 0.01, μ = 0.1, λ = 1 (real positive roots)"),
        Case((2.2, 0.2, 1.0), label="η = 2.2, μ = 0.2, λ = 1 (real negative roots)"),
        Case((0.25, 0.25, 1.0), label="η = 0.25, μ = 0.25, λ = 1 (critical damping)"),
        Case((0.5, 0.0, 3.0), label="η = 0.5, μ = 0, λ = 3 (gradient descent)"),
        Case((3.0, 0.2, 1.0), label="η = 3, μ = 0.2, λ = 1 (diverges)"),
        Case((0.001, 0.99, 50.0), label="η = 0.001, μ = 0.99, λ = 50"),
    ]


# --------------------------------------------------------------------------- grid search


class _Rate:
    """The rate function handed to the student's grid search: a correct spectral radius,
    shown in messages by what it is."""

    description = "the spectral radius of heavy ball's M (a correct momentum_rate)"

    def __call__(self, lr, momentum, lam):
        return _momentum_rate(lr, momentum, lam)

    def __repr__(self):
        return self.description


def _best_momentum(rate, lams, etas, mus, *, worst=max, swap=False):
    """The reference: the (η, μ) of the grid with the smallest worst-case rate
    ρ(η, μ) = max over λ of rate(η, μ, λ), the first in the order of etas then mus when
    several tie, and that ρ; ``worst`` and ``swap`` make the known mistakes."""
    best = None
    for eta in etas:
        for mu in mus:
            q = worst(rate(float(eta), float(mu), float(lam)) for lam in lams)
            if best is None or q < best[2]:
                best = (float(eta), float(mu), float(q))
    return (best[1], best[0], best[2]) if swap else best


def _diagnose_best_momentum(case, received, expected) -> str | None:
    got = np.asarray(received, dtype=float)
    if got.shape != (3,):
        return None
    known = [
        (
            dict(worst=min),
            "ρ(η, μ) is the largest rate over the eigenvalues, not the smallest: the slowest "
            "direction sets the pace of the whole run.",
        ),
        (dict(swap=True), "η and μ are swapped: return (eta, mu, rate) in that order."),
    ]
    for keywords, text in known:
        if np.allclose(got, _best_momentum(*case.args, **keywords), rtol=1e-9, atol=1e-12):
            return text
    return None


@exercise(
    "best_momentum",
    "rate, lams, etas, mus",
    reference=_best_momentum,
    returns=("eta", "mu", "q"),
    hints=(
        "For each pair (η, μ) of the grid, its rate is the worst one over the eigenvalues: "
        "the largest rate(η, μ, λ). Keep the pair with the smallest such rate.",
        "Two loops, etas outside and mus inside, and a strict < when you compare with the "
        "best so far, so that the first of equal pairs stays. Return floats: η, μ, ρ.",
    ),
    rtol=1e-9,
    atol=1e-12,
    unchanged=(1, 2, 3),
    diagnose=_diagnose_best_momentum,
)
def check_best_momentum():
    """Chapter 6: ``fn(rate, lams, etas, mus)`` searches the grid etas × mus for the pair
    (η, μ) with the smallest worst-case rate ρ(η, μ) = max over λ in lams of
    rate(η, μ, λ), and returns ``(eta, mu, q)``; among equal rates, the first pair in the
    order of etas, then mus. It leaves lams, etas and mus unchanged."""
    rate = _Rate()
    return [
        Case(
            (rate, np.array([0.1, 2.0]), np.linspace(0.2, 2.0, 10), np.linspace(0.0, 0.9, 10)),
            label="rate = a correct momentum_rate, lams = [0.1, 2] (the bowl),\n"
            + " " * 12
            + "etas = np.linspace(0.2, 2, 10), mus = np.linspace(0, 0.9, 10)",
        ),
        Case(
            (rate, np.array([1.0]), np.array([0.5, 1.0, 1.5]), np.array([0.0, 0.5])),
            label="rate = a correct momentum_rate, lams = [1],\n"
            + " " * 12
            + "etas = [0.5, 1, 1.5], mus = [0, 0.5] (η = 1, μ = 0 is exact: ρ = 0)",
        ),
        Case(
            (rate, np.array([0.5, 1.0, 8.0]), np.geomspace(0.01, 1.0, 9), np.linspace(0, 0.8, 5)),
            label="rate = a correct momentum_rate, lams = [0.5, 1, 8],\n"
            + " " * 12
            + "etas = np.geomspace(0.01, 1, 9), mus = np.linspace(0, 0.8, 5)",
        ),
    ]
