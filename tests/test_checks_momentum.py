"""Chapter 6's checkers, check_momentum_step, check_momentum_rate and check_best_momentum,
against correct and deliberately wrong student functions (what every checker does is
tested in test_checks_generic.py)."""

import numpy as np
import pytest

from descent import checks

# --------------------------------------------------------------------------- momentum_step


def step(theta, v, g, lr, momentum):
    v = momentum * v - lr * g
    return theta + v, v


def step_in_place(theta, v, g, lr, momentum):
    v *= momentum
    v -= lr * g
    theta += v
    return theta, v


def step_lagged(theta, v, g, lr, momentum):  # θ moved by the old v
    return theta + v, momentum * v - lr * g


def step_swapped(theta, v, g, lr, momentum):
    theta_new, v_new = step(theta, v, g, lr, momentum)
    return v_new, theta_new


def step_damped(theta, v, g, lr, momentum):
    v = momentum * v - (1 - momentum) * lr * g
    return theta + v, v


def step_torch(theta, b, g, lr, momentum):
    b = momentum * b + g
    return theta - lr * b, b


def step_ascent(theta, v, g, lr, momentum):
    v = momentum * v + lr * g
    return theta + v, v


def step_no_mu(theta, v, g, lr, momentum):
    v = v - lr * g
    return theta + v, v


def step_theta_only(theta, v, g, lr, momentum):
    return step(theta, v, g, lr, momentum)[0]


@pytest.mark.parametrize(
    "fn, words",
    [
        (step_lagged, "old velocity"),
        (step_swapped, "swapped"),
        (step_damped, "damped form"),
        (step_torch, "torch's form"),
        (step_ascent, "go downhill"),
        (step_no_mu, "not multiplied by μ"),
        (step_theta_only, "return both"),
        (step_in_place, "changed its input theta"),  # "without modifying its inputs"
    ],
)
def test_momentum_step_names_the_mistake(fn, words):
    result = checks.check_momentum_step(fn)
    assert result.status == "wrong" and not result.passed
    assert words in result.message, result.message
    assert result.case == 0  # the first case already shows every one of these mistakes


def test_momentum_step_catches_a_mistake_only_visible_with_zero_velocity():
    # a solution that ignores v entirely passes no case that has v ≠ 0 (case 1)
    def ignores_v(theta, v, g, lr, momentum):
        return theta - lr * g, -lr * g

    result = checks.check_momentum_step(ignores_v)
    assert result.status == "wrong" and result.case == 0


# --------------------------------------------------------------------------- momentum_rate


def rate(lr, momentum, lam):
    M = np.array([[momentum, -lr * lam], [momentum, 1 - lr * lam]])
    return np.max(np.abs(np.linalg.eigvals(M)))


def rate_closed_form(lr, momentum, lam):
    roots = np.roots([1.0, -(1 + momentum - lr * lam), momentum])
    return float(np.max(np.abs(roots)))


def rate_real_part(lr, momentum, lam):
    M = np.array([[momentum, -lr * lam], [momentum, 1 - lr * lam]])
    return np.max(np.linalg.eigvals(M).real)


def rate_all_eigenvalues(lr, momentum, lam):
    M = np.array([[momentum, -lr * lam], [momentum, 1 - lr * lam]])
    return np.abs(np.linalg.eigvals(M))


def rate_gradient_descent(lr, momentum, lam):
    return abs(1 - lr * lam)


def rate_sqrt_mu(lr, momentum, lam):
    return np.sqrt(momentum)


def rate_wrong_matrix(lr, momentum, lam):  # θ ← θ + v with v ← v − ηλθ: 1, not μ
    M = np.array([[momentum, -lr * lam], [1.0, 1 - lr * lam]])
    return np.max(np.abs(np.linalg.eigvals(M)))


def test_momentum_rate_accepts_correct_solutions():
    assert checks.check_momentum_rate(rate).passed
    assert checks.check_momentum_rate(rate_closed_form).passed


@pytest.mark.parametrize(
    "fn, words",
    [
        (rate_real_part, "np.abs"),
        (rate_all_eigenvalues, "one number"),
        (rate_gradient_descent, "gradient descent"),
        (rate_sqrt_mu, "only of complex roots"),
        (rate_wrong_matrix, "Hint"),
    ],
)
def test_momentum_rate_names_the_mistake(fn, words):
    result = checks.check_momentum_rate(fn)
    assert result.status == "wrong" and words in result.message, result.message


# --------------------------------------------------------------------------- best_momentum


def best_momentum(rate, lams, etas, mus):
    best = (None, None, np.inf)
    for eta in etas:
        for mu in mus:
            q = max(rate(eta, mu, lam) for lam in lams)
            if q < best[2]:
                best = (eta, mu, q)
    return best


def best_momentum_vectorised(rate, lams, etas, mus):  # another correct answer
    q = np.array([[max(rate(e, m, lam) for lam in lams) for m in mus] for e in etas])
    i, j = np.unravel_index(np.argmin(q), q.shape)  # argmin: the first of equal ones
    return float(etas[i]), float(mus[j]), float(q[i, j])


def best_momentum_min(rate, lams, etas, mus):  # the best eigenvalue, not the worst
    pairs = [(e, m, min(rate(e, m, lam) for lam in lams)) for e in etas for m in mus]
    return min(pairs, key=lambda p: p[2])


def best_momentum_swapped(rate, lams, etas, mus):
    eta, mu, q = best_momentum(rate, lams, etas, mus)
    return mu, eta, q


def best_momentum_pair(rate, lams, etas, mus):  # forgets the rate
    return best_momentum(rate, lams, etas, mus)[:2]


def best_momentum_sorts(rate, lams, etas, mus):  # sorts the caller's grid in place
    mus.sort()
    mus[:] = mus[::-1]
    return best_momentum(rate, lams, etas, mus)


def test_best_momentum_accepts_correct_searches(capsys):
    for fn in (best_momentum, best_momentum_vectorised):
        assert checks.check_best_momentum(fn, strict=True).passed


@pytest.mark.parametrize(
    "fn, words",
    [
        (best_momentum_min, "the largest rate over the eigenvalues, not the smallest"),
        (best_momentum_swapped, "η and μ are swapped"),
        (best_momentum_pair, "Return 3 items (eta, mu, q); your function returned 2"),
        (best_momentum_sorts, "changed its input mus"),
    ],
)
def test_best_momentum_names_each_mistake(fn, words, capsys):
    result = checks.check_best_momentum(fn)
    assert result.status == "wrong", result.message
    assert words in " ".join(result.message.split()), result.message
