"""Chapter 10's checker, check_adadelta_step, against correct and deliberately wrong student
functions (what every checker does is tested in test_checks_generic.py)."""

import numpy as np
import pytest

from descent import checks
from descent.optimizers import Adadelta


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


@pytest.mark.parametrize("fn", [step, step_with_the_package])
def test_accepts_correct_solutions(fn, capsys):
    assert checks.check_adadelta_step(fn, strict=True).passed


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
        (step_in_place, 0, "changed its input theta"),  # "without modifying its inputs"
    ],
)
def test_names_the_mistake(fn, case, words):
    result = checks.check_adadelta_step(fn)
    assert result.status == "wrong" and not result.passed
    assert words in result.message, result.message
    assert result.case == case


def test_the_first_case_is_a_first_step_with_the_closed_form():
    # s = u = 0: Δ₁ = √ε g / √((1 − ρ) g² + ε), the chapter's formula.
    adadelta = checks.check_adadelta_step.exercise
    theta, s, u, g, lr, rho, eps = adadelta.cases()[0].args
    assert not s.any() and not u.any() and lr == 1.0
    theta_new, _, _ = adadelta.reference(theta, s, u, g, lr, rho, eps)
    closed = np.sqrt(eps) * g / np.sqrt((1 - rho) * g**2 + eps)
    assert np.allclose(theta - theta_new, closed, rtol=1e-12)
