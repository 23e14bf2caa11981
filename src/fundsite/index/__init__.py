"""Stage 6: the full-text search index (Pagefind, extended binary), segmented for Thai.

The published HTML stays as written; each searchable page is fed to Pagefind as a small HTML
file, written for the indexer only, whose text is segmented into the words the browser's
``Intl.Segmenter`` finds in a query (:mod:`.segment`), with the original title and the filters
beside it. Only record and area pages are indexed, not listings or pagination. (Pagefind's Python
API answers each added record after a fixed 0.1 s poll: 202 s for 2,000 records, measured; the
binary over files takes well under a second.)

The index is split into parts (one per NHSO health region, plus one for pages that belong to no
region), each written by its own Pagefind run, so indexing memory is bounded by the largest
part; the search page merges them in the browser with Pagefind's multi-index support.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path

from fundsite.index.records import SearchRecord, page_of, search_records
from fundsite.plan import PagePlan
from fundsite.validate.graph import SiteGraph
from fundsite.write.atomic import remove, write_text

__all__ = ["SearchRecord", "build_index", "search_records"]


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
        '<!doctype html><html lang="th"><head><meta charset="utf-8"></head><body>'
        f"<main data-pagefind-body><div data-pagefind-ignore>{hidden}</div>"
        f"<p>{escape(record.content)}</p></main></body></html>"
    )


def _write_part(records: list[SearchRecord], out: Path) -> None:
    """Index one part with the Pagefind binary (extended: it segments Thai queries)."""
    from pagefind.service import _must_get_executable

    with tempfile.TemporaryDirectory(prefix="fundsite-index-") as tmp:
        for record in records:
            path = Path(tmp) / record.url.strip("/") / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_page(record), encoding="utf-8")
        binary = str(_must_get_executable())
        result = subprocess.run(
            [binary, "--site", tmp, "--output-path", str(out), "--force-language", "th", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"pagefind failed: {result.stderr or result.stdout}")


#: Sites with fewer searchable pages than this get one index: each part costs a Pagefind start.
SPLIT_AT = 20_000


def part_of(record: SearchRecord) -> str:
    """Which index part a record goes to: its health region, or ``common``."""
    regions = record.filters.get("region") or []
    return f"region-{regions[0]}" if len(regions) == 1 else "common"


def build_index(
    graph: SiteGraph,
    plans: Iterable[PagePlan],
    root: Path,
    say: Callable[[str], None] = lambda _m: None,
    split_at: int = SPLIT_AT,
    previous: dict[str, str] | None = None,
    changed: set[str] | None = None,
) -> dict[str, str]:
    """Write ``pagefind/<part>/`` indexes and ``pagefind/parts.json``; return page → part.

    Below ``split_at`` searchable pages everything goes into one part, ``all``. Given the
    ``previous`` build's page → part map and the pages that ``changed`` since, only the parts
    holding changed pages are indexed again; the others are kept as they are.
    """
    searchable = [p for p in plans if p.searchable]
    split = len(searchable) >= split_at
    if previous is not None and (any(v != "all" for v in previous.values()) != split):
        previous = None  # the site crossed the split threshold: index everything again
    redo = (
        searchable
        if previous is None or changed is None
        else [p for p in searchable if p.path in changed or p.path not in previous]
    )
    records = {page_of(r): r for r in search_records(graph, redo)}
    redone = {p.path for p in redo}
    part_of_page: dict[str, str] = {}
    for plan in searchable:
        if plan.path in records:
            part_of_page[plan.path] = part_of(records[plan.path]) if split else "all"
        elif plan.path not in redone and previous and plan.path in previous:
            part_of_page[plan.path] = previous[plan.path]
    if previous is None or changed is None:
        affected = set(part_of_page.values())
        remove(root, "pagefind")
    else:
        affected = {part_of_page[p] for p in records} | {
            previous[p] for p in changed if p in previous
        }
    base = root / "pagefind"
    total = 0
    for name in sorted(affected):
        remove(root, f"pagefind/{name}")
        members = [p for p in searchable if part_of_page.get(p.path) == name]
        missing = [p for p in members if p.path not in records]
        records.update((page_of(r), r) for r in search_records(graph, missing))
        part = [records[p.path] for p in members if p.path in records]
        if part:
            _write_part(part, base / name)
            total += len(part)
    base.mkdir(parents=True, exist_ok=True)
    write_text(root, "pagefind/parts.json", json.dumps(sorted(set(part_of_page.values()))))
    say(f"index: {total} records in {len(affected)} of {len(set(part_of_page.values()))} parts")
    return part_of_page
