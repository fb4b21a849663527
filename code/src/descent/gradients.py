r"""Numerical gradients, and checking an analytic gradient against them.

A finite difference estimates one partial derivative from two values of f. With eᵢ the i-th
unit vector and h a small step:

* centered:  ∂f/∂xᵢ ≈ (f(x + h eᵢ) − f(x − h eᵢ)) / 2h,  truncation error O(h²);
* forward:   ∂f/∂xᵢ ≈ (f(x + h eᵢ) − f(x)) / h,         truncation error O(h).

Rounding adds an error of about ε_mach·|f| / h, so h cannot be made arbitrarily small:
in float64 (ε_mach ≈ 2.2e-16) h = 1e-5 balances the two for the centered formula (the
forward one would want h ≈ 1e-8). In float32 (ε_mach ≈ 1.2e-7) no h gets a relative error
near 1e-7: check gradients in float64.

An analytic gradient a is compared with the numerical one b by their relative error
(``relative_error``) and the ladder of the CS231n notes
(https://cs231n.github.io/neural-networks-3/#gradcheck), see ``LADDER``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from descent import _validation

__all__ = [
    "LADDER",
    "GradientCheckReport",
    "gradient_check",
    "largest_curvature",
    "numerical_gradient",
    "relative_error",
    "verdict",
]

#: The verdict ladder: the first label whose bound is ≥ the relative error applies.
LADDER = (
    (1e-7, "good"),
    (1e-4, "fine only with kinks"),  # acceptable if f has kinks (ReLU, max), else a bug
    (1e-2, "suspicious"),
    (math.inf, "wrong"),
)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x, h: float = 1e-5, method: str = "centered"
) -> np.ndarray:
    """The finite-difference gradient of a scalar function ``f`` at ``x``.

    Args:
        f: called as ``f(x)``, returns one number. It may ignore its argument and read ``x``
            through a closure (as a network's loss reads its parameters): the entries of
            ``x`` itself are perturbed.
        x: a float array of any shape. Each entry is changed in place, one at a time, to
            x ± h, and restored afterwards, even if ``f`` raises. A list or a number is
            first converted to a new float64 array, a read-only array is copied.
        h: the step, > 0.
        method: ``"centered"`` (error O(h²), two calls of f per entry) or ``"forward"``
            (error O(h), one call per entry plus one).

    Returns:
        An array of the shape of ``x`` holding ∂f/∂xᵢ at every entry i.

    Raises:
        TypeError: for an integer (or bool) array, which cannot hold x + h.
    """
    x = _perturbable(x)
    h = _validation.positive("h", h)
    if method not in ("centered", "forward"):
        raise ValueError(f"method must be 'centered' or 'forward', got {method!r}")
    fx = _scalar(f(x)) if method == "forward" else None

    grad = np.zeros(x.shape, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        grad[i] = _partial(f, x, i, h, method, fx)
    return grad


def _partial(f, x, i, h, method, fx=None) -> float:
    """∂f/∂xᵢ by one finite difference; ``x[i]`` is restored whatever happens."""
    original = x[i]
    try:
        x[i] = original + h
        f_plus = _scalar(f(x))
        if method == "forward":
            return (f_plus - fx) / h
        x[i] = original - h
        f_minus = _scalar(f(x))
        return (f_plus - f_minus) / (2 * h)
    finally:
        x[i] = original


def _perturbable(x) -> np.ndarray:
    """``x`` itself if it is a writable float array, else a float copy we may perturb."""
    if not isinstance(x, np.ndarray):
        return np.array(x, dtype=np.float64)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x has dtype {x.dtype}, which cannot hold x ± h (an integer array would round "
            "the step away): convert it first with x = x.astype(np.float64)"
        )
    return x if x.flags.writeable else x.copy()


def _scalar(value) -> float:
    value = np.asarray(value)
    if value.size != 1:
        raise ValueError(f"f must return a single number, got an array of shape {value.shape}")
    return float(value.reshape(()))


def _relative_errors(a, b, scale: str = "entry", whole=None) -> np.ndarray:
    """Entry-wise |aᵢ − bᵢ| / denominator (see ``relative_error``); NaN where either is NaN.

    ``whole``: for ``scale="array"`` when a and b are samples of a larger array, that array,
    whose largest entry then also counts in the denominator.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    if scale not in ("entry", "array"):
        raise ValueError(f"scale must be 'entry' or 'array', got {scale!r}")
    with np.errstate(invalid="ignore"):  # inf − inf: NaN is the answer we want
        size = np.maximum(np.abs(a), np.abs(b))
        if scale == "array":
            extra = np.abs(np.asarray(whole, dtype=float)) if whole is not None else size
            size = max(np.max(size, initial=0.0), np.max(extra, initial=0.0))
        return np.abs(a - b) / np.maximum(size, 1e-300)


def relative_error(a, b, scale: str = "entry") -> float:
    """The relative error of two arrays (or numbers): the number the verdict ladder reads.

    * ``scale="entry"`` (CS231n's definition): max over entries of
      |aᵢ − bᵢ| / max(|aᵢ|, |bᵢ|), counting 0 where both are 0. Every entry is judged against
      its own size. An entry whose true value is tiny is therefore judged against the
      round-off noise of the finite difference (about ε_mach·|f|/h ≈ 1e-11 for h = 1e-5),
      and a correct gradient can look "suspicious" because of one entry of 1e-7.
    * ``scale="array"``: max over entries of |aᵢ − bᵢ|, divided by the largest |aᵢ|, |bᵢ| of
      the whole array (the relative error in the max norm). Every discrepancy is judged
      against the size of the gradient as a whole, so tiny entries cannot cause false alarms.

    A NaN or inf anywhere gives NaN, which ``verdict`` reads as "wrong".
    """
    errors = _relative_errors(a, b, scale)
    return float(np.max(errors)) if errors.size else 0.0


def verdict(rel_err: float) -> str:
    """Read a relative error on the ladder: "good" (≤ 1e-7), "fine only with kinks"
    (≤ 1e-4), "suspicious" (≤ 1e-2) or "wrong" (> 1e-2, or not a number)."""
    rel_err = float(rel_err)
    if rel_err < 0:
        raise ValueError(f"a relative error is >= 0, got {rel_err}")
    for bound, label in LADDER:
        if rel_err <= bound:
            return label
    return "wrong"  # NaN compares false with every bound


@dataclass
class GradientCheckReport:
    """What ``gradient_check`` found, one row per parameter array.

    Attributes:
        rows: name -> (max relative error, verdict).
        checked: name -> how many entries were compared.
        worst_entry: name -> index of the entry with the largest error.
        h: the finite-difference step used.
        kinks: whether "fine only with kinks" counts as passing.
        scale: how the relative errors were measured, "array" or "entry" (see
            ``relative_error``).
    """

    rows: dict[str, tuple[float, str]]
    checked: dict[str, int] = field(default_factory=dict)
    worst_entry: dict[str, tuple] = field(default_factory=dict)
    h: float = 1e-5
    kinks: bool = False
    scale: str = "array"

    @property
    def worst(self) -> float:
        """The largest relative error over all parameters (NaN if any was NaN)."""
        errors = [err for err, _ in self.rows.values()]
        if any(math.isnan(err) for err in errors):
            return math.nan
        return max(errors, default=0.0)

    @property
    def verdict(self) -> str:
        return verdict(self.worst)

    @property
    def passed(self) -> bool:
        """True if every error is "good" (≤ 1e-7), or ≤ 1e-4 when ``kinks=True``."""
        return self.worst <= (1e-4 if self.kinks else 1e-7)  # False for NaN

    def _summary(self) -> str:
        if self.passed:
            return f"passed: worst relative error {self.worst:.1e} ({self.verdict})"
        name = max(self.rows, key=lambda k: _nan_is_large(self.rows[k][0]))
        where = f"{name}[{', '.join(str(i) for i in self.worst_entry.get(name, ()))}]"
        return f"FAILED: worst relative error {self.worst:.1e} ({self.verdict}) at {where}"

    def __repr__(self) -> str:
        width = max([len("parameter"), *map(len, self.rows)])
        lines = [
            f"gradient check (centered differences, h = {self.h:g}, {self.scale}-wise "
            "relative errors)",
            f"  {'parameter':<{width}}  {'entries':>7}  {'max rel. error':>14}  verdict",
        ]
        for name, (err, label) in self.rows.items():
            n = self.checked.get(name, "")
            lines.append(f"  {name:<{width}}  {n:>7}  {err:>14.1e}  {label}")
        lines.append(self._summary())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        # Translucent tints of the verdict's colour, over whatever the page's background
        # is: legible with the text colour of a light page and of a dark one alike.
        colour = {
            "good": "rgba(0, 158, 115, 0.18)",
            "fine only with kinks": "rgba(240, 228, 66, 0.25)",
            "suspicious": "rgba(230, 159, 0, 0.22)",
            "wrong": "rgba(213, 94, 0, 0.22)",
        }
        body = "".join(
            f"<tr style='background:{colour[label]}'><td><code style='color:inherit;"
            f"background:none'>{html.escape(name)}</code></td>"
            f"<td style='text-align:right'>{self.checked.get(name, '')}</td>"
            f"<td style='text-align:right'>{err:.1e}</td><td>{label}</td></tr>"
            for name, (err, label) in self.rows.items()
        )
        return (
            "<table><caption style='caption-side:bottom'>"
            f"{html.escape(self._summary())} (centered differences, h = {self.h:g}, "
            f"{self.scale}-wise relative errors)</caption>"
            "<thead><tr><th>parameter</th><th>entries</th><th>max relative error</th>"
            f"<th>verdict</th></tr></thead><tbody>{body}</tbody></table>"
        )


def _nan_is_large(err: float) -> float:
    return math.inf if math.isnan(err) else err


def gradient_check(
    f: Callable[[], float],
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    h: float = 1e-5,
    samples: int | None = None,
    seed: int = 0,
    kinks: bool = False,
    scale: str = "array",
) -> GradientCheckReport:
    """Compare analytic gradients with centered finite differences, parameter by parameter.

    Args:
        f: the loss, called with no argument; it must read the current values of the arrays
            in ``params`` (e.g. ``lambda: model.loss(x, t)``).
        params: name -> float array. Entries are perturbed in place and restored.
        grads: name -> the analytic gradient to check, same shapes as ``params``.
        h: the finite-difference step.
        samples: if given, check only this many random entries of each array (cost O(k)
            instead of O(d) loss evaluations per array); ``None`` checks every entry.
        seed: seeds the choice of sampled entries.
        kinks: if True, errors up to 1e-4 ("fine only with kinks") still pass, as they may
            when the loss has kinks (ReLU) near the checked point.
        scale: ``"array"`` (default) measures each parameter's discrepancies against the
            largest entry of its gradient; ``"entry"`` against each entry's own size, as in
            CS231n. See ``relative_error``: on real data a network's gradient has entries of
            1e-7 and smaller (inputs that are almost always 0, cancellations over the batch),
            which the entry-wise error, blind to round-off, would call "suspicious".

    Returns:
        A ``GradientCheckReport``: ``rows`` (name -> (max relative error, verdict)),
        ``worst``, ``passed``; it prints as a table (text, or HTML in a notebook).
    """
    _check_params_and_grads(params, grads)
    h = _validation.positive("h", h)
    if scale not in ("entry", "array"):
        raise ValueError(f"scale must be 'entry' or 'array', got {scale!r}")
    if samples is not None and (not isinstance(samples, (int, np.integer)) or samples < 1):
        raise ValueError(f"samples must be a positive integer or None, got {samples!r}")
    rng = np.random.default_rng(seed)

    def loss(_):
        return f()

    rows, checked, worst_entry = {}, {}, {}
    for name, theta in params.items():
        if samples is None:
            indices = list(np.ndindex(theta.shape))
        else:
            flat = np.sort(rng.choice(theta.size, size=min(samples, theta.size), replace=False))
            indices = [tuple(int(k) for k in np.unravel_index(j, theta.shape)) for j in flat]
        analytic = np.array([grads[name][i] for i in indices], dtype=float)
        numeric = np.array([_partial(loss, theta, i, h, "centered") for i in indices])
        # with samples, the array scale is still that of the whole analytic gradient
        errors = _relative_errors(analytic, numeric, scale, whole=grads[name])
        err = float(np.max(errors)) if errors.size else 0.0
        rows[name] = (err, verdict(err))
        checked[name] = len(indices)
        if indices:  # where the largest error is (NaN counts as largest)
            worst_entry[name] = indices[int(np.argmax(np.nan_to_num(errors, nan=np.inf)))]
    return GradientCheckReport(rows, checked, worst_entry, h=h, kinks=kinks, scale=scale)


def largest_curvature(
    grad: Callable[[], Mapping[str, np.ndarray]],
    params: Mapping[str, np.ndarray],
    iterations: int = 30,
    h: float = 1e-4,
    seed: int = 0,
) -> float:
    """The Hessian eigenvalue of largest size, by power iteration on gradients only.

    A Hessian-vector product needs no Hessian: for a unit vector v (a dict like ``params``),

        H v ≈ (∇f(θ + h v) − ∇f(θ − h v)) / 2h.

    Power iteration replaces v by H v / ‖H v‖, ``iterations`` times, from a random v, and
    returns the curvature along the last v, vᵀ H v. Near a minimum, where H has no negative
    eigenvalue, this is the largest curvature λ₁ that bounds a stable learning rate,
    η < 2/λ₁. Each iteration costs two gradients.

    Args:
        grad: called with no argument, returns the gradient (name -> array) at the current
            contents of the arrays in ``params`` (e.g. ``lambda: model.gradient(x, t)``).
        params: name -> float array. They are moved in place and restored exactly.
        iterations: the number of power iterations (≥ 1).
        h: the finite-difference step along the unit vector v.
        seed: seeds the random start vector.
    """
    h = _validation.positive("h", h)
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)):
        raise ValueError(f"iterations must be an integer >= 1, got {iterations!r}")
    if iterations < 1:
        raise ValueError(f"iterations must be an integer >= 1, got {iterations!r}")
    _check_params_and_grads(params, params)
    rng = np.random.default_rng(seed)
    saved = {name: theta.copy() for name, theta in params.items()}
    v = {name: rng.normal(size=theta.shape) for name, theta in params.items()}
    curvature = 0.0
    try:
        for _ in range(iterations):
            norm = math.sqrt(sum(float(np.sum(a * a)) for a in v.values()))
            v = {name: a / norm for name, a in v.items()}
            for name, theta in params.items():
                theta[...] = saved[name] + h * v[name]
            ahead = {name: np.array(a, dtype=float) for name, a in grad().items()}
            for name, theta in params.items():
                theta[...] = saved[name] - h * v[name]
            behind = grad()
            hv = {name: (ahead[name] - behind[name]) / (2 * h) for name in params}
            curvature = sum(float(np.sum(hv[name] * v[name])) for name in params)
            v = hv
    finally:
        for name, theta in params.items():
            theta[...] = saved[name]
    return curvature


def _check_params_and_grads(params, grads) -> None:
    if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
        raise TypeError("params and grads must be dicts mapping names to numpy arrays")
    if set(params) != set(grads):
        raise KeyError(
            f"params and grads must have the same keys, got {sorted(params)} and {sorted(grads)}"
        )
    for name, theta in params.items():
        if not isinstance(theta, np.ndarray) or not np.issubdtype(theta.dtype, np.floating):
            raise TypeError(
                f"parameter {name!r} must be a float numpy array (it is perturbed in place), "
                f"got {type(theta).__name__} {getattr(theta, 'dtype', '')}; "
                "use params[name] = np.asarray(params[name], dtype=np.float64)"
            )
        if not theta.flags.writeable:
            raise ValueError(f"parameter {name!r} is read-only; it must be perturbed in place")
        if np.shape(grads[name]) != theta.shape:
            raise ValueError(
                f"gradient {name!r} has shape {np.shape(grads[name])} but the parameter has "
                f"shape {theta.shape}"
            )
