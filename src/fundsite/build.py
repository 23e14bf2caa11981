"""``fundsite build``: check → plan pages → render (parallel) → write (atomic) → index.

The pipeline refuses to publish while the check reports errors, and writes into a staging
folder that replaces the output only when everything succeeded.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from fundsite import collector
from fundsite.diagnostics import Problem
from fundsite.history import load_history
from fundsite.history import snapshot_date as snapshot_date  # the data's date, re-exported
from fundsite.index import IndexWork, prepare_index, run_index
from fundsite.load.safe import SiteReader
from fundsite.parallel import Forked, can_fork, forked_call, forked_map
from fundsite.plan import PagePlan, deps, plan_site
from fundsite.plan.giving import GivingSummary
from fundsite.plan.pages import all_files, path_conflicts, paths_digest
from fundsite.render.engine import make_env, render_page, theme_dir
from fundsite.validate import check_state, media
from fundsite.validate.graph import SiteGraph
from fundsite.validate.patch import CheckState, neighbours
from fundsite.write import manifest, outputs
from fundsite.write.atomic import (
    abort_stage,
    begin_stage,
    commit_stage,
    copy_file,
    remove,
    tidy,
    write_bytes,
    write_text,
)
from fundsite.write.open_data import write_open_data
from fundsite.write.out_folder import output_problem


@dataclass
class BuildResult:
    ok: bool
    problems: list[Problem]
    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    out: Path | None = None
    rendered: int = 0  # pages rendered by this build (fewer than ``pages`` when incremental)
    kept: Kept | None = None  # with ``build(keep=True)``: what ``fundsite.update`` patches


@dataclass
class Kept:
    """A finished build, kept in memory so that later edits can be patched into it."""

    state: CheckState
    job: _Job
    manifest: manifest.Manifest
    writer: Any = None  # the process writing open data after an update (update.finish)


class BuildRefused(Exception):
    """The records have errors: nothing is published."""


def _render_one(
    env: Any, graph: SiteGraph, plan: PagePlan, root: Path, base_url: str, today: date
) -> list[str]:
    """Render one page and the files beside it; returns the files written."""
    context = plan.context(graph)
    html = render_page(env, plan.template, plan.path, context)
    write_text(root, plan.path, html)
    written = [plan.path]
    if plan.data and context.get("records") is not None:
        written.append(plan.data_path)
        write_text(root, plan.data_path, outputs.to_json(context["records"]))
    for name, rows in context.get("csv_tables", {}).items():
        if name not in plan.tables:  # the output guard vetted those only
            raise ValueError(f"{plan.path}: {name} is not among the page's planned tables")
        written.append(plan.beside(name))
        write_text(root, written[-1], outputs.to_csv(rows))
    if plan.feed:
        written.append(plan.feed)
        entries = context.get("feed_entries", [])
        updated = max((r.record.date for r in entries), default=today)
        folder = plan.path.rpartition("/")[0]
        page_url = base_url + (f"{folder}/" if folder else "")
        write_text(
            root,
            plan.feed,
            outputs.atom_feed(
                f"{context['title']} — {graph.site.title}",
                base_url + plan.feed,
                page_url,
                entries,
                base_url,
                updated,
            ),
        )
    return written


def render_all(
    graph: SiteGraph,
    plans: list[PagePlan],
    theme: Path,
    base_url: str,
    root: Path,
    today: date,
    workers: int,
) -> dict[str, list[str]]:
    """Render the given pages into ``root``, in parallel across ``workers`` forked processes.

    Returns page path → the files it wrote.
    """
    # pages that sum up many records first, so the last chunks are short and workers end together
    plans = sorted(plans, key=lambda p: p.of_one_record)
    if not plans:
        return {}
    each: dict[str, int] = {}
    few = len(plans) <= _PAGE_BY_PAGE
    if not plans[0].of_one_record and (few or not plans[-1].of_one_record):
        # an edit's pages: those summing up many records (home, years, areas) take seconds
        # each at national scale, so they are small chunks (a page each, if few) and the
        # workers share them
        each = {"min_chunk": 1, "serial_below": 2}
        if few:
            each["chunks_per_worker"] = len(plans)
    env = _environment(theme, graph, base_url)

    def chunk(start: int, stop: int) -> dict[str, list[str]]:
        return {
            plan.path: _render_one(env, graph, plan, root, base_url, today)
            for plan in plans[start:stop]
        }

    files: dict[str, list[str]] = {}
    for part in forked_map(chunk, len(plans), workers, **each):
        files.update(part)
    return files


#: Up to this many pages to render, one that sums up many records among them: a chunk a page.
_PAGE_BY_PAGE = 1000

_ENV: list[tuple[tuple[Any, ...], Any]] = []  # the last environment made, and for what


def _environment(theme: Path, graph: SiteGraph, base_url: str) -> Any:
    """The Jinja environment for ``graph``, every template compiled (forked workers inherit
    them); ``serve``'s next edit of the same graph and theme reuses it."""
    key = (id(graph), theme, base_url, deps.tree_digest(theme))
    if not _ENV or _ENV[0][0] != key:
        env = make_env(theme, graph, base_url)
        for name in env.list_templates():
            env.get_template(name)
        _ENV[:] = [(key, env)]
    return _ENV[0][1]


def build(
    site_dir: Path,
    out: Path,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    index: bool = True,
    index_split: str | None = None,
    incremental: bool = True,
    keep: bool = False,
) -> BuildResult:
    """Build the site into ``out``. Raises nothing for bad input: see ``result.problems``.

    ``incremental`` renders only the pages whose records, theme or data changed since the last
    build into ``out`` (see :mod:`fundsite.plan.deps`); the result equals a clean build.
    ``index_split`` lays the search index out in one part (``all``), one per health region or
    one per province; by default it is chosen by size (:func:`fundsite.index.split_level`).
    ``keep`` keeps the checked records in ``result.kept`` for :func:`fundsite.update.update`.
    """
    say = progress or (lambda _msg: None)
    site_dir = site_dir.resolve()
    refused = output_problem(site_dir, out)
    if refused is not None:
        return BuildResult(False, [refused])

    def stage(say: Callable[[str], None]) -> BuildResult | _Staged:
        return _stage(site_dir, out, workers, index, index_split, incremental, keep, say)

    # The records are checked and rendered in a child process, which ends before Pagefind
    # runs: the search index's memory then comes on top of nothing, where it came on top of
    # the records (about 2.5 GB at 300,000 projects, most of which a process that frees them
    # does not give back).
    detach = index and not keep and can_fork()
    with manifest.locked(site_dir, out, say):
        if detach:
            staged = forked_call(stage, say)
        else:
            try:
                staged = stage(say)
            finally:
                gc.unfreeze()  # what the build froze is this process's to collect again
        if isinstance(staged, BuildResult):
            return staged  # refused: nothing was written
        return _finish(staged, say)


def _stage(
    site_dir: Path,
    out: Path,
    workers: int | None,
    index: bool,
    index_split: str | None,
    incremental: bool,
    keep: bool,
    say: Callable[[str], None],
) -> BuildResult | _Staged:
    """Check, plan, render and write into a staging folder, and prepare the search index."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    state, checked = check_state(site_dir, workers=workers, remember=incremental)
    timings["check"] = time.perf_counter() - t0
    if not checked.ok or checked.graph is None or state is None:
        return BuildResult(False, checked.problems, seconds=timings)
    graph = checked.graph
    graph.history = load_history(site_dir)
    say(f"check: {len(checked.problems)} warnings ({timings['check']:.2f} s)")
    try:
        theme = theme_dir(site_dir, graph.site.theme)
    except FileNotFoundError:
        missing = Problem(
            "error", "theme-missing", "data/site.yaml", 1, 1, "theme", {"value": graph.site.theme}
        )
        return BuildResult(False, [*checked.problems, missing], seconds=timings)
    base_url = graph.site.base_url.rstrip("/") + "/"
    today = graph.today  # the data's date, as the check judged it (snapshot_date)
    digest = deps.global_digest(graph, theme, base_url, today)
    last = manifest.load(site_dir, out) if incremental else None
    if last is not None and (last.global_digest != digest or (index and not last.indexed)):
        last = None  # the theme, data files or fundsite changed: every page changes
    if last is not None and not keep:
        unchanged = _unchanged(last, graph, index)
        if unchanged is not None:
            tidy(out.resolve())
            say("render: nothing changed since the last build")
            return BuildResult(True, checked.problems, unchanged, timings, out)
    t0 = time.perf_counter()
    with collector.paused():
        plans = plan_site(graph)
    # The records, the last build's manifest and the plan live to the end of the build: the
    # cycle collector's later passes, each of which walks every object not frozen, skip them.
    gc.collect()
    gc.freeze()
    timings["plan"] = time.perf_counter() - t0
    files = all_files(plans)
    paths = paths_digest(files)
    conflicts = [] if last is not None and last.paths == paths else path_conflicts(plans, files)
    del files
    if conflicts:
        clash = [
            Problem("error", "output-conflict", rel, params={"value": rel}) for rel in conflicts
        ]
        return BuildResult(False, [*checked.problems, *clash], seconds=timings)
    job = _Job(
        site_dir,
        out,
        graph,
        plans,
        checked.problems,
        theme,
        base_url,
        today,
        workers if workers is not None else (os.cpu_count() or 1),
        index,
        index_split,
        incremental,
        paths,
    )
    try:
        staged, fresh = _publish(job, last, digest, say, timings)
    except jinja2.TemplateError as exc:
        return BuildResult(
            False, [*checked.problems, _template_problem(exc, theme)], seconds=timings
        )
    if keep:
        staged.result.kept = Kept(state, job, fresh)
    return staged


@dataclass
class _Job:
    """Everything one build publishes, once the records passed the check."""

    site_dir: Path
    out: Path
    graph: SiteGraph
    plans: list[PagePlan]
    problems: list[Problem]
    theme: Path
    base_url: str
    today: date
    workers: int
    index: bool
    index_split: str | None  # all, region, province; None: by size
    incremental: bool
    paths: str  # the pages' paths_digest


def _template_problem(exc: jinja2.TemplateError, theme: Path) -> Problem:
    """A theme bug, reported like a record problem at the template's line."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "templates"
    try:
        rel = Path(name).resolve().relative_to(theme.parent.parent).as_posix()
    except ValueError:
        rel = str(name)
    line = getattr(exc, "lineno", None) or 1
    return Problem("error", "template-error", rel, line, 1, None, {"detail": str(exc)})


@dataclass
class _Staged:
    """A build written into its staging folder, its search index still to run."""

    result: BuildResult
    stage: Path
    manifest_file: Path  # written beside its place; moved there once the site is out
    index: IndexWork | None
    index_workers: int


def _publish(
    job: _Job,
    last: manifest.Manifest | None,
    digest: str,
    say: Callable[[str], None],
    timings: dict[str, float],
) -> tuple[_Staged, manifest.Manifest]:
    """Render, write and prepare the index into a staging folder: only what changed since
    ``last``, the manifest of a build of the same theme, data files and fundsite (``digest``)
    in the output folder (None: everything)."""
    graph, plans = job.graph, job.plans
    known = (last.placed, last.records) if last is not None else ({}, {})
    fresh = manifest.Manifest(
        global_digest=digest,
        records=records_of(graph),
        placed=deps.placements(graph, *known),
        data_date=job.today.isoformat(),
        paths=job.paths,
    )
    manifest.forget(job.site_dir, job.out)  # until this build has succeeded
    root = begin_stage(job.out, reuse=last is not None)
    data: Forked[GivingSummary | None] | None = None
    try:
        if last is not None and can_fork():  # an edit: open data beside the pages
            data = Forked(lambda _say: write_data(job, root))
        with collector.paused():  # digests, no cycles: each pass would walk what they made
            since = _fingerprints_since(job, last, fresh, digest) if last is not None else None
            fresh.pages = since if since is not None else deps.fingerprints(graph, plans, digest)
        todo = [p for p in plans if last is None or last.pages.get(p.path) != fresh.pages[p.path]]
        t0 = time.perf_counter()
        if last is not None:
            for page in set(last.pages) - set(fresh.pages):  # pages of deleted records
                for rel in last.files.get(page, []):
                    remove(root, rel)
            for page in (p.path for p in todo):  # a page may write fewer files than before
                for rel in last.files.get(page, []):
                    remove(root, rel)
        written = render_all(graph, todo, job.theme, job.base_url, root, job.today, job.workers)
        if last is not None:
            fresh.files = last.files.kept(fresh.pages)
        fresh.files.update(written)
        timings["render"] = time.perf_counter() - t0
        say(f"render: {len(todo)} of {len(plans)} pages ({timings['render']:.2f} s)")
        t0 = time.perf_counter()
        stale = last is None or bool(todo) or not last.open_data
        same_pages = last is not None and last.paths == job.paths  # the sitemap lists them
        grants = write_site_files(
            job,
            root,
            copy=True,
            open_data=stale,
            sitemap=not same_pages,
            data=data.result if data is not None else None,
        )
        timings["write"] = time.perf_counter() - t0
        notes = f"\n  {grants.text(job.graph.site.language)}" if grants is not None else ""
        say(f"write: open data, sitemap, static files ({timings['write']:.2f} s){notes}")
        work = None
        if job.index:
            t0 = time.perf_counter()
            changed = {p.path for p in todo}
            if last is not None:
                changed |= set(last.pages) - set(fresh.pages)
            work = _prepare_index(job, root, last, changed)
            _keep_index(fresh, work)
            timings["index"] = time.perf_counter() - t0  # Pagefind's runs are added
        elif (root / "pagefind").exists():
            remove(root, "pagefind")
        if work is not None and last is not None and len(work.todo) <= _INDEXED_HERE:
            pending = _index_while_saving(job, fresh, work, root, say, timings)
            work = None
        else:
            pending = manifest.save_pending(job.site_dir, job.out, fresh)
    except BaseException:
        if data is not None:
            data.stop()
        abort_stage(root)
        raise
    result = BuildResult(True, job.problems, len(plans), timings, job.out, rendered=len(todo))
    return _Staged(result, root, pending, work, job.workers), fresh


#: An edit whose search index changes in up to this many parts runs Pagefind in the build's
#: process (whose memory, beside a part's few thousand pages, is no concern) while the
#: manifest is saved; more, as a clean build's, run once the records' memory is given back.
_INDEXED_HERE = 2


def _index_while_saving(
    job: _Job,
    fresh: manifest.Manifest,
    work: IndexWork,
    root: Path,
    say: Callable[[str], None],
    timings: dict[str, float],
) -> Path:
    """Run Pagefind over an edit's few parts while a thread saves the manifest (Pagefind is a
    process of its own, so the two run at once); the saved manifest's pending file."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(1) as pool:
        saving = pool.submit(manifest.save_pending, job.site_dir, job.out, fresh)
        try:
            run_index(work, root, say, job.workers)
        except BaseException:
            if saving.exception() is None:  # waits for the save to end
                saving.result().unlink(missing_ok=True)
            raise
        pending = saving.result()
    timings["index"] += time.perf_counter() - t0
    return pending


def records_of(graph: SiteGraph) -> dict[str, str]:
    """Record file → the digest of the bytes it was built from."""
    return {node.path: node.digest for node in graph.all_nodes()}


def _unchanged(last: manifest.Manifest, graph: SiteGraph, index: bool) -> int | None:
    """The number of pages of the ``last`` build (one of the same theme, data files and
    fundsite) if it was built from these very records at this data date, and wrote
    everything; else None."""
    if (
        not last.open_data
        or (not index and last.indexed)
        or last.records != records_of(graph)
        or last.data_date != graph.today.isoformat()
    ):
        return None
    return len(last.pages)


def _fingerprints_since(
    job: _Job, last: manifest.Manifest, fresh: manifest.Manifest, base: str
) -> dict[str, str] | None:
    """Page fingerprints, computed again only for the pages that may show a record changed
    since the last build (the others keep the last build's); None, for every page to be
    fingerprinted, when records were deleted, moved (another fund, plan, issue, area, fiscal
    year or report date: the pages that showed them where they were are not known) or others
    than reports and projects added since, or the data's date changed.

    A changed record may change the data-quality notes of its neighbours (the records its
    cross-record rules read), so the pages showing those are fingerprinted too.
    """
    graph, plans, now = job.graph, job.plans, fresh.records
    if not last.records or last.data_date != job.today.isoformat():
        return None  # another date: the notes about time may have changed on any record
    if any(path not in now for path in last.records):
        return None
    nodes = {node.path: node for node in graph.all_nodes()}
    changed = [nodes[path] for path, digest in now.items() if last.records.get(path) != digest]
    new = [node for node in changed if node.path not in last.records]
    added = {node.kind for node in new}
    if not added <= {"report", "project"}:
        return None
    moved = (n for n in changed if n.path in last.records)  # an added record was nowhere
    if any(last.placed.get(n.path) != fresh.placed.get(n.path) for n in moved):
        return None
    scope = {id(n): n for node in changed for n in neighbours(node)}
    candidates = deps.readers(graph, plans, scope.values(), new) if scope else []
    if not new:  # every list holds what it held, in that order
        candidates = deps.narrowed(graph, candidates, scope.values())
    if added:  # a listing that gained an entry moved every entry after it: each of its pages
        listings = {f"{kind}s" for kind in added}
        candidates += [p for p in plans if p.make.__name__ in listings]
    if last.paths == job.paths:  # the very pages of the last build (700,000 at national scale)
        pages = dict(last.pages)
    else:
        candidates += [p for p in plans if p.path not in last.pages]
        pages = {p.path: last.pages[p.path] for p in plans if p.path in last.pages}
    fingerprint = deps.Fingerprinter(graph, base)
    pages.update((p.path, fingerprint(p)) for p in candidates)
    return pages


def _finish(staged: _Staged, say: Callable[[str], None]) -> BuildResult:
    """Run Pagefind over the prepared parts, then put the staged site and its manifest out."""
    result = staged.result
    try:
        if staged.index is not None:
            t0 = time.perf_counter()
            run_index(staged.index, staged.stage, say, staged.index_workers)
            result.seconds["index"] += time.perf_counter() - t0
    except BaseException:
        abort_stage(staged.stage)
        staged.manifest_file.unlink(missing_ok=True)
        raise
    assert result.out is not None
    t0 = time.perf_counter()
    commit_stage(result.out, staged.stage)
    result.seconds["publish"] = time.perf_counter() - t0
    manifest.commit_pending(staged.manifest_file)
    return result


def write_site_files(
    job: _Job,
    root: Path,
    copy: bool,
    open_data: bool,
    sitemap: bool = True,
    data: Callable[[], GivingSummary | None] | None = None,
) -> GivingSummary | None:
    """What is not a page: static files, media, open data (or ``data``'s result, when
    :func:`write_data` runs elsewhere), sitemap (unless ``sitemap`` is false: the output's
    lists these very pages), robots; returns what the 360Giving file holds when open data was
    written.

    Open data is brought up to date by every build (``copy``) and when ``open_data`` asks: it
    rewrites only the files whose bytes change, from the last build's files in ``job.out``
    (unless the build is clean) and their index in the site's cache folder."""
    if copy:
        remove(root, "static")
        outputs.copy_tree(job.theme / "static", root / "static")
        remove(root, "media")
        with SiteReader(job.site_dir) as reader:
            for rel in media.published(job.graph):
                with reader.open(f"content/{rel}", media.MAX_MEDIA_BYTES) as source:
                    copy_file(source, root, rel)
    grants: GivingSummary | None = None
    if open_data or copy:
        grants = data() if data is not None else write_data(job, root)
    if copy or open_data:
        write_admin(job, root, bundle=copy, config=open_data)
    if sitemap:
        maps = outputs.sitemaps(job.base_url, (p.path for p in job.plans if p.path != "404.html"))
        for name, text in maps.items():
            write_text(root, name, text)
        for old in job.out.glob("sitemap-*.xml") if job.out.is_dir() else ():
            if old.name not in maps:  # the site had more pages
                remove(root, old.name)
    write_text(root, "robots.txt", outputs.robots(job.base_url))
    write_text(root, ".nojekyll", "")
    return grants


def write_data(job: _Job, root: Path) -> GivingSummary | None:
    """The open data, rewriting only the files whose bytes change (from the last build's files
    in ``job.out`` and their index in the site's cache folder); what the 360Giving file holds."""
    from fundsite.write.data_index import index_path

    return write_open_data(
        job.graph,
        root,
        job.today,
        previous=job.out if job.incremental else None,
        index_file=index_path(job.site_dir, job.out),
    ).giving


def write_admin(job: _Job, root: Path, bundle: bool, config: bool) -> None:
    """The form editor under ``admin/`` when ``data/site.yaml`` has ``cms:``: its page and
    bundle (``bundle``, with the static files) and its configuration (``config``, which
    follows the records, with open data)."""
    from fundsite.cms.admin import admin_files
    from fundsite.cms.config import backend

    cms = job.graph.site.cms
    if cms is None:
        remove(root, "admin")
        return
    if config:
        remove(root, "admin/funds")  # a deleted fund's file too
    for rel, data in admin_files(job.graph, backend(cms), job.today, bundle, config):
        write_bytes(root, f"admin/{rel}", data)


def _prepare_index(
    job: _Job, root: Path, last: manifest.Manifest | None, changed: set[str]
) -> IndexWork:
    return prepare_index(
        job.graph,
        job.plans,
        root,
        previous=last.parts if last else None,
        changed=changed,
        workers=job.workers,
        level=job.index_split,
        searched=last.searched if last else None,
    )


def index_pages(
    job: _Job,
    root: Path,
    fresh: manifest.Manifest,
    say: Callable[[str], None],
    changed: set[str],
) -> None:
    """Index the pages for search again: only the index parts whose ``changed`` pages read
    otherwise (``fresh`` is the last build's manifest, brought up to date)."""
    work = _prepare_index(job, root, fresh, changed)
    run_index(work, root, say, job.workers)
    _keep_index(fresh, work)


def _keep_index(fresh: manifest.Manifest, work: IndexWork) -> None:
    """Move the index's page → part and page → digest maps into the manifest (the work, which
    may wait for Pagefind in another process, no longer holds them)."""
    fresh.parts, fresh.searched, fresh.indexed = work.part_of_page, work.searched, True
    work.part_of_page, work.searched = {}, {}
