"""descent.data.make_sparse_regression (Chapter 8): exact frequencies, seeding, errors."""

import numpy as np
import pytest

from descent import data


def test_default_problem_shapes_and_exact_frequencies():
    p = data.make_sparse_regression()
    assert p.X.shape == (2000, 41) and p.y.shape == (2000,) and p.dim == 41
    assert np.all(p.X[:, 0] == 1.0) and set(np.unique(p.X)) == {0.0, 1.0}
    counts = p.X[:, 1:].sum(axis=0)
    np.testing.assert_array_equal(counts, np.round(np.geomspace(0.5, 0.002, 40) * 2000))
    np.testing.assert_allclose(p.frequencies, p.X.mean(axis=0))
    assert counts[0] == 1000 and counts[-1] == 4
    # the Hessian's diagonal is the frequencies: rare features are flat directions
    np.testing.assert_allclose(np.diag(p.hessian()), p.frequencies)


def test_seeded_and_noise_controls_the_optimum():
    a, b = data.make_sparse_regression(seed=3), data.make_sparse_regression(seed=3)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, data.make_sparse_regression(seed=4).X)
    exact = data.make_sparse_regression(noise=0.0, seed=3)
    np.testing.assert_allclose(exact.w_star, exact.w_true, atol=1e-9)
    assert exact.f_star < 1e-20 < a.f_star


def test_custom_frequencies_and_at_least_one_occurrence():
    p = data.make_sparse_regression(n=100, frequencies=[1.0, 0.3, 1e-4])
    np.testing.assert_array_equal(p.X[:, 1:].sum(axis=0), [100, 30, 1])
    np.testing.assert_allclose(p.frequencies, [1.0, 1.0, 0.3, 0.01])


@pytest.mark.parametrize(
    "kwargs",
    [dict(frequencies=[0.5, 0.0]), dict(frequencies=[1.5]), dict(frequencies=[]), dict(n=1)],
)
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        data.make_sparse_regression(**kwargs)
