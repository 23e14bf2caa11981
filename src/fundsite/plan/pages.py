"""Stage 3: decide every page of the site from the graph.

Each :class:`PagePlan` names its output path and its template; its context is a pure function
of the graph records it shows (``context()``; which ones: :mod:`fundsite.plan.deps`), so pages
can be rendered in any order, in parallel, and re-rendered alone when those records change.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fundsite.plan import tables, views
from fundsite.plan.scopes import (
    AREA_LEVELS,
    WHAT,
    Scope,
    pages_of,
    scope_years,
)
from fundsite.validate.graph import SiteGraph


@dataclass(slots=True)
class PagePlan:
    """One output page: where it goes and how it is drawn."""

    path: str  # output path relative to the site root, e.g. "funds/L5218/index.html"
    template: str
    make: Callable[..., dict[str, Any]]
    args: tuple[Any, ...] = ()
    data: bool = True  # also write the page's records as index.json beside it
    searchable: bool = True
    feed: str | None = None  # Atom feed path written beside the page, if any
    #: CSV files of the tables it shows that it may write beside it (those with rows)
    tables: tuple[str, ...] = ()

    def context(self, graph: SiteGraph) -> dict[str, Any]:
        return self.make(graph, *self.args)

    def beside(self, name: str) -> str:
        """The path of a file named ``name`` in the page's folder."""
        folder = self.path.rpartition("/")[0]
        return f"{folder}/{name}" if folder else name

    @property
    def data_path(self) -> str:
        """Where the page's records go as JSON (when ``data``): ``index.json`` beside it."""
        return self.beside("index.json")

    @property
    def of_one_record(self) -> bool:
        """A fund, plan, project or report page; the others (areas, issues, years, listings,
        home) sum up many records and cost O(records) each to compute."""
        return self.make.__name__ in RECORD_PAGES


RECORD_PAGES = frozenset({"fund", "plan", "project", "report"})


def _paged(
    base: str, template: str, make: Callable[..., dict[str, Any]], count: int, *args: Any
) -> Iterator[PagePlan]:
    for number in range(1, pages_of(count) + 1):
        path = f"{base}index.html" if number == 1 else f"{base}page/{number}/index.html"
        yield PagePlan(
            path,
            template,
            make,
            (*args, number),
            searchable=False,
            data=number == 1,
            tables=tables.files(make.__name__),
        )


def plan_site(graph: SiteGraph) -> list[PagePlan]:
    """Every page of the site, in a stable order."""
    pages: list[PagePlan] = [
        PagePlan(
            "index.html",
            "home.html",
            views.home,
            searchable=False,
            feed="feed.xml",
            tables=tables.files("home"),
        ),
        PagePlan("404.html", "404.html", views.not_found, data=False, searchable=False),
        PagePlan(
            "areas/index.html",
            "areas.html",
            views.areas,
            searchable=False,
            tables=tables.files("areas"),
        ),
        PagePlan(
            "issues/index.html",
            "issues.html",
            views.issues,
            searchable=False,
            tables=tables.files("issues"),
        ),
        PagePlan("data/index.html", "data.html", views.data_dictionary, data=False),
        PagePlan("search/index.html", "search.html", views.search, data=False, searchable=False),
    ]
    pages += _paged("funds/", "funds.html", views.funds, len(graph.funds))
    pages += _paged("projects/", "projects.html", views.projects, len(graph.projects))
    pages += _report_listing(graph)
    for fund_id in graph.funds:
        feed = f"funds/{fund_id}/feed.xml"
        pages += _scope_pages(graph, Scope("fund", fund_id), "fund.html", views.fund, feed)
    for plan_id in graph.plans:
        pages.append(
            PagePlan(
                f"plans/{plan_id}/index.html",
                "plan.html",
                views.plan,
                (plan_id,),
                tables=tables.files("plan"),
            )
        )
    for project_id in graph.projects:
        pages.append(
            PagePlan(
                f"projects/{project_id}/index.html",
                "project.html",
                views.project,
                (project_id,),
                tables=tables.files("project"),
            )
        )
    pages += _report_pages(graph)
    for issue_id in graph.issues:
        feed = f"issues/{issue_id}/feed.xml"
        pages += _scope_pages(graph, Scope("issue", issue_id), "issue.html", views.issue, feed)
    for level in AREA_LEVELS:
        for key in sorted({*graph.keys("funds", level), *graph.keys("projects", level)}, key=str):
            feed = f"{level}s/{key}/feed.xml" if level == "district" else None
            pages += _scope_pages(graph, Scope(level, key), "area.html", views.area, feed)
    pages += _scope_pages(graph, Scope("all", None), "year.html", views.year)
    for slug in graph.pages:
        pages.append(
            PagePlan(
                f"pages/{slug}/index.html",
                "page.html",
                views.free_page,
                (slug,),
                data=False,
            )
        )
    return pages


def _scope_pages(
    graph: SiteGraph,
    scope: Scope,
    template: str,
    make: Callable[..., dict[str, Any]],
    feed: str | None = None,
) -> Iterator[PagePlan]:
    """A scope's own page (its default year; the portal's is the home page, planned apart),
    a page for each other fiscal year (every year, for the portal), and the list pages of
    the records a year's figures sum when there are too many to list on the year's page."""
    years = scope_years(graph, scope)
    kind = make.__name__
    if scope.level != "all":
        own = tables.files(kind, years.default)
        yield PagePlan(
            f"{scope.url}index.html", template, make, _scope_args(scope), feed=feed, tables=own
        )
    for fy in years.years:
        page = years.page(fy)
        if page != scope.url:
            args = (fy,) if scope.level == "all" else (*_scope_args(scope), fy)
            # search finds a scope once, on its own page (the portal's years are pages too)
            found = scope.level == "all"
            yield PagePlan(
                f"{page}index.html",
                template,
                make,
                args,
                tables=tables.files(kind, fy),
                searchable=found,
            )
        for what in WHAT:
            if years.listed_apart(fy, what):
                base = years.list_base(fy, what)
                for number in range(1, pages_of(years.count(fy, what)) + 1):
                    path = f"{base}index.html" if number == 1 else f"{base}page/{number}/index.html"
                    args = (scope.level, scope.key, fy, what, number)
                    yield PagePlan(
                        path,
                        "list.html",
                        views.records_list,
                        args,
                        searchable=False,
                        tables=tables.files("records_list", fy),
                    )


def _scope_args(scope: Scope) -> tuple[Any, ...]:
    """How a scope page's maker names its scope: ``(level, key)`` for an area, the id else."""
    return (scope.level, scope.key) if scope.level in AREA_LEVELS else (scope.key,)


#: Top folders and files the build writes beside the pages (static files, media, open data,
#: the search index, sitemap, robots, markers).
SITE_FILES = frozenset(
    {"static", "media", "pagefind", "sitemap.xml", "robots.txt", ".nojekyll", ".fundsite-output"}
)


def files_of(plan: PagePlan) -> list[str]:
    """The files a page may write: itself, its records as ``index.json``, its feed, the CSV
    files of its tables."""
    files = [plan.path]
    if plan.data:
        files.append(plan.data_path)
    if plan.feed:
        files.append(plan.feed)
    files += map(plan.beside, plan.tables)
    return files


def all_files(plans: list[PagePlan]) -> list[str]:
    """Every file the pages may write (:func:`files_of`), in plan order."""
    return [rel for plan in plans for rel in files_of(plan)]


def path_conflicts(plans: list[PagePlan], files: list[str] | None = None) -> list[str]:
    """The build-wide guard: files two pages would write, a file that another page needs as a
    folder, and paths that leave the output folder, land on the site's own files or are hidden
    (``.git/…``, ``.well-known/…``). Paths are compared as a case-insensitive file system
    (Windows, macOS) compares them: ``funds/L1/`` and ``funds/l1/`` are one folder there. Ids
    are checked so that none of this happens; this says so before anything is written.
    ``files``: the pages' :func:`all_files`, when it was made already."""
    owner: dict[str, str] = {}  # the path as compared → as written
    found: list[str] = []
    for rel in all_files(plans) if files is None else files:
        key = _compared(rel)
        top, _, rest = key.partition("/")
        if (
            _unsafe(key)
            or not rel.isprintable()
            or top in SITE_FILES
            or (top == "data" and "/" not in rest and rest != "index.html")
            or key in owner
        ):
            found.append(rel)
        else:
            owner[key] = rel
    folders: set[str] = set()
    for key in owner:
        folder = key.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    found += sorted(rel for key, rel in owner.items() if key in folders)
    return found


def paths_digest(files: list[str]) -> str:
    """A digest of every file the pages may write (:func:`all_files`): what
    :func:`path_conflicts` judges, so a build whose pages would write what the last build's
    did (which had no conflict, or it would have stopped) need not judge them again."""
    return hashlib.blake2b("\0".join(files).encode(), digest_size=16).hexdigest()


def _unsafe(key: str) -> bool:
    """An empty part (a leading, doubled or trailing ``/``), a part starting with a dot (``.``,
    ``..``, hidden names) or a backslash (a separator on Windows)."""
    return not key or key[0] in "/." or key[-1] == "/" or "//" in key or "/." in key or "\\" in key


def _compared(rel: str) -> str:
    """A path as a case-insensitive, normalising file system compares it."""
    if rel.isascii():
        return rel.casefold()
    return unicodedata.normalize("NFC", rel).casefold()


def _report_listing(graph: SiteGraph) -> list[PagePlan]:
    return list(_paged("reports/", "reports.html", views.reports, len(graph.reports)))


def _report_pages(graph: SiteGraph) -> list[PagePlan]:
    return [
        PagePlan(f"reports/{report_id}/index.html", "report.html", views.report, (report_id,))
        for report_id in graph.reports
    ]


def replan_reports(graph: SiteGraph, plans: list[PagePlan]) -> list[PagePlan]:
    """``plans`` after reports were added or deleted: what :func:`plan_site` would give."""
    blocks = {views.reports: _report_listing, views.report: _report_pages}
    pages: list[PagePlan] = []
    done = set()
    for plan in plans:
        if plan.make in blocks:
            if plan.make not in done:
                pages += blocks[plan.make](graph)
                done.add(plan.make)
        else:
            pages.append(plan)
    return pages if len(done) == len(blocks) else plan_site(graph)  # there were no reports
