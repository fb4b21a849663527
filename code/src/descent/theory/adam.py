r"""Two facts about the size of Adam's steps (Chapter 11), and the ℓp moments behind AdaMax
(Chapter 12).

With ε = 0:

* ``step_bound(t, beta1, beta2)``: the largest |m̂ₜ| / √v̂ₜ that any sequence of gradients
  g₁, ..., gₜ can produce, so that every step satisfies |Δθ| ≤ η · step_bound;
* ``worst_case_gradients(t, beta1, beta2)``: a sequence that attains it;

and ``lp_moment(grads, beta2, p)`` is the ℓp generalisation of v whose limit p → ∞ is
AdaMax's u. Only numpy is imported.
"""

from __future__ import annotations

import math

import numpy as np

from descent import _validation

__all__ = ["lp_moment", "step_bound", "worst_case_gradients"]


def _check_step_args(t, beta1, beta2) -> tuple[int, float, float]:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(f"t must be an integer >= 1 (the first update has t = 1), got {t!r}")
    beta1 = _validation.in_unit_interval("beta1", beta1)
    beta2 = _validation.in_unit_interval("beta2", beta2)
    if beta2 == 0:
        raise ValueError("beta2 must be > 0 here: with beta2 = 0, v forgets all but the last g")
    return int(t), beta1, beta2


def step_bound(t: int, beta1: float = 0.9, beta2: float = 0.999, bias_correction=True) -> float:
    r"""The largest |m̂ₜ| / √v̂ₜ over all gradient sequences g₁, ..., gₜ (one coordinate, ε = 0).

    With m = (1 − β₁) Σₖ β₁^(t−k) gₖ and v = (1 − β₂) Σₖ β₂^(t−k) gₖ², the Cauchy–Schwarz
    inequality applied to the vectors (β₂^((t−k)/2) gₖ)ₖ and ((β₁/√β₂)^(t−k))ₖ gives

        |m̂ₜ| / √v̂ₜ ≤ (1 − β₁)/(1 − β₁ᵗ) · √((1 − β₂ᵗ)/(1 − β₂)) · √(Σ_{j<t} (β₁²/β₂)^j),

    with equality for ``worst_case_gradients``. Without bias correction the two factors
    1/(1 − β₁ᵗ) and √(1 − β₂ᵗ) are left out. At t = 1 the bound is 1 (with correction);
    for t → ∞ it tends to (1 − β₁)/√(1 − β₂) / √(1 − β₁²/β₂) if β₁² < β₂, and grows
    without limit otherwise. Every Adam step thus satisfies |Δθ| ≤ η · step_bound(t).
    """
    t, beta1, beta2 = _check_step_args(t, beta1, beta2)
    r = beta1**2 / beta2
    if r > 1 and t * math.log(r) > 700:
        return math.inf  # β₁² > β₂: the bound grows like r^(t/2) and overflows
    geometric = float(t) if r == 1 else (1 - r**t) / (1 - r)
    bound = (1 - beta1) / math.sqrt(1 - beta2) * math.sqrt(geometric)
    if bias_correction:
        bound *= math.sqrt(1 - beta2**t) / (1 - beta1**t)
    return bound


def worst_case_gradients(t: int, beta1: float = 0.9, beta2: float = 0.999) -> np.ndarray:
    r"""Gradients g₁, ..., gₜ (shape (t,), gₜ = 1) for which |m̂ₜ| / √v̂ₜ = ``step_bound(t)``:
    gₖ = (β₁/β₂)^(t−k), a sequence that grows by β₂/β₁ per step when β₁ < β₂.

    Entries below 1e-100 are returned as 0: their contribution to the bound is far below
    rounding, and their squares would underflow and leave v = 0 while m ≠ 0."""
    t, beta1, beta2 = _check_step_args(t, beta1, beta2)
    g = (beta1 / beta2) ** np.arange(t - 1, -1, -1, dtype=float)
    g[g < 1e-100] = 0.0
    return g


def lp_moment(grads, beta2: float = 0.999, p: float = 2.0, bias_correction=False) -> np.ndarray:
    r"""The ℓp generalisation of Adam's second moment, uₜ = vₜ^(1/p), for t = 1, ..., T.

    Kingma & Ba's section 7.1 replaces g² by |g|^p and writes the decay as β₂^p:

        vₜ = β₂^p vₜ₋₁ + (1 − β₂^p) |gₜ|^p = (1 − β₂^p) Σₖ (β₂^(t−k) |gₖ|)^p,

    so uₜ = (1 − β₂^p)^(1/p) · ‖(β₂^(t−k) |gₖ|)ₖ‖_p. For p → ∞ the first factor tends to 1
    and the p-norm to the largest entry: uₜ = max(β₂ uₜ₋₁, |gₜ|), AdaMax's rule
    (``p=np.inf`` returns that). With ``bias_correction=True`` vₜ is divided by
    (1 − β₂^(pt)), whose p-th root also tends to 1: the limit needs no correction.

    Args:
        grads: the gradients g₁, ..., g_T of one coordinate, shape (T,).
        beta2: β₂ in (0, 1). p: the order p ≥ 1, or ``np.inf``.

    Returns:
        u₁, ..., u_T, shape (T,). Computed without overflow for large p.
    """
    g = np.abs(np.asarray(grads, dtype=float)).ravel()
    beta2 = _validation.in_unit_interval("beta2", beta2)
    if not (p == np.inf or (isinstance(p, (int, float, np.number)) and p >= 1)):
        raise ValueError(f"p must be a number >= 1 or np.inf, got {p!r}")
    T = len(g)
    ages = np.arange(T)[:, None] - np.arange(T)[None, :]  # t − k for row t, column k
    weighted = np.where(ages >= 0, beta2 ** np.maximum(ages, 0) * g[None, :], 0.0)
    largest = weighted.max(axis=1)
    if p == np.inf:
        return largest
    safe = np.where(largest > 0, largest, 1.0)
    norm = largest * np.sum((weighted / safe[:, None]) ** p, axis=1) ** (1 / p)
    log_factor = math.log1p(-(beta2**p)) / p  # log (1 − β₂^p)^(1/p), accurate for large p
    if bias_correction:
        t = np.arange(1, T + 1)
        log_factor = log_factor - np.log1p(-(beta2 ** (p * t))) / p
    return norm * np.exp(log_factor)
