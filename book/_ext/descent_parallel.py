"""Read and write the book's pages on every core.

Jupyter Book's ``build`` command has no ``-j`` option, so Sphinx reads and writes one page
at a time. This extension sets Sphinx's number of processes to the number of cores before
the build starts (``descent_execute`` executes the notebooks meanwhile, and Sphinx reads
their outputs from the cache). Both editions are built this way.

Writing needs a change of its own. Sphinx's main process resolves each page's references
and adds it to the search index, one page at a time; writer processes turn the resolved
pages into HTML. Sphinx starts one writer fewer than its processes ("the main process is
busy") and gives each a batch of ten pages or more, so on two cores one writer works, and
only once the main process has resolved its first batch: the last batch is written after
everything else. ``_write_pages`` keeps Sphinx's steps and their order, with one
writer per core and ``PAGES_PER_WRITER`` pages each: the writers follow the main process
closely, and only the last few pages are written after it. The writers run at a lower
priority than the main process, which they would otherwise slow down.

Sphinx works in parallel only when every extension says it is safe. Three do not say so
correctly; each is safe here, for the reason given:

- sphinx-multitoc-numbering replaces how section numbers are assigned, which Sphinx does
  after reading, in the main process, from the merged tables of contents;
- sphinx-jupyterbook-latex changes the environment only for a LaTeX build; otherwise it
  changes only the doctree of the page being read;
- sphinx-proof says it is safe, but its domain cannot merge what a reading process found.
  It keeps nothing there (its proofs are in ``env.proof_list``, which it merges itself),
  so there is nothing to merge.
"""

from __future__ import annotations

import os

SAFE_AS_READ = ("sphinx_multitoc_numbering", "sphinx_jupyterbook_latex")
PAGES_PER_WRITER = 2
WRITER_NICENESS = 10


def _nothing_to_merge(domain, docnames, otherdata) -> None:
    """``merge_domaindata`` of a domain that keeps no data of its own."""


def _write_pages(builder, docnames: list[str], writers: int) -> None:
    """Resolve each page in this process, in order, and hand the resolved pages to
    ``writers`` processes, ``PAGES_PER_WRITER`` at a time (Sphinx's ``_write_parallel``,
    with smaller batches). The first page is written here, as Sphinx does, so that the
    writers inherit the compiled templates."""
    from sphinx.util.build_phase import BuildPhase
    from sphinx.util.display import status_iterator
    from sphinx.util.parallel import ParallelTasks

    app, main = builder.app, os.getpid()

    def resolved(docname):
        app.phase = BuildPhase.RESOLVING
        doctree = builder.env.get_and_resolve_doctree(docname, builder)
        app.phase = BuildPhase.WRITING
        builder.write_doc_serialized(docname, doctree)
        return docname, doctree

    def write(pages) -> None:
        if os.getpid() != main:
            os.nice(WRITER_NICENESS)  # the main process first: it sets the pace
        app.phase = BuildPhase.WRITING
        for docname, doctree in pages:
            builder.write_doc(docname, doctree)

    write([resolved(docnames[0])])
    rest = docnames[1:]
    batches = [rest[i : i + PAGES_PER_WRITER] for i in range(0, len(rest), PAGES_PER_WRITER)]
    progress = status_iterator(
        batches, "writing output... ", "darkgreen", len(batches), app.verbosity
    )
    tasks = ParallelTasks(writers)
    for batch in batches:
        tasks.add_task(write, [resolved(docname) for docname in batch], lambda *_: next(progress))
    tasks.join()


def _on_every_core(app) -> None:
    if app.parallel <= 1:
        app.parallel = os.cpu_count() or 1
    builder = app.builder
    if app.parallel > 1 and hasattr(builder, "_write_parallel"):
        # Sphinx passes app.parallel - 1 writers: one per core instead
        builder._write_parallel = lambda docnames, nproc: _write_pages(builder, docnames, nproc + 1)
    for name in SAFE_AS_READ:
        if name in app.extensions:
            app.extensions[name].parallel_read_safe = True
    proofs = app.env.domains.get("prf")
    if proofs is not None and not proofs.data.keys() - {"version"}:
        type(proofs).merge_domaindata = _nothing_to_merge


def setup(app):
    app.connect("builder-inited", _on_every_core)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
