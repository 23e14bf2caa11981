"""Page contexts: for each page kind, a pure function of the graph records it reads.

A context holds the nodes the template draws, the page's title and breadcrumbs, and
``records``: the page's own records as plain data, written beside the page as ``index.json``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

import geothai

from fundsite.history import History
from fundsite.plan import exports
from fundsite.validate.graph import FundNode, Node, PlanNode, ProjectNode, ReportNode, SiteGraph

PER_PAGE = 50
LEVELS = ("region", "province", "district", "subdistrict")
#: Area pages list the funds' plans by issue for a district (the พชอ. view) and a sub-district;
#: a province or region has thousands of plans, which are on its funds' pages.
PLANS_SHOWN_AT = ("district", "subdistrict")
#: Projects (and plans) an area, issue or year page lists; all of them are in its index.json.
LATEST = 20


@dataclass
class Total:
    """A sum of project budgets, with the projects it sums (to explain the number)."""

    key: Any
    label: str
    url: str | None = None
    projects: list[ProjectNode] = field(default_factory=list)

    @cached_property
    def budget(self) -> Decimal:
        """Summed once: read only after the projects are all in (sorting reads it)."""
        return sum((p.budget for p in self.projects), Decimal(0))

    @property
    def count(self) -> int:
        return len(self.projects)


def totals_by_issue(graph: SiteGraph, projects: Iterable[ProjectNode]) -> list[Total]:
    groups: dict[str, Total] = {}
    for project in projects:
        for issue in project.issues:
            if issue not in groups:
                name = graph.issues[issue].name if issue in graph.issues else issue
                groups[issue] = Total(issue, name, f"issues/{issue}/")
            groups[issue].projects.append(project)
    return sorted(groups.values(), key=lambda t: (-t.budget, t.key))


def totals_by_year(projects: Iterable[ProjectNode]) -> list[Total]:
    groups: dict[int, Total] = {}
    for project in projects:
        fy = project.fiscal_year
        if fy is None:
            continue
        groups.setdefault(fy, Total(fy, f"ปีงบประมาณ {fy}", f"years/{fy}/")).projects.append(project)
    return sorted(groups.values(), key=lambda t: t.key)


def totals_by_area(graph: SiteGraph, level: str, projects: Iterable[ProjectNode]) -> list[Total]:
    groups: dict[Any, Total] = {}
    for project in projects:
        for area in {getattr(a, level) for a in (project.areas or project.fund.areas)}:
            if area is None:
                continue
            if area not in groups:
                label = region_name(graph, area) if level == "region" else area_name(level, area)
                groups[area] = Total(area, label, f"{level}s/{area}/")
            groups[area].projects.append(project)
    return sorted(groups.values(), key=lambda t: (-t.budget, str(t.key)))


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
    pages = max(1, -(-len(items) // PER_PAGE))
    start = (number - 1) * PER_PAGE
    return {
        "items": items[start : start + PER_PAGE],
        "number": number,
        "pages": pages,
        "base": base,
        "total": len(items),
    }


def _latest_reports(reports: Iterable[ReportNode], n: int = 10) -> list[ReportNode]:
    return sorted(reports, key=lambda r: (r.record.date, r.id), reverse=True)[:n]


def _projects_sorted(projects: Iterable[ProjectNode]) -> list[ProjectNode]:
    return sorted(projects, key=lambda p: (-(p.fiscal_year or 0), p.id))


def _history(graph: SiteGraph, node: Node) -> History | None:
    """The record file's git history, if the build loaded one into ``graph.history``."""
    history: dict[str, History] = getattr(graph, "history", {})
    return history.get(node.path)


# page kinds ---------------------------------------------------------------------------------


def home(graph: SiteGraph) -> dict[str, Any]:
    projects = list(graph.projects.values())
    provinces = totals_by_area(graph, "province", projects)
    return {
        "title": graph.site.title,
        "crumbs": [],
        "funds": list(graph.funds.values()),
        "projects": projects,
        "budget": Total("all", "", "projects/", projects),
        "reports_count": len(graph.reports),
        "latest_reports": _latest_reports(graph.reports.values()),
        "by_issue": totals_by_issue(graph, projects),
        "by_year": totals_by_year(projects),
        "by_region": totals_by_area(graph, "region", projects),
        "by_province": provinces,
        "map_projects": [p for p in projects if p.record.location],
        "records": {
            "totals": {
                "funds": len(graph.funds),
                "projects": len(projects),
                "budget": str(sum((p.budget for p in projects), Decimal(0))),
                "reports": len(graph.reports),
            }
        },
        "feed_entries": _latest_reports(graph.reports.values(), 30),
    }


def not_found(graph: SiteGraph) -> dict[str, Any]:
    return {"title": "ไม่พบหน้านี้", "crumbs": [], "records": None}


def search(graph: SiteGraph) -> dict[str, Any]:
    return {
        "title": "ค้นหา",
        "crumbs": [],
        "records": None,
        "issues": list(graph.issues.values()),
        "years": graph.keys("projects", "fiscal_year"),
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
    }


def projects(graph: SiteGraph, number: int) -> dict[str, Any]:
    items = listing(graph, "projects")
    paging = _paging(items, number, "projects/")
    return {
        "title": "โครงการ",
        "crumbs": [("โครงการ", "projects/")],
        "paging": paging,
        "budget": Total("all", "", None, items) if number == 1 else None,
        "records": [exports.project_row(p) for p in paging["items"]],
    }


def reports(graph: SiteGraph, number: int) -> dict[str, Any]:
    items = listing(graph, "reports")
    paging = _paging(items, number, "reports/")
    return {
        "title": "รายงานจากพื้นที่",
        "crumbs": [("รายงาน", "reports/")],
        "paging": paging,
        "records": [exports.report_row(r) for r in paging["items"]],
    }


def fund(graph: SiteGraph, fund_id: str) -> dict[str, Any]:
    node: FundNode = graph.funds[fund_id]
    crumbs = [_crumb(graph, level, key) for level, key in _fund_chain(graph, node)]
    plans_by_issue: dict[str, list[PlanNode]] = defaultdict(list)
    for plan_node in sorted(node.plans, key=lambda p: (-p.record.fiscal_year, p.id)):
        plans_by_issue[plan_node.record.issue].append(plan_node)
    projects_sorted = _projects_sorted(node.projects)
    return {
        "title": node.record.name,
        "crumbs": [*crumbs, (node.record.name, f"funds/{fund_id}/")],
        "fund": node,
        "plans_by_issue": dict(plans_by_issue),
        "projects": projects_sorted,
        "budget": Total(fund_id, "", f"funds/{fund_id}/#projects", projects_sorted),
        "by_year": totals_by_year(projects_sorted),
        "by_issue": totals_by_issue(graph, projects_sorted),
        "reports": _latest_reports(node.reports, len(node.reports)),
        "feed_entries": _latest_reports(node.reports, 30),
        "notes": [*node.notes, *(n for p in node.projects for n in p.notes)],
        "records": exports.fund_record(node),
        "history": _history(graph, node),
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
    return {
        "title": node.record.title,
        "crumbs": [
            (fund_node.record.name, f"funds/{fund_node.id}/"),
            (node.record.title, f"plans/{plan_id}/"),
        ],
        "plan": node,
        "projects": _projects_sorted(node.projects),
        "budget": Total(plan_id, "", f"plans/{plan_id}/#projects", node.projects),
        "records": exports.plan_row(node),
        "history": _history(graph, node),
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
        "reports": node.reports,
        "notes": node.notes,
        "records": exports.project_record(node),
        "history": _history(graph, node),
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
    }


def issue(graph: SiteGraph, issue_id: str) -> dict[str, Any]:
    item = graph.issues[issue_id]
    projects_list = _projects_sorted(graph.lookup("projects", "issue", issue_id))
    plans_list = sorted(
        graph.lookup("plans", "issue", issue_id), key=lambda p: (-p.record.fiscal_year, p.fund.id)
    )
    reports_list = [r for p in projects_list for r in p.reports]
    return {
        "LATEST": LATEST,
        "title": item.name,
        "crumbs": [("ประเด็น", "issues/"), (item.name, f"issues/{issue_id}/")],
        "issue": item,
        "plans": plans_list,
        "projects": projects_list,
        "budget": Total(issue_id, item.name, f"issues/{issue_id}/#projects", projects_list),
        "by_province": totals_by_area(graph, "province", projects_list),
        "by_district": totals_by_area(graph, "district", projects_list),
        "by_year": totals_by_year(projects_list),
        "feed_entries": _latest_reports(reports_list, 30),
        "records": {
            "issue": item.model_dump(mode="json"),
            "plans": [exports.plan_row(p) for p in plans_list],
            "projects": [exports.project_row(p) for p in projects_list],
        },
    }


def area(graph: SiteGraph, level: str, key: Any) -> dict[str, Any]:
    name = region_name(graph, key) if level == "region" else area_name(level, key)
    funds_list = sorted(graph.lookup("funds", level, key), key=lambda f: f.id)
    projects_list = _projects_sorted(graph.lookup("projects", level, key))
    plans_list = graph.lookup("plans", level, key)
    plans_by_issue: dict[str, list[PlanNode]] = defaultdict(list)
    if level in PLANS_SHOWN_AT:
        for plan_node in sorted(plans_list, key=lambda p: (-p.record.fiscal_year, p.fund.id)):
            plans_by_issue[plan_node.record.issue].append(plan_node)
    below = LEVELS[LEVELS.index(level) + 1] if level != "subdistrict" else None
    reports_list = [r for p in projects_list for r in p.reports]
    return {
        "LATEST": LATEST,
        "title": name,
        "crumbs": [_crumb(graph, lv, k) for lv, k in area_chain(graph, level, key)],
        "level": level,
        "key": key,
        "name_en": area_name(level, key, "en"),
        "funds": funds_list,
        "projects": projects_list,
        "plans_by_issue": dict(plans_by_issue),
        "budget": Total(key, name, f"{level}s/{key}/#projects", projects_list),
        "by_issue": totals_by_issue(graph, projects_list),
        "by_year": totals_by_year(projects_list),
        "below": totals_by_area(graph, below, projects_list) if below else [],
        "below_level": below,
        "reports": _latest_reports(reports_list, 10),
        "feed_entries": _latest_reports(reports_list, 30),
        "map_projects": [p for p in projects_list if p.record.location],
        "records": {
            "area": {"level": level, "code": str(key), "name": name},
            "funds": [exports.fund_row(f) for f in funds_list],
            "projects": [exports.project_row(p) for p in projects_list],
        },
    }


def areas(graph: SiteGraph) -> dict[str, Any]:
    by_province = totals_by_area(graph, "province", graph.projects.values())
    regions = []
    for region_id in graph.keys("projects", "region") or graph.keys("funds", "region"):
        provinces = [t for t in by_province if graph.region_of_province.get(t.key) == region_id]
        regions.append(
            (
                Total(
                    region_id,
                    region_name(graph, region_id),
                    f"regions/{region_id}/",
                    graph.lookup("projects", "region", region_id),
                ),
                provinces,
            )
        )
    return {"title": "พื้นที่", "crumbs": [("พื้นที่", "areas/")], "regions": regions, "records": None}


def year(graph: SiteGraph, fy: int) -> dict[str, Any]:
    projects_list = _projects_sorted(graph.lookup("projects", "fiscal_year", fy))
    return {
        "LATEST": LATEST,
        "title": f"ปีงบประมาณ {fy}",
        "crumbs": [(f"ปีงบประมาณ {fy}", f"years/{fy}/")],
        "fiscal_year": fy,
        "projects": projects_list,
        "budget": Total(fy, "", f"years/{fy}/#projects", projects_list),
        "by_issue": totals_by_issue(graph, projects_list),
        "records": [exports.project_row(p) for p in projects_list],
    }


def data_dictionary(graph: SiteGraph) -> dict[str, Any]:
    return {
        "title": "ข้อมูลเปิด",
        "crumbs": [("ข้อมูลเปิด", "data/")],
        "tables": exports.DICTIONARY,
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
