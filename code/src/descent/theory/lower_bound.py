"""The lower bound for first-order methods (Chapter 7), and the function that attains it.

No method whose iterates lie in the span of the gradients seen so far (gradient descent,
heavy ball, Nesterov, conjugate gradients, ...) can beat the ``rate`` (√κ − 1) / (√κ + 1)
on every smooth strongly convex function: ``WorstCaseQuadratic`` is a function on which
none of them does. numpy only.
"""

from __future__ import annotations

import numpy as np

from descent.theory._quadratic import check_interval

__all__ = ["WorstCaseQuadratic", "rate"]


def rate(kappa):
    """Nesterov's lower bound: no first-order method beats (√κ − 1) / (√κ + 1) per step.

    For every method whose iterate θ_t lies in θ₀ + span{∇f(θ₀), …, ∇f(θ_{t−1})} (gradient
    descent, heavy ball, Nesterov, conjugate gradients, ...) there is a λₙ-strongly convex
    function with λ₁-Lipschitz gradient, κ = λ₁/λₙ, on which ‖θ_t − θ*‖ ≥ rate^t ‖θ₀ − θ*‖
    (Nesterov, 2004/2018, Theorem 2.1.13): ``WorstCaseQuadratic``. Broadcasts.
    """
    root = np.sqrt(np.asarray(kappa, dtype=float))
    return (root - 1.0) / (root + 1.0)


class WorstCaseQuadratic:
    r"""Nesterov's "worst function in the world" for first-order methods, in n dimensions.

        f(θ) = (λ₁ − λₙ)/8 · (θ₁² + Σᵢ₌₁ⁿ⁻¹ (θᵢ − θᵢ₊₁)² + θₙ² − 2 θ₁) + λₙ/2 · ‖θ‖²

    (Nesterov, 2004/2018, §2.1.4). Its Hessian A = (λ₁ − λₙ)/4 · T + λₙ I, with T the
    tridiagonal matrix (2 on the diagonal, −1 beside it), has eigenvalues
    λₙ + (λ₁ − λₙ) sin²(kπ / (2n + 2)), k = 1, …, n: all inside (λₙ, λ₁), so the condition
    number is just below κ. Started at θ₀ = 0, the gradient is a multiple of e₁, and each
    gradient reaches one coordinate further (A is tridiagonal): after t steps of any method
    whose iterates lie in the span of the gradients seen so far, θ_t is zero beyond
    coordinate t. The minimizer decays like qⁱ with q = (√κ − 1) / (√κ + 1),

        θ*ᵢ = (qⁱ − q^(2n+2−i)) / (1 − q^(2n+2)),

    so the coordinates not yet reached keep ‖θ_t − θ*‖ ≥ ``tail(t)`` ≈ q^t ‖θ*‖: the lower
    bound ``rate``. The gradient costs O(n), so long runs are cheap.

    Args:
        kappa: κ = λ₁ / λₙ > 1. n: the dimension (take n well above the steps you run).
        lam_min: λₙ (default 1).
    """

    def __init__(self, kappa: float, n: int, lam_min: float = 1.0):
        if not kappa > 1:
            raise ValueError(f"kappa must be > 1, got {kappa!r}")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise ValueError(f"n must be an integer >= 2, got {n!r}")
        self.kappa, self.n = float(kappa), int(n)
        self.lam_min, self.lam_max = check_interval(lam_min, kappa * lam_min)
        self.q = float(rate(self.kappa))
        i = np.arange(1, self.n + 1)
        q, m = self.q, 2 * self.n + 2
        self.minimizer = (q**i - q ** (m - i)) / (1.0 - q**m)
        self.minimizer.flags.writeable = False
        k = np.arange(1, self.n + 1)
        sines = np.sin(k * np.pi / (2 * self.n + 2)) ** 2
        self.eigenvalues = self.lam_min + (self.lam_max - self.lam_min) * sines
        self.eigenvalues.flags.writeable = False
        self.f_min = float(self(self.minimizer))

    @property
    def _c(self) -> float:
        return (self.lam_max - self.lam_min) / 4.0

    def __call__(self, theta) -> float:
        """f(θ) for θ of shape (n,)."""
        x = self._vector(theta)
        quad = x[0] ** 2 + np.sum(np.diff(x) ** 2) + x[-1] ** 2
        return float(0.5 * self._c * (quad - 2.0 * x[0]) + 0.5 * self.lam_min * x @ x)

    def grad(self, theta) -> np.ndarray:
        """∇f(θ) = (λ₁ − λₙ)/4 · (Tθ − e₁) + λₙ θ, shape (n,), in O(n)."""
        x = self._vector(theta)
        tx = 2.0 * x
        tx[1:] -= x[:-1]
        tx[:-1] -= x[1:]
        tx[0] -= 1.0
        return self._c * tx + self.lam_min * x

    def hessian(self) -> np.ndarray:
        """The dense n × n matrix A (for checks; the gradient never builds it)."""
        T = 2.0 * np.eye(self.n) - np.eye(self.n, k=1) - np.eye(self.n, k=-1)
        return self._c * T + self.lam_min * np.eye(self.n)

    def tail(self, t: int) -> float:
        """‖(θ*ᵢ)ᵢ>t‖ / ‖θ*‖: how far from θ* every span method started at 0 still is after t
        steps, relative to where it started."""
        return float(np.linalg.norm(self.minimizer[t:]) / np.linalg.norm(self.minimizer))

    def _vector(self, theta) -> np.ndarray:
        x = np.asarray(theta, dtype=float)
        if x.shape != (self.n,):
            raise ValueError(f"theta must have shape ({self.n},), got {x.shape}")
        return x

    def __repr__(self) -> str:
        return f"WorstCaseQuadratic(kappa={self.kappa:g}, n={self.n}, lam_min={self.lam_min:g})"
