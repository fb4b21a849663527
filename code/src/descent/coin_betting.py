r"""Coin betting, the game behind COCOB (Chapter 13).

A bettor starts with wealth W₀ > 0. In round t = 1, 2, ... she bets the signed amount
xₜ = βₜ Wₜ₋₁, a fraction βₜ ∈ [−1, 1] of her wealth, on a coin cₜ ∈ [−1, 1] (+1 heads,
−1 tails; fractional outcomes are allowed), and wins cₜ xₜ:

    Wₜ = Wₜ₋₁ + cₜ xₜ = Wₜ₋₁ (1 + βₜ cₜ),   so   W_T = W₀ ∏ₜ (1 + βₜ cₜ) ≥ 0.

The Krichevsky–Trofimov (KT) bettor bets the fraction βₜ = (c₁ + … + cₜ₋₁) / t: the average
of the past coins, shrunk towards 0 as if she had seen one extra round with no outcome.
On a sequence of T coins ±1 with h heads and k tails her wealth does not depend on their
order (``kt_wealth`` computes it; (−1)!! = 1):

    W_T = W₀ (2h − 1)!! (2k − 1)!! / T!,

which for h = T is W₀ (2T choose T) / 2ᵀ ≈ W₀ 2ᵀ / √(πT): a wealth that nearly doubles in
every round of a coin that always lands heads.

Betting becomes optimization (``kt_descent``) when the coin is the negative gradient,
cₜ = −gₜ = −f′(θₜ), and the bet is the distance travelled from the start, θₜ = θ₀ + xₜ:
a bettor who gets rich on the coins −gₜ has a small regret Σₜ gₜ (θₜ − u) against every
point u (Orabona & Pál, 2016). COCOB-Backprop (``descent.optimizers.COCOB``) is this
bettor run per coordinate, with the gradients' unknown scale estimated on the way.

Also here, for the chapter's experiments: ``cocob_effective_lr`` (COCOB as θ = θ₁ − η S
with a learning rate η read from its state) and ``IterateAverage`` (an optimizer that also
keeps the average of its iterates, the point the betting guarantee is about). The test
problem whose negative gradient is a coin ±1 is ``functions.absolute_value``; a loss in
other units is ``units.rescaled(model, loss=c)``. numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from descent import _validation

__all__ = [
    "Betting",
    "CocobTrace",
    "IterateAverage",
    "bet",
    "cocob_effective_lr",
    "cocob_trace",
    "kt_descent",
    "kt_fraction",
    "kt_wealth",
]


# --------------------------------------------------------------------------- the game


@dataclass(repr=False)
class Betting:
    """The rounds t = 1..T of a betting game, one entry per round.

    Attributes:
        fraction: βₜ, the fraction of the wealth bet in round t (chosen before the coin).
        bet: xₜ = βₜ Wₜ₋₁, the signed amount bet.
        coin: cₜ ∈ [−1, 1], the outcome.
        reward: cₜ xₜ, what the round won (negative: lost).
        wealth: Wₜ = Wₜ₋₁ + cₜ xₜ, the wealth after round t.
        initial_wealth: W₀.
        theta: for ``kt_descent``, the points θₜ = θ₀ + xₜ where the coins were drawn;
            None for a plain game.
    """

    fraction: np.ndarray
    bet: np.ndarray
    coin: np.ndarray
    reward: np.ndarray
    wealth: np.ndarray
    initial_wealth: float
    theta: np.ndarray | None = field(default=None)

    @property
    def rounds(self) -> int:
        """T, the number of rounds played."""
        return len(self.coin)

    def table(self, rows: int | None = None) -> str:
        """The first ``rows`` rounds (default all) as a text table, one line per round.

        A plain game shows the bet xₜ; a ``kt_descent`` shows the point θₜ = θ₀ + xₜ.
        """
        n = self.rounds if rows is None else min(int(rows), self.rounds)
        where = ("θ_t", self.theta) if self.theta is not None else ("bet x_t", self.bet)
        head = f"{'t':>3} {'β_t':>8} {where[0]:>9} {'coin c_t':>9} {'reward':>9}"
        lines = [
            head + f" {'wealth W_t':>11}",
            f"{0:>3}" + " " * 40 + f"{self.initial_wealth:>11.4f}",
        ]
        for t in range(n):
            lines.append(
                f"{t + 1:>3} {self.fraction[t]:>8.4f} {where[1][t]:>9.4f} {self.coin[t]:>+9.4g}"
                f" {self.reward[t]:>+9.4f} {self.wealth[t]:>11.4f}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"Betting(rounds={self.rounds}, initial_wealth={self.initial_wealth:g}, "
            f"final wealth={self.wealth[-1] if self.rounds else self.initial_wealth:.6g})"
        )


def kt_fraction(past_coins) -> float:
    """The Krichevsky–Trofimov fraction for the next round: Σ past coins / (their number + 1).

    It is 2p̂ − 1 for the add-½ estimate p̂ = (heads + ½) / (rounds + 1) of the probability
    of heads: the Kelly bet for a coin whose bias is estimated from the past.
    """
    past = np.asarray(past_coins, dtype=float)
    return float(past.sum() / (past.size + 1))


def bet(coins, fraction="kt", initial_wealth: float = 1.0) -> Betting:
    """Play the betting game on a given sequence of coins.

    Args:
        coins: shape (T,), the outcomes cₜ ∈ [−1, 1].
        fraction: ``"kt"`` (the Krichevsky–Trofimov bettor), a constant fraction in
            [−1, 1], or a function ``fraction(past_coins) -> β`` called before each round
            with the coins seen so far (an array of length t − 1).
        initial_wealth: W₀ > 0.

    Returns:
        a ``Betting`` record of the T rounds; W_T = W₀ ∏ₜ (1 + βₜ cₜ).
    """
    coins = np.asarray(coins, dtype=float)
    if coins.ndim != 1:
        raise ValueError(f"coins must be a 1-D array of outcomes, got shape {coins.shape}")
    _check_coins(coins, "coins")
    choose = _fraction_rule(fraction)
    wealth = _validation.positive("initial_wealth", initial_wealth)
    record = _empty(len(coins), wealth)
    for t, c in enumerate(coins):
        beta = _check_fraction(choose(coins[:t]), t + 1)
        wealth = _play(record, t, beta, wealth, c)
    return record


def kt_wealth(heads: int, tails: int, initial_wealth: float = 1.0) -> float:
    """The KT bettor's wealth after ``heads`` coins +1 and ``tails`` coins −1, in any order:

    W₀ (2h − 1)!! (2k − 1)!! / (h + k)!, computed with log-gamma (no overflow).
    """
    for name, n in (("heads", heads), ("tails", tails)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"{name} must be an integer >= 0, got {n!r}")
    w0 = _validation.positive("initial_wealth", initial_wealth)

    def log_double_factorial_odd(n):  # log (2n − 1)!! = log (2n)! − n log 2 − log n!
        return math.lgamma(2 * n + 1) - n * math.log(2.0) - math.lgamma(n + 1)

    total = int(heads) + int(tails)
    log_w = (
        log_double_factorial_odd(int(heads))
        + log_double_factorial_odd(int(tails))
        - math.lgamma(total + 1)
    )
    return w0 * math.exp(log_w)


# ------------------------------------------------------------------ betting as optimization


def kt_descent(function, start=None, steps: int = 20, initial_wealth: float = 1.0) -> Betting:
    """Minimize a 1-D function by KT betting on its negative gradient.

    Round t: the fraction βₜ = (c₁ + … + cₜ₋₁) / t, the bet xₜ = βₜ Wₜ₋₁, the point
    θₜ = θ₀ + xₜ, the coin cₜ = −f′(θₜ), the wealth Wₜ = Wₜ₋₁ + cₜ xₜ. The gradients must
    lie in [−1, 1] (a coin); ``descent.optimizers.COCOB`` removes that restriction.

    Args:
        function: a 1-D test function (``function.grad``), e.g. ``functions.absolute_value(10)``.
        start: θ₀; default ``function.start``.
        steps: the number of rounds T.
        initial_wealth: W₀ > 0, in units of θ: the first bets are a fraction of it.

    Returns:
        a ``Betting`` record with ``theta`` (shape (T,), θ₁..θ_T).
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if getattr(function, "dim", 1) != 1:
        raise ValueError(f"kt_descent needs a 1-D function, got dim={function.dim}")
    theta0 = float(np.ravel(function.start if start is None else start)[0])
    wealth = _validation.positive("initial_wealth", initial_wealth)
    record = _empty(steps, wealth)
    record.theta = np.empty(steps)
    total = 0.0
    for t in range(steps):
        beta = total / (t + 1)
        theta = theta0 + beta * wealth
        coin = -float(np.ravel(function.grad(np.array([theta])))[0])
        _check_coins(np.array([coin]), f"the gradient at θ = {theta:g} (a coin)")
        record.theta[t] = theta
        wealth = _play(record, t, beta, wealth, coin)
        total += coin
    return record


def _empty(rounds: int, initial_wealth: float) -> Betting:
    arrays = {k: np.empty(rounds) for k in ("fraction", "bet", "coin", "reward", "wealth")}
    return Betting(**arrays, initial_wealth=initial_wealth)


def _play(record: Betting, t: int, beta: float, wealth: float, coin: float) -> float:
    """Round t + 1: bet β · W on the coin, record it, return the new wealth."""
    x = beta * wealth
    record.fraction[t], record.bet[t], record.coin[t] = beta, x, coin
    record.reward[t] = coin * x
    record.wealth[t] = wealth + coin * x
    return record.wealth[t]


def _fraction_rule(fraction) -> Callable:
    if isinstance(fraction, str):
        if fraction != "kt":
            raise ValueError(f'fraction must be "kt", a number or a function, got {fraction!r}')
        return kt_fraction
    if callable(fraction):
        return fraction
    beta = _check_fraction(fraction, None)
    return lambda past: beta


def _check_fraction(beta, t) -> float:
    where = "" if t is None else f" in round {t}"
    if not _validation.is_real(beta) or not -1.0 <= beta <= 1.0:
        raise ValueError(
            f"the fraction{where} must be a number in [-1, 1] (betting more than the "
            f"wealth could make it negative), got {beta!r}"
        )
    return float(beta)


def _check_coins(coins: np.ndarray, what: str) -> None:
    if not np.all(np.isfinite(coins)) or np.any(np.abs(coins) > 1.0):
        bad = coins[~(np.isfinite(coins) & (np.abs(coins) <= 1.0))][0]
        raise ValueError(
            f"{what} must lie in [-1, 1], got {bad!r}; divide the gradients by a bound "
            "on their size (COCOB estimates it as it goes)"
        )


# --------------------------------------------------------------------------- COCOB helpers


@dataclass(repr=False)
class CocobTrace:
    """COCOB's state for one parameter after each of T updates (``cocob_trace``).

    COCOB's update read as a KT bet on the coins −g/L (the gradients in units of the
    largest one seen): θₜ₊₁ = θ₁ + β W with the fraction β = −S / max(G + L, α L) ∈ [−1, 1]
    and the wealth W = (L + R) / L = 1 + R/L, which starts at one unit of θ.

    Attributes (shape (T,) each; entry t−1 belongs to update t):
        theta: θₜ, where the gradient gₜ was taken (θ₁ is the start).
        g: gₜ.  L, G, R, S: the state after the update (largest |g|, sum of |g|, reward,
        sum of g).  fraction: β.  wealth: W.  theta_next: θₜ₊₁ = θ₁ + β W.
    """

    theta: np.ndarray
    g: np.ndarray
    L: np.ndarray
    G: np.ndarray
    R: np.ndarray
    S: np.ndarray
    theta_next: np.ndarray
    fraction: np.ndarray
    wealth: np.ndarray
    alpha: float

    def table(self) -> str:
        """One line per update, the columns of the algorithm box."""
        names = ("θ_t", "g_t", "L", "G", "R", "S", "β", "W", "θ_t+1")
        cols = (self.theta, self.g, self.L, self.G, self.R, self.S, self.fraction)
        cols += (self.wealth, self.theta_next)
        lines = [f"{'t':>2} " + " ".join(f"{n:>8}" for n in names)]
        for t in range(len(self.g)):
            lines.append(f"{t + 1:>2} " + " ".join(f"{c[t]:>8.4g}" for c in cols))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"CocobTrace(updates={len(self.g)}, alpha={self.alpha:g})"


def cocob_trace(gradients, start: float = 0.0, alpha: float = 100.0, eps: float = 1e-8):
    """Run ``descent.optimizers.COCOB`` on one scalar parameter and record its state.

    Args:
        gradients: a sequence of T gradients (a fixed stream, as from mini-batches), or a
            function θ ↦ f′(θ) together with ``steps`` given as ``(function, steps)``.
        start: θ₁.  alpha, eps: COCOB's hyperparameters.

    Returns:
        a ``CocobTrace`` (print ``trace.table()``).
    """
    from descent.optimizers import COCOB  # here: keeps this module's import light

    if isinstance(gradients, tuple) and len(gradients) == 2 and callable(gradients[0]):
        grad, steps = gradients
    else:
        stream = np.asarray(gradients, dtype=float).ravel()
        grad, steps = None, len(stream)
    opt = COCOB(alpha=alpha, eps=eps)
    theta = np.array([float(start)])
    rows = {k: np.empty(steps) for k in ("theta", "g", "L", "G", "R", "S", "theta_next")}
    for t in range(steps):
        g = float(np.ravel(grad(theta.copy()))[0]) if grad else stream[t]
        rows["theta"][t], rows["g"][t] = theta[0], g
        opt.update({"w": theta}, {"w": np.array([g])})
        state = opt.state["w"]
        for k in ("L", "G", "R", "S"):
            rows[k][t] = state[k][0]
        rows["theta_next"][t] = theta[0]
    wealth = 1.0 + rows["R"] / rows["L"]
    fraction = -rows["S"] / np.maximum(rows["G"] + rows["L"], opt.alpha * rows["L"])
    return CocobTrace(**rows, fraction=fraction, wealth=wealth, alpha=opt.alpha)


def cocob_effective_lr(state: dict, alpha: float = 100.0) -> np.ndarray:
    r"""COCOB's iterate written as dual averaging: θ = θ₁ − η S, with the learning rate

        η = (L + R) / (L · max(G + L, α L)),

    computed from the state of one parameter array (``optimizer.state[name]``, keys L, G,
    R, S, theta1). It is the wealth L + R times the betting fraction per unit of S. Where
    G + L < α L (the "α regime" of the first steps) it is (1 + R/L) / (α L).
    """
    missing = {"L", "G", "R"} - set(state)
    if missing:
        raise KeyError(f"state must be a COCOB state with L, G and R; missing {sorted(missing)}")
    alpha = _validation.positive("alpha", alpha)
    L, G, R = (np.asarray(state[k], dtype=float) for k in ("L", "G", "R"))
    return (L + R) / (L * np.maximum(G + L, alpha * L))


class IterateAverage:
    """An optimizer that also keeps the average of its iterates.

    ``IterateAverage(optimizer, every=k)`` makes the same updates as ``optimizer`` (it
    calls its ``update``) and keeps, per parameter array, the mean of the iterates
    θ₁, …, θₜ at which the gradients were taken: ``average[name]``. Every ``every``
    updates (if given) it stores a copy of that mean in ``snapshots``, e.g. once per
    epoch. The regret bound of a betting optimizer is about this average, not about
    the last iterate. Every other attribute (``state``, ``t``, ``state_dict``, ...) is
    the wrapped optimizer's.
    """

    def __init__(self, optimizer, every: int | None = None):
        if every is not None and (isinstance(every, bool) or int(every) != every or every < 1):
            raise ValueError(f"every must be an integer >= 1 or None, got {every!r}")
        self.optimizer = optimizer
        self.every = None if every is None else int(every)
        self.count = 0
        self.average: dict = {}
        self.snapshots: list[dict] = []

    def update(self, params: dict, grads: dict) -> None:
        before = {key: np.array(theta, dtype=float) for key, theta in params.items()}
        self.optimizer.update(params, grads)  # checks its input first, may raise
        self.count += 1
        for key, theta in before.items():  # the running mean of θ₁, …, θₜ
            if key not in self.average:
                self.average[key] = theta
            else:
                self.average[key] += (theta - self.average[key]) / self.count
        if self.every is not None and self.count % self.every == 0:
            self.snapshots.append({k: a.copy() for k, a in self.average.items()})

    def __getattr__(self, name):
        return getattr(self.optimizer, name)

    def __repr__(self) -> str:
        return f"IterateAverage({self.optimizer!r}, every={self.every})"
