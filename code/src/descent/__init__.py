"""descent: optimization for deep learning, from scratch.

The package follows the layers of the book. Each module holds one concept::

    What is minimized
    descent.functions      test functions in 1-D and 2-D with analytic gradients
    descent.nn             Affine, ReLU, Sigmoid, SoftmaxWithLoss and an MLP
    descent.data           offline data sets and mini-batch iteration
    descent.units          the same problem (test function or model) in other units

    Gradients
    descent.gradients      numerical gradients and gradient checking
    descent.compgraph      a scalar computational graph, to show backpropagation

    Update rules
    descent.optimizers     SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adadelta,
                           Adam (+AMSGrad), AdaMax, NAdam, AdamW, COCOB; each step
                           written as its algorithm box, with a fast twin in
                           descent.optimizers.fast (fast=True); AdamVariant, Adam
                           with switches for its conventions
    descent.schedules      learning-rate schedules, and Scheduled(optimizer, schedule)

    Loops
    descent.training       run() on test functions; fit(), the one mini-batch loop
    descent.stochastic     SGD on least squares: noise, noise floor, step decay
    descent.online         online convex problems (the AMSGrad counterexample)
    descent.comparison     fair comparisons: an η grid per optimizer, the summary table

    Theory
    descent.theory         rates and best hyperparameters on quadratics, one module per
                           method: gradient_descent, momentum, nesterov, lower_bound,
                           adam (the bound on Adam's steps)
    descent.newton         Newton's method, the second-order contrast
    descent.adaptive       effective per-coordinate learning rates
    descent.coin_betting   the 1-D coin-betting game behind COCOB

    Cost
    descent.timing         robust timings and BLAS thread limits
    descent.step_cost      memory, traffic and time of one step, readable vs fast

    Pictures
    descent.plotting       the book's figures and animations, decision regions,
                           computational graphs drawn (imports matplotlib)
    descent.widgets        ipywidgets explorers (imports ipywidgets)

    Exercises
    descent.checks         checkers for the exercises

Import the module you need; importing ``descent`` itself loads nothing heavy.
"""

__version__ = "0.1.0"
