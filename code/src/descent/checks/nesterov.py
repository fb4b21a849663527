"""Chapter 7, Nesterov: the checker of one step of Nesterov's method."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import Case, diagnose_pair, exercise


def _nesterov_step(theta, v, g, lr, momentum):
    """The reference, in velocity form (v = −η b of the package's buffer b):
    v ← μ v − η g ; θ ← θ + μ v − η g (with the new v), returning new arrays (θ, v)."""
    theta, v, g = (np.asarray(a, dtype=float) for a in (theta, v, g))
    v_new = momentum * v - lr * g
    return theta + momentum * v_new - lr * g, v_new


def _nesterov_mistakes(theta, v, g, lr, mu):
    """Common wrong Nesterov steps: {what went wrong: (θ, v) it returns}."""
    v_new = mu * v - lr * g
    return {
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
        "θ is right but v is not: return the new velocity μ v − η g.": (
            _nesterov_step(theta, v, g, lr, mu)[0],
            v,
        ),
    }


@exercise(
    "nesterov_step",
    "theta, v, g, lr, momentum",
    reference=_nesterov_step,
    returns=("theta_new", "v_new"),
    hints=(
        "The velocity is updated exactly as in heavy-ball momentum; the difference is in "
        "how far θ moves.",
        "θ moves by the look-ahead part of the new velocity (μ times it) plus a plain "
        "gradient step. Return new arrays, θ first, and leave the inputs as they were.",
    ),
    unchanged=(0, 1, 2),
    diagnose=diagnose_pair("v", _nesterov_mistakes),
)
def check_nesterov_step():
    """Chapter 7: ``fn(theta, v, g, lr, momentum)`` returns ``(theta_new, v_new)`` for one step
    of Nesterov's method in velocity form, with g = ∇f(theta):

        v_new = μ v − η g ;  theta_new = θ + μ v_new − η g  (= θ − μ v + (1 + μ) v_new)

    for arrays of any shape, leaving the inputs unchanged. The same iterates as
    ``descent.optimizers.Nesterov`` with v = −η b."""
    rng = np.random.default_rng(7)

    def arrays(shape):  # θ, v, g
        return tuple(rng.normal(size=shape) for _ in range(3))

    return [
        Case((np.array([1.0, -2.0]), np.array([0.5, -0.25]), np.array([2.0, -1.0]), 0.1, 0.9)),
        Case((np.array([3.0, 1.0, -1.0]), np.zeros(3), np.array([1.0, -4.0, 0.5]), 0.25, 0.9)),
        Case((*arrays((2, 3)), 0.01, 0.5)),
        Case((*arrays((3, 2)), 1e-3, 0.99)),
        Case((*arrays(4), 0.3, 0.0)),
    ]
