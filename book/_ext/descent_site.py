"""A light site: what each page of the built book loads, and what the site ships.

- **Animation frames as files.** A notebook's animation player (``descent.plotting``)
  carries its frames inline, as ``data:`` URIs, so that it works in JupyterLab, where an
  output has no files beside it. In the built site each frame becomes a file of
  ``_images/frames/`` (named by its content, so that repeated frames are stored once) and
  the player refers to it; the player fetches the frames when a reader first uses it.
- **Images load lazily, with their size.** Every ``<img>`` the pages' content shows gets
  ``loading="lazy"`` and its intrinsic ``width`` and ``height``, so that the browser
  fetches it when it is about to be seen and keeps its place meanwhile (no layout shift).
- **A description per page** (``<meta name="description">``): the page's first paragraph,
  shortened; search engines and link previews show it.
- **Only the MathJax the book uses.** MathJax comes from the sphinx-mathjax-offline package
  (the site makes no request that leaves the machine), which holds all of MathJax 3 (24 MB).
  The site gets the one combined component the book loads (``tex-chtml.js``: TeX input,
  HTML output, the menu and the assistive MathML for screen readers), its fonts, the TeX
  extensions that ``\\require`` or the autoloader may fetch, and the accessibility
  components the menu loads when a reader turns on MathJax's explorer or speech.
- **No source maps.** The theme's JavaScript and CSS come with ``.map`` files that only a
  browser's developer tools read; they are not copied, and nothing refers to them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.util.images import get_image_size
from sphinx.util.osutil import relative_uri
from sphinx.writers.html5 import HTML5Translator

FRAMES = "_images/frames"
# A data URI of an image; in the player's script a long one is split over lines ending in \
_DATA_URI = re.compile(r"data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\\\s]+)")

# What the book's pages load of MathJax (paths under its folder; a folder means all of it).
MATHJAX = (
    "tex-chtml.js",
    "output/chtml/fonts/woff-v2",
    "input/tex/extensions",
    "a11y",
    "sre/mathmaps/base.json",
    "sre/mathmaps/en.json",
    "sre/mathmaps/nemeth.json",
)
_SOURCE_MAP_COMMENT = re.compile(r"\n?(//|/\*)# sourceMappingURL=\S+?(\s*\*/)?\s*$")


# --------------------------------------------------------------------- animation frames


def _frames_to_files(app, doctree, docname) -> None:
    if app.builder.format != "html":
        return
    folder = Path(app.outdir, FRAMES)
    page = app.builder.get_target_uri(docname)

    def to_file(match: re.Match) -> str:
        data = base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", match.group(2)))
        name = f"{hashlib.sha256(data).hexdigest()[:24]}.{match.group(1)}"
        file = folder / name
        if not file.exists():
            folder.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)
        return relative_uri(page, f"{FRAMES}/{name}")

    for raw in doctree.findall(nodes.raw):
        if "html" in raw.get("format", "").split() and "data:image/" in raw.astext():
            text = _DATA_URI.sub(to_file, raw.astext())
            raw.children = [nodes.Text(text)]


# --------------------------------------------------------------------- images


class LazyImagesTranslator(HTML5Translator):
    """Sphinx's HTML writer, with ``loading="lazy"`` and the intrinsic size on images.

    A figure that says its resolution (matplotlib writes it into every PNG) also gets
    ``--descent-min-width``: its width in points, which book/_static/descent.css keeps as
    its least width on a phone, so that its smallest text (8 pt) stays at least 8 px.
    """

    def visit_image(self, node):
        source = Path(self.builder.srcdir, node["uri"])
        node.setdefault("loading", "lazy")  # docutils writes it (its :loading: option)
        super().visit_image(node)
        size = get_image_size(str(source)) if source.is_file() else None
        tag = self.body[-1]
        if not size or not tag.startswith("<img ") or " width=" in tag:
            return
        attributes = f'width="{size[0]}" height="{size[1]}"'
        dpi = _dpi(source)
        if dpi and " style=" not in tag:
            attributes += f' style="--descent-min-width: {round(size[0] * 72 / dpi)}px"'
        self.body[-1] = f"<img {attributes} " + tag[len("<img ") :]


def _dpi(path: Path) -> float | None:
    from PIL import Image

    try:
        with Image.open(path) as image:
            dpi = image.info.get("dpi")
    except OSError:
        return None
    return float(dpi[0]) if dpi and dpi[0] > 1 else None


# --------------------------------------------------------------------- description


def _description(doctree, most: int = 160) -> str | None:
    """The first paragraph's text, cut at a word before ``most`` characters."""
    for paragraph in doctree.findall(nodes.paragraph):
        text = " ".join(paragraph.astext().split())
        if len(text) >= 40:
            if len(text) > most:
                text = text[: most - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
            return text
    return None


def _add_description(app, pagename, templatename, context, doctree) -> None:
    if 'name="description"' in context.get("metatags", ""):
        return  # the page sets its own (front matter html_meta)
    text = _description(doctree) if doctree is not None else None
    if text is None:
        text = f"{context.get('title', pagename)} — {app.config.project}"
        text = re.sub(r"<[^>]+>", "", text)
    tag = f'<meta name="description" content="{html.escape(text, quote=True)}" />\n'
    context["metatags"] = context.get("metatags", "") + tag


# --------------------------------------------------------------------- shipped files


def _mathjax_source() -> Path:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    return Path(spec.origin).parent / "static" / "mathjax"


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source, target = _mathjax_source(), Path(app.outdir, "_static", "mathjax")
    shutil.rmtree(target, ignore_errors=True)
    for part in MATHJAX:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def _drop_source_maps(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir, "_static")
    for source_map in static.rglob("*.map"):
        source_map.unlink()
    for file in [*static.rglob("*.js"), *static.rglob("*.css")]:
        text = file.read_text(encoding="utf-8", errors="surrogateescape")
        if "sourceMappingURL=" in text[-300:]:
            stripped = _SOURCE_MAP_COMMENT.sub("", text)
            file.write_text(stripped, encoding="utf-8", errors="surrogateescape")


def setup(app):
    for builder in ("html", "dirhtml", "singlehtml"):
        app.set_translator(builder, LazyImagesTranslator)
    app.connect("doctree-resolved", _frames_to_files)
    app.connect("html-page-context", _add_description)
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _drop_source_maps)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
