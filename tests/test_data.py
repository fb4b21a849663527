"""Tests of descent.data: shapes, ranges, seeds, the least-squares optimum and mini-batches."""

import subprocess
import sys

import numpy as np
import pytest

from descent import data
from descent.gradients import numerical_gradient, relative_error


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


@pytest.fixture(scope="module")
def diabetes():
    return data.load_diabetes_regression()


def test_light_modules_do_not_import_sklearn_or_matplotlib():
    code = (
        "import sys, descent.functions, descent.gradients, descent.nn, descent.data\n"
        "heavy = [m for m in ('sklearn', 'matplotlib', 'scipy') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- digits


def test_diabetes_features_are_scikit_learns_bit_for_bit():
    from sklearn.datasets import load_diabetes

    reference = load_diabetes()
    problem = data.load_diabetes_regression(seed=0)
    order = np.random.default_rng(0).permutation(442)
    np.testing.assert_array_equal(
        problem.X[:, 1:], data._design_matrix(reference.data[order])[:, 1:]
    )
    np.testing.assert_array_equal(
        problem.y, reference.target[order] / reference.target[order].std()
    )


def test_digits_are_scikit_learns_digits_bit_for_bit():
    from sklearn.datasets import load_digits

    reference = load_digits()
    table = data._sklearn_csv("digits.csv.gz", delimiter=",")
    np.testing.assert_array_equal(table[:, :-1], reference.data)
    np.testing.assert_array_equal(table[:, -1].astype(np.int64), reference.target)
    split = data.load_digits()
    train, test = data.train_test_split(reference.target, 0.25, 0, True)
    np.testing.assert_array_equal(split.x_train, reference.data[train] / 16.0)
    np.testing.assert_array_equal(split.t_test, reference.target[test])


def test_digits_shapes_dtypes_and_ranges(digits):
    assert digits.x_train.shape == (1347, 64) and digits.x_test.shape == (450, 64)
    assert digits.t_train.shape == (1347,) and digits.t_test.shape == (450,)
    assert digits.x_train.dtype == np.float64 and digits.t_train.dtype == np.int64
    for x in (digits.x_train, digits.x_test):
        assert x.min() == 0.0 and x.max() == 1.0
    assert set(np.unique(digits.t_train)) == set(range(10)) == set(np.unique(digits.t_test))
    assert digits.n_classes == 10 and digits.n_features == 64
    assert "1347 train" in repr(digits)


def test_digits_split_is_stratified_and_disjoint(digits):
    counts_train, counts_test = np.bincount(digits.t_train), np.bincount(digits.t_test)
    np.testing.assert_allclose(counts_test / (counts_train + counts_test), 0.25, atol=0.01)
    train_rows = {row.tobytes() for row in digits.x_train}
    overlap = sum(row.tobytes() in train_rows for row in digits.x_test)
    assert overlap <= 2  # the raw data holds a handful of duplicate images, no more


def test_digits_split_is_seeded(digits):
    again = data.load_digits(seed=0)
    other = data.load_digits(seed=1)
    np.testing.assert_array_equal(digits.x_train, again.x_train)
    np.testing.assert_array_equal(digits.t_test, again.t_test)
    assert not np.array_equal(digits.t_train, other.t_train)


def test_train_test_split_indices():
    labels = np.repeat([0, 1, 2], [10, 20, 30])
    for stratify in (True, False):
        train, test = data.train_test_split(labels, 0.3, seed=5, stratify=stratify)
        np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(60))
        assert len(test) == 18
    _, test = data.train_test_split(labels, 0.3, seed=5)
    np.testing.assert_array_equal(np.bincount(labels[test]), [3, 6, 9])
    with pytest.raises(ValueError, match="test_fraction"):
        data.train_test_split(labels, 1.0)


def test_blobs():
    blobs = data.make_blobs(n_per_class=40, seed=0)
    assert blobs.x_train.shape == (90, 2) and blobs.x_test.shape == (30, 2)
    assert blobs.n_classes == 3
    np.testing.assert_array_equal(np.bincount(blobs.t_test), [10, 10, 10])
    centers = np.array([blobs.x_train[blobs.t_train == c].mean(axis=0) for c in range(3)])
    np.testing.assert_allclose(centers, [(-2.0, -1.0), (2.0, -1.0), (0.0, 2.0)], atol=0.4)
    np.testing.assert_array_equal(blobs.x_train, data.make_blobs(n_per_class=40, seed=0).x_train)
    assert not np.array_equal(blobs.x_train, data.make_blobs(n_per_class=40, seed=1).x_train)


# --------------------------------------------------------------------------- regression


def test_diabetes_design_matrix(diabetes):
    X, y = diabetes.X, diabetes.y
    assert X.shape == (442, 11) and y.shape == (442,) and X.dtype == np.float64
    np.testing.assert_array_equal(X[:, 0], 1.0)
    np.testing.assert_allclose(X[:, 1:].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X[:, 1:].std(axis=0), 1.0, rtol=1e-12)
    assert y.std() == pytest.approx(1.0) and y.mean() > 1.0  # scaled, not centred


def test_w_star_is_the_least_squares_optimum(diabetes):
    for problem in (diabetes, data.make_regression()):
        assert np.max(np.abs(problem.grad(problem.w_star))) <= 1e-12
        assert problem.f_star == pytest.approx(problem.loss(problem.w_star))
        rng = np.random.default_rng(0)
        for _ in range(5):
            w = problem.w_star + 0.1 * rng.standard_normal(problem.dim)
            assert problem.loss(w) > problem.f_star
            # f is quadratic: f(w) − f* = ½ (w − w*)ᵀ H (w − w*) exactly
            d = w - problem.w_star
            assert problem.loss(w) - problem.f_star == pytest.approx(
                0.5 * d @ problem.hessian() @ d
            )


def test_loss_and_gradient_formulas(diabetes):
    rng = np.random.default_rng(1)
    w = rng.standard_normal(diabetes.dim)
    residual = diabetes.X @ w - diabetes.y
    assert diabetes.loss(w) == pytest.approx(0.5 * np.mean(residual**2), rel=1e-14)
    assert diabetes(w) == diabetes.loss(w)
    assert relative_error(diabetes.grad(w), numerical_gradient(diabetes.loss, w.copy())) <= 1e-7
    idx = rng.choice(diabetes.n, 32, replace=False)
    assert (
        relative_error(
            diabetes.grad(w, idx), numerical_gradient(lambda v: diabetes.loss(v, idx), w.copy())
        )
        <= 1e-7
    )


def test_mini_batch_gradients_average_to_the_full_gradient(diabetes):
    rng = np.random.default_rng(2)
    w = rng.standard_normal(diabetes.dim)
    batches = np.array_split(rng.permutation(diabetes.n), 13)  # 442 = 13 × 34
    mean_of_batches = np.mean([diabetes.grad(w, b) for b in batches], axis=0)
    np.testing.assert_allclose(mean_of_batches, diabetes.grad(w), rtol=1e-12, atol=1e-14)


def test_diabetes_seed_shuffles_rows_but_not_the_optimum(diabetes):
    other = data.load_diabetes_regression(seed=1)
    assert not np.array_equal(other.X, diabetes.X)
    np.testing.assert_allclose(other.w_star, diabetes.w_star, rtol=1e-10)
    assert other.f_star == pytest.approx(diabetes.f_star, rel=1e-12)
    assert 10 < diabetes.condition_number < 1e4 and "diabetes" in repr(diabetes)
    np.testing.assert_allclose(diabetes.eigenvalues, np.linalg.eigvalsh(diabetes.hessian()))


def test_make_regression():
    p = data.make_regression(n=300, d=4, noise=0.01, seed=3)
    assert p.X.shape == (300, 4) and p.y.shape == (300,) and p.w_true.shape == (4,)
    np.testing.assert_array_equal(p.X[:, 0], 1.0)
    np.testing.assert_allclose(p.w_star, p.w_true, atol=0.01)
    np.testing.assert_array_equal(p.y, data.make_regression(n=300, d=4, noise=0.01, seed=3).y)
    exact = data.make_regression(n=50, d=3, noise=0.0, seed=4)
    np.testing.assert_allclose(exact.w_star, exact.w_true, rtol=1e-10)
    assert exact.f_star < 1e-25
    with pytest.raises(ValueError):
        data.make_regression(n=3, d=5)


# --------------------------------------------------------------------------- minibatches


@pytest.mark.parametrize(("n", "batch_size"), [(10, 3), (12, 4), (5, 8), (1, 1)])
def test_minibatches_cover_every_index_once_per_epoch(n, batch_size):
    batches = list(data.minibatches(n, batch_size, np.random.default_rng(0)))
    assert len(batches) == -(-n // batch_size)
    assert all(len(b) == batch_size for b in batches[:-1]) and 0 < len(batches[-1]) <= batch_size
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))


def test_minibatches_order_shuffle_and_seed():
    in_order = list(data.minibatches(7, 3, np.random.default_rng(0), shuffle=False))
    assert [b.tolist() for b in in_order] == [[0, 1, 2], [3, 4, 5], [6]]
    rng = np.random.default_rng(1)
    epoch1 = np.concatenate(list(data.minibatches(50, 10, rng)))
    epoch2 = np.concatenate(list(data.minibatches(50, 10, rng)))
    assert not np.array_equal(epoch1, epoch2), "one generator, a fresh order every epoch"
    replay = np.concatenate(list(data.minibatches(50, 10, 1)))  # a seed works too
    np.testing.assert_array_equal(replay, epoch1)


def test_minibatches_with_replacement_miss_about_one_in_e():
    n, batch_size = 100_000, 100
    batches = list(data.minibatches(n, batch_size, np.random.default_rng(0), replacement=True))
    assert len(batches) == n // batch_size and all(len(b) == batch_size for b in batches)
    unseen = 1 - len(np.unique(np.concatenate(batches))) / n
    assert unseen == pytest.approx(np.exp(-1), abs=0.005)
    (whole,) = data.minibatches(10, 10, np.random.default_rng(0), replacement=True)
    assert len(np.unique(whole)) < 10, "draws within a batch are with replacement too"


def test_minibatches_check_their_arguments_at_once():
    with pytest.raises(ValueError, match="batch_size"):
        data.minibatches(10, 0, np.random.default_rng(0))  # raises before any iteration
    with pytest.raises(ValueError, match="n must"):
        data.minibatches(0, 2, np.random.default_rng(0))
