r"""Data that works offline, and mini-batch iteration.

* ``load_digits``              8×8 handwritten digits (ships with scikit-learn), a ``Dataset``;
* ``make_blobs``               seeded 2-D Gaussian clusters for classification, a ``Dataset``;
* ``load_diabetes_regression`` least squares on scikit-learn's diabetes set, a
                               ``RegressionProblem`` with its exact optimum w*;
* ``make_regression``          a seeded synthetic ``RegressionProblem``;
* ``make_sparse_regression``   one with rare and frequent 0/1 features (Chapter 8);
* ``minibatches``              the index arrays of one epoch of mini-batches.

Both data sets are read from the files scikit-learn installs, exactly as scikit-learn
reads them, but without importing scikit-learn (which takes about 2 s).
"""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "Dataset",
    "RegressionProblem",
    "load_diabetes_regression",
    "load_digits",
    "make_blobs",
    "make_regression",
    "minibatches",
    "train_test_split",
]


# --------------------------------------------------------------------------- classification


@dataclass(repr=False, eq=False)
class Dataset:
    """A classification data set split into training and test parts.

    Attributes:
        x_train: (N_train, D) float64 inputs. t_train: (N_train,) int64 labels 0..C−1.
        x_test, t_test: the same for the test part.
        name: a short name for legends and reprs.
    """

    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    name: str = "dataset"

    @property
    def n_classes(self) -> int:
        """C, the number of classes (the largest label + 1)."""
        return int(max(self.t_train.max(initial=-1), self.t_test.max(initial=-1))) + 1

    @property
    def n_features(self) -> int:
        """D, the number of inputs per example."""
        return int(self.x_train.shape[1])

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}: {len(self.x_train)} train and {len(self.x_test)} test "
            f"examples, {self.n_features} features, {self.n_classes} classes)"
        )


def train_test_split(
    labels, test_fraction: float = 0.25, seed: int = 0, stratify: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded indices ``(train, test)`` that split ``len(labels)`` examples in two.

    With ``stratify=True`` each class contributes round(test_fraction · its count) examples
    to the test part, so both parts keep the class proportions; otherwise the test part is a
    uniformly random round(test_fraction · N) examples. Both index arrays are in random order.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    if stratify:
        test = []
        for c in np.unique(labels):
            members = rng.permutation(np.flatnonzero(labels == c))
            test.extend(members[: round(test_fraction * len(members))])
        test = np.array(test, dtype=int)
    else:
        test = rng.permutation(len(labels))[: round(test_fraction * len(labels))]
    train = np.setdiff1d(np.arange(len(labels)), test)
    return rng.permutation(train), rng.permutation(test)


def load_digits(test_fraction: float = 0.25, seed: int = 0, stratify: bool = True) -> Dataset:
    """The 1,797 handwritten digits of scikit-learn (8×8 images, 10 classes), split in two.

    Pixels (integers 0..16) are divided by 16, so inputs are float64 in [0, 1] with
    D = 64 (reshape a row to (8, 8) to see the image); labels are int64 0..9.
    Source: the UCI "Optical Recognition of Handwritten Digits" test set, which scikit-learn
    installs with itself, so this works offline.
    """
    table = _sklearn_csv("digits.csv.gz", delimiter=",")  # (1797, 65): 64 pixels, then the label
    x = table[:, :-1] / 16.0
    t = table[:, -1].astype(np.int64)
    train, test = train_test_split(t, test_fraction, seed, stratify)
    return Dataset(x[train], t[train], x[test], t[test], name="digits")


def _sklearn_csv(name: str, delimiter: str | None = None) -> np.ndarray:
    """A gzipped table that scikit-learn ships in ``sklearn/datasets/data``, read as
    ``sklearn.datasets`` reads it (``np.loadtxt``), without importing scikit-learn."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the digits come with scikit-learn: install it with pip install scikit-learn"
        )
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / name
    with gzip.open(path, mode="rt", encoding="utf-8") as file:
        return np.loadtxt(file, delimiter=delimiter)


def make_blobs(
    n_per_class: int = 100,
    centers=((-2.0, -1.0), (2.0, -1.0), (0.0, 2.0)),
    std: float = 1.0,
    seed: int = 0,
    test_fraction: float = 0.25,
) -> Dataset:
    """Gaussian clusters in the plane: class c is ``n_per_class`` points N(centers[c], std² I).

    A small 2-D classification problem whose decision boundaries can be drawn.
    Returns a stratified ``Dataset`` (float64 inputs (N, 2), int64 labels).
    """
    centers = np.asarray(centers, dtype=float)
    if centers.ndim != 2 or len(centers) < 2:
        raise ValueError(f"centers must be a (C, D) array with C >= 2, got {centers.shape}")
    if n_per_class < 2:
        raise ValueError(f"n_per_class must be >= 2, got {n_per_class!r}")
    rng = np.random.default_rng(seed)
    n_classes, dim = centers.shape
    t = np.repeat(np.arange(n_classes), n_per_class)
    x = centers[t] + std * rng.standard_normal((len(t), dim))
    train, test = train_test_split(t, test_fraction, seed=seed + 1)
    return Dataset(x[train], t[train], x[test], t[test], name="blobs")


# --------------------------------------------------------------------------- regression


@dataclass(repr=False, eq=False)
class RegressionProblem:
    """Least squares f(w) = (1/2n) Σᵢ (xᵢᵀw − yᵢ)² = ½ · mean squared residual.

    Attributes:
        X: (n, d) design matrix; column 0 is all ones (the bias), the others standardised.
        y: (n,) targets.
        w_star: (d,) the least-squares optimum, from ``np.linalg.lstsq``.
        f_star: f(w*), the smallest loss any w can reach.
        name: a short name.
        w_true: the weights that generated a synthetic y (``None`` for real data).

    ∇f(w) = Xᵀ(Xw − y)/n and the Hessian H = XᵀX/n is constant; its ``eigenvalues``
    (ascending) set the largest stable gradient-descent step 2/λ_max and the condition
    number κ = λ_max/λ_min. Called like a test function, ``problem(w)`` is ``loss(w)``,
    so ``descent.training.run`` can optimise it too.
    """

    X: np.ndarray
    y: np.ndarray
    name: str = "regression"
    w_true: np.ndarray | None = None

    def __post_init__(self):
        self.w_star = np.linalg.lstsq(self.X, self.y, rcond=None)[0]
        self.f_star = self.loss(self.w_star)
        self.eigenvalues = np.linalg.eigvalsh(self.hessian())

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def dim(self) -> int:
        """d, the number of weights (bias included)."""
        return int(self.X.shape[1])

    @property
    def condition_number(self) -> float:
        return float(self.eigenvalues[-1] / self.eigenvalues[0])

    def loss(self, w, idx=None) -> float:
        """f(w), or the mini-batch loss (1/2|B|) Σ_{i∈B} (xᵢᵀw − yᵢ)² for indices ``idx``."""
        X, y = (self.X, self.y) if idx is None else (self.X[idx], self.y[idx])
        residual = X @ w - y
        return float(0.5 * np.mean(residual**2))

    def grad(self, w, idx=None) -> np.ndarray:
        """∇f(w) = Xᵀ(Xw − y)/n, or the mini-batch gradient X_Bᵀ(X_B w − y_B)/|B|, shape (d,)."""
        X, y = (self.X, self.y) if idx is None else (self.X[idx], self.y[idx])
        return X.T @ (X @ w - y) / len(y)

    def hessian(self, w=None) -> np.ndarray:
        """H = XᵀX/n, shape (d, d); the same at every w."""
        return self.X.T @ self.X / self.n

    def __call__(self, w) -> float:
        return self.loss(w)

    def __repr__(self) -> str:
        return (
            f"RegressionProblem({self.name!r}: n={self.n}, d={self.dim}, "
            f"f*={self.f_star:.4g}, κ={self.condition_number:.3g})"
        )


def _design_matrix(features: np.ndarray) -> np.ndarray:
    """[1, standardised features]: each feature column gets mean 0 and standard deviation 1."""
    z = (features - features.mean(axis=0)) / features.std(axis=0)
    return np.column_stack([np.ones(len(z)), z])


def load_diabetes_regression(seed: int = 0) -> RegressionProblem:
    """Least squares on scikit-learn's diabetes data: 442 patients, 10 features, d = 11.

    Features are standardised and a bias column of ones comes first. The target (disease
    progression after one year, 25..346) is divided by its standard deviation, so that every
    weight of w* is of order one; it is not centred, so the bias weight is not zero.
    The rows are shuffled with ``seed`` (w* and f* do not depend on the order).
    Source: Efron, Hastie, Johnstone & Tibshirani (2004), "Least angle regression".
    """
    features = _sklearn_csv("diabetes_data_raw.csv.gz")  # (442, 10), in their own units
    target = _sklearn_csv("diabetes_target.csv.gz")  # (442,)
    # as scikit-learn's load_diabetes() scales them, operation for operation
    features = (features - np.nanmean(features, axis=0)) / np.nanstd(features, axis=0)
    features /= len(features) ** 0.5
    order = np.random.default_rng(seed).permutation(len(target))
    X = _design_matrix(features[order])
    y = target[order]
    return RegressionProblem(X, y / y.std(), name="diabetes")


def make_regression(
    n: int = 200, d: int = 5, noise: float = 0.1, seed: int = 0
) -> RegressionProblem:
    """A synthetic least-squares problem: y = X w_true + noise · N(0, 1).

    X is (n, d): a bias column of ones and d − 1 standard normal features; w_true (d,) is
    drawn from N(0, 1). With noise > 0, w* differs slightly from w_true and f* > 0.
    """
    if d < 1 or n < d:
        raise ValueError(f"need d >= 1 and n >= d, got n={n!r}, d={d!r}")
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.standard_normal((n, d - 1))])
    w_true = rng.standard_normal(d)
    y = X @ w_true + noise * rng.standard_normal(n)
    return RegressionProblem(X, y, name="synthetic", w_true=w_true)


# --------------------------------------------------------------------------- mini-batches


def minibatches(
    n: int, batch_size: int, rng, shuffle: bool = True, replacement: bool = False
) -> Iterator[np.ndarray]:
    """The index arrays of one epoch of mini-batches over ``n`` examples.

    Args:
        n: the number of examples.
        batch_size: the examples per batch; without replacement the last batch holds the
            n mod batch_size left over (if any).
        rng: a ``np.random.Generator`` (or a seed for one); pass the same generator every
            epoch so that epochs differ but the whole run is reproducible.
        shuffle: without replacement, visit the examples in a fresh random order (True) or
            in the order 0, 1, ..., n − 1 (False).
        replacement: False: every index appears exactly once per epoch. True: n // batch_size
            batches (at least one), each drawn uniformly *with* replacement, as in the
            textbook analysis of SGD; about (1 − 1/n)ⁿ ≈ 1/e ≈ 37 % of the examples are then
            not seen in a given epoch.

    >>> [b.tolist() for b in minibatches(5, 2, np.random.default_rng(0), shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    rng = np.random.default_rng(rng)
    # the checks above run now; the batches are produced lazily by a generator
    if replacement:
        return _batches_with_replacement(n, batch_size, rng)
    return _batches_without_replacement(n, batch_size, rng, shuffle)


def _batches_without_replacement(n, batch_size, rng, shuffle):
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def _batches_with_replacement(n, batch_size, rng):
    for _ in range(max(1, n // batch_size)):
        yield rng.integers(0, n, size=batch_size)


# --------------------------------------------------------------------------- sparse features


def make_sparse_regression(
    n: int = 2000, frequencies=None, noise: float = 0.1, seed: int = 0
) -> RegressionProblem:
    """A least-squares problem with features of very different frequencies (Chapter 8).

    Feature j is a 0/1 indicator (a word in a document, a user in a log) that is 1 in
    exactly round(pⱼ n) examples (at least one), chosen at random, and 0 elsewhere; column 0
    is the bias, 1 in every example. The default frequencies pⱼ run geometrically from 1/2
    down to 1/500: forty features, from one present in every second example to one present
    in four examples out of 2000. y = X w_true + noise · N(0, 1) with w_true ~ N(0, 1), so a
    rare feature matters as much as a frequent one wherever it occurs.

    The Hessian H = XᵀX/n has diagonal entries pⱼ: the loss is pⱼ times less curved along a
    feature that is present pⱼ of the time, and a single learning rate that suits the
    frequent features is far too small for the rare ones.

    Returns:
        a ``RegressionProblem`` (X is (n, d) with d = 1 + len(frequencies), not
        standardised) with the extra attribute ``frequencies``, shape (d,): the fraction of
        examples in which each column is 1 (1.0 for the bias).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    p = np.geomspace(0.5, 0.002, 40) if frequencies is None else np.asarray(frequencies, float)
    if p.ndim != 1 or p.size == 0 or not np.all((p > 0) & (p <= 1)):
        raise ValueError(
            f"frequencies must be a non-empty 1-D array of numbers in (0, 1], got {frequencies!r}"
        )
    rng = np.random.default_rng(seed)
    X = np.zeros((n, 1 + p.size))
    X[:, 0] = 1.0
    counts = np.maximum(1, np.round(p * n).astype(int))
    for j, count in enumerate(counts, start=1):
        X[rng.choice(n, size=count, replace=False), j] = 1.0
    w_true = rng.standard_normal(1 + p.size)
    y = X @ w_true + noise * rng.standard_normal(n)
    problem = RegressionProblem(X, y, name="sparse", w_true=w_true)
    problem.frequencies = np.concatenate([[1.0], counts / n])
    return problem


__all__ += ["make_sparse_regression"]
