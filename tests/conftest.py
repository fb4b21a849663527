"""Fixtures shared by the unit tests."""

import pytest


@pytest.fixture(autouse=True)
def not_strict(monkeypatch):
    """CI sets CI=true, which makes every exercise checker strict (a wrong answer raises).
    The unit tests choose strictness themselves, so each starts from a non-strict environment."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DESCENT_STRICT_CHECKS", raising=False)


@pytest.fixture(autouse=True)
def default_hints(monkeypatch):
    """Every test starts with the default help level: no DESCENT_HINTS, no set_hints."""
    from descent.checks import engine

    monkeypatch.delenv("DESCENT_HINTS", raising=False)
    monkeypatch.setattr(engine, "_course_hints", None)
