"""The spec's cross-record rules ("Rules `fundsite check` enforces"): each passing and failing."""

from __future__ import annotations

import pytest

from conftest import (
    FUND,
    FUND_PATH,
    JPEG,
    PLAN,
    PLAN_PATH,
    PNG,
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
    regions_yaml,
    replace_line,
    th,
)
from fundsite.validate.rules import find_personal_data

PROJECT_ID = "68-L5218-4-01"
NO_REPORT = {FUND_PATH: FUND, PLAN_PATH: PLAN, PROJECT_PATH: PROJECT}


def report(name: str, date: str, spent: str | None = None, folder: str | None = None) -> dict:
    """One more report on the reference project."""
    lines = [f"id: {name}", f"project: {PROJECT_ID}", "title: t", f"date: {date}"]
    if spent is not None:
        lines.append(f"spent: {spent}")
    return {f"content/reports/{folder or date[:4]}/{name}.md": md("\n".join(lines))}


# ---- references ----------------------------------------------------------------------------------


def test_unknown_fund_with_suggestion(site):
    text = replace_line(PROJECT, "fund:", "fund: L5128")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    p = only(problems, "unknown-ref")
    assert (p.severity, p.file, p.field) == ("error", PROJECT_PATH, "fund")
    assert (p.line, p.col) == (line_of(PROJECT, "fund:"), 7)
    assert th(p) == 'ช่อง fund: ไม่พบกองทุนรหัส "L5128"'
    assert en(p) == 'fund: there is no fund "L5128"'
    assert hint_th(p) == "น่าจะหมายถึง L5218"
    assert hint_en(p) == "did you mean L5218?"
    # the project's reports are not blamed for the project's mistake
    assert codes(problems) == ["unknown-ref"], describe(problems)


def test_unknown_plan_with_suggestion(site):
    text = replace_line(PROJECT, "plan:", "plan: L5218-2568-alcohl")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "unknown-ref")
    assert (p.field, p.line) == ("plan", line_of(PROJECT, "plan:"))
    assert th(p) == 'ช่อง plan: ไม่พบแผนงานรหัส "L5218-2568-alcohl"'
    assert en(p) == 'plan: there is no plan "L5218-2568-alcohl"'
    assert hint_en(p) == "did you mean L5218-2568-alcohol?"


def test_unknown_project_with_suggestion(site):
    text = replace_line(REPORT, "project:", "project: 68-L5218-4-1")
    p = only(site.check({**RECORDS, REPORT_PATH: text}), "unknown-ref")
    assert (p.file, p.field, p.line, p.col) == (REPORT_PATH, "project", 3, 10)
    assert th(p) == 'ช่อง project: ไม่พบโครงการรหัส "68-L5218-4-1"'
    assert en(p) == 'project: there is no project "68-L5218-4-1"'
    assert hint_th(p) == f"น่าจะหมายถึง {PROJECT_ID}"


def test_unknown_issues_each_with_suggestion(site):
    text = replace_line(PROJECT, "issues:", "issues: [alcohl, tobaco]")
    problems = [p for p in site.check({**RECORDS, PROJECT_PATH: text}) if p.code == "unknown-ref"]
    assert [(p.field, p.col, hint_en(p)) for p in problems] == [
        ("issues[1]", 10, "did you mean alcohol?"),
        ("issues[2]", 18, "did you mean tobacco?"),
    ]
    assert th(problems[0]) == 'ช่อง issues[1]: ไม่พบประเด็นรหัส "alcohl"'
    assert en(problems[0]) == 'issues[1]: there is no issue "alcohl"'


def test_unknown_plan_issue(site):
    text = replace_line(PLAN, "issue:", "issue: alcool")
    p = only(site.check({**RECORDS, PLAN_PATH: text}), "unknown-ref")
    assert (p.file, p.field) == (PLAN_PATH, "issue")
    assert hint_en(p) == "did you mean alcohol?"


def test_unknown_reference_without_anything_close(site):
    text = replace_line(PROJECT, "fund:", "fund: ZZZZZZZZZZ")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "unknown-ref")
    assert p.hint is None


def test_unknown_programme(site):
    text = replace_line(PROJECT, "organization:", "programme: 68-L5218-4-02")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "unknown-ref")
    assert (p.field, hint_en(p)) == ("programme", f"did you mean {PROJECT_ID}?")


def test_programme_is_itself(site):
    text = replace_line(PROJECT, "organization:", f"programme: {PROJECT_ID}")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "programme-self")
    assert en(p) == "the project names itself as its programme"


def test_programme_links_parent_and_child(site):
    child = replace_line(PROJECT, "id:", "id: 68-L5218-4-02")
    child = replace_line(child, "organization:", f"programme: {PROJECT_ID}")
    result = site.result({**RECORDS, "content/projects/68-L5218-4-02.md": child})
    assert [p.code for p in result.problems if p.severity == "error"] == []
    parent = result.graph.projects[PROJECT_ID]
    assert [c.id for c in parent.children] == ["68-L5218-4-02"]


def test_reference_to_a_broken_record_is_not_reported_twice(site):
    fund = replace_line(FUND, "kind:", "kind: locl")
    problems = site.check({**RECORDS, FUND_PATH: fund})
    assert codes(problems) == ["invalid-choice"], describe(problems)


def test_reference_to_an_unparsable_record_is_not_reported_twice(site):
    problems = site.check({**RECORDS, PROJECT_PATH: PROJECT.replace("title:", "title: [")})
    assert codes(problems) == ["yaml-syntax"], describe(problems)


def test_unreadable_issues_file_is_reported_once(site):
    problems = site.check({**RECORDS, "data/issues.yaml": "- id: alcohol\n  name: [\n"})
    assert codes(problems) == ["yaml-syntax"], describe(problems)
    assert problems[0].file == "data/issues.yaml"


def test_one_bad_issue_still_checks_references_to_the_others(site):
    issues = "- id: alcohol\n  name: ''\n- id: tobacco\n  name: บุหรี่\n"
    project = replace_line(PROJECT, "issues:", "issues: [alcohol, tobaco]")
    problems = site.check({**RECORDS, "data/issues.yaml": issues, PROJECT_PATH: project})
    assert sorted(codes(problems)) == ["too-short", "unknown-ref"], describe(problems)
    assert only(problems, "unknown-ref").params["value"] == "tobaco"


def test_plan_of_another_fund(site):
    other = FUND.replace("L5218", "L9999")
    plan = PLAN.replace("L5218", "L9999")
    project = replace_line(PROJECT, "plan:", "plan: L9999-2568-alcohol")
    problems = site.check(
        {
            **RECORDS,
            "content/funds/L9999.md": other,
            "content/plans/L9999/L9999-2568-alcohol.md": plan,
            PROJECT_PATH: project,
        }
    )
    p = only(problems, "plan-other-fund")
    assert (p.severity, p.field) == ("error", "plan")
    assert en(p) == (
        'plan "L9999-2568-alcohol" belongs to fund "L9999", not to this project\'s fund "L5218"'
    )


def test_plan_in_the_wrong_fund_folder(site):
    files = dict(RECORDS)
    files.pop(PLAN_PATH)
    files["content/plans/L5219/L5218-2568-alcohol.md"] = PLAN
    p = only(site.check(files), "plan-folder")
    assert (p.severity, p.file, p.field) == (
        "error",
        "content/plans/L5219/L5218-2568-alcohol.md",
        "fund",
    )
    assert th(p) == 'แผนงานนี้อยู่ในโฟลเดอร์ของกองทุน "L5219" แต่ช่อง fund เขียนว่า "L5218"'
    assert en(p) == 'this plan is in the folder of fund "L5219" but its fund is "L5218"'


def test_project_without_issue_or_plan(site):
    text = replace_line(replace_line(PROJECT, "issues:", ""), "plan:", "")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "project-no-issue")
    assert (p.severity, p.line) == ("error", 2)


def test_project_issue_defaults_to_the_plan_issue(site):
    result = site.result({**RECORDS, PROJECT_PATH: replace_line(PROJECT, "issues:", "")})
    assert result.graph.projects[PROJECT_ID].issues == ["alcohol"]


# ---- periods -------------------------------------------------------------------------------------


def test_project_end_before_start(site):
    text = replace_line(PROJECT, "end:", "end: 2024-09-30")
    problems = site.check({**NO_REPORT, PROJECT_PATH: text})
    p = only(problems, "end-before-start")
    assert (p.severity, p.field, p.line, p.col) == ("error", "end", line_of(PROJECT, "end:"), 6)
    assert th(p) == "วันสิ้นสุด end (2024-09-30) อยู่ก่อนวันเริ่ม (2024-10-01)"
    assert en(p) == "the end date end (2024-09-30) is before the start (2024-10-01)"


def test_project_ending_the_day_it_starts_is_fine(site):
    text = PROJECT[: PROJECT.index("installments:")] + PROJECT[PROJECT.index("objectives:") :]
    text = replace_line(text, "end:", "end: 2024-10-01")
    text = replace_line(text, "status:", "status: approved")  # not in progress after its end
    problems = site.check({**NO_REPORT, PROJECT_PATH: text})
    assert problems == [], describe(problems)


def test_installment_end_before_start(site):
    text = PROJECT.replace(
        "{start: 2025-04-01, end: 2025-09-30", "{start: 2025-04-01, end: 2025-03-30"
    )
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "end-before-start")
    row = line_of(PROJECT, "- {start: 2025-04-01")
    assert (p.field, p.line) == ("installments[2].end", row)
    assert p.col == text.split("\n")[row - 1].index("2025-03-30") + 1
    assert en(p) == "the end date installments[2].end (2025-03-30) is before the start (2025-04-01)"


def test_installment_report_period_end_before_start(site):
    text = PROJECT.replace("report_end: 2025-04-15", "report_end: 2025-02-15")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "end-before-start")
    assert p.field == "installments[1].report_end"


# ---- money ---------------------------------------------------------------------------------------


def test_fund_balance_correct(site):
    assert site.check({FUND_PATH: FUND}) == []


def test_fund_balance_mismatch(site):
    text = FUND.replace("balance: 191500.00", "balance: 191000.00")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "balance-mismatch")
    assert (p.severity, p.file, p.field) == ("error", FUND_PATH, "finances[1].balance")
    assert (p.line, p.col) == (line_of(FUND, "balance:"), 14)
    assert th(p) == (
        "ยอดคงเหลือปีงบประมาณ 2568 (191,000.00 บาท) ไม่เท่ากับ ยอดยกมา + รายรับ − รายจ่าย (191,500.00 บาท)"
    )
    assert en(p) == (
        "the balance for fiscal year 2568 (191,000.00 THB) does not equal carried forward"
        " + income − spent (191,500.00 THB)"
    )
    assert hint_th(p) == "ยอดคงเหลือที่ถูกต้องคือ 191,500.00"
    assert hint_en(p) == "the balance should be 191,500.00"


def test_fund_balance_optional(site):
    assert site.check({FUND_PATH: replace_line(FUND, "    balance:", "")}) == []


def test_second_fiscal_year_balance(site):
    text = FUND.replace(
        "    balance: 191500.00\n",
        "    balance: 191500.00\n  - fiscal_year: 2569\n    carried_forward: 191500.00\n"
        "    spent: 1000\n    balance: 191500.00\n",
    )
    p = only(site.check({FUND_PATH: text}), "balance-mismatch")
    assert p.field == "finances[2].balance"
    assert p.params["expected"] == "190,500.00"


def test_duplicate_fiscal_year_in_finances(site):
    text = FUND.replace(
        "    balance: 191500.00\n", "    balance: 191500.00\n  - fiscal_year: 2568\n"
    )
    p = only(site.check({FUND_PATH: text}), "duplicate-fiscal-year")
    assert p.field == "finances[2].fiscal_year"


def test_installments_that_add_up_are_fine(site):
    assert "installments-sum" not in codes(site.check(RECORDS))


def test_installments_not_adding_up_old_system_words(site):
    text = replace_line(PROJECT, "budget:", "budget: 1000000")
    text = text.replace("amount: 20000.00", "amount: 0").replace("amount: 19918.00", "amount: 0.00")
    result = site.result({**RECORDS, PROJECT_PATH: text})
    p = only(result.problems, "installments-sum")
    assert (p.severity, p.file, p.field) == ("warning", PROJECT_PATH, "installments")
    assert p.line == line_of(PROJECT, "installments:") + 1
    assert th(p) == "รวมงบประมาณของทุกงวด (0.00 บาท) ไม่เท่ากับ งบประมาณโครงการ (1,000,000.00 บาท)"
    assert (
        en(p) == "the installments add up to 0.00 THB, not the project budget of 1,000,000.00 THB"
    )
    # a data-quality note on the project's page, as the old system shows it
    assert p in result.graph.projects[PROJECT_ID].notes
    assert result.ok  # a warning does not stop the build


def test_no_installments_no_warning(site):
    text = PROJECT[: PROJECT.index("installments:")] + PROJECT[PROJECT.index("objectives:") :]
    assert site.check({**RECORDS, PROJECT_PATH: text}) == []


# ---- reports -------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2024-10-01", "2025-09-30", "2025-03-01"])
def test_report_inside_the_period(site, day):
    problems = site.check({**NO_REPORT, **report("r", day)})
    assert "report-outside-period" not in codes(problems), describe(problems)


@pytest.mark.parametrize("day", ["2024-09-30", "2025-10-01"])
def test_report_outside_the_period(site, day):
    result = site.result({**NO_REPORT, **report("r", day)})
    p = only(result.problems, "report-outside-period")
    assert (p.severity, p.field, p.line, p.col) == ("warning", "date", 5, 7)
    assert p.file == f"content/reports/{day[:4]}/r.md"
    shown = {"2024-09-30": "30 ก.ย. 2567", "2025-10-01": "1 ต.ค. 2568"}[day]
    assert th(p) == f"วันที่รายงาน ({shown}) อยู่นอกระยะเวลาโครงการ (1 ต.ค. 2567 – 30 ก.ย. 2568)"
    assert en(p).startswith(f"the report date ({shown}) is outside the project period")
    assert p in result.graph.reports["r"].notes


def test_report_in_another_year_folder(site):
    p = only(
        site.check({**NO_REPORT, **report("r", "2025-03-01", folder="2024")}), "report-folder-year"
    )
    assert (p.severity, p.field) == ("warning", "date")
    assert en(p) == "the report is dated 2025 but sits in folder 2024"


def test_spent_within_budget(site):
    files = {
        **NO_REPORT,
        **report("a", "2025-01-01", "19918"),
        **report("b", "2025-02-01", "20000"),
    }
    assert "spent-over-budget" not in codes(site.check(files))  # exactly the budget


def test_spent_beyond_budget_across_reports(site):
    files = {
        **NO_REPORT,
        **report("a", "2025-01-01", "19918"),
        **report("b", "2025-02-01", "20000.01"),
    }
    result = site.result(files)
    p = only(result.problems, "spent-over-budget")
    assert (p.severity, p.file, p.field) == ("warning", "content/reports/2025/b.md", "spent")
    assert th(p) == (
        f'รายงานทั้งหมดของโครงการ "{PROJECT_ID}" ใช้เงินรวม 39,918.01 บาท เกินงบประมาณโครงการ'
        " (39,918.00 บาท)"
    )
    assert en(p) == (
        f'the reports of project "{PROJECT_ID}" spend 39,918.01 THB in all, above its budget'
        " (39,918.00 THB)"
    )
    assert p in result.graph.projects[PROJECT_ID].notes


def test_photos_that_exist(site):
    text = REPORT.replace(
        "spent: 3500.00", "spent: 3500.00\nphotos: [media/2025/a.jpg, ./media/2025/b.png]"
    )
    files = {
        **RECORDS,
        REPORT_PATH: text,
        "content/media/2025/a.jpg": JPEG,
        "content/media/2025/b.png": PNG,
    }
    assert site.check(files) == []


def test_photo_as_mapping_with_alt(site):
    text = REPORT.replace(
        "spent: 3500.00", "spent: 3500.00\nphotos:\n  - {src: media/a.jpg, alt: ภาพ}"
    )
    assert site.check({**RECORDS, REPORT_PATH: text, "content/media/a.jpg": JPEG}) == []


def test_photos_that_do_not_exist(site):
    text = REPORT.replace(
        "spent: 3500.00",
        "spent: 3500.00\nphotos:\n  - media/2025/a.jpg\n  - media/2025/missing.jpg\n"
        "  - ../../etc/passwd",
    )
    problems = site.check({**RECORDS, REPORT_PATH: text, "content/media/2025/a.jpg": JPEG})
    missing = [p for p in problems if p.code == "photo-missing"]
    assert [(p.field, p.line, p.col) for p in missing] == [
        ("photos[2]", 12, 5),
        ("photos[3]", 13, 5),
    ]
    assert all(p.severity == "error" for p in missing)
    assert th(missing[0]) == 'ไม่พบไฟล์รูปภาพ "media/2025/missing.jpg" (ต้องอยู่ในโฟลเดอร์ content/)'
    assert (
        en(missing[0])
        == 'photo "media/2025/missing.jpg" does not exist (it must be under content/)'
    )


# ---- target groups, status -----------------------------------------------------------------------


@pytest.mark.parametrize(("planned", "attended"), [(25, 23), (20, 30), (25, 37), (0, 0), (10, 15)])
def test_attended_up_to_one_and_a_half_times(site, planned, attended):
    text = PROJECT.replace("planned: 25, attended: 23", f"planned: {planned}, attended: {attended}")
    assert "attended-over-planned" not in codes(site.check({**RECORDS, PROJECT_PATH: text}))


def test_attended_more_than_one_and_a_half_times(site):
    text = PROJECT.replace("attended: 23", "attended: 38")
    result = site.result({**RECORDS, PROJECT_PATH: text})
    p = only(result.problems, "attended-over-planned")
    row = line_of(PROJECT, "- {name: คณะกรรมการกองทุน")
    assert (p.severity, p.field, p.line) == ("warning", "target_groups[1].attended", row)
    assert p.col == text.split("\n")[row - 1].index("38") + 1
    assert th(p) == 'กลุ่มเป้าหมาย "คณะกรรมการกองทุน": ผู้เข้าร่วม 38 คน มากกว่าที่วางไว้ 25 คนเกินครึ่ง'
    assert (
        en(p) == 'target group "คณะกรรมการกองทุน": 38 attended, more than half again the 25 planned'
    )
    assert p in result.graph.projects[PROJECT_ID].notes


def test_attended_with_nothing_planned(site):
    text = PROJECT.replace("planned: 25, attended: 23", "planned: 0, attended: 1")
    assert "attended-over-planned" in codes(site.check({**RECORDS, PROJECT_PATH: text}))


def test_completed_project_with_a_report(site):
    text = replace_line(PROJECT, "status:", "status: completed")
    assert site.check({**RECORDS, PROJECT_PATH: text}) == []


def test_completed_project_without_a_report(site):
    text = replace_line(PROJECT, "status:", "status: completed")
    p = only(site.check({**NO_REPORT, PROJECT_PATH: text}), "completed-no-report")
    assert (p.severity, p.field, p.line, p.col) == (
        "warning",
        "status",
        line_of(PROJECT, "status:"),
        9,
    )
    assert th(p) == "โครงการสถานะ completed (เสร็จสิ้น) แต่ยังไม่มีรายงานผล"
    assert en(p) == "the project is completed but has no report"
    assert hint_en(p) == "add a report under content/reports/ or change the status"


# ---- project codes -------------------------------------------------------------------------------


def test_project_code_that_agrees(site):
    assert not any(c.startswith("code-") for c in codes(site.check(RECORDS)))


def test_project_code_support_type(site):
    text = replace_line(PROJECT, "support_type:", "support_type: 2")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "code-support-type")
    assert (p.severity, p.field, p.line, p.col) == ("warning", "id", 2, 5)
    assert th(p) == f'รหัสโครงการ "{PROJECT_ID}" ระบุประเภทการสนับสนุน 4 แต่ช่อง support_type คือ 2'
    assert en(p) == f'project code "{PROJECT_ID}" gives support type 4 but support_type is 2'


def test_project_code_year_and_fund(site):
    text = PROJECT.replace(PROJECT_ID, "67-L5219-4-01")
    problems = site.check(
        {FUND_PATH: FUND, PLAN_PATH: PLAN, "content/projects/67-L5219-4-01.md": text}
    )
    year = only(problems, "code-year")
    fund = only(problems, "code-fund")
    assert (
        en(year)
        == 'project code "67-L5219-4-01" starts with year 67 but the project is in fiscal year 2568'
    )
    assert th(year) == 'รหัสโครงการ "67-L5219-4-01" ขึ้นต้นด้วยปี 67 แต่โครงการอยู่ในปีงบประมาณ 2568'
    assert (
        en(fund) == 'project code "67-L5219-4-01" names fund L5219 but the project\'s fund is L5218'
    )
    assert {year.severity, fund.severity} == {"warning"}


def test_project_code_year_from_dates_without_plan(site):
    text = replace_line(PROJECT, "plan:", "").replace(PROJECT_ID, "67-L5218-4-01")
    problems = site.check({FUND_PATH: FUND, "content/projects/67-L5218-4-01.md": text})
    assert only(problems, "code-year").params["fiscal_year"] == 2568


def test_project_codes_only_for_local_funds(site):
    fund = replace_line(FUND, "kind:", "kind: programme")
    text = PROJECT.replace(PROJECT_ID, "67-L5219-4-01")
    problems = site.check(
        {FUND_PATH: fund, PLAN_PATH: PLAN, "content/projects/67-L5219-4-01.md": text}
    )
    assert not any(c.startswith("code-") for c in codes(problems)), describe(problems)


# ---- location (needs the geo module) -------------------------------------------------------------


def test_location_inside_the_province(site):
    pytest.importorskip("fundsite.geo")
    text = replace_line(PROJECT, "organization:", "location: [7.912, 100.319]")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    assert not any(c.startswith("location-") for c in codes(problems)), describe(problems)


def test_location_outside_the_province(site):
    pytest.importorskip("fundsite.geo")
    text = replace_line(PROJECT, "organization:", "location: [7.8804, 98.3923]")  # Phuket town
    result = site.result({**RECORDS, PROJECT_PATH: text})
    p = only(result.problems, "location-outside-province")
    assert (p.severity, p.field, p.line) == (
        "warning",
        "location",
        line_of(PROJECT, "organization:"),
    )
    assert th(p) == "พิกัด [7.8804, 98.3923] อยู่นอกจังหวัดสงขลา ของโครงการ (อยู่ในจังหวัดภูเก็ต)"
    assert (
        en(p)
        == "location [7.8804, 98.3923] is outside the project's province สงขลา (it is in Phuket)"
    )
    assert p in result.graph.projects[PROJECT_ID].notes


def test_location_with_latitude_and_longitude_swapped(site):
    pytest.importorskip("fundsite.geo")
    text = replace_line(PROJECT, "organization:", "location: [100.319, 7.912]")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    # a latitude of 100 is no latitude at all: the model refuses it before the rule runs
    p = only(problems, "out-of-range")
    assert (p.severity, p.field) == ("error", "location[1]"), describe(problems)


def test_location_outside_thailand(site):
    pytest.importorskip("fundsite.geo")
    text = replace_line(PROJECT, "organization:", "location: [51.5, -0.12]")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "location-outside-thailand")
    assert (p.severity, p.field) == ("warning", "location")
    assert en(p) == "location [51.5, -0.12] is outside Thailand"


# ---- personal data -------------------------------------------------------------------------------

VALID_IDS = ["1101700203450", "3101001234565", "1-1017-00203-45-0", "3 1010 01234 56 5"]


@pytest.mark.parametrize(
    "text",
    ["081-234-5678", "0812345678", "02-123-4567", "074-123456", "+66 81 234 5678", "+66812345678"],
)
def test_phone_numbers_are_found(text):
    assert list(find_personal_data(f"โทร {text} ครับ")) == [("personal-phone", text)]


@pytest.mark.parametrize("text", VALID_IDS)
def test_national_ids_are_found(text):
    assert ("personal-national-id", text) in list(find_personal_data(f"เลข {text}"))


@pytest.mark.parametrize(
    "text",
    [
        "3101001234564",  # checksum wrong
        "1,000,000.00",
        "39918.00 บาท",
        "12345678.90",
        "2024-10-01",
        "1 ต.ค. 2567",
        "68-L5218-4-01",
        "ปี 2567-2568",
        "ISBN 978-616-123-456-7",
        "L5218",
        "900702",
        "12 คน",
        "1234567890123.5",
        "13.00-16.30 น.",
    ],
)
def test_not_personal_data(text):
    assert list(find_personal_data(text)) == []


def test_personal_data_in_a_field(site):
    text = replace_line(PROJECT, "responsible:", "responsible: นายพัฒยะ โทร 081-234-5678")
    result = site.result({**RECORDS, PROJECT_PATH: text})
    p = only(result.problems, "personal-phone")
    assert (p.severity, p.field, p.line, p.col) == ("warning", "responsible", 13, 14)
    # the message masks the number: check output is printed into public CI logs
    assert th(p) == "ช่อง responsible มีข้อความที่ดูเหมือนเบอร์โทรศัพท์ (081-xxx-x678) ซึ่งเป็นข้อมูลส่วนบุคคล"
    assert (
        en(p) == "responsible contains what looks like a phone number (081-xxx-x678): personal data"
    )
    assert hint_th(p) == "ลบข้อมูลส่วนบุคคลออก ข้อมูลนี้จะเผยแพร่ต่อสาธารณะ"
    # for editors only: a note on the page would publish the number; the page shows it redacted
    project = result.graph.projects[PROJECT_ID]
    assert p not in project.notes
    assert "081-234-5678" not in project.record.responsible


def test_national_id_in_a_nested_field(site):
    text = PROJECT.replace("{name: คณะกรรมการกองทุน", "{name: คุณสมชาย 1101700203450")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "personal-national-id")
    assert (p.field, p.line) == ("target_groups[1].name", line_of(PROJECT, "- {name:"))
    assert th(p) == (
        "ช่อง target_groups[1].name มีเลข 13 หลักที่ดูเหมือนเลขประจำตัวประชาชน (11017xxxxxxx0)"
        " ซึ่งเป็นข้อมูลส่วนบุคคล"
    )
    assert en(p) == (
        "target_groups[1].name contains a 13-digit number that looks like a national ID"
        " (11017xxxxxxx0): personal data"
    )


def test_personal_data_in_the_body(site):
    body = "ติดต่อ 0812345678\nเลข 3101001234565\n"
    text = REPORT + body
    result = site.result({**RECORDS, REPORT_PATH: text})
    problems = result.problems
    first = line_of(text, "ติดต่อ")
    phone = only(problems, "personal-phone")
    nid = only(problems, "personal-national-id")
    assert (phone.field, phone.line, phone.col) == ("body", first, 8)
    assert (nid.field, nid.line, nid.col) == ("body", first + 1, 5)
    assert en(phone) == "body contains what looks like a phone number (081xxxx678): personal data"
    body_out = result.graph.reports["2025-03-01-committee-meeting"].body
    assert "0812345678" not in body_out and "3101001234565" not in body_out


def test_body_without_personal_data(site):
    body = (
        "งบประมาณ 1,000,000.00 บาท ใช้ไป 39918.00 บาท เมื่อ 2024-10-01 (1 ต.ค. 2567)\n"
        "โครงการ 68-L5218-4-01 ปี 2567-2568 เวลา 13.00-16.30 น. ผู้เข้าร่วม 25 คน\n"
        "เลข 3101001234564\n"
    )
    assert site.check({**RECORDS, REPORT_PATH: REPORT + body}) == []


# ---- regions -------------------------------------------------------------------------------------


def test_regions_missing_provinces(site):
    result = site.result({"data/regions.yaml": regions_yaml([11, 12])})
    p = only(result.problems, "region-missing-provinces")
    assert (p.severity, p.file) == ("warning", "data/regions.yaml")
    assert "กรุงเทพมหานคร" in p.params["value"]
    assert "สงขลา" not in p.params["value"]


def test_province_in_two_regions(site):
    regions = regions_yaml() + "- id: 12\n  name: x\n  provinces: [ภูเก็ต]\n"
    problems = site.check({"data/regions.yaml": regions})
    p = only(problems, "region-province-twice")
    assert p.field == "provinces[1]"
    assert en(p) == 'province "ภูเก็ต" is in region 12 and in region 11 (only one allowed)'


def test_unknown_province_in_regions(site):
    regions = regions_yaml().replace("[สงขลา,", "[สงขา,")
    p = only(site.check({"data/regions.yaml": regions}), "area-unknown")
    assert p.file == "data/regions.yaml"
    assert "สงขลา" in hint_th(p)


# ---- one run reports everything ------------------------------------------------------------------


def test_every_problem_in_one_run(site):
    project = replace_line(PROJECT, "budget:", "budjet: 1")
    project = replace_line(project, "start:", "start: 2567-10-01")
    fund = FUND.replace("balance: 191500.00", "balance: 1")
    report_text = replace_line(REPORT, "kind:", "kind: meting")
    problems = site.check(
        {**RECORDS, PROJECT_PATH: project, FUND_PATH: fund, REPORT_PATH: report_text}
    )
    assert {"unknown-field", "date-be-as-ce", "balance-mismatch", "invalid-choice"} <= set(
        codes(problems)
    ), describe(problems)
    assert {p.file for p in problems} >= {PROJECT_PATH, FUND_PATH, REPORT_PATH}


# ---- money and time: judged against the data's date ----------------------------------------------
#
# The reference project: in progress from 2024-10-01 to 2025-09-30; its first installment's
# report window is 2025-03-01 – 2025-04-15 and its report is dated 2025-03-01.

INSTALLMENT_1 = "  - {start: 2024-10-01, end: 2025-03-31, report_start: 2025-03-01"


def data_date(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """The data's date of the sites checked next (``SOURCE_DATE_EPOCH``, midnight UTC)."""
    from datetime import UTC, datetime

    stamp = datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(stamp)))


def dated_report(day: str, spent: str | None = None) -> dict:
    """The reference records with their one report dated ``day`` instead."""
    return {**NO_REPORT, **report("the-report", day, spent)}


def test_report_window_passed_without_a_report(site, monkeypatch):
    data_date(monkeypatch, "2025-05-01")
    result = site.result(NO_REPORT)
    p = only(result.problems, "report-window-passed")
    row = line_of(PROJECT, INSTALLMENT_1)
    assert (p.severity, p.file, p.field) == ("warning", PROJECT_PATH, "installments[1].report_end")
    assert (p.line, p.col) == (row, PROJECT.split("\n")[row - 1].index("2025-04-15") + 1)
    assert th(p) == (
        "งวดที่ 1: พ้นกำหนดส่งรายงาน (1 มี.ค. 2568 – 15 เม.ย. 2568) แล้ว"
        " แต่ไม่มีรายงานของโครงการที่ลงวันที่ในช่วงนั้น (ข้อมูล ณ 1 พ.ค. 2568)"
    )
    assert en(p) == (
        "installment 1: its report window (1 Mar 2025 – 15 Apr 2025) has passed, and no report"
        " of the project is dated in it (data as of 1 May 2025)"
    )
    assert hint_th(p) == (
        "เพิ่มรายงานที่ลงวันที่ในช่วงนั้นใน content/reports/ หรือแก้วันที่ของงวด (report_start, report_end)"
    )
    assert hint_en(p) == (
        "add a report dated in that window under content/reports/, or correct the installment's"
        " report_start and report_end"
    )
    assert p in result.graph.projects[PROJECT_ID].notes  # a data-quality note on its page
    assert result.ok


@pytest.mark.parametrize(
    ("day", "warned"),
    [
        ("2025-03-01", False),  # on report_start
        ("2025-04-15", False),  # exactly on report_end
        ("2025-02-28", True),  # the day before the window
        ("2025-04-16", True),  # the day after
    ],
)
def test_report_window_bounds_are_included(site, monkeypatch, day, warned):
    data_date(monkeypatch, "2025-05-01")
    problems = site.check(dated_report(day))
    assert ("report-window-passed" in codes(problems)) is warned, describe(problems)


@pytest.mark.parametrize(
    ("today", "warned"),
    [("2025-04-14", False), ("2025-04-15", False), ("2025-04-16", True)],
)
def test_report_window_passes_the_day_after_report_end(site, monkeypatch, today, warned):
    data_date(monkeypatch, today)  # on report_end itself a report may still come
    assert ("report-window-passed" in codes(site.check(NO_REPORT))) is warned


def test_report_window_without_report_start_opens_with_the_installment(site, monkeypatch):
    data_date(monkeypatch, "2025-05-01")
    text = PROJECT.replace(
        "{start: 2024-10-01, end: 2025-03-31, report_start: 2025-03-01,",
        "{start: 2024-11-01, end: 2025-03-31,",
    )
    inside = site.check({**NO_REPORT, PROJECT_PATH: text, **report("r", "2024-11-01")})
    assert "report-window-passed" not in codes(inside), describe(inside)
    before = site.check({**NO_REPORT, PROJECT_PATH: text, **report("r", "2024-10-31")})
    p = only(before, "report-window-passed")
    assert th(p).startswith("งวดที่ 1: พ้นกำหนดส่งรายงาน (1 พ.ย. 2567 – 15 เม.ย. 2568) แล้ว")


def test_report_window_without_any_start_has_no_lower_bound(site, monkeypatch):
    data_date(monkeypatch, "2025-05-01")
    text = PROJECT.replace(
        "{start: 2024-10-01, end: 2025-03-31, report_start: 2025-03-01,", "{end: 2025-03-31,"
    )
    p = only(site.check({**NO_REPORT, PROJECT_PATH: text}), "report-window-passed")
    assert "(ถึง 15 เม.ย. 2568)" in th(p)
    assert "(until 15 Apr 2025)" in en(p)
    early = site.check({**NO_REPORT, PROJECT_PATH: text, **report("r", "2024-10-01")})
    assert "report-window-passed" not in codes(early), describe(early)


def test_report_window_judged_by_source_date_epoch(site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1744761599")  # 2025-04-15 23:59:59 UTC
    assert "report-window-passed" not in codes(site.check(NO_REPORT))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1744761600")  # 2025-04-16 00:00:00 UTC
    result = site.result(NO_REPORT)
    assert result.graph.today.isoformat() == "2025-04-16"
    assert "(data as of 16 Apr 2025)" in en(only(result.problems, "report-window-passed"))


@pytest.mark.parametrize(
    ("status", "warned"),
    [("cancelled", False), ("proposed", False), ("approved", True), ("completed", True)],
)
def test_report_window_of_projects_not_carried_out_is_not_judged(site, monkeypatch, status, warned):
    data_date(monkeypatch, "2025-05-01")
    text = replace_line(PROJECT, "status:", f"status: {status}")
    problems = site.check({**NO_REPORT, PROJECT_PATH: text})
    assert ("report-window-passed" in codes(problems)) is warned, describe(problems)


def test_in_progress_after_its_end(site, monkeypatch):
    data_date(monkeypatch, "2025-10-01")
    result = site.result(RECORDS)
    p = only(result.problems, "in-progress-after-end")
    assert (p.severity, p.file, p.field) == ("warning", PROJECT_PATH, "status")
    assert (p.line, p.col) == (line_of(PROJECT, "status:"), 9)
    assert th(p) == (
        "โครงการยังมีสถานะ in-progress (กำลังดำเนินการ) แต่สิ้นสุดไปแล้วเมื่อ 30 ก.ย. 2568"
        " (ข้อมูล ณ 1 ต.ค. 2568)"
    )
    assert (
        en(p)
        == "the project is still in-progress, but it ended on 30 Sep 2025 (data as of 1 Oct 2025)"
    )
    assert hint_en(p) == (
        "set status to completed or cancelled, or correct end if the project was extended"
    )
    assert hint_th(p).startswith("แก้สถานะเป็น completed (เสร็จสิ้น) หรือ cancelled (ยกเลิก)")
    assert p in result.graph.projects[PROJECT_ID].notes
    assert result.ok


def test_in_progress_on_its_last_day_is_fine(site, monkeypatch):
    data_date(monkeypatch, "2025-09-30")  # end == the data's date
    assert "in-progress-after-end" not in codes(site.check(RECORDS))


@pytest.mark.parametrize("status", ["completed", "cancelled", "approved"])
def test_only_in_progress_projects_are_overdue(site, monkeypatch, status):
    data_date(monkeypatch, "2026-01-01")
    text = replace_line(PROJECT, "status:", f"status: {status}")
    assert "in-progress-after-end" not in codes(site.check({**RECORDS, PROJECT_PATH: text}))


def test_in_progress_without_an_end_is_not_overdue(site, monkeypatch):
    data_date(monkeypatch, "2026-01-01")
    text = replace_line(PROJECT, "end:", "")
    assert "in-progress-after-end" not in codes(site.check({**RECORDS, PROJECT_PATH: text}))


def closed(returned: str, budget: str = "39918.00") -> str:
    """The reference project completed, its budget ``budget``, ``returned`` given back."""
    text = replace_line(PROJECT, "status:", f"status: completed\nreturned: {returned}")
    return replace_line(text, "budget:", f"budget: {budget}" if budget else "")


def test_returned_and_spent_within_the_budget(site):
    # the report spent 3,500.00: 36,418.00 returned accounts for the whole budget
    assert site.check({**RECORDS, PROJECT_PATH: closed("36418.00")}) == []


def test_returned_and_spent_above_the_budget(site):
    text = closed('"36,418.01"')
    result = site.result({**RECORDS, PROJECT_PATH: text})
    p = only(result.problems, "returned-over-budget")
    assert (p.severity, p.file, p.field) == ("warning", PROJECT_PATH, "returned")
    assert (p.line, p.col) == (line_of(text, "returned:"), 11)
    assert th(p) == (
        "เงินคืนกองทุน (36,418.01 บาท) รวมกับเงินที่รายงานว่าใช้ (3,500.00 บาท) เป็น 39,918.01 บาท"
        " เกินงบประมาณโครงการ (39,918.00 บาท)"
    )
    assert en(p) == (
        "the money returned (36,418.01 THB) and the money reported spent (3,500.00 THB) add up"
        " to 39,918.01 THB, above the project budget (39,918.00 THB)"
    )
    assert hint_th(p) == "เงินคืนได้ไม่เกิน 36,418.00 บาท (งบประมาณ − เงินที่รายงานว่าใช้)"
    assert hint_en(p) == (
        "at most 36,418.00 THB can be returned (the budget less the money reported spent)"
    )
    assert p in result.graph.projects[PROJECT_ID].notes


def test_returned_when_spending_alone_is_over_budget(site):
    text = closed("100.00", budget="3000.00")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    assert hint_en(only(problems, "returned-over-budget")) is None  # nothing could be returned
    assert "spent-over-budget" in codes(problems)
    # nothing returned is never the cause
    text = closed("0", budget="3000.00")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    assert "returned-over-budget" not in codes(problems), describe(problems)


def test_returned_with_an_unknown_budget_is_not_judged(site):
    text = closed("50000.00", budget="")
    assert "returned-over-budget" not in codes(site.check({**RECORDS, PROJECT_PATH: text}))
