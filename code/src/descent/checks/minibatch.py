"""Chapter 4, mini-batches: the checkers of the mini-batch gradient and of one epoch's
batch indices."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import (
    VALUE_INDENT,
    Case,
    CheckResult,
    error_result,
    exercise,
    hint_lines,
    make_result,
    not_implemented_result,
    show_value,
    wrap_sentence,
)


def _minibatch_gradient(X, y, w):
    """The reference: ∇ of (1/2B) ‖X w − y‖², i.e. Xᵀ(X w − y) / B."""
    X, y, w = (np.asarray(a, dtype=float) for a in (X, y, w))
    return X.T @ (X @ w - y) / len(y)


def _diagnose_minibatch_gradient(case, received, expected) -> str | None:
    X, y, w = case.args
    got = np.asarray(received, dtype=float)
    if got.shape != expected.shape:
        if got.shape == (len(y),) or got.shape == X.shape:
            return (
                "Your result has one entry per example (or per example and weight): sum "
                "over the examples with a matrix product, X.T @ residual, so that the "
                "gradient has one entry per weight, shape (d,)."
            )
        return None
    B, d = X.shape
    if B > 1 and np.allclose(got, B * expected, rtol=1e-6, atol=1e-8):
        return (
            f"Your result is B = {B} times too large: you summed the examples' gradients. "
            "Divide by the batch size len(y): the loss is a mean, so that the gradient does "
            "not grow with B and the same η works for every batch size."
        )
    if d != B and np.allclose(got, B * expected / d, rtol=1e-6, atol=1e-8):
        return "You divided by the number of weights X.shape[1]; divide by len(y), the examples."
    return None


@exercise(
    "minibatch_gradient",
    "X, y, w",
    reference=_minibatch_gradient,
    hints=(
        "Write the loss with the residuals rᵢ = xᵢᵀw − yᵢ. Its gradient is the average over "
        "the batch of each residual times its own example xᵢ.",
        "A sum over the examples of rᵢ xᵢ is one matrix product, of Xᵀ with the vector of "
        "residuals. Then divide by the batch size B, and make no change to X, y or w.",
    ),
    rtol=1e-9,
    atol=1e-12,
    unchanged=(0, 1, 2),
    diagnose=_diagnose_minibatch_gradient,
)
def check_minibatch_gradient():
    """Chapter 4: ``fn(X, y, w)`` returns the gradient of the mini-batch least-squares loss
    (1/2B) Σᵢ (xᵢᵀw − yᵢ)² over the B rows of X (shape (B, d)), i.e. Xᵀ(Xw − y)/B, shape
    (d,), and leaves X, y and w unchanged."""
    rng = np.random.default_rng(4)

    def batch(B, d):
        return Case((rng.normal(size=(B, d)), rng.normal(size=B), rng.normal(size=d)))

    return [
        Case(
            (
                np.array([[1.0, 2.0], [1.0, -1.0], [1.0, 0.0]]),
                np.array([3.0, 0.0, 1.0]),
                np.array([0.5, 1.0]),
            )
        ),
        batch(1, 3),
        batch(8, 3),
        batch(32, 11),
        batch(5, 1),
        batch(2, 6),
    ]


def _epoch_indices(n, batch_size, rng):
    """A reference: one random order, cut into consecutive pieces."""
    order = rng.permutation(n)
    return [order[k : k + batch_size] for k in range(0, n, batch_size)]


def _epoch_batches(result):
    """The student's batches as a list of arrays, or a sentence saying why they are not."""
    if isinstance(result, np.ndarray) and result.ndim == 1:
        return (
            "You returned one flat array. Return a list of index arrays, one per mini-batch "
            "(the last one may be shorter)."
        )
    try:
        batches = [np.asarray(b) for b in result]
    except TypeError:
        return f"Return a list of index arrays, one per mini-batch, not a {type(result).__name__}."
    for k, b in enumerate(batches):
        if b.ndim != 1 or (b.size and b.dtype.kind not in "iu"):
            return (
                f"Batch {k} is not a 1-D array of integer indices (it has dtype {b.dtype} and "
                f"shape {b.shape}); index arrays such as rng.permutation(n)[0:3] are."
            )
    return batches


def _epoch_problem(batches, n, batch_size) -> str | None:
    """A sentence describing what is wrong with one epoch of batches, or None."""
    sizes = [len(b) for b in batches]
    full, rest = divmod(n, batch_size)
    expected = [batch_size] * full + ([rest] if rest else [])
    everything = np.concatenate(batches) if batches else np.array([], dtype=int)
    if everything.size and (everything.min() < 0 or everything.max() >= n):
        return (
            f"Indices must lie in 0..{n - 1}, but yours run from {everything.min()} to "
            f"{everything.max()} (counting from 1?)."
        )
    counts = np.bincount(everything, minlength=n) if everything.size else np.zeros(n, int)
    if np.any(counts > 1):
        i = int(np.argmax(counts > 1))
        return (
            f"Index {i} appears {counts[i]} times in one epoch (and others are missing): "
            "drawing with replacement. Without replacement every example is used exactly "
            "once per epoch: shuffle a permutation instead of drawing indices at random."
        )
    if sizes != expected:
        if rest and sizes == expected[:-1]:
            return (
                f"The last {rest} examples (n mod batch_size) are missing: keep the shorter "
                "last batch, so that every example is used in every epoch."
            )
        return f"The batch sizes are {sizes}, expected {expected}."
    return None


def _epoch_verdict(exercise, fn, cases, level) -> CheckResult:
    """The verdict on one epoch's batches, from their properties (any random order is
    right); ``cases`` hold (n, batch_size, seed)."""
    name, n_cases = exercise.name, len(cases)
    for i, case in enumerate(cases):
        n, batch_size, seed = case.args
        shown = f"n = {n}, batch_size = {batch_size}, rng = np.random.default_rng({seed})"
        where = f"test case {i + 1} of {n_cases}"
        try:
            result = fn(n, batch_size, np.random.default_rng(seed))
            batches = _epoch_batches(result) if result is not None and result is not ... else None
            again = None
            if isinstance(batches, list):
                rng = np.random.default_rng(seed)
                again = [_epoch_batches(fn(n, batch_size, rng)) for _ in range(2)]
        except NotImplementedError:
            return not_implemented_result(name)
        except Exception as error:
            return error_result(name, i, error, f"on {where}", shown)
        if batches is None:
            if i == 0:
                return not_implemented_result(name, returned=result)
            problem = f"it returned {result!r} (is a `return` missing on some path?)"
        elif isinstance(batches, str):
            problem = batches
        else:
            problem = _epoch_problem(batches, n, batch_size)
            if problem is None:
                problem = _epoch_randomness(batches, again, n, batch_size)
        if problem is None:
            continue
        lines = [f"✘ {name}: wrong result on {where}.", f"  input:    {shown}"]
        if isinstance(batches, list):
            lines.append(f"  received: {show_value([b.tolist() for b in batches], VALUE_INDENT)}")
        lines += [wrap_sentence(problem), *hint_lines(exercise.hints, level)]
        return make_result("wrong", name, i, "\n".join(lines))
    return make_result("passed", name, None, f"✔ {name}: correct on all {n_cases} test cases.")


def _epoch_randomness(batches, again, n, batch_size) -> str | None:
    """Is the epoch shuffled, drawn from ``rng``, and different from the next epoch?"""
    first, second = again
    if isinstance(first, str) or isinstance(second, str):
        return first if isinstance(first, str) else second

    def same(a, b):
        return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))

    order = np.concatenate(batches)
    if n >= 10 and np.array_equal(order, np.arange(n)):
        return (
            "The examples come in their stored order 0, 1, 2, ...: shuffle them. Data sets "
            "are often sorted (by class, by date), and unshuffled batches are then biased."
        )
    if n >= 10 and batch_size >= 2 and all(np.all(np.diff(b) == 1) for b in batches):
        return (
            "Every batch is a block of neighbouring indices: you shuffled the order of the "
            "batches, not the examples. Shuffle the indices, then cut them into batches."
        )
    if not same(batches, first):
        return (
            "Two generators with the same seed gave different batches: draw the order from "
            "the rng argument (rng.permutation), not from np.random, so that a run can be "
            "reproduced."
        )
    if n >= 10 and same(first, second):
        return (
            "Two epochs drawn with the same generator came out identical: use the rng you are "
            "given (do not create a new generator with a fixed seed inside the function), so "
            "that every epoch has a fresh order."
        )
    return None


@exercise(
    "epoch_indices",
    "n, batch_size, rng",
    reference=_epoch_indices,
    hints=(
        "Shuffle all n indices once, with the generator you are given, then cut the "
        "shuffled order into consecutive pieces.",
        "A random permutation of 0..n−1 drawn from rng holds every index exactly once. Its "
        "pieces of batch_size indices are the batches; the last piece may be shorter.",
    ),
    verdict=_epoch_verdict,
)
def check_epoch_indices():
    """Chapter 4: ``fn(n, batch_size, rng)`` returns one epoch of mini-batches without
    replacement: a list of 1-D integer index arrays that together hold each of 0..n−1
    exactly once, in a random order drawn from the generator ``rng``, all of ``batch_size``
    indices except the last, which holds the n mod batch_size left over (if any).

    There is no single right answer (any random order will do), so the checker tests these
    properties, plus: the same seed gives the same batches, and two epochs drawn from one
    generator differ.
    """
    # (n, batch_size, the seed of rng)
    return [(10, 3, 0), (12, 4, 1), (7, 7, 2), (5, 10, 3), (1, 1, 4), (100, 32, 5), (64, 1, 6)]
