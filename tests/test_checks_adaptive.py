"""Chapters 8 and 9's checkers, check_adagrad_step and check_rmsprop_step, against correct
and deliberately wrong student functions (what every checker does is tested in
test_checks_generic.py)."""

import numpy as np
import pytest

from descent import checks
from descent.optimizers import AdaGrad, RMSProp

# --------------------------------------------------------------------------- adagrad_step


def adagrad(theta, h, g, lr, eps):
    h = h + g**2
    return theta - lr * g / (np.sqrt(h) + eps), h


def adagrad_with_the_package(theta, h, g, lr, eps):
    opt, params = AdaGrad(lr=lr, eps=eps), {"w": np.array(theta, dtype=float)}
    opt.state["w"] = {"h": np.array(h, dtype=float)}
    opt.update(params, {"w": g})
    return params["w"], opt.state["w"]["h"]


def adagrad_in_place(theta, h, g, lr, eps):  # modifies its inputs: must be reported
    h += g**2
    theta -= lr * g / (np.sqrt(h) + eps)
    return theta, h


def adagrad_eps_inside(theta, h, g, lr, eps):
    h = h + g**2
    return theta - lr * g / np.sqrt(h + eps), h


def adagrad_old_h(theta, h, g, lr, eps):
    return theta - lr * g / (np.sqrt(h) + eps), h + g**2


def adagrad_no_sum(theta, h, g, lr, eps):
    return theta - lr * g / (np.abs(g) + eps), g**2


def adagrad_no_sqrt(theta, h, g, lr, eps):
    h = h + g**2
    return theta - lr * g / (h + eps), h


def adagrad_no_eps(theta, h, g, lr, eps):
    h = h + g**2
    return theta - lr * g / np.sqrt(h), h


def adagrad_uphill(theta, h, g, lr, eps):
    h = h + g**2
    return theta + lr * g / (np.sqrt(h) + eps), h


def adagrad_stale_state(theta, h, g, lr, eps):
    return adagrad(theta, h, g, lr, eps)[0], h


def adagrad_swapped(theta, h, g, lr, eps):
    return adagrad(theta, h, g, lr, eps)[::-1]


def adagrad_theta_only(theta, h, g, lr, eps):
    return adagrad(theta, h, g, lr, eps)[0]


@pytest.mark.parametrize("fn", [adagrad, adagrad_with_the_package])
def test_adagrad_step_accepts_correct_solutions(fn, capsys):
    assert checks.check_adagrad_step(fn, strict=True).passed


@pytest.mark.parametrize(
    "fn, words",
    [
        (adagrad_eps_inside, "ε is inside the square root"),
        (adagrad_old_h, "from before its update"),
        (adagrad_no_sum, "only the latest g²"),
        (adagrad_no_sqrt, "square root is missing"),
        (adagrad_no_eps, "ε is missing"),
        (adagrad_uphill, "uphill"),
        (adagrad_stale_state, "return the new sum"),
        (adagrad_swapped, "swapped"),
        (adagrad_theta_only, "return both"),
        (adagrad_in_place, "changed its input"),
    ],
)
def test_adagrad_step_names_the_mistake(fn, words):
    result = checks.check_adagrad_step(fn)
    assert result.status == "wrong" and not result.passed
    assert words in result.message, result.message
    assert result.case == 0  # the first case already shows every one of these mistakes


def test_eps_inside_the_root_is_caught_even_with_a_tiny_eps():
    # in the cases with eps = 1e-8 and tiny gradients, inside vs outside is not a rounding
    # difference: √(h + 1e-8) is dominated by 1e-4 when h ~ 1e-8
    tiny = checks.check_adagrad_step.exercise.cases()[3]
    assert tiny.args[-1] == 1e-8 and np.max(np.abs(tiny.args[2])) < 1e-3
    right, wrong = adagrad(*tiny.args), adagrad_eps_inside(*tiny.args)
    assert not np.allclose(right[0], wrong[0], rtol=1e-3)


# --------------------------------------------------------------------------- rmsprop_step


def rmsprop(theta, s, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    return theta - lr * g / (np.sqrt(s) + eps), s


def rmsprop_with_the_package(theta, s, g, lr, rho, eps):
    opt, params = RMSProp(lr=lr, rho=rho, eps=eps), {"w": np.array(theta, dtype=float)}
    opt.state["w"] = {"s": np.array(s, dtype=float)}
    opt.update(params, {"w": g})
    return params["w"], opt.state["w"]["s"]


def rmsprop_eps_inside(theta, s, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    return theta - lr * g / np.sqrt(s + eps), s


def rmsprop_swapped_rho(theta, s, g, lr, rho, eps):
    s = (1 - rho) * s + rho * g**2
    return theta - lr * g / (np.sqrt(s) + eps), s


def rmsprop_no_damping(theta, s, g, lr, rho, eps):
    s = rho * s + g**2
    return theta - lr * g / (np.sqrt(s) + eps), s


def rmsprop_adagrad(theta, s, g, lr, rho, eps):
    s = s + g**2
    return theta - lr * g / (np.sqrt(s) + eps), s


def rmsprop_old_s(theta, s, g, lr, rho, eps):
    return theta - lr * g / (np.sqrt(s) + eps), rho * s + (1 - rho) * g**2


def rmsprop_no_sqrt(theta, s, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    return theta - lr * g / (s + eps), s


def rmsprop_uphill(theta, s, g, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    return theta + lr * g / (np.sqrt(s) + eps), s


def rmsprop_stale_state(theta, s, g, lr, rho, eps):
    return rmsprop(theta, s, g, lr, rho, eps)[0], s


def rmsprop_swapped(theta, s, g, lr, rho, eps):
    return rmsprop(theta, s, g, lr, rho, eps)[::-1]


@pytest.mark.parametrize("fn", [rmsprop, rmsprop_with_the_package])
def test_rmsprop_step_accepts_correct_solutions(fn, capsys):
    assert checks.check_rmsprop_step(fn, strict=True).passed


@pytest.mark.parametrize(
    "fn, words",
    [
        (rmsprop_eps_inside, "ε is inside the square root"),
        (rmsprop_swapped_rho, "swapped: the old s keeps"),
        (rmsprop_no_damping, "(1 − ρ) on g² is missing"),
        (rmsprop_adagrad, "AdaGrad's sum"),
        (rmsprop_old_s, "from before its update"),
        (rmsprop_no_sqrt, "square root is missing"),
        (rmsprop_uphill, "uphill"),
        (rmsprop_stale_state, "return the new average"),
        (rmsprop_swapped, "θ and s are swapped"),
    ],
)
def test_rmsprop_step_names_the_mistake(fn, words):
    result = checks.check_rmsprop_step(fn)
    assert result.status == "wrong" and not result.passed
    assert words in result.message, result.message
    assert result.case == 0


def test_a_mistake_that_only_shows_without_eps_is_still_caught():
    # dropping ε passes every case whose accumulator is positive; case 1 has s = g = 0
    def no_eps(theta, s, g, lr, rho, eps):
        s = rho * s + (1 - rho) * g**2
        with np.errstate(all="ignore"):
            return theta - lr * g / np.sqrt(s), s

    result = checks.check_rmsprop_step(no_eps)
    assert result.status == "wrong" and result.case == 0
    assert "ε is missing" in result.message or "NaN" in result.message
