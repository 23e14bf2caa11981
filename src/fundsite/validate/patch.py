"""Re-check an edited record without re-checking the site: the fast path of ``serve``.

A full check reads and links every record (about 30 s at 50,000 projects). When an editor
changes records without changing how they link (the same id, fund, plan, project, issues,
area and fiscal year), the graph's shape cannot change: the edited node takes the new record
in place, and only the cross-record rules about it and its neighbours run again. A new or
deleted report (the most common addition: after a meeting) is linked to or unlinked from its
project the same way; so is a new project whose links all resolve (with ``add_projects``: the
remembered check of ``fundsite check`` and ``build`` takes one, ``serve`` plans only report
pages anew). The problems and data-quality notes are then exactly those a full check would
give (``tests/test_patch.py`` compares the two over random edits). Anything else (another new,
deleted or renamed file, a changed link, a data file, a record with errors) returns ``None``:
the caller checks everything.
"""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from fundsite.diagnostics import Problem
from fundsite.load.files import CONTENT_KINDS, read_record
from fundsite.thai import fiscal_year
from fundsite.validate import rules
from fundsite.validate.build_graph import link_areas, link_staged
from fundsite.validate.collector import Collector
from fundsite.validate.graph import FundNode, Node, PlanNode, ProjectNode, ReportNode, SiteGraph
from fundsite.validate.media import media_refs
from fundsite.validate.records import CheckedFiles, check_record
from fundsite.validate.types import id_reason, id_skeleton


@dataclass
class CheckState:
    """A good check, kept so that later edits can be patched into it."""

    site_dir: Path
    graph: SiteGraph
    record_problems: dict[str, list[Problem]]  # file → problems found reading it on its own
    link_problems: list[Problem]  # problems found linking records (references, areas, ids)
    rule_problems: dict[str, list[Problem]]  # file → problems of the cross-record rules

    @classmethod
    def from_check(cls, checked: CheckedFiles, site_dir: Path) -> tuple[CheckState | None, list]:
        """Link ``checked`` (like :func:`~fundsite.validate.check_site`); returns the state too."""
        graph, problems, rules_from = link_staged(checked, site_dir)
        problems_sorted = sorted(problems, key=lambda p: p.sort_key)
        if graph is None:
            return None, problems_sorted
        own = len(checked.load_problems) + len(checked.problems)
        state = cls(
            site_dir,
            graph,
            _by_file(problems[:own]),
            problems[own:rules_from],
            _by_file(problems[rules_from:]),
        )
        return state, problems_sorted

    @cached_property
    def nodes(self) -> dict[str, Node]:
        """Content file → its node in the graph (kept up to date by :func:`patch`)."""
        return {node.path: node for node in self.graph.all_nodes()}

    def problems(self) -> list[Problem]:
        """Every problem of the site, in the order ``fundsite check`` reports them."""
        found = [*self.link_problems]
        for group in (self.record_problems, self.rule_problems):
            for problems in group.values():
                found.extend(problems)
        return sorted(found, key=lambda p: p.sort_key)


@dataclass
class Patched:
    """What an edit changed: the edited nodes and those whose data-quality notes changed."""

    changed: list[Node]
    noted: list[Node]
    problems: list[Problem]
    added: list[ReportNode | ProjectNode]
    removed: list[ReportNode]


def patch(state: CheckState, files: list[str], add_projects: bool = False) -> Patched | None:
    """Apply the edits of ``files`` (paths relative to the site) to ``state`` in place.

    Returns ``None``, leaving ``state`` untouched, when the edits need a full check. New
    projects are taken only with ``add_projects`` (the caller then plans every page anew).
    """
    edits: list[tuple[Node | None, Node | None, list[Problem]]] = []
    for rel in dict.fromkeys(files):
        edit = _recheck(state, rel, add_projects)
        if edit is None:
            return None
        edits.append(edit)
    new = [n for old, n, _ in edits if old is None and n is not None]
    if len({(n.kind, id_skeleton(n.id)) for n in new}) != len(new):
        return None  # two new records with one id (or ids that cannot be told apart)
    projects = {*state.graph.projects, *(n.id for n in new if isinstance(n, ProjectNode))}
    if any(isinstance(n, ReportNode) and n.record.project not in projects for n in new):
        return None
    scope: dict[int, Node] = {}
    changed: list[Node] = []
    added: list[ReportNode | ProjectNode] = []
    removed: list[ReportNode] = []
    # projects first: a new report may be of a new project
    for old, new_node, problems in sorted(edits, key=lambda e: not isinstance(e[1], ProjectNode)):
        if old is None:
            assert isinstance(new_node, ReportNode | ProjectNode)
            if isinstance(new_node, ProjectNode):
                _add_project(state, new_node)
            else:
                _add_report(state, new_node)
            node: Node = new_node
            added.append(new_node)
        elif new_node is None:
            assert isinstance(old, ReportNode)
            _remove_report(state, old)
            removed.append(old)
            node = old.project
        else:
            assert new_node is not None
            _take_over(old, new_node)
            node = old
        path = (old or new_node).path  # type: ignore[union-attr]
        state.record_problems.pop(path, None)
        if problems:
            state.record_problems[path] = problems
        changed.append(node)
        for neighbour in neighbours(node):
            scope.setdefault(id(neighbour), neighbour)
    noted = _rerun_rules(state, list(scope.values()))
    state.graph.forget_derived()
    return Patched(changed, noted, state.problems(), added, removed)


def _recheck(
    state: CheckState, rel: str, add_projects: bool
) -> tuple[Node | None, Node | None, list[Problem]] | None:
    """The file checked on its own, if it can be patched in: (old node, new node, problems)."""
    parts = PurePosixPath(rel).parts
    old = state.nodes.get(rel)
    kind = CONTENT_KINDS.get(parts[1]) if len(parts) >= 3 and parts[0] == "content" else None
    if kind not in ("fund", "plan", "project", "report") or not rel.endswith(".md"):
        return None
    if any(p.file == rel for p in state.link_problems):
        return None
    path = state.site_dir / rel
    if not path.is_file():
        if isinstance(old, ReportNode) and not media_refs(old):
            return old, None, []  # a deleted report: nothing links to reports
        return None  # (one that named media may leave them unused: not published)
    raws, load_problems = read_record(kind, path, state.site_dir)
    if load_problems or len(raws) != 1:
        return None
    out = Collector(state.site_dir)
    checked = check_record(raws[0], out)
    new = checked.node
    if new is None or any(p.severity == "error" for p in out.problems):
        return None
    if old is None:
        if isinstance(new, ProjectNode):
            fits = add_projects and _can_add_project(state, new)
        else:
            fits = _can_add(state, new)
        return (None, new, out.problems) if fits else None
    if link_keys(old) != link_keys(new) or media_refs(old) != media_refs(new):
        return None  # the graph changes, or which media are published
    return old, new, out.problems


def _can_add(state: CheckState, new: Node) -> bool:
    """A new report that links without problems: its id is its file name and is new, its
    project exists (or is added with it) and it names no area of its own (the project's areas
    are its areas)."""
    return (
        isinstance(new, ReportNode)
        and new.record.id == PurePosixPath(new.path).stem
        and not _looks_like(state.graph.reports, new.record.id)
        and not media_refs(new)
        and new.record.area is None
    )


def _can_add_project(state: CheckState, new: ProjectNode) -> bool:
    """A new project that links without a problem: its id is its file name and is new; its
    fund, plan (of that fund), issues, programme and areas exist; it names no media.

    Not while the site has errors (a record left out of the graph by its own errors may carry
    this id, and records that named it would now link) nor while any reference to an unknown
    project is reported (its "did you mean" may now name this one)."""
    rec, graph = new.record, state.graph
    plan = graph.plans.get(rec.plan) if rec.plan is not None else None
    fund = graph.funds.get(rec.fund)
    if (
        rec.id != PurePosixPath(new.path).stem
        or id_reason(rec.id) is not None
        or _looks_like(graph.projects, rec.id)
        or media_refs(new)
        or fund is None
        or (rec.plan is not None and (plan is None or plan.fund is not fund))
        or any(issue not in graph.issues for issue in rec.issues)
        or not (rec.issues or plan)
        or (rec.programme is not None and rec.programme not in graph.projects)
    ):
        return False
    if any(p.severity == "error" for found in state.record_problems.values() for p in found) or any(
        p.severity == "error"
        or (p.code == "unknown-ref" and p.params.get("kind_code") == "project")
        for p in state.link_problems
    ):
        return False
    out = Collector(state.site_dir)
    new.areas = link_areas(new, graph, out)
    return not out.problems


def _looks_like(store: dict[str, Node], new_id: str) -> bool:
    """``new_id`` is taken, or another id cannot be told apart from it (``id_skeleton``)."""
    if new_id in store:
        return True
    skeleton = id_skeleton(new_id)
    return any(id_skeleton(other) == skeleton for other in store)


def _add_project(state: CheckState, project: ProjectNode) -> None:
    """Link a new project as :func:`~fundsite.validate.build_graph.link` would have; its areas
    are already resolved (:func:`_can_add_project`)."""
    graph, rec = state.graph, project.record
    project.fund = graph.funds[rec.fund]
    project.plan = graph.plans[rec.plan] if rec.plan is not None else None
    project.issues = list(rec.issues) or [project.plan.record.issue]  # type: ignore[union-attr]
    when = rec.approved_on or rec.start
    project.fiscal_year = (
        project.plan.record.fiscal_year if project.plan else (fiscal_year(when) if when else None)
    )
    _insert(project.fund.projects, project)
    if project.plan is not None:
        _insert(project.plan.projects, project)
    if rec.programme is not None:
        project.programme = graph.projects[rec.programme]
        _insert(project.programme.children, project)
    graph.projects = _inserted(graph.projects, project)
    state.nodes[project.path] = project
    graph.forget_links()


def _insert(nodes: list[Any], node: Node) -> None:
    """Put ``node`` where the order files are read in puts it (lists are built in that order)."""
    bisect.insort(nodes, node, key=_parts)


def _inserted(store: dict[str, Any], node: Node) -> dict[str, Any]:
    """``store`` with ``node`` in the order files are read in."""
    last = store[next(reversed(store))] if store else None
    store[node.id] = node
    if last is not None and _parts(node) < _parts(last):
        return {n.id: n for n in sorted(store.values(), key=_parts)}
    return store


def _add_report(state: CheckState, report: ReportNode) -> None:
    project = state.graph.projects[report.record.project]
    report.project, report.areas = project, project.areas
    project.reports.append(report)
    project.reports.sort(key=lambda r: (r.record.date, r.id))
    state.graph.reports = _inserted(state.graph.reports, report)
    state.nodes[report.path] = report


def _parts(node: Node) -> tuple[str, ...]:
    """How :func:`~fundsite.load.files.discover` orders files (by path parts)."""
    return tuple(node.path.split("/"))


def _remove_report(state: CheckState, report: ReportNode) -> None:
    report.project.reports.remove(report)
    del state.graph.reports[report.id]
    del state.nodes[report.path]
    state.rule_problems.pop(report.path, None)


def link_keys(node: Node) -> tuple[Any, ...]:
    """What decides where a record sits in the graph: if it changes, the graph changes."""
    rec: Any = node.record  # type: ignore[attr-defined]
    if isinstance(node, FundNode):
        return (rec.id, rec.area)
    if isinstance(node, PlanNode):
        return (rec.id, rec.fund, rec.fiscal_year, rec.issue)
    if isinstance(node, ProjectNode):
        dates = None if rec.plan else (rec.approved_on, rec.start)  # its fiscal year
        return (rec.id, rec.fund, rec.plan, rec.programme, rec.issues, rec.area, dates)
    if isinstance(node, ReportNode):
        return (rec.id, rec.project, rec.area)
    return (object(),)  # free pages: never patched


def _take_over(old: Node, new: Node) -> None:
    """The graph's node takes the edited record; its links stay (they are unchanged)."""
    old.record = new.record  # type: ignore[attr-defined]
    old.body, old.body_line, old.digest, old.raw = new.body, new.body_line, new.digest, None
    if isinstance(old, ReportNode):
        old.project.reports.sort(key=lambda r: (r.record.date, r.id))


def neighbours(node: Node) -> list[Node]:
    """The nodes whose cross-record rules read ``node``: re-run the rules on these."""
    if isinstance(node, FundNode):
        projects = node.projects  # project codes read the fund's kind
        return [node, *projects, *(r for p in projects for r in p.reports)]
    if isinstance(node, ProjectNode):
        return [node, *node.reports]
    if isinstance(node, ReportNode):
        return [node.project, *node.project.reports]  # spent over budget reads every report
    return [node]


def redate(state: CheckState, today: Any) -> None:
    """Judge ``state`` at another data date: the cross-record rules (those about time among
    them) run again over every record, as a full check at that date would run them."""
    state.graph.today = today
    _rerun_rules(state, list(state.graph.all_nodes()))
    state.graph.forget_derived()


def _rerun_rules(state: CheckState, scope: list[Node]) -> list[Node]:
    """Run the content rules over ``scope`` alone; returns the nodes whose notes changed."""
    before = {id(node): node.notes for node in scope}
    for node in scope:
        node.notes = []
        state.rule_problems.pop(node.path, None)
    # a copy holding only the scope; its other fields are the graph's, the data's date
    # (``today``) too: the rules about time judge a patch as the full check did
    graph = dataclasses.replace(
        state.graph,
        funds={n.id: n for n in scope if isinstance(n, FundNode)},
        plans={},
        projects={n.id: n for n in scope if isinstance(n, ProjectNode)},
        reports={n.id: n for n in scope if isinstance(n, ReportNode)},
        pages={},
    )
    out = Collector(state.site_dir)
    rules.run(graph, out, content_only=True)
    for file, problems in _by_file(out.problems).items():
        state.rule_problems[file] = problems
    for node in scope:
        node.raw = None
    return [node for node in scope if node.notes != before[id(node)]]


def _by_file(problems: list[Problem]) -> dict[str, list[Problem]]:
    found: dict[str, list[Problem]] = {}
    for problem in problems:
        found.setdefault(problem.file, []).append(problem)
    return found
