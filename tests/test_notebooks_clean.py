"""The repository's conventions for chapter notebooks, checked on the committed files.

Notebooks are stored without outputs, are all listed in _toc.yml, assert their claims in
hidden cells, and keep every solution between gated solution-start/solution-end markers
so that student copies can drop them.
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


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


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
