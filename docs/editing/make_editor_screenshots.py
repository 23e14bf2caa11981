#!/usr/bin/env python3
"""Screenshots of the form editor for docs/editing-th.md, at 1280 and 390 px.

Run from the repository root: ``python docs/editing/make_editor_screenshots.py``. It writes the
example portal's ``/admin/`` with Decap's in-browser ``test-repo`` backend seeded with the
portal's records, opens it in Debian's Chromium (headless) and writes
``docs/editing/editor-<view>-<width>.png``.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from fundsite.validate import check_site

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))
from browser import CHROMIUM_ARGS, repo_files_script, serve, write_test_admin  # noqa: E402

VIEWS = {
    "projects": "#/collections/projects",
    "project": "#/collections/projects/entries/68-L5218-4-01",
    "report": "#/collections/reports/new",
    "fund-editor": "?fund=L5218#/collections/report-files",
}


def main() -> None:
    graph = check_site(ROOT).graph
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        root = Path(tmp)
        write_test_admin(graph, root)
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        with serve(root) as url:
            for (width, height), (name, target) in itertools.product(
                ((1280, 900), (390, 844)), VIEWS.items()
            ):
                # a fresh page for each view: Decap keeps a form's text when only the
                # address's # part changes
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale="th-TH"
                )
                page = context.new_page()
                page.add_init_script(repo_files_script(ROOT))
                page.goto(url + "admin/" + target.split("#")[0])
                page.get_by_role("button", name="เข้าสู่ระบบ").click()
                page.goto(url + "admin/" + target)
                page.wait_for_timeout(4000)
                if name == "project":
                    page.get_by_role("button", name="เพิ่ม งวดเงิน").click()
                    page.get_by_label("จำนวนเงินของงวด (บาท) (ทางเลือก)").last.fill("12,500.00")
                    page.mouse.move(width // 2, height // 2)
                    page.mouse.wheel(0, 1400)  # down to the new installment, never sideways
                    page.wait_for_timeout(500)
                page.screenshot(path=str(OUT / f"editor-{name}-{width}.png"))
                print(OUT / f"editor-{name}-{width}.png")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
