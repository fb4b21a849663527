"""At ηλ = 1 Nesterov's iteration matrix is nilpotent, not zero (the docstrings of
descent.theory.nesterov and Chapter 7 say so): N ≠ 0, N² = 0, and the stored θ needs two steps."""

import numpy as np
import pytest

from descent import functions, theory
from descent.optimizers import Nesterov
from descent.training import run


@pytest.mark.parametrize("mu", [0.1, 0.5, 0.9, 0.99])
def test_matrix_at_eta_lambda_one_is_nilpotent_not_zero(mu):
    N = theory.nesterov.iteration_matrix(0.5, mu, 2.0)  # ηλ = 1
    assert np.abs(N).max() >= 1.0
    assert np.abs(N @ N).max() < 1e-15
    assert theory.nesterov.spectral_radius(0.5, mu, 2.0) == 0


@pytest.mark.parametrize("mu", [0.5, 0.9])
def test_two_steps_reach_the_minimum_not_one(mu):
    line = functions.quadratic([[1.0]])
    points = run(Nesterov(lr=1.0, momentum=mu), line, [1.0], 4).points[:, 0]
    assert abs(points[1] + mu) < 1e-15  # one step: −μ θ₀, not 0
    assert np.all(np.abs(points[2:]) < 1e-15)
