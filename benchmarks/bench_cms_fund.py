"""The form editor of one fund on a big portal: what ``/admin/`` weighs and how fast it opens.

Usage: ``python benchmarks/bench_cms_fund.py SITE OUT [--fund ID]``. Checks SITE, writes its
``admin/`` folder into OUT (as ``fundsite build`` does with ``cms:`` set), prints the folder's
size and file count, then opens ``/admin/?fund=ID`` (default: the fund with the most
records) in headless Chromium, throttled like a mid-range phone on a slow connection
(1.6 Mbit/s, 150 ms, CPU ×4), and prints the bytes and seconds until the fund's collections are
listed, and until one of its projects is open in the form.

The git host is Decap's in-browser ``test-repo`` backend, seeded with the fund's own files:
what a scoped editor asks a host for. A whole-site editor would list every record instead
(300,000 requests to the git host for the projects alone).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from fundsite.cms import config as cms_config
from fundsite.cms.admin import fund_file
from fundsite.validate import check_site

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from browser import CHROMIUM_ARGS, chromium_path, repo_files_script, serve, write_test_admin

THROTTLE = {"latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 100_000}


def _counter(received: dict[str, int]) -> Any:
    def count(event: dict[str, Any]) -> None:
        received["bytes"] += int(event["encodedDataLength"])

    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--fund")
    args = parser.parse_args()

    t0 = time.perf_counter()
    graph = check_site(args.site).graph
    assert graph is not None, "the site has errors"
    t1 = time.perf_counter()
    print(f"check: {t1 - t0:.1f} s, {len(graph.funds):,} funds, {len(graph.projects):,} projects")
    shutil.rmtree(args.out, ignore_errors=True)
    written = write_test_admin(graph, args.out, date.today())
    files, count = sum(p.stat().st_size for p in written), len(written)
    t2 = time.perf_counter()
    funds_bytes = sum(p.stat().st_size for p in (args.out / "admin" / "funds").iterdir())
    print(
        f"admin/: {count:,} files, {files / 1e6:.1f} MB ({funds_bytes / 1e6:.1f} MB of them"
        f" per-fund files), written in {t2 - t1:.1f} s"
    )

    fund = (
        graph.funds[args.fund]
        if args.fund
        else max(graph.funds.values(), key=lambda f: len(f.projects) + len(f.plans))
    )
    scope = fund_file(graph, fund)
    paths = [f["file"] for c in scope["collections"] for f in c.get("files", [])]
    print(
        f"fund {fund.id}: {len(fund.plans)} plans, {len(fund.projects)} projects,"
        f" {len(paths)} files listed; funds/{fund.id}.json"
        f" {(args.out / 'admin' / 'funds' / f'{fund.id}.json').stat().st_size / 1e3:.1f} KB"
    )
    loaded = [
        "index.html",
        "admin.js",
        "admin.css",
        "decap-cms/decap-cms.js",
        "config.json",
        "fields.json",
        f"funds/{fund.id}.json",
    ]
    raw = [(args.out / "admin" / rel).read_bytes() for rel in loaded]
    print(
        f"first load: {sum(map(len, raw)) / 1e3:,.0f} KB, gzipped"
        f" {sum(len(gzip.compress(b, 6)) for b in raw) / 1e3:,.0f} KB"
        f" (of which config {sum(map(len, raw[4:])) / 1e3:,.1f} KB)"
    )
    seed = repo_files_script(args.site, paths)
    first_project = next(
        f["name"] for c in scope["collections"] if c["name"] == "project-files" for f in c["files"]
    )
    del graph

    executable = chromium_path()
    assert executable, "chromium is not installed"
    with serve(args.out) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        for name, throttle in (("desktop, no throttling", False), ("phone, throttled", True)):
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            if throttle:
                cdp.send("Network.emulateNetworkConditions", {"offline": False, **THROTTLE})
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            received = {"bytes": 0}
            cdp.on("Network.loadingFinished", _counter(received))
            page.add_init_script(seed)
            start = time.perf_counter()
            page.goto(f"{url}admin/?fund={fund.id}", wait_until="commit", timeout=300_000)
            page.get_by_role("button", name="เข้าสู่ระบบ").click(timeout=120_000)
            page.get_by_text(cms_config.KINDS[2].label, exact=True).first.wait_for(timeout=120_000)
            ready = time.perf_counter() - start
            ready_bytes = received["bytes"]
            page.goto(
                f"{url}admin/?fund={fund.id}#/collections/project-files/entries/{first_project}"
            )
            page.get_by_label("รหัสโครงการ").wait_for(timeout=120_000)
            opened = time.perf_counter() - start
            print(
                f"{name}: editor ready {ready:.1f} s, {ready_bytes / 1e3:,.0f} KB as served"
                f" (not compressed); project {first_project} open in the form at {opened:.1f} s"
            )
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
