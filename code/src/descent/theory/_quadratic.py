"""Helpers that the modules of ``descent.theory`` share: the check of an eigenvalue
interval, and the largest root of the 2×2 recurrences of momentum and Nesterov."""

from __future__ import annotations

import numpy as np


def check_interval(lam_min, lam_max) -> tuple[float, float]:
    """(λₙ, λ₁) as floats, if 0 < λₙ ≤ λ₁ < ∞; else ValueError."""
    lam_min, lam_max = float(lam_min), float(lam_max)
    if not 0 < lam_min <= lam_max < np.inf:
        raise ValueError(
            f"need 0 < lam_min <= lam_max < inf, got lam_min={lam_min!r}, lam_max={lam_max!r}"
        )
    return lam_min, lam_max


def largest_root_magnitude(a, c):
    """max |r| over the roots of r² − a r + c (arrays of equal shape): (|a| + √(a² − 4c)) / 2
    if the roots are real (a² ≥ 4c), else √c, the modulus of both complex roots."""
    disc = a * a - 4.0 * c
    real = 0.5 * (np.abs(a) + np.sqrt(np.maximum(disc, 0.0)))
    radius = np.where(disc >= 0, real, np.sqrt(np.maximum(c, 0.0)))
    return radius[()] if radius.ndim == 0 else radius


def largest_radius(spectral_radius, lr, momentum, eigenvalues):
    """max over the eigenvalues of ``spectral_radius(η, μ, λ)``, broadcast over η and μ."""
    lr, mu = np.broadcast_arrays(np.asarray(lr, dtype=float), np.asarray(momentum, dtype=float))
    lams = np.atleast_1d(np.asarray(eigenvalues, dtype=float))
    if lams.ndim != 1 or lams.size == 0:
        raise ValueError(f"eigenvalues must be a number or a 1-D array, got shape {lams.shape}")
    rate = np.max(spectral_radius(lr[..., np.newaxis], mu[..., np.newaxis], lams), axis=-1)
    return rate[()] if rate.ndim == 0 else rate
