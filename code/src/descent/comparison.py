r"""A fair comparison of optimizers: one problem, one budget, a tuned learning rate for each.

Comparing optimizers at their default learning rates compares the defaults, not the
methods. The protocol here gives every method the same chance: the same problem, start
and seeds, the same number of steps, and the same grid of learning rates η, from which
each keeps its best; a method without a learning rate (COCOB) gets a single run. Every
run of the grid is kept, so the same runs also show how the final loss depends on η::

    grid = log_grid(1e-4, 10, per_decade=2)          # 1e-4, 3.2e-4, ..., 10
    trial = on_model(make_mlp, digits, epochs=5)     # the same for everyone
    result = compare(makers(), grid, trial)
    result["Adam"].best_lr, result["Adam"].losses     # per η; inf = diverged
    result.runs, result.seconds                       # what the tuning cost
    print(result)                                     # one line per optimizer

* ``makers``: every optimizer of the book as a factory η ↦ optimizer (AMSGrad included);
* ``on_function``: a trial on a 2-D test function (``descent.training.run``), scored by the
  final f(θ_T) − f*; ``on_model``: a trial training a model (``descent.training.fit``),
  scored by the final loss on the whole training set;
* ``grid_search``: one optimizer over the grid, a ``GridSearch``; ``compare``: all of them,
  a ``Comparison``;
* ``summary``: the facts of the summary table, computed from the optimizers themselves:
  the state kept per parameter (from ``init_state``) and the hyperparameters with their
  defaults, with the names the libraries use (``LIBRARY_NAMES``).

Diverged runs are reported as such (loss ``inf``, ``diverged_at`` the step), never as
overflow warnings: ``run`` and ``fit`` stop them cleanly. numpy only: ``descent.plotting``
draws the results (``plot_sensitivity``, ``plot_race``, ``plot_loss_race``).
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from descent import optimizers, training

__all__ = [
    "FAMILIES",
    "LIBRARY_NAMES",
    "Comparison",
    "GridSearch",
    "Table",
    "compare",
    "compare_around",
    "default_optimizers",
    "grid_search",
    "log_grid",
    "makers",
    "on_function",
    "on_model",
    "search_around",
    "state_names",
    "summary",
]

#: The optimizers grouped by the idea they build on (one panel each in a race figure).
FAMILIES = {
    "SGD and momentum": ("SGD", "Momentum", "Nesterov"),
    "Per-coordinate steps": ("AdaGrad", "RMSProp", "Adadelta", "COCOB"),
    "The Adam family": ("Adam", "AMSGrad", "AdaMax", "NAdam", "AdamW"),
}

#: What each optimizer is called in PyTorch (after ``torch.optim.``), optax (after
#: ``optax.``) and Keras (after ``keras.optimizers.``); "—": not in that library.
LIBRARY_NAMES = {
    "SGD": ("SGD", "sgd", "SGD"),
    "Momentum": ("SGD(momentum=0.9)", "sgd(momentum=0.9)", "SGD(momentum=0.9)"),
    "Nesterov": (
        "SGD(momentum=0.9, nesterov=True)",
        "sgd(momentum=0.9, nesterov=True)",
        "SGD(momentum=0.9, nesterov=True)",
    ),
    "AdaGrad": ("Adagrad", "adagrad", "Adagrad"),
    "RMSProp": ("RMSprop", "rmsprop", "RMSprop"),
    "Adadelta": ("Adadelta", "adadelta", "Adadelta"),
    "Adam": ("Adam", "adam", "Adam"),
    "AMSGrad": ("Adam(amsgrad=True)", "amsgrad", "Adam(amsgrad=True)"),
    "AdaMax": ("Adamax", "adamax", "Adamax"),
    "NAdam": ("NAdam", "nadam", "Nadam"),
    "AdamW": ("AdamW", "adamw", "AdamW"),
    "COCOB": ("—", "contrib.cocob", "—"),
}


# --------------------------------------------------------------------------- the optimizers


def default_optimizers() -> dict:
    """Every optimizer of the book with its default hyperparameters, in book order, with
    ``Adam(amsgrad=True)`` as "AMSGrad" right after Adam."""
    out = {}
    for name, cls in optimizers.ALL.items():
        out[name] = cls()
        if name == "Adam":
            out["AMSGrad"] = optimizers.Adam(amsgrad=True)
    return out


def makers(names: Sequence[str] | None = None) -> dict:
    """Factories η ↦ optimizer, all other hyperparameters at their defaults.

    Args:
        names: which optimizers, in that order (default: all of ``default_optimizers``,
            AMSGrad included). COCOB's factory ignores η: it has none.
    """
    known = list(default_optimizers())
    names = known if names is None else list(names)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(f"unknown optimizers {unknown}; choose from {known}")
    return {name: _maker(name) for name in names}


def _maker(name: str) -> Callable:
    if name == "AMSGrad":
        return lambda lr: optimizers.Adam(lr=lr, amsgrad=True)
    cls = optimizers.ALL[name]
    if not cls.has_lr:
        return lambda lr=None: cls()
    return lambda lr: cls(lr=lr)


# --------------------------------------------------------------------------- problems


def log_grid(low: float, high: float, per_decade: int = 1) -> np.ndarray:
    """Learning rates from ``low`` to ``high`` evenly spaced on a log scale, ``per_decade``
    of them per factor of 10 (both ends included when they fit the spacing)."""
    if not (0 < low < high and math.isfinite(high)):
        raise ValueError(f"a grid needs 0 < low < high, got low={low!r}, high={high!r}")
    if isinstance(per_decade, bool) or not isinstance(per_decade, (int, np.integer)):
        raise ValueError(f"per_decade must be an integer >= 1, got {per_decade!r}")
    if per_decade < 1:
        raise ValueError(f"per_decade must be an integer >= 1, got {per_decade!r}")
    a, b = math.log10(low), math.log10(high)
    count = int(math.floor((b - a) * per_decade + 1e-9)) + 1
    return 10.0 ** (a + np.arange(count) / per_decade)


def on_function(function, steps: int, start=None, *, bound: float = 1e6) -> Callable:
    """A trial: ``descent.training.run`` on a test function for ``steps`` updates from
    ``start`` (default ``function.start``), scored by f(θ_T) − f* (f(θ_T) if f* is
    unknown). Returns ``trial(optimizer, label) -> (loss, diverged_at, trajectory)``."""
    f_min = getattr(function, "f_min", None) or 0.0

    def trial(optimizer, label):
        traj = training.run(optimizer, function, start, steps, bound=bound, label=label)
        loss = math.inf if traj.diverged else float(traj.values[-1]) - f_min
        return loss, traj.diverged_at, traj

    trial.description = f"{steps} steps of {getattr(function, 'name', function)}"
    return trial


def on_model(
    make_model: Callable, data, *, epochs: int, batch_size: int = 32, seed: int = 0
) -> Callable:
    """A trial: ``descent.training.fit`` of a fresh ``make_model()`` on ``data``, scored by
    the loss on the whole training set after the last epoch (tuning looks at training
    data only; the test set stays for the report). Every trial uses the same ``seed``,
    hence the same initial weights if ``make_model`` is seeded, and the same mini-batches.
    Returns ``trial(optimizer, label) -> (loss, diverged_at, history)``."""

    def trial(optimizer, label):
        history = training.fit(
            make_model(),
            optimizer,
            data,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            progress=False,
            label=label,
        )
        loss = history.epochs[-1]["train_loss"]
        diverged_at = history.diverged_at
        if diverged_at is None and not math.isfinite(loss):
            diverged_at = history.steps  # finite gradients, but the loss overflowed
        return (math.inf if diverged_at is not None else float(loss)), diverged_at, history

    trial.description = f"{epochs} epochs, batches of {batch_size}, seed {seed}"
    return trial


# --------------------------------------------------------------------------- grid search


@dataclass(repr=False)
class GridSearch:
    """One optimizer over a grid of learning rates.

    Attributes:
        name: the optimizer's name (as in ``plotting.style_for``).
        lrs: (k,) the learning rates tried, increasing; ``[nan]`` for an optimizer without
            a learning rate (one run).
        losses: (k,) the final loss of each run; ``inf`` where the run diverged.
        diverged_at: the step at which each run diverged, or None.
        runs: the ``Trajectory`` or ``History`` of each run.
        seconds: processor seconds the k runs took (``time.process_time``: the work done;
            the time when other programs run is not counted).
    """

    name: str
    lrs: np.ndarray
    losses: np.ndarray
    diverged_at: list
    runs: list
    seconds: float

    @property
    def has_lr(self) -> bool:
        return bool(np.all(np.isfinite(self.lrs)))

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    @property
    def diverged(self) -> np.ndarray:
        """(k,) True where the run diverged."""
        return np.array([d is not None for d in self.diverged_at], dtype=bool)

    @property
    def best_index(self) -> int | None:
        """The index of the lowest final loss (the smaller η on a tie); None if every
        run diverged."""
        if np.all(self.diverged):
            return None
        return int(np.argmin(self.losses))

    @property
    def best_lr(self) -> float | None:
        i = self.best_index
        return None if i is None or not self.has_lr else float(self.lrs[i])

    @property
    def best_loss(self) -> float:
        i = self.best_index
        return math.inf if i is None else float(self.losses[i])

    @property
    def best_run(self):
        i = self.best_index
        return None if i is None else self.runs[i]

    @property
    def at_edge(self) -> bool:
        """True if the best η is the smallest or the largest of the grid: the grid should
        be widened on that side before the result is trusted."""
        i = self.best_index
        return self.has_lr and len(self.lrs) > 1 and i in (0, len(self.lrs) - 1)

    def good_range(self, threshold: float) -> tuple[float, float] | None:
        """The smallest and largest η whose final loss is ≤ ``threshold`` (None if none)."""
        if not self.has_lr:
            raise ValueError(f"{self.name} has no learning rate, so no range of η")
        good = self.lrs[self.losses <= threshold]
        return (float(good.min()), float(good.max())) if good.size else None

    def decades(self, threshold: float) -> float:
        """How many factors of 10 the good range spans: log₁₀(η_max / η_min), 0 if a
        single η is good, -inf if none is."""
        span = self.good_range(threshold)
        return -math.inf if span is None else math.log10(span[1] / span[0])

    def __repr__(self) -> str:
        cost = f"{self.n_runs} run{'s' if self.n_runs != 1 else ''}, {self.seconds:.2g} s"
        if self.best_index is None:
            return f"GridSearch({self.name!r}: every run diverged; {cost})"
        where = f"best η = {self.best_lr:.3g}, " if self.has_lr else ""
        edge = " (at the edge of the grid)" if self.at_edge else ""
        return f"GridSearch({self.name!r}: {where}final loss {self.best_loss:.3g}{edge}; {cost})"


def grid_search(make: Callable, lrs, trial: Callable, *, name: str | None = None) -> GridSearch:
    """Run ``trial(make(η), label)`` for every η of ``lrs`` and keep every result.

    Args:
        make: a factory η ↦ optimizer (e.g. ``lambda lr: Adam(lr=lr)``, or one of
            ``makers()``; ``lambda lr: Scheduled(Adam(lr=lr), Cosine(500))`` works too). If
            the optimizer has no learning rate (``has_lr`` False), it is run once.
        lrs: increasing learning rates > 0.
        trial: ``on_function(...)`` or ``on_model(...)`` (or any function
            ``trial(optimizer, label) -> (loss, diverged_at, run)``).
        name: the optimizer's name (default: from the first optimizer, e.g. "AMSGrad").
    """
    grid = np.asarray(lrs, dtype=float).ravel()
    if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid <= 0):
        raise ValueError(f"lrs must be learning rates > 0, got {lrs!r}")
    if np.any(np.diff(grid) <= 0):
        raise ValueError(f"lrs must increase (e.g. log_grid(1e-4, 1)), got {lrs!r}")
    probe = make(float(grid[0]))
    if name is None:
        name = training.label_for(probe).split(" (")[0]
    if not probe.has_lr:
        grid = np.array([math.nan])
    losses, diverged_at, runs = [], [], []
    tic = time.process_time()
    for k, lr in enumerate(grid):
        optimizer = probe if k == 0 else make(float(lr))
        if probe.has_lr and not math.isclose(optimizer.lr, lr, rel_tol=1e-12):
            raise ValueError(
                f"make({lr:g}) returned an optimizer with lr={optimizer.lr!r}; the factory "
                "must pass its argument on as the learning rate"
            )
        label = f"{name} (η={lr:.2g})" if probe.has_lr else name
        loss, where, result = trial(optimizer, label)
        losses.append(loss)
        diverged_at.append(where)
        runs.append(result)
    seconds = time.process_time() - tic
    return GridSearch(name, grid, np.array(losses, dtype=float), diverged_at, runs, seconds)


class Comparison(Mapping):
    """The ``GridSearch`` of every optimizer (a read-only dict name → GridSearch), with the
    total cost. ``str(comparison)`` is a table, one optimizer per line."""

    def __init__(self, searches: Mapping, description: str = ""):
        self._searches = dict(searches)
        self.description = description

    def __getitem__(self, name):
        return self._searches[name]

    def __iter__(self):
        return iter(self._searches)

    def __len__(self):
        return len(self._searches)

    @property
    def runs(self) -> int:
        """The number of training runs the comparison took."""
        return sum(s.n_runs for s in self.values())

    @property
    def seconds(self) -> float:
        """Their total wall-clock time."""
        return sum(s.seconds for s in self.values())

    @property
    def best_lrs(self) -> dict:
        return {name: s.best_lr for name, s in self.items()}

    @property
    def best_losses(self) -> dict:
        return {name: s.best_loss for name, s in self.items()}

    def __str__(self) -> str:
        lines = [f"{'optimizer':<10} {'best η':>8} {'final loss':>11}  {'diverged for η ≥':<17}"]
        for name, s in self.items():
            lr = f"{s.best_lr:.2g}" if s.best_lr is not None else "—"
            loss = f"{s.best_loss:.3g}" if s.best_index is not None else "diverged"
            div = s.lrs[s.diverged]
            above = f"{div.min():.2g}" if div.size and s.has_lr else "—"
            note = "  best at the edge of the grid" if s.at_edge else ""
            lines.append(f"{name:<10} {lr:>8} {loss:>11}  {above:<17}{note}".rstrip())
        head = f"{self.description}: " if self.description else ""
        lines.append(f"{head}{self.runs} runs in {self.seconds:.1f} s")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Comparison({list(self)}, runs={self.runs}, seconds={self.seconds:.2g})"


def compare(makers: Mapping, lrs, trial: Callable) -> Comparison:
    """``grid_search`` for every factory of ``makers`` (name → η ↦ optimizer) on the same
    grid and the same trial."""
    searches = {name: grid_search(make, lrs, trial, name=name) for name, make in makers.items()}
    return Comparison(searches, getattr(trial, "description", ""))


def search_around(
    make: Callable,
    center: float | None,
    trial: Callable,
    *,
    factor: float = 10**0.5,
    max_runs: int = 9,
    name: str | None = None,
) -> GridSearch:
    """A grid search near a learning rate already known to be good (for example the best
    one on another seed): η = ``center`` × ``factor``^k for k = −1, 0, 1, then one more
    value at a time on the side where the best lies while it is at the edge of the values
    tried, up to ``max_runs`` runs in all. An optimizer without a learning rate
    (``center`` None) runs once. Every run is kept, as in ``grid_search``; the result is
    ``at_edge`` only if ``max_runs`` stopped the widening."""
    if center is None:
        return grid_search(make, [1.0], trial, name=name)
    if not (math.isfinite(center) and center > 0):
        raise ValueError(f"center must be a learning rate > 0 or None, got {center!r}")
    if not factor > 1:
        raise ValueError(f"factor must be > 1, got {factor!r}")
    if max_runs < 3:
        raise ValueError(f"max_runs must be >= 3, got {max_runs!r}")
    search = grid_search(make, center * factor ** np.arange(-1.0, 2.0), trial, name=name)
    while search.at_edge and search.n_runs < max_runs:
        low = search.best_index == 0
        lr = search.lrs[0] / factor if low else search.lrs[-1] * factor
        more = grid_search(make, [lr], trial, name=search.name)
        pieces = (more, search) if low else (search, more)
        search = GridSearch(
            search.name,
            np.concatenate([p.lrs for p in pieces]),
            np.concatenate([p.losses for p in pieces]),
            [d for p in pieces for d in p.diverged_at],
            [r for p in pieces for r in p.runs],
            search.seconds + more.seconds,
        )
    return search


def compare_around(
    makers: Mapping,
    centers: Mapping,
    trial: Callable,
    *,
    factor: float = 10**0.5,
    max_runs: int = 9,
) -> Comparison:
    """``search_around`` for every factory of ``makers`` (name → η ↦ optimizer), each
    around its own ``centers[name]`` (a learning rate, or None for an optimizer without
    one), on the same trial: a cheap way to tune again on a new seed."""
    searches = {
        name: search_around(make, centers[name], trial, factor=factor, max_runs=max_runs, name=name)
        for name, make in makers.items()
    }
    return Comparison(searches, getattr(trial, "description", ""))


# --------------------------------------------------------------------------- the summary


def state_names(optimizer, shape=(3, 2)) -> tuple[list, list]:
    """The names of the state an optimizer keeps for one parameter array: those that are
    arrays of the parameter's shape (one copy each), and the others (scalars)."""
    theta = np.zeros(shape)
    state = optimizer.init_state(theta)
    arrays = [k for k, v in state.items() if isinstance(v, np.ndarray) and v.shape == theta.shape]
    return arrays, [k for k in state if k not in arrays]


def summary(optimizers_: Mapping | None = None) -> list[dict]:
    """One row per optimizer, computed from the optimizer itself:

    ``name``; ``state`` (per-parameter arrays, from ``init_state``) and ``scalar_state``;
    ``hyperparameters`` (name → value of the given optimizer; with the default
    ``default_optimizers()`` these are the constructor's defaults); ``has_lr``; and the
    library names ``torch``, ``optax``, ``keras`` from ``LIBRARY_NAMES`` (without the
    module: ``torch.optim.``, ``optax.``, ``keras.optimizers.``).
    """
    rows = []
    for name, opt in (optimizers_ or default_optimizers()).items():
        arrays, scalars = state_names(opt)
        torch, optax, keras = LIBRARY_NAMES.get(name, ("?", "?", "?"))
        rows.append(
            {
                "name": name,
                "state": arrays,
                "scalar_state": scalars,
                "hyperparameters": opt.hyperparameters(),
                "has_lr": bool(opt.has_lr),
                "torch": torch,
                "optax": optax,
                "keras": keras,
            }
        )
    return rows


class Table:
    """A small table that shows as HTML in a notebook and as text elsewhere.

    Args:
        rows: a list of dicts; columns: the keys to show, in order (default: the first
            row's), or a dict key → heading.
    """

    def __init__(self, rows: Sequence[Mapping], columns=None):
        self.rows = [dict(r) for r in rows]
        if columns is None:
            columns = list(self.rows[0]) if self.rows else []
        self.columns = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}

    def _cells(self):
        return [[_text(row.get(key, "")) for key in self.columns] for row in self.rows]

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.columns.values()
        )
        body = "".join(
            "<tr>"
            + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in cells)
            + "</tr>"
            for cells in self._cells()
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        cells = [list(self.columns.values()), *self._cells()]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        return "\n".join(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in cells
        )


def _text(value) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) or "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
