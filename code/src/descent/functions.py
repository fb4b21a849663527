r"""Test problems for optimizers: small functions whose landscape we know exactly.

Every problem is an object ``f`` with

* ``f(x)``         the value; ``x`` has shape ``(dim, ...)``: the first axis indexes the
  coordinates, any further axes are a batch or a grid of points, so
  ``f(np.stack([X, Y]))`` evaluates a whole meshgrid at once and returns shape ``X.shape``;
* ``f.grad(x)``    the analytic gradient ∇f, same shape as ``x``;
* ``f.hessian(x)`` the analytic Hessian H, shape ``(dim, dim)`` for one point ``x`` of shape
  ``(dim,)`` (``(dim, dim, ...)`` for a grid);

and the facts a chapter needs to draw it and to judge an optimizer on it:

* ``name``, ``formula`` (LaTeX), ``dim`` (1 or 2; ``quadratic`` builds any dimension);
* ``minima``        the global minimizers, a list of arrays of shape ``(dim,)``;
* ``f_min``         the minimum value (``None`` if the function is unbounded below);
* ``saddle_points`` a list of arrays of shape ``(dim,)``;
* ``window``        the plotting window ``((x_min, x_max), (y_min, y_max))``, or
  ``(x_min, x_max)`` in 1-D;
* ``levels``        fixed contour levels, so the same function looks the same in every chapter;
* ``start``         the default starting point, shape ``(dim,)``.

The arrays ``minima``, ``saddle_points`` and ``start`` are read-only: copy before you update,
``theta = f.start.copy()``.

Instances: ``bowl``, ``narrow_valley``, ``rosenbrock``, ``beale``, ``saddle``, ``himmelblau``,
``sinc10``; build more quadratics with ``quadratic(A, b)``. ``ALL`` maps names to instances.
Beside them: ``tilted_double_well``, ``plateau``, ``cliff`` and ``absolute_value(center)``
(f(θ) = |θ − center| in 1-D, the problem of Chapter 13's coin betting).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "ALL",
    "Quadratic",
    "TestFunction",
    "beale",
    "bowl",
    "himmelblau",
    "narrow_valley",
    "quadratic",
    "rosenbrock",
    "saddle",
    "sinc10",
]


class TestFunction:
    """Base class: the metadata of a test problem, and the shape checks its methods share.

    Subclasses implement ``__call__(x)``, ``grad(x)`` and ``hessian(x)``.
    """

    __test__ = False  # tell pytest this is not a test class, whatever its name

    def __init__(
        self,
        *,
        name: str,
        formula: str,
        dim: int,
        minima,
        f_min: float | None,
        window,
        start,
        levels=None,
        saddle_points=(),
    ):
        self.name = name
        self.formula = formula
        self.dim = dim
        self.minima = [_frozen(p) for p in minima]
        self.f_min = None if f_min is None else float(f_min)
        self.saddle_points = [_frozen(p) for p in saddle_points]
        self.window = window
        self.levels = None if levels is None else _frozen(levels)
        self.start = _frozen(start)

    def __call__(self, x):
        raise NotImplementedError

    def grad(self, x):
        raise NotImplementedError

    def hessian(self, x):
        raise NotImplementedError

    def _coords(self, x) -> np.ndarray:
        """``x`` as a float array of shape ``(dim, ...)``; unpack it as ``x, y = ...``."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 0 or x.shape[0] != self.dim:
            raise ValueError(
                f"{self.name} takes points of shape ({self.dim}, ...), got shape {x.shape}: "
                "the first axis indexes the coordinates; for a grid use np.stack([X, Y]) "
                "(2-D) or xs[np.newaxis] (1-D)"
            )
        return x

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: ${self.formula}$>"


def _frozen(values) -> np.ndarray:
    """A read-only float copy, so that a shared constant cannot be updated by accident."""
    array = np.array(values, dtype=float)
    array.flags.writeable = False
    return array


def _matrix(rows, shape) -> np.ndarray:
    """Stack a d × d nested list of scalars or arrays into an array of shape ``(d, d, *shape)``."""
    d = len(rows)
    entries = [np.broadcast_to(np.asarray(e, dtype=float), shape) for row in rows for e in row]
    return np.stack(entries).reshape(d, d, *shape)


def _vector(dx, dy) -> np.ndarray:
    """The two components of a 2-D gradient as one array: shape (2,) at a single point,
    (2, ...) on a grid. At a point they are scalars, and ``np.array`` stacks them many times
    faster than ``np.stack``, which matters in a loop of thousands of steps."""
    if isinstance(dx, np.ndarray) or isinstance(dy, np.ndarray):
        return np.stack(np.broadcast_arrays(dx, dy))
    return np.array((dx, dy), dtype=float)


# --------------------------------------------------------------------------- quadratics


class Quadratic(TestFunction):
    r"""f(θ) = ½ θᵀAθ − bᵀθ, for a symmetric positive (semi)definite matrix A.

    ∇f(θ) = Aθ − b and H = A, so gradient descent on it is a linear map and everything about
    its convergence is decided by the eigenvalues λ of A: ``eigenvalues`` (ascending) and
    ``condition_number`` κ = λ_max / λ_min. If A is positive definite the unique minimizer is
    θ* = A⁻¹b with f_min = −½ bᵀA⁻¹b; if A is singular ``minima`` is empty and ``f_min`` is the
    infimum (``None`` when f is unbounded below).
    """

    def __init__(
        self,
        A,
        b=None,
        *,
        name="quadratic",
        formula=None,
        window=None,
        levels=None,
        start=None,
    ):
        A = np.array(A, dtype=float)
        if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
            raise ValueError(f"A must be a square matrix, got shape {A.shape}")
        if not np.allclose(A, A.T):
            raise ValueError("A must be symmetric; use (A + A.T) / 2, the same quadratic form")
        n = A.shape[0]
        b = np.zeros(n) if b is None else np.array(b, dtype=float)
        if b.shape != (n,):
            raise ValueError(f"b must have shape ({n},) to match A, got {b.shape}")
        eigenvalues = np.linalg.eigvalsh(A)
        if eigenvalues[0] < -1e-12 * max(1.0, abs(eigenvalues[-1])):
            raise ValueError(
                f"A must be positive semidefinite, but it has eigenvalue {eigenvalues[0]:.3g}; "
                "f would have no minimum"
            )
        self.A, self.b, self.eigenvalues = _frozen(A), _frozen(b), _frozen(eigenvalues)

        if eigenvalues[0] > 0:
            theta_star = np.linalg.solve(A, b)
            minima, f_min = [theta_star], -0.5 * b @ theta_star
        else:  # singular: a valley of minimizers if b lies in the range of A, else no minimum
            theta_star = np.linalg.lstsq(A, b, rcond=None)[0]
            consistent = np.allclose(A @ theta_star, b)
            minima, f_min = [], (-0.5 * b @ theta_star if consistent else None)

        if window is None and n == 2:
            window = tuple((float(c) - 5.0, float(c) + 5.0) for c in theta_star)
        if levels is None and n == 2:
            # ellipses equally spaced in "radius": f − f_min = r² for r = 0.5, 1, 1.5, ...
            levels = (0.0 if f_min is None else f_min) + (0.5 * np.arange(1, 11)) ** 2
        if start is None:
            start = theta_star + np.resize([-4.0, 3.0], n)
        if formula is None:
            formula = r"f(\theta) = \tfrac{1}{2}\,\theta^\top A\,\theta - b^\top \theta"
        super().__init__(
            name=name,
            formula=formula,
            dim=n,
            minima=minima,
            f_min=f_min,
            window=window,
            levels=levels,
            start=start,
        )

    @property
    def condition_number(self) -> float:
        """κ = λ_max / λ_min (infinite when A is singular)."""
        lam_min, lam_max = self.eigenvalues[0], self.eigenvalues[-1]
        return float(lam_max / lam_min) if lam_min > 0 else float("inf")

    def __call__(self, x):
        x = self._coords(x)
        return 0.5 * np.einsum("i...,ij,j...->...", x, self.A, x) - np.einsum(
            "i,i...->...", self.b, x
        )

    def grad(self, x):
        x = self._coords(x)
        b = self.b.reshape(self.dim, *([1] * (x.ndim - 1)))
        return np.einsum("ij,j...->i...", self.A, x) - b

    def hessian(self, x):
        x = self._coords(x)
        A = self.A.reshape(self.dim, self.dim, *([1] * (x.ndim - 1)))
        return np.broadcast_to(A, (self.dim, self.dim, *x.shape[1:])).copy()


def quadratic(A, b=None, *, name="quadratic", **kwargs) -> Quadratic:
    """Build f(θ) = ½ θᵀAθ − bᵀθ; see ``Quadratic`` (keywords: formula, window, levels, start).

    >>> f = quadratic([[1.0, 0.0], [0.0, 10.0]], b=[1.0, 0.0], name="kappa10")
    >>> f.condition_number, f.minima[0]
    (10.0, array([1., 0.]))
    """
    return Quadratic(A, b, name=name, **kwargs)


bowl = quadratic(
    np.diag([0.1, 2.0]),
    name="bowl",
    formula=r"f(x, y) = \frac{x^2}{20} + y^2",
    window=((-10.0, 10.0), (-5.0, 5.0)),
    start=(-7.0, 2.0),
)
bowl.__doc__ = "The anisotropic bowl x²/20 + y² (κ = 20): gradient descent zig-zags across y."

narrow_valley = quadratic(
    np.diag([0.2, 4.0]),
    name="narrow_valley",
    formula=r"f(x_1, x_2) = 0.1\,x_1^2 + 2\,x_2^2",
    window=((-6.0, 6.0), (-3.0, 3.0)),
    start=(-5.0, -2.0),
)
narrow_valley.__doc__ = "The valley 0.1x₁² + 2x₂² (κ = 20), the classic momentum example."


# --------------------------------------------------------------------------- 2-D classics


class Rosenbrock(TestFunction):
    r"""Rosenbrock's banana: f(x, y) = (1 − x)² + 100 (y − x²)².

    A curved, flat-bottomed valley along y = x²; the minimum (1, 1) is easy to find and slow to
    reach. Rosenbrock (1960), "An automatic method for finding the greatest or least value of
    a function", The Computer Journal 3(3).
    """

    def __init__(self):
        super().__init__(
            name="rosenbrock",
            formula=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            dim=2,
            minima=[(1.0, 1.0)],
            f_min=0.0,
            window=((-2.0, 2.0), (-1.0, 3.0)),
            levels=np.logspace(-1, 3, 17),
            start=(-1.5, 2.0),
        )

    def __call__(self, x):
        x, y = self._coords(x)
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    def grad(self, x):
        x, y = self._coords(x)
        return _vector(-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2))

    def hessian(self, x):
        x, y = self._coords(x)
        return _matrix([[2 - 400 * y + 1200 * x**2, -400 * x], [-400 * x, 200]], x.shape)


class Beale(TestFunction):
    r"""Beale's function: f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)².

    Flat plateaus and steep walls: gradients span many orders of magnitude, which is where
    per-coordinate step sizes (AdaGrad, RMSProp, Adam) earn their keep. Minimum at (3, 0.5),
    saddles at (0, 1) and near (0.1005, −2.6445).
    """

    def __init__(self):
        super().__init__(
            name="beale",
            formula=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            dim=2,
            minima=[(3.0, 0.5)],
            f_min=0.0,
            saddle_points=[(0.0, 1.0), (0.10053793732415833, -2.6445135850231254)],
            window=((-4.5, 4.5), (-4.5, 4.5)),
            levels=np.logspace(-1, 5, 25),
            start=(1.0, 1.5),
        )

    # f = u₁² + u₂² + u₃² with u_k = c_k − x + x y^k, so ∂f/∂x = Σ 2u_k (y^k − 1) and
    # ∂f/∂y = Σ 2u_k · k x y^(k−1).
    _c = (1.5, 2.25, 2.625)

    def __call__(self, x):
        x, y = self._coords(x)
        return sum((c - x + x * y**k) ** 2 for k, c in enumerate(self._c, start=1))

    def grad(self, x):
        x, y = self._coords(x)
        dx, dy = 0.0, 0.0
        for k, c in enumerate(self._c, start=1):
            u = c - x + x * y**k
            dx = dx + 2 * u * (y**k - 1)
            dy = dy + 2 * u * k * x * y ** (k - 1)
        return _vector(dx, dy)

    def hessian(self, x):
        x, y = self._coords(x)
        # ∂²f = Σ 2 (∂u ∂uᵀ + u ∂²u), with ∂u = (y^k − 1, k x y^(k−1)) and
        # ∂²u/∂x² = 0, ∂²u/∂x∂y = k y^(k−1), ∂²u/∂y² = k (k−1) x y^(k−2).
        hxx, hxy, hyy = 0.0, 0.0, 0.0
        for k, c in enumerate(self._c, start=1):
            u = c - x + x * y**k
            ux, uy = y**k - 1, k * x * y ** (k - 1)
            uxy = k * y ** (k - 1)
            uyy = k * (k - 1) * x * y ** max(k - 2, 0)
            hxx = hxx + 2 * ux * ux
            hxy = hxy + 2 * (ux * uy + u * uxy)
            hyy = hyy + 2 * (uy * uy + u * uyy)
        return _matrix([[hxx, hxy], [hxy, hyy]], x.shape)


class Saddle(TestFunction):
    r"""The saddle f(x, y) = x² − y²: a stationary point at 0 that is not a minimum.

    Started exactly on the x-axis, gradient descent converges to the saddle; a tiny offset in y
    grows geometrically and the iterate escapes. Unbounded below, so there is no minimum.
    """

    def __init__(self):
        super().__init__(
            name="saddle",
            formula=r"f(x, y) = x^2 - y^2",
            dim=2,
            minima=[],
            f_min=None,
            saddle_points=[(0.0, 0.0)],
            window=((-2.0, 2.0), (-2.0, 2.0)),
            levels=np.linspace(-3.5, 3.5, 15),
            start=(-1.5, 1e-3),
        )

    def __call__(self, x):
        x, y = self._coords(x)
        return x**2 - y**2

    def grad(self, x):
        x, y = self._coords(x)
        return _vector(2 * x, -2 * y)

    def hessian(self, x):
        x = self._coords(x)
        return _matrix([[2.0, 0.0], [0.0, -2.0]], x.shape[1:])


class Himmelblau(TestFunction):
    r"""Himmelblau's function: f(x, y) = (x² + y − 11)² + (x + y² − 7)².

    Four global minima with f = 0, one local maximum near (−0.2708, −0.9230) and four saddles:
    which minimum an optimizer reaches depends on where it starts and on its momentum.
    Himmelblau (1972), Applied Nonlinear Programming, McGraw-Hill.
    """

    def __init__(self):
        super().__init__(
            name="himmelblau",
            formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            dim=2,
            minima=[
                (3.0, 2.0),
                (-2.805118086952745, 3.131312518250573),
                (-3.779310253377747, -3.2831859912861696),
                (3.5844283403304917, -1.8481265269644034),
            ],
            f_min=0.0,
            saddle_points=[
                (0.08667750455539636, 2.884254701174776),
                (3.385154183607021, 0.0738518798377493),
                (-0.12796134673068008, -1.9537149802445766),
                (-3.0730257507643897, -0.08135304428796751),
            ],
            window=((-5.0, 5.0), (-5.0, 5.0)),
            levels=np.logspace(-1, 3, 17),
            start=(0.0, 0.0),
        )

    def __call__(self, x):
        x, y = self._coords(x)
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def grad(self, x):
        x, y = self._coords(x)
        a, b = x**2 + y - 11, x + y**2 - 7
        return _vector(4 * x * a + 2 * b, 2 * a + 4 * y * b)

    def hessian(self, x):
        x, y = self._coords(x)
        return _matrix(
            [
                [12 * x**2 + 4 * y - 42, 4 * (x + y)],
                [4 * (x + y), 12 * y**2 + 4 * x - 26],
            ],
            x.shape,
        )


# --------------------------------------------------------------------------- 1-D

_X_SINC_MIN = 4.493409457909064  # the first positive root of tan x = x


class Sinc10(TestFunction):
    r"""The 1-D function f(x) = 10 sin(x) / x, with f(0) = 10 (unnormalised sinc).

    Oscillating wells: global minima at x = ±4.4934 (the first roots of tan x = x, where
    f = 10 cos x = −2.1723), local maxima further out, and shallower local minima beyond
    them. Points have shape ``(1, ...)``: evaluate a grid ``xs`` with ``sinc10(xs[None])``.

    Near x = 0 the closed forms divide two small numbers (0/0 at x = 0 itself), so for
    |x| < 0.1 we use the Taylor series of sin(x)/x and of its derivatives instead; there
    the first omitted term is below 1e-15 relative to the result.
    """

    def __init__(self):
        super().__init__(
            name="sinc10",
            formula=r"f(x) = 10\,\frac{\sin x}{x}",
            dim=1,
            minima=[(-_X_SINC_MIN,), (_X_SINC_MIN,)],
            f_min=10 * np.sin(_X_SINC_MIN) / _X_SINC_MIN,
            window=(-12.0, 12.0),
            start=(2.0,),
        )

    _SMALL = 0.1  # below this |x|, use the Taylor series

    def _split(self, x):
        (x,) = self._coords(x)
        small = np.abs(x) < self._SMALL
        safe = np.where(small, 1.0, x)  # never divide by a small x in the closed form
        return x, small, safe

    def __call__(self, x):
        x, small, safe = self._split(x)
        # sin(x)/x = 1 − x²/6 + x⁴/120 − x⁶/5040 + x⁸/362880 − ...
        series = 1 - x**2 / 6 + x**4 / 120 - x**6 / 5040 + x**8 / 362880
        return 10 * np.where(small, series, np.sin(safe) / safe)

    def grad(self, x):
        x, small, safe = self._split(x)
        # d/dx sin(x)/x = (x cos x − sin x) / x²
        #               = −x/3 + x³/30 − x⁵/840 + x⁷/45360 − x⁹/3991680 + ...
        series = -x / 3 + x**3 / 30 - x**5 / 840 + x**7 / 45360 - x**9 / 3991680
        closed = (safe * np.cos(safe) - np.sin(safe)) / safe**2
        return 10 * np.where(small, series, closed)[np.newaxis]

    def hessian(self, x):
        x, small, safe = self._split(x)
        # d²/dx² sin(x)/x = ((2 − x²) sin x − 2x cos x) / x³
        #                 = −1/3 + x²/10 − x⁴/168 + x⁶/6480 − x⁸/443520 + ...
        series = -1 / 3 + x**2 / 10 - x**4 / 168 + x**6 / 6480 - x**8 / 443520
        closed = ((2 - safe**2) * np.sin(safe) - 2 * safe * np.cos(safe)) / safe**3
        return 10 * np.where(small, series, closed)[np.newaxis, np.newaxis]


rosenbrock = Rosenbrock()
beale = Beale()
saddle = Saddle()
himmelblau = Himmelblau()
sinc10 = Sinc10()

ALL: dict[str, TestFunction] = {
    f.name: f for f in (bowl, narrow_valley, rosenbrock, beale, saddle, himmelblau, sinc10)
}


# --------------------------------------------------------------------------- Chapter 6

_X_WELL = (-1.47299760111403, 0.1260001925862561, 1.346997408527774)  # roots of 4x³ − 8x + 1


class TiltedDoubleWell(TestFunction):
    r"""The 1-D tilted double well f(x) = x⁴ − 4x² + x.

    Two wells separated by a low barrier: the global minimum at x = −1.4730 (f = −5.4442),
    a shallower local minimum at x = 1.3470 (f = −2.6186) and, between them, a local maximum
    at x = 0.1260 (f = 0.0627); the three are the roots of f'(x) = 4x³ − 8x + 1. From the
    default start x = 2.5 (f = 16.56), on the steep outer wall of the shallow well, gradient
    descent with a small step settles in the shallow well; momentum gathers speed on the way
    down and can carry it over the barrier (Chapter 6). Points have shape ``(1, ...)``.

    Attributes (besides those of every test function):
        local_minima: the minimizers that are not global, ``[array([1.347])]``.
        local_maxima: ``[array([0.126])]``, the top of the barrier.
    """

    def __init__(self):
        super().__init__(
            name="tilted_double_well",
            formula=r"f(x) = x^4 - 4x^2 + x",
            dim=1,
            minima=[(_X_WELL[0],)],
            f_min=_X_WELL[0] ** 4 - 4 * _X_WELL[0] ** 2 + _X_WELL[0],
            window=(-2.2, 2.6),
            start=(2.5,),
        )
        self.local_minima = [_frozen((_X_WELL[2],))]
        self.local_maxima = [_frozen((_X_WELL[1],))]

    def __call__(self, x):
        (x,) = self._coords(x)
        return x**4 - 4 * x**2 + x

    def grad(self, x):
        (x,) = self._coords(x)
        return (4 * x**3 - 8 * x + 1)[np.newaxis]

    def hessian(self, x):
        (x,) = self._coords(x)
        return (12 * x**2 - 8)[np.newaxis, np.newaxis]


tilted_double_well = TiltedDoubleWell()
__all__ += ["TiltedDoubleWell", "tilted_double_well"]  # not in ALL, which holds the seven classics


# --------------------------------------------------------------------------- Chapter 3


class Plateau(TestFunction):
    r"""A well in a plateau: f(x, y) = 1 − exp(−(x² + y²)/2).

    Near its minimum at 0 it is the perfectly conditioned bowl (x² + y²)/2 (H = I, κ = 1);
    far from it the ground is almost level, f → 1, and the gradient ∇f = e^{−r²/2} (x, y)
    (r = ‖(x, y)‖) vanishes faster than any power of r: 1.3e-3 at r = 4, 1.9e-5 at r = 5. A
    fixed-step method started out there crawls for a time that grows like e^{r²/2} before it
    finds the slope; flat regions of this kind, where the gradient says almost nothing,
    are what stalls plain gradient descent (Chapter 3). For r > 1 the curvature along the
    radius, e^{−r²/2}(1 − r²), is negative, so Newton's method steps *away* from the well.
    The contour levels crowd in the well and stop at f = 0.9999 (r ≈ 4.3): beyond, the
    plateau has no visible contour at all. Default start (−3.2, 2.4), at r = 4.
    """

    def __init__(self):
        super().__init__(
            name="plateau",
            formula=r"f(x, y) = 1 - e^{-(x^2 + y^2)/2}",
            dim=2,
            minima=[(0.0, 0.0)],
            f_min=0.0,
            window=((-5.0, 5.0), (-5.0, 5.0)),
            levels=[*np.arange(0.1, 1.0, 0.1), 0.99, 0.999, 0.9999],
            start=(-3.2, 2.4),
        )

    def __call__(self, x):
        x, y = self._coords(x)
        return 1 - np.exp(-(x**2 + y**2) / 2)

    def grad(self, x):
        x, y = self._coords(x)
        e = np.exp(-(x**2 + y**2) / 2)
        return _vector(e * x, e * y)

    def hessian(self, x):
        # ∂²f = e^{−r²/2} (I − θθᵀ), θ = (x, y)
        x, y = self._coords(x)
        e = np.exp(-(x**2 + y**2) / 2)
        return _matrix([[e * (1 - x**2), -e * x * y], [-e * x * y, e * (1 - y**2)]], x.shape)


plateau = Plateau()
__all__ += ["Plateau", "plateau"]  # not in ALL, which holds the seven classics


# --------------------------------------------------------------------------- Chapters 8 and 9


def _sigmoid(z):
    """1 / (1 + e^{−z}), without overflow for large |z|."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


class Cliff(TestFunction):
    r"""The bowl with a cliff: f(x, y) = x²/20 + y² + 5 log(1 + e^{−4(x + 5)}).

    Right of x ≈ −5 it is the anisotropic bowl x²/20 + y² (the last term is below 10⁻⁷ for
    x > −0.4); left of it the ground rises steeply, with slope ∂f/∂x ≈ −20 (the last term
    is ≈ −20(x + 5) there), thirty times the bowl's own x-slope at x = −7. A run from
    the default start (−7, 2), the bowl's start, first slides down the cliff and then has a
    long way to go in a gentle bowl: large gradients early, small ones later. AdaGrad's
    sum of squared gradients remembers the cliff and its steps in x stay small long after
    the cliff is behind it (Chapter 8); RMSProp forgets it (Chapter 9).

    The minimizer is (x*, 0) with x* = 4.1e-7 (solved by Newton's method); f_min ≈ 1.0e-8.
    The window and the contour levels are those of the bowl, with more levels for the cliff.
    """

    slope, sharpness, edge = 20.0, 4.0, -5.0  # the cliff: ∂f/∂x → −slope for x ≪ edge

    def __init__(self):
        x = 0.0
        for _ in range(30):  # Newton's method on ∂f/∂x = 0, from the bowl's minimum
            x -= self._dfdx(x) / self._d2fdx2(x)
        k, a, c = self.sharpness, self.slope, self.edge
        super().__init__(
            name="cliff",
            formula=r"f(x, y) = \frac{x^2}{20} + y^2 + 5\log(1 + e^{-4(x+5)})",
            dim=2,
            minima=[(x, 0.0)],
            f_min=x**2 / 20 + (a / k) * np.logaddexp(0.0, k * (c - x)),
            window=((-10.0, 10.0), (-5.0, 5.0)),
            levels=0.25 * np.arange(1, 23) ** 2,  # the bowl's levels 0.25, 1, ..., 25, then to 121
            start=(-7.0, 2.0),
        )

    def _dfdx(self, x):
        k, a, c = self.sharpness, self.slope, self.edge
        return x / 10 - a * _sigmoid(k * (c - x))

    def _d2fdx2(self, x):
        k, a, c = self.sharpness, self.slope, self.edge
        s = _sigmoid(k * (c - x))
        return 0.1 + a * k * s * (1 - s)

    def __call__(self, x):
        x, y = self._coords(x)
        k, a, c = self.sharpness, self.slope, self.edge
        return x**2 / 20 + y**2 + (a / k) * np.logaddexp(0.0, k * (c - x))

    def grad(self, x):
        x, y = self._coords(x)
        return _vector(self._dfdx(x), 2 * y)

    def hessian(self, x):
        x, y = self._coords(x)
        return _matrix([[self._d2fdx2(x), 0.0], [0.0, 2.0]], x.shape)


cliff = Cliff()
__all__ += ["Cliff", "cliff"]  # not in ALL, which holds the seven classics


class AbsoluteValue(TestFunction):
    r"""f(θ) = |θ − θ*| in 1-D: a kink at the minimum θ*, and the gradient
    f′(θ) = sign(θ − θ*) ∈ {−1, 0, +1}, so that −f′ is a coin telling which way θ* lies.

    Its gradients do not shrink near the minimum, and they are as small far away as near:
    gradient descent with a learning rate η moves exactly η per step, so it needs
    |θ₀ − θ*| / η steps to arrive and then oscillates by η around θ*.
    """

    def __init__(self, center: float = 10.0, start: float = 0.0, window=None):
        center, start = float(center), float(start)
        if not (math.isfinite(center) and math.isfinite(start)):
            raise ValueError(f"center and start must be finite, got {center!r}, {start!r}")
        span = max(abs(center - start), 1.0)
        if window is None:
            window = (min(start, center) - 0.2 * span, max(start, center) + 0.2 * span)
        super().__init__(
            name="absolute value",
            formula=rf"f(\theta) = |\theta - {center:g}|",
            dim=1,
            minima=[(center,)],
            f_min=0.0,
            window=tuple(float(w) for w in window),
            start=(start,),
        )
        self.center = center

    def __call__(self, x):
        x = self._coords(x)
        return np.abs(x[0] - self.center)

    def grad(self, x):
        x = self._coords(x)
        return np.sign(x - self.center)

    def hessian(self, x):
        x = self._coords(x)
        return np.zeros((1, 1, *x.shape[1:]))


def absolute_value(center: float = 10.0, start: float = 0.0, window=None) -> AbsoluteValue:
    """f(θ) = |θ − center|, started at ``start``; see ``AbsoluteValue``."""
    return AbsoluteValue(center, start, window)


__all__ += ["AbsoluteValue", "absolute_value"]  # not in ALL, which holds the seven classics
