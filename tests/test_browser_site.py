"""End to end: what a citizen sees of the example portal in a real headless Chromium."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import serve
from fundsite.build import build

REPO = Path(__file__).parent.parent
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("e2e") / "build"
    result = build(REPO, out, workers=2, index=False)
    assert result.ok
    with serve(out) as url:
        yield url


def test_home_shows_totals(page: Any, site_url: str) -> None:
    page.goto(site_url)
    stats = page.locator(".stats").inner_text()
    assert "กองทุน" in stats and "โครงการ" in stats
    money = page.locator("#money").inner_text()  # the latest fiscal year's money
    assert "ปีงบประมาณ" in money and "บาท" in money
    assert page.locator("h1").first.inner_text().strip()
    assert page.locator("table.chart-table").count() >= 2  # by issue and by fiscal year


def test_seed_002_project_page(page: Any, site_url: str) -> None:
    page.goto(site_url + "projects/60-ข-087/")
    text = page.locator("main").inner_text()
    assert "โครงการสนับสนุนการปฏิรูประบบสร้างเสริมสุขภาพ เขต 11 สุราษฎร์ธานี" in text
    assert "1,000,000.00 บาท" in text
    assert "รวมงบประมาณของทุกงวด (0.00 บาท) ไม่เท่ากับ งบประมาณโครงการ (1,000,000.00 บาท)" in text
    assert "1 ม.ค. 2561" in text and "31 ธ.ค. 2561" in text
    assert "ไม่ระบุ" in text


def test_fund_to_project_to_report_by_clicking(page: Any, site_url: str) -> None:
    page.goto(site_url + "funds/L5218/")
    assert "คลองแดน" in page.locator("h1").inner_text()
    # the data's date is in FY 2568, so the fund's page shows 2568; another year is one link away
    assert page.locator(".years [aria-current=page]").first.inner_text() == "2568"
    page.locator(".years a", has_text="2567").first.click()
    page.wait_for_load_state()
    assert "/funds/L5218/2567/" in page.url
    assert not page.locator("#projects a[href*='projects/68-L5218-4-01']").count()
    page.locator(".years a", has_text="2568").first.click()  # back: the project is of FY 2568
    page.wait_for_load_state()
    assert page.url.endswith("/funds/L5218/")
    page.locator("#projects a[href*='projects/68-L5218-4-01']").first.click()
    page.wait_for_load_state()
    assert "/projects/68-L5218-4-01/" in page.url
    report_link = page.locator(".report-list a").first
    title = report_link.inner_text()
    report_link.click()
    page.wait_for_load_state()
    assert "/reports/" in page.url
    assert page.locator("h1").inner_text() == title
    assert "พ.ศ." not in page.locator(".kicker").inner_text()  # dates read as Thai dates
    assert page.locator("time").first.get_attribute("datetime")


def test_downloads_parse(page: Any, site_url: str) -> None:
    for name in ("funds", "plans", "projects", "reports"):
        response = page.request.get(site_url + f"data/{name}.csv")
        assert response.ok
        rows = list(csv.DictReader(io.StringIO(response.body().decode("utf-8-sig"))))
        assert rows and "id" in rows[0]
        assert json.loads(page.request.get(site_url + f"data/{name}.json").body())
    project = json.loads(page.request.get(site_url + "projects/60-ข-087/index.json").body())
    assert project["budget"] == "1000000.00"


def test_district_page_gathers_plans_by_issue(page: Any, site_url: str) -> None:
    page.goto(site_url + "districts/9007/")
    text = page.locator("main").inner_text()
    assert "ระโนด" in page.locator("h1").inner_text()
    assert "พชอ." in text
    assert page.locator("#plans-h").count() == 1


def test_phone_width_has_no_horizontal_scroll(chromium: Any, site_url: str) -> None:
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    tab = context.new_page()
    for path in ("", "funds/L5218/", "projects/60-ข-087/", "districts/9007/"):
        tab.goto(site_url + path)
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
    context.close()


def test_works_without_javascript(chromium: Any, site_url: str) -> None:
    context = chromium.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "issues/alcohol/")
    assert tab.locator("table.chart-table .bar").count() >= 1
    assert tab.locator("table.chart-table").count() >= 1
    tab.goto(site_url + "search/")
    assert tab.locator("noscript").count() == 1
    context.close()
