"""End to end: follow the money on a 390 px phone and a 1280 px desktop, in headless Chromium.

A sub-district's received, spent and balance are on screen without sideways scrolling; the
funds' comparison table sorts and its CSV downloads and parses; a year is chosen by a link;
and axe-core (``axe-playwright-python``) finds no critical or serious violation on any kind of
page, at either width.
"""

from __future__ import annotations

import csv
import io
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import serve
from conftest import example_plus_synthetic
from fundsite.build import build

REPO = Path(__file__).parent.parent
pytestmark = pytest.mark.browser

#: One page of every kind the portal has (the list pages need a bigger portal: see below).
EVERY_KIND = {
    "home": "",
    "fund": "funds/L5218/",
    "fund, another year": "funds/L5218/2567/",
    "plan": "plans/L5218-2568-alcohol/",
    "project": "projects/68-L5218-4-01/",
    "programme project": "projects/60-ข-087/",
    "report": "reports/2023-11-27-progress-and-tools-consultation/",
    "funds": "funds/",
    "projects": "projects/",
    "reports": "reports/",
    "issues": "issues/",
    "issue": "issues/elderly/",
    "areas": "areas/",
    "region": "regions/12/",
    "province": "provinces/90/",
    "district": "districts/9007/",
    "district, another year": "districts/9007/2567/",
    "subdistrict": "subdistricts/900705/",
    "year": "years/2568/",
    "data": "data/",
    "search": "search/",
    "free page": "pages/about/",
}
SERIOUS = {"critical", "serious"}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("money") / "build"
    assert build(REPO, out, workers=2, index=False).ok
    with serve(out) as url:
        yield url


@pytest.fixture(scope="module")
def big_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example portal and 900 synthetic projects: years with list pages of their own."""
    root = example_plus_synthetic(tmp_path_factory.mktemp("big"), 900, seed=5)
    out = root.parent / "build"
    assert build(root, out, workers=2, index=False).ok
    with serve(out) as url:
        yield url


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def tab(chromium: Any, width: int) -> Any:
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="th-TH")
    return context.new_page()


def test_subdistrict_money_fits_a_phone(chromium: Any, site_url: str) -> None:
    """The year's received, spent and balance are inside a 390 px screen's width."""
    page = tab(chromium, 390)
    try:
        page.goto(site_url + "subdistricts/900705/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        money = page.locator("#money")
        text = money.inner_text()
        assert "ปีงบประมาณ" in text and "ไม่ระบุ" not in text.split("ใช้กับอะไร")[0]
        for label in ("รวมรายรับปีนี้", "จ่ายไป", "คงเหลือ"):
            figure = money.locator(".figure", has_text=label).first
            amount = figure.locator("dd .money").first
            box = amount.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (label, box)
            assert "บาท" in amount.inner_text()
    finally:
        page.context.close()


def test_a_year_is_chosen_by_a_link(chromium: Any, site_url: str) -> None:
    """Without JavaScript: the year links go to that year's page, which says its year."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(site_url + "subdistricts/900705/")
        current = page.locator(".years [aria-current]").inner_text()
        other = page.locator(".years a").first
        year = other.inner_text()
        assert year != current
        other.click()
        page.wait_for_load_state()
        assert f"/{year}/" in page.url
        assert f"ปีงบประมาณ {year}" in page.locator("#money h2").inner_text()
    finally:
        context.close()


def test_comparison_table_sorts(chromium: Any, site_url: str) -> None:
    """A column header sorts the funds (numbers as numbers), then the other way."""
    page = tab(chromium, 1280)
    try:
        page.goto(site_url + "districts/9007/")  # FY 2568 at the tests' data date
        table = page.locator("table#compare")

        def column(i: int) -> list[str]:
            return table.locator(f"tbody tr > :nth-child({i})").evaluate_all(
                "cells => cells.map(c => c.dataset.value)"
            )

        button = table.locator("thead th:nth-child(3) button")  # income this year
        button.click()
        values = [float(v) for v in column(3) if v]
        assert values == sorted(values) and len(values) >= 2
        assert table.locator("thead th:nth-child(3)").get_attribute("aria-sort") == "ascending"
        button.click()
        values = [float(v) for v in column(3) if v]
        assert values == sorted(values, reverse=True)
    finally:
        page.context.close()


def test_comparison_csv_downloads_and_parses(chromium: Any, site_url: str) -> None:
    """The table's CSV holds exactly the table's funds, with exact decimals."""
    page = tab(chromium, 1280)
    try:
        page.goto(site_url + "districts/9007/")
        names = page.locator("table#compare tbody th").all_inner_texts()
        with page.expect_download() as download:
            page.locator("#funds a[download]", has_text="CSV").click()
        data = Path(download.value.path()).read_text(encoding="utf-8-sig")
    finally:
        page.context.close()
    rows = list(csv.DictReader(io.StringIO(data)))
    assert [r["name"] for r in rows] == names
    for row in rows:
        if row["received"]:
            assert row["received"].count(".") == 1 and len(row["received"].split(".")[1]) == 2


def test_list_pages_hold_every_record_a_figure_sums(chromium: Any, big_url: str) -> None:
    """A year's "see all" link leads to paginated pages holding exactly that many projects."""
    page = tab(chromium, 390)
    try:
        page.goto(big_url + "years/2566/")
        link = page.locator("#projects ~ .more a, .more a[href$='projects/']").first
        total = int("".join(ch for ch in link.inner_text() if ch.isdigit()))
        link.click()
        page.wait_for_load_state()
        seen: set[str] = set()
        while True:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            seen.update(page.locator("#projects tbody th a").all_inner_texts())
            following = page.locator(".pager a[rel=next]")
            if not following.count():
                break
            following.click()
            page.wait_for_load_state()
        assert len(seen) == total
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("kind", EVERY_KIND)
def test_axe_finds_nothing_serious(chromium: Any, site_url: str, axe: Any, kind: str, width: int):
    """axe-core: no critical or serious violation on any kind of page, phone or desktop."""
    page = tab(chromium, width)
    try:
        page.goto(site_url + EVERY_KIND[kind])
        found = axe.run(page).response["violations"]
    finally:
        page.context.close()
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in found
        if v["impact"] in SERIOUS
    ]
    assert not serious, serious


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_on_a_list_page(chromium: Any, big_url: str, axe: Any, width: int) -> None:
    page = tab(chromium, width)
    try:
        page.goto(big_url + "years/2566/projects/")
        assert page.locator("#projects tbody tr").count() == 50
        found = axe.run(page).response["violations"]
    finally:
        page.context.close()
    assert not [v["id"] for v in found if v["impact"] in SERIOUS]


def test_csv_is_served_beside_every_compared_year(site_url: str) -> None:
    """The district's default page links its own year's CSV; it answers."""
    with urllib.request.urlopen(site_url + "districts/9007/") as response:
        html = response.read().decode("utf-8")
    name = html.split('<a href="funds-')[1].split('"')[0]
    with urllib.request.urlopen(site_url + f"districts/9007/funds-{name}") as response:
        assert response.read().decode("utf-8-sig").startswith("fund,name,population")
