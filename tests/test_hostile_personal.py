"""Hostile pull requests, family 7: personal data in any YAML type, in any output.

Phone numbers (Thai forms, Thai digits), national ids and e-mail addresses are found in the
validated values (an unquoted national id is a YAML int), reported with the value masked, and
redacted from every published file: pages, CSV, JSON, feeds, the snapshot, the search index and
the git commit subjects shown in a page's history.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import (
    FUND_PATH,
    PLAN_PATH,
    PROJECT,
    PROJECT_PATH,
    RECORDS,
    REPORT,
    REPORT_PATH,
    en,
    line_of,
    make_site,
    only,
    replace_line,
    th,
)
from fundsite.build import build
from fundsite.history import CACHE_VERSION, KEEP, _read_cache, load_history, parse_log
from fundsite.validate.rules import REDACTED, find_personal_data, mask, redact

REPORT_ID = "2025-03-01-committee-meeting"
PROJECT_ID = "68-L5218-4-01"


def codes_of(problems) -> list[str]:
    return sorted(p.code for p in problems if p.code.startswith("personal"))


# ---- detection: phone numbers --------------------------------------------------------------------

PHONES = [
    "081-234-5678",
    "081 234 5678",
    "081.234.5678",
    "0812345678",
    "(081) 234-5678",
    "(081)234-5678",
    "081-2345678",
    "08-1234-5678",
    "02-123-4567",
    "(02) 123 4567",
    "0-2123-4567",
    "021234567",
    "074-123456",
    "074 123 456",
    "+66 81 234 5678",
    "+66-81-234-5678",
    "+66 (0) 81 234 5678",
    "+66(0)2-123-4567",
    "+66812345678",
    "+66 2 123 4567",
    "66812345678",  # +66812345678 unquoted: YAML reads the int 66812345678
    "๐๘๑-๒๓๔-๕๖๗๘",
    "๐๘๑ ๒๓๔ ๕๖๗๘",
    "๐๘๑-234-๕๖๗๘",
    "๐๒-๑๒๓-๔๕๖๗",
    "+๖๖ ๘๑ ๒๓๔ ๕๖๗๘",
]


@pytest.mark.parametrize("text", PHONES)
def test_phone_forms_are_found(text: str) -> None:
    """Attack: a phone number written in one of the common Thai forms slips past detection."""
    assert list(find_personal_data(f"ติดต่อ {text} ได้ทุกวัน")) == [("personal-phone", text)]
    assert list(find_personal_data(text)) == [("personal-phone", text)]
    assert list(find_personal_data(f"โทร.{text}.")) == [("personal-phone", text)]


NOT_PERSONAL = [
    "2024-10-01",
    "1 ต.ค. 2567",
    "39,918.00",
    "39918.00 บาท",
    "1,000,000.00",
    "12345678.90",
    "1234567890123.5",
    "68-L5218-4-01",
    "62-ข-041",
    "60-ข-087",
    "L5218-2568-alcohol",
    "ปีงบประมาณ 2568",
    "ปี 2567-2568",
    "2566 2567 2568",
    "900705",
    "900702 9007 90",
    "7.912",
    "[7.912, 100.456]",
    "2019-09-23-informal-workers-planning",
    "2023-11-27-progress-and-tools-consultation",
    "ISBN 978-616-123-456-7",
    "ISBN 978-0-306-40615-7",
    "13.00-16.30 น.",
    "08.30-12.00 13.00-16.30 น.",
    "08.30 - 12.00 13.00 - 16.30 น.",
    "05.10.2567 12.30 น.",
    "01-10-2024",
    "0.25 0.50 0.75 1.00 1.25",
    "0.812345678",
    "ร้อยละ 32.5 เป้าหมาย 28",
    "ผู้เข้าร่วม 25 คน",
    "3101001234564",  # national id with a wrong check digit
    "0994000123456",  # an agency's tax id (public): starts with 0
    "1330",  # the NHSO hotline: not a person's
    "https://example.org/2024/10/01/report-25.pdf",
    "IMG_20240101_083012.jpg",
    "ราคา 5 @ 100 บาท",
    "@somchai",
]


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_not_personal_data(text: str) -> None:
    """Attack (on the editors): dates, amounts, codes, years and times flagged as phones."""
    assert list(find_personal_data(text)) == []
    assert redact(text) == text


# ---- detection: national ids and e-mail addresses ------------------------------------------------

NATIONAL_IDS = [
    "1100700123455",
    "1-1007-00123-45-5",
    "1 1007 00123 45 5",
    "3101001234565",
    "3-1010-01234-56-5",
    "๑-๑๐๐๗-๐๐๑๒๓-๔๕-๕",
    "๑๑๐๐๗๐๐๑๒๓๔๕๕",
]


@pytest.mark.parametrize("text", NATIONAL_IDS)
def test_national_ids_are_found(text: str) -> None:
    """Attack: a national id spaced, hyphenated or in Thai digits slips past detection."""
    assert list(find_personal_data(f"เลขบัตร {text}.")) == [("personal-national-id", text)]
    assert list(find_personal_data(text)) == [("personal-national-id", text)]


EMAILS = [
    "somchai@example.org",
    "s.jaidee+fund@gmail.com",
    "fund_office-2@klongdan.go.th",
    "x@อบต.ไทย",
]


@pytest.mark.parametrize("text", EMAILS)
def test_email_addresses_are_found(text: str) -> None:
    """Attack: an e-mail address is published (a new kind of personal data)."""
    assert list(find_personal_data(f"อีเมล {text}, ตอบทุกวัน")) == [("personal-email", text)]
    assert list(find_personal_data(f"<{text}>")) == [("personal-email", text)]
    if text.isascii():  # (where a Thai domain ends in unspaced Thai text cannot be told)
        assert list(find_personal_data(f"ส่งที่{text}ครับ")) == [("personal-email", text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "โทร 081 234 5678 12 คน, 089-765-4321. 02-123-4567/8",
            f"โทร {REDACTED} 12 คน, {REDACTED}. {REDACTED}/8",
        ),
        ("081-234-5678,089-765-4321", f"{REDACTED},{REDACTED}"),
        ("02-123-4567/089-765-4321", f"{REDACTED}/{REDACTED}"),
        ("1,000,081,234,567 บาท", "1,000,081,234,567 บาท"),
        ("05/09/2567 ถึง 01/02/2568", "05/09/2567 ถึง 01/02/2568"),
        ("เลข 1100700123455 โทร 0812345678", f"เลข {REDACTED} โทร {REDACTED}"),
        ("ส่งที่ a@b.co หรือ ๐๘๑๒๓๔๕๖๗๘", f"ส่งที่ {REDACTED} หรือ {REDACTED}"),
        ("เวลา 08.30 น. 0812345678", f"เวลา 08.30 น. {REDACTED}"),
    ],
)
def test_several_in_one_text(text: str, expected: str) -> None:
    """Attack: a second number hides behind the first (lists, counts, alternate lines)."""
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("code", "found", "shown"),
    [
        ("personal-phone", "081-234-5678", "081-xxx-x678"),
        ("personal-phone", "0812345678", "081xxxx678"),
        ("personal-phone", "02-123-4567", "02-xxx-x567"),
        ("personal-phone", "+66 (0) 81 234 5678", "+66 (0) 81 xxx x678"),
        ("personal-phone", "๐๘๑-๒๓๔-๕๖๗๘", "๐๘๑-xxx-x๖๗๘"),
        ("personal-national-id", "1-1007-00123-45-5", "1-1007-xxxxx-xx-5"),
        ("personal-national-id", "1100700123455", "11007xxxxxxx5"),
        ("personal-email", "somchai@example.org", "s***@example.org"),
    ],
)
def test_values_are_masked(code: str, found: str, shown: str) -> None:
    """Attack: the check's own messages re-publish the number in full in CI logs."""
    assert mask(code, found) == shown


@pytest.mark.parametrize(
    "text",
    [
        "0 " * 50_000,
        "0" * 100_000,
        "0812345678 " * 10_000,
        "08.30-12.00 " * 10_000,
        "a@" * 50_000,
        "a." * 50_000 + "@",
        "1-" * 50_000,
    ],
)
def test_hostile_text_is_fast(text: str) -> None:
    """Attack: a huge field of digits and separators makes the check take forever."""
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 3


# ---- checking records: any YAML type, positions, ids ---------------------------------------------


def test_unquoted_national_id_in_a_text_field(site) -> None:
    """Attack (the reported one): `responsible: 1100700123455` unquoted is a YAML int."""
    text = replace_line(PROJECT, "responsible:", "responsible: 1100700123455")
    result = site.result({**RECORDS, PROJECT_PATH: text})
    p = only(result.problems, "personal-national-id")
    assert (p.severity, p.field) == ("warning", "responsible")
    assert (p.line, p.col) == (line_of(text, "responsible:"), 14)
    assert en(p) == (
        "responsible contains a 13-digit number that looks like a national ID (11007xxxxxxx5):"
        " personal data"
    )
    assert "1100700123455" not in th(p)
    assert result.graph.projects[PROJECT_ID].record.responsible == REDACTED


@pytest.mark.parametrize(
    ("old", "new", "code", "field"),
    [
        ("participants:", "participants: 1100700123455", "personal-national-id", "participants"),
        ("participants:", 'participants: "0812345678"', "personal-phone", "participants"),
        ("participants:", "participants: +66812345678", "personal-phone", "participants"),
    ],
)
def test_personal_data_in_a_number_field(site, old, new, code, field) -> None:
    """Attack: a national id or phone in a number field cannot be redacted in place."""
    text = replace_line(REPORT, old, new)
    result = site.result({**RECORDS, REPORT_PATH: text})
    p = only(result.problems, code)
    assert (p.severity, p.field, p.line, p.col) == ("warning", field, line_of(text, old), 15)
    assert p.hint == "hint-personal-number"
    assert result.ok
    assert result.graph.reports[REPORT_ID].record.participants is None  # pages say "ไม่ระบุ"


def test_national_id_in_nested_number_fields(site) -> None:
    """Attack: a national id in a nested int (planned) or decimal (size) field."""
    text = PROJECT.replace("planned: 25", "planned: 1100700123455").replace(
        "size: 29.0", "size: 3101001234565"
    )
    result = site.result({**RECORDS, PROJECT_PATH: text})
    found = sorted((p.field, p.line) for p in result.problems if p.code == "personal-national-id")
    assert found == [
        ("objectives[1].size", line_of(text, "- {text: พัฒนา")),
        ("target_groups[1].planned", line_of(text, "- {name:")),
    ]
    record = result.graph.projects[PROJECT_ID].record
    assert record.target_groups[0].planned is None
    assert record.objectives[0].size is None


def test_positions_of_reshaped_fields(site) -> None:
    """Attack: personal data in a plain field and in a list item's field (a photo's alt)."""
    project = PROJECT.replace("status:", "mentor: พี่เลี้ยง somchai@example.org\nstatus:")
    photo = "content/media/p.jpg"
    report = replace_line(
        REPORT, "spent:", "spent: 3500.00\nphotos:\n  - {src: media/p.jpg, alt: โทร 081-234-5678}"
    )
    result = site.result(
        {**RECORDS, PROJECT_PATH: project, REPORT_PATH: report, photo: b"\xff\xd8\xff\xe0"}
    )
    email = only(result.problems, "personal-email")
    assert (email.field, email.line, email.col) == ("mentor", line_of(project, "mentor:"), 9)
    phone = only(result.problems, "personal-phone")
    assert (phone.field, phone.line) == ("photos[1].alt", line_of(report, "- {src:"))
    assert result.graph.reports[REPORT_ID].record.photos[0].alt == f"โทร {REDACTED}"


def test_personal_data_in_a_one_item_area(site) -> None:
    """Attack: a phone in an area written as one mapping (the model holds a list)."""
    text = replace_line(
        PROJECT,
        "area:",
        "area: {province: สงขลา, district: ระโนด, subdistrict: คลองแดน 0812345678}",
    )
    problems = site.result({**RECORDS, PROJECT_PATH: text}).problems
    p = only(problems, "personal-phone")
    assert (p.field, p.line) == ("area.subdistrict", line_of(text, "area:"))
    assert p.col == text.split("\n")[p.line - 1].index("คลองแดน 08") + 1


def test_photo_written_as_text_is_an_address(site) -> None:
    """Attack: a phone in a photo's file name, given as text (the model makes it {src})."""
    photo = "content/media/0812345678.jpg"
    report = replace_line(REPORT, "spent:", "spent: 3500.00\nphotos: [media/0812345678.jpg]")
    result = site.result({**RECORDS, REPORT_PATH: report, photo: b"\xff\xd8\xff\xe0"})
    p = only(result.problems, "personal-in-address")
    assert (p.severity, p.field, p.line) == ("error", "photos[1].src", line_of(report, "photos"))
    assert not result.ok


@pytest.mark.parametrize(
    ("path", "text", "field"),
    [
        (
            "content/projects/0812345678.md",
            replace_line(PROJECT, "id:", "id: 0812345678"),
            "id",
        ),
        (
            REPORT_PATH,
            replace_line(REPORT, "project:", "project: 1100700123455"),
            "project",
        ),
        (
            PROJECT_PATH,
            replace_line(PROJECT, "fund:", "fund: 081-234-5678"),
            "fund",
        ),
        (
            PROJECT_PATH,
            replace_line(PROJECT, "issues:", "issues: [alcohol, 1100700123455]"),
            "issues[2]",
        ),
    ],
)
def test_personal_data_in_an_id_is_an_error(site, path, text, field) -> None:
    """Attack: an id or a reference holds personal data; ids become URLs, never redacted."""
    files = {**RECORDS, path: text}
    result = site.result(files)
    p = only(result.problems, "personal-in-address")
    assert (p.severity, p.field) == ("error", field)
    assert en(p).startswith(f"{field} becomes part of the site's addresses (URLs)")
    for secret in ("0812345678", "1100700123455", "234-5678"):
        assert secret not in en(p) and secret not in th(p)
    assert not result.ok


def test_cli_output_masks_the_value(site) -> None:
    """Attack: `fundsite check --format json|github` prints the number to public CI logs."""
    text = replace_line(PROJECT, "responsible:", "responsible: นายพัฒยะ 081-234-5678 a@ex.org")
    site.write({**RECORDS, PROJECT_PATH: text})
    for fmt in ("json", "github"):
        run = site.cli("check", "{site}", "--format", fmt, "--lang", "en")
        assert run.code == 0
        assert "081-xxx-x678" in run.out and "a***@ex.org" in run.out
        assert "234-5678" not in run.out and "a@ex.org" not in run.out
    problems = json.loads(site.cli("check", "{site}", "--format", "json").out)
    assert sorted(p["code"] for p in problems if p["code"].startswith("personal")) == [
        "personal-email",
        "personal-phone",
    ]


def test_body_forms_are_reported_and_redacted(site) -> None:
    """Attack: phones, ids and e-mails in the Markdown body, in several forms per line."""
    body = (
        "ติดต่อ (081) 234-5678 หรือ +66 (0) 91 357 2468\n"
        "เลข ๑-๑๐๐๗-๐๐๑๒๓-๔๕-๕ อีเมล somchai@example.org\n"
        "ประชุม 08.30-12.00 น. งบ 39,918.00 บาท\n"
    )
    text = REPORT + body
    result = site.result({**RECORDS, REPORT_PATH: text})
    first = line_of(text, "ติดต่อ")
    lines = text.split("\n")

    def col(line: int, value: str) -> int:
        return lines[line - 1].index(value) + 1

    found = [
        (p.code, p.line, p.col, p.params["value"])
        for p in result.problems
        if p.code.startswith("personal")
    ]
    assert sorted(found) == sorted(
        [
            ("personal-phone", first, 8, "(081) xxx-x678"),
            ("personal-phone", first, col(first, "+66"), "+66 (0) 91 xxx x468"),
            ("personal-national-id", first + 1, 5, "๑-๑๐๐๗-xxxxx-xx-๕"),
            ("personal-email", first + 1, col(first + 1, "somchai"), "s***@example.org"),
        ]
    )
    out = result.graph.reports[REPORT_ID].body
    assert out.endswith(
        f"ติดต่อ {REDACTED} หรือ {REDACTED}\nเลข {REDACTED} อีเมล {REDACTED}\n"
        "ประชุม 08.30-12.00 น. งบ 39,918.00 บาท\n"
    )


def test_data_files_are_not_scanned(site) -> None:
    """Decision: an office's phone in data/site.yaml is the operator's, not a person's."""
    site_yaml = "title: พอร์ทัลทดสอบ\nbase_url: /\ndescription: สำนักงานกองทุน โทร 074-123456\n"
    result = site.result({**RECORDS, "data/site.yaml": site_yaml})
    assert codes_of(result.problems) == []
    assert result.graph.site.description.endswith("074-123456")


# ---- every output of a build ---------------------------------------------------------------------

#: (value as written, in a YAML-safe form) → where it goes; each must vanish from every file.
PERSONAL = {
    "responsible": "1100700123455",
    "organization": "+66 (0) 86 512 3497",
    "mentor": "089.734.2615",
    "title": "(02) 617 4389",
    "objective": "๐๘๔-๗๒๓-๑๙๕๖",
    "target_group": "somjai.k@example.org",
    "body_phone": "081 765 4329",
    "body_intl": "+66-91-357-2468",
    "body_landline": "0-7431-2987",
    "body_id": "3-1010-01234-56-5",
    "body_email": "fund.person@gmail.com",
    "report_title": "093-456-1278",
    "reporter": "๐๖๑ ๒๔๘ ๓๓๗๙",
    "participants": "3409900123451",
    "report_body": "+6681 765 4391",
}

_THAI = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _forms(value: str) -> set[str]:
    """The value as written, its digits alone (ASCII and Thai), and without +66."""
    forms = {value}
    if "@" not in value:
        digits = re.sub(r"\D", "", value)
        ascii_digits = digits.translate(_THAI)
        forms |= {digits, ascii_digits}
        if value.startswith("+66"):
            national = ascii_digits[2:]
            forms.add(national if national.startswith("0") else "0" + national)
    return forms


def _hostile_site(root: Path) -> Path:
    v = PERSONAL
    project = PROJECT
    project = replace_line(project, "responsible:", f"responsible: {v['responsible']}")
    project = replace_line(
        project, "organization:", f"organization: ชมรม อสม. โทร. {v['organization']}"
    )
    project = replace_line(project, "title:", f"title: โครงการพัฒนาศักยภาพกองทุน ติดต่อ {v['title']}")
    project = project.replace("status: in-progress", f"status: in-progress\nmentor: {v['mentor']}")
    project = project.replace(
        "{text: พัฒนาศักยภาพกรรมการ", f"{{text: พัฒนาศักยภาพกรรมการ {v['objective']}"
    )
    project = project.replace("{name: คณะกรรมการกองทุน", f"{{name: คณะกรรมการ {v['target_group']}")
    project += (
        f"\nโทร {v['body_phone']} หรือ {v['body_intl']} สำนักงาน {v['body_landline']}\n"
        f"เลขบัตร {v['body_id']} อีเมล [{v['body_email']}](mailto:{v['body_email']})\n"
    )
    report = REPORT
    report = replace_line(report, "title:", f"title: ประชุมคณะกรรมการ ผู้ประสาน {v['report_title']}")
    report = replace_line(report, "reporter:", f"reporter: คณิชญา {v['reporter']}")
    report = replace_line(report, "participants:", f"participants: {v['participants']}")
    report += f"\nติดต่อผู้รายงาน {v['report_body']}\n"
    return make_site(root, {**RECORDS, PROJECT_PATH: project, REPORT_PATH: report})


def _published(out: Path) -> Iterator[tuple[str, str]]:
    """``(name, text)`` of every file of the build: gzip (Pagefind) opened, zip members too."""
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        name = str(path.relative_to(out))
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    text = archive.read(member).decode("utf-8-sig", "replace")
                    yield f"{name}!{member}", text
        yield name, data.decode("utf-8", "replace")


#: What may separate the digits of a number in a published file: spaces, Pagefind's zero-width
#: spaces between segmented words, dashes, dots, parentheses, ``+``, HTML's &nbsp;.
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s\u200b\u00a0().+-]+(?=\d)")


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    root = tmp_path_factory.mktemp("hostile")
    site = _hostile_site(root / "site")
    out = root / "out"
    result = build(site, out, workers=1, index=True)
    return result, out


def test_the_hostile_site_is_checked(hostile_build) -> None:
    """Attack: personal data in every kind of field passes the check unreported."""
    result, _ = hostile_build
    assert result.ok, result.problems
    assert codes_of(result.problems) == sorted(
        ["personal-national-id"] * 3 + ["personal-email"] * 3 + ["personal-phone"] * 10
    )


def test_no_personal_data_in_any_output(hostile_build) -> None:
    """Attack: a value redacted in pages still leaks through CSV, JSON, feeds, zip or index."""
    _, out = hostile_build
    files = list(_published(out))
    kinds = {name.rsplit(".", 1)[-1] for name, _ in files}
    assert {"html", "csv", "json", "xml", "pf_fragment", "pf_index"} <= kinds
    assert any("!" in name for name, _ in files)  # the snapshot's members were read
    forms = {form for value in PERSONAL.values() for form in _forms(value)}
    for name, text in files:
        plain = text.replace("\u200b", "")  # Pagefind's text: segmented words
        joined = _BETWEEN_DIGITS.sub("", text)
        for form in forms:
            assert form not in plain, (name, form)
            if "@" not in form:
                assert form not in joined, (name, form)


def test_redaction_reaches_each_output(hostile_build) -> None:
    """Attack (on the test): outputs that drop the field would pass without being redacted."""
    _, out = hostile_build
    files = dict(_published(out))
    project_page = files[f"projects/{PROJECT_ID}/index.html"]
    assert project_page.count(REDACTED) >= 9
    assert "ไม่ระบุ" in files[f"reports/{REPORT_ID}/index.html"]  # participants left out
    for name in ("data/projects.csv", "data/projects.json", "data/reports.csv", "feed.xml"):
        assert REDACTED in files[name], name
    snapshot = [text for name, text in files.items() if name.endswith("!projects.json")]
    assert len(snapshot) == 1 and REDACTED in snapshot[0]
    fragments = [t for n, t in files.items() if n.endswith(".pf_fragment") and PROJECT_ID in t]
    assert fragments and all(REDACTED in t.replace("\u200b", "") for t in fragments)
    projects = json.loads(files["data/projects.json"].removeprefix("\ufeff"))
    record = next(p for p in projects if p["id"] == PROJECT_ID)
    assert record["responsible"] == REDACTED
    reports = json.loads(files["data/reports.json"].removeprefix("\ufeff"))
    assert next(r for r in reports if r["id"] == REPORT_ID)["participants"] in ("", None)


# ---- git history ---------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str, when: str = "2025-01-15T10:00:00+07:00") -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True, check=True)


SUBJECT = "แก้เบอร์ผู้รับผิดชอบเป็น 081-234-5678 แจ้งโดย somchai@example.org เลข 1100700123455"
SUBJECT_REDACTED = f"แก้เบอร์ผู้รับผิดชอบเป็น {REDACTED} แจ้งโดย {REDACTED} เลข {REDACTED}"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    site = make_site(tmp_path / "portal", RECORDS)
    (site / ".gitignore").write_text("/.fundsite-cache/\n", encoding="utf-8")
    _git(site, "init", "-q")
    _git(site, "config", "user.name", "Editor")
    _git(site, "config", "user.email", "editor@example.org")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", "นำเข้าข้อมูล")
    with (site / PROJECT_PATH).open("a", encoding="utf-8") as f:
        f.write("\nเพิ่มผลการดำเนินงาน\n")
    _git(site, "add", "-A")
    _git(site, "commit", "-q", "-m", SUBJECT, when="2025-02-01T10:00:00+07:00")
    return site


@needs_git
def test_commit_subject_on_the_page_is_redacted(repo: Path, tmp_path: Path) -> None:
    """Attack: a commit subject with a phone, e-mail and id shows on the record's page."""
    for run in ("git", "cache"):  # the second build reads the history from its cache
        out = tmp_path / f"out-{run}"
        result = build(repo, out, workers=1, index=False)
        assert result.ok, result.problems
        html = (out / f"projects/{PROJECT_ID}/index.html").read_text(encoding="utf-8")
        assert SUBJECT_REDACTED in html, run
        for secret in ("081-234-5678", "somchai@example.org", "1100700123455"):
            assert secret not in html, (run, secret)
    history = load_history(repo)
    assert history[PROJECT_PATH].last.subject == SUBJECT_REDACTED
    assert history[FUND_PATH].last.subject == "นำเข้าข้อมูล"
    assert PLAN_PATH in history


def test_commit_subjects_from_git_log_are_redacted() -> None:
    """Attack: the subject parsed from `git log` output keeps the number."""
    log = f"\x011735700000 {'a' * 40} {SUBJECT}\0\n{PROJECT_PATH}\0".encode()
    (commit,) = parse_log(log)[PROJECT_PATH]
    assert commit.subject == SUBJECT_REDACTED


def test_commit_subjects_from_an_old_cache_are_redacted(tmp_path: Path) -> None:
    """Attack: a history cache written before redaction still holds the raw subject."""
    cache = tmp_path / "history.json"
    data = {
        "version": CACHE_VERSION,
        "head": "b" * 40,
        "keep": KEEP,
        "commits": [[1735700000, "a" * 10, SUBJECT], [1735600000, "c" * 10, "นำเข้าข้อมูล"]],
        "files": {PROJECT_PATH: [2, 0, 1]},
    }
    cache.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    cached = _read_cache(cache, KEEP)
    assert cached is not None
    head, files = cached
    assert head == "b" * 40
    assert [c.subject for c in files[PROJECT_PATH].commits] == [SUBJECT_REDACTED, "นำเข้าข้อมูล"]
