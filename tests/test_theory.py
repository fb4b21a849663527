"""descent.theory: one module per method, in chapter order, with one name per idea."""

import inspect

from descent import theory

METHODS = (theory.gradient_descent, theory.momentum, theory.nesterov)


def test_every_method_module_names_the_same_ideas_alike():
    shared = {"rate", "converges", "max_lr", "optimal"}
    for module in METHODS:
        assert shared <= set(module.__all__), module.__name__
    two_step = {"iteration_matrix", "spectral_radius", "critical_momentum"}
    assert two_step <= set(theory.momentum.__all__) & set(theory.nesterov.__all__)
    assert set(theory.momentum.__all__) <= set(theory.nesterov.__all__)


def test_public_names_are_the_modules_functions_and_exist():
    for module in (*METHODS, theory.lower_bound, theory.adam, theory.convergence):
        for name in module.__all__:
            member = getattr(module, name)
            assert inspect.getmodule(member) is module, (module.__name__, name)


def test_the_package_lists_the_methods_in_chapter_order():
    doc = theory.__doc__
    order = [doc.index(f"theory.{m}") for m in ("gradient_descent", "momentum", "nesterov")]
    assert order == sorted(order)
    assert theory.measured_rate is theory.convergence.measured_rate
    assert theory.steps_for_reduction is theory.convergence.steps_for_reduction
