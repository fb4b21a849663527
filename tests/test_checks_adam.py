"""Chapter 11's checkers, check_adam_step and check_adam_optimizer, against correct and
deliberately wrong student functions and classes: each classic Adam mistake must be caught
and named (what every checker does is tested in test_checks_generic.py)."""

import copy

import numpy as np
import pytest

from descent import checks
from descent.optimizers import Adam


def adam_step(theta, m, v, t, g, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def adam_step_in_place(theta, m, v, t, g, lr, beta1, beta2, eps):
    t += 1
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g * g
    theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, m, v, t


def t_from_zero(theta, m, v, t, g, lr, beta1, beta2, eps):  # corrects with the old count
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t + 1


def no_bias_correction(theta, m, v, t, g, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v, t + 1


def eps_inside(theta, m, v, t, g, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v, t


def folded(theta, m, v, t, g, lr, beta1, beta2, eps):  # the efficient form, ε on √v
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v, t


def only_m_corrected(theta, m, v, t, g, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v, t


def undamped_v(theta, m, v, t, g, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def forgets_t(theta, m, v, t, g, lr, beta1, beta2, eps):
    new = adam_step(theta, m, v, t, g, lr, beta1, beta2, eps)
    return (*new[:3], t)


def uphill(theta, m, v, t, g, lr, beta1, beta2, eps):
    new_theta, m, v, t = adam_step(theta, m, v, t, g, lr, beta1, beta2, eps)
    return 2 * theta - new_theta, m, v, t


def theta_only(theta, m, v, t, g, lr, beta1, beta2, eps):
    return adam_step(theta, m, v, t, g, lr, beta1, beta2, eps)[0]


def test_a_correct_step_passes(capsys):
    assert checks.check_adam_step(adam_step, strict=True).passed


def test_reference_is_the_package_adam():
    """Six updates of the checker's reference reproduce descent.optimizers.Adam."""
    adam = checks.check_adam_step.exercise
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(6, 3))
    opt, params = Adam(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-3), {"w": np.ones(3)}
    theta, m, v, t = np.ones(3), np.zeros(3), np.zeros(3), 0
    for g in grads:
        opt.update(params, {"w": g})
        theta, m, v, t = adam.reference(theta, m, v, t, g, 0.05, 0.8, 0.99, 1e-3)
    np.testing.assert_allclose(theta, params["w"], rtol=1e-14)
    np.testing.assert_allclose(m, opt.state["w"]["m"], rtol=1e-14)
    assert t == opt.t == 6


@pytest.mark.parametrize(
    "fn, words, case",
    [
        (t_from_zero, "1 − β⁰ = 0", 0),
        (no_bias_correction, "no bias correction", 0),
        (only_m_corrected, "Only m is bias-corrected", 0),
        (undamped_v, "(1 − β₂) on g² is missing", 0),
        (forgets_t, "return the new step count", 0),
        (uphill, "uphill", 0),
        (eps_inside, "ε is inside the square root", 3),
        (folded, "folded form", 3),
        (theta_only, "as a tuple", 0),
        (adam_step_in_place, "changed its input theta", 0),  # "without modifying its inputs"
    ],
)
def test_names_the_mistake(fn, words, case):
    result = checks.check_adam_step(fn)
    assert result.status in ("wrong", "error") and not result.passed
    assert words in " ".join(result.message.split()), result.message
    assert result.case == case


def test_old_count_is_named_after_the_first_step():
    """Started from a mid-run state, the off-by-one count gives finite but wrong numbers."""

    def shifted(theta, m, v, t, g, lr, beta1, beta2, eps):
        if t == 0:  # right on a fresh state, wrong on every later one
            return adam_step(theta, m, v, t, g, lr, beta1, beta2, eps)
        return t_from_zero(theta, m, v, t, g, lr, beta1, beta2, eps)

    result = checks.check_adam_step(shifted)
    assert result.status == "wrong" and result.case == 1
    assert "used the old count t" in result.message, result.message


# --------------------------------------------------------------------------- the class


class AdamOptimizer:  # a correct solution, in the style of Deep Learning from Scratch
    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t, self.m, self.v = 0, {}, {}

    def update(self, params, grads):
        self.t += 1
        for key, theta in params.items():
            if key not in self.m:
                self.m[key], self.v[key] = np.zeros_like(theta), np.zeros_like(theta)
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            m_hat = self.m[key] / (1 - self.beta1**self.t)
            v_hat = self.v[key] / (1 - self.beta2**self.t)
            theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def state_dict(self):
        return {"t": self.t, "m": copy.deepcopy(self.m), "v": copy.deepcopy(self.v)}

    def load_state_dict(self, state):
        self.t, self.m, self.v = state["t"], copy.deepcopy(state["m"]), copy.deepcopy(state["v"])


class OldCount(AdamOptimizer):  # the bias correction sees the old count
    def update(self, params, grads):
        self.t -= 1
        super().update(params, grads)
        self.t += 1


class Shared(AdamOptimizer):  # one m and one v for every parameter of one shape
    def update(self, params, grads):
        self.t += 1
        for theta, g in zip(params.values(), grads.values(), strict=True):
            if "all" not in self.m or self.m["all"].shape != theta.shape:
                self.m["all"], self.v["all"] = np.zeros_like(theta), np.zeros_like(theta)
            self.m["all"] = self.beta1 * self.m["all"] + (1 - self.beta1) * g
            self.v["all"] = self.beta2 * self.v["all"] + (1 - self.beta2) * g**2
            m_hat = self.m["all"] / (1 - self.beta1**self.t)
            v_hat = self.v["all"] / (1 - self.beta2**self.t)
            theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class Aliased(AdamOptimizer):  # state_dict hands out the live dicts
    def state_dict(self):
        return {"t": self.t, "m": self.m, "v": self.v}


class ForgetsT(AdamOptimizer):  # load_state_dict restores m and v, not t
    def load_state_dict(self, state):
        self.m, self.v = copy.deepcopy(state["m"]), copy.deepcopy(state["v"])


class NewArrays(AdamOptimizer):  # puts new arrays into params
    def update(self, params, grads):
        copies = {key: theta.copy() for key, theta in params.items()}
        super().update(copies, grads)
        params.update(copies)


class NoCounter(AdamOptimizer):  # counts in another attribute
    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr, beta1, beta2, eps)
        del self.t
        self.iterations = 0

    def update(self, params, grads):
        self.t = self.iterations
        super().update(params, grads)
        self.iterations = self.t
        del self.t


def test_the_class_checker_accepts_a_correct_class(capsys):
    assert checks.check_adam_optimizer(AdamOptimizer, strict=True).passed


def test_the_reference_class_is_the_package_adam():
    rng = np.random.default_rng(3)
    ours, theirs = (
        checks.check_adam_optimizer.exercise.reference(0.05, 0.8, 0.99, 1e-6),
        Adam(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6),
    )
    p1 = {"W": rng.normal(size=(2, 3)), "b": rng.normal(size=3)}
    p2 = {k: v.copy() for k, v in p1.items()}
    for _ in range(7):
        grads = {"W": rng.normal(size=(2, 3)), "b": rng.normal(size=3)}
        ours.update(p1, grads)
        theirs.update(p2, grads)
    for key in p1:
        np.testing.assert_allclose(p1[key], p2[key], rtol=1e-13, atol=1e-15)
    assert ours.t == theirs.t == 7


@pytest.mark.parametrize(
    "cls, words",
    [
        (OldCount, "The bias correction used the old count"),
        (Shared, "Every parameter shares one m and one v"),
        (Aliased, "did not repeat the last 3 updates"),
        (ForgetsT, "did not repeat the last 3 updates"),
        (NewArrays, "update put new arrays into params"),
        (NoCounter, "has no step counter t"),
    ],
)
def test_the_class_checker_names_each_mistake(cls, words, capsys):
    result = checks.check_adam_optimizer(cls)
    assert result.status == "wrong" and not result.passed, result.message
    assert words in " ".join(result.message.split()), result.message
    assert "Hint 1 of 2" in result.message
    for line in ("self.t += 1", "theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)"):
        assert line not in result.message  # no line of a solution, at any level
    assert line not in checks.check_adam_optimizer(cls, hint=2).message
    with pytest.raises(AssertionError):  # a class gets no generic wrong answer
        checks.check_adam_optimizer(cls, strict=True)


def test_a_class_that_reads_a_notebook_variable_is_told_so(capsys):
    namespace = {"np": np, "lr": 0.5}
    exec(
        "class Typo:\n"
        "    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "        self.t = 0\n"
        "    def update(self, params, grads):\n"
        "        self.t += 1\n"
        "        for key in params:\n"
        "            params[key] -= lr * np.sign(grads[key])\n",
        namespace,
    )
    result = checks.check_adam_optimizer(namespace["Typo"])
    assert result.status == "wrong"
    assert "reads `lr`, a variable of the notebook" in " ".join(result.message.split())


def test_an_error_in_a_method_names_the_method(capsys):
    class Broken(AdamOptimizer):
        def update(self, params, grads):
            return params["missing"]

    result = checks.check_adam_optimizer(Broken)
    assert result.status == "error" and "KeyError" in result.message
    assert "in test_an_error_in_a_method_names_the_method.<locals>.Broken.update" in result.message
