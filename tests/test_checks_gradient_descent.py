"""descent.checks.check_gradient_descent and check_armijo_step (Chapter 3) against
deliberately wrong students.

Each wrong implementation is a mistake students make when they first write the loop; the
checker must call it wrong and say what to change (what every checker does is tested in
test_checks_generic.py).
"""

import numpy as np
import pytest

from descent import checks


def gradient_descent(grad, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = [theta.copy()]
    for _ in range(steps):
        theta = theta - lr * grad(theta)
        path.append(theta)
    return np.array(path)


def gradient_descent_in_place_with_copies(grad, theta0, lr, steps):
    theta = theta0.astype(float)  # astype copies
    path = [theta.copy()]
    for _ in range(steps):
        theta -= lr * grad(theta)
        path.append(theta.copy())
    return np.stack(path)


def appends_the_same_array(grad, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(steps):
        theta -= lr * grad(theta)
        path.append(theta)
    return np.array(path)


def changes_theta0(grad, theta0, lr, steps):
    theta = theta0
    path = [theta.copy()]
    for _ in range(steps):
        theta -= lr * grad(theta)
        path.append(theta.copy())
    return np.array(path)


def forgets_the_start(grad, theta0, lr, steps):
    return gradient_descent(grad, theta0, lr, steps)[1:]


def one_step_short(grad, theta0, lr, steps):
    return gradient_descent(grad, theta0, lr, steps - 1) if steps else np.array([theta0])


def ascends(grad, theta0, lr, steps):
    return gradient_descent(lambda th: -grad(th), theta0, lr, steps)


def gradient_at_the_start_only(grad, theta0, lr, steps):
    g = grad(theta0)
    return np.array([theta0 - t * lr * g for t in range(steps + 1)])


def returns_only_the_last(grad, theta0, lr, steps):
    return gradient_descent(grad, theta0, lr, steps)[-1]


def lr_squared(grad, theta0, lr, steps):
    return gradient_descent(grad, theta0, lr**2, steps)


def crashes(grad, theta0, lr, steps):
    x, y = theta0  # fails on the 1-D case
    return gradient_descent(grad, np.array([x, y]), lr, steps)


def _assert_wrong(result, *fragments):
    assert result.status == "wrong" and not result.passed and not result
    for fragment in fragments:
        assert fragment in result.message, f"{fragment!r} not in:\n{result.message}"


@pytest.mark.parametrize("student", [gradient_descent, gradient_descent_in_place_with_copies])
def test_correct_solutions_pass_even_in_strict_mode(student, capsys):
    assert checks.check_gradient_descent(student, strict=True).passed


def test_appending_the_same_array_is_explained():
    _assert_wrong(
        checks.check_gradient_descent(appends_the_same_array),
        "test case 1 of 5",
        "Every row is the last iterate",
        "theta.copy()",
    )


def test_changing_theta0_is_caught_although_the_iterates_are_right():
    result = checks.check_gradient_descent(changes_theta0)
    _assert_wrong(result, "changed its input theta0", "does not copy", "np.array(theta0")
    assert result.case == 0


def test_a_missing_start_or_step_is_named():
    _assert_wrong(
        checks.check_gradient_descent(forgets_the_start),
        "Wrong shape: expected (6, 2), received (5, 2)",
        "first row must be θ₀",
    )
    _assert_wrong(checks.check_gradient_descent(one_step_short), "last update is missing")


def test_ascent_and_a_frozen_gradient_are_named():
    _assert_wrong(checks.check_gradient_descent(ascends), "gradient ascent")
    result = checks.check_gradient_descent(gradient_at_the_start_only)
    _assert_wrong(result, "gradient at the start")


def test_other_wrong_answers_show_the_input_and_the_difference():
    result = checks.check_gradient_descent(returns_only_the_last)
    _assert_wrong(result, "Wrong shape: expected (6, 2), received (2,)", "lr = 0.3", "steps = 5")
    result = checks.check_gradient_descent(lr_squared)
    _assert_wrong(result, "∇f of f = 0.1x₁² + 2x₂²", "entries differ", "Hint 1 of 2:")


def test_the_one_dimensional_case_and_errors():
    result = checks.check_gradient_descent(crashes)
    assert result.status == "error" and result.case == 1  # case 2 is 10 sin(x)/x in 1-D
    assert "ValueError" in result.message and "x, y = theta0" in result.message


def test_the_cases_cover_1d_2d_3d_and_zero_steps():
    gd = checks.check_gradient_descent.exercise
    cases = gd.cases()
    dims = sorted({np.size(c.args[1]) for c in cases})
    assert dims == [1, 2, 3] and 0 in [c.args[3] for c in cases]
    # the reference is the rule: the second iterate of case 1 is θ₀ − η ∇f(θ₀)
    grad, theta0, lr, steps = cases[0].args
    path = gd.reference(grad, theta0, lr, steps)
    assert path.shape == (steps + 1, 2)
    np.testing.assert_allclose(path[1], theta0 - lr * np.array([0.2, 4.0]) * theta0)


# --------------------------------------------------------------------------- armijo_step


def armijo_step(theta, g, f, eta0=1.0, c=1e-4, shrink=0.5):
    eta, f0, gg = eta0, f(theta), g @ g
    while f(theta - eta * g) > f0 - c * eta * gg:
        eta *= shrink
    return theta - eta * g, eta


def armijo_any_decrease(theta, g, f, eta0=1.0, c=1e-4, shrink=0.5):
    eta = eta0
    while f(theta - eta * g) >= f(theta):
        eta *= shrink
    return theta - eta * g, eta


def armijo_norm(theta, g, f, eta0=1.0, c=1e-4, shrink=0.5):
    eta = eta0
    while f(theta - eta * g) > f(theta) - c * eta * np.linalg.norm(g):
        eta *= shrink
    return theta - eta * g, eta


def armijo_shrinks_first(theta, g, f, eta0=1.0, c=1e-4, shrink=0.5):
    eta = eta0
    while True:
        eta *= shrink
        if f(theta - eta * g) <= f(theta) - c * eta * (g @ g):
            return theta - eta * g, eta


def armijo_in_place(theta, g, f, eta0=1.0, c=1e-4, shrink=0.5):
    theta_new, eta = armijo_step(theta, g, f, eta0, c, shrink)
    theta[:] = theta_new
    return theta, eta


def armijo_old_theta(theta, g, f, eta0=1.0, c=1e-4, shrink=0.5):
    return theta - eta0 * g, armijo_step(theta, g, f, eta0, c, shrink)[1]


def test_armijo_accepts_a_correct_step(capsys):
    assert checks.check_armijo_step(armijo_step, strict=True).passed


@pytest.mark.parametrize(
    "fn, words",
    [
        (armijo_any_decrease, "stops at the first η that lowers f at all"),
        (armijo_norm, "uses ‖g‖; Armijo's condition has ‖g‖²"),
        (armijo_shrinks_first, "one shrink away from the right one"),
        (armijo_in_place, "changed its input theta"),
        (armijo_old_theta, "η is right but the step is not"),
    ],
)
def test_armijo_names_each_mistake(fn, words, capsys):
    result = checks.check_armijo_step(fn)
    assert result.status == "wrong", result.message
    assert words in " ".join(result.message.split()), result.message
    assert "Hint 1 of 2" in result.message
