"""Page contexts: for each page kind, a pure function of the graph records it reads.

A context holds the nodes the template draws, the page's title and breadcrumbs, ``records``:
the page's own records as plain data, written beside the page as ``index.json``, and
``csv_tables``: the tables it shows, each written beside it as CSV (:mod:`fundsite.plan.tables`).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Any

import geothai

from fundsite import licenses
from fundsite.history import History
from fundsite.plan import exports, giving, money, scopes, tables
from fundsite.thai import sort_key
from fundsite.validate.graph import FundNode, Node, PlanNode, ProjectNode, ReportNode, SiteGraph

LEVELS = ("region", "province", "district", "subdistrict")
#: Area pages list the funds' plans by issue for a district (the พชอ. view) and a sub-district;
#: a province or region has thousands of plans, which are on its funds' pages.
PLANS_SHOWN_AT = ("district", "subdistrict")
#: Records of a kind a year's page shows when there are too many for it; the figure links to
#: their complete paginated list.
LATEST = 20
#: Projects a plan's page lists (the others are counted).
PLAN_PROJECTS = 200


@dataclass
class Total:
    """A sum of project budgets, with the projects it sums (to explain the number)."""

    key: Any
    label: str
    url: str | None = None
    projects: list[ProjectNode] = field(default_factory=list)
    #: The projects' budgets, when they were read as the projects were grouped (:meth:`add`).
    budgets: list[Decimal | None] | None = None

    def add(self, project: ProjectNode, budget: Decimal | None) -> None:
        """One more project of a group, with its budget, read once for all its groups."""
        if self.budgets is None:
            self.budgets = [p.record.budget for p in self.projects]
        self.projects.append(project)
        self.budgets.append(budget)

    @cached_property
    def sum(self) -> money.Sum:
        """The projects' budgets, summed once: read only after the projects are all in (sorting
        reads it). Projects without a budget are counted apart (:attr:`unknown`), not zeros."""
        if self.budgets is not None:
            return money.Sum.of(self.budgets)
        return money.Sum.of([p.record.budget for p in self.projects])

    @property
    def budget(self) -> Decimal:
        return self.sum.total

    @property
    def unknown(self) -> int:
        return self.sum.unknown

    @property
    def count(self) -> int:
        return len(self.projects)


def totals_by_issue(graph: SiteGraph, projects: Iterable[ProjectNode]) -> list[Total]:
    groups: dict[str, Total] = {}
    for project in projects:
        budget = project.record.budget
        for issue in project.issues:
            if issue not in groups:
                name = graph.issues[issue].name if issue in graph.issues else issue
                groups[issue] = Total(issue, name, f"issues/{issue}/")
            groups[issue].add(project, budget)
    return sorted(groups.values(), key=lambda t: (-t.budget, t.key))


def totals_by_year(projects: Iterable[ProjectNode]) -> list[Total]:
    groups: dict[int, Total] = {}
    for project in projects:
        fy = project.fiscal_year
        if fy is None:
            continue
        if fy not in groups:
            groups[fy] = Total(fy, f"ปีงบประมาณ {fy}", f"years/{fy}/")
        groups[fy].add(project, project.record.budget)
    return sorted(groups.values(), key=lambda t: t.key)


def totals_by_area(graph: SiteGraph, level: str, projects: Iterable[ProjectNode]) -> list[Total]:
    return totals_by_areas(graph, (level,), projects)[0]


def totals_by_areas(
    graph: SiteGraph, levels: tuple[str, ...], projects: Iterable[ProjectNode]
) -> list[list[Total]]:
    """The projects' budgets by the areas of each level (a project in several areas of a level
    counts in each), the biggest first; each project's areas and budget read once."""
    groups: list[dict[Any, Total]] = [{} for _ in levels]
    codes = [attrgetter(level) for level in levels]
    for project in projects:
        budget = project.record.budget
        areas = project.areas or project.fund.areas
        for level, code, found in zip(levels, codes, groups, strict=True):
            for area in (code(areas[0]),) if len(areas) == 1 else set(map(code, areas)):
                if area is None:
                    continue
                total = found.get(area)
                if total is None:
                    name = region_name(graph, area) if level == "region" else area_name(level, area)
                    total = found[area] = Total(area, name, f"{level}s/{area}/")
                total.add(project, budget)
    return [sorted(found.values(), key=lambda t: (-t.budget, str(t.key))) for found in groups]


@lru_cache(maxsize=65536)
def area_name(level: str, key: Any, lang: str = "th") -> str:
    """The Thai (or English) name of an area from its code."""
    if level == "region":
        return f"เขต {key}" if lang == "th" else f"Region {key}"
    found = {
        "province": geothai.province,
        "district": geothai.district,
        "subdistrict": geothai.subdistrict,
    }[level](str(key))
    if found is None:
        return str(key)
    return found.name_th if lang == "th" else found.name_en


def region_name(graph: SiteGraph, key: Any) -> str:
    """``เขต 12 สงขลา`` from data/regions.yaml, else ``เขต 12``."""
    region = graph.regions.get(int(key)) if str(key).isdigit() else None
    return region.name if region else area_name("region", key)


def area_chain(graph: SiteGraph, level: str, key: Any) -> list[tuple[str, Any]]:
    """The areas above one area, from the region down: ``[("region", 12), ("province", "90")]``."""
    code = str(key)
    chain: list[tuple[str, Any]] = []
    if level in ("province", "district", "subdistrict"):
        province = code[:2]
        if province in graph.region_of_province:
            chain.append(("region", graph.region_of_province[province]))
        chain.append(("province", province))
    if level in ("district", "subdistrict"):
        chain.append(("district", code[:4]))
    if level == "subdistrict":
        chain.append(("subdistrict", code))
    return chain if level != "region" else [("region", key)]


def _crumb(graph: SiteGraph, level: str, key: Any) -> tuple[str, str]:
    name = region_name(graph, key) if level == "region" else area_name(level, key)
    return name, f"{level}s/{key}/"


def _paging(items: list[Any], number: int, base: str) -> dict[str, Any]:
    pages = scopes.pages_of(len(items))
    return {
        "items": scopes.page_of(items, number),
        "number": number,
        "pages": pages,
        "base": base,
        "total": len(items),
    }


def _latest_reports(reports: Iterable[ReportNode], n: int = 10) -> list[ReportNode]:
    return heapq.nlargest(n, reports, key=lambda r: (r.record.date, r.id))


def _projects_sorted(projects: Iterable[ProjectNode]) -> list[ProjectNode]:
    return sorted(projects, key=lambda p: (-(p.fiscal_year or 0), p.id))


def _history(graph: SiteGraph, node: Node) -> History | None:
    """The record file's git history, if the build loaded one into ``graph.history``."""
    history: dict[str, History] = getattr(graph, "history", {})
    return history.get(node.path)


# page kinds ---------------------------------------------------------------------------------


def home(graph: SiteGraph) -> dict[str, Any]:
    projects = list(graph.projects.values())
    provinces, regions = totals_by_areas(graph, ("province", "region"), projects)
    m = money_context(graph, "all", None, None)
    feed = _latest_reports(graph.reports.values(), 30)
    latest = feed[:10]
    by_issue = totals_by_issue(graph, m["flow"].projects if m["flow"] else [])
    by_year = totals_by_year(projects)
    budget = Total("all", "", "projects/", projects)
    return {
        **m,
        "title": graph.site.title,
        "crumbs": [],
        "funds": list(graph.funds.values()),
        "projects": projects,
        "budget": budget,
        "reports_count": len(graph.reports),
        "latest_reports": latest,
        "by_issue": by_issue,
        "by_year": by_year,
        "by_region": regions,
        "by_province": provinces,
        "map_projects": [p for p in projects if p.record.location],
        "records": {
            "totals": {
                "funds": len(graph.funds),
                "projects": len(projects),
                "budget": str(budget.budget),
                "budget_not_stated": budget.unknown,
                "reports": len(graph.reports),
            },
            "money": m["figures"],
        },
        "feed_entries": feed,
        "csv_tables": tables.keep(
            {
                "reports.csv": map(exports.report_row, latest),
                "by_issue.csv": tables.totals("issue", by_issue),
                "by_year.csv": tables.totals("year", by_year),
            }
        ),
    }


def not_found(graph: SiteGraph) -> dict[str, Any]:
    return {"title": "ไม่พบหน้านี้", "crumbs": [], "records": None}


def search(graph: SiteGraph) -> dict[str, Any]:
    """The search page: its filters are the site's provinces (with their health region, which
    tells the page which index parts to load), districts by province, issues and years."""
    tree = area_tree(graph)
    provinces = sorted(
        (
            (str(p), area_name("province", p), "" if region is None else str(region))
            for (level, region), keys in tree.items()
            if level == "region"
            for p in keys
        ),
        key=lambda t: sort_key(t[1]),
    )
    districts = [
        (str(d), area_name("district", d), str(p))
        for p, _name, _region in provinces
        for d in tree.get(("province", p), [])
    ]
    return {
        "title": "ค้นหา",
        "crumbs": [],
        "records": None,
        "issues": list(graph.issues.values()),
        "years": graph.keys("projects", "fiscal_year"),
        "provinces": provinces,
        "districts": districts,
    }


def listing(graph: SiteGraph, kind: str) -> list[Any]:
    """All funds, projects or reports in listing order; computed once per graph.

    Funds and projects are ordered by id and fiscal year, which are links: a patch never
    changes them, so their order outlives patches. Reports are ordered by date, which a patch
    may change: theirs is kept with what ``SiteGraph.forget_derived`` drops.
    """
    store = "_derived" if kind == "reports" else "_listings"
    memo: dict[str, list[Any]] = graph.__dict__.setdefault(store, {})
    if kind not in memo:
        if kind == "funds":
            memo[kind] = sorted(graph.funds.values(), key=lambda f: f.id)
        elif kind == "projects":
            memo[kind] = _projects_sorted(graph.projects.values())
        else:
            memo[kind] = _latest_reports(graph.reports.values(), len(graph.reports))
    return memo[kind]


def funds(graph: SiteGraph, number: int) -> dict[str, Any]:
    items = listing(graph, "funds")
    paging = _paging(items, number, "funds/")
    return {
        "title": "กองทุน",
        "crumbs": [("กองทุน", "funds/")],
        "paging": paging,
        "records": [exports.fund_row(f) for f in paging["items"]],
        "csv_tables": tables.keep({"funds.csv": tables.listed_funds(paging["items"])}),
    }


def projects(graph: SiteGraph, number: int) -> dict[str, Any]:
    items = listing(graph, "projects")
    paging = _paging(items, number, "projects/")
    rows = [exports.project_row(p) for p in paging["items"]]
    return {
        "title": "โครงการ",
        "crumbs": [("โครงการ", "projects/")],
        "paging": paging,
        "budget": Total("all", "", None, items) if number == 1 else None,
        "records": rows,
        "csv_tables": tables.keep({"projects.csv": rows}),
    }


def reports(graph: SiteGraph, number: int) -> dict[str, Any]:
    items = listing(graph, "reports")
    paging = _paging(items, number, "reports/")
    rows = [exports.report_row(r) for r in paging["items"]]
    return {
        "title": "รายงานจากพื้นที่",
        "crumbs": [("รายงาน", "reports/")],
        "paging": paging,
        "records": rows,
        "csv_tables": tables.keep({"reports.csv": rows}),
    }


def fund(graph: SiteGraph, fund_id: str, fy: int | None = None) -> dict[str, Any]:
    """A fund's page for one fiscal year (its default year when ``fy`` is None); its accounts
    of every year are on each."""
    node: FundNode = graph.funds[fund_id]
    crumbs = [_crumb(graph, level, key) for level, key in _fund_chain(graph, node)]
    m = money_context(graph, "fund", fund_id, fy)
    flow: money.Flow | None = m["flow"]
    plans_by_issue: dict[str, list[PlanNode]] = defaultdict(list)
    for plan_node in sorted(flow.plans if flow else [], key=lambda p: p.id):
        plans_by_issue[plan_node.record.issue].append(plan_node)
    projects_sorted = _projects_sorted(node.projects)
    by_year = totals_by_year(projects_sorted)
    return {
        **m,
        "title": _year_title(node.record.name, m, fy),
        "crumbs": _year_crumbs([*crumbs, (node.record.name, f"funds/{fund_id}/")], m, fy),
        "fund": node,
        "plans_by_issue": dict(plans_by_issue),
        "projects": projects_sorted,
        "budget": Total(fund_id, "", f"funds/{fund_id}/#projects", projects_sorted),
        "by_year": by_year,
        "by_issue": totals_by_issue(graph, projects_sorted),
        "reports": _latest_reports(node.reports, len(node.reports)),
        "feed_entries": _latest_reports(node.reports, 30),
        "notes": [*node.notes, *(n for p in node.projects for n in p.notes)],
        "records": {**exports.fund_record(node), "money": m["figures"]},
        "history": _history(graph, node),
        "csv_tables": tables.keep(
            {
                # newest year first, as the page's table
                "finances.csv": reversed(list(exports.finance_rows(node))),
                **_year_tables(m, [p for group in plans_by_issue.values() for p in group]),
                "by_year.csv": tables.totals("year", by_year) if flow else [],
            }
        ),
    }


def _fund_chain(graph: SiteGraph, node: FundNode) -> list[tuple[str, Any]]:
    area = node.area
    if area is None:
        return []
    level = area.level
    key = getattr(area, level) if level != "region" else area.region
    return area_chain(graph, level, key)


def plan(graph: SiteGraph, plan_id: str) -> dict[str, Any]:
    node = graph.plans[plan_id]
    fund_node = node.fund
    shown = _projects_sorted(node.projects)[:PLAN_PROJECTS]
    return {
        "title": node.record.title,
        "crumbs": [
            (fund_node.record.name, f"funds/{fund_node.id}/"),
            (node.record.title, f"plans/{plan_id}/"),
        ],
        "plan": node,
        "approved": money.Sum.of(p.record.budget for p in node.projects),
        "projects": shown,
        "budget": Total(plan_id, "", f"plans/{plan_id}/#projects", node.projects),
        "records": exports.plan_row(node),
        "history": _history(graph, node),
        "csv_tables": tables.keep(
            {
                "situation.csv": tables.plan_parts(node, node.record.situation),
                "objectives.csv": tables.plan_parts(node, node.record.objectives),
                "projects.csv": map(exports.project_row, shown),
            }
        ),
    }


def project(graph: SiteGraph, project_id: str) -> dict[str, Any]:
    node = graph.projects[project_id]
    fund_node = node.fund
    return {
        "title": node.record.title,
        "crumbs": [
            (fund_node.record.name, f"funds/{fund_node.id}/"),
            (node.id, f"projects/{project_id}/"),
        ],
        "project": node,
        "closing": money.closing(node),
        "reports": node.reports,
        "notes": node.notes,
        "records": exports.project_record(node),
        "history": _history(graph, node),
        "csv_tables": tables.keep(
            {
                "installments.csv": exports.installment_rows(node),
                "objectives.csv": exports.objective_rows(node),
                "target_groups.csv": exports.target_group_rows(node),
                "projects.csv": map(exports.project_row, node.children),
                "reports.csv": map(exports.report_row, node.reports),
            }
        ),
    }


def report(graph: SiteGraph, report_id: str) -> dict[str, Any]:
    node = graph.reports[report_id]
    proj = node.project
    return {
        "title": node.record.title,
        "crumbs": [
            (proj.fund.record.name, f"funds/{proj.fund.id}/"),
            (proj.id, f"projects/{proj.id}/"),
            (node.record.title, f"reports/{report_id}/"),
        ],
        "report": node,
        "notes": node.notes,
        "records": exports.report_row(node),
        "history": _history(graph, node),
    }


def issues(graph: SiteGraph) -> dict[str, Any]:
    totals = {t.key: t for t in totals_by_issue(graph, graph.projects.values())}
    rows = [
        (
            issue,
            totals.get(issue.id, Total(issue.id, issue.name, f"issues/{issue.id}/")),
            len(graph.lookup("plans", "issue", issue.id)),
        )
        for issue in graph.issues.values()
    ]
    return {
        "title": "ประเด็น",
        "crumbs": [("ประเด็น", "issues/")],
        "rows": rows,
        "records": [
            {"id": i.id, "name": i.name, "projects": t.count, "budget": str(t.budget)}
            for i, t, _ in rows
        ],
        "csv_tables": tables.keep(
            {
                "issues.csv": (
                    {
                        **exports.issue_row(i),
                        "plans": plans,
                        "projects": t.count,
                        "budget": exports.stated_sum(t.sum),
                        "budget_not_stated": t.unknown,
                    }
                    for i, t, plans in rows
                )
            }
        ),
    }


def issue(graph: SiteGraph, issue_id: str, fy: int | None = None) -> dict[str, Any]:
    """An issue's page for one fiscal year (its default year when ``fy`` is None)."""
    item = graph.issues[issue_id]
    m = money_context(graph, "issue", issue_id, fy)
    flow: money.Flow | None = m["flow"]
    year_projects = flow.projects if flow else []  # summed: in no order of their own
    every_project = graph.lookup("projects", "issue", issue_id)
    reports_list = [r for p in every_project for r in p.reports]
    by_province, by_district = totals_by_areas(graph, ("province", "district"), year_projects)
    if len(by_district) > LATEST * 2:  # too many to chart: the provinces' pages have them
        by_district = []
    return {
        **m,
        "title": _year_title(item.name, m, fy),
        "crumbs": _year_crumbs([("ประเด็น", "issues/"), (item.name, f"issues/{issue_id}/")], m, fy),
        "issue": item,
        "by_province": by_province,
        "by_district": by_district,
        "feed_entries": _latest_reports(reports_list, 30),
        "records": {
            "issue": item.model_dump(mode="json"),
            "money": m["figures"],
            **listed_records(m, plans=True),
        },
        "csv_tables": tables.keep(
            {
                **_year_tables(m, m["lists"]["plans"] if flow else []),
                "by_province.csv": tables.totals("province", by_province),
                "by_district.csv": tables.totals("district", by_district),
            }
        ),
    }


def area(graph: SiteGraph, level: str, key: Any, fy: int | None = None) -> dict[str, Any]:
    """An area's page for one fiscal year (its default year when ``fy`` is None)."""
    name = region_name(graph, key) if level == "region" else area_name(level, key)
    scope_years = scopes.scope_years(graph, scopes.Scope(level, key))
    m = money_context(graph, level, key, fy)
    flow: money.Flow | None = m["flow"]
    year_projects = _projects_sorted(flow.projects) if flow else []
    plans_by_issue: dict[str, list[PlanNode]] = defaultdict(list)
    if level in PLANS_SHOWN_AT and flow:
        for plan_node in sorted(flow.plans, key=lambda p: p.fund.id):
            plans_by_issue[plan_node.record.issue].append(plan_node)
    below = LEVELS[LEVELS.index(level) + 1] if level != "subdistrict" else None
    by_below = totals_by_area(graph, below, year_projects) if below else []
    by_issue = totals_by_issue(graph, year_projects)
    crumbs = [_crumb(graph, lv, k) for lv, k in area_chain(graph, level, key)]
    reports_all = [r for p in graph.lookup("projects", level, key) for r in p.reports]
    plans = [p for group in plans_by_issue.values() for p in group] or (
        m["lists"]["plans"] if flow else []
    )
    return {
        **m,
        "title": _year_title(name, m, fy),
        "crumbs": _year_crumbs(crumbs, m, fy),
        "level": level,
        "key": key,
        "name": name,
        "name_en": area_name(level, key, "en"),
        "sub_level": BELOW.get(level),
        "sub_areas": sub_areas(graph, level, key),
        "area_funds": area_funds(graph, level, key),
        "plans_by_issue": dict(plans_by_issue),
        "by_issue": by_issue,
        "below": by_below,
        "below_level": below,
        "map_projects": [p for p in year_projects if p.record.location],
        "feed_entries": _latest_reports(reports_all, 30),
        "records": {
            "area": {"level": level, "code": str(key), "name": name},
            "money": m["figures"],
            # the year's funds as the comparison table (and its CSV) shows them
            "funds": [row.csv() for row in _fund_rows_of(scope_years, m["fiscal_year"])]
            if flow
            else [],
            **listed_records(m),
        },
        "csv_tables": tables.keep(
            {
                **_funds_table(scope_years, m),
                **_year_tables(m, plans),
                "by_issue.csv": tables.totals("issue", by_issue),
                **({f"by_{below}.csv": tables.totals(below, by_below)} if below else {}),
            }
        ),
    }


def listed_records(m: dict[str, Any], plans: bool = False) -> dict[str, Any]:
    """A scope's year (``m``: :func:`money_context`) as its page's ``index.json`` lists it: the
    projects (and ``plans``) the page lists, which are all of them when there are few, and for
    each kind how many the figures sum and, when the page lists only the first, the folder of
    their complete list, whose pages' ``index.json`` hold every row (a national year's page
    would otherwise carry 70,000 rows: data/projects.csv has them all)."""
    lists: dict[str, list[Any]] = m.get("lists", {})  # none: a scope without a year
    counts: dict[str, int] = m.get("counts", {})

    def listed(what: str) -> dict[str, Any]:
        count = counts.get(what, 0)
        apart = len(lists.get(what, [])) < count
        return {"count": count, "complete_list": m["links"][what] if apart else None}

    rows = {"projects": [exports.project_row(p) for p in lists.get("projects", [])]}
    if plans:
        rows["plans"] = [exports.plan_row(p) for p in lists.get("plans", [])]
    return {**rows, "lists": {what: listed(what) for what in ("plans", "projects", "reports")}}


def _year_tables(m: dict[str, Any], plans: list[PlanNode]) -> dict[str, Iterable[Any]]:
    """The lists of a scope's year page (``m``: :func:`money_context`) as tables: ``plans`` as
    the page shows them, and the projects and reports it lists (all, or the first when they
    have list pages of their own)."""
    if m["flow"] is None:
        return {}
    return {
        "plans.csv": map(exports.plan_row, plans),
        "projects.csv": map(exports.project_row, m["lists"]["projects"]),
        "reports.csv": map(exports.report_row, m["lists"]["reports"]),
    }


def _funds_table(years: scopes.ScopeYears, m: dict[str, Any]) -> dict[str, Iterable[Any]]:
    """A scope's funds of the page's year as a table: every row of the comparison table where
    it compares them, else the funds the page lists (their rows of such a table)."""
    if m["flow"] is None:
        return {}
    rows = _fund_rows_of(years, m["fiscal_year"])
    shown = rows if m["comparison"] is not None else rows[: len(m["lists"]["funds"])]
    return {m["funds_csv"]: (row.csv() for row in shown)}


def _year_title(name: str, m: dict[str, Any], fy: int | None) -> str:
    """A year's own page says its year; the scope's default page is the scope's name."""
    return f"{name} · ปีงบประมาณ {m['fiscal_year']}" if fy is not None else name


def _year_crumbs(
    crumbs: list[tuple[str, str]], m: dict[str, Any], fy: int | None
) -> list[tuple[str, str]]:
    if fy is None or not m["years"]:
        return crumbs
    page = dict(m["years"])[fy]
    return [*crumbs, (f"ปีงบประมาณ {fy}", page)]


def areas(graph: SiteGraph) -> dict[str, Any]:
    """Every province that has a page, as links under its health region: the first step of
    finding one's area without search (province → district → sub-district → fund); then the
    projects of every year by province, with their budgets."""
    regions = sorted(
        {*graph.keys("funds", "region"), *graph.keys("projects", "region")}, key=_region_order
    )
    groups: list[tuple[str | None, str | None, list[tuple[str, str]]]] = [
        (region_name(graph, r), f"regions/{r}/", sub_areas(graph, "region", r)) for r in regions
    ]
    if area_tree(graph).get(
        ("region", None)
    ):  # provinces outside every region of data/regions.yaml
        groups.append((None, None, sub_areas(graph, "region", None)))
    by_province = totals_by_area(graph, "province", graph.projects.values())
    return {
        "title": "พื้นที่",
        "crumbs": [("พื้นที่", "areas/")],
        "regions": groups,
        "by_province": by_province,
        "records": None,
        "csv_tables": tables.keep({"by_province.csv": tables.totals("province", by_province)}),
    }


def _region_order(key: Any) -> tuple[int, str]:
    return (int(key), "") if str(key).isdigit() else (10**6, str(key))


#: The level one below each area level that lists the areas under it.
BELOW = {"region": "province", "province": "district", "district": "subdistrict"}


def area_tree(graph: SiteGraph) -> dict[tuple[str, Any], list[Any]]:
    """The areas that have pages (they hold funds or projects), under the area one level up:
    ``("province", "90")`` → its districts' codes; ``("region", None)`` → provinces without a
    region. Areas are links, which a patch never changes: computed once per graph."""
    memo: dict[str, Any] = graph.__dict__.setdefault("_listings", {})
    tree: dict[tuple[str, Any], list[Any]] | None = memo.get("area_tree")
    if tree is None:
        found: dict[tuple[str, Any], set[Any]] = defaultdict(set)
        for above, level in BELOW.items():
            for key in {*graph.keys("funds", level), *graph.keys("projects", level)}:
                code = str(key)  # a district's code starts with its province's, and so on
                parent = graph.region_of_province.get(code) if above == "region" else code[:-2]
                found[(above, parent)].add(key)
        tree = memo["area_tree"] = {
            (above, parent): sorted(keys, key=lambda k, lv=BELOW[above]: _name_order(lv, k))
            for (above, parent), keys in found.items()
        }
    return tree


def _name_order(level: str, key: Any) -> tuple[str, str]:
    return (sort_key(area_name(level, key)), str(key))


def sub_areas(graph: SiteGraph, level: str, key: Any) -> list[tuple[str, str]]:
    """The areas one level below an area that have pages, as (name, url), by name."""
    below = BELOW.get(level)
    if below is None:
        return []
    return [(area_name(below, k), f"{below}s/{k}/") for k in area_tree(graph).get((level, key), [])]


def area_funds(graph: SiteGraph, level: str, key: Any) -> list[tuple[str, FundNode]]:
    """The funds located in an area, by name, each with the name it is linked by: a
    district's and a sub-district's page link them near the top (so does an area with no
    area below it that has a page). Words every name starts with ("กองทุนหลักประกันสุขภาพ")
    are left out of the links when there are several, so each says which fund it is."""
    if level not in ("district", "subdistrict") and sub_areas(graph, level, key):
        return []
    funds = graph.lookup("funds", level, key)
    funds.sort(key=lambda f: (sort_key(f.record.name), f.id))
    words = [f.record.name.split() for f in funds]
    common = 0
    for column in zip(*words, strict=False) if len(funds) > 1 else ():  # up to the shortest
        if len(set(column)) > 1:
            break
        common += 1
    if any(len(w) == common for w in words):  # a name that is only the common words
        common = 0
    return [(" ".join(w[common:]), f) for w, f in zip(words, funds, strict=True)]


def year(graph: SiteGraph, fy: int) -> dict[str, Any]:
    """The whole portal in one fiscal year (the home page shows its default year)."""
    m = money_context(graph, "all", None, fy)
    projects = m["flow"].projects  # summed: in no order of their own
    by_issue = totals_by_issue(graph, projects)
    by_region, by_province = totals_by_areas(graph, ("region", "province"), projects)
    return {
        **m,
        "title": f"ปีงบประมาณ {fy}",
        "crumbs": [(f"ปีงบประมาณ {fy}", f"years/{fy}/")],
        "by_issue": by_issue,
        "by_region": by_region,
        "by_province": by_province,
        "records": {"money": m["figures"], **listed_records(m)},
        "csv_tables": tables.keep(
            {
                **_funds_table(scopes.scope_years(graph, scopes.Scope("all", None)), m),
                **_year_tables(m, m["lists"]["plans"]),
                "by_issue.csv": tables.totals("issue", by_issue),
                "by_region.csv": tables.totals("region", by_region),
            }
        ),
    }


# the money of one fiscal year of a scope -----------------------------------------------------


def money_context(graph: SiteGraph, level: str, key: Any, fy: int | None) -> dict[str, Any]:
    """What every scope page shows of its year: the flow, the years to choose from, the change
    from last year, where each figure's records are listed, and the funds compared."""
    years = scopes.scope_years(graph, scopes.Scope(level, key))
    fy = fy if fy is not None else years.default
    if fy is None:
        return {"fiscal_year": None, "years": [], "flow": None, "figures": None, "flags": []}
    flow = years.flow(fy)
    previous = years.flow(fy - 1) if fy - 1 in years.years else None
    lists: dict[str, list[Any]] = {}
    links: dict[str, str] = {}
    for what in scopes.WHAT:
        items = years.listed(fy, what)
        if years.listed_apart(fy, what):
            lists[what] = items[:LATEST]
            links[what] = years.list_base(fy, what)
        else:
            lists[what] = items
            links[what] = f"{years.page(fy)}#{what}"
    compared = level in scopes.COMPARED_AT and years.scope.books
    flags = [(p, note) for p in flow.projects for note in p.notes if note.code in FLAGS]
    return {
        "flags": flags,
        "fiscal_year": fy,
        "years": [(y, years.page(y)) for y in years.years],
        "flow": flow,
        "previous": previous,
        "lists": lists,
        "links": links,
        "counts": {what: _count(flow, what) for what in scopes.WHAT},
        "comparison": _fund_rows_of(years, fy) if compared else None,
        "funds_csv": tables.funds_file(fy),
        "figures": money_record(flow, previous),
    }


#: Data-quality notes that say a project may not be delivering: shown on the pages of the
#: areas, issues, funds and years that hold it, not only on its own.
FLAGS = frozenset({"report-window-passed", "in-progress-after-end", "returned-over-budget"})


def _count(flow: money.Flow, what: str) -> int:
    return len(flow.funds) if what == "funds" else len(getattr(flow, what))


@dataclass
class FundRow:
    """One fund in a comparison table: its books and projects for one fiscal year."""

    fund: FundNode
    books: money.Accounts  # of this fund alone: ``reporting`` is 1 when it kept accounts
    approved: money.Sum
    reports: int

    def csv(self) -> dict[str, Any]:
        """The row as the table's CSV writes it: plain decimals, empty when not stated."""
        b = self.books

        def stated(value: Any) -> Any:
            return "" if value is None or not b.reporting else str(value)

        return {
            "fund": self.fund.id,
            "name": self.fund.record.name,
            "population": self.fund.record.population or "",
            "received": stated(b.income),
            "received_per_person": stated(b.per_person),
            "spent": stated(b.spent),
            "share_spent_percent": stated(b.share_spent),
            "approved_projects": self.approved.count,
            "approved_budget": exports.stated_sum(self.approved),
            "approved_budget_not_stated": self.approved.unknown,
            "reports": self.reports,
        }


def _fund_rows_of(years: scopes.ScopeYears, fy: int) -> list[FundRow]:
    found = years.memo.get((fy, "rows"))
    if found is None:
        found = years.memo[(fy, "rows")] = fund_rows(years.flow(fy))
    return found


def fund_rows(flow: money.Flow) -> list[FundRow]:
    """The funds of a year's scope, by name, with their books and projects of the year."""
    projects: dict[int, list[ProjectNode]] = defaultdict(list)
    for project in flow.projects:
        projects[id(project.fund)].append(project)
    rows = []
    for fund in flow.funds:
        mine = projects.get(id(fund), [])
        rows.append(
            FundRow(
                fund,
                money.accounts([fund], flow.fiscal_year),
                money.Sum.of(p.record.budget for p in mine),
                sum(len(p.reports) for p in mine),
            )
        )
    return sorted(rows, key=lambda r: (r.fund.record.name, r.fund.id))


def money_record(flow: money.Flow, previous: money.Flow | None) -> dict[str, Any]:
    """The year's figures as the page's ``index.json`` carries them (plain decimals)."""

    def sum_(s: money.Sum) -> dict[str, Any]:
        return {"total": str(s.total), "stated": s.known, "not_stated": s.unknown}

    acc = flow.accounts
    books = None
    if acc is not None:
        books = {
            "funds": acc.funds,
            "funds_with_accounts": acc.reporting,
            "carried_forward": str(acc.carried_forward),
            "income_nhso": str(acc.nhso),
            "income_local": str(acc.local),
            "income_other": str(acc.other),
            "income": str(acc.income),
            "spent": str(acc.spent),
            "balance": str(acc.balance),
        }
    return {
        "fiscal_year": flow.fiscal_year,
        "accounts": books,
        "planned": sum_(flow.planned),
        "approved": sum_(flow.approved),
        "scheduled": sum_(flow.scheduled),
        "reported_spent": sum_(flow.reported),
        "returned": sum_(flow.returned),
        "previous_year": money_record(previous, None) if previous is not None else None,
    }


def records_list(
    graph: SiteGraph, level: str, key: Any, fy: int, what: str, number: int
) -> dict[str, Any]:
    """A page of the complete list of one kind of record a year's figures sum."""
    years = scopes.scope_years(graph, scopes.Scope(level, key))
    items = years.listed(fy, what)
    base = years.list_base(fy, what)
    paging = _paging(items, number, base)
    year = f"ปีงบประมาณ {fy}"
    if level == "all":
        name, crumbs = "ทุกกองทุน", [(year, f"years/{fy}/")]
    else:
        name = _scope_name(graph, level, key)
        crumbs = [(name, years.scope.url), (year, years.page(fy))]
    rows = {
        "funds": exports.fund_row,
        "plans": exports.plan_row,
        "projects": exports.project_row,
        "reports": exports.report_row,
    }[what]
    records = [rows(n) for n in paging["items"]]
    comparison = scopes.page_of(_fund_rows_of(years, fy), number) if what == "funds" else None
    if comparison is not None:
        table = {tables.funds_file(fy): [row.csv() for row in comparison]}
    else:
        table = {f"{what}.csv": records}
    return {
        "title": " · ".join([_LISTED[what], *([name] if level != "all" else []), year]),
        "scope_name": name,
        "what": what,
        "fiscal_year": fy,
        "crumbs": [*crumbs, (_LISTED[what], base)],
        "paging": paging,
        "comparison": comparison,
        "funds_csv": tables.funds_file(fy),
        "records": records,
        "csv_tables": tables.keep(table),
    }


#: A list page's name for the records it lists.
_LISTED = {"funds": "กองทุน", "plans": "แผนงาน", "projects": "โครงการ", "reports": "รายงาน"}


def _scope_name(graph: SiteGraph, level: str, key: Any) -> str:
    if level == "fund":
        return graph.funds[key].record.name
    if level == "issue":
        return graph.issues[key].name
    return region_name(graph, key) if level == "region" else area_name(level, key)


def data_dictionary(graph: SiteGraph) -> dict[str, Any]:
    """The open-data page: the licence, the data's date, the downloads, and what every column
    of every table holds."""
    spdx = graph.site.data_license
    return {
        "title": "ข้อมูลเปิด",
        "crumbs": [("ข้อมูลเปิด", "data/")],
        "tables": exports.TABLES,
        "license": spdx and (spdx, licenses.license_title(spdx), licenses.license_url(spdx)),
        "as_of": graph.today,
        "snapshot": exports.snapshot_path(graph.today),
        "giving": giving.summary(graph),
        "records": None,
    }


def free_page(graph: SiteGraph, slug: str) -> dict[str, Any]:
    node = graph.pages[slug]
    return {
        "title": node.record.title,
        "crumbs": [(node.record.title, f"pages/{slug}/")],
        "page_node": node,
        "records": None,
    }
