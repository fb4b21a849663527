"""What theory predicts for first-order methods on quadratics, to compare with measurements.

On f(θ) = ½ θᵀAθ with eigenvalues λ₁ ≥ … ≥ λₙ > 0 (κ = λ₁/λₙ), gradient descent, heavy-ball
momentum and Nesterov's method are linear recurrences, so their convergence condition,
best hyperparameters and rate have closed forms. One module per method, in the order of
the chapters, each with the same names for the same ideas::

    theory.gradient_descent   Chapter 3    factors, rate, converges, max_lr, optimal
    theory.momentum           Chapter 6    iteration_matrix, spectral_radius, rate,
                                           converges, max_lr, critical_momentum, optimal
    theory.nesterov           Chapter 7    the same names as momentum, and standard
    theory.lower_bound        Chapter 7    rate: no first-order method is faster;
                                           WorstCaseQuadratic attains it

``measured_rate`` and ``steps_for_reduction`` (from ``theory.convergence``) measure a run
and count steps for all of them: the chapters measure the same quantities on the iterates
and assert that the two agree. numpy only.
"""

from descent.theory import convergence, gradient_descent, lower_bound, momentum, nesterov
from descent.theory.convergence import measured_rate, steps_for_reduction

__all__ = [
    "convergence",
    "gradient_descent",
    "lower_bound",
    "measured_rate",
    "momentum",
    "nesterov",
    "steps_for_reduction",
]
