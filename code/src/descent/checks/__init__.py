"""Checkers for the exercises: run the student's function on seeded cases, compare it with a
reference, and say what went wrong in words a student can act on::

    from descent import checks
    checks.check_rosenbrock_gradient(rosenbrock_gradient)

The package is a set of small modules, the engine and one module per chapter::

    descent.checks.engine             check, Case, CheckResult, random_cases, strict_mode,
                                      set_hints, hints_allowed, and the messages (how a
                                      checker works, how to add one)
    descent.checks.landscapes         Ch. 1   check_rosenbrock_gradient
    descent.checks.gradient_checking  Ch. 2   check_numerical_gradient, check_relative_error,
                                              check_svm_loss
    descent.checks.gradient_descent   Ch. 3   check_gradient_descent, check_armijo_step
    descent.checks.minibatch          Ch. 4   check_minibatch_gradient, check_epoch_indices
    descent.checks.backprop           Ch. 5   check_affine_backward, check_log_sum_exp,
                                              check_leaky_relu
    descent.checks.momentum           Ch. 6   check_momentum_step, check_momentum_rate,
                                              check_best_momentum
    descent.checks.nesterov           Ch. 7   check_nesterov_step
    descent.checks.adaptive           Ch. 8-9 check_adagrad_step, check_rmsprop_step
    descent.checks.adadelta           Ch. 10  check_adadelta_step
    descent.checks.adam               Ch. 11  check_adam_step, check_adam_optimizer
    descent.checks.adam_family        Ch. 12  check_adamw_step
    descent.checks.cocob              Ch. 13  check_kt_wealth, check_cocob_step
    descent.checks.schedules          Ch. 14  check_cosine_schedule, check_warmup_cosine
    descent.checks.step_cost          App.    check_rmsprop_step_inplace

Every public name is available here, as ``checks.<name>``. Importing loads numpy only.
"""

from descent.checks.adadelta import check_adadelta_step
from descent.checks.adam import check_adam_optimizer, check_adam_step
from descent.checks.adam_family import check_adamw_step
from descent.checks.adaptive import check_adagrad_step, check_rmsprop_step
from descent.checks.backprop import (
    check_affine_backward,
    check_leaky_relu,
    check_log_sum_exp,
)
from descent.checks.cocob import check_cocob_step, check_kt_wealth
from descent.checks.engine import STATUSES as STATUSES  # public, as before not in __all__
from descent.checks.engine import WIDTH as WIDTH  # public, as before not in __all__
from descent.checks.engine import (
    Case,
    CheckResult,
    check,
    hints_allowed,
    random_cases,
    set_hints,
    strict_mode,
)
from descent.checks.gradient_checking import (
    check_numerical_gradient,
    check_relative_error,
    check_svm_loss,
)
from descent.checks.gradient_descent import check_armijo_step, check_gradient_descent
from descent.checks.landscapes import check_rosenbrock_gradient
from descent.checks.minibatch import check_epoch_indices, check_minibatch_gradient
from descent.checks.momentum import (
    check_best_momentum,
    check_momentum_rate,
    check_momentum_step,
)
from descent.checks.nesterov import check_nesterov_step
from descent.checks.schedules import check_cosine_schedule, check_warmup_cosine
from descent.checks.step_cost import check_rmsprop_step_inplace

__all__ = [
    "Case",
    "CheckResult",
    "check",
    "check_adadelta_step",
    "check_adagrad_step",
    "check_adam_optimizer",
    "check_adam_step",
    "check_adamw_step",
    "check_affine_backward",
    "check_armijo_step",
    "check_best_momentum",
    "check_cocob_step",
    "check_cosine_schedule",
    "check_epoch_indices",
    "check_gradient_descent",
    "check_kt_wealth",
    "check_leaky_relu",
    "check_log_sum_exp",
    "check_minibatch_gradient",
    "check_momentum_rate",
    "check_momentum_step",
    "check_nesterov_step",
    "check_numerical_gradient",
    "check_relative_error",
    "check_rmsprop_step",
    "check_rmsprop_step_inplace",
    "check_rosenbrock_gradient",
    "check_svm_loss",
    "check_warmup_cosine",
    "hints_allowed",
    "random_cases",
    "set_hints",
    "strict_mode",
]
