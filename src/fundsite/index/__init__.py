"""Stage 6: the full-text search index (Pagefind, extended binary), segmented for Thai.

The published HTML stays as written; each searchable page is fed to Pagefind as a small HTML
file, written for the indexer only, holding the page's words one space apart as the browser's
``Intl.Segmenter`` finds them (:mod:`.segment`): its code and title first, then its own text,
then the words it is found by (its fund, issues, areas), with its title, kind, parent area and
the start of its own text as metadata, and its filters. The search page (``static/search.js``)
segments a query the same way and matches whole words standing together, so an index in one
part or in many gives the same pages in the same order. Only record and area pages are
indexed, not listings or pagination. (Pagefind's Python API answers each added record after a
fixed 0.1 s poll: 202 s for 2,000 records, measured; the binary over files takes well under a
second.)

The index is split into parts (one per NHSO health region, or on a national portal one per
province, plus a ``directory`` of funds, areas and issues, and parts for pages that belong to
no single one), each written by its own Pagefind run (two at a time on two cores), so indexing
memory is bounded by the largest parts; the search page loads only the parts a query needs.
Area and issue names are also written as small lookup files (:mod:`.places`). The indexer's
HTML is prepared in forked processes, like rendering.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from fundsite.index.places import write_places
from fundsite.index.records import SearchRecord, page_of, search_records
from fundsite.parallel import forked_map
from fundsite.plan import PagePlan
from fundsite.validate.graph import SiteGraph
from fundsite.write.atomic import remove, write_text

__all__ = [
    "IndexWork",
    "SearchRecord",
    "build_index",
    "prepare_index",
    "run_index",
    "search_records",
]


#: The index's language: one Pagefind neither segments nor stems ("undetermined"). The words
#: come segmented (:func:`~fundsite.index.segment.index_words`) and the search page segments
#: the query the same way; Pagefind's Thai segmenter would cut them again.
LANGUAGE = "und"


def _page(record: SearchRecord) -> str:
    """The HTML Pagefind reads for one record: segmented text, original title and filters."""
    hidden = "".join(
        f'<span data-pagefind-meta="{escape(k)}">{escape(v)}</span>' for k, v in record.meta.items()
    ) + "".join(
        f'<span data-pagefind-filter="{escape(k)}">{escape(v)}</span>'
        for k, values in record.filters.items()
        for v in values
    )
    return (
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"></head><body>'
        f"<main data-pagefind-body><div data-pagefind-ignore>{hidden}</div>"
        f"<p>{escape(record.content)}</p></main></body></html>"
    )


def _run_pagefind(site: Path, out: Path, threads: int | None = None) -> None:
    """Index one part's pages with the Pagefind binary, on ``threads`` threads (default: as
    many as cores). Two runs at once with one thread each take the same wall time as with
    all, and about 25 % less CPU (measured on 2 cores)."""
    from pagefind.service import _must_get_executable

    binary = str(_must_get_executable())
    options = ["--force-language", LANGUAGE, "--quiet"]
    env = {**os.environ, "RAYON_NUM_THREADS": str(threads)} if threads else None
    result = subprocess.run(
        [binary, "--site", str(site), "--output-path", str(out), *options],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pagefind failed: {result.stderr or result.stdout}")


def _prepare(
    graph: SiteGraph, plans: list[PagePlan], tmp: Path, level: str, workers: int
) -> tuple[dict[str, str], dict[str, str]]:
    """Write each page's indexer HTML into ``tmp/<part>/``, in parallel; return page → part
    and page → a digest of what Pagefind reads of it."""

    def chunk(start: int, stop: int) -> tuple[dict[str, str], dict[str, str]]:
        parts, digests = {}, {}
        for record in search_records(graph, plans[start:stop]):
            part = part_of(record, level)
            path = tmp / part / record.url.strip("/") / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            html = _page(record)
            path.write_text(html, encoding="utf-8")
            page = page_of(record)
            parts[page] = part
            digests[page] = hashlib.blake2b(html.encode(), digest_size=8).hexdigest()
        return parts, digests

    found: dict[str, str] = {}
    read: dict[str, str] = {}
    for parts, digests in forked_map(chunk, len(plans), workers):
        found.update(parts)
        read.update(digests)
    return found, read


#: Sites with fewer searchable pages than this get one index: each part costs a Pagefind start.
SPLIT_AT = 20_000
#: From this many searchable pages on, the index is split by province, not by region: a
#: Pagefind run holds its whole part in memory (about 60 kB a page), and a national portal's
#: largest region would need 3-4 GB where its largest province needs about 1.5 GB.
PROVINCE_AT = 200_000


def split_level(pages: int, split_at: int = SPLIT_AT, province_at: int = PROVINCE_AT) -> str:
    """How a site with this many searchable pages is split: ``all``, ``region``, ``province``."""
    return "all" if pages < split_at else "region" if pages < province_at else "province"


#: The kinds of page that a national index keeps in one part of their own, ``directory``: a
#: query that names no province searches these first (about 16,000 pages nationally), and
#: every part only when asked.
DIRECTORY = frozenset({"fund", "region", "province", "district", "subdistrict", "issue", "page"})


def part_of(record: SearchRecord, level: str = "region") -> str:
    """Which index part a record goes to: ``all``; at the ``province`` level, the
    ``directory`` for funds, areas, issues and free pages, else its province; else its
    health region, else ``common``."""
    if level == "all":
        return "all"
    if level == "province" and record.kind in DIRECTORY:
        return "directory"
    if level == "province" and len(record.provinces) == 1:
        return f"province-{record.provinces[0]}"
    regions = record.filters.get("region") or []
    return f"region-{regions[0]}" if len(regions) == 1 else "common"


def _level_of(parts: dict[str, str]) -> str:
    names = set(parts.values())
    if "directory" in names or any(n.startswith("province-") for n in names):
        return "province"
    return "region" if names - {"all"} else "all"


@dataclass
class IndexWork:
    """Prepared indexer pages, waiting in ``tmp`` for their Pagefind runs (:func:`run_index`)."""

    tmp: Path
    todo: list[str]  # the parts to index, largest first
    parts: list[str]  # every part of the site, for ``parts.json``
    records: int  # how many pages the ``todo`` parts hold
    full: bool  # every part is indexed again: the old index goes first
    part_of_page: dict[str, str] = field(default_factory=dict)
    searched: dict[str, str] = field(default_factory=dict)  # page → digest of its indexer HTML


def prepare_index(
    graph: SiteGraph,
    plans: Iterable[PagePlan],
    root: Path,
    split_at: int = SPLIT_AT,
    province_at: int = PROVINCE_AT,
    previous: dict[str, str] | None = None,
    changed: set[str] | None = None,
    workers: int = 1,
    level: str | None = None,
    searched: dict[str, str] | None = None,
) -> IndexWork:
    """Write the indexer pages of the parts to index again into a folder beside ``root``.

    Below ``split_at`` searchable pages everything goes into one part, ``all``; from there
    the parts are regions, and from ``province_at`` provinces (:func:`part_of`). Given the
    ``previous`` build's page → part map and the pages that ``changed`` since, only the parts
    holding changed pages are indexed again; the others are kept as they are. With the
    digests of what Pagefind read of each page then (``searched``), a changed page that reads
    the same in the same part leaves its part alone: a project's new title re-indexes its own
    part, not the directory its fund's page is in. The pages' text is prepared in ``workers``
    processes. A ``level`` (``all``, ``region``, ``province``) overrides the choice by size.
    Needs the graph; :func:`run_index` does not.
    """
    searchable = [p for p in plans if p.searchable]
    level = level or split_level(len(searchable), split_at, province_at)
    write_places(graph, searchable, root)
    if previous and _level_of(previous) != level:
        previous = None  # the site crossed a split threshold: index everything again
    full = previous is None or changed is None
    redo = (
        searchable
        if full
        else [p for p in searchable if p.path in changed or p.path not in previous]
    )
    # beside the output, not in /tmp: a national portal's indexer pages take gigabytes, and
    # /tmp may be memory (tmpfs)
    # named after the staging folder, so that the next build removes it if this one is killed
    tmp = Path(tempfile.mkdtemp(prefix=f"{root.name}.index-", dir=root.parent))
    try:
        part_of_page, digests = _prepare(graph, redo, tmp, level, workers)
        redone = {p.path for p in redo}
        for plan in searchable:
            if plan.path not in redone and previous and plan.path in previous:
                part_of_page[plan.path] = previous[plan.path]
                if searched and plan.path in searched:
                    digests[plan.path] = searched[plan.path]
        if full:
            affected = set(part_of_page.values())
        else:

            def otherwise(page: str) -> bool:
                """Read by Pagefind otherwise than before, or in another part (or gone)."""
                return (
                    searched is None
                    or searched.get(page) != digests.get(page)
                    or previous.get(page) != part_of_page.get(page)
                )

            affected = {part_of_page[p] for p in redone if p in part_of_page and otherwise(p)}
            affected |= {previous[p] for p in changed if p in previous and otherwise(p)}
            # the unchanged pages of a part indexed again
            rest = [
                p
                for p in searchable
                if p.path not in redone and part_of_page.get(p.path) in affected
            ]
            digests.update(_prepare(graph, rest, tmp, level, workers)[1])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    sizes = Counter(part_of_page.values())
    return IndexWork(
        tmp,
        todo=sorted(affected, key=lambda n: (-sizes[n], n)),
        parts=sorted(sizes),
        records=sum(sizes[n] for n in affected),
        full=full,
        part_of_page=part_of_page,
        searched=digests,
    )


def run_index(
    work: IndexWork, root: Path, say: Callable[[str], None] = lambda _m: None, workers: int = 1
) -> None:
    """Index the prepared parts into ``root/pagefind/<part>/``, ``workers`` Pagefind runs at a
    time (largest first), and write ``pagefind/parts.json``; the prepared pages are removed."""
    try:
        if work.full:
            remove(root, "pagefind")
        for name in work.todo:
            remove(root, f"pagefind/{name}")

        threads = 1 if workers > 1 and len(work.todo) > 1 else None

        def index_part(name: str) -> None:
            if (work.tmp / name).is_dir():  # a part whose pages were all deleted has none
                _run_pagefind(work.tmp / name, root / "pagefind" / name, threads)
                shutil.rmtree(work.tmp / name)

        # Pagefind keeps about 1.5 cores busy: two runs at once fill two cores
        with ThreadPoolExecutor(max(1, workers)) as pool:
            list(pool.map(index_part, work.todo))
    finally:
        shutil.rmtree(work.tmp, ignore_errors=True)
    (root / "pagefind").mkdir(parents=True, exist_ok=True)
    write_text(root, "pagefind/parts.json", json.dumps(work.parts))
    say(f"index: {work.records} records in {len(work.todo)} of {len(work.parts)} parts")


def build_index(
    graph: SiteGraph,
    plans: Iterable[PagePlan],
    root: Path,
    say: Callable[[str], None] = lambda _m: None,
    split_at: int = SPLIT_AT,
    province_at: int = PROVINCE_AT,
    previous: dict[str, str] | None = None,
    changed: set[str] | None = None,
    workers: int = 1,
) -> dict[str, str]:
    """:func:`prepare_index` then :func:`run_index`; returns page → part."""
    work = prepare_index(graph, plans, root, split_at, province_at, previous, changed, workers)
    run_index(work, root, say, workers)
    return work.part_of_page
