"""descent.functions.absolute_value: f(θ) = |θ − θ*| in 1-D, whose negative gradient is a
coin ±1 (Chapter 13)."""

import numpy as np
import pytest

from descent import functions


def test_absolute_value_function():
    f = functions.absolute_value(10.0)
    assert f.dim == 1 and f.minima[0][0] == 10.0 and f.window == (-2.0, 12.0)
    xs = np.array([[0.0, 10.0, 12.5]])
    np.testing.assert_allclose(f(xs), [10.0, 0.0, 2.5])
    np.testing.assert_allclose(f.grad(xs), [[-1.0, 0.0, 1.0]])


def test_absolute_value_is_exported_and_checks_its_input():
    assert {"AbsoluteValue", "absolute_value"} <= set(functions.__all__)
    f = functions.absolute_value(-2.0, start=3.0)
    assert isinstance(f, functions.AbsoluteValue) and f.start[0] == 3.0
    np.testing.assert_array_equal(f.hessian(np.array([1.0])), [[0.0]])
    with pytest.raises(ValueError, match="finite"):
        functions.absolute_value(np.inf)
