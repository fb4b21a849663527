"""Chapter 2, gradient checking: the checkers of the numerical gradient, the relative
error, and the multiclass SVM loss with its gradient."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import (
    Case,
    CheckResult,
    error_result,
    exercise,
    hint_lines,
    make_result,
    show_value,
    wrap_sentence,
)


class _Smooth:
    """A test function with its analytic gradient, shown in messages by its formula."""

    def __init__(self, description, f, grad):
        self.description, self._f, self.grad = description, f, grad

    def __call__(self, x):
        return self._f(np.asarray(x, dtype=float))

    def __repr__(self):
        return self.description


def _diagnose_numerical_gradient(case, received, expected) -> str | None:
    from descent.gradients import numerical_gradient

    f, x = case.args
    got = np.asarray(received, dtype=float)
    if got.shape != x.shape:
        return None
    forward = numerical_gradient(f, x.copy(), 1e-5, method="forward")
    if np.allclose(got, forward, rtol=1e-7, atol=1e-9):
        return (
            "This is the forward difference (f(x + h) − f(x)) / h, whose error shrinks only "
            "like h; use the centered one, (f(x + h) − f(x − h)) / 2h, error O(h²)."
        )
    if np.allclose(got, 0) and not x.flags.c_contiguous:
        return (
            "All zeros on a non-contiguous x: x.ravel() or x.reshape(-1) then returns a copy, "
            "and perturbing the copy does not change x. Perturb x itself, e.g. "
            "for i in np.ndindex(x.shape): ... x[i] ..."
        )
    return None


def _numerical_gradient(f, x, h=1e-5):
    """The reference: the test functions know their exact gradient."""
    return f.grad(x)


def _relative_error(a, b):
    from descent.gradients import relative_error

    return relative_error(a, b)


_NUMERICAL_GRADIENT_HINTS = (
    "Move one entry of x at a time, by +h and by −h, and divide the change of f by the "
    "distance between the two points, 2h.",
    "Visit every index of x, whatever its shape, and change x itself, not a copy. Save the "
    "entry before you change it and put it back in a `finally` block, so that x is "
    "restored even when f raises.",
)


class _Fails(_Smooth):
    """A test function that raises RuntimeError on its ``after + 1``-th call."""

    def __init__(self, after: int):
        super().__init__(
            f"a function that raises RuntimeError on call {after + 1}",
            self._count,
            lambda x: x,
        )
        self.calls, self.after = 0, after

    def _count(self, x):
        self.calls += 1
        if self.calls > self.after:
            raise RuntimeError("f failed on purpose, to test that x is restored")
        return float(np.sum(x))


def _restores_on_error(exercise, fn, cases, level) -> CheckResult | None:
    """The exercise's last requirement: x is as it was after ``fn`` when f raises (here on
    its 4th call, with x[1] moved). None if it is; else a wrong verdict."""
    x = np.array([0.5, -1.0, 2.0])
    before = x.copy()
    try:
        fn(_Fails(after=3), x)
    except RuntimeError:
        pass
    except Exception as error:
        return error_result(
            "numerical_gradient", 0, error, "when f raises", "f raises on call 4", fn
        )
    if np.array_equal(x, before):
        return None
    i = int(np.argmax(x != before))
    lines = [
        "✘ numerical_gradient: x is not restored when f raises.",
        f"  input:    f = {_Fails(3).description},",
        f"            x = {show_value(before)}",
        wrap_sentence(
            f"After the call, x[{i}] is {show_value(x[i])} instead of "
            f"{show_value(before[i])}: the entry "
            "you were changing when f raised was never put back. The exercise asks that x be "
            "exactly as you found it even then."
        ),
        *hint_lines(_NUMERICAL_GRADIENT_HINTS, level),
    ]
    return make_result("wrong", "numerical_gradient", 0, "\n".join(lines))


@exercise(
    "numerical_gradient",
    "f, x, h=1e-5",
    reference=_numerical_gradient,
    hints=_NUMERICAL_GRADIENT_HINTS,
    rtol=1e-6,
    atol=1e-7,
    unchanged=(1,),
    diagnose=_diagnose_numerical_gradient,
    extra=_restores_on_error,
)
def check_numerical_gradient():
    """Chapter 2: ``fn(f, x, h=1e-5)`` returns the centered-difference gradient of f at x,
    an array shaped like x (vectors and matrices), and leaves x as it found it, even when f
    raises an exception."""
    from descent.functions import rosenbrock

    rng = np.random.default_rng(7)
    a, b = rng.normal(size=2), rng.normal(size=3)
    functions = [
        (
            _Smooth("½‖x‖²", lambda x: 0.5 * np.sum(x**2), lambda x: x.copy()),
            np.array([1.0, -2.0, 0.5]),
        ),
        (
            _Smooth(
                "log Σ exp(xᵢ)",
                lambda x: np.log(np.sum(np.exp(x))),
                lambda x: np.exp(x) / np.sum(np.exp(x)),
            ),
            rng.normal(size=4),
        ),
        (
            _Smooth("Rosenbrock (1 − x)² + 100 (y − x²)²", rosenbrock, rosenbrock.grad),
            np.array([-1.5, 2.0]),
        ),
        (
            _Smooth(
                "½‖W a − b‖² for a 3×2 matrix W",
                lambda W: 0.5 * np.sum((W @ a - b) ** 2),
                lambda W: np.outer(W @ a - b, a),
            ),
            rng.normal(size=(3, 2)),
        ),
        (
            _Smooth(
                "Σ sin(Xᵢⱼ) + ½ Σ Xᵢⱼ² for a 2×3 matrix X (Fortran order)",
                lambda X: np.sum(np.sin(X)) + 0.5 * np.sum(X**2),
                lambda X: np.cos(X) + X,
            ),
            np.asfortranarray(rng.normal(size=(2, 3))),
        ),
    ]
    return [Case((f, x)) for f, x in functions]


@exercise(
    "relative_error",
    "a, b",
    reference=_relative_error,
    hints=(
        "Work entry by entry: the difference divided by the larger of the two magnitudes; "
        "then keep the largest of these ratios.",
        "Where both entries are 0 the ratio is 0/0: make it count as 0 (a tiny floor under "
        "the denominator does it). Return one Python float, for arrays and for numbers.",
    ),
)
def check_relative_error():
    """Chapter 2: ``fn(a, b)`` returns max over entries of ``|aᵢ − bᵢ| / max(|aᵢ|, |bᵢ|)``, with
    0 for entries where both are 0 — one float, for arrays of any shape or numbers."""
    rng = np.random.default_rng(11)
    m = rng.normal(size=(3, 4))
    return [
        (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.1, 3.0])),
        (np.array([1.0, -2.0]), np.array([-1.0, -2.0])),
        (1e-3, 1.1e-3),
        (np.array([0.0, 1.0]), np.array([0.0, 1.0 + 1e-8])),
        (np.zeros(3), np.zeros(3)),
        (np.array([0.0, 5.0]), np.array([1e-3, 5.0])),
        (m, m + 1e-6 * rng.normal(size=(3, 4))),
    ]


# --------------------------------------------------------------------------- the SVM loss


def _svm_loss(W, X, y, delta=1.0, *, skip_true=True, average=True, true_column=True):
    """The reference: the multiclass SVM (hinge) loss of CS231n's notes,
    L = (1/N) Σᵢ Σ_{j ≠ yᵢ} max(0, sⱼ − s_{yᵢ} + Δ) with s = xᵢ W, and its gradient dW.
    The keywords make the known mistakes: the j = yᵢ term kept, no 1/N, no gradient in
    the column of the correct class. Returns (loss, dW) as (float, new array)."""
    W, X, y = np.asarray(W, dtype=float), np.asarray(X, dtype=float), np.asarray(y)
    n, rows = X.shape[0], np.arange(X.shape[0])
    scores = X @ W
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + delta)
    if skip_true:
        margins[rows, y] = 0.0
    active = (margins > 0).astype(float)  # 1 where a margin is violated
    if true_column:  # s_{yᵢ} is in every term of example i, with a minus sign
        active[rows, y] = -active.sum(axis=1)
    scale = 1 / n if average else 1.0
    return float(margins.sum() * scale), X.T @ active * scale


def _diagnose_svm_loss(case, received, expected) -> str | None:
    loss, dW = received
    known = [
        (
            dict(skip_true=False),
            "The sum includes j = yᵢ, whose term is always max(0, Δ) = Δ: leave the correct "
            "class out of the sum over j.",
        ),
        (
            dict(average=False),
            "The loss and dW are N times too large: average over the N examples.",
        ),
        (
            dict(true_column=False),
            "The loss is right, but dW misses the column of the correct class: s_{yᵢ} appears "
            "in every violated margin of example i, with a minus sign.",
        ),
    ]
    for keywords, text in known:
        wrong_loss, wrong_dW = _svm_loss(*case.args, **keywords)
        if np.isclose(float(loss), wrong_loss) and np.allclose(dW, wrong_dW):
            return text
    return None


@exercise(
    "svm_loss",
    "W, X, y, delta=1.0",
    reference=_svm_loss,
    returns=("loss", "dW"),
    hints=(
        "Each term max(0, sⱼ − s_{yᵢ} + Δ) with j ≠ yᵢ is either 0 (no gradient) or "
        "sⱼ − s_{yᵢ} + Δ, whose gradient involves two columns of W: j and yᵢ.",
        "A violated margin adds xᵢ to column j of dW and subtracts xᵢ from column yᵢ; so "
        "column yᵢ gets −xᵢ times the number of violated margins of example i. Average "
        "over the N examples.",
    ),
    rtol=1e-9,
    atol=1e-12,
    unchanged=(0, 1, 2),
    diagnose=_diagnose_svm_loss,
)
def check_svm_loss():
    """Chapter 2: ``fn(W, X, y, delta=1.0)`` returns ``(loss, dW)``: the multiclass SVM loss
    of CS231n, averaged over the N rows of X, with scores X W (W of shape (D, C), y the
    N correct classes), and its gradient with respect to W, an array of W's shape. The
    inputs stay unchanged; every margin is away from the kink at 0."""
    rng = np.random.default_rng(231)
    found = []
    for n, d, c, delta in ((5, 4, 3, 1.0), (8, 3, 4, 1.0), (6, 5, 3, 0.5), (1, 2, 2, 1.0)):
        while True:  # seeded (W, X, y) whose margins are all at least 0.05 from the kink
            W, X = 0.5 * rng.normal(size=(d, c)), rng.normal(size=(n, d))
            y = rng.integers(0, c, size=n)
            scores = X @ W
            margins = scores - scores[np.arange(n), y][:, None] + delta
            margins[np.arange(n), y] = np.inf
            if np.abs(margins).min() > 0.05:
                break
        found.append(Case((W, X, y, delta)))
    return found
