r"""Learning-rate schedules: a factor s(t) on the learning rate at every update t = 1, 2, ...

A schedule is a small object that maps the update counter t (1 on the first update, as
the optimizers count) to a factor s(t); the learning rate of update t is η_t = η · s(t)::

    s = Warmup(100).then(Cosine(900, floor=0.01))   # up for 100, down to 1 %
    s(1), s(np.arange(1, 1001))                     # a number, or an array
    opt = Scheduled(Adam(lr=3e-3), s)               # any optimizer with an lr
    opt.update(params, grads)                       # sets the lr, then steps

The schedules (torch.optim.lr_scheduler's name in brackets, where it has one):

========================  ======================================================================
``Constant(c=1)``         s(t) = c
``StepDecay(k, γ)``       s(t) = γ^⌊(t−1)/k⌋: multiply by γ every k updates (StepLR)
``Exponential(γ)``        s(t) = γ^(t−1) (ExponentialLR)
``InverseTime(t₀, p=1)``  s(t) = (1 + (t−1)/t₀)^(−p): halved after t₀ updates for p = 1
``Cosine(T, floor=0)``    s(t) = floor + (1 − floor) · ½ (1 + cos(π min(t−1, T)/T))
                          (CosineAnnealingLR with η_min = floor · η, for t ≤ T + 1)
``Linear(a, b, T)``       from a at t = 1 to b at t = T + 1, then b (LinearLR)
``Warmup(W)``             s(t) = min(1, t/W): linear warm-up from 1/W to 1 in W updates
========================  ======================================================================

They compose: ``a * b`` multiplies two schedules, ``c * a`` scales one by a number, and
``a.then(b, after=W)`` follows a for W updates and then b, restarted at its own t = 1
(SequentialLR); without ``after``, ``a``'s own length is used (``Warmup(W)`` lasts W).

Every schedule counts as the optimizers do: the step counter t is 1 on the first update.
The decays depend on t − 1, the number of updates made before this one, exactly as a torch
scheduler that has been stepped t − 1 times, so the first update gets the full rate; the
warm-up gives it 1/W, never 0. numpy and the standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from descent import _validation

__all__ = [
    "Constant",
    "Cosine",
    "Exponential",
    "InverseTime",
    "Linear",
    "Product",
    "Schedule",
    "Scheduled",
    "StepDecay",
    "Then",
    "Warmup",
]


# --------------------------------------------------------------------------- the base


class Schedule:
    """A learning-rate factor s(t) for updates t = 1, 2, ... (a subclass defines ``factor``).

    Call it with an integer t ≥ 1 to get a float, or with an array of them to get an array.
    ``length`` is the number of updates the schedule is meant to span (None if it has no
    natural end, as ``Exponential``); ``then`` switches after it when no ``after`` is given.
    """

    length: int | None = None

    def factor(self, t: np.ndarray) -> np.ndarray:
        """s(t) for a float array of update counts t ≥ 1 (already checked)."""
        raise NotImplementedError

    def __call__(self, t):
        steps = _update_counts(t)
        value = self.factor(steps)
        if np.ndim(t) == 0:
            return float(value)
        return np.broadcast_to(np.asarray(value, dtype=float), steps.shape).copy()

    def __mul__(self, other):
        if isinstance(other, Schedule):
            return Product(self, other)
        if _validation.is_real(other):
            return Product(Constant(other), self)
        return NotImplemented

    def __rmul__(self, other):
        return self.__mul__(other)

    def then(self, other: Schedule, after: int | None = None) -> Then:
        """This schedule for ``after`` updates (default: its ``length``), then ``other``,
        which starts again at its own t = 1."""
        return Then(self, other, after)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def _update_counts(t) -> np.ndarray:
    """``t`` as a float array, after checking that every entry is a whole number ≥ 1."""
    try:
        steps = np.asarray(t)
    except (TypeError, ValueError):
        steps = np.asarray(None)
    if isinstance(t, bool) or steps.dtype.kind not in "iuf":
        raise TypeError(f"t must be an update count (an integer >= 1), got {t!r}")
    steps = steps.astype(float)
    if steps.size and not (np.isfinite(steps).all() and (steps == np.round(steps)).all()):
        raise ValueError(f"t must be a whole number of updates, got {t!r}")
    if steps.size and steps.min() < 1:
        raise ValueError(
            f"t counts updates from 1 (the first update has t = 1, as Optimizer.t), got "
            f"{steps.min():g}"
        )
    return steps


def _whole(name: str, value) -> int:
    """``value`` as an int if it is a whole number ≥ 1, else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number of updates >= 1, got {value!r}")
    return int(value)


def _fraction(name: str, value) -> float:
    """``value`` as a float if 0 <= value <= 1, else a ValueError naming it."""
    if not _validation.is_real(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a factor in [0, 1], got {value!r}")
    return float(value)


# --------------------------------------------------------------------------- the schedules


class Constant(Schedule):
    """s(t) = c: the learning rate as given (c = 1), or scaled by c > 0."""

    def __init__(self, c: float = 1.0):
        self.c = _validation.positive("c", c)

    def factor(self, t):
        return np.full_like(t, self.c)


class StepDecay(Schedule):
    """s(t) = γ^⌊(t − 1)/k⌋: the rate is multiplied by γ after every k updates.

    As torch.optim.lr_scheduler.StepLR(step_size=k, gamma=γ) stepped once per update.

    Args:
        step_size: k ≥ 1, updates between two drops.
        gamma: γ > 0, the factor of each drop (default 0.1, as torch).
    """

    def __init__(self, step_size: int, gamma: float = 0.1):
        self.step_size = _whole("step_size", step_size)
        self.gamma = _validation.positive("gamma", gamma)

    def factor(self, t):
        return self.gamma ** np.floor((t - 1) / self.step_size)


class Exponential(Schedule):
    """s(t) = γ^(t − 1): the rate is multiplied by γ after every update.

    As torch.optim.lr_scheduler.ExponentialLR(gamma=γ) stepped once per update. After k
    updates the factor is γᵏ; it halves every ln 2 / ln(1/γ) updates.

    Args:
        gamma: γ > 0 (γ < 1 decays).
    """

    def __init__(self, gamma: float):
        self.gamma = _validation.positive("gamma", gamma)

    def factor(self, t):
        return self.gamma ** (t - 1)


class InverseTime(Schedule):
    """s(t) = (1 + (t − 1)/t₀)^(−p), the "1/t" decay for p = 1.

    It starts at 1, is halved after t₀ updates (p = 1) and then falls like t₀/t: its sum
    diverges and the sum of its squares converges, the conditions of Robbins & Monro
    (1951) under which SGD converges. p = ½ gives the 1/√t decay of AdaGrad's analysis.
    ``η₀ * InverseTime(t₀)`` is the step size η_t = η₀ / (1 + (t − 1)/t₀) of Chapter 4,
    a function of t that ``descent.stochastic.sgd`` takes as its ``lr``.

    Args:
        decay_steps: t₀ > 0.
        power: p > 0 (default 1).
    """

    def __init__(self, decay_steps: float, power: float = 1.0):
        self.decay_steps = _validation.positive("decay_steps", decay_steps)
        self.power = _validation.positive("power", power)

    def factor(self, t):
        return (1.0 + (t - 1) / self.decay_steps) ** -self.power


class Cosine(Schedule):
    """Half a cosine from 1 down to ``floor`` over T updates (Loshchilov & Hutter, 2017):

        s(t) = floor + (1 − floor) · ½ (1 + cos(π · min(t − 1, T) / T))

    s(1) = 1, s(T/2 + 1) = (1 + floor)/2, and s(t) = floor from t = T + 1 on. As
    torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T, eta_min=floor · η) for t ≤ T + 1
    (torch's rate climbs again after T; this one stays at the floor).

    Args:
        steps: T ≥ 1, the length of the decay.
        floor: the final factor in [0, 1] (default 0).
    """

    def __init__(self, steps: int, floor: float = 0.0):
        self.steps = _whole("steps", steps)
        self.floor = _fraction("floor", floor)

    @property
    def length(self) -> int:
        return self.steps

    def factor(self, t):
        done = np.minimum(t - 1, self.steps) / self.steps
        return self.floor + (1 - self.floor) * 0.5 * (1 + np.cos(np.pi * done))


class Linear(Schedule):
    """A straight line from ``start`` at t = 1 to ``end`` at t = T + 1, then ``end``:

        s(t) = start + (end − start) · min(t − 1, T) / T

    As torch.optim.lr_scheduler.LinearLR(start_factor, end_factor, total_iters=T).

    Args:
        start, end: factors ≥ 0 (not both 0).
        steps: T ≥ 1.
    """

    def __init__(self, start: float, end: float, steps: int):
        self.start = _validation.non_negative("start", start)
        self.end = _validation.non_negative("end", end)
        if self.start == self.end == 0:
            raise ValueError("start and end are both 0: the learning rate would always be 0")
        self.steps = _whole("steps", steps)

    @property
    def length(self) -> int:
        return self.steps

    def factor(self, t):
        return self.start + (self.end - self.start) * np.minimum(t - 1, self.steps) / self.steps


class Warmup(Schedule):
    """Linear warm-up: s(t) = min(1, t/W), from 1/W at the first update to 1 at t = W.

    The first update already moves (a factor 1/W, not 0), and the rate is full from update
    W on (Goyal et al., 2017). For W ≥ 2 it equals ``Linear(1/W, 1, W − 1)``.

    Args:
        steps: W ≥ 1, the length of the warm-up.
    """

    def __init__(self, steps: int):
        self.steps = _whole("steps", steps)

    @property
    def length(self) -> int:
        return self.steps

    def factor(self, t):
        return np.minimum(1.0, t / self.steps)


# --------------------------------------------------------------------------- composition


class Product(Schedule):
    """s(t) = a(t) · b(t); made by ``a * b`` (and ``c * a`` for a number c)."""

    def __init__(self, a: Schedule, b: Schedule):
        for name, s in (("a", a), ("b", b)):
            if not isinstance(s, Schedule):
                raise TypeError(f"{name} must be a Schedule, got {type(s).__name__}")
        self.a, self.b = a, b

    @property
    def length(self) -> int | None:
        lengths = [s.length for s in (self.a, self.b) if s.length is not None]
        return max(lengths) if lengths else None

    def factor(self, t):
        return self.a.factor(t) * self.b.factor(t)

    def __repr__(self) -> str:
        if isinstance(self.a, Constant):
            return f"{self.a.c:g} * {self.b!r}"
        return f"{self.a!r} * {self.b!r}"


class Then(Schedule):
    """``first`` for the updates t ≤ W, then ``second`` restarted: s(t) = second(t − W).

    Made by ``first.then(second, after=W)``; W defaults to ``first.length``, so that
    ``Warmup(100).then(Cosine(900))`` warms up for 100 updates and then decays for 900.
    """

    def __init__(self, first: Schedule, second: Schedule, after: int | None = None):
        for name, s in (("first", first), ("second", second)):
            if not isinstance(s, Schedule):
                raise TypeError(f"{name} must be a Schedule, got {type(s).__name__}")
        if after is None:
            if first.length is None:
                raise ValueError(
                    f"{first!r} never ends by itself; say when to switch with after=<updates>"
                )
            after = first.length
        self.first, self.second = first, second
        self.after = _whole("after", after)

    @property
    def length(self) -> int | None:
        return None if self.second.length is None else self.after + self.second.length

    def factor(self, t):
        later = t > self.after
        out = np.asarray(self.first.factor(np.where(later, 1.0, t)), dtype=float)
        tail = np.asarray(self.second.factor(np.where(later, t - self.after, 1.0)), dtype=float)
        return np.where(later, tail, out)

    def __repr__(self) -> str:
        return f"{self.first!r}.then({self.second!r}, after={self.after})"


# --------------------------------------------------------------------------- the wrapper


class Scheduled:
    """Any optimizer with a learning rate, driven by a schedule: η_t = η · s(t).

    Before each update, ``update`` sets the wrapped optimizer's ``lr`` to η · s(t) for the
    update's counter t (``optimizer.t + 1``), then lets the optimizer step. η is the
    optimizer's ``lr`` when it is wrapped (``base_lr``). Everything else (its state, its
    step counter) stays in the optimizer, so ``state_dict`` / ``load_state_dict`` resume
    bit-for-bit: a schedule is a function of t alone and holds no state of its own.

    Args:
        optimizer: an optimizer of ``descent.optimizers`` with a learning rate (not COCOB).
        schedule: a ``Schedule``, or any function t ↦ factor.

    Attributes:
        optimizer, schedule, base_lr; ``lr`` (the rate of the last update, or η before
        the first), ``t`` and ``state`` read through to the optimizer.
    """

    has_lr = True

    def __init__(self, optimizer, schedule: Schedule | Callable):
        if not hasattr(optimizer, "update") or not hasattr(optimizer, "has_lr"):
            raise TypeError(
                f"optimizer must be an optimizer of descent.optimizers, got {optimizer!r}"
            )
        if not optimizer.has_lr:
            raise TypeError(
                f"{type(optimizer).__name__} has no learning rate to schedule (has_lr is "
                "False): it sets its own step sizes. Use it without Scheduled."
            )
        if not callable(schedule):
            raise TypeError(f"schedule must be a Schedule or a function of t, got {schedule!r}")
        self.optimizer = optimizer
        self.schedule = schedule
        self.base_lr = float(optimizer.lr)

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @property
    def t(self) -> int:
        return self.optimizer.t

    @property
    def state(self) -> dict:
        return self.optimizer.state

    def lr_at(self, t):
        """η_t = η · s(t) for an update count t (or an array of them)."""
        return self.base_lr * self.schedule(t)

    def update(self, params: dict, grads: dict) -> None:
        """Set the optimizer's lr to η · s(t), t = optimizer.t + 1, then update ``params``."""
        lr = float(self.lr_at(self.optimizer.t + 1))
        if not (math.isfinite(lr) and lr >= 0):
            raise ValueError(
                f"the schedule gave the learning rate {lr!r} at t = {self.optimizer.t + 1}; "
                "it must be a finite number >= 0"
            )
        previous = self.optimizer.lr
        self.optimizer.lr = lr
        try:
            self.optimizer.update(params, grads)
        except Exception:
            self.optimizer.lr = previous  # a rejected update changes nothing
            raise

    def state_dict(self) -> dict:
        """Everything needed to resume bit-for-bit (the optimizer's state and η)."""
        return {
            "type": "Scheduled",
            "base_lr": self.base_lr,
            "schedule": repr(self.schedule),
            "optimizer": self.optimizer.state_dict(),
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a ``state_dict()`` of a Scheduled optimizer (of the same optimizer type)."""
        if not isinstance(state_dict, Mapping) or state_dict.get("type") != "Scheduled":
            raise ValueError(
                "this is not the state_dict of a Scheduled optimizer; for a bare optimizer "
                "use optimizer.load_state_dict"
            )
        missing = {"base_lr", "optimizer"} - set(state_dict)
        if missing:
            raise KeyError(f"state_dict is missing {sorted(missing)}; make it with state_dict()")
        self.optimizer.load_state_dict(state_dict["optimizer"])
        self.base_lr = float(state_dict["base_lr"])

    def __repr__(self) -> str:
        return f"Scheduled({self.optimizer!r}, {self.schedule!r})"
