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

``fit`` is the book's one mini-batch loop, for models such as ``descent.nn.MLP`` and for
least squares (``LeastSquares``; ``descent.stochastic.sgd`` is ``fit`` with plain SGD)::

    history = fit(model, Adam(lr=1e-3), data, epochs=5, batch_size=32, seed=0)
    history.loss     # mini-batch loss of every step
    history.epochs   # [{"epoch": 0, "train_loss": ..., "test_acc": ...}, ...]

    history = fit(LeastSquares(problem), AdaGrad(lr=0.5), problem, batch_size=10)
    history.suboptimality   # f(θ_t) − f* for t = 0 … k

Only numpy is imported here; tqdm is imported when a progress bar is actually shown.
"""

from __future__ import annotations

import inspect
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["History", "LeastSquares", "Trajectory", "fit", "iterate", "label_for", "run"]

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


def run(
    optimizer,
    function,
    start=None,
    steps: int = 100,
    *,
    bound: float = 1e6,
    label=None,
    fast: bool | None = None,
):
    """Run ``optimizer`` on a test ``function`` from ``start`` for ``steps`` updates.

    Each step computes g = ∇f(θ) and updates θ by ``optimizer.update({"theta": θ},
    {"theta": g})``, exactly as a model's training loop does with its parameter dict (after
    a first update that checks everything, by the optimizer's ``step``: see ``fast``).

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
        fast: True takes the same steps in a leaner loop: the first update is
            ``optimizer.update``, which checks everything, and the later ones call
            ``optimizer.step`` directly. The ``Trajectory`` and the optimizer's state are
            the same, bit for bit. It needs an optimizer with a ``step``, one of
            ``descent.optimizers`` (not ``Scheduled``). False calls ``optimizer.update``
            at every step. None (the default) is True for an optimizer of
            ``descent.optimizers`` with its readable ``step`` and the base class's
            ``update`` (a subclass that changes only ``step`` too), else False.

    Returns:
        A ``Trajectory`` with ``points`` of shape (k+1, dim) and ``values`` of shape (k+1,).
    """
    label = label_for(optimizer) if label is None else label
    if fast is None:
        fast = _checks_once(optimizer)
    if fast:
        return _run_fast(optimizer, function, start, steps, bound, label)
    params = {}

    def advance(theta):
        g = np.asarray(function.grad(theta), dtype=float)
        if not np.isfinite(g).all():
            return None  # the optimizer never sees a non-finite gradient
        params["theta"] = theta
        optimizer.update(params, {"theta": g})
        return theta

    return iterate(advance, function, start, steps, bound=bound, label=label)


def _checks_once(optimizer) -> bool:
    """Whether ``run`` and ``fit`` check only the first update of ``optimizer`` by default
    (``fast=None``).

    They do for an optimizer of ``descent.optimizers`` that runs its readable ``step``
    (``fast=False``, the default) and keeps the base class's ``update``, as a subclass
    that changes only ``step`` does. Its later updates would check the same arrays of the
    same model again: skipping those checks changes no number, and saves a quarter to a
    third of the time of the book's small runs. An optimizer with an ``update`` of its own
    (``Scheduled``, or a subclass that records every update) gets it called at every step.
    """
    from descent.optimizers.base import Optimizer

    return (
        isinstance(optimizer, Optimizer)
        and not optimizer.fast
        and type(optimizer).update is Optimizer.update
    )


def _checked_once(optimizer):
    """``optimizer.update`` that checks only its first call, for the loops' ``fast=True``.

    ``update`` checks the parameters and gradients, makes each gradient an array of its
    parameter's dtype (a copy if it shares memory with the parameter, which is about to
    change), increments ``t`` and calls ``step``. In a loop the later gradients come from
    the same model at the same shapes, so after the first call only the rest is needed:
    the same arithmetic in the same order (tests/test_training.py compares the loops).
    """
    if not callable(getattr(optimizer, "step", None)):
        raise ValueError(
            f"fast=True needs an optimizer with a step method, one of descent.optimizers; "
            f"got {type(optimizer).__name__}: use fast=False"
        )
    checked = False

    def update(params, grads):
        nonlocal checked
        if not checked:
            optimizer.update(params, grads)
            checked = True
            return
        optimizer.t += 1
        for key, theta in params.items():
            g = np.asarray(grads[key], dtype=theta.dtype)
            g = g.copy() if np.may_share_memory(g, theta) else g
            optimizer.step(theta, g, optimizer.state[key])

    return update


def _run_fast(optimizer, function, start, steps, bound, label) -> Trajectory:
    """``run`` without its per-step checks: the same arithmetic in the same order."""
    update = _checked_once(optimizer)
    theta = _start_point(function, start, steps, bound)
    points, values = [theta.copy()], [float(function(theta))]
    diverged_at = None
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            g = np.asarray(function.grad(theta), dtype=float)
            if not all(map(math.isfinite, g.tolist())):
                diverged_at = t
                break
            update({"theta": theta}, {"theta": g})
            value = float(function(theta))
            coordinates = theta.tolist()
            if not all(map(math.isfinite, [*coordinates, value])) or (
                math.sqrt(theta.dot(theta)) > bound  # np.linalg.norm(theta), without its checks
            ):
                diverged_at = t
                break
            points.append(theta.copy())
            values.append(value)
    return _trajectory(points, values, diverged_at, label)


def iterate(advance, function, start=None, steps: int = 100, *, bound: float = 1e6, label=""):
    """The loop behind ``run`` (and ``descent.newton``): θ_t = advance(θ_{t−1}), t = 1 … steps.

    ``advance(theta)`` returns the next iterate (it may update ``theta`` in place and return
    it), or None when no step can be taken (a non-finite gradient, a singular Hessian). The
    run stops there, or at the first iterate that is not finite, whose value is not finite,
    or whose norm exceeds ``bound``, and the ``Trajectory`` records ``diverged_at``. The
    arithmetic runs inside ``np.errstate(all="ignore")``: a diverging run prints no warning.
    ``start`` (default ``function.start``) is copied, never modified.
    """
    theta = _start_point(function, start, steps, bound)
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
    return _trajectory(points, values, diverged_at, label)


def _trajectory(points, values, diverged_at, label) -> Trajectory:
    """The ``Trajectory`` of ``iterate``'s and ``_run_fast``'s lists of iterates and values."""
    return Trajectory(
        points=np.array(points),
        values=np.array(values),
        diverged=diverged_at is not None,
        diverged_at=diverged_at,
        label=str(label),
    )


def _start_point(function, start, steps, bound) -> np.ndarray:
    """θ₀ as a new float array (``start`` is not modified), after checking the arguments."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if not bound > 0:
        raise ValueError(f"bound must be > 0, got {bound!r}")
    if start is None:
        start = function.start
    theta = np.atleast_1d(np.array(start, dtype=float))
    dim = getattr(function, "dim", theta.size)
    if theta.shape != (dim,):
        raise ValueError(
            f"start must have shape ({dim},) for this {dim}-D function, got shape {np.shape(start)}"
        )
    if not np.all(np.isfinite(theta)) or np.linalg.norm(theta) > bound:
        raise ValueError(f"start must be finite with norm <= bound={bound:g}, got {start!r}")
    return theta


# --------------------------------------------------------------------------- fit


@dataclass(repr=False)
class History:
    """What ``fit`` measured: the one result of every mini-batch run of the book.

    ``fit`` fills every field; a History made by hand (for a plot) needs only loss and time.

    Attributes:
        loss: shape (k,), the mini-batch training loss at each step t = 1 … k (before its
            update); k = ``steps``.
        time: shape (k,), cumulative wall-clock seconds of training after each step
            (gradient + update; the evaluations are not counted).
        epochs: one dict per evaluation, ``{"epoch", "step", "train_loss", "train_acc",
            "test_loss", "test_acc"}``; entry 0 is the model before training, entry e the
            model after epoch e (test metrics are NaN without a test set, accuracies NaN
            for a model without ``accuracy``).
        diverged_at: the step t (1-based) at which training stopped, else None.
        label: the legend label, by default ``label_for(optimizer)``.
        lr: shape (k,), the learning rate η_t of each update (NaN for an optimizer
            without one, such as COCOB).
        examples: shape (k+1,), the number of examples whose gradients were computed
            before θ_t, for the iterates θ₀, θ₁, …, θ_k.
        points: shape (k+1, P), the iterates θ₀ … θ_k, each flattened into one row, or
            None; kept with ``keep_points=True``.
        suboptimality: shape (k+1,), f(θ_t) − f* of every iterate for a model that knows
            its optimum (``LeastSquares``), else None.
        regret: shape (k,), the average regret R_t / t after each step of an online run
            (``descent.online.run_online``), else None.
        final: shape (P,), the last accepted parameters θ_k, flattened.
        n: the number of training examples N. batch_size: B.
    """

    loss: np.ndarray
    time: np.ndarray
    epochs: list = field(default_factory=list)
    diverged_at: int | None = None
    label: str = ""
    lr: np.ndarray | None = None
    examples: np.ndarray | None = None
    points: np.ndarray | None = None
    suboptimality: np.ndarray | None = None
    regret: np.ndarray | None = None
    final: np.ndarray | None = None
    n: int | None = None
    batch_size: int | None = None

    @property
    def diverged(self) -> bool:
        """True if training stopped early (see ``fit``)."""
        return self.diverged_at is not None

    @property
    def steps(self) -> int:
        """The number of completed updates k."""
        return len(self.loss)

    @property
    def updates(self) -> np.ndarray:
        """shape (k+1,), the update counter t = 0, 1, …, k of each iterate."""
        return np.arange(self.steps + 1)

    @property
    def passes(self) -> np.ndarray:
        """shape (k+1,), the passes over the data before each iterate: examples / N."""
        return self.examples / self.n

    def metric(self, name: str) -> np.ndarray:
        """One metric over the evaluations, e.g. ``history.metric("test_acc")``."""
        return np.array([e[name] for e in self.epochs], dtype=float)

    def tail_mean(self, fraction: float = 0.5, *, last: int | None = None) -> float:
        """The mean of f(θ_t) − f* over the last ``fraction`` of the iterates, or over the
        ``last`` ones; inf for a run that diverged (it has no level to report)."""
        if self.suboptimality is None:
            raise ValueError("this run has no suboptimality: train a LeastSquares model")
        if last is None:
            if not 0 < fraction <= 1:
                raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
            last = max(1, int(round(fraction * len(self.suboptimality))))
        if self.diverged:
            return math.inf
        return float(np.mean(self.suboptimality[-last:]))

    def __repr__(self) -> str:
        epochs = len(self.epochs) - 1 if self.epochs else self.passes[-1]
        text = f"History({self.label!r}, steps={self.steps}, epochs={epochs:.3g}"
        if self.suboptimality is not None:
            text += f", B={self.batch_size}, final f − f* = {self.suboptimality[-1]:.3g}"
        elif self.regret is not None:
            text += f", final x={self.final[0]:.4f}, average regret={self.regret[-1]:.4f}"
        elif self.epochs:
            last = self.epochs[-1]
            text += f", train_loss={last['train_loss']:.4g}, test_acc={last['test_acc']:.3f}"
        if self.diverged:
            text += f", diverged at step {self.diverged_at}"
        return text + ")"


class LeastSquares:
    """A linear model with the least-squares loss of a ``descent.data.RegressionProblem``,
    to train with ``fit``: f(w) = (1/2N) Σᵢ (xᵢᵀw − yᵢ)², and on a batch ℬ of B examples
    the gradient g = X_ℬᵀ(X_ℬ w − y_ℬ)/B, as ``problem.grad(w, idx)`` computes it.

    It knows its optimum w*, so ``fit`` records f(θ_t) − f* of every iterate, computed as
    ½ (θ_t − θ*)ᵀ H (θ_t − θ*): for least squares that equals it exactly, and it keeps its
    digits when it is tiny. And ``fit`` stops, with ``diverged=True``, at the first update
    whose iterate is not finite or has ‖θ − θ*‖ > ``bound``; that iterate is undone and not
    recorded. Train it on the problem itself::

        history = fit(LeastSquares(problem), AdaGrad(lr=0.5), problem, batch_size=10)

    Args:
        problem: a ``descent.data.RegressionProblem``.
        start: w₀, shape (d,); default zeros. Not modified.
        bound: the distance from w* beyond which a run counts as diverged (> 0).
    """

    def __init__(self, problem, start=None, bound: float = 1e6):
        if not hasattr(problem, "w_star") or not hasattr(problem, "hessian"):
            raise TypeError(
                f"problem must be a descent.data.RegressionProblem, got {type(problem).__name__}"
            )
        w = np.zeros(problem.dim) if start is None else np.array(start, dtype=float)
        if w.shape != (problem.dim,):
            raise ValueError(f"start must have shape ({problem.dim},), got {np.shape(start)}")
        if not bound > 0:
            raise ValueError(f"bound must be > 0, got {bound!r}")
        self.params = {"w": w}
        self.optimum = problem.w_star
        self.bound = float(bound)
        self.hessian = problem.hessian()

    def loss_and_gradient(self, x, t):
        residual = x @ self.params["w"] - t
        return 0.5 * float(residual @ residual) / len(t), {"w": x.T @ residual / len(t)}

    def loss(self, x, t) -> float:
        residual = x @ self.params["w"] - t
        return 0.5 * float(residual @ residual) / len(t)

    def suboptimality(self, points) -> np.ndarray:
        """½ (θ_t − θ*)ᵀ H (θ_t − θ*) for every row θ_t of ``points``."""
        errors = np.asarray(points) - self.optimum
        return 0.5 * np.einsum("ti,ij,tj->t", errors, self.hessian, errors)


def fit(
    model,
    optimizer,
    data,
    *,
    epochs: int | None = None,
    steps: int | None = None,
    batch_size: int = 32,
    seed=0,
    shuffle: bool = True,
    replacement: bool = False,
    keep_points: bool = False,
    evaluate: bool = True,
    progress: bool | None = None,
    label: str | None = None,
    fast: bool | None = None,
) -> History:
    """Train ``model`` with ``optimizer`` by mini-batch gradient descent on ``data``.

    The one training loop of the book: an MLP on digits, a least-squares problem with SGD
    (``descent.stochastic.sgd``) or with any other optimizer. One epoch visits every
    training example once, in an order drawn from ``np.random.default_rng(seed)`` (the
    batches of ``descent.data.minibatches``); the last mini-batch of an epoch may be
    smaller. Each step computes the mini-batch loss and gradient, then
    ``optimizer.update(model.params, grads)`` (after a first update that checks everything,
    by the optimizer's ``step``: see ``fast``), with ``model.loss_and_gradient`` when the
    model has it: one forward pass instead of two. After every complete epoch (and once
    before training) the loss and accuracy on the whole training and test sets are recorded.

    Training stops, with ``history.diverged = True`` and no warnings, at the first step whose
    loss or gradient is not finite (the optimizer never sees that gradient), and, for a
    model with an ``optimum`` and a ``bound`` (``LeastSquares``), at the first update that
    leaves the parameters non-finite or farther than ``bound`` from the optimum: that update
    is undone and not recorded. A model with a ``project()`` method has it called after
    every update, to put its parameters back into their feasible set (projected gradient
    descent, as in ``descent.online``).

    Args:
        model: has ``params`` (dict of arrays), ``loss(x, t)`` and either
            ``loss_and_gradient(x, t)`` or ``gradient(x, t)`` (a dict like ``params``), as
            ``descent.nn.MLP`` and ``LeastSquares``; ``accuracy(x, t)`` if it classifies;
            ``optimum`` and ``bound``, and ``project()``, as said above.
        optimizer: an optimizer from ``descent.optimizers`` (or ``Scheduled``).
        data: a ``descent.data.Dataset`` (``x_train, t_train, x_test, t_test``; a test
            set of None is allowed) or a ``RegressionProblem`` (its X and y, no test set).
        epochs, steps: how long to train; at most one (default one epoch). ``epochs``
            runs whole epochs; ``steps`` stops after that many updates, wherever in an epoch.
        batch_size: examples per mini-batch (≥ 1; larger than the set means full batch).
        seed: seeds the mini-batch order, so two calls give identical losses (a
            ``np.random.Generator`` is used as it is).
        shuffle: a fresh random order every epoch (True) or the order 0 … N−1 (False).
        replacement: instead, each epoch draws max(1, N // B) batches uniformly with
            replacement, all at once, as the textbook analysis of SGD assumes.
        keep_points: also record every iterate, flattened (``history.points``).
        evaluate: False skips the evaluations on the whole sets (``history.epochs`` is
            then empty): for long runs of cheap steps, such as full-batch least squares.
        progress: None shows a tqdm bar only for runs of ≥ 1000 steps in an interactive
            session (a terminal, or Jupyter with a person at the keyboard; the book build
            and nbval are not); True / False force it on / off.
        label: the legend label; default ``label_for(optimizer)``.
        fast: True checks only the first update (``optimizer.update``) and then calls
            ``optimizer.step`` directly: the same History (but for ``time``) and optimizer
            state, bit for bit. It needs an optimizer with a ``step``, one of
            ``descent.optimizers`` (not ``Scheduled``). False calls ``optimizer.update``
            at every step. None (the default) is True for an optimizer of
            ``descent.optimizers`` with its readable ``step`` and the base class's
            ``update`` (a subclass that changes only ``step`` too), else False.
    """
    total_epochs, total = _length(epochs, steps)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    x_train, t_train, x_test, t_test = _unpack(data)
    n = len(x_train)
    if n == 0 or len(t_train) != n:
        raise ValueError(
            f"data must hold as many targets as inputs (and at least one), got {n} inputs "
            f"and {len(t_train)} targets"
        )
    optimum = None
    if hasattr(model, "optimum") and hasattr(model, "bound"):
        optimum, bound2 = np.ravel(model.optimum), float(model.bound) ** 2
    project = getattr(model, "project", None)
    loss_and_gradient = _loss_and_gradient_of(model)
    if fast is None:
        fast = _checks_once(optimizer)
    update = _checked_once(optimizer) if fast else optimizer.update
    per_epoch = max(1, n // batch_size) if replacement else math.ceil(n / batch_size)
    if total is None:
        total = total_epochs * per_epoch
    rng = np.random.default_rng(seed)
    label = label_for(optimizer) if label is None else str(label)
    bar = _progress_bar(total, progress, label)

    params = model.params
    points = [] if keep_points or hasattr(model, "suboptimality") else None
    track = points is not None or optimum is not None  # flatten θ after every update
    theta = _flatten(params) if track else None
    if points is not None:
        points.append(theta)
    losses, times, lrs, sizes = [], [], [], []
    elapsed, t, epoch, diverged_at = 0.0, 0, 0, None
    evaluations = [_evaluate(model, 0, 0, x_train, t_train, x_test, t_test)] if evaluate else []
    try:
        with np.errstate(all="ignore"):
            while t < total:
                epoch += 1
                for idx in _batches(n, batch_size, rng, shuffle, replacement):
                    t += 1
                    tic = time.perf_counter()
                    loss, grads = loss_and_gradient(x_train[idx], t_train[idx])
                    loss = float(loss)
                    if not (math.isfinite(loss) and _all_finite(grads)):
                        diverged_at = t
                        break
                    update(params, grads)
                    if project is not None:
                        project()
                    elapsed += time.perf_counter() - tic
                    if track:
                        previous, theta = theta, _flatten(params)
                    if optimum is not None:
                        e = theta - optimum
                        if not float(e @ e) <= bound2:  # too far away, or not finite (NaN)
                            _restore(params, previous)  # keep the last accepted iterate
                            theta, diverged_at = previous, t
                            break
                    losses.append(loss)
                    times.append(elapsed)
                    lr = getattr(optimizer, "lr", None)
                    lrs.append(math.nan if lr is None else float(lr))
                    sizes.append(len(idx))
                    if points is not None:
                        points.append(theta)
                    if bar is not None:
                        bar.update(1)
                        if t % 50 == 0:
                            bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
                    if t == total:
                        break
                if diverged_at is not None:
                    break
                if evaluate and t == epoch * per_epoch:
                    evaluations.append(_evaluate(model, epoch, t, x_train, t_train, x_test, t_test))
    finally:
        if bar is not None:
            bar.close()
    suboptimality = None
    if points is not None:
        points = np.array(points)
        if hasattr(model, "suboptimality"):
            with np.errstate(all="ignore"):  # a run without a bound may end far away
                suboptimality = model.suboptimality(points)
    return History(
        loss=np.array(losses, dtype=float),
        time=np.array(times, dtype=float),
        lr=np.array(lrs, dtype=float),
        examples=np.concatenate([[0], np.cumsum(sizes, dtype=int)]),
        final=_flatten(params),
        n=n,
        batch_size=int(batch_size),
        points=points if keep_points else None,
        suboptimality=suboptimality,
        epochs=evaluations,
        diverged_at=diverged_at,
        label=label,
    )


def _length(epochs, steps):
    """(epochs, None) or (None, steps) after checking them; one epoch by default."""
    if epochs is not None and steps is not None:
        raise ValueError("give at most one of epochs and steps")
    for name, value in (("epochs", epochs), ("steps", steps)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return (1 if epochs is None and steps is None else epochs), steps


def _batches(n, batch_size, rng, shuffle, replacement):
    """The index arrays of one epoch: ``data.minibatches`` without replacement; with
    replacement, max(1, n // B) batches drawn at once (the same distribution, less overhead)."""
    if replacement:
        return iter(rng.integers(0, n, size=(max(1, n // batch_size), batch_size)))
    order = rng.permutation(n) if shuffle else np.arange(n)
    return (order[start : start + batch_size] for start in range(0, n, batch_size))


def _flatten(params) -> np.ndarray:
    """All parameters in one new vector, in the order of the dict."""
    if len(params) == 1:
        return next(iter(params.values())).flatten()  # a copy
    return np.concatenate([np.ravel(p) for p in params.values()])


def _restore(params, theta) -> None:
    """Write the flat vector ``theta`` back into the arrays of ``params``."""
    start = 0
    for p in params.values():
        p[...] = theta[start : start + p.size].reshape(p.shape)
        start += p.size


def _unpack(data):
    """(x_train, t_train, x_test, t_test) from a Dataset, a RegressionProblem or a 4-tuple."""
    names = ("x_train", "t_train", "x_test", "t_test")
    if all(hasattr(data, name) for name in names):
        return tuple(getattr(data, name) for name in names)
    if hasattr(data, "X") and hasattr(data, "y") and hasattr(data, "w_star"):
        return data.X, data.y, None, None
    try:
        x_train, t_train, x_test, t_test = data
    except (TypeError, ValueError):
        raise TypeError(
            "data must be a descent.data.Dataset (x_train, t_train, x_test, t_test) or a "
            f"RegressionProblem, got {type(data).__name__}"
        ) from None
    return x_train, t_train, x_test, t_test


def _loss_and_gradient_of(model):
    """(x, t) ↦ (loss, grads): one forward and one backward pass if the model offers it
    (``MLP`` does), else two."""
    if hasattr(model, "loss_and_gradient"):
        return model.loss_and_gradient
    return lambda x, t: (model.loss(x, t), model.gradient(x, t))


def _all_finite(grads) -> bool:
    return all(np.isfinite(g).all() for g in grads.values())


def _evaluate(model, epoch, step, x_train, t_train, x_test, t_test) -> dict:
    """Loss and accuracy on the full training and test sets (NaN where there is none)."""
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
        else:  # a regression (LeastSquares) has no accuracy
            loss = model.loss(x, t)
            accuracy = model.accuracy(x, t) if hasattr(model, "accuracy") else math.nan
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
