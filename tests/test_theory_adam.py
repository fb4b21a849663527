"""descent.theory.adam: the bound on Adam's steps, the gradients that attain it, the ℓp
moments whose limit is AdaMax's u."""

import math

import numpy as np
import pytest

from descent.optimizers import Adam, AdaMax
from descent.theory.adam import lp_moment, step_bound, worst_case_gradients


def steps_of(opt, grads):
    """The updates Δθ of a one-coordinate parameter fed the gradients ``grads``."""
    params, out = {"w": np.zeros(1)}, []
    for g in grads:
        before = params["w"][0]
        opt.update(params, {"w": np.array([g])})
        out.append(params["w"][0] - before)
    return np.array(out)


def test_validation():
    with pytest.raises(ValueError, match="t must be"):
        step_bound(0)
    with pytest.raises(ValueError, match="beta2 must be > 0"):
        worst_case_gradients(3, 0.9, 0.0)
    with pytest.raises(ValueError, match="p must be"):
        lp_moment([1.0], 0.9, p=0.5)


@pytest.mark.parametrize("t", [1, 2, 7, 60, 400, 5000])
@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)])
def test_worst_case_gradients_attain_the_bound(t, betas):
    b1, b2 = betas
    steps = steps_of(Adam(lr=1.0, beta1=b1, beta2=b2, eps=1e-300), worst_case_gradients(t, b1, b2))
    assert abs(abs(steps[-1]) - step_bound(t, b1, b2)) < 1e-9 * step_bound(t, b1, b2)


def test_no_sequence_beats_the_bound():
    rng = np.random.default_rng(2)
    for _ in range(200):
        t = int(rng.integers(1, 80))
        grads = rng.normal(size=t) * np.exp(rng.normal(size=t))
        last = abs(steps_of(Adam(lr=1.0, eps=1e-300), grads)[-1])
        assert last <= step_bound(t) * (1 + 1e-12)


def test_bound_values():
    assert abs(step_bound(1) - 1.0) < 1e-12
    assert abs(step_bound(1, bias_correction=False) - 0.1 / math.sqrt(0.001)) < 1e-12
    limit = 0.1 / math.sqrt(0.001) / math.sqrt(1 - 0.81 / 0.999)
    assert abs(step_bound(100_000) - limit) < 1e-9 and 7.2 < limit < 7.3
    assert step_bound(500, 0.99, 0.9) > 1e3  # β₁² > β₂: no finite limit
    assert step_bound(10_000, 0.99, 0.9) == math.inf


def test_lp_moment_tends_to_the_adamax_maximum():
    rng = np.random.default_rng(3)
    grads = rng.normal(size=120)
    u_inf = lp_moment(grads, 0.99, np.inf)
    gaps = [np.max(np.abs(lp_moment(grads, 0.99, p) / u_inf - 1)) for p in (2, 8, 64, 4096)]
    assert all(a > b for a, b in zip(gaps, gaps[1:], strict=False)) and gaps[-1] < 1e-3
    # and u_inf is AdaMax's u (which adds ε to |g|): compare with eps tiny
    opt, params = AdaMax(lr=1.0, beta2=0.99, eps=1e-300), {"w": np.zeros(1)}
    for g in grads:
        opt.update(params, {"w": np.array([g])})
    assert abs(opt.state["w"]["u"][0] - u_inf[-1]) < 1e-15


def test_lp_moment_p2_is_adams_v_with_decay_beta_squared():
    rng = np.random.default_rng(4)
    grads = rng.normal(size=50)
    opt, params = Adam(lr=1e-3, beta2=0.9**2), {"w": np.zeros(1)}
    for g in grads:
        opt.update(params, {"w": np.array([g])})
    assert abs(lp_moment(grads, 0.9, 2)[-1] - math.sqrt(opt.state["w"]["v"][0])) < 1e-12
    corrected = lp_moment(grads, 0.9, 2, bias_correction=True)
    assert abs(corrected[0] - abs(grads[0])) < 1e-12  # corrected: u₁ = |g₁| for every p
    assert abs(lp_moment(grads, 0.9, 7, bias_correction=True)[0] - abs(grads[0])) < 1e-12
