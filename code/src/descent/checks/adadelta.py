"""Chapter 10, Adadelta: the checker of one Adadelta step."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import Case, exercise


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


@exercise(
    "adadelta_step",
    "theta, s, u, g, lr, rho, eps",
    reference=_adadelta_step,
    returns=("theta_new", "s_new", "u_new"),
    hints=(
        "Four lines, in the order of the algorithm box. The step Δ uses the average u from "
        "before this step, and the new s.",
        "Δ is the gradient times the ratio of two roots, both with ε inside: the one of u "
        "over the one of s. Then u averages Δ², and θ moves by −η Δ. Return new arrays.",
    ),
    rtol=1e-7,
    atol=1e-12,
    unchanged=(0, 1, 2, 3),
    diagnose=_diagnose_adadelta_step,
)
def check_adadelta_step():
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
    return [
        Case((first_theta, np.zeros(2), np.zeros(2), first_g, 1.0, 0.9, 1e-6)),  # first step
        Case((theta_2, s_2, u_2, g_2, 1.0, 0.95, 1e-6)),
        state((2, 3), 0.5, 0.9, 1e-4),
        state(4, 2.0, 0.5, 1e-2),
        state((3, 2), 1.0, 0.99, 1e-8, g_scale=1e-3),
    ]
