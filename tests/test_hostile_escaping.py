"""Every output escapes for its own syntax: values written by any hand in a pull request
(titles, names, file names, the site's address) stay data in HTML, XML, robots.txt, JSON, CSV,
GitHub workflow commands and the terminal.

Organised by output kind; each test builds or renders something hostile and checks the output
is clean by parsing it the way its reader does.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import (
    FUND,
    FUND_PATH,
    ISSUES_YAML,
    PLAN,
    PLAN_PATH,
    PROJECT,
    PROJECT_PATH,
    RECORDS,
    REPORT,
    REPORT_PATH,
    line_of,
    make_site,
    replace_line,
)
from fundsite.build import build
from fundsite.console import as_json, github, human
from fundsite.diagnostics import Problem
from fundsite.messages import render
from fundsite.plan import exports
from fundsite.render import charts
from fundsite.write import outputs

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

#: What no line printed for a person may hold: C0/C1 controls (but the line breaks between
#: lines), DEL, line separators, bidirectional controls, lone surrogates.
TERMINAL_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)
#: What a spreadsheet program reads as the start of a formula.
FORMULA_START = set("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: Characters XML 1.0 forbids.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

BASE_URL = "https://example.org/a&b=c/"

# ---- hostile values ------------------------------------------------------------------------------

# (control characters are refused in records: test_control_characters_in_records_are_refused;
# the writers' own handling of them is tested on the functions below)
SITE_TITLE = 'พอร์ทัล "<x-inj>" & ]]> [31m'
SITE_DESCRIPTION = '"><x-inj onclick="alert(1)">\' <!-- -->'
ISSUE_NAME = "</script><x-inj>&]]> \u200f"
FUND_NAME = '=HYPERLINK("http://evil.example/","คลิก")'
FUND_ORGANIZATION = "+SUM(1,2)"
PLAN_TITLE = "-2+3+cmd|' /C calc'!A0"
PROJECT_TITLE = "@SUM(1+9)*cmd|' /C calc'!A0 \"<x-inj a='1'>\" ]]> [31m"
PROJECT_ORGANIZATION = "\uff1d1+1"  # full-width =
PROJECT_RESPONSIBLE = "-1+cmd|' /C calc'!A0"  # (a leading tab is stripped as white space)
REPORT_TITLE = "</script><!-- \"quoted\" 'single' ]]> <x-inj>"
REPORTER = "@reporter \u200e -- ก่อน"
OBJECTIVE = "=1+2 ลดผู้ดื่ม"
INDICATOR = "@ร้อยละ"
TARGET_GROUP = "+กลุ่ม cmd|' /C calc'!A0"
#: Control characters YAML lets a record write as escapes; check refuses each.
RECORD_CONTROLS = ["\x01", "\x1b[31m", "\x0b", "\x7f", "\x85", "\u2028", "\u202e", "\u2066", "\x00"]


def yaml_string(value: str) -> str:
    """``value`` as a YAML double-quoted scalar (escapes for what YAML cannot hold raw)."""
    text = json.dumps(value, ensure_ascii=False)
    return re.sub("[\x7f-\x9f\u2028\u2029\ufeff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def hostile_site(root: Path) -> Path:
    """The clean records of conftest with every text field that reaches an output hostile."""
    fund = replace_line(FUND, "name:", f"name: {yaml_string(FUND_NAME)}")
    fund = replace_line(fund, "organization:", f"organization: {yaml_string(FUND_ORGANIZATION)}")
    plan = replace_line(PLAN, "title:", f"title: {yaml_string(PLAN_TITLE)}")
    project = replace_line(PROJECT, "title:", f"title: {yaml_string(PROJECT_TITLE)}")
    project = replace_line(
        project, "organization:", f"organization: {yaml_string(PROJECT_ORGANIZATION)}"
    )
    project = replace_line(
        project, "responsible:", f"responsible: {yaml_string(PROJECT_RESPONSIBLE)}"
    )
    project = replace_line(project, "status:", "location: [7.9, 100.3]\nstatus: in-progress")
    project = replace_line(
        project,
        "objectives:",
        f"objectives:\n  - {{text: {yaml_string(OBJECTIVE)}, indicator: {yaml_string(INDICATOR)}}}",
    )
    project = replace_line(
        project, "target_groups:", f"target_groups:\n  - {{name: {yaml_string(TARGET_GROUP)}}}"
    )
    report = replace_line(REPORT, "title:", f"title: {yaml_string(REPORT_TITLE)}")
    report = replace_line(report, "reporter:", f"reporter: {yaml_string(REPORTER)}")
    issues = ISSUES_YAML.replace("name: เครื่องดื่มแอลกอฮอล์", f"name: {yaml_string(ISSUE_NAME)}")
    site_yaml = (
        f"title: {yaml_string(SITE_TITLE)}\n"
        f"description: {yaml_string(SITE_DESCRIPTION)}\n"
        f"base_url: {BASE_URL}\n"
    )
    return make_site(
        root,
        {
            **RECORDS,
            FUND_PATH: fund,
            PLAN_PATH: plan,
            PROJECT_PATH: project,
            REPORT_PATH: report,
            "data/site.yaml": site_yaml,
            "data/issues.yaml": issues,
        },
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile_site(tmp_path_factory.mktemp("hostile") / "site")
    out = root.parent / "build"
    result = build(root, out, workers=1, index=False)
    assert result.ok, [(p.code, p.file, p.params) for p in result.problems]
    return out


@pytest.mark.parametrize("control", RECORD_CONTROLS)
def test_control_characters_in_records_are_refused(site, control: str) -> None:
    """ESC sequences, C1 controls, bidi overrides written as YAML escapes: an error at the field."""
    text = replace_line(REPORT, "title:", f"title: {yaml_string('ก่อน' + control + 'หลัง')}")
    problems = site.check({**RECORDS, REPORT_PATH: text})
    found = [p for p in problems if p.code == "text-control"]
    assert [(p.file, p.field, p.line) for p in found] == [
        (REPORT_PATH, "title", line_of(REPORT, "title:"))
    ]
    assert f"U+{ord(control[0]):04X}" in render(found[0], "en")[0]
    assert "อักขระควบคุม" in render(found[0], "th")[0]


def xml_clean(value: str) -> str:
    """``value`` as an XML parser reads it back from our escaping: forbidden characters gone."""
    return NOT_XML.sub("", value)


# ---- XML: Atom feeds and the sitemap -------------------------------------------------------------


def test_every_feed_and_the_sitemap_parse_with_hostile_titles_and_names(built: Path) -> None:
    """Quotes, <, &, ]]> and control characters in titles, names and the address break no feed."""
    feeds = sorted(built.rglob("feed.xml"))
    assert len(feeds) >= 3
    for feed in feeds:
        tree = ET.parse(feed).getroot()  # raises on anything not well-formed
        assert tree.tag == f"{ATOM}feed"
        for link in tree.iter(f"{ATOM}link"):
            assert link.get("href", "").startswith(BASE_URL)
        for entry in tree.iter(f"{ATOM}entry"):
            assert entry.findtext(f"{ATOM}title") == xml_clean(REPORT_TITLE)
            assert entry.findtext(f"{ATOM}author/{ATOM}name") == xml_clean(REPORTER)
            assert xml_clean(PROJECT_TITLE) in (entry.findtext(f"{ATOM}summary") or "")
    home = ET.parse(built / "feed.xml").getroot()
    assert home.findtext(f"{ATOM}title", "").endswith(xml_clean(SITE_TITLE))
    assert [e.tag for e in home].count(f"{ATOM}entry") == 1
    sitemap = ET.parse(built / "sitemap.xml").getroot()
    locs = [loc.text or "" for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert locs and all(loc.startswith(BASE_URL) for loc in locs)


def report_node(**fields: object) -> SimpleNamespace:
    """A report as :func:`outputs.atom_feed` reads it."""
    values = {
        "id": "r1",
        "title": "t",
        "reporter": None,
        "project_title": "p",
        "fund_name": "f",
        **fields,
    }
    return SimpleNamespace(
        id=values["id"],
        record=SimpleNamespace(
            title=values["title"], date=date(2025, 3, 1), reporter=values["reporter"]
        ),
        project=SimpleNamespace(record=SimpleNamespace(title=values["project_title"])),
        fund=SimpleNamespace(record=SimpleNamespace(name=values["fund_name"])),
    )


HOSTILE_BASE_URLS = [
    'https://e.org/"><x-inj a="',
    "https://e.org/'/><x-inj/>",
    "https://e.org/]]>&amp;<!--/",
    "https://e.org/\r\nDisallow: /\n",
    "https://e.org/\x00\x01\x1b\x7f\x85\ufffe\uffff\ud800/",
    "https://e.org/ก ข\u2028\t/",
    "javascript:alert(1)//",
]


@pytest.mark.parametrize("base_url", HOSTILE_BASE_URLS)
def test_atom_feed_attribute_values_with_quotes_and_controls(base_url: str) -> None:
    """A base_url or id with quotes, brackets, CR/LF or XML-forbidden characters stays one href."""
    reports = [
        report_node(
            id='x"y<z>&#?%41ก',
            title="a\x00\x08\x0c\ufffe\uffff\ud800b ]]> <c> & \"d\" 'e'",
            reporter="\x1b[31m<r>\r\n",
            project_title="p ]]>",
            fund_name="f & <g>",
        )
    ]
    text = outputs.atom_feed(
        'T "<>" & \x01', base_url + "feed.xml", base_url, reports, base_url, date(2025, 3, 2)
    )
    feed = ET.fromstring(text.encode("utf-8"))
    assert [child.tag.removeprefix(ATOM) for child in feed] == [
        "title",
        "id",
        "link",
        "link",
        "updated",
        "entry",
    ]
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}title") == "ab ]]> <c> & \"d\" 'e'"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "[31m<r>\r\n"  # CR kept as &#13;
    links = [link.get("href", "") for link in feed.iter(f"{ATOM}link")]
    ids = [feed.findtext(f"{ATOM}id"), entry.findtext(f"{ATOM}id")]
    for url in [*links, *ids]:
        assert url and url.isascii() and url.isprintable() and " " not in url
        assert not set('"<>\\^`{|}') & set(url)
    # the id's own characters are percent-encoded in the path: no query, fragment or %41 → A
    report_link = links[-1]
    assert report_link.endswith("reports/x%22y%3Cz%3E&%23%3F%2541%E0%B8%81/")


@pytest.mark.parametrize("base_url", HOSTILE_BASE_URLS)
def test_sitemap_with_hostile_base_url_and_paths(base_url: str) -> None:
    """A hostile base_url and page paths (ids) give a sitemap of plain, escaped URLs."""
    paths = ["index.html", "reports/a&b/index.html", "projects/ก?x#y%z/index.html", "x]]>/"]
    root = ET.fromstring(outputs.sitemap(base_url, paths).encode("utf-8"))
    locs = [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
    assert len(locs) == len(paths)
    for loc in locs:
        assert loc.isascii() and loc.isprintable() and " " not in loc
        assert not set('"<>\\^`{|}') & set(loc)
    assert any(loc.endswith("projects/%E0%B8%81%3Fx%23y%25z/") for loc in locs)
    assert any(loc.endswith("reports/a&b/") for loc in locs)


def test_xml_text_and_attribute_helpers_round_trip() -> None:
    """Every character but XML's forbidden ones survives text and attribute escaping exactly."""
    value = "".join(map(chr, range(0x00, 0x100))) + "]]> \u2028\ufffe\uffff\ud800\U0001f600 ก่"
    doc = f"<a b=\"{outputs.xml_attr(value)}\" c='{outputs.xml_attr(value)}'>"
    doc += f"{outputs.xml_text(value)}</a>"
    element = ET.fromstring(doc.encode("utf-8"))
    expected = xml_clean(value)
    assert "\x00" not in expected and "\ufffe" not in expected and "\t\n\r" in expected
    assert element.get("b") == expected  # tab, LF and CR not turned into spaces
    assert element.get("c") == expected
    assert element.text == expected


# ---- robots.txt ----------------------------------------------------------------------------------


@pytest.mark.parametrize("base_url", [*HOSTILE_BASE_URLS, "https://e.org/\x85x\u2028y\u2029z/"])
def test_robots_txt_is_one_line_per_directive(base_url: str) -> None:
    """CR, LF, NEL, U+2028 or spaces in base_url cannot add a directive to robots.txt."""
    text = outputs.robots(base_url)
    assert text.endswith("\n")
    lines = text.split("\n")[:-1]
    assert [line.split(":", 1)[0] for line in lines] == ["User-agent", "Allow", "Sitemap"]
    assert text.splitlines() == lines  # no other character any reader could take for a break
    sitemap_url = lines[2].removeprefix("Sitemap: ")
    assert sitemap_url.isascii() and sitemap_url.isprintable() and " " not in sitemap_url
    assert sitemap_url.endswith("sitemap.xml")


def test_built_robots_txt_names_the_sitemap(built: Path) -> None:
    """The built robots.txt has its three directives and the escaped sitemap address."""
    assert (built / "robots.txt").read_text(encoding="utf-8") == (
        f"User-agent: *\nAllow: /\nSitemap: {BASE_URL}sitemap.xml\n"
    )


# ---- CSV: formula injection ----------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def assert_no_formula(rows: list[dict[str, str]], name: str) -> None:
    for row in rows:
        for field, cell in row.items():
            assert cell[:1] not in FORMULA_START or PLAIN_NUMBER.fullmatch(cell), (
                f"{name}: {field} = {cell!r} starts a formula"
            )


def test_csv_cells_starting_a_formula_are_quoted(built: Path) -> None:
    """=, +, -, @ and full-width ＝ at a cell's start get a leading ' in every built CSV."""
    tables = {name: read_csv(built / f"data/{name}.csv") for name in exports.TABLES}
    for name, rows in tables.items():
        assert rows, name
        assert_no_formula(rows, name)
    (fund,) = tables["funds"]
    assert fund["name"] == "'" + FUND_NAME
    assert fund["organization"] == "'" + FUND_ORGANIZATION
    assert tables["plans"][0]["title"] == "'" + PLAN_TITLE
    (project,) = tables["projects"]
    assert project["title"] == "'" + PROJECT_TITLE
    assert project["organization"] == "'" + PROJECT_ORGANIZATION
    assert project["responsible"] == "'" + PROJECT_RESPONSIBLE
    assert tables["reports"][0]["reporter"] == "'" + REPORTER
    objective = tables["objectives"][0]
    assert (objective["text"], objective["indicator"]) == ("'" + OBJECTIVE, "'" + INDICATOR)
    assert tables["target_groups"][0]["name"] == "'" + TARGET_GROUP


def test_csv_numbers_are_not_corrupted(built: Path) -> None:
    """Budgets, counts and coordinates stay numbers in the CSV (no quote added)."""
    (project,) = read_csv(built / "data/projects.csv")
    assert project["budget"] == "39918.00"
    assert project["installments_total"] == "39918.00"
    assert project["latitude"] == "7.9" and project["longitude"] == "100.3"
    assert project["reports"] == "1" and project["fiscal_year"] == "2568"
    (fund,) = read_csv(built / "data/funds.csv")
    assert fund["population"] == "8231" and fund["approved_budget"] == "39918.00"


def test_json_twins_keep_values_as_written(built: Path) -> None:
    """The JSON downloads are not spreadsheets: their values carry no added quote."""
    projects = json.loads((built / "data/projects.json").read_text(encoding="utf-8"))
    assert projects[0]["title"] == PROJECT_TITLE
    assert projects[0]["responsible"] == PROJECT_RESPONSIBLE
    funds = json.loads((built / "data/funds.json").read_text(encoding="utf-8"))
    assert funds[0]["name"] == FUND_NAME


def test_snapshot_zip_carries_the_neutralised_csv(built: Path) -> None:
    """The dated zip holds the same quoted CSV as the files beside it."""
    (snapshot,) = (built / "data").glob("snapshot-*.zip")
    with zipfile.ZipFile(snapshot) as z:
        for name in exports.TABLES:
            assert z.read(f"{name}.csv") == (built / f"data/{name}.csv").read_bytes()
            rows = list(csv.DictReader(io.StringIO(z.read(f"{name}.csv").decode("utf-8-sig"))))
            assert_no_formula(rows, f"zip {name}")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-1+1", "'-1+1"),
        ("-A1", "'-A1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20x", "'\uff20x"),
        ("-", "'-"),
        ("-12.50", "-12.50"),
        ("+66812345678", "+66812345678"),
        ("-1,000.5", "-1,000.5"),
        ("-.5", "-.5"),
        ("1e5", "1e5"),
        ("-๑๒", "'-๑๒"),  # Thai digits are not a number a spreadsheet reads
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("", ""),
        (-12, -12),
        (Decimal("-12.50"), Decimal("-12.50")),
        (-7.5, -7.5),
    ],
)
def test_csv_cell_rule(value: object, written: object) -> None:
    """Formula-prefixed text gets a quote; numbers and plain numeric text are left alone."""
    assert outputs.csv_cells([value]) == [written]


def test_write_table_quotes_only_the_csv(tmp_path: Path) -> None:
    """_write_table neutralises CSV cells (TAB, CR, =, CR mid-cell) but not the JSON rows."""
    rows = [
        {"id": "a", "text": "\t=cmd", "note": "\r@x", "n": -3, "amount": "-12.50"},
        {"id": "b", "text": 'x,"y"\n=z', "note": "=1,2", "n": 0, "amount": ""},
        {"id": "c", "text": "x\r=cmd", "note": "y\r\n@z", "n": 1, "amount": "+1"},
    ]
    csv_buffer, json_buffer = io.StringIO(), io.StringIO()
    outputs._write_table(csv_buffer, json_buffer, iter(rows))
    read = list(csv.DictReader(io.StringIO(csv_buffer.getvalue().removeprefix("\ufeff"))))
    assert read[0] == {"id": "a", "text": "'\t=cmd", "note": "'\r@x", "n": "-3", "amount": "-12.50"}
    assert read[1] == {"id": "b", "text": 'x,"y"\n=z', "note": "'=1,2", "n": "0", "amount": ""}
    # a CR inside a cell is quoted: no spreadsheet program starts a row (and a formula) at it
    assert read[2] == {"id": "c", "text": "x\r=cmd", "note": "y\r\n@z", "n": "1", "amount": "+1"}
    assert len(read) == 3 and csv_buffer.getvalue().count('"x\r=cmd"') == 1
    assert json.loads(json_buffer.getvalue()) == rows


# ---- JSON ----------------------------------------------------------------------------------------


def strings(data: object) -> list[str]:
    """Every string in parsed JSON."""
    if isinstance(data, str):
        return [data]
    items = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    return [s for item in items for s in strings(item)]


def test_json_files_round_trip_script_quotes_and_separators(built: Path) -> None:
    """</script>, <!--, quotes and U+2028 in values come back unchanged from every JSON file."""
    reports = json.loads((built / "data/reports.json").read_text(encoding="utf-8"))
    assert reports[0]["title"] == REPORT_TITLE
    everything = json.loads((built / "data/all.json").read_text(encoding="utf-8"))
    assert everything["projects"][0]["title"] == PROJECT_TITLE
    assert everything["site"]["description"] == SITE_DESCRIPTION
    pages = [json.loads(p.read_text(encoding="utf-8")) for p in built.rglob("index.json")]
    assert any(PROJECT_TITLE in strings(rows) for rows in pages)
    assert json.loads(outputs.to_json({"v": REPORT_TITLE, "w": [REPORT_TITLE]})) == {
        "v": REPORT_TITLE,
        "w": [REPORT_TITLE],
    }


# ---- HTML ----------------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_pages_keep_hostile_values_as_text(built: Path) -> None:
    """<script>, comments, quotes and attribute breakouts in records stay text on every page."""
    pages = sorted(built.rglob("*.html"))
    assert len(pages) > 10
    seen_title = False
    for page in pages:
        parser = _Tags()
        parser.feed(page.read_text(encoding="utf-8"))
        where = page.relative_to(built)
        for tag, attrs in parser.tags:
            assert tag != "x-inj", where
            assert not any(name.startswith("on") for name in attrs), (where, tag, attrs)
            if tag == "script":
                assert attrs.get("src"), f"{where}: inline script"
        assert not any("x-inj" in c or "quoted" in c for c in parser.comments), where
        seen_title = seen_title or any(REPORT_TITLE in t for t in parser.text)
        for tag, attrs in parser.tags:
            if tag == "meta" and attrs.get("name") == "description":
                assert attrs.get("content") == SITE_DESCRIPTION  # the whole value, one attribute
    assert seen_title


def _total(label: str, url: str | None) -> SimpleNamespace:
    return SimpleNamespace(label=label, url=url, budget=Decimal("1234.50"), count=3)


def test_chart_svg_escapes_labels_and_links() -> None:
    """Chart labels and link targets with quotes and tags stay text and one attribute."""
    hostile = '"\'><x-inj onclick="1"></svg><script>alert(1)</script>&]]>'
    svg = charts.bar_chart(
        [_total(hostile, "issues/x\"'<>/"), _total(hostile * 2, None)],
        title=hostile,
        url=lambda target: target,
        lang="th",
        caption_id="cap",
    )
    figure = ET.fromstring(svg)  # well-formed: every value escaped for its context
    tags = {element.tag.rsplit("}", 1)[-1] for element in figure.iter()}
    assert not {"x-inj", "script"} & tags
    assert not any(name.startswith("on") for e in figure.iter() for name in e.attrib)
    hrefs = [e.get("href") for e in figure.iter() if e.get("href")]
    assert hrefs and set(hrefs) == {"issues/x\"'<>/"}
    assert figure.find(".//caption").text == hostile  # type: ignore[union-attr]


# ---- terminal: fundsite check, build and serve ---------------------------------------------------

HOSTILE_VALUE = (
    "\x1b[2J\x1b]0;pwned\x07\x9b31m\x7f\x85\u2028\u202e\u2066\u200f\u061c\r\n::error::x ##[error]y"
)
HOSTILE_FILE = "content/reports/2025/a\n::error file=x::b\x1b[31m\u202e\udcff.md"


def assert_terminal_safe(text: str) -> None:
    for line in text.split("\n"):
        assert not TERMINAL_UNSAFE.search(line), repr(line)
        assert not line.lstrip().startswith("::"), repr(line)
        assert "##[" not in line, repr(line)


def test_human_escapes_values_paths_and_source_lines(tmp_path: Path) -> None:
    """ESC, C1, NEL, U+2028, bidi controls and newline+:: in message, path and line stay inert."""
    source = f"title: ok\nbudget: {HOSTILE_VALUE.replace(chr(10), ' ').replace(chr(13), ' ')}\n"
    files = {HOSTILE_FILE: "---\n" + source + "---\n"}
    root = tmp_path / "site"
    make_site(root, files)
    problem = Problem(
        "error",
        "money-invalid",
        HOSTILE_FILE,
        3,
        9,
        field="budget",
        params={"value": HOSTILE_VALUE},
    )
    for lang in ("th", "en"):
        text = human([problem], root, lang, 1)
        assert_terminal_safe(text)
        lines = text.split("\n")
        assert len(lines) == 4  # the problem, the source line, the caret, the summary
        assert "\\x1b[2J" in lines[0] and "\\u202e" in lines[0] and "\\n::error" in lines[0]
        assert lines[0].startswith("content/reports/2025/a\\n::error file=x::b\\x1b[31m\\u202e")
        assert "\\x9b31m" in lines[1] and "\\x85" in lines[1]


def test_human_path_cannot_start_a_workflow_command(tmp_path: Path) -> None:
    """A file named like ::error (after spaces) does not begin a line with ::."""
    for name in ("::error::x.md", "  ::error::x.md", "\u3000::stop-commands::t.md"):
        text = human([Problem("error", "unreadable", name, 1, 1, params={})], tmp_path, "en", 1)
        assert_terminal_safe(text)
        assert text.split("\n")[0].startswith("./")


def test_human_caret_lines_up_under_the_escaped_line(tmp_path: Path) -> None:
    """The caret sits under the same character after ESC, tab and Thai marks are shown."""
    line = "x: \x1bก่\tำ\u202eV"
    (tmp_path / "a.yaml").write_text(f"{line}\n", encoding="utf-8")
    col = line.index("V") + 1
    text = human([Problem("error", "yaml-syntax", "a.yaml", 1, col)], tmp_path, "en", 1)
    _, source, caret, _ = text.split("\n")
    assert source == "     1 | x: \\x1bก่\\tำ\\u202eV"
    shown = source.removeprefix("     1 | ")
    before = shown[: shown.index("V")]
    width = sum(0 if unicodedata.category(c) == "Mn" else 1 for c in before)
    assert caret == "       | " + " " * width + "^"


def test_human_prints_thai_as_written(tmp_path: Path) -> None:
    """Thai letters, vowels and tone marks (ก่ ำ ั ็ ์) reach the terminal unchanged."""
    thai = "กองทุนหลักประกันสุขภาพ อบต.คลองแดน ก่ำั็์ ๑๒๓"
    (tmp_path / "a.yaml").write_text(f"name: {thai}\n", encoding="utf-8")
    problem = Problem(
        "error", "money-invalid", "a.yaml", 1, 7, field="name", params={"value": thai}
    )
    text = human([problem], tmp_path, "th", 1)
    assert thai in text.split("\n")[0] and text.split("\n")[1].endswith(thai)


def test_check_cli_output_is_terminal_safe(site) -> None:
    """fundsite check (human, the default) prints a hostile record value escaped."""
    value = yaml_string(HOSTILE_VALUE)
    site.write(
        {
            **RECORDS,
            "data/site.yaml": f"title: t\nbase_url: {BASE_URL}\n",
            PROJECT_PATH: replace_line(PROJECT, "budget:", f"budget: {value}"),
            REPORT_PATH: replace_line(REPORT, "title:", f"title: {value}\nbudjet: {value}"),
        }
    )
    run = site.cli("check", "{site}", "--lang", "en")
    assert run.code == 1
    assert "budget" in run.out and "budjet" in run.out
    assert_terminal_safe(run.out)
    assert_terminal_safe(run.err)


def test_build_cli_failure_output_is_terminal_safe(site, tmp_path: Path) -> None:
    """fundsite build refusing a hostile record prints its problems escaped."""
    value = yaml_string(HOSTILE_VALUE)
    site.write(
        {
            **RECORDS,
            "data/site.yaml": f"title: t\nbase_url: {BASE_URL}\n",
            PROJECT_PATH: replace_line(PROJECT, "budget:", f"budget: {value}"),
        }
    )
    run = site.cli("build", "{site}", "-o", str(tmp_path / "out"), "--no-search", "-j", "1")
    assert run.code != 0
    assert "budget" in run.out + run.err
    assert_terminal_safe(run.out)
    assert_terminal_safe(run.err)


def test_json_problems_escape_what_a_terminal_would_run(tmp_path: Path) -> None:
    """fundsite check --format json: C1, DEL, U+2028, bidi, ##[ escaped; values round-trip."""
    problem = Problem(
        "error",
        "money-invalid",
        HOSTILE_FILE,
        3,
        9,
        field="budget",
        params={"value": HOSTILE_VALUE},
    )
    text = as_json([problem], "en")
    assert_terminal_safe(text.replace("\n", " "))
    (item,) = json.loads(text)
    assert item["file"] == HOSTILE_FILE
    assert HOSTILE_VALUE in item["message"]


# ---- GitHub workflow commands --------------------------------------------------------------------


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_prop(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def test_github_one_command_per_problem(tmp_path: Path) -> None:
    """Newlines, CR, %, :: and , in values and file names cannot start or split a command."""
    problems = [
        Problem(
            "error", "money-invalid", HOSTILE_FILE, 3, 9, field="b", params={"value": HOSTILE_VALUE}
        ),
        Problem(
            "warning",
            "yaml-syntax",
            "a,b:c\r\n::warning::d%0A.md",
            1,
            1,
            params={"detail": "1%\r\n2"},
        ),
    ]
    text = github(problems, "en", root="portal/")
    lines = text.split("\n")
    assert len(lines) == len(problems)
    assert text.splitlines() == lines  # no CR, NEL or separator splits a line either
    for line, problem in zip(lines, problems, strict=True):
        assert line.startswith(f"::{problem.severity} file=")
        assert not TERMINAL_UNSAFE.search(line), repr(line)
        props, data = line.removeprefix(f"::{problem.severity} ").split("::", 1)
        fields = dict(item.split("=", 1) for item in props.split(","))
        assert set(fields) == {"file", "line", "col", "title"}
        assert fields["line"] == str(problem.line) and fields["title"] == problem.code
        file = _unescape_prop(fields["file"])
        assert file.startswith("portal/") and "\n" in file  # the real file, line break and all
        assert file.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e").replace(
            "\udcff", "\\udcff"
        ) == "portal/" + problem.file.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e").replace(
            "\udcff", "\\udcff"
        )
        assert "%" not in data.replace("%25", "").replace("%0D", "").replace("%0A", "")
    assert "1%\r\n2" in _unescape_data(lines[1].split("::", 2)[2])
    assert "\\x1b[2J" in lines[0] and "##[" not in lines[0]
