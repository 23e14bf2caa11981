"""One record at a time: required fields, types, unknown fields, ids."""

from __future__ import annotations

import json

import pytest

from conftest import (
    FUND,
    FUND_PATH,
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
    hint_en,
    hint_th,
    line_of,
    md,
    only,
    replace_line,
    th,
)

KINDS = {
    "fund": (FUND_PATH, FUND),
    "plan": (PLAN_PATH, PLAN),
    "project": (PROJECT_PATH, PROJECT),
    "report": (REPORT_PATH, REPORT),
}

# the spec's required-field table
REQUIRED = {
    "fund": ["id", "kind", "name"],
    "plan": ["id", "fund", "fiscal_year", "issue", "title"],
    "project": ["id", "title", "fund"],
    "report": ["id", "project", "title", "date"],
}
RECOMMENDED = {"fund": ["area"], "project": ["budget", "start", "end", "area"]}
FUND_NO_FINANCES = FUND[: FUND.index("finances:")] + "finances: {fiscal_year: 2568}\n---\n"


# ---- required fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "field"), [(k, f) for k, fields in REQUIRED.items() for f in fields]
)
def test_missing_required_field(site, kind, field):
    path, text = KINDS[kind]
    problems = site.check({**RECORDS, path: replace_line(text, f"{field}:", "")})
    p = only(problems, "missing")
    assert (p.severity, p.file, p.field) == ("error", path, field)
    assert (p.line, p.col) == (2, 1)  # where the record starts
    assert th(p) == f"ไม่ได้กรอกช่อง {field} ซึ่งต้องกรอก"
    assert en(p) == f"required field {field} is missing"
    # only this record is blamed: its references are not reported as "there is no …"
    assert {q.file for q in problems} == {path}, describe(problems)
    assert all(q.severity == "warning" or q.code == "missing" for q in problems)


@pytest.mark.parametrize(
    ("kind", "field"), [(k, f) for k, fields in REQUIRED.items() for f in fields]
)
def test_required_field_left_empty(site, kind, field):
    path, text = KINDS[kind]
    problems = site.check({**RECORDS, path: replace_line(text, f"{field}:", f"{field}:")})
    assert any(p.severity == "error" and p.field == field for p in problems), describe(problems)


@pytest.mark.parametrize("kind", list(REQUIRED))
def test_only_required_fields_is_enough(site, kind):
    minimal = {
        "fund": "id: L5218\nkind: local\nname: n",
        "plan": "id: L5218-2568-alcohol\nfund: L5218\nfiscal_year: 2568\nissue: alcohol\ntitle: t",
        "project": "id: 68-L5218-4-01\ntitle: t\nfund: L5218\nissues: [alcohol]",
        "report": "id: 2025-03-01-committee-meeting\nproject: 68-L5218-4-01\ntitle: t\n"
        "date: 2025-03-01",
    }
    path, _ = KINDS[kind]
    problems = site.check({**RECORDS, path: md(minimal[kind])})
    assert [p for p in problems if p.severity == "error"] == [], describe(problems)
    warned = sorted(p.field for p in problems if p.code == "missing-recommended")
    assert warned == sorted(RECOMMENDED.get(kind, []))


def test_page_needs_a_title(site):
    p = only(site.check({"content/pages/about.md": md("description: d")}), "missing")
    assert p.field == "title"


def test_page_id_defaults_to_its_file_name(site):
    result = site.result({"content/pages/about.md": md("title: เกี่ยวกับ")})
    assert "about" in result.graph.pages


# ---- recommended fields --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "field"), [(k, f) for k, fields in RECOMMENDED.items() for f in fields]
)
def test_missing_recommended_field_warns(site, kind, field):
    path, text = KINDS[kind]
    problems = site.check({**RECORDS, path: replace_line(text, f"{field}:", "")})
    p = only(problems, "missing-recommended")
    assert (p.severity, p.file, p.field, p.line) == ("warning", path, field, 2)
    assert th(p) == f'ไม่ได้กรอกช่อง {field} (หน้าเว็บจะแสดงว่า "ไม่ระบุ")'
    assert en(p) == f'{field} is not filled in (pages will say "not stated")'
    assert hint_th(p) == "กรอกเมื่อทราบข้อมูล"
    assert [q.severity for q in problems] == ["warning"] * len(problems)


@pytest.mark.parametrize("field", ["budget", "start", "end", "area"])
def test_recommended_field_written_as_null_warns(site, field):
    text = replace_line(PROJECT, f"{field}:", f"{field}: null")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    assert only(problems, "missing-recommended").field == field


# ---- wrong types ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "old", "new", "field", "code", "expected_en"),
    [
        (FUND_PATH, FUND, "population:", "population: many", "population", "wrong-type",
         'population must be a whole number, not "many"'),
        (FUND_PATH, FUND, "name:", "name: [a, b]", "name", "wrong-type",
         "name must be text, not […]"),
        (FUND_PATH, FUND, "kind:", "kind: locl", "kind", "invalid-choice",
         "kind is \"locl\", which is not one of the allowed values ('local' or 'programme')"),
        (FUND_PATH, FUND_NO_FINANCES, "finances:", "finances: [[1]]", "finances[1]",
         "wrong-type", "finances[1] must be a set of field: value lines, not […]"),
        (FUND_PATH, FUND_NO_FINANCES, "finances:", "finances: {fiscal_year: 2568}", "finances",
         "wrong-type", "finances must be a list, not {…}"),
        (FUND_PATH, FUND, "population:", "population: -3", "population", "out-of-range",
         "population is -3, outside the allowed range (≥ 0)"),
        (PROJECT_PATH, PROJECT, "support_type:", "support_type: 9", "support_type",
         "out-of-range", "support_type is 9, outside the allowed range (≤ 5)"),
        (PROJECT_PATH, PROJECT, "status:", "status: done", "status", "invalid-choice", None),
        (PROJECT_PATH, PROJECT, "organization:", "organization: {a: 1}", "organization",
         "wrong-type", "organization must be text, not {…}"),
        (PROJECT_PATH, PROJECT, "responsible:", "responsible: true", "responsible",
         "wrong-type", "responsible must be text, not true"),
        (PROJECT_PATH, PROJECT, "organization:", "location: here", "location", "wrong-type",
         None),
        (PROJECT_PATH, PROJECT, "organization:", "location: [7.9]", "location[2]", "missing",
         "required field location[2] is missing"),
        (PROJECT_PATH, PROJECT, "organization:", "location: [95.0, 100.3]", "location[1]",
         "out-of-range", None),
        (PROJECT_PATH, PROJECT, "issues:", "issues: 5", "issues", "unknown-ref", None),
        (FUND_PATH, FUND, "area:", "area: 5", "area", "wrong-type", None),
        (PROJECT_PATH, PROJECT, "id:", "id: 68 L5218", "id", "bad-id", None),
        (REPORT_PATH, REPORT, "participants:", "participants: twelve", "participants",
         "wrong-type", None),
        (REPORT_PATH, REPORT, "kind:", "kind: meting", "kind", "invalid-choice", None),
        (REPORT_PATH, REPORT, "title:", 'title: ""', "title", "too-short",
         "title must not be empty"),
        (REPORT_PATH, REPORT, "title:", "title: '   '", "title", "too-short", None),
    ],
)  # fmt: skip
def test_wrong_type(site, path, text, old, new, field, code, expected_en):
    problems = site.check({**RECORDS, path: replace_line(text, old, new)})
    errors = [p for p in problems if p.severity == "error" and p.file == path]
    assert errors, describe(problems)
    p = errors[0]
    assert p.field == field, describe(problems)
    if code:
        assert p.code == code, describe(problems)
    assert p.line == line_of(text, old), describe(problems)
    if expected_en:
        assert en(p) == expected_en
    assert th(p) != p.code and en(p) != p.code  # every problem has a real message


def test_wrong_type_message_in_thai(site):
    text = replace_line(FUND, "population:", "population: many")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "wrong-type")
    assert th(p) == 'ช่อง population ต้องเป็นจำนวนเต็ม แต่เขียนว่า "many"'


def test_fraction_where_a_whole_number_is_expected(site):
    text = PROJECT.replace("attended: 23", "attended: 37.5")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "wrong-type")
    assert p.field == "target_groups[1].attended"
    assert th(p) == "ช่อง target_groups[1].attended ต้องเป็นจำนวนเต็ม แต่เขียนว่า 37.5"
    assert en(p) == "target_groups[1].attended must be a whole number, not 37.5"


def test_whole_number_written_with_zero_decimals_is_fine(site):
    text = PROJECT.replace("attended: 23", "attended: 23.0")
    assert site.check({**RECORDS, PROJECT_PATH: text}) == []


def test_number_for_a_text_field_becomes_text(site):
    text = md("id: 5218\nkind: local\nname: 1234\narea: {subdistrict: 900702}")
    result = site.result({"content/funds/5218.md": text})
    assert result.graph.funds["5218"].record.name == "1234"


def test_wrong_type_does_not_hide_other_problems(site):
    text = replace_line(PROJECT, "organization:", "organization: [x]")
    text = PROJECT_PATH, replace_line(text, "status:", "status: completed")
    problems = site.check({FUND_PATH: FUND, PLAN_PATH: PLAN, text[0]: text[1]})
    assert set(codes(problems)) == {"wrong-type", "completed-no-report"}


# ---- unknown fields ------------------------------------------------------------------------------


def test_unknown_field_budjet(site):
    text = replace_line(PROJECT, "budget:", "budjet: 39918.00")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    p = only(problems, "unknown-field")
    assert (p.severity, p.file, p.field) == ("error", PROJECT_PATH, "budjet")
    assert (p.line, p.col) == (line_of(PROJECT, "budget:"), 1)
    assert th(p) == "ไม่รู้จักช่อง budjet"
    assert en(p) == "unknown field budjet"
    assert hint_th(p) == "น่าจะหมายถึง budget"
    assert hint_en(p) == "did you mean budget?"


@pytest.mark.parametrize(
    ("path", "text", "old", "new", "field", "suggestion"),
    [
        (FUND_PATH, FUND, "organization:", "organisation: x", "organisation", "organization"),
        (FUND_PATH, FUND, "    spent:", "    spend: 280000.00", "finances[1].spend", "spent"),
        (FUND_PATH, FUND, "area:", "area: {provnce: สงขลา}", "area.provnce", "province"),
        (PROJECT_PATH, PROJECT, "target_groups:", "target_group:", "target_group",
         "target_groups"),
        (PROJECT_PATH, PROJECT, "responsible:", "responsable: x", "responsable", "responsible"),
        (PLAN_PATH, PLAN, "budget:", "budgett: 1", "budgett", "budget"),
        (REPORT_PATH, REPORT, "participants:", "participant: 12", "participant", "participants"),
        (REPORT_PATH, REPORT, "reporter:", "reportr: x", "reportr", "reporter"),
    ],
)  # fmt: skip
def test_unknown_field_did_you_mean(site, path, text, old, new, field, suggestion):
    problems = site.check({**RECORDS, path: replace_line(text, old, new)})
    p = only(problems, "unknown-field")
    assert (p.field, p.line) == (field, line_of(text, old))
    assert hint_en(p) == f"did you mean {suggestion}?"


def test_unknown_field_in_an_installment(site):
    text = PROJECT.replace("amount: 19918.00", "amout: 19918.00")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    p = only(problems, "unknown-field")
    row = line_of(PROJECT, "- {start: 2025-04-01")
    assert p.field == "installments[2].amout"
    assert p.line == row
    assert p.col == text.split("\n")[row - 1].index("amout") + 1
    assert hint_en(p) == "did you mean amount?"


@pytest.mark.parametrize("key", ["172", "~", "null", "1.5", "true", "2568"])
def test_key_that_is_not_text_is_an_unknown_field(site, key):
    text = replace_line(FUND, "population:", f"{key}: 1")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "unknown-field")
    assert (p.field, p.line, p.col) == (key, line_of(FUND, "population:"), 1)
    assert en(p) == f"unknown field {key}"


def test_one_and_true_are_two_keys(site):
    text = replace_line(FUND, "population:", "1: a\ntrue: b")
    problems = site.check({**RECORDS, FUND_PATH: text})
    assert sorted(p.field for p in problems) == ["1", "true"], describe(problems)


def test_unknown_field_without_a_close_match_has_no_hint(site):
    text = replace_line(PROJECT, "responsible:", "zzzzqqq: 1")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "unknown-field")
    assert p.hint is None and hint_en(p) is None


def test_every_problem_of_a_record_is_reported(site):
    text = replace_line(PROJECT, "budget:", "budjet: 1")
    text = replace_line(text, "responsible:", "responsable: x")
    text = replace_line(text, "start:", "start: 2567-10-01")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    assert {"unknown-field", "date-be-as-ce"} <= set(codes(problems))
    assert len([p for p in problems if p.code == "unknown-field"]) == 2


# ---- ids -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_id_must_match_file_name(site, kind):
    path, text = KINDS[kind]
    problems = site.check({**RECORDS, path: replace_line(text, "id:", "id: other-id")})
    p = only(problems, "id-mismatch")
    stem = path.rsplit("/", 1)[1].removesuffix(".md")
    assert (p.severity, p.file, p.field, p.line, p.col) == ("error", path, "id", 2, 5)
    assert th(p) == f'รหัส (id) "other-id" ไม่ตรงกับชื่อไฟล์ "{stem}"'
    assert en(p) == f'id "other-id" does not match the file name "{stem}"'
    assert hint_th(p) == f"เปลี่ยนชื่อไฟล์เป็น other-id.md หรือแก้ id เป็น {stem}"
    assert hint_en(p) == f"rename the file to other-id.md or set id to {stem}"
    assert {q.file for q in problems if q.severity == "error"} == {path}, describe(problems)


def test_duplicate_id_same_kind(site):
    problems = site.check({**RECORDS, "content/projects/old/68-L5218-4-01.md": PROJECT})
    p = only(problems, "duplicate-id")
    assert (p.severity, p.file, p.line, p.field) == (
        "error",
        "content/projects/old/68-L5218-4-01.md",
        2,
        "id",
    )
    assert th(p) == f'รหัส "68-L5218-4-01" ซ้ำกับโครงการใน {PROJECT_PATH}:2'
    assert en(p) == f'id "68-L5218-4-01" is also used by the project in {PROJECT_PATH}:2'


def test_duplicate_report_id_in_two_year_folders(site):
    other = "content/reports/2024/2025-03-01-committee-meeting.md"
    problems = site.check({**RECORDS, other: REPORT})
    assert only(problems, "duplicate-id").file in (other, REPORT_PATH)


def test_same_id_in_different_kinds_is_fine(site):
    plan = replace_line(PLAN, "id:", "id: L5218")
    page = md("id: L5218\ntitle: หน้า L5218")
    files = {
        **RECORDS,
        PLAN_PATH: None,
        "content/plans/L5218/L5218.md": plan,
        "content/pages/L5218.md": page,
    }
    files.pop(PLAN_PATH)
    project = replace_line(PROJECT, "plan:", "plan: L5218")
    problems = site.check({**files, PROJECT_PATH: project})
    assert problems == [], describe(problems)


# ---- money at close: returned and achieved -------------------------------------------------------

OBJECTIVE = "  - {text: พัฒนาศักยภาพกรรมการ"


def with_returned(value: str) -> str:
    return replace_line(PROJECT, "status:", f"status: completed\nreturned: {value}")


def with_achieved(value: str) -> str:
    line = PROJECT.split("\n")[line_of(PROJECT, OBJECTIVE) - 1]
    return replace_line(PROJECT, OBJECTIVE, line.replace("}", f", achieved: {value}}}"))


@pytest.mark.parametrize(
    ("value", "amount"),
    [("1250", "1250.00"), ("1250.5", "1250.50"), ('"1,250.00"', "1250.00"), ("0", "0.00")],
)
def test_returned_is_an_amount(site, value, amount):
    result = site.result({**RECORDS, PROJECT_PATH: with_returned(value)})
    assert result.problems == [], describe(result.problems)
    assert str(result.graph.projects["68-L5218-4-01"].record.returned) == amount


@pytest.mark.parametrize(
    ("value", "code", "expected_en"),
    [
        ("-1250.00", "money-negative", "returned is a negative amount (-1250.00)"),
        ("1250.125", "money-decimals", "returned has more than two decimals (1250.125)"),
        ("คืนแล้ว", "money-invalid", None),
        ("[1250]", "money-invalid", None),
        ('"1,25,0.00"', "money-commas", None),
    ],
)
def test_returned_that_is_not_an_amount(site, value, code, expected_en):
    text = with_returned(value)
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), code)
    assert (p.severity, p.file, p.field) == ("error", PROJECT_PATH, "returned")
    assert (p.line, p.col) == (line_of(text, "returned:"), 11)
    if expected_en:
        assert en(p) == expected_en
    assert th(p).startswith("ช่อง returned")


def test_returned_with_three_decimals_suggests_two(site):
    p = only(site.check({**RECORDS, PROJECT_PATH: with_returned("1250.125")}), "money-decimals")
    assert th(p) == "ช่อง returned มีทศนิยมเกิน 2 ตำแหน่ง (1250.125)"
    assert hint_en(p) == "for example 1,250.12"


def test_achieved_is_a_number(site):
    result = site.result({**RECORDS, PROJECT_PATH: with_achieved("22.5")})
    assert result.problems == [], describe(result.problems)
    objective = result.graph.projects["68-L5218-4-01"].record.objectives[0]
    assert (objective.size, objective.target, objective.achieved) == (29, 20, 22.5)


@pytest.mark.parametrize("value", ["-1.5", "22.125", "0"])
def test_achieved_takes_any_number_like_size_and_target(site, value):
    # an indicator may be a change (negative) or a ratio (three decimals), as size and target
    assert site.check({**RECORDS, PROJECT_PATH: with_achieved(value)}) == []


@pytest.mark.parametrize("value", ["ดีขึ้น", "[1, 2]", "{a: 1}"])
def test_achieved_that_is_not_a_number(site, value):
    text = with_achieved(value)
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "wrong-type")
    assert (p.severity, p.field, p.line) == (
        "error",
        "objectives[1].achieved",
        line_of(text, OBJECTIVE),
    )
    assert p.col == text.split("\n")[p.line - 1].index(value.split(",")[0]) + 1
    assert en(p).startswith("objectives[1].achieved must be a number")
    assert th(p).startswith("ช่อง objectives[1].achieved ต้องเป็น")


def test_returned_and_achieved_are_in_the_json_schema(site, tmp_path):
    site.cli("schema", "--out", str(tmp_path / "s"))
    project = json.loads((tmp_path / "s/project.schema.json").read_text(encoding="utf-8"))
    assert "returned" in project["properties"]
    objective = project["$defs"]["ProjectObjective"]["properties"]
    assert "achieved" in objective
