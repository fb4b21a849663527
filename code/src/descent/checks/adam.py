"""Chapter 11, Adam: the checkers of one Adam update and of an Adam optimizer class."""

from __future__ import annotations

import copy
import functools

import numpy as np

from descent.checks.engine import Case, WrongResult, exercise, state_arrays


def adam_step_reference(
    theta,
    m,
    v,
    t,
    g,
    lr=1e-3,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    *,
    count=None,
    correct=(True, True),
    eps_mode="outside",
    damp=(True, True),
):
    """The reference (with the defaults), and the known mistakes (with the keywords):
    count: the t used in the bias correction (default t + 1); correct: bias-correct (m, v);
    eps_mode: "outside" √v̂ + ε, "inside" √(v̂ + ε), "hat" folded ηₜ m / (√v + ε);
    damp: the (1 − β) factors of m and v. Returns (θ, m, v, t + 1) as new arrays."""
    theta, g, m, v = (np.asarray(a, dtype=float) for a in (theta, g, m, v))
    n = t + 1 if count is None else count
    m = beta1 * m + ((1 - beta1) if damp[0] else 1.0) * g
    v = beta2 * v + ((1 - beta2) if damp[1] else 1.0) * g**2
    with np.errstate(all="ignore"):
        if eps_mode == "hat":
            lr_t = lr * np.sqrt(1 - beta2**n) / (1 - beta1**n)
            return theta - lr_t * m / (np.sqrt(v) + eps), m, v, t + 1
        m_hat = m / (1 - beta1**n) if correct[0] else m
        v_hat = v / (1 - beta2**n) if correct[1] else v
        if eps_mode == "inside":
            step = m_hat / np.sqrt(v_hat + eps)
        else:
            step = m_hat / (np.sqrt(v_hat) + eps)
    return theta - lr * step, m, v, t + 1


ADAM_RESULT_NAMES = ("theta_new", "m_new", "v_new", "t_new")


def adam_rows(fn, theta, *args):
    """``fn(theta, *args)``'s result (θ, m, v, t) as one array of shape (4, *θ.shape), rows
    θ, m, v, t, so that the engine compares all four at once; WrongResult, with a sentence,
    if it is not four such items. Adam's family (AdamW, Chapter 12) shares it."""
    result = fn(theta, *args)
    if result is None or result is Ellipsis:
        return result
    shape = np.shape(theta)
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        state_arrays(result, ADAM_RESULT_NAMES, shape)  # raises WrongResult: says what is wrong
    *arrays, t_new = result
    parts = state_arrays(arrays, ADAM_RESULT_NAMES[:3], shape)
    if np.size(t_new) != 1:
        raise WrongResult(f"t_new must be one number, the new step count; got {t_new!r}.")
    return np.stack([*parts, np.full(shape, float(np.ravel(t_new)[0]))])


def _diagnose_adam_step(case, received, expected) -> str | None:
    theta, m, v, t, g, lr, beta1, beta2, eps = case.args
    got = np.asarray(received, dtype=float)
    if got.shape != expected.shape:
        return None
    if t == 0 and not np.all(np.isfinite(got[0])):
        return (
            "θ is NaN or inf on the first update: the bias correction divided by "
            "1 − β⁰ = 0. Count the update before you correct, t_new = t + 1, and use t_new "
            "in 1 − β₁ᵗ and 1 − β₂ᵗ: the first update has t = 1."
        )
    rows_right = [np.allclose(got[k], expected[k], rtol=1e-6, atol=1e-12) for k in range(4)]
    if all(rows_right[:3]) and not rows_right[3]:
        return "θ, m and v are right; return the new step count t_new = t + 1 as well."
    if not rows_right[0] and not all(rows_right[1:3]):
        for damp, text in (
            ((False, True), "m ← β₁ m + (1 − β₁) g: the factor (1 − β₁) on g is missing."),
            ((True, False), "v ← β₂ v + (1 − β₂) g²: the factor (1 − β₂) on g² is missing."),
        ):
            wrong = adam_step_reference(*case.args, damp=damp)
            if np.allclose(got[:3], np.stack(wrong[:3]), rtol=1e-6, atol=1e-12):
                return text
    known = [
        (
            dict(count=t),
            "The bias correction used the old count t; count this update first, "
            "t_new = t + 1, then divide by 1 − β₁^t_new and 1 − β₂^t_new.",
        ),
        (
            dict(correct=(False, False)),
            "There is no bias correction: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ (with the new "
            "t) before the step. Without it the early steps have the wrong size.",
        ),
        (dict(correct=(True, False)), "Only m is bias-corrected; v̂ = v / (1 − β₂ᵗ) too."),
        (dict(correct=(False, True)), "Only v is bias-corrected; m̂ = m / (1 − β₁ᵗ) too."),
        (
            dict(eps_mode="inside"),
            "ε is inside the square root, √(v̂ + ε). Algorithm 1 (and torch) add it "
            "outside, √v̂ + ε; with ε = 1e-8 inside, the root acts like an ε of 1e-4 outside.",
        ),
        (
            dict(eps_mode="hat"),
            "This is the folded form ηₜ m / (√v + ε) with ηₜ = η √(1 − β₂ᵗ) / (1 − β₁ᵗ): it "
            "differs from Algorithm 1 only through ε, which it adds to √v instead of √v̂. "
            "Correct m and v first and add ε to √v̂.",
        ),
    ]
    for keywords, text in known:
        with np.errstate(all="ignore"):
            wrong = adam_rows(functools.partial(adam_step_reference, **keywords), *case.args)
            if np.allclose(got, wrong, rtol=1e-6, atol=1e-12, equal_nan=True):
                return text
    ascent = theta + (theta - expected[0])
    if np.allclose(got[0], ascent, rtol=1e-6, atol=1e-12):
        return "θ moved uphill: subtract the step, θ − η m̂ / (√v̂ + ε)."
    return None


@exercise(
    "adam_step",
    "theta, m, v, t, g, lr, beta1, beta2, eps",
    reference=adam_step_reference,
    returns=ADAM_RESULT_NAMES,
    hints=(
        "Follow the algorithm box line by line: the two moment averages, their bias "
        "corrections, then the step. The rows shown are θ, m, v and t.",
        "Count this update before the bias correction (the first update has t = 1), correct "
        "m and v each with its own β, and add ε outside the square root of v̂.",
    ),
    rtol=1e-7,
    atol=1e-12,
    unchanged=(0, 1, 2, 3),
    diagnose=_diagnose_adam_step,
    run=adam_rows,
)
def check_adam_step():
    """Chapter 11: ``fn(theta, m, v, t, g, lr, beta1, beta2, eps)`` performs one Adam update
    (Algorithm 1 of Kingma & Ba, ε outside the root, as torch) and returns
    ``(theta_new, m_new, v_new, t_new)``; ``m``, ``v`` are the moment estimates and ``t`` the
    number of updates made so far (zeros and 0 before the first), so that t_new = t + 1 is
    the number of this update, the t of the bias correction."""
    rng = np.random.default_rng(11)

    def state(shape, t, lr, beta1, beta2, eps, scale=1.0):
        """θ, g and a plausible state after t updates: m and v as zero-started averages of
        gradients of size ``scale`` (so v̂ ≈ scale²), then the hyperparameters."""
        m = (1 - beta1**t) * 0.3 * scale * rng.normal(size=shape)
        v = (1 - beta2**t) * (scale * rng.uniform(0.5, 1.5, size=shape)) ** 2
        theta, g = rng.normal(size=shape), scale * rng.normal(size=shape)
        return Case((theta, m, v, t, g, lr, beta1, beta2, eps))

    first = (np.array([1.0, -2.0]), np.zeros(2), np.zeros(2), 0, np.array([0.5, -1.0]))
    return [
        Case((*first, 0.1, 0.9, 0.999, 1e-8)),
        state(3, 5, 0.01, 0.9, 0.999, 1e-8),
        state((2, 3), 100, 1e-3, 0.9, 0.99, 1e-8),
        state(4, 3, 0.01, 0.9, 0.999, 1e-8, scale=1e-4),  # tiny gradients: ε matters
        state(3, 20, 0.05, 0.8, 0.999, 0.1),
        state(2, 1000, 0.01, 0.0, 0.9, 1e-8),
    ]


# --------------------------------------------------------------------------- the class


class _AdamOptimizer:
    """The reference class of the exercise, in the style of *Deep Learning from Scratch*,
    with switches for the known mistakes: ``count`` is the t of the bias correction,
    relative to this update's number (0: right, −1: the old count); ``shared``: one m and
    one v for every parameter; ``alias``: state_dict() returns the live arrays."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, *, count=0, shared=False):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.count, self.shared = count, shared
        self.t, self.m, self.v = 0, {}, {}

    def update(self, params, grads):
        self.t += 1
        n = self.t + self.count
        for key in params:
            slot = "all" if self.shared else key
            if slot not in self.m or self.m[slot].shape != params[key].shape:
                self.m[slot], self.v[slot] = np.zeros_like(params[key]), np.zeros_like(params[key])
            g = grads[key]
            self.m[slot] = self.beta1 * self.m[slot] + (1 - self.beta1) * g
            self.v[slot] = self.beta2 * self.v[slot] + (1 - self.beta2) * g**2
            with np.errstate(all="ignore"):
                m_hat = self.m[slot] / (1 - self.beta1**n)
                v_hat = self.v[slot] / (1 - self.beta2**n)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def state_dict(self):
        return copy.deepcopy({"t": self.t, "m": self.m, "v": self.v})

    def load_state_dict(self, state):
        state = copy.deepcopy(state)
        self.t, self.m, self.v = state["t"], state["m"], state["v"]


def _training(cls, lr, beta1, beta2, eps, shapes, seed, steps, resume_at, scale=1.0):
    """Train with ``cls`` for ``steps`` updates of seeded parameters and gradients; at
    ``resume_at`` (if not None) save ``state_dict()``, and at the end check that a fresh
    optimizer loaded with it repeats the last updates bit for bit. Returns the final
    parameters, flattened and sorted by name, then the step counter t, as one array.

    Raises WrongResult, with a sentence, for what a comparison of numbers cannot say: new
    arrays put into ``params``, changed gradients, no counter t, a resume that differs."""
    rng = np.random.default_rng(seed)
    params = {key: rng.normal(size=shape) for key, shape in shapes.items()}
    history = [
        {key: scale * rng.normal(size=shape) for key, shape in shapes.items()} for _ in range(steps)
    ]
    opt = cls(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    saved = None
    for k, grads in enumerate(history):
        if k == resume_at:
            saved = opt.state_dict(), {key: p.copy() for key, p in params.items()}
        arrays, given = dict(params), copy.deepcopy(grads)
        opt.update(params, grads)
        if any(params[key] is not arrays[key] for key in params):
            raise WrongResult(
                "update put new arrays into params. Change each parameter array itself, in "
                "place, so that a model holding the same arrays sees the change."
            )
        if any(not np.array_equal(grads[key], given[key]) for key in grads):
            raise WrongResult("update changed the gradients it was given; leave grads as it is.")
    t = getattr(opt, "t", None)
    if not isinstance(t, (int, np.integer)):
        raise WrongResult(
            f"After {steps} updates, the optimizer has no step counter t (an int): count the "
            "updates in self.t, 0 before the first."
        )
    if saved is not None:
        state, resumed = saved
        again = cls(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        again.load_state_dict(state)
        for grads in history[resume_at:]:
            again.update(resumed, grads)
        differ = [key for key in params if not np.array_equal(resumed[key], params[key])]
        if differ:
            raise WrongResult(
                f"A fresh optimizer loaded with the state_dict() saved after {resume_at} "
                f"updates did not repeat the last {steps - resume_at} updates: "
                f"{', '.join(differ)} differ. state_dict() must hold copies of m, v and t "
                "(later updates must not change what it returned), and load_state_dict "
                "must restore all three."
            )
    flat = [np.asarray(params[key], dtype=float).ravel() for key in sorted(params)]
    return np.concatenate([*flat, [float(t)]])


def _diagnose_adam_optimizer(case, received, expected) -> str | None:
    got = np.asarray(received, dtype=float)
    if got.shape != expected.shape:
        return None
    if got[-1] != expected[-1]:
        return (
            f"The step counter t is {got[-1]:g} after {expected[-1]:g} updates: add 1 per update."
        )
    lr, beta1, beta2, eps, shapes, seed, steps, _, *scale = case.args
    known = [
        (dict(count=-1), "The bias correction used the old count: the first update has t = 1."),
        (
            dict(shared=True),
            "Every parameter shares one m and one v: keep a separate pair per key of params.",
        ),
    ]
    for keywords, text in known:
        mistaken = functools.partial(_AdamOptimizer, **keywords)
        with np.errstate(all="ignore"):
            wrong = _training(mistaken, lr, beta1, beta2, eps, shapes, seed, steps, None, *scale)
        if np.allclose(got, wrong, rtol=1e-9, atol=1e-12, equal_nan=True):
            return text
    return None


@exercise(
    "AdamOptimizer",
    "lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8",
    reference=_AdamOptimizer,
    hints=(
        "Keep, for each key of params, its own m and v, made as zeros of that parameter's "
        "shape on its first update; count the updates in self.t before the bias correction.",
        "state_dict() must return copies of m, v and t, which later updates do not change; "
        "load_state_dict puts copies back. Change the parameter arrays in place (-=), not "
        "by putting new arrays into the dict.",
    ),
    rtol=1e-9,
    atol=1e-12,
    diagnose=_diagnose_adam_optimizer,
    run=_training,
)
def check_adam_optimizer():
    """Chapter 11: ``cls(lr, beta1, beta2, eps)`` makes an Adam optimizer in the style of
    *Deep Learning from Scratch*: ``update(params, grads)`` changes every array of the dict
    ``params`` in place by one Adam step (an m and a v per key, made on its first update),
    leaves ``grads`` unchanged, counts the updates in ``t`` (0 before the first); a fresh
    optimizer given ``load_state_dict(opt.state_dict())`` resumes bit for bit.

    The runs compare the parameters after a few updates, and t, with a reference
    implementation (the same iterates as ``descent.optimizers.Adam``)."""
    model = {"W": (2, 3), "b": (3,)}
    return [
        Case(
            (0.1, 0.9, 0.999, 1e-8, {"w": (2,)}, 1, 1, None),
            label="one update of params {'w': 2 numbers}, lr = 0.1 (the default betas, eps)",
        ),
        Case(
            (0.01, 0.9, 0.999, 1e-8, model, 2, 5, None),
            label="5 updates of params {'W': 2×3, 'b': 3}, lr = 0.01",
        ),
        Case(
            (0.05, 0.8, 0.99, 1e-6, model, 3, 4, None, 1e-4),
            label="4 updates of {'W': 2×3, 'b': 3} with tiny gradients (ε matters),\n"
            + " " * 12
            + "lr = 0.05, beta1 = 0.8, beta2 = 0.99, eps = 1e-6",
        ),
        Case(
            (0.01, 0.9, 0.999, 1e-8, model, 4, 6, 3),
            label="6 updates of {'W': 2×3, 'b': 3}, lr = 0.01, saving state_dict() after\n"
            + " " * 12
            + "3 and resuming a fresh optimizer from it",
        ),
    ]
