"""Chapter 13, COCOB: the checkers of the KT bettor's wealth and of one COCOB-Backprop update."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import Case, exercise, state_arrays

# --------------------------------------------------------------------------- KT wealth


def _kt_wealth(coins, initial_wealth, *, peek=False, divide_by=0, additive=False, sign=1.0):
    """The reference (with the defaults) and the known mistakes (with the keywords):
    peek: the fraction of round t also sees cₜ; divide_by=−1: divides by t − 1 (with β₁ = 0,
    the usual guard against 0/0); additive: Wₜ = Wₜ₋₁ + βₜ cₜ (the bet is not a fraction of the
    wealth); sign: −1 bets against the past coins. Returns W₁..W_T."""
    coins = np.asarray(coins, dtype=float)
    wealth, total, out = float(initial_wealth), 0.0, []
    with np.errstate(all="ignore"):
        for t, c in enumerate(coins, start=1):
            seen = total + c if peek else total
            beta = sign * seen / (t + divide_by) if t + divide_by else 0.0
            wealth = wealth + beta * c * (1.0 if additive else wealth)
            total += c
            out.append(wealth)
    return np.array(out)


def _diagnose_kt_wealth(case, received, expected) -> str | None:
    coins, w0 = case.args
    got = np.asarray(received, dtype=float)
    if got.shape == (len(coins) + 1,):
        return (
            "Your array has one entry too many: return W₁, …, W_T, the wealth after each "
            "round, without the initial wealth W₀."
        )
    if got.shape != expected.shape:
        return None
    if not np.isfinite(got[0]):
        return (
            "W₁ is NaN or inf: the first fraction divided by 0. KT divides the sum of the "
            "past coins by t, not by their number t − 1, so that β₁ = 0 / 1 = 0."
        )
    known = [
        (
            dict(peek=True),
            "The fraction of round t used the coin cₜ itself: bet βₜ = (c₁ + … + cₜ₋₁) / t, "
            "with the coins seen *before* the round. A bettor who peeks always wins.",
        ),
        (
            dict(divide_by=-1),
            "βₜ divides by t − 1 (the number of past coins); KT divides by t, as if one "
            "extra round with no outcome had been seen, so that β₁ = 0 / 1 = 0.",
        ),
        (
            dict(additive=True),
            "The bet must be a fraction of the current wealth, xₜ = βₜ Wₜ₋₁, and "
            "Wₜ = Wₜ₋₁ + cₜ xₜ: your wealth grows by βₜ cₜ, as if the bet did not compound.",
        ),
        (dict(sign=-1.0), "You bet against the past coins: βₜ = +(c₁ + … + cₜ₋₁) / t."),
    ]
    for keywords, text in known:
        wrong = _kt_wealth(coins, w0, **keywords)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=1e-6, atol=1e-12):
            return text
    return None


def _as_array(fn, coins, initial_wealth):
    """``fn``'s wealth as an array (a list of numbers is right too)."""
    result = fn(coins, initial_wealth)
    if result is None or result is Ellipsis:
        return result
    return np.asarray(result)


@exercise(
    "kt_wealth",
    "coins, initial_wealth",
    reference=_kt_wealth,
    hints=(
        "In every round, bet a fraction β of the wealth you have; β comes from the coins "
        "seen before this round, never from this round's coin.",
        "In round t, β is the sum of the earlier coins divided by t (so 0 in the first "
        "round). The coin times the bet is what you win or lose. Record the wealth after "
        "every round.",
    ),
    rtol=1e-9,
    atol=1e-12,
    diagnose=_diagnose_kt_wealth,
    run=_as_array,
)
def check_kt_wealth():
    """Chapter 13: ``fn(coins, initial_wealth)`` plays the Krichevsky–Trofimov bettor on the
    coins c₁..c_T ∈ [−1, 1] (βₜ = (c₁ + … + cₜ₋₁) / t, xₜ = βₜ Wₜ₋₁, Wₜ = Wₜ₋₁ + cₜ xₜ) and
    returns the wealth after every round, an array W₁..W_T of shape (T,)."""
    rng = np.random.default_rng(12)
    return [
        Case((np.array([1.0, 1.0, -1.0, 1.0]), 1.0)),
        Case((rng.choice([-1.0, 1.0], size=10), 2.0)),
        Case((rng.uniform(-1, 1, size=7), 0.5)),
        Case((np.ones(30), 1.0), label="coins = 30 × (+1), initial_wealth = 1.0"),
        Case((np.array([-1.0, -1.0, 1.0, -1.0, 0.0, -0.5]), 3.0)),
    ]


# --------------------------------------------------------------------------- COCOB step


def _cocob_step(
    theta,
    theta1,
    L,
    G,
    R,
    S,
    g,
    alpha,
    *,
    reward_sign=-1.0,
    clip=True,
    late_L=False,
    use_alpha=True,
    from_start=True,
    abs_g=True,
):
    """The reference update (with the defaults), and the known mistakes (with the keywords):
    reward_sign=+1: R + (θ − θ₁) g; clip=False: R not kept ≥ 0; late_L: the new θ is
    computed with the old L; use_alpha=False: max(G + L, αL) replaced by G + L;
    from_start=False: the bet is added to θ instead of θ₁; abs_g=False: G += g.
    Returns (θ, L, G, R, S) as new arrays."""
    theta, theta1, L, G, R, S, g = (
        np.asarray(a, dtype=float) for a in (theta, theta1, L, G, R, S, g)
    )
    L_old = L
    L = np.maximum(L, np.abs(g))
    G = G + (np.abs(g) if abs_g else g)
    R = R + reward_sign * (theta - theta1) * g
    if clip:
        R = np.maximum(R, 0.0)
    S = S + g
    L_used = L_old if late_L else L
    with np.errstate(all="ignore"):
        denominator = np.maximum(G + L_used, alpha * L_used) if use_alpha else G + L_used
        bet = -S * (L_used + R) / (L_used * denominator)
    new_theta = (theta1 if from_start else theta) + bet
    return new_theta, L, G, R, S


_ROWS = ("theta_new", "L_new", "G_new", "R_new", "S_new")


def _cocob_rows(fn, theta, *args):
    """``fn(theta, *args)``'s result (θ, L, G, R, S) as one array of shape (5, *θ.shape), so
    that the engine compares all five at once."""
    result = fn(theta, *args)
    if result is None or result is Ellipsis:
        return result
    return np.stack(state_arrays(result, _ROWS, np.shape(theta)))


def _diagnose_cocob_step(case, received, expected) -> str | None:
    got = np.asarray(received, dtype=float)
    if got.shape != expected.shape:
        return None
    rows_right = [np.allclose(got[k], expected[k], rtol=1e-6, atol=1e-12) for k in range(5)]
    if all(rows_right[1:]) and not rows_right[0]:
        lead = "L, G, R and S are right, θ is not. "
    else:
        lead = ""
    known = [
        (
            dict(reward_sign=1.0),
            "The reward has the wrong sign: the coin is −g, so a bet θ − θ₁ wins "
            "−(θ − θ₁) g: R ← max(R − (θ − θ₁) g, 0). (The paper writes + because its g is "
            "the negative gradient.)",
        ),
        (dict(clip=False), "R must stay ≥ 0: R ← max(R − (θ − θ₁) g, 0)."),
        (
            dict(late_L=True),
            "The new θ used the old L: update L ← max(L, |g|) first, then use the new L "
            "in θ₁ − S (L + R) / (L · max(G + L, α L)).",
        ),
        (
            dict(use_alpha=False),
            "α is missing: the denominator is L · max(G + L, α L), not L · (G + L). "
            "Without it the first step is 1/2 instead of 1/α.",
        ),
        (
            dict(from_start=False),
            "The bet is measured from the start θ₁, not from the current θ: add it to theta1.",
        ),
        (dict(abs_g=False), "G is the sum of |g|: G ← G + |g|, not G + g."),
    ]
    for keywords, text in known:
        wrong = np.stack(_cocob_step(*case.args, **keywords))
        with np.errstate(all="ignore"):
            if np.allclose(got, wrong, rtol=1e-6, atol=1e-12, equal_nan=True):
                return lead + text
    return lead.strip() or None


@exercise(
    "cocob_step",
    "theta, theta1, L, G, R, S, g, alpha",
    reference=_cocob_step,
    returns=_ROWS,
    hints=(
        "Update the four running quantities L, G, R and S first, then compute θ from θ₁ "
        "with the new values. The rows shown are θ, L, G, R, S.",
        "L keeps the largest |g| seen, G and S add up |g| and g, and the reward R never goes "
        "below 0. The bet's denominator uses the larger of G + L and α L.",
    ),
    rtol=1e-9,
    atol=1e-12,
    unchanged=(0, 1, 2, 3, 4, 5, 6),
    diagnose=_diagnose_cocob_step,
    run=_cocob_rows,
)
def check_cocob_step():
    """Chapter 13: ``fn(theta, theta1, L, G, R, S, g, alpha)`` performs one COCOB-Backprop
    update (Algorithm 2 of Orabona & Tommasi, in the book's sign convention: g is the
    gradient) and returns ``(theta_new, L_new, G_new, R_new, S_new)`` as new arrays."""
    rng = np.random.default_rng(1212)

    def state(shape, alpha, scale=1.0, new_record=False):
        """A plausible state after some updates: L the largest |g|, G ≥ L, |S| ≤ G, R ≥ 0."""
        L = scale * rng.uniform(0.5, 2.0, size=shape)
        G = L * rng.uniform(1.0, 30.0, size=shape)
        S = G * rng.uniform(-0.8, 0.8, size=shape)
        R = scale * rng.uniform(0.0, 3.0, size=shape)
        theta1 = rng.normal(size=shape)
        theta = theta1 + rng.normal(scale=0.5, size=shape)
        g = scale * rng.uniform(-1.0, 1.0, size=shape) * (3.0 if new_record else 0.8)
        return Case((theta, theta1, L, G, R, S, g, alpha))

    first = Case(
        (
            np.array([1.0, -2.0]),
            np.array([1.0, -2.0]),
            np.full(2, 1e-8),
            np.zeros(2),
            np.zeros(2),
            np.zeros(2),
            np.array([0.5, -1.0]),
            100.0,
        ),
        label="the first update: theta = theta1 = [1, -2], g = [0.5, -1],\n"
        + " " * 12
        + "L = 1e-8, G = R = S = 0, alpha = 100",
    )
    losing = Case(  # the bet θ − θ₁ = 2 loses 2 · 3 = 6 > R = 1: R is clipped at 0
        (
            np.array([3.0]),
            np.array([1.0]),
            np.array([4.0]),
            np.array([20.0]),
            np.array([1.0]),
            np.array([-12.0]),
            np.array([3.0]),
            4.0,
        )
    )
    return [
        first,
        state(3, 100.0),
        losing,
        state((2, 3), 4.0, new_record=True),
        state(4, 100.0, scale=1e-3),
        state(3, 1.5),
    ]
