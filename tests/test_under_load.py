"""tools/under_load.py: the README's commands, run while the machine is kept busy."""

import importlib.util
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("under_load", ROOT / "tools" / "under_load.py")
under_load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(under_load)


def ci_command(name):
    """The command as .ci/run extracts it (its own awk program)."""
    script = (ROOT / ".ci" / "run").read_text()
    awk = script.split("awk -v marker=")[1].split("' README.md")[0]
    program = awk.split(" '", 1)[1]
    done = subprocess.run(
        ["awk", "-v", f"marker=<!-- command:{name} -->", program, str(ROOT / "README.md")],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.parametrize("name", ["test", "book"])
def test_it_runs_the_same_command_as_ci(name):
    assert under_load.readme_command(name) == ci_command(name) != ""


def test_an_unknown_command_is_refused(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("<!-- command:test -->\n```bash\necho hi\n```\n")
    assert under_load.readme_command("test", readme) == "echo hi"
    with pytest.raises(SystemExit, match="no command marked <!-- command:book -->"):
        under_load.readme_command("book", readme)


def test_the_load_stops_by_itself():
    workers = under_load.start_load(max_seconds=0.5, cpu=1, memory=1)
    for w in workers:
        w.join(timeout=60)
    assert not any(w.is_alive() for w in workers)
    assert [w.exitcode for w in workers] == [0, 0]  # ended normally, not stopped


def test_the_summary_is_the_result_line():
    output = "collected 3 items\n...\n===== 2 passed, 1 failed in 3.1s =====\n"
    assert under_load.summary_line(output) == "2 passed, 1 failed in 3.1s"
    assert under_load.summary_line("") == "(no output)"


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit):
        under_load.main(["--runs", "0"])
