"""descent.online: Reddi, Kale & Kumar's counterexample, where Adam goes to the wrong end."""

import numpy as np
import pytest

from descent.online import reddi_gradient, run_online
from descent.optimizers import SGD, Adam


def test_gradients_and_the_best_point():
    g = [reddi_gradient(t, 3.0) for t in range(1, 7)]
    assert g == [3.0, -1.0, -1.0, 3.0, -1.0, -1.0]
    assert sum(g) > 0  # the sum of the losses is (C − 2) x per period: best at x = −1


def test_adam_drifts_to_the_wrong_end_and_amsgrad_does_not():
    C = 3.0
    beta2 = 1 / (1 + C**2)
    adam = run_online(Adam(lr=0.5, beta1=0.0, beta2=beta2), 3000, C=C)
    ams = run_online(Adam(lr=0.5, beta1=0.0, beta2=beta2, amsgrad=True), 3000, C=C)
    assert adam.label == "Adam" and ams.label == "AMSGrad"
    assert np.all(adam.points[-300:, 0] > 0.95)
    assert np.all(ams.points[-300:, 0] < -0.95)
    assert abs(adam.regret[-1] - 2 * (C - 2) / 3) < 0.02  # the average regret stays put
    assert ams.regret[-1] < 0.02 and ams.regret[-1] < ams.regret[299] / 3  # falls to 0


def test_sgd_and_default_adam_solve_it():
    assert np.all(run_online(SGD(lr=0.5), 600).points[-300:, 0] < -0.9)
    assert np.all(run_online(Adam(lr=0.5), 3000).points[-300:, 0] < -0.99)


def test_regret_is_computed_from_the_points_played():
    run = run_online(SGD(lr=0.1), 30, decay=False)
    played = run.points[:-1, 0]
    g = np.array([reddi_gradient(t) for t in range(1, 31)])
    best = np.minimum(-np.cumsum(g), np.cumsum(g))  # min over x in [−1, 1] of x Σ g
    np.testing.assert_allclose(run.regret, (np.cumsum(g * played) - best) / np.arange(1, 31))


def test_the_points_are_projected_sgd_with_steps_lr_over_root_t_by_hand():
    run = run_online(SGD(lr=0.3), 60, C=5.0, x0=0.25, bounds=(-0.5, 1.0))
    x = [0.25]
    for t in range(1, 61):
        x.append(min(max(x[-1] - 0.3 / np.sqrt(t) * reddi_gradient(t, 5.0), -0.5), 1.0))
    np.testing.assert_array_equal(run.points[:, 0], x)  # bit for bit
    np.testing.assert_array_equal(
        run.loss, [reddi_gradient(t, 5.0) * x[t - 1] for t in range(1, 61)]
    )
    assert min(x) == -0.5 and run.steps == 60  # the projection acted


def test_learning_rate_is_restored_and_inputs_checked():
    opt = Adam(lr=0.3)
    run_online(opt, 10)
    assert opt.lr == 0.3
    with pytest.raises(ValueError, match="steps"):
        run_online(opt, 0)
    with pytest.raises(ValueError, match="x0"):
        run_online(opt, 5, x0=2.0)
    assert "final x" in repr(run_online(opt, 5))
