"""Read and write the book's pages on every core.

Jupyter Book's ``build`` command has no ``-j`` option, so Sphinx reads and writes one page
at a time. This extension sets Sphinx's number of processes to the number of cores before
the build starts (the notebooks are executed before reading, by ``descent_execute``, and
Sphinx reads their outputs from the cache). Both editions are built this way.

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


def _nothing_to_merge(domain, docnames, otherdata) -> None:
    """``merge_domaindata`` of a domain that keeps no data of its own."""


def _on_every_core(app) -> None:
    if app.parallel <= 1:
        app.parallel = os.cpu_count() or 1
    for name in SAFE_AS_READ:
        if name in app.extensions:
            app.extensions[name].parallel_read_safe = True
    proofs = app.env.domains.get("prf")
    if proofs is not None and not proofs.data.keys() - {"version"}:
        type(proofs).merge_domaindata = _nothing_to_merge


def setup(app):
    app.connect("builder-inited", _on_every_core)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
