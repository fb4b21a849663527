"""tools/handout.py assignment: an otter-grader assignment from two chapters, graded by
otter itself, offline and without Docker (``otter run``).

One assignment is built from chapters 2 and 14 (five exercises, numerical_gradient worth
2 points). A right submission (the book's solutions typed into the student notebook)
gets full marks; a wrong one (relative_error without the guard for 0/0) loses exactly
that exercise's point, with the checker's message as otter's feedback. The student's
hand-out holds no solution text, checked by content. Grading starts a kernel per
submission (about 15 s each); the two run side by side.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from tools_handout import handout

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = [
    ROOT / "book" / "02_gradient_checking.ipynb",
    ROOT / "book" / "14_choosing_an_optimizer.ipynb",
]
POINTS = {
    "numerical_gradient": 2,
    "relative_error": 1,
    "svm_loss": 1,
    "cosine_schedule": 1,
    "warmup_cosine": 1,
}
WRONG_RELATIVE_ERROR = (
    "def relative_error(a, b):\n"
    "    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))))"
)


def _solutions() -> dict[str, str]:
    """The book's solution cell of each exercise of the two chapters, by function name."""
    found = {}
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        for start, end, _ in handout.solution_blocks(nb.cells):
            for cell in nb.cells[start:end]:
                match = re.match(r"def (\w+)\(", cell.source)
                if cell.cell_type == "code" and match:
                    found[match.group(1)] = cell.source
    return found


def _submission(student: Path, target: Path, answers: dict[str, str]) -> Path:
    """The student notebook with each stub replaced by ``answers[function]``."""
    nb = nbformat.read(student, as_version=4)
    for cell in nb.cells:
        match = re.match(r"def (\w+)\(", cell.source)
        if match and "raise NotImplementedError" in cell.source:
            cell.source = answers[match.group(1)]
    nbformat.write(nb, target)
    return target


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Build the assignment with the documented command, then grade a right and a wrong
    submission with `otter run`, side by side; return the folder and both results."""
    tmp = tmp_path_factory.mktemp("assignment")
    out = tmp / "week2"
    points = [f"{k}={v}" for k, v in POINTS.items() if v != 1]
    build = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "handout.py"), "assignment", "week2"]
        + [str(p) for p in CHAPTERS]
        + ["--out", str(out), "--points", *points],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    solutions = _solutions()
    student = out / "student" / "week2.ipynb"
    runs = {}
    for kind, answers in {
        "right": solutions,
        "wrong": solutions | {"relative_error": WRONG_RELATIVE_ERROR},
    }.items():
        folder = tmp / kind
        folder.mkdir()
        submission = _submission(student, folder / "week2.ipynb", answers)
        command = [sys.executable, "-m", "otter", "run", "--no-logo"]
        command += ["-a", str(out / "autograder.zip"), "-o", str(folder), str(submission)]
        runs[kind] = (
            folder,
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
        )
    results = {}
    for kind, (folder, process) in runs.items():
        printed, _ = process.communicate(timeout=300)
        assert process.returncode == 0, printed
        tests = json.loads((folder / "results.json").read_text())["tests"]
        results[kind] = {t["name"]: t for t in tests if "max_score" in t}
    return out, results


def test_the_right_submission_gets_full_marks(graded):
    _, results = graded
    scores = {name: (t["score"], t["max_score"]) for name, t in results["right"].items()}
    assert scores == {name: (p, p) for name, p in POINTS.items()}


def test_the_wrong_submission_loses_that_exercise_with_the_checkers_message(graded):
    _, results = graded
    scores = {name: t["score"] for name, t in results["wrong"].items()}
    assert scores == POINTS | {"relative_error": 0}
    feedback = results["wrong"]["relative_error"]["output"]
    assert "✘ relative_error: wrong result on test case 4 of 7." in feedback
    assert "Your result contains NaN or inf" in feedback and "Hint 1 of 2" in feedback


def test_the_student_handout_holds_no_solution(graded):
    out, _ = graded
    solution_lines = {
        line.strip()
        for text in _solutions().values()
        for line in text.splitlines()[1:]  # the `def` line is the stub's too
        if len(line.strip()) > 20 and not line.startswith("checks.")  # the check cell's too
    }
    assert len(solution_lines) >= 10
    with zipfile.ZipFile(out / "week2-student.zip") as archive:
        assert archive.namelist() == ["week2-student/week2.ipynb"]
        text = archive.read("week2-student/week2.ipynb").decode()
    left = {line for line in solution_lines if line in text}
    assert not left, f"solution text in the hand-out: {left}"
    nb = nbformat.reads(text, as_version=4)
    assert not any("remove-cell" in c.metadata.get("tags", []) for c in nb.cells)
    stubs = [c for c in nb.cells if c.cell_type == "code" and "NotImplementedError" in c.source]
    assert len(stubs) == len(POINTS)


def test_the_autograder_calls_the_course_checkers_in_strict_mode(graded):
    out, _ = graded
    with zipfile.ZipFile(out / "autograder.zip") as archive:
        tests = {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("tests/")}
    assert sorted(tests) == sorted(f"tests/{name}.py" for name in POINTS)
    for name, points in POINTS.items():
        text = tests[f"tests/{name}.py"]
        assert f'checks.check_{name}(env.get("{name}"), strict=True)' in text
        assert f"points = {points}\n" in text
