"""Benchmark the search index: one Pagefind index vs one part per health region.

Usage: ``python benchmarks/bench_index.py --projects 10000 [--projects 50000 ...]``.
Prints, per size and mode, the records indexed, wall time and the peak RSS of the largest
Pagefind process (each mode runs in a fresh child process so the peaks are its own).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import tempfile
import time
from pathlib import Path

from synth import write_site


def _run(site: str, out: str, split_at: int, queue: multiprocessing.Queue) -> None:
    from fundsite.index import build_index
    from fundsite.plan import plan_site
    from fundsite.validate import check_site

    result = check_site(Path(site))
    assert result.graph is not None
    plans = plan_site(result.graph)
    t0 = time.perf_counter()
    parts = build_index(result.graph, plans, Path(out), split_at=split_at)
    took = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    queue.put((len(parts), len(set(parts.values())), took, peak))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, action="append")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    for n in args.projects or [10_000]:
        root = Path(tempfile.mkdtemp(prefix="fundsite-index-bench-"))
        write_site(root / "site", n)
        for mode, split_at in (("single", 10**9), ("split by region", 1)):
            queue: multiprocessing.Queue = ctx.Queue()
            proc = ctx.Process(
                target=_run, args=(str(root / "site"), str(root / mode), split_at, queue)
            )
            proc.start()
            records, parts, took, peak = queue.get()
            proc.join()
            print(
                f"{n:>7} projects | {mode:<16} | {records:>7} records in {parts:>2} parts | "
                f"{took:6.1f} s | peak Pagefind RSS {peak:7.0f} MB"
            )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
