"""Chapter 5, backpropagation: the checkers of an affine layer's backward pass, of
log-sum-exp and of a Leaky ReLU layer."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import (
    Case,
    CheckResult,
    WrongResult,
    check,
    exercise,
    make_result,
    state_arrays,
)


def _affine_backward(x, W, dout):
    """The reference: dx = dout Wᵀ, dW = xᵀ dout, db = Σₙ doutₙ."""
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def _affine_part(fn, k: int):
    """The k-th of the three arrays ``fn(x, W, dout)`` returns, checked one at a time."""

    def part(x, W, dout):
        result = fn(x, W, dout)
        if result is None or result is Ellipsis:
            return result
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            what = f"a {type(result).__name__}"
            if isinstance(result, (tuple, list)):
                what += f" of {len(result)} items"
            raise WrongResult(f"Return the three gradients as a tuple: dx, dW, db (got {what}).")
        return result[k]

    part.__name__ = getattr(fn, "__name__", "affine_backward")
    part.__wrapped__ = fn
    return part


def _diagnose_affine_backward(k: int):
    def diagnose(case, received, expected) -> str | None:
        x, W, dout = case.args
        got = np.asarray(received, dtype=float)
        dx_text = "dx = dout @ W.T: Wᵀ takes the (N, M) gradient back to the input's (N, D)."
        dw_text = "dW = x.T @ dout has the shape (D, M) of W; dout.T @ x is its transpose."
        mean_text = (
            "You averaged over the batch. Sum it: the loss layer has already divided by N, "
            "and b is used by every example."
        )
        axis_text = "Sum over the batch axis (axis=0), one entry per output."
        if k == 0:  # dout @ W exists only when W is square
            known = [(dout @ W, dx_text)] if W.shape[0] == W.shape[1] else []
        elif k == 1:
            known = [(dout.T @ x, dw_text)]
        else:
            known = [(dout.mean(axis=0), mean_text), (dout.sum(axis=1), axis_text)]
        for wrong, text in known:
            if got.shape == np.shape(wrong) and np.allclose(got, wrong, rtol=1e-6, atol=1e-8):
                same_shape = np.shape(wrong) == np.shape(expected)
                if not (same_shape and np.allclose(wrong, expected, rtol=1e-6, atol=1e-8)):
                    return text
        return None

    return diagnose


_AFFINE_HINTS = {
    "dx": (
        "Each input x[n, d] reaches every output of its row n through the weights "
        "W[d, ·]: its gradient sums over the outputs m.",
        "Let the shapes guide you: dx has the shape (N, D) of x, and one matrix product "
        "of dout (N, M) with W (D, M), one of them transposed, gives it.",
    ),
    "dW": (
        "Each weight W[d, m] is used by every example n: its gradient is a sum over the batch.",
        "dW has the shape (D, M) of W: one matrix product of x (N, D) and dout (N, M), "
        "summing over N, gives it.",
    ),
    "db": (
        "The bias b[m] is added to out[n, m] for every example n.",
        "So its gradient adds up dout over the batch axis, and has the shape (M,) of b.",
    ),
}


def _affine_verdict(exercise, fn, cases, level) -> CheckResult:
    """The three gradients checked one after the other, each with its own hints and
    diagnosis, so that a message names the one that is wrong."""
    for k, part in enumerate(exercise.returns):
        result = check(
            _affine_part(fn, k),
            lambda x, W, dout, k=k: exercise.reference(x, W, dout)[k],
            cases,
            name=f"{exercise.name} ({part})",
            hint=_AFFINE_HINTS[part],
            level=level,
            strict=False,
            unchanged=exercise.unchanged,
            diagnose=_diagnose_affine_backward(k),
            quiet=True,
        )
        if result.status in ("not implemented", "error"):  # not about one of the parts
            result.message = result.message.replace(result.name, exercise.name)
            result.name = exercise.name
        if not result.passed:
            return result
    message = f"✔ {exercise.name}: dx, dW and db correct on all {len(cases)} test cases."
    return make_result("passed", exercise.name, None, message)


@exercise(
    "affine_backward",
    "x, W, dout",
    reference=_affine_backward,
    returns=("dx", "dW", "db"),
    unchanged=(0, 1, 2),
    verdict=_affine_verdict,
)
def check_affine_backward():
    """Chapter 5: ``fn(x, W, dout)`` returns ``(dx, dW, db)`` for out = x W + b, with
    x (N, D), W (D, M), dout = ∂L/∂out (N, M): dx = dout Wᵀ (N, D), dW = xᵀ dout (D, M),
    db = Σₙ doutₙ (M,). The three arrays are checked in this order."""
    rng = np.random.default_rng(55)
    shapes = [(2, 3, 4), (5, 4, 4), (1, 3, 2), (4, 1, 3), (3, 6, 2)]  # (N, D, M)
    return [Case(tuple(rng.normal(size=s) for s in ((n, d), (d, m), (n, m)))) for n, d, m in shapes]


def _diagnose_log_sum_exp(case, received, expected) -> str | None:
    (x,) = case.args
    got = np.asarray(received, dtype=float)
    if got.size != np.size(expected):
        return None
    got = got.reshape(np.shape(expected))
    m = x.max(axis=-1)
    if x.ndim == 2:
        with np.errstate(all="ignore"):
            one_max = x.max()
            global_shift = one_max + np.log(np.exp(x - one_max).sum(axis=-1))
        if np.allclose(got, global_shift, equal_nan=True):
            return "Subtract each row's own maximum (axis=-1, keepdims=True), not one for all."
    if not np.all(np.isfinite(got)):
        return (
            "exp overflows to inf once its argument exceeds about 709.78, and underflows to "
            "0 below about −745, so that log gives −inf. Subtract the largest entry first."
        )
    if np.allclose(got + m, expected):
        return "You subtracted the maximum m but did not add it back after the log."
    if np.allclose(got, m):
        return "That is the maximum alone, only an approximation: add log Σ exp(xₖ − m)."
    return None


def _log_sum_exp(x):
    """The reference: a number (not a 0-d array) for one vector, an array for a matrix."""
    from descent import nn

    result = nn.log_sum_exp(x)
    return float(result) if result.ndim == 0 else result


@exercise(
    "log_sum_exp",
    "x",
    reference=_log_sum_exp,
    hints=(
        "exp overflows for large scores and underflows for very negative ones. Subtract one "
        "constant from every score of a row, and add it back outside the log.",
        "Take each row's own largest score as its constant: every exponent is then at most "
        "0 and the largest term is exactly 1. Reduce over the last axis only.",
    ),
    rtol=1e-9,
    atol=1e-9,
    unchanged=(0,),
    diagnose=_diagnose_log_sum_exp,
)
def check_log_sum_exp():
    """Chapter 5: ``fn(x)`` returns log Σₖ exp(xₖ) over the last axis of x, without
    overflow or underflow: a number for x of shape (C,), an array (N,) for x (N, C)."""
    rng = np.random.default_rng(5)
    return [
        Case((np.array([1.0, 2.0, 3.0]),)),
        Case((np.array([1000.0, 1001.0, 1002.0]),), label="x = [1000, 1001, 1002] (large)"),
        Case((np.array([-1000.0, -1001.0]),), label="x = [−1000, −1001] (very negative)"),
        Case((np.array([[0.0, 1.0, 2.0], [1000.0, 1000.0, 1000.0], [-5.0, 3.0, 700.0]]),)),
        Case((np.array([[0.0, 1.0], [-1000.0, -999.0]]),), label="x = [[0, 1], [−1000, −999]]"),
        Case((rng.uniform(-50, 50, size=(4, 5)),)),
    ]


# --------------------------------------------------------------------------- a layer


class _LeakyReLU:
    """The reference layer: out = x where x > 0, α x elsewhere; backward: dout · slope,
    with the slope (1 or α) cached by forward."""

    def __init__(self, alpha=0.01):
        self.alpha, self.slope = alpha, None

    def forward(self, x):
        self.slope = np.where(x > 0, 1.0, self.alpha)
        return x * self.slope

    def backward(self, dout):
        return dout * self.slope


def _layer_inputs(shape, seed):
    """The seeded x (entries at least 0.05 away from the kink at 0) and dout of a case."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.05, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return x, rng.normal(size=shape)


def _layer_run(cls, alpha, shape, seed):
    """Make a layer ``cls(alpha=alpha)``; run forward on another input first, then on x
    (so that backward must use what the last forward cached), then backward on dout.
    Returns out and dx stacked, shape (2, *x.shape). Raises WrongResult if forward changed
    x or backward changed dout. The entries of x stay at least 0.05 away from the kink."""
    x, dout = _layer_inputs(shape, seed)
    layer = cls(alpha=alpha)
    layer.forward(-x)  # a first input with the opposite signs: its cache must not stay
    given, upstream = x.copy(), dout.copy()
    out = layer.forward(x)
    if not np.array_equal(x, given):
        raise WrongResult(
            "forward changed its input x in place: the layer below still needs it. Compute "
            "the output in a new array."
        )
    out = np.array(out, dtype=float, copy=True)  # before backward can change it
    dx = layer.backward(dout)
    if not np.array_equal(dout, upstream):
        raise WrongResult(
            "backward changed dout in place (as dout[mask] = 0 does): the caller's array "
            "is the gradient of the layer above, which may be needed again. Return a new "
            "array."
        )
    parts = state_arrays((out, dx), ("out", "dx"), shape)
    return np.stack(parts)


def _diagnose_leaky_relu(case, received, expected) -> str | None:
    from descent.gradients import numerical_gradient, relative_error, verdict

    alpha, shape, seed = case.args
    got = np.asarray(received, dtype=float)
    if got.shape != expected.shape:
        return None
    x, dout = _layer_inputs(shape, seed)
    if np.allclose(got[0], expected[0]) and not np.allclose(got[1], expected[1]):
        if np.allclose(got[1], dout * (x > 0)):
            return "backward uses ReLU's slope 0 for x < 0: the slope there is α."
        if np.allclose(got[1], np.where(x > 0, 1.0, alpha)):
            return "backward returns the local slope only: multiply it by dout (chain rule)."

        def loss(z):  # Σ forward(z)·dout, whose gradient is what backward must return
            return float(np.sum(np.where(z > 0, z, alpha * z) * dout))

        error = relative_error(got[1], numerical_gradient(loss, x.copy()))
        return (
            f"forward is right, but backward is not its derivative: a gradient check of dx "
            f"against the numerical gradient of Σ forward(x)·dout gives a relative error of "
            f"{error:.1e} ({verdict(error)})."
        )
    if np.allclose(got[0], np.where(x > 0, alpha * x, x)):
        return "α multiplies the positive side: out = x for x > 0 and α x for x ≤ 0."
    return None


@exercise(
    "LeakyReLU",
    "alpha=0.01",
    reference=_LeakyReLU,
    hints=(
        "forward: keep x where it is positive, and scale it by α elsewhere; remember in the "
        "layer what backward will need. backward: the chain rule, dout times the local slope.",
        "The local slope is 1 where the last forward's x was positive and α elsewhere. Make "
        "new arrays in both passes: neither x nor dout may change.",
    ),
    diagnose=_diagnose_leaky_relu,
    run=_layer_run,
)
def check_leaky_relu():
    """Chapter 5: ``cls(alpha=0.01)`` makes a Leaky ReLU layer: ``forward(x)`` returns x
    where x > 0 and α x elsewhere, element-wise, for any shape, without changing x, and
    caches what backward needs; ``backward(dout)`` returns dout times the slope (1 or α)
    at the x of the last forward, without changing dout. The rows shown are out, dx."""
    return [
        Case((0.1, (2, 3), 5), label="alpha = 0.1, x of shape (2, 3), then backward"),
        Case((0.01, (4,), 6), label="alpha = 0.01, x of shape (4,), then backward"),
        Case((0.3, (3, 2, 2), 7), label="alpha = 0.3, x of shape (3, 2, 2), then backward"),
    ]
