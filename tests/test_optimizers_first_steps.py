"""The first three steps of every optimizer, computed by hand.

Each ``*_by_hand`` function redoes one coordinate's arithmetic with plain Python floats,
step by step, written out as the chapter's algorithm box would be: it never calls the
package. The optimizers must reproduce those numbers on a 2-coordinate parameter array.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from descent.optimizers import (
    ALL,
    COCOB,
    SGD,
    Adadelta,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    Momentum,
    NAdam,
    Nesterov,
    Optimizer,
    RMSProp,
)

THETA0 = (1.0, -2.0)
# Three gradients g1, g2, g3 per coordinate (a fixed stream, as from mini-batches).
GRADS = ((0.5, -0.25, 1.0), (-1.0, 2.0, 0.5))


def run_three_steps(opt):
    """θ after each of three updates, as a (3, 2) array."""
    theta = np.array(THETA0)
    params = {"w": theta}
    out = []
    for k in range(3):
        opt.update(params, {"w": np.array([GRADS[0][k], GRADS[1][k]])})
        out.append(theta.copy())
    return np.array(out)


def check(opt, by_hand):
    got = run_three_steps(opt)
    expected = np.array([by_hand(THETA0[i], *GRADS[i]) for i in range(2)]).T  # (3 steps, 2)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_sgd():
    def by_hand(th, g1, g2, g3):
        th1 = th - 0.1 * g1
        th2 = th1 - 0.1 * g2
        th3 = th2 - 0.1 * g3
        return th1, th2, th3

    check(SGD(lr=0.1), by_hand)


def test_sgd_concrete_numbers():
    # θ = (1, −2), g1 = (0.5, −1), η = 0.1  →  θ = (0.95, −1.9)
    got = run_three_steps(SGD(lr=0.1))[0]
    np.testing.assert_allclose(got, [0.95, -1.9], rtol=1e-15)


def test_momentum():
    lr, mu = 0.1, 0.9

    def by_hand(th, g1, g2, g3):
        v1 = -lr * g1
        th1 = th + v1
        v2 = mu * v1 - lr * g2
        th2 = th1 + v2
        v3 = mu * v2 - lr * g3
        th3 = th2 + v3
        return th1, th2, th3

    check(Momentum(lr=lr, momentum=mu), by_hand)


def test_momentum_concrete_numbers():
    # coordinate 0: v1 = −0.05 → θ1 = 0.95; v2 = 0.9·(−0.05) − 0.1·(−0.25) = −0.02 → 0.93
    got = run_three_steps(Momentum(lr=0.1, momentum=0.9))[:2, 0]
    np.testing.assert_allclose(got, [0.95, 0.93], rtol=1e-14)


def test_nesterov():
    lr, mu = 0.1, 0.9

    def by_hand(th, g1, g2, g3):
        b1 = g1
        th1 = th - lr * (g1 + mu * b1)
        b2 = mu * b1 + g2
        th2 = th1 - lr * (g2 + mu * b2)
        b3 = mu * b2 + g3
        th3 = th2 - lr * (g3 + mu * b3)
        return th1, th2, th3

    check(Nesterov(lr=lr, momentum=mu), by_hand)


def test_nesterov_concrete_numbers():
    # coordinate 0: b1 = 0.5, θ1 = 1 − 0.1·(0.5 + 0.45) = 0.905
    # b2 = 0.45 − 0.25 = 0.2, θ2 = 0.905 − 0.1·(−0.25 + 0.18) = 0.912
    got = run_three_steps(Nesterov(lr=0.1, momentum=0.9))[:2, 0]
    np.testing.assert_allclose(got, [0.905, 0.912], rtol=1e-14)


def test_adagrad():
    lr, eps = 0.1, 1e-10

    def by_hand(th, g1, g2, g3):
        h1 = g1**2
        th1 = th - lr * g1 / (math.sqrt(h1) + eps)
        h2 = h1 + g2**2
        th2 = th1 - lr * g2 / (math.sqrt(h2) + eps)
        h3 = h2 + g3**2
        th3 = th2 - lr * g3 / (math.sqrt(h3) + eps)
        return th1, th2, th3

    check(AdaGrad(lr=lr, eps=eps), by_hand)


def test_rmsprop():
    lr, rho, eps = 0.01, 0.9, 1e-8

    def by_hand(th, g1, g2, g3):
        s1 = (1 - rho) * g1**2
        th1 = th - lr * g1 / (math.sqrt(s1) + eps)
        s2 = rho * s1 + (1 - rho) * g2**2
        th2 = th1 - lr * g2 / (math.sqrt(s2) + eps)
        s3 = rho * s2 + (1 - rho) * g3**2
        th3 = th2 - lr * g3 / (math.sqrt(s3) + eps)
        return th1, th2, th3

    check(RMSProp(lr=lr, rho=rho, eps=eps), by_hand)


def test_adadelta():
    lr, rho, eps = 0.5, 0.9, 1e-6

    def by_hand(th, g1, g2, g3):
        s1 = (1 - rho) * g1**2
        d1 = math.sqrt(0.0 + eps) / math.sqrt(s1 + eps) * g1
        u1 = (1 - rho) * d1**2
        th1 = th - lr * d1
        s2 = rho * s1 + (1 - rho) * g2**2
        d2 = math.sqrt(u1 + eps) / math.sqrt(s2 + eps) * g2
        u2 = rho * u1 + (1 - rho) * d2**2
        th2 = th1 - lr * d2
        s3 = rho * s2 + (1 - rho) * g3**2
        d3 = math.sqrt(u2 + eps) / math.sqrt(s3 + eps) * g3
        th3 = th2 - lr * d3
        return th1, th2, th3

    check(Adadelta(lr=lr, rho=rho, eps=eps), by_hand)


def adam_by_hand(lr, b1, b2, eps, wd=0.0, amsgrad=False, decoupled=False):
    def by_hand(th, *gs):
        m = v = v_max = 0.0
        out = []
        # t = 1, 2, 3 written as a loop over the three given gradients only; every line
        # is the algorithm box's line for one scalar.
        for t, g in zip((1, 2, 3), gs, strict=True):
            if decoupled:
                th = th - lr * wd * th
            else:
                g = g + wd * th
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            v_max = max(v_max, v)
            m_hat = m / (1 - b1**t)
            v_hat = (v_max if amsgrad else v) / (1 - b2**t)
            th = th - lr * m_hat / (math.sqrt(v_hat) + eps)
            out.append(th)
        return out

    return by_hand


def test_adam():
    check(Adam(lr=0.1), adam_by_hand(0.1, 0.9, 0.999, 1e-8))


def test_adam_first_step_concrete_numbers():
    # m̂1 = g1 and v̂1 = g1², so θ1 = θ − η g/(|g| + ε) = θ − 0.1·sign(g) up to 1e-8 relative
    got = run_three_steps(Adam(lr=0.1))[0]
    np.testing.assert_allclose(got, [0.9, -1.9], rtol=1e-8)


def test_adam_with_l2_weight_decay():
    check(Adam(lr=0.1, weight_decay=0.3), adam_by_hand(0.1, 0.9, 0.999, 1e-8, wd=0.3))


def test_amsgrad_with_shrinking_v():
    # with β₂ = 0.5 the second-moment estimate v shrinks at step 2 (coordinate 0) and at
    # step 3 (coordinate 1), so AMSGrad's max matters
    check(Adam(lr=0.1, beta2=0.5, amsgrad=True), adam_by_hand(0.1, 0.9, 0.5, 1e-8, amsgrad=True))
    assert not np.allclose(
        run_three_steps(Adam(lr=0.1, beta2=0.5, amsgrad=True)),
        run_three_steps(Adam(lr=0.1, beta2=0.5)),
    )


def test_adamw():
    check(AdamW(lr=0.1, weight_decay=0.3), adam_by_hand(0.1, 0.9, 0.999, 1e-8, 0.3, False, True))


def test_adamw_amsgrad():
    check(
        AdamW(lr=0.1, beta2=0.5, weight_decay=0.3, amsgrad=True),
        adam_by_hand(0.1, 0.9, 0.5, 1e-8, 0.3, True, True),
    )


def test_adamax():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8

    def by_hand(th, g1, g2, g3):
        m1 = (1 - b1) * g1
        u1 = max(0.0, abs(g1) + eps)
        th1 = th - lr / (1 - b1) * m1 / u1
        m2 = b1 * m1 + (1 - b1) * g2
        u2 = max(b2 * u1, abs(g2) + eps)
        th2 = th1 - lr / (1 - b1**2) * m2 / u2
        m3 = b1 * m2 + (1 - b1) * g3
        u3 = max(b2 * u2, abs(g3) + eps)
        th3 = th2 - lr / (1 - b1**3) * m3 / u3
        return th1, th2, th3

    check(AdaMax(lr=lr, beta1=b1, beta2=b2, eps=eps), by_hand)


def test_nadam():
    lr, b1, b2, eps, psi = 0.1, 0.9, 0.999, 1e-8, 4e-3
    mu1 = b1 * (1 - 0.5 * 0.96 ** (1 * psi))
    mu2 = b1 * (1 - 0.5 * 0.96 ** (2 * psi))
    mu3 = b1 * (1 - 0.5 * 0.96 ** (3 * psi))
    mu4 = b1 * (1 - 0.5 * 0.96 ** (4 * psi))

    def by_hand(th, g1, g2, g3):
        p1 = mu1
        m1 = (1 - b1) * g1
        v1 = (1 - b2) * g1**2
        d1 = math.sqrt(v1 / (1 - b2)) + eps
        th1 = th - lr * (1 - mu1) / (1 - p1) * g1 / d1 - lr * mu2 / (1 - p1 * mu2) * m1 / d1
        p2 = p1 * mu2
        m2 = b1 * m1 + (1 - b1) * g2
        v2 = b2 * v1 + (1 - b2) * g2**2
        d2 = math.sqrt(v2 / (1 - b2**2)) + eps
        th2 = th1 - lr * (1 - mu2) / (1 - p2) * g2 / d2 - lr * mu3 / (1 - p2 * mu3) * m2 / d2
        p3 = p2 * mu3
        m3 = b1 * m2 + (1 - b1) * g3
        v3 = b2 * v2 + (1 - b2) * g3**2
        d3 = math.sqrt(v3 / (1 - b2**3)) + eps
        th3 = th2 - lr * (1 - mu3) / (1 - p3) * g3 / d3 - lr * mu4 / (1 - p3 * mu4) * m3 / d3
        return th1, th2, th3

    check(NAdam(lr=lr, beta1=b1, beta2=b2, eps=eps, momentum_decay=psi), by_hand)


def test_nadam_momentum_decay_zero_is_a_constant_schedule():
    # ψ = 0: μₜ = β₁/2 at every step; first step by hand
    lr, b1, eps = 0.1, 0.9, 1e-8
    mu = b1 / 2
    g = GRADS[0][0]
    th1 = THETA0[0] - lr * (1 - mu) / (1 - mu) * g / (abs(g) + eps)
    th1 -= lr * mu / (1 - mu * mu) * (1 - b1) * g / (abs(g) + eps)
    got = run_three_steps(NAdam(lr=lr, momentum_decay=0.0))[0, 0]
    assert got == pytest.approx(th1, rel=1e-13)


def test_cocob():
    alpha, eps = 100.0, 1e-8

    def by_hand(th, g1, g2, g3):
        th0 = th
        L1 = max(eps, abs(g1))
        G1 = abs(g1)
        R1 = max(0.0 - (th - th0) * g1, 0.0)
        S1 = g1
        th1 = th0 - S1 * (L1 + R1) / (L1 * max(G1 + L1, alpha * L1))
        L2 = max(L1, abs(g2))
        G2 = G1 + abs(g2)
        R2 = max(R1 - (th1 - th0) * g2, 0.0)
        S2 = S1 + g2
        th2 = th0 - S2 * (L2 + R2) / (L2 * max(G2 + L2, alpha * L2))
        L3 = max(L2, abs(g3))
        G3 = G2 + abs(g3)
        R3 = max(R2 - (th2 - th0) * g3, 0.0)
        S3 = S2 + g3
        th3 = th0 - S3 * (L3 + R3) / (L3 * max(G3 + L3, alpha * L3))
        return th1, th2, th3

    check(COCOB(alpha=alpha, eps=eps), by_hand)


def test_cocob_concrete_numbers():
    # first step: L = |g|, G = |g|, R = 0, S = g  →  θ1 = θ − g·|g| / (|g|·α|g|) = θ − sign(g)/α
    # coordinate 0, step 2: g2 = −0.25, L = 0.5, G = 0.75, R = 0 − (−0.01)(−0.25) → 0,
    # S = 0.25  →  θ2 = 1 − 0.25·0.5 / (0.5·50) = 0.995
    got = run_three_steps(COCOB())
    np.testing.assert_allclose(got[0], [0.99, -1.99], rtol=1e-15)
    assert got[1, 0] == pytest.approx(0.995, rel=1e-14)


def test_all_lists_every_optimizer_in_book_order():
    assert list(ALL) == [
        "SGD",
        "Momentum",
        "Nesterov",
        "AdaGrad",
        "RMSProp",
        "Adadelta",
        "Adam",
        "AdaMax",
        "NAdam",
        "AdamW",
        "COCOB",
    ]
    assert all(issubclass(cls, Optimizer) and cls.__name__ == name for name, cls in ALL.items())


@pytest.mark.parametrize("name", list(ALL))
def test_step_counter_starts_at_one(name):
    opt = ALL[name]()
    assert opt.t == 0
    theta = np.array(THETA0)
    opt.update({"w": theta}, {"w": np.array([0.5, -1.0])})
    assert opt.t == 1
    opt.update({"w": theta}, {"w": np.array([0.5, -1.0])})
    assert opt.t == 2
