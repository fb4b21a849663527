"""Every checker in descent.checks.__all__, fed the same generic students.

Each checker carries its exercise's declaration (``@exercise`` in
descent/checks/engine.py): the student's function's name, its parameters, a reference
solution, the cases and the inputs that must stay unchanged. From it these tests build,
for every checker, checkers added later included:

- the reference itself: it passes, even in strict mode, on every case;
- a stub raising NotImplementedError, and one returning None: "not implemented yet",
  never an exception, even in strict mode;
- a function raising ZeroDivisionError on its own line: status "error", the message names
  the exception and shows that line, with nothing from descent's internals, and strict mode
  (the argument, or the environment) raises AssertionError;
- the reference's answer with an extra axis, and with the other kind of dtype (integers for
  floats and the reverse), where the answer is an array: status "wrong", and the message
  says "shape" or "dtype";
- the reference's answer from a function that then changes one of the inputs the exercise
  says must stay unchanged: status "wrong", and the message names that input.

What is particular to one exercise (its known mistakes, their diagnoses, alternative right
answers, which inputs must stay unchanged) is tested in its module's tests.

The book's side is checked too: every checker runs in strict mode in a hidden cell of some
chapter, on that chapter's own solution, so CI (nbval) fails if a solution or a checker
breaks.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from descent import checks
from descent.checks.engine import Case, Exercise

ROOT = Path(__file__).resolve().parents[1]
CHECKERS = sorted(name for name in checks.__all__ if name.startswith("check_"))
DESCENT_DIR = str(Path(checks.__file__).resolve().parents[1])


def _record(name) -> Exercise:
    record = getattr(getattr(checks, name), "exercise", None)
    assert isinstance(record, Exercise), (
        f"checks.{name} has no exercise record: decorate it with "
        '@exercise("function_name", "its, parameters", reference=...) from '
        "descent.checks.engine, so that these tests can build students for it"
    )
    return record


def _student(record: Exercise, body: str, tmp_path: Path):
    """A function named and declared as the exercise's stub, with ``body``, written to a
    file so that its source lines show in tracebacks as a notebook cell's do. For a class,
    ``body`` is its ``__init__``'s."""
    indent = "        " if record.is_class else "    "
    source = record.signature + "\n"
    if record.is_class:
        source += f"    def __init__(self, {record.params}):\n"
    source += "".join(f"{indent}{line}\n" for line in body.splitlines())
    path = tmp_path / f"student_{record.name}.py"
    path.write_text(source, encoding="utf-8")
    namespace: dict = {}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace[record.name]


def _distorted(record: Exercise, change):
    """A student returning the reference's answer with ``change`` applied to its first
    array (the answer itself, or the first item of a tuple or list). ``changed`` records
    whether any answer had an array to change."""

    def distort(value):
        if value is None:  # an exercise that changes its arguments in place
            return value
        if isinstance(value, (tuple, list)) and value:
            return type(value)([distort(value[0]), *value[1:]])
        new = change(value)
        if new is not value:
            student.changed = True
        return new

    def student(*args, **kwargs):
        return distort(record.reference(*args, **kwargs))

    student.__name__ = record.name
    student.changed = False
    return student


def _extra_axis(value):
    if np.ndim(value) == 0:
        return np.array([value, value])  # two numbers where one is expected
    return np.asarray(value)[np.newaxis]


def _other_dtype(value):
    if np.ndim(value) == 0:
        return value  # a number: no dtype to get wrong
    array = np.asarray(value)
    return array.astype(float) if array.dtype.kind in "biu" else array.astype(int)


def _first_args(record: Exercise) -> tuple:
    case = list(record.cases())[0]
    return copy.deepcopy(case.args if isinstance(case, Case) else case)


def _in_place(record: Exercise) -> bool:
    """Does the exercise's function change its arguments and return nothing?"""
    return not record.verdict and record.reference(*_first_args(record)) is None


def _params(record: Exercise) -> list[str]:
    return [p.split("=")[0].strip() for p in record.params.split(",")]


def _flat(message: str) -> str:
    return " ".join(message.split())


def test_there_are_checkers():
    assert len(CHECKERS) >= 10, CHECKERS


@pytest.mark.parametrize("name", CHECKERS)
def test_the_record_matches_the_reference(name, capsys, tmp_path):
    record = _record(name)
    assert re.fullmatch(r"[a-z_][a-z0-9_]*|[A-Z][A-Za-z0-9]*", record.name), record.name
    student = _student(record, "pass", tmp_path)  # the parameters are valid Python
    params = list(inspect.signature(student).parameters)
    inspect.signature(record.reference).bind(*params)  # called like the student's function
    assert params == _params(record)
    result = getattr(checks, name)(record.reference, strict=True)
    assert result.passed and result.status == "passed" and result, result.message
    assert result.name == record.name and result.case is None
    n = len(list(record.cases()))
    assert n >= 2, f"{name} has {n} case: too few to tell a right answer from a lucky one"
    out = capsys.readouterr().out
    assert out.startswith(f"✔ {record.name}: ") and out.strip() == result.message
    assert f"correct on all {n} test cases" in " ".join(out.split())


@pytest.mark.parametrize("name", CHECKERS)
def test_the_cases_are_seeded(name):
    record = _record(name)
    with np.printoptions(threshold=sys.maxsize):  # every entry of every array
        first, again = repr(list(record.cases())), repr(list(record.cases()))
    assert first == again, f"{name}: two calls built different cases"


@pytest.mark.parametrize("name", CHECKERS)
def test_a_stub_is_not_implemented_even_in_strict_mode(name, tmp_path, capsys, monkeypatch):
    record, checker = _record(name), getattr(checks, name)
    stubs = [_student(record, "# your code here\nraise NotImplementedError", tmp_path)]
    if not record.is_class and not _in_place(record):  # "..." returns None: no answer yet
        stubs.append(_student(record, "...", tmp_path))
    for stub in stubs:
        result = checker(stub, strict=True)
        assert result.status == "not implemented" and not result.passed, result.message
        assert result.message.startswith(f"… {record.name}: not implemented yet")
        monkeypatch.setenv("CI", "true")
        assert checker(stub).status == "not implemented"
        monkeypatch.delenv("CI")
    assert capsys.readouterr().out.count("not implemented yet") == 2 * len(stubs)


@pytest.mark.parametrize("name", CHECKERS)
def test_an_exception_shows_the_students_line_only(name, tmp_path, capsys):
    record, checker = _record(name), getattr(checks, name)
    raises = _student(record, "zero = 0\nscale = 1 / zero\nreturn scale", tmp_path)
    result = checker(raises)
    assert result.status == "error" and not result.passed, result.message
    assert result.message == capsys.readouterr().out.strip()
    assert result.message.startswith(f"✘ {record.name} raised ZeroDivisionError")
    assert "division by zero" in result.message
    assert "scale = 1 / zero" in result.message  # the student's own line
    assert f"in {record.name}" in result.message
    assert "Traceback" not in result.message and DESCENT_DIR not in result.message
    assert not re.search(r"\w+\.py\b", result.message), result.message  # no internal files
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        checker(raises, strict=True)
    assert capsys.readouterr().out == ""  # the message is in the exception, not twice


@pytest.mark.parametrize("name", CHECKERS)
def test_not_a_function_is_an_error(name, capsys):
    record, checker = _record(name), getattr(checks, name)
    for value in (None, 42):
        result = checker(value)
        assert result.status == "error" and not result.passed
        kind = type(value).__name__
        assert result.message == f"✘ {record.name}: expected a function, got {kind}."


@pytest.mark.parametrize("variable, value", [("DESCENT_STRICT_CHECKS", "1"), ("CI", "true")])
@pytest.mark.parametrize("name", CHECKERS)
def test_strict_mode_comes_from_the_environment(name, variable, value, tmp_path, monkeypatch):
    record, checker = _record(name), getattr(checks, name)
    raises = _student(record, "zero = 0\nscale = 1 / zero\nreturn scale", tmp_path)
    monkeypatch.setenv(variable, value)
    with pytest.raises(AssertionError, match=f"{record.name} raised ZeroDivisionError"):
        checker(raises)
    assert checker(raises, strict=False, hint=None).status == "error"  # the argument wins
    assert checker(record.reference).passed


@pytest.mark.parametrize("change, word", [(_extra_axis, "shape"), (_other_dtype, "dtype")])
@pytest.mark.parametrize("name", CHECKERS)
def test_a_wrong_shape_or_dtype_is_named(name, change, word, capsys):
    record, checker = _record(name), getattr(checks, name)
    if record.is_class:
        pytest.skip(f"{record.name} is a class: its checker tests the objects it makes")
    student = _distorted(record, change)
    result = checker(student)
    if not student.changed:
        pytest.skip(f"{record.name} returns no array whose {word} could be wrong")
    assert result.status == "wrong" and not result.passed, result.message
    assert word in _flat(result.message).lower(), result.message
    with pytest.raises(AssertionError):
        checker(student, strict=True)


def _changing(record: Exercise, k: int):
    """A student returning the reference's answer, who then changes its k-th argument."""

    def student(*args, **kwargs):
        result = record.reference(*args, **kwargs)
        np.add(args[k], 1, out=args[k], casting="unsafe")
        return result

    student.__name__ = record.name
    return student


@pytest.mark.parametrize("name", CHECKERS)
def test_a_changed_input_is_named(name, capsys):
    record, checker = _record(name), getattr(checks, name)
    if not record.unchanged:
        pytest.skip(f"{record.name} does not say that its inputs stay unchanged")
    arrays = [k for k in record.unchanged if isinstance(_first_args(record)[k], np.ndarray)]
    assert arrays, f"{name}: none of the inputs that must stay unchanged is an array"
    for k in arrays:  # a number cannot be changed in place
        result = checker(_changing(record, k))
        assert result.status == "wrong" and result.case == 0, result.message
        flat = _flat(result.message)
        assert f"changed its input {_params(record)[k]}" in flat, result.message
        with pytest.raises(AssertionError, match="changed its input"):
            checker(_changing(record, k), strict=True)


# --------------------------------------------------------------------------- the book


def _code_cells():
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = cell["source"]
                yield path, cell, "".join(source) if isinstance(source, list) else source


def test_every_checker_runs_strictly_on_a_solution_in_the_book():
    """A checker only protects the book if some chapter runs it, in strict mode, in a
    hidden cell after its solution: then nbval fails when the solution or the checker
    breaks."""
    strict = set()
    for _, cell, source in _code_cells():
        if "remove-cell" in cell.get("metadata", {}).get("tags", []):
            strict.update(re.findall(r"checks\.(check_\w+)\([^()]*strict=True", source))
    missing = [name for name in CHECKERS if name not in strict]
    assert missing == [], (
        f"never run as `assert checks.check_xxx(fn, strict=True).passed` in a hidden "
        f"(remove-cell) cell of a chapter: {missing}"
    )


def test_every_stub_in_the_book_is_declared_as_its_record_says():
    """The record's signature is the first line of the chapter's stub, so that the generic
    students above are called exactly as the students' own functions are."""
    stubs = {
        source.splitlines()[0].strip()
        for _, _, source in _code_cells()
        if source.startswith(("def ", "class ")) and "raise NotImplementedError" in source
    }
    records = {name: getattr(getattr(checks, name), "exercise", None) for name in CHECKERS}
    wrong = [
        f"{name}: {record.signature}"
        for name, record in records.items()
        if record is not None and record.signature not in stubs  # no record: failed above
    ]
    assert wrong == [], f"no stub in book/*.ipynb begins with: {wrong}"


def _solution_lines(name: str) -> set[str]:
    """The code lines (comments dropped, over 15 characters) of the book's solution of the
    exercise that checker ``name`` checks, except those also found outside the solution
    (a stub's `def` line)."""
    from tools_handout import handout

    inside, outside = set(), set()
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts = ["".join(c["source"]) if c["cell_type"] == "code" else "" for c in cells]
        blocks = handout.solution_blocks(cells, path.name)
        mine = [(s, e) for s, e, _ in blocks if any(f"{name}(" in t for t in texts[s:e])]
        solution = {i for s, e in mine for i in range(s, e)}
        for i, text in enumerate(texts):
            lines = {line.split("#")[0].strip() for line in text.splitlines()}
            (inside if i in solution else outside).update(x for x in lines if len(x) > 15)
    return inside - outside


@pytest.mark.parametrize("name", CHECKERS)
def test_no_message_holds_the_solution_even_with_every_hint(name, capsys):
    """A checker names what is wrong and gives hints that point at the idea; at the
    highest level, on a wrong shape or a wrong sign, its message still holds no line of
    the book's solution."""
    record, checker = _record(name), getattr(checks, name)
    if record.is_class:
        pytest.skip(f"{record.name} is a class: tests/test_checks_adam.py gives it wrong ones")
    solution = _solution_lines(name)
    assert solution, f"no solution found in the book for {name}"
    for change in (_extra_axis, lambda value: -np.asarray(value)):
        student = _distorted(record, change)
        result = checker(student, hint=2)
        if not student.changed:
            continue
        assert result.status == "wrong", result.message
        assert "Hint 1 of" in result.message, result.message
        flat = " ".join(result.message.split())
        left = [line for line in solution if " ".join(line.split()) in flat]
        assert not left, f"{name} prints solution lines {left}:\n{result.message}"
