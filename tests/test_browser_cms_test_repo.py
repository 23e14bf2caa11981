"""The form editor in Chromium with Decap's in-browser ``test-repo`` backend, seeded with the
example portal: what an editor saves passes ``check`` and shows on the built page."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from browser import repo_files_script, serve, write_test_admin
from fundsite.build import build
from fundsite.validate import check_site

pytestmark = pytest.mark.browser

REPO = Path(__file__).parent.parent
PROJECT = "68-L5218-4-01"


@pytest.fixture(scope="module")
def editor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    site = tmp_path_factory.mktemp("site")
    for folder in ("content", "data"):
        shutil.copytree(REPO / folder, site / folder)
    graph = check_site(site).graph
    root = tmp_path_factory.mktemp("admin")
    write_test_admin(graph, root)
    with serve(root) as url:
        yield url + "admin/", site


@pytest.fixture
def page(chromium: Any, editor: tuple[str, Path]) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on(
        "console",
        lambda m: page.errors.append(m.text) if m.type == "error" and "404" not in m.text else None,
    )
    page.add_init_script(repo_files_script(editor[1]))
    page.goto(editor[0])
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    yield page
    context.close()


def _saved(page: Any, rel: str) -> str:
    node = "window.repoFiles" + "".join(f"[{json.dumps(p)}]" for p in rel.split("/"))
    return page.evaluate(f"() => {node}.content")


def _pick(page: Any, label: str, text: str) -> None:
    """Choose ``text`` in the select (or relation) field labelled ``label``."""
    field = page.get_by_label(label, exact=True)
    field.click()
    field.fill(text)
    page.get_by_role("option", name=text).first.click()


def test_the_editor_loads_without_console_errors(page: Any) -> None:
    page.get_by_text("โครงการ", exact=True).first.wait_for()
    for name in ("กองทุน", "แผนงาน", "รายงานจากพื้นที่", "หน้าเว็บ"):
        assert page.get_by_text(name, exact=True).count() >= 1
    assert page.errors == []


def test_add_an_installment_pick_fund_and_plan_save_check_and_build(
    page: Any, editor: tuple[str, Path]
) -> None:
    url, site = editor
    page.goto(f"{url}#/collections/projects/entries/{PROJECT}")
    page.get_by_label("รหัสโครงการ").wait_for()
    _pick(page, "กองทุน", "L5218 กองทุนหลักประกันสุขภาพ อบต.คลองแดน")
    _pick(page, "แผนงาน (ทางเลือก)", "L5218-2568-admin")
    page.get_by_role("button", name="เพิ่ม งวดเงิน").click()
    page.get_by_label("งวดเริ่ม (ทางเลือก)").last.fill("2025-04-01")
    page.get_by_label("งวดสิ้นสุด (ทางเลือก)").last.fill("2025-06-30")
    page.get_by_label("ส่งรายงานภายใน (ทางเลือก)").last.fill("2025-07-15")
    page.get_by_label("จำนวนเงินของงวด (บาท) (ทางเลือก)").last.fill("1,234.50")
    page.get_by_role("button", name="เผยแพร่", exact=True).click()
    page.get_by_text("เผยแพร่ตอนนี้").click()
    page.get_by_text("เผยแพร่แล้ว").first.wait_for()

    text = _saved(page, f"content/projects/{PROJECT}.md")
    assert "1,234.50" in text and "2025-04-01" in text
    (site / "content" / "projects" / f"{PROJECT}.md").write_text(text, encoding="utf-8")
    result = check_site(site)
    assert [p for p in result.problems if p.severity == "error"] == []
    project = result.graph.projects[PROJECT]
    assert project.record.fund == "L5218" and project.record.plan == "L5218-2568-admin"
    assert [str(i.amount) for i in project.record.installments] == ["39918.00", "1234.50"]
    assert project.record.installments[1].report_end == date(2025, 7, 15)

    out = site / "out"
    assert build(site, out).ok
    html = (out / "projects" / PROJECT / "index.html").read_text(encoding="utf-8")
    assert "1,234.50" in html
    assert page.errors == []


def test_a_funds_editor_lists_only_that_fund_and_creates_its_projects(
    page: Any, editor: tuple[str, Path]
) -> None:
    url, site = editor
    page.goto(f"{url}?fund=L5218#/collections/project-files")
    page.get_by_text("68-L5218-4-01", exact=False).first.wait_for()
    listed = page.locator("a[href*='/collections/project-files/entries/']")
    names = {a.get_attribute("href").rsplit("/", 1)[1] for a in listed.all()}
    graph = check_site(site).graph
    assert names == {p.id for p in graph.funds["L5218"].projects}

    # Decap lowers the capitals of a new file's name (decaporg/decap-cms#5491): a programme's
    # lower-case ids keep their names; see docs/editing-th.md for funds' codes
    page.goto(f"{url}?fund=ipp-psu#/collections/project-files")
    page.get_by_text("ipp-upper-south-zone", exact=False).first.wait_for()

    page.get_by_role("link", name="เพิ่มโครงการใหม่").click()
    page.get_by_label("รหัสโครงการ").fill("ipp-elderly-home-visit")
    page.get_by_label("ชื่อโครงการ").fill("โครงการเยี่ยมบ้านผู้สูงอายุติดเตียง")
    _pick(page, "ประเด็น (ทางเลือก)", "elderly ผู้สูงอายุ")
    page.get_by_label("งบประมาณ (บาท) (ทางเลือก)").fill("15000")
    page.get_by_role("button", name="เผยแพร่", exact=True).click()
    page.get_by_text("เผยแพร่ตอนนี้").click()
    page.get_by_text("เผยแพร่แล้ว").first.wait_for()

    text = _saved(page, "content/projects/ipp-elderly-home-visit.md")
    (site / "content" / "projects" / "ipp-elderly-home-visit.md").write_text(text, encoding="utf-8")
    result = check_site(site)
    assert [p for p in result.problems if p.severity == "error"] == []
    project = result.graph.projects["ipp-elderly-home-visit"].record
    assert (project.fund, project.issues, str(project.budget)) == (
        "ipp-psu",
        ["elderly"],
        "15000.00",
    )
    assert page.errors == []


def test_an_unknown_fund_is_said_in_thai(page: Any, editor: tuple[str, Path]) -> None:
    page.goto(f"{editor[0]}?fund=L0000")
    assert "ไม่พบกองทุนรหัส" in page.locator("#fundsite-pick-error").inner_text()
