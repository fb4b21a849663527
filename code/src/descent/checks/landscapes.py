"""Chapter 1, loss landscapes: the checker of the Rosenbrock gradient."""

from __future__ import annotations

import numpy as np

from descent.checks.engine import Case, exercise, random_cases


def _rosenbrock_gradient(theta):
    from descent.functions import rosenbrock

    return rosenbrock.grad(theta)


@exercise(
    "rosenbrock_gradient",
    "theta",
    reference=_rosenbrock_gradient,
    hints=(
        "Differentiate the two terms of f one at a time and add the results; the chain rule "
        "takes care of each square.",
        "In 100 (y − x²)² the inner part y − x² depends on x as well as on y: its derivative "
        "with respect to x multiplies the outer one. Return ∂f/∂x first, then ∂f/∂y.",
    ),
)
def check_rosenbrock_gradient():
    """Chapter 1: ``fn(x)`` returns ∇f(x), shape (2,), for f(x, y) = (1 − x)² + 100(y − x²)²."""
    fixed = [Case((np.array(p),)) for p in ([-1.5, 2.0], [0.0, 0.0], [1.0, 1.0])]
    return fixed + random_cases((2,), (2,), (2,), (2,), seed=2024)
