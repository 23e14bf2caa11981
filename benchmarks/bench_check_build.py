"""Benchmark ``fundsite check`` and ``fundsite build`` on synthetic portals; prints figures.

Usage: ``python benchmarks/bench_check_build.py [--projects 50000] [--funds N] [--build]
[--search] [--no-check] [--keep DIR]``.
The national portal: ``--projects 300000 --funds 7700 --build --search`` (100,000 reports).
Check and build each run in a fresh process. Figures are wall time, the largest single
process's peak RSS, and the peak of the summed PSS of the whole process tree (workers and
Pagefind included: what the machine must hold, sampled every 0.5 s).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fundsite.build import build
from fundsite.validate import check_site
from synth import write_site
from treemem import TreePeak


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


Marks = list[tuple[str, float]]  # (stage, time.monotonic() at its end)


def _in_child(task: Callable[..., tuple[str, Marks]], *args: object) -> None:
    """Run ``task`` in a fresh forked process; print its line with the tree's peak PSS, and
    the peak in each stage the task marked."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.SimpleQueue()
    child = ctx.Process(target=lambda: queue.put(task(*args)))
    with TreePeak() as tree:
        start = time.monotonic()
        child.start()
        line, marks = queue.get()
        child.join()
    print(f"{line}, tree PSS {tree.mb:.0f} MB", flush=True)
    if marks:
        starts = [start] + [t for _, t in marks[:-1]]
        peaks = [
            f"{stage} {tree.between(a, b):.0f}" for (stage, b), a in zip(marks, starts, strict=True)
        ]
        print(f"  peak tree PSS by stage (MB): {', '.join(peaks)}", flush=True)


def _check(site: Path) -> tuple[str, Marks]:
    t0 = time.perf_counter()
    result = check_site(site)
    took = time.perf_counter() - t0
    errors = sum(p.severity == "error" for p in result.problems)
    n = len(result.graph.projects) if result.graph else 0
    return (
        f"check: {n} projects, {result.files} files, {errors} errors, "
        f"{len(result.problems) - errors} warnings in {took:.1f} s "
        f"({took / max(n, 1) * 1e6:.0f} µs/project), largest process {_peak_mb():.0f} MB"
    ), []


def _build(site: Path, out: Path, search: bool) -> tuple[str, Marks]:
    marks: Marks = []

    def say(message: str) -> None:
        print(message, flush=True)
        marks.append((message.split(":")[0], time.monotonic()))

    t0 = time.perf_counter()
    built = build(site, out, index=search, incremental=False, progress=say)
    took = time.perf_counter() - t0
    assert built.ok, [p for p in built.problems if p.severity == "error"][:3]
    return (
        f"build{' with search' if search else ''}: {built.pages} pages in {took:.1f} s "
        f"= {built.pages / took:.0f} pages/s "
        f"(stages: {', '.join(f'{k} {v:.1f}s' for k, v in built.seconds.items())}), "
        f"largest process {_peak_mb():.0f} MB"
    ), marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--funds", type=int, help="default: one per 40 projects (7700: national)")
    parser.add_argument("--build", action="store_true", help="also run a full build")
    parser.add_argument("--search", action="store_true", help="the build indexes for search")
    parser.add_argument("--no-check", action="store_true", help="build only (it checks too)")
    parser.add_argument("--keep", type=Path, help="keep the synthetic site in this folder")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="fundsite-bench-"))
    site = root / "site"
    if not (site / "data/site.yaml").exists():
        t0 = time.perf_counter()
        counts = write_site(site, args.projects, funds=args.funds)
        print(f"generated {counts} in {time.perf_counter() - t0:.1f} s", flush=True)
    if not args.no_check:
        _in_child(_check, site)  # each in its own process: its peak memory is its own
    if args.build:
        _in_child(_build, site, root / "build", args.search)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
