"""End to end: the search page of a national index (one part per province, plus the
directory of funds, areas and issues) loads only what a query needs."""

from __future__ import annotations

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
    out = tmp_path_factory.mktemp("national") / "site"
    assert build(REPO, out, workers=2, index=True, index_split="province").ok
    parts = {p.name for p in (out / "pagefind").iterdir() if p.is_dir()}
    assert "directory" in parts and "province-90" in parts, parts
    with serve(out) as url:
        yield url


@pytest.fixture
def tab(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    page = context.new_page()
    page.fetched = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.fetched.append(r.url))  # type: ignore[attr-defined]
    yield page
    context.close()


def _query(tab: Any, base: str, query: str, **filters: str) -> None:
    tab.goto(base + "search/")
    tab.wait_for_selector("#search-form[data-ready]", state="attached", timeout=20_000)
    for name, value in filters.items():
        tab.select_option(f"select[data-filter={name}]", value=value)
    tab.fill("#q", query)
    tab.click("#search-form button[type=submit]")
    tab.wait_for_selector("#results[data-done]", state="attached", timeout=20_000)


def _results(tab: Any) -> list[str]:
    return [a.get_attribute("href") or "" for a in tab.locator(".result-title a").all()]


def test_page_loads_no_index_before_a_query(tab: Any, site_url: str) -> None:
    tab.goto(site_url + "search/")
    tab.wait_for_selector("#search-form[data-ready]", state="attached", timeout=20_000)
    assert not [u for u in tab.fetched if "/pagefind/" in u and not u.endswith("parts.json")]


def test_a_place_name_is_answered_from_the_names_alone(tab: Any, site_url: str) -> None:
    _query(tab, site_url, "ระโนด")
    places = tab.locator(".places li").all_inner_texts()
    assert any(p.startswith("ระโนด อำเภอ") for p in places), places
    assert any(p.startswith("ระโนด ตำบล") for p in places), places
    assert tab.locator(".places a[href$='/districts/9007/']").count() == 1
    assert not [u for u in tab.fetched if "/pagefind/" in u and not u.endswith("parts.json")]
    assert _results(tab) == []
    tab.get_by_role("button", name="ค้นคำนี้ในโครงการ รายงาน และเอกสารทั้งหมด").click()
    tab.wait_for_selector(".result-title a", timeout=20_000)
    assert any(u.endswith("/funds/L5217/") for u in _results(tab))


def test_a_word_searches_the_directory_then_every_province(tab: Any, site_url: str) -> None:
    _query(tab, site_url, "เบาหวาน")  # a word, not the name of an area or issue
    first = _results(tab)
    assert any(u.endswith("/issues/ncd/") for u in first)
    assert not any("/projects/" in u or "/reports/" in u for u in first)
    assert not [u for u in tab.fetched if "/pagefind/province-" in u]
    _query(tab, site_url, "สงกรานต์")  # in projects only: the directory says where it looked
    assert tab.locator("#search-status").inner_text() == "ไม่พบในรายชื่อกองทุน พื้นที่ และประเด็น"
    tab.get_by_role("button", name="ค้นโครงการและรายงานทุกจังหวัด (ใช้ข้อมูลมาก)").click()
    tab.wait_for_selector(".result-title a", timeout=20_000)
    assert any("/projects/" in u for u in _results(tab))
    _query(tab, site_url, "เบาหวาน")
    tab.get_by_role("button", name="ค้นโครงการและรายงานทุกจังหวัด (ใช้ข้อมูลมาก)").click()
    tab.wait_for_function("document.querySelectorAll('.result-title a').length > 3")
    tab.wait_for_selector("#results[data-done]", state="attached", timeout=20_000)
    assert any("/projects/" in u for u in _results(tab))


def test_a_province_searches_its_own_part(tab: Any, site_url: str) -> None:
    _query(tab, site_url, "ผู้สูงอายุ", province="ภูเก็ต")
    found = _results(tab)
    assert any(u.endswith("/projects/68-L7983-2-01/") for u in found)
    assert all("L5218" not in u for u in found)
    loaded = {u.split("/pagefind/")[1].split("/")[0] for u in tab.fetched if "/pagefind/" in u}
    assert "province-83" in loaded and "province-90" not in loaded, loaded
