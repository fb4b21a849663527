"""descent.checks.check_nesterov_step (Chapter 7) against right and wrong student functions,
among them the wrong orderings of Nesterov's update that circulate in textbook code (what
every checker does is tested in test_checks_generic.py)."""

import numpy as np
import pytest

from descent import checks
from descent.optimizers import Nesterov

# --------------------------------------------------------------------------- students


def step(theta, v, g, lr, momentum):
    v_new = momentum * v - lr * g
    return theta + momentum * v_new - lr * g, v_new


def step_bengio(theta, v, g, lr, momentum):
    # the same rule written as θ − μ v_old + (1 + μ) v_new, with a real copy of the old v
    v_prev = v.copy()
    v_new = momentum * v - lr * g
    return theta - momentum * v_prev + (1 + momentum) * v_new, v_new


def step_expanded(theta, v, g, lr, momentum):
    # θ + μ² v_old − (1 + μ) η g, then the new velocity
    theta_new = theta + momentum**2 * v - (1 + momentum) * lr * g
    return theta_new, momentum * v - lr * g


def old_buffer(theta, v, g, lr, momentum):
    # torch's form in the wrong order: θ moves with the buffer of the previous step
    b = -v / lr
    theta_new = theta - lr * (g + momentum * b)
    b = momentum * b + g
    return theta_new, -lr * b


def aliased_copy(theta, v, g, lr, momentum):
    # "v_prev = v" is an alias: the in-place update changes v_prev too (and the caller's v)
    v_prev = v
    v *= momentum
    v -= lr * g
    return theta - momentum * v_prev + (1 + momentum) * v, v


def textbook_order(theta, v, g, lr, momentum):
    # the velocity is updated first and the μ² term then uses the new one
    v_new = momentum * v - lr * g
    return theta + momentum**2 * v_new - (1 + momentum) * lr * g, v_new


def missing_minus_mu_v(theta, v, g, lr, momentum):
    v_new = momentum * v - lr * g
    return theta + (1 + momentum) * v_new, v_new


def torch_buffer(theta, v, g, lr, momentum):
    b = momentum * v + g
    return theta - lr * (g + momentum * b), b


def ascent(theta, v, g, lr, momentum):
    v_new = momentum * v + lr * g
    return theta + momentum * v_new + lr * g, v_new


def swapped(theta, v, g, lr, momentum):
    theta_new, v_new = step(theta, v, g, lr, momentum)
    return v_new, theta_new


def theta_only(theta, v, g, lr, momentum):
    return step(theta, v, g, lr, momentum)[0]


def stale_velocity(theta, v, g, lr, momentum):
    return step(theta, v, g, lr, momentum)[0], v


# --------------------------------------------------------------------------- tests


def test_the_reference_is_the_package_optimizer():
    rng = np.random.default_rng(0)
    A = np.diag([0.5, 2.0, 4.0])
    opt = Nesterov(lr=0.1, momentum=0.9)
    theta_pkg = rng.normal(size=3)
    theta, v = theta_pkg.copy(), np.zeros(3)
    for _ in range(50):
        g = A @ theta_pkg
        opt.update({"theta": theta_pkg}, {"theta": g})
        theta, v = step(theta, v, A @ theta, 0.1, 0.9)
        np.testing.assert_allclose(theta, theta_pkg, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(v, -0.1 * opt.state["theta"]["b"], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("fn", [step, step_bengio, step_expanded])
def test_accepts_correct_solutions(fn, capsys):
    assert checks.check_nesterov_step(fn, strict=True).passed


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (old_buffer, "heavy-ball momentum"),
        (textbook_order, "uses the updated velocity"),
        (missing_minus_mu_v, "−μ v term"),
        (torch_buffer, "torch's form"),
        (ascent, "go downhill"),
        (swapped, "swapped"),
        (theta_only, "one array"),
        (stale_velocity, "return the new velocity"),
    ],
)
def test_names_the_mistake(fn, words):
    result = checks.check_nesterov_step(fn)
    assert result.status == "wrong" and not result.passed
    assert words in result.message, result.message
    assert result.case == 0  # the first case already shows every one of these mistakes


def test_an_aliased_copy_is_caught_as_a_changed_input_and_as_heavy_ball():
    result = checks.check_nesterov_step(aliased_copy)
    assert result.status == "wrong" and result.case == 0
    assert "changed its input v" in result.message
    assert "heavy-ball momentum" in result.message and "alias" in result.message


def test_the_wrong_orderings_really_differ_from_nesterov_over_many_steps():
    # not only in one step: as methods, on the bowl x²/20 + y², the wrong orders give other
    # iterates, and the textbook's diverges at η = 1/λ₁ with μ = 0.9 where Nesterov converges
    A = np.diag([0.1, 2.0])
    runs = {}
    for fn in (step, old_buffer, textbook_order):
        theta, v = np.array([-7.0, 2.0]), np.zeros(2)
        with np.errstate(all="ignore"):
            for _ in range(300):
                theta, v = fn(theta, v, A @ theta, 0.5, 0.9)
        runs[fn.__name__] = theta
    assert np.linalg.norm(runs["step"]) < 1e-6
    assert np.linalg.norm(runs["old_buffer"]) < 1e-3  # heavy ball converges, differently
    assert (
        not np.all(np.isfinite(runs["textbook_order"]))
        or np.linalg.norm(runs["textbook_order"]) > 1e6
    )
