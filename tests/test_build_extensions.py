"""The book's small Sphinx extensions (book/_ext): what each fix changes, checked without a
build (the README's book command runs them all, and -W fails it on any warning)."""

import base64
import io
import json
import re
import types

import nbformat
import pybtex.plugin
import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from scripts import ROOT, load

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
        builder=types.SimpleNamespace(_write_parallel=None),
    )
    descent_parallel._on_every_core(app)
    assert app.parallel == (2 if parallel <= 1 else parallel)
    assert callable(app.builder._write_parallel)  # one writer per core: see below
    assert app.extensions["sphinx_multitoc_numbering"].parallel_read_safe is True
    assert app.extensions["sphinx_jupyterbook_latex"].parallel_read_safe is True
    assert app.extensions["some_other_extension"].parallel_read_safe is False  # not ours to say
    assert proofs.merge_domaindata([], {}) is None  # nothing of its own to merge
    with pytest.raises(NotImplementedError):
        others.merge_domaindata([], {})


def test_a_proof_domain_that_keeps_data_is_left_alone():
    proofs = type("ProofDomain", (_Domain,), {})({"version": 0, "objects": {"a": 1}})
    app = types.SimpleNamespace(
        parallel=2,
        extensions={},
        env=types.SimpleNamespace(domains={"prf": proofs}),
        builder=types.SimpleNamespace(_write_parallel=None),
    )
    descent_parallel._on_every_core(app)
    with pytest.raises(NotImplementedError):
        proofs.merge_domaindata([], {})


def test_pages_are_resolved_in_order_here_and_written_a_few_at_a_time_on_every_core(tmp_path):
    import os

    log = tmp_path / "log"

    def record(*words):
        with log.open("a") as file:
            file.write(" ".join(map(str, words)) + "\n")

    env = types.SimpleNamespace(
        get_and_resolve_doctree=lambda docname, builder: (
            record("resolve", docname, os.getpid()) or f"tree of {docname}"
        )
    )
    builder = types.SimpleNamespace(
        app=types.SimpleNamespace(verbosity=0, phase=None),
        env=env,
        write_doc_serialized=lambda docname, doctree: record("index", docname, os.getpid()),
        write_doc=lambda docname, doctree: record("write", docname, doctree[8:], os.getpid()),
    )
    pages = [f"p{i}" for i in range(7)]
    descent_parallel._write_pages(builder, pages, writers=2)
    lines = [line.split() for line in log.read_text().splitlines()]
    here = str(os.getpid())
    resolved = [line[1] for line in lines if line[0] == "resolve"]
    assert resolved == pages and all(line[2] == here for line in lines if line[0] != "write")
    assert [line[1] for line in lines if line[0] == "index"] == pages  # after each resolve
    writes = {line[1]: line[3] for line in lines if line[0] == "write"}
    assert sorted(writes) == pages and all(  # each page written once, from its own tree
        line[1] == line[2] for line in lines if line[0] == "write"
    )
    assert writes["p0"] == here  # the first page here: the writers inherit the templates
    writers = [writes[page] for page in pages[1:]]
    assert here not in writers and len(set(writers)) == 3  # p1 p2 | p3 p4 | p5 p6


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
    # a clean clone: the times of tools/bench_chapters.py --hints, for those it knows
    hints = {"nb0.ipynb": 5.0, "nb4.ipynb": 20.0}
    order = [records.index(r) for r in descent_execute._longest_first(cache, records, hints)]
    assert order == [2, 3, 0, 1, 4]  # no time at all; 12 s, 5 s (hint), 3 s; the cache's 0.5 s


def test_the_hints_name_every_notebook_of_the_book():
    hints = descent_execute._hints()
    notebooks = {path.name for path in (ROOT / "book").glob("*.ipynb")}
    assert set(hints) == notebooks and all(seconds > 0 for seconds in hints.values())


def _execution(tmp_path, notebooks: dict):
    """An ``Execution`` of ``notebooks`` (page name: its code cells), not started."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(tmp_path / "cache")
    pages = {
        cache.add_nb_to_project(_notebook(tmp_path, name, *cells)).uri: name
        for name, cells in notebooks.items()
    }
    executor = load_executor("local-parallel", cache)
    records = executor.get_records(filter_uris=list(pages))
    return cache, descent_execute.Execution(executor, records, 60, False, pages)


def test_the_benchmark_refreshes_the_hints_of_the_notebooks_it_timed(tmp_path, monkeypatch):
    bench = load("tools/bench_chapters.py")
    (tmp_path / "book" / "_ext").mkdir(parents=True)
    for name in ("a", "b"):
        (tmp_path / "book" / f"{name}.ipynb").write_text("{}")
    hints = tmp_path / "book" / "_ext" / "execution_seconds.json"
    hints.write_text('{"a.ipynb": 3.0, "b.ipynb": 4.0, "gone.ipynb": 9.0}')
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    monkeypatch.setattr(bench, "execute", lambda path: (12.34, [(1.5, 0, "x = 1")]))
    assert bench.main([str(tmp_path / "book" / "b.ipynb"), "--hints"]) == 0
    # b is timed again; a keeps its time; a notebook no longer in book/ is dropped
    assert json.loads(hints.read_text()) == {"a.ipynb": 3.0, "b.ipynb": 12.3}


def test_the_notebooks_are_executed_in_the_background_one_per_core_and_cached(tmp_path):
    cache, execution = _execution(
        tmp_path,
        {
            "good": ["x = 1", "print(x + 1)"],
            "bad": ["1 / 0"],
            "slow": ["import time; time.sleep(2)"],
        },
    )
    execution.start()
    execution.wait_for("good")  # returns once "good" is cached: "slow" may still run
    good = execution.uris[execution.docnames.index("good")]
    assert cache.get_cached_project_nb(good).data["execution_seconds"] > 0
    execution.wait_for("bad")
    execution.wait_for("a page that is not executed")  # returns at once
    succeeded, failed = execution.finish()
    assert [execution.docnames[execution.uris.index(uri)] for uri in succeeded] in (
        ["good", "slow"],
        ["slow", "good"],
    )
    assert [execution.docnames[execution.uris.index(uri)] for uri in failed] == ["bad"]
    bad = failed[0]
    assert "ZeroDivisionError" in cache.get_project_record(bad).traceback
    assert not execution.folder.exists()  # the status files are gone


def test_a_reader_does_not_wait_for_an_execution_that_has_died(tmp_path):
    import time

    _, execution = _execution(tmp_path, {"endless": ["import time; time.sleep(600)"]})
    execution.start()
    execution.process.kill()
    tic = time.perf_counter()
    execution.wait_for("endless")
    assert time.perf_counter() - tic < 5
    assert execution.finish() == ([], execution.uris)


def test_a_failed_build_stops_the_execution_its_workers_and_their_kernels(tmp_path):
    import time

    import psutil

    _, execution = _execution(tmp_path, {"endless": ["import time; time.sleep(600)"]})
    execution.start()
    family = psutil.Process(execution.process.pid)
    for _ in range(100):  # until the worker has started the notebook's kernel
        if any("ipykernel" in " ".join(p.cmdline()) for p in family.children(recursive=True)):
            break
        time.sleep(0.1)
    descendants = family.children(recursive=True)
    assert len(descendants) >= 2  # a worker and its kernel
    execution.stop()
    gone, alive = psutil.wait_procs([family, *descendants], timeout=15)
    assert not alive, [p.cmdline() for p in alive]


def test_pages_are_read_while_the_notebooks_run_in_the_order_they_finish():
    ready = ["api", "glossary", "intro", "notation"]
    executed = ["n1", "n2", "n3", "n4", "n5", "n6"]  # the order of execution
    # two readers at once, then a third batch of one page
    order = descent_execute.reading_order(ready, executed, [5, 4, 1], readers=2)
    assert sorted(order) == sorted(ready + executed)
    first, second, third = order[:5], order[5:9], order[9:]
    assert third == ["notation"]  # a ready page: read at the end, it waits for nothing
    assert first == ["api", "intro", "n1", "n3", "n5"]
    assert second == ["glossary", "n2", "n4", "n6"]
    # more later batches than ready pages: they take the last notebooks
    order = descent_execute.reading_order(["api"], executed, [3, 3, 1], readers=2)
    assert order == ["n1", "n3", "n5", "n2", "n4", "n6", "api"]
    order = descent_execute.reading_order([], executed, [3, 2, 1], readers=2)
    assert order == ["n1", "n3", "n5", "n2", "n4", "n6"]  # the last notebook waits longest
    # one reader: the ready pages, then the notebooks as they come
    assert descent_execute.reading_order(ready[:2], executed[:2], [4], readers=1) == [
        "api",
        "glossary",
        "n1",
        "n2",
    ]


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
    assert "data:image" not in text and "data:image" not in page.children[0].rawsource
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


def _figure_png() -> bytes:
    """A small full-colour figure, as matplotlib writes it: RGBA, with its dpi."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=50)
    ax.plot([0, 1, 4], color="tab:blue")
    ax.set_title("$\\eta$")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def test_figures_are_converted_to_a_palette_once_for_every_build(tmp_path, monkeypatch):
    from PIL import Image

    outputs = tmp_path / "_build" / "jupyter_execute"
    outputs.mkdir(parents=True)
    original = _figure_png()
    (outputs / "figure.png").write_bytes(original)
    (outputs / "other.txt").write_text("not a figure")
    page = new_document("page", get_default_settings(Parser))
    page += nodes.image(uri="_build/jupyter_execute/figure.png")
    app = types.SimpleNamespace(
        srcdir=str(tmp_path),
        doctreedir=str(tmp_path / "_build" / ".doctrees"),
        env=types.SimpleNamespace(mystnb_config=types.SimpleNamespace(output_folder=str(outputs))),
    )
    descent_site._figures_in_256_colours(app, page)
    converted = (outputs / "figure.png").read_bytes()
    assert len(converted) < len(original)
    with Image.open(io.BytesIO(converted)) as figure, Image.open(io.BytesIO(original)) as rgba:
        assert figure.mode == "P" and figure.size == rgba.size
        assert figure.info["dpi"] == pytest.approx(rgba.info["dpi"])
        assert figure.convert("RGB").getcolors(256) is not None
    stored = list((tmp_path / "_build" / "figures").iterdir())
    assert [p.read_bytes() for p in stored] == [converted]  # kept, under the original's hash
    # the next build (or edition) writes matplotlib's PNG again: copied, not converted
    (outputs / "figure.png").write_bytes(original)
    monkeypatch.setattr(descent_site, "_in_256_colours", lambda png: pytest.fail("converted"))
    descent_site._figures_in_256_colours(app, page)
    assert (outputs / "figure.png").read_bytes() == converted
    monkeypatch.undo()  # a palette PNG comes back as it is
    assert descent_site._in_256_colours(converted) == converted


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


def test_code_tokens_drawn_as_plain_text_get_no_span_in_either_colour_mode():
    from pydata_sphinx_theme.pygments import get_pygments_stylesheet
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    styles = {"pygments_light_style": "a11y-high-contrast-light"}
    styles["pygments_dark_style"] = "a11y-high-contrast-dark"
    highlighter = types.SimpleNamespace(formatter=HtmlFormatter)
    theme = types.SimpleNamespace(get_options=lambda overrides: dict(styles))
    app = types.SimpleNamespace(
        builder=types.SimpleNamespace(highlighter=highlighter, theme=theme),
        config=types.SimpleNamespace(html_theme_options={}),
    )
    descent_site._plain_code_tokens(app)
    code = "def step(w, g):\n    return w - 0.1 * g  # plain\n"
    plain = highlight(
        code, PythonLexer(), highlighter.formatter(style=styles["pygments_light_style"])
    )
    spans = highlight(code, PythonLexer(), HtmlFormatter())
    assert re.sub(r"<[^>]+>", "", plain) == re.sub(r"<[^>]+>", "", spans)  # the same text
    dropped = set(re.findall(r'<span class="(\w+)">', spans)) - set(
        re.findall(r'<span class="(\w+)">', plain)
    )
    assert dropped == {"n", "p", "w"}  # names, punctuation, spaces
    assert {"k", "o", "mf", "c1"} <= set(re.findall(r'<span class="(\w+)">', plain))
    # the theme's own stylesheet draws each dropped class in the colour of plain code
    css = get_pygments_stylesheet(*styles.values())
    for mode in ("light", "dark"):
        prefix = re.escape(f'html[data-theme="{mode}"] .highlight')
        text = re.search(prefix + r" \{ background: [^;]+; color: (#\w+) \}", css)[1]
        for name in dropped:
            assert re.search(prefix + rf" \.{name} \{{ color: (#\w+) \}}", css)[1] == text
