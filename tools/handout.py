"""Hand-outs for instructors: student copies of the chapters, a zip of them, and graded
assignments for otter-grader. It lives in tools/, outside the package ``descent`` that
students import, and needs the course's requirements (nbformat, nbconvert, otter-grader).

From the repository's root::

    python tools/handout.py copies                        # book/*.ipynb -> student/
    python tools/handout.py copies --zip descent-student.zip
    python tools/handout.py assignment week2 book/02_gradient_checking.ipynb \\
        book/14_choosing_an_optimizer.ipynb --points numerical_gradient=2

**copies** writes a student copy of each notebook. A copy is the chapter without:

- every cell from a markdown cell holding a ``{solution-start}`` directive through the
  matching ``{solution-end}`` cell (a coding exercise's solution and its hidden strict
  check);
- every ``{solution}`` directive (a written solution), cut out of its markdown cell;
- every cell tagged ``solution`` or ``remove-cell`` (the book's hidden test cells test
  the book, not the student; nbconvert's TagRemovePreprocessor);
- every output, and all metadata except the cells' tags and the notebook's kernel and
  language (nbconvert's ClearOutputPreprocessor and ClearMetadataPreprocessor), so that
  nothing an instructor ran or stored in a notebook travels with it.

The folder ``--out`` is written anew each time: stale files (JupyterLab's
``.ipynb_checkpoints``, which can hold a solution typed while trying a copy) are deleted
with it. The command refuses to delete a folder that holds anything else than what it
writes. ``--zip`` packs a zip built from the list of files the command made, never from
a folder's listing: the copies, a README.md for students, the package's source
(``code/``: pyproject.toml, README.md and the .py files) and requirements.txt and
runtime.txt, so that students can install the course's environment.

Unbalanced or nested solution markers, an unclosed ``{solution}`` directive, or text in a
marker's cell outside the solution stop the command with a message naming the notebook
and the cell; nothing is written then.

**assignment** turns the coding exercises of chosen chapters into an otter-grader
assignment in ``assignments/NAME/`` (``--out``):

- ``student/NAME.ipynb``: one notebook with each chapter's setup cell and, for each
  exercise, its statement, its stub and its check cell; no solution, no hidden cell;
- ``autograder.zip``: built by ``otter generate`` from one test file per exercise,
  ``tests/<function>.py``, which calls the course's own checker in strict mode and is
  worth ``--points`` (1 per exercise unless set);
- ``NAME-student.zip``: the student notebook, built as above.

Grade one submission, offline and without Docker, with otter itself::

    otter run -a assignments/NAME/autograder.zip submission.ipynb

which writes results.json: the score of each exercise and, for a wrong one, the checker's
message.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.preprocessors import (
    ClearMetadataPreprocessor,
    ClearOutputPreprocessor,
    Preprocessor,
    TagRemovePreprocessor,
)
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

#: the folder the copies go to by default (listed in .gitignore, never committed)
DEFAULT_OUT = "student"
#: the folder assignments go to by default (listed in .gitignore)
DEFAULT_ASSIGNMENTS = "assignments"
#: cells with one of these tags are removed from every hand-out
REMOVED_TAGS = ("solution", "remove-cell")
#: the only metadata a hand-out keeps
KEPT_CELL_METADATA = {"tags"}
KEPT_NOTEBOOK_METADATA = {"kernelspec", "language_info"}

_START = re.compile(r"^[ \t]*(`{3,}|:{3,})\{solution-start\}[ \t]*(\S*)", re.M)
_END = re.compile(r"^[ \t]*(`{3,}|:{3,})\{solution-end\}", re.M)
_SOLUTION = re.compile(r"^[ \t]*(`{3,}|:{3,})\{solution\}")
_EXERCISE = re.compile(r"^[ \t]*(`{3,}|:{3,})\{exercise\}", re.M)
_STRICT_CHECK = re.compile(r"checks\.(check_\w+)\(\s*(\w+)\s*,[^()]*strict=True")

README = """\
# Descent: the exercises

These notebooks are the chapters of *Descent — optimization for deep learning, from
scratch* without the solutions of their exercises. Work in them.

Every coding exercise has a stub cell that ends in `raise NotImplementedError`, followed
by a check cell. Until you replace the stub's body with your code and run its cell, the
check prints "not implemented yet". Then it tells you whether your function is right and,
if it is not, what is wrong and a first hint. Ask the check for more help with `hint=2`,
e.g. `checks.check_momentum_step(momentum_step, hint=2)`.

The notebooks import the course's package `descent`. Install the course's requirements
once (`pip install -r requirements.txt` in the course's folder), then run `jupyter lab`
here.

(Generated with `python tools/handout.py copies`. Generating them again replaces this
folder: keep your own work in another folder.)
"""


class SolutionMarkerError(ValueError):
    """The solution markers of a notebook cannot be removed safely (unbalanced, nested,
    unclosed, or sharing a cell with text that is not part of the solution)."""


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


# --------------------------------------------------------------------------- student copies


class RemoveSolutions(Preprocessor):
    """nbconvert preprocessor: drop every gated solution (the cells from solution-start
    through solution-end) and cut every ``{solution}`` directive out of its markdown cell,
    dropping the cell if nothing else is left. ``counts`` holds how many of each it
    removed in the last notebook."""

    def preprocess(self, nb, resources):
        name = resources.get("name", "notebook")
        blocks = solution_blocks(nb.cells, name)
        inside = {i for start, end, _ in blocks for i in range(start, end + 1)}
        kept, directives = [], 0
        for i, cell in enumerate(nb.cells):
            if i in inside:
                continue
            if cell.cell_type == "markdown" and "{solution}" in cell.source:
                text, n = _without_solution_directives(cell.source, f"{name}: cell {i}")
                directives += n
                if not text.strip():
                    continue
                cell.source = text
            kept.append(cell)
        nb.cells = kept
        resources["counts"] = {"coding": len(blocks), "written": directives}
        return nb, resources


def _preprocessors() -> list[Preprocessor]:
    return [
        RemoveSolutions(),
        TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True),
        ClearOutputPreprocessor(),
        ClearMetadataPreprocessor(
            preserve_cell_metadata_mask=KEPT_CELL_METADATA,
            preserve_nb_metadata_mask=KEPT_NOTEBOOK_METADATA,
            enabled=True,
        ),
    ]


def student_copy(notebook, name: str = "notebook"):
    """The student copy of a notebook (a NotebookNode, as nbformat.read gives it, or a
    plain dict), and a summary ``{"coding solutions": n, "written solutions": n,
    "cells removed": n}``. The given notebook is not changed."""
    nb = nbformat.from_dict(nbformat.from_dict(notebook))  # a deep copy
    before = len(nb.cells)
    resources = {"name": name}
    for preprocessor in _preprocessors():
        nb, resources = preprocessor.preprocess(nb, resources)
    counts = resources["counts"]
    summary = {
        "coding solutions": counts["coding"],
        "written solutions": counts["written"],
        "cells removed": before - len(nb.cells),
    }
    return nb, summary


def dumps(nb) -> str:
    """A notebook as nbformat writes it: one-space indent, sorted keys, UTF-8 kept, and a
    final newline."""
    return nbformat.writes(nb) + "\n"


@dataclass(frozen=True)
class Handout:
    """What a command made: file names (relative, with "/") and their text."""

    files: Mapping[str, str]

    def write(self, out: Path, *, protect: Iterable[Path] = ()) -> list[Path]:
        """Write the files into the folder ``out``, made anew (see ``replace_folder``)."""
        replace_folder(out, set(self.files), protect)
        written = []
        for name, text in self.files.items():
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(target)
        return written


def replace_folder(out: Path, names: set[str], protect: Iterable[Path] = ()) -> None:
    """Delete the folder ``out`` (if it exists) and create it empty, so that nothing stale
    stays in it. Refuse (ValueError) if it is one of ``protect`` or holds a file that is
    neither one of ``names`` (the files about to be written) nor inside a hidden folder
    or __pycache__: that could be someone's work."""
    out = Path(out)
    if out.resolve() in {Path(p).resolve() for p in protect}:
        raise ValueError(f"{out} holds the notebooks themselves: the copies would replace them")
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"{out} is a file, not a folder")
        for path in sorted(out.rglob("*")):
            relative = path.relative_to(out)
            stray = any(p.startswith(".") or p == "__pycache__" for p in relative.parts)
            if path.is_file() and not stray and relative.as_posix() not in names:
                raise ValueError(
                    f"{out} holds {relative.as_posix()}, which this command did not write; "
                    "move it away or choose another folder with --out"
                )
        shutil.rmtree(out)
    out.mkdir(parents=True)


def student_copies(notebooks: Sequence[Path], *, echo=print) -> Handout:
    """The student copies of ``notebooks`` and a README.md, as a Handout. Every notebook
    is read and checked before anything is written, so that a notebook with broken markers
    (SolutionMarkerError) stops the command."""
    paths = [Path(p) for p in notebooks]
    if not paths:
        raise ValueError("no notebooks to copy")
    if len({p.name for p in paths}) != len(paths):
        raise ValueError("two notebooks have the same file name; copy them one folder at a time")
    files = {}
    for path in paths:
        copy, summary = student_copy(nbformat.read(path, as_version=4), str(path))
        files[path.name] = dumps(copy)
        echo(
            f"{path.name}: removed {_plural(summary['coding solutions'], 'coding solution')}, "
            f"{_plural(summary['written solutions'], 'written solution')} "
            f"({_plural(summary['cells removed'], 'cell')} in all)"
        )
    files["README.md"] = README
    return Handout(files)


def package_files(root: Path) -> dict[str, bytes]:
    """What students need besides the copies to run them, from the repository at ``root``:
    requirements.txt, runtime.txt and the package's source under code/ (pyproject.toml,
    README.md and every .py file, nothing from hidden folders, caches or build
    products)."""
    files = {name: (root / name).read_bytes() for name in ("requirements.txt", "runtime.txt")}
    code = root / "code"
    listed = [code / "pyproject.toml", code / "README.md", *sorted(code.rglob("*.py"))]
    for path in listed:
        relative = path.relative_to(root)
        if any(
            p.startswith(".") or p == "__pycache__" or p.endswith(".egg-info")
            for p in relative.parts
        ):
            continue
        files[relative.as_posix()] = path.read_bytes()
    return files


def write_zip(target: Path, files: Mapping[str, str | bytes]) -> Path:
    """A zip of exactly ``files`` (name -> content), under one top folder named as the zip."""
    top = Path(target).stem
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            content = files[name]
            data = content.encode("utf-8") if isinstance(content, str) else content
            archive.writestr(f"{top}/{name}", data)
    Path(target).write_bytes(buffer.getvalue())
    return Path(target)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------- assignments


@dataclass(frozen=True)
class Exercise:
    """A coding exercise of a chapter: the function the student writes, its checker, and
    the cells a student gets (statement, stub, check)."""

    function: str
    checker: str
    chapter: str
    cells: tuple


def exercises(nb, name: str = "notebook") -> list[Exercise]:
    """The coding exercises of a notebook, in order: every gated solution whose hidden
    cell runs a checker in strict mode, with the cells from its ``{exercise}`` directive
    up to the solution (the statement without what precedes the directive, the stub and
    the check cell)."""
    found = []
    for start, end, label in solution_blocks(nb.cells, name):
        strict = [m for c in nb.cells[start:end] for m in _STRICT_CHECK.finditer(c.source)]
        if not strict:
            continue
        checker, function = strict[0].groups()
        first = next(
            i
            for i in range(start - 1, -1, -1)
            if nb.cells[i].cell_type == "markdown" and f":label: {label}" in nb.cells[i].source
        )
        statement = nb.cells[first].source
        statement = statement[_EXERCISE.search(statement).start() :]
        cells = [new_markdown_cell(statement)]
        cells += [new_code_cell(c.source) for c in nb.cells[first + 1 : start]]
        found.append(Exercise(function, checker, Path(name).name, tuple(cells)))
    return found


TEST_FILE = '''\
"""otter-grader test of the exercise `{function}`, from the chapter
{chapter}: the course's own checker, in strict mode."""

from otter.test_files import test_case

OK_FORMAT = False
name = "{function}"
points = {points}


@test_case(points={points})
def test_{function}(env):
    from descent import checks

    result = checks.{checker}(env.get("{function}"), strict=True)
    assert result.passed, result.message
'''


def assignment(
    title: str, notebooks: Sequence[Path], points: Mapping[str, float] | None = None
) -> tuple[Handout, dict[str, str]]:
    """An assignment from the coding exercises of ``notebooks``: the student notebook
    (as a Handout of ``{title}.ipynb``) and otter's test files ``{function}.py``.
    ``points`` gives an exercise's points by its function's name (1 if not given)."""
    points = dict(points or {})
    cells = [
        new_markdown_cell(
            f"# {title}\n\nWrite each function in its cell, in place of "
            "`raise NotImplementedError`, and run the check cell after it. Run the whole "
            "notebook from the top before you hand it in: it is graded as it runs."
        )
    ]
    tests = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        chapter = nb.cells[0].source.splitlines()[0].lstrip("# ").strip()
        found = exercises(nb, str(path))
        if not found:
            raise ValueError(f"{path} has no coding exercise with a strict check")
        setup = next(c for c in nb.cells if c.cell_type == "code")
        cells += [new_markdown_cell(f"## {chapter}"), new_code_cell(setup.source)]
        for ex in found:
            value = points.pop(ex.function, 1)
            cells += ex.cells
            tests[f"{ex.function}.py"] = TEST_FILE.format(
                function=ex.function, chapter=chapter, checker=ex.checker, points=f"{value:g}"
            )
    if points:
        raise ValueError(f"no such exercise in these chapters: {', '.join(sorted(points))}")
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return Handout({f"{title}.ipynb": dumps(nb)}), tests


def build_assignment(
    title: str,
    notebooks: Sequence[Path],
    out: Path,
    points: Mapping[str, float] | None = None,
    *,
    echo=print,
) -> Path:
    """Write the assignment into the folder ``out`` (made anew): student/, tests/, the
    autograder.zip that ``otter generate`` builds from tests/, and {title}-student.zip.
    Returns the autograder's path."""
    from otter.generate import main as otter_generate

    handout, tests = assignment(title, notebooks, points)
    names = {f"student/{n}" for n in handout.files} | {f"tests/{n}" for n in tests}
    names |= {"autograder.zip", f"{title}-student.zip"}
    replace_folder(out, names)
    handout.write(out / "student")
    (out / "tests").mkdir()
    for name, text in tests.items():
        (out / "tests" / name).write_text(text, encoding="utf-8")
    autograder = out / "autograder.zip"
    otter_generate(
        tests_dir=str(out / "tests"),
        output_path=str(autograder),
        no_config=True,
        no_requirements=True,
        no_environment=True,
    )
    write_zip(out / f"{title}-student.zip", handout.files)
    echo(
        f"{out.as_posix()}/: student/{title}.ipynb ({_plural(len(tests), 'exercise')}), "
        f"autograder.zip, {title}-student.zip"
    )
    return autograder


# --------------------------------------------------------------------------- the command


def _points(pairs: Sequence[str]) -> dict[str, float]:
    points = {}
    for pair in pairs:
        function, _, value = pair.partition("=")
        try:
            points[function] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--points wants NAME=NUMBER, got {pair!r}") from None
    return points


def main(argv: Sequence[str] | None = None) -> int:
    """``python tools/handout.py copies|assignment ...`` (see the module's docstring)."""
    parser = argparse.ArgumentParser(
        prog="python tools/handout.py",
        description="Hand-outs without solutions: student copies, a zip, otter assignments.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    copies = commands.add_parser("copies", help="student copies of chapters, and a zip")
    copies.add_argument("notebooks", nargs="*", type=Path, help="default: book/*.ipynb")
    copies.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help="default: student/")
    copies.add_argument("--zip", type=Path, help="also write this zip, to hand out")
    graded = commands.add_parser("assignment", help="an otter-grader assignment")
    graded.add_argument("name", help="the assignment's name, e.g. week2")
    graded.add_argument("notebooks", nargs="+", type=Path, help="the chapters")
    graded.add_argument("--out", type=Path, help="default: assignments/NAME/")
    graded.add_argument(
        "--points", nargs="*", default=[], metavar="FUNCTION=N", help="default: 1 each"
    )
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(Path("book").glob("*.ipynb"))
    missing = [str(p) for p in notebooks if not p.is_file()]
    if not notebooks or missing:
        parser.error(f"no such notebook: {', '.join(missing) or 'book/*.ipynb'}")
    try:
        if args.command == "copies":
            handout = student_copies(notebooks)
            written = handout.write(args.out, protect={p.parent for p in notebooks})
            print(f"{len(written)} files in {args.out.as_posix()}/")
            if args.zip:
                write_zip(
                    args.zip,
                    {f"student/{k}": v for k, v in handout.files.items()}
                    | package_files(Path(".")),
                )
                print(f"wrote {args.zip}")
        else:
            out = args.out or Path(DEFAULT_ASSIGNMENTS) / args.name
            build_assignment(args.name, notebooks, out, _points(args.points))
    except (SolutionMarkerError, ValueError, argparse.ArgumentTypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
