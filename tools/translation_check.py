"""Check the Korean catalogs: every message translated, and its markup kept exactly.

A translation may reorder a sentence (Korean puts the verb last), so the markup of a
message and of its translation are compared as multisets: the same math spans, inline code,
MyST roles, link targets and substitutions, each as many times.

    python tools/translation_check.py                       # every catalog
    python tools/translation_check.py locale/ko/LC_MESSAGES/book/03_gradient_descent.po

Prints one line per problem and exits with 1 if there is any.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "locale" / "ko" / "LC_MESSAGES"

# Order matters: display math before inline math, roles before inline code.
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+?\$")
# (not inside inline code: `{exercise}` names a directive)
_ROLE = re.compile(r"(?<!`)\{[\w:.-]+\}`[^`]*`")
_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>|(?<![(<])\bhttps?://[^\s)>]+")
_SUBSTITUTION = re.compile(r"\{\{[^}]*\}\}")
# A role with a title, {doc}`title <target>`: the title is text to translate.
_TITLED_ROLE = re.compile(r"(\{[\w:.-]+\}`)[^`]*?\s*(<[^<>`]+>`)$", re.DOTALL)


def _role_key(role: str) -> str:
    """What of a role a translation must keep: all of it, or its name and target when it
    has a title ({doc}`경사 하강법 <glossary>` and {doc}`gradient descent <glossary>` match)."""
    titled = _TITLED_ROLE.match(role)
    return f"{titled.group(1)}…{titled.group(2)}" if titled else role


def markup(text: str) -> Counter:
    """The pieces of ``text`` a translation must keep: a multiset of (kind, source)."""
    found: Counter = Counter()
    for kind, pattern in (
        ("display math", _DISPLAY_MATH),
        ("math", _INLINE_MATH),
        ("role", _ROLE),
        ("code", _CODE),
        ("substitution", _SUBSTITUTION),
    ):
        for match in pattern.finditer(text):
            piece = _role_key(match.group(0)) if kind == "role" else match.group(0)
            found[(kind, piece)] += 1
        text = pattern.sub(" ", text)
    for match in _LINK_TARGET.finditer(text):
        found[("link", match.group(1))] += 1
    for match in _AUTOLINK.finditer(text):
        found[("link", match.group(1) or match.group(0))] += 1
    return found


def problems(path: Path) -> list[str]:
    """What is wrong with one catalog: untranslated, fuzzy, or markup changed."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    found = []
    if catalog.fuzzy:
        found.append(f"{name}: its header is marked fuzzy (remove '#, fuzzy' above msgid \"\")")
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        short = " ".join(source.split())[:70]
        if message.fuzzy:
            found.append(f"{name}: fuzzy: {short!r}")
            continue
        if not message.string:
            found.append(f"{name}: not translated: {short!r}")
            continue
        missing = markup(source) - markup(message.string)
        extra = markup(message.string) - markup(source)
        for (kind, piece), count in missing.items():
            found.append(f"{name}: {kind} {piece!r} lost ({count}×) in {short!r}")
        for (kind, piece), count in extra.items():
            found.append(f"{name}: {kind} {piece!r} added ({count}×) in {short!r}")
    return found


def main(argv: list[str]) -> int:
    paths = [Path(arg).resolve() for arg in argv] or sorted(CATALOGS.rglob("*.po"))
    found = [line for path in paths for line in problems(path)]
    print("\n".join(found) if found else f"{len(paths)} catalog(s): every message translated")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
