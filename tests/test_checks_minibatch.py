"""descent.checks, chapter 4: the mini-batch checkers against deliberately wrong students.

Every wrong function must get the right status and a message that names its mistake (what
every checker does is tested in test_checks_generic.py).
"""

import numpy as np
import pytest

from descent import checks

# --------------------------------------------------------------------------- minibatch_gradient


def minibatch_gradient(X, y, w):
    return X.T @ (X @ w - y) / len(y)


def minibatch_gradient_loop(X, y, w):
    g = np.zeros(X.shape[1])
    for x_i, y_i in zip(X, y, strict=True):
        g += x_i * (x_i @ w - y_i)
    return g / len(y)


def minibatch_gradient_sum(X, y, w):
    return X.T @ (X @ w - y)


def minibatch_gradient_flipped(X, y, w):
    return X.T @ (y - X @ w) / len(y)


def minibatch_gradient_per_example(X, y, w):
    return X * (X @ w - y)[:, None] / len(y)


def minibatch_gradient_by_features(X, y, w):
    return X.T @ (X @ w - y) / X.shape[1]


def minibatch_gradient_in_place(X, y, w):
    w -= 0.0 * w + 1.0  # modifies the caller's w
    return X.T @ (X @ (w + 1.0) - y) / len(y)


@pytest.mark.parametrize("fn", [minibatch_gradient, minibatch_gradient_loop])
def test_minibatch_gradient_accepts_vectorised_and_loop_solutions(fn, capsys):
    assert checks.check_minibatch_gradient(fn, strict=True).passed


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (minibatch_gradient_sum, "summed"),
        (minibatch_gradient_flipped, "sign is flipped"),
        (minibatch_gradient_per_example, "one entry per example"),
        (minibatch_gradient_by_features, "number of weights"),
        (minibatch_gradient_in_place, "changed its input w"),
    ],
)
def test_minibatch_gradient_names_the_mistake(fn, words, capsys):
    result = checks.check_minibatch_gradient(fn)
    assert result.status == "wrong" and not result.passed
    assert words in result.message, result.message
    assert words in capsys.readouterr().out


# --------------------------------------------------------------------------- epoch_indices


def epoch_indices(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[k : k + batch_size] for k in range(0, n, batch_size)]


def epoch_indices_generator(n, batch_size, rng):
    order = np.arange(n)
    rng.shuffle(order)
    for k in range(0, n, batch_size):
        yield order[k : k + batch_size]


def epoch_indices_unshuffled(n, batch_size, rng):
    order = np.arange(n)
    return [order[k : k + batch_size] for k in range(0, n, batch_size)]


def epoch_indices_drop_last(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[k * batch_size : (k + 1) * batch_size] for k in range(n // batch_size)]


def epoch_indices_with_replacement(n, batch_size, rng):
    draws = rng.integers(0, n, size=n)
    return [draws[k : k + batch_size] for k in range(0, n, batch_size)]


def epoch_indices_global_rng(n, batch_size, rng):
    order = np.random.permutation(n)  # noqa: NPY002 (the mistake under test)
    return [order[k : k + batch_size] for k in range(0, n, batch_size)]


def epoch_indices_fixed_seed(n, batch_size, rng):
    return epoch_indices(n, batch_size, np.random.default_rng(0))


def epoch_indices_shuffled_blocks(n, batch_size, rng):
    blocks = [np.arange(k, min(k + batch_size, n)) for k in range(0, n, batch_size)]
    return [blocks[i] for i in rng.permutation(len(blocks))]


def epoch_indices_one_based(n, batch_size, rng):
    return [b + 1 for b in epoch_indices(n, batch_size, rng)]


def epoch_indices_flat(n, batch_size, rng):
    return rng.permutation(n)


def epoch_indices_float(n, batch_size, rng):
    return [b.astype(float) for b in epoch_indices(n, batch_size, rng)]


@pytest.mark.parametrize("fn", [epoch_indices, epoch_indices_generator])
def test_epoch_indices_accepts_lists_and_generators(fn, capsys):
    assert checks.check_epoch_indices(fn, strict=True).passed


def test_epoch_indices_none_is_not_implemented():
    result = checks.check_epoch_indices(lambda n, b, rng: None, strict=True)
    assert result.status == "not implemented" and "None" in result.message


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (epoch_indices_unshuffled, "stored order"),
        (epoch_indices_drop_last, "are missing"),
        (epoch_indices_with_replacement, "with replacement"),
        (epoch_indices_global_rng, "np.random"),
        (epoch_indices_fixed_seed, "identical"),
        (epoch_indices_shuffled_blocks, "block of neighbouring"),
        (epoch_indices_one_based, "counting from 1"),
        (epoch_indices_flat, "one flat array"),
        (epoch_indices_float, "integer indices"),
    ],
)
def test_epoch_indices_names_the_mistake(fn, words, capsys):
    result = checks.check_epoch_indices(fn)
    assert result.status == "wrong" and not result.passed
    assert words in result.message, result.message
    assert "input:" in result.message and "Hint 1 of 2:" in result.message
    assert words in capsys.readouterr().out
