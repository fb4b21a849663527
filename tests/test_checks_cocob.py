"""Chapter 13's checkers, check_kt_wealth and check_cocob_step, against correct, stubbed and
deliberately wrong student functions: each classic mistake must be caught and named."""

from __future__ import annotations

import numpy as np
import pytest

from descent import checks
from descent.checks.cocob import _cocob_step, _kt_wealth
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


def kt_stub(coins, initial_wealth):
    raise NotImplementedError


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


def kt_raises(coins, initial_wealth):
    return coins[100]


def kt_returns_none(coins, initial_wealth):
    kt_wealth(coins, initial_wealth)


def test_kt_correct_solutions_pass(capsys):
    for fn in (kt_wealth, kt_wealth_product, kt_as_list):
        result = checks.check_kt_wealth(fn)
        assert result.passed and result.status == "passed", result.message
        assert "correct on all 5 test cases" in capsys.readouterr().out


def test_kt_reference_is_the_package_bettor():
    coins = np.random.default_rng(3).uniform(-1, 1, size=40)
    np.testing.assert_allclose(
        _kt_wealth(coins, 2.5), bet(coins, initial_wealth=2.5).wealth, rtol=1e-13
    )


def test_kt_stub_never_raises():
    for fn in (kt_stub, kt_returns_none):
        for strict in (False, True):
            result = checks.check_kt_wealth(fn, strict=strict)
            assert result.status == "not implemented" and not result.passed


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
    with pytest.raises(AssertionError, match="kt_wealth"):
        checks.check_kt_wealth(fn, strict=True)


def test_kt_reports_an_exception_with_the_students_line():
    result = checks.check_kt_wealth(kt_raises)
    assert result.status == "error" and "IndexError" in result.message
    assert "coins[100]" in result.message


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


def cocob_stub(theta, theta1, L, G, R, S, g, alpha):
    raise NotImplementedError


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


def cocob_raises(theta, theta1, L, G, R, S, g, alpha):
    return theta[99], L, G, R, S


def test_cocob_correct_solutions_pass(capsys):
    result = checks.check_cocob_step(cocob_step)
    assert result.passed and result.status == "passed", result.message
    assert "correct on all 6 test cases" in capsys.readouterr().out


def test_cocob_step_that_changes_its_inputs_is_wrong(capsys):
    """The exercise says "without modifying its inputs", as every step exercise does."""
    result = checks.check_cocob_step(cocob_in_place)
    assert result.status == "wrong" and not result.passed, result.message
    assert "changed its input theta" in result.message, result.message
    with pytest.raises(AssertionError, match="changed its input"):
        checks.check_cocob_step(cocob_in_place, strict=True)


def test_cocob_reference_is_the_package_optimizer():
    """Eight updates of the checker's reference reproduce descent.optimizers.COCOB."""
    rng = np.random.default_rng(5)
    grads = rng.normal(size=(8, 3)) * np.array([1.0, 10.0, 0.01])
    opt, params = COCOB(alpha=6.0), {"w": np.array([1.0, -1.0, 0.5])}
    theta, theta1 = params["w"].copy(), params["w"].copy()
    L, G, R, S = np.full(3, 1e-8), np.zeros(3), np.zeros(3), np.zeros(3)
    for g in grads:
        opt.update(params, {"w": g})
        theta, L, G, R, S = _cocob_step(theta, theta1, L, G, R, S, g, 6.0)
    np.testing.assert_allclose(theta, params["w"], rtol=1e-13)
    for key, value in zip("LGRS", (L, G, R, S), strict=True):
        np.testing.assert_allclose(value, opt.state["w"][key], rtol=1e-13)


def test_cocob_stub_never_raises():
    for strict in (False, True):
        result = checks.check_cocob_step(cocob_stub, strict=strict)
        assert result.status == "not implemented" and not result.passed


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
    ],
)
def test_cocob_names_the_mistake(fn, words):
    result = checks.check_cocob_step(fn)
    assert result.status in ("wrong", "error") and not result.passed
    assert words in " ".join(result.message.split()), result.message
    with pytest.raises(AssertionError, match="cocob_step"):
        checks.check_cocob_step(fn, strict=True)


def test_cocob_reports_an_exception_with_the_students_line():
    result = checks.check_cocob_step(cocob_raises)
    assert result.status == "error" and "IndexError" in result.message
    assert "theta[99]" in result.message


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
