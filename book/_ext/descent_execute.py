"""Execute the book's notebooks on every core before Sphinx reads them, through the cache.

The book runs with ``execute_notebooks: cache`` (myst-nb's cache mode, backed by
jupyter-cache in ``_build/.jupyter_cache``). On its own, myst-nb executes each notebook
that has no cached outputs while Sphinx reads it, one after the other; Sphinx's parallel
read (``-j``) would help little, because it hands each process a fixed, alphabetical
batch of pages. So, just before Sphinx reads the pages, this extension executes every
notebook about to be read that has no cached outputs with jupyter-cache's own parallel
executor (one process per core, each notebook in its own kernel, in its own folder), which
stores the results in the same cache. Sphinx then reads them from it.

What does not change: a notebook whose cell raises is not cached, so myst-nb executes it
again while reading it and reports the error (a warning: the README's ``-W`` build fails);
output written to stderr is reported by myst-nb whether it comes from the cache or not.

The cache knows the notebooks' code, not the ``descent`` package they import, so a change
to the package empties it: its source is hashed and compared with the hash stored beside
the cache. A clean clone (as in CI) has no cache and executes everything.

Each kernel gets one BLAS thread (as nbval's, see book/conftest.py): two kernels with a
thread per core each would make the chapters' small matrix products several times slower.
"""

from __future__ import annotations

import hashlib
import importlib.util
import multiprocessing
import os
from pathlib import Path

from sphinx.util import logging as sphinx_logging

LOGGER = sphinx_logging.getLogger(__name__)
_PACKAGE = "descent"


def _package_hash() -> str:
    """SHA-256 of the imported package's source files (names and contents)."""
    spec = importlib.util.find_spec(_PACKAGE)
    digest = hashlib.sha256()
    for folder in spec.submodule_search_locations:
        for path in sorted(Path(folder).rglob("*.py")):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _forget_outputs_of_an_older_package(cache) -> None:
    stamp = Path(cache.path) / f"{_PACKAGE}-source.sha256"
    current = _package_hash()
    if stamp.is_file() and stamp.read_text() == current:
        return
    if stamp.is_file():
        LOGGER.info(f"[descent] the {_PACKAGE} package changed: clearing the execution cache")
    cache.clear_cache()
    Path(cache.path).mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)


def _longest_first(cache, records) -> list:
    """``records`` (jupyter-cache project records) by their last execution time, longest
    first; those never executed first of all, in reverse order."""
    seconds = {
        record.uri: record.data.get("execution_seconds", 0.0)
        for record in sorted(cache.list_cache_records(), key=lambda record: record.created)
    }
    unknown = [record for record in records if record.uri not in seconds]
    known = [record for record in records if record.uri in seconds]
    return unknown[::-1] + sorted(known, key=lambda record: seconds[record.uri], reverse=True)


def _run_longest_first(executor, pks, timeout, allow_errors) -> tuple[list, list]:
    """jupyter-cache's parallel ``run_and_cache``, with the notebooks handed out one at a
    time, longest first. Returns the URIs that succeeded and those that failed."""
    from jupyter_cache.executors.basic import ProcessData

    records = executor.get_records(filter_pks=pks, clear_tracebacks=True)
    tasks = [
        ProcessData(record.pk, record.uri, executor.cache, timeout, allow_errors)
        for record in _longest_first(executor.cache, records)
    ]
    if not tasks:
        return [], []
    with multiprocessing.Pool(min(len(tasks), os.cpu_count() or 1)) as pool:
        results = list(pool.imap_unordered(executor._EXECUTION_WORKER(), tasks, chunksize=1))
    succeeded = [uri for status, uri in results if status == 0]
    return succeeded, [uri for status, uri in results if status != 0]


def _execute_in_parallel(app, env, docnames) -> None:
    config = env.mystnb_config  # myst-nb's settings, its cache path resolved
    if config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(config.execution_cache_path)
    _forget_outputs_of_an_older_package(cache)
    notebooks = [Path(env.doc2path(name)) for name in docnames]
    notebooks = [
        str(path)
        for path in notebooks
        if path.suffix == ".ipynb"
        and not any(path.match(pattern) for pattern in config.execution_excludepatterns)
    ]
    if not notebooks:
        return
    records = [cache.add_nb_to_project(path) for path in notebooks]
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    where = "temp" if config.execution_in_temp else "local"
    executor = load_executor(f"{where}-parallel", cache)
    succeeded, failed = _run_longest_first(
        executor,
        [record.pk for record in records],
        config.execution_timeout,
        config.execution_allow_errors,
    )
    LOGGER.info(
        f"[descent] executed {len(succeeded)} notebook(s) in parallel; {len(failed)} failed "
        "(myst-nb runs them again to report the error)"
    )


def setup(app):
    app.connect("env-before-read-docs", _execute_in_parallel)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
