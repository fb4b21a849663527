"""Run the README's test (or book) command while the machine is kept busy.

A timing claim that holds only on a quiet machine is a flaky test: a reader's laptop,
Binder and CI are all shared. This script proves the suite under load. While the README's
command runs, it keeps the machine busy with

* two processes that burn the processor (one per core of a 2-core machine), and
* one process that streams memory (copies between two 64 MiB arrays, far larger than the
  caches, so that it competes for memory bandwidth as well as for the cores).

Every load process stops by itself after ``--max-seconds`` (a safety bound), and the script
stops them as soon as the command ends. It prints one line per run and a summary, and exits
non-zero if any run failed::

    .venv/bin/python tools/under_load.py                 # the test command, 5 runs
    .venv/bin/python tools/under_load.py --runs 2 book   # the book command, 2 runs

It runs the command exactly as the README states it (between the ``<!-- command:NAME -->``
marker and the end of its code block), from the repository's root, as ``.ci/run`` does.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_command(name: str, readme: Path = ROOT / "README.md") -> str:
    """The command in the code block that follows ``<!-- command:NAME -->`` in the README."""
    match = re.search(
        rf"^<!-- command:{re.escape(name)} -->\n```[a-z]*\n(.+?)\n```",
        readme.read_text(encoding="utf-8"),
        flags=re.MULTILINE | re.DOTALL,
    )
    if match is None:
        raise SystemExit(f"README.md has no command marked <!-- command:{name} -->")
    return match.group(1).strip()


def burn_cpu(seconds: float) -> None:
    """Keep one core busy with pure-Python arithmetic for at most ``seconds``."""
    stop, x = time.monotonic() + seconds, 0
    while time.monotonic() < stop:
        for i in range(10_000):
            x = (x * 31 + i) % 1_000_003


def stream_memory(seconds: float) -> None:
    """Copy between two arrays far larger than the caches for at most ``seconds``."""
    import numpy as np

    src, dst = np.ones(2**23), np.zeros(2**23)  # 64 MiB each
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        np.copyto(dst, src)
        np.copyto(src, dst)


def start_load(max_seconds: float, cpu: int, memory: int) -> list[mp.Process]:
    """Start ``cpu`` processor burners and ``memory`` memory streamers (daemons)."""
    workers = [mp.Process(target=burn_cpu, args=(max_seconds,), daemon=True) for _ in range(cpu)]
    workers += [
        mp.Process(target=stream_memory, args=(max_seconds,), daemon=True) for _ in range(memory)
    ]
    for w in workers:
        w.start()
    return workers


def stop_load(workers: list[mp.Process]) -> None:
    for w in workers:
        w.terminate()
    for w in workers:
        w.join(timeout=10)


def summary_line(output: str) -> str:
    """The last line of pytest's or jupyter-book's output that reports a result."""
    lines = [line.strip("= ") for line in output.splitlines()]
    for line in reversed(lines):
        if re.search(r"\d+ (passed|failed)", line) or "build succeeded" in line.lower():
            return line
    return lines[-1] if lines else "(no output)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="test", choices=["test", "book"])
    parser.add_argument("--runs", type=int, default=5, help="how many runs (default 5)")
    parser.add_argument("--cpu", type=int, default=2, help="processor burners (default 2)")
    parser.add_argument("--memory", type=int, default=1, help="memory streamers (default 1)")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=1800,
        help="the load stops by itself after this long, per run (default 1800)",
    )
    parser.add_argument("--log", type=Path, help="write each run's output to LOG.N")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.cpu < 0 or args.memory < 0 or args.max_seconds <= 0:
        parser.error("--runs must be >= 1, --cpu and --memory >= 0, --max-seconds > 0")

    command = readme_command(args.command)
    print(f"command: {command}")
    print(f"load: {args.cpu} processor burner(s), {args.memory} memory streamer(s)\n")
    failures = 0
    for run in range(1, args.runs + 1):
        workers = start_load(args.max_seconds, args.cpu, args.memory)
        tic = time.monotonic()
        try:
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=ROOT,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
            )
        finally:
            stop_load(workers)
        seconds = time.monotonic() - tic
        output = done.stdout + done.stderr
        if args.log:
            Path(f"{args.log}.{run}").write_text(output, encoding="utf-8")
        verdict = "pass" if done.returncode == 0 else f"FAIL (exit {done.returncode})"
        failures += done.returncode != 0
        print(f"run {run}: {verdict} in {seconds:.0f} s — {summary_line(output)}", flush=True)
        if done.returncode != 0:
            failed = [line for line in output.splitlines() if line.startswith("FAILED")]
            print("\n".join(failed[:20]) or output[-3000:], flush=True)
    print(f"\n{args.runs - failures} of {args.runs} runs passed under load")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
