"""What each page reads, as a fingerprint: the basis of incremental builds.

A page's fingerprint hashes the file digests of every record it shows (the record itself and
the linked records whose names, budgets or dates appear on it) and of what every page shows
(data files, free pages, the theme). A page whose fingerprint is unchanged is byte-identical to
what the last build wrote, so it need not be rendered again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from fundsite import __version__
from fundsite.plan import views
from fundsite.plan.pages import PagePlan
from fundsite.validate.graph import FundNode, Node, PlanNode, ProjectNode, SiteGraph

#: Pages that show totals over every record: they change whenever anything changes.
_WHOLE_SITE = {"home", "areas", "issues", "search"}
_LISTINGS = {"funds": "funds", "projects": "projects", "reports": "reports"}


def tree_digest(root: Path) -> str:
    """A hash of every file under ``root`` (names and bytes), e.g. a theme."""
    h = hashlib.blake2b(digest_size=16)
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return h.hexdigest()


def global_digest(graph: SiteGraph, theme: Path, base_url: str) -> str:
    """What every page depends on: fundsite itself, the theme, data files, free pages."""
    h = hashlib.blake2b(digest_size=16)
    for part in (
        __version__,
        tree_digest(theme),
        graph.data_digest,
        base_url,
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
    if kind in _LISTINGS:
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
        return [r, r.project, r.fund]
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
            *funds,
            *(n for p in projects for n in _project(p)),
            *(n for p in plans for n in _plan(p)),
        ]
    if kind == "year":
        return [n for p in graph.lookup("projects", "fiscal_year", args[0]) for n in _project(p)]
    return None  # an unknown page kind: always rebuilt


def fingerprints(graph: SiteGraph, plans: list[PagePlan], base: str) -> dict[str, str]:
    """Page path → fingerprint, for every planned page."""
    everything = hashlib.blake2b(digest_size=16)
    for node in graph.all_nodes():
        everything.update(f"{node.path}={node.digest}\0".encode())
    site_digest = everything.hexdigest()
    orders = {  # a listing page changes when records move between pages
        kind: hashlib.blake2b(
            "\0".join(n.id for n in views.listing(graph, kind)).encode(), digest_size=16
        ).hexdigest()
        for kind in _LISTINGS
    }
    history = getattr(graph, "history", None) or {}  # a commit changes a record page's history
    result: dict[str, str] = {}
    for plan in plans:
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{base}\0{plan.path}\0{plan.template}\0{plan.args!r}\0".encode())
        if plan.make.__name__ in orders:
            h.update(orders[plan.make.__name__].encode())
        nodes = inputs(graph, plan)
        if nodes is None:
            h.update(site_digest.encode())
        else:
            for key in sorted({f"{n.path}={n.digest}={history.get(n.path)!r}" for n in nodes}):
                h.update(key.encode())
                h.update(b"\0")
        result[plan.path] = h.hexdigest()
    return result
