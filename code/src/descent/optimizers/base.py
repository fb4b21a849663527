"""The base class every optimizer shares: validation, per-parameter state, step counter.

A subclass states its rule in two methods, read beside the chapter's algorithm box:

* ``init_state(theta)`` returns the state for one parameter array (zeros of its shape);
* ``step(theta, g, state)`` updates the state arrays and ``theta`` **in place**, one line
  of numpy per line of the box, using the step counter ``self.t`` (1 on the first update,
  before any bias correction).

Every optimizer also takes ``fast=False``. With ``fast=True``, ``update`` calls the step's
twin in ``descent.optimizers.fast`` instead: the same numbers, bit for bit, computed
without a temporary array per operation (the appendix on the cost of a step says when
that matters).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

import numpy as np

from descent import _validation
from descent.optimizers import fast as fast_steps


class Optimizer:
    """Base class: ``update(params, grads)`` checks its inputs, counts the step, then
    calls ``step`` for each parameter array.

    ``params`` and ``grads`` are dicts mapping names to float arrays of equal shapes.
    An optimizer without a learning rate (COCOB) sets ``has_lr = False``; its ``lr`` is None.
    ``fast=True`` selects the fast twin of ``step`` (not a hyperparameter: it changes how
    the numbers are computed, not which numbers).
    """

    has_lr = True
    lr: float | None = None

    def __init__(self, lr: float | None = None, fast: bool = False):
        if self.has_lr:
            self.lr = _validation.positive("lr", lr)
        self.fast = _validation.boolean("fast", fast)
        self._twin = fast_steps.twin(self)  # the fast step, and its scratch arrays
        self._workspace = fast_steps.Workspace()
        if fast and self._twin is None:
            raise ValueError(
                f"fast=True: {type(self).__name__}.step has no fast twin in "
                "descent.optimizers.fast; use fast=False"
            )
        self.t = 0
        self.state: dict[str, dict] = {}

    def init_state(self, theta: np.ndarray) -> dict:
        return {}

    def step(self, theta: np.ndarray, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    def update(self, params: dict, grads: dict) -> None:
        """Update every array of ``params`` in place, one step of the rule."""
        _validation.params_and_grads(params, grads)
        for key, theta in params.items():
            if not theta.flags.writeable:
                raise ValueError(f"parameter {key!r} is read-only; pass a writeable array")
            if key in self.state:
                self._check_state_matches(key, theta)
        gs = {key: self._gradient_array(theta, grads[key]) for key, theta in params.items()}
        # Everything is checked: from here on, the update cannot fail half-way.
        self.t += 1
        for key, theta in params.items():
            if key not in self.state:
                self.state[key] = self.init_state(theta)
            if self.fast:
                self._twin(self, theta, gs[key], self.state[key], self._workspace)
            else:
                self.step(theta, gs[key], self.state[key])

    def hyperparameters(self) -> dict:
        """The constructor arguments that define the rule, by name (all public attributes but
        ``t``, ``state`` and ``fast``)."""
        skip = ("t", "state", "fast")
        return {k: v for k, v in vars(self).items() if k not in skip and k[0] != "_"}

    def state_dict(self) -> dict:
        """A deep copy of everything needed to resume bit-for-bit."""
        return {
            "type": type(self).__name__,
            "hyperparameters": self.hyperparameters(),
            "t": self.t,
            "state": copy.deepcopy(self.state),
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a ``state_dict()``; the optimizer type must match."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"state_dict must be a dict made by state_dict(), got {type(state_dict).__name__}"
            )
        if state_dict.get("type") != type(self).__name__:
            raise ValueError(
                f"this state_dict belongs to {state_dict.get('type')!r}, "
                f"not to {type(self).__name__!r}"
            )
        missing = {"hyperparameters", "t", "state"} - set(state_dict)
        if missing:
            raise KeyError(f"state_dict is missing {sorted(missing)}; make it with state_dict()")
        for name, value in state_dict["hyperparameters"].items():
            setattr(self, name, value)
        self.t = int(state_dict["t"])
        self.state = copy.deepcopy(state_dict["state"])

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        args += ", fast=True" if self.fast else ""
        return f"{type(self).__name__}({args})"

    @staticmethod
    def _gradient_array(theta: np.ndarray, g) -> np.ndarray:
        """``g`` as an array of θ's dtype, copied if it shares memory with θ (as when
        g = θ for f = θ²/2), because θ is about to change in place."""
        g = np.asarray(g, dtype=theta.dtype)
        return g.copy() if np.may_share_memory(g, theta) else g

    def _check_state_matches(self, key: str, theta: np.ndarray) -> None:
        for name, value in self.state[key].items():
            if isinstance(value, np.ndarray) and value.shape != theta.shape:
                raise ValueError(
                    f"parameter {key!r} now has shape {theta.shape} but the optimizer's "
                    f"state {name!r} has shape {value.shape}; create a new optimizer "
                    "for a new model"
                )
