"""descent.optimizers.AdamVariant: Adam's conventions (bias correction, where ε goes)."""

import math

import numpy as np
import pytest
from test_theory_adam import steps_of

from descent import functions
from descent.optimizers import Adam, AdamVariant
from descent.training import run


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
