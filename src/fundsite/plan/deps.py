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

from fundsite.cache import code_digest
from fundsite.plan import views
from fundsite.plan.pages import PagePlan
from fundsite.plan.scopes import (
    AREA_LEVELS,
    PER_PAGE,
    Scope,
    ScopeYears,
    page_of,
    scope_years,
)
from fundsite.thai import fiscal_year
from fundsite.validate.graph import (
    FundNode,
    Node,
    PageNode,
    PlanNode,
    ProjectNode,
    ReportNode,
    SiteGraph,
)
from fundsite.validate.patch import link_keys

#: Pages that show totals over every record: they change whenever anything changes.
_WHOLE_SITE = {"home", "areas", "issues", "search", "year", "data_dictionary"}
LISTINGS = {"funds": "funds", "projects": "projects", "reports": "reports"}


def tree_digest(root: Path) -> str:
    """A hash of every file under ``root`` (names and bytes), e.g. a theme."""
    h = hashlib.blake2b(digest_size=16)
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return h.hexdigest()


#: Pages that show the data's date (the data page: "data as of", the snapshot's name).
DATED = frozenset({"data_dictionary"})


def global_digest(graph: SiteGraph, theme: Path, base_url: str, today: date) -> str:
    """What every page depends on: fundsite itself (its code, not only its version: an
    install from a git checkout keeps its version), the theme, data files, free pages, and the
    fiscal year of the data's date (the year a scope's page shows first). The date itself is
    read by few pages (:data:`DATED`, feeds) and by the notes about time, which are part of
    each record's key: a new day's commit renders those pages again, not every page."""
    h = hashlib.blake2b(digest_size=16)
    for part in (
        code_digest(),
        tree_digest(theme),
        graph.data_digest,
        base_url,
        str(fiscal_year(today)),
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
    for project in p.projects:  # their rows in the page's projects.csv count their reports
        yield from _project(project)


def _report_row(r: ReportNode) -> Iterator[Node]:
    yield from (r, r.project, r.fund)


#: What a row of a year's list of each kind reads (a fund's row sums every project of it).
_ROWS = {"funds": _fund, "plans": _plan, "projects": _project, "reports": _report_row}


def inputs(graph: SiteGraph, plan: PagePlan) -> Iterable[Node] | None:
    """The records a page shows; ``None`` when it shows something of every record."""
    kind, args = plan.make.__name__, plan.args
    if kind in _WHOLE_SITE:
        return None
    if kind in ("not_found", "free_page"):
        return ()  # free pages are part of the global digest (every footer lists them)
    if kind in LISTINGS:
        number = args[0]
        if kind == "projects" and number == 1:
            return None  # the first page shows the total of every project
        items = page_of(views.listing(graph, kind), number)
        shown: list[Node] = []
        for item in items:
            shown.append(item)
            if kind == "funds":
                shown.extend(item.projects)  # counts and budget totals per fund
            else:
                shown.append(item.fund)
            if kind == "reports":
                shown.append(item.project)  # its areas, when the report names none
            elif kind == "projects":
                shown.extend(item.reports)  # its row counts them and sums what they spent
        return shown
    if kind == "records_list":  # the rows of one page of a scope's year's list
        what, shown = args[3], _list_page(graph, args)[2]
        return [*_list_heading(graph, args), *(n for item in shown for n in _ROWS[what](item))]
    if kind == "fund":
        return _fund(graph.funds[args[0]])
    if kind == "plan":
        return _plan(graph.plans[args[0]])
    if kind == "project":
        p = graph.projects[args[0]]
        linked = [p.plan, p.programme]
        children = (n for c in p.children for n in _project(c))  # rows of its projects.csv
        return [*_project(p), *(n for n in linked if n is not None), *children]
    if kind == "report":
        r = graph.reports[args[0]]
        return [r, r.project, r.fund, *r.project.reports]  # notes: spent over the budget
    if kind in ("issue", "area"):
        scope = _scope(kind, args)
        plans, projects = _of_years(graph, scope, _year_of(kind, args))
        # accounts of every year; and, on a scope's own page, its feed: the latest reports
        funds = graph.lookup("funds", scope.level, scope.key) if kind == "area" else []
        feed = _feed_reports(graph, scope) if plan.feed else []
        return [
            *funds,
            *feed,
            *(n for p in projects for n in _project(p)),
            *(n for p in plans for n in _plan(p)),
        ]
    return None  # a fiscal year of the whole portal, or an unknown kind: always rebuilt


def _scope(kind: str, args: tuple[Any, ...]) -> Scope:
    """The scope of an area's or an issue's page."""
    return Scope(*args[:2]) if kind == "area" else Scope("issue", args[0])


def _of_years(
    graph: SiteGraph, scope: Scope, fy: int | None
) -> tuple[list[PlanNode], list[ProjectNode]]:
    """The plans and projects a scope's page of one fiscal year shows: that year's, and last
    year's (the change from last year); ``fy`` None is the scope's default year."""
    years = scope_years(graph, scope)
    fy = fy if fy is not None else years.default
    _, plans, projects = years.records
    shown = {fy, fy - 1} if fy is not None else set()
    return (
        [p for p in plans if p.record.fiscal_year in shown],
        [p for p in projects if p.fiscal_year in shown],
    )


def _feed_reports(graph: SiteGraph, scope: Scope) -> list[Node]:
    """What a scope's feed shows: the reports of every year (and their projects and funds)."""
    return [n for p in scope_years(graph, scope).records[2] for n in (p, p.fund, *p.reports)]


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


def placement(node: Node) -> str:
    """Where a record is shown: a digest of its links (fund, plan, issues, area, fiscal year)
    and, for a report, its date (the listings' order). :func:`readers` finds the pages that
    show a record where it is now; where it was is known only while this is unchanged."""
    date = node.record.date if isinstance(node, ReportNode) else None
    return hashlib.blake2b(repr((link_keys(node), date)).encode(), digest_size=8).hexdigest()


def placements(graph: SiteGraph, known: dict[str, str], built: dict[str, str]) -> dict[str, str]:
    """Record file → its :func:`placement`; ``known`` holds the last build's, of the files
    ``built`` (file → content digest) then: a file with the same bytes sits where it sat."""
    found: dict[str, str] = {}
    for node in graph.all_nodes():
        if isinstance(node, PageNode):
            continue  # free pages are part of every page's digest
        last = known.get(node.path)
        found[node.path] = (
            last if last is not None and built.get(node.path) == node.digest else placement(node)
        )
    return found


@dataclass
class Fingerprinter:
    """Computes page fingerprints; the site-wide parts once, when a page first needs them."""

    graph: SiteGraph
    base: str

    def __post_init__(self) -> None:
        self.history = getattr(self.graph, "history", None) or {}  # commits change history
        self._keys: dict[int, str] = {}  # id(node) → what a page shows of it
        self._rows: dict[tuple[str, int], str] = {}  # (list, id(node)) → digest of its row

    @cached_property
    def site(self) -> str:
        """What a page reading every record depends on: their files and the data's date (its
        lists of data-quality notes carry it)."""
        return f"{site_digest(self.graph)}:{self.graph.today.isoformat()}"

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
        kind = plan.make.__name__
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{self.base}\0{plan.path}\0{plan.template}\0{plan.args!r}\0".encode())
        if plan.feed or kind in DATED:  # a feed without entries is dated today
            h.update(f"{self.graph.today.isoformat()}\0".encode())
        if kind in LISTINGS:
            h.update(self.orders[kind].encode())
        elif kind == "area":  # the areas below it that have pages, linked on it
            h.update(repr(views.sub_areas(self.graph, *plan.args[:2])).encode())
        if kind in ("area", "issue"):  # each year's page links to every year
            h.update(repr(scope_years(self.graph, _scope(kind, plan.args)).years).encode())
        if kind == "records_list":
            h.update(self._list(plan).encode())
            return h.hexdigest()
        nodes = inputs(self.graph, plan)
        h.update((self.site if nodes is None else self._digest(nodes)).encode())
        return h.hexdigest()

    def _digest(self, nodes: Iterable[Node]) -> str:
        h = hashlib.blake2b(digest_size=16)
        for key in sorted({self._key(n) for n in nodes}):
            h.update(key.encode())
            h.update(b"\0")
        return h.hexdigest()

    def _key(self, node: Node) -> str:
        found = self._keys.get(id(node))
        if found is None:
            found = self._keys[id(node)] = _node_key(node, self.history)
        return found

    def _list(self, plan: PagePlan) -> str:
        """A list page: which rows it holds, where, and each row's digest (what
        :func:`inputs` names, row by row: a fund's row is in every list of its funds)."""
        fy, what = plan.args[2], plan.args[3]
        years, listed, shown = _list_page(self.graph, plan.args)
        parts = [str(len(listed)), years.page(fy), years.list_base(fy, what)]
        parts += map(self._key, _list_heading(self.graph, plan.args))
        for item in shown:
            row = self._rows.get((what, id(item)))
            if row is None:
                row = self._rows[(what, id(item))] = self._digest(_ROWS[what](item))
            parts += (item.id, row)
        return "\0".join(parts)


def _list_heading(graph: SiteGraph, args: tuple[Any, ...]) -> list[Node]:
    """The record a list page's heading names: a fund's name heads its lists."""
    level, key = args[0], args[1]
    return [graph.funds[key]] if level == "fund" else []


def _list_page(graph: SiteGraph, args: tuple[Any, ...]) -> tuple[ScopeYears, list[Any], list[Any]]:
    """A list page's scope years, the whole list, and the page's part of it."""
    level, key, fy, what, number = args
    years = scope_years(graph, Scope(level, key))
    listed = years.listed(fy, what)
    return years, listed, page_of(listed, number)


def fingerprints(graph: SiteGraph, plans: list[PagePlan], base: str) -> dict[str, str]:
    """Page path → fingerprint, for every planned page."""
    fingerprint = Fingerprinter(graph, base)
    return {plan.path: fingerprint(plan) for plan in plans}


def readers(
    graph: SiteGraph, plans: list[PagePlan], changed: Iterable[Node], added: Iterable[Node] = ()
) -> list[PagePlan]:
    """The pages that may show one of the ``changed`` records: a superset, in plan order.

    The inverse of :func:`inputs` (``tests/test_deps.py`` checks that it misses no page):
    record pages, the areas, issues and years they belong to, the listing pages that hold
    them, and the pages that sum up the whole site. A project ``added`` may give its areas
    and issues a year: the pages of their every year list the years.
    """
    wanted: set[_Wanted] = set()
    listed: dict[str, set[int]] = {kind: set() for kind in LISTINGS}
    for node in changed:
        _showing(node, wanted, listed)
    for node in added:
        _showing(node, wanted, listed, every_year=True)
    for kind, nodes in listed.items():
        if nodes:
            where = {id(n): i for i, n in enumerate(views.listing(graph, kind))}
            wanted.update((kind, (where[n] // PER_PAGE + 1,)) for n in nodes if n in where)
    wanted.add(("projects", (1,)))  # it shows the total of every project
    named, unnamed = _positions(plans)
    chosen = set(unnamed)
    for key in wanted:
        years = None if len(key) == 2 else {key[2], key[2] + 1}  # next year: "from last year"
        for i, year in named.get(key[:2], ()):
            if years is None or year is None or year in years:
                chosen.add(i)
    return [plans[i] for i in sorted(chosen)]


def narrowed(graph: SiteGraph, pages: list[PagePlan], changed: Iterable[Node]) -> list[PagePlan]:
    """``pages`` (what :func:`readers` found) less the list pages of a scope's year none of
    whose rows reads a ``changed`` record: :func:`readers` names every list page of the years a
    record is in, not knowing where in the list it is.

    Only for changes that left every list's members and order as they were: no record added,
    deleted or moved (its :func:`placement`), no fund changed (funds are listed by name, and a
    fund's name heads its lists). Then a list page holds the rows it held, and only a row
    reading a changed record reads otherwise.
    """
    ids = {id(node) for node in changed}
    if any(isinstance(node, FundNode) for node in changed):
        return pages
    memo: dict[tuple[str, int], bool] = {}

    def reads(plan: PagePlan) -> bool:
        what = plan.args[3]
        for item in _list_page(graph, plan.args)[2]:
            key = (what, id(item))
            found = memo.get(key)
            if found is None:
                found = memo[key] = not ids.isdisjoint(map(id, _ROWS[what](item)))
            if found:
                return True
        return False

    return [p for p in pages if p.make.__name__ != "records_list" or reads(p)]


#: The lists of the portal's years, as :func:`_named_key` names them.
_PORTAL = ("all", (None,))
#: A page that may show a changed record: (kind, scope) for all its years, or (kind, scope,
#: fiscal year) for the pages of that year (and the scope's default page, whatever its year).
_Wanted = tuple[Any, ...]
_Positions = tuple[dict[tuple[str, Any], list[tuple[int, int | None]]], list[int]]
_last_positions: tuple[list[PagePlan], int, _Positions] | None = None


def _positions(plans: list[PagePlan]) -> _Positions:
    """Where the pages showing named records are in ``plans`` ((kind, scope) → (index, fiscal
    year of the page, None for a scope's default page)), and the indexes of the others; kept
    for the last list asked about (``serve`` asks on each edit, and a list of plans is never
    changed in place: see ``replan_reports``)."""
    global _last_positions
    last = _last_positions
    if last is not None and last[0] is plans and last[1] == len(plans):
        return last[2]
    named: dict[tuple[str, Any], list[tuple[int, int | None]]] = {}
    unnamed: list[int] = []
    kinds: dict[Any, str] = {}  # make → its name: 700,000 pages at national scale, few kinds
    for i, plan in enumerate(plans):
        kind = kinds.get(plan.make) or kinds.setdefault(plan.make, plan.make.__name__)
        key = _named_key(kind, plan.args)
        if key is None:
            unnamed.append(i)
        elif key in named:
            named[key].append((i, _year_of(kind, plan.args)))
        else:
            named[key] = [(i, _year_of(kind, plan.args))]
    _last_positions = (plans, len(plans), (named, unnamed))
    return named, unnamed


def _year_of(kind: str, args: tuple[Any, ...]) -> int | None:
    """The fiscal year a scope's page of ``kind`` shows, when it is not the scope's default
    page."""
    if kind == "records_list":
        return args[2]  # type: ignore[no-any-return]
    if (kind == "area" and len(args) == 3) or (kind in ("fund", "issue") and len(args) == 2):
        return args[-1]  # type: ignore[no-any-return]
    return None


def _named_key(kind: str, args: tuple[Any, ...]) -> tuple[str, Any] | None:
    """Which named record, area or issue a page of ``kind`` shows, as :func:`_showing` names
    them: every fiscal year of a scope, and its list pages, under the scope; None for the
    pages that show something of every record."""
    if kind not in _NAMED:
        return None
    if kind == "records_list":
        level, key = args[0], args[1]
        return ("area", (level, key)) if level in AREA_LEVELS else (level, (key,))
    if kind == "area":
        return (kind, args[:2])
    if kind in ("fund", "issue"):
        return (kind, args[:1])
    return (kind, args)


def _showing(
    node: Node, wanted: set[_Wanted], listed: dict[str, set[int]], every_year: bool = False
) -> None:
    """Add the pages (and listing entries) that show ``node`` or what it sums up (of its
    scopes' every year with ``every_year``)."""
    wanted.add((node.kind, (node.id,)))
    if isinstance(node, FundNode):  # its accounts of every year
        listed["funds"].add(id(node))
        wanted.add(_PORTAL)  # its row in the lists of the portal's years
        _areas(node.areas, wanted, None)
        for plan in node.plans:
            _showing(plan, wanted, listed)
        for project in node.projects:
            _showing(project, wanted, listed)
            listed["reports"].update(id(r) for r in project.reports)  # listed with their fund
    elif isinstance(node, PlanNode):
        fy = node.record.fiscal_year
        wanted.update(
            {("fund", (node.fund.id,)), ("issue", (node.record.issue,), fy), (*_PORTAL, fy)}
        )
        _areas(node.fund.areas, wanted, fy)
        wanted.update(("project", (p.id,)) for p in node.projects)
    elif isinstance(node, ProjectNode):
        fy = None if every_year else node.fiscal_year
        listed["projects"].add(id(node))
        listed["funds"].add(id(node.fund))
        listed["reports"].update(id(r) for r in node.reports)  # their rows show its areas
        wanted.add(("fund", (node.fund.id,)))
        linked = [node.plan, node.programme, *node.children]
        wanted.update((n.kind, (n.id,)) for n in linked if n is not None)
        wanted.update(("report", (r.id,)) for r in node.reports)
        issues = {*node.issues, *_plan_issue(node)}
        wanted.update((("issue", (i,)) if fy is None else ("issue", (i,), fy)) for i in issues)
        wanted.add(_PORTAL if fy is None else (*_PORTAL, fy))
        _areas(node.areas or node.fund.areas, wanted, fy)
        _areas(node.fund.areas, wanted, fy)
    elif isinstance(node, ReportNode):
        listed["reports"].update(id(r) for r in node.project.reports)
        _showing(node.project, wanted, listed)


def _plan_issue(project: ProjectNode) -> list[str]:
    return [project.plan.record.issue] if project.plan else []


def _areas(areas: Iterable[Any], wanted: set[_Wanted], fy: int | None) -> None:
    """The pages of the areas (of one fiscal year, or of all when ``fy`` is None)."""
    for area in areas:
        for level in ("region", "province", "district", "subdistrict"):
            if getattr(area, level):
                scope = ("area", (level, getattr(area, level)))
                wanted.add(scope if fy is None else (*scope, fy))


#: Page kinds that show named records, areas, issues or years, and listings: the others show
#: something of every record.
_NAMED = {
    "fund",
    "plan",
    "project",
    "report",
    "issue",
    "area",
    "records_list",
    "free_page",
    *LISTINGS,
}
