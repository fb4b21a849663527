"""The appendix's checker, check_rmsprop_step_inplace, against correct and deliberately
wrong student functions (what every checker does is tested in test_checks_generic.py)."""

import copy

import numpy as np
import pytest

from descent import checks
from descent.optimizers import RMSProp, fast


def one_scratch(theta, s, g, lr, rho, eps, tmp):
    s *= rho
    np.square(g, out=tmp)
    tmp *= 1 - rho
    s += tmp
    np.sqrt(s, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    theta -= tmp


def with_the_package(theta, s, g, lr, rho, eps, tmp):
    # the package's fast step: same values, its own scratch space (allocated once)
    work = with_the_package.work = getattr(with_the_package, "work", None) or fast.Workspace()
    fast.step(RMSProp(lr, rho, eps, fast=True), theta, g, {"s": s}, work)


def allocating(theta, s, g, lr, rho, eps, tmp):  # right values, new arrays
    s *= rho
    s += (1 - rho) * g**2
    theta -= lr * g / (np.sqrt(s) + eps)


def rebinding(theta, s, g, lr, rho, eps, tmp):  # θ and s stay as they were
    s = rho * s + (1 - rho) * g**2
    theta = theta - lr * g / (np.sqrt(s) + eps)
    return theta, s


def s_rebound(theta, s, g, lr, rho, eps, tmp):  # θ right, the caller's s unchanged
    s = rho * s + (1 - rho) * g**2
    np.sqrt(s, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    theta -= tmp


def overwrites_g(theta, s, g, lr, rho, eps, tmp):  # uses g as a second scratch array
    s *= rho
    np.square(g, out=tmp)
    tmp *= 1 - rho
    s += tmp
    np.sqrt(s, out=tmp)
    tmp += eps
    g /= tmp
    g *= lr
    theta -= g


def eps_inside(theta, s, g, lr, rho, eps, tmp):
    s *= rho
    np.square(g, out=tmp)
    tmp *= 1 - rho
    s += tmp
    np.add(s, eps, out=tmp)
    np.sqrt(tmp, out=tmp)
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    theta -= tmp


def old_s(theta, s, g, lr, rho, eps, tmp):  # the step divides by the s of last time
    np.sqrt(s, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    theta -= tmp
    s *= rho
    np.square(g, out=tmp)
    tmp *= 1 - rho
    s += tmp


def does_nothing(theta, s, g, lr, rho, eps, tmp):
    pass


def crashes(theta, s, g, lr, rho, eps, tmp):
    np.multiply(g, g, out=tmp[:1])  # wrong out= shape


def test_accepts_correct_in_place_steps(capsys):
    for fn in (one_scratch, with_the_package):
        result = checks.check_rmsprop_step_inplace(fn, strict=True)
        assert result.passed and result.status == "passed", result.message
        assert "in place" in capsys.readouterr().out


def test_right_values_with_new_arrays_are_refused(capsys):
    result = checks.check_rmsprop_step_inplace(allocating)
    out = capsys.readouterr().out
    assert result.status == "wrong" and "not in place" in out and "new arrays" in out
    with pytest.raises(AssertionError, match="not in place"):
        checks.check_rmsprop_step_inplace(allocating, strict=True)


@pytest.mark.parametrize(
    ("fn", "says"),
    [
        (rebinding, "θ did not change"),
        (s_rebound, "s did not change"),
        (overwrites_g, "changed its input g"),
        (eps_inside, "inside the square root"),
        (old_s, "s from before its update"),
        (does_nothing, "θ did not change"),
    ],
)
def test_wrong_steps_are_named(fn, says, capsys):
    result = checks.check_rmsprop_step_inplace(fn)
    out = capsys.readouterr().out
    assert result.status == "wrong" and not result.passed
    assert says in out, out
    assert "test case 1 of 4" in out  # the first case already shows it


def test_an_exception_shows_the_students_line(capsys):
    result = checks.check_rmsprop_step_inplace(crashes)
    out = capsys.readouterr().out
    assert result.status == "error" and "ValueError" in out and "out=tmp[:1]" in out


def test_the_reference_is_the_rule_of_chapter_9():
    """The checker compares with its in-place reference: it must give the rule's values."""
    from descent.checks.adaptive import _rmsprop_step

    exercise = checks.check_rmsprop_step_inplace.exercise
    for case in exercise.cases():
        theta, s, g, lr, rho, eps, tmp = copy.deepcopy(case.args)
        rule = _rmsprop_step(theta, s, g, lr, rho, eps)
        exercise.reference(theta, s, g, lr, rho, eps, tmp)
        np.testing.assert_allclose(theta, rule[0], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(s, rule[1], rtol=1e-13, atol=1e-15)
