"""Tests of descent.gradients: finite differences, relative errors, the verdict ladder and
gradient_check."""

import numpy as np
import pytest

from descent.gradients import (
    LADDER,
    GradientCheckReport,
    gradient_check,
    numerical_gradient,
    relative_error,
    verdict,
)


def smooth(x):
    return np.sum(np.sin(x) * np.exp(x / 2))


def smooth_grad(x):
    return np.exp(x / 2) * (np.cos(x) + np.sin(x) / 2)


# --------------------------------------------------------------------------- numerical_gradient


def test_numerical_gradient_matches_the_analytic_one_for_any_shape():
    x = np.random.default_rng(0).standard_normal((3, 4))
    g = numerical_gradient(smooth, x)
    assert g.shape == x.shape
    assert relative_error(g, smooth_grad(x)) <= 1e-8


@pytest.mark.parametrize(("method", "order"), [("centered", 2), ("forward", 1)])
def test_truncation_error_is_of_order_h_squared_centered_and_h_forward(method, order):
    """Fit log(error) = order · log(h) + c over h where truncation dominates round-off."""
    x = np.array([0.7, -1.3])
    hs = np.logspace(-4, -2, 9)
    errors = [
        np.max(np.abs(numerical_gradient(smooth, x.copy(), h, method) - smooth_grad(x))) for h in hs
    ]
    slope = np.polyfit(np.log(hs), np.log(errors), 1)[0]
    assert slope == pytest.approx(order, abs=0.1)


def test_centered_is_far_more_accurate_than_forward_at_the_default_h():
    x = np.array([0.7, -1.3])
    centered = relative_error(numerical_gradient(smooth, x.copy()), smooth_grad(x))
    forward = relative_error(numerical_gradient(smooth, x.copy(), method="forward"), smooth_grad(x))
    assert centered < 1e-9 < 1e-6 < forward


def test_x_is_perturbed_in_place_so_closures_work():
    """f may ignore its argument and read x itself, as a network's loss reads its params."""
    w = np.array([1.0, 2.0, 3.0])

    def loss(_):
        return np.sum(w**2)

    np.testing.assert_allclose(numerical_gradient(loss, w), 2 * w, rtol=1e-9)


def test_x_is_restored_exactly_after_use():
    x = np.array([0.1, 1 / 3, 1e-20, 12345.678])  # x + h − h is not always x in floating point
    before = x.copy()
    numerical_gradient(lambda z: np.sum(z**2), x)
    numerical_gradient(lambda z: np.sum(z**2), x, method="forward")
    np.testing.assert_array_equal(x, before)


def test_x_is_restored_even_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    seen = []

    def fails_on_third_call(z):
        seen.append(z.copy())
        if len(seen) == 3:
            raise RuntimeError("boom")
        return float(np.sum(z))

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(fails_on_third_call, x)
    assert not np.array_equal(seen[-1], before), "f was called with a perturbed x"
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, bool])
def test_integer_arrays_are_refused(dtype):
    x = np.array([1, 2, 0], dtype=dtype)
    before = x.copy()
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(smooth, x)
    np.testing.assert_array_equal(x, before)


def test_lists_numbers_and_read_only_arrays_are_copied():
    np.testing.assert_allclose(
        numerical_gradient(smooth, [1, 2]), smooth_grad(np.array([1.0, 2.0]))
    )
    np.testing.assert_allclose(numerical_gradient(lambda z: z**3, 2.0), 12.0, rtol=1e-9)
    frozen = np.array([0.5, 0.25])
    frozen.flags.writeable = False
    np.testing.assert_allclose(numerical_gradient(smooth, frozen), smooth_grad(frozen), rtol=1e-9)


def test_bad_arguments_are_refused():
    x = np.ones(2)
    with pytest.raises(ValueError, match="h must"):
        numerical_gradient(smooth, x, h=0.0)
    with pytest.raises(ValueError, match="method"):
        numerical_gradient(smooth, x, method="backward")
    with pytest.raises(ValueError, match="single number"):
        numerical_gradient(lambda z: z, x)


# --------------------------------------------------------------------------- relative error


def test_relative_error_values():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(0.2 / 2.2)
    assert relative_error(3.0, -3.0) == pytest.approx(2.0)
    assert relative_error(np.array([0.0]), np.array([1e-30])) == pytest.approx(1.0)
    a, b = np.array([1.0, 5.0]), np.array([1.1, 4.0])
    assert relative_error(a, b) == relative_error(b, a)
    assert np.isnan(relative_error(np.array([np.nan]), np.array([1.0])))
    assert np.isnan(relative_error(np.array([np.inf]), np.array([1.0])))
    with pytest.raises(ValueError, match="shapes"):
        relative_error(np.zeros(2), np.zeros(3))


def test_array_scale_ignores_tiny_entries_that_entry_scale_flags():
    a = np.array([1.0, 1e-9])
    b = np.array([1.0, 2e-9])
    assert relative_error(a, b) == pytest.approx(0.5)
    assert relative_error(a, b, scale="array") == pytest.approx(1e-9)
    with pytest.raises(ValueError, match="scale"):
        relative_error(a, b, scale="norm")


@pytest.mark.parametrize(
    ("err", "label"),
    [
        (0.0, "good"),
        (1e-7, "good"),
        (1.01e-7, "fine only with kinks"),
        (1e-4, "fine only with kinks"),
        (1.01e-4, "suspicious"),
        (1e-2, "suspicious"),
        (1.01e-2, "wrong"),
        (2.0, "wrong"),
        (np.inf, "wrong"),
        (np.nan, "wrong"),
    ],
)
def test_verdict_ladder_boundaries(err, label):
    assert verdict(err) == label


def test_verdict_refuses_negative_errors_and_ladder_is_ordered():
    with pytest.raises(ValueError):
        verdict(-1e-3)
    bounds = [bound for bound, _ in LADDER]
    assert bounds == sorted(bounds)


# --------------------------------------------------------------------------- gradient_check


class LinearModel:
    """L = ½ mean ‖x W + b − y‖², with its gradient, for gradient_check to judge."""

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.x, self.y = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
        self.params = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}
        self.calls = 0

    def loss(self):
        self.calls += 1
        r = self.x @ self.params["W"] + self.params["b"] - self.y
        return 0.5 * np.mean(np.sum(r**2, axis=1))

    def grads(self):
        r = self.x @ self.params["W"] + self.params["b"] - self.y
        n = len(self.x)
        return {"W": self.x.T @ r / n, "b": r.sum(axis=0) / n}


def test_gradient_check_passes_a_right_gradient_and_restores_params():
    model = LinearModel()
    before = {k: v.copy() for k, v in model.params.items()}
    report = gradient_check(model.loss, model.params, model.grads())
    assert report.passed
    assert report.worst <= 1e-7 and report.verdict == "good"
    assert set(report.rows) == {"W", "b"}
    assert report.checked == {"W": 12, "b": 3}
    for k in before:
        np.testing.assert_array_equal(model.params[k], before[k])


def test_gradient_check_flags_a_wrong_gradient_and_says_where():
    model = LinearModel()
    grads = model.grads()
    grads["b"] = 2 * grads["b"]  # a classic bug: forgot the 1/2 of ½‖r‖²
    report = gradient_check(model.loss, model.params, grads)
    assert not report.passed
    assert report.rows["b"][1] == "wrong" and report.rows["W"][1] == "good"
    assert "FAILED" in repr(report) and "b[" in repr(report)


def test_sampled_check_costs_order_k_and_still_catches_bugs():
    model = LinearModel()
    grads = model.grads()
    model.calls = 0
    report = gradient_check(model.loss, model.params, grads, samples=2, seed=3)
    assert report.checked == {"W": 2, "b": 2}
    assert model.calls == 2 * (2 + 2)  # two loss evaluations per checked entry
    assert report.passed
    grads["W"] = -grads["W"]
    first = gradient_check(model.loss, model.params, grads, samples=2, seed=3)
    again = gradient_check(model.loss, model.params, grads, samples=2, seed=3)
    assert not first.passed
    assert first.worst_entry == again.worst_entry and first.rows == again.rows  # seeded
    assert gradient_check(model.loss, model.params, grads, samples=99).checked == {"W": 12, "b": 3}


def test_sampled_entries_are_random_and_seeded():
    w = np.zeros(50)
    touched = []

    def loss():  # records which entry is currently perturbed
        touched.extend(np.flatnonzero(w).tolist())
        return float(np.sum(w**2))

    def entries(seed):
        touched.clear()
        gradient_check(loss, {"w": w}, {"w": np.zeros(50)}, samples=5, seed=seed)
        return sorted(set(touched))

    first = entries(0)
    assert len(first) == 5 and first == entries(0)
    assert first != entries(1) and first != list(range(5))


def test_entry_scale_raises_false_alarms_on_tiny_entries_that_array_scale_does_not():
    """A right gradient with one entry near the finite difference's round-off noise."""
    w = np.array([1.0, 1e-9])

    def loss():
        return 1.0 + 0.5 * np.sum(w**2)

    grads = {"w": w.copy()}  # exactly right
    assert not gradient_check(loss, {"w": w}, grads, scale="entry").passed
    assert gradient_check(loss, {"w": w}, grads).passed


def test_kinks_flag_lets_fine_only_with_kinks_pass():
    rows = {"W": (3e-6, verdict(3e-6))}
    assert not GradientCheckReport(rows).passed
    assert GradientCheckReport(rows, kinks=True).passed
    nan_rows = {"W": (float("nan"), "wrong")}
    assert not GradientCheckReport(nan_rows, kinks=True).passed


def test_report_reads_well_as_text_and_html():
    model = LinearModel()
    report = gradient_check(model.loss, model.params, model.grads())
    text = repr(report)
    assert "W" in text and "good" in text and text.splitlines()[-1].startswith("passed")
    html = report._repr_html_()
    assert html.startswith("<table") and html.count("<tr") == 3 and "good" in html
    weird = GradientCheckReport({"<W>": (0.5, "wrong")}, worst_entry={"<W>": (0,)})
    assert "&lt;W&gt;" in weird._repr_html_()


def test_gradient_check_refuses_mismatched_inputs():
    model = LinearModel()
    grads = model.grads()
    with pytest.raises(KeyError):
        gradient_check(model.loss, model.params, {"W": grads["W"]})
    with pytest.raises(ValueError, match="shape"):
        gradient_check(model.loss, model.params, {**grads, "b": np.zeros(4)})
    with pytest.raises(TypeError, match="float"):
        gradient_check(model.loss, {**model.params, "b": np.zeros(3, dtype=int)}, grads)
    with pytest.raises(ValueError, match="samples"):
        gradient_check(model.loss, model.params, grads, samples=0)
