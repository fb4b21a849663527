"""descent.schedules: closed forms, composition, validation, the Scheduled wrapper, and
(where torch is installed) agreement with torch.optim.lr_scheduler over many steps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from descent import data, functions, nn, stochastic
from descent.optimizers import ALL, COCOB, SGD, Adam, AdamW, Momentum
from descent.schedules import (
    Constant,
    Cosine,
    Exponential,
    InverseTime,
    Linear,
    Product,
    Scheduled,
    StepDecay,
    Then,
    Warmup,
)
from descent.training import LeastSquares, fit, run

T = np.arange(1, 301)

# --------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("steps, floor", [(100, 0.0), (64, 0.1), (7, 0.5)])
def test_cosine_closed_forms(steps, floor):
    s = Cosine(steps, floor=floor)
    assert s(1) == 1.0
    assert s(steps + 1) == pytest.approx(floor, abs=1e-15)
    assert s(steps + 50) == pytest.approx(floor, abs=1e-15)  # stays at the floor
    if steps % 2 == 0:
        assert s(steps // 2 + 1) == pytest.approx((1 + floor) / 2, rel=1e-14)
    # a quarter of the way: floor + (1 - floor) (1 + cos(π/4)) / 2
    if steps % 4 == 0:
        expected = floor + (1 - floor) * (1 + math.sqrt(0.5)) / 2
        assert s(steps // 4 + 1) == pytest.approx(expected, rel=1e-14)
    values = s(np.arange(1, steps + 2))
    assert np.all(np.diff(values) < 0) and values.min() >= floor - 1e-15


def test_cosine_sum_is_half_the_steps_plus_a_half():
    """Σ_{t=1..T} ½(1 + cos(π(t−1)/T)) = (T + 1)/2, the identity the chapter uses."""
    for steps in (5, 10, 333):
        assert Cosine(steps)(np.arange(1, steps + 1)).sum() == pytest.approx((steps + 1) / 2)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.999])
def test_exponential_after_k_steps(gamma):
    s = Exponential(gamma)
    for k in (0, 1, 10, 137):
        assert s(k + 1) == pytest.approx(gamma**k, rel=1e-13)
    values = s(T)
    np.testing.assert_allclose(values[1:] / values[:-1], gamma, rtol=1e-12)


def test_step_decay_drops_exactly_after_every_k_updates():
    s = StepDecay(10, gamma=0.5)
    assert [s(t) for t in (1, 10, 11, 20, 21, 31)] == [1, 1, 0.5, 0.5, 0.25, 0.125]
    assert StepDecay(3)(4) == pytest.approx(0.1)  # torch's default γ


def test_inverse_time_halves_after_t0_and_gives_chapter_4s_step_sizes():
    s = InverseTime(50)
    assert s(1) == 1.0 and s(51) == 0.5 and s(101) == pytest.approx(1 / 3)
    assert InverseTime(50, power=0.5)(51) == pytest.approx(1 / math.sqrt(2))
    # η_t = η₀ / (1 + (t − 1)/t₀), the decay of Chapter 4
    np.testing.assert_allclose((0.3 * s)(T), 0.3 / (1 + (T - 1) / 50), rtol=1e-14)
    # and it drives stochastic.sgd: the steps of a hand loop with those step sizes
    problem = data.make_regression(n=64, d=3, seed=1)
    a = stochastic.sgd(problem, lr=0.3 * s, batch_size=8, epochs=3, keep_points=True)
    rng, w, t = np.random.default_rng(0), np.zeros(problem.dim), 0
    for _ in range(3):
        for idx in data.minibatches(problem.n, 8, rng):
            t += 1
            w = w - 0.3 / (1 + (t - 1) / 50) * problem.grad(w, idx)
            np.testing.assert_allclose(a.points[t], w, rtol=1e-12)
    np.testing.assert_allclose(a.lr, 0.3 / (1 + np.arange(24) / 50), rtol=1e-14)


def test_inverse_time_satisfies_robbins_monro_numerically():
    decay = InverseTime(1)  # 1/t
    t = np.arange(1, 10**6 + 1)
    partial = np.cumsum(decay(t))
    assert partial[-1] > partial[999] + 6  # grows like log t: no bound
    assert np.sum(decay(t) ** 2) < np.pi**2 / 6 + 1e-9  # Σ 1/t² converges


def test_linear_and_warmup():
    s = Linear(0.2, 1.0, 8)
    assert s(1) == pytest.approx(0.2) and s(9) == 1.0 and s(50) == 1.0
    assert s(5) == pytest.approx(0.6)
    assert Linear(1.0, 0.0, 4)(5) == 0.0  # a decay to zero works too
    w = Warmup(10)
    assert w(1) == pytest.approx(0.1) and w(10) == 1.0 and w(11) == 1.0
    np.testing.assert_allclose(w(np.arange(1, 11)), np.arange(1, 11) / 10)
    for steps in (2, 5, 37):
        np.testing.assert_allclose(Warmup(steps)(T), Linear(1 / steps, 1, steps - 1)(T))
    assert np.all(Warmup(1)(T) == 1.0)


def test_constant():
    assert np.all(Constant()(T) == 1.0) and Constant(0.25)(7) == 0.25


# --------------------------------------------------------------------------- composition


def test_product_and_scaling():
    a, b = Warmup(20), Exponential(0.99)
    np.testing.assert_allclose((a * b)(T), a(T) * b(T))
    np.testing.assert_allclose((0.1 * b)(T), 0.1 * b(T))
    np.testing.assert_allclose((b * 3)(T), 3 * b(T))
    assert isinstance(a * b, Product)
    assert repr(0.1 * Cosine(5)) == "0.1 * Cosine(steps=5, floor=0.0)"
    assert (a * Cosine(100)).length == 100 and (b * Constant()).length is None


def test_then_switches_and_restarts_the_second_schedule():
    s = Warmup(10).then(Cosine(90, floor=0.01))
    assert isinstance(s, Then) and s.after == 10 and s.length == 100
    np.testing.assert_allclose(s(np.arange(1, 11)), np.arange(1, 11) / 10)
    assert s(11) == 1.0  # the cosine's own t = 1
    assert s(56) == pytest.approx((1 + 0.01) / 2)  # cosine at its T/2 + 1
    assert s(101) == pytest.approx(0.01) and s(500) == pytest.approx(0.01)
    # an explicit switch point, and chains of three
    e = Exponential(0.5).then(Constant(0.125), after=3)
    assert [e(t) for t in (1, 2, 3, 4, 9)] == [1, 0.5, 0.25, 0.125, 0.125]
    three = Warmup(2).then(Constant()).then(Cosine(4), after=5)
    assert [three(t) for t in (1, 2, 5, 6, 10)] == pytest.approx([0.5, 1, 1, 1, 0])
    assert "then" in repr(s) and "after=10" in repr(s)


def test_vectorised_calls_match_scalar_calls():
    for s in (
        StepDecay(7, 0.3),
        Exponential(0.97),
        InverseTime(12, 0.7),
        Cosine(90, 0.05),
        Linear(0.1, 2.0, 33),
        Warmup(40).then(Cosine(200)),
        0.5 * Warmup(3) * Exponential(0.9),
    ):
        values = s(T)
        assert values.shape == T.shape and values.dtype == float
        assert isinstance(s(3), float)
        np.testing.assert_allclose(values, [s(int(t)) for t in T], rtol=1e-15)
        grid = s(T.reshape(20, 15))
        assert grid.shape == (20, 15)
    assert Constant()(np.array(5)) == 1.0 and isinstance(Constant()(np.int64(5)), float)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "t, error, text",
    [
        (0, ValueError, "from 1"),
        (np.array([3, 0, 2]), ValueError, "from 1"),
        (1.5, ValueError, "whole number"),
        (math.nan, ValueError, "whole number"),
        (True, TypeError, "update count"),
        ("3", TypeError, "update count"),
    ],
)
def test_bad_update_counts(t, error, text):
    with pytest.raises(error, match=text):
        Cosine(10)(t)


@pytest.mark.parametrize(
    "make, error, text",
    [
        (lambda: StepDecay(0), ValueError, "step_size"),
        (lambda: StepDecay(2.5), ValueError, "step_size"),
        (lambda: StepDecay(3, gamma=0), ValueError, "gamma"),
        (lambda: Exponential(-0.5), ValueError, "gamma"),
        (lambda: InverseTime(0), ValueError, "decay_steps"),
        (lambda: Cosine(0), ValueError, "steps"),
        (lambda: Cosine(10, floor=1.5), ValueError, "floor"),
        (lambda: Linear(0, 0, 5), ValueError, "both 0"),
        (lambda: Linear(-1, 1, 5), ValueError, "start"),
        (lambda: Warmup(True), ValueError, "steps"),
        (lambda: Constant(0), ValueError, "c must"),
        (lambda: 0 * Cosine(5), ValueError, "c must"),
        (lambda: Exponential(0.9).then(Cosine(5)), ValueError, "after="),
        (lambda: Warmup(5).then(Cosine(5), after=0), ValueError, "after"),
        (lambda: Warmup(5).then(lambda t: 1.0), TypeError, "Schedule"),
        (lambda: "a" * Cosine(5), TypeError, "unsupported operand|multiply sequence"),
    ],
)
def test_bad_arguments_are_named(make, error, text):
    with pytest.raises(error, match=text):
        make()


# --------------------------------------------------------------------------- Scheduled


def _quadratic_problem(seed=0):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(4, 4))
    return A @ A.T + np.eye(4), rng.normal(size=4)


def test_scheduled_sets_the_learning_rate_before_every_update():
    H, b = _quadratic_problem()
    schedule = Warmup(5).then(Cosine(20, floor=0.1))
    opt = Scheduled(Momentum(lr=0.05, momentum=0.8), schedule)
    assert opt.lr == 0.05 and opt.base_lr == 0.05 and opt.t == 0
    params = {"w": np.zeros(4)}
    seen, w, v = [], np.zeros(4), np.zeros(4)
    for t in range(1, 31):
        g = H @ params["w"] - b
        opt.update(params, {"w": g})
        seen.append(opt.lr)
        eta = 0.05 * schedule(t)  # a hand loop with the rate of update t
        v = 0.8 * v - eta * (H @ w - b)
        w = w + v
    np.testing.assert_allclose(seen, 0.05 * schedule(np.arange(1, 31)), rtol=1e-15)
    np.testing.assert_allclose(params["w"], w, rtol=1e-12)
    assert opt.t == 30 and "v" in opt.state["w"]
    np.testing.assert_allclose(opt.lr_at(np.array([1, 30])), 0.05 * schedule(np.array([1, 30])))


@pytest.mark.parametrize("name", [n for n, cls in ALL.items() if cls.has_lr])
def test_every_optimizer_with_a_learning_rate_can_be_scheduled(name):
    """A constant schedule changes nothing; a decaying one changes the iterates."""
    bowl = functions.rosenbrock
    plain = run(ALL[name](lr=1e-3), bowl, steps=40).points
    same = run(Scheduled(ALL[name](lr=1e-3), Constant()), bowl, steps=40).points
    decayed = run(Scheduled(ALL[name](lr=1e-3), Exponential(0.9)), bowl, steps=40).points
    np.testing.assert_array_equal(plain, same)
    assert not np.allclose(plain[-1], decayed[-1])


def test_cocob_cannot_be_scheduled():
    with pytest.raises(TypeError, match="COCOB has no learning rate"):
        Scheduled(COCOB(), Cosine(10))
    with pytest.raises(TypeError, match="optimizer"):
        Scheduled("Adam", Cosine(10))
    with pytest.raises(TypeError, match="schedule"):
        Scheduled(Adam(), 0.5)


def test_a_rejected_update_changes_nothing():
    opt = Scheduled(Adam(lr=0.1), Exponential(0.5))
    params = {"w": np.ones(3)}
    opt.update(params, {"w": np.ones(3)})
    before, lr, state = params["w"].copy(), opt.lr, opt.state_dict()
    with pytest.raises(FloatingPointError):
        opt.update(params, {"w": np.array([1.0, np.nan, 1.0])})
    with pytest.raises(ValueError, match="shape"):
        opt.update(params, {"w": np.ones(4)})
    np.testing.assert_array_equal(params["w"], before)
    assert opt.lr == lr and opt.t == 1
    np.testing.assert_array_equal(opt.state["w"]["m"], state["optimizer"]["state"]["w"]["m"])


def test_a_schedule_giving_a_bad_rate_is_refused():
    opt = Scheduled(SGD(lr=1.0), lambda t: -1.0 if t > 1 else 1.0)
    params = {"w": np.ones(2)}
    opt.update(params, {"w": np.ones(2)})
    with pytest.raises(ValueError, match="-1.0 at t = 2"):
        opt.update(params, {"w": np.ones(2)})
    assert opt.t == 1


def test_state_dict_resumes_bit_for_bit():
    H, b = _quadratic_problem(3)
    schedule = Warmup(4).then(Cosine(30, floor=0.05))

    def gradient(w):
        return H @ w - b + 0.01 * np.sin(w)

    def make():
        return Scheduled(AdamW(lr=0.2, weight_decay=0.1), schedule)

    straight, p1 = make(), {"w": np.ones(4)}
    for _ in range(25):
        straight.update(p1, {"w": gradient(p1["w"])})

    first, p2 = make(), {"w": np.ones(4)}
    for _ in range(11):
        first.update(p2, {"w": gradient(p2["w"])})
    saved, saved_w = first.state_dict(), p2["w"].copy()
    for _ in range(3):  # changes after saving must not leak into the saved state
        first.update(p2, {"w": gradient(p2["w"])})
    second, p3 = Scheduled(AdamW(lr=0.2, weight_decay=0.1), schedule), {"w": saved_w}
    second.load_state_dict(saved)
    for _ in range(14):
        second.update(p3, {"w": gradient(p3["w"])})
    np.testing.assert_array_equal(p3["w"], p1["w"])
    assert second.t == 25 and second.lr == straight.lr
    assert saved["type"] == "Scheduled" and "Cosine" in saved["schedule"]
    with pytest.raises(ValueError, match="not the state_dict of a Scheduled"):
        second.load_state_dict(saved["optimizer"])
    with pytest.raises(ValueError, match="belongs to 'AdamW'"):
        Scheduled(Adam(), schedule).load_state_dict(saved)


def test_scheduled_training_with_fit_is_seeded_and_warmup_tames_the_first_steps():
    digits = data.load_digits()
    subset = data.Dataset(digits.x_train[:256], digits.t_train[:256], None, None)

    def train(opt):
        return fit(nn.MLP(64, [16], 10, seed=0), opt, subset, epochs=2, batch_size=32, label="x")

    plain = train(Adam(lr=0.3))
    warm = train(Scheduled(Adam(lr=0.3), Warmup(16)))
    again = train(Scheduled(Adam(lr=0.3), Warmup(16)))
    np.testing.assert_array_equal(warm.loss, again.loss)
    assert warm.loss[:8].max() < plain.loss[:8].max()
    assert not np.array_equal(plain.loss, warm.loss)


def test_a_step_size_function_and_a_scheduled_optimizer_take_the_same_steps():
    """stochastic.sgd with η_t = 0.05 · s(t) (Chapter 4) and fit with
    Scheduled(SGD(lr=0.05), s) (any optimizer) take the same steps, bit for bit."""
    problem = data.make_regression(n=96, d=4, seed=2)
    a = stochastic.sgd(problem, lr=0.05 * InverseTime(20), batch_size=16, epochs=4, seed=5)
    b = fit(
        LeastSquares(problem),
        Scheduled(SGD(lr=0.05), InverseTime(20)),
        problem,
        batch_size=16,
        epochs=4,
        seed=5,
    )
    np.testing.assert_array_equal(b.final, a.final)
    np.testing.assert_array_equal(b.lr, a.lr)
    assert a.lr[-1] < 0.05 / 2  # it did decay: below half after 20 updates


# --------------------------------------------------------------------------- torch


def _torch_rates(torch, make_scheduler, steps, lr=0.5):
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr)
    scheduler = make_scheduler(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])  # the rate this update uses
        opt.step()
        scheduler.step()
    return np.array(rates)


@pytest.mark.parametrize(
    "name, steps",
    [("step", 250), ("exponential", 250), ("cosine", 201), ("linear", 250), ("sequential", 131)],
)
def test_schedules_match_torch_lr_scheduler(name, steps):
    torch = pytest.importorskip("torch")
    L = torch.optim.lr_scheduler
    cases = {
        "step": (lambda o: L.StepLR(o, step_size=7, gamma=0.5), StepDecay(7, 0.5)),
        "exponential": (lambda o: L.ExponentialLR(o, gamma=0.98), Exponential(0.98)),
        # torch's eta_min is a rate: floor · η = 0.1 · 0.5
        "cosine": (lambda o: L.CosineAnnealingLR(o, T_max=200, eta_min=0.05), Cosine(200, 0.1)),
        "linear": (lambda o: L.LinearLR(o, 0.1, 1.0, total_iters=30), Linear(0.1, 1.0, 30)),
        "sequential": (
            lambda o: L.SequentialLR(
                o, [L.LinearLR(o, 0.1, 1.0, total_iters=9), L.CosineAnnealingLR(o, 120)], [10]
            ),
            Linear(0.1, 1.0, 9).then(Cosine(120), after=10),
        ),
    }
    make, ours = cases[name]
    expected = _torch_rates(torch, make, steps)
    np.testing.assert_allclose(0.5 * ours(np.arange(1, steps + 1)), expected, rtol=1e-12, atol=0)


def test_scheduled_adam_matches_torch_adam_with_cosine_annealing():
    torch = pytest.importorskip("torch")
    H, b = _quadratic_problem(7)
    steps, w0 = 60, np.linspace(-1, 1, 4)
    p = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=0.1)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=0.001)
    Ht, bt = torch.tensor(H), torch.tensor(b)
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * p @ Ht @ p - bt @ p).backward()
        opt.step()
        scheduler.step()
    ours, params = Scheduled(Adam(lr=0.1), Cosine(steps, floor=0.01)), {"w": w0.copy()}
    for _ in range(steps):
        ours.update(params, {"w": H @ params["w"] - b})
    np.testing.assert_allclose(params["w"], p.detach().numpy(), rtol=1e-10, atol=1e-12)
