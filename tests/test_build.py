"""fundsite build: pages, links, open data, safety, atomicity and reproducibility."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from conftest import example_plus_synthetic
from fundsite.build import build
from fundsite.cli import main
from fundsite.validate import check_site
from fundsite.validate.graph import ProjectNode
from fundsite.write import manifest

MINI = Path(__file__).parent / "fixtures" / "mini"
REPO = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mini") / "build"
    result = build(MINI, out, workers=1, index=False)
    assert result.ok, result.problems
    return out


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "build"
    result = build(REPO, out, workers=2, index=False)
    assert result.ok, [p for p in result.problems if p.severity == "error"]
    return out


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in ("href", "src"):
            if values.get(name) and not (tag == "link" and values.get("rel") == "canonical"):
                self.links.append(values[name] or "")


def broken_links(root: Path) -> list[str]:
    """Every internal link or asset of every HTML page that points at nothing."""
    broken = []
    for page in root.rglob("*.html"):
        if page.name == "404.html" and page.parent == root:
            continue  # absolute links: see test_404_links_work_at_any_depth
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        base = "file://" + page.as_posix()
        for link in parser.links:
            if link.startswith(("http://", "https://", "mailto:")):
                continue
            target = urlparse(urljoin(base, link))
            path = Path(unquote(target.path))
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{page.relative_to(root)} → {link}")
            elif target.fragment and path.suffix == ".html":
                ids = _Links()
                ids.feed(path.read_text(encoding="utf-8"))
                if target.fragment not in ids.ids:
                    broken.append(f"{page.relative_to(root)} → {link} (no #{target.fragment})")
    return broken


def test_every_page_kind_is_built(example_site: Path) -> None:
    for path in [
        "index.html",
        "404.html",
        "funds/index.html",
        "funds/L5218/index.html",
        "projects/60-ข-087/index.html",
        "projects/68-L5218-4-01/index.html",
        "districts/9007/index.html",
        "provinces/90/index.html",
        "regions/12/index.html",
        "subdistricts/900702/index.html",
        "issues/alcohol/index.html",
        "reports/index.html",
        "pages/about/index.html",
        "data/index.html",
        "search/index.html",
        "areas/index.html",
        "sitemap.xml",
        "robots.txt",
        "feed.xml",
        "funds/L5218/feed.xml",
        "districts/9007/feed.xml",
        "issues/alcohol/feed.xml",
    ]:
        assert (example_site / path).is_file(), path


def test_no_broken_internal_links(example_site: Path, mini_site: Path) -> None:
    assert broken_links(example_site) == []
    assert broken_links(mini_site) == []


def test_project_page_shows_seed_002_as_the_old_system(example_site: Path) -> None:
    html = (example_site / "projects/60-ข-087/index.html").read_text(encoding="utf-8")
    assert "1,000,000.00 บาท" in html
    assert "รวมงบประมาณของทุกงวด (0.00 บาท) ไม่เท่ากับ งบประมาณโครงการ (1,000,000.00 บาท)" in html
    assert "1 ม.ค. 2561" in html  # installment dates in Thai
    assert "นายทวีวัตร เครือสาย" in html
    assert "ไม่ระบุ" in html  # mentor is not stated


def test_a_completed_project_says_what_no_report_accounts_for(example_site: Path) -> None:
    """68-L5218-4-01: budget 39,918.00, one report of 18,460.00, no money returned written."""
    html = (example_site / "projects" / "68-L5218-4-01" / "index.html").read_text("utf-8")
    note = html.split('class="reconcile-note">', 1)[1].split("</p>", 1)[0]
    assert note == (
        "งบโครงการ 39,918.00 บาท รายงานว่าใช้ไป 18,460.00 บาท ไม่ระบุเงินคืนกองทุน"
        " ยังไม่มีรายงานว่าส่วนที่เหลือ 21,458.00 บาท ใช้ไปกับอะไร"
    )  # an unwritten return is said to be unwritten, never "คืนกองทุน 0.00 บาท"


def test_unknown_budgets_are_not_summed_as_zero_on_listings(example_site: Path) -> None:
    """Satun's one project states no budget: the areas page says so, never "0.00 บาท"."""
    html = (example_site / "areas" / "index.html").read_text("utf-8")
    satun = html.split("จังหวัดสตูล</a>", 1)[1].split("</li>", 1)[0]
    assert "0.00" not in satun and "ไม่ระบุ" in satun
    issues = (example_site / "issues" / "index.html").read_text("utf-8")
    assert "และไม่ระบุจำนวนเงิน 1 โครงการ" in issues  # beside a total of the stated budgets


def test_per_person_is_not_computed_from_part_of_the_funds(example_site: Path) -> None:
    """FY 2568: five funds have accounts, three state a population: no per-person figure from
    part of the money, and the page says why."""
    html = (example_site / "years" / "2568" / "index.html").read_text("utf-8")
    assert "ไม่คำนวณ: ระบุประชากรไว้ 3 จาก 5 กองทุนที่มีบัญชี" in html


def test_thai_dates_money_and_fiscal_years(mini_site: Path) -> None:
    html = (mini_site / "projects/68-L9001-2-01/index.html").read_text(encoding="utf-8")
    assert "30,000.00 บาท" in html
    assert "1 ธันวาคม 2567" in html  # start, full month name
    assert "ปีงบประมาณ 2568" in html
    report = (mini_site / "reports/2025-02-10-home-visit/index.html").read_text(encoding="utf-8")
    assert "10 กุมภาพันธ์ 2568" in report
    assert 'alt="อสม. เยี่ยมบ้านผู้สูงอายุ"' in report


def test_markdown_is_sanitized(mini_site: Path) -> None:
    for page in ("projects/68-L9001-2-01/index.html", "reports/2025-02-10-home-visit/index.html"):
        html = (mini_site / page).read_text(encoding="utf-8")
        assert "<script" not in html.lower()
        assert "javascript:" not in html.lower()
        assert "onerror" not in html.lower()
    assert "ผู้สูงอายุติดเตียง" in (mini_site / "projects/68-L9001-2-01/index.html").read_text()


def test_links_are_relative_and_canonical_uses_base_url(mini_site: Path) -> None:
    html = (mini_site / "funds/L9001/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/sub/path/funds/L9001/">' in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    internal = [h for h in hrefs if not h.startswith(("http", "mailto:"))]
    assert internal and not any(h.startswith("/") for h in internal)
    sitemap = (mini_site / "sitemap.xml").read_text()
    assert "<loc>https://example.org/sub/path/projects/68-L9001-2-01/</loc>" in sitemap
    assert (
        "Sitemap: https://example.org/sub/path/sitemap.xml"
        in (mini_site / "robots.txt").read_text()
    )


def test_every_total_links_to_what_it_sums(mini_site: Path) -> None:
    html = (mini_site / "funds/L9001/index.html").read_text(encoding="utf-8")
    assert "42,000.50 บาท" in html  # 30,000.00 + 12,000.50
    assert 'href="#projects"' in html
    assert 'id="projects"' in html


def test_open_data_parses_with_iso_dates_and_plain_decimals(mini_site: Path) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO((mini_site / "data/projects.csv").read_text(encoding="utf-8-sig"))
        )
    )
    by_id = {r["id"]: r for r in rows}
    assert by_id["68-L9001-2-01"]["budget"] == "30000.00"
    assert by_id["68-L9001-2-01"]["start"] == "2024-12-01"
    assert by_id["68-L9001-4-01"]["budget"] == "12000.50"
    data = json.loads((mini_site / "data/projects.json").read_text(encoding="utf-8"))
    assert {p["id"] for p in data} == set(by_id)
    page = json.loads((mini_site / "projects/68-L9001-2-01/index.json").read_text())
    assert page["installments"][0]["amount"] == "15000.00"
    assert page["approved_on"] == "2024-11-22"
    snapshot = next((mini_site / "data").glob("snapshot-*.zip"))
    with zipfile.ZipFile(snapshot) as z:
        assert {"funds.csv", "projects.json", "reports.csv", "all.json"} <= set(z.namelist())


def test_feeds_are_atom(mini_site: Path) -> None:
    feed = (mini_site / "funds/L9001/feed.xml").read_text(encoding="utf-8")
    assert feed.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert '<feed xmlns="http://www.w3.org/2005/Atom">' in feed
    assert "https://example.org/sub/path/reports/2025-02-10-home-visit/" in feed
    import xml.etree.ElementTree as ET

    ET.fromstring(feed.encode())


def test_same_input_builds_byte_identical(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert build(MINI, a, workers=1, index=False).ok
    assert build(MINI, b, workers=2, index=False).ok
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_refuses_to_publish_with_errors_and_keeps_old_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINI, site)
    out = tmp_path / "out"
    assert build(site, out, workers=1, index=False).ok
    before = (out / "index.html").read_bytes()
    bad = site / "content/projects/68-L9001-4-01.md"
    bad.write_text(bad.read_text().replace("budget: 12000.50", "budjet: 12000.50"))
    assert main(["build", str(site), "-o", str(out), "--no-search"]) == 1
    assert (out / "index.html").read_bytes() == before
    assert not list(tmp_path.glob(".out.*"))


def test_theme_error_is_reported_not_raised(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINI, site)
    theme = site / "themes/default"
    shutil.copytree(REPO / "themes/default", theme)
    (theme / "templates/report.html").write_text(
        "{% extends 'base.html' %}{% block content %}{{ no_such_variable }}{% endblock %}"
    )
    out = tmp_path / "out"
    result = build(site, out, workers=1, index=False)
    assert not result.ok
    assert any(
        p.code == "template-error" and "no_such_variable" in p.params["detail"]
        for p in result.problems
    )
    assert not out.exists()


def test_personal_data_is_not_published(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINI, site)
    project = site / "content/projects/68-L9001-2-01.md"
    project.write_text(project.read_text().replace("นางสมใจ ใจดี", "นางสมใจ ใจดี 081-234-5678"))
    out = tmp_path / "out"
    result = build(site, out, workers=1, index=False)
    assert result.ok
    assert any(p.code == "personal-phone" for p in result.problems)
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".csv", ".xml"}:
            assert "081-234-5678" not in path.read_text(encoding="utf-8-sig"), path


def test_english_site_uses_english_labels(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINI, site)
    config = site / "data/site.yaml"
    config.write_text(config.read_text().replace("language: th", "language: en"))
    out = tmp_path / "out"
    assert build(site, out, workers=1, index=False).ok
    html = (out / "projects/68-L9001-2-01/index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "Approved on" in html and "22 Nov 2024" in html and "30,000.00 THB" in html


def test_404_links_work_at_any_depth(mini_site: Path) -> None:
    """The 404 page is served at any address, so its links are absolute under base_url."""
    parser = _Links()
    parser.feed((mini_site / "404.html").read_text(encoding="utf-8"))
    internal = [link for link in parser.links if not link.startswith(("http", "mailto:", "#"))]
    assert internal
    for link in internal:
        assert link.startswith("/sub/path/"), link
        target = mini_site / unquote(link.removeprefix("/sub/path/").split("#")[0])
        assert (target / "index.html" if target.is_dir() else target).exists(), link


def test_unknown_theme_is_reported_not_raised(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINI, site)
    config = site / "data/site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "theme: nosuch\n", encoding="utf-8")
    result = build(site, tmp_path / "out", workers=1, index=False)
    assert not result.ok
    assert [p.code for p in result.problems if p.severity == "error"] == ["theme-missing"]
    assert not (tmp_path / "out").exists()


def test_big_areas_and_issues_link_complete_lists(tmp_path: Path) -> None:
    """Pages stay light at any size, and every record a figure sums is reachable: a year's
    page (and its ``index.json``) lists up to 50 projects itself; beyond that, 20 and a link to
    the complete list, paginated, which holds exactly the year's projects of the scope (found
    here by going through every project)."""
    site = example_plus_synthetic(tmp_path, 900, seed=5)
    out = tmp_path / "out"
    assert build(site, out, index=False).ok
    graph = check_site(site).graph
    assert graph is not None
    levels = {"regions": "region", "provinces": "province", "districts": "district"}

    def member(project: ProjectNode, kind: str, key: str) -> bool:
        if kind == "years":
            return True
        if kind == "issues":
            return key in project.issues
        areas = project.areas or project.fund.areas
        return any(str(getattr(area, levels[kind])) == key for area in areas)

    pages = [*out.glob("years/*/index.html")]
    for kind in ("issues", "regions", "provinces", "districts"):
        pages += [*out.glob(f"{kind}/*/index.html"), *out.glob(f"{kind}/*/*/index.html")]
    apart = 0
    for page in pages:
        if "page" in page.parts or page.parent.name in ("funds", "plans", "projects", "reports"):
            continue
        data = json.loads((page.parent / "index.json").read_text(encoding="utf-8"))
        kind, key = page.relative_to(out).parts[:2]
        fy = data["money"]["fiscal_year"] if data["money"] else None  # None: no year at all
        year = [p for p in graph.projects.values() if fy and p.fiscal_year == fy]
        expected = {p.id for p in year if member(p, kind, key)}
        html = page.read_text(encoding="utf-8")
        found = r'<th scope="row" class="nowrap"><a href="[./]*projects/([^/]+)/'
        rows = [unquote(r) for r in re.findall(found, html)]
        assert rows == [row["id"] for row in data["projects"]], page  # the JSON as the page
        listed = data["lists"]["projects"]
        assert listed["count"] == len(expected), page
        if len(expected) <= 50:
            assert set(rows) == expected and listed["complete_list"] is None, page
            continue
        apart += 1
        assert len(rows) == 20, page
        link = re.search(r'<a href="([^"]*projects/)">ดูทั้งหมด', html)
        assert link, page
        folder = (page.parent / link[1]).resolve()
        assert folder == (out / listed["complete_list"]).resolve(), page
        complete: set[str] = set()
        complete_json: set[str] = set()
        for list_page in [folder / "index.html", *sorted(folder.glob("page/*/index.html"))]:
            text = list_page.read_text(encoding="utf-8")
            complete |= {unquote(r) for r in re.findall(r'<a href="[./]*projects/([^/]+)/"', text)}
            rows_json = json.loads((list_page.parent / "index.json").read_text(encoding="utf-8"))
            complete_json |= {row["id"] for row in rows_json}
        assert complete == complete_json == expected, page
    assert apart >= 3  # the portal's years and the biggest scopes list theirs apart


def test_build_in_a_child_process_equals_a_build_in_this_one(tmp_path: Path) -> None:
    """With search, the records are checked and rendered in a child process that ends before
    Pagefind runs (``keep`` builds stay in this process): both write the same site."""
    said: list[str] = []
    child, here = tmp_path / "child", tmp_path / "here"
    assert build(MINI, child, workers=2, progress=said.append).ok
    assert build(MINI, here, workers=2, keep=True).ok
    assert [m.split(":")[0] for m in said] == ["check", "render", "write", "index"]
    files = sorted(p.relative_to(child) for p in child.rglob("*") if p.is_file())
    pages = [f for f in files if f.parts[0] != "pagefind"]
    assert pages == sorted(
        p.relative_to(here) for p in here.rglob("*") if p.is_file() and "pagefind" not in p.parts
    )
    for rel in pages:
        assert (child / rel).read_bytes() == (here / rel).read_bytes(), rel
    # Pagefind's own files are not reproducible run to run (a filter file's order), its pages are
    fragments = sorted(f.name for f in (child / "pagefind").rglob("*.pf_fragment"))
    assert fragments and fragments == sorted(
        f.name for f in (here / "pagefind").rglob("*.pf_fragment")
    )
    parts = "pagefind/parts.json"
    assert (child / parts).read_bytes() == (here / parts).read_bytes()
    # the manifest is in place: a second build renders nothing
    again = build(MINI, child, workers=2)
    assert again.ok and again.rendered == 0


def test_a_failed_index_keeps_the_old_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert build(MINI, out, workers=1, index=False).ok
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def broken(_site: Path, _out: Path, _threads: int | None = None) -> None:
        raise RuntimeError("pagefind failed: disk full")

    monkeypatch.setattr("fundsite.index._run_pagefind", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build(MINI, out, workers=2)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    # no staging folder, no indexer pages, no manifest left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert not list(manifest.manifest_path(MINI, out).parent.glob("*.tmp"))
    # and the next build does not trust a manifest of a site that never went out
    monkeypatch.undo()
    result = build(MINI, out, workers=2)
    assert result.ok and result.rendered == result.pages


def test_a_portal_of_more_pages_than_a_sitemap_may_list_has_a_sitemap_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The protocol allows 50,000 URLs a sitemap (a national portal has 700,000 pages):
    ``sitemap.xml`` is then an index of sitemaps that together list every page once; a build
    with fewer pages deletes the sitemaps it no longer needs, and one with the same pages
    leaves them as they were."""
    import xml.etree.ElementTree as ET

    from fundsite.write import outputs

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    site = tmp_path / "site"
    shutil.copytree(MINI, site)
    out = tmp_path / "out"
    monkeypatch.setattr(outputs, "SITEMAP_URLS", 7)
    result = build(site, out, workers=1, index=False)
    assert result.ok and result.pages > 3 * 7
    index = ET.parse(out / "sitemap.xml").getroot()
    assert index.tag == f"{ns}sitemapindex"
    parts = [loc.text or "" for loc in index.iter(f"{ns}loc")]
    assert parts[0] == "https://example.org/sub/path/sitemap-1.xml"
    listed: list[str] = []
    for address in parts:
        part = ET.parse(out / address.rsplit("/", 1)[1]).getroot()
        urls = [loc.text or "" for loc in part.iter(f"{ns}loc")]
        assert part.tag == f"{ns}urlset" and 0 < len(urls) <= 7
        listed += urls
    pages = [p for p in manifest.load(site, out).pages if p != "404.html"]  # type: ignore[union-attr]
    assert len(listed) == len(set(listed)) == len(pages)
    assert "https://example.org/sub/path/projects/68-L9001-2-01/" in listed
    project = next((site / "content/projects").glob("*.md"))
    project.write_text(project.read_text(encoding="utf-8").replace("title: ", "title: ก ", 1))
    before = (out / "sitemap-1.xml").stat().st_mtime_ns
    assert build(site, out, workers=1, index=False).ok  # the same pages: left as they were
    assert (out / "sitemap-1.xml").stat().st_mtime_ns == before
    monkeypatch.setattr(outputs, "SITEMAP_URLS", 50_000)
    project.write_text(project.read_text(encoding="utf-8").replace("title: ก ", "title: ข ", 1))
    (site / "content/reports/2025/2025-02-10-home-visit.md").unlink()  # a page fewer
    assert build(site, out, workers=1, index=False).ok
    assert ET.parse(out / "sitemap.xml").getroot().tag == f"{ns}urlset"
    assert not list(out.glob("sitemap-*.xml"))


def test_an_edit_whose_open_data_fails_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit's open data is written by a process beside the pages: its error is the build's,
    and the output stays as the last build left it."""
    import fundsite.build

    site = tmp_path / "site"
    shutil.copytree(MINI, site)
    out = tmp_path / "out"
    assert build(site, out, workers=1, index=False).ok
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def full(job: object, root: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fundsite.build, "write_data", full)
    project = next((site / "content/projects").glob("*.md"))
    project.write_text(project.read_text(encoding="utf-8").replace("title: ", "title: ก ", 1))
    with pytest.raises(OSError, match="No space left"):
        build(site, out, workers=1, index=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    monkeypatch.undo()
    assert build(site, out, workers=1, index=False).ok


def test_an_edits_search_index_equals_a_clean_builds(tmp_path: Path) -> None:
    """An edit indexes again only the parts its pages are in; the index and the manifest's
    page → part and page → digest maps are then a clean build's."""
    site = tmp_path / "site"
    shutil.copytree(MINI, site)
    out, clean = tmp_path / "out", tmp_path / "clean"
    assert build(site, out, workers=2).ok
    project = next((site / "content/projects").glob("*.md"))
    project.write_text(project.read_text(encoding="utf-8").replace("title: ", "title: ก ", 1))
    (site / "content/reports/2025/2025-02-10-home-visit.md").unlink()  # a page fewer
    said: list[str] = []
    edit = build(site, out, workers=2, progress=said.append)
    assert edit.ok and 0 < edit.rendered < edit.pages
    assert any(m.startswith("index: ") for m in said)
    assert build(site, clean, workers=2, incremental=False).ok
    mine, theirs = manifest.load(site, out), manifest.load(site, clean)
    assert mine is not None and theirs is not None
    assert mine.parts == theirs.parts and mine.searched == theirs.searched and mine.indexed

    def fragments(root: Path) -> list[str]:
        return sorted(f.name for f in (root / "pagefind").rglob("*.pf_fragment"))

    assert fragments(out) and fragments(out) == fragments(clean)
    parts = "pagefind/parts.json"
    assert (out / parts).read_bytes() == (clean / parts).read_bytes()


def test_an_edits_index_runs_in_the_build_process_while_the_manifest_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit's one part is indexed by the process that built it, a thread saving the
    manifest meanwhile; a clean build's parts once that process has ended (its memory given
    back)."""
    import os
    import threading

    import fundsite.build as build_module

    site = tmp_path / "site"
    shutil.copytree(MINI, site)
    out = tmp_path / "out"
    log = tmp_path / "log.txt"

    def logged(name: str, real: object) -> object:
        def run(*args: object, **kwargs: object) -> object:
            where = f"{os.getpid()} {threading.get_ident()}"
            with log.open("a") as f:
                f.write(f"{name} start {where}\n")
            value = real(*args, **kwargs)  # type: ignore[operator]
            with log.open("a") as f:
                f.write(f"{name} end {where}\n")
            return value

        return run

    monkeypatch.setattr(build_module, "run_index", logged("index", build_module.run_index))
    monkeypatch.setattr(manifest, "save_pending", logged("save", manifest.save_pending))

    def events() -> list[list[str]]:
        found = [line.split() for line in log.read_text().splitlines()]
        log.unlink()
        return found

    assert build(site, out, workers=2).ok
    clean = events()
    where = {name: (pid, thread) for name, _, pid, thread in clean}
    assert where["index"][0] != where["save"][0]  # Pagefind ran after the stage's process

    project = next((site / "content/projects").glob("*.md"))
    project.write_text(project.read_text(encoding="utf-8").replace("title: ", "title: ก ", 1))
    assert build(site, out, workers=2).ok
    edit = events()
    where = {name: (pid, thread) for name, _, pid, thread in edit}
    assert where["index"][0] == where["save"][0] and where["index"][1] != where["save"][1]
    order = [f"{name} {what}" for name, what, _, _ in edit]
    assert order.index("save start") < order.index("index end")  # both at once
    assert order.index("index start") < order.index("save end")
    assert "ก " in (out / f"projects/{project.stem}/index.html").read_text(encoding="utf-8")


def test_an_edit_whose_index_fails_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINI, site)
    out = tmp_path / "out"
    assert build(site, out, workers=2).ok
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(_site: Path, _out: Path, _threads: int | None = None) -> None:
        raise RuntimeError("pagefind failed: disk full")

    monkeypatch.setattr("fundsite.index._run_pagefind", broken)
    project = next((site / "content/projects").glob("*.md"))
    project.write_text(project.read_text(encoding="utf-8").replace("title: ", "title: ก ", 1))
    with pytest.raises(RuntimeError, match="disk full"):
        build(site, out, workers=2)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # nothing staged
    assert not list(manifest.manifest_path(site, out).parent.glob("*.tmp"))
    monkeypatch.undo()
    assert build(site, out, workers=2).ok  # the manifest was forgotten: a clean build
    assert "ก " in (out / f"projects/{project.stem}/index.html").read_text(encoding="utf-8")
