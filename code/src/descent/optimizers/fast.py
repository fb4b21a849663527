r"""The fast twins of the optimizers' steps: the same numbers, without temporary arrays.

An optimizer's ``step`` is written to be read: ``m[:] = b1 * m + (1 - b1) * g`` makes a
new array for ``b1 * m``, another for ``(1 - b1) * g``, a third for their sum, and then
copies it into ``m``. On a large model each new array is fresh memory that the operating
system must hand out at every step. The twins here compute the same operations, in the
same order, so the results are the same to the last bit (tests/test_optimizers_fast.py);
but they write every intermediate result into memory that already exists: the state
(``m *= b1``), θ (``theta -= ...``) or a scratch array (``np.multiply(a, b, out=tmp)``).

``Adam(fast=True)`` (any optimizer, ``fast=True``) makes ``update`` call ``twin(opt)``,
the function of ``TWINS`` registered for the class that defines ``opt.step``, instead of
``opt.step``. The scratch arrays come from a ``Workspace``: one block per dtype, as large
as the largest parameter array seen, shared by every parameter array and every step. The
appendix on the cost of a step measures when this pays: on large arrays (10⁵ parameters
and more), not on the small problems of the chapters.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["TWINS", "Workspace", "step", "twin"]


class Workspace:
    """Scratch arrays for the fast steps, allocated once and reused by every step.

    ``arrays(theta, k)`` returns an array of θ's shape and dtype (a tuple of ``k`` of
    them when ``k > 1``), with whatever values the last step left in it. They are views
    of one block per dtype that grows to ``k`` rows of the largest parameter array seen.

    Args:
        blocks: 2-D arrays to take the scratch arrays from at first, one per dtype (rows
            of them are used; a block too small is replaced). Default: none, allocated
            when first needed.
    """

    def __init__(self, *blocks: np.ndarray):
        self.blocks = {block.dtype: block for block in blocks}
        self._views: dict[tuple, object] = {}  # (dtype, shape, k) -> arrays(...)

    def arrays(self, theta: np.ndarray, k: int = 1):
        key = (theta.dtype, theta.shape, k)
        views = self._views.get(key)  # made once per shape: a step is often tiny
        if views is None:
            block = self.blocks.get(theta.dtype)
            if block is None or block.shape[0] < k or block.shape[1] < theta.size:
                rows = max(k, 0 if block is None else block.shape[0])
                size = max(theta.size, 0 if block is None else block.shape[1])
                block = self.blocks[theta.dtype] = np.empty((rows, size), dtype=theta.dtype)
                self._views = {}  # views of a replaced block would keep it alive
            views = tuple(block[i, : theta.size].reshape(theta.shape) for i in range(k))
            views = self._views[key] = views[0] if k == 1 else views
        return views

    @property
    def nbytes(self) -> int:
        """Bytes of scratch space the steps have used so far (not part of any state)."""
        return sum(block.nbytes for block in self.blocks.values())


def twin(opt) -> Callable | None:
    """The fast twin of ``opt.step``: the one registered for the class that defines the
    step (AdamW, which uses Adam's step, gets Adam's twin), or None if there is none."""
    owner = next(cls for cls in type(opt).__mro__ if "step" in vars(cls))
    return TWINS.get(owner.__name__)


def step(opt, theta: np.ndarray, g: np.ndarray, state: dict, work: Workspace) -> None:
    """One fast step of ``opt``'s rule: the twin of ``opt.step(theta, g, state)``, with its
    scratch arrays from ``work``. Raises ValueError if ``opt.step`` has no twin."""
    fn = twin(opt)
    if fn is None:
        raise ValueError(f"{type(opt).__name__}.step has no fast twin in descent.optimizers.fast")
    fn(opt, theta, g, state, work)


def sgd(opt, theta, g, state, work):
    tmp = work.arrays(theta)
    theta -= np.multiply(opt.lr, g, out=tmp)  # θ ← θ − η g


def momentum(opt, theta, g, state, work):
    v, tmp = state["v"], work.arrays(theta)
    v *= opt.momentum  # v ← μ v − η g
    v -= np.multiply(opt.lr, g, out=tmp)
    theta += v  # θ ← θ + v


def nesterov(opt, theta, g, state, work):
    b, tmp = state["b"], work.arrays(theta)
    b *= opt.momentum  # b ← μ b + g
    b += g
    np.multiply(opt.momentum, b, out=tmp)  # θ ← θ − η (g + μ b)
    tmp += g
    theta -= np.multiply(opt.lr, tmp, out=tmp)


def adagrad(opt, theta, g, state, work):
    h, (tmp, denom) = state["h"], work.arrays(theta, 2)
    h += np.square(g, out=tmp)  # h ← h + g²
    np.add(np.sqrt(h, out=denom), opt.eps, out=denom)  # θ ← θ − η g / (√h + ε)
    theta -= np.divide(np.multiply(opt.lr, g, out=tmp), denom, out=tmp)


def rmsprop(opt, theta, g, state, work):
    s, (tmp, denom) = state["s"], work.arrays(theta, 2)
    s *= opt.rho  # s ← ρ s + (1 − ρ) g²
    s += np.multiply(1 - opt.rho, np.square(g, out=tmp), out=tmp)
    np.add(np.sqrt(s, out=denom), opt.eps, out=denom)  # θ ← θ − η g / (√s + ε)
    theta -= np.divide(np.multiply(opt.lr, g, out=tmp), denom, out=tmp)


def adadelta(opt, theta, g, state, work):
    s, u, (delta, tmp) = state["s"], state["u"], work.arrays(theta, 2)
    s *= opt.rho  # s ← ρ s + (1 − ρ) g²
    s += np.multiply(1 - opt.rho, np.square(g, out=tmp), out=tmp)
    np.sqrt(np.add(u, opt.eps, out=delta), out=delta)  # Δ ← √(u + ε) / √(s + ε) · g
    delta /= np.sqrt(np.add(s, opt.eps, out=tmp), out=tmp)
    delta *= g
    u *= opt.rho  # u ← ρ u + (1 − ρ) Δ²
    u += np.multiply(1 - opt.rho, np.square(delta, out=tmp), out=tmp)
    theta -= np.multiply(opt.lr, delta, out=delta)  # θ ← θ − η Δ


def adam(opt, theta, g, state, work):
    """Adam and AdamW, with L2 weight decay and AMSGrad."""
    m, v, (tmp, denom) = state["m"], state["v"], work.arrays(theta, 2)
    if opt.decoupled_weight_decay:
        theta *= 1 - opt.lr * opt.weight_decay  # AdamW: θ ← θ − η λ θ
    elif opt.weight_decay:  # g ← g + λ θ, kept in denom until v̂ needs it
        g = np.add(g, np.multiply(opt.weight_decay, theta, out=denom), out=denom)
    m *= opt.beta1  # m ← β₁ m + (1 − β₁) g
    m += np.multiply(1 - opt.beta1, g, out=tmp)
    v *= opt.beta2  # v ← β₂ v + (1 − β₂) g²
    v += np.multiply(1 - opt.beta2, np.square(g, out=tmp), out=tmp)
    if opt.amsgrad:
        v = np.maximum(state["v_max"], v, out=state["v_max"])  # v_max ← max(v_max, v)
    m_hat = np.divide(m, 1 - opt.beta1**opt.t, out=tmp)  # m̂ = m / (1 − β₁ᵗ)
    v_hat = np.divide(v, 1 - opt.beta2**opt.t, out=denom)  # v̂ = v / (1 − β₂ᵗ)
    np.add(np.sqrt(v_hat, out=denom), opt.eps, out=denom)  # θ ← θ − η m̂ / (√v̂ + ε)
    theta -= np.divide(np.multiply(opt.lr, m_hat, out=tmp), denom, out=tmp)


def adamax(opt, theta, g, state, work):
    m, u, tmp = state["m"], state["u"], work.arrays(theta)
    m *= opt.beta1  # m ← β₁ m + (1 − β₁) g
    m += np.multiply(1 - opt.beta1, g, out=tmp)
    u *= opt.beta2  # u ← max(β₂ u, |g| + ε)
    np.maximum(u, np.add(np.abs(g, out=tmp), opt.eps, out=tmp), out=u)
    np.multiply(opt.lr / (1 - opt.beta1**opt.t), m, out=tmp)  # θ ← θ − η/(1 − β₁ᵗ) · m/u
    theta -= np.divide(tmp, u, out=tmp)


def nadam(opt, theta, g, state, work):
    t, b1, b2, psi = opt.t, opt.beta1, opt.beta2, opt.momentum_decay
    mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))  # μₜ
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))  # μₜ₊₁
    state["mu_product"] *= mu  # Π ← Π μₜ
    m, v, prod = state["m"], state["v"], state["mu_product"]
    tmp, denom = work.arrays(theta, 2)
    m *= b1  # m ← β₁ m + (1 − β₁) g
    m += np.multiply(1 - b1, g, out=tmp)
    v *= b2  # v ← β₂ v + (1 − β₂) g²
    v += np.multiply(1 - b2, np.square(g, out=tmp), out=tmp)
    np.sqrt(np.divide(v, 1 - b2**t, out=denom), out=denom)  # √v̂ + ε
    denom += opt.eps
    np.multiply(opt.lr * (1 - mu) / (1 - prod), g, out=tmp)  # θ ← θ − η(1 − μₜ)/(1 − Π) ·
    theta -= np.divide(tmp, denom, out=tmp)  # g/(√v̂ + ε)
    np.multiply(opt.lr * mu_next / (1 - prod * mu_next), m, out=tmp)  # − η μₜ₊₁/(1 − Π μₜ₊₁) ·
    theta -= np.divide(tmp, denom, out=tmp)  # m/(√v̂ + ε)


def cocob(opt, theta, g, state, work):
    L, G, R, S, theta1 = (state[k] for k in ("L", "G", "R", "S", "theta1"))
    tmp, denom = work.arrays(theta, 2)
    abs_g = np.abs(g, out=tmp)
    np.maximum(L, abs_g, out=L)  # L ← max(L, |g|)
    G += abs_g  # G ← G + |g|
    np.subtract(theta, theta1, out=tmp)  # R ← max(R − (θ − θ₁) g, 0)
    R -= np.multiply(tmp, g, out=tmp)
    np.maximum(R, 0.0, out=R)
    S += g  # S ← S + g
    np.maximum(np.add(G, L, out=denom), np.multiply(opt.alpha, L, out=tmp), out=denom)
    denom *= L  # θ ← θ₁ − S (L + R) / (L · max(G + L, α L))
    np.multiply(S, np.add(L, R, out=tmp), out=tmp)
    np.subtract(theta1, np.divide(tmp, denom, out=tmp), out=theta)


#: name of the class that defines the step -> its fast twin ``f(opt, theta, g, state, work)``
TWINS = {
    "SGD": sgd,
    "Momentum": momentum,
    "Nesterov": nesterov,
    "AdaGrad": adagrad,
    "RMSProp": rmsprop,
    "Adadelta": adadelta,
    "Adam": adam,
    "AdaMax": adamax,
    "NAdam": nadam,
    "COCOB": cocob,
}
