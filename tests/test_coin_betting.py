"""descent.coin_betting: the betting game, the KT bettor, and COCOB read as a bettor.

Every expected value is computed here independently (a product, a closed form, a plain
loop written out by hand); the package must reproduce it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from descent import coin_betting as cb
from descent import functions
from descent.optimizers import COCOB
from descent.training import run
from descent.units import rescaled

# --------------------------------------------------------------------------- the game


def test_wealth_is_the_initial_wealth_times_the_product_of_one_plus_beta_c():
    rng = np.random.default_rng(0)
    coins = rng.uniform(-1, 1, size=50)
    game = cb.bet(coins, initial_wealth=3.0)
    np.testing.assert_allclose(
        game.wealth, 3.0 * np.cumprod(1 + game.fraction * game.coin), rtol=1e-12
    )
    np.testing.assert_allclose(game.bet, game.fraction * np.r_[3.0, game.wealth[:-1]])
    np.testing.assert_allclose(game.reward, game.coin * game.bet)
    assert np.all(game.wealth > 0)


def test_kt_fraction_is_the_sum_of_past_coins_over_their_number_plus_one():
    coins = np.array([1.0, 1.0, -1.0, 0.5])
    game = cb.bet(coins)
    np.testing.assert_allclose(game.fraction, [0.0, 1 / 2, 2 / 3, 1 / 4])
    assert cb.kt_fraction([]) == 0.0
    assert cb.kt_fraction([1, 1, 1]) == pytest.approx(0.75)


def test_worked_example_by_hand():
    # W0 = 1, coins +1, +1, -1: bets 0, 1/2, 2/3 * 3/2 = 1; wealth 1, 3/2, 1/2
    game = cb.bet([1.0, 1.0, -1.0])
    np.testing.assert_allclose(game.bet, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(game.wealth, [1.0, 1.5, 0.5])


def test_kt_wealth_on_constant_heads_is_the_central_binomial_over_two_to_the_t():
    for T in (1, 2, 5, 10, 40):
        expected = math.comb(2 * T, T) / 2**T
        assert cb.kt_wealth(T, 0) == pytest.approx(expected, rel=1e-12)
        assert cb.bet(np.ones(T)).wealth[-1] == pytest.approx(expected, rel=1e-12)
    # ≈ 2^T / √(πT) for large T
    T = 1000
    assert cb.kt_wealth(T, 0) / (2.0**T / math.sqrt(math.pi * T)) == pytest.approx(1, rel=1e-3)


def test_kt_wealth_does_not_depend_on_the_order_of_the_coins():
    rng = np.random.default_rng(1)
    coins = np.r_[np.ones(13), -np.ones(7)]
    finals = {
        round(cb.bet(rng.permutation(coins), initial_wealth=2.0).wealth[-1], 12) for _ in range(20)
    }
    assert len(finals) == 1
    assert finals.pop() == pytest.approx(cb.kt_wealth(13, 7, initial_wealth=2.0), rel=1e-12)
    # (2h-1)!! (2k-1)!! / T! for h = 3, k = 2: 15 * 3 / 120
    assert cb.kt_wealth(3, 2) == pytest.approx(15 * 3 / 120, rel=1e-12)


def test_constant_fraction_and_custom_rules():
    game = cb.bet([1.0, -1.0, 1.0], fraction=0.5)
    np.testing.assert_allclose(game.wealth, [1.5, 0.75, 1.125])
    peek = cb.bet([1.0, 1.0], fraction=lambda past: 1.0 if len(past) else 0.0)
    np.testing.assert_allclose(peek.wealth, [1.0, 2.0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(coins=[1.0, 2.0]), r"\[-1, 1\]"),
        (dict(coins=[[1.0]]), "1-D"),
        (dict(coins=[np.nan]), r"\[-1, 1\]"),
        (dict(coins=[1.0], fraction=1.5), "fraction"),
        (dict(coins=[1.0], fraction="kelly"), "fraction"),
        (dict(coins=[1.0], fraction=lambda past: 2.0), "round 1"),
        (dict(coins=[1.0], initial_wealth=0.0), "initial_wealth"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(kwargs, match):
    with pytest.raises(ValueError, match=match):
        cb.bet(**kwargs)


def test_kt_wealth_validates():
    with pytest.raises(ValueError, match="heads"):
        cb.kt_wealth(-1, 2)
    with pytest.raises(ValueError, match="tails"):
        cb.kt_wealth(1, 2.5)


def test_table_lists_every_round():
    game = cb.bet([1.0, 1.0, -1.0])
    lines = game.table().splitlines()
    assert len(lines) == 2 + 3 and "wealth" in lines[0] and "1.5000" in lines[3]
    assert "final wealth=0.5" in repr(game)


# --------------------------------------------------------------------------- betting as descent


def test_kt_descent_on_the_absolute_value_by_hand():
    f = functions.absolute_value(10.0)
    game = cb.kt_descent(f, steps=8)
    # θ_t = bet, coins +1 until θ overshoots 10 at t = 7
    np.testing.assert_allclose(game.theta[:7], [0, 0.5, 1, 1.875, 3.5, 6.5625, 12.375])
    np.testing.assert_allclose(game.coin[:7], [1, 1, 1, 1, 1, 1, -1])
    assert game.wealth[6] == pytest.approx(14.4375 - 12.375)
    assert "θ_t" in game.table() and "bet x_t" not in game.table()


def test_regret_identity_of_betting():
    # Σ g_t (θ_t - u) = W0 - W_T + (u - θ0) Σ c_t, exactly, for any u
    f = functions.absolute_value(7.0, start=1.0)
    game = cb.kt_descent(f, steps=200, initial_wealth=2.0)
    g = -game.coin
    for u in (7.0, -3.0, 40.0):
        lhs = np.sum(g * (game.theta - u))
        rhs = 2.0 - game.wealth[-1] + (u - 1.0) * game.coin.sum()
        assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-9)


def test_kt_descent_refuses_gradients_outside_the_unit_interval():
    with pytest.raises(ValueError, match="coin"):
        cb.kt_descent(functions.quadratic([[4.0]], start=[3.0]), steps=3)
    with pytest.raises(ValueError, match="1-D"):
        cb.kt_descent(functions.bowl, steps=3)


# --------------------------------------------------------------------------- COCOB as a bettor


def test_cocob_with_alpha_one_on_coins_is_the_kt_bettor():
    # gradients ±1 keep L = 1 and G = t; with α = 1 the denominator is G + L = t + 1 and
    # COCOB's θ is KT's bet while the wealth stays above its start (no clipping of R)
    f = functions.absolute_value(10.0)
    kt = cb.kt_descent(f, steps=41)
    assert kt.wealth.min() >= 1.0
    path = run(COCOB(alpha=1.0), f, f.start, 40).points[:, 0]
    np.testing.assert_allclose(path, kt.theta, rtol=1e-13, atol=1e-13)


def test_cocob_first_steps_by_hand_on_a_1d_problem():
    # f(θ) = (θ - 2)², θ₁ = 0, α = 10:  g₁ = -4 → L = G = 4, R = 0, S = -4,
    # θ₂ = 0 + 4·4/(4·max(8, 40)) = 0.1;  g₂ = -3.8 → L = 4, G = 7.8, R = 0.38, S = -7.8,
    # θ₃ = 7.8·4.38/(4·40)
    f = functions.quadratic([[2.0]], b=[4.0], start=[0.0])  # (θ - 2)² - 4
    path = run(COCOB(alpha=10.0), f, f.start, 2).points[:, 0]
    assert path[1] == pytest.approx(0.1, rel=1e-14)
    assert path[2] == pytest.approx(7.8 * 4.38 / 160, rel=1e-13)


def test_cocob_trace_matches_the_algorithm_box():
    trace = cb.cocob_trace([-1, -1, -2, -2, 2, -1], alpha=4.0)
    np.testing.assert_allclose(trace.L, [1, 1, 2, 2, 2, 2])
    np.testing.assert_allclose(trace.G, [1, 2, 4, 6, 8, 9])
    np.testing.assert_allclose(trace.S, [-1, -2, -4, -6, -4, -5])
    np.testing.assert_allclose(trace.theta_next[:3], [0.25, 0.625, 0.875])
    assert trace.R[4] == 0.0  # the bet of round 5 lost more than R: clipped
    np.testing.assert_allclose(trace.theta_next, trace.fraction * trace.wealth)
    np.testing.assert_allclose(trace.theta[1:], trace.theta_next[:-1])
    lines = trace.table().splitlines()
    assert len(lines) == 7 and lines[0].split()[1:4] == ["θ_t", "g_t", "L"]
    # a gradient function instead of a stream
    f = functions.quadratic([[2.0]], b=[4.0], start=[0.0])
    trace = cb.cocob_trace((f.grad, 2), alpha=10.0)
    np.testing.assert_allclose(trace.g, [-4.0, -3.8])


def test_effective_learning_rate_reproduces_the_iterate():
    opt = COCOB(alpha=7.0)
    traj = run(opt, functions.beale, functions.beale.start, 60)
    state = opt.state["theta"]
    eta = cb.cocob_effective_lr(state, alpha=7.0)
    np.testing.assert_allclose(traj.final, state["theta1"] - eta * state["S"], rtol=1e-12)
    with pytest.raises(KeyError, match="COCOB"):
        cb.cocob_effective_lr({"m": 1.0})


@pytest.mark.parametrize("c", [2.0**-10, 0.5, 2.0, 2.0**20])
def test_cocob_is_exactly_invariant_to_multiplying_the_gradients_by_a_power_of_two(c):
    # every quantity scales by c (L, G, R, S) and the ratio does not change: bit for bit
    base = run(COCOB(), functions.rosenbrock, None, 300).points
    scaled = run(COCOB(), rescaled(functions.rosenbrock, loss=c), None, 300).points
    np.testing.assert_array_equal(scaled, base)


def test_cocob_invariance_to_gradient_scale_is_up_to_the_initial_L():
    base = run(COCOB(), functions.bowl, None, 100).points
    close = run(COCOB(), rescaled(functions.bowl, loss=1e-3), None, 100).points
    np.testing.assert_allclose(close, base, rtol=0, atol=1e-12)
    # gradients below ε = 1e-8: L stays ε and the first steps are not sign/α any more
    tiny = run(COCOB(), rescaled(functions.bowl, loss=1e-10), None, 100).points
    assert np.max(np.abs(tiny - base)) > 1.0


def test_cocob_is_not_invariant_to_rescaling_the_parameters():
    # first step 1/α in the units of θ, whatever the units
    far = rescaled(functions.bowl, params=0.01)  # the minimum 100 times farther
    step = run(COCOB(), far, None, 1).points
    np.testing.assert_allclose(np.abs(step[1] - step[0]), 0.01)
