"""The built book, looked at in headless Chromium as a reader would see it.

Every page of ``_build/html`` must load, show no error output or traceback, typeset all its
math, load all its images and give each a real alternative text, show no dead widget, open
its solution dropdowns, stay light (its first load at most 3 MB, its own bytes at most
1 MB) and make no request that leaves the machine (the site must work offline). axe-core
finds no critical or serious accessibility problem on it, in light and in dark mode. On a
phone (390 × 844 CSS pixels) it does not scroll sideways, its equation numbers stay in
view and its figures keep their text readable. In the theme's dark mode every page must
stay legible: text and math light enough on the dark background, and every figure opaque,
so that it shows as a white card rather than as dark lines on a dark page.

Skips, saying why, when the book is not built, Chromium is missing or axe-core is not
installed (``npm ci``), unless DESCENT_REQUIRE_SITE is set (CI sets it after building), in
which case it fails instead. Screenshots of every page are written to
``_build/screenshots`` (dark mode: ``_build/screenshots/dark``, phone width:
``_build/screenshots/phone``) for a human look: the first screen of each page, or the whole
page with DESCENT_FULL_SCREENSHOTS=1.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from browser import launch_chromium

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
DARK_SHOTS = SHOTS / "dark"
PHONE_SHOTS = SHOTS / "phone"
# axe-core, the accessibility engine, from npm (package.json; installed with `npm ci`)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Budgets (course-design.md, section 5): everything a page's first load fetches, the
# theme's and MathJax's files included; and the page's own bytes (its HTML, its images and
# the animation frames it loads). A megabyte is 10**6 bytes, the stricter reading.
FIRST_LOAD_BUDGET_BYTES = 3_000_000
OWN_BUDGET_BYTES = 1_000_000
# and the site as it is published (issue #15): the English edition, and what each other
# edition adds (its translated pages and search index: it shares every identical file)
SITE_BUDGET_BYTES = 15_000_000
EDITION_BUDGET_BYTES = 6_000_000
OTHER_EDITIONS = ("ko",)
PHONE = {"width": 390, "height": 844}
# Screenshots show what a reader sees first (the window); set DESCENT_FULL_SCREENSHOTS=1 for
# whole pages (a long chapter's takes seconds, too long for every page in CI).
FULL_PAGE_SHOTS = bool(os.environ.get("DESCENT_FULL_SCREENSHOTS"))
# Text in a figure must stay readable on a phone: its smallest font is 8 pt (the figures'
# style, descent.plotting.STYLE, and the chapters never go below), so a figure must be shown
# with at least one CSS pixel per point of its size, i.e. at a scale of at least 72 / dpi.
SMALLEST_FIGURE_FONT_PT = 8
MIN_TEXT_PX = 8
# WCAG 2 level AA for normal text: the contrast ratio of text to its background.
MIN_CONTRAST = 4.5

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
    # DESCENT_CHROMIUM names another Chromium-based browser (GitHub's runners: google-chrome)
    chromium = (
        os.environ.get("DESCENT_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if chromium is None:
        _skip_or_fail("Chromium is not installed: `apt-get install chromium` (Debian) to run it")
    if not AXE.is_file():
        _skip_or_fail("axe-core is not installed: run `npm ci` in the repository's root")
    sync_api = pytest.importorskip("playwright.sync_api")

    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p, chromium)
        yield f"http://127.0.0.1:{server.server_port}", browser
        browser.close()
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


def _visit(site, page_name):
    """Load a page, record requests, console errors and local files; return (page, report).

    ``report["files"]`` maps the path of each local file the page fetched to its size on
    disk (the uncompressed bytes: the measure does not depend on the server).
    """
    base, browser = site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    report = {"remote": [], "failed": [], "console": [], "files": {}}

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
            path = urlparse(response.url).path
            report["files"][path] = _size(path)

    page.route("**/*", route)
    page.on("response", on_response)
    page.on("console", lambda m: m.type == "error" and report["console"].append(m.text))
    page.on("pageerror", lambda e: report["console"].append(str(e)))
    page.goto(f"{base}/{page_name}", wait_until="networkidle")
    return context, page, report


def _size(path: str) -> int:
    """Bytes of the built site's file that a URL path names (0 if there is none)."""
    file = HTML / path.lstrip("/")
    if file.is_dir():
        file = file / "index.html"
    return file.stat().st_size if file.is_file() else 0


def _own_bytes(paths) -> int:
    """Bytes of what a page loads for itself: its HTML, images, animation frames and media.

    The theme's scripts, styles, fonts and MathJax under _static/ and the search index are
    shared by every page and downloaded once for the whole book, so they do not count
    against one page (they count in its first load).
    """
    shared = tuple(
        f"{prefix}{name}"
        for prefix in ("", *(f"/{edition}" for edition in OTHER_EDITIONS))
        for name in ("/_static/", "/searchindex.js")
    )  # an edition's own copies of them included (ko/_static/, ko/searchindex.js)
    return sum(_size(path) for path in set(paths) if not path.startswith(shared))


def _wait_for_mathjax(page):
    page.wait_for_function(
        "() => !window.MathJax || !MathJax.startup || !MathJax.startup.promise"
        " ? true : MathJax.startup.promise.then(() => true)",
        timeout=30_000,
    )


# Alternative text that says nothing: a file name, a hash, a URL, a placeholder word, or the
# repr of a matplotlib figure (what a notebook shows when a figure is not drawn).
_NOT_ALT = re.compile(
    r"\.(png|jpe?g|gif|svg|webp)\b|^(https?:|data:|/|\.\./|_images)|^[0-9a-f]{16,}"
    r"|^(figure|image|img|picture|plot|graph|output|animation|png)s?$|^<Figure size",
    re.IGNORECASE,
)


def _alt_problem(image) -> str | None:
    """Why an <img>'s alt text (``image["alt"]``) tells a reader nothing, or None if it does.

    An image of the page's content (a figure, an animation) needs a sentence; one of the
    theme's or of Sphinx's (a logo in the header, an icon from _static) a few words.
    """
    alt = (image["alt"] or "").strip()
    if not alt:
        return "no alt text"
    if _NOT_ALT.search(alt) or alt == image["src"].rsplit("/", 1)[-1]:
        return f"alt text {alt[:60]!r} is a file name, URL, hash or placeholder"
    if image["content"] and len(alt.split()) < 4:
        return f"alt text {alt!r} is too short to describe a figure"
    return None


PAGES = [p for p in _pages() if p.removeprefix("ko/") not in GENERATED] or ["index.html"]


@pytest.mark.parametrize("page_name", PAGES)
def test_page_renders(site, page_name):
    context, page, report = _visit(site, page_name)
    try:
        _wait_for_mathjax(page)
        first_load = sum(report["files"].values())  # before anything below fetches more
        requests = len(report["files"])
        name = page_name.replace("/", "__").removesuffix(".html")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=FULL_PAGE_SHOTS)

        assert report["remote"] == [], f"requests leaving the machine: {report['remote']}"
        assert report["failed"] == [], f"failed requests: {report['failed']}"
        assert report["console"] == [], f"JavaScript errors: {report['console']}"
        search = [path for path in report["files"] if path.endswith("/searchindex.js")]
        assert search == [], f"{page_name} loads the search index (only search.html needs it)"

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

        # images: loaded (each lazy one as a reader scrolls to it), with alternative text
        page.evaluate(
            "() => Promise.all([...document.images].map(img => { img.loading = 'eager';"
            " return img.decode().catch(() => null); }))"
        )
        images = page.eval_on_selector_all(
            "img",
            "els => els.map(e => ({src: e.src, alt: e.getAttribute('alt'),"
            " ok: e.complete && e.naturalWidth > 0,"
            " content: !!e.closest('article') && !e.src.includes('/_static/')}))",
        )
        broken = [i["src"] for i in images if not i["ok"]]
        assert broken == [], f"images that did not load: {broken}"
        bad_alt = [f"{i['src'][:80]}: {problem}" for i in images if (problem := _alt_problem(i))]
        assert bad_alt == [], f"images without a real alternative text: {bad_alt}"

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

        # weight: the first load, everything included; and the page's own bytes, where
        # every image it shows counts, even one the browser has not fetched yet (lazy);
        # both kept in _build/screenshots/weights/ for the table of every page's weight
        shown = {urlparse(i["src"]).path for i in images if i["src"].startswith(site[0])}
        own = _own_bytes([*report["files"], *shown])
        weight = {"page": page_name, "first_load": first_load, "requests": requests, "own": own}
        (SHOTS / "weights").mkdir(exist_ok=True)
        (SHOTS / "weights" / f"{name}.json").write_text(json.dumps(weight))
        assert first_load <= FIRST_LOAD_BUDGET_BYTES, (
            f"{page_name}: its first load fetches {first_load / 1e6:.2f} MB, over the 3 MB budget"
        )
        assert own <= OWN_BUDGET_BYTES, (
            f"{page_name} weighs {own / 1e6:.2f} MB of its own (HTML, images, animation "
            "frames), over the 1 MB budget"
        )
        assert "data:image/" not in page.content(), (
            f"{page_name} inlines an image as a data: URI; the build writes them as files"
        )

        _assert_accessible(page, page_name, "light")
        _assert_fits_a_phone(page, page_name)
        _assert_legible_in_dark_mode(page, page_name, report)
    finally:
        context.close()


# --------------------------------------------------------------------------- accessibility

# Every rule of axe-core up to WCAG 2.x level AA, its best practices and its experimental
# rules included (e.g. label-content-name-mismatch, WCAG 2.5.3); not the AAA ones (such as
# color-contrast-enhanced, 7:1). Impacts: critical, serious, moderate, minor; the first two
# fail the check.
_AXE_RUN = """async () => {
  const rules = axe.getRules().filter(rule => !rule.tags.includes("wcag2aaa"))
    .map(rule => rule.ruleId);
  const result = await axe.run(document, {
    runOnly: {type: "rule", values: rules}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" "))}));
}"""
FAILING_IMPACTS = ("critical", "serious")


def _assert_accessible(page, page_name, mode):
    """axe-core finds no critical or serious violation on the page as it is shown."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(_AXE_RUN)
    failing = [
        f"{v['impact']} {v['id']} ({v['help']}) on {len(v['nodes'])} element(s), e.g. "
        f"{v['nodes'][:3]}"
        for v in violations
        if v["impact"] in FAILING_IMPACTS
    ]
    assert failing == [], f"{page_name} in {mode} mode: axe-core finds {failing}"


# --------------------------------------------------------------------------- phone

# Elements wider than the screen that are not inside a box that scrolls on its own.
_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
    }
    return false;
  };
  const sticking = [...document.querySelectorAll("body *")].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && !scrolls(el);
  }).map(el => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
               `${el.className && el.className.baseVal === undefined && el.className
                  ? "." + String(el.className).trim().split(/\\s+/).join(".") : ""}`);
  return {scrollWidth: document.documentElement.scrollWidth, width, sticking};
}"""

# For each equation number: is it inside the visible part of its equation's box?
_EQNO_JS = """() => [...document.querySelectorAll("main .math .eqno")]
  .filter(n => n.getClientRects().length).map(n => {
    const r = n.getBoundingClientRect(), box = n.closest(".math").getBoundingClientRect();
    return {text: n.textContent.replace("#", "").trim(),
            inside: r.left >= box.left - 1 && r.right <= box.right + 1
                    && r.right <= document.documentElement.clientWidth + 1};
  })"""


def _assert_fits_a_phone(page, page_name):
    """At 390 x 844 CSS pixels: no sideways scrolling, equation numbers in view, figures
    shown large enough for their smallest text to be at least 8 px."""
    from PIL import Image

    page.set_viewport_size(PHONE)
    # the theme re-lays out on resize and gives scrolling boxes a tab stop 300 ms after it
    page.wait_for_timeout(500)
    PHONE_SHOTS.mkdir(parents=True, exist_ok=True)
    name = page_name.replace("/", "__").removesuffix(".html")
    page.screenshot(path=str(PHONE_SHOTS / f"{name}.png"), full_page=False)

    layout = page.evaluate(_OVERFLOW_JS)
    assert layout["scrollWidth"] <= layout["width"], (
        f"{page_name} scrolls sideways on a phone: {layout['scrollWidth']} px wide in a "
        f"{layout['width']} px screen; sticking out: {sorted(set(layout['sticking']))[:8]}"
    )
    cut = [eq["text"] for eq in page.evaluate(_EQNO_JS) if not eq["inside"]]
    assert cut == [], f"{page_name} on a phone: equation numbers out of view: {cut}"

    figures = page.eval_on_selector_all(
        "main img",
        "els => els.filter(e => e.getClientRects().length && !e.src.includes('/_static/'))"
        ".map(e => ({src: e.src, shown: e.getBoundingClientRect().width,"
        " natural: e.naturalWidth}))",
    )
    small = []
    for figure in figures:
        file = HTML / urlparse(figure["src"]).path.lstrip("/")
        if not file.is_file() or not figure["natural"]:
            continue
        with Image.open(file) as image:
            dpi = image.info.get("dpi", (72, 72))[0]
        text_px = SMALLEST_FIGURE_FONT_PT * dpi / 72 * figure["shown"] / figure["natural"]
        if text_px < MIN_TEXT_PX - 0.25:
            small.append(f"{file.name}: {text_px:.1f} px")
    assert small == [], f"{page_name} on a phone shrinks figures' text below 8 px: {small[:5]}"


def test_every_chapter_has_a_binder_launch_button():
    """Each notebook page links to Binder for this repository, branch and notebook, using the
    one repository address of _config.yml."""
    if not HTML.is_dir():
        _skip_or_fail("the book is not built: run the README's book command first")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = urlparse(config["repository"]["url"]).path.strip("/")
    branch = config["repository"]["branch"]
    notebooks = sorted((ROOT / "book").glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        page = HTML / "book" / f"{notebook.stem}.html"
        html = page.read_text(encoding="utf-8")
        link = f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/book/{notebook.name}"
        assert link in html, f"{page.name} has no Binder launch button ({link})"


def test_site_is_light():
    """The English site weighs at most 15 MB; each other edition adds at most 6 MB."""
    if not HTML.is_dir():
        _skip_or_fail("the book is not built: run the README's book command first")
    sizes = {}  # edition -> folder -> bytes
    for file in HTML.rglob("*"):
        if file.is_file():
            path = file.relative_to(HTML)
            edition = path.parts[0] if path.parts[0] in OTHER_EDITIONS else "en"
            folder = path.parent.as_posix()
            by_folder = sizes.setdefault(edition, {})
            by_folder[folder] = by_folder.get(folder, 0) + file.stat().st_size
    assert set(sizes) == {"en", *OTHER_EDITIONS}, f"editions built: {sorted(sizes)}"
    for edition, by_folder in sizes.items():
        total = sum(by_folder.values())
        budget = SITE_BUDGET_BYTES if edition == "en" else EDITION_BUDGET_BYTES
        largest = [f"{f}: {size / 1e6:.2f} MB" for f, size in Counter(by_folder).most_common(5)]
        assert total <= budget, (
            f"the edition '{edition}' weighs {total / 1e6:.2f} MB, over its budget of "
            f"{budget / 1e6:.2f} MB; largest folders: {largest}"
        )


def test_every_toc_page_was_built():
    """Each chapter of _toc.yml has a page (a missing notebook would silently drop one)."""
    if not HTML.is_dir():
        _skip_or_fail("the book is not built: run the README's book command first")
    toc = (ROOT / "_toc.yml").read_text()
    files = [line.split("file:")[1].strip() for line in toc.splitlines() if "file:" in line]
    files.append(toc.split("root:")[1].splitlines()[0].strip())
    missing = [f for f in files if not (HTML / f"{f}.html").exists()]
    assert files and missing == [], f"pages missing from the built site: {missing}"


# --------------------------------------------------------------------------- dark mode

# What a reader reads, by kind: each selector is sampled (visible elements with text only).
TEXT_SAMPLES = {
    "prose": "main p, main li, main dd, main figcaption",
    "headings": "main h1, main h2, main h3, main .admonition-title",
    "links": "main p a, main li a",
    "math": "main mjx-container",
    "code": "main div.highlight pre, main div.highlight pre span",
    "output": "main div.cell_output pre, main div.cell_output pre span",
    "tables": "main table td, main table th, main table caption, main table td code",
    "outputs": "main div.cell_output div.output *",
    "player buttons": "main .anim-buttons button, main .anim-state label",
}

# For each sampled element: its text colour and the colour actually behind it (the first
# opaque background among it and its ancestors, with translucent ones composited on top).
_COLOURS_JS = """
([selectors, most]) => {
  const parse = c => {
    const m = /rgba?\\(([^)]*)\\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3]));
  const behind = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
  };
  const out = [];
  for (const [kind, selector] of Object.entries(selectors)) {
    const shown = [...document.querySelectorAll(selector)].filter(el =>
      el.getClientRects().length && getComputedStyle(el).visibility === "visible"
      && el.textContent.trim());
    const step = Math.max(1, Math.ceil(shown.length / most));  // spread over the page
    for (let i = 0; i < shown.length; i += step) {
      const el = shown[i];
      const fg = parse(getComputedStyle(el).color);
      if (!fg) continue;
      const bg = behind(el);
      out.push({kind, text: el.textContent.trim().slice(0, 40), fg: over(fg, bg), bg});
    }
  }
  return out;
}
"""


def _luminance(rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour given as 0-255 channels."""
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(fg, bg) -> float:
    """WCAG 2 contrast ratio, 1 (none) to 21 (black on white)."""
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _assert_legible_in_dark_mode(page, page_name, report):
    """Switched to the theme's dark mode (what its colour-mode button sets: the mode in
    localStorage and the page's data-mode and data-theme, with a system that prefers dark):
    text, math and code keep their contrast, and figures are shown on a light card."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(color_scheme="dark")
    page.evaluate(
        "() => { localStorage.setItem('mode', 'dark');"
        " document.documentElement.dataset.mode = 'dark';"
        " document.documentElement.dataset.theme = 'dark'; }"
    )
    page.wait_for_timeout(300)  # the theme's transitions
    DARK_SHOTS.mkdir(parents=True, exist_ok=True)
    name = page_name.replace("/", "__").removesuffix(".html")
    page.screenshot(path=str(DARK_SHOTS / f"{name}.png"), full_page=FULL_PAGE_SHOTS)
    assert report["console"] == [], f"JavaScript errors in dark mode: {report['console']}"

    samples = page.evaluate(_COLOURS_JS, [TEXT_SAMPLES, 200])
    assert any(s["kind"] == "prose" for s in samples), "no text found to check"
    illegible = [
        f"{s['kind']} {s['text']!r}: contrast {_contrast(s['fg'], s['bg']):.1f}"
        for s in samples
        if _contrast(s["fg"], s["bg"]) < MIN_CONTRAST
    ]
    assert illegible == [], (
        f"{page_name} in dark mode has text below contrast {MIN_CONTRAST}: {illegible[:10]}"
    )

    # figures are shown as drawn (the theme dims them a little): not faded, not inverted
    looks = page.eval_on_selector_all(
        "main img",
        "els => els.filter(e => e.getClientRects().length).map(e => [e.src,"
        " getComputedStyle(e).opacity, getComputedStyle(e).filter])",
    )
    altered = [src for src, opacity, fx in looks if float(opacity) < 1 or "invert" in fx]
    assert altered == [], f"figures faded or inverted in dark mode: {altered}"

    # axe-core in dark mode on the English pages. A translated page has the same
    # templates, stylesheet and figures, so the same colours: in dark mode its text's
    # contrast is checked above, and axe-core checks it in light mode. This keeps the site
    # check within CI's time.
    if not page_name.startswith(tuple(f"{edition}/" for edition in OTHER_EDITIONS)):
        _assert_accessible(page, page_name, "dark")


def test_figures_are_opaque():
    """Every figure (the images of _build/html/_images and every frame of every animation,
    which the build writes to _images/frames) has an opaque background. A transparent one
    would show the dark page through it in dark mode, and the book's black lines and labels
    would vanish into it."""
    if not HTML.is_dir():
        _skip_or_fail("the book is not built: run the README's book command first")
    from PIL import Image

    figures = [*HTML.glob("_images/*.png"), *HTML.glob("_images/frames/*.webp")]
    assert figures, "no figures found in the built site"
    assert list(HTML.glob("_images/frames/*.webp")), "no animation frames found in the site"
    transparent = []
    for figure in figures:
        with Image.open(figure) as image:
            alpha = image.convert("RGBA").getchannel("A")
        if alpha.getextrema()[0] < 255:
            transparent.append(figure.relative_to(HTML).as_posix())
    assert transparent == [], (
        f"figures with transparent pixels (save them with matplotlib's opaque white "
        f"background, never transparent=True): {transparent[:10]}"
    )


# --------------------------------------------------------------------------- the Korean edition

KOREAN = HTML / "ko"
# The Korean pages whose text is translated (tests/test_korean_edition.py checks their
# catalogs); the others show English until they are.
TRANSLATED = [
    f"book/{catalog.stem}.html" for catalog in (ROOT / "locale/ko/LC_MESSAGES/book").glob("*.po")
]
_CODE = re.compile(r"<code.*?</code>|<span class=\"math.*?</span>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_SWITCH = re.compile(r'class="[^"]*descent-language-switch[^"]*" href="([^"]+)" hreflang="(\w+)"')


def _korean_edition_built():
    if not (KOREAN / "index.html").exists():
        _skip_or_fail(
            "the Korean edition is not built (_build/html/ko): run the README's book command"
        )


def test_every_page_switches_to_the_same_page_in_the_other_edition():
    """On every page of both editions: the switch leads to the same page in the other
    edition, which exists and leads back; ``<html lang>`` names the page's language."""
    _korean_edition_built()
    english = [p for p in PAGES if not p.startswith("ko/") and p != "index.html"]
    assert len(english) > 20
    problems = []
    for name in english:
        pair = ((name, f"ko/{name}", "en", "ko"), (f"ko/{name}", name, "ko", "en"))
        for here, there, lang, other in pair:
            html = (HTML / here).read_text(encoding="utf-8")
            if f'<html lang="{lang}"' not in html:
                problems.append(f'{here}: not <html lang="{lang}">')
            switch = _SWITCH.search(html)
            if switch is None or switch.group(2) != other:
                problems.append(f"{here}: no switch to the {other} edition")
                continue
            target = ((HTML / here).parent / switch.group(1)).resolve()
            if target != (HTML / there).resolve() or not target.is_file():
                problems.append(f"{here}: the switch leads to {switch.group(1)}, not {there}")
    assert problems == [], "\n".join(problems)


def test_translated_pages_read_in_korean():
    """A translated page's title, prose and figure descriptions are in Korean."""
    _korean_edition_built()
    hangul = re.compile("[\uac00-\ud7a3]")
    problems = []
    for name in TRANSLATED:
        html = (KOREAN / name).read_text(encoding="utf-8")
        title = re.search(r"<h1>(.*?)</h1>", html, re.DOTALL)
        words = _TAGS.sub(" ", title.group(1)).split() if title else []
        if not words or not hangul.search(title.group(1)) and len(words) > 1:  # "AdaGrad" is a name
            problems.append(f"ko/{name}: its title is not Korean")
        # references (footnotes and the bibliography) stay as published
        prose = re.sub(
            r'<(aside|div) class="(footnote|citation)[^"]*".*?</\1>', "", html, flags=re.S
        )
        paragraphs = re.findall(r"<p>(.*?)</p>", prose, re.DOTALL)
        # a sentence of English words; not code, names or formulas. The API page's
        # docstrings stay English by design (book/_ext/descent_i18n.py).
        words = [re.findall(r"[A-Za-z]{2,}", _TAGS.sub(" ", _CODE.sub(" ", p))) for p in paragraphs]
        english = [
            p
            for p, w in zip(paragraphs, words, strict=True)
            if len(w) >= 8 and not hangul.search(p)
        ]
        if name == "book/api.html":
            english = []
        if english:
            problems.append(f"ko/{name}: {len(english)} paragraph(s) in English: {english[0][:80]}")
        # exercise and solution titles: "연습 3.1 (손으로 짜는 경사 하강법)", also in "해답 …"
        titles = re.findall(r'<p class="admonition-title">(.*?)</p>', html, re.DOTALL)
        shown = " ".join(_TAGS.sub("", _CODE.sub(" ", title)) for title in titles)
        subtitles = re.findall(r"\(([^()]*)\)", shown)
        english = [t for t in subtitles if len(t.split()) > 1 and not hangul.search(t)]
        if english:
            problems.append(f"ko/{name}: an exercise title in English: {english[0][:80]}")
        images = [dict(_ATTRIBUTE.findall(tag)) for tag in re.findall(r"<img [^>]*>", html)]
        figures = [
            i.get("alt", "")
            for i in images
            if "_images/" in (src := i.get("src", "")) and "/frames/" not in src
        ]
        untranslated = [alt for alt in figures if not hangul.search(alt)]
        if untranslated:
            problems.append(f"ko/{name}: figure description in English: {untranslated[0][:80]}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("모멘텀", "book/06_momentum.html"),  # the momentum chapter
        ("학습률", "book/03_gradient_descent.html"),  # where the learning rate is taught
        ("학습률을", "book/03_gradient_descent.html"),  # the same, with its particle
        ("역전파", "book/05_backpropagation.html"),
    ],
)
def test_korean_search_finds_the_chapter(site, query, page):
    """Sphinx's search, with the Korean edition's stemmer, finds the chapter that teaches a
    Korean term, whatever particle the page or the reader attaches to it."""
    _korean_edition_built()
    base, browser = site
    context = browser.new_context()
    try:
        search = context.new_page()
        search.goto(f"{base}/ko/search.html?q={query}", wait_until="networkidle")
        search.wait_for_selector("#search-results .search-summary", timeout=30_000)
        links = search.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
        found = [urlparse(link).path for link in links]
        assert f"/ko/{page}" in found, f"searching {query!r} found {found[:8]}"
    finally:
        context.close()
