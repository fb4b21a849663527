"""The optimizers of the book, one class each, all with the same interface::

    opt = Adam(lr=1e-3)
    opt.update(params, grads)       # dicts name -> array; params change in place
    d = opt.state_dict()            # ... later: opt.load_state_dict(d), bit-for-bit

``ALL`` maps each name to its class, in the order of the book's chapters. Each class's
``step`` is its chapter's algorithm box, one line of numpy per line of the box.
``descent.optimizers.fast`` holds a second implementation of every step, which computes
the same numbers without temporary arrays; ``Adam(fast=True)`` uses it.
``AdamVariant`` is ``Adam`` with switches for the conventions Chapter 11 compares (bias
correction, where ε goes); it is not in ``ALL``.
"""

from descent.optimizers.adadelta import Adadelta
from descent.optimizers.adagrad import AdaGrad
from descent.optimizers.adam import Adam, AdaMax, AdamW, NAdam
from descent.optimizers.adam_variant import AdamVariant
from descent.optimizers.base import Optimizer
from descent.optimizers.cocob import COCOB
from descent.optimizers.momentum import Momentum, Nesterov
from descent.optimizers.rmsprop import RMSProp
from descent.optimizers.sgd import SGD

ALL = {
    "SGD": SGD,
    "Momentum": Momentum,
    "Nesterov": Nesterov,
    "AdaGrad": AdaGrad,
    "RMSProp": RMSProp,
    "Adadelta": Adadelta,
    "Adam": Adam,
    "AdaMax": AdaMax,
    "NAdam": NAdam,
    "AdamW": AdamW,
    "COCOB": COCOB,
}

__all__ = [
    "ALL",
    "COCOB",
    "SGD",
    "AdaGrad",
    "AdaMax",
    "Adadelta",
    "Adam",
    "AdamVariant",
    "AdamW",
    "Momentum",
    "NAdam",
    "Nesterov",
    "Optimizer",
    "RMSProp",
]
