"""Chapter 12, Adam's family: the checker of one AdamW update."""

from __future__ import annotations

import functools

import numpy as np

from descent.checks.adam import ADAM_RESULT_NAMES, adam_rows, adam_step_reference
from descent.checks.engine import Case, exercise


def _adamw_step(
    theta, m, v, t, g, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, *, mistake=None
):
    """The reference (``mistake=None``): θ ← θ − η λ θ, then Adam's step with g as it is, as
    torch.optim.AdamW. The known mistakes: "l2" adds λθ to g instead; "no_lr" decays by λθ
    without η; "after" decays the new θ after the step; "none" leaves the decay out.
    Returns (θ, m, v, t + 1) as new arrays."""
    theta, g = np.asarray(theta, dtype=float), np.asarray(g, dtype=float)
    args = (lr, beta1, beta2, eps)
    if mistake == "l2":
        return adam_step_reference(theta, m, v, t, g + weight_decay * theta, *args)
    if mistake == "none":
        return adam_step_reference(theta, m, v, t, g, *args)
    if mistake == "after":
        theta_new, m_new, v_new, t_new = adam_step_reference(theta, m, v, t, g, *args)
        return theta_new * (1 - lr * weight_decay), m_new, v_new, t_new
    factor = 1 - weight_decay if mistake == "no_lr" else 1 - lr * weight_decay
    return adam_step_reference(theta * factor, m, v, t, g, *args)


_KNOWN = (
    (
        "l2",
        "λθ went into the gradient, so it is averaged in m and v and divided by √v̂: that is "
        "Adam with L2 regularization. In AdamW the decay stays out of m and v.",
    ),
    (
        "no_lr",
        "The decay is λθ per step; AdamW (as torch) multiplies it by the learning rate: "
        "each weight shrinks by the factor 1 − ηλ.",
    ),
    (
        "after",
        "The decay shrank θ after the Adam step. Decay the θ you were given first, then "
        "take the Adam step.",
    ),
    ("none", "This is Adam's step without any weight decay: θ must also shrink by ηλθ."),
)


def _diagnose(case, received, expected) -> str | None:
    got = np.asarray(received, dtype=float)
    if got.shape != expected.shape:
        return None
    for mistake, text in _KNOWN:
        wrong = adam_rows(functools.partial(_adamw_step, mistake=mistake), *case.args)
        if np.allclose(got, wrong, rtol=1e-9, atol=1e-14):
            return text
    return None


@exercise(
    "adamw_step",
    "theta, m, v, t, g, lr, beta1, beta2, eps, weight_decay",
    reference=_adamw_step,
    returns=ADAM_RESULT_NAMES,
    hints=(
        "AdamW is Adam plus one line: a weight decay that does not pass through m and v. "
        "The rows shown are θ, m, v and t.",
        "First shrink θ by the factor 1 − ηλ. Then take Adam's step of Chapter 11 with the "
        "gradient g unchanged.",
    ),
    rtol=1e-7,
    atol=1e-12,
    unchanged=(0, 1, 2, 3),
    diagnose=_diagnose,
    run=adam_rows,
)
def check_adamw_step():
    """Chapter 12: ``fn(theta, m, v, t, g, lr, beta1, beta2, eps, weight_decay)`` performs
    one AdamW update (decoupled weight decay, as torch.optim.AdamW: θ ← θ − η λ θ, then
    Adam's step with g as it is) and returns ``(theta_new, m_new, v_new, t_new)``, with
    ``m``, ``v`` and ``t`` as in Chapter 11's ``adam_step``."""
    rng = np.random.default_rng(12)

    def state(shape, t, lr, wd, scale=1.0):
        m = (1 - 0.9**t) * 0.3 * scale * rng.normal(size=shape)
        v = (1 - 0.999**t) * (scale * rng.uniform(0.5, 1.5, size=shape)) ** 2
        theta, g = 3 * rng.normal(size=shape), scale * rng.normal(size=shape)
        return Case((theta, m, v, t, g, lr, 0.9, 0.999, 1e-8, wd))

    first = (np.array([2.0, -1.0]), np.zeros(2), np.zeros(2), 0, np.array([0.5, -1.0]))
    return [
        Case((*first, 0.1, 0.9, 0.999, 1e-8, 0.5)),
        state(3, 5, 0.05, 0.2),
        state((2, 3), 100, 0.01, 1.0, scale=10.0),
        state(4, 30, 0.02, 0.1, scale=1e-3),
    ]
