"""What each page reads, as a fingerprint: the basis of incremental builds.

A page's fingerprint hashes the file digests of every record it shows (the record itself and
the linked records whose names, budgets or dates appear on it) and of what every page shows
(data files, free pages, the theme). A page whose fingerprint is unchanged is byte-identical to
what the last build wrote, so it need not be rendered again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from fundsite import __version__
from fundsite.plan import views
from fundsite.plan.pages import PagePlan
from fundsite.validate.graph import FundNode, Node, PlanNode, ProjectNode, ReportNode, SiteGraph

#: Pages that show totals over every record: they change whenever anything changes.
_WHOLE_SITE = {"home", "areas", "issues", "search"}
LISTINGS = {"funds": "funds", "projects": "projects", "reports": "reports"}


def tree_digest(root: Path) -> str:
    """A hash of every file under ``root`` (names and bytes), e.g. a theme."""
    h = hashlib.blake2b(digest_size=16)
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return h.hexdigest()


def global_digest(graph: SiteGraph, theme: Path, base_url: str, today: date) -> str:
    """What every page depends on: fundsite itself, the theme, data files, free pages, and the
    data's date (feeds without entries and the open-data snapshot carry it; it is the last
    commit's date in a git checkout, else today's, so outside git a new day renders again)."""
    h = hashlib.blake2b(digest_size=16)
    for part in (
        __version__,
        tree_digest(theme),
        graph.data_digest,
        base_url,
        today.isoformat(),
        *(f"{p.path}={p.digest}" for p in graph.pages.values()),
    ):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def _project(p: ProjectNode) -> Iterator[Node]:
    yield p
    yield p.fund
    yield from p.reports


def _fund(f: FundNode) -> Iterator[Node]:
    yield f
    yield from f.plans
    for p in f.projects:
        yield from _project(p)


def _plan(p: PlanNode) -> Iterator[Node]:
    yield p
    yield p.fund
    yield from p.projects


def inputs(graph: SiteGraph, plan: PagePlan) -> Iterable[Node] | None:
    """The records a page shows; ``None`` when it shows something of every record."""
    kind, args = plan.make.__name__, plan.args
    if kind in _WHOLE_SITE:
        return None
    if kind in ("not_found", "data_dictionary", "free_page"):
        return ()  # free pages are part of the global digest (every footer lists them)
    if kind in LISTINGS:
        number = args[0]
        if kind == "projects" and number == 1:
            return None  # the first page shows the total of every project
        items = views.listing(graph, kind)[(number - 1) * views.PER_PAGE : number * views.PER_PAGE]
        shown: list[Node] = []
        for item in items:
            shown.append(item)
            if kind == "funds":
                shown.extend(item.projects)  # counts and budget totals per fund
            else:
                shown.append(item.fund)
        return shown
    if kind == "fund":
        return _fund(graph.funds[args[0]])
    if kind == "plan":
        return _plan(graph.plans[args[0]])
    if kind == "project":
        p = graph.projects[args[0]]
        linked = [p.plan, p.programme, *p.children]
        return [*_project(p), *(n for n in linked if n is not None)]
    if kind == "report":
        r = graph.reports[args[0]]
        return [r, r.project, r.fund, *r.project.reports]  # notes: spent over the budget
    if kind == "issue":
        projects = graph.lookup("projects", "issue", args[0])
        plans = graph.lookup("plans", "issue", args[0])
        return [*(n for p in projects for n in _project(p)), *(n for p in plans for n in _plan(p))]
    if kind == "area":
        level, key = args
        funds = graph.lookup("funds", level, key)
        projects = graph.lookup("projects", level, key)
        plans = graph.lookup("plans", level, key)
        return [
            *(n for f in funds for n in (f, *f.projects)),  # funds are listed with their totals
            *(n for p in projects for n in _project(p)),
            *(n for p in plans for n in _plan(p)),
        ]
    if kind == "year":
        return [n for p in graph.lookup("projects", "fiscal_year", args[0]) for n in _project(p)]
    return None  # an unknown page kind: always rebuilt


def _node_key(node: Node, history: dict[str, Any]) -> str:
    """What a page shows of one record: its file, its data-quality notes and its history."""
    notes = repr([(p.code, p.params) for p in node.notes]) if node.notes else ""
    return f"{node.path}={node.digest}={history.get(node.path)!r}={notes}"


def site_digest(graph: SiteGraph) -> str:
    """A hash of every record file: what the pages that sum up the whole site read."""
    everything = hashlib.blake2b(digest_size=16)
    for node in graph.all_nodes():
        everything.update(f"{node.path}={node.digest}\0".encode())
    return everything.hexdigest()


@dataclass
class Fingerprinter:
    """Computes page fingerprints; the site-wide parts once, when a page first needs them."""

    graph: SiteGraph
    base: str

    def __post_init__(self) -> None:
        self.history = getattr(self.graph, "history", None) or {}  # commits change history

    @cached_property
    def site(self) -> str:
        return site_digest(self.graph)

    @cached_property
    def orders(self) -> dict[str, str]:
        """A listing page changes when records move between pages."""
        return {
            kind: hashlib.blake2b(
                "\0".join(n.id for n in views.listing(self.graph, kind)).encode(), digest_size=16
            ).hexdigest()
            for kind in LISTINGS
        }

    def __call__(self, plan: PagePlan) -> str:
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{self.base}\0{plan.path}\0{plan.template}\0{plan.args!r}\0".encode())
        if plan.make.__name__ in LISTINGS:
            h.update(self.orders[plan.make.__name__].encode())
        nodes = inputs(self.graph, plan)
        if nodes is None:
            h.update(self.site.encode())
        else:
            for key in sorted({_node_key(n, self.history) for n in nodes}):
                h.update(key.encode())
                h.update(b"\0")
        return h.hexdigest()


def fingerprints(graph: SiteGraph, plans: list[PagePlan], base: str) -> dict[str, str]:
    """Page path → fingerprint, for every planned page."""
    fingerprint = Fingerprinter(graph, base)
    return {plan.path: fingerprint(plan) for plan in plans}


def readers(graph: SiteGraph, plans: list[PagePlan], changed: Iterable[Node]) -> list[PagePlan]:
    """The pages that may show one of the ``changed`` records: a superset, in plan order.

    The inverse of :func:`inputs` (``tests/test_deps.py`` checks that it misses no page):
    record pages, the areas, issues and years they belong to, the listing pages that hold
    them, and the pages that sum up the whole site.
    """
    wanted: set[tuple[str, tuple[Any, ...]]] = set()
    listed: dict[str, set[int]] = {kind: set() for kind in LISTINGS}
    for node in changed:
        _showing(node, wanted, listed)
    for kind, nodes in listed.items():
        if nodes:
            where = {id(n): i for i, n in enumerate(views.listing(graph, kind))}
            wanted.update((kind, (where[n] // views.PER_PAGE + 1,)) for n in nodes if n in where)
    wanted.add(("projects", (1,)))  # it shows the total of every project
    named, unnamed = _positions(plans)
    chosen = sorted([*unnamed, *(i for key in wanted for i in named.get(key, ()))])
    return [plans[i] for i in chosen]


_Positions = tuple[dict[tuple[str, Any], list[int]], list[int]]
_last_positions: tuple[list[PagePlan], int, _Positions] | None = None


def _positions(plans: list[PagePlan]) -> _Positions:
    """Where the pages showing named records are in ``plans`` ((kind, args) → indexes), and
    the indexes of the others; kept for the last list asked about (``serve`` asks on each
    edit, and a list of plans is never changed in place: see ``replan_reports``)."""
    global _last_positions
    last = _last_positions
    if last is not None and last[0] is plans and last[1] == len(plans):
        return last[2]
    named: dict[tuple[str, Any], list[int]] = {}
    unnamed: list[int] = []
    for i, plan in enumerate(plans):
        kind = plan.make.__name__
        if kind in _NAMED:
            named.setdefault((kind, plan.args), []).append(i)
        else:
            unnamed.append(i)
    _last_positions = (plans, len(plans), (named, unnamed))
    return named, unnamed


def _showing(
    node: Node, wanted: set[tuple[str, tuple[Any, ...]]], listed: dict[str, set[int]]
) -> None:
    """Add the pages (and listing entries) that show ``node`` or what it sums up."""
    wanted.add((node.kind, (node.id,)))
    if isinstance(node, FundNode):
        listed["funds"].add(id(node))
        _areas(node.areas, wanted)
        for plan in node.plans:
            _showing(plan, wanted, listed)
        for project in node.projects:
            _showing(project, wanted, listed)
            listed["reports"].update(id(r) for r in project.reports)  # listed with their fund
    elif isinstance(node, PlanNode):
        wanted.update({("fund", (node.fund.id,)), ("issue", (node.record.issue,))})
        _areas(node.fund.areas, wanted)
        wanted.update(("project", (p.id,)) for p in node.projects)
    elif isinstance(node, ProjectNode):
        listed["projects"].add(id(node))
        listed["funds"].add(id(node.fund))
        wanted.add(("fund", (node.fund.id,)))
        linked = [node.plan, node.programme, *node.children]
        wanted.update((n.kind, (n.id,)) for n in linked if n is not None)
        wanted.update(("report", (r.id,)) for r in node.reports)
        wanted.update(("issue", (i,)) for i in {*node.issues, *_plan_issue(node)})
        wanted.add(("year", (node.fiscal_year,)))
        _areas(node.areas or node.fund.areas, wanted)
        _areas(node.fund.areas, wanted)
    elif isinstance(node, ReportNode):
        listed["reports"].update(id(r) for r in node.project.reports)
        _showing(node.project, wanted, listed)


def _plan_issue(project: ProjectNode) -> list[str]:
    return [project.plan.record.issue] if project.plan else []


def _areas(areas: Iterable[Any], wanted: set[tuple[str, tuple[Any, ...]]]) -> None:
    for area in areas:
        for level in ("region", "province", "district", "subdistrict"):
            if getattr(area, level):
                wanted.add(("area", (level, getattr(area, level))))


#: Page kinds that show named records, areas, issues or years, and listings: the others show
#: something of every record.
_NAMED = {"fund", "plan", "project", "report", "issue", "area", "year", "free_page", *LISTINGS}
