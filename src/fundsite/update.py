"""``serve``'s fast path: patch edited records into the last build and re-render their pages.

A build kept in memory (``build(keep=True)``) holds the checked records and the page
fingerprints. An edit that leaves the graph's shape alone (see :mod:`fundsite.validate.patch`)
is checked on its own, the pages that may show it are fingerprinted again and only those that
changed are rendered, straight into the served folder. The pages come first; the files that sum
up every record (open data, the search index, the build cache) follow in :func:`finish`.
Anything else returns ``None`` and the caller runs a normal (incremental) build.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import jinja2

from fundsite.build import BuildResult, Kept, _template_problem, index_pages, render_all
from fundsite.build import write_site_files as _write_site_files
from fundsite.plan import deps
from fundsite.validate.patch import patch
from fundsite.write import manifest
from fundsite.write.atomic import remove


@dataclass
class Pending:
    """What :func:`finish` still has to write after the pages of an update."""

    kept: Kept
    changed: set[str]  # pages rendered by the update


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
    if any(p.severity == "error" for p in patched.problems):
        return BuildResult(False, patched.problems, seconds=timings), None
    t0 = time.perf_counter()
    fingerprint = deps.Fingerprinter(job.graph, kept.manifest.global_digest)
    candidates = deps.readers(job.graph, job.plans, [*patched.changed, *patched.noted])
    fresh = {plan.path: fingerprint(plan) for plan in candidates}
    todo = [plan for plan in candidates if kept.manifest.pages.get(plan.path) != fresh[plan.path]]
    timings["plan"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for plan in todo:
        for rel in kept.manifest.files.get(plan.path, []):
            remove(job.out, rel)
    try:
        written = render_all(
            job.graph, todo, job.theme, job.base_url, job.out, job.today, workers=1
        )
    except jinja2.TemplateError as exc:
        kept.manifest.pages = {}  # the pages on disk are no longer what it says
        problem = _template_problem(exc, job.theme)
        return BuildResult(False, [*patched.problems, problem], seconds=timings), None
    kept.manifest.pages.update((plan.path, fresh[plan.path]) for plan in todo)
    kept.manifest.files.update(written)
    timings["render"] = time.perf_counter() - t0
    say(f"render: {len(todo)} of {len(job.plans)} pages ({timings['render']:.2f} s)")
    result = BuildResult(
        True, patched.problems, len(job.plans), timings, job.out, rendered=len(todo)
    )
    return result, Pending(kept, {plan.path for plan in todo})


def finish(pending: Pending, say: Callable[[str], None] | None = None) -> dict[str, float]:
    """Write what sums up every record (open data, search index) and save the build cache."""
    say = say or (lambda _msg: None)
    kept, timings = pending.kept, {}
    job = kept.job
    t0 = time.perf_counter()
    manifest.forget(job.site_dir, job.out)  # until the files below are written
    if pending.changed:
        _write_site_files(job, job.out, copy=False, open_data=True)
    timings["write"] = time.perf_counter() - t0
    if job.index and pending.changed:
        t0 = time.perf_counter()
        index_pages(job, job.out, kept.manifest, say, kept.manifest.parts, pending.changed)
        timings["index"] = time.perf_counter() - t0
    manifest.save(job.site_dir, job.out, kept.manifest)
    return timings
