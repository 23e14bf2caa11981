"""The tables a page shows, as CSV files beside it (``projects.csv`` beside ``index.html``).

Every table a reader sees on a page (an HTML table, a bar chart, which is a table, or a list of
records) is offered as CSV with the same rows in the same order, and the columns a researcher
needs: ids, exact plain decimals, ISO dates, an empty cell for what is not stated (never ``0``).
Records are the open-data rows of :mod:`fundsite.plan.exports` (a page's ``projects.csv`` has the
columns of ``data/projects.csv``). A view puts its tables in its context as ``csv_tables``
(file name → rows); a page writes a table only when it has rows, and its template links it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from fundsite.plan import exports
from fundsite.validate.graph import FundNode, PlanNode

#: The CSV files each page kind (its view's name) may write beside it. Their names are
#: reserved ids (``validate.types.TABLE_FILES``): a listing's file sits among record folders.
BY_KIND: dict[str, tuple[str, ...]] = {
    "home": ("by_issue.csv", "by_year.csv", "reports.csv"),
    "funds": ("funds.csv",),
    "projects": ("projects.csv",),
    "reports": ("reports.csv",),
    "issues": ("issues.csv",),
    "areas": ("by_province.csv",),
    "fund": ("finances.csv", "plans.csv", "by_year.csv", "projects.csv", "reports.csv"),
    "plan": ("situation.csv", "objectives.csv", "projects.csv"),
    "project": (
        "installments.csv",
        "objectives.csv",
        "target_groups.csv",
        "projects.csv",
        "reports.csv",
    ),
    "issue": ("plans.csv", "projects.csv", "reports.csv", "by_province.csv", "by_district.csv"),
    "area": (
        "plans.csv",
        "projects.csv",
        "reports.csv",
        "by_issue.csv",
        "by_province.csv",
        "by_district.csv",
        "by_subdistrict.csv",
    ),
    "year": ("plans.csv", "projects.csv", "reports.csv", "by_issue.csv", "by_region.csv"),
    "records_list": ("plans.csv", "projects.csv", "reports.csv"),
}
#: Page kinds that list a scope's funds of one fiscal year (:func:`funds_file`).
FUNDS_OF_YEAR = frozenset({"area", "year", "records_list"})


def funds_file(fy: int) -> str:
    """The CSV of a scope's funds of one fiscal year, as its comparison table shows them."""
    return f"funds-{fy}.csv"


def files(kind: str, fy: int | None = None) -> tuple[str, ...]:
    """The CSV files a page of ``kind`` (of fiscal year ``fy``, for a scope's page) may write."""
    found = BY_KIND.get(kind, ())
    return (*found, funds_file(fy)) if fy is not None and kind in FUNDS_OF_YEAR else found


def keep(tables: dict[str, Iterable[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The tables that have rows (an empty table is not shown, so it has no CSV)."""
    found = {name: list(rows) for name, rows in tables.items()}
    return {name: rows for name, rows in found.items() if rows}


#: The key column of a bar chart's table, by what its bars are.
_KEYS = {
    "issue": "issue",
    "year": "fiscal_year",
    "region": "region",
    "province": "province_code",
    "district": "district_code",
    "subdistrict": "subdistrict_code",
}


def totals(by: str, items: Iterable[Any]) -> list[dict[str, Any]]:
    """A bar chart's rows (``views.Total``: projects by issue, year or area): the key, the
    name, how many projects, their budgets and how many state none."""
    return [
        {
            _KEYS[by]: t.key,
            "name": t.label,
            "projects": t.count,
            "budget": exports.stated_sum(t.sum),
            "budget_not_stated": t.unknown,
        }
        for t in items
    ]


def listed_funds(nodes: Iterable[FundNode]) -> list[dict[str, Any]]:
    """Funds as the fund listing shows them: their open-data rows."""
    return [exports.fund_row(node) for node in nodes]


def plan_parts(node: PlanNode, items: Sequence[BaseModel]) -> list[dict[str, Any]]:
    """A plan's situation or objectives as its page numbers them: the plan, the number from 1,
    its fund, then every field (as ``exports.objective_rows`` writes a project's)."""
    return [
        {"plan": node.id, "number": number, "fund": node.record.fund}
        | {k: _cell(v) for k, v in item}
        for number, item in enumerate(items, 1)
    ]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return str(value) if isinstance(value, Decimal) else value
