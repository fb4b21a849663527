#!/usr/bin/env python3
"""How readable the chapters' prose is for a reader whose first language is not English.

For every chapter notebook listed in ``_toc.yml`` (or for the notebooks and Markdown pages
named on the command line), this script takes the prose: the Markdown cells of a notebook
(or the whole of a ``.md`` page), without code blocks, directive blocks, tables, headings,
MyST roles and link targets. Each math span and each piece of inline code counts as one
word. It cuts the prose into sentences and prints, per chapter:

- the number of words and of sentences,
- the mean number of words per sentence,
- the share of sentences longer than 35 words,
- the idioms of a fixed list that occur in the text.

A chapter meets the standard when its mean is at most ``MAX_MEAN`` (environment variable,
default 17), its share of long sentences at most ``MAX_LONG`` percent (default 3), and it
uses none of the listed idioms. The script exits with status 1 when a chapter falls short.

    python tools/prose_measures.py                       # every chapter of _toc.yml
    python tools/prose_measures.py book/intro.md         # one page
    MAX_MEAN=20 python tools/prose_measures.py           # another threshold

``tests/test_prose.py`` runs the same measures as one test per chapter.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LONG_SENTENCE = 35  # words
IDIOMS = (  # in the order they are reported
    "for good",
    "half as many again",
    "grain of salt",
    "other side of the coin",
    "knife's edge",
    "knife-edge",
    "rule of thumb",
    "in a nutshell",
    "the lion's share",
    "bang for the buck",
    "by and large",
    "at the end of the day",
    "by the same token",
    "in the same breath",
    "on the fence",
    "tip of the iceberg",
    "back of the envelope",
    "a far cry",
    "hand in hand",
    "the jury is out",
    "moot",
    "iff",
)
# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = ("e.g", "i.e", "etc", "vs", "cf", "Fig", "Eq", "Ch", "al")
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|X")


def thresholds() -> tuple[float, float]:
    """(MAX_MEAN, MAX_LONG) from the environment."""
    return float(os.environ.get("MAX_MEAN", "17")), float(os.environ.get("MAX_LONG", "3"))


def chapters(toc: Path = ROOT / "_toc.yml") -> list[Path]:
    """The notebooks named in the table of contents, in its order."""
    names: list[str] = []
    stack = [yaml.safe_load(toc.read_text(encoding="utf-8"))]
    while stack:  # depth first, keeping the order of the file
        node = stack.pop()
        if isinstance(node, dict):
            names += [node[k] for k in ("root", "file") if isinstance(node.get(k), str)]
            stack += reversed(list(node.values()))
        elif isinstance(node, list):
            stack += reversed(node)
    paths = [toc.parent / (name + ".ipynb") for name in names]
    return [p for p in paths if p.exists()]


def markdown_of(path: Path) -> str:
    """The Markdown of a page: the Markdown cells of a notebook, joined by blank lines."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return text
    cells = json.loads(text)["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def strip_markup(md: str) -> str:
    """The prose of Markdown: what a reader reads as sentences."""
    replacements = [
        (r"```.*?```", " ", re.S),  # code blocks and directives (their options too)
        (r":::.*?:::", " ", re.S),  # colon-fenced directives
        (r"\$\$.*?\$\$", " X ", re.S),  # display math: one word
        (r"\$[^$\n]+\$", " X ", 0),  # inline math: one word
        (r"\{[a-z:-]+\}`[^`]*`", " ", 0),  # MyST roles: {ref}`...`, {footcite}`...`
        (r"`[^`]*`", " X ", 0),  # inline code: one word
        (r"^\s*[|#].*$", " ", re.M),  # table rows and headings
        (r"\[([^\]]*)\]\([^)]*\)", r"\1", 0),  # a link reads as its text
        (r"\*\*?|_", " ", 0),  # emphasis marks
    ]
    for pattern, new, flags in replacements:
        md = re.sub(pattern, new, md, flags=flags)
    return md


def sentence_lengths(text: str) -> list[int]:
    """Words per sentence. A sentence ends at . ! or ? followed by a capital letter or an
    opening parenthesis, at a blank line, or where a list item starts; a piece of fewer than
    three words (a label, a number) is not counted."""
    for abbreviation in ABBREVIATIONS:
        text = re.sub(r"\b" + re.escape(abbreviation) + r"\.", abbreviation, text)
    boundary = r"(?<=[.!?])\s+(?=[A-Z(])|\n\s*\n|\n\s*[-*\d]+[.)]?\s+"
    lengths = (len(WORD.findall(piece)) for piece in re.split(boundary, text))
    return [n for n in lengths if n >= 3]


@dataclass
class Measures:
    name: str
    lengths: list[int]
    idioms: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(self.lengths)

    @property
    def sentences(self) -> int:
        return len(self.lengths)

    @property
    def mean(self) -> float:
        return self.words / self.sentences if self.lengths else 0.0

    @property
    def long_share(self) -> float:
        """Percent of sentences over LONG_SENTENCE words."""
        if not self.lengths:
            return 0.0
        return 100 * sum(n > LONG_SENTENCE for n in self.lengths) / self.sentences

    def meets(self, max_mean: float, max_long: float) -> bool:
        return self.mean <= max_mean and self.long_share <= max_long and not self.idioms

    def line(self, max_mean: float, max_long: float) -> str:
        verdict = "ok" if self.meets(max_mean, max_long) else "SHORT"
        return (
            f"{self.name:38s} words={self.words:6d} sentences={self.sentences:4d} "
            f"mean={self.mean:5.1f} >35w={self.long_share:4.1f}% "
            f"idioms={','.join(self.idioms) or '-'} {verdict}"
        )


def measure(path: Path) -> Measures:
    text = strip_markup(markdown_of(path))
    flat = " " + re.sub(r"\s+", " ", text.lower()) + " "
    found = [
        idiom
        for idiom in IDIOMS
        if re.search(r"(?<![a-z])" + re.escape(idiom) + r"(?![a-z])", flat)
    ]
    return Measures(path.name, sentence_lengths(text), found)


def main(argv: list[str]) -> int:
    max_mean, max_long = thresholds()
    paths = [Path(a) for a in argv] or chapters()
    results = [measure(p) for p in paths]
    results = [r for r in results if r.lengths]
    for r in results:
        print(r.line(max_mean, max_long))
    good = sum(r.meets(max_mean, max_long) for r in results)
    print(
        f"prose: {good}/{len(paths)} chapters meet (mean <= {max_mean:g} words, "
        f"long <= {max_long:g}%, no listed idiom)"
    )
    return 0 if good == len(paths) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
