"""Bring the translation catalogs up to date with the English text.

    python tools/refresh_catalogs.py

Extracts every page's messages with Sphinx's gettext builder (through Jupyter Book, without
running a notebook; see book/_ext/descent_i18n.py), then merges them into
``locale/<language>/LC_MESSAGES/book/*.po`` with sphinx-intl: a new message arrives empty,
a changed one is marked fuzzy with its old translation as a suggestion, a removed one is
kept as obsolete. Translate what is empty or fuzzy, then check with
``python tools/translation_check.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("ko",)
COMMAND = "python tools/refresh_catalogs.py"


def extract(folder: Path) -> Path:
    """Write the English messages as .pot templates under ``folder``; return their root.

    Two kinds of message are added from the notebooks themselves, because Sphinx's
    extraction does not see them though the Korean build translates them: the figures' alt
    texts, from the cells' metadata (``mystnb: image: alt``; without running a notebook
    there is no figure), and the exercises' titles (sphinx-exercise rebuilds the title after
    Sphinx has read the page; see book/_ext/descent_i18n.py)."""
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [
            str(bin_dir / "jupyter-book"),
            "build",
            str(ROOT),
            "--builder",
            "custom",
            "--custom-builder",
            "gettext",
            "--path-output",
            str(folder),
            "--quiet",
        ],
        check=True,
    )
    templates = folder / "_build" / "gettext"
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        _add_messages(notebook, templates / "book" / f"{notebook.stem}.pot")
    _keep_theme_labels(templates / "sphinx.pot")
    return templates


def _keep_theme_labels(template: Path) -> None:
    """Keep the theme's labels in the template of ``sphinx.po``.

    Sphinx extracts into ``sphinx.pot`` only the messages of the book's own templates
    (book/_templates: the language switch, the search and colour-mode buttons). The theme's
    other labels ("Skip to main content", "Back to top", ...) come with the installed theme;
    ``locale/<language>/LC_MESSAGES/sphinx.po`` translates them by hand. Their ids join the
    template, so that sphinx-intl keeps them rather than retiring them as obsolete.
    """
    catalog = Catalog()
    if template.exists():
        with template.open("rb") as handle:
            catalog = read_po(handle)
    for language in LANGUAGES:
        kept = ROOT / "locale" / language / "LC_MESSAGES" / "sphinx.po"
        if kept.exists():
            with kept.open("rb") as handle:
                for message in read_po(handle):
                    if message.id and message.id not in catalog:
                        catalog.add(message.id)
    with template.open("wb") as handle:
        write_po(handle, catalog, width=76)


def alt_texts(notebook: Path) -> list[str]:
    """The alt texts a notebook gives its figures in its cells' metadata, in order."""
    cells = nbformat.read(notebook, as_version=4).cells
    texts = [cell.metadata.get("mystnb", {}).get("image", {}).get("alt") for cell in cells]
    return [text for text in texts if text]


# The opening line of an exercise with a title: ```{exercise} Gradient descent, by hand
_EXERCISE = re.compile(r"^(?:`{3,}|:{3,})\{exercise\}[ \t]+(\S.*?)\s*$", re.MULTILINE)


def exercise_titles(notebook: Path) -> list[str]:
    """The titles of a notebook's exercises, in order."""
    cells = nbformat.read(notebook, as_version=4).cells
    return [t for c in cells if c.cell_type == "markdown" for t in _EXERCISE.findall(c.source)]


def _add_messages(notebook: Path, template: Path) -> None:
    with template.open("rb") as handle:
        catalog = read_po(handle)
    for text in [*alt_texts(notebook), *exercise_titles(notebook)]:
        catalog.add(text)
    with template.open("wb") as handle:
        write_po(handle, catalog, width=76)


def main() -> int:
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as folder:
        templates = extract(Path(folder))
        for language in LANGUAGES:
            subprocess.run(
                [
                    str(bin_dir / "sphinx-intl"),
                    "update",
                    "--pot-dir",
                    str(templates),
                    "--language",
                    language,
                    "--locale-dir",
                    str(ROOT / "locale"),
                ],
                check=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
