"""Benchmark the open data (``data/``: tables, package, exports, snapshot); prints figures.

Usage: ``python benchmarks/bench_open_data.py SITE_DIR`` (an existing site, such as one
``bench_check_build.py --keep`` or ``synth.py`` wrote) or ``--projects 50000`` to write one.
The site is checked first (not timed); then :func:`fundsite.write.open_data.write_open_data` runs
once into a temporary folder. Figures: wall time, this process's resident memory before and
its peak during the writing (sampled every 20 ms from ``/proc``), and the files and bytes
written. Run it with another checkout's ``src`` first on ``PYTHONPATH`` to compare versions
on the same records.

``--incremental`` then writes twice more over the first write, as a build does (issue 17:
into a staging folder of the files it writes, merged into the last output after): with nothing
changed, and after one project's budget changed (in memory: its record and file digest);
each prints its time and the files and bytes it rewrote. ``--verify`` compares
the last with a clean write of the edited records, byte for byte (a third full write).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from fundsite.validate import check_site
from fundsite.write.atomic import begin_stage, commit_stage
from synth import write_site

try:
    from fundsite.write.open_data import write_open_data
except ImportError:  # a version before the data package (the "before" of issue 16)
    from fundsite.write.outputs import open_data as write_open_data  # type: ignore[no-redef]

_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE_MB


class _Peak:
    """The largest resident size sampled while the ``with`` block runs."""

    def __enter__(self) -> _Peak:
        self.mb, self._stop = _rss_mb(), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.mb = max(self.mb, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.mb = max(self.mb, _rss_mb())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site", type=Path, nargs="?")
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument(
        "--recipients",
        action="store_true",
        help="give every project without an organization one, in memory (synthetic projects "
        "have none, and 360Giving leaves a project without a recipient out)",
    )
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="then write again with nothing changed, and after one project's budget changed",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="with --incremental: compare the last write with a clean one, byte for byte",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fundsite-bench-data-"))
    try:
        site = args.site or work / "site"
        if args.site is None:
            write_site(site, args.projects)
        t0 = time.perf_counter()
        graph = check_site(site).graph
        assert graph is not None, "the site has errors"
        print(
            f"checked {len(graph.projects)} projects, {len(graph.reports)} reports, "
            f"{len(graph.funds)} funds in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        if args.recipients:
            for node in graph.projects.values():  # (the graph's fields-set are frozen)
                if not node.record.organization:
                    name = f"คณะทำงานโครงการ {node.fund.record.name}"
                    node.record.__dict__["organization"] = name
        out = work / "out"
        if not args.incremental:  # (as older versions are called)
            _timed("clean write", lambda: write_open_data(graph, out, graph.today), out)
            return
        index = work / "index.bin"
        _timed("clean write", lambda: write_open_data(graph, out, graph.today, None, index), out)
        _staged("nothing changed", graph, out, index)
        ids = sorted(graph.projects)
        node = graph.projects[ids[len(ids) // 2]]
        budget = (node.record.budget or Decimal("0.00")) + Decimal("1.00")
        record = node.record.model_copy()  # (its fields-set is frozen: no update=)
        record.__dict__["budget"] = budget
        node.record = record
        node.digest = "edited-" + node.digest
        print(f"edit: project {node.id}'s budget is now {budget}", flush=True)
        last = _staged("one budget changed", graph, out, index)
        if args.verify:
            fresh = work / "fresh"
            write_open_data(graph, fresh, graph.today)
            names = [rel.removeprefix("data/") for rel in last.paths]
            match, mismatch, errors = filecmp.cmpfiles(
                out / "data", fresh / "data", names, shallow=False
            )
            print(f"verify: {len(match)} files identical, differing {mismatch + errors}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _staged(what: str, graph: Any, out: Path, index: Path) -> Any:
    """A write as a build makes it: into a staging folder beside ``out``, from the files of
    ``out``; the staging folder is then merged into ``out`` (not timed)."""
    stage = begin_stage(out, reuse=True)
    written = _timed(what, lambda: write_open_data(graph, stage, graph.today, out, index), stage)
    commit_stage(out, stage)
    return written


def _timed(what: str, write: Any, out: Path) -> Any:
    """Run one write and print its figures."""
    before = _rss_mb()
    with _Peak() as peak:
        t0 = time.perf_counter()
        written = write()
        took = time.perf_counter() - t0
    paths = getattr(written, "paths", written)  # (a list before the data package)
    sizes = [(out / rel).stat().st_size for rel in paths]
    print(
        f"{what}: {len(paths)} files, {sum(sizes) / 2**20:.1f} MB in {took:.1f} s; "
        f"resident {before:.0f} MB before, peak {peak.mb:.0f} MB (+{peak.mb - before:.0f} MB)",
        flush=True,
    )
    rewritten = getattr(written, "rewritten", None)
    if rewritten is not None:
        print(
            f"  rewrote {len(rewritten)} files, {written.rewritten_bytes / 2**20:.1f} MB "
            f"({', '.join(r.removeprefix('data/') for r in rewritten) or 'none'}); "
            f"made anew {written.made / 2**20:.2f} MB (rows made, text deflated)",
            flush=True,
        )
    if what == "clean write":
        for rel, size in sorted(zip(paths, sizes, strict=True), key=lambda x: -x[1])[:8]:
            print(f"  {rel}: {size / 2**20:.1f} MB", flush=True)
    return written


if __name__ == "__main__":
    main()
