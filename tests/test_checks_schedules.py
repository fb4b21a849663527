"""descent.checks.check_cosine_schedule and check_warmup_cosine (Chapter 14) against
deliberately wrong students: each mistake must be called wrong, and named where it can be
(what every checker does is tested in test_checks_generic.py)."""

import math

import numpy as np
import pytest

from descent import checks

# --------------------------------------------------------------------------- cosine


def cosine_schedule(t, steps, floor):
    done = np.minimum(t - 1, steps)
    return floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * done / steps))


def cosine_with_a_loop(t, steps, floor):
    out = []
    for k in np.ravel(t):
        done = min(k - 1, steps)
        out.append(floor + (1 - floor) * (1 + math.cos(math.pi * done / steps)) / 2)
    return np.array(out).reshape(np.shape(t))


def off_by_one(t, steps, floor):
    done = np.minimum(t, steps)  # t instead of t − 1
    return floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * done / steps))


def not_clamped(t, steps, floor):
    return floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * (t - 1) / steps))


def floor_on_top(t, steps, floor):
    done = np.minimum(t - 1, steps)
    return floor + 0.5 * (1 + np.cos(np.pi * done / steps))


def floor_ignored(t, steps, floor):
    return cosine_schedule(t, steps, 0.0)


def one_number(t, steps, floor):
    return float(np.mean(cosine_schedule(t, steps, floor)))  # wrong shape


def uses_math_cos(t, steps, floor):
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * (t - 1) / steps))  # raises


def changes_t(t, steps, floor):
    t -= 1  # modifies the caller's array
    return floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * np.minimum(t, steps) / steps))


def ignores_t(t, steps, floor):
    return cosine_schedule(np.arange(1, len(t) + 1), steps, floor)  # position, not t


def _assert_wrong(result, *fragments):
    assert result.status == "wrong" and not result.passed
    text = " ".join(result.message.split())  # the message is wrapped at 76 characters
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{result.message}"


@pytest.mark.parametrize("student", [cosine_schedule, cosine_with_a_loop])
def test_correct_cosines_pass_in_strict_mode(student, capsys):
    assert checks.check_cosine_schedule(student, strict=True).passed


def test_off_by_one_in_t_is_named():
    result = checks.check_cosine_schedule(off_by_one)
    _assert_wrong(result, "test case 1 of 4", "next update", "t − 1")
    assert result.case == 0


def test_a_cosine_that_climbs_again_is_named():
    _assert_wrong(checks.check_cosine_schedule(not_clamped), "climbs back up", "np.minimum")


def test_floor_mistakes_are_named():
    _assert_wrong(checks.check_cosine_schedule(floor_on_top), "(1 − floor)")
    _assert_wrong(checks.check_cosine_schedule(floor_ignored), "The floor is missing")


def test_shape_errors_and_changed_inputs():
    _assert_wrong(checks.check_cosine_schedule(one_number), "Wrong shape")
    result = checks.check_cosine_schedule(uses_math_cos)
    assert result.status == "error" and "TypeError" in result.message
    assert "math.cos" in result.message  # the student's own line
    _assert_wrong(checks.check_cosine_schedule(changes_t), "changed its input t")
    result = checks.check_cosine_schedule(ignores_t)
    _assert_wrong(result, "test case 3 of 4")  # the case with t in a random order


def test_the_cosine_cases_reach_past_the_end_and_the_midpoint():
    cases = checks.check_cosine_schedule.exercise.cases()
    assert any(np.max(c.args[0]) > c.args[1] + 1 for c in cases)  # beyond T: the clamp
    assert any(c.args[1] // 2 + 1 in c.args[0] for c in cases)  # the midpoint
    assert {c.args[2] for c in cases} >= {0.0, 0.1}
    t, steps, floor = cases[3].args
    np.testing.assert_allclose(cosine_schedule(t, steps, floor), [1, 0.505, 0.01, 0.01])


# --------------------------------------------------------------------------- warm-up + cosine


def warmup_cosine(t, warmup, total, floor):
    up = t / warmup
    down = cosine_schedule(t - warmup, total - warmup, floor)
    return np.where(t <= warmup, up, down)


def warmup_from_zero(t, warmup, total, floor):
    up = (t - 1) / warmup
    return np.where(t <= warmup, up, warmup_cosine(t, warmup, total, floor))


def cosine_not_restarted(t, warmup, total, floor):
    return np.where(t <= warmup, t / warmup, cosine_schedule(t, total - warmup, floor))


def cosine_too_long(t, warmup, total, floor):
    return np.where(t <= warmup, t / warmup, cosine_schedule(t - warmup, total, floor))


def multiplied(t, warmup, total, floor):
    return np.minimum(1, t / warmup) * cosine_schedule(t, total, floor)


def switches_one_early(t, warmup, total, floor):
    down = cosine_schedule(t - warmup, total - warmup, floor)
    return np.where(t < warmup, t / warmup, down)  # at t = W: the cosine at its t = 0


def test_a_correct_warmup_cosine_passes_in_strict_mode(capsys):
    assert checks.check_warmup_cosine(warmup_cosine, strict=True).passed


def test_warmup_mistakes_are_named():
    _assert_wrong(checks.check_warmup_cosine(warmup_from_zero), "starts at 0", "t / warmup")
    _assert_wrong(checks.check_warmup_cosine(cosine_not_restarted), "t − warmup, not at t")
    _assert_wrong(checks.check_warmup_cosine(cosine_too_long), "total − warmup updates")
    _assert_wrong(checks.check_warmup_cosine(multiplied), "follow the warm-up")
    result = checks.check_warmup_cosine(switches_one_early)
    _assert_wrong(result, "entries differ")  # no known mistake, but the place is shown


def test_the_warmup_cases_cover_a_one_step_warmup_and_the_floor():
    cases = checks.check_warmup_cosine.exercise.cases()
    assert any(c.args[1] == 1 for c in cases)
    assert all(c.args[2] > c.args[1] for c in cases)
    assert any(np.max(c.args[0]) > c.args[2] for c in cases)  # past the end: the floor
