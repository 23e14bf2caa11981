"""Benchmark ``fundsite check`` and ``fundsite build`` on synthetic portals; prints figures.

Usage: ``python benchmarks/bench_check_build.py [--projects 50000] [--funds N] [--build]
[--search] [--keep DIR]``.
The national portal: ``--projects 300000 --funds 7700 --build --search`` (100,000 reports).
Figures are wall time, the largest single process's peak RSS, and the peak of the summed RSS
of the whole process tree (workers and Pagefind included: what the machine must hold).
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import tempfile
import time
from pathlib import Path

from fundsite.build import build
from fundsite.validate import check_site
from synth import write_site
from treemem import TreePeak


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--funds", type=int, help="default: one per 40 projects (7700: national)")
    parser.add_argument("--build", action="store_true", help="also run a full build")
    parser.add_argument("--search", action="store_true", help="the build indexes for search")
    parser.add_argument("--keep", type=Path, help="keep the synthetic site in this folder")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="fundsite-bench-"))
    site = root / "site"
    if not (site / "data/site.yaml").exists():
        t0 = time.perf_counter()
        counts = write_site(site, args.projects, funds=args.funds)
        print(f"generated {counts} in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    with TreePeak() as tree:
        result = check_site(site)
    took = time.perf_counter() - t0
    errors = sum(p.severity == "error" for p in result.problems)
    graph = result.graph
    n = len(graph.projects) if graph else 0
    print(
        f"check: {n} projects, {result.files} files, {errors} errors, "
        f"{len(result.problems) - errors} warnings in {took:.1f} s "
        f"({took / max(n, 1) * 1e6:.0f} µs/project), "
        f"peak RSS {_peak_mb():.0f} MB, tree {tree.mb:.0f} MB"
    )
    del result, graph  # the build checks again on its own
    gc.collect()
    if args.build:
        out = root / "build"
        t0 = time.perf_counter()
        with TreePeak() as tree:
            built = build(site, out, index=args.search, incremental=False, progress=print)
        took = time.perf_counter() - t0
        print(
            f"build: {built.pages} pages in {took:.1f} s = {built.pages / took:.0f} pages/s "
            f"(stages: {', '.join(f'{k} {v:.1f}s' for k, v in built.seconds.items())}), "
            f"peak RSS {_peak_mb():.0f} MB, tree {tree.mb:.0f} MB"
        )
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
