"""Stage 1: reading files, front matter, YAML with positions; and where messages point."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import (
    FUND,
    FUND_PATH,
    PROJECT,
    PROJECT_PATH,
    RECORDS,
    REPORT,
    REPORT_PATH,
    codes,
    describe,
    en,
    line_of,
    md,
    only,
    replace_line,
    th,
)
from fundsite.load.files import split_front_matter
from fundsite.load.yamlpos import PosDict, PosList, YamlSyntaxError, parse_yaml


def test_the_reference_site_is_clean(site):
    assert site.check(RECORDS) == []


def test_data_files_alone_are_clean(site):
    assert site.check({}) == []


# ---- front matter --------------------------------------------------------------------------------


def test_missing_front_matter(site):
    problems = site.check({**RECORDS, PROJECT_PATH: PROJECT.removeprefix("---\n")})
    p = only(problems, "front-matter-missing")
    assert (p.severity, p.file, p.line, p.col) == ("error", PROJECT_PATH, 1, 1)
    assert th(p) == "ไม่พบส่วนหัวข้อมูล (front matter): บรรทัดแรกของไฟล์ต้องเป็น ---"
    assert en(p) == "no front matter: the first line of the file must be ---"


def test_unclosed_front_matter(site):
    text = PROJECT.replace("status: in-progress\n---\n", "status: in-progress\n")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "front-matter-unclosed")
    assert (p.severity, p.file, p.line) == ("error", PROJECT_PATH, 1)
    assert th(p) == "ส่วนหัวข้อมูลไม่มีบรรทัด --- ปิดท้าย"
    assert en(p) == "the front matter is not closed by a --- line"


def test_empty_front_matter(site):
    p = only(site.check({"content/funds/x.md": "---\n---\nbody\n"}), "front-matter-empty")
    assert (p.severity, p.line) == ("error", 2)
    assert en(p) == "the front matter is empty"


def test_empty_file(site):
    p = only(site.check({"content/funds/x.md": ""}), "front-matter-missing")
    assert p.line == 1


def test_front_matter_that_is_a_list(site):
    p = only(site.check({"content/funds/x.md": "---\n- a\n- b\n---\n"}), "record-not-mapping")
    assert (p.severity, p.line, p.col) == ("error", 2, 1)
    assert th(p) == "ต้องเขียนเป็นชุด ชื่อช่อง: ค่า"


def test_front_matter_closed_by_dots():
    assert split_front_matter("---\na: 1\n...\nbody") == ("a: 1", 1, "body", 4)


def test_split_front_matter_codes():
    assert split_front_matter("a: 1\n") == "front-matter-missing"
    assert split_front_matter("---\na: 1\n") == "front-matter-unclosed"
    assert split_front_matter("\ufeff---\na: 1\n---\n")[0] == "a: 1"


# ---- YAML ----------------------------------------------------------------------------------------


def test_malformed_yaml_points_at_the_line(site):
    text = replace_line(PROJECT, "title:", "title: a: b")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "yaml-syntax")
    assert (p.severity, p.file, p.line, p.col) == ("error", PROJECT_PATH, 3, 9)
    assert th(p) == "เขียน YAML ผิดรูปแบบ: mapping values are not allowed in this context"
    assert en(p) == "malformed YAML: mapping values are not allowed in this context"


def test_unclosed_flow_list_is_a_yaml_error(site):
    text = replace_line(PROJECT, "issues:", "issues: [alcohol")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "yaml-syntax")
    assert p.file == PROJECT_PATH
    assert line_of(text, "issues:") <= p.line <= line_of(text, "issues:") + 1


def test_tab_indentation_is_a_yaml_error(site):
    text = md("id: x\nkind: local\nname: n\narea:\n\tprovince: สงขลา")
    p = only(site.check({"content/funds/x.md": text}), "yaml-syntax")
    assert p.line == 6  # the tab, on line 6 of the file (front matter starts on line 2)


def test_duplicate_key(site):
    text = replace_line(PROJECT, "organization:", "budget: 5")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    p = only(problems, "duplicate-key")
    assert (p.severity, p.file, p.field) == ("error", PROJECT_PATH, "budget")
    assert (p.line, p.col) == (line_of(PROJECT, "budget:"), 1)  # the second one
    assert p.params["first_line"] == line_of(PROJECT, "organization:")
    assert th(p) == "เขียนช่อง budget ซ้ำ (เขียนไว้แล้วที่บรรทัด 8)"
    assert en(p) == "field budget is written twice (first at line 8)"


def test_duplicate_nested_key(site):
    text = FUND.replace("spent: 280000.00", "spent: 280000.00\n    spent: 1")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "duplicate-key")
    assert (p.field, p.line, p.col) == ("spent", line_of(FUND, "spent:") + 1, 5)


def test_floats_stay_exact():
    data, _ = parse_yaml("a: 0.1\nb: 39918.00\nc: 1_000.50\nd: 0.30000000000000004\n")
    assert data == {
        "a": Decimal("0.1"),
        "b": Decimal("39918.00"),
        "c": Decimal("1000.50"),
        "d": Decimal("0.30000000000000004"),
    }
    assert all(isinstance(v, Decimal) for v in data.values())


def test_timestamps_stay_text():
    data, _ = parse_yaml("a: 2024-10-01\nb: 2024-10-01 10:00:00\n")
    assert data == {"a": "2024-10-01", "b": "2024-10-01 10:00:00"}


def test_positions_are_recorded():
    data, dups = parse_yaml("a: 1\nb:\n  - x\n  - {c: 2}\n", line_offset=1)
    assert dups == []
    assert isinstance(data, PosDict)
    assert data.key_pos["b"] == (3, 1)
    assert isinstance(data["b"], PosList)
    assert data["b"].item_pos == [(4, 5), (5, 5)]
    assert data["b"][1].value_pos["c"] == (5, 9)


def test_recursive_alias_is_a_syntax_error():
    with pytest.raises(YamlSyntaxError):
        parse_yaml("a: &a [*a]")


def test_alias_bomb_is_refused_quickly():
    lines = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    with pytest.raises(YamlSyntaxError) as info:
        parse_yaml("\n".join(lines))
    assert "anchors/aliases" in info.value.problem


def test_alias_bomb_in_a_record(site):
    lines = ["id: x", "kind: local", "name: n", "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    p = only(site.check({"content/funds/x.md": md("\n".join(lines))}), "yaml-syntax")
    assert p.line >= 1


def test_huge_integer_does_not_crash(site):
    text = replace_line(FUND, "population:", "population: " + "9" * 5000)
    problems = site.check({**RECORDS, FUND_PATH: text})
    assert any(p.severity == "error" and p.file == FUND_PATH for p in problems), describe(problems)


# ---- encodings and line endings ------------------------------------------------------------------


def test_crlf_record_is_clean(site):
    files = {path: text.replace("\n", "\r\n") for path, text in RECORDS.items()}
    assert site.check(files) == []


def test_crlf_keeps_line_numbers(site):
    text = replace_line(PROJECT, "budget:", "budjet: 39918.00").replace("\n", "\r\n")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "unknown-field")
    assert (p.line, p.col) == (line_of(PROJECT, "budget:"), 1)


@pytest.mark.parametrize("odd", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_do_not_shift_lines(site, odd):
    # YAML counts U+2028, U+2029 and NEL as line breaks; editors and GitHub do not
    text = replace_line(PROJECT, "title:", f'title: "โครงการ{odd}บริหาร"')
    text = replace_line(text, "budget:", "budjet: 1")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "unknown-field")
    assert (p.line, p.col) == (line_of(PROJECT, "budget:"), 1)


def test_unicode_line_separator_inside_a_line_keeps_the_column(site):
    text = replace_line(FUND, "population:", "population: 1\u2028budjet: 2")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "unknown-field")
    assert (p.line, p.col) == (line_of(FUND, "population:"), len("population: 1") + 2)


def test_control_character_points_at_its_line(site):
    text = replace_line(PROJECT, "responsible:", "responsible: นาย\x00ก")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "yaml-syntax")
    assert (p.line, p.col) == (line_of(PROJECT, "responsible:"), len("responsible: นาย") + 1)
    assert "#x0000" in en(p)


def test_bom_is_ignored(site):
    assert site.check({**RECORDS, PROJECT_PATH: "\ufeff" + PROJECT}) == []


def test_bom_in_data_file_is_ignored(site):
    from conftest import ISSUES_YAML

    assert site.check({**RECORDS, "data/issues.yaml": "\ufeff" + ISSUES_YAML}) == []


def test_not_utf8_is_an_error_and_the_rest_is_still_checked(site):
    files = {
        **RECORDS,
        FUND_PATH: FUND.encode("tis-620"),
        REPORT_PATH: replace_line(REPORT, "kind:", "kind: meting"),
    }
    problems = site.check(files)
    p = only(problems, "not-utf8")
    # the line of the first byte that is not UTF-8: the first Thai letter, in the name
    assert (p.severity, p.file, p.line, p.col) == ("error", FUND_PATH, line_of(FUND, "name:"), 1)
    assert th(p).startswith("ไฟล์นี้ไม่ได้บันทึกเป็น UTF-8")
    assert en(p).startswith("the file is not UTF-8 text")
    assert "invalid-choice" in codes(problems)  # one run reports everything


def test_unreadable_file_name_with_spaces_is_still_read(site):
    text = md("id: my page\ntitle: t")
    p = only(site.check({"content/pages/my page.md": text}), "bad-id")
    assert p.field == "id"


# ---- data files ----------------------------------------------------------------------------------


def test_issues_must_be_a_list(site):
    p = only(site.check({"data/issues.yaml": "alcohol: เหล้า\n"}), "data-not-list")
    assert (p.file, p.line, p.severity) == ("data/issues.yaml", 1, "error")


def test_issue_entry_must_be_a_mapping(site):
    problems = site.check({"data/issues.yaml": "- id: alcohol\n  name: เหล้า\n- tobacco\n"})
    p = only(problems, "record-not-mapping")
    assert (p.file, p.line, p.col) == ("data/issues.yaml", 3, 3)


def test_duplicate_issue_id(site):
    issues = "- id: alcohol\n  name: ก\n- id: alcohol\n  name: ข\n"
    p = only(site.check({"data/issues.yaml": issues}), "duplicate-id")
    assert (p.file, p.line, p.field) == ("data/issues.yaml", 3, "id")


def test_missing_site_yaml(site):
    site.write({})
    (site.root / "data" / "site.yaml").unlink()
    from fundsite.validate import check_site

    result = check_site(site.root)
    p = only(result.problems, "no-site")
    assert p.file == "data/site.yaml"
    assert en(p) == "data/site.yaml is missing"
    assert result.graph is None and not result.ok


def test_site_yaml_missing_title(site):
    p = only(site.check({"data/site.yaml": "base_url: https://example.org/\n"}), "missing")
    assert (p.file, p.field) == ("data/site.yaml", "title")


# ---- positions: the front matter offset and nested fields ----------------------------------------


def test_field_on_line_5_reports_line_5(site):
    text = md("id: x\nkind: local\nname: n\nbudjet: 1\narea: {province: สงขลา}")
    p = only(site.check({"content/funds/x.md": text}), "unknown-field")
    assert text.split("\n")[4] == "budjet: 1"
    assert (p.line, p.col, p.field) == (5, 1, "budjet")


def test_value_position_is_the_value(site):
    text = replace_line(FUND, "population:", "population: many")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "wrong-type")
    assert (p.line, p.col, p.field) == (line_of(FUND, "population:"), 13, "population")


def test_nested_list_item_position(site):
    text = PROJECT.replace("amount: 19918.00", "amount: -19918.00")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "money-negative")
    row = line_of(PROJECT, "- {start: 2025-04-01")
    assert p.field == "installments[2].amount"
    assert p.line == row
    assert p.col == text.split("\n")[row - 1].index("-19918") + 1


def test_block_list_item_position(site):
    text = md(
        """
        id: x
        kind: local
        name: n
        area: {province: สงขลา, district: ระโนด, subdistrict: คลองแดน}
        finances:
          - fiscal_year: 2568
            spent: 1
          - fiscal_year: 2569
            spent: 1.001
        """
    )
    p = only(site.check({"content/funds/x.md": text}), "money-decimals")
    assert (p.field, p.line, p.col) == ("finances[2].spent", 10, 12)


def test_problems_are_sorted_by_file_and_line(site):
    text = replace_line(PROJECT, "budget:", "budget: -1")
    text = replace_line(text, "title:", "title: [x]")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    keys = [(p.file, p.line, p.col) for p in problems]
    assert keys == sorted(keys)
    assert len(problems) == 2
