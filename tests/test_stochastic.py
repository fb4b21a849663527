"""descent.stochastic: mini-batch runs, step-size decay, gradient noise and the noise floor."""

import math
import warnings

import numpy as np
import pytest

from descent import data, functions, stochastic
from descent.schedules import InverseTime


@pytest.fixture(scope="module")
def problem():
    return data.make_regression(n=60, d=3, noise=0.5, seed=1)


@pytest.fixture(scope="module")
def diabetes():
    return data.load_diabetes_regression()


# --------------------------------------------------------------------------- sgd


def test_full_batch_run_is_gradient_descent(problem):
    run = stochastic.sgd(problem, lr=0.1, batch_size=problem.n, steps=25, keep_points=True)
    w = np.zeros(problem.dim)
    for t in range(1, 26):
        w = w - 0.1 * problem.grad(w)
        np.testing.assert_allclose(run.points[t], w, rtol=1e-12, atol=1e-14)
    assert run.points.shape == (26, problem.dim) and len(run.lr) == 25
    np.testing.assert_array_equal(run.examples, problem.n * np.arange(26))
    np.testing.assert_array_equal(run.passes, np.arange(26))


def test_run_follows_data_minibatches_and_the_problems_gradient(problem):
    run = stochastic.sgd(problem, lr=0.05, batch_size=7, epochs=2, seed=3, keep_points=True)
    rng, w, t = np.random.default_rng(3), np.zeros(problem.dim), 0
    for _ in range(2):
        for idx in data.minibatches(problem.n, 7, rng):
            w = w - 0.05 * problem.grad(w, idx)
            t += 1
            np.testing.assert_allclose(run.points[t], w, rtol=1e-12, atol=1e-14)
    assert t == 2 * math.ceil(60 / 7) == run.updates[-1]
    assert run.examples[-1] == 120 and run.passes[-1] == 2.0


def test_suboptimality_is_the_loss_gap(problem):
    run = stochastic.sgd(problem, lr=0.05, batch_size=4, steps=30, seed=0, keep_points=True)
    gaps = [problem.loss(w) - problem.f_star for w in run.points]
    np.testing.assert_allclose(run.suboptimality, gaps, rtol=1e-9, atol=1e-13)
    assert np.all(run.suboptimality >= 0)


def test_seeds_make_runs_reproducible_and_different(problem):
    a = stochastic.sgd(problem, lr=0.05, batch_size=1, epochs=1, seed=5)
    b = stochastic.sgd(problem, lr=0.05, batch_size=1, epochs=1, seed=5)
    c = stochastic.sgd(problem, lr=0.05, batch_size=1, epochs=1, seed=6)
    np.testing.assert_array_equal(a.suboptimality, b.suboptimality)
    assert not np.array_equal(a.suboptimality, c.suboptimality)


def test_with_replacement_epochs_have_n_over_b_batches(problem):
    run = stochastic.sgd(problem, lr=0.05, batch_size=7, epochs=3, replacement=True)
    assert run.updates[-1] == 3 * (60 // 7) and run.examples[-1] == 3 * (60 // 7) * 7


def test_steps_can_stop_inside_an_epoch(problem):
    run = stochastic.sgd(problem, lr=0.05, batch_size=8, steps=10)
    assert run.updates[-1] == 10 and run.examples[-1] == 7 * 8 + 4 + 2 * 8  # 60 = 7·8 + 4


def test_time_is_cumulative_and_start_is_not_modified(problem):
    start = np.ones(problem.dim)
    run = stochastic.sgd(problem, lr=0.05, batch_size=5, epochs=1, start=start)
    np.testing.assert_array_equal(start, 1.0)
    assert run.time.shape == (run.steps,) and np.all(np.diff(run.time) >= 0) and run.time[-1] > 0


def test_schedule_gives_the_step_sizes(problem):
    run = stochastic.sgd(problem, lr=0.1 * InverseTime(10), batch_size=6, steps=30)
    np.testing.assert_allclose(run.lr, 0.1 / (1 + np.arange(30) / 10))
    assert run.lr[0] == 0.1 and np.isclose(run.lr[10], 0.05)


def test_divergence_stops_quietly(problem):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = stochastic.sgd(problem, lr=50.0, batch_size=problem.n, steps=500)
    assert run.diverged and 1 < run.diverged_at < 500
    assert len(run.suboptimality) == run.diverged_at and np.all(np.isfinite(run.suboptimality))
    assert "diverged at step" in repr(run) and run.tail_mean() == math.inf
    assert not stochastic.sgd(problem, lr=0.05, batch_size=4, steps=5).diverged


def test_tail_mean(problem):
    run = stochastic.sgd(problem, lr=0.05, batch_size=4, steps=9)
    assert run.tail_mean(1.0) == pytest.approx(run.suboptimality.mean())
    assert run.tail_mean(0.2) == pytest.approx(run.suboptimality[-2:].mean())
    with pytest.raises(ValueError, match="fraction"):
        run.tail_mean(0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(lr=0.1, batch_size=0, steps=1), "batch_size"),
        (dict(lr=0.1, batch_size=2.5, steps=1), "batch_size"),
        (dict(lr=0.1, batch_size=True, steps=1), "batch_size"),
        (dict(lr=-0.1, batch_size=2, steps=1), "lr"),
        (dict(lr=0.1, batch_size=2), "exactly one"),
        (dict(lr=0.1, batch_size=2, steps=3, epochs=1), "exactly one"),
        (dict(lr=0.1, batch_size=2, steps=-1), "steps"),
        (dict(lr=0.1, batch_size=2, epochs=1.5), "epochs"),
        (dict(lr=0.1, batch_size=2, steps=1, start=[0.0]), "start"),
    ],
)
@pytest.mark.parametrize("fast", [False, True])
def test_bad_arguments_are_refused(problem, kwargs, match, fast):
    with pytest.raises(ValueError, match=match):
        stochastic.sgd(problem, fast=fast, **kwargs)


FAST_RUNS = [
    dict(lr=0.05, batch_size=7, epochs=3, seed=3),
    dict(lr=0.05, batch_size=1, steps=500, seed=0, replacement=True),
    dict(lr=0.05, batch_size=8, steps=37, shuffle=False, start=np.ones(3)),
    dict(lr=0.1, batch_size=60, steps=200, seed=2),  # full batch, a new order every step
    dict(lr=0.1, batch_size=100, steps=50, seed=2, replacement=True),
    dict(lr=50.0, batch_size=60, steps=500),  # diverges
    dict(lr=1.5, batch_size=2, steps=3000, seed=4, replacement=True, bound=1e3),  # diverges
]


@pytest.mark.parametrize("kwargs", FAST_RUNS)
@pytest.mark.parametrize("keep_points", [False, True])
def test_fast_run_is_fits_run_bit_for_bit(problem, kwargs, keep_points):
    slow = stochastic.sgd(problem, keep_points=keep_points, **kwargs)
    fast = stochastic.sgd(problem, keep_points=keep_points, fast=True, **kwargs)
    for name in ("loss", "lr", "examples", "final", "suboptimality"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)
    if keep_points:
        np.testing.assert_array_equal(fast.points, slow.points)
    else:
        assert fast.points is None
    assert fast.diverged_at == slow.diverged_at and fast.label == slow.label
    assert (fast.n, fast.batch_size, fast.epochs) == (slow.n, slow.batch_size, slow.epochs)
    assert fast.time.shape == slow.time.shape and np.all(np.diff(fast.time) >= 0)


def test_fast_runs_of_chapter_4s_explorer_are_fits_runs(diabetes):
    plane = stochastic.weight_plane(diabetes, 5, 6)  # the chapter's two weights
    start = plane.w_star + [2.5, -1.0]
    for batch_size in (1, 16, 256, plane.n):
        for lr, replacement in ((0.2, False), (0.9, True), (0.03, True)):
            kwargs = dict(lr=lr, batch_size=batch_size, steps=2000, replacement=replacement)
            slow = stochastic.sgd(plane, start=start, keep_points=True, **kwargs)
            fast = stochastic.sgd(plane, start=start, keep_points=True, fast=True, **kwargs)
            np.testing.assert_array_equal(fast.points, slow.points)
            np.testing.assert_array_equal(fast.suboptimality, slow.suboptimality)
            assert fast.diverged_at == slow.diverged_at


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("lr", [0.05, 20.0])  # 20 diverges
def test_fast_run_draws_the_random_numbers_fit_draws(problem, replacement, lr):
    generators = [np.random.default_rng(7), np.random.default_rng(7)]
    runs = [
        stochastic.sgd(
            problem,
            lr=lr,
            batch_size=7,
            steps=40,
            seed=rng,
            fast=fast,
            replacement=replacement,
            keep_points=True,
        )
        for rng, fast in zip(generators, (False, True), strict=True)
    ]
    np.testing.assert_array_equal(runs[0].points, runs[1].points)
    assert runs[0].diverged_at == runs[1].diverged_at and runs[0].diverged == (lr > 1)
    assert generators[0].integers(1 << 30) == generators[1].integers(1 << 30)


def test_fast_runs_keep_the_batches_of_an_integer_seed(problem, monkeypatch):
    kwargs = dict(batch_size=7, steps=30, seed=11, replacement=True, keep_points=True)
    stochastic._drawn_epochs.cache_clear()
    first = stochastic.sgd(problem, lr=0.05, fast=True, **kwargs)
    second = stochastic.sgd(problem, lr=0.02, fast=True, **kwargs)  # another η, same batches
    info = stochastic._drawn_epochs.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    np.testing.assert_array_equal(first.examples, second.examples)
    slow = stochastic.sgd(problem, lr=0.02, **kwargs)
    np.testing.assert_array_equal(second.points, slow.points)
    # a run with more indices than are kept draws them epoch by epoch: the same run
    monkeypatch.setattr(stochastic, "_KEPT_INDICES", 100)
    third = stochastic.sgd(problem, lr=0.02, fast=True, **kwargs)
    assert stochastic._drawn_epochs.cache_info() == info
    np.testing.assert_array_equal(third.points, slow.points)


def test_fast_run_needs_a_constant_lr(problem):
    with pytest.raises(ValueError, match="constant lr"):
        stochastic.sgd(problem, lr=0.1 * InverseTime(10), batch_size=6, steps=3, fast=True)


def test_only_regression_problems(problem):
    with pytest.raises(TypeError, match="RegressionProblem"):
        stochastic.sgd(functions.bowl, lr=0.1, batch_size=1, steps=1)


# --------------------------------------------------------------------------- gradient noise


def test_gradient_covariance_from_the_per_example_gradients(problem):
    w = np.array([0.3, -1.0, 2.0])
    G = np.array([problem.grad(w, [i]) for i in range(problem.n)])
    expected = np.cov(G.T, bias=True)
    np.testing.assert_allclose(stochastic.gradient_covariance(problem, w), expected, atol=1e-12)
    at_star = stochastic.gradient_covariance(problem)
    G = np.array([problem.grad(problem.w_star, [i]) for i in range(problem.n)])
    np.testing.assert_allclose(at_star, G.T @ G / problem.n, atol=1e-12)


def test_minibatch_variance_matches_sampling(problem):
    rng = np.random.default_rng(0)
    w = np.zeros(problem.dim)
    G = np.array([problem.grad(w, [i]) for i in range(problem.n)])  # per-example gradients
    full = problem.grad(w)
    # B = 1: the mean over all N examples is exactly the trace of Σ
    exact = np.mean(np.sum((G - full) ** 2, axis=1))
    assert stochastic.minibatch_variance(problem, 1, w=w) == pytest.approx(exact, rel=1e-12)
    for replacement in (True, False):
        for B in (2, 5, 30):
            if replacement:
                idx = rng.integers(0, problem.n, size=(100_000, B))
            else:
                idx = np.argsort(rng.random((100_000, problem.n)), axis=1)[:, :B]
            measured = np.mean(np.sum((G[idx].mean(axis=1) - full) ** 2, axis=1))
            predicted = stochastic.minibatch_variance(problem, B, replacement, w=w)
            assert measured == pytest.approx(predicted, rel=0.03), (replacement, B)
    assert stochastic.minibatch_variance(problem, problem.n, replacement=False) == 0
    with pytest.raises(ValueError, match="batch_size"):
        stochastic.minibatch_variance(problem, problem.n + 1)


# --------------------------------------------------------------------------- the noise floor


def test_noise_floor_small_step_limit(diabetes):
    trace = np.trace(stochastic.gradient_covariance(diabetes))
    for B in (1, 8):
        assert stochastic.noise_floor(diabetes, 1e-4, B) == pytest.approx(
            1e-4 * trace / (4 * B), rel=2e-3
        )


def test_noise_floor_of_a_one_dimensional_mean():
    # f_i(θ) = ½(θ − a_i)²: θ ← (1 − η)θ + η a_i, and E[(θ − ā)²] = η σ² / (2 − η)
    a = np.random.default_rng(2).normal(size=50)
    problem = data.RegressionProblem(np.ones((50, 1)), a)
    sigma2, lr = a.var(), 0.3
    assert stochastic.noise_floor(problem, lr, 1) == pytest.approx(
        0.5 * lr * sigma2 / (2 - lr), rel=1e-10
    )
    # batches of B drawn with replacement: the noise variance is σ²/B
    assert stochastic.noise_floor(problem, lr, 4) == pytest.approx(
        0.5 * lr * sigma2 / 4 / (2 - lr), rel=1e-10
    )
    assert stochastic.max_stable_lr(problem, 1) == pytest.approx(2.0)


def test_noise_floor_matches_many_simulated_chains():
    problem = data.make_regression(n=40, d=2, noise=1.0, seed=3)
    lr, chains, rng = 0.2, 4000, np.random.default_rng(1)
    W = np.tile(problem.w_star, (chains, 1))
    H = problem.hessian()
    values = []
    for t in range(400):
        idx = rng.integers(0, problem.n, size=chains)
        Xb = problem.X[idx]
        W -= lr * (np.einsum("ij,ij->i", Xb, W) - problem.y[idx])[:, None] * Xb
        if t >= 200:
            E = W - problem.w_star
            values.append(0.5 * np.mean(np.einsum("ij,jk,ik->i", E, H, E)))
    assert np.mean(values) == pytest.approx(stochastic.noise_floor(problem, lr, 1), rel=0.05)


def test_max_stable_lr(diabetes):
    lrs = [stochastic.max_stable_lr(diabetes, B) for B in (1, 2, 8, 64, 10**6)]
    assert all(a < b for a, b in zip(lrs, lrs[1:], strict=False))  # grows with B
    assert lrs[-1] == pytest.approx(2 / diabetes.eigenvalues[-1], rel=1e-5)  # → 2/λ_max
    assert math.isinf(stochastic.noise_floor(diabetes, 1.01 * lrs[0], 1))
    assert math.isfinite(stochastic.noise_floor(diabetes, 0.99 * lrs[0], 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        unstable = stochastic.sgd(
            diabetes, lr=1.3 * lrs[0], batch_size=1, epochs=60, replacement=True
        )
    assert unstable.diverged


# --------------------------------------------------------------------------- the 2-D slice


def test_weight_plane_is_a_slice_through_the_optimum(diabetes):
    plane = stochastic.weight_plane(diabetes, 5, 6)
    np.testing.assert_allclose(plane.w_star, diabetes.w_star[[5, 6]], rtol=1e-10)
    assert plane.f_star == pytest.approx(diabetes.f_star, rel=1e-12)
    w = diabetes.w_star.copy()
    w[[5, 6]] = [0.3, -1.2]
    assert plane.loss(np.array([0.3, -1.2])) == pytest.approx(diabetes.loss(w), rel=1e-12)
    with pytest.raises(ValueError):
        stochastic.weight_plane(diabetes, 5, 5)


def test_as_quadratic_has_the_same_minimum_and_contours(diabetes):
    plane = stochastic.weight_plane(diabetes, 5, 6)
    f = stochastic.as_quadratic(plane, window=((-3, 2), (-2, 3)))
    np.testing.assert_allclose(f.minima[0], plane.w_star, rtol=1e-10)
    points = np.random.default_rng(0).normal(size=(2, 5))
    offset = 0.5 * np.mean(plane.y**2)
    np.testing.assert_allclose(f(points) + offset, [plane.loss(p) for p in points.T], rtol=1e-10)
    assert f.window == ((-3, 2), (-2, 3)) and f.dim == 2
