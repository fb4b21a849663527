"""Optional cross-check against torch.optim: skipped when torch is not installed.

torch is never a requirement of the book; this file only confirms, where torch is at hand,
that each optimizer torch also has produces the same iterates (float64, 50 steps).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from descent.optimizers import (
    SGD,
    Adadelta,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    Momentum,
    NAdam,
    Nesterov,
    RMSProp,
)

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def float64_scalars():
    """torch keeps scalar state (the step, NAdam's mu_product) in the default dtype,
    float32 unless told otherwise; float64 makes it comparable with Python floats."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


# (a factory of ours, torch class name, torch keyword arguments)
CASES = {
    "SGD": (lambda: SGD(lr=0.05), "SGD", {"lr": 0.05}),
    "Momentum": (lambda: Momentum(lr=0.05, momentum=0.9), "SGD", {"lr": 0.05, "momentum": 0.9}),
    "Nesterov": (
        lambda: Nesterov(lr=0.05, momentum=0.8),
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    ),
    "AdaGrad": (lambda: AdaGrad(lr=0.1), "Adagrad", {"lr": 0.1}),
    "RMSProp": (lambda: RMSProp(lr=0.01, rho=0.9), "RMSprop", {"lr": 0.01, "alpha": 0.9}),
    "Adadelta": (lambda: Adadelta(), "Adadelta", {}),
    "Adadelta-custom": (lambda: Adadelta(lr=0.5, rho=0.95), "Adadelta", {"lr": 0.5, "rho": 0.95}),
    "Adam": (lambda: Adam(lr=0.01), "Adam", {"lr": 0.01}),
    "Adam-L2": (lambda: Adam(lr=0.01, weight_decay=0.1), "Adam", {"lr": 0.01, "weight_decay": 0.1}),
    "Adam-amsgrad": (lambda: Adam(lr=0.01, amsgrad=True), "Adam", {"lr": 0.01, "amsgrad": True}),
    "AdaMax": (lambda: AdaMax(lr=0.01), "Adamax", {"lr": 0.01}),
    "NAdam": (lambda: NAdam(lr=0.01), "NAdam", {"lr": 0.01}),
    "NAdam-psi": (
        lambda: NAdam(lr=0.01, momentum_decay=0.05),
        "NAdam",
        {"lr": 0.01, "momentum_decay": 0.05},
    ),
    "AdamW": (lambda: AdamW(lr=0.01, weight_decay=0.1), "AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    "AdamW-amsgrad": (
        lambda: AdamW(lr=0.01, amsgrad=True),
        "AdamW",
        {"lr": 0.01, "amsgrad": True},
    ),
}


def least_squares(seed=0, n=40, d=6):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.1 * rng.normal(size=n)
    return X, y, rng.normal(size=d)


@pytest.mark.parametrize("case", list(CASES))
def test_same_iterates_as_torch(case):
    factory, torch_name, torch_kwargs = CASES[case]
    ours = factory()
    X, y, w0 = least_squares()

    def grad(w):  # of the mean squared error / 2, so g depends on where we are
        return X.T @ (X @ w - y) / len(y)

    w = w0.copy()
    p = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    reference = getattr(torch.optim, torch_name)([p], **torch_kwargs)
    for _ in range(50):
        ours.update({"w": w}, {"w": grad(w)})
        p.grad = torch.from_numpy(grad(p.detach().numpy().copy()))
        reference.step()
        np.testing.assert_allclose(w, p.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert np.linalg.norm(w - w0) > 1e-3  # the parameters did move


# Our defaults follow torch.optim, except Momentum/Nesterov's momentum (torch: 0, optional).
DEFAULTS = [
    (SGD, "SGD", {"lr": "lr"}),
    (AdaGrad, "Adagrad", {"lr": "lr", "eps": "eps"}),
    (RMSProp, "RMSprop", {"lr": "lr", "rho": "alpha", "eps": "eps"}),
    (Adadelta, "Adadelta", {"lr": "lr", "rho": "rho", "eps": "eps"}),
    (Adam, "Adam", {"lr": "lr", "eps": "eps", "weight_decay": "weight_decay"}),
    (AdaMax, "Adamax", {"lr": "lr", "eps": "eps"}),
    (NAdam, "NAdam", {"lr": "lr", "eps": "eps", "momentum_decay": "momentum_decay"}),
    (AdamW, "AdamW", {"lr": "lr", "eps": "eps", "weight_decay": "weight_decay"}),
]


@pytest.mark.parametrize(("cls", "torch_name", "names"), DEFAULTS, ids=lambda x: str(x))
def test_defaults_match_torch(cls, torch_name, names):
    theirs = inspect.signature(getattr(torch.optim, torch_name)).parameters
    ours = inspect.signature(cls).parameters
    for our_name, their_name in names.items():
        their_default = theirs[their_name].default
        if not isinstance(their_default, (int, float)):  # e.g. SGD's lr is a required marker
            their_default = 1e-3
        assert ours[our_name].default == their_default, our_name
    if "betas" in theirs:
        assert (ours["beta1"].default, ours["beta2"].default) == theirs["betas"].default
    if "amsgrad" in theirs:
        assert ours["amsgrad"].default == theirs["amsgrad"].default
