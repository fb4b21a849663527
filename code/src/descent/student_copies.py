"""Student copies of the chapter notebooks: the same notebooks with every solution removed.

From the repository's root::

    python -m descent.student_copies                      # book/*.ipynb -> student/
    python -m descent.student_copies --out handout book/06_momentum.ipynb

A copy differs from its chapter only by what the solutions occupied:

- every cell from a markdown cell holding a ``{solution-start}`` directive through the
  matching ``{solution-end}`` cell, both included (a coding exercise's solution: its
  prose, its code and the hidden strict check);
- every ``{solution}`` directive (a pen-and-paper exercise's solution) is cut out of the
  markdown cell that holds it, and the cell is dropped if nothing else is left in it (the
  exercise it follows, often in the same cell, stays);
- every cell tagged ``solution`` (e.g. a hidden cell that computes the numbers a written
  solution quotes, which would give them away in the copy).

Everything else (cells, cell ids, metadata, the notebook's format) is copied unchanged;
the file is written as nbformat writes it (one-space indent, sorted keys), so a notebook
without solutions is copied byte for byte. Unbalanced or nested solution-start and
solution-end markers, an unclosed ``{solution}`` directive, or text that sits in a
marker's cell outside the solution (and would be lost with it) stop the command with a
message naming the notebook and the cell; nothing is written then.

In a copy every exercise's stub is left as the student will find it, so each check cell
prints "not implemented yet" (checkers never raise on a stub). A cell after a solution
that reads a name the solution defined would fail in the copy, or silently use the stub;
the command warns about such cells (``solution_dependencies``).

The module uses the standard library only (json, ast, re), so that it runs wherever the
notebooks do.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Dependency",
    "SolutionMarkerError",
    "main",
    "solution_blocks",
    "solution_dependencies",
    "student_copy",
    "write_student_copies",
]

#: the folder the copies go to by default (listed in .gitignore, never committed)
DEFAULT_OUT = "student"
#: a cell with this tag is removed from the copies, wherever it is
SOLUTION_TAG = "solution"

_START = re.compile(r"^[ \t]*(`{3,}|:{3,})\{solution-start\}[ \t]*(\S*)", re.M)
_END = re.compile(r"^[ \t]*(`{3,}|:{3,})\{solution-end\}", re.M)
_SOLUTION = re.compile(r"^[ \t]*(`{3,}|:{3,})\{solution\}")

README = """\
# Descent: the exercises

These notebooks are the chapters of *Descent — optimization for deep learning, from
scratch* without the solutions of their exercises. Work in them.

Every coding exercise has a stub cell that ends in `raise NotImplementedError`, followed
by a check cell. Until you replace the stub's body with your code and run its cell, the
check prints "not implemented yet". Then it tells you whether your function is right and,
if it is not, the first input on which it differs, the expected and the received values,
and a hint.

The notebooks import the course's package `descent`. Install the course's requirements
once (`pip install -r requirements.txt` in the course's folder), then run `jupyter lab`
here.

(Generated with `python -m descent.student_copies --out {out}`. Generating them again
overwrites these files: keep your own work under another name or in another folder.)
"""


class SolutionMarkerError(ValueError):
    """The solution markers of a notebook cannot be removed safely (unbalanced, nested,
    unclosed, or sharing a cell with text that is not part of the solution)."""


@dataclass(frozen=True)
class Dependency:
    """A code cell outside every solution that reads names a solution defined last.

    In the student copy those names are undefined, or still hold the stub's version, so
    the cell fails or computes something else.

    Attributes:
        cell: the cell's index in the original notebook.
        cell_id: the cell's id ("" if the notebook has none).
        names: the names it reads, in order of first use.
        solutions: the labels of the solutions that defined them.
    """

    cell: int
    cell_id: str
    names: tuple[str, ...]
    solutions: tuple[str, ...]

    def __str__(self) -> str:
        names = ", ".join(self.names)
        labels = ", ".join(self.solutions)
        return f"cell {self.cell} (id {self.cell_id}) reads {names}, defined by solution {labels}"


# --------------------------------------------------------------------------- finding solutions


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _closing_fence(lines: Sequence[str], start: int, fence: str) -> int | None:
    """The index of the line after ``start`` that closes a fence opened with ``fence``:
    the same character, at least as many times, and nothing else on the line."""
    close = re.compile(rf"[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*")
    for k in range(start + 1, len(lines)):
        if close.fullmatch(lines[k].rstrip("\r\n")):
            return k
    return None


def solution_blocks(cells: Sequence[dict], name: str = "notebook") -> list[tuple[int, int, str]]:
    """The gated solutions of a notebook's cells, as (start, end, label): the indices of the
    solution-start and solution-end markdown cells, and the start's label.

    Raises SolutionMarkerError if the markers are unbalanced or nested, or if a marker's
    cell holds text before the start marker or after the end marker's directive (that text
    is not part of the solution but would be removed with it)."""
    blocks, open_at, label = [], None, ""
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        text = _source(cell)
        start, end = _START.search(text), _END.search(text)
        if start:
            if open_at is not None:
                raise SolutionMarkerError(
                    f"{name}: cell {i} opens a solution (solution-start) inside the one "
                    f"opened at cell {open_at}; close that one first with a solution-end cell"
                )
            if text[: start.start()].strip():
                raise SolutionMarkerError(
                    f"{name}: cell {i} holds text before its solution-start marker, which "
                    "would be removed with the solution; put the marker in a cell of its own"
                )
            open_at, label = i, start.group(2)
        if end:
            if open_at is None:
                raise SolutionMarkerError(
                    f"{name}: cell {i} closes a solution (solution-end) that no "
                    "solution-start cell opened"
                )
            if start and end.start() < start.start():
                raise SolutionMarkerError(
                    f"{name}: cell {i} has solution-end before solution-start"
                )
            lines = text[end.start() :].splitlines(keepends=True)
            close = _closing_fence(lines, 0, end.group(1))
            if close is None:
                raise SolutionMarkerError(f"{name}: cell {i}: the solution-end fence is not closed")
            if "".join(lines[close + 1 :]).strip():
                raise SolutionMarkerError(
                    f"{name}: cell {i} holds text after its solution-end marker, which would "
                    "be removed with the solution; move it to a cell of its own"
                )
            blocks.append((open_at, i, label))
            open_at = None
    if open_at is not None:
        raise SolutionMarkerError(
            f"{name}: the solution opened at cell {open_at} (solution-start {label}) is never "
            "closed: add a markdown cell with a solution-end directive after its last cell"
        )
    return blocks


def _without_solution_directives(text: str, where: str) -> tuple[str, int]:
    """``text`` with every ``{solution}`` directive block cut out, and how many there were.

    The blank lines that separated a block from the text before it go with it."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    removed, i = 0, 0
    while i < len(lines):
        opening = _SOLUTION.match(lines[i])
        if not opening:
            kept.append(lines[i])
            i += 1
            continue
        close = _closing_fence(lines, i, opening.group(1))
        if close is None:
            raise SolutionMarkerError(f"{where}: a {{solution}} directive is never closed")
        removed += 1
        while kept and not kept[-1].strip():
            kept.pop()
        i = close + 1
        if not kept:  # the block opened the cell: drop the blank lines after it instead
            while i < len(lines) and not lines[i].strip():
                i += 1
    result = "".join(kept)
    if removed and not "".join(lines[i:]).strip():
        result = result.rstrip("\r\n")  # as a cell ends, without a final newline
    return result, removed


def _with_source(cell: dict, text: str) -> dict:
    new = dict(cell)
    new["source"] = text.splitlines(keepends=True) if isinstance(cell["source"], list) else text
    return new


# --------------------------------------------------------------------------- the copy


def student_copy(notebook: dict, name: str = "notebook") -> tuple[dict, dict]:
    """The student copy of a notebook (a dict, as json.load returns it) and a summary
    ``{"solution blocks": n, "solution directives": n, "tagged cells": n,
    "cells removed": n}``.

    The given notebook is not changed; cells that stay are the same objects."""
    cells = notebook["cells"]
    blocks = solution_blocks(cells, name)
    inside = {i for start, end, _ in blocks for i in range(start, end + 1)}
    tagged = {i for i, cell in enumerate(cells) if _tagged(cell)} - inside
    inside |= tagged
    kept, directives = [], 0
    for i, cell in enumerate(cells):
        if i in inside:
            continue
        if cell.get("cell_type") == "markdown" and "{solution}" in _source(cell):
            text, n = _without_solution_directives(_source(cell), f"{name}: cell {i}")
            if n:
                directives += n
                if not text.strip():
                    continue
                cell = _with_source(cell, text)
        kept.append(cell)
    copy = dict(notebook)
    copy["cells"] = kept
    summary = {
        "solution blocks": len(blocks),
        "solution directives": directives,
        "tagged cells": len(tagged),
        "cells removed": len(cells) - len(kept),
    }
    return copy, summary


def _tagged(cell: dict) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def dumps(notebook: dict) -> str:
    """A notebook as nbformat writes it: one-space indent, sorted keys, UTF-8 kept."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_student_copies(
    notebooks: Iterable[str | Path], out: str | Path = DEFAULT_OUT, *, echo=print
) -> list[Path]:
    """Write the student copy of each notebook into the folder ``out`` (created if
    needed), under the same file name, and a README.md; return the copies' paths.

    Every notebook is read and checked before anything is written, so a notebook with
    broken markers (SolutionMarkerError) leaves ``out`` as it was. ``echo`` receives one
    line per copy and one per warning (a cell after a solution that reads what the
    solution defined)."""
    out = Path(out)
    paths = [Path(p) for p in notebooks]
    if not paths:
        raise ValueError("no notebooks to copy")
    if len({p.name for p in paths}) != len(paths):
        raise ValueError("two notebooks have the same file name; copy them one folder at a time")
    sources = {p.resolve().parent for p in paths}
    if out.resolve() in sources:
        raise ValueError(f"{out} holds the notebooks themselves: the copies would replace them")
    copies = []
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        copy, summary = student_copy(notebook, str(path))
        copies.append((path, copy, summary, solution_dependencies(notebook, str(path))))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path, copy, summary, dependencies in copies:
        target = out / path.name
        target.write_text(dumps(copy), encoding="utf-8")
        written.append(target)
        parts = [
            _plural(summary["solution blocks"], "coding solution"),
            _plural(summary["solution directives"], "written solution"),
        ]
        if summary["tagged cells"]:
            parts.append(f"{_plural(summary['tagged cells'], 'cell')} tagged {SOLUTION_TAG}")
        removed = ", ".join(parts[:-1]) + " and " + parts[-1]
        echo(f"{target}: removed {removed} ({_plural(summary['cells removed'], 'cell')} in all)")
        for dependency in dependencies:
            echo(f"warning: {path}: {dependency}; in the copy it is missing or the stub's")
    (out / "README.md").write_text(README.format(out=out.as_posix()), encoding="utf-8")
    return written


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------- cells after solutions


def solution_dependencies(notebook: dict, name: str = "notebook") -> list[Dependency]:
    """The code cells outside every solution that read a name whose last definition, in
    the order the notebook runs, is in a solution or a cell tagged ``solution`` (including
    a stub's function that the solution redefines). Found by reading the code (ast), not
    by running it."""
    cells = notebook["cells"]
    label_of = {i: f"(the cell tagged {SOLUTION_TAG})" for i, c in enumerate(cells) if _tagged(c)}
    label_of.update(
        (i, label)
        for start, end, label in solution_blocks(cells, name)
        for i in range(start, end + 1)
    )
    defined_by: dict[str, str | None] = {}  # name -> the solution that defined it last
    found = []
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        reads, binds = _reads_and_binds(_source(cell))
        if i in label_of:
            defined_by.update(dict.fromkeys(binds, label_of[i] or "(no label)"))
            continue
        stale = [n for n in reads if defined_by.get(n)]
        if stale:
            labels = tuple(dict.fromkeys(defined_by[n] for n in stale))
            found.append(Dependency(i, cell.get("id", ""), tuple(stale), labels))
        defined_by.update(dict.fromkeys(binds))
    return found


def _reads_and_binds(source: str) -> tuple[list[str], set[str]]:
    """The global names a cell reads before it binds them itself (in order), and the
    names it binds. IPython's magics and shell lines are skipped; a cell that is not
    Python reads and binds nothing."""
    lines = [
        (line[: len(line) - len(line.lstrip())] + "pass")
        if line.lstrip().startswith(("%", "!"))
        else line
        for line in source.splitlines()
    ]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return [], set()
    reader = _Reader()
    reader.body(tree.body)
    reads = reader.reads + [n for n in reader.deferred if n not in reader.bound]
    return list(dict.fromkeys(reads)), reader.bound


class _Reader(ast.NodeVisitor):
    """Walks a cell in the order Python runs it, collecting the names read before the
    cell binds them (``reads``) and those it binds (``bound``). Names a function, lambda
    or class body reads from outside are collected in ``deferred``: they count unless the
    cell binds them anywhere (the body may run after that)."""

    def __init__(self):
        self.reads: list[str] = []
        self.bound: set[str] = set()
        self.deferred: list[str] = []

    def body(self, statements):
        for statement in statements:
            self.visit(statement)

    def read(self, name):
        if name not in self.bound:
            self.reads.append(name)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self.read(node.id)
        elif isinstance(node.ctx, ast.Store):
            self.bound.add(node.id)

    def visit_Assign(self, node):
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AugAssign(self, node):
        if isinstance(node.target, ast.Name):
            self.read(node.target.id)
        self.visit(node.value)
        self.visit(node.target)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.annotation)
        self.visit(node.target)

    def visit_NamedExpr(self, node):
        self.visit(node.value)
        self.visit(node.target)

    def visit_For(self, node):
        self.visit(node.iter)
        self.visit(node.target)
        self.body(node.body)
        self.body(node.orelse)

    visit_AsyncFor = visit_For

    def visit_ExceptHandler(self, node):
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bound.add(node.name)
        self.body(node.body)

    def visit_Import(self, node):
        for alias in node.names:
            self.bound.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node):
        for alias in node.names:
            if alias.name != "*":
                self.bound.add(alias.asname or alias.name)

    def visit_FunctionDef(self, node):
        for expr in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if expr is not None:
                self.visit(expr)
        self._scope(node.args, node.body)
        self.bound.add(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        for expr in [*node.args.defaults, *node.args.kw_defaults]:
            if expr is not None:
                self.visit(expr)
        self._scope(node.args, [node.body])

    def visit_ClassDef(self, node):
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        self._scope(None, node.body)
        self.bound.add(node.name)

    def _comprehension(self, node, parts):
        first, *rest = node.generators
        self.visit(first.iter)  # evaluated where the comprehension stands
        inner = _Reader()
        inner.visit(first.target)
        for expr in first.ifs:
            inner.visit(expr)
        for generator in rest:
            inner.visit(generator.iter)
            inner.visit(generator.target)
            for expr in generator.ifs:
                inner.visit(expr)
        for part in parts:
            inner.visit(part)
        for n in inner.reads + inner.deferred:
            if n not in inner.bound:
                self.read(n)

    def visit_ListComp(self, node):
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node):
        self._comprehension(node, [node.key, node.value])

    def _scope(self, args, statements):
        """A function's, lambda's or class's body: its own names are local."""
        inner = _Reader()
        if args is not None:
            params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            inner.bound.update(a.arg for a in params if a is not None)
        globals_ = {
            n for s in statements for g in ast.walk(s) if isinstance(g, ast.Global) for n in g.names
        }
        inner.body(statements)
        local = inner.bound - globals_
        self.deferred += [n for n in inner.reads + inner.deferred if n not in local]


# --------------------------------------------------------------------------- the command


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m descent.student_copies [--out DIR] [NOTEBOOK ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m descent.student_copies",
        description=(
            "Write student copies of the chapter notebooks: the same notebooks without "
            "their solutions (solution-start ... solution-end cells, {solution} directives "
            "and cells tagged 'solution'), into a folder that is not committed."
        ),
    )
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="the notebooks to copy (default: book/*.ipynb, from the repository's root)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path(DEFAULT_OUT),
        help=f"the folder to write them to (default: {DEFAULT_OUT}/)",
    )
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(Path("book").glob("*.ipynb"))
    if not notebooks:
        parser.error(
            "no notebooks found in book/: run this from the repository's root, or name them"
        )
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    try:
        written = write_student_copies(notebooks, args.out)
    except (SolutionMarkerError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    copies = "copy" if len(written) == 1 else "copies"
    print(f"{len(written)} student {copies} and a README.md in {args.out.as_posix()}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
