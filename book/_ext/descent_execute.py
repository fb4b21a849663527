"""Execute the book's notebooks on every core, through the cache, while Sphinx reads.

The book runs with ``execute_notebooks: cache`` (myst-nb's cache mode, backed by
jupyter-cache in ``_build/.jupyter_cache``). On its own, myst-nb executes each notebook
that has no cached outputs while Sphinx reads it, one after the other; Sphinx's parallel
read (``-j``) would help little, because it hands each process a fixed, alphabetical
batch of pages. So, just before Sphinx reads the pages, this extension starts a process
that executes every notebook about to be read that has no cached outputs, with
jupyter-cache's own workers (one per core, each notebook in its own kernel, in its own
folder, the longest first), which store the results in the same cache.

Sphinx reads meanwhile. The pages that need no execution (the Markdown pages, notebooks
already cached) come first in each reading process's batch, then the notebooks in the
order they are executed; a process that reaches a notebook still running waits for it
(``source-read``) and then reads its outputs from the cache. The reading processes run at
a lower priority than the kernels: they read when a core would otherwise wait (a kernel
starting or ending, the last notebook running alone), instead of after the last notebook.

What does not change: a notebook whose cell raises is not cached, so myst-nb executes it
again while reading it and reports the error (a warning: the README's ``-W`` build fails);
output written to stderr is reported by myst-nb whether it comes from the cache or not.
If the executing process dies, a waiting reader goes on, and myst-nb executes the notebook
itself.

The cache knows the notebooks' code, not the ``descent`` package they import, so a change
to the package empties it: its source is hashed and compared with the hash stored beside
the cache. A clean clone (as in CI) has no cache and executes everything.

Each kernel gets one BLAS thread (as nbval's, see book/conftest.py): two kernels with a
thread per core each would make the chapters' small matrix products several times slower.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import multiprocessing
import os
import select
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from sphinx.util import logging as sphinx_logging

LOGGER = sphinx_logging.getLogger(__name__)
_PACKAGE = "descent"
READER_NICENESS = 10
# Each notebook's execution time, for the order of the first build (a clean clone):
# without it, the longest notebook could start last and run alone at the end.
HINTS = Path(__file__).with_name("execution_seconds.json")


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


def _longest_first(cache, records, hints: dict | None = None) -> list:
    """``records`` (jupyter-cache project records) by their last execution time, longest
    first. A notebook the cache has never executed (a clean clone) takes its time from
    ``hints`` (file name: seconds, ``HINTS``); one without a hint comes first of all,
    in reverse order."""
    seconds = {
        record.uri: record.data.get("execution_seconds", 0.0)
        for record in sorted(cache.list_cache_records(), key=lambda record: record.created)
    }
    for record in records:
        if record.uri not in seconds and Path(record.uri).name in (hints or {}):
            seconds[record.uri] = hints[Path(record.uri).name]
    unknown = [record for record in records if record.uri not in seconds]
    known = [record for record in records if record.uri in seconds]
    return unknown[::-1] + sorted(known, key=lambda record: seconds[record.uri], reverse=True)


def _hints() -> dict:
    """Seconds per notebook, as ``tools/bench_chapters.py --hints`` measured them."""
    return json.loads(HINTS.read_text()) if HINTS.is_file() else {}


class Execution:
    """Notebooks executed by a background process (``start``), one worker per core, the
    longest first; ``wait_for(docname)`` returns once that page's notebook has been
    executed (or has failed, or the process has ended), ``finish()`` reaps the process and
    returns the URIs that succeeded and those that failed.

    The process is forked before Sphinx forks its readers, which inherit the read end of a
    pipe whose write end only the executing process holds: when that process ends, for
    whatever reason, the pipe tells the readers. Each executed notebook leaves a file in
    ``folder``, named by its position in ``uris``, that says how it went. ``pages`` maps
    each notebook's URI to the name of its page."""

    def __init__(self, executor, records, timeout, allow_errors, pages: dict):
        self.executor, self.timeout, self.allow_errors = executor, timeout, allow_errors
        self.records = _longest_first(executor.cache, records, _hints())
        self.uris = [record.uri for record in self.records]
        self.docnames = [pages[uri] for uri in self.uris]  # in the order of execution
        self.folder = Path(tempfile.mkdtemp(prefix="descent-execute-"))
        self.process, self._ended = None, None
        self.parent, self._reading_behind = os.getpid(), False

    def start(self) -> None:
        self._ended, still_running = os.pipe()
        # the forked process keeps its copy of the write end open until it ends
        self.process = multiprocessing.get_context("fork").Process(target=self._run)
        self.process.start()
        os.close(still_running)

    def _run(self) -> None:
        """In the executing process: run every notebook, and say how each went. Told to
        stop (``stop``), it ends its workers, whose kernels then end with them."""
        from jupyter_cache.executors.basic import ProcessData

        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # leave the pool: it ends them

        tasks = [
            ProcessData(r.pk, r.uri, self.executor.cache, self.timeout, self.allow_errors)
            for r in self.records
        ]
        worker = self.executor._EXECUTION_WORKER()
        with multiprocessing.Pool(min(len(tasks), os.cpu_count() or 1)) as pool:
            for status, uri in pool.imap_unordered(worker, tasks, chunksize=1):
                self._status(uri).write_text("executed" if status == 0 else "failed")

    def _status(self, uri) -> Path:
        return self.folder / str(self.uris.index(uri))

    def wait_for(self, docname) -> None:
        """Return once the notebook of page ``docname`` has been executed or has failed,
        or the process has ended (at once for a page that is not executed)."""
        if os.getpid() != self.parent and not self._reading_behind:
            # a reading process yields to the kernels: it reads when a core would wait
            os.nice(READER_NICENESS)
            self._reading_behind = True
        if docname not in self.docnames:
            return
        status = self._status(self.uris[self.docnames.index(docname)])
        while not status.exists():
            readable, _, _ = select.select([self._ended], [], [], 0.2)
            if readable:  # the end of the pipe: the executing process has ended
                return

    def finish(self) -> tuple[list, list]:
        """Wait for the process; the URIs that succeeded, and those that did not."""
        if self.process is not None:
            self.process.join()
            os.close(self._ended)
            self.process = None
        succeeded = [uri for uri in self.uris if _says(self._status(uri), "executed")]
        shutil.rmtree(self.folder, ignore_errors=True)
        return succeeded, [uri for uri in self.uris if uri not in succeeded]

    def stop(self) -> None:
        """End the process now (the build failed)."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
        self.finish()


def _says(path: Path, word: str) -> bool:
    return path.exists() and path.read_text() == word


def reading_order(ready: list, executed: list, batches: list[int], readers: int) -> list:
    """The pages in the order to read them, for Sphinx's reading processes.

    Sphinx cuts the list into batches of the sizes ``batches``, in order, and reads the
    first ``readers`` batches at once, each in its own process; a later batch starts when
    a process has finished. ``ready`` pages need no execution; ``executed`` are notebooks,
    in the order they are executed. The later batches get ready pages first (they start at
    the end), then each of the first batches begins with ready pages, and the notebooks
    are dealt out to those batches in turn, in the order they will be ready."""
    readers = max(1, min(readers, len(batches)))
    slots: list[list] = [[] for _ in batches]
    ready, executed = list(ready), list(executed)
    for index in range(len(batches) - 1, readers - 1, -1):  # the later batches
        while len(slots[index]) < batches[index]:
            slots[index].insert(0, (ready or executed).pop())
    for pages in (ready, executed):
        turn = 0
        while pages:
            open_slots = [i for i in range(readers) if len(slots[i]) < batches[i]]
            slots[open_slots[turn % len(open_slots)]].append(pages.pop(0))
            turn += 1
    return [page for slot in slots for page in slot]


_EXECUTION: Execution | None = None


def _execute_while_reading(app, env, docnames) -> None:
    """Start executing the notebooks of ``docnames`` that have no cached outputs, and put
    ``docnames`` in the order that lets Sphinx read while they run."""
    global _EXECUTION
    config = env.mystnb_config  # myst-nb's settings, its cache path resolved
    if config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor
    from sphinx.util.parallel import make_chunks

    cache = get_cache(config.execution_cache_path)
    _forget_outputs_of_an_older_package(cache)
    paths = {name: Path(env.doc2path(name)) for name in docnames}
    notebooks = [
        name
        for name, path in paths.items()
        if path.suffix == ".ipynb"
        and not any(path.match(pattern) for pattern in config.execution_excludepatterns)
    ]
    if not notebooks:
        return
    pages = {cache.add_nb_to_project(str(paths[name])).uri: name for name in notebooks}
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    where = "temp" if config.execution_in_temp else "local"
    executor = load_executor(f"{where}-parallel", cache)
    pending = executor.get_records(filter_uris=list(pages))
    if not pending:
        return
    timeout, allow_errors = config.execution_timeout, config.execution_allow_errors
    _EXECUTION = Execution(executor, pending, timeout, allow_errors, pages)
    _EXECUTION.start()
    readers = max(app.parallel, 1)
    batches = [len(batch) for batch in make_chunks(list(docnames), readers)]
    ready = [name for name in docnames if name not in _EXECUTION.docnames]
    docnames[:] = reading_order(ready, _EXECUTION.docnames, batches, readers)


def _wait_for_the_notebook(app, docname, source) -> None:
    if _EXECUTION is not None:
        _EXECUTION.wait_for(docname)


def _report(app, env) -> None:
    global _EXECUTION
    if _EXECUTION is None:
        return
    succeeded, failed = _EXECUTION.finish()
    _EXECUTION = None
    LOGGER.info(
        f"[descent] executed {len(succeeded)} notebook(s) in parallel; {len(failed)} failed "
        "(myst-nb runs them again to report the error)"
    )


def _stop(app, exception) -> None:
    global _EXECUTION
    if _EXECUTION is not None:
        _EXECUTION.stop()
        _EXECUTION = None


def setup(app):
    app.connect("env-before-read-docs", _execute_while_reading)
    app.connect("source-read", _wait_for_the_notebook, priority=100)
    app.connect("env-updated", _report)
    app.connect("build-finished", _stop)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
