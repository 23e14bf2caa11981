"""Validate raw records one by one, then link them into a :class:`SiteGraph`.

Each record is checked against its model; records that pass are linked (references, areas,
fiscal years) and the cross-record rules of :mod:`.rules` run over the result. Every problem is
collected: one run reports everything.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from fundsite import licenses
from fundsite.diagnostics import Problem
from fundsite.history import snapshot_date
from fundsite.load.files import CONTENT_KINDS, DATA_FILES, RawRecord
from fundsite.thai import fiscal_year
from fundsite.validate import rules
from fundsite.validate.areas import AreaIssue, province_code, resolve
from fundsite.validate.collector import Collector
from fundsite.validate.graph import Node, SiteGraph
from fundsite.validate.media import check_media
from fundsite.validate.models import MODELS, AreaRef, Issue, Region, Site
from fundsite.validate.records import NODE_TYPES, Checked, CheckedFiles
from fundsite.validate.types import id_reason, id_skeleton

_GRAPH_FIELD = {
    "fund": "funds",
    "plan": "plans",
    "project": "projects",
    "report": "reports",
    "page": "pages",
}


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


def _data_license(site: Checked, out: Collector) -> None:
    """Open data needs a licence others can rely on: say when there is none, or when the id
    is not one open data uses (a typo of one, probably)."""
    spdx = site.model.data_license
    refused = any(p.file == site.path and p.field == "data_license" for p in out.problems)
    if spdx is None and not refused:
        out.add(
            Problem(
                "warning",
                "data-license-missing",
                site.path,
                field="data_license",
                hint="hint-data-license",
            )
        )
    elif spdx is not None and spdx not in licenses.OPEN_DATA:
        meant = licenses.nearest(spdx)
        out.at(
            site.raw,
            ("data_license",),
            "data-license-unknown",
            "warning",
            hint="hint-did-you-mean" if meant else "hint-data-license",
            value=spdx,
            suggestion=meant or "",
        )


def link(checked: CheckedFiles, site_dir: Path) -> tuple[SiteGraph | None, list[Problem]]:
    """Link checked records into the graph and run the cross-record rules.

    The graph is None only when the site itself (data/site.yaml) cannot be read.
    """
    graph, problems, _ = link_staged(checked, site_dir)
    return graph, problems


def link_staged(
    checked: CheckedFiles, site_dir: Path
) -> tuple[SiteGraph | None, list[Problem], int]:
    """:func:`link`, also telling where the cross-record rules' problems start in the list."""
    out = Collector(site_dir)
    out.problems.extend(checked.load_problems)
    out.problems.extend(checked.problems)
    _mark_unloadable(checked.load_problems, out)
    by_kind: dict[str, list[Checked]] = {k: [] for k in MODELS}
    for record in checked.records:
        if record.model is None:
            _mark_broken(out, record.kind, record.path, record.raw_id)
        else:
            by_kind[record.kind].append(record)
    sites = by_kind["site"]
    if not sites:
        if not any(p.file.startswith("data/site.") for p in out.problems):
            out.add(Problem("error", "no-site", "data/site.yaml"))
        return None, out.problems, len(out.problems)
    site: Site = sites[0].model
    issues: dict[str, Issue] = {}
    issue_skeletons: dict[str, str] = {}
    for raw, issue in ((c.raw, c.model) for c in by_kind["issue"]):
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
        elif id_skeleton(issue.id) in issue_skeletons:  # issues/<id>/ is a folder too
            out.at(
                raw,
                ("id",),
                "id-lookalike",
                value=issue.id,
                other_id=issue_skeletons[id_skeleton(issue.id)],
                kind_code="issue",
                other=raw.path,
            )
            out.broken["issue"].add(issue.id)
            continue
        issue_skeletons.setdefault(id_skeleton(issue.id), issue.id)
        issues[issue.id] = issue
    media_types, media_problems = check_media(site_dir, checked.media)
    out.problems.extend(media_problems)
    region_records = [(c.raw, c.model) for c in by_kind["region"]]
    region_of = _regions(region_records, out)
    graph = SiteGraph(
        site=site,
        issues=issues,
        regions={r.id: r for _, r in region_records},
        region_of_province=region_of,
        media=media_types,
        data_digest=":".join(sorted({c.raw.digest for c in checked.records if c.raw})),
        today=snapshot_date(site_dir),  # once: every rule and page judges time against it
    )
    if "base_url" not in site.model_fields_set:
        out.add(Problem("warning", "base-url-missing", sites[0].path, field="base_url"))
    _data_license(sites[0], out)
    first_seen: dict[tuple[str, str], Node] = {}
    lookalikes: dict[tuple[str, str], Node] = {}
    for kind in NODE_TYPES:
        store = getattr(graph, _GRAPH_FIELD[kind])
        for record in by_kind[kind]:
            node, model = record.node, record.model
            assert node is not None
            stem = PurePosixPath(node.path).stem
            id_written = model.id is not None  # a free page's id may be its file name
            if kind == "page":
                node.slug = stem  # type: ignore[attr-defined]
                if model.id is None:
                    model.id = stem
            bad_name = id_reason(stem)
            if bad_name is not None and (kind == "page" or model.id == stem):
                _bad_file_name(out, node, bad_name)
                _mark_broken(out, kind, node.path, model.id)
                continue
            if model.id != stem:
                out.at(node, ("id",), "id-mismatch", hint="hint-rename", value=model.id, stem=stem)
                _mark_broken(out, kind, node.path, model.id)
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
                    other_line=out.position(other, ())[0],
                )
                continue
            skeleton = (kind, id_skeleton(model.id))
            if skeleton in lookalikes:
                other = lookalikes[skeleton]
                out.at(
                    node,
                    ("id",) if id_written else (),
                    "id-lookalike",
                    value=model.id,
                    other_id=other.id,
                    kind_code=kind,
                    other=other.path,
                )
                _mark_broken(out, kind, node.path, model.id)
                continue
            lookalikes[skeleton] = first_seen[(kind, model.id)] = node
            store[model.id] = node
    _link_funds(graph, out)
    _link_plans(graph, out)
    _link_projects(graph, out)
    _link_reports(graph, out)
    rules_from = len(out.problems)
    rules.run(graph, out)
    for node in graph.all_nodes():
        node.raw = None  # positions are no longer needed; keep memory bounded
    return graph, out.problems, rules_from


def _bad_file_name(out: Collector, node: Node, reason: dict[str, str]) -> None:
    out.add(Problem("error", "bad-file-name", node.path, params=reason))


def link_areas(node: Node, graph: SiteGraph, out: Collector) -> list[Any]:
    """The areas ``node`` names, resolved in the gazetteer; what does not resolve is reported."""
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
        fund.areas = link_areas(fund, graph, out)


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
        project.areas = link_areas(project, graph, out)
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
        report.areas = link_areas(report, graph, out)
        if project is None:
            del graph.reports[report.id]
            continue
        report.project = project
        report.areas = report.areas or project.areas
        project.reports.append(report)
    for project in graph.projects.values():
        project.reports.sort(key=lambda r: (r.record.date, r.id))
