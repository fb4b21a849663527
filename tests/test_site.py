"""The built book, looked at in headless Chromium as a reader would see it.

Every page of ``_build/html`` must load, show no error output or traceback, typeset all its
math, load all its images, show no dead widget, open its solution dropdowns, weigh at most
3 MB, and make no request that leaves the machine (the site must work offline).

Skips, saying why, when the book is not built or Chromium is missing, unless
DESCENT_REQUIRE_SITE is set (CI sets it after building), in which case it fails instead.
Screenshots of every page are written to ``_build/screenshots`` for a human look.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
PAGE_BUDGET_BYTES = 3 * 1024 * 1024

# Requests that may leave the machine. Empty on purpose: MathJax, fonts and scripts are all
# served from the built site. Add an entry only with a comment saying why it cannot be local.
REMOTE_ALLOW_LIST: tuple[str, ...] = ()

# Pages produced by Sphinx itself rather than by the course.
GENERATED = {"genindex.html", "search.html"}


def _skip_or_fail(reason: str):
    if os.environ.get("DESCENT_REQUIRE_SITE"):
        pytest.fail(f"site check required but {reason}")
    pytest.skip(reason)


def _pages() -> list[str]:
    if not HTML.is_dir():
        return []
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).parts[0].startswith("_")
    )


@pytest.fixture(scope="module")
def site():
    """Serve the built book on 127.0.0.1 and yield (base url, browser)."""
    if not (HTML / "index.html").exists():
        _skip_or_fail(
            "the book is not built: run the README's book command first (_build/html is missing)"
        )
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        _skip_or_fail("Chromium is not installed: `apt-get install chromium` (Debian) to run it")
    sync_api = pytest.importorskip("playwright.sync_api")

    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield f"http://127.0.0.1:{server.server_port}", browser
        browser.close()
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


def _visit(site, page_name):
    """Load a page, record requests, console errors and local files; return (page, report)."""
    base, browser = site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    report = {"remote": [], "failed": [], "console": [], "files": set()}

    def route(route):
        url = route.request.url
        host = urlparse(url).hostname
        if host in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:")):
            route.continue_()
        elif any(url.startswith(prefix) for prefix in REMOTE_ALLOW_LIST):
            route.continue_()
        else:
            report["remote"].append(url)
            route.abort()

    def on_response(response):
        if response.status >= 400:
            report["failed"].append(f"{response.status} {response.url}")
        elif urlparse(response.url).hostname in ("127.0.0.1", "localhost"):
            report["files"].add(urlparse(response.url).path)

    page.route("**/*", route)
    page.on("response", on_response)
    page.on("console", lambda m: m.type == "error" and report["console"].append(m.text))
    page.on("pageerror", lambda e: report["console"].append(str(e)))
    page.goto(f"{base}/{page_name}", wait_until="networkidle")
    return context, page, report


def _page_weight(paths) -> int:
    """Bytes of what a page loads for itself: its HTML, images and other media.

    The theme's scripts, styles, fonts and MathJax under _static/ are shared by every page
    and downloaded once for the whole book, so they do not count against one page. Sizes are
    read from the files on disk, so the measure does not depend on network timing.
    """
    total = 0
    for path in paths:
        if path.startswith("/_static/"):
            continue
        file = HTML / path.lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        if file.is_file():
            total += file.stat().st_size
    return total


def _wait_for_mathjax(page):
    page.wait_for_function(
        "() => !window.MathJax || !MathJax.startup || !MathJax.startup.promise"
        " ? true : MathJax.startup.promise.then(() => true)",
        timeout=30_000,
    )


PAGES = [p for p in _pages() if p not in GENERATED] or ["index.html"]


@pytest.mark.parametrize("page_name", PAGES)
def test_page_renders(site, page_name):
    context, page, report = _visit(site, page_name)
    try:
        _wait_for_mathjax(page)
        name = page_name.replace("/", "__").removesuffix(".html")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

        assert report["remote"] == [], f"requests leaving the machine: {report['remote']}"
        assert report["failed"] == [], f"failed requests: {report['failed']}"
        assert report["console"] == [], f"JavaScript errors: {report['console']}"

        text = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
        for marker in ("Traceback (most recent call last)", "Error executing"):
            assert marker not in text, f"{page_name} shows {marker!r}"
        errors = page.query_selector_all(".output.stderr, .output.traceback, .output.error")
        assert errors == [], f"{page_name} shows {len(errors)} error/stderr outputs"

        # math: every math element typeset by MathJax, none in error
        raw_math = page.eval_on_selector_all(".math, span.math, div.math", "els => els.length")
        typeset = page.eval_on_selector_all("mjx-container", "els => els.length")
        assert typeset >= raw_math, f"{raw_math} math elements but {typeset} typeset"
        assert page.query_selector_all("mjx-merror") == [], "MathJax reports a math error"

        # images: loaded, with alternative text
        images = page.eval_on_selector_all(
            "main img",
            "els => els.map(e => ({src: e.src, ok: e.complete && e.naturalWidth > 0}))",
        )
        broken = [i["src"] for i in images if not i["ok"]]
        assert broken == [], f"images that did not load: {broken}"

        # no dead widgets: no widget view and no widget repr leaking as text
        assert page.query_selector_all(".jupyter-widgets, .widget-area") == []
        for leak in ("interactive(children=", "VBox(children=", "HBox(children=", "Loading widget"):
            assert leak not in text, f"{page_name} shows a dead widget ({leak!r})"

        # solution dropdowns: closed at first, open when their button is clicked
        dropdowns = page.query_selector_all(".solution.dropdown")
        for dropdown in dropdowns:
            body = dropdown.query_selector(":scope > :not(.admonition-title)")
            assert body is not None and not body.is_visible(), "a solution is shown unasked"
            dropdown.query_selector("button.toggle-button").click()
            body.wait_for_element_state("visible", timeout=5_000)

        weight = _page_weight(report["files"])
        assert weight <= PAGE_BUDGET_BYTES, (
            f"{page_name} weighs {weight / 1e6:.2f} MB (its HTML and images), over the 3 MB budget"
        )
    finally:
        context.close()


def test_every_toc_page_was_built():
    """Each chapter of _toc.yml has a page (a missing notebook would silently drop one)."""
    if not HTML.is_dir():
        _skip_or_fail("the book is not built: run the README's book command first")
    toc = (ROOT / "_toc.yml").read_text()
    files = [line.split("file:")[1].strip() for line in toc.splitlines() if "file:" in line]
    files.append(toc.split("root:")[1].splitlines()[0].strip())
    missing = [f for f in files if not (HTML / f"{f}.html").exists()]
    assert files and missing == [], f"pages missing from the built site: {missing}"
