"""descent.adam_variants: Adam's conventions, the bound on its steps, the ℓp moments."""

import math

import numpy as np
import pytest

from descent import functions
from descent.adam_variants import AdamVariant, lp_moment, step_bound, worst_case_gradients
from descent.optimizers import Adam, AdaMax
from descent.training import run


def steps_of(opt, grads):
    """The updates Δθ of a one-coordinate parameter fed the gradients ``grads``."""
    params, out = {"w": np.zeros(1)}, []
    for g in grads:
        before = params["w"][0]
        opt.update(params, {"w": np.array([g])})
        out.append(params["w"][0] - before)
    return np.array(out)


def test_defaults_are_the_package_adam():
    a = run(Adam(lr=0.05, eps=1e-3), functions.rosenbrock, steps=300)
    b = run(AdamVariant(lr=0.05, eps=1e-3), functions.rosenbrock, steps=300)
    np.testing.assert_array_equal(a.points, b.points)


def test_first_steps_by_hand():
    g = np.array([0.5, -2.0, 1.0])
    corrected = steps_of(AdamVariant(lr=0.1, eps=1e-12), g)
    assert abs(corrected[0] + 0.1) < 1e-12  # |Δθ₁| = η exactly, against the gradient
    raw = steps_of(AdamVariant(lr=0.1, eps=1e-12, bias_correction=False), g)
    assert abs(raw[0] + 0.1 * 0.1 / math.sqrt(0.001)) < 1e-9  # (1 − β₁)/√(1 − β₂) η
    m2, v2 = 0.9 * 0.05 + 0.1 * -2.0, 0.999 * 0.00025 + 0.001 * 4.0
    assert abs(raw[1] + 0.1 * m2 / math.sqrt(v2)) < 1e-9


def test_hat_mode_is_outside_with_a_rescaled_eps():
    """Folded form with ε == Algorithm 1 with ε / √(1 − β₂ᵗ): checked step by step."""
    rng = np.random.default_rng(1)
    grads = 1e-3 * rng.normal(size=30)
    hat = steps_of(AdamVariant(lr=0.01, eps=1e-4, eps_mode="hat"), grads)
    m = v = 0.0
    for t, g in enumerate(grads, start=1):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        expected = -0.01 * m_hat / (math.sqrt(v_hat) + 1e-4 / math.sqrt(1 - 0.999**t))
        assert abs(hat[t - 1] - expected) <= 1e-12 * abs(expected)
    outside = steps_of(AdamVariant(lr=0.01, eps=1e-4), grads)
    assert np.max(np.abs(hat - outside)) > 0.1 * np.max(np.abs(outside))  # ε matters here


def test_inside_mode():
    g = 1e-3
    step = steps_of(AdamVariant(lr=1.0, eps=1e-6, eps_mode="inside"), [g])[0]
    assert abs(step + g / math.sqrt(g * g + 1e-6)) < 1e-12


def test_validation():
    with pytest.raises(ValueError, match="eps_mode"):
        AdamVariant(eps_mode="middle")
    with pytest.raises(ValueError, match="bias_correction=True"):
        AdamVariant(eps_mode="hat", bias_correction=False)
    with pytest.raises(TypeError, match="bias_correction"):
        AdamVariant(bias_correction=1)
    with pytest.raises(ValueError, match="beta2"):
        AdamVariant(beta2=1.0)
    with pytest.raises(ValueError, match="t must be"):
        step_bound(0)
    with pytest.raises(ValueError, match="beta2 must be > 0"):
        worst_case_gradients(3, 0.9, 0.0)
    with pytest.raises(ValueError, match="p must be"):
        lp_moment([1.0], 0.9, p=0.5)


@pytest.mark.parametrize("t", [1, 2, 7, 60, 400, 5000])
@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)])
def test_worst_case_gradients_attain_the_bound(t, betas):
    b1, b2 = betas
    steps = steps_of(Adam(lr=1.0, beta1=b1, beta2=b2, eps=1e-300), worst_case_gradients(t, b1, b2))
    assert abs(abs(steps[-1]) - step_bound(t, b1, b2)) < 1e-9 * step_bound(t, b1, b2)


def test_no_sequence_beats_the_bound():
    rng = np.random.default_rng(2)
    for _ in range(200):
        t = int(rng.integers(1, 80))
        grads = rng.normal(size=t) * np.exp(rng.normal(size=t))
        last = abs(steps_of(Adam(lr=1.0, eps=1e-300), grads)[-1])
        assert last <= step_bound(t) * (1 + 1e-12)


def test_bound_values():
    assert abs(step_bound(1) - 1.0) < 1e-12
    assert abs(step_bound(1, bias_correction=False) - 0.1 / math.sqrt(0.001)) < 1e-12
    limit = 0.1 / math.sqrt(0.001) / math.sqrt(1 - 0.81 / 0.999)
    assert abs(step_bound(100_000) - limit) < 1e-9 and 7.2 < limit < 7.3
    assert step_bound(500, 0.99, 0.9) > 1e3  # β₁² > β₂: no finite limit
    assert step_bound(10_000, 0.99, 0.9) == math.inf


def test_lp_moment_tends_to_the_adamax_maximum():
    rng = np.random.default_rng(3)
    grads = rng.normal(size=120)
    u_inf = lp_moment(grads, 0.99, np.inf)
    gaps = [np.max(np.abs(lp_moment(grads, 0.99, p) / u_inf - 1)) for p in (2, 8, 64, 4096)]
    assert all(a > b for a, b in zip(gaps, gaps[1:], strict=False)) and gaps[-1] < 1e-3
    # and u_inf is AdaMax's u (which adds ε to |g|): compare with eps tiny
    opt, params = AdaMax(lr=1.0, beta2=0.99, eps=1e-300), {"w": np.zeros(1)}
    for g in grads:
        opt.update(params, {"w": np.array([g])})
    assert abs(opt.state["w"]["u"][0] - u_inf[-1]) < 1e-15


def test_lp_moment_p2_is_adams_v_with_decay_beta_squared():
    rng = np.random.default_rng(4)
    grads = rng.normal(size=50)
    opt, params = Adam(lr=1e-3, beta2=0.9**2), {"w": np.zeros(1)}
    for g in grads:
        opt.update(params, {"w": np.array([g])})
    assert abs(lp_moment(grads, 0.9, 2)[-1] - math.sqrt(opt.state["w"]["v"][0])) < 1e-12
    corrected = lp_moment(grads, 0.9, 2, bias_correction=True)
    assert abs(corrected[0] - abs(grads[0])) < 1e-12  # corrected: u₁ = |g₁| for every p
    assert abs(lp_moment(grads, 0.9, 7, bias_correction=True)[0] - abs(grads[0])) < 1e-12
