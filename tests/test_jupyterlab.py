"""A chapter as a student meets it: opened in a real JupyterLab, in headless Chromium.

Starts JupyterLab on 127.0.0.1 (a free port, a random token) on a copy of one chapter, opens
it in Chromium at a laptop's size (1366 × 768), runs every cell and checks what the student
sees: exercise and algorithm boxes rendered by jupyterlab-myst (no raw ```{exercise}```
markup), the book's hidden test cells collapsed, an explorer whose picture is shown at its
own size, fits the screen and changes when a slider moves, and which, once the notebook is
saved and reopened with a new kernel, still shows its picture instead of "Error displaying
widget: model not found".

Skips, saying why, where Chromium is missing, unless DESCENT_REQUIRE_JUPYTERLAB is set (CI
sets it), in which case it fails instead. Screenshots go to ``_build/screenshots/jupyterlab``
for a human look. The server and the browser are stopped whatever happens; every wait has a
time limit.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import launch_chromium

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "06_momentum.ipynb"  # exercises, an algorithm box and an explorer
SHOTS = ROOT / "_build" / "screenshots" / "jupyterlab"
LAPTOP = {"width": 1366, "height": 768}
SECONDS = 1000  # Playwright counts milliseconds


def _skip_or_fail(reason: str):
    if os.environ.get("DESCENT_REQUIRE_JUPYTERLAB"):
        pytest.fail(f"JupyterLab check required but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _settings(folder: Path) -> None:
    """The test's own JupyterLab user settings: every cell in the page (no windowing, so
    that all cells can be counted) and no question about news (it would cover the page)."""
    for plugin, values in {
        "notebook-extension/tracker": {"windowingMode": "none"},
        "apputils-extension/notification": {"fetchNews": "false"},
    }.items():
        path = folder / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab on a copy of the chapter: yields (base url, token, browser)."""
    chromium = (
        os.environ.get("DESCENT_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if chromium is None:
        _skip_or_fail("Chromium is not installed: `apt-get install chromium` (Debian) to run it")
    sync_api = pytest.importorskip("playwright.sync_api")

    work = tmp_path_factory.mktemp("jupyterlab")
    shutil.copy(CHAPTER, work / CHAPTER.name)
    _settings(work / "settings")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(work / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(work / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
        "OPENBLAS_NUM_THREADS": "1",
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--allow-root",  # containers run as root
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # no request to PyPI
    ]
    log = (work / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(work / 'server.log').read_text()}")
                time.sleep(0.5)
        SHOTS.mkdir(parents=True, exist_ok=True)
        with sync_api.sync_playwright() as p:
            browser = launch_chromium(p, chromium, "--headless")
            try:
                yield base, token, browser
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _open(lab, page):
    base, token, _ = lab
    page.goto(f"{base}/lab/tree/{CHAPTER.name}?token={token}", timeout=60 * SECONDS)
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell.jp-mod-rendered", timeout=60 * SECONDS)
    page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=60 * SECONDS)


def _hidden_cell_count() -> int:
    cells = json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]
    return sum("remove-cell" in c["metadata"].get("tags", []) for c in cells)


def _run_all(page):
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    # done when every shown cell has its number (a collapsed cell shows no prompt): none
    # waits or runs ([*]), and none was skipped after an error ([ ])
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                .map(p => p.textContent.trim()).filter(text => text);
            return prompts.length > 0 && prompts.every(text => /^\\[\\d+\\]/.test(text));
        }""",
        timeout=240 * SECONDS,
        polling=1000,
    )


def _explorer(page):
    """The explorer's widget box (the one output that holds a slider and a picture)."""
    box = page.locator(".jp-OutputArea-output .widget-vbox").filter(
        has=page.locator("img.widget-image")
    )
    box.first.wait_for(timeout=30 * SECONDS)
    return box.first


def test_a_chapter_in_jupyterlab(lab):
    _, _, browser = lab
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    try:
        _open(lab, page)
        page.screenshot(path=str(SHOTS / "opened.png"))

        # MyST rendered: exercise and algorithm boxes, not their markup
        exercise = page.locator("aside.myst-exercise").first
        algorithm = page.locator("aside.myst-proof").first
        exercise.scroll_into_view_if_needed()
        assert exercise.is_visible() and "Exercise" in exercise.inner_text()
        exercise.screenshot(path=str(SHOTS / "exercise.png"))
        algorithm.scroll_into_view_if_needed()
        assert algorithm.is_visible() and "Algorithm" in algorithm.inner_text()
        algorithm.screenshot(path=str(SHOTS / "algorithm.png"))
        rendered = " ".join(page.locator(".jp-MarkdownCell .myst").all_inner_texts())
        for markup in ("{exercise}", "{prf:algorithm}", "{solution-start}", "```"):
            assert markup not in rendered, f"raw MyST markup {markup!r} shown"

        # the book's hidden test cells: collapsed to a placeholder bar, their code not shown
        collapsed = page.locator(".jp-CodeCell .jp-InputPlaceholder")
        assert collapsed.count() == _hidden_cell_count() > 0
        collapsed.nth(1).scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "hidden-cells.png"))
        code_editors = page.locator(".jp-CodeCell .jp-InputArea-editor:visible")
        shown = " ".join(code_editors.all_inner_texts())
        assert "assert" not in shown, "a test cell's code is shown"

        _run_all(page)
        errors = page.locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
        )
        assert errors.count() == 0, errors.first.inner_text()

        # the explorer: the picture at its own size, on a laptop's screen, live
        explorer = _explorer(page)
        explorer.scroll_into_view_if_needed()
        image = explorer.locator("img.widget-image")
        size = image.evaluate("i => [i.naturalWidth, i.clientWidth, i.naturalHeight]")
        assert size[0] == size[1], f"picture shown {size[1]} px wide, drawn {size[0]} px"
        panel = page.locator(".jp-NotebookPanel-notebook").bounding_box()
        box = explorer.bounding_box()
        assert box["height"] <= panel["height"], (box, panel)  # no scrolling inside it
        explorer.screenshot(path=str(SHOTS / "explorer.png"))
        before = image.get_attribute("src")
        readout = explorer.locator(".widget-readout").first
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("1.5")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "([img, before]) => img.src !== before",
            arg=[image.element_handle(), before],
            timeout=30 * SECONDS,
        )
        explorer.screenshot(path=str(SHOTS / "explorer-moved.png"))
        assert "1.5" in readout.inner_text()

        # saved, then reopened with a new kernel: the picture, not "model not found"
        page.keyboard.press("Control+S")
        page.wait_for_function(
            "() => !document.querySelector('.jp-mod-dirty')", timeout=30 * SECONDS
        )
        page.reload()
        page.wait_for_selector(
            ".jp-Notebook .jp-MarkdownCell.jp-mod-rendered", timeout=60 * SECONDS
        )
        explorer = _explorer(page)
        explorer.scroll_into_view_if_needed()
        explorer.locator("img.widget-image").wait_for(timeout=30 * SECONDS)
        assert "model not found" not in page.locator(".jp-Notebook").inner_text()
        explorer.screenshot(path=str(SHOTS / "explorer-reopened.png"))
    finally:
        context.close()


def test_jupyterlab_accepts_every_extension():
    """`jupyter labextension list` finds no extension built for another JupyterLab."""
    listing = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    text = listing.stdout + listing.stderr
    assert "jupyterlab-myst" in text and "enabled" in text
    assert "not compatible" not in text, text


def test_the_student_extra_pins_what_requirements_pins():
    """`pip install -e "./code[student]"` gets the versions that were tested together."""
    import tomllib

    pinned = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pinned[name.lower()] = version
    project = tomllib.loads((ROOT / "code" / "pyproject.toml").read_text(encoding="utf-8"))
    student = project["project"]["optional-dependencies"]["student"]
    names = set()
    for requirement in student:
        name, version = requirement.split("==")
        names.add(name.lower())
        assert pinned.get(name.lower()) == version, (
            f"{requirement} but requirements.txt pins {pinned.get(name.lower())}"
        )
    needed = {"jupyterlab", "jupyterlab-myst", "ipywidgets", "ipykernel", "matplotlib", "numpy"}
    assert needed | {"scikit-learn"} <= names
