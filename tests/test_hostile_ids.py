"""Hostile pull requests, family 2: every value that becomes a path is constrained.

Ids become folder names and web addresses (``funds/<id>/index.html``, ``issues/<id>/``), and a
free page's file name becomes its address. Before, the ids ``.`` and ``..`` overwrote the home
page and the listings while ``check`` reported nothing, and an id such as ``index.json`` ended
the build with a traceback. Now one grammar (``types.id_problem``: Thai and ASCII letters and
digits, ``-``, ``_``, ``.``; no leading dot, no ``..``, no separators, control or invisible
characters; not one of the site's own names) is an error at the id's line and column, in every
id and every reference to one, and ``fundsite new`` uses it too; ids a reader cannot tell apart
(letter case, ``ำ``/``ํา``, the order of Thai marks) are errors; and one build-wide guard
(``plan.pages.path_conflicts``) refuses to write when two pages would write one file or a page
would write outside the output folder.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

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
    codes,
    describe,
    en,
    line_of,
    make_site,
    only,
    replace_line,
    th,
)
from fundsite.build import build
from fundsite.messages import ID_REASONS, pick
from fundsite.plan import views
from fundsite.plan.pages import PagePlan, path_conflicts, plan_site
from fundsite.validate import check_site
from fundsite.validate.types import id_problem

#: Texts of every ``ID_REASONS`` reason, as the messages say them (Thai, English).
START_TH, START_EN = "ต้องขึ้นต้นด้วยตัวอักษรหรือตัวเลข", "it must start with a letter or digit"
CHAR_TH = "ซึ่งใช้ในรหัสไม่ได้ (ใช้ได้เฉพาะตัวอักษรไทย อังกฤษ ตัวเลข และ - _ .)"
CHAR_EN = "ids use only Thai and English letters, digits, and - _ ."
DOTS_TH, DOTS_EN = "ห้ามมีจุดสองจุดติดกัน", "it must not hold two dots in a row or end with a dot"
LONG_TH, LONG_EN = "ยาวเกิน 200 ไบต์", "it is longer than 200 bytes"
RESERVED_TH, RESERVED_EN = "เป็นชื่อที่เว็บไซต์ใช้เองแล้ว", "the site uses that name for its own files"

LONG_THAI = "ก" * 67  # 201 bytes of UTF-8

# (the id as written in YAML, what the English and the Thai reason say)
BAD_IDS = [
    ('"."', f'{START_EN}, not "." U+002E FULL STOP', START_TH),
    ('".."', f'{START_EN}, not "." U+002E FULL STOP', START_TH),
    ("...", f'{START_EN}, not "." U+002E FULL STOP', START_TH),
    (".hidden", f'{START_EN}, not "." U+002E FULL STOP', START_TH),
    ("-L5218", f'{START_EN}, not "-" U+002D HYPHEN-MINUS', START_TH),
    ("ัL5218", f'{START_EN}, not "ั" U+0E31 THAI CHARACTER MAI HAN-AKAT', START_TH),
    ("../funds", 'it holds "/" U+002F SOLIDUS', CHAR_TH),
    ("a/b", 'it holds "/" U+002F SOLIDUS', CHAR_TH),
    ("'a\\b'", 'it holds "\\" U+005C REVERSE SOLIDUS', CHAR_TH),
    ('"a b"', "it holds U+0020 SPACE", CHAR_TH),
    ('"a\\tb"', "it holds U+0009", CHAR_TH),
    ('"a\\nb"', "it holds U+000A", CHAR_TH),
    ('"a\\0b"', "it holds U+0000", CHAR_TH),
    ('"a\\x1Bb"', "it holds U+001B", CHAR_TH),
    ('"L52\\u200B18"', "it holds U+200B ZERO WIDTH SPACE", CHAR_TH),
    ("L52\u200b18", "it holds U+200B ZERO WIDTH SPACE", CHAR_TH),  # written raw
    ("กอง\u200dทุน", "it holds U+200D ZERO WIDTH JOINER", CHAR_TH),
    ('"\\uFEFFL5218"', "it holds U+FEFF ZERO WIDTH NO-BREAK SPACE", CHAR_TH),
    ("L\u202e8125", "it holds U+202E RIGHT-TO-LEFT OVERRIDE", CHAR_TH),
    ('"L5218\\u00A0"', "it holds U+00A0 NO-BREAK SPACE", CHAR_TH),
    ("café", 'it holds "é" U+00E9 LATIN SMALL LETTER E WITH ACUTE', CHAR_TH),  # NFC
    ("cafe\u0301", "U+0301 COMBINING ACUTE ACCENT", CHAR_TH),  # NFD: refused alike
    ("ＬＳ218", 'it holds "Ｌ" U+FF2C FULLWIDTH LATIN CAPITAL LETTER L', CHAR_TH),
    ("a:b", 'it holds ":" U+003A COLON', CHAR_TH),
    ("a%2Fb", 'it holds "%" U+0025 PERCENT SIGN', CHAR_TH),
    ("L5218.", DOTS_EN, DOTS_TH),
    ("a..b", DOTS_EN, DOTS_TH),
    (LONG_THAI, LONG_EN, LONG_TH),
    ("index.json", RESERVED_EN, RESERVED_TH),
    ("INDEX.HTML", RESERVED_EN, RESERVED_TH),
    ("index.html", RESERVED_EN, RESERVED_TH),
    ("feed.xml", RESERVED_EN, RESERVED_TH),
    ("projects.csv", RESERVED_EN, RESERVED_TH),  # a listing's table, among the records
    ("By_Issue.CSV", RESERVED_EN, RESERVED_TH),
]


@pytest.mark.parametrize(("written", "reason_en", "reason_th"), BAD_IDS)
def test_bad_id_is_refused_at_its_line(site, written, reason_en, reason_th):
    """An id outside the grammar (dots, separators, controls, invisible, too long, reserved)."""
    path = "content/funds/L9999.md"
    problems = site.check({**RECORDS, path: replace_line(FUND, "id:", f"id: {written}")})
    assert [p.code for p in problems if p.severity == "error"] == ["bad-id"], describe(problems)
    p = only(problems, "bad-id")
    assert (p.file, p.line, p.col, p.field) == (path, 2, 5, "id")
    assert en(p).startswith("id cannot be an id (")
    assert reason_en in en(p)
    assert th(p).startswith("ช่อง id ใช้เป็นรหัสไม่ได้ (") and reason_th in th(p)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (FUND_PATH, FUND),
        (PLAN_PATH, PLAN),
        (PROJECT_PATH, PROJECT),
        (REPORT_PATH, REPORT),
        ("content/pages/about.md", "---\nid: about\ntitle: เกี่ยวกับ\n---\nข้อความ\n"),
    ],
)
@pytest.mark.parametrize("bad", ['".."', '"."', "index.json"])
def test_every_kind_refuses_bad_ids(site, path, text, bad):
    """``id: ..`` (or ``.``, ``index.json``) in a fund, plan, project, report or free page."""
    text = replace_line(text, "id:", f"id: {bad}")
    p = only(site.check({**RECORDS, path: text}), "bad-id")
    assert (p.file, p.line, p.col, p.field) == (path, line_of(text, "id:"), 5, "id")
    assert "id cannot be an id" in en(p) and "ช่อง id ใช้เป็นรหัสไม่ได้" in th(p)


@pytest.mark.parametrize("bad", ['".."', '"a/b"', "feed.xml", '"alc\\u200Bohol"'])
def test_issue_ids_are_constrained(site, bad):
    """An issue id in data/issues.yaml becomes ``issues/<id>/``: the same grammar."""
    issues = replace_line(ISSUES_YAML, "- id: tobacco", f"- id: {bad}")
    p = only(site.check({**RECORDS, "data/issues.yaml": issues}), "bad-id")
    assert (p.file, p.line, p.col, p.field) == ("data/issues.yaml", 4, 7, "id")
    assert "id cannot be an id" in en(p) and "ใช้เป็นรหัสไม่ได้" in th(p)


@pytest.mark.parametrize(
    ("line", "control", "yaml_en"),
    [
        ("id: L52\x0018", "#x0000", "control characters are not allowed (#x0000)"),
        ("id: L52\x1b18", "#x001b", "control characters are not allowed (#x001b)"),
        ("id: L52\x7f18", "#x007f", "control characters are not allowed (#x007f)"),
    ],
)
def test_raw_control_characters_are_a_yaml_error(site, line, control, yaml_en):
    """A raw NUL, ESC or DEL in an id: YAML refuses the file; the message says which one."""
    problems = site.check({**RECORDS, FUND_PATH: replace_line(FUND, "id:", line)})
    p = only(problems, "yaml-syntax")
    assert (p.severity, p.file, p.line, p.col) == ("error", FUND_PATH, 2, 8)
    assert en(p) == f"malformed YAML: {yaml_en}"
    assert th(p).startswith("เขียน YAML ผิดรูปแบบ") and control in th(p)


@pytest.mark.parametrize(
    ("path", "front", "field", "written", "reason_en"),
    [
        (PROJECT_PATH, PROJECT, "fund", "../x", 'it holds "/" U+002F SOLIDUS'),
        (PROJECT_PATH, PROJECT, "fund", '".."', START_EN),
        (PROJECT_PATH, PROJECT, "plan", "a/b", 'it holds "/" U+002F SOLIDUS'),
        (PROJECT_PATH, PROJECT, "plan", "index.json", RESERVED_EN),
        (PROJECT_PATH, PROJECT, "issues", '["../alcohol"]', 'it holds "/" U+002F SOLIDUS'),
        (REPORT_PATH, REPORT, "project", '"."', START_EN),
        (REPORT_PATH, REPORT, "project", '"68-L5218-4-01\\u200B"', "U+200B ZERO WIDTH SPACE"),
        (PLAN_PATH, PLAN, "fund", '"..\\\\x"', 'it holds "\\" U+005C REVERSE SOLIDUS'),
        (PLAN_PATH, PLAN, "issue", "../alcohol", 'it holds "/" U+002F SOLIDUS'),
    ],
)
def test_bad_reference_is_refused_in_its_field(site, path, front, field, written, reason_en):
    """``fund: ../x``, ``project: .``, ``issues: [../alcohol]``: refused where they are written."""
    text = replace_line(front, f"{field}:", f"{field}: {written}")
    problems = site.check({**RECORDS, path: text})
    p = only(problems, "bad-id")
    line = line_of(front, f"{field}:")
    shown = f"{field}[1]" if written.startswith("[") else field
    col = len(field) + 3 + (1 if written.startswith("[") else 0)
    assert (p.file, p.line, p.col, p.field) == (path, line, col, shown)
    assert en(p).startswith(f"{shown} cannot be an id (") and reason_en in en(p)
    assert th(p).startswith(f"ช่อง {shown} ใช้เป็นรหัสไม่ได้")
    assert "unknown" not in " ".join(codes(problems))  # one error, not a second "no such …"


@pytest.mark.parametrize(
    ("name", "reason_en", "reason_th"),
    [
        ("bad name", "it holds U+0020 SPACE", CHAR_TH),
        ("ข้อ\u200bมูล", "it holds U+200B ZERO WIDTH SPACE", CHAR_TH),
        ("about\u202etxt", "it holds U+202E RIGHT-TO-LEFT OVERRIDE", CHAR_TH),
        ("a..b", DOTS_EN, DOTS_TH),
        ("about.", DOTS_EN, DOTS_TH),
        ("index.json", RESERVED_EN, RESERVED_TH),
        ("feed.XML", RESERVED_EN, RESERVED_TH),
        ("ัหน้า", START_EN, START_TH),
        ("-about", START_EN, START_TH),
    ],
)
def test_free_page_file_name_is_constrained(site, name, reason_en, reason_th):
    """``content/pages/bad name.md`` (no ``id``): the file name is the address, so it is an id."""
    path = f"content/pages/{name}.md"
    problems = site.check({**RECORDS, path: "---\ntitle: เกี่ยวกับ\n---\nข้อความ\n"})
    p = only(problems, "bad-file-name")
    assert (p.severity, p.file, p.line, p.col, p.field) == ("error", path, 1, 1, None)
    assert en(p).startswith(f'the file name "{name}" cannot be an id: ') and reason_en in en(p)
    assert th(p).startswith(f'ชื่อไฟล์ "{name}" ใช้เป็นรหัสไม่ได้: ') and reason_th in th(p)


@pytest.mark.parametrize("record_id", ["62-ข-041", "กองทุน-ทดสอบ", "ก.ข.ค", "L5218_2", "๖๒-ก"])
def test_thai_ids_are_accepted_and_published(tmp_path, record_id):
    """The grammar refuses no ordinary Thai id; its pages are written where they belong."""
    path = f"content/funds/{record_id}.md"
    root = make_site(
        tmp_path / "site", {**RECORDS, path: replace_line(FUND, "id:", f"id: {record_id}")}
    )
    assert id_problem(record_id) is None
    out = tmp_path / "out"
    result = build(root, out, workers=1, index=False)
    assert result.ok, describe(result.problems)
    assert not [p for p in result.problems if p.file == path], describe(result.problems)
    assert (out / "funds" / record_id / "index.html").is_file()
    assert (out / "funds" / record_id / "index.json").is_file()


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".fundsite-output"
    }


DOT_FILES = {
    "content/funds/..md": replace_line(FUND, "id:", 'id: ".."'),
    "content/funds/...md": replace_line(FUND, "id:", 'id: "..."'),
    "content/projects/.md": replace_line(PROJECT, "id:", 'id: "."'),
    "content/reports/2025/.hidden.md": replace_line(REPORT, "id:", "id: .hidden"),
    "content/pages/..md": "---\ntitle: หน้าแรกปลอม\n---\nFORGED-HOME-PAGE\n",
}


def test_dot_files_do_not_overwrite_the_home_page(tmp_path):
    """Records in ``..md``, ``...md``, ``.md``, ``.hidden.md``: home page and listings untouched."""
    clean = build(
        make_site(tmp_path / "clean", RECORDS), tmp_path / "clean-out", workers=1, index=False
    )
    assert clean.ok, describe(clean.problems)
    root = make_site(tmp_path / "site", {**RECORDS, **DOT_FILES})
    out = tmp_path / "out"
    result = build(root, out, workers=1, index=False)
    assert not (tmp_path / "index.html").exists() and not (tmp_path / "funds").exists()
    if not result.ok:  # refused (see test_dot_files_are_reported): nothing written
        assert not out.exists()
        return
    published = _files(out)  # left out: nothing of them published, nothing overwritten
    assert published == _files(tmp_path / "clean-out")
    assert not any(part.startswith(".") for rel in published for part in rel.split("/")[:-1])
    assert not any(b"FORGED-HOME-PAGE" in data for data in published.values())


@pytest.mark.parametrize("rel", sorted(DOT_FILES))
def test_dot_files_are_reported(site, rel):
    """A record file whose name starts with a dot is an error, not silently left out."""
    problems = site.check({**RECORDS, rel: DOT_FILES[rel]})
    p = only(problems, "bad-file-name")
    assert (p.severity, p.file, p.line) == ("error", rel, 1)
    if rel.endswith("/.md"):  # no name at all
        assert en(p).endswith("it is empty") and th(p).endswith("ต้องไม่ว่าง")
    else:
        assert START_EN in en(p) and START_TH in th(p)


@pytest.mark.parametrize(
    ("written", "lang", "said"),
    [
        ('".."', "en", 'id cannot be an id (".."): it must start with a letter or digit, not "."'),
        ('".."', "th", 'ช่อง id ใช้เป็นรหัสไม่ได้ (".."): ต้องขึ้นต้นด้วยตัวอักษรหรือตัวเลข ไม่ใช่ "."'),
        ('"index.json"', "en", "the site uses that name for its own files; choose another"),
        ('"index.json"', "th", "เป็นชื่อที่เว็บไซต์ใช้เองแล้ว ให้ตั้งรหัสอื่น"),
        ('"a\\u200Bb"', "en", "it holds U+200B ZERO WIDTH SPACE"),
        ('"a\\u200Bb"', "th", "มีตัวอักษร U+200B ZERO WIDTH SPACE ซึ่งใช้ในรหัสไม่ได้"),
    ],
)
def test_bad_id_build_writes_nothing_and_the_cli_says_why(site, tmp_path, written, lang, said):
    """``fundsite build`` of a site with ``id: ..``: exit 1, the file:line:col, nothing written."""
    path = "content/funds/dotdot.md"
    site.write({**RECORDS, path: replace_line(FUND, "id:", f"id: {written}")})
    out = tmp_path / "out"
    run = site.cli("build", "{site}", "-o", str(out), "--no-search", "--lang", lang)
    assert run.code == 1
    printed = run.out + run.err
    assert f"{path}:2:5" in printed and said in printed
    assert not out.exists()


# ---- look-alike ids ------------------------------------------------------------------------------


def _fund(record_id: str) -> dict[str, str]:
    return {f"content/funds/{record_id}.md": replace_line(FUND, "id:", f"id: {record_id}")}


def _project(record_id: str) -> dict[str, str]:
    return {f"content/projects/{record_id}.md": replace_line(PROJECT, "id:", f"id: {record_id}")}


def _report(record_id: str) -> dict[str, str]:
    text = replace_line(REPORT, "id:", f"id: {record_id}")
    return {f"content/reports/2025/{record_id}.md": text}


@pytest.mark.parametrize(
    ("files", "first", "second"),
    [
        ({}, "L5218", "l5218"),  # two funds: one folder on Windows and macOS
        ({**_fund("กำ")}, "กำ", "กํา"),  # U+0E33 and U+0E4D U+0E32
        ({**_fund("กั่น")}, "กั่น", "ก่ัน"),  # the same marks in another order
        ({**_fund("ก่อ")}, "ก่อ", "ก่่อ"),  # a tone mark written twice is drawn once
        ({**_fund("เเก")}, "เเก", "แก"),  # two SARA E and one SARA AE
        ({**_fund("ABC-1")}, "ABC-1", "abc-1"),
    ],
)
def test_lookalike_funds_are_refused(site, files, first, second):
    """Two funds whose ids a reader cannot tell apart: the second read is an error at its id."""
    problems = site.check({**RECORDS, **files, **_fund(second)})
    p = only(problems, "id-lookalike")
    path = f"content/funds/{second}.md"
    assert (p.severity, p.file, p.line, p.col, p.field) == ("error", path, 2, 5, "id")
    assert en(p).startswith(f'id "{second}" looks the same as id "{first}" of the fund in ')
    assert f"content/funds/{first}.md" in en(p)
    assert th(p).startswith(f'รหัส "{second}" ดูเหมือนรหัส "{first}" ของกองทุนใน')
    assert "bad-id" not in codes(problems)


@pytest.mark.parametrize(
    ("files", "path", "kind_en", "kind_th"),
    [
        (_project("68-l5218-4-01"), "content/projects/68-l5218-4-01.md", "project", "โครงการ"),
        (
            _report("2025-03-01-Committee-Meeting"),
            "content/reports/2025/2025-03-01-committee-meeting.md",
            "report",
            "รายงาน",
        ),
        (
            {"content/pages/About.md": "---\nid: About\ntitle: ก\n---\n"},
            "content/pages/about.md",
            "page",
            "หน้า",
        ),
    ],
)
def test_lookalike_ids_of_other_kinds(site, files, path, kind_en, kind_th):
    """Projects, reports and free pages that differ only in letter case: one is refused."""
    records = {**RECORDS, "content/pages/about.md": "---\nid: about\ntitle: ข\n---\n", **files}
    problems = site.check(records)
    p = only(problems, "id-lookalike")
    assert (p.file, p.line, p.col, p.field) == (path, 2, 5, "id")
    assert f"of the {kind_en} in " in en(p) and f"ของ{kind_th}ใน" in th(p)


def test_lookalike_page_file_names(site):
    """``About.md`` and ``about.md`` without ids: one error, at the file that is read second."""
    page = "---\ntitle: เกี่ยวกับ\n---\n"
    problems = site.check(
        {**RECORDS, "content/pages/About.md": page, "content/pages/about.md": page}
    )
    p = only(problems, "id-lookalike")
    assert (p.severity, p.file, p.line, p.col, p.field) == (
        "error",
        "content/pages/about.md",
        2,
        1,
        None,
    )
    assert 'id "about" looks the same as id "About"' in en(p) and "ดูเหมือนรหัส" in th(p)


@pytest.mark.parametrize(("first", "second"), [("alcohol", "Alcohol"), ("tobacco", "TOBACCO")])
def test_lookalike_issues_are_refused(site, first, second):
    """``issues/alcohol/`` and ``issues/Alcohol/``: one folder on Windows and macOS."""
    issues = ISSUES_YAML + f"- id: {second}\n  name: ประเด็นซ้ำ\n"
    problems = site.check({**RECORDS, "data/issues.yaml": issues})
    p = only(problems, "id-lookalike")
    line = issues.split("\n").index(f"- id: {second}") + 1
    assert (p.file, p.line, p.col, p.field) == ("data/issues.yaml", line, 7, "id")
    assert f'id "{second}" looks the same as id "{first}" of the issue' in en(p)
    assert "ของประเด็น" in th(p)


# ---- fundsite new --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "args"),
    [
        ("fund", ["--kind", "local", "--name", "กองทุนทดสอบ"]),
        (
            "plan",
            ["--fund", "L5218", "--fiscal-year", "2568", "--issue", "alcohol", "--title", "x"],
        ),
    ],
)
@pytest.mark.parametrize("bad", ["..", ".", "a/b", "index.json", "a\u200bb", "ัก", "a..b"])
def test_fundsite_new_refuses_the_same_ids(site, monkeypatch, kind, args, bad):
    """``fundsite new fund --id ..``: refused with the reason check gives; no file written."""
    site.write(RECORDS)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    before = sorted(p for p in site.root.rglob("*") if p.is_file())
    reason, params = id_problem(bad)
    for lang in ("th", "en"):
        run = site.cli("new", kind, "{site}", "--id", bad, *args, "--lang", lang)
        assert run.code == 2
        assert pick(ID_REASONS[reason], lang).format(**params) in run.err
        assert "--id" in run.err
    assert sorted(p for p in site.root.rglob("*") if p.is_file()) == before


# ---- the build-wide guard ------------------------------------------------------------------------


def _page(path: str, **kw: object) -> PagePlan:
    return PagePlan(path, "page.html", views.free_page, **kw)  # type: ignore[arg-type]


HOME = [_page("index.html", feed="feed.xml"), _page("funds/index.html")]


@pytest.mark.parametrize(
    ("extra", "conflicts"),
    [
        ([_page("funds/a/index.html")] * 2, ["funds/a/index.html", "funds/a/index.json"]),
        ([_page("index.html", data=False)], ["index.html"]),  # over the home page
        ([_page("x/index.html", feed="index.json")], ["index.json"]),  # over the home's data
        (
            [_page("funds/a", data=False), _page("funds/a/index.html", data=False)],
            ["funds/a"],  # a file that another page needs as a folder
        ),
        ([_page("../x/index.html")], ["../x/index.html", "../x/index.json"]),
        (
            [_page("funds/../../x/index.html")],
            ["funds/../../x/index.html", "funds/../../x/index.json"],
        ),
        ([_page("funds/./index.html", data=False)], ["funds/./index.html"]),
        ([_page("/etc/index.html", data=False)], ["/etc/index.html"]),
        ([_page("funds//index.html", data=False)], ["funds//index.html"]),
        ([_page("funds\\..\\x/index.html", data=False)], ["funds\\..\\x/index.html"]),
        ([_page("static/app.js", data=False)], ["static/app.js"]),
        ([_page("media/x/index.html", data=False)], ["media/x/index.html"]),
        ([_page("pagefind/pagefind.js", data=False)], ["pagefind/pagefind.js"]),
        ([_page("sitemap.xml", data=False)], ["sitemap.xml"]),
        ([_page("data/x.csv", data=False)], ["data/x.csv"]),
        ([_page("data/all.json", data=False)], ["data/all.json"]),
        ([_page(".git/config", data=False)], [".git/config"]),
        ([_page("funds/.well-known/index.html", data=False)], ["funds/.well-known/index.html"]),
        ([_page("funds/a\x00b/index.html", data=False)], ["funds/a\x00b/index.html"]),
        ([_page("funds/a\nb/index.html", data=False)], ["funds/a\nb/index.html"]),
        (
            [_page("funds/L1/index.html", data=False), _page("funds/l1/index.html", data=False)],
            ["funds/l1/index.html"],  # one file on a case-insensitive file system
        ),
        ([_page("data/index.html", data=False), _page("data/x/index.html")], []),
        ([_page("funds/กำ/index.html"), _page("funds/ก.ข.ค/index.html")], []),
        (  # a table's CSV where a record's folder is (were a table named like an id)
            [_page("plans/index.html", tables=("x.csv",)), _page("plans/x.csv/index.html")],
            ["plans/x.csv"],
        ),
        (
            [_page("x/index.html", data=False, tables=("../../escaped.csv",))],
            ["x/../../escaped.csv"],
        ),
    ],
)
def test_path_conflicts(extra, conflicts):
    """Two pages on one file, a file where a folder must be, ``..``, the site's own files."""
    assert path_conflicts([*HOME, *extra]) == conflicts


def test_real_sites_have_no_conflicts(tmp_path):
    """The guard refuses nothing on a site with Thai ids of every kind."""
    files = {**RECORDS, **_fund("กองทุน-ทดสอบ"), **_fund("ก.ข.ค"), **_project("68-ก.ข.ค-4-01")}
    result = check_site(make_site(tmp_path / "site", files), workers=1)
    assert result.ok and result.graph is not None, describe(result.problems)
    plans = plan_site(result.graph)
    assert len(plans) > 20 and path_conflicts(plans) == []


@pytest.mark.parametrize(
    "forged",
    ["index.html", "funds/index.html", "../escaped/index.html", "static/style.css", "data/x.csv"],
)
def test_build_refuses_an_output_conflict(tmp_path, monkeypatch, forged):
    """Were an id to slip past check, a page over the home page or outside: nothing is written."""
    import fundsite.build

    real = fundsite.build.plan_site
    monkeypatch.setattr(
        fundsite.build, "plan_site", lambda graph: [*real(graph), _page(forged, data=False)]
    )
    root = make_site(tmp_path / "site", RECORDS)
    out = tmp_path / "out" / "build"
    result = build(root, out, workers=1, index=False)
    assert not result.ok
    p = only(result.problems, "output-conflict")
    assert (p.severity, p.file, p.params["value"]) == ("error", forged, forged)
    assert f"the output file {forged} would be written by two pages" in en(p)
    assert "nothing is built" in en(p) and "check the ids of the records" in en(p)
    assert f"ไฟล์ผลลัพธ์ {forged}" in th(p) and "จึงไม่สร้างเว็บ" in th(p)
    assert not out.exists() and not (tmp_path / "out" / "escaped").exists()


def test_the_guard_is_skipped_only_for_the_files_a_guarded_build_wrote(tmp_path, monkeypatch):
    """An incremental build whose pages would write exactly the files of the last build (which
    the guard passed) is not judged again; one page more, and it is, and refused."""
    import fundsite.build

    root = make_site(tmp_path / "site", RECORDS)
    out = tmp_path / "out"
    assert build(root, out, workers=1, index=False).ok
    judge, judged = fundsite.build.path_conflicts, []
    monkeypatch.setattr(
        fundsite.build,
        "path_conflicts",
        lambda plans, files: judged.append(plans) or judge(plans, files),
    )
    project = root / PROJECT_PATH
    project.write_text(project.read_text(encoding="utf-8").replace("title: ", "title: ก "))
    assert build(root, out, workers=1, index=False).ok and judged == []
    real = fundsite.build.plan_site
    monkeypatch.setattr(
        fundsite.build, "plan_site", lambda graph: [*real(graph), _page("index.html", data=False)]
    )
    project.write_text(project.read_text(encoding="utf-8").replace("title: ", "title: ข "))
    result = build(root, out, workers=1, index=False)
    assert not result.ok and len(judged) == 1
    assert only(result.problems, "output-conflict").params["value"] == "index.html"
