"""The Korean edition's catalogs: current with the English text, complete, faithful to its
markup, and in the glossary's terms; and the Korean search's stemmer, in Python and in the
browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from scripts import load

ROOT = Path(__file__).resolve().parents[1]
refresh_catalogs = load("tools/refresh_catalogs.py")
translation_check = load("tools/translation_check.py")
descent_i18n = load("book/_ext/descent_i18n.py")
SearchKorean, strip_particle = descent_i18n.SearchKorean, descent_i18n.strip_particle

CATALOGS = ROOT / "locale" / "ko" / "LC_MESSAGES"
# Every page of the book is translated (the theme's labels are in LC_MESSAGES/sphinx.po).
TRANSLATED = sorted(path.stem for path in (CATALOGS / "book").glob("*.po"))


def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog) -> set[str]:
    return {message.id for message in catalog if message.id}


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    """The English messages of every page, extracted now from the book's sources."""
    return refresh_catalogs.extract(tmp_path_factory.mktemp("catalogs"))


def test_catalogs_hold_the_current_english_text(templates):
    stale = []
    for template in sorted(templates.rglob("*.pot")):
        name = template.relative_to(templates).with_suffix(".po")
        catalog = CATALOGS / name
        if not catalog.exists():
            stale.append(f"{name}: no catalog")
            continue
        added = _ids(_catalog(template)) - _ids(_catalog(catalog))
        removed = _ids(_catalog(catalog)) - _ids(_catalog(template))
        if added or removed:
            stale.append(f"{name}: {len(added)} new or changed message(s), {len(removed)} gone")
    assert not stale, (
        "The English text changed but the Korean catalogs did not follow:\n  "
        + "\n  ".join(stale)
        + f"\nRun `{refresh_catalogs.COMMAND}`, then translate the empty and fuzzy messages "
        "(locale/ko/STYLE.md) and run `python tools/translation_check.py`."
    )


@pytest.mark.parametrize("page", TRANSLATED)
def test_page_is_translated_with_its_markup_kept(page):
    problems = translation_check.problems(CATALOGS / "book" / f"{page}.po")
    assert not problems, "\n".join(problems[:20])


def test_the_checker_sees_lost_markup(tmp_path):
    catalog = tmp_path / "x.po"
    catalog.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "The step $\\\\eta g$ of {doc}`ch <glossary>` uses `lr`."\n'
        'msgstr "스텝 $\\\\eta$ 는 {doc}`장 <notation>` 의 `lr` 을 씁니다."\n\n'
        'msgid "See {ref}`later in this chapter <sec-stalls>`."\n'
        'msgstr "{ref}`이 장의 뒷부분 <sec-stalls>`을 보세요."\n\n'
        'msgid "Untranslated."\nmsgstr ""\n\n'
        'msgid "Each `{exercise}` box ends with a `{solution}`."\n'
        'msgstr "`{exercise}` 상자마다 끝에 `{solution}`이 있습니다."\n',
        encoding="utf-8",
    )
    problems = translation_check.problems(catalog)
    assert any("math '$\\\\eta g$' lost" in line for line in problems)
    assert any("role '{doc}`…<glossary>`' lost" in line for line in problems)
    assert any("role '{doc}`…<notation>`' added" in line for line in problems)
    assert not any("sec-stalls" in line for line in problems)  # a role's title is text
    assert any("not translated: 'Untranslated.'" in line for line in problems)
    assert not any(": code '`lr`'" in line for line in problems)  # kept: no problem
    assert not any("exercise" in line for line in problems)  # a directive's name in code
    assert not any("header" in line for line in problems)
    fuzzy = tmp_path / "fuzzy.po"
    fuzzy.write_text('#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: ko\\n"\n', encoding="utf-8")
    assert translation_check.problems(fuzzy) == [
        f"{fuzzy}: its header is marked fuzzy (remove '#, fuzzy' above msgid \"\")"
    ]


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("모멘텀은", "모멘텀"),
        ("모멘텀을", "모멘텀"),
        ("학습률의", "학습률"),
        ("미니배치에서는", "미니배치"),
        ("기울기", "기울기"),  # ends in 기, not a particle
        ("손실이", "손실"),
        ("길이", "길이"),  # one syllable would be left: kept whole
        ("Adam은", "Adam"),
    ],
)
def test_korean_search_strips_particles(word, stem):
    assert strip_particle(word) == stem


def test_korean_search_indexes_nouns_and_stems_latin_words():
    search = SearchKorean({})
    assert search.stem("모멘텀을") == "모멘텀"
    assert search.stem("Adam은") == search.stem("Adam") == "adam"
    assert search.stem("gradients") == "gradient"


def test_korean_search_stems_the_same_in_the_browser(tmp_path):
    """The JavaScript stemmer the search page uses gives the index's stems (run in node)."""
    node = pytest.importorskip("shutil").which("node")
    if node is None:
        pytest.skip("node is not installed")
    words = ["모멘텀은", "학습률의", "미니배치에서는", "기울기", "길이", "Adam은", "gradients"]
    script = tmp_path / "stem.js"
    script.write_text(
        SearchKorean.js_stemmer_code
        + "\nvar s = new Stemmer();\n"
        + f"console.log(JSON.stringify({words!r}.map(function(w) {{ return s.stemWord(w); }})));\n",
        encoding="utf-8",
    )
    import json
    import subprocess

    out = subprocess.run([node, str(script)], capture_output=True, text=True, check=True)
    search = SearchKorean({})
    # the index lower-cases after stemming; the browser lower-cases the query before
    assert [w.lower() for w in json.loads(out.stdout)] == [search.stem(w.lower()) for w in words]


def _forms(cell: str) -> list[str]:
    """The forms a glossary cell lists, without remarks in parentheses. In a pair written
    with "/", a one-word form borrows the rest of the other ("first / second moment" is
    "first moment" and "second moment")."""
    forms = []
    for part in re.sub(r"\s*\(.*?\)", "", cell).split(","):
        pair = [form.strip() for form in part.split("/") if form.strip()]
        tail = max(pair, key=lambda form: len(form.split())).split()[1:]
        forms += [" ".join([form, *tail]) if len(form.split()) == 1 else form for form in pair]
    return forms


def test_glossary_forms():
    assert _forms("first / second moment") == ["first moment", "second moment"]
    assert _forms("1차 / 2차 모멘트") == ["1차 모멘트", "2차 모멘트"]
    assert _forms("stochastic gradient descent (SGD)") == ["stochastic gradient descent"]
    assert _forms("기울기, 그래디언트, 경사 (as in 경사 하강법)") == [
        "기울기",
        "그래디언트",
        "경사",
    ]


def test_every_page_has_a_catalog():
    """Each page of the table of contents has its Korean catalog (whose messages the test
    above checks): no page of the Korean edition is left in English."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    pages = re.findall(r"(?:root|file):\s*book/(\S+)", toc)
    assert len(pages) > 20
    assert set(pages) <= set(TRANSLATED), sorted(set(pages) - set(TRANSLATED))


def test_glossary_terms_are_used():
    """Each translated page uses the glossary's Korean for the terms its English uses."""
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| [^|]*\|$", glossary, flags=re.MULTILINE)
    terms = {english: _forms(korean) for english, korean in rows if english not in {"English"}}
    assert len(terms) > 40
    missing = []
    for page in TRANSLATED:
        if page == "glossary":
            continue
        catalog = _catalog(CATALOGS / "book" / f"{page}.po")
        # as written: "Momentum" is the optimizer's name, "momentum" the glossary's term
        english = " ".join(m.id for m in catalog if m.id)
        korean = " ".join(m.string for m in catalog if m.id)
        for term, forms in terms.items():
            # "step (length)" is the step length; "(SGD)" only an abbreviation
            term = re.sub(r"\(([a-z][a-z ]*)\)", r"\1", term).replace("  ", " ")
            used = [f for f in _forms(term) if re.search(rf"\b{re.escape(f)}\b", english)]
            if used and not any(form in korean for form in forms):
                missing.append(f"{page}: {used[0]!r} is used, but none of {forms}")
    assert not missing, "\n".join(missing)
