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
    # one index part per health region, merged in the browser
    result = build(REPO, out, workers=2, index=True, index_split="region")
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
    by_province = search(page, site_url, "ผู้สูงอายุ", province="ภูเก็ต")
    assert by_province and all("L5218" not in u for u in by_province)
    by_district = search(page, site_url, "", province="สงขลา", district="ระโนด")
    assert "/funds/L5218/" in by_district and "/funds/L7983/" not in by_district
    by_issue = search(page, site_url, "", issue="แรงงานนอกระบบ")
    assert by_issue and all("elderly" not in u for u in by_issue)
    by_year = search(page, site_url, "", fiscal_year="2567")
    assert by_year and all("-2568-" not in u for u in by_year)
    areas = search(page, site_url, "", kind="พื้นที่")
    assert "/districts/9007/" in areas and "/subdistricts/900702/" in areas


def test_district_choices_follow_the_province(page: Any, site_url: str) -> None:
    page.goto(site_url + "search/")
    page.wait_for_selector("#search-form[data-ready]", state="attached", timeout=20_000)
    district = page.locator("select[data-filter=district]")
    assert district.is_disabled()  # a national portal's ~900 districts are not one list
    page.select_option("select[data-filter=province]", value="ภูเก็ต")
    shown = district.locator("option:not([hidden])").all_inner_texts()
    assert "เมืองภูเก็ต" in shown and "ระโนด" not in shown


def test_one_search_box_on_the_search_page(page: Any, site_url: str) -> None:
    page.goto(site_url + "search/")
    assert page.locator("#q").is_visible()
    assert not page.locator("#q-top").is_visible()
    page.goto(site_url + "funds/L5218/")
    assert page.locator("#q-top").is_visible()


def test_results_name_their_kind_and_parent_area(page: Any, site_url: str) -> None:
    search(page, site_url, "ระโนด")
    kinds = page.locator(".result-kind").all_inner_texts()
    assert "อำเภอ · จ.สงขลา" in kinds  # the district ระโนด
    assert "ตำบล · อ.ระโนด จ.สงขลา" in kinds  # the sub-district of the same name
    assert all(k.strip() for k in kinds)


def test_excerpts_are_the_records_own_text(page: Any, site_url: str) -> None:
    for query in ("ระโนด", "ผู้สูงอายุ", "คัดกรอง"):
        search(page, site_url, query)
        for result in page.locator(".result").all():
            text = result.locator(".excerpt").inner_text()
            assert "##" not in text and "\u200b" not in text, text
            if not result.locator(".result-kind").inner_text().startswith(("อำเภอ", "ตำบล")):
                # the area names a record is found by are not its text
                assert "Ranot" not in text and "Songkhla" not in text, text
        assert page.locator(".result .excerpt mark").count() > 0


def test_exact_code_first(page: Any, site_url: str) -> None:
    assert search(page, site_url, "68-L5218-4-01")[0] == "/projects/68-L5218-4-01/"
    assert search(page, site_url, "L5218")[0] == "/funds/L5218/"


def test_without_javascript_the_search_page_leads_to_the_areas(
    chromium: Any, site_url: str
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "search/")
    tab.locator(".find-area a").click()
    tab.wait_for_load_state()
    assert tab.url.endswith("/areas/") and tab.locator("a[href$='/provinces/90/']").count() > 0
    context.close()


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


@pytest.mark.parametrize("width", [390, 1280])
def test_results_page_is_accessible_and_fits_a_phone(
    chromium: Any, site_url: str, width: int
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = chromium.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    try:
        search(tab, site_url, "ระโนด")
        assert tab.locator(".places li").count() == 2 and tab.locator(".result").count() > 10
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        found = Axe().run(tab).response["violations"]
    finally:
        context.close()
    assert not [(v["id"], v["impact"]) for v in found if v["impact"] in ("critical", "serious")]


def test_serve_searches_by_default_and_after_an_edit(chromium: Any, tmp_path: Path) -> None:
    """``fundsite serve`` builds the index without being asked; an edit is found once its part
    is indexed again."""
    import time

    from fundsite.serve import DevServer

    site = tmp_path / "site"
    for name in ("content", "data"):
        shutil.copytree(REPO / name, site / name)
    logged: list[str] = []
    context = chromium.new_context()
    tab = context.new_page()
    with DevServer(site, port=0, workers=1, log=logged.append) as dev:
        assert "/districts/9007/" in search(tab, dev.url, "ระโนด")
        assert "ค้นหาไม่สำเร็จ" not in tab.locator("#search-status").inner_text()
        project = site / "content/projects/68-L5218-4-01.md"
        text = project.read_text(encoding="utf-8")
        project.write_text(text.replace("title: ", "title: ทดสอบกระเจี๊ยบ ", 1), encoding="utf-8")
        deadline = time.monotonic() + 60
        while not any("ดัชนีค้นหาสร้างใหม่" in line for line in logged):
            assert time.monotonic() < deadline, logged
            time.sleep(0.1)
        found = search(tab, dev.url, "กระเจี๊ยบ")  # the project, then its reports (by title)
        assert found[0] == "/projects/68-L5218-4-01/"
        assert all(u.startswith("/reports/") for u in found[1:]), found
    context.close()
