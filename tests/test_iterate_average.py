"""descent.coin_betting.IterateAverage: the same updates as the wrapped optimizer, and the
mean of the iterates at which the gradients were taken, computed here by hand."""

from __future__ import annotations

import numpy as np
import pytest

from descent.coin_betting import IterateAverage
from descent.optimizers import COCOB, SGD


def test_it_makes_the_wrapped_optimizers_updates_and_averages_the_iterates():
    rng = np.random.default_rng(3)
    plain, wrapped = COCOB(), IterateAverage(COCOB(), every=4)
    p_plain = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    p_wrapped = {k: a.copy() for k, a in p_plain.items()}
    seen = {k: [] for k in p_plain}
    for _ in range(12):
        grads = {k: rng.normal(size=a.shape) for k, a in p_plain.items()}
        for k, a in p_wrapped.items():
            seen[k].append(a.copy())  # θₜ, where the gradient is taken
        plain.update(p_plain, grads)
        wrapped.update(p_wrapped, grads)
    for k in p_plain:
        np.testing.assert_array_equal(p_wrapped[k], p_plain[k])
        np.testing.assert_allclose(wrapped.average[k], np.mean(seen[k], axis=0), rtol=1e-12)
        np.testing.assert_allclose(
            wrapped.snapshots[1][k], np.mean(seen[k][:8], axis=0), rtol=1e-12
        )
    assert len(wrapped.snapshots) == 3 and wrapped.count == 12
    assert wrapped.t == 12 and set(wrapped.state) == {"W", "b"}  # the optimizer's


def test_the_average_of_a_fixed_sequence_is_its_mean():
    opt, w = IterateAverage(SGD(lr=1.0)), {"w": np.zeros(1)}
    for _ in range(4):
        opt.update(w, {"w": -np.ones(1)})  # iterates 0, 1, 2, 3
    assert opt.average["w"][0] == pytest.approx(1.5)
    assert w["w"][0] == 4.0 and opt.snapshots == []


def test_bad_input_changes_nothing():
    opt, w = IterateAverage(SGD(lr=0.1)), {"w": np.ones(2)}
    with pytest.raises(ValueError):
        opt.update(w, {"w": np.ones(3)})
    assert opt.count == 0 and opt.average == {}
    with pytest.raises(ValueError):
        IterateAverage(SGD(lr=0.1), every=0)
