"""Chapter 10's checker, check_adadelta_step, against correct, stubbed and deliberately
wrong student functions."""

import numpy as np
import pytest

from descent import checks
from descent.checks.adadelta import _adadelta_step
from descent.optimizers import Adadelta


def stub(theta, s, u, g, lr, rho, eps):
    raise NotImplementedError


def step(theta, s, u, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    delta = np.sqrt(u + eps) / np.sqrt(s + eps) * g
    u = rho * u + (1 - rho) * delta**2
    return theta - lr * delta, s, u


def step_in_place(theta, s, u, g, lr, rho, eps):  # the package's style
    s *= rho
    s += (1 - rho) * g**2
    delta = np.sqrt((u + eps) / (s + eps)) * g
    u *= rho
    u += (1 - rho) * delta**2
    theta -= lr * delta
    return theta, s, u


def step_with_the_package(theta, s, u, g, lr, rho, eps):
    opt = Adadelta(lr=lr, rho=rho, eps=eps)
    params = {"w": theta.copy()}
    opt.update(params, {"w": np.zeros_like(theta)})  # creates the state ...
    opt.state["w"].update(s=s.copy(), u=u.copy())  # ... which we then set
    params["w"][...] = theta
    opt.update(params, {"w": g})
    return params["w"], opt.state["w"]["s"], opt.state["w"]["u"]


def eps_outside(theta, s, u, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    delta = (np.sqrt(u) + eps) / (np.sqrt(s) + eps) * g
    return theta - lr * delta, s, rho * u + (1 - rho) * delta**2


def no_eps_in_numerator(theta, s, u, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    delta = np.sqrt(u) / np.sqrt(s + eps) * g
    return theta - lr * delta, s, rho * u + (1 - rho) * delta**2


def s_updated_after_delta(theta, s, u, g, lr, rho, eps):
    delta = np.sqrt(u + eps) / np.sqrt(s + eps) * g
    s = rho * s + (1 - rho) * g**2
    return theta - lr * delta, s, rho * u + (1 - rho) * delta**2


def u_updated_before_the_step(theta, s, u, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    delta = np.sqrt(u + eps) / np.sqrt(s + eps) * g
    u = rho * u + (1 - rho) * delta**2
    theta = theta - lr * np.sqrt(u + eps) / np.sqrt(s + eps) * g  # uses the new u
    return theta, s, u


def upside_down(theta, s, u, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    delta = np.sqrt(s + eps) / np.sqrt(u + eps) * g
    return theta - lr * delta, s, rho * u + (1 - rho) * delta**2


def u_of_the_scaled_step(theta, s, u, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    step_taken = lr * np.sqrt(u + eps) / np.sqrt(s + eps) * g
    return theta - step_taken, s, rho * u + (1 - rho) * step_taken**2


def u_of_gradients(theta, s, u, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    delta = np.sqrt(u + eps) / np.sqrt(s + eps) * g
    return theta - lr * delta, s, rho * u + (1 - rho) * g**2


def sums_not_averages(theta, s, u, g, lr, rho, eps):
    s = rho * s + g**2
    delta = np.sqrt(u + eps) / np.sqrt(s + eps) * g
    return theta - lr * delta, s, rho * u + delta**2


def uphill(theta, s, u, g, lr, rho, eps):
    theta_new, s, u = step(theta, s, u, g, lr, rho, eps)
    return 2 * theta - theta_new, s, u


def rmsprop(theta, s, u, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    return theta - lr * g / (np.sqrt(s) + eps), s, u


def swapped(theta, s, u, g, lr, rho, eps):
    theta, s, u = step(theta, s, u, g, lr, rho, eps)
    return theta, u, s


def theta_only(theta, s, u, g, lr, rho, eps):
    return step(theta, s, u, g, lr, rho, eps)[0]


def two_arrays(theta, s, u, g, lr, rho, eps):
    return step(theta, s, u, g, lr, rho, eps)[:2]


def raises(theta, s, u, g, lr, rho, eps):
    return theta[9], s, u


def test_accepts_correct_solutions(capsys):
    for fn in (step, step_with_the_package):
        result = checks.check_adadelta_step(fn)
        assert result.passed and result.status == "passed", result.message
        assert "correct on all 5 test cases" in capsys.readouterr().out


def test_a_step_that_changes_its_inputs_is_wrong(capsys):
    """The exercise says "without modifying its inputs", as every step exercise does."""
    result = checks.check_adadelta_step(step_in_place)
    assert result.status == "wrong" and not result.passed, result.message
    assert "changed its input theta" in result.message, result.message
    with pytest.raises(AssertionError, match="changed its input"):
        checks.check_adadelta_step(step_in_place, strict=True)


def test_a_stub_never_raises(capsys):
    for strict in (False, True):
        result = checks.check_adadelta_step(stub, strict=strict)
        assert result.status == "not implemented" and not result.passed
    assert "not implemented yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    "fn, case, words",
    [
        (eps_outside, 0, "outside the square roots"),
        (no_eps_in_numerator, 0, "never moves"),
        (s_updated_after_delta, 0, "s from before its update"),
        (u_updated_before_the_step, 0, "u after its update"),
        (upside_down, 0, "upside down"),
        (u_of_the_scaled_step, 2, "before the factor η"),  # visible only with η ≠ 1
        (u_of_gradients, 0, "u accumulated g²"),
        (sums_not_averages, 0, "(1 − ρ) factors are missing"),
        (uphill, 0, "uphill"),
        (rmsprop, 0, "RMSProp's step"),
        (swapped, 0, "wrong order"),
        (theta_only, 0, "returned one array"),
        (two_arrays, 0, "returned two arrays"),
    ],
)
def test_names_the_mistake(fn, case, words):
    result = checks.check_adadelta_step(fn)
    assert result.status == "wrong" and not result.passed
    assert words in result.message, result.message
    assert result.case == case
    with pytest.raises(AssertionError, match="adadelta_step"):
        checks.check_adadelta_step(fn, strict=True)


def test_the_first_case_is_a_first_step_with_the_closed_form():
    # s = u = 0: Δ₁ = √ε g / √((1 − ρ) g² + ε), the chapter's formula.
    theta, s, u, g = np.array([1.0, -2.0]), np.zeros(2), np.zeros(2), np.array([2.0, -0.5])
    theta_new, _, _ = _adadelta_step(theta, s, u, g, 1.0, 0.9, 1e-6)
    closed = np.sqrt(1e-6) * g / np.sqrt(0.1 * g**2 + 1e-6)
    assert np.allclose(theta - theta_new, closed, rtol=1e-12)


def test_reports_an_exception_and_reads_strict_mode_from_the_environment(monkeypatch):
    result = checks.check_adadelta_step(raises)
    assert result.status == "error" and "IndexError" in result.message
    monkeypatch.setenv("DESCENT_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="IndexError"):
        checks.check_adadelta_step(raises)
    assert checks.check_adadelta_step(step).passed
