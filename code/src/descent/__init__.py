"""descent: optimization for deep learning, from scratch.

The package is a set of small modules, each holding one concept::

    descent.functions    2-D / 1-D test problems with analytic gradients
    descent.gradients    numerical gradients and gradient checking
    descent.optimizers   SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adadelta,
                         Adam (+AMSGrad), AdaMax, NAdam, AdamW, COCOB
    descent.nn           Affine, ReLU, Sigmoid, SoftmaxWithLoss and an MLP
    descent.data         offline data sets and mini-batch iteration
    descent.training     run() on 2-D problems, fit() for models
    descent.plotting     the book's figures and animations (imports matplotlib)
    descent.widgets      ipywidgets explorers (imports ipywidgets)
    descent.checks       checkers for the exercises

Import the module you need; importing ``descent`` itself loads nothing heavy.
"""

__version__ = "0.1.0"
