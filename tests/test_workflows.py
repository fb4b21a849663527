"""The GitHub Actions workflows: valid structure, and the very commands of the README.

CI here runs `.ci/run`; on GitHub, `.github/workflows/book.yml` builds and publishes the
book and `tests.yml` tests pull requests. These tests keep the three in step, so that a
reader, this CI and GitHub all run the same two commands.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def readme_command(name: str) -> str:
    """The command in the fenced block after ``<!-- command:NAME -->`` (as .ci/run reads it)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- command:{name} -->\n```\w*\n(.+?)\n```", text)
    assert match, f"README.md lost its <!-- command:{name} --> block"
    return match.group(1).strip()


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean True
    if True in data:
        data["on"] = data.pop(True)
    return data


def run_lines(workflow: dict) -> list[str]:
    return [
        step["run"].strip()
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if "run" in step
    ]


@pytest.mark.parametrize("name", ["book.yml", "tests.yml"])
def test_workflow_is_well_formed(name):
    workflow = load(name)
    assert {"name", "on", "jobs"} <= set(workflow), f"{name}: needs name, on and jobs"
    for job_name, job in workflow["jobs"].items():
        assert "runs-on" in job, f"{name}: job {job_name!r} has no runs-on"
        steps = job.get("steps", [])
        assert steps, f"{name}: job {job_name!r} has no steps"
        for step in steps:
            assert ("uses" in step) != ("run" in step), f"{name}: a step needs uses or run"


def test_tests_workflow_runs_the_readme_test_command_on_pull_requests():
    workflow = load("tests.yml")
    assert "pull_request" in workflow["on"]
    assert readme_command("test") in run_lines(workflow)


def test_book_workflow_builds_checks_and_deploys_the_site():
    workflow = load("book.yml")
    lines = run_lines(workflow)
    assert readme_command("book") in lines
    site_checks = [line for line in lines if "tests/test_site.py" in line]
    assert site_checks, "the built site is not checked before it is published"
    installs = [k for k, line in enumerate(lines) if line.startswith("npm ci")]
    assert installs and installs[0] < lines.index(site_checks[0]), (
        "the site check runs axe-core: install it (npm ci) before the check"
    )
    build = workflow["jobs"]["build"]
    uploads = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages")]
    assert uploads and uploads[0]["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in deploy["steps"])


def test_python_matches_runtime_txt():
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    version = runtime.removeprefix("python-")
    for name in ("book.yml", "tests.yml"):
        for job in load(name)["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/setup-python"):
                    assert str(step["with"]["python-version"]) == version, name


def test_workflows_match_githubs_schema():
    """check-jsonschema carries GitHub's workflow schema, so this works offline."""
    files = [str(p) for p in sorted(WORKFLOWS.glob("*.yml"))]
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
        + files,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
