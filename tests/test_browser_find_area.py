"""End to end, without JavaScript: a citizen on a phone finds their fund by area, by tapping
links only (home → areas → province → district → fund or sub-district)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import serve
from fundsite.build import build

REPO = Path(__file__).parent.parent
pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("find-area") / "build"
    assert build(REPO, out, workers=2, index=False).ok
    with serve(out) as url:
        yield url


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    """A tab 390 px wide, in Thai, with JavaScript off."""
    context = chromium.new_context(viewport=PHONE, locale="th-TH", java_script_enabled=False)
    yield context.new_page()
    context.close()


def _fits(page: Any) -> None:
    """Nothing scrolls sideways, and every area or fund link near the top is thumb-sized."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width} px wide"
    for link in page.locator(".chips a").all():
        box = link.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (page.url, link.inner_text(), box)


def _tap(page: Any, where: str, text: str) -> None:
    page.locator(where, has_text=text).first.click()
    page.wait_for_load_state()
    _fits(page)


def test_home_to_the_fund_in_four_taps_without_javascript(phone: Any, site_url: str) -> None:
    phone.goto(site_url)
    _fits(phone)
    taps = [
        (".find-area a", "หาพื้นที่ของคุณ"),  # home → the areas page
        (".chips a", "สงขลา"),  # the province
        (".chips a", "ระโนด"),  # the district, listing its sub-districts and funds
        (".chips a", "อบต.คลองแดน"),  # the fund
    ]
    for where, text in taps:
        _tap(phone, where, text)
    assert phone.url == site_url + "funds/L5218/"
    assert "คลองแดน" in phone.locator("h1").inner_text()
    assert len(taps) <= 4


def test_the_district_lists_its_sub_districts_and_they_list_their_funds(
    phone: Any, site_url: str
) -> None:
    phone.goto(site_url + "areas/")
    for where, text in [(".chips a", "สงขลา"), (".chips a", "ระโนด")]:
        _tap(phone, where, text)
    assert phone.url == site_url + "districts/9007/"
    sub = phone.locator("nav.area-nav").first
    names = [a.inner_text().strip() for a in sub.locator("h2:has-text('ตำบล') + ul a").all()]
    assert names == ["คลองแดน", "บ้านใหม่", "ระโนด"]  # every sub-district with a page, by name
    _tap(phone, ".chips a", "คลองแดน")
    assert phone.url == site_url + "subdistricts/900702/"
    # near the top: the first link after the heading is the fund, before the money section
    fund = phone.locator("nav.area-nav a[href$='funds/L5218/']")
    assert fund.count() == 1
    money = phone.locator("#money")
    assert fund.bounding_box()["y"] < money.bounding_box()["y"]
