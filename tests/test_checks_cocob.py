"""Chapter 13's checkers, check_kt_wealth and check_cocob_step, against correct and
deliberately wrong student functions: each classic mistake must be caught and named (what
every checker does is tested in test_checks_generic.py)."""

from __future__ import annotations

import numpy as np
import pytest

from descent import checks
from descent.coin_betting import bet
from descent.optimizers import COCOB

# --------------------------------------------------------------------------- KT wealth


def kt_wealth(coins, initial_wealth):
    wealth, total, out = initial_wealth, 0.0, []
    for t, c in enumerate(coins, start=1):
        beta = total / t
        wealth = wealth + c * beta * wealth
        total += c
        out.append(wealth)
    return np.array(out)


def kt_wealth_product(coins, initial_wealth):  # the product formula, vectorised
    coins = np.asarray(coins, dtype=float)
    past = np.r_[0.0, np.cumsum(coins)[:-1]]
    beta = past / np.arange(1, len(coins) + 1)
    return initial_wealth * np.cumprod(1 + beta * coins)


def kt_peeks(coins, initial_wealth):
    wealth, total, out = initial_wealth, 0.0, []
    for t, c in enumerate(coins, start=1):
        total += c  # updated before the bet
        wealth = wealth + c * (total / t) * wealth
        out.append(wealth)
    return np.array(out)


def kt_t_minus_one(coins, initial_wealth):
    wealth, total, out = initial_wealth, 0.0, []
    for t, c in enumerate(coins, start=1):
        beta = total / (t - 1) if t > 1 else 0.0  # divides by the number of past coins
        wealth = wealth + c * beta * wealth
        total += c
        out.append(wealth)
    return np.array(out)


def kt_additive(coins, initial_wealth):
    wealth, total, out = initial_wealth, 0.0, []
    for t, c in enumerate(coins, start=1):
        wealth = wealth + c * total / t  # the bet is not a fraction of the wealth
        total += c
        out.append(wealth)
    return np.array(out)


def kt_with_w0(coins, initial_wealth):
    return np.r_[initial_wealth, kt_wealth(coins, initial_wealth)]


def kt_as_list(coins, initial_wealth):
    return list(kt_wealth(coins, initial_wealth))


def kt_returns_none(coins, initial_wealth):
    kt_wealth(coins, initial_wealth)


@pytest.mark.parametrize("fn", [kt_wealth, kt_wealth_product, kt_as_list])
def test_kt_correct_solutions_pass(fn, capsys):
    assert checks.check_kt_wealth(fn, strict=True).passed


def test_kt_reference_is_the_package_bettor():
    coins = np.random.default_rng(3).uniform(-1, 1, size=40)
    reference = checks.check_kt_wealth.exercise.reference
    np.testing.assert_allclose(
        reference(coins, 2.5), bet(coins, initial_wealth=2.5).wealth, rtol=1e-13
    )


def test_kt_a_forgotten_return_is_not_implemented_even_in_strict_mode():
    assert checks.check_kt_wealth(kt_returns_none, strict=True).status == "not implemented"


@pytest.mark.parametrize(
    "fn, words",
    [
        (kt_peeks, "peeks"),
        (kt_t_minus_one, "divides by t − 1"),
        (kt_additive, "did not compound"),
        (kt_with_w0, "without the initial wealth"),
    ],
)
def test_kt_names_the_mistake(fn, words):
    result = checks.check_kt_wealth(fn)
    assert result.status == "wrong" and not result.passed
    assert words in " ".join(result.message.split()), result.message


# --------------------------------------------------------------------------- COCOB step


def cocob_step(theta, theta1, L, G, R, S, g, alpha):
    L = np.maximum(L, np.abs(g))
    G = G + np.abs(g)
    R = np.maximum(R - (theta - theta1) * g, 0.0)
    S = S + g
    theta = theta1 - S * (L + R) / (L * np.maximum(G + L, alpha * L))
    return theta, L, G, R, S


def cocob_in_place(theta, theta1, L, G, R, S, g, alpha):
    np.maximum(L, np.abs(g), out=L)
    G += np.abs(g)
    R -= (theta - theta1) * g
    np.maximum(R, 0, out=R)
    S += g
    theta[...] = theta1 - S * (L + R) / (L * np.maximum(G + L, alpha * L))
    return theta, L, G, R, S


def paper_sign(theta, theta1, L, G, R, S, g, alpha):  # the paper's + with our g
    L = np.maximum(L, np.abs(g))
    G = G + np.abs(g)
    R = np.maximum(R + (theta - theta1) * g, 0.0)
    S = S + g
    return theta1 - S * (L + R) / (L * np.maximum(G + L, alpha * L)), L, G, R, S


def no_clip(theta, theta1, L, G, R, S, g, alpha):
    L = np.maximum(L, np.abs(g))
    G = G + np.abs(g)
    R = R - (theta - theta1) * g
    S = S + g
    return theta1 - S * (L + R) / (L * np.maximum(G + L, alpha * L)), L, G, R, S


def no_alpha(theta, theta1, L, G, R, S, g, alpha):
    L = np.maximum(L, np.abs(g))
    G = G + np.abs(g)
    R = np.maximum(R - (theta - theta1) * g, 0.0)
    S = S + g
    return theta1 - S * (L + R) / (L * (G + L)), L, G, R, S


def from_current(theta, theta1, L, G, R, S, g, alpha):
    new = cocob_step(theta, theta1, L, G, R, S, g, alpha)
    return theta + (new[0] - theta1), *new[1:]


def old_L_in_step(theta, theta1, L, G, R, S, g, alpha):
    L_new = np.maximum(L, np.abs(g))
    G = G + np.abs(g)
    R = np.maximum(R - (theta - theta1) * g, 0.0)
    S = S + g
    return theta1 - S * (L + R) / (L * np.maximum(G + L, alpha * L)), L_new, G, R, S


def signed_G(theta, theta1, L, G, R, S, g, alpha):
    L = np.maximum(L, np.abs(g))
    G = G + g
    R = np.maximum(R - (theta - theta1) * g, 0.0)
    S = S + g
    return theta1 - S * (L + R) / (L * np.maximum(G + L, alpha * L)), L, G, R, S


def theta_only(theta, theta1, L, G, R, S, g, alpha):
    return cocob_step(theta, theta1, L, G, R, S, g, alpha)[0]


def transposed_state(theta, theta1, L, G, R, S, g, alpha):
    new = cocob_step(theta, theta1, L, G, R, S, g, alpha)
    return new[0], new[1].T[..., None], *new[2:]


def test_cocob_correct_solution_passes(capsys):
    assert checks.check_cocob_step(cocob_step, strict=True).passed


def test_cocob_reference_is_the_package_optimizer():
    """Eight updates of the checker's reference reproduce descent.optimizers.COCOB."""
    cocob = checks.check_cocob_step.exercise
    rng = np.random.default_rng(5)
    grads = rng.normal(size=(8, 3)) * np.array([1.0, 10.0, 0.01])
    opt, params = COCOB(alpha=6.0), {"w": np.array([1.0, -1.0, 0.5])}
    theta, theta1 = params["w"].copy(), params["w"].copy()
    L, G, R, S = np.full(3, 1e-8), np.zeros(3), np.zeros(3), np.zeros(3)
    for g in grads:
        opt.update(params, {"w": g})
        theta, L, G, R, S = cocob.reference(theta, theta1, L, G, R, S, g, 6.0)
    np.testing.assert_allclose(theta, params["w"], rtol=1e-13)
    for key, value in zip("LGRS", (L, G, R, S), strict=True):
        np.testing.assert_allclose(value, opt.state["w"][key], rtol=1e-13)


@pytest.mark.parametrize(
    "fn, words",
    [
        (paper_sign, "reward has the wrong sign"),
        (no_clip, "R must stay ≥ 0"),
        (no_alpha, "α is missing"),
        (from_current, "measured from the start θ₁"),
        (old_L_in_step, "used the old L"),
        (signed_G, "sum of |g|"),
        (theta_only, "as a tuple"),
        (transposed_state, "L_new has shape"),
        (cocob_in_place, "changed its input theta"),  # "as new arrays"
    ],
)
def test_cocob_names_the_mistake(fn, words):
    result = checks.check_cocob_step(fn)
    assert result.status in ("wrong", "error") and not result.passed
    assert words in " ".join(result.message.split()), result.message


def test_kt_names_a_division_by_zero_in_the_first_round():
    def unguarded(coins, initial_wealth):
        wealth, total, out = initial_wealth, 0.0, []
        with np.errstate(all="ignore"):
            for t, c in enumerate(coins, start=1):
                wealth = wealth + c * np.divide(total, t - 1) * wealth
                total += c
                out.append(wealth)
        return np.array(out)

    result = checks.check_kt_wealth(unguarded)
    assert result.status == "wrong" and "divided by 0" in result.message, result.message
