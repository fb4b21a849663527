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

import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("ko",)
COMMAND = "python tools/refresh_catalogs.py"


def extract(folder: Path) -> Path:
    """Write the English messages as .pot templates under ``folder``; return their root.

    The figures' alt texts are added from the notebooks' cell metadata
    (``mystnb: image: alt``): without running the notebooks there is no figure, so Sphinx
    would not see them, but the Korean build translates them like any message."""
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
        _add_alt_texts(notebook, templates / "book" / f"{notebook.stem}.pot")
    return templates


def alt_texts(notebook: Path) -> list[str]:
    """The alt texts a notebook gives its figures in its cells' metadata, in order."""
    cells = nbformat.read(notebook, as_version=4).cells
    texts = [cell.metadata.get("mystnb", {}).get("image", {}).get("alt") for cell in cells]
    return [text for text in texts if text]


def _add_alt_texts(notebook: Path, template: Path) -> None:
    with template.open("rb") as handle:
        catalog = read_po(handle)
    for text in alt_texts(notebook):
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
