"""Measure Google Lighthouse's mobile scores for pages of the built book.

It serves the built site (``_build/html`` by default) on 127.0.0.1 at a free port, runs
Lighthouse's default mobile audit (simulated throttling) on each page ``--runs`` times, one
run at a time, and prints a Markdown table of the medians: the score (0-100) of each category
(performance, accessibility, best practices, SEO), then First Contentful Paint, Largest
Contentful Paint, Total Blocking Time and Cumulative Layout Shift::

    python3 tools/lighthouse_scores.py                         # _build/html, 3 pages, 3 runs
    python3 tools/lighthouse_scores.py _build/html book/api.html --runs 5

Lighthouse comes through ``npx`` at a pinned version, so nothing is installed in the
repository; it needs Node.js, npm and Chromium (``CHROME_PATH``, else /usr/bin/chromium).
A plain local server neither compresses nor caches, so the performance score is a
pessimistic bound for a real host that does both.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LIGHTHOUSE = "lighthouse@12.8.2"  # the last major version that runs on Node.js 20
PAGES = ["book/intro.html", "book/04_batch_stochastic_minibatch.html", "book/api.html"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
METRICS = {  # audit id: (column, unit divisor, format)
    "first-contentful-paint": ("FCP (s)", 1000, "{:.1f}"),
    "largest-contentful-paint": ("LCP (s)", 1000, "{:.1f}"),
    "total-blocking-time": ("TBT (ms)", 1, "{:.0f}"),
    "cumulative-layout-shift": ("CLS", 1, "{:.3f}"),
}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


class QuietHandler(SimpleHTTPRequestHandler):
    """A static file handler that logs nothing."""

    def log_message(self, *args: object) -> None:
        pass


def serve(site: Path) -> ThreadingHTTPServer:
    """Serve ``site`` on 127.0.0.1 at a free port from a background thread."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def lighthouse(url: str) -> dict:
    """One Lighthouse mobile run on ``url``: the JSON report as a dictionary."""
    command = ["npx", "--yes", LIGHTHOUSE, url, f"--only-categories={','.join(CATEGORIES)}"]
    command += ["--output=json", "--quiet", f"--chrome-flags={CHROME_FLAGS}"]
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def medians(reports: list[dict]) -> list[str]:
    """The median score of each category, then of each metric, formatted for the table."""
    cells = []
    for category in CATEGORIES:
        scores = [r["categories"][category]["score"] for r in reports]
        scores = [100 * s for s in scores if s is not None]
        cells.append(f"{statistics.median(scores):.0f}" if scores else "-")
    for audit, (_, divisor, fmt) in METRICS.items():
        values = [r["audits"][audit].get("numericValue") for r in reports]
        values = [v / divisor for v in values if v is not None]
        cells.append(fmt.format(statistics.median(values)) if values else "-")
    return cells


def table(rows: dict[str, list[str]]) -> str:
    """A Markdown table with one row per page."""
    header = ["page", *CATEGORIES, *(column for column, _, _ in METRICS.values())]
    lines = [header, ["---"] * len(header), *([page, *cells] for page, cells in rows.items())]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="_build/html", type=Path)
    parser.add_argument("pages", nargs="*", default=PAGES)
    parser.add_argument("--runs", type=int, default=3, help="runs per page (default 3)")
    args = parser.parse_args()
    if not args.site.is_dir():
        raise SystemExit(f"{args.site} is not a folder: build the book first")
    server = serve(args.site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        rows = {
            page: medians([lighthouse(base + page) for _ in range(args.runs)])
            for page in args.pages
        }
    finally:
        server.shutdown()
    print(table(rows))


if __name__ == "__main__":
    main()
