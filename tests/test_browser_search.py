"""End to end: Thai queries typed into the real search page of the built example portal."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from browser import serve
from fundsite.build import build

REPO = Path(__file__).parent.parent
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    host_root = tmp_path_factory.mktemp("search")
    out = host_root / "sub" / "path"  # served under a sub-path, as a GitHub Pages project site
    # split_at=1 forces one index part per health region, merged in the browser
    result = build(REPO, out, workers=2, index=True, index_split_at=1)
    assert result.ok
    assert len(list((out / "pagefind").glob("region-*"))) >= 3
    with serve(host_root) as url:
        yield url + "sub/path/"


def search(page: Any, base: str, query: str = "", **filters: str) -> list[str]:
    """Type a query (and pick filters) like a citizen; return the result URLs."""
    page.goto(base + "search/")
    page.wait_for_selector("#search-form[data-ready]", timeout=20_000)
    for name, value in filters.items():
        option = page.locator(f"select[data-filter={name}] option", has_text=value).first
        page.select_option(f"select[data-filter={name}]", value=option.get_attribute("value"))
    page.fill("#q", query)
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#results[data-done]", state="attached", timeout=20_000)
    prefix = urlparse(base).path.rstrip("/")
    hrefs = [a.get_attribute("href") or "" for a in page.locator(".result-title a").all()]
    assert all(h.startswith(prefix + "/") for h in hrefs), hrefs
    return [h[len(prefix) :] for h in hrefs]


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    tab = context.new_page()
    yield tab
    context.close()


def test_word_inside_a_longer_unspaced_run(page: Any, site_url: str) -> None:
    urls = search(page, site_url, "แรงงาน")  # inside แรงงานนอกระบบ
    assert "/issues/informal-workers/" in urls
    assert any(u.startswith("/projects/") for u in urls)


def test_elderly_and_disease_words(page: Any, site_url: str) -> None:
    assert "/issues/elderly/" in search(page, site_url, "ผู้สูงอายุ")
    assert any(u.startswith(("/projects/", "/plans/")) for u in search(page, site_url, "เบาหวาน"))


def test_district_name_finds_its_funds(page: Any, site_url: str) -> None:
    urls = search(page, site_url, "ระโนด")
    assert "/districts/9007/" in urls
    assert "/funds/L5217/" in urls


def test_multi_word_query(page: Any, site_url: str) -> None:
    urls = search(page, site_url, "ผู้สูงอายุ วิชิต")
    assert urls and all(u != "/issues/informal-workers/" for u in urls)
    assert any("L7983" in u or "wichit" in u for u in urls)


def test_queries_that_must_find_nothing(page: Any, site_url: str) -> None:
    assert search(page, site_url, "xyzzyq") == []
    assert search(page, site_url, "ภูเขาไฟ") == []  # a Thai word in no record
    assert "ไม่พบ" in page.locator("#search-status").inner_text()


def test_english_words_in_records(page: Any, site_url: str) -> None:
    urls = search(page, site_url, "Strategic")
    assert "/projects/53-L7983-4-01/" in urls


def test_each_filter(page: Any, site_url: str) -> None:
    only_projects = search(page, site_url, "ผู้สูงอายุ", kind="โครงการ")
    assert only_projects and all(u.startswith("/projects/") for u in only_projects)
    by_fund = search(page, site_url, "", fund="กองทุนหลักประกันสุขภาพ อบต.คลองแดน")
    assert "/funds/L5218/" in by_fund and all("L7983" not in u for u in by_fund)
    by_province = search(page, site_url, "ผู้สูงอายุ", province="ภูเก็ต")
    assert by_province and all("L5218" not in u for u in by_province)
    by_district = search(page, site_url, "", district="ระโนด")
    assert "/funds/L5218/" in by_district and "/funds/L7983/" not in by_district
    by_issue = search(page, site_url, "", issue="แรงงานนอกระบบ")
    assert by_issue and all("elderly" not in u for u in by_issue)
    by_year = search(page, site_url, "", fiscal_year="2567")
    assert by_year and all("-2568-" not in u for u in by_year)


def test_results_show_kind_title_fund_and_budget(page: Any, site_url: str) -> None:
    assert "/projects/68-L7983-2-01/" in search(page, site_url, "ผู้สูงอายุ", kind="โครงการ")
    # Pagefind's ranking is not stable across index builds: look at a result with a budget
    shown = page.locator(".result", has=page.locator("a[href$='/projects/68-L7983-2-01/']"))
    first = shown.inner_text()
    assert "โครงการ" in first and "64,500.00 บาท" in first and "กองทุน" in first
    excerpt = page.locator(".result .excerpt").first.inner_text()
    assert "\u200b" not in excerpt


def test_header_search_box_leads_to_results(page: Any, site_url: str) -> None:
    page.goto(site_url + "funds/L5218/")
    page.fill("#q-top", "แรงงาน")
    page.press("#q-top", "Enter")
    page.wait_for_selector(".result-title a", timeout=20_000)
    assert page.url.startswith(site_url + "search/")
    page.locator(".result-title a").first.click()  # a result opens its page under the sub-path
    page.wait_for_load_state()
    assert page.url.startswith(site_url) and page.locator("h1").count() == 1


def test_search_from_an_english_language_site(chromium: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "data", site / "data")
    config = site / "data/site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("language: th", "language: en"), encoding="utf-8"
    )
    out = tmp_path / "build"
    assert build(site, out, workers=1, index=True).ok
    context = chromium.new_context()
    tab = context.new_page()
    with serve(out) as url:
        tab.goto(url)
        assert tab.locator("html").get_attribute("lang") == "en"
        assert "/issues/informal-workers/" in search(tab, url, "แรงงาน")
        assert "/projects/53-L7983-4-01/" in search(tab, url, "Strategic")
    context.close()
