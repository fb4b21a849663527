"""descent.adaptive: the measured per-coordinate learning rate, and mini-batch runs."""

import warnings

import numpy as np
import pytest

from descent import adaptive, data, functions
from descent.optimizers import SGD, AdaGrad, RMSProp
from descent.stochastic import sgd
from descent.training import run

bowl = functions.bowl


def test_effective_lr_of_sgd_is_the_learning_rate():
    traj = run(SGD(lr=0.3), bowl, bowl.start, steps=20)
    lr = adaptive.effective_lr(traj, bowl)
    assert lr.shape == (20, 2)
    np.testing.assert_allclose(lr, 0.3, rtol=1e-9)


def test_effective_lr_of_adagrad_and_rmsprop_follows_their_accumulators():
    for opt, kind in ((AdaGrad(lr=1.5, eps=1e-10), "h"), (RMSProp(lr=0.1, rho=0.9), "s")):
        traj = run(opt, functions.cliff, functions.cliff.start, steps=50)
        g = functions.cliff.grad(traj.points[:-1].T).T
        if kind == "h":
            acc = np.cumsum(g**2, axis=0)
        else:
            acc = np.zeros_like(g)
            for t in range(len(g)):
                acc[t] = 0.9 * (acc[t - 1] if t else 0.0) + 0.1 * g[t] ** 2
        expected = opt.lr / (np.sqrt(acc) + opt.eps)
        np.testing.assert_allclose(
            adaptive.effective_lr(traj, functions.cliff), expected, rtol=1e-7
        )


def test_effective_lr_is_nan_where_the_gradient_is_zero_and_needs_a_step():
    traj = run(SGD(lr=0.5), bowl, [3.0, 0.0], steps=3)  # y-gradient exactly 0
    lr = adaptive.effective_lr(traj, bowl)
    assert np.all(np.isnan(lr[:, 1])) and np.allclose(lr[:, 0], 0.5)
    with pytest.raises(ValueError, match="at least one step"):
        adaptive.effective_lr(run(SGD(lr=0.5), bowl, bowl.start, steps=0), bowl)


def test_minibatch_run_with_sgd_matches_descent_stochastic():
    problem = data.make_regression(n=120, d=4, seed=2)
    mine = adaptive.minibatch_run(problem, SGD(lr=0.05), batch_size=8, epochs=3, seed=5)
    theirs = sgd(problem, lr=0.05, batch_size=8, epochs=3, seed=5)
    assert mine.steps == 3 * 15 and not mine.diverged
    np.testing.assert_allclose(mine.suboptimality, theirs.suboptimality, rtol=1e-10, atol=1e-14)
    assert mine.suboptimality[-1] < 0.02 * mine.suboptimality[0]
    assert mine.label == "SGD (η=0.05)" and "B=8" in repr(mine)


def test_minibatch_run_is_seeded_and_leaves_start_alone():
    problem = data.make_sparse_regression(n=300, seed=1)
    start = np.ones(problem.dim)
    a = adaptive.minibatch_run(problem, AdaGrad(lr=0.3), batch_size=10, epochs=2, start=start)
    b = adaptive.minibatch_run(problem, AdaGrad(lr=0.3), batch_size=10, epochs=2, start=start)
    np.testing.assert_array_equal(a.suboptimality, b.suboptimality)
    assert np.all(start == 1.0)
    c = adaptive.minibatch_run(problem, AdaGrad(lr=0.3), batch_size=10, epochs=2, seed=1)
    assert not np.array_equal(a.suboptimality[1:], c.suboptimality[1:])
    assert a.tail_mean(5) == pytest.approx(np.mean(a.suboptimality[-5:]))


def test_a_diverging_run_stops_quietly_and_keeps_the_last_good_iterate():
    problem = data.make_regression(n=100, d=3, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = adaptive.minibatch_run(problem, SGD(lr=50.0), batch_size=100, epochs=50)
    assert r.diverged and r.diverged_at == r.steps + 1 and r.tail_mean() == np.inf
    assert np.all(np.isfinite(r.weights)) and np.linalg.norm(r.weights - problem.w_star) <= 1e6
    assert "diverged at update" in repr(r)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(batch_size=0, epochs=1), ValueError),
        (dict(batch_size=4, epochs=0), ValueError),
        (dict(batch_size=4, epochs=1, start=[0.0]), ValueError),
    ],
)
def test_bad_arguments_are_refused(kwargs, error):
    with pytest.raises(error):
        adaptive.minibatch_run(data.make_regression(n=20, d=3), SGD(lr=0.1), **kwargs)
    with pytest.raises(TypeError, match="RegressionProblem"):
        adaptive.minibatch_run(bowl, SGD(lr=0.1), batch_size=4, epochs=1)
