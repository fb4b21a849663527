"""descent.training: run() on test functions, fit() on data, and when progress bars appear."""

import math
import subprocess
import sys
import types
import warnings

import numpy as np
import pytest

from descent import data, functions, nn, optimizers, training
from descent.optimizers import COCOB, SGD, AdaGrad, Adam, Momentum, Optimizer
from descent.schedules import Scheduled

# --------------------------------------------------------------------------- run


def test_run_sgd_on_the_bowl_equals_a_hand_written_loop():
    lr, steps = 0.3, 40
    traj = training.run(SGD(lr=lr), functions.bowl, functions.bowl.start, steps)
    x = functions.bowl.start.copy()
    expected = [x.copy()]
    for _ in range(steps):
        x = x - lr * functions.bowl.grad(x)
        expected.append(x)
    np.testing.assert_array_equal(traj.points, np.array(expected))
    np.testing.assert_array_equal(traj.values, [functions.bowl(p) for p in expected])
    assert traj.points.shape == (steps + 1, 2) and traj.steps == steps
    assert not traj.diverged and traj.diverged_at is None
    assert "diverged" not in repr(traj)


def test_run_leaves_start_alone_and_defaults_to_the_functions_start():
    start = np.array([-7.0, 2.0])
    training.run(Momentum(lr=0.1), functions.bowl, start, 10)
    np.testing.assert_array_equal(start, [-7.0, 2.0])
    traj = training.run(SGD(lr=0.1), functions.rosenbrock, steps=3)
    np.testing.assert_array_equal(traj.points[0], functions.rosenbrock.start)


def test_run_works_in_one_dimension():
    traj = training.run(SGD(lr=0.5), functions.sinc10, 2.0, 30)
    assert traj.points.shape == (31, 1)
    assert abs(traj.final[0] - functions.sinc10.minima[1][0]) < 1e-3


@pytest.mark.parametrize("bound", [1e6, math.inf])
def test_a_diverging_run_stops_reports_and_warns_nothing(bound):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow, invalid) fails
        traj = training.run(SGD(lr=1.5), functions.bowl, steps=5000, bound=bound)
    assert traj.diverged
    assert isinstance(traj.diverged_at, int) and 1 <= traj.diverged_at < 5000
    assert len(traj.points) == traj.diverged_at  # θ₀ ... θ_{t−1} were accepted
    assert np.all(np.isfinite(traj.points)) and np.all(np.isfinite(traj.values))
    assert np.all(np.linalg.norm(traj.points, axis=1) <= bound)
    assert f"diverged at step {traj.diverged_at}" in repr(traj)


class _Climber(Optimizer):
    """Walks uphill and records every gradient it is given."""

    def __init__(self):
        super().__init__(lr=1.0)
        self.seen = []

    def step(self, theta, g, state):
        self.seen.append(g.copy())
        theta += 100.0


class _Exp:
    """f(x) = exp(x₁): its gradient overflows to inf while x is still finite (x > 709.8)."""

    dim = 1
    start = np.zeros(1)

    def __call__(self, x):
        return np.exp(np.minimum(x[0], 700.0))  # the value stays finite on purpose

    def grad(self, x):
        return np.exp(x)


def test_the_optimizer_never_sees_a_non_finite_gradient():
    climber = _Climber()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = training.run(climber, _Exp(), steps=50)
    assert traj.diverged and traj.diverged_at == 9  # θ₈ = 800: exp(800) = inf
    assert len(climber.seen) == 8
    assert all(np.all(np.isfinite(g)) for g in climber.seen)


def test_labels():
    assert training.run(SGD(lr=0.1), functions.bowl, steps=1).label == "SGD (η=0.1)"
    assert training.label_for(COCOB()) == "COCOB"
    assert training.label_for(Adam(lr=0.01, amsgrad=True)) == "AMSGrad (η=0.01)"
    assert training.run(SGD(lr=0.1), functions.bowl, steps=1, label="mine").label == "mine"


def test_steps_to_and_distances():
    traj = training.run(Momentum(lr=0.1, momentum=0.9), functions.bowl, steps=300)
    k = traj.steps_to(functions.bowl.minima[0], 1e-3)
    assert k is not None and 0 < k <= 300
    assert traj.distances(functions.bowl.minima[0])[k] <= 1e-3
    assert traj.distances(functions.bowl.minima[0])[k - 1] > 1e-3
    assert training.run(SGD(lr=1e-4), functions.bowl, steps=5).steps_to((0, 0), 1e-3) is None


class _HalfSquare:
    """f(x) = ‖x‖²/2, whose gradient is x itself: the very array that a step changes."""

    dim = 2
    start = np.array([3.0, -2.0])

    def __call__(self, x):
        return 0.5 * float(x @ x)

    def grad(self, x):
        return x


class _Twice(Optimizer):
    """Reads g after it has changed θ: θ ← θ − ηg, twice."""

    def step(self, theta, g, state):
        theta -= self.lr * g
        theta -= self.lr * g


def _assert_same_state(fast, slow):
    """Two optimizers hold the same state arrays, bit for bit."""
    for key, state in slow.state.items():
        for name, value in state.items():
            np.testing.assert_array_equal(fast.state[key][name], value)


def _same_run(make, function, **kwargs):
    """run(fast=False) and run(fast=True) of two fresh optimizers: the same trajectory and
    state."""
    slow, fast = make(), make()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = training.run(slow, function, fast=False, **kwargs)
        got = training.run(fast, function, fast=True, **kwargs)
    np.testing.assert_array_equal(got.points, expected.points)
    np.testing.assert_array_equal(got.values, expected.values)
    assert (got.diverged, got.diverged_at, got.label) == (
        expected.diverged,
        expected.diverged_at,
        expected.label,
    )
    assert fast.t == slow.t and fast.state.keys() == slow.state.keys()
    _assert_same_state(fast, slow)
    return got


@pytest.mark.parametrize("twin", [False, True], ids=["readable", "fast-step"])
@pytest.mark.parametrize("name", list(optimizers.ALL))
@pytest.mark.parametrize(
    "function", [functions.beale, functions.rosenbrock, functions.saddle, functions.sinc10]
)
def test_fast_run_takes_the_same_steps_bit_for_bit(function, name, twin):
    kind = optimizers.ALL[name]
    hyperparameters = {"lr": 0.01} if kind.has_lr else {}
    _same_run(lambda: kind(**hyperparameters, fast=twin), function, steps=300)


@pytest.mark.parametrize("bound", [1e6, math.inf])
def test_fast_run_stops_where_run_stops(bound):
    traj = _same_run(lambda: SGD(lr=1.5), functions.bowl, steps=5000, bound=bound)
    assert traj.diverged  # by the bound, or (bound = inf) by an overflow
    traj = _same_run(_Climber, _Exp(), steps=50)
    assert traj.diverged_at == 9  # a non-finite gradient
    # g is θ itself: the step must see the gradient, not θ as it changes
    assert not _same_run(lambda: _Twice(lr=0.1), _HalfSquare(), steps=40).diverged


class _Recording(SGD):
    """SGD with an ``update`` of its own, which records every call."""

    def __init__(self, lr):
        super().__init__(lr=lr)
        self.calls = 0

    def update(self, params, grads):
        self.calls += 1
        super().update(params, grads)


def _count_checks(monkeypatch) -> list:
    """Count the calls of Optimizer.update's check of its inputs."""
    calls = []
    check = optimizers.base._validation.params_and_grads

    def counted(params, grads):
        calls.append(1)
        check(params, grads)

    monkeypatch.setattr(optimizers.base._validation, "params_and_grads", counted)
    return calls


@pytest.mark.parametrize("loop", ["run", "fit"])
def test_by_default_the_loops_check_only_the_first_update_of_a_plain_optimizer(
    monkeypatch, digits, loop
):
    def go(optimizer, **kwargs):
        if loop == "run":
            return training.run(optimizer, functions.bowl, steps=30, **kwargs)
        small = (digits.x_train[:96], digits.t_train[:96], None, None)
        return training.fit(nn.MLP(64, [8], 10, seed=0), optimizer, small, epochs=1, **kwargs)

    calls = _count_checks(monkeypatch)
    go(Adam(lr=0.01))  # the default: checked once, then Adam.step
    assert len(calls) == 1
    go(Adam(lr=0.01), fast=False)  # every update checked
    assert len(calls) == 1 + (30 if loop == "run" else 3)
    # an update of its own, a fast twin, a schedule: update at every step
    recording = _Recording(lr=0.01)
    go(recording)
    assert recording.calls == (30 if loop == "run" else 3)
    calls.clear()
    go(Adam(lr=0.01, fast=True))
    go(Scheduled(SGD(lr=0.1), lambda t: 1 / t))
    assert len(calls) == 2 * (30 if loop == "run" else 3)


def test_fast_run_needs_an_optimizer_with_a_step():
    with pytest.raises(ValueError, match="step"):
        training.run(Scheduled(SGD(lr=0.1), lambda t: 1 / t), functions.bowl, fast=True)
    with pytest.raises(ValueError, match="steps"):
        training.run(SGD(lr=0.1), functions.bowl, steps=-1, fast=True)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"steps": -1}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"start": [1.0, 2.0, 3.0]}, "shape"),
        ({"start": [np.nan, 0.0]}, "finite"),
    ],
)
def test_run_rejects_bad_arguments(kwargs, match):
    args = {"start": None, "steps": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        training.run(SGD(lr=0.1), functions.bowl, args["start"], args["steps"])


# --------------------------------------------------------------------------- fit


@pytest.fixture(scope="module")
def digits():
    return data.load_digits(seed=0)


_BLOBS = data.make_blobs(20, centers=[(-1, -1), (-1, 1), (1, 1), (1, -1)], std=0.4, seed=0)
_XOR = (_BLOBS.x_train, _BLOBS.t_train % 2, _BLOBS.x_test, _BLOBS.t_test % 2)


def _fit(digits, optimizer, **kwargs):
    model = nn.MLP(64, [32], 10, seed=0)
    return training.fit(model, optimizer, digits, **kwargs)


def test_fit_is_deterministic_for_a_seed(digits):
    a = _fit(digits, SGD(lr=0.1), epochs=2, seed=3)
    b = _fit(digits, SGD(lr=0.1), epochs=2, seed=3)
    c = _fit(digits, SGD(lr=0.1), epochs=2, seed=4)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert a.epochs == b.epochs
    assert not np.array_equal(a.loss, c.loss)


def test_fit_lowers_the_loss_on_digits_and_records_everything(digits):
    epochs, batch_size = 7, 32
    history = _fit(digits, SGD(lr=0.1), epochs=epochs, batch_size=batch_size)
    steps = epochs * math.ceil(len(digits.x_train) / batch_size)
    assert steps >= 300
    assert history.loss.shape == (steps,) and history.time.shape == (steps,)
    assert np.all(np.diff(history.time) >= 0) and history.time[0] > 0
    assert len(history.epochs) == epochs + 1
    assert [e["epoch"] for e in history.epochs] == list(range(epochs + 1))
    assert history.epochs[-1]["step"] == steps
    keys = {"epoch", "step", "train_loss", "train_acc", "test_loss", "test_acc"}
    assert set(history.epochs[0]) == keys
    assert history.loss[-20:].mean() < 0.5 * history.loss[:20].mean()
    train_loss = history.metric("train_loss")
    assert train_loss[-1] < 0.3 * train_loss[0]
    assert history.epochs[-1]["test_acc"] > 0.85
    assert not history.diverged and history.diverged_at is None
    assert history.label == "SGD (η=0.1)" and "diverged" not in repr(history)


def test_fit_records_the_same_epochs_with_one_forward_pass_or_two(digits):
    class TwoPasses:
        """An MLP seen through loss, accuracy and gradient only (no fused methods)."""

        def __init__(self, model):
            self.params, self.loss, self.accuracy = model.params, model.loss, model.accuracy
            self.gradient = model.gradient

    fused = _fit(digits, SGD(lr=0.1), epochs=2)
    plain = training.fit(
        TwoPasses(nn.MLP(64, [32], 10, seed=0)), SGD(lr=0.1), digits, epochs=2, progress=False
    )
    assert fused.epochs == plain.epochs
    np.testing.assert_array_equal(fused.loss, plain.loss)


def test_fit_stops_on_divergence_without_warnings(digits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = _fit(digits, SGD(lr=1e200), epochs=3)
    assert history.diverged
    assert history.diverged_at == len(history.loss) + 1
    assert len(history.loss) < 5 and np.all(np.isfinite(history.loss))
    assert f"diverged at step {history.diverged_at}" in repr(history)


def test_fit_accepts_a_tuple_and_rejects_bad_arguments(digits):
    tup = (digits.x_train[:64], digits.t_train[:64], digits.x_test[:10], digits.t_test[:10])
    history = training.fit(nn.MLP(64, [8], 10), SGD(lr=0.1), tup, batch_size=64)
    assert history.steps == 1
    with pytest.raises(ValueError, match="batch_size"):
        training.fit(nn.MLP(64, [8], 10), SGD(lr=0.1), tup, batch_size=0)
    with pytest.raises(TypeError, match="Dataset"):
        training.fit(nn.MLP(64, [8], 10), SGD(lr=0.1), digits.x_train)


def _same_fit(make, model, data, **kwargs):
    """fit(fast=False) and fit(fast=True) of two fresh optimizers on two copies of a model:
    the same History (but for the wall-clock time), parameters and optimizer state, bit for
    bit."""
    slow, fast = make(), make()
    models = model(), model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = training.fit(models[0], slow, data, fast=False, **kwargs)
        got = training.fit(models[1], fast, data, fast=True, **kwargs)
    for name in ("loss", "lr", "examples", "final", "points", "suboptimality"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name))
    assert got.epochs == expected.epochs and got.diverged_at == expected.diverged_at
    for key, value in models[0].params.items():
        np.testing.assert_array_equal(models[1].params[key], value)
    assert fast.t == slow.t
    _assert_same_state(fast, slow)
    return got


@pytest.mark.parametrize("twin", [False, True], ids=["readable", "fast-step"])
@pytest.mark.parametrize("name", list(optimizers.ALL))
def test_fast_fit_takes_the_same_steps_bit_for_bit(digits, name, twin):
    kind = optimizers.ALL[name]
    hyperparameters = {"lr": 0.05} if kind.has_lr else {}
    small = (digits.x_train[:200], digits.t_train[:200], digits.x_test, digits.t_test)
    _same_fit(
        lambda: kind(**hyperparameters, fast=twin),
        lambda: nn.MLP(64, [16], 10, seed=1),
        small,
        epochs=3,
        batch_size=32,
        seed=4,
    )


def test_fast_fit_stops_where_fit_stops(regression):
    history = _same_fit(
        lambda: SGD(lr=4.0),
        lambda: training.LeastSquares(regression, bound=1e3),
        regression,
        batch_size=2,
        epochs=5,
        keep_points=True,
        evaluate=False,
    )
    assert history.diverged  # the bound: the update that leaves it is undone
    history = _same_fit(
        lambda: SGD(lr=1e50), lambda: nn.MLP(2, [8], 2, seed=0), _XOR, epochs=3, batch_size=8
    )
    assert history.diverged and history.steps >= 2  # a loss or gradient that is not finite
    with pytest.raises(ValueError, match="step"):
        training.fit(nn.MLP(2, [4], 2), Scheduled(SGD(lr=0.1), lambda t: 1), _XOR, fast=True)


# --------------------------------------------------------------------------- fit: least squares


@pytest.fixture(scope="module")
def regression():
    return data.make_regression(n=61, d=4, noise=0.5, seed=1)


def _by_hand(problem, step, batches, epochs, start=None, steps=None):
    """The iterates of a hand-written mini-batch loop, θ ← step(θ, g) for each batch, and
    the examples used before each of them."""
    w = np.zeros(problem.dim) if start is None else np.array(start, dtype=float)
    points, examples = [w.copy()], [0]
    for _ in range(epochs):
        for idx in batches():
            w = step(w, problem.grad(w, idx))
            points.append(w.copy())
            examples.append(examples[-1] + len(idx))
            if len(points) - 1 == steps:
                return np.array(points), examples
    return np.array(points), examples


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(batch_size=7, epochs=3, seed=3),
        dict(batch_size=1, epochs=2, seed=5, start=np.ones(4)),
        dict(batch_size=8, steps=25, seed=0),  # stops inside the fourth epoch
        dict(batch_size=1, epochs=2, shuffle=False),
        dict(batch_size=61, epochs=30),  # full batch: gradient descent
        dict(batch_size=7, epochs=3, seed=1, replacement=True),
    ],
)
def test_fit_on_least_squares_takes_the_steps_of_a_hand_loop(regression, kwargs):
    kwargs = dict(kwargs)
    start = kwargs.pop("start", None)
    history = training.fit(
        training.LeastSquares(regression, start),
        SGD(lr=0.05),
        regression,
        keep_points=True,
        **kwargs,
    )
    rng, n, b = np.random.default_rng(kwargs.get("seed", 0)), regression.n, kwargs["batch_size"]
    if kwargs.get("replacement"):
        batches = lambda: rng.integers(0, n, size=(n // b, b))  # noqa: E731
    elif kwargs.get("shuffle", True):
        batches = lambda: data.minibatches(n, b, rng)  # noqa: E731
    else:
        batches = lambda: data.minibatches(n, b, rng, shuffle=False)  # noqa: E731
    epochs = kwargs.get("epochs") or 100
    expected, examples = _by_hand(
        regression, lambda w, g: w - 0.05 * g, batches, epochs, start, kwargs.get("steps")
    )
    np.testing.assert_array_equal(history.points, expected)  # bit for bit
    np.testing.assert_array_equal(history.final, expected[-1])
    gaps = [regression.loss(w) - regression.f_star for w in expected]
    np.testing.assert_allclose(history.suboptimality, gaps, rtol=1e-9, atol=1e-13)
    k = len(expected) - 1
    assert history.steps == k and history.loss.shape == history.lr.shape == (k,)
    assert np.all(history.lr == 0.05) and history.examples.tolist() == examples
    assert history.time.shape == (k,) and np.all(np.diff(history.time) >= 0)
    assert not history.diverged and history.label == "SGD (η=0.05)"
    if start is not None:
        np.testing.assert_array_equal(start, 1.0)  # not modified


def test_fit_on_least_squares_with_any_optimizer_matches_its_rule_by_hand(regression):
    history = training.fit(
        training.LeastSquares(regression),
        AdaGrad(lr=0.3),
        regression,
        batch_size=10,
        epochs=2,
        seed=4,
        keep_points=True,
    )
    rng, h = np.random.default_rng(4), np.zeros(regression.dim)

    def adagrad(w, g):
        h[:] = h + g**2
        return w - 0.3 * g / (np.sqrt(h) + 1e-10)

    batches = lambda: data.minibatches(regression.n, 10, rng)  # noqa: E731
    np.testing.assert_allclose(
        history.points, _by_hand(regression, adagrad, batches, 2)[0], rtol=1e-13, atol=1e-15
    )
    assert history.tail_mean(last=5) == pytest.approx(np.mean(history.suboptimality[-5:]))
    assert history.tail_mean(1.0) == pytest.approx(np.mean(history.suboptimality))
    assert "AdaGrad (η=0.3)" in repr(history) and "final f − f*" in repr(history)
    assert [e["step"] for e in history.epochs] == [0, 7, 14]
    assert np.isnan(history.epochs[-1]["train_acc"])  # a regression has no accuracy


def test_fit_with_a_bound_undoes_the_update_that_leaves_it(regression):
    bound = 1e3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = training.fit(
            training.LeastSquares(regression, bound=bound),
            SGD(lr=4.0),
            regression,
            batch_size=2,
            epochs=5,
            seed=2,
        )
    rng = np.random.default_rng(2)
    batches = lambda: data.minibatches(regression.n, 2, rng)  # noqa: E731
    with np.errstate(all="ignore"):
        path = _by_hand(regression, lambda w, g: w - 4.0 * g, batches, 5)[0]
    far = np.linalg.norm(path - regression.w_star, axis=1) > bound
    first = int(np.argmax(far))
    assert 1 < first < 10 and history.diverged_at == first  # diverges within ten steps
    np.testing.assert_array_equal(history.final, path[first - 1])  # the last good iterate
    assert len(history.suboptimality) == first and history.tail_mean() == np.inf
    assert f"diverged at step {first}" in repr(history)


def test_fit_without_a_bound_stops_quietly_where_the_loss_overflows():
    problem = data.make_regression(n=100, d=3, seed=0)
    model = training.LeastSquares(problem, bound=math.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = training.fit(model, SGD(lr=50.0), problem, batch_size=100, epochs=500)
    assert history.diverged and history.diverged_at == history.steps + 1
    assert np.all(np.isfinite(history.final)) and history.tail_mean(last=20) == np.inf
    assert np.all(np.isfinite(history.loss))  # the last, overflowing loss is not recorded
    assert np.abs(history.final - problem.w_star).max() > 1e100  # no bound: it went far


def test_fit_refuses_bad_lengths(regression):
    model = training.LeastSquares(regression)
    for kwargs, match in [
        (dict(epochs=1, steps=1), "at most one"),
        (dict(steps=-1), "steps"),
        (dict(epochs=1.5), "epochs"),
    ]:
        with pytest.raises(ValueError, match=match):
            training.fit(model, SGD(lr=0.1), regression, **kwargs)
    with pytest.raises(ValueError, match="start"):
        training.LeastSquares(regression, start=[0.0])
    with pytest.raises(ValueError, match="bound"):
        training.LeastSquares(regression, bound=0.0)
    with pytest.raises(TypeError, match="RegressionProblem"):
        training.LeastSquares(functions.bowl)


# --------------------------------------------------------------------------- progress


def test_no_progress_bar_in_a_non_interactive_session(digits, capsys):
    assert not training.is_interactive()  # pytest captures stderr: not a terminal
    history = _fit(digits, SGD(lr=0.01), epochs=1, batch_size=1)  # 1347 steps ≥ 1000
    assert history.steps >= training.PROGRESS_MIN_STEPS
    assert capsys.readouterr().err == ""


def test_progress_true_forces_a_bar(digits, capsys):
    _fit(digits, SGD(lr=0.01), epochs=1, batch_size=256, progress=True)
    assert "step" in capsys.readouterr().err


def _fake_ipython(monkeypatch, kernel):
    shell = types.SimpleNamespace(kernel=kernel)
    module = types.SimpleNamespace(get_ipython=lambda: shell)
    monkeypatch.setitem(sys.modules, "IPython", module)


@pytest.mark.parametrize(
    "kernel, expected",
    [
        (types.SimpleNamespace(_allow_stdin=True), True),  # a person at a notebook
        (types.SimpleNamespace(_allow_stdin=False), False),  # nbclient, nbval, the book
        (types.SimpleNamespace(), False),  # a kernel without the attribute
    ],
)
def test_is_interactive_in_a_jupyter_kernel(monkeypatch, kernel, expected):
    _fake_ipython(monkeypatch, kernel)
    assert training.is_interactive() is expected
    assert training.show_progress(5000) is expected
    assert training.show_progress(10) is False  # short runs: never
    assert training.show_progress(10, True) is True and training.show_progress(5000, False) is False


def test_training_and_checks_import_numpy_only():
    code = (
        "import sys, descent.training, descent.checks; "
        "heavy = {'matplotlib', 'tqdm', 'IPython', 'ipywidgets', 'sklearn', 'PIL'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
