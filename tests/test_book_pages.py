"""The appendix pages that are written by hand but describe the package or the chapters:
the API reference must cover every module, the glossary must point at real chapters."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import descent
import descent.optimizers

ROOT = Path(__file__).resolve().parents[1]
API = (ROOT / "book" / "api.md").read_text(encoding="utf-8")


def documented(directive: str) -> set[str]:
    return set(re.findall(rf"^\.\. {directive}:: (\S+)$", API, flags=re.MULTILINE))


def test_api_page_documents_every_public_module():
    modules = {
        f"descent.{m.name}"
        for m in pkgutil.iter_modules(descent.__path__)
        if not m.name.startswith("_") and m.name != "optimizers"
    }
    missing = modules - documented("automodule")
    assert not missing, f"add these modules to book/api.md: {sorted(missing)}"


def test_api_page_documents_every_optimizer():
    classes = {f"descent.optimizers.{name}" for name in descent.optimizers.__all__} - {
        "descent.optimizers.ALL"
    }
    missing = classes - documented("autoclass")
    assert not missing, f"add these optimizers to book/api.md: {sorted(missing)}"


def test_api_page_names_only_modules_that_exist():
    import importlib

    for name in documented("automodule"):
        importlib.import_module(name)


def test_glossary_links_to_chapters_in_the_book():
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    targets = set(re.findall(r"\{doc\}`([^`]+)`", glossary))
    assert len(targets) >= 10
    for target in targets:
        assert f"book/{target}" in toc, f"glossary links to {target}, which is not in _toc.yml"


def test_glossary_rows_have_english_and_korean():
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    rows = [r for r in glossary.splitlines() if r.startswith("| ") and "{doc}" in r]
    assert len(rows) >= 50
    hangul = re.compile("[\uac00-\ud7a3]")
    for row in rows:
        english, korean = (cell.strip() for cell in row.strip("|").split("|")[:2])
        assert english and not hangul.search(english), row
        assert hangul.search(korean), f"no Korean term in: {row}"
