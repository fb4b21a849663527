"""The unified loop ``training.fit`` reproduces the old loops bit for bit (temporary)."""

import warnings

import numpy as np
import pytest

from descent import adaptive, data, stochastic, training
from descent.optimizers import SGD, AdaGrad, Adam
from descent.schedules import InverseTime, Scheduled


@pytest.fixture(scope="module")
def problem():
    return data.make_regression(n=61, d=4, noise=0.5, seed=1)


SGD_CASES = [
    dict(lr=0.05, batch_size=7, epochs=3, seed=3),
    dict(lr=0.05, batch_size=1, epochs=2, seed=5, start=np.ones(4)),
    dict(lr=0.05, batch_size=8, steps=25, seed=0),
    dict(lr=0.05, batch_size=7, epochs=3, seed=1, replacement=True),
    dict(lr=0.05, batch_size=3, steps=50, seed=1, replacement=True),
    dict(lr=0.05, batch_size=1, epochs=2, shuffle=False),
    dict(lr=0.1, batch_size=61, steps=30),
    dict(lr=50.0, batch_size=61, steps=500),
    dict(lr=4.0, batch_size=2, epochs=5, seed=2, bound=1e3),
    dict(lr="decay", batch_size=1, epochs=3, seed=2),
    dict(lr="product", batch_size=5, steps=40, seed=4),
]


@pytest.mark.parametrize("case", SGD_CASES)
def test_fit_reproduces_stochastic_sgd(problem, case):
    case = dict(case)
    if case["lr"] == "decay":
        case["lr"] = stochastic.InverseTimeDecay(0.05, 30)
    elif case["lr"] == "product":
        case["lr"] = 0.05 * InverseTime(30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        old = stochastic.sgd(problem, keep_points=True, **case)
    lr = case.pop("lr")
    opt = Scheduled(SGD(lr=1.0), lr) if callable(lr) else SGD(lr=lr)
    start = case.pop("start", None)
    case.setdefault("bound", 1e6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = training.fit(
            training.LeastSquares(problem, start), opt, problem, keep_points=True, **case
        )
    np.testing.assert_array_equal(new.points, old.points)
    np.testing.assert_array_equal(new.suboptimality, old.suboptimality)
    np.testing.assert_array_equal(new.lr, old.lr)
    np.testing.assert_array_equal(new.examples, old.examples)
    np.testing.assert_array_equal(new.passes, old.epochs)
    assert new.diverged_at == old.diverged_at
    assert new.tail_mean(0.5) == (np.inf if old.diverged else old.tail_mean(0.5))


MINIBATCH_CASES = [
    (SGD, dict(lr=0.05), dict(batch_size=8, epochs=3, seed=5)),
    (AdaGrad, dict(lr=0.3), dict(batch_size=10, epochs=2, start=np.ones(4))),
    (Adam, dict(lr=0.1), dict(batch_size=4, epochs=4, seed=1)),
    (SGD, dict(lr=50.0), dict(batch_size=61, epochs=50)),
    (SGD, dict(lr=3.0), dict(batch_size=3, epochs=20, seed=2, bound=10.0)),
]


@pytest.mark.parametrize("make, hyper, case", MINIBATCH_CASES)
def test_fit_reproduces_adaptive_minibatch_run(problem, make, hyper, case):
    case = dict(case)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        old = adaptive.minibatch_run(problem, make(**hyper), **case)
    start = case.pop("start", None)
    case.setdefault("bound", 1e6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = training.fit(training.LeastSquares(problem, start), make(**hyper), problem, **case)
    np.testing.assert_array_equal(new.final, old.weights)
    np.testing.assert_allclose(new.suboptimality, old.suboptimality, rtol=1e-13, atol=1e-300)
    assert new.diverged_at == old.diverged_at and new.label == old.label
    assert new.tail_mean(last=20) == pytest.approx(old.tail_mean(20), rel=1e-13)
    assert new.steps == old.steps
