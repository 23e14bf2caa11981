"""Benchmark incremental builds: clean build, no-change rebuild, one-record edit, template edit.

Then the editor's loop in ``serve``: the last build kept in memory and one-record edits patched
into it (:mod:`fundsite.update`): the time until the record's pages are written (what the
browser waits for), then the pages that sum it up, then how long until the next edit could
start (open data and the build cache are written by a background process) and until that
process is done.

Usage: ``python benchmarks/bench_incremental.py --projects 50000 [--projects 100000]``.
Builds without the search index (indexing is measured by bench_index.py). Prints wall times
and how many pages each build rendered.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

from fundsite.build import build
from fundsite.update import finish, settle, summarize, update
from synth import write_site

REPO = Path(__file__).resolve().parent.parent


def _timed(label: str, site: Path, out: Path, **options: object) -> None:
    t0 = time.perf_counter()
    result = build(site, out, index=False, **options)  # type: ignore[arg-type]
    took = time.perf_counter() - t0
    assert result.ok, [p for p in result.problems if p.severity == "error"][:3]
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
    print(
        f"  {label:<22} {took:7.1f} s  rendered {result.rendered:>7} of {result.pages} pages"
        f"  ({stages})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, action="append")
    args = parser.parse_args()
    for n in args.projects or [50_000]:
        root = Path(tempfile.mkdtemp(prefix="fundsite-inc-bench-"))
        site, out = root / "site", root / "build"
        write_site(site, n)
        shutil.copytree(REPO / "themes", site / "themes")
        print(f"{n} projects:")
        _timed("clean build", site, out, incremental=False)
        _timed("no-change rebuild", site, out)
        project = next((site / "content/projects").glob("*.md"))
        text = project.read_text(encoding="utf-8")
        project.write_text(re.sub(r"(?m)^title: ", "title: แก้ไข ", text, count=1), encoding="utf-8")
        _timed("one-record edit", site, out)
        template = site / "themes/default/templates/report.html"
        template.write_text(
            template.read_text(encoding="utf-8") + "{# edited #}\n", encoding="utf-8"
        )
        _timed("template edit", site, out)
        _serve_edits(site, out)
        shutil.rmtree(root, ignore_errors=True)


#: (what, folder, field pattern, new value): edits an editor makes every day
EDITS = [
    ("project budget", "projects", r"(?m)^budget: .*$", "budget: 12345.00"),
    ("project title", "projects", r"(?m)^title: ", "title: แก้ไข "),
    ("report spent", "reports", r"(?m)^spent: .*$", "spent: 999.00"),
    ("plan budget", "plans", r"(?m)^budget: .*$", "budget: 54321.00"),
    ("fund name", "funds", r"(?m)^name: ", "name: แก้ไข "),
]


def _serve_edits(site: Path, out: Path) -> None:
    """One-record edits as ``serve`` applies them: patched into the build kept in memory."""
    t0 = time.perf_counter()
    result = build(site, out, index=False, keep=True)
    print(f"  serve start (kept)     {time.perf_counter() - t0:7.1f} s")
    assert result.kept is not None
    for what, folder, pattern, value in EDITS:
        path = sorted((site / "content" / folder).rglob("*.md"))[len(what)]
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(pattern, value, text, count=1), encoding="utf-8")
        t0 = time.perf_counter()
        done = update(result.kept, [path.relative_to(site).as_posix()])
        shown = time.perf_counter() - t0
        assert done is not None and done[1] is not None, what
        t0 = time.perf_counter()
        summed = summarize(done[1])
        summary = time.perf_counter() - t0
        t0 = time.perf_counter()
        finish(done[1], background=True)
        handed = time.perf_counter() - t0
        assert settle(result.kept, wait=True) in (0, None), what  # as if no edit came meanwhile
        rest = time.perf_counter() - t0
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in done[0].seconds.items())
        print(
            f"  serve: {what:<15} {shown:7.2f} s  rendered {done[0].rendered:>4} pages"
            f" ({stages}); then {len(summed)} summary pages {summary:.2f} s;"
            f" next edit may start after {handed:.2f} s; open data + cache written by"
            f" {rest:.1f} s"
        )


if __name__ == "__main__":
    main()
