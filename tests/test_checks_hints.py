"""Graded hints, the course's help level, and the messages that name what the exercise
states: a notebook variable read by a typo, inputs changed, x not restored when f raises.

Also the student's view: three different wrong attempts at one exercise get three
different messages, none of which holds a line of the book's solution."""

import numpy as np
import pytest

from descent import checks
from descent.checks import engine


def lagged(theta, v, g, lr, momentum):  # θ moved by the old velocity
    return theta + v, momentum * v - lr * g


def ascent(theta, v, g, lr, momentum):  # the gradient added
    v = momentum * v + lr * g
    return theta + v, v


def no_mu(theta, v, g, lr, momentum):  # the old velocity not decayed
    v = v - lr * g
    return theta + v, v


SOLUTION_LINES = ("v_new = momentum * v - lr * g", "theta_new = theta + v_new")


def _hints(message):
    return [line.strip() for line in message.splitlines() if line.strip().startswith("Hint")]


def test_a_wrong_answer_gets_the_first_hint_and_more_on_request(capsys):
    first = checks.check_momentum_step(ascent)
    assert [h[:11] for h in _hints(first.message)] == ["Hint 1 of 2"]
    assert "More help: run the check again with hint=2." in first.message
    second = checks.check_momentum_step(ascent, hint=2)
    assert [h[:11] for h in _hints(second.message)] == ["Hint 1 of 2", "Hint 2 of 2"]
    assert "More help" not in second.message
    # what is wrong comes first, at every level
    for result in (first, second):
        assert "The gradient is added" in result.message
        assert result.message.index("The gradient is added") < result.message.index("Hint 1")


def test_three_wrong_attempts_get_three_different_messages_without_the_solution(capsys):
    messages = [checks.check_momentum_step(fn, hint=2).message for fn in (lagged, ascent, no_mu)]
    assert len(set(messages)) == 3
    diagnoses = ["old velocity: update v first", "gradient is added", "not multiplied by μ"]
    for message, diagnosis in zip(messages, diagnoses, strict=True):
        assert diagnosis in " ".join(message.split()), message
        for line in SOLUTION_LINES:
            assert line not in message


@pytest.mark.parametrize(
    "course, asked, shown, note",
    [
        ("2", None, 1, "More help"),
        ("2", 2, 2, None),
        ("1", None, 1, None),
        ("1", 2, 1, "(Your course gives up to level 1.)"),
        ("0", None, 0, "(Your course gives no hints.)"),
        ("0", 2, 0, "(Your course gives no hints.)"),
    ],
)
def test_the_course_level_caps_the_hints(course, asked, shown, note, monkeypatch, capsys):
    monkeypatch.setenv("DESCENT_HINTS", course)
    message = checks.check_momentum_step(ascent, hint=asked).message
    assert len(_hints(message)) == shown, message
    assert "The gradient is added" in message  # what is wrong is always said
    if note:
        assert note in " ".join(message.split())


def test_set_hints_overrides_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("DESCENT_HINTS", "2")
    checks.set_hints(0)
    assert checks.hints_allowed() == 0
    assert _hints(checks.check_momentum_step(ascent, hint=2).message) == []
    checks.set_hints(None)
    assert checks.hints_allowed() == 2
    with pytest.raises(ValueError, match="0, 1 or 2"):
        checks.set_hints(3)
    monkeypatch.setenv("DESCENT_HINTS", "all")
    with pytest.raises(ValueError, match="DESCENT_HINTS must be 0, 1 or 2"):
        checks.hints_allowed()


def test_every_checker_takes_a_hint_level():
    for name in checks.__all__:
        if name.startswith("check_"):
            assert "hint" in getattr(checks, name).__kwdefaults__, name


# --------------------------------------------------------------------------- stray globals


def _student_with_globals(source, **namespace):
    exec(source, namespace)
    return namespace[source.split("(")[0].split()[-1]]


def test_a_typo_that_reads_a_notebook_variable_is_named(capsys):
    student = _student_with_globals(
        "def momentum_step(theta, v, g, lr, momentum):\n"
        "    v_new = momentum * velocity - lr * g\n"
        "    return theta + v_new, v_new\n",
        velocity=np.zeros(2),
        np=np,
    )
    result = checks.check_momentum_step(student)
    assert result.status in ("wrong", "error")
    flat = " ".join(result.message.split())
    assert "reads `velocity`, a variable of the notebook" in flat, result.message
    assert "Did you mean the parameter `v`?" in flat
    assert flat.index("velocity") < flat.index("input:")


def test_a_typo_with_the_wrong_shape_names_the_variable_not_only_the_shape(capsys):
    student = _student_with_globals(
        "def momentum_step(theta, v, g, lr, momentum):\n"
        "    v_new = momentum * velocity - lr * g\n"
        "    return theta + v_new, v_new\n",
        velocity=np.zeros(5),
    )
    result = checks.check_momentum_step(student)
    assert result.status == "error" and "ValueError" in result.message
    assert "reads `velocity`" in " ".join(result.message.split())


def test_modules_functions_and_parameters_are_not_stray(capsys):
    helper = _student_with_globals("def helper(a):\n    return a\n")
    student = _student_with_globals(
        "def momentum_step(theta, v, g, lr, momentum):\n"
        "    v = helper(np.asarray(v))\n"
        "    v_new = momentum * v + lr * g\n"
        "    return theta + v_new, v_new\n",
        np=np,
        helper=helper,
    )
    result = checks.check_momentum_step(student)
    assert result.status == "wrong" and "a variable of the notebook" not in result.message
    assert engine.stray_globals(student) == []


# --------------------------------------------------------------------------- requirements


def numerical_gradient_without_finally(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_with_finally(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            f_plus = f(x)
            x[i] = old - h
            f_minus = f(x)
        finally:
            x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def test_numerical_gradient_must_restore_x_when_f_raises(capsys):
    result = checks.check_numerical_gradient(numerical_gradient_without_finally)
    assert result.status == "wrong", result.message
    flat = " ".join(result.message.split())
    assert "x is not restored when f raises" in flat and "x[1] is -1.00001 instead of -1" in flat
    with pytest.raises(AssertionError, match="not restored"):
        checks.check_numerical_gradient(numerical_gradient_without_finally, strict=True)
    assert checks.check_numerical_gradient(numerical_gradient_with_finally, strict=True).passed


@pytest.mark.parametrize(
    "checker, student",
    [
        (
            "check_momentum_step",
            "def f(theta, v, g, lr, momentum):\n    v *= momentum\n"
            "    v -= lr * g\n    return theta + v, v.copy()",
        ),
        (
            "check_nesterov_step",
            "def f(theta, v, g, lr, momentum):\n    v *= momentum\n"
            "    v -= lr * g\n    return theta + momentum * v - lr * g, v.copy()",
        ),
        (
            "check_adagrad_step",
            "def f(theta, h, g, lr, eps):\n    h += g**2\n"
            "    return theta - lr * g / (np.sqrt(h) + eps), h.copy()",
        ),
        (
            "check_rmsprop_step",
            "def f(theta, s, g, lr, rho, eps):\n    s *= rho\n"
            "    s += (1 - rho) * g**2\n    return theta - lr * g / (np.sqrt(s) + eps), s.copy()",
        ),
    ],
)
def test_every_step_exercise_rejects_changed_inputs(checker, student, capsys):
    """ "Without modifying its inputs" means the same in every chapter: a step that updates
    its state in place, even if it returns the right values, is wrong."""
    fn = _student_with_globals(student, np=np)
    result = getattr(checks, checker)(fn)
    assert result.status == "wrong" and "changed its input" in result.message, result.message
