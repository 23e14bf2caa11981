"""End to end: the form editor of ``fundsite serve`` (Decap CMS at /admin/, fundsite's own
local backend) in a real headless Chromium, driven through Decap's own UI by its Thai labels.

One ``serve`` of a copy of the example portal serves the module. A report made with a photo
lands where the record format says and passes ``fundsite check``; a save with an error is refused
with the Thai message in the page and the file untouched; a save with a warning is written and
the warning shown.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fundsite.serve import CMS_API, DevServer
from fundsite.validate import check_site

REPO = Path(__file__).parent.parent
pytestmark = pytest.mark.browser

PROJECT = "68-L5218-4-01"  # 1 Oct 2024 – 30 Sep 2025
PROJECT_LABEL = "68-L5218-4-01 โครงการบริหาร"
JPEG = (REPO / "content/media/2023/phayao.jpg").read_bytes()  # a photo of the example


@dataclass
class Served:
    dev: DevServer
    site: Path
    logged: list[str]

    @property
    def url(self) -> str:
        return self.dev.url


@dataclass
class Editor:
    page: Any
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    site = tmp_path_factory.mktemp("cms-local") / "site"
    for name in ("content", "data"):
        shutil.copytree(REPO / name, site / name)
    logged: list[str] = []
    dev = DevServer(site, port=0, workers=1, search=False, log=logged.append)
    dev.start()
    try:
        assert dev.status is not None and dev.status.ok, logged
        yield Served(dev, site, logged)
    finally:
        dev.stop()
    assert not any("Traceback" in line for line in logged), logged


@pytest.fixture
def editor(chromium: Any, served: Served) -> Iterator[Editor]:
    """The editor, signed in (the proxy backend asks for a click), at desktop width in Thai."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    page = context.new_page()
    found = Editor(page)
    page.on("pageerror", lambda exc: found.errors.append(f"pageerror: {exc}"))
    page.on("console", lambda m: found.errors.append(m.text) if m.type == "error" else None)
    page.goto(served.url + "admin/")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.get_by_role("link", name="รายงานจากพื้นที่").first.wait_for()
    yield found
    context.close()


def api_response(page: Any, action: str) -> Any:
    """Wait for the answer to the next request of ``action`` to the editor's API."""

    def matches(response: Any) -> bool:
        if not response.url.endswith(CMS_API) or response.request.method != "POST":
            return False
        return json.loads(response.request.post_data or "{}").get("action") == action

    return page.expect_response(matches, timeout=30_000)


def publish(page: Any) -> None:
    page.get_by_role("button", name="เผยแพร่").click()
    page.get_by_role("menuitem", name="เผยแพร่ตอนนี้").click()


def pick_project(page: Any) -> None:
    page.get_by_label("โครงการ", exact=True).fill(PROJECT)
    page.get_by_text(PROJECT_LABEL).first.click()


def new_report(page: Any, served: Served, report_id: str, title: str, when: str) -> None:
    page.goto(served.url + "admin/#/collections/reports/new")
    page.get_by_label("รหัสรายงาน").fill(report_id)
    pick_project(page)
    page.get_by_label("ชื่อกิจกรรม").fill(title)
    page.get_by_label("วันที่จัดกิจกรรม").fill(when)


def unexpected(errors: list[str]) -> list[str]:
    """Console errors but the site's missing favicon."""
    return [e for e in errors if "favicon" not in e and "status of 404" not in e]


def wait_for_page(page: Any, url: str, text: str, seconds: float = 30) -> None:
    """Load ``url`` until it shows ``text`` (the rebuild after a save takes a moment)."""
    ends = time.monotonic() + seconds
    while True:
        response = page.goto(url)
        if response is not None and response.ok and text in page.content():
            return
        assert time.monotonic() < ends, f"{url} never showed {text!r}"
        page.wait_for_timeout(300)


def test_report_with_photo(editor: Editor, served: Served) -> None:
    """(a) Upload a photo in the media library, make a report naming it: the record is in
    content/reports/<yyyy>/, the photo in content/media/<this year>/, the site checks clean, and
    the project's page, open in another tab, reloads by itself and lists the report."""
    page, site = editor.page, served.site
    assert unexpected(editor.errors) == []  # Decap took the configuration as it is
    project_tab = page.context.new_page()
    project_tab.goto(served.url + f"projects/{PROJECT}/")
    year = date.today().year

    page.get_by_role("button", name="ไฟล์สื่อ").click()
    with api_response(page, "persistMedia") as uploaded:
        page.locator("input[type=file]").set_input_files(
            {"name": "ภาพ กิจกรรม 1.JPG", "mimeType": "image/jpeg", "buffer": JPEG}
        )
    media = uploaded.value.json()
    assert uploaded.value.status == 200, media
    assert media["path"].startswith(f"content/media/{year}/") and media["path"].endswith(".jpg")
    assert (site / media["path"]).read_bytes() == JPEG
    page.keyboard.press("Escape")

    report_id = "2025-03-20-ทดสอบตัวแก้ไข"
    title = "ทดสอบตัวแก้ไข อบรมอาสาสมัคร"
    new_report(page, served, report_id, title, "2025-03-20")
    page.get_by_label("จำนวนผู้เข้าร่วม (คน)").fill("12")
    page.get_by_label("เงินที่ใช้ในกิจกรรมนี้ (บาท)").fill("1500.50")
    page.get_by_role("button", name="เพิ่ม ภาพกิจกรรม").click()
    photo = media["path"].removeprefix("content/")
    page.get_by_label("ไฟล์ภาพ").fill(photo)
    page.get_by_label("คำอธิบายภาพ").fill("อาสาสมัครฝึกวัดความดัน")
    with api_response(page, "persistEntry") as saved:
        publish(page)
    assert saved.value.status == 200, saved.value.text()
    assert "warnings" not in saved.value.json()

    record = site / f"content/reports/2025/{report_id}.md"
    text = record.read_text(encoding="utf-8")
    assert f"id: {report_id}" in text and f"project: {PROJECT}" in text
    assert "date: 2025-03-20" in text and f"src: {photo}" in text
    result = check_site(site)
    assert result.ok
    mine = [p for p in result.problems if p.file in (record.relative_to(site).as_posix(), media)]
    assert mine == []

    project_tab.wait_for_function(  # the live-reload script reloads the open page
        "t => document.body.innerText.includes(t)", arg=title, timeout=30_000
    )
    wait_for_page(page, served.url + f"reports/{report_id}/", title)
    sources = page.eval_on_selector_all("img", "all => all.map(i => decodeURI(i.src))")
    assert any(src.endswith("/" + photo) for src in sources), sources
    assert "/admin/" not in page.content()  # the citizens' pages never point at the editor
    assert unexpected(editor.errors) == []


def test_error_refuses_the_save(editor: Editor, served: Served) -> None:
    """(b) A project's budget that the form lets through (1,2,3) but the check does not: the
    save is refused, the Thai message with file, line and field is in the page, and the file on
    disk is as it was. The notice closes."""
    page = editor.page
    path = served.site / f"content/projects/{PROJECT}.md"
    before = path.read_bytes()
    page.goto(served.url + f"admin/#/collections/projects/entries/{PROJECT}")
    page.get_by_label("งบประมาณ (บาท)").fill("1,2,3")
    with api_response(page, "persistEntry") as saved:
        publish(page)
    assert saved.value.status == 422
    notice = page.locator("#fundsite-notices .notice.error")
    notice.wait_for()
    shown = notice.inner_text()
    assert "ยังไม่ได้บันทึก" in shown
    assert f"content/projects/{PROJECT}.md บรรทัด" in shown and "ช่อง budget" in shown
    assert "จุลภาคคั่นหลักพันผิดที่" in shown and "1,2,3" in shown
    assert path.read_bytes() == before
    notice.get_by_role("button", name="ปิดข้อความนี้").click()
    assert page.locator("#fundsite-notices .notice").count() == 0


def test_warning_saves_and_is_shown(editor: Editor, served: Served) -> None:
    """(c) A report dated after its project's end: written (in the folder of its own year), and
    the warning is in the page."""
    page = editor.page
    report_id = "2026-01-10-ติดตามหลังปิดโครงการ"
    new_report(page, served, report_id, "ติดตามผลหลังปิดโครงการ", "2026-01-10")
    with api_response(page, "persistEntry") as saved:
        publish(page)
    assert saved.value.status == 200
    assert any("นอกระยะเวลาโครงการ" in w for w in saved.value.json()["warnings"])
    record = served.site / f"content/reports/2026/{report_id}.md"
    assert "date: 2026-01-10" in record.read_text(encoding="utf-8")
    notice = page.locator("#fundsite-notices .notice")
    notice.wait_for()
    shown = notice.inner_text()
    assert "บันทึกแล้ว แต่มีคำเตือน" in shown
    assert f"content/reports/2026/{report_id}.md บรรทัด" in shown and "ช่อง date" in shown
    assert "อยู่นอกระยะเวลาโครงการ" in shown
    assert page.locator("#fundsite-notices .notice.error").count() == 0
