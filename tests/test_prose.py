"""A guard on the readability of the prose (tools/prose_measures.py): one test per chapter
notebook of _toc.yml, and one per Markdown page held to the same standard. A test fails,
with the chapter's measures, when its mean sentence length is above MAX_MEAN words
(default 17), its share of sentences over 35 words above MAX_LONG percent (default 3), or
when it uses one of the listed idioms."""

from pathlib import Path

import pytest
from scripts import load

ROOT = Path(__file__).resolve().parents[1]
prose_measures = load("tools/prose_measures.py")

PAGES = [
    ROOT / "book" / name for name in ("intro.md", "notation.md", "glossary.md", "instructors.md")
]
CHAPTERS = prose_measures.chapters(ROOT / "_toc.yml")


@pytest.mark.parametrize("path", CHAPTERS + PAGES, ids=lambda p: p.name)
def test_prose_is_plain(path):
    max_mean, max_long = prose_measures.thresholds()
    result = prose_measures.measure(path)
    assert result.meets(max_mean, max_long), result.line(max_mean, max_long)


def test_the_measures_count_sentences_words_math_and_idioms():
    text = prose_measures.strip_markup(
        "A step of $\\eta g$ moves `theta`, e.g. here. Take it with a grain of salt.\n\n"
        "```python\nx = 1  # code is not prose\n```\n| a | table |\n## A heading\n"
    )
    assert prose_measures.sentence_lengths(text) == [9, 7]  # "e.g" counts as two words
    assert "code" not in text and "heading" not in text


def test_a_long_sentence_and_an_idiom_fail(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("As a rule of thumb, " + "word " * 40 + "end.\n\nA short one here.\n")
    result = prose_measures.measure(page)
    assert result.idioms == ["rule of thumb"] and result.long_share == 50.0
    assert not result.meets(17, 3)
