"""Validate raw records one by one, then link them into a :class:`SiteGraph`.

Each record is checked against its model; records that pass are linked (references, areas,
fiscal years) and the cross-record rules of :mod:`.rules` run over the result. Every problem is
collected: one run reports everything.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from fundsite.diagnostics import Problem
from fundsite.load.files import CONTENT_KINDS, DATA_FILES, LoadResult, RawRecord
from fundsite.thai import fiscal_year
from fundsite.validate import rules
from fundsite.validate.areas import AreaIssue, province_code, resolve
from fundsite.validate.graph import (
    FundNode,
    Node,
    PageNode,
    PlanNode,
    ProjectNode,
    ReportNode,
    SiteGraph,
)
from fundsite.validate.models import MODELS, AreaRef, Issue, Region, Site
from fundsite.validate.positions import locate, problems_from

_NODE_TYPES: dict[str, type[Node]] = {
    "fund": FundNode,
    "plan": PlanNode,
    "project": ProjectNode,
    "report": ReportNode,
    "page": PageNode,
}
_GRAPH_FIELD = {
    "fund": "funds",
    "plan": "plans",
    "project": "projects",
    "report": "reports",
    "page": "pages",
}


class Collector:
    """Collects problems, locating fields in the raw record they came from."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        #: kind → ids (and file names) of records that exist but were left out of the graph
        #: because of their own, already reported, errors; ``"*"`` when a whole data file is
        #: unreadable. References to them are not reported again as "there is no …".
        self.broken: dict[str, set[str]] = defaultdict(set)

    def is_broken(self, kind: str, value: Any) -> bool:
        ids = self.broken.get(kind, ())
        return "*" in ids or str(value) in ids

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def at(
        self,
        node: Node | RawRecord,
        loc: tuple[Any, ...],
        code: str,
        severity: str = "error",
        hint: str | None = None,
        key: bool = False,
        note: bool = False,
        field_name: str | None = None,
        **params: Any,
    ) -> Problem:
        """Record a problem about field ``loc`` of a record; ``note`` shows it on its page too.

        ``field_name`` names a field that is not written (missing), at the record's start.
        """
        raw = node.raw if isinstance(node, Node) else node.data
        (line, col), field = locate(raw, loc, key=key) if loc else (raw.pos, field_name)
        problem = Problem(severity, code, node.path, line, col, field, params, hint)  # type: ignore[arg-type]
        self.problems.append(problem)
        if note and isinstance(node, Node):
            node.notes.append(problem)
        return problem


def _check_models(result: LoadResult, out: Collector) -> list[tuple[RawRecord, Any]]:
    valid: list[tuple[RawRecord, Any]] = []
    for raw in result.records:
        model = MODELS[raw.kind]
        try:
            valid.append((raw, model.model_validate(raw.data)))
        except ValidationError as exc:
            out.problems.extend(problems_from(exc, raw.data, raw.path, model))
            partial = _without_bad_fields(raw.data, exc, model)
            if partial is not None:
                valid.append((raw, partial))
            else:
                _mark_broken(out, raw.kind, raw.path, raw.data.get("id"))
    return valid


def _mark_broken(out: Collector, kind: str, path: str, record_id: Any = None) -> None:
    """Remember a record that exists but is not in the graph (see :attr:`Collector.broken`)."""
    if kind in ("issue", "region"):
        if record_id is not None and not isinstance(record_id, dict | list):
            out.broken[kind].add(str(record_id))
        return
    out.broken[kind].add(PurePosixPath(path).stem)
    if record_id is not None and not isinstance(record_id, dict | list):
        out.broken[kind].add(str(record_id).strip())


def _mark_unloadable(problems: list[Problem], out: Collector) -> None:
    """Files that could not be read or parsed at all: their records exist but are unknown."""
    for problem in problems:
        parts = PurePosixPath(problem.file).parts
        if problem.code == "duplicate-key" or len(parts) < 2:
            continue  # a duplicate key still leaves the record readable
        if parts[0] == "content" and len(parts) > 2 and parts[1] in CONTENT_KINDS:
            _mark_broken(out, CONTENT_KINDS[parts[1]], problem.file)
        elif parts[0] == "data" and PurePosixPath(parts[1]).stem in DATA_FILES:
            kind = DATA_FILES[PurePosixPath(parts[1]).stem]
            if kind in ("issue", "region") and problem.code != "record-not-mapping":
                out.broken[kind].add("*")


def _without_bad_fields(data: Any, exc: ValidationError, model: Any) -> Any:
    """The record less its faulty optional fields, so cross-record rules can still check it.

    Its problems are already reported; this only lets one run report everything.
    """
    bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    if not isinstance(data, dict) or any(
        name in model.model_fields and model.model_fields[name].is_required() for name in bad
    ):
        return None
    try:
        return model.model_validate({k: v for k, v in data.items() if k not in bad})
    except ValidationError:
        return None


def _regions(records: list[tuple[RawRecord, Region]], out: Collector) -> dict[str, int]:
    """Province code → region, from data/regions.yaml; each province in exactly one region."""
    region_of: dict[str, int] = {}
    for raw, region in records:
        for i, name in enumerate(region.provinces):
            code = province_code(name)
            if code is None:
                issues = resolve(AreaRef(province=name), {})[1]
                issue = issues[0] if issues else AreaIssue("province", "area-unknown", {})
                params = {"value": name, "level_code": "province", **issue.params}
                out.at(raw, ("provinces", i), issue.code, hint=issue.hint, **params)
            elif code in region_of and region_of[code] != region.id:
                out.at(
                    raw,
                    ("provinces", i),
                    "region-province-twice",
                    value=name,
                    region=region.id,
                    other=region_of[code],
                )
            else:
                region_of[code] = region.id
    return region_of


def link(result: LoadResult, site_dir: Path) -> tuple[SiteGraph | None, list[Problem]]:
    """Validate every record and build the graph; the graph is None only without a site."""
    out = Collector()
    out.problems.extend(result.problems)
    _mark_unloadable(result.problems, out)
    valid = _check_models(result, out)
    by_kind: dict[str, list[tuple[RawRecord, Any]]] = {k: [] for k in MODELS}
    for raw, model in valid:
        by_kind[raw.kind].append((raw, model))
    sites = by_kind["site"]
    if not sites:
        if not any(p.file.startswith("data/site.") for p in out.problems):
            out.add(Problem("error", "no-site", "data/site.yaml"))
        return None, out.problems
    site: Site = sites[0][1]
    issues: dict[str, Issue] = {}
    for raw, issue in by_kind["issue"]:
        if issue.id in issues:
            out.at(
                raw,
                ("id",),
                "duplicate-id",
                value=issue.id,
                kind_code="issue",
                other=raw.path,
                other_line="",
            )
        issues[issue.id] = issue
    region_of = _regions(by_kind["region"], out)
    graph = SiteGraph(
        site=site,
        issues=issues,
        regions={r.id: r for _, r in by_kind["region"]},
        region_of_province=region_of,
        media=_media(site_dir),
    )
    first_seen: dict[tuple[str, str], Node] = {}
    for kind, node_type in _NODE_TYPES.items():
        store = getattr(graph, _GRAPH_FIELD[kind])
        for raw, model in by_kind[kind]:
            node = node_type(path=raw.path, body=raw.body, body_line=raw.body_line, raw=raw.data)
            node.record = model  # type: ignore[attr-defined]
            stem = PurePosixPath(raw.path).stem
            if kind == "page":
                node.slug = stem  # type: ignore[attr-defined]
                if model.id is None:
                    model.id = stem
            if model.id != stem:
                out.at(node, ("id",), "id-mismatch", hint="hint-rename", value=model.id, stem=stem)
                _mark_broken(out, kind, raw.path, model.id)
                continue
            if (kind, model.id) in first_seen:
                other = first_seen[(kind, model.id)]
                out.at(
                    node,
                    ("id",),
                    "duplicate-id",
                    value=model.id,
                    kind_code=kind,
                    other=other.path,
                    other_line=other.raw.pos[0] if other.raw else 1,
                )
                continue
            first_seen[(kind, model.id)] = node
            store[model.id] = node
    _link_funds(graph, out)
    _link_plans(graph, out)
    _link_projects(graph, out)
    _link_reports(graph, out)
    rules.run(graph, out)
    for node in graph.all_nodes():
        node.raw = None  # positions are no longer needed; keep memory bounded
    return graph, out.problems


def _media(site_dir: Path) -> set[str]:
    root = site_dir / "content"
    media = root / "media"
    if not media.is_dir():
        return set()
    return {p.relative_to(root).as_posix() for p in media.rglob("*") if p.is_file()}


def _areas(node: Node, graph: SiteGraph, out: Collector) -> list[Any]:
    written = node.record.area  # type: ignore[attr-defined]
    found = []
    for i, ref in enumerate(written or []):
        area, issues = resolve(ref, graph.region_of_province)
        for issue in issues:
            params = {"level_code": issue.level, **issue.params}
            out.at(node, ("area", i, issue.level), issue.code, hint=issue.hint, **params)
        if area is not None:
            found.append(area)
    return found


def _link_funds(graph: SiteGraph, out: Collector) -> None:
    for fund in graph.funds.values():
        fund.areas = _areas(fund, graph, out)


def _ref(node: Node, field: str, store: dict[str, Any], kind: str, out: Collector) -> Any:
    value = getattr(node.record, field)  # type: ignore[attr-defined]
    if value is None:
        return None
    target = store.get(value)
    if target is None:
        _unknown(node, (field,), value, kind, store, out)
    return target


def _unknown(
    node: Node, loc: tuple[Any, ...], value: Any, kind: str, store: Any, out: Collector
) -> None:
    """Report a reference to nothing, unless it names a record whose own errors left it out."""
    if not out.is_broken(kind, value):
        rules.unknown_reference(node, loc, value, kind, store, out)


def _link_plans(graph: SiteGraph, out: Collector) -> None:
    for plan in graph.plans.values():
        folder = PurePosixPath(plan.path).parent.name
        if folder != plan.record.fund:
            out.at(plan, ("fund",), "plan-folder", value=plan.record.fund, folder=folder)
        fund = _ref(plan, "fund", graph.funds, "fund", out)
        if plan.record.issue not in graph.issues:
            _unknown(plan, ("issue",), plan.record.issue, "issue", graph.issues, out)
        if fund is not None:
            plan.fund = fund
            fund.plans.append(plan)
    # a plan whose fund is unknown still needs a fund-shaped owner for pages; drop it instead
    for plan_id in [k for k, p in graph.plans.items() if p.fund is None]:
        out.broken["plan"].add(plan_id)
        del graph.plans[plan_id]


def _link_projects(graph: SiteGraph, out: Collector) -> None:
    orphans = []
    for project in graph.projects.values():
        record = project.record
        fund = _ref(project, "fund", graph.funds, "fund", out)
        plan = _ref(project, "plan", graph.plans, "plan", out)
        if plan is not None and fund is not None and plan.fund is not fund:
            out.at(
                project,
                ("plan",),
                "plan-other-fund",
                value=record.plan,
                plan_fund=plan.record.fund,
                fund=record.fund,
            )
        for i, issue in enumerate(record.issues):
            if issue not in graph.issues:
                _unknown(project, ("issues", i), issue, "issue", graph.issues, out)
        project.issues = list(record.issues) or ([plan.record.issue] if plan else [])
        if not project.issues and record.plan is None:
            out.at(project, (), "project-no-issue")
        project.areas = _areas(project, graph, out)
        if record.programme is not None:
            if record.programme == record.id:
                out.at(project, ("programme",), "programme-self")
            else:
                parent = _ref(project, "programme", graph.projects, "project", out)
                if parent is not None:
                    project.programme = parent
                    parent.children.append(project)
        if fund is None:
            orphans.append(project.id)
            continue
        project.fund, project.plan = fund, plan
        fund.projects.append(project)
        if plan is not None:
            plan.projects.append(project)
        when = record.approved_on or record.start
        project.fiscal_year = (
            plan.record.fiscal_year if plan else (fiscal_year(when) if when else None)
        )
    for project_id in orphans:
        out.broken["project"].add(project_id)
        del graph.projects[project_id]


def _link_reports(graph: SiteGraph, out: Collector) -> None:
    for report in list(graph.reports.values()):
        project = _ref(report, "project", graph.projects, "project", out)
        report.areas = _areas(report, graph, out)
        if project is None:
            del graph.reports[report.id]
            continue
        report.project = project
        report.areas = report.areas or project.areas
        project.reports.append(report)
    for project in graph.projects.values():
        project.reports.sort(key=lambda r: (r.record.date, r.id))
