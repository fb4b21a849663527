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

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("ko",)
COMMAND = "python tools/refresh_catalogs.py"


def extract(folder: Path) -> Path:
    """Write the English messages as .pot templates under ``folder``; return their root."""
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
    return folder / "_build" / "gettext"


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
