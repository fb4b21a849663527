"""The book's small Sphinx extensions (book/_ext): what each fix changes, checked without a
build (the README's book command runs them all, and -W fails it on any warning)."""

import types

import pybtex.plugin
import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from scripts import load

descent_book = load("book/_ext/descent_book.py")
descent_parallel = load("book/_ext/descent_parallel.py")


def _document(text: str) -> nodes.document:
    document = new_document("page", get_default_settings(Parser))
    Parser().parse(text, document)
    return document


def test_nodes_made_in_another_document_are_given_to_their_page():
    page = _document("A paragraph.")
    elsewhere = _document("- an item made by a nested parse")
    item = elsewhere.children[0]
    elsewhere.remove(item)
    page += item  # docutils gives the list its new document, not the list's children
    strays = [n for n in page.findall(nodes.Node) if n.document is not page]
    assert strays, "the setup no longer reproduces the problem"
    descent_book._nodes_belong_to_their_page(None, page)
    assert all(n.document is page for n in page.findall(nodes.Node))


def test_the_bibliography_styles_are_found_without_searching_the_entry_points(monkeypatch):
    app = types.SimpleNamespace(config=types.SimpleNamespace(bibtex_default_style="unsrt"))
    descent_book._bibliography_style_found_once(app)
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", "unsrt")

    def no_search(**kwargs):
        raise AssertionError(f"searched the entry points for {kwargs}")

    monkeypatch.setattr(pybtex.plugin, "entry_points", no_search)
    assert pybtex.plugin.find_plugin("pybtex.style.formatting", "unsrt") is style
    style()  # looks up its name, label and sorting styles: all registered


class _Extension:
    def __init__(self, read_safe):
        self.parallel_read_safe = read_safe


class _Domain:
    def __init__(self, data):
        self.data = data

    def merge_domaindata(self, docnames, otherdata):
        raise NotImplementedError


@pytest.mark.parametrize("parallel", [0, 1, 3])
def test_the_build_uses_every_core_unless_told_how_many(monkeypatch, parallel):
    monkeypatch.setattr(descent_parallel.os, "cpu_count", lambda: 2)
    proofs = type("ProofDomain", (_Domain,), {})({"version": 0})
    others = type("OtherDomain", (_Domain,), {})({"version": 0, "objects": {}})
    app = types.SimpleNamespace(
        parallel=parallel,
        extensions={
            "sphinx_multitoc_numbering": _Extension(None),
            "sphinx_jupyterbook_latex": _Extension(None),
            "some_other_extension": _Extension(False),
        },
        env=types.SimpleNamespace(domains={"prf": proofs, "other": others}),
    )
    descent_parallel._on_every_core(app)
    assert app.parallel == (2 if parallel <= 1 else parallel)
    assert app.extensions["sphinx_multitoc_numbering"].parallel_read_safe is True
    assert app.extensions["sphinx_jupyterbook_latex"].parallel_read_safe is True
    assert app.extensions["some_other_extension"].parallel_read_safe is False  # not ours to say
    assert proofs.merge_domaindata([], {}) is None  # nothing of its own to merge
    with pytest.raises(NotImplementedError):
        others.merge_domaindata([], {})


def test_a_proof_domain_that_keeps_data_is_left_alone():
    proofs = type("ProofDomain", (_Domain,), {})({"version": 0, "objects": {"a": 1}})
    app = types.SimpleNamespace(
        parallel=2, extensions={}, env=types.SimpleNamespace(domains={"prf": proofs})
    )
    descent_parallel._on_every_core(app)
    with pytest.raises(NotImplementedError):
        proofs.merge_domaindata([], {})
