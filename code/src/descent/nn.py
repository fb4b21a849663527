r"""Backpropagation building blocks and a multilayer perceptron, in plain numpy.

Every layer has two methods:

* ``forward(x)`` computes the output from the input and caches what the backward pass needs;
* ``backward(dout)`` receives dout = ∂L/∂out, the gradient of the loss L with respect to
  the layer's output (same shape as the output), and returns ∂L/∂x (same shape as the
  input). A layer with parameters also stores their gradients (``dW``, ``db``).

Chaining the backward calls from the loss down to the input is backpropagation: the chain
rule applied one layer at a time. Shapes: N examples per batch, D inputs, M outputs,
C classes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from descent.gradients import numerical_gradient

__all__ = [
    "MLP",
    "Affine",
    "ReLU",
    "Sigmoid",
    "SoftmaxWithLoss",
    "cross_entropy",
    "log_softmax",
    "log_sum_exp",
    "sigmoid",
    "softmax",
]


# --------------------------------------------------------------------------- functions


def softmax(x) -> np.ndarray:
    """softmax(x)ₖ = exp(xₖ − m) / Σⱼ exp(xⱼ − m) along the last axis, with m = maxⱼ xⱼ.

    Subtracting m does not change the result (it cancels between numerator and denominator)
    but keeps every exponent ≤ 0, so exp never overflows, whatever the size of the scores.
    """
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_sum_exp(x) -> np.ndarray:
    """log Σₖ exp(xₖ) along the last axis, computed as m + log Σₖ exp(xₖ − m), m = maxₖ xₖ.

    x (..., C) -> (...). The sum inside the log is between 1 and C, so it neither overflows
    nor underflows.
    """
    x = np.asarray(x, dtype=float)
    m = x.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))[..., 0]


def log_softmax(x) -> np.ndarray:
    """log softmax(x)ₖ = xₖ − log Σⱼ exp(xⱼ), along the last axis, without forming exp(x)."""
    x = np.asarray(x, dtype=float)
    return x - log_sum_exp(x)[..., np.newaxis]


def cross_entropy(probs, t) -> float:
    """Mean cross-entropy L = −(1/N) Σₙ Σₖ Tₙₖ log pₙₖ of predicted probabilities.

    Args:
        probs: (N, C) probabilities, each row summing to 1 (or (C,) for one example).
        t: the targets, integer labels (N,) in 0..C−1 or one-hot rows T (N, C).

    A probability of exactly 0 is raised to the smallest positive float (≈ 2.2e-308), so the
    loss stays finite (at most ≈ 708 per example). From scores, ``SoftmaxWithLoss`` is more
    accurate: it uses log p = s − log Σ exp(s) and never takes the log of a rounded p.
    """
    probs = np.asarray(probs, dtype=float)
    if probs.ndim == 1:
        probs, t = probs[np.newaxis], np.asarray(t)[np.newaxis]
    targets = _one_hot(t, probs.shape)
    log_probs = np.log(np.maximum(probs, np.finfo(float).tiny))
    return float(-np.sum(targets * log_probs) / len(probs))


def sigmoid(x) -> np.ndarray:
    """σ(x) = 1 / (1 + e^(−x)), evaluated without overflow for large |x|.

    For x < 0 the equal form e^x / (1 + e^x) is used, so exp only ever sees −|x|.
    """
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _one_hot(t, shape) -> np.ndarray:
    """Targets as an (N, C) float matrix: one-hot rows are kept, integer labels expanded."""
    t = np.asarray(t)
    n, c = shape
    if t.shape == (n, c):
        return t.astype(float)
    if t.shape != (n,) or not np.issubdtype(t.dtype, np.integer):
        raise ValueError(
            f"targets must be integer labels of shape ({n},) or one-hot rows of shape "
            f"({n}, {c}), got {t.dtype} of shape {t.shape}"
        )
    if n and (t.min() < 0 or t.max() >= c):
        raise ValueError(f"labels must lie in 0..{c - 1}, got values {t.min()}..{t.max()}")
    return np.eye(c)[t]


def _accuracy(scores: np.ndarray, t) -> float:
    """The fraction of rows of scores (N, C) whose largest entry is the true class."""
    t = np.asarray(t)
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    return float(np.mean(scores.argmax(axis=1) == labels))


# --------------------------------------------------------------------------- layers


class Affine:
    """The fully connected layer out = x W + b.

    Args:
        W: weights, shape (D, M). b: biases, shape (M,). The layer keeps these very arrays
            (no copy), so an optimizer that updates the model's parameters in place changes
            what the next ``forward`` computes.

    forward(x):      x (N, D) -> out (N, M). Any x of shape (N, d₁, d₂, ...) with
                     d₁·d₂·... = D is flattened first (an 8×8 image becomes 64 inputs).
    backward(dout):  dout (N, M) -> dx = dout Wᵀ, reshaped to x's shape, and stores
                     dW = xᵀ dout (D, M) and db = Σₙ doutₙ (M,).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray):
        if np.ndim(W) != 2 or np.shape(b) != np.shape(W)[1:]:
            raise ValueError(
                f"Affine needs W of shape (D, M) and b of shape (M,), got {np.shape(W)} "
                f"and {np.shape(b)}"
            )
        self.W, self.b = W, b
        self.x = None  # the input, flattened to (N, D), cached for backward
        self.x_shape = None
        self.dW = self.db = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.x_shape = x.shape
        self.x = x.reshape(len(x), -1)
        return self.x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.x is None:
            raise RuntimeError("call forward before backward")
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.x_shape)


class ReLU:
    """The rectified linear unit out = max(0, x), element-wise, any shape.

    backward(dout): dx = dout · [x > 0]. At the kink x = 0 the derivative does not exist;
    we use 0 there, as every framework does.
    """

    def __init__(self):
        self.mask = None  # where x > 0, cached for backward

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.mask is None:
            raise RuntimeError("call forward before backward")
        return dout * self.mask


class Sigmoid:
    """The logistic function y = σ(x) = 1 / (1 + e^(−x)), element-wise, any shape.

    backward(dout): dx = dout · y (1 − y), since σ'(x) = σ(x)(1 − σ(x)); the output y is
    cached, so the backward pass needs no further exponential.
    """

    def __init__(self):
        self.y = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = sigmoid(x)
        return self.y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.y is None:
            raise RuntimeError("call forward before backward")
        return dout * self.y * (1 - self.y)


class SoftmaxWithLoss:
    """Softmax and mean cross-entropy in one layer: the output layer of a classifier.

    forward(s, t):    s (N, C) scores, t integer labels (N,) or one-hot rows T (N, C);
                      p = softmax(s) and L = −(1/N) Σₙ Σₖ Tₙₖ log pₙₖ, with
                      log p = s − log Σ exp(s) (stable for any s). Returns L, a float.
    backward(dout=1): ∂L/∂s = dout · (p − T) / N, shape (N, C). Fusing the two layers gives
                      this simple form; the softmax Jacobian never has to be built.
    """

    def __init__(self):
        self.probs = None  # p, (N, C)
        self.targets = None  # T, (N, C)

    def forward(self, scores: np.ndarray, t) -> float:
        scores = np.asarray(scores, dtype=float)
        if scores.ndim != 2:
            raise ValueError(f"scores must have shape (N, C), got {scores.shape}")
        self.targets = _one_hot(t, scores.shape)
        self.probs = softmax(scores)
        return float(-np.sum(self.targets * log_softmax(scores)) / len(scores))

    def backward(self, dout: float = 1.0) -> np.ndarray:
        if self.probs is None:
            raise RuntimeError("call forward before backward")
        return dout * (self.probs - self.targets) / len(self.probs)


# --------------------------------------------------------------------------- the network


class MLP:
    """A multilayer perceptron: (Affine → activation) × hidden layers → Affine → softmax loss.

    Args:
        input_size: D, the number of inputs (64 for the 8×8 digits).
        hidden_sizes: the widths of the hidden layers, e.g. ``[100, 100]``; ``[]`` gives
            softmax regression.
        output_size: C, the number of classes.
        activation: ``"relu"`` or ``"sigmoid"``, after every hidden Affine.
        init: how the weights are drawn, Wᵢ ~ N(0, σ²), biases 0:
            ``"he"``      σ = √(2 / fan_in)             (He et al. 2015; suits ReLU),
            ``"xavier"``  σ = √(2 / (fan_in + fan_out))  (Glorot & Bengio 2010; sigmoid),
            a float       σ itself.
        seed: seeds the weight initialisation.

    ``params`` maps ``"W1", "b1", "W2", ...`` to the arrays; layer i has Wᵢ of shape
    (sizes[i−1], sizes[i]) and bᵢ of shape (sizes[i],), ``sizes = [D, *hidden_sizes, C]``.
    The Affine layers use these very arrays: update them in place (``opt.update(model.params,
    grads)``) or assign new ones (``model.params["W1"] = ...``), and ``predict`` sees it.
    """

    def __init__(
        self,
        input_size: int,
        hidden_sizes: Sequence[int],
        output_size: int,
        activation: str = "relu",
        init: str | float = "he",
        seed: int = 0,
    ):
        if isinstance(hidden_sizes, (int, np.integer)):
            hidden_sizes = [hidden_sizes]
        sizes = [input_size, *hidden_sizes, output_size]
        if not all(isinstance(s, (int, np.integer)) and s > 0 for s in sizes):
            raise ValueError(f"layer sizes must be positive integers, got {sizes}")
        if activation not in ("relu", "sigmoid"):
            raise ValueError(f"activation must be 'relu' or 'sigmoid', got {activation!r}")
        self.sizes = [int(s) for s in sizes]
        self.activation, self.init = activation, init
        rng = np.random.default_rng(seed)

        self.params: dict[str, np.ndarray] = {}
        for i in range(1, len(self.sizes)):
            fan_in, fan_out = self.sizes[i - 1], self.sizes[i]
            std = _init_std(init, fan_in, fan_out)
            self.params[f"W{i}"] = std * rng.standard_normal((fan_in, fan_out))
            self.params[f"b{i}"] = np.zeros(fan_out)

        n_affine = len(self.sizes) - 1
        self.affines = [
            Affine(self.params[f"W{i}"], self.params[f"b{i}"]) for i in range(1, n_affine + 1)
        ]
        self.layers = []  # Affine, activation, Affine, activation, ..., Affine
        for i, affine in enumerate(self.affines, start=1):
            self.layers.append(affine)
            if i < n_affine:
                self.layers.append(ReLU() if activation == "relu" else Sigmoid())
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The scores (logits) s = forward pass of x (N, D) through every layer: (N, C)."""
        for i, affine in enumerate(self.affines, start=1):  # follow reassigned params too
            affine.W, affine.b = self.params[f"W{i}"], self.params[f"b{i}"]
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x: np.ndarray, t) -> float:
        """The mean cross-entropy of the softmax of the scores, for labels t (N,) or (N, C)."""
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x: np.ndarray, t) -> float:
        """The fraction of examples whose highest score is the true class."""
        return _accuracy(self.predict(x), t)

    def loss_and_accuracy(self, x: np.ndarray, t) -> tuple[float, float]:
        """``(loss(x, t), accuracy(x, t))`` from one forward pass instead of two."""
        scores = self.predict(x)
        return self.last_layer.forward(scores, t), _accuracy(scores, t)

    def loss_and_gradient(self, x: np.ndarray, t) -> tuple[float, dict[str, np.ndarray]]:
        """One forward and one backward pass: the loss and the gradient of every parameter."""
        loss = self.loss(x, t)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {}
        for i, affine in enumerate(self.affines, start=1):
            grads[f"W{i}"], grads[f"b{i}"] = affine.dW, affine.db
        return loss, grads

    def gradient(self, x: np.ndarray, t) -> dict[str, np.ndarray]:
        """∂L/∂θ for every parameter θ by backpropagation: a dict shaped like ``params``."""
        return self.loss_and_gradient(x, t)[1]

    def numerical_gradient(self, x: np.ndarray, t, h: float = 1e-5) -> dict[str, np.ndarray]:
        """∂L/∂θ by centered differences (slow: two forward passes per parameter entry).

        For checking ``gradient`` on a small network and batch, never for training.
        """

        def loss(_):  # reads the parameters that numerical_gradient perturbs in place
            return self.loss(x, t)

        return {name: numerical_gradient(loss, theta, h) for name, theta in self.params.items()}

    @property
    def n_params(self) -> int:
        return sum(theta.size for theta in self.params.values())

    def __repr__(self) -> str:
        arch = " → ".join(map(str, self.sizes))
        return (
            f"MLP({arch}, activation={self.activation!r}, init={self.init!r}, "
            f"{self.n_params:,} parameters)"
        )


def _init_std(init, fan_in: int, fan_out: int) -> float:
    if init == "he":
        return np.sqrt(2.0 / fan_in)
    if init == "xavier":
        return np.sqrt(2.0 / (fan_in + fan_out))
    if isinstance(init, (int, float, np.floating)) and not isinstance(init, bool) and init > 0:
        return float(init)
    raise ValueError(f"init must be 'he', 'xavier' or a standard deviation > 0, got {init!r}")
