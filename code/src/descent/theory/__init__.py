"""What theory predicts for the book's methods, to compare with measurements.

One module per method, in the order of the chapters, with the same names for the same
ideas::

    theory.gradient_descent  Ch. 3      factors, rate, converges, max_lr, optimal
    theory.momentum          Ch. 6      iteration_matrix, spectral_radius, rate,
                                        converges, max_lr, critical_momentum, optimal
    theory.nesterov          Ch. 7      the names of theory.momentum, and standard
    theory.lower_bound       Ch. 7      rate: no first-order method is faster;
                                        WorstCaseQuadratic attains it
    theory.adam              Ch. 11-12  step_bound, worst_case_gradients, lp_moment

On f(θ) = ½ θᵀAθ with eigenvalues λ₁ ≥ … ≥ λₙ > 0 (κ = λ₁/λₙ), gradient descent, heavy-ball
momentum and Nesterov's method are linear recurrences, so their convergence condition,
best hyperparameters and rate have closed forms. ``measured_rate`` and
``steps_for_reduction`` (from ``theory.convergence``) measure a run and count steps for
all of them: the chapters measure the same quantities on the iterates and assert that
the two agree. numpy only.
"""

from descent.theory import adam, convergence, gradient_descent, lower_bound, momentum, nesterov
from descent.theory.convergence import measured_rate, steps_for_reduction

__all__ = [
    "adam",
    "convergence",
    "gradient_descent",
    "lower_bound",
    "measured_rate",
    "momentum",
    "nesterov",
    "steps_for_reduction",
]
