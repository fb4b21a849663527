"""Adam and its family: AMSGrad (a flag of Adam), AdaMax, NAdam and AdamW."""

from __future__ import annotations

import numpy as np

from descent import _validation
from descent.optimizers.base import Optimizer


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015, "Adam: a method for stochastic optimization").

    Rule, with m = v = 0 at the start and t = 1 on the first update:

        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        m̂ = m / (1 − β₁ᵗ) ;  v̂ = v / (1 − β₂ᵗ)
        θ ← θ − η m̂ / (√v̂ + ε)          (ε outside the root, as the paper and torch)

    amsgrad=True (Reddi, Kale & Kumar, 2018) uses v_max ← max(v_max, v) in place of v, so
    the denominator never shrinks; weight_decay=λ first adds the L2 gradient, g ← g + λθ.

    Args (defaults as torch.optim.Adam): lr: η > 0 (1e-3); beta1: β₁ in [0, 1) (0.9);
    beta2: β₂ in [0, 1) (0.999); eps: ε > 0 (1e-8); weight_decay: λ ≥ 0 (0);
    amsgrad: bool (False); fast: True for the same step without temporary arrays (False;
    see ``descent.optimizers.fast``).
    """

    decoupled_weight_decay = False  # True in AdamW

    def __init__(
        self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False, fast=False
    ):
        super().__init__(lr, fast)
        self.beta1 = _validation.in_unit_interval("beta1", beta1)
        self.beta2 = _validation.in_unit_interval("beta2", beta2)
        self.eps = _validation.positive("eps", eps)
        self.weight_decay = _validation.non_negative("weight_decay", weight_decay)
        self.amsgrad = _validation.boolean("amsgrad", amsgrad)

    def init_state(self, theta):
        names = ("m", "v", "v_max") if self.amsgrad else ("m", "v")
        return {name: np.zeros_like(theta) for name in names}

    def step(self, theta, g, state):
        lr, b1, b2, eps, t = self.lr, self.beta1, self.beta2, self.eps, self.t
        m, v, wd = state["m"], state["v"], self.weight_decay
        if self.decoupled_weight_decay:
            theta *= 1 - lr * wd  # AdamW: θ ← θ − η λ θ, computed as torch does
        elif wd:
            g = g + wd * theta  # L2 weight decay: g ← g + λ θ
        m[:] = b1 * m + (1 - b1) * g
        v[:] = b2 * v + (1 - b2) * g**2
        if self.amsgrad:  # v_max ← max(v_max, v), used in place of v
            v_max = state["v_max"]
            v_max[:] = np.maximum(v_max, v)
            v = v_max
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        theta -= lr * m_hat / (np.sqrt(v_hat) + eps)


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019, "Decoupled
    weight decay regularization"), as torch.optim.AdamW.

    Rule: first shrink the parameters, θ ← θ − η λ θ, then take the Adam step (see Adam)
    with g as it is. Unlike Adam(weight_decay=λ), λθ never enters m and v, so the decay is
    not divided by √v̂: every weight decays at the same rate ηλ per step.

    Args (defaults as torch.optim.AdamW): lr: η > 0 (1e-3); beta1: β₁ in [0, 1) (0.9);
    beta2: β₂ in [0, 1) (0.999); eps: ε > 0 (1e-8); weight_decay: λ ≥ 0 (1e-2);
    amsgrad: bool (False); fast: bool (False).
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        lr=1e-3,
        beta1=0.9,
        beta2=0.999,
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        fast=False,
    ):
        super().__init__(lr, beta1, beta2, eps, weight_decay, amsgrad, fast)


class AdaMax(Optimizer):
    r"""AdaMax, Adam with the infinity norm (Kingma & Ba, 2015, section 7.1), as
    torch.optim.Adamax.

    Rule, with m = u = 0 at the start and t = 1 on the first update:

        m ← β₁ m + (1 − β₁) g
        u ← max(β₂ u, |g| + ε)
        θ ← θ − η / (1 − β₁ᵗ) · m / u

    u needs no bias correction (it is a maximum, not a mean). ε is added to |g| as torch
    does, so that u > 0 even where g has been 0.

    Args (defaults as torch.optim.Adamax): lr: η > 0 (2e-3); beta1: β₁ in [0, 1) (0.9);
    beta2: β₂ in [0, 1) (0.999); eps: ε > 0 (1e-8); fast: True for the same step without
    temporary arrays (False; see ``descent.optimizers.fast``).
    """

    def __init__(self, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, fast=False):
        super().__init__(lr, fast)
        self.beta1 = _validation.in_unit_interval("beta1", beta1)
        self.beta2 = _validation.in_unit_interval("beta2", beta2)
        self.eps = _validation.positive("eps", eps)

    def init_state(self, theta):
        return {"m": np.zeros_like(theta), "u": np.zeros_like(theta)}

    def step(self, theta, g, state):
        lr, b1, b2, eps, t = self.lr, self.beta1, self.beta2, self.eps, self.t
        m, u = state["m"], state["u"]
        m[:] = b1 * m + (1 - b1) * g
        u[:] = np.maximum(b2 * u, np.abs(g) + eps)
        theta -= lr / (1 - b1**t) * m / u


class NAdam(Optimizer):
    r"""NAdam, Adam with Nesterov momentum (Dozat, 2016, "Incorporating Nesterov momentum
    into Adam"), exactly as torch.optim.NAdam, with its momentum schedule μₜ.

    Rule, with m = v = 0 and Π = 1 at the start and t = 1 on the first update:

        μₜ = β₁ (1 − ½ · 0.96^(t ψ)) ;  μₜ₊₁ = β₁ (1 − ½ · 0.96^((t+1) ψ)) ;  Π ← Π μₜ
        m ← β₁ m + (1 − β₁) g ;  v ← β₂ v + (1 − β₂) g² ;  v̂ = v / (1 − β₂ᵗ)
        θ ← θ − η (1 − μₜ) / (1 − Π) · g / (√v̂ + ε) − η μₜ₊₁ / (1 − Π μₜ₊₁) · m / (√v̂ + ε)

    Args (defaults as torch): lr: η > 0 (2e-3); beta1: β₁ in [0, 1) (0.9); beta2: β₂ in
    [0, 1) (0.999); eps: ε > 0 (1e-8); momentum_decay: ψ ≥ 0 (4e-3); fast: True for the
    same step without temporary arrays (False; see ``descent.optimizers.fast``).
    """

    def __init__(self, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=4e-3, fast=False):
        super().__init__(lr, fast)
        self.beta1 = _validation.in_unit_interval("beta1", beta1)
        self.beta2 = _validation.in_unit_interval("beta2", beta2)
        self.eps = _validation.positive("eps", eps)
        self.momentum_decay = _validation.non_negative("momentum_decay", momentum_decay)

    def init_state(self, theta):
        return {"m": np.zeros_like(theta), "v": np.zeros_like(theta), "mu_product": 1.0}

    def step(self, theta, g, state):
        lr, b1, b2, eps, t = self.lr, self.beta1, self.beta2, self.eps, self.t
        m, v, psi = state["m"], state["v"], self.momentum_decay
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod = state["mu_product"] = state["mu_product"] * mu  # Π ← Π μₜ
        m[:] = b1 * m + (1 - b1) * g
        v[:] = b2 * v + (1 - b2) * g**2
        v_hat = v / (1 - b2**t)
        denom = np.sqrt(v_hat) + eps
        theta -= lr * (1 - mu) / (1 - prod) * g / denom
        theta -= lr * mu_next / (1 - prod * mu_next) * m / denom
