"""Training loops: ``run`` an optimizer on a 2-D (or 1-D) test function, ``fit`` a model on data.

Both loops are the few lines every chapter would otherwise repeat, plus the care that a
page of the book needs: a run that diverges stops cleanly, is reported as diverged, and
prints no warnings; every random choice is seeded; long runs get a progress bar only where
someone is watching.

``run`` (2-D problems)::

    traj = run(Momentum(lr=0.1), functions.bowl, start=(-7, 2), steps=50)
    traj.points      # (k+1, dim): θ₀, θ₁, ..., θ_k
    traj.values      # (k+1,):     f(θ₀), ..., f(θ_k)
    traj.diverged, traj.diverged_at

``fit`` (models such as ``descent.nn.MLP``)::

    history = fit(model, Adam(lr=1e-3), data, epochs=5, batch_size=32, seed=0)
    history.loss     # mini-batch loss of every step
    history.epochs   # [{"epoch": 0, "train_loss": ..., "test_acc": ...}, ...]

Only numpy is imported here; tqdm is imported when a progress bar is actually shown.
"""

from __future__ import annotations

import inspect
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["History", "Trajectory", "fit", "iterate", "label_for", "run"]

#: A run with at least this many steps gets a progress bar in an interactive session.
PROGRESS_MIN_STEPS = 1000


def label_for(optimizer) -> str:
    """A short legend label: the class name and the learning rate, e.g. ``"Adam (η=0.1)"``.

    Optimizers without a learning rate (COCOB) are labelled by their class name alone, and
    ``Adam(amsgrad=True)`` is labelled "AMSGrad".
    The full ``repr(optimizer)`` lists every hyperparameter, which is too long for a legend.
    """
    name = type(optimizer).__name__
    if name == "Adam" and getattr(optimizer, "amsgrad", False):
        name = "AMSGrad"  # Adam(amsgrad=True): the book and the figures call it AMSGrad
    lr = getattr(optimizer, "lr", None)
    takes_lr = "lr" in inspect.signature(type(optimizer).__init__).parameters
    if lr is None or not takes_lr:
        return name
    return f"{name} (η={lr:g})"


# --------------------------------------------------------------------------- run


@dataclass(repr=False)
class Trajectory:
    """The iterates of one optimizer on one test function.

    Attributes:
        points: shape (k+1, dim), the iterates θ₀ (the start), θ₁, ..., θ_k.
        values: shape (k+1,), f at each iterate.
        diverged: True if the run stopped early because an iterate, its value or its
            gradient became non-finite, or |θ| exceeded the bound.
        diverged_at: the number t of the update that failed (``points`` then holds the
            t accepted iterates θ₀ ... θ_{t−1}); None if the run did not diverge.
        label: the legend label, by default ``label_for(optimizer)``.
    """

    points: np.ndarray
    values: np.ndarray
    diverged: bool = False
    diverged_at: int | None = None
    label: str = ""

    @property
    def steps(self) -> int:
        """The number of updates whose result was accepted (k)."""
        return len(self.points) - 1

    @property
    def final(self) -> np.ndarray:
        """The last accepted iterate θ_k, shape (dim,)."""
        return self.points[-1]

    def distances(self, point) -> np.ndarray:
        """‖θ_t − point‖ for every iterate, shape (k+1,)."""
        return np.linalg.norm(self.points - np.asarray(point, dtype=float), axis=1)

    def steps_to(self, point, tol: float) -> int | None:
        """The first t with ‖θ_t − point‖ ≤ tol, or None if the run never got that close."""
        hits = np.flatnonzero(self.distances(point) <= tol)
        return int(hits[0]) if hits.size else None

    def __repr__(self) -> str:
        where = np.array2string(self.final, precision=4, separator=", ")
        text = f"Trajectory({self.label!r}, steps={self.steps}, final={where}"
        text += f", f={self.values[-1]:.4g}"
        if self.diverged:
            text += f", diverged at step {self.diverged_at}"
        return text + ")"


def run(optimizer, function, start=None, steps: int = 100, *, bound: float = 1e6, label=None):
    """Run ``optimizer`` on a test ``function`` from ``start`` for ``steps`` updates.

    Each step computes g = ∇f(θ) and calls ``optimizer.update({"theta": θ}, {"theta": g})``,
    exactly as a model's training loop does with its parameter dict.

    The run stops early, with ``diverged=True``, at the first step whose gradient is not
    finite (the optimizer never sees it), or whose new iterate or value is not finite or has
    norm > ``bound``. Overflow is expected in such runs, so the arithmetic happens inside
    ``np.errstate(all="ignore")``: a diverging run prints no RuntimeWarning, and the
    returned ``Trajectory`` says where it stopped.

    Args:
        optimizer: an optimizer from ``descent.optimizers`` (its state is updated).
        function: a test function from ``descent.functions`` (``f(x)``, ``f.grad(x)``).
        start: the starting point, shape (dim,); default ``function.start``. Not modified.
        steps: the number of updates k ≥ 0.
        bound: the run counts as diverged once ‖θ‖ > bound.
        label: the legend label; default ``label_for(optimizer)``, e.g. ``"Adam (η=0.1)"``.

    Returns:
        A ``Trajectory`` with ``points`` of shape (k+1, dim) and ``values`` of shape (k+1,).
    """
    params = {}

    def advance(theta):
        g = np.asarray(function.grad(theta), dtype=float)
        if not np.isfinite(g).all():
            return None  # the optimizer never sees a non-finite gradient
        params["theta"] = theta
        optimizer.update(params, {"theta": g})
        return theta

    label = label_for(optimizer) if label is None else label
    return iterate(advance, function, start, steps, bound=bound, label=label)


def iterate(advance, function, start=None, steps: int = 100, *, bound: float = 1e6, label=""):
    """The loop behind ``run`` (and ``descent.newton``): θ_t = advance(θ_{t−1}), t = 1 … steps.

    ``advance(theta)`` returns the next iterate (it may update ``theta`` in place and return
    it), or None when no step can be taken (a non-finite gradient, a singular Hessian). The
    run stops there, or at the first iterate that is not finite, whose value is not finite,
    or whose norm exceeds ``bound``, and the ``Trajectory`` records ``diverged_at``. The
    arithmetic runs inside ``np.errstate(all="ignore")``: a diverging run prints no warning.
    ``start`` (default ``function.start``) is copied, never modified.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if not bound > 0:
        raise ValueError(f"bound must be > 0, got {bound!r}")
    if start is None:
        start = function.start
    theta = np.atleast_1d(np.array(start, dtype=float))  # our own copy: start is not modified
    dim = getattr(function, "dim", theta.size)
    if theta.shape != (dim,):
        raise ValueError(
            f"start must have shape ({dim},) for this {dim}-D function, got shape {np.shape(start)}"
        )
    if not np.all(np.isfinite(theta)) or np.linalg.norm(theta) > bound:
        raise ValueError(f"start must be finite with norm <= bound={bound:g}, got {start!r}")

    points, values = [theta.copy()], [float(function(theta))]
    diverged_at = None
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            theta = advance(theta)
            if theta is None:
                diverged_at = t
                break
            value = float(function(theta))
            if not (np.isfinite(theta).all() and math.isfinite(value)) or (
                np.linalg.norm(theta) > bound
            ):
                diverged_at = t
                break
            points.append(theta.copy())
            values.append(value)
    return Trajectory(
        points=np.array(points),
        values=np.array(values),
        diverged=diverged_at is not None,
        diverged_at=diverged_at,
        label=str(label),
    )


# --------------------------------------------------------------------------- fit


@dataclass(repr=False)
class History:
    """What ``fit`` measured.

    Attributes:
        loss: shape (steps,), the mini-batch training loss at each step (before its update).
        time: shape (steps,), cumulative wall-clock seconds of training after each step
            (gradient + update; the per-epoch evaluations are not counted).
        epochs: one dict per evaluation, ``{"epoch", "step", "train_loss", "train_acc",
            "test_loss", "test_acc"}``; entry 0 is the model before training, entry e the
            model after epoch e (test metrics are NaN without a test set).
        diverged: True if training stopped at a non-finite loss or gradient.
        diverged_at: the step t (1-based) at which that happened, else None.
        label: the legend label, by default ``label_for(optimizer)``.
    """

    loss: np.ndarray
    time: np.ndarray
    epochs: list = field(default_factory=list)
    diverged: bool = False
    diverged_at: int | None = None
    label: str = ""

    @property
    def steps(self) -> int:
        """The number of completed updates."""
        return len(self.loss)

    def metric(self, name: str) -> np.ndarray:
        """One metric over the evaluations, e.g. ``history.metric("test_acc")``."""
        return np.array([e[name] for e in self.epochs], dtype=float)

    def __repr__(self) -> str:
        text = f"History({self.label!r}, steps={self.steps}, epochs={len(self.epochs) - 1}"
        if self.epochs:
            last = self.epochs[-1]
            text += f", train_loss={last['train_loss']:.4g}, test_acc={last['test_acc']:.3f}"
        if self.diverged:
            text += f", diverged at step {self.diverged_at}"
        return text + ")"


def fit(
    model,
    optimizer,
    data,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    seed: int = 0,
    progress: bool | None = None,
    label: str | None = None,
) -> History:
    """Train ``model`` with ``optimizer`` by mini-batch gradient descent on ``data``.

    One epoch visits every training example once, in an order drawn from
    ``np.random.default_rng(seed)``; the last mini-batch of an epoch may be smaller. Each
    step computes the mini-batch loss and gradient, then ``optimizer.update(model.params,
    grads)`` (with ``model.loss_and_gradient`` when the model has it: one forward pass
    instead of two). After every epoch (and once before training) the loss and accuracy on the
    whole training and test sets are recorded.

    Training stops, with ``history.diverged = True`` and no warnings, at the first step whose
    loss or gradient is not finite; the optimizer never sees that gradient.

    Args:
        model: has ``params`` (dict of arrays), ``loss(x, t)``, ``accuracy(x, t)`` and
            ``gradient(x, t)`` (a dict like ``params``), as ``descent.nn.MLP``.
        optimizer: an optimizer from ``descent.optimizers``.
        data: a ``descent.data.Dataset`` (``x_train, t_train, x_test, t_test``); a test
            set of None is allowed.
        epochs: number of passes over the training set (≥ 1).
        batch_size: examples per mini-batch (≥ 1; larger than the set means full batch).
        seed: seeds the mini-batch order, so two calls give identical losses.
        progress: None shows a tqdm bar only for runs of ≥ 1000 steps in an interactive
            session (a terminal, or Jupyter with a person at the keyboard; the book build
            and nbval are not); True / False force it on / off.
        label: the legend label; default ``label_for(optimizer)``.
    """
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    x_train, t_train, x_test, t_test = _unpack(data)
    n = len(x_train)
    if n == 0 or len(t_train) != n:
        raise ValueError(
            f"data must hold as many targets as inputs (and at least one), got {n} inputs "
            f"and {len(t_train)} targets"
        )
    batches_per_epoch = math.ceil(n / batch_size)
    total = epochs * batches_per_epoch
    rng = np.random.default_rng(seed)
    bar = _progress_bar(total, progress, label or label_for(optimizer))

    losses, times = [], []
    elapsed = 0.0
    history = History(np.empty(0), np.empty(0), label=label or label_for(optimizer))
    history.epochs.append(_evaluate(model, 0, 0, x_train, t_train, x_test, t_test))
    try:
        with np.errstate(all="ignore"):
            for epoch in range(1, epochs + 1):
                order = rng.permutation(n)
                for start in range(0, n, batch_size):
                    idx = order[start : start + batch_size]
                    tic = time.perf_counter()
                    loss, grads = _loss_and_gradient(model, x_train[idx], t_train[idx])
                    if not (math.isfinite(loss) and _all_finite(grads)):
                        history.diverged_at = len(losses) + 1
                        break
                    optimizer.update(model.params, grads)
                    elapsed += time.perf_counter() - tic
                    losses.append(loss)
                    times.append(elapsed)
                    if bar is not None:
                        bar.update(1)
                        if len(losses) % 50 == 0:
                            bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
                if history.diverged_at is not None:
                    break
                history.epochs.append(
                    _evaluate(model, epoch, len(losses), x_train, t_train, x_test, t_test)
                )
    finally:
        if bar is not None:
            bar.close()
    history.loss = np.array(losses, dtype=float)
    history.time = np.array(times, dtype=float)
    history.diverged = history.diverged_at is not None
    return history


def _unpack(data):
    """(x_train, t_train, x_test, t_test) from a Dataset or a 4-tuple."""
    names = ("x_train", "t_train", "x_test", "t_test")
    if all(hasattr(data, name) for name in names):
        return tuple(getattr(data, name) for name in names)
    try:
        x_train, t_train, x_test, t_test = data
    except (TypeError, ValueError):
        raise TypeError(
            "data must be a descent.data.Dataset (x_train, t_train, x_test, t_test), "
            f"got {type(data).__name__}"
        ) from None
    return x_train, t_train, x_test, t_test


def _loss_and_gradient(model, x, t):
    """One forward and one backward pass if the model offers it (``MLP`` does), else two."""
    if hasattr(model, "loss_and_gradient"):
        loss, grads = model.loss_and_gradient(x, t)
    else:
        loss, grads = model.loss(x, t), model.gradient(x, t)
    return float(loss), grads


def _all_finite(grads) -> bool:
    return all(np.isfinite(g).all() for g in grads.values())


def _evaluate(model, epoch, step, x_train, t_train, x_test, t_test) -> dict:
    """Loss and accuracy on the full training and test sets (NaN without a test set)."""
    row = {"epoch": epoch, "step": step}
    row["train_loss"], row["train_acc"] = _loss_and_accuracy(model, x_train, t_train)
    has_test = x_test is not None and t_test is not None and len(x_test) > 0
    row["test_loss"], row["test_acc"] = (
        _loss_and_accuracy(model, x_test, t_test) if has_test else (math.nan, math.nan)
    )
    return row


def _loss_and_accuracy(model, x, t) -> tuple[float, float]:
    """One forward pass if the model offers it (``MLP`` does), else two."""
    with np.errstate(all="ignore"):
        if hasattr(model, "loss_and_accuracy"):
            loss, accuracy = model.loss_and_accuracy(x, t)
        else:
            loss, accuracy = model.loss(x, t), model.accuracy(x, t)
    return float(loss), float(accuracy)


# --------------------------------------------------------------------------- progress


def is_interactive() -> bool:
    """True if a person is probably watching this run.

    In a Jupyter kernel: True when the current request allows ``input()``, which a notebook
    frontend grants and batch executors (nbclient, hence the book build, nbconvert and
    nbval) do not. Elsewhere: True when standard error is a terminal.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        try:
            return bool(kernel._allow_stdin)
        except Exception:
            return False
    try:
        return sys.stderr.isatty()
    except Exception:
        return False


def show_progress(total: int, progress: bool | None = None) -> bool:
    """Whether a run of ``total`` steps gets a progress bar (see ``fit``'s ``progress``)."""
    if progress is None:
        return total >= PROGRESS_MIN_STEPS and is_interactive()
    return bool(progress)


def _progress_bar(total: int, progress: bool | None, description: str):
    """A tqdm bar, or None when no bar should be shown."""
    if not show_progress(total, progress):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit="step", leave=False)
