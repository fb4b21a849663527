"""How long each explorer of the book takes to redraw, in kernel CPU time.

For every chapter, runs the notebook's cells in order, quietly, until the cell that shows
the explorer (a failing hidden test cell, such as a timing check on a busy machine, is
passed over), then moves its controls one at a time,
the way a student would, and measures the CPU time that the change costs the kernel: the
computation, the drawing and the PNG. Prints one line per explorer: the median and the
largest time over the changes, and how many pictures each change produced (1 is right).

    python tools/bench_explorers.py                 # every chapter, 24 changes each
    python tools/bench_explorers.py book/11_adam.ipynb --changes 40

The budget of the design brief is 100 ms per redraw (median). This is a measurement, not a
test: the numbers depend on the machine and on its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the notebooks run under pytest

import ipywidgets  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 100


def find_explorer(path: Path):
    """Run the cells of a notebook until one shows an explorer; return it or None."""
    from descent.widgets import Explorer

    shell = InteractiveShell.instance()
    shell.reset(new_session=True)
    os.chdir(path.parent)
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        with capture_output():
            result = shell.run_cell(cell.source, store_history=False)
        hidden = "remove-cell" in cell.metadata.get("tags", [])
        if not result.success and not hidden:
            raise RuntimeError(f"{path.name}: a cell failed: {result.error_in_exec!r}")
        if isinstance(result.result, Explorer):
            return result.result
    return None


def next_value(control, rng):
    """A different valid value for a control, as a student's click or drag would give."""
    if isinstance(control, ipywidgets.Checkbox):
        return not control.value
    if hasattr(control, "options"):
        options = list(control.options)
        labels = [o[1] if isinstance(o, tuple) else o for o in options]
        return labels[(labels.index(control.value) + 1) % len(labels)]
    if isinstance(control, ipywidgets.FloatLogSlider):
        positions = np.arange(control.min, control.max + control.step / 2, control.step)
        exponent = rng.choice(positions[~np.isclose(positions, np.log10(control.value))])
        return float(control.base**exponent)
    positions = np.arange(control.min, control.max + control.step / 2, control.step)
    positions = positions[~np.isclose(positions, control.value)]
    value = rng.choice(positions)
    return int(value) if isinstance(control, ipywidgets.IntSlider) else float(value)


def bench(explorer, changes: int, seed: int = 0) -> dict:
    """CPU milliseconds of each change, moving each control in turn."""
    rng = np.random.default_rng(seed)
    made = [0]  # pictures so far
    explorer.image.observe(lambda change: made.__setitem__(0, made[0] + 1), names="value")
    controls = list(explorer.controls.values())
    times, pictures = [], []
    for i in range(changes):
        control = controls[i % len(controls)]
        value = next_value(control, rng)
        before = made[0]
        start = time.process_time()
        control.value = value
        times.append(1000 * (time.process_time() - start))
        pictures.append(made[0] - before)
    return {
        "median": statistics.median(times),
        "max": max(times),
        "pictures": max(pictures),
        "error": explorer.message.value,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: book/NN_*.ipynb")
    parser.add_argument("--changes", type=int, default=24, help="slider changes (default 24)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "book").glob("[0-9]*.ipynb"))
    print(f"{'chapter':<38} {'median ms':>10} {'max ms':>8} {'pictures':>9}")
    over = 0
    for path in paths:
        explorer = find_explorer(path)
        if explorer is None:
            print(f"{path.name:<38} {'no explorer':>10}")
            continue
        result = bench(explorer, args.changes)
        flag = "" if result["median"] <= BUDGET_MS else f"  over {BUDGET_MS} ms"
        over += bool(flag)
        print(
            f"{path.name:<38} {result['median']:>10.1f} {result['max']:>8.1f} "
            f"{result['pictures']:>9d}{flag}",
            flush=True,
        )
        if result["error"]:
            print(f"  the explorer shows an error: {result['error']}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
