"""What a national portal's publish costs: each build a fresh ``fundsite build`` process with
the previous build's caches (the cache folder and the output folder) in place, search included.

    python benchmarks/bench_publish.py SITE [--work DIR]

Steps, in order, each printed with its wall time, the peak summed memory of the process tree
(PSS, :mod:`treemem`), the build's own lines and the time of each stage (``timed_build.py``):

1. clean build (no cache, no output);
2. no-change build;
3. one-record edit (a project's title);
4. ``fundsite check`` of that edit, as a pull request's CI runs it with the cache restored;
5. fund rename (a fund's name: every page of its projects shows it);
6. a new project: ``fundsite check`` of it (a pull request), then its build (the merge).

The edits are undone at the end. ``SOURCE_DATE_EPOCH`` is fixed, so the data's date does not
change between steps (a new date re-runs the rules about time over every record, and renders
the pages whose notes or date changed).
Make a site with ``python benchmarks/synth.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from treemem import tree_pss_mb

EPOCH = "1743465600"  # 2025-04-01


def _run(label: str, command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``command``; print and return its wall time (s) and peak tree memory (MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = [0.0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_pss_mb(proc.pid))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    took = time.perf_counter() - started
    sampler.join()
    lines = output.decode("utf-8", "replace").splitlines()
    print(f"\n## {label}: {took:.1f} s, peak tree memory {peak[0]:,.0f} MB, exit {proc.returncode}")
    for line in lines:
        if re.match(r"^(check|render|write|index|stage|\d+ pages|พบ)", line) or (
            proc.returncode and ": error:" in line
        ):
            print(f"   {line[:160]}")
    sys.stdout.flush()
    return took, peak[0]


def _edit(path: Path, field: str, value: str) -> bytes:
    """Set ``field`` of a record; returns its bytes before."""
    before = path.read_bytes()
    text = before.decode("utf-8")
    new, n = re.subn(rf"(?m)^{field}: .*$", f"{field}: {value}", text, count=1)
    if n != 1:
        raise SystemExit(f"{path} has no {field}")
    path.write_text(new, encoding="utf-8")
    return before


def _new_project(source: Path) -> Path:
    """A copy of ``source`` under a new id, in its fund's folder; returns its path."""
    new_id = f"{source.stem}9"  # unused: synthetic codes end in two digits
    path = source.with_name(f"{new_id}.md")
    text = source.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^id: .*$", f"id: {new_id}", text, count=1), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--work", type=Path, default=None, help="output and cache folders here")
    args = parser.parse_args()
    site = args.site.resolve()
    work = (args.work or site.parent / "publish-bench").resolve()
    out, cache = work / "site", work / "cache"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {**os.environ, "FUNDSITE_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": EPOCH}
    timed = str(Path(__file__).with_name("timed_build.py"))  # prints each stage's time
    build = [sys.executable, timed, "build", str(site), "-o", str(out)]
    check = [sys.executable, "-m", "fundsite.cli", "check", str(site)]
    projects = sorted((site / "content/projects").glob("*.md"))
    project = projects[len(projects) // 2]
    fund = sorted((site / "content/funds").glob("*.md"))[0]
    figures = {"clean build": _run("clean build", build, env)}
    figures["no-change build"] = _run("no-change build", build, env)
    undo = {project: _edit(project, "title", "โครงการทดสอบการเผยแพร่ แก้ไขหนึ่งระเบียน")}
    added: Path | None = None
    try:
        figures["one-record edit"] = _run("one-record edit", build, env)
        _edit(project, "title", "โครงการทดสอบการเผยแพร่ แก้ไขครั้งที่สอง")
        figures["check of an edit (PR)"] = _run("check of an edit (PR)", check, env)
        undo[fund] = _edit(fund, "name", "กองทุนหลักประกันสุขภาพ ทดสอบการเปลี่ยนชื่อ")
        figures["fund rename"] = _run("fund rename", build, env)
        added = _new_project(projects[len(projects) // 3])
        figures["check of a new project (PR)"] = _run("check of a new project (PR)", check, env)
        figures["new project"] = _run("new project", build, env)
    finally:
        for path, before in undo.items():
            path.write_bytes(before)
        if added is not None:
            added.unlink()
    files = sum(1 for p in out.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    clean = figures["clean build"][0]
    print("\n| step | time | of clean build | peak tree memory |\n| --- | ---: | ---: | ---: |")
    for label, (took, peak) in figures.items():
        print(f"| {label} | {took:.1f} s | {took / clean:.1%} | {peak:,.0f} MB |")
    print(f"\noutput: {files:,} files, {size / 1e6:,.1f} MB; cache: {_size(cache) / 1e6:,.1f} MB")


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


if __name__ == "__main__":
    main()
