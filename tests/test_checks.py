"""descent.checks: the engine, and the checkers of chapters 1 and 2 against correct and
deliberately wrong student functions (what every checker does is tested once, for all of
them, in test_checks_generic.py).

Every wrong function must get the right status and a message that says what is wrong;
strict mode (argument or environment) must raise on wrong answers and errors only.
"""

import numpy as np
import pytest

from descent import checks, gradients

# --------------------------------------------------------------------------- students


def rosenbrock_gradient(x):
    x, y = x
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def rosenbrock_gradient_flipped(x):
    return -rosenbrock_gradient(x)


def rosenbrock_gradient_row(x):
    return rosenbrock_gradient(x).reshape(1, 2)


def rosenbrock_gradient_half_dy(x):
    x, y = x
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 100 * (y - x**2)])


def numerical_gradient(f, x, h=1e-5):
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


def numerical_gradient_with_copies(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def numerical_gradient_forward(f, x, h=1e-5):
    grad, fx = np.zeros_like(x), f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
    return grad


def numerical_gradient_no_restore(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        grad[i] = (f_plus - f(x)) / (2 * h)
    return grad


def numerical_gradient_ravel(f, x, h=1e-5):
    flat, grad = x.ravel(), np.zeros(x.size)  # ravel copies a Fortran-ordered x
    for i in range(x.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = f(x)
        flat[i] = old - h
        f_minus = f(x)
        flat[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad.reshape(x.shape)


def numerical_gradient_no_h(f, x):
    return numerical_gradient(f, x, 1e-5)


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    size = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)
    return float(np.max(np.abs(a - b) / size))


def relative_error_unguarded(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))))


def relative_error_norms(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def relative_error_entries(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)


def relative_error_python(a, b):
    return abs(a - b) / max(abs(a), abs(b))  # fine for numbers, not for arrays


# --------------------------------------------------------------------------- the checkers


def _assert_wrong(result, *fragments):
    assert result.status == "wrong" and not result.passed and not result
    for fragment in fragments:
        assert fragment in result.message, f"{fragment!r} not in:\n{result.message}"


@pytest.mark.parametrize(
    "checker, solution",
    [
        (checks.check_rosenbrock_gradient, rosenbrock_gradient),
        (checks.check_numerical_gradient, numerical_gradient),
        (checks.check_numerical_gradient, numerical_gradient_with_copies),
        (checks.check_relative_error, relative_error),
    ],
)
def test_correct_solutions_pass(checker, solution, capsys):
    assert checker(solution, strict=True).passed


def test_rosenbrock_off_by_sign():
    result = checks.check_rosenbrock_gradient(rosenbrock_gradient_flipped)
    _assert_wrong(
        result,
        "test case 1 of",
        "input:    x = array([-1.5,  2. ])",
        "expected: array([-155.,  -50.])",
        "received: array([155.,  50.])",
        "sign is flipped",
        "Hint 1 of 2:",
    )
    assert result.case == 0


def test_rosenbrock_wrong_shape():
    _assert_wrong(
        checks.check_rosenbrock_gradient(rosenbrock_gradient_row),
        "Wrong shape: expected (2,), received (1, 2)",
    )


def test_rosenbrock_one_entry_wrong():
    _assert_wrong(
        checks.check_rosenbrock_gradient(rosenbrock_gradient_half_dy),
        "1 of 2 entries differ",
        "index 1",
    )


def test_numerical_gradient_forward_difference():
    _assert_wrong(
        checks.check_numerical_gradient(numerical_gradient_forward),
        "f = ½‖x‖²",
        "forward difference",
        "centered",
    )


def test_numerical_gradient_not_restoring_x():
    _assert_wrong(
        checks.check_numerical_gradient(numerical_gradient_no_restore),
        "changed its input x",
        "instead of",
    )


def test_numerical_gradient_perturbing_a_copy():
    result = checks.check_numerical_gradient(numerical_gradient_ravel)
    _assert_wrong(result, "Fortran order", "copy")
    assert result.case == 4  # C-ordered matrices work; the Fortran-ordered one does not


def test_numerical_gradient_with_the_wrong_signature():
    result = checks.check_numerical_gradient(lambda f, x: numerical_gradient_no_h(f, x, 1e-5))
    assert result.status == "error" and "TypeError" in result.message


def test_relative_error_mistakes():
    _assert_wrong(
        checks.check_relative_error(relative_error_unguarded),
        "test case 4 of 7",
        "NaN",
        "received: nan",
    )
    _assert_wrong(checks.check_relative_error(relative_error_norms), "test case 1 of 7")
    _assert_wrong(checks.check_relative_error(relative_error_entries), "single number")
    result = checks.check_relative_error(relative_error_python)
    assert result.status == "error" and "ValueError" in result.message


# --------------------------------------------------------------------------- strict mode


@pytest.mark.parametrize(
    "variable, value, strict",
    [
        ("DESCENT_STRICT_CHECKS", "1", True),
        ("DESCENT_STRICT_CHECKS", "true", True),
        ("CI", "true", True),
        ("CI", "YES", True),
        ("CI", "0", False),
        ("CI", "false", False),
        ("DESCENT_STRICT_CHECKS", "", False),
    ],
)
def test_strictness_from_the_environment(monkeypatch, variable, value, strict):
    monkeypatch.setenv(variable, value)
    assert checks.strict_mode() is strict
    if strict:
        with pytest.raises(AssertionError):
            checks.check_relative_error(relative_error_norms)
        # an explicit strict=False wins over the environment
        assert checks.check_relative_error(relative_error_norms, strict=False).status == "wrong"
    else:
        assert checks.check_relative_error(relative_error_norms).status == "wrong"


# --------------------------------------------------------------------------- the engine


def test_cases_are_never_changed_by_the_student():
    x = np.array([1.0, 2.0])

    def vandal(x):
        x[:] = 0.0
        return x.sum()

    result = checks.check(vandal, np.sum, [(x,), checks.Case((x,), label="x = [1, 2] again")])
    np.testing.assert_array_equal(x, [1.0, 2.0])
    assert result.status == "wrong" and "x = array([1., 2.])" in result.message


def test_check_with_labels_names_and_a_custom_diagnosis():
    cases = [checks.Case((2.0,), label="x = two")]
    result = checks.check(
        lambda x: x**3,
        lambda x: x**2,
        cases,
        name="square",
        hint="multiply x by itself",
        diagnose=lambda case, received, expected: "That is a cube.",
        quiet=True,
    )
    _assert_wrong(result, "square: wrong result", "input:    x = two", "That is a cube.")
    assert "Hint 1 of 1: multiply x by itself" in result.message
    assert repr(result) == "CheckResult(name='square', status='wrong', passed=False)"


def test_none_on_a_later_case_is_wrong_not_a_stub():
    def partial(x):
        if x > 0:
            return x
        # forgot to return for x <= 0

    result = checks.check(partial, abs, [1.0, -1.0], quiet=True)
    _assert_wrong(result, "test case 2 of 2", "return")


def test_check_refuses_what_is_not_a_function():
    result = checks.check(None, abs, [1.0], name="absolute", quiet=True)
    assert result.status == "error" and not result.passed
    assert result.message == "✘ absolute: expected a function, got NoneType."


def test_random_cases_are_seeded():
    a = checks.random_cases((2,), (3, 2), seed=1)
    b = checks.random_cases((2,), (3, 2), seed=1)
    assert [c.args[0].shape for c in a] == [(2,), (3, 2)]
    for ca, cb in zip(a, b, strict=True):
        np.testing.assert_array_equal(ca.args[0], cb.args[0])
    with pytest.raises(ValueError, match="at least one case"):
        checks.check(abs, abs, [])


# --------------------------------------------------------------------------- svm_loss


def svm_loss(W, X, y, delta=1.0):
    n, rows = X.shape[0], np.arange(X.shape[0])
    scores = X @ W
    margins = np.maximum(0, scores - scores[rows, y][:, None] + delta)
    margins[rows, y] = 0
    active = (margins > 0).astype(float)
    active[rows, y] = -active.sum(axis=1)
    return margins.sum() / n, X.T @ active / n


def svm_loss_loops(W, X, y, delta=1.0):  # CS231n's naive version, also correct
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(X.shape[0]):
        scores = X[i] @ W
        for j in range(W.shape[1]):
            margin = scores[j] - scores[y[i]] + delta
            if j != y[i] and margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    return loss / X.shape[0], dW / X.shape[0]


def svm_loss_keeps_true_class(W, X, y, delta=1.0):
    n, rows = X.shape[0], np.arange(X.shape[0])
    scores = X @ W
    margins = np.maximum(0, scores - scores[rows, y][:, None] + delta)
    active = (margins > 0).astype(float)
    active[rows, y] = -active.sum(axis=1)
    return margins.sum() / n, X.T @ active / n


def svm_loss_summed(W, X, y, delta=1.0):
    loss, dW = svm_loss(W, X, y, delta)
    return loss * X.shape[0], dW * X.shape[0]


def svm_loss_no_true_column(W, X, y, delta=1.0):
    n, rows = X.shape[0], np.arange(X.shape[0])
    scores = X @ W
    margins = np.maximum(0, scores - scores[rows, y][:, None] + delta)
    margins[rows, y] = 0
    return margins.sum() / n, X.T @ (margins > 0) / n


def test_svm_loss_accepts_correct_solutions(capsys):
    for fn in (svm_loss, svm_loss_loops):
        assert checks.check_svm_loss(fn, strict=True).passed


@pytest.mark.parametrize(
    "fn, words",
    [
        (svm_loss_keeps_true_class, "The sum includes j = yᵢ"),
        (svm_loss_summed, "N times too large"),
        (svm_loss_no_true_column, "dW misses the column of the correct class"),
    ],
)
def test_svm_loss_names_each_mistake(fn, words, capsys):
    result = checks.check_svm_loss(fn)
    assert result.status == "wrong", result.message
    assert words in " ".join(result.message.split()), result.message


def test_the_svm_reference_passes_a_gradient_check_away_from_kinks():
    svm = checks.check_svm_loss.exercise
    for case in svm.cases():
        W, *data = case.args
        numeric = gradients.numerical_gradient(lambda w, d=data: svm.reference(w, *d)[0], W.copy())
        assert gradients.relative_error(svm.reference(W, *data)[1], numeric) < 1e-7
