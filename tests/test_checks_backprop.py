"""Chapter 5's checkers (affine_backward, log_sum_exp, LeakyReLU) against correct and
deliberately wrong student functions: each mistake gets the right status and a message that
names it (what every checker does is tested in test_checks_generic.py)."""

import numpy as np
import pytest

from descent import checks

# --------------------------------------------------------------------------- affine_backward


def affine_backward(x, W, dout):
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def affine_dw_transposed(x, W, dout):
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


def affine_db_mean(x, W, dout):
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


def affine_db_wrong_axis(x, W, dout):
    return dout @ W.T, x.T @ dout, dout.sum(axis=1)


def affine_dx_without_transpose(x, W, dout):
    return dout @ W, x.T @ dout, dout.sum(axis=0)


def affine_two_arrays(x, W, dout):
    return dout @ W.T, x.T @ dout


def affine_scales_dout_in_place(x, W, dout):
    dout /= len(x)
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def test_a_correct_affine_backward_passes(capsys):
    result = checks.check_affine_backward(affine_backward)
    assert result.passed and result.status == "passed"
    out = capsys.readouterr().out
    assert "✔ affine_backward: dx, dW and db correct on all 5 test cases." in out


def test_transposed_dw_is_named():
    result = checks.check_affine_backward(affine_dw_transposed, strict=False)
    assert result.status == "wrong" and "(dW)" in result.message
    assert "Is it transposed?" in result.message
    assert result.case == 0


def test_transposed_dw_of_a_square_w_is_named_by_value():
    # case 2 has D = M: same shape, only the values give the transposition away
    def transposed_when_square(x, W, dout):
        dw = x.T @ dout
        return dout @ W.T, (dw.T if dw.shape[0] == dw.shape[1] else dw), dout.sum(axis=0)

    result = checks.check_affine_backward(transposed_when_square)
    assert result.status == "wrong" and result.case == 1
    assert "dout.T @ x is its transpose" in " ".join(result.message.split())


def test_averaged_bias_gradient_is_named():
    result = checks.check_affine_backward(affine_db_mean)
    assert result.status == "wrong" and "(db)" in result.message
    assert "You averaged over the batch" in " ".join(result.message.split())


def test_bias_gradient_summed_over_the_wrong_axis():
    result = checks.check_affine_backward(affine_db_wrong_axis)
    assert result.status == "wrong" and "Wrong shape" in result.message
    assert "axis" in result.message


def test_dx_without_transpose_raises_in_the_students_line():
    result = checks.check_affine_backward(affine_dx_without_transpose)
    assert result.status == "error" and "ValueError" in result.message
    assert "return dout @ W, x.T @ dout, dout.sum(axis=0)" in result.message


def test_dx_without_transpose_on_square_w_is_named():
    def square_only(x, W, dout):
        return (dout @ W if W.shape[0] == W.shape[1] else dout @ W.T), x.T @ dout, dout.sum(0)

    result = checks.check_affine_backward(square_only)
    assert result.status == "wrong" and result.case == 1 and "(dx)" in result.message
    assert "dout @ W.T" in " ".join(result.message.split())


def test_two_arrays_instead_of_three():
    result = checks.check_affine_backward(affine_two_arrays)
    assert result.status == "wrong"  # the student's code ran; its result has the wrong form
    assert "tuple: dx, dW, db (got a tuple of 2 items)" in " ".join(result.message.split())


def test_changing_dout_in_place_is_reported():
    result = checks.check_affine_backward(affine_scales_dout_in_place)
    assert result.status == "wrong" and "changed its input dout" in " ".join(result.message.split())


# --------------------------------------------------------------------------- log_sum_exp


def log_sum_exp(x):
    m = x.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))[..., 0]


def lse_naive(x):
    return np.log(np.exp(x).sum(axis=-1))


def lse_forgets_m(x):
    m = x.max(axis=-1, keepdims=True)
    return np.log(np.exp(x - m).sum(axis=-1))


def lse_max_only(x):
    return x.max(axis=-1)


def lse_one_max_for_all_rows(x):
    m = x.max()
    return m + np.log(np.exp(x - m).sum(axis=-1))


def lse_keepdims(x):
    m = x.max(axis=-1, keepdims=True)
    return m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def lse_over_first_axis(x):
    m = x.max(axis=0)
    return m + np.log(np.exp(x - m).sum(axis=0))


def test_a_correct_log_sum_exp_passes(capsys):
    assert checks.check_log_sum_exp(log_sum_exp, strict=True).passed


def test_naive_log_sum_exp_overflows_and_is_told_why():
    result = checks.check_log_sum_exp(lse_naive)
    assert result.status == "wrong" and result.case == 1  # the large case, [1000, 1001, 1002]
    text = " ".join(result.message.split())
    assert "NaN or inf" in text and "Subtract the largest entry" in text


def test_forgetting_to_add_the_maximum_back():
    result = checks.check_log_sum_exp(lse_forgets_m)
    assert result.status == "wrong" and result.case == 0
    assert "did not add it back" in " ".join(result.message.split())


def test_the_maximum_alone_is_not_enough():
    result = checks.check_log_sum_exp(lse_max_only)
    assert result.status == "wrong" and "maximum alone" in " ".join(result.message.split())


def test_one_maximum_for_all_rows_underflows_a_row():
    result = checks.check_log_sum_exp(lse_one_max_for_all_rows)
    assert result.status == "wrong" and result.case == 3
    assert "row's own maximum" in " ".join(result.message.split())


def test_keepdims_result_has_the_wrong_shape():
    result = checks.check_log_sum_exp(lse_keepdims)
    assert result.status == "wrong" and result.case == 3
    assert "Wrong shape: expected (3,), received (3, 1)" in result.message


def test_reducing_the_wrong_axis():
    result = checks.check_log_sum_exp(lse_over_first_axis)
    assert result.status == "wrong" and not result.passed


# --------------------------------------------------------------------------- LeakyReLU


class LeakyReLU:  # a correct layer, with the mask of the last forward as its cache
    def __init__(self, alpha=0.01):
        self.alpha, self.mask = alpha, None

    def forward(self, x):
        self.mask = x > 0
        return np.where(self.mask, x, self.alpha * x)

    def backward(self, dout):
        return np.where(self.mask, dout, self.alpha * dout)


class ReLUBackward(LeakyReLU):  # backward forgets α
    def backward(self, dout):
        return dout * self.mask


class SlopeOnly(LeakyReLU):  # no chain rule
    def backward(self, dout):
        return np.where(self.mask, 1.0, self.alpha)


class AlphaOnTheRight(LeakyReLU):  # α on the positive side
    def forward(self, x):
        self.mask = x > 0
        return np.where(self.mask, self.alpha * x, x)


class InPlaceForward(LeakyReLU):  # changes x, as out = x; out[x <= 0] *= α would
    def forward(self, x):
        self.mask = x > 0
        x[~self.mask] *= self.alpha
        return x


class InPlaceBackward(LeakyReLU):  # changes dout, as Deep Learning from Scratch's ReLU does
    def backward(self, dout):
        dout[~self.mask] *= self.alpha
        return dout


class FirstCache(LeakyReLU):  # keeps the mask of the first forward only
    def forward(self, x):
        if self.mask is None:
            self.mask = x > 0
        return np.where(x > 0, x, self.alpha * x)


class WrongBackward(LeakyReLU):  # some other wrong derivative
    def backward(self, dout):
        return np.where(self.mask, dout, -self.alpha * dout)


def test_leaky_relu_accepts_a_correct_layer(capsys):
    assert checks.check_leaky_relu(LeakyReLU, strict=True).passed


@pytest.mark.parametrize(
    "cls, words",
    [
        (ReLUBackward, "ReLU's slope 0 for x < 0"),
        (SlopeOnly, "multiply it by dout (chain rule)"),
        (AlphaOnTheRight, "α multiplies the positive side"),
        (InPlaceForward, "forward changed its input x in place"),
        (InPlaceBackward, "backward changed dout in place"),
        (FirstCache, "backward is not its derivative"),
        (WrongBackward, "a gradient check of dx"),
    ],
)
def test_leaky_relu_names_each_mistake(cls, words, capsys):
    result = checks.check_leaky_relu(cls)
    assert result.status == "wrong", result.message
    assert words in " ".join(result.message.split()), result.message
    with pytest.raises(AssertionError):  # a class gets no generic wrong answer
        checks.check_leaky_relu(cls, strict=True)
