"""Argument checks shared by every optimizer, so each class states its ranges in one line.

Every check raises *before* anything is modified, with a message that names the argument,
the value it got and what to do instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np


def positive(name: str, value) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise ValueError."""
    if not is_real(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def non_negative(name: str, value) -> float:
    """Return ``value`` as a float if it is a finite number >= 0, else raise ValueError."""
    if not is_real(value) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def in_unit_interval(name: str, value) -> float:
    """Return ``value`` as a float if 0 <= value < 1 (a decay rate), else raise ValueError."""
    if not is_real(value) or not 0.0 <= value < 1.0:
        raise ValueError(
            f"{name} must be in [0, 1), got {value!r}; decay rates such as 0.9 or 0.999 are usual"
        )
    return float(value)


def boolean(name: str, value) -> bool:
    """Return ``value`` if it is True or False, else raise TypeError (1 and "yes" too)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def params_and_grads(params: Mapping, grads: Mapping) -> None:
    """Check that ``params`` and ``grads`` can be used for an in-place update.

    Both must be mappings from the same names to numpy arrays of equal shape; parameters
    must have a floating dtype (an in-place update of an integer array would silently
    truncate it) and gradients must be finite.
    """
    if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
        raise TypeError(
            "params and grads must be dicts mapping names to numpy arrays, got "
            f"{type(params).__name__} and {type(grads).__name__}"
        )
    if set(params) != set(grads):
        missing = sorted(set(params) - set(grads))
        extra = sorted(set(grads) - set(params))
        raise KeyError(
            f"params and grads must have the same keys; grads is missing {missing} "
            f"and has extra {extra}"
        )
    for key, theta in params.items():
        g = grads[key]
        if not isinstance(theta, np.ndarray):
            raise TypeError(
                f"parameter {key!r} must be a numpy array (updated in place), "
                f"got {type(theta).__name__}; wrap it with np.array(..., dtype=float)"
            )
        if theta.dtype.kind != "f":  # float16 … longdouble; not int, bool or complex
            raise TypeError(
                f"parameter {key!r} has dtype {theta.dtype}; an in-place update would "
                f"truncate it: convert it first with params[{key!r}] = "
                f"params[{key!r}].astype(float)"
            )
        g = np.asarray(g)
        if g.shape != theta.shape:
            raise ValueError(
                f"gradient {key!r} has shape {g.shape} but the parameter has shape "
                f"{theta.shape}; they must match"
            )
        if not np.isfinite(g).all():
            raise FloatingPointError(
                f"gradient {key!r} contains NaN or inf; the run has probably diverged: "
                "lower the learning rate or check the loss"
            )


def is_real(value) -> bool:
    """True if ``value`` is a real number: a Python or numpy integer or float, not a bool
    (True would otherwise pass as 1) and not an array."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
