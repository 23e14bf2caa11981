"""``serve``'s fast path: patch edited records into the last build and re-render their pages.

A build kept in memory (``build(keep=True)``) holds the checked records and the page
fingerprints. An edit that leaves the graph's shape alone (see :mod:`fundsite.validate.patch`)
is checked on its own, the pages that may show it are fingerprinted again and only those that
changed are rendered, straight into the served folder. The record's own pages come first; the
pages that sum up many records (areas, issues, listings, the home page) follow in
:func:`summarize`, then open data, the search index and the build cache in :func:`finish`.
Anything else returns ``None`` and the caller runs a normal (incremental) build.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import jinja2

from fundsite.build import (
    BuildResult,
    Kept,
    _template_problem,
    index_pages,
    records_of,
    render_all,
    write_site_files,
)
from fundsite.parallel import can_fork, forked_background, stop_background
from fundsite.plan import PagePlan, deps
from fundsite.plan.pages import replan_reports
from fundsite.validate.patch import patch
from fundsite.write import manifest
from fundsite.write.atomic import remove


@dataclass
class Pending:
    """What :func:`finish` still has to write after the pages of an update."""

    kept: Kept
    changed: set[str]  # pages rendered or removed by the update
    later: list[PagePlan]  # pages that sum up records: rendered by summarize() if they changed
    fingerprint: deps.Fingerprinter
    summed: list[str] | None = None  # the ones summarize() rendered, once it has run


def update(
    kept: Kept, files: list[str], say: Callable[[str], None] | None = None
) -> tuple[BuildResult, Pending | None] | None:
    """Patch the edits of ``files`` (relative to the site) into ``kept`` and render their pages.

    Returns ``None`` when the edits need a full build. On errors nothing is written and the
    result is not ok; ``kept`` then holds the edited records, and a later edit or build that
    fixes them renders every page they changed.
    """
    say = say or (lambda _msg: None)
    job, timings = kept.job, {}
    settle(kept)  # its snapshot is about to be out of date; this finish() writes anew
    t0 = time.perf_counter()
    patched = patch(kept.state, files)
    if patched is None:
        return None
    timings["check"] = time.perf_counter() - t0
    job.problems = patched.problems
    if patched.added or patched.removed:
        job.plans = replan_reports(job.graph, job.plans)
    if any(p.severity == "error" for p in patched.problems):
        return BuildResult(False, patched.problems, seconds=timings), None
    t0 = time.perf_counter()
    gone: set[str] = set()  # pages of deleted reports, listing pages past the new end
    if patched.added or patched.removed:
        gone = set(kept.manifest.pages) - {plan.path for plan in job.plans}
    fingerprint = deps.Fingerprinter(job.graph, kept.manifest.global_digest)
    changed = [*patched.changed, *patched.noted, *patched.added]
    candidates = deps.readers(job.graph, job.plans, changed)
    placed = kept.manifest.placed
    moved = any(placed.get(n.path) != deps.placement(n) for n in patched.changed)
    if patched.added or patched.removed or moved:  # the report listing's order changed
        seen = {plan.path for plan in candidates}
        candidates += [p for p in job.plans if p.make.__name__ == "reports" and p.path not in seen]
    else:  # every list holds what it held, in that order
        candidates = deps.narrowed(job.graph, candidates, changed)
    # the record's own pages now; the pages that sum up many records follow in finish(), with
    # open data, like Hugo's "fast render" for pages not being viewed
    now = [plan for plan in candidates if plan.of_one_record]
    later = [plan for plan in candidates if not plan.of_one_record]
    fresh = {plan.path: fingerprint(plan) for plan in now}
    now = [plan for plan in now if kept.manifest.pages.get(plan.path) != fresh[plan.path]]
    timings["plan"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for page in gone:
        for rel in kept.manifest.files.pop(page, []):
            remove(job.out, rel)
        kept.manifest.pages.pop(page, None)
        kept.manifest.parts.pop(page, None)
        kept.manifest.searched.pop(page, None)
    try:
        _render(kept, now, fresh)
    except jinja2.TemplateError as exc:
        problem = _template_problem(exc, job.theme)
        return BuildResult(False, [*patched.problems, problem], seconds=timings), None
    timings["render"] = time.perf_counter() - t0
    say(f"render: {len(now)} of {len(job.plans)} pages ({timings['render']:.2f} s)")
    result = BuildResult(
        True, patched.problems, len(job.plans), timings, job.out, rendered=len(now)
    )
    return result, Pending(kept, {plan.path for plan in now} | gone, later, fingerprint)


def _render(kept: Kept, plans: list[PagePlan], fresh: dict[str, str]) -> None:
    """Render ``plans`` into the served folder and note them in the build cache."""
    job = kept.job
    for plan in plans:
        for rel in kept.manifest.files.get(plan.path, []):
            remove(job.out, rel)
    try:
        written = render_all(
            job.graph, plans, job.theme, job.base_url, job.out, job.today, workers=job.workers
        )
    except jinja2.TemplateError:
        kept.manifest.pages = {}  # the pages on disk are no longer what it says
        raise
    kept.manifest.pages.update((plan.path, fresh[plan.path]) for plan in plans)
    kept.manifest.files.update(written)


def summarize(pending: Pending) -> list[str]:
    """Render those pages that sum up records which the update changed; their paths.

    They take a moment each (an issue or the home page reads thousands of records), so they
    are rendered in parallel, each a chunk of its own.
    """
    if pending.summed is not None:
        return pending.summed
    kept = pending.kept
    manifest.forget(kept.job.site_dir, kept.job.out)  # until finish() has written the rest
    fresh = {plan.path: pending.fingerprint(plan) for plan in pending.later}
    later = [
        plan for plan in pending.later if kept.manifest.pages.get(plan.path) != fresh[plan.path]
    ]
    _render(kept, later, fresh)
    pending.summed = [plan.path for plan in later]
    pending.changed.update(pending.summed)
    return pending.summed


def finish(
    pending: Pending, say: Callable[[str], None] | None = None, background: bool = False
) -> dict[str, float]:
    """After :func:`summarize` (run here if it was not): the search index, open data, the
    sitemap and the build cache.

    With ``background`` (``serve``), open data and the sitemap, tens of seconds at 100,000
    projects, are written by a forked process from a snapshot of the records, so the next edit
    need not wait: :func:`update` stops it if it is still at work. The build cache it saves
    first says that open data is stale, so a build after an interrupted one writes it again.
    """
    say = say or (lambda _msg: None)
    kept, timings = pending.kept, {}
    job = kept.job
    t0 = time.perf_counter()
    summarize(pending)
    timings["render"] = time.perf_counter() - t0
    if job.index and pending.changed:
        t0 = time.perf_counter()
        index_pages(job, job.out, kept.manifest, say, pending.changed)
        timings["index"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    changed = bool(pending.changed)
    built, kept.manifest.records = kept.manifest.records, records_of(job.graph)
    kept.manifest.placed = deps.placements(job.graph, kept.manifest.placed, built)
    kept.manifest.data_date = job.today.isoformat()
    if background and can_fork():
        kept.writer = forked_background(lambda: _write_rest(kept, changed, stoppable=True))
    else:
        _write_rest(kept, changed, stoppable=False)
    timings["write"] = time.perf_counter() - t0
    return timings


def settle(kept: Kept, wait: bool = False) -> int | None:
    """Stop the open-data writer of the last :func:`finish` if it is still at work (or with
    ``wait`` let it end); its exit code (0: done, negative: stopped, 1: failed), None when
    there was none."""
    code = stop_background(kept.writer, wait)
    kept.writer = None
    return code


def _write_rest(kept: Kept, open_data: bool, stoppable: bool) -> None:
    """Open data and the sitemap (when pages changed), then the build cache. A ``stoppable``
    writer first saves a build cache that says open data is stale."""
    job, cache = kept.job, kept.manifest
    if open_data:
        if stoppable:
            cache.open_data = False
            manifest.save(job.site_dir, job.out, cache)
        write_site_files(job, job.out, copy=False, open_data=True)
        cache.open_data = True
    manifest.save(job.site_dir, job.out, cache)
