"""Follow the money: every figure exact, unknowns counted apart, reconciliations where they
disagree (plan.money, plan.scopes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

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
    md,
    replace_line,
)
from fundsite.plan import money
from fundsite.plan.scopes import Scope, ScopeYears
from fundsite.plan.views import Total, fund_rows, money_context, totals_by_area, totals_by_areas
from fundsite.validate import check_site

D = Decimal


def test_sums_are_exact_and_count_what_is_not_stated():
    """0.10 + 0.20 is 0.30, not 0.30000000000000004; None is counted, never added as 0."""
    s = money.Sum.of([D("0.10"), D("0.20"), None, D("39918.00"), None])
    assert s.total == D("39918.30") and (s.known, s.unknown, s.count) == (3, 2, 5)
    assert not s.complete
    assert money.Sum.of([]) == money.Sum(D(0), 0, 0)
    many = money.Sum.of([D("0.01")] * 100_000)
    assert many.total == D("1000.00")


def test_change_from_last_year():
    assert money.change(D("110"), D("100")) == D("10.0")
    assert money.change(D("90"), D("120")) == D("-25.0")
    assert money.change(D("5"), D("0")) is None and money.change(D("5"), None) is None
    assert money.change(D("1"), D("3")) == D("-66.7")  # half up


def _site(site, files):
    result = site.result({**RECORDS, **files})
    assert result.ok, [p.code for p in result.problems if p.severity == "error"]
    return result.graph


SECOND_FUND = md(
    """
    id: L5222
    kind: local
    name: กองทุนหลักประกันสุขภาพ อบต.บ้านใหม่
    area: {province: สงขลา, district: ระโนด, subdistrict: บ้านใหม่}
    population: 5274
    """
)


def test_accounts_of_a_district_with_partial_books(site):
    """Two funds, one with accounts for the year: coverage 1 of 2, sums of that one only, and
    no income per person (a ratio over part of the people would mislead)."""
    graph = _site(site, {"content/funds/L5222.md": SECOND_FUND})
    years = ScopeYears(graph, Scope("district", "9007"))
    flow = years.flow(2568)
    acc = flow.accounts
    assert acc is not None and (acc.funds, acc.reporting, acc.complete) == (2, 1, False)
    assert (acc.carried_forward, acc.income, acc.spent, acc.balance) == (
        D("120000.00"),
        D("351500.00"),
        D("280000.00"),
        D("191500.00"),
    )
    assert acc.available == D("471500.00")
    assert acc.share_spent == D("59.4")  # 280,000 / 471,500
    assert acc.per_person == D("42.70")  # 351,500 / 8,231 (only one fund, with population)


def test_float_trap_amounts_add_up_exactly(site):
    """Amounts that drift as floats (0.1, 0.2, 0.7) sum exactly across funds and records."""
    fund = FUND.replace("other: 1500.00", "other: 0.10").replace(
        "balance: 191500.00", "balance: 190000.10"
    )
    second = SECOND_FUND.replace(
        "population: 5274",
        "population: 5274\nfinances:\n"
        "  - {fiscal_year: 2568, income: {nhso: 0.20, other: 0.70}, spent: 0.30}",
    )
    graph = _site(site, {FUND_PATH: fund, "content/funds/L5222.md": second})
    acc = ScopeYears(graph, Scope("district", "9007")).flow(2568).accounts
    assert acc.other == D("0.80") and acc.nhso == D("250000.20") and acc.spent == D("280000.30")
    assert acc.balance == D("190000.70")  # 190,000.10 + 0.60 computed for the second fund


def test_unknown_budgets_are_counted_not_zero(site):
    """A project without a budget: the approved total is of the stated ones, with a count."""
    second = replace_line(PROJECT, "id:", "id: 68-L5218-4-02")
    second = replace_line(second, "budget:", "")
    second = replace_line(second, "installments:", "installments: []")
    second = "\n".join(
        line
        for line in second.split("\n")
        if not line.startswith(("  - {start", "     amount", "  - {start: 2025"))
    )
    graph = _site(site, {"content/projects/68-L5218-4-02.md": second})
    flow = ScopeYears(graph, Scope("fund", "L5218")).flow(2568)
    assert (flow.approved.total, flow.approved.known, flow.approved.unknown) == (
        D("39918.00"),
        1,
        1,
    )
    rows = fund_rows(flow)
    assert rows[0].approved.unknown == 1 and rows[0].csv()["approved_budget_not_stated"] == 1


def test_planned_approved_and_unallocated(site):
    """A plan of 120,000 with one project of 39,918 under it: 80,082 not yet allocated."""
    graph = _site(site, {})
    flow = ScopeYears(graph, Scope("fund", "L5218")).flow(2568)
    assert flow.planned.total == D("120000.00") and flow.approved.total == D("39918.00")
    assert flow.unallocated == D("80082.00")
    assert flow.spent_vs_approved == D("280000.00") - D("39918.00")
    assert flow.scheduled == money.Sum(D("39918.00"), 2, 0)
    assert flow.reported == money.Sum(D("3500.00"), 1, 0)


def test_unallocated_is_none_when_a_budget_is_unknown(site):
    plan = replace_line(PLAN, "budget:", "")
    graph = _site(site, {PLAN_PATH: plan})
    assert ScopeYears(graph, Scope("fund", "L5218")).flow(2568).unallocated is None


def test_closing_of_a_completed_project(site):
    """Budget 39,918: reported 3,500, returned 1,250, the rest not yet reported (35,168)."""
    project = replace_line(PROJECT, "status:", "status: completed\nreturned: 1250.00")
    graph = _site(site, {PROJECT_PATH: project})
    node = graph.projects["68-L5218-4-01"]
    c = money.closing(node)
    assert (c.budget, c.reported.total, c.returned) == (D("39918.00"), D("3500.00"), D("1250.00"))
    assert c.not_reported == D("35168.00") and c.over is None
    flow = ScopeYears(graph, Scope("fund", "L5218")).flow(2568)
    assert flow.returned == money.Sum(D("1250.00"), 1, 0)


def test_closing_over_the_budget(site):
    report = replace_line(REPORT, "spent:", "spent: 39000.00")
    project = replace_line(PROJECT, "status:", "status: completed\nreturned: 1000.00")
    graph = _site(site, {PROJECT_PATH: project, REPORT_PATH: report})
    c = money.closing(graph.projects["68-L5218-4-01"])
    assert c.not_reported == D("0") and c.over == D("82.00")


def test_default_year_is_the_latest_not_after_the_datas_year(site):
    """A plan for next year does not make next year "this year"."""
    graph = _site(site, {})
    years = ScopeYears(graph, Scope("fund", "L5218"))
    graph.today = date(2025, 3, 1)  # FY 2568
    assert years.years == [2568] and years.default == 2568
    later = ScopeYears(graph, Scope("all", None))
    graph.today = date(2024, 3, 1)  # FY 2567: before every record
    assert later.default == 2568  # then the earliest there is


@pytest.mark.parametrize("level,key", [("all", None), ("district", "9007"), ("fund", "L5218")])
def test_figures_go_to_index_json_as_plain_decimals(site, level, key):
    graph = _site(site, {})
    m = money_context(graph, level, key, 2568)
    figures = m["figures"]
    assert figures["fiscal_year"] == 2568
    assert figures["approved"] == {"total": "39918.00", "stated": 1, "not_stated": 0}
    assert figures["accounts"]["spent"] == "280000.00"
    assert figures["previous_year"] is None
    for what in ("plans", "projects", "reports"):
        assert m["links"][what].endswith(f"#{what}")  # few: listed on the page itself


def test_totals_by_area_levels_sum_each_areas_projects_once():
    """The bar charts' totals (grouped by two levels in one pass) equal each area's projects
    summed one by one: every project counted in each area it names (or its fund's), once in
    an area it names twice, its unknown budget counted apart; a total built with projects and
    then added to sums both."""
    graph = check_site(Path(__file__).parent.parent).graph
    assert graph is not None
    projects = list(graph.projects.values())
    assert any(p.record.budget is None for p in projects)
    assert any(len({a.province for a in p.areas}) > 1 for p in projects)
    for levels in (("province", "region"), ("province", "district"), ("region", "province")):
        for level, totals in zip(levels, totals_by_areas(graph, levels, projects), strict=True):
            assert totals == totals_by_area(graph, level, projects)
            for total in totals:
                mine = [
                    p
                    for p in projects
                    if total.key in {getattr(a, level) for a in (p.areas or p.fund.areas)}
                ]
                assert total.projects == mine
                assert total.sum == money.Sum.of([p.record.budget for p in mine]), total.key
            assert [t.budget for t in totals] == sorted((t.budget for t in totals), reverse=True)
    first, *rest = projects
    total = Total("all", "", None, [first])
    for project in rest:
        total.add(project, project.record.budget)
    assert total.sum == money.Sum.of([p.record.budget for p in projects])
