"""descent.adaptive: the measured per-coordinate learning rate."""

import numpy as np
import pytest

from descent import adaptive, functions
from descent.optimizers import SGD, AdaGrad, RMSProp
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
