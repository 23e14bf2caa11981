"""``serve``'s fast path: patch edited records into the last build and re-render their pages.

A build kept in memory (``build(keep=True)``) holds the checked records and the page
fingerprints. An edit that leaves the graph's shape alone (see :mod:`fundsite.validate.patch`)
is checked on its own, the pages that may show it are fingerprinted again and only those that
changed are rendered, straight into the served folder. The record's own pages come first; the
pages and files that sum up many records (areas, issues, listings, the home page, open data, the
search index, the build cache) follow in :func:`finish`.
Anything else returns ``None`` and the caller runs a normal (incremental) build.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import jinja2

from fundsite.build import (
    BuildResult,
    Kept,
    _template_problem,
    index_pages,
    render_all,
    write_site_files,
)
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
    later: list[PagePlan]  # pages that sum up records: rendered by finish() if they changed
    fingerprint: deps.Fingerprinter
    summed: list[str] = field(default_factory=list)  # the ones finish() rendered


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
    gone = set(kept.manifest.pages) - {plan.path for plan in job.plans}
    fingerprint = deps.Fingerprinter(job.graph, kept.manifest.global_digest)
    changed = [*patched.changed, *patched.noted, *patched.added]
    candidates = deps.readers(job.graph, job.plans, changed)
    if patched.added or patched.removed:  # the report listing's order changed: every page
        seen = {plan.path for plan in candidates}
        candidates += [p for p in job.plans if p.make.__name__ == "reports" and p.path not in seen]
    # the record's own pages now; the pages that sum up many records follow in finish(), with
    # open data, like Hugo's "fast render" for pages not being viewed
    now = [plan for plan in candidates if plan.of_one_record]
    later = [plan for plan in candidates if not plan.of_one_record]
    fresh = {plan.path: fingerprint(plan) for plan in now}
    now = [plan for plan in now if kept.manifest.pages.get(plan.path) != fresh[plan.path]]
    timings["plan"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for page in gone:  # pages of deleted reports, listing pages past the new end
        for rel in kept.manifest.files.pop(page, []):
            remove(job.out, rel)
        kept.manifest.pages.pop(page, None)
        kept.manifest.parts.pop(page, None)
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


def finish(pending: Pending, say: Callable[[str], None] | None = None) -> dict[str, float]:
    """Render the pages that sum up records, write open data and the search index, save."""
    say = say or (lambda _msg: None)
    kept, timings = pending.kept, {}
    job = kept.job
    t0 = time.perf_counter()
    manifest.forget(job.site_dir, job.out)  # until the files below are written
    fresh = {plan.path: pending.fingerprint(plan) for plan in pending.later}
    later = [
        plan for plan in pending.later if kept.manifest.pages.get(plan.path) != fresh[plan.path]
    ]
    _render(kept, later, fresh)
    pending.summed = [plan.path for plan in later]
    pending.changed.update(pending.summed)
    if pending.changed:
        write_site_files(job, job.out, copy=False, open_data=True)
    timings["write"] = time.perf_counter() - t0
    if job.index and pending.changed:
        t0 = time.perf_counter()
        index_pages(job, job.out, kept.manifest, say, kept.manifest.parts, pending.changed)
        timings["index"] = time.perf_counter() - t0
    manifest.save(job.site_dir, job.out, kept.manifest)
    return timings
