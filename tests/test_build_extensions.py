"""The book's small Sphinx extensions (book/_ext): what each fix changes, checked without a
build (the README's book command runs them all, and -W fails it on any warning)."""

import base64
import io
import re
import types

import nbformat
import pybtex.plugin
import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from scripts import load

descent_book = load("book/_ext/descent_book.py")
descent_parallel = load("book/_ext/descent_parallel.py")
descent_execute = load("book/_ext/descent_execute.py")
descent_site = load("book/_ext/descent_site.py")


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


def _notebook(folder, name, *sources):
    path = folder / f"{name}.ipynb"
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return str(path)


def _cache_with_times(tmp_path, seconds):
    """A jupyter-cache whose notebooks ran for ``seconds`` (None: never executed)."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(tmp_path / "cache")
    records = []
    for i, took in enumerate(seconds):
        path = _notebook(tmp_path, f"nb{i}", f"x = {i}")
        records.append(cache.add_nb_to_project(path))
        if took is not None:
            bundle = CacheBundleIn(nbformat.read(path, 4), path, data={"execution_seconds": took})
            cache.cache_notebook_bundle(bundle, check_validity=False)
    return cache, records


def test_notebooks_run_longest_first_and_never_run_ones_before_them(tmp_path):
    cache, records = _cache_with_times(tmp_path, [None, 3.0, None, 12.0, 0.5])
    order = [records.index(r) for r in descent_execute._longest_first(cache, records)]
    assert order == [2, 0, 3, 1, 4]  # never run, in reverse order; then 12 s, 3 s, 0.5 s


def test_the_notebooks_are_executed_one_at_a_time_per_core_and_cached(tmp_path):
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(tmp_path / "cache")
    good = cache.add_nb_to_project(_notebook(tmp_path, "good", "x = 1", "print(x + 1)"))
    bad = cache.add_nb_to_project(_notebook(tmp_path, "bad", "1 / 0"))
    executor = load_executor("local-parallel", cache)
    succeeded, failed = descent_execute._run_longest_first(executor, [good.pk, bad.pk], 60, False)
    assert (succeeded, failed) == ([good.uri], [bad.uri])
    outputs = cache.get_cached_project_nb(good.uri)  # the cache holds its outputs
    assert outputs.data["execution_seconds"] > 0
    assert "ZeroDivisionError" in cache.get_project_record(bad.pk).traceback
    assert descent_execute._run_longest_first(executor, [good.pk], 60, False) == ([], [])


def _png(colour) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), colour).save(buffer, format="png")
    return buffer.getvalue()


def test_frames_are_encoded_while_reading_and_copied_while_writing(tmp_path):
    from PIL import Image

    frames = [_png((255, 0, 0)), _png((0, 0, 255)), _png((255, 0, 0))]
    player = " ".join(
        f'frames[{i}] = "data:image/png;base64,{base64.b64encode(f).decode()}"'
        for i, f in enumerate(frames)
    )
    page = new_document("page", get_default_settings(Parser))
    page += nodes.raw("", player, format="html")
    app = types.SimpleNamespace(
        builder=types.SimpleNamespace(format="html", get_target_uri=lambda doc: f"{doc}.html"),
        env=types.SimpleNamespace(docname="book/chapter"),
        doctreedir=str(tmp_path / "_build" / ".doctrees"),
        outdir=str(tmp_path / "_build" / "html"),
    )
    descent_site._frames_to_files(app, page)
    text = page.astext()
    assert "data:image" not in text
    names = re.findall(r'"\.\./_images/frames/([0-9a-f]{24}\.webp)"', text)
    assert len(names) == 3 and names[0] == names[2] != names[1]  # a repeated frame once
    encoded = tmp_path / "_build" / "frames"
    assert sorted(p.name for p in encoded.iterdir()) == sorted(set(names))
    with Image.open(encoded / names[1]) as frame:
        assert frame.format == "WEBP" and frame.convert("RGB").getpixel((0, 0)) == (0, 0, 255)
    descent_site._copy_frames(app, page, "book/chapter")
    site = tmp_path / "_build" / "html" / "_images" / "frames"
    assert sorted(p.name for p in site.iterdir()) == sorted(set(names))
    for name in set(names):
        (site / name).unlink()
        (encoded / name).unlink()
    with pytest.raises(FileNotFoundError, match="delete _build and build again"):
        descent_site._copy_frames(app, page, "book/chapter")


def test_exercise_copies_in_the_environment_do_not_carry_their_page():
    page = _document("A paragraph.\n\n- an item")
    exercise_copy = page.children[1].deepcopy()  # as sphinx-exercise registers an exercise
    exercise_copy.document = page  # Sphinx's copies drop it; make sure it goes anyway
    solution = page.children[0]  # a solution is registered as the page's own node
    registry = {
        "ex": {"docname": "here", "node": exercise_copy},
        "sol": {"docname": "here", "node": solution},
        "other": {"docname": "elsewhere", "node": page.children[1]},
    }
    app = types.SimpleNamespace(
        env=types.SimpleNamespace(docname="here", sphinx_exercise_registry=registry)
    )
    descent_book._exercise_copies_stand_alone(app, page)
    for label in ("ex", "sol"):
        node = registry[label]["node"]
        assert node.parent is None
        assert all(part.document is None for part in node.findall(nodes.Node))
    assert registry["sol"]["node"].astext() == "A paragraph." and solution.parent is page
    assert registry["other"]["node"].document is page  # another page's entry: left alone
    assert solution.document is page and page.children[1].document is page
