"""Chapters 8 and 9, AdaGrad and RMSProp: the checkers of one step of each."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import Case, diagnose_pair, exercise


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


def rmsprop_mistakes(theta, s, g, lr, rho, eps) -> dict:
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


@exercise(
    "adagrad_step",
    "theta, h, g, lr, eps",
    reference=_adagrad_step,
    returns=("theta_new", "h_new"),
    hints=(
        "Two lines of the algorithm box: first add the squared gradient to the sum h, then "
        "take the step with the new h.",
        "Each entry's step is η times its gradient divided by the square root of its own h, "
        "with ε added outside the root. Return new arrays, θ first.",
    ),
    rtol=1e-7,
    atol=1e-12,
    unchanged=(0, 1, 2),
    diagnose=diagnose_pair("h", _adagrad_mistakes),
)
def check_adagrad_step():
    """Chapter 8: ``fn(theta, h, g, lr, eps)`` returns ``(theta_new, h_new)`` after one
    AdaGrad step, for arrays of any shape:

        h_new = h + g² ;  theta_new = θ − η g / (√h_new + ε)

    (ε outside the root, as torch), the same iterates as ``descent.optimizers.AdaGrad``.
    """
    return _adaptive_cases(8, with_rho=False)


@exercise(
    "rmsprop_step",
    "theta, s, g, lr, rho, eps",
    reference=_rmsprop_step,
    returns=("theta_new", "s_new"),
    hints=(
        "Two lines of the algorithm box: first update the running average s of the squared "
        "gradients, then take the step with the new s.",
        "The average keeps the fraction ρ of the old s and adds (1 − ρ) times g²; the step "
        "divides the gradient by √s + ε, with ε outside the root. Return new arrays, θ first.",
    ),
    rtol=1e-7,
    atol=1e-12,
    unchanged=(0, 1, 2),
    diagnose=diagnose_pair("s", rmsprop_mistakes),
)
def check_rmsprop_step():
    """Chapter 9: ``fn(theta, s, g, lr, rho, eps)`` returns ``(theta_new, s_new)`` after one
    RMSProp step, for arrays of any shape:

        s_new = ρ s + (1 − ρ) g² ;  theta_new = θ − η g / (√s_new + ε)

    (ε outside the root, as torch), the same iterates as ``descent.optimizers.RMSProp``.
    """
    return _adaptive_cases(9, with_rho=True)
