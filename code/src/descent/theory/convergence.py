"""How fast a run converges, measured, and how many steps a linear rate needs.

A method that converges linearly at the rate r shrinks the error like ‖θ_t − θ*‖ ≈ C rᵗ.
``measured_rate`` fits r to the iterates of a run; ``steps_for_reduction`` turns a rate
into the number of steps that shrink the error by a given factor. Every method module of
``descent.theory`` predicts a rate; these two functions compare it with a run. numpy only.
"""

from __future__ import annotations

import numpy as np

__all__ = ["measured_rate", "steps_for_reduction"]


def steps_for_reduction(rate: float, reduction: float) -> int:
    """The smallest t with rate^t ≤ reduction: the steps a linear rate needs to shrink the
    error by the factor ``reduction`` (e.g. 1e-6). For rate = (κ−1)/(κ+1) and large κ this is
    about (κ/2) ln(1/reduction): proportional to κ.
    """
    rate, reduction = float(rate), float(reduction)
    if not 0 <= rate < 1:
        raise ValueError(f"rate must be in [0, 1) for the error to shrink, got {rate!r}")
    if not 0 < reduction < 1:
        raise ValueError(f"reduction must be in (0, 1), e.g. 1e-6, got {reduction!r}")
    if rate == 0:
        return 1
    return int(np.ceil(np.log(reduction) / np.log(rate) - 1e-9))


def measured_rate(points, minimizer, *, skip: int | None = None, floor: float = 1e-12) -> float:
    """The linear rate of convergence of a sequence of iterates, measured: the r with
    ‖θ_t − θ*‖ ≈ C rᵗ over the tail of the run.

    The errors e_t = ‖θ_t − θ*‖ are used up to the last one above ``floor`` · e_0 (below
    that, round-off decides the ratios, not the method). The first ``skip`` of them are a
    transient and are dropped (default: the first half). r is exp of the least-squares
    slope of log e_t against t over the rest, so a zig-zag that makes single ratios
    e_{t+1}/e_t wobble does not disturb it. r < 1 means linear convergence at rate r; r > 1
    means the error grows.

    Args:
        points: the iterates, shape (k+1, dim) or (k+1,) (1-D), or a ``Trajectory``.
        minimizer: θ*, shape (dim,).
        skip: the number of leading iterates to ignore.
        floor: relative error below which the iterates are not used.
    """
    points = np.asarray(getattr(points, "points", points), dtype=float)
    if points.ndim == 1:
        points = points[:, np.newaxis]
    errors = np.linalg.norm(points - np.asarray(minimizer, dtype=float), axis=1)
    if not (errors.size and np.isfinite(errors[0]) and errors[0] > 0):
        raise ValueError("the first iterate must be a finite point other than the minimizer")
    usable = np.isfinite(errors) & (errors > floor * errors[0])
    k = errors.size if usable.all() else int(np.argmin(usable))  # first unusable index
    skip = k // 2 if skip is None else int(skip)
    t = np.arange(skip, k)
    if t.size < 2:
        raise ValueError(
            f"need at least 2 iterates after skip={skip} with error above floor, got {t.size} "
            f"(of {errors.size}); run more steps, or lower skip"
        )
    slope = np.polyfit(t, np.log(errors[skip:k]), 1)[0]
    return float(np.exp(slope))
