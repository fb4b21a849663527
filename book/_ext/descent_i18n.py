"""The Korean edition (한국어판): built from the same source, switchable, searchable.

Sphinx translates a book with gettext catalogs: ``locale/ko/LC_MESSAGES/book/*.po``, one per
page, made and refreshed with sphinx-intl (see CONTRIBUTING). A build with
``language = "ko"`` reads the same notebooks and replaces each message by its translation.
This extension adds what Jupyter Book 1 does not have:

- **Both editions from one command.** When the English HTML build has finished, the Korean
  edition is built into ``ko/`` inside the English site, by a second Sphinx run in a fresh
  process with the same configuration and ``language = "ko"``. It reads the notebooks'
  outputs from the same execution cache, so no notebook runs twice. Its warnings are
  errors exactly when the English build's are (the README's ``-W``).
  ``DESCENT_EDITIONS=en`` skips it (a quicker build while writing English).
- **A language switch** in every page's header, to the same page in the other edition, and
  ``<link rel="alternate" hreflang>`` for search engines.
- **Catalogs without execution.** ``jupyter-book build . --builder custom
  --custom-builder gettext`` extracts the English messages without running a notebook.
- **Docstrings stay English**: the API page translates its own text only.
- **Translated exercise titles** (``TranslateExerciseTitles``), also in their solutions'
  titles (``RegisterTranslatedExercises``).
- **Translated part captions** in the sidebar (``TranslateTocCaptions``).
- **Korean search.** Sphinx has no Korean search language, and Korean attaches particles to
  nouns (모멘텀은, 모멘텀을, 학습률의). ``SearchKorean`` indexes each word without its
  particle, and strips the same particles from the reader's query in the browser. Latin
  words keep Sphinx's English stemming.
"""

from __future__ import annotations

import copy
import filecmp
import functools
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.locale import init as init_locale
from sphinx.search import languages
from sphinx.search.en import SearchEnglish
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain

LOGGER = logging.getLogger(__name__)

# The editions: language code, the folder it is built into, the name a reader looks for.
EDITIONS = {"en": ("", "English"), "ko": ("ko", "한국어")}
SOURCE_LANGUAGE = "en"

# Particles (조사) and the copula that follow a noun, longest first, so that 에서는 is taken
# whole rather than 는. Only stripped when at least two syllables are left (a noun).
PARTICLES = sorted(
    set(
        "은 는 이 가 을 를 의 에 와 과 도 만 로 으로 에서 에게 께 한테 까지 부터 보다 처럼 마다 "
        "이나 나 이며 며 이고 고 에는 에서는 으로는 로는 에도 에서도 으로도 로도 와는 과는 이란 란 "
        "이라는 라는 이다 입니다 이면 면 인 일".split()
    ),
    key=lambda particle: (-len(particle), particle),
)
_HANGUL = re.compile("[\uac00-\ud7a3]")


def strip_particle(word: str) -> str:
    """``word`` without the particle at its end, if what is left has two syllables or more
    (모멘텀은 → 모멘텀, Adam은 → Adam); otherwise ``word``."""
    for particle in PARTICLES:
        stem = word[: -len(particle)]
        if word.endswith(particle) and len(stem) >= 2:
            return stem
    return word


class SearchKorean(SearchEnglish):
    """Sphinx search for Korean pages: nouns without their particles, Latin words stemmed
    as English."""

    lang = "ko"
    language_name = "Korean"

    def stem(self, word: str) -> str:
        if _HANGUL.search(word):
            word = strip_particle(word)
            if _HANGUL.search(word):
                return word
        return super().stem(word)

    # The browser's half: the same rule, in front of Sphinx's English (Porter) stemmer.
    js_stemmer_code = (
        SearchEnglish.js_stemmer_code.replace(
            "var Stemmer = function", "var EnglishStemmer = function"
        )
        + """
var KoreanParticles = %s;
var Stemmer = function() {
  var english = new EnglishStemmer();
  var hangul = /[\\uac00-\\ud7a3]/;
  this.stemWord = function(w) {
    if (hangul.test(w)) {
      for (var i = 0; i < KoreanParticles.length; i++) {
        var p = KoreanParticles[i];
        if (w.length - p.length >= 2 && w.slice(-p.length) === p) {
          w = w.slice(0, -p.length);
          break;
        }
      }
      if (hangul.test(w)) return w;
    }
    return english.stemWord(w);
  };
};
"""
        % ("[" + ", ".join(f'"{p}"' for p in PARTICLES) + "]")
    )


class TranslateTocCaptions(SphinxTransform):
    """Translate the captions of the table of contents (the book's parts).

    Sphinx translates a page's messages early (transform priority 20), but
    sphinx-external-toc inserts the toctrees of _toc.yml later (100), so their captions
    would stay English in the sidebar; this runs just after, with the page's catalog."""

    default_priority = 101

    def apply(self, **kwargs) -> None:
        if (self.config.language or SOURCE_LANGUAGE) == SOURCE_LANGUAGE:
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        folders = [str(Path(self.env.srcdir) / folder) for folder in self.config.locale_dirs]
        catalog, found = init_locale(folders, self.config.language, domain)
        if not found:
            return
        for toctree in self.document.findall(addnodes.toctree):
            if toctree.get("caption"):
                toctree["caption"] = catalog.gettext(toctree["caption"])


class KeepDocstringsEnglish(SphinxTransform):
    """The API page's docstrings stay English in every edition (they are the code's own
    words, as ``help()`` shows them): they are left out of the catalogs, and only the
    page's own text is translated. Runs before Sphinx translates the page (priority 20)."""

    default_priority = 19

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(nodes.TextElement):
            if "docstring of " in (node.source or ""):
                node["translatable"] = False


class TranslateExerciseTitles(SphinxTransform):
    """Make the titles of exercises and solutions translatable.

    sphinx-exercise builds an exercise's title ("Exercise 3.1 (Gradient descent, by hand)")
    from a node with no source, which Sphinx takes for a built-in message and neither
    extracts nor translates. Give it its box's source and its markup as written, before
    Sphinx translates the page (priority 20)."""

    default_priority = 15

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(nodes.subtitle):
            if type(node).__name__ not in ("exercise_subtitle", "solution_subtitle"):
                continue
            if node.source:
                continue
            box = node.parent
            while box is not None and not box.line:
                box = box.parent
            node.source = self.document["source"]
            node.line = box.line if box is not None else None
            node.rawsource = "".join(_as_written(child) for child in node.children)


class RegisterTranslatedExercises(SphinxTransform):
    """Give a solution's title the translated title of its exercise.

    sphinx-exercise keeps a copy of each exercise in its registry when it reads the
    directive, before Sphinx translates the page, and titles a solution ("Solution to
    Exercise 3.1 (…)") from that copy. Once the page is translated (priority 20), this puts
    a copy of the translated exercise in the registry instead."""

    default_priority = 21

    def apply(self, **kwargs) -> None:
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in self.document.findall(nodes.Element):
            entry = registry.get(node.get("label")) if node.get("type") == "exercise" else None
            if entry and entry["docname"] == self.env.docname:
                entry["node"] = node.deepcopy()


def _as_written(node) -> str:
    """The MyST source of an inline node: math in $…$, code in backquotes."""
    if isinstance(node, nodes.math):
        return f"${node.astext()}$"
    if isinstance(node, nodes.literal):
        return f"`{node.astext()}`"
    return node.astext()


def _edition_url(pagename: str, language: str, target: str) -> str:
    """Relative URL from ``pagename`` of the ``language`` edition to the same page of the
    ``target`` edition (editions other than English sit one folder down)."""
    up = "../" * pagename.count("/")
    if EDITIONS[language][0]:
        up += "../"
    folder = EDITIONS[target][0]
    return f"{up}{folder + '/' if folder else ''}{pagename}.html"


def _add_switch(app, pagename, templatename, context, doctree):
    language = app.config.language or SOURCE_LANGUAGE
    others = [lang for lang in EDITIONS if lang != language]
    context["descent_editions"] = [
        {"lang": lang, "name": EDITIONS[lang][1], "url": _edition_url(pagename, language, lang)}
        for lang in others
    ]
    links = "".join(
        f'<link rel="alternate" hreflang="{edition["lang"]}" href="{edition["url"]}">\n'
        for edition in context["descent_editions"]
    )
    context["metatags"] = context.get("metatags", "") + links


def _show_switch(app, config):
    """Put the switch first among the buttons of every page's header."""
    options = config.html_theme_options
    end = options.get("article_header_end", ["article-header-buttons.html"])
    if isinstance(end, str):
        end = [item.strip() for item in end.split(",") if item.strip()]
    if "language-switch.html" not in end:
        options["article_header_end"] = ["language-switch.html", *end]


def _no_execution_for_catalogs(app):
    """The gettext builder extracts the pages' text: it needs no notebook run."""
    if app.builder.name == "gettext":
        app.config.nb_execution_mode = "off"


def _build_other_editions(configuration, app, exception):
    if exception is not None or app.builder.name != "html":
        return
    if (app.config.language or SOURCE_LANGUAGE) != SOURCE_LANGUAGE:
        return
    wanted = (os.environ.get("DESCENT_EDITIONS") or " ".join(EDITIONS)).split()
    for language in (lang for lang in EDITIONS if lang != SOURCE_LANGUAGE):
        if language not in wanted:
            continue
        overrides = {**copy.deepcopy(configuration), "language": language}
        title = _translated(app, language, app.config.html_title)
        overrides["html_title"] = title
        # the same execution cache as the English build, wherever its output folder is
        overrides.setdefault("nb_execution_cache_path", "")
        if not overrides["nb_execution_cache_path"]:
            overrides["nb_execution_cache_path"] = str(Path(app.outdir).parent / ".jupyter_cache")
        job = {
            "srcdir": str(app.srcdir),
            "outdir": str(Path(app.outdir) / EDITIONS[language][0]),
            "doctreedir": str(Path(app.doctreedir).parent / f".doctrees-{language}"),
            "overrides": overrides,
            # Sphinx keeps "warnings are errors" in keep_going when both are asked for
            "warningiserror": app.warningiserror or app.keep_going,
            "keep_going": app.keep_going,
        }
        with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as handle:
            pickle.dump(job, handle)
        try:
            done = subprocess.run([sys.executable, __file__, handle.name], check=False)
        finally:
            os.unlink(handle.name)
        if done.returncode:
            raise ExtensionError(f"the {EDITIONS[language][1]} edition ({language}) did not build")
        saved = share_identical_files(Path(app.outdir), Path(job["outdir"]))
        LOGGER.info(f"[descent] {language}/ shares the site's identical files: {saved:,} bytes")


def _translated(app, language: str, message: str) -> str:
    """``message`` in ``language``, from any of the catalogs; the message if none has it."""
    from babel.messages.pofile import read_po

    for folder in app.config.locale_dirs:
        for path in sorted((Path(app.srcdir) / folder / language).rglob("*.po")):
            with path.open("rb") as handle:
                found = read_po(handle).get(message)
            if found is not None and found.string and not found.fuzzy:
                return found.string
    return message


# A relative URL into an edition's shared folders, in an attribute or a script's string.
_SHARED_URL = re.compile(r"""(?<=["'(])((?:\.\./)*)(_static|_images)/([^"'\s?#)]+)""")


def share_identical_files(site: Path, edition: Path) -> int:
    """Point an edition's pages at the site's copy of every file of ``_static`` and
    ``_images`` that both have byte for byte (the theme, MathJax, figures, animation
    frames), and delete the edition's copy: the site ships them once, and a reader who
    switches language loads nothing twice. A file that a file of the edition's own still
    refers to (such as a font of an edition's own stylesheet) stays. Returns the bytes
    saved."""
    twins = {}
    for folder in ("_static", "_images"):
        for file in sorted((edition / folder).rglob("*")):
            twin = site / file.relative_to(edition)
            if file.is_file() and twin.is_file() and filecmp.cmp(file, twin, shallow=False):
                twins[file.relative_to(edition).as_posix()] = file
    own = [
        file
        for folder in ("_static", "_images")
        for file in (edition / folder).rglob("*")
        if file.is_file()
        and file.relative_to(edition).as_posix() not in twins
        and file.suffix in {".css", ".js", ".json", ".html"}
    ]
    for file in own:
        text = file.read_text(encoding="utf-8", errors="replace")
        for name in [name for name in twins if Path(name).name in text]:
            del twins[name]
    for page in edition.rglob("*.html"):
        if page.relative_to(edition).parts[0] in ("_static", "_images"):
            continue
        depth = len(page.relative_to(edition).parts) - 1

        def to_site(match, depth=depth):
            ups, folder, rest = match.groups()
            if len(ups) // 3 != depth or f"{folder}/{rest}" not in twins:
                return match.group(0)
            return "../" * (depth + 1) + f"{folder}/{rest}"

        text = page.read_text(encoding="utf-8")
        page.write_text(_SHARED_URL.sub(to_site, text), encoding="utf-8")
    saved = sum(file.stat().st_size for file in twins.values())
    for file in twins.values():
        file.unlink()
    for folder in sorted(edition.glob("_*/**/"), key=lambda f: -len(f.parts)):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return saved


def _build_edition(job_file: str) -> int:
    """Run one edition's Sphinx build as Jupyter Book runs the English one."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    with open(job_file, "rb") as handle:
        job = pickle.load(handle)
    print(f"[descent] building the edition '{job['overrides']['language']}' in {job['outdir']}")
    with patch_docutils(None), docutils_namespace():
        app = Sphinx(
            job["srcdir"],
            None,
            job["outdir"],
            job["doctreedir"],
            "html",
            confoverrides=job["overrides"],
            warningiserror=job["warningiserror"],
            keep_going=job["keep_going"],
            freshenv=True,
        )
        app.build(force_all=True)
    # myst-nb writes a build's output files next to its output folder (outdir/../
    # jupyter_execute): for ko/ that is inside the English site. Sphinx has copied the
    # images the pages show into ko/_images, so the folder goes.
    shutil.rmtree(Path(job["outdir"]).parent / "jupyter_execute", ignore_errors=True)
    return app.statuscode


def setup(app):
    languages["ko"] = SearchKorean
    app.add_transform(TranslateTocCaptions)
    app.add_transform(KeepDocstringsEnglish)
    app.add_transform(TranslateExerciseTitles)
    app.add_transform(RegisterTranslatedExercises)
    app.connect("config-inited", _show_switch)
    app.connect("builder-inited", _no_execution_for_catalogs, priority=400)
    app.connect("html-page-context", _add_switch)
    # The configuration as Jupyter Book gave it, before extensions add to its lists.
    configuration = {"extensions": list(app.config.extensions), **app.config.overrides}
    configuration = copy.deepcopy(configuration)
    # Last: the English site is finished (descent_site has copied MathJax and deleted what
    # no page loads) before an edition is built and shares its identical files.
    app.connect(
        "build-finished", functools.partial(_build_other_editions, configuration), priority=900
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    sys.exit(_build_edition(sys.argv[1]))
