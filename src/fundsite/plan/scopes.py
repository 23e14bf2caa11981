"""Scopes of the money pages: the portal, an area, an issue or a fund, one fiscal year at a time.

A scope's page (``districts/9007/``) shows its default year (the latest with records, not past
the data's fiscal year); each other year has a page of its own (``districts/9007/2567/``; the
portal's are the fiscal-year pages ``years/2567/``), so a year is chosen by a link and works
without JavaScript. Every count and total on them links to the complete list of exactly the
records it sums: on the page itself (``#projects``) when the page lists them all, else
paginated list pages (``districts/9007/2568/projects/``, ``…/page/2/``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from fundsite.plan import money
from fundsite.thai import fiscal_year
from fundsite.validate.graph import FundNode, PlanNode, ProjectNode, ReportNode, SiteGraph

#: Records a page lists itself; above this, the figure links to paginated list pages.
PER_PAGE = 50
#: What a figure may sum, each with its list.
WHAT = ("funds", "plans", "projects", "reports")
AREA_LEVELS = ("region", "province", "district", "subdistrict")
#: Area levels whose pages compare their funds in a table (with a CSV of it).
COMPARED_AT = ("region", "province", "district")


@dataclass(frozen=True)
class Scope:
    """``level`` is ``all``, ``fund``, ``issue`` or an area level; ``key`` its id or code."""

    level: str
    key: Any

    @property
    def url(self) -> str:
        return "" if self.level == "all" else f"{self.level}s/{self.key}/"

    @property
    def books(self) -> bool:
        """Whether the funds' accounts belong to the scope (an issue has no books)."""
        return self.level != "issue"


@dataclass
class ScopeYears:
    """A scope's records and its fiscal years (computed once per scope)."""

    graph: SiteGraph
    scope: Scope

    @cached_property
    def records(self) -> tuple[list[FundNode], list[PlanNode], list[ProjectNode]]:
        return money.scope_records(self.graph, self.scope.level, self.scope.key)

    @cached_property
    def years(self) -> list[int]:
        """Newest first."""
        funds, plans, projects = self.records
        return money.years_of(funds if self.scope.books else (), plans, projects)

    @cached_property
    def default(self) -> int | None:
        """The year the scope's own page shows: the latest with records, not after the fiscal
        year of the data's date (a plan for next year is not "this year")."""
        if not self.years:
            return None
        today: date | None = getattr(self.graph, "today", None)
        now = fiscal_year(today) if today else self.years[0]
        return next((y for y in self.years if y <= now), self.years[-1])

    @cached_property
    def memo(self) -> dict[Any, Any]:
        """What pages compute from this scope's years, computed once (flows, sorted lists)."""
        return {}

    def flow(self, fy: int) -> money.Flow:
        found = self.memo.get(fy)
        if found is None:
            funds, plans, projects = self.records
            found = self.memo[fy] = money.flow(fy, funds, plans, projects, books=self.scope.books)
        return found

    @cached_property
    def counts(self) -> Counter[tuple[int, str]]:
        """(fiscal year, kind) → how many plans, projects or reports the year's figures sum:
        what planning needs, counted in one pass without summing any money."""
        _, plans, projects = self.records
        found: Counter[tuple[int, str]] = Counter((p.record.fiscal_year, "plans") for p in plans)
        for project in projects:
            if project.fiscal_year:
                found[(project.fiscal_year, "projects")] += 1
                found[(project.fiscal_year, "reports")] += len(project.reports)
        return found

    def count(self, fy: int, what: str) -> int:
        """How many records :meth:`listed` gives (every year lists every fund of the scope)."""
        return len(self.records[0]) if what == "funds" else self.counts[(fy, what)]

    def listed_apart(self, fy: int, what: str) -> bool:
        """Whether a year's records of a kind have list pages of their own (too many to list
        on the year's page)."""
        return self.count(fy, what) > PER_PAGE

    def listed(self, fy: int, what: str) -> list[Any]:
        """The records of a kind that a year's figures sum, in list order (:func:`records_of`)."""
        found = self.memo.get((fy, what))
        if found is None:
            found = self.memo[(fy, what)] = records_of(self.flow(fy), what)
        return found

    def page(self, fy: int) -> str:
        """The page of one fiscal year of the scope."""
        if self.scope.level == "all":
            return f"years/{fy}/"  # the home page shows the default year too
        if fy == self.default:
            return self.scope.url
        return f"{self.scope.url}{fy}/"

    def list_base(self, fy: int, what: str) -> str:
        """The folder of the paginated list of one kind of record of one year."""
        if self.scope.level == "all":
            return f"years/{fy}/{what}/"
        return f"{self.scope.url}{fy}/{what}/"


def scope_years(graph: SiteGraph, scope: Scope) -> ScopeYears:
    """A scope's years, made once per graph and kept with what the graph's records derive
    (``SiteGraph.forget_derived`` drops them when a patch changes records): every page of a
    scope (its years, its list pages) reads the same flows instead of summing them again."""
    memo: dict[Scope, ScopeYears] = graph.__dict__.setdefault("_derived", {}).setdefault(
        "scopes", {}
    )
    found = memo.get(scope)
    if found is None:
        found = memo[scope] = ScopeYears(graph, scope)
    return found


def records_of(flow: money.Flow, what: str) -> list[Any]:
    """The records of a kind that a year's figures sum, in list order."""
    if what == "funds":  # as the comparison table orders them
        return sorted(flow.funds, key=lambda f: (f.record.name, f.id))
    if what == "plans":
        return sorted(flow.plans, key=lambda p: (p.fund.id, p.id))
    if what == "projects":
        return sorted(flow.projects, key=lambda p: p.id)
    return sorted(flow.reports, key=_report_order, reverse=True)


def _report_order(report: ReportNode) -> tuple[Any, str]:
    return (report.record.date, report.id)


def pages_of(count: int) -> int:
    return max(1, -(-count // PER_PAGE))


def page_of(items: list[Any], number: int) -> list[Any]:
    """The items on page ``number`` (from 1) of a paginated list."""
    return items[(number - 1) * PER_PAGE : number * PER_PAGE]
