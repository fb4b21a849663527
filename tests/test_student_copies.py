"""descent.student_copies: student copies of the notebooks, without their solutions.

Unit tests on small notebooks (what is removed, what refuses, what stays byte for byte),
then the book itself: a copy of every chapter holds no solution, no cell outside the
solutions reads what a solution defined, and every copy runs top to bottom in a fresh
kernel with every check cell saying "not implemented yet".

Running the copies is the slow part, about as long as running the chapters (nbval): each
notebook is its own test class, so that pytest-xdist's loadscope spreads them over the
workers instead of running them all on one.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from descent.student_copies import (
    SolutionMarkerError,
    main,
    solution_blocks,
    solution_dependencies,
    student_copy,
    write_student_copies,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds, as nbval's --nbval-cell-timeout in pytest.ini

EXERCISE = "```{exercise} Square\n:label: ex-square\n\nWrite `square(x)`.\n```"
START = "```{solution-start} ex-square\n:class: dropdown\n```"
END = "```{solution-end}\n```"
WRITTEN = (
    "```{exercise} Why\n:label: ex-why\n\nExplain.\n```\n\n"
    "```{solution} ex-why\n:class: dropdown\n\nBecause.\n```"
)


def _notebook(*cells):
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return json.loads(nbformat.writes(nb))  # a plain dict, as json.load gives it


def _exercise_notebook():
    return _notebook(
        new_markdown_cell("# Squares"),
        new_markdown_cell(EXERCISE),
        new_code_cell("def square(x):\n    # your code here\n    raise NotImplementedError"),
        new_code_cell("checks.check_square(square)"),
        new_markdown_cell(START),
        new_markdown_cell("Multiply `x` by itself."),
        new_code_cell("def square(x):\n    return x * x"),
        new_code_cell(
            "assert checks.check_square(square, strict=True).passed",
            metadata={"tags": ["remove-cell"]},
        ),
        new_markdown_cell("It works for arrays too.\n\n" + END),
        new_markdown_cell(WRITTEN),
        new_markdown_cell("## Summary"),
    )


def _text(cell):
    return "".join(cell["source"])


# --------------------------------------------------------------------------- removing solutions


def test_removes_a_gated_solution_and_keeps_every_other_cell_unchanged():
    nb = _exercise_notebook()
    copy, summary = student_copy(nb)
    assert summary == {
        "solution blocks": 1,
        "solution directives": 1,
        "tagged cells": 0,
        "cells removed": 5,
    }
    assert copy["cells"][:4] == nb["cells"][:4]  # same ids, metadata, sources
    assert copy["cells"][-1] == nb["cells"][-1]
    assert {k: v for k, v in copy.items() if k != "cells"} == {
        k: v for k, v in nb.items() if k != "cells"
    }
    assert not any("solution" in _text(c) or "x * x" in _text(c) for c in copy["cells"])
    assert len(nb["cells"]) == 11  # the original is left as it was


def test_cuts_a_written_solution_out_of_the_exercise_cell():
    nb = _exercise_notebook()
    copy, _ = student_copy(nb)
    cell, original = copy["cells"][4], nb["cells"][9]
    assert _text(cell) == "```{exercise} Why\n:label: ex-why\n\nExplain.\n```"
    assert {k: v for k, v in cell.items() if k != "source"} == {
        k: v for k, v in original.items() if k != "source"
    }


@pytest.mark.parametrize(
    "text, left",
    [
        # a cell that is only a solution, with a code block inside a longer fence
        ("````{solution} ex-a\n:class: dropdown\n\n```python\nx = 1\n```\n````", None),
        # between two paragraphs: both stay, one blank line between them
        ("Before.\n\n```{solution} ex-a\nText.\n```\n\nAfter.", "Before.\n\nAfter."),
        # first in the cell: what follows stays
        ("```{solution} ex-a\nText.\n```\n\nAfter.", "After."),
        # colon fences, and two solutions in one cell
        (":::{solution} ex-a\nA.\n:::\nMiddle.\n:::{solution} ex-b\nB.\n:::", "Middle."),
    ],
)
def test_written_solutions_anywhere_in_a_cell(text, left):
    nb = _notebook(new_markdown_cell("intro"), new_markdown_cell(text))
    copy, summary = student_copy(nb)
    assert summary["solution directives"] == text.count("{solution}")
    if left is None:
        assert [_text(c) for c in copy["cells"]] == ["intro"]
    else:
        assert _text(copy["cells"][1]) == left


def test_removes_cells_tagged_solution():
    """A hidden cell that computes what a written solution quotes gives it away: tagged
    "solution", it goes too, and a later cell that needs what it defined is found."""
    answer = new_code_cell(
        "best = 0.25\nassert best < 1", metadata={"tags": ["remove-cell", "solution"]}
    )
    nb = _notebook(new_markdown_cell(WRITTEN), answer, new_code_cell("print(best)"))
    copy, summary = student_copy(nb)
    assert summary["tagged cells"] == 1 and summary["cells removed"] == 1
    assert [c["id"] for c in copy["cells"]] == [nb["cells"][0]["id"], nb["cells"][2]["id"]]
    [found] = solution_dependencies(nb)
    assert found.cell == 2 and found.names == ("best",) and "tagged solution" in str(found)


def test_a_notebook_without_solutions_is_copied_byte_for_byte(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[new_markdown_cell("# Title ✓ θ"), new_code_cell("x = 1\nprint(x)")]
    )
    source = tmp_path / "book" / "plain.ipynb"
    source.parent.mkdir()
    nbformat.write(nb, source)
    [copy] = write_student_copies([source], tmp_path / "student", echo=lambda line: None)
    assert copy.read_bytes() == source.read_bytes()


def test_the_copy_is_written_as_nbformat_writes_it(tmp_path):
    source = tmp_path / "exercise.ipynb"
    source.write_text(nbformat.writes(nbformat.from_dict(_exercise_notebook())) + "\n")
    [copy] = write_student_copies([source], tmp_path / "out", echo=lambda line: None)
    text = copy.read_text(encoding="utf-8")
    assert text == nbformat.writes(nbformat.read(copy, as_version=4)) + "\n"
    nbformat.validate(nbformat.read(copy, as_version=4))


# --------------------------------------------------------------------------- refusing


@pytest.mark.parametrize(
    "cells, words",
    [
        ([START, "solution"], "opened at cell 0 (solution-start ex-square) is never closed"),
        (["text", END], "cell 1 closes a solution"),
        ([START, START, END, END], "cell 1 opens a solution"),
        (["```{solution} ex\nnever closed"], "cell 0: a {solution} directive is never closed"),
        (["Exercise text.\n\n" + START, END], "text before its solution-start"),
        ([START, END + "\n\nMore text."], "text after its solution-end"),
    ],
)
def test_refuses_markers_it_cannot_remove_safely(cells, words):
    nb = _notebook(*(new_markdown_cell(text) for text in cells))
    with pytest.raises(SolutionMarkerError) as error:
        student_copy(nb, "ch.ipynb")
    assert str(error.value).startswith("ch.ipynb: ") and words in str(error.value), error.value


def test_unbalanced_markers_stop_the_command_before_anything_is_written(tmp_path, capsys):
    good, bad = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    good.write_text(json.dumps(_exercise_notebook()))
    bad.write_text(json.dumps(_notebook(new_markdown_cell(START))))
    out = tmp_path / "student"
    assert main(["--out", str(out), str(good), str(bad)]) == 1
    assert "b.ipynb" in capsys.readouterr().err and not out.exists()


def test_the_command_writes_copies_and_a_readme(tmp_path, capsys):
    source = tmp_path / "book" / "ch.ipynb"
    source.parent.mkdir()
    source.write_text(json.dumps(_exercise_notebook()))
    out = tmp_path / "handout"
    assert main(["--out", str(out), str(source)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "ch.ipynb"]
    assert "python -m descent.student_copies" in (out / "README.md").read_text()
    printed = capsys.readouterr().out
    assert "removed 1 coding solution and 1 written solution (5 cells in all)" in printed
    # never into the notebooks' own folder
    assert main(["--out", str(source.parent), str(source)]) == 1
    assert "would replace them" in capsys.readouterr().err


def test_runs_as_a_module(tmp_path):
    """The documented command, as a reader types it (from the folder that holds book/)."""
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "ch.ipynb").write_text(json.dumps(_exercise_notebook()))
    run = subprocess.run(
        [sys.executable, "-m", "descent.student_copies"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "student" / "ch.ipynb").is_file()
    assert "1 student copy and a README.md in student/" in run.stdout


# --------------------------------------------------------------------------- names of solutions


def _dependencies(*sources):
    """solution_dependencies of: the exercise notebook's cells, then code cells."""
    nb = _exercise_notebook()
    nb["cells"] += [json.loads(json.dumps(new_code_cell(s))) for s in sources]
    return [(d.cell - 11, d.names) for d in solution_dependencies(nb)]


def test_finds_cells_that_read_what_a_solution_defined():
    assert _dependencies("print(square(3))") == [(0, ("square",))]  # the stub's, in the copy
    assert _dependencies("y = 1", "z = y + len(square.__name__)") == [(1, ("square",))]


@pytest.mark.parametrize(
    "sources",
    [
        ["def square(x):\n    return x**2", "square(2)"],  # redefined outside the solution
        ["square = abs\nsquare(-2)"],  # bound before it is read
        ["def f(square):\n    return square"],  # a parameter
        ["[square for square in range(3)]"],  # a comprehension's own variable
        ["for square in range(3):\n    print(square)"],
        ["%timeit square\nsquare = 1"],  # a magic is not Python
        ["def g():\n    return square\nsquare = abs\ng()"],  # bound in the same cell
        ["not python ("],
    ],
)
def test_ignores_names_bound_again_or_local(sources):
    assert _dependencies(*sources) == []


def test_names_read_inside_functions_count():
    assert _dependencies("def g():\n    return square(2)") == [(0, ("square",))]
    assert _dependencies("h = lambda: [square(i) for i in range(2)]") == [(0, ("square",))]


# --------------------------------------------------------------------------- the book


def _removed(nb):
    """The indices of the original cells a copy must drop, and the lines that only the
    solutions hold (a stub's `def` line, say, is in the solution and outside it)."""
    blocks = solution_blocks(nb["cells"])
    inside = {i for start, end, _ in blocks for i in range(start, end + 1)}
    inside |= {i for i, c in enumerate(nb["cells"]) if "solution" in c["metadata"].get("tags", [])}
    written = re.compile(r"^(`{3,}|:{3,})\{solution\}.*?^\1\s*$", re.S | re.M)
    solutions, elsewhere = [], []
    for i, cell in enumerate(nb["cells"]):
        if i in inside:
            solutions.append(_text(cell))
        else:
            solutions += [m.group(0) for m in written.finditer(_text(cell))]
            elsewhere.append(written.sub("", _text(cell)))
    others = {line.strip() for line in "\n".join(elsewhere).splitlines()}
    lines = {line.strip() for s in solutions for line in s.splitlines()} - others
    return inside, {line for line in lines if len(line) > 30}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_book_copy_holds_no_solution_and_everything_else(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    copy, summary = student_copy(nb, path.name)
    inside, solution_lines = _removed(nb)
    assert summary["solution blocks"] >= 1, f"{path.name} has no coding exercise"
    removed_ids = {nb["cells"][i]["id"] for i in inside}
    for cell in copy["cells"]:
        text = _text(cell)
        assert cell["id"] not in removed_ids
        assert "{solution" not in text, f"{path.name}: a solution marker is left: {text[:80]}"
        assert not re.search(r"checks\.check_\w+\(.*strict=True", text)
        left = solution_lines & {line.strip() for line in text.splitlines()}
        assert not left, f"{path.name}: solution text left: {left}"  # lines over 30 characters
    # everything else stays, in order; a cell that held a written solution keeps the rest
    originals = {c["id"]: c for c in nb["cells"]}
    assert [c["id"] for c in copy["cells"]] == [
        c["id"] for c in nb["cells"] if c["id"] in {k["id"] for k in copy["cells"]}
    ]
    for cell in copy["cells"]:
        original = originals[cell["id"]]
        if cell != original:
            assert "{solution}" in _text(original) and "{exercise}" in _text(cell)
            assert _text(original).startswith(_text(cell))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_after_a_solution_reads_what_it_defined(path):
    """In the copy a name defined only by a solution is missing (or is the stub), so a
    later cell that reads it fails there or computes something else. Define what later
    cells need outside the solution, or name it differently inside."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = solution_dependencies(nb, path.name)
    assert found == [], f"{path.name}: " + "; ".join(map(str, found))


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Student copies of every chapter, written once per test process."""
    out = tmp_path_factory.mktemp("student")
    write_student_copies(NOTEBOOKS, out, echo=lambda line: None)
    return out


class _RunsCleanly:
    """Execute one student copy in a fresh kernel of this Python, in the copies' folder,
    with strict checks on (as in CI): no cell may fail, and every check cell must say
    "not implemented yet"."""

    notebook: Path

    def test_runs_and_every_check_says_not_implemented(self, copies, monkeypatch):
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import KernelManager
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        class ThisPython(KernelSpecManager):  # the kernel of the interpreter running pytest
            def get_kernel_spec(self, kernel_name):
                import ipykernel.kernelspec as spec

                return self.kernel_spec_class(resource_dir=spec.RESOURCES, **spec.get_kernel_dict())

        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):  # see book/conftest.py
            monkeypatch.setenv(variable, "1")
        monkeypatch.setenv("DESCENT_STRICT_CHECKS", "1")
        monkeypatch.setenv("MPLBACKEND", "Agg")
        path = copies / self.notebook.name
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            km=KernelManager(kernel_name="python3", kernel_spec_manager=ThisPython()),
            timeout=CELL_TIMEOUT,
            startup_timeout=60,
            resources={"metadata": {"path": str(copies)}},
        )
        try:
            client.execute(cleanup_kc=True)  # we made the kernel manager: shut it down
        except CellExecutionError as error:
            pytest.fail(f"the student copy of {path.name} fails:\n{error}", pytrace=False)
        check_cells = [
            c
            for c in nb.cells
            if c.cell_type == "code"
            and "checks.check_" in c.source
            and "remove-cell" not in c.metadata.get("tags", [])
        ]
        assert check_cells, f"{path.name}: no check cell"
        for cell in check_cells:
            printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert "not implemented yet" in printed, (
                f"{path.name}: {cell.source!r} printed {printed!r}"
            )


for _path in NOTEBOOKS:  # one class per notebook: one xdist scope each
    _name = "TestStudentCopy_" + re.sub(r"\W", "_", _path.stem)
    globals()[_name] = type(_name, (_RunsCleanly,), {"notebook": _path})
