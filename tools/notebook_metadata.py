"""Collapse the book's hidden test cells in JupyterLab.

Every cell tagged ``remove-cell`` (the asserting cells that the book's pages leave out) gets
the standard cell metadata ``"jupyter": {"source_hidden": true}``, so that a student who
opens a chapter in JupyterLab or Binder sees a thin collapsed bar instead of the book's
tests. The cells still run, and a click on the bar shows them.

    python tools/notebook_metadata.py              # every notebook in book/
    python tools/notebook_metadata.py book/06_momentum.ipynb
    python tools/notebook_metadata.py --check      # change nothing; exit 1 if a file would change

The tool is idempotent: a notebook that is already right is not rewritten. It writes with
nbformat, in the format the repository stores (indent 1, sorted keys, UTF-8, a final
newline), so that cells it does not change keep their bytes. The pre-commit hook runs it,
and tests/test_notebooks_clean.py checks the committed notebooks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
HIDDEN_TAG = "remove-cell"


def collapse_hidden_cells(notebook) -> int:
    """Set ``jupyter.source_hidden`` on every ``remove-cell`` cell; return how many changed."""
    changed = 0
    for cell in notebook.cells:
        if HIDDEN_TAG not in cell.metadata.get("tags", []):
            continue
        jupyter = cell.metadata.setdefault("jupyter", {})
        if jupyter.get("source_hidden") is not True:
            jupyter["source_hidden"] = True
            changed += 1
    return changed


def fix(path: Path, check: bool = False) -> int:
    """Collapse the hidden cells of one notebook file (unless ``check``); return the count."""
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    changed = collapse_hidden_cells(notebook)
    if changed and not check:
        path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: book/*.ipynb")
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    dirty = 0
    for path in paths:
        if path.suffix != ".ipynb":
            continue
        changed = fix(path, check=args.check)
        if changed:
            dirty += 1
            verb = "would collapse" if args.check else "collapsed"
            print(f"{path}: {verb} {changed} hidden cell(s)")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main())
