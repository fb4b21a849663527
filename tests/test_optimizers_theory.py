"""Properties the chapters state, checked against independent formulations.

Each test compares the package with something written here from scratch: a closed form,
an equivalent recurrence, or a property of the rule that holds exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from descent.optimizers import (
    COCOB,
    Adadelta,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    Momentum,
    NAdam,
    Nesterov,
    RMSProp,
)


def steps_of(opt, theta0, grad, n):
    """Run ``n`` updates with g = grad(θ); return the iterates θ_1..θ_n as an (n, d) array."""
    theta = np.array(theta0, dtype=float)
    params = {"theta": theta}
    out = []
    for _ in range(n):
        opt.update(params, {"theta": grad(theta.copy())})
        out.append(theta.copy())
    return np.array(out)


# --------------------------------------------------------------------------- Momentum


def test_momentum_equals_heavy_ball_closed_form_on_a_quadratic():
    # f(θ) = λθ²/2, g = λθ. The state x = (v, θ) evolves linearly, x_{k+1} = M x_k with
    # M = [[μ, −ηλ], [μ, 1 − ηλ]], so x_k = V diag(r^k) V⁻¹ x_0 with M's eigenpairs (r, V).
    lam, lr, mu, theta0, n = 2.0, 0.1, 0.9, 3.0, 200
    M = np.array([[mu, -lr * lam], [mu, 1 - lr * lam]])
    r, V = np.linalg.eig(M)
    assert np.iscomplexobj(r)  # an underdamped case: the iterates oscillate
    x0 = np.array([0.0, theta0])
    closed = [(V @ np.diag(r**k) @ np.linalg.solve(V, x0))[1].real for k in range(1, n + 1)]
    got = steps_of(Momentum(lr=lr, momentum=mu), [theta0], lambda th: lam * th, n)[:, 0]
    np.testing.assert_allclose(got, closed, rtol=1e-9, atol=1e-13)
    # det M = μ, so both complex eigenvalues have |r| = √μ and the envelope decays like √μ^k
    np.testing.assert_allclose(np.abs(r), math.sqrt(mu), rtol=1e-12)
    assert abs(got[-1]) < 100 * theta0 * math.sqrt(mu) ** n


def test_momentum_equals_torch_convention_on_a_quadratic():
    # torch.optim.SGD(momentum=μ):  b ← μ b + g ; θ ← θ − η b
    rng = np.random.default_rng(0)
    Q = rng.normal(size=(5, 5))
    A = Q @ Q.T + np.eye(5)
    lr, mu = 0.02, 0.8
    theta0 = rng.normal(size=5)
    got = steps_of(Momentum(lr=lr, momentum=mu), theta0, lambda th: A @ th, 100)
    theta, b, expected = theta0.copy(), np.zeros(5), []
    for _ in range(100):
        g = A @ theta
        b = mu * b + g
        theta = theta - lr * b
        expected.append(theta)
    np.testing.assert_allclose(got, expected, rtol=1e-11, atol=1e-14)


# --------------------------------------------------------------------------- Nesterov


def quadratic_grad(th):
    A = np.array([[3.0, 1.0], [1.0, 0.5]])
    return A @ th


def rosenbrock_like_grad(th):
    # f(x, y) = (1 − x)² + 5 (y − x²)²
    x, y = th
    return np.array([-2 * (1 - x) - 20 * x * (y - x * x), 10 * (y - x * x)])


def lookahead_nesterov(theta0, grad, lr, mu, n):
    """The definition: v ← μ v − η ∇f(θ' + μ v) ; θ' ← θ' + v. Returns θ' and v per step."""
    theta, v = np.array(theta0, dtype=float), np.zeros(len(theta0))
    thetas, vs = [], []
    for _ in range(n):
        v = mu * v - lr * grad(theta + mu * v)
        theta = theta + v
        thetas.append(theta)
        vs.append(v)
    return np.array(thetas), np.array(vs)


def wrongly_ordered_nesterov(theta0, grad, lr, mu, n):
    """The bug: the θ update uses the old b (b updated after θ)."""
    theta, b, out = np.array(theta0, dtype=float), np.zeros(len(theta0)), []
    for _ in range(n):
        g = grad(theta)
        theta = theta - lr * (g + mu * b)
        b = mu * b + g
        out.append(theta)
    return np.array(out)


@pytest.mark.parametrize(
    ("grad", "theta0", "lr"),
    [(quadratic_grad, [2.0, -3.0], 0.1), (rosenbrock_like_grad, [-1.2, 1.0], 0.01)],
    ids=["quadratic", "rosenbrock-like"],
)
def test_nesterov_equals_the_lookahead_definition(grad, theta0, lr):
    # The package stores the look-ahead point φ = θ' + μ v (and b = −v/η), so the two
    # formulations must agree on φ at every step.
    mu, n = 0.9, 300
    got = steps_of(Nesterov(lr=lr, momentum=mu), theta0, grad, n)
    thetas, vs = lookahead_nesterov(theta0, grad, lr, mu, n)
    np.testing.assert_allclose(got, thetas + mu * vs, rtol=1e-9, atol=1e-12)
    # ... and both have moved a long way, so the agreement is not an accident of standing still
    assert np.linalg.norm(got[-1] - np.array(theta0)) > 0.5
    # the wrong ordering gives visibly different iterates
    wrong = wrongly_ordered_nesterov(theta0, grad, lr, mu, n)
    assert np.max(np.abs(wrong - got)) > 1e-3


def test_nesterov_differs_from_heavy_ball():
    got_n = steps_of(Nesterov(lr=0.1, momentum=0.9), [2.0, -3.0], quadratic_grad, 20)
    got_m = steps_of(Momentum(lr=0.1, momentum=0.9), [2.0, -3.0], quadratic_grad, 20)
    assert np.max(np.abs(got_n - got_m)) > 1e-2


# --------------------------------------------------------------------------- Adam family

G_VARIED = np.array([3.0, -0.5, 1e-8, -2e-9, 1e-3])


def test_adam_first_step_has_size_lr_g_over_abs_g_plus_eps():
    lr, eps = 0.01, 1e-8
    theta0 = np.ones_like(G_VARIED)
    step = steps_of(Adam(lr=lr, eps=eps), theta0, lambda th: G_VARIED, 1)[0] - theta0
    np.testing.assert_allclose(step, -lr * G_VARIED / (np.abs(G_VARIED) + eps), rtol=1e-12)
    # tiny gradients take visibly smaller steps because ε is outside the square root
    assert abs(step[2]) == pytest.approx(lr / 2, rel=1e-7)


@pytest.mark.parametrize("cls", [Adam, AdaMax])
def test_bias_correction_counts_from_one(cls):
    # With a constant g, m̂ = m/(1 − β₁ᵗ) equals g exactly at every step (m = (1 − β₁ᵗ) g),
    # so each step is −η g/(|g| + ε): an off-by-one t breaks the very first step.
    lr, eps, n = 0.01, 1e-8, 12
    opt = cls(lr=lr, eps=eps)
    theta = steps_of(opt, np.zeros(5), lambda th: G_VARIED, n)
    steps = np.diff(np.vstack([np.zeros(5), theta]), axis=0)
    expected = -lr * G_VARIED / (np.abs(G_VARIED) + eps)
    np.testing.assert_allclose(steps, np.tile(expected, (n, 1)), rtol=1e-10, atol=1e-18)
    assert opt.t == n
    # the first moment in the state is (1 − β₁ᵗ) g, the uncorrected running mean
    m = opt.state["theta"]["m"]
    np.testing.assert_allclose(m / (1 - opt.beta1**n), G_VARIED, rtol=1e-12)


def implied_second_moment(opt_factory, grads, lr, b1, b2, eps):
    """Run with the given gradient stream; from each step recover the v actually used in
    the denominator: |Δθ| = η |m̂| / (√(v/(1 − β₂ᵗ)) + ε), with m computed here."""
    opt = opt_factory()
    theta = np.zeros(1)
    m, used = 0.0, []
    for t, g in enumerate(grads, start=1):
        before = theta[0]
        opt.update({"theta": theta}, {"theta": np.array([g])})
        m = b1 * m + (1 - b1) * g
        m_hat = m / (1 - b1**t)
        sqrt_v_hat = lr * abs(m_hat) / abs(theta[0] - before) - eps
        used.append(sqrt_v_hat**2 * (1 - b2**t))
    return np.array(used)


def test_amsgrad_denominator_never_shrinks_but_adams_does():
    grads = [10.0] + [0.1] * 30
    lr, b1, b2, eps = 0.01, 0.9, 0.9, 1e-8
    hyper = {"lr": lr, "beta1": b1, "beta2": b2, "eps": eps}
    ams = implied_second_moment(lambda: Adam(**hyper, amsgrad=True), grads, lr, b1, b2, eps)
    plain = implied_second_moment(lambda: Adam(**hyper), grads, lr, b1, b2, eps)
    assert np.all(np.diff(ams) >= -1e-9 * ams[:-1])  # non-decreasing
    assert ams[-1] == pytest.approx(ams[0], rel=1e-6)  # stuck at the first, largest v
    assert plain[-1] < 0.1 * plain[0]  # Adam forgets the large gradient
    # the bookkeeping agrees: v_max is the running maximum of v
    opt = Adam(**hyper, amsgrad=True)
    steps_of(opt, [0.0], lambda th: np.array([10.0]), 1)
    v_after_big = opt.state["theta"]["v"].copy()
    steps_of(opt, [0.0], lambda th: np.array([0.1]), 5)
    np.testing.assert_array_equal(opt.state["theta"]["v_max"], v_after_big)
    assert opt.state["theta"]["v"][0] < v_after_big[0]


def test_adamax_against_a_scalar_loop():
    lr, b1, b2, eps = 0.02, 0.8, 0.95, 1e-8
    gs = [0.3, -1.2, 0.0, 0.05, 2.0, -0.7, 0.0, 0.0]
    th, m, u, expected = 0.5, 0.0, 0.0, []
    for t, g in enumerate(gs, start=1):
        m = b1 * m + (1 - b1) * g
        u = max(b2 * u, abs(g) + eps)
        th = th - lr / (1 - b1**t) * m / u
        expected.append(th)
    it = iter(gs)
    got = steps_of(AdaMax(lr, b1, b2, eps), [0.5], lambda th: np.array([next(it)]), len(gs))
    np.testing.assert_allclose(got[:, 0], expected, rtol=1e-13)


def test_nadam_against_a_scalar_loop_and_its_mu_product():
    lr, b1, b2, eps, psi = 0.02, 0.9, 0.999, 1e-8, 4e-3
    gs = [0.3, -1.2, 0.4, 0.05, 2.0, -0.7]
    th, m, v, prod, expected = 0.5, 0.0, 0.0, 1.0, []
    for t, g in enumerate(gs, start=1):
        mu_t = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod *= mu_t
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = math.sqrt(v / (1 - b2**t)) + eps
        th -= lr * (1 - mu_t) / (1 - prod) * g / denom
        th -= lr * mu_next / (1 - prod * mu_next) * m / denom
        expected.append(th)
    opt = NAdam(lr, b1, b2, eps, psi)
    it = iter(gs)
    got = steps_of(opt, [0.5], lambda th: np.array([next(it)]), len(gs))
    np.testing.assert_allclose(got[:, 0], expected, rtol=1e-13)
    assert opt.state["theta"]["mu_product"] == pytest.approx(prod, rel=1e-15)


def test_nadam_differs_from_adam():
    it1, it2 = iter([0.3, -1.2, 0.4] * 3), iter([0.3, -1.2, 0.4] * 3)
    a = steps_of(NAdam(lr=0.01), [0.5], lambda th: np.array([next(it1)]), 9)
    b = steps_of(Adam(lr=0.01), [0.5], lambda th: np.array([next(it2)]), 9)
    assert np.max(np.abs(a - b)) > 1e-4


def test_adamw_with_zero_decay_is_adam_bit_for_bit():
    grad = rosenbrock_like_grad
    a = steps_of(AdamW(lr=0.01, weight_decay=0.0), [-1.2, 1.0], grad, 50)
    b = steps_of(Adam(lr=0.01), [-1.2, 1.0], grad, 50)
    np.testing.assert_array_equal(a, b)


def test_adamw_decay_is_decoupled_from_the_gradient_scaling():
    # With g = 0 Adam's step m̂/(√v̂ + ε) is 0, so AdamW only decays: θ_k = (1 − ηλ)^k θ_0,
    # at the same rate for every coordinate whatever its size.
    lr, lam, n = 0.1, 0.5, 10
    theta0 = np.array([100.0, 1.0, -1e-3])
    got = steps_of(AdamW(lr=lr, weight_decay=lam), theta0, lambda th: np.zeros(3), n)
    expected = np.array([theta0 * (1 - lr * lam) ** k for k in range(1, n + 1)])
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    # Adam's L2 decay goes through m and v: the first step is η·λθ/(|λθ| + ε) ≈ η·sign(θ),
    # the same size for every coordinate, not proportional to θ
    first = steps_of(Adam(lr=lr, weight_decay=lam), theta0, lambda th: np.zeros(3), 1)[0]
    l2 = lam * theta0
    np.testing.assert_allclose(first, theta0 - lr * l2 / (np.abs(l2) + 1e-8), rtol=1e-13)


def test_adamw_differs_from_adam_with_l2():
    grad = rosenbrock_like_grad
    a = steps_of(AdamW(lr=0.01, weight_decay=0.1), [-1.2, 1.0], grad, 50)
    b = steps_of(Adam(lr=0.01, weight_decay=0.1), [-1.2, 1.0], grad, 50)
    assert np.max(np.abs(a - b)) > 1e-3


# ------------------------------------------------------------- AdaGrad, RMSProp, Adadelta


def test_rmsprop_with_rho_zero_steps_by_g_over_abs_g_plus_eps():
    # ρ = 0: s = g², so every step is η g/(|g| + ε) — sign descent softened by ε
    lr, eps = 0.05, 1e-8
    gs = [G_VARIED, -2 * G_VARIED, G_VARIED[::-1].copy()]
    it = iter(gs)
    theta = steps_of(RMSProp(lr=lr, rho=0.0, eps=eps), np.zeros(5), lambda th: next(it), 3)
    steps = np.diff(np.vstack([np.zeros(5), theta]), axis=0)
    expected = [-lr * g / (np.abs(g) + eps) for g in gs]
    np.testing.assert_allclose(steps, expected, rtol=1e-12, atol=1e-20)


def test_adagrad_step_shrinks_like_one_over_sqrt_t():
    lr, eps, n = 0.1, 1e-10, 16
    g = np.array([0.5, -4.0])
    theta = steps_of(AdaGrad(lr=lr, eps=eps), np.zeros(2), lambda th: g, n)
    steps = np.diff(np.vstack([np.zeros(2), theta]), axis=0)
    k = np.arange(1, n + 1)[:, None]
    np.testing.assert_allclose(steps, -lr * g / (np.sqrt(k) * np.abs(g) + eps), rtol=1e-12)
    assert steps[3, 0] / steps[0, 0] == pytest.approx(0.5, rel=1e-9)  # t = 4: half the step
    assert steps[15, 0] / steps[0, 0] == pytest.approx(0.25, rel=1e-9)  # t = 16: a quarter


def test_adadelta_first_step():
    lr, rho, eps = 0.7, 0.95, 1e-6
    g = np.array([1.0, -0.01, 1e-4, 30.0])
    step = steps_of(Adadelta(lr=lr, rho=rho, eps=eps), np.zeros(4), lambda th: g, 1)[0]
    expected = -lr * math.sqrt(eps) / np.sqrt((1 - rho) * g**2 + eps) * g
    np.testing.assert_allclose(step, expected, rtol=1e-13)


# --------------------------------------------------------------------------- COCOB


def test_cocob_first_step_is_minus_sign_over_alpha():
    # L = G = |g|, R = 0, S = g:  θ₁ − g·|g| / (|g|·max(2|g|, α|g|)) = θ₁ − sign(g)/α
    g = np.array([3.0, -0.2, 1e-6])
    for alpha in (100.0, 10.0, 1.5):
        got = steps_of(COCOB(alpha=alpha), np.ones(3), lambda th: g, 1)[0]
        denom = max(2.0, alpha)
        np.testing.assert_allclose(got, 1 - np.sign(g) / denom, rtol=1e-14)


def test_cocob_zero_gradient_is_safe_thanks_to_the_tiny_initial_L():
    opt = COCOB()
    theta = steps_of(opt, [0.5, -0.5], lambda th: np.array([0.0, 1.0]), 3)
    assert np.all(np.isfinite(theta))
    np.testing.assert_array_equal(theta[:, 0], [0.5, 0.5, 0.5])  # never moved
    assert opt.state["theta"]["L"][0] == 1e-8


def test_cocob_two_steps_by_hand_with_a_reward():
    # coordinate with g1 = −1 then g2 = −1: θ moves up by 1/α, then the bet wins
    # R2 = max(0 − (θ1 − θ₁)·g2, 0) = 1/α; S2 = −2, L2 = 1, G2 = 2
    # θ2 = θ₁ + 2·(1 + 1/α)/(1·max(3, α))
    alpha = 100.0
    got = steps_of(COCOB(alpha=alpha), [0.0], lambda th: np.array([-1.0]), 2)[:, 0]
    assert got[0] == pytest.approx(1 / alpha, rel=1e-15)
    assert got[1] == pytest.approx(2 * (1 + 1 / alpha) / alpha, rel=1e-14)


def test_cocob_makes_progress_on_a_quadratic_without_a_learning_rate():
    theta = steps_of(COCOB(), [3.0, -2.0], quadratic_grad, 400)
    f = [0.5 * th @ np.array([[3.0, 1.0], [1.0, 0.5]]) @ th for th in theta]
    assert f[-1] < 1e-2 * f[0]
