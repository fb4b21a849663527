"""Chapter 11's checker, check_adam_step, against correct, stubbed and deliberately wrong
student functions: each classic Adam mistake must be caught and named."""

import numpy as np
import pytest

from descent import checks
from descent.checks.adam import _adam_step
from descent.optimizers import Adam


def stub(theta, g, m, v, t, lr, beta1, beta2, eps):
    raise NotImplementedError


def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def adam_step_in_place(theta, g, m, v, t, lr, beta1, beta2, eps):
    t += 1
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g * g
    theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, m, v, t


def t_from_zero(theta, g, m, v, t, lr, beta1, beta2, eps):  # corrects with the old count
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t + 1


def no_bias_correction(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v, t + 1


def eps_inside(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v, t


def folded(theta, g, m, v, t, lr, beta1, beta2, eps):  # the efficient form, ε on √v
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v, t


def only_m_corrected(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v, t


def undamped_v(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def forgets_t(theta, g, m, v, t, lr, beta1, beta2, eps):
    new = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
    return (*new[:3], t)


def uphill(theta, g, m, v, t, lr, beta1, beta2, eps):
    new_theta, m, v, t = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
    return 2 * theta - new_theta, m, v, t


def theta_only(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)[0]


def raises(theta, g, m, v, t, lr, beta1, beta2, eps):
    return theta[10], m, v, t


def test_correct_solutions_pass(capsys):
    result = checks.check_adam_step(adam_step)
    assert result.passed and result.status == "passed"
    assert "correct on all 6 test cases" in capsys.readouterr().out


def test_a_step_that_changes_its_inputs_is_wrong(capsys):
    """The exercise says "without modifying its inputs", as every step exercise does."""
    result = checks.check_adam_step(adam_step_in_place)
    assert result.status == "wrong" and not result.passed, result.message
    assert "changed its input theta" in result.message, result.message
    with pytest.raises(AssertionError, match="changed its input"):
        checks.check_adam_step(adam_step_in_place, strict=True)


def test_reference_is_the_package_adam():
    """Six updates of the checker's reference reproduce descent.optimizers.Adam."""
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(6, 3))
    opt, params = Adam(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-3), {"w": np.ones(3)}
    theta, m, v, t = np.ones(3), np.zeros(3), np.zeros(3), 0
    for g in grads:
        opt.update(params, {"w": g})
        theta, m, v, t = _adam_step(theta, g, m, v, t, 0.05, 0.8, 0.99, 1e-3)
    np.testing.assert_allclose(theta, params["w"], rtol=1e-14)
    np.testing.assert_allclose(m, opt.state["w"]["m"], rtol=1e-14)
    assert t == opt.t == 6


def test_stub_never_raises():
    for strict in (False, True):
        result = checks.check_adam_step(stub, strict=strict)
        assert result.status == "not implemented" and not result.passed


@pytest.mark.parametrize(
    "fn, words, case",
    [
        (t_from_zero, "1 − β⁰ = 0", 0),
        (no_bias_correction, "no bias correction", 0),
        (only_m_corrected, "Only m is bias-corrected", 0),
        (undamped_v, "(1 − β₂) on g² is missing", 0),
        (forgets_t, "return the new step count", 0),
        (uphill, "uphill", 0),
        (eps_inside, "ε is inside the square root", 3),
        (folded, "folded form", 3),
        (theta_only, "as a tuple", 0),
    ],
)
def test_names_the_mistake(fn, words, case):
    result = checks.check_adam_step(fn)
    assert result.status in ("wrong", "error") and not result.passed
    assert words in " ".join(result.message.split()), result.message
    assert result.case == case
    with pytest.raises(AssertionError, match="adam_step"):
        checks.check_adam_step(fn, strict=True)


def test_old_count_is_named_after_the_first_step():
    """Started from a mid-run state, the off-by-one count gives finite but wrong numbers."""

    def shifted(theta, g, m, v, t, lr, beta1, beta2, eps):
        if t == 0:  # right on a fresh state, wrong on every later one
            return adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
        return t_from_zero(theta, g, m, v, t, lr, beta1, beta2, eps)

    result = checks.check_adam_step(shifted)
    assert result.status == "wrong" and result.case == 1
    assert "used the old count t" in result.message, result.message


def test_reports_an_exception_with_the_students_line():
    result = checks.check_adam_step(raises)
    assert result.status == "error" and "IndexError" in result.message
    assert "theta[10]" in result.message
