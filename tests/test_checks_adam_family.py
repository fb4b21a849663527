"""Chapter 12's checker, check_adamw_step, against correct and deliberately wrong student
functions: each classic AdamW mistake must be caught and named (what every checker does is
tested in test_checks_generic.py)."""

import numpy as np
import pytest

from descent import checks
from descent.optimizers import AdamW


def _adam(theta, m, v, t, g, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def adamw_step(theta, m, v, t, g, lr, beta1, beta2, eps, weight_decay):
    theta = theta - lr * weight_decay * theta
    return _adam(theta, m, v, t, g, lr, beta1, beta2, eps)


def l2_in_gradient(theta, m, v, t, g, lr, beta1, beta2, eps, weight_decay):
    return _adam(theta, m, v, t, g + weight_decay * theta, lr, beta1, beta2, eps)


def decay_without_lr(theta, m, v, t, g, lr, beta1, beta2, eps, weight_decay):
    return _adam(theta - weight_decay * theta, m, v, t, g, lr, beta1, beta2, eps)


def decay_after_the_step(theta, m, v, t, g, lr, beta1, beta2, eps, weight_decay):
    theta, m, v, t = _adam(theta, m, v, t, g, lr, beta1, beta2, eps)
    return theta * (1 - lr * weight_decay), m, v, t


def no_decay(theta, m, v, t, g, lr, beta1, beta2, eps, weight_decay):
    return _adam(theta, m, v, t, g, lr, beta1, beta2, eps)


def in_place(theta, m, v, t, g, lr, beta1, beta2, eps, weight_decay):
    theta *= 1 - lr * weight_decay
    return _adam(theta, m, v, t, g, lr, beta1, beta2, eps)


def test_a_right_answer_passes(capsys):
    assert checks.check_adamw_step(adamw_step, strict=True).passed


def test_the_reference_takes_the_package_s_adamw_steps():
    adamw = checks.check_adamw_step.exercise
    rng = np.random.default_rng(0)
    theta = rng.normal(size=5)
    opt, params = AdamW(lr=0.05, weight_decay=0.3), {"w": theta.copy()}
    m, v, t = np.zeros(5), np.zeros(5), 0
    for _ in range(20):
        g = rng.normal(size=5)
        opt.update(params, {"w": g})
        theta, m, v, t = adamw.reference(theta, m, v, t, g, 0.05, 0.9, 0.999, 1e-8, 0.3)
    np.testing.assert_allclose(params["w"], theta, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(
    "student, words",
    [
        (l2_in_gradient, "L2"),
        (decay_without_lr, "(as torch)"),
        (decay_after_the_step, "after the Adam step"),
        (no_decay, "without any weight decay"),
        (in_place, "changed"),
    ],
)
def test_each_mistake_is_caught_and_named(student, words):
    result = checks.check_adamw_step(student)
    assert result.status in ("wrong", "error") and not result.passed
    assert words in result.message, result.message
