r"""Adam with switches for its conventions, to compare them on one problem (Chapter 11).

The package's ``Adam`` is Algorithm 1 of Kingma & Ba (2015), as torch.optim implements it.
Libraries and textbooks differ from it in two details, and ``AdamVariant`` has one switch
for each:

* ``bias_correction``: divide m by (1 − β₁ᵗ) and v by (1 − β₂ᵗ) (True, Algorithm 1), or use
  the zero-started averages as they are (False, the mistake that bias correction fixes);
* ``eps_mode``, where ε enters the denominator, one of the three modes of this table:

    mode      step                                    used by
    --------  --------------------------------------  ------------------------------------
    outside   θ ← θ − η m̂ / (√v̂ + ε)                Algorithm 1, torch.optim.Adam,
                                                      optax's ``eps``
    hat       θ ← θ − ηₜ m / (√v + ε),                the end of the paper's Section 2,
              ηₜ = η √(1 − β₂ᵗ) / (1 − β₁ᵗ)           TensorFlow / Keras
    inside    θ ← θ − η m̂ / √(v̂ + ε)                optax's ``eps_root`` (eps = 0)

  "hat" is "outside" with ε replaced by ε / √(1 − β₂ᵗ): the same method, a different ε.

``descent.theory.adam`` bounds the size of Adam's steps.
"""

from __future__ import annotations

import math

import numpy as np

from descent import _validation
from descent.optimizers.base import Optimizer

__all__ = ["EPS_MODES", "AdamVariant"]

EPS_MODES = ("outside", "hat", "inside")


class AdamVariant(Optimizer):
    r"""Adam with switches for its conventions (see the module docstring).

    With the defaults, ``AdamVariant`` takes exactly the steps of ``descent.optimizers.Adam``.

    Args: lr: η > 0 (1e-3); beta1: β₁ in [0, 1) (0.9); beta2: β₂ in [0, 1) (0.999);
    eps: ε > 0 (1e-8); bias_correction: bool (True); eps_mode: "outside", "hat" or
    "inside" ("outside"). "hat" needs bias_correction=True (it folds the correction into ηₜ).
    """

    def __init__(
        self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True, eps_mode="outside"
    ):
        super().__init__(lr)
        self.beta1 = _validation.in_unit_interval("beta1", beta1)
        self.beta2 = _validation.in_unit_interval("beta2", beta2)
        self.eps = _validation.positive("eps", eps)
        if not isinstance(bias_correction, bool):
            raise TypeError(f"bias_correction must be True or False, got {bias_correction!r}")
        if eps_mode not in EPS_MODES:
            raise ValueError(f"eps_mode must be one of {EPS_MODES}, got {eps_mode!r}")
        if eps_mode == "hat" and not bias_correction:
            raise ValueError(
                'eps_mode="hat" folds the bias correction into the step size; '
                "use it with bias_correction=True"
            )
        self.bias_correction = bias_correction
        self.eps_mode = eps_mode

    def init_state(self, theta):
        return {"m": np.zeros_like(theta), "v": np.zeros_like(theta)}

    def step(self, theta, g, state):
        b1, b2, t, m, v = self.beta1, self.beta2, self.t, state["m"], state["v"]
        m *= b1  # m ← β₁ m + (1 − β₁) g
        m += (1 - b1) * g
        v *= b2  # v ← β₂ v + (1 − β₂) g²
        v += (1 - b2) * g**2
        if self.eps_mode == "hat":  # ηₜ m / (√v + ε), ηₜ = η √(1 − β₂ᵗ) / (1 − β₁ᵗ)
            lr_t = self.lr * math.sqrt(1 - b2**t) / (1 - b1**t)
            theta -= lr_t * m / (np.sqrt(v) + self.eps)
            return
        m_hat = m / (1 - b1**t) if self.bias_correction else m
        v_hat = v / (1 - b2**t) if self.bias_correction else v
        if self.eps_mode == "outside":
            theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        else:
            theta -= self.lr * m_hat / np.sqrt(v_hat + self.eps)
