"""Chapter 14, choosing an optimizer: the checkers of a cosine schedule and of a warm-up
followed by a cosine decay (the references are ``descent.schedules``)."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import Case, exercise
from descent.schedules import Cosine, Warmup

# --------------------------------------------------------------------------- the references


def _cosine_reference(t, steps, floor):
    return Cosine(steps, floor)(np.asarray(t))


def _warmup_cosine_reference(t, warmup, total, floor):
    return Warmup(warmup).then(Cosine(total - warmup, floor))(np.asarray(t))


def _half_cosine(done, steps, floor):
    """floor + (1 − floor) · ½ (1 + cos(π done / T)), ``done`` not clamped."""
    return floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * done / steps))


def _matches(got, wrong) -> bool:
    return np.shape(got) == np.shape(wrong) and np.allclose(got, wrong, rtol=1e-9, atol=1e-12)


def _as_array(received, expected):
    try:
        got = np.asarray(received, dtype=float)
    except (TypeError, ValueError):
        return None
    return got if got.shape == np.shape(expected) else None


# --------------------------------------------------------------------------- cosine


def _diagnose_cosine(case, received, expected) -> str | None:
    t, steps, floor = case.args
    got = _as_array(received, expected)
    if got is None:
        return None
    t = np.asarray(t, dtype=float)
    if _matches(got, Cosine(steps, floor)(t + 1)):
        return (
            "Your factors are those of the next update: the first update, t = 1, must get "
            "the full factor 1. Count the updates done before this one, t − 1: "
            "cos(π (t − 1) / T)."
        )
    if _matches(got, Cosine(steps, floor)(np.maximum(t - 1, 1))):
        return "The factor at t = 1 and t = 2 is the same: use t − 1, not max(t − 1, 1)."
    if _matches(got, _half_cosine(t - 1, steps, floor)):
        return (
            "After T updates the factor must stay at the floor, but yours climbs back up "
            "(as torch's CosineAnnealingLR does when it is stepped past T_max). Clamp the "
            "updates done: np.minimum(t − 1, T)."
        )
    if _matches(got, floor + _half_cosine(np.minimum(t - 1, steps), steps, 0.0)):
        return (
            "The floor is added on top of the whole cosine, so the factor starts at 1 + floor. "
            "Scale the cosine part by (1 − floor): floor + (1 − floor) · ½ (1 + cos(...))."
        )
    if _matches(got, _half_cosine(np.minimum(t - 1, steps), steps, 0.0)):
        return "The floor is missing: the factor must end at floor, not at 0."
    return None


@exercise(
    "cosine_schedule",
    "t, steps, floor",
    reference=_cosine_reference,
    hints=(
        "Count the updates made before update t, and cap that count at T: after T "
        "updates the factor stays at the floor.",
        "½(1 + cos) runs from 1 to 0 as the count goes from 0 to T; stretch that range "
        "so that it ends at the floor instead of 0. Work on whole arrays.",
    ),
    rtol=1e-9,
    atol=1e-12,
    unchanged=(0,),
    diagnose=_diagnose_cosine,
)
def check_cosine_schedule():
    """Chapter 14: ``fn(t, steps, floor)`` returns the cosine factors
    floor + (1 − floor) · ½ (1 + cos(π · min(t − 1, T) / T)) for an integer array t ≥ 1,
    as an array of t's shape."""
    rng = np.random.default_rng(13)
    return [
        Case((np.arange(1, 16), 10, 0.1)),
        Case((np.arange(1, 9), 7, 0.0)),
        Case((rng.permutation(np.arange(1, 121))[:12], 100, 0.5)),  # any t, in any order
        Case((np.array([1, 51, 101, 500]), 100, 0.01)),
    ]


# --------------------------------------------------------------------------- warm-up + cosine


def _diagnose_warmup_cosine(case, received, expected) -> str | None:
    t, warmup, total, floor = case.args
    got = _as_array(received, expected)
    if got is None:
        return None
    t = np.asarray(t, dtype=float)
    later = t > warmup
    decay = total - warmup
    if np.allclose(got[~later], (t[~later] - 1) / warmup) and np.any(t == 1):
        return (
            "Your warm-up starts at 0, so the first update does not move at all. Use "
            "t / warmup: 1/W at t = 1, and the full rate 1 at t = W."
        )
    warm = np.minimum(1.0, t / warmup)
    after = np.maximum(t - warmup, 1)
    mistakes = {
        "The cosine must start again at its own first update right after the warm-up: "
        "evaluate it at t − warmup, not at t.": np.where(later, Cosine(decay, floor)(t), warm),
        "The decay must end at update `total`, so it spans total − warmup updates, not "
        "total.": np.where(later, Cosine(total, floor)(after), warm),
        "You multiplied the warm-up by a cosine that starts at t = 1: the cosine must "
        "follow the warm-up, not run during it.": warm * Cosine(total, floor)(t),
    }
    for text, wrong in mistakes.items():
        if _matches(got, wrong):
            return text
    return None


@exercise(
    "warmup_cosine",
    "t, warmup, total, floor",
    reference=_warmup_cosine_reference,
    hints=(
        "Two pieces: a straight line up to 1 for t ≤ W, then the cosine.",
        "The cosine starts again at its own first update after the warm-up: shift t by W "
        "and give it the T − W updates left. Choose between the pieces entry by entry.",
    ),
    rtol=1e-9,
    atol=1e-12,
    unchanged=(0,),
    diagnose=_diagnose_warmup_cosine,
)
def check_warmup_cosine():
    """Chapter 14: ``fn(t, warmup, total, floor)`` returns, for an integer array t ≥ 1, the
    factors of a linear warm-up t/W for t ≤ W followed by a cosine decay from 1 to ``floor``
    over the remaining total − W updates (restarted: its own t is t − W)."""
    return [
        Case((np.arange(1, 26), 5, 20, 0.0)),
        Case((np.arange(1, 13), 1, 10, 0.1)),
        Case((np.array([1, 2, 10, 11, 12, 60, 110, 111, 200]), 10, 110, 0.05)),
        Case((np.arange(1, 8), 4, 6, 0.5)),
    ]
