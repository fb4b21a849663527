"""The repository's conventions for chapter notebooks, checked on what git would commit.

Notebooks are stored without outputs, are all listed in _toc.yml, assert their claims in
hidden cells (collapsed in JupyterLab), and keep every solution between gated
solution-start/solution-end markers so that student copies can drop them.

The checks read each notebook as it stands in git's index (``git show :book/NN.ipynb``),
that is, what ``git commit`` would store, and fall back to the file on disk for a notebook
git does not know yet or outside a git checkout. A student who opens a chapter in JupyterLab
and runs it changes the file on disk (autosave writes the outputs into it), not the index,
so the student's work does not make these checks fail.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
PAGE_WIDTH = 80  # characters of code that fit the book's text column without scrolling


def _committed_text(path: Path, root: Path = ROOT) -> str:
    """The notebook as git would commit it (its staged version), else the file on disk."""
    staged = subprocess.run(
        ["git", "show", f":{path.relative_to(root).as_posix()}"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if staged.returncode == 0:
        return staged.stdout.decode("utf-8")
    return path.read_text(encoding="utf-8")


def _notebook(path, root=ROOT):
    return json.loads(_committed_text(path, root))


def _cells(path, root=ROOT):
    return _notebook(path, root)["cells"]


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def test_there_are_notebooks():
    assert NOTEBOOKS, "no chapter notebooks found in book/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    dirty = [
        i
        for i, c in enumerate(_cells(path))
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    assert dirty == [], f"{path.name}: cells {dirty} hold outputs; run nbstripout on it"
    widget_state = "widgets" in _notebook(path).get("metadata", {})
    assert not widget_state, f"{path.name}: holds saved widget state; run nbstripout on it"


def test_the_checks_read_what_git_would_commit(tmp_path):
    """A file changed on disk but not staged (a student's autosave) is not what is checked."""
    repo = tmp_path / "repo"
    (repo / "book").mkdir(parents=True)
    notebook = repo / "book" / "nb.ipynb"
    clean = {"cells": [{"cell_type": "code", "outputs": [], "execution_count": None}]}
    notebook.write_text(json.dumps(clean), encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "book/nb.ipynb"], cwd=repo, check=True)
    ran = {"cells": [{"cell_type": "code", "outputs": [{"x": 1}], "execution_count": 1}]}
    notebook.write_text(json.dumps(ran), encoding="utf-8")  # autosave after a run
    assert _cells(notebook, repo)[0]["outputs"] == []  # the staged version
    subprocess.run([*git, "add", "book/nb.ipynb"], cwd=repo, check=True)
    assert _cells(notebook, repo)[0]["outputs"] == [{"x": 1}]  # once staged, it is checked
    untracked = repo / "book" / "new.ipynb"
    untracked.write_text(json.dumps(ran), encoding="utf-8")
    assert _cells(untracked, repo)[0]["execution_count"] == 1  # not in git yet: the file


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_hidden_cells_are_collapsed_in_jupyterlab(path):
    """JupyterLab shows a `remove-cell` cell's source collapsed when its metadata says so."""
    shown = [
        i
        for i, c in enumerate(_cells(path))
        if "remove-cell" in _tags(c)
        and c.get("metadata", {}).get("jupyter", {}).get("source_hidden") is not True
    ]
    assert shown == [], (
        f"{path.name}: hidden cells {shown} are expanded in JupyterLab; "
        "run `python tools/notebook_metadata.py`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_listed_in_toc(path):
    toc = (ROOT / "_toc.yml").read_text()
    assert f"book/{path.stem}" in toc, f"{path.name} is not in _toc.yml, so it is never built"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_claims_are_asserted_in_hidden_cells(path):
    hidden = [c for c in _cells(path) if c["cell_type"] == "code" and "remove-cell" in _tags(c)]
    asserting = [c for c in hidden if re.search(r"\bassert\b", _source(c))]
    assert len(asserting) >= 3, f"{path.name}: only {len(asserting)} hidden asserting cells"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_gated_and_checked(path):
    cells = _cells(path)
    starts = [i for i, c in enumerate(cells) if "{solution-start}" in _source(c)]
    ends = [i for i, c in enumerate(cells) if "{solution-end}" in _source(c)]
    assert len(starts) == len(ends), f"{path.name}: unbalanced solution-start/solution-end"
    for start, end in zip(starts, ends, strict=True):
        assert start < end
        inside = cells[start + 1 : end]
        strict = [c for c in inside if "strict=True" in _source(c) and "remove-cell" in _tags(c)]
        assert strict, f"{path.name}: solution at cell {start} is not checked in strict mode"
    exercises = sum("{exercise}" in _source(c) for c in cells if c["cell_type"] == "markdown")
    assert exercises >= 2, f"{path.name}: {exercises} exercises, at least 2 expected"
    assert starts, f"{path.name}: no coding exercise with a gated solution"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_visible_code_fits_the_page(path):
    """A code line longer than 80 characters scrolls sideways in the book's text column."""
    too_long = [
        (i, len(line))
        for i, c in enumerate(_cells(path))
        if c["cell_type"] == "code" and "remove-cell" not in _tags(c)
        for line in _source(c).splitlines()
        if len(line) > PAGE_WIDTH
    ]
    assert too_long == [], f"{path.name}: (cell, length) of lines over {PAGE_WIDTH}: {too_long}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_path_hacks(path):
    for c in _cells(path):
        src = _source(c)
        assert "sys.path" not in src, f"{path.name}: edits sys.path; import the installed package"
        assert not re.search(r"^\s*(import|from) code\b", src, re.M), f"{path.name}: imports code"


def test_light_modules_import_numpy_only():
    """`import descent.optimizers` (and the other numerical modules) must stay light."""
    probe = (
        "import sys, descent.optimizers, descent.functions, descent.gradients, descent.nn, "
        "descent.training, descent.checks, descent.data; "
        "heavy = [m for m in ('matplotlib', 'ipywidgets', 'sklearn', 'tqdm', 'IPython') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"light modules pulled in: {out.stdout.strip()}"


def test_the_metadata_tool_collapses_hidden_cells_and_nothing_else(tmp_path):
    """tools/notebook_metadata.py sets source_hidden on remove-cell cells only, keeps every
    other byte, and a second run changes nothing."""
    source = ROOT / "book" / "06_momentum.ipynb"
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        cell["metadata"].pop("jupyter", None)
    copy = tmp_path / "chapter.ipynb"
    copy.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    tool = [sys.executable, str(ROOT / "tools" / "notebook_metadata.py")]

    check = subprocess.run([*tool, "--check", str(copy)], capture_output=True, text=True)
    assert check.returncode == 1 and "would collapse" in check.stdout
    fix = subprocess.run([*tool, str(copy)], capture_output=True, text=True)
    n_hidden = sum("remove-cell" in _tags(c) for c in notebook["cells"])
    assert n_hidden > 20  # the chapter has many hidden cells: the count below means something
    assert fix.returncode == 1 and f"collapsed {n_hidden} hidden cell(s)" in fix.stdout
    fixed = json.loads(copy.read_text(encoding="utf-8"))
    for before, after in zip(notebook["cells"], fixed["cells"], strict=True):
        hidden = "remove-cell" in _tags(before)
        assert after["metadata"].pop("jupyter", None) == (
            {"source_hidden": True} if hidden else None
        )
        assert after == before
    once = copy.read_bytes()
    again = subprocess.run([*tool, "--check", str(copy)], capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout == ""
    assert subprocess.run([*tool, str(copy)]).returncode == 0
    assert copy.read_bytes() == once
