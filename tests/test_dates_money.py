"""Thai dates both ways, fiscal years, and money that never drifts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from conftest import (
    FUND,
    FUND_PATH,
    PLAN,
    PLAN_PATH,
    PROJECT,
    PROJECT_PATH,
    RECORDS,
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
from fundsite.thai import (
    DateError,
    fiscal_year,
    fiscal_year_bounds,
    format_baht,
    format_date,
    parse_date,
)
from fundsite.validate.models import Project
from fundsite.validate.types import _money

# ---- parsing dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 ม.ค. 2561", date(2018, 1, 1)),
        ("22 พฤศจิกายน 2567", date(2024, 11, 22)),
        ("1 ต.ค. 2567", date(2024, 10, 1)),
        ("30 ก.ย. 2568", date(2025, 9, 30)),
        ("31 ธันวาคม 2561", date(2018, 12, 31)),
        ("1 ธันวาคม 2560", date(2017, 12, 1)),
        ("1 ตค 2567", date(2024, 10, 1)),  # without the dots
        ("1 ต. ค. 2567", date(2024, 10, 1)),  # with a stray space
        ("1ต.ค.2567", date(2024, 10, 1)),  # without spaces
        ("1 ต.ค. พ.ศ. 2567", date(2024, 10, 1)),
        ("1 ตุลาคม พ.ศ.2567", date(2024, 10, 1)),
        ("29 ก.พ. 2567", date(2024, 2, 29)),  # 2024 is a leap year
        ("๑ ต.ค. ๒๕๖๗", date(2024, 10, 1)),  # Thai digits
        ("๒๒ พฤศจิกายน ๒๕๖๗", date(2024, 11, 22)),
        ("2024-10-01", date(2024, 10, 1)),
        ("2024-1-5", date(2024, 1, 5)),
        ("  2024-10-01 ", date(2024, 10, 1)),
        ("๒๐๒๔-๑๐-๐๑", date(2024, 10, 1)),
        ("2399-01-01", date(2399, 1, 1)),  # below 2400: taken as written
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_parse_date_passes_dates_through():
    assert parse_date(date(2024, 10, 1)) == date(2024, 10, 1)


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("2567-10-01", "date-be-as-ce", {"suggestion": "2024-10-01"}),
        ("2568-09-30", "date-be-as-ce", {"suggestion": "2025-09-30"}),
        ("2400-01-01", "date-be-as-ce", {"suggestion": "1857-01-01"}),
        ("1 ต.ค. 2024", "date-ce-as-be", {"suggestion": "1 ต.ค. 2567", "iso": "2024-10-01"}),
        ("1 ตุลา 2567", "date-month", {"month": "ตุลา"}),
        ("29 ก.พ. 2566", "date-impossible", {}),
        ("2024-02-30", "date-impossible", {}),
        ("2024-13-01", "date-impossible", {}),
        ("yesterday", "date-invalid", {}),
        ("", "date-invalid", {}),
        ("10/01/2024", "date-invalid", {}),
    ],
)
def test_parse_date_errors(text, code, params):
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.code == code
    assert info.value.params["value"] == text
    for key, value in params.items():
        assert info.value.params[key] == value


@pytest.mark.parametrize("value", [None, 20241001, Decimal("2024.10"), ["2024-10-01"], True])
def test_parse_date_rejects_non_text(value):
    with pytest.raises(DateError) as info:
        parse_date(value)
    assert info.value.code == "date-invalid"


# ---- formatting ----------------------------------------------------------------------------------


def test_format_date_thai():
    assert format_date(date(2024, 10, 1)) == "1 ต.ค. 2567"
    assert format_date(date(2024, 11, 22), full=True) == "22 พฤศจิกายน 2567"
    assert format_date(date(2018, 1, 1)) == "1 ม.ค. 2561"


def test_format_date_english_and_missing():
    assert format_date(date(2024, 10, 1), lang="en") == "1 Oct 2024"
    assert format_date(None) == "ไม่ระบุ"
    assert format_date(None, lang="en") == "not stated"


@pytest.mark.parametrize("day", [date(2018, 1, 1), date(2024, 2, 29), date(2025, 12, 31)])
def test_thai_dates_round_trip(day):
    assert parse_date(format_date(day)) == day
    assert parse_date(format_date(day, full=True)) == day


def test_format_baht():
    assert format_baht(Decimal("39918")) == "39,918.00 บาท"
    assert format_baht(Decimal("1000000"), unit=False) == "1,000,000.00"
    assert format_baht(Decimal("0.1") + Decimal("0.2"), lang="en") == "0.30 THB"
    assert format_baht(None) == "ไม่ระบุ"
    assert format_baht(0) == "0.00 บาท"


# ---- fiscal years --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2025, 9, 30), 2568),
        (date(2024, 10, 1), 2568),
        (date(2024, 9, 30), 2567),
        (date(2024, 12, 31), 2568),
        (date(2025, 1, 1), 2568),
        (date(2025, 10, 1), 2569),
    ],
)
def test_fiscal_year(day, year):
    assert fiscal_year(day) == year


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2568) == (date(2024, 10, 1), date(2025, 9, 30))
    start, end = fiscal_year_bounds(2567)
    assert fiscal_year(start) == fiscal_year(end) == 2567


@pytest.mark.parametrize("written", ["2568", "พ.ศ. 2568", '"2568"'])
def test_fiscal_year_field_accepts(site, written):
    text = replace_line(PLAN, "fiscal_year:", f"fiscal_year: {written}")
    assert site.check({**RECORDS, PLAN_PATH: text}) == []


def test_fiscal_year_in_ce_is_an_error_with_the_be_year(site):
    text = replace_line(PLAN, "fiscal_year:", "fiscal_year: 2025")
    problems = site.check({**RECORDS, PLAN_PATH: text})
    p = only(problems, "fiscal-year-ce")
    assert (p.severity, p.file, p.field) == ("error", PLAN_PATH, "fiscal_year")
    assert (p.line, p.col) == (line_of(PLAN, "fiscal_year:"), 14)
    assert th(p) == "ช่อง fiscal_year ใช้ปี ค.ศ. (2025) แต่ปีงบประมาณต้องเป็นปี พ.ศ."
    assert en(p) == "fiscal_year is a Common-Era year (2025); fiscal years are Buddhist Era"
    assert hint_th(p) == "น่าจะหมายถึง 2568"
    assert hint_en(p) == "probably meant 2568"
    assert codes(problems) == ["fiscal-year-ce"]  # the plan's project is not blamed too


@pytest.mark.parametrize("written", ["3000", "68", "next year", "true"])
def test_fiscal_year_nonsense(site, written):
    text = replace_line(PLAN, "fiscal_year:", f"fiscal_year: {written}")
    p = only(site.check({**RECORDS, PLAN_PATH: text}), "fiscal-year-invalid")
    assert p.field == "fiscal_year"


def test_project_fiscal_year_comes_from_its_dates(site):
    text = replace_line(PROJECT, "plan:", "")
    result = site.result({**RECORDS, PROJECT_PATH: text})
    assert result.graph.projects["68-L5218-4-01"].fiscal_year == 2568  # approved 2024-11-22


# ---- dates in records ----------------------------------------------------------------------------


def test_thai_dates_in_a_record_are_normalised(site):
    text = replace_line(PROJECT, "start:", "start: 1 ต.ค. 2567")
    text = replace_line(text, "end:", "end: 30 กันยายน 2568")
    text = replace_line(text, "approved_on:", "approved_on: ๒๒ พ.ย. ๒๕๖๗")
    result = site.result({**RECORDS, PROJECT_PATH: text})
    assert [p for p in result.problems if p.code != "region-missing-provinces"] == []
    record = result.graph.projects["68-L5218-4-01"].record
    assert (record.start, record.end) == (date(2024, 10, 1), date(2025, 9, 30))
    assert record.approved_on == date(2024, 11, 22)


def test_be_year_written_as_ce(site):
    text = replace_line(PROJECT, "start:", "start: 2567-10-01")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "date-be-as-ce")
    assert (p.severity, p.file, p.field) == ("error", PROJECT_PATH, "start")
    assert (p.line, p.col) == (line_of(PROJECT, "start:"), 8)
    assert th(p) == 'ช่อง start ใช้ปี พ.ศ. ในรูปแบบวันที่สากล ("2567-10-01") ซึ่งต้องเป็นปี ค.ศ.'
    assert en(p) == (
        'start has a Buddhist-Era year in an ISO date ("2567-10-01"); ISO dates are Common Era'
    )
    assert hint_th(p) == "น่าจะหมายถึง 2024-10-01 (ปี ค.ศ.)"
    assert hint_en(p) == "probably meant 2024-10-01 (CE)"


def test_be_year_written_as_ce_in_an_installment(site):
    text = PROJECT.replace("{start: 2025-04-01", "{start: 2568-04-01")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "date-be-as-ce")
    assert p.field == "installments[2].start"
    assert p.line == line_of(PROJECT, "- {start: 2025-04-01")
    assert hint_en(p) == "probably meant 2025-04-01 (CE)"


def test_thai_date_with_ce_year(site):
    text = replace_line(PROJECT, "start:", "start: 1 ต.ค. 2024")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "date-ce-as-be")
    assert (p.severity, p.field, p.line) == ("error", "start", line_of(PROJECT, "start:"))
    assert th(p) == 'ช่อง start เขียนวันที่แบบไทยแต่ใช้ปี ค.ศ. ("1 ต.ค. 2024") ซึ่งต้องเป็นปี พ.ศ.'
    assert en(p) == (
        'start is a Thai date with a Common-Era year ("1 ต.ค. 2024"); Thai dates use the BE year'
    )
    assert hint_th(p) == "น่าจะหมายถึง 1 ต.ค. 2567 หรือเขียนแบบสากลว่า 2024-10-01"
    assert hint_en(p) == "probably meant 1 ต.ค. 2567, or in ISO form 2024-10-01"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("2024-02-30", "date-impossible"),
        ("1 ตุลา 2567", "date-month"),
        ("soon", "date-invalid"),
        ("20241001", "date-invalid"),
    ],
)
def test_bad_dates_in_a_record(site, written, code):
    text = replace_line(PROJECT, "start:", f"start: {written}")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), code)
    assert (p.severity, p.field, p.line) == ("error", "start", line_of(PROJECT, "start:"))


def test_date_with_time_is_not_a_date(site):
    text = replace_line(PROJECT, "start:", "start: 2024-10-01 10:00:00")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "date-invalid")
    assert en(p) == 'start is not a date ("2024-10-01 10:00:00"): write 2024-10-01 or 1 ต.ค. 2567'


# ---- money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("39,918.00", Decimal("39918.00")),
        ("1,000,000.00", Decimal("1000000.00")),
        ("1,000,000.00 บาท", Decimal("1000000.00")),
        ("39918", Decimal("39918.00")),
        (" 39918.5 ", Decimal("39918.50")),
        (39918, Decimal("39918.00")),
        (Decimal("39918.00"), Decimal("39918.00")),
        (Decimal("0.1"), Decimal("0.10")),
        (Decimal("39918.000"), Decimal("39918.00")),  # trailing zeros are not extra decimals
        (0.1, Decimal("0.10")),  # a float from elsewhere: its shortest repr, not 0.1000000000…
        (".5", Decimal("0.50")),
    ],
)
def test_money_accepts(value, expected):
    amount = _money(value)
    assert amount == expected
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-1", "money-negative"),
        (-1, "money-negative"),
        (Decimal("-0.01"), "money-negative"),
        (Decimal("1.001"), "money-decimals"),
        ("1,000.005", "money-decimals"),
        ("3,99,18.00", "money-commas"),
        ("1,0000", "money-commas"),
        ("lots", "money-invalid"),
        ("", "money-invalid"),
        (",", "money-invalid"),
        ("1.2.3", "money-invalid"),
        (True, "money-invalid"),
        (None, "money-invalid"),
        ("NaN", "money-invalid"),
        (".inf", "money-invalid"),
        ([1], "money-invalid"),
        (10**12, "money-too-large"),
        ("1,000,000,000,000.00", "money-too-large"),
        (10**30, "money-too-large"),
        (Decimal("1e400"), "money-too-large"),
        (Decimal("1e-400"), "money-decimals"),
    ],
)
def test_money_rejects(value, code):
    from pydantic_core import PydanticCustomError

    with pytest.raises(PydanticCustomError) as info:
        _money(value)
    assert info.value.type == code


def test_amount_with_thousands_separators_in_a_record(site):
    text = replace_line(PROJECT, "budget:", 'budget: "39,918.00"')
    result = site.result({**RECORDS, PROJECT_PATH: text})
    assert result.graph.projects["68-L5218-4-01"].record.budget == Decimal("39918.00")
    assert [p for p in result.problems if p.code != "region-missing-provinces"] == []


def test_negative_amount(site):
    text = replace_line(PROJECT, "budget:", "budget: -5")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "money-negative")
    assert (p.severity, p.field, p.line, p.col) == ("error", "budget", 12, 9)
    assert th(p) == "ช่อง budget เป็นจำนวนเงินติดลบ (-5) ซึ่งใช้ไม่ได้"
    assert en(p) == "budget is a negative amount (-5)"


def test_absurd_amount_is_an_error_not_a_traceback(site):
    text = replace_line(PROJECT, "budget:", "budget: 1" + "0" * 30)
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "money-too-large")
    assert (p.severity, p.field, p.line) == ("error", "budget", 12)
    assert th(p) == f"ช่อง budget มีจำนวนเงินมากเกินจริง (1{'0' * 30}) ตรวจจำนวนหลักอีกครั้ง"
    assert (
        en(p) == f"budget is an implausibly large amount (1{'0' * 30}); check the number of digits"
    )


def test_largest_plausible_amount(site):
    text = replace_line(PROJECT, "budget:", 'budget: "999,999,999,999.99"')
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    assert codes(problems) == ["installments-sum"], describe(problems)


def test_more_than_two_decimals(site):
    text = replace_line(PROJECT, "budget:", "budget: 39918.001")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "money-decimals")
    assert (p.severity, p.field, p.line, p.col) == ("error", "budget", 12, 9)
    assert th(p) == "ช่อง budget มีทศนิยมเกิน 2 ตำแหน่ง (39918.001)"
    assert en(p) == "budget has more than two decimals (39918.001)"
    assert hint_th(p) == "เช่น 39,918.00"
    assert hint_en(p) == "for example 39,918.00"


def test_more_than_two_decimals_written_as_text(site):
    text = replace_line(PROJECT, "budget:", 'budget: "39,918.001"')
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "money-decimals")
    assert en(p) == 'budget has more than two decimals ("39,918.001")'


def test_misplaced_commas(site):
    text = replace_line(PROJECT, "budget:", 'budget: "3,99,18.00"')
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "money-commas")
    assert th(p) == 'ช่อง budget: ใส่จุลภาคคั่นหลักพันผิดที่ ("3,99,18.00")'


def test_not_an_amount(site):
    text = replace_line(PROJECT, "budget:", "budget: lots")
    p = only(site.check({**RECORDS, PROJECT_PATH: text}), "money-invalid")
    assert th(p) == 'ช่อง budget ต้องเป็นจำนวนเงิน เช่น 39918.00 หรือ "39,918.00" แต่เขียนว่า "lots"'
    assert en(p) == 'budget must be an amount such as 39918.00 or "39,918.00", not "lots"'


def test_boolean_amount_shows_as_written(site):
    text = replace_line(PROJECT, "budget:", "budget: yes")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    p = only(problems, "money-invalid")
    assert en(p).endswith(', not "yes"')  # as written, not as YAML 1.1 reads it (true)
    assert only(problems, "yaml-bool").line == p.line


def test_negative_income_in_finances(site):
    text = FUND.replace("other: 1500.00", "other: -1500.00")
    problems = site.check({**RECORDS, FUND_PATH: text})
    p = only(problems, "money-negative")
    assert p.field == "finances[1].income.other"
    assert p.line == line_of(FUND, "income:")


# ---- exact sums ----------------------------------------------------------------------------------


def _cents_project(amounts: list[str], budget: str) -> str:
    rows = [f"  - {{amount: {a}}}" for a in amounts]
    front = [
        "id: cents",
        "title: t",
        "fund: L5218",
        "issues: [alcohol]",
        "start: 2024-10-01",
        "end: 2025-09-30",
        f"budget: {budget}",
        "area: {province: สงขลา}",
        "installments:",
        *rows,
    ]
    return md("\n".join(front))


def test_installments_add_up_exactly(site):
    problems = site.check(
        {**RECORDS, "content/projects/cents.md": _cents_project(["0.10", "0.20"], "0.30")}
    )
    assert problems == [], describe(problems)


def test_many_small_installments_add_up_exactly(site):
    files = {**RECORDS, "content/projects/cents.md": _cents_project(["0.10"] * 10, "1")}
    assert site.check(files) == []


def test_one_satang_off_is_noticed(site):
    files = {**RECORDS, "content/projects/cents.md": _cents_project(["0.10", "0.20"], "0.31")}
    p = only(site.check(files), "installments-sum")
    assert th(p) == "รวมงบประมาณของทุกงวด (0.30 บาท) ไม่เท่ากับ งบประมาณโครงการ (0.31 บาท)"


def test_text_and_number_amounts_add_up(site):
    files = {
        **RECORDS,
        "content/projects/cents.md": _cents_project(['"1,000,000.10"', "0.20"], '"1,000,000.30"'),
    }
    assert site.check(files) == []


def test_balance_is_exact_with_cents(site):
    text = FUND.replace("carried_forward: 120000.00", "carried_forward: 0.10")
    text = text.replace(
        "income: {nhso: 250000.00, local: 100000.00, other: 1500.00}", "income: {nhso: 0.20}"
    )
    text = text.replace("spent: 280000.00", "spent: 0").replace(
        "balance: 191500.00", "balance: 0.30"
    )
    assert site.check({**RECORDS, FUND_PATH: text}) == []


def test_model_budget_is_decimal():
    project = Project.model_validate({"id": "x", "title": "t", "fund": "f", "budget": "39,918.00"})
    assert isinstance(project.budget, Decimal)
    assert str(project.budget) == "39918.00"
