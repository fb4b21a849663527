"""tools/handout.py: student copies of the notebooks, without their solutions, and the
zip an instructor hands out.

Unit tests on small notebooks (what is removed, what refuses), the command (a fresh
folder, a zip of exactly the files it made: a solution planted in .ipynb_checkpoints or in
a notebook's metadata never reaches it), then the book itself: a copy of every chapter
holds no solution and no hidden cell, and runs top to bottom in a fresh kernel with every
check cell saying "not implemented yet".

Running the copies is the slow part, about as long as running the chapters (nbval): each
notebook is its own test class, so that pytest-xdist's loadscope spreads them over the
workers instead of running them all on one.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from tools_handout import handout

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds, as nbval's --nbval-cell-timeout in pytest.ini
SECRET = "return x * x  # the planted solution"

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
    return nb


def _exercise_notebook():
    return _notebook(
        new_markdown_cell("# Squares"),
        new_markdown_cell(EXERCISE),
        new_code_cell("def square(x):\n    # your code here\n    raise NotImplementedError"),
        new_code_cell("checks.check_square(square)"),
        new_markdown_cell(START),
        new_markdown_cell("Multiply `x` by itself."),
        new_code_cell("def square(x):\n    " + SECRET),
        new_code_cell(
            "assert checks.check_square(square, strict=True).passed",
            metadata={"tags": ["remove-cell"]},
        ),
        new_markdown_cell("It works for arrays too.\n\n" + END),
        new_markdown_cell(WRITTEN),
        new_code_cell("assert square(2) == 4", metadata={"tags": ["remove-cell"]}),
        new_markdown_cell("## Summary"),
    )


def _text(cell):
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


# --------------------------------------------------------------------------- removing solutions


def test_removes_solutions_and_hidden_cells_and_keeps_every_other_cell():
    nb = _exercise_notebook()
    copy, summary = handout.student_copy(nb)
    assert summary == {"coding solutions": 1, "written solutions": 1, "cells removed": 6}
    assert [c.id for c in copy.cells] == [
        c.id for i, c in enumerate(nb.cells) if i in (0, 1, 2, 3, 9, 11)
    ]
    assert [_text(c) for c in copy.cells[:4]] == [_text(c) for c in nb.cells[:4]]
    assert not any("solution" in _text(c) or "x * x" in _text(c) for c in copy.cells)
    assert not any("remove-cell" in c.metadata.get("tags", []) for c in copy.cells)
    assert len(nb.cells) == 12  # the original is left as it was


def test_cuts_a_written_solution_out_of_the_exercise_cell():
    copy, _ = handout.student_copy(_exercise_notebook())
    assert _text(copy.cells[4]) == "```{exercise} Why\n:label: ex-why\n\nExplain.\n```"


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
    copy, summary = handout.student_copy(nb)
    assert summary["written solutions"] == text.count("{solution}")
    if left is None:
        assert [_text(c) for c in copy.cells] == ["intro"]
    else:
        assert _text(copy.cells[1]) == left


def test_removes_cells_tagged_solution_outputs_and_metadata():
    """A hidden cell that computes what a written solution quotes gives it away; so do a
    stored output of the solution and anything an editor stored in the metadata."""
    answer = new_code_cell("best = 0.25", metadata={"tags": ["solution"]})
    shown = new_code_cell("print(best)", metadata={"tags": ["hide-input"], "answer": SECRET})
    shown.outputs = [nbformat.v4.new_output("stream", text=SECRET)]
    shown.execution_count = 3
    nb = _notebook(new_markdown_cell(WRITTEN), answer, shown)
    nb.metadata["solution"] = SECRET
    copy, summary = handout.student_copy(nb)
    assert summary["cells removed"] == 1 and len(copy.cells) == 2
    assert copy.cells[1].metadata == {"tags": ["hide-input"]}
    assert copy.cells[1].outputs == [] and copy.cells[1].execution_count is None
    assert set(copy.metadata) == {"kernelspec"}
    assert SECRET not in handout.dumps(copy)


def test_the_copy_is_written_as_nbformat_writes_it():
    copy, _ = handout.student_copy(_exercise_notebook())
    text = handout.dumps(copy)
    assert text == nbformat.writes(nbformat.reads(text, as_version=4)) + "\n"
    nbformat.validate(nbformat.reads(text, as_version=4))


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
    with pytest.raises(handout.SolutionMarkerError) as error:
        handout.student_copy(nb, "ch.ipynb")
    assert str(error.value).startswith("ch.ipynb: ") and words in str(error.value), error.value


def test_unbalanced_markers_stop_the_command_before_anything_is_written(tmp_path, capsys):
    good, bad = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    nbformat.write(_exercise_notebook(), good)
    nbformat.write(_notebook(new_markdown_cell(START)), bad)
    out = tmp_path / "student"
    assert handout.main(["copies", "--out", str(out), str(good), str(bad)]) == 1
    assert "b.ipynb" in capsys.readouterr().err and not out.exists()


# --------------------------------------------------------------------------- the command


def _course(tmp_path):
    """A small course folder: a chapter with a solution, the package's files, and a
    solution planted where a careless hand-out would pick it up."""
    root = tmp_path / "course"
    (root / "book" / ".ipynb_checkpoints").mkdir(parents=True)
    chapter = _exercise_notebook()
    chapter.metadata["answers"] = {"square": SECRET}  # planted in the metadata
    chapter.cells[2].metadata["solution"] = SECRET
    nbformat.write(chapter, root / "book" / "ch.ipynb")
    solved = _exercise_notebook()
    solved.cells[2].source = "def square(x):\n    " + SECRET
    nbformat.write(solved, root / "book" / ".ipynb_checkpoints" / "ch-checkpoint.ipynb")
    package = root / "code" / "src" / "pkg"
    (package / "__pycache__").mkdir(parents=True)
    (package / "__init__.py").write_text('"""A package."""\n')
    (package / "__pycache__" / "notes.py").write_text(SECRET)
    (root / "code" / ".ipynb_checkpoints").mkdir()
    (root / "code" / ".ipynb_checkpoints" / "scratch.py").write_text(SECRET)
    (root / "code" / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    (root / "code" / "README.md").write_text("The package.\n")
    (root / "requirements.txt").write_text("-e ./code\n")
    (root / "runtime.txt").write_text("python-3.11\n")
    return root


def test_the_command_writes_a_fresh_folder_and_a_zip_without_any_solution(
    tmp_path, capsys, monkeypatch
):
    root = _course(tmp_path)
    monkeypatch.chdir(root)
    out = root / "student"
    (out / ".ipynb_checkpoints").mkdir(parents=True)  # left by trying an earlier copy
    (out / ".ipynb_checkpoints" / "ch-checkpoint.ipynb").write_text(SECRET)
    (out / "ch.ipynb").write_text(SECRET)  # an earlier copy, replaced
    assert handout.main(["copies", "--zip", "handout.zip"]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "README.md",
        "ch.ipynb",
    ]
    assert "python tools/handout.py copies" in (out / "README.md").read_text()
    with zipfile.ZipFile(root / "handout.zip") as archive:
        names = sorted(archive.namelist())
        contents = [archive.read(name).decode() for name in names]
    assert names == [
        "handout/code/README.md",
        "handout/code/pyproject.toml",
        "handout/code/src/pkg/__init__.py",
        "handout/requirements.txt",
        "handout/runtime.txt",
        "handout/student/README.md",
        "handout/student/ch.ipynb",
    ]
    for name, text in zip(names, contents, strict=True):
        assert "x * x" not in text, f"{name} holds the solution"  # checked by content
    assert "1 coding solution, 1 written solution" in capsys.readouterr().out


def test_the_command_never_deletes_what_it_did_not_write(tmp_path, capsys):
    root = _course(tmp_path)
    notebook = root / "book" / "ch.ipynb"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "homework.ipynb").write_text("my work")
    assert handout.main(["copies", "--out", str(mine), str(notebook)]) == 1
    assert "holds homework.ipynb" in capsys.readouterr().err
    assert (mine / "homework.ipynb").read_text() == "my work"
    assert handout.main(["copies", "--out", str(root / "book"), str(notebook)]) == 1
    assert "would replace them" in capsys.readouterr().err


def test_runs_as_a_script(tmp_path):
    """The documented command, as an instructor types it, from the course's folder."""
    root = _course(tmp_path)
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "handout.py"), "copies"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert (root / "student" / "ch.ipynb").is_file()
    assert "2 files in student/" in run.stdout


# --------------------------------------------------------------------------- the book


def _removed(nb):
    """The indices of the original cells a copy must drop, and the lines that only the
    solutions hold (a stub's `def` line, say, is in the solution and outside it)."""
    blocks = handout.solution_blocks(nb["cells"])
    inside = {i for start, end, _ in blocks for i in range(start, end + 1)}
    hidden = set(handout.REMOVED_TAGS)
    inside |= {i for i, c in enumerate(nb["cells"]) if hidden & set(c["metadata"].get("tags", []))}
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
def test_a_book_copy_holds_no_solution_nor_hidden_cell_and_everything_else(path):
    nb = nbformat.read(path, as_version=4)
    copy, summary = handout.student_copy(nb, path.name)
    inside, solution_lines = _removed(nb)
    assert summary["coding solutions"] >= 1, f"{path.name} has no coding exercise"
    removed_ids = {nb.cells[i].id for i in inside}
    for cell in copy.cells:
        text = _text(cell)
        assert cell.id not in removed_ids
        assert not {"remove-cell", "solution"} & set(cell.metadata.get("tags", []))
        assert "{solution" not in text, f"{path.name}: a solution marker is left: {text[:80]}"
        assert not re.search(r"checks\.check_\w+\(.*strict=True", text)
        left = solution_lines & {line.strip() for line in text.splitlines()}
        assert not left, f"{path.name}: solution text left: {left}"  # lines over 30 characters
    # everything else stays, in order; a cell that held a written solution keeps the rest
    originals = {c.id: c for c in nb.cells}
    kept = [c.id for c in nb.cells if c.id in {k.id for k in copy.cells}]
    assert [c.id for c in copy.cells] == kept
    for cell in copy.cells:
        original = originals[cell.id]
        if _text(cell) != _text(original):
            assert "{solution}" in _text(original) and "{exercise}" in _text(cell)
            assert _text(original).startswith(_text(cell))


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Student copies of every chapter, written once per test process."""
    out = tmp_path_factory.mktemp("student") / "copies"
    handout.student_copies(NOTEBOOKS, echo=lambda line: None).write(out)
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
