"""How long each chapter takes to execute: the budget is 30 s per chapter.

Each notebook runs top to bottom in a fresh kernel, one at a time, with one BLAS thread
(as in the book build and in nbval), so that the times add up to the book's execution
work. The script prints one line per notebook (its wall time, from the kernel's start to
its shutdown) and its slowest cells, then the total, and exits non-zero if a notebook
fails or takes longer than ``--budget`` seconds. Run it on a quiet machine::

    .venv/bin/python tools/bench_chapters.py                      # every notebook of book/
    .venv/bin/python tools/bench_chapters.py book/14_*.ipynb --cells 8
    .venv/bin/python tools/bench_chapters.py --hints   # and store the times for the build

``--hints`` writes each notebook's time to ``book/_ext/execution_seconds.json``: the book
build starts the longest notebooks first, and from a clean clone it knows their times only
from there (see book/_ext/descent_execute.py). Refresh it when a chapter's time changes much.

Timing is a benchmark, not a test: it is not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _seconds(cell) -> float:
    """A code cell's execution time, from nbclient's record of its kernel messages."""
    stamps = cell.metadata.get("execution", {})
    start, end = stamps.get("iopub.status.busy"), stamps.get("iopub.status.idle")
    if not (start and end):
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def execute(path: Path) -> tuple[float, list[tuple[float, int, str]]]:
    """Run the notebook at ``path``; return its wall time and (seconds, index, first line)
    for each code cell."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, record_timing=True, resources={"metadata": {"path": path.parent}}
    )
    start = time.perf_counter()
    client.execute()
    wall = time.perf_counter() - start
    cells = [
        (_seconds(cell), index, (cell.source.splitlines() or [""])[0])
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    ]
    return wall, cells


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per notebook")
    parser.add_argument("--cells", type=int, default=3, help="slowest cells to show")
    parser.add_argument(
        "--hints", action="store_true", help="store the times in book/_ext/execution_seconds.json"
    )
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    total, failures, walls = 0.0, [], {}
    for path in notebooks:
        try:
            wall, cells = execute(path.resolve())
        except Exception as error:  # a failing cell: report it, go on with the others
            print(f"{path.name}: FAILED ({type(error).__name__})", flush=True)
            failures.append(path.name)
            continue
        total += wall
        walls[path.name] = round(wall, 1)
        over = "  OVER BUDGET" if wall > args.budget else ""
        print(f"{path.name}: {wall:5.1f} s{over}", flush=True)
        for seconds, index, line in sorted(cells, reverse=True)[: args.cells]:
            print(f"    {seconds:5.2f} s  cell {index:3d}  {line[:70]}")
        if over:
            failures.append(path.name)
    print(f"total {total:.1f} s for {len(notebooks)} notebook(s); budget {args.budget:g} s each")
    if args.hints:
        hints = ROOT / "book" / "_ext" / "execution_seconds.json"
        known = json.loads(hints.read_text()) if hints.is_file() else {}
        book = {path.name for path in (ROOT / "book").glob("*.ipynb")}
        kept = {name: t for name, t in {**known, **walls}.items() if name in book}
        hints.write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n")
        print(f"wrote {hints.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
