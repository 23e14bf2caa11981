"""The typed site graph: every record validated and linked. The build reads only this."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fundsite.diagnostics import Problem
from fundsite.validate.areas import Area
from fundsite.validate.models import Fund, Issue, Page, Plan, Project, Region, Report, Site


@dataclass(eq=False, slots=True)
class Node:
    """A record in the graph: its model, file, Markdown body and data-quality notes."""

    path: str
    body: str
    body_line: int
    notes: list[Problem] = field(default_factory=list)
    raw: Any = None  # the front matter with positions; dropped once validation is done
    digest: str = ""  # hash of the record's file, for incremental builds

    @property
    def id(self) -> str:
        return self.record.id  # type: ignore[attr-defined, no-any-return]

    @property
    def kind(self) -> str:
        """``fund``, ``plan``, ``project``, ``report`` or ``page``."""
        return type(self).__name__.removesuffix("Node").lower()


@dataclass(eq=False, slots=True)
class FundNode(Node):
    record: Fund = None  # type: ignore[assignment]
    areas: list[Area] = field(default_factory=list)
    plans: list[PlanNode] = field(default_factory=list)
    projects: list[ProjectNode] = field(default_factory=list)

    @property
    def area(self) -> Area | None:
        return self.areas[0] if len(self.areas) == 1 else None

    @property
    def reports(self) -> list[ReportNode]:
        return sorted((r for p in self.projects for r in p.reports), key=_report_order)


@dataclass(eq=False, slots=True)
class PlanNode(Node):
    record: Plan = None  # type: ignore[assignment]
    fund: FundNode = None  # type: ignore[assignment]
    projects: list[ProjectNode] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class ProjectNode(Node):
    record: Project = None  # type: ignore[assignment]
    fund: FundNode = None  # type: ignore[assignment]
    plan: PlanNode | None = None
    programme: ProjectNode | None = None
    children: list[ProjectNode] = field(default_factory=list)
    reports: list[ReportNode] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    fiscal_year: int | None = None

    @property
    def budget(self) -> Decimal:
        return self.record.budget or Decimal("0.00")

    @property
    def installments_total(self) -> Decimal:
        return sum((i.amount for i in self.record.installments), Decimal("0.00"))

    @property
    def reported_spent(self) -> Decimal:
        return sum((r.record.spent or Decimal(0) for r in self.reports), Decimal("0.00"))


@dataclass(eq=False, slots=True)
class ReportNode(Node):
    record: Report = None  # type: ignore[assignment]
    project: ProjectNode = None  # type: ignore[assignment]
    areas: list[Area] = field(default_factory=list)

    @property
    def fund(self) -> FundNode:
        return self.project.fund


@dataclass(eq=False, slots=True)
class PageNode(Node):
    record: Page = None  # type: ignore[assignment]
    slug: str = ""


def _report_order(report: ReportNode) -> tuple[Any, str]:
    return (report.record.date, report.id)


@dataclass
class SiteGraph:
    """All records of a site, linked, with lookups by area, issue and fiscal year."""

    site: Site
    issues: dict[str, Issue]
    regions: dict[int, Region]
    region_of_province: dict[str, int]
    funds: dict[str, FundNode] = field(default_factory=dict)
    plans: dict[str, PlanNode] = field(default_factory=dict)
    projects: dict[str, ProjectNode] = field(default_factory=dict)
    reports: dict[str, ReportNode] = field(default_factory=dict)
    pages: dict[str, PageNode] = field(default_factory=dict)
    media: dict[str, str | None] = field(default_factory=dict)  # media/… → type (None: refused)
    data_digest: str = ""  # hash of data/*.yaml: every page depends on them
    #: The data's date (:func:`fundsite.history.snapshot_date`), computed once by the check.
    #: Rules that judge time (a report window passed with no report, a project in progress
    #: after its end), pages and feeds all read this one date, never the clock: the same
    #: commit gives the same problems and the same bytes on any day, and ``serve``'s patches
    #: agree with a full check (a field, so the copy ``patch`` makes with ``dataclasses.replace``
    #: keeps it).
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    def __post_init__(self) -> None:
        self._index: dict[str, dict[Any, list[Any]]] | None = None

    # lookups -------------------------------------------------------------------------------
    def _indexes(self) -> dict[str, dict[Any, list[Any]]]:
        if self._index is None:
            index: dict[str, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
            for fund in self.funds.values():
                for key, value in _area_keys(fund.areas):
                    _add_once(index[f"funds_by_{key}"][value], fund)
            for project in self.projects.values():
                for key, value in _area_keys(project.areas or project.fund.areas):
                    _add_once(index[f"projects_by_{key}"][value], project)
                for issue in project.issues:
                    index["projects_by_issue"][issue].append(project)
                if project.fiscal_year:
                    index["projects_by_fiscal_year"][project.fiscal_year].append(project)
            for plan in self.plans.values():
                index["plans_by_issue"][plan.record.issue].append(plan)
                index["plans_by_fiscal_year"][plan.record.fiscal_year].append(plan)
                for key, value in _area_keys(plan.fund.areas):
                    index[f"plans_by_{key}"][value].append(plan)
            self._index = index
        return self._index

    def lookup(self, what: str, by: str, key: Any) -> list[Any]:
        """``graph.lookup("projects", "district", "9007")``: records of one area, issue or year.

        ``what`` is funds, plans or projects; ``by`` is subdistrict, district, province, region,
        issue or fiscal_year.
        """
        return list(self._indexes().get(f"{what}_by_{by}", {}).get(key, []))

    def keys(self, what: str, by: str) -> list[Any]:
        """Every area code, issue id or fiscal year that has records of a kind."""
        return sorted(self._indexes().get(f"{what}_by_{by}", {}))

    def forget_derived(self) -> None:
        """Drop what pages computed from record contents, after records changed in place.

        The lookups stay: they depend only on how records link, which a patch never changes.
        Pages keep what depends on record contents under ``_derived`` (``plan.views.listing``).
        """
        self.__dict__.pop("_derived", None)

    def forget_links(self) -> None:
        """Drop the lookups and listings too, after a record was linked in (a new project)."""
        self._index = None
        self.__dict__.pop("_listings", None)
        self.forget_derived()

    def all_nodes(self) -> Iterable[Node]:
        yield from self.funds.values()
        yield from self.plans.values()
        yield from self.projects.values()
        yield from self.reports.values()
        yield from self.pages.values()


def _add_once(bucket: list[Any], item: Any) -> None:
    if not bucket or bucket[-1] is not item:
        bucket.append(item)


def _area_keys(areas: list[Area]) -> Iterable[tuple[str, Any]]:
    for area in areas:
        if area.subdistrict:
            yield "subdistrict", area.subdistrict
        if area.district:
            yield "district", area.district
        if area.province:
            yield "province", area.province
        if area.region:
            yield "region", area.region
