"""A light site: what each page of the built book loads, and what the site ships.

- **Animation frames as files.** A notebook's animation player (``descent.plotting``)
  carries its frames inline, as ``data:`` URIs, so that it works in JupyterLab, where an
  output has no files beside it. In the built site each frame becomes a file of
  ``_images/frames/`` (lossless WebP, named by its content, so that repeated frames are
  stored once) and the player refers to it; it fetches them when a reader first uses it.
- **Figures in 256 colours.** matplotlib writes full-colour PNGs, but the book's figures
  have few colours (lines, grey contours, a colour map of a few levels): a palette of 256,
  without dithering, looks the same and weighs about a quarter. Each figure a notebook
  produces is converted once, when the build first writes it out of the notebook, and
  kept in ``_build/figures`` by its content: a rebuild and the other edition copy it.
- **No widget state.** The executed notebooks keep their widgets' state (every explorer's
  images, base64) in their metadata, and myst-nb would put it in the page, where no
  widget runs (``nb_ipywidgets_js`` is empty; the page shows the explorer's figure).
- **Images load lazily, with their size.** Every ``<img>`` the pages' content shows gets
  ``loading="lazy"`` and its intrinsic ``width`` and ``height``, so that the browser
  fetches it when it is about to be seen and keeps its place meanwhile (no layout shift);
  a figure also gets its least width on a phone (``DescentTranslator``).
- **Folds named by what they say.** myst-nb names the summary of a folded cell (the tag
  ``hide-cell``) "Toggle hidden content", whatever it shows ("Show code cell content"): a
  reader who says what they see to voice control could not open it (WCAG 2.5.3; axe-core's
  label-content-name-mismatch). Without that name the summary is named by its visible text.
- **A description per page** (``<meta name="description">``): the page's first paragraph,
  shortened; search engines and link previews show it.
- **Only the MathJax the book uses.** MathJax comes from the sphinx-mathjax-offline package
  (the site makes no request that leaves the machine), which holds all of MathJax 3 (24 MB).
  The site gets the one combined component the book loads (``tex-chtml.js``: TeX input,
  HTML output, the menu and the assistive MathML for screen readers), the fonts its
  formulas use, and what the menu loads when a reader turns on MathJax's explorer or
  speech (English): the MathML input and the accessibility components.
- **Code without redundant tags.** Pygments wraps every token of a code cell in a
  ``<span>`` with its token class, even the names, punctuation and spaces that the theme's
  styles (light and dark) draw exactly like plain code: a third of a chapter's HTML. Those
  tokens are written as plain text (``PlainTokensFormatter``); the page looks the same.
- **No source maps, nothing unused.** The theme's JavaScript and CSS come with ``.map``
  files that only a browser's developer tools read; they are deleted, and so are the
  theme's files that no page loads (``UNUSED``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib.util
import io
import os
import re
import shutil
from pathlib import Path

from docutils import nodes
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
from pygments.formatters import HtmlFormatter
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Text
from sphinx.util.images import get_image_size
from sphinx.util.osutil import relative_uri
from sphinx.writers.html5 import HTML5Translator

FRAMES = "_images/frames"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# A data URI of an image; in the player's script a long one is split over lines ending in \
_DATA_URI = re.compile(r"data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\\\s]+)")
_FRAME_FILE = re.compile(FRAMES + r"/([0-9a-f]{24}\.webp)")

# What the book's pages load of MathJax (paths under its folder; a folder means all of it):
# the combined component; the fonts of the styles the book's formulas are drawn in (MathJax
# fetches a font when a formula first shows a glyph of its style); the MathML input and the
# accessibility components that the menu loads when a reader turns on MathJax's explorer or
# speech (English). tex-chtml.js bundles the TeX extensions the formulas need (ams,
# newcommand, ...). A formula in another style (\texttt, \mathfrak, ...) or with a macro of
# another extension (\cancel: the autoloader fetches cancel.js) makes the browser fetch a
# file that is not here: the site check (tests/test_site.py) fails on it; add it here.
MATHJAX_FONTS = (
    "Zero",
    "Main-Regular",
    "Main-Bold",
    "Math-Italic",
    "AMS-Regular",
    "Calligraphic-Regular",
    "Size1-Regular",
    "Size2-Regular",
    "Size3-Regular",
    "Size4-Regular",
)
MATHJAX = (
    "tex-chtml.js",
    *(f"output/chtml/fonts/woff-v2/MathJax_{style}.woff" for style in MATHJAX_FONTS),
    "input/mml.js",
    "a11y",
    "sre/mathmaps/base.json",
    "sre/mathmaps/en.json",
)
# Files the theme copies that no page loads: Font Awesome as JavaScript (the template
# override book/_templates/static/webpack-macros.html no longer loads it; the stylesheet
# draws the icons with the web fonts), the TrueType copies of those fonts (every browser
# takes the WOFF2 ones) and the regular style's font (the pages' icons are solid or brands),
# the logos of launch buttons the book does not have (only Binder's), the theme's template
# macros and sphinx-book-theme's translation catalogs (read by the build).
UNUSED = (
    "_static/scripts/fontawesome.js",
    "_static/scripts/fontawesome.js.LICENSE.txt",
    "_static/vendor/fontawesome/webfonts/*.ttf",
    "_static/vendor/fontawesome/webfonts/fa-regular-400.woff2",
    "_static/images/logo_colab.png",
    "_static/images/logo_deepnote.svg",
    "_static/images/logo_jupyterhub.svg",
    "_static/images/logo_jupyterlite.svg",
    "_static/*webpack-macros.html",
    "_static/locales",
)


# --------------------------------------------------------------------- animation frames


def _encoded_frames(app) -> Path:
    """Where each frame is encoded once for every build and edition: ``_build/frames``
    (beside the doctrees, which both editions keep in ``_build``), by content."""
    return Path(app.doctreedir).parent / "frames"


def _frames_to_files(app, doctree) -> None:
    """Encode each inline frame of the page being read as a WebP file, and refer to it.

    This runs while Sphinx reads the pages, on every core; the doctrees then no longer
    carry the frames, and writing a page only copies its files (``_copy_frames``)."""
    if app.builder.format != "html":
        return
    from PIL import Image

    encoded = _encoded_frames(app)
    page = app.builder.get_target_uri(app.env.docname)

    def to_file(match: re.Match) -> str:
        data = base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", match.group(2)))
        name = f"{hashlib.sha256(data).hexdigest()[:24]}.webp"
        if not (encoded / name).exists():
            encoded.mkdir(parents=True, exist_ok=True)
            part = encoded / f"{name}.{os.getpid()}.part"  # pages are read in parallel
            with Image.open(io.BytesIO(data)) as frame:
                frame.save(part, format="webp", lossless=True)
            part.replace(encoded / name)
        return relative_uri(page, f"{FRAMES}/{name}")

    for raw in doctree.findall(nodes.raw):
        if "html" in raw.get("format", "").split() and "data:image/" in raw.astext():
            text = _DATA_URI.sub(to_file, raw.astext())
            raw.rawsource, raw.children = text, [nodes.Text(text)]  # the doctree keeps no frame


def _copy_frames(app, doctree, docname) -> None:
    """Copy the frames a page refers to into the site's ``_images/frames``."""
    if app.builder.format != "html":
        return
    folder, encoded = Path(app.outdir, FRAMES), _encoded_frames(app)
    for raw in doctree.findall(nodes.raw):
        for name in _FRAME_FILE.findall(raw.astext()):
            if not (folder / name).exists():
                if not (encoded / name).exists():
                    raise FileNotFoundError(
                        f"{docname}: the animation frame {encoded / name} is gone; "
                        "delete _build and build again"
                    )
                folder.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(encoded / name, folder / name)


# --------------------------------------------------------------------- figures and images


def _converted_figures(app) -> Path:
    """Where each figure is converted once for every build and edition: ``_build/figures``
    (beside ``_build/frames``), by the content of matplotlib's PNG."""
    return Path(app.doctreedir).parent / "figures"


def _in_256_colours(png: bytes) -> bytes:
    """The PNG ``png`` with a palette of 256 colours, or ``png`` itself if that is smaller.

    zlib's level 8, not 9 (Pillow's ``optimize``): the book's figures come out 2 % larger,
    in half the time."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as figure:
        if figure.mode == "P":
            return png  # converted already
        dpi = figure.info.get("dpi")
        palette = figure.convert("RGB").quantize(
            256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    buffer = io.BytesIO()
    palette.save(buffer, format="png", compress_level=8, **({"dpi": dpi} if dpi else {}))
    return buffer.getvalue() if buffer.tell() < len(png) else png


def _figures_in_256_colours(app, doctree) -> None:
    """Convert the PNGs that myst-nb has just written out of a notebook to a palette.

    myst-nb writes a page's figures again each time it reads the page; each is converted
    once, kept in ``_converted_figures``, and copied from there by later builds and by the
    other edition."""
    outputs = Path(app.env.mystnb_config.output_folder).resolve()
    converted = _converted_figures(app)
    for image in doctree.findall(nodes.image):
        path = Path(app.srcdir, image["uri"]).resolve()
        if path.suffix != ".png" or outputs not in path.parents or not path.is_file():
            continue
        original = path.read_bytes()
        stored = converted / f"{hashlib.sha256(original).hexdigest()[:24]}.png"
        if not stored.exists():
            converted.mkdir(parents=True, exist_ok=True)
            part = converted / f"{stored.name}.{os.getpid()}.part"  # pages are read in parallel
            part.write_bytes(_in_256_colours(original))
            part.replace(stored)
        smaller = stored.read_bytes()
        if len(smaller) < len(original):
            path.write_bytes(smaller)


class DescentTranslator(HTML5Translator):
    """Sphinx's HTML writer, with ``loading="lazy"`` and the intrinsic size on images, and
    the bibliography's entries as plain list items.

    A figure that says its resolution (matplotlib writes it into every PNG) also gets
    ``--descent-min-width``: its width in points, which book/_static/descent.css keeps as
    its least width on a phone, so that its smallest text (8 pt) stays at least 8 px.
    """

    def visit_image(self, node):
        source = Path(self.builder.srcdir, node["uri"])
        node.setdefault("loading", "lazy")  # docutils writes it (its :loading: option)
        if _is_output(node):
            # a box of its own, as the notebook's other outputs have (.cell_output > .output):
            # it scrolls a wide figure on a phone, and the theme gives it a tab stop then
            self.body.append('<div class="output image">\n')
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

    def depart_image(self, node):
        super().depart_image(node)
        if _is_output(node):
            self.body.append("</div>\n")

    def visit_citation(self, node):
        # docutils gives each entry the DPUB-ARIA role doc-biblioentry, deprecated since
        # DPUB-ARIA 1.1 (axe-core: aria-deprecated-role); it sits in a role="list" element
        super().visit_citation(node)
        self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')


def _is_output(node) -> bool:
    return "cell_output" in getattr(node.parent, "get", lambda *_: [])("classes", [])


def _dpi(path: Path) -> float | None:
    from PIL import Image

    try:
        with Image.open(path) as image:
            dpi = image.info.get("dpi")
    except OSError:
        return None
    return float(dpi[0]) if dpi and dpi[0] > 1 else None


def _visit_folded_cell(self, node) -> None:
    start = len(self.body)
    visit_HideCellInput(self, node)
    self.body[start:] = [
        part.replace(' aria-label="Toggle hidden content"', "") for part in self.body[start:]
    ]


# --------------------------------------------------------------------- page head


def _drop_widget_state(app, pagename, templatename, context, doctree) -> None:
    if app.config.nb_ipywidgets_js:
        return  # widgets would run: they need their state
    scripts = context.get("script_files") or []
    scripts[:] = [
        script
        for script in scripts
        if getattr(script, "attributes", {}).get("type") != WIDGET_STATE
    ]


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


# --------------------------------------------------------------------- code cells


def plain_tokens(*styles: str) -> frozenset:
    """The token types that every one of the Pygments ``styles`` draws as plain text."""
    plain = set(STANDARD_TYPES)
    for name in styles:
        style = get_style_by_name(name)
        text = style.style_for_token(Text)
        plain &= {token for token in STANDARD_TYPES if style.style_for_token(token) == text}
    return frozenset(plain)


class PlainTokensFormatter(HtmlFormatter):
    """Pygments' HTML formatter, without a ``<span>`` around the tokens in ``plain``."""

    def __init__(self, plain: frozenset = frozenset(), **options):
        self.plain = plain
        super().__init__(**options)

    def _get_css_classes(self, ttype):
        return "" if ttype in self.plain else super()._get_css_classes(ttype)


def _plain_code_tokens(app) -> None:
    highlighter = getattr(app.builder, "highlighter", None)
    if highlighter is None or highlighter.formatter is not HtmlFormatter:
        return  # not an HTML builder, or another extension chose the formatter
    options = app.builder.theme.get_options(app.config.html_theme_options)
    styles = (options["pygments_light_style"], options["pygments_dark_style"])
    highlighter.formatter = functools.partial(PlainTokensFormatter, plain=plain_tokens(*styles))


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


def _drop_unused_files(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for source_map in Path(app.outdir, "_static").rglob("*.map"):
        source_map.unlink()
    for pattern in UNUSED:
        for path in Path(app.outdir).glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def setup(app):
    for builder in ("html", "dirhtml", "singlehtml"):
        app.set_translator(builder, DescentTranslator)
    app.add_node(HideCodeCellNode, override=True, html=(_visit_folded_cell, depart_HideCellInput))
    app.connect("builder-inited", _plain_code_tokens)
    app.connect("doctree-read", _figures_in_256_colours, priority=600)  # after Sphinx's images
    app.connect("doctree-read", _frames_to_files)
    app.connect("doctree-resolved", _copy_frames)
    app.connect("html-page-context", _add_description)
    app.connect("html-page-context", _drop_widget_state, priority=900)
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _drop_unused_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
