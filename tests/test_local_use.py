"""A reader who ran the README's setup command, then `jupyter lab`, opens a chapter: its
kernel must find `descent` as an installed package (``-e ./code`` in requirements.txt),
whatever the working directory, with no sys.path edit anywhere."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import importlib.metadata, json, sys, descent
print(json.dumps({"file": descent.__file__, "prefix": sys.prefix,
                  "version": importlib.metadata.version("descent")}))
"""


@pytest.fixture(scope="module")
def kernel_report(tmp_path_factory):
    """Start the default "python3" kernel, as JupyterLab does, in a folder outside the
    repository, and ask it where `descent` comes from."""
    from jupyter_client.manager import start_new_kernel

    cwd = tmp_path_factory.mktemp("elsewhere")
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(cwd))
    try:
        lines = []

        def collect(msg):
            if msg["msg_type"] == "stream":
                lines.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                lines.append("ERROR " + msg["content"]["ename"] + ": " + msg["content"]["evalue"])

        client.execute_interactive(PROBE, timeout=60, output_hook=collect)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    text = "".join(lines)
    assert not text.startswith("ERROR"), text
    return json.loads(text)


def test_kernel_uses_this_environment(kernel_report):
    assert Path(kernel_report["prefix"]).resolve() == Path(sys.prefix).resolve()


def test_kernel_imports_descent_from_the_repositorys_package(kernel_report):
    expected = ROOT / "code" / "src" / "descent" / "__init__.py"
    assert Path(kernel_report["file"]).resolve() == expected.resolve()


def test_descent_is_an_installed_distribution(kernel_report):
    import descent

    assert kernel_report["version"] == descent.__version__


def test_requirements_install_the_package_the_way_repo2docker_can():
    """repo2docker runs `pip install -r requirements.txt` from the repository's root, so the
    package must be a local path relative to it, and runtime.txt must name the Python."""
    lines = [
        line.split("#")[0].strip()
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    ]
    assert "-e ./code" in lines
    assert (ROOT / "code" / "pyproject.toml").is_file()
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}", (
        f"runtime.txt says {runtime}, but the tests run on Python {sys.version.split()[0]}"
    )
