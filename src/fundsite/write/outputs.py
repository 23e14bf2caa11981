"""Files beside the pages: open data (CSV, JSON, dated snapshot), Atom feeds, sitemap, robots."""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring,
)
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from fundsite.plan import exports
from fundsite.validate.graph import ReportNode, SiteGraph
from fundsite.write.atomic import write_bytes


def to_json(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)`` and a newline.

    With ``indent`` the standard library encodes in pure Python; :func:`_encode` writes the
    same text several times faster: flat objects and arrays (the rows of pages) go to the C
    encoder, with the line break and indent as separator. Unusual values (``Decimal``, non-str
    keys, NaN, subclasses) are left to the library.
    """
    parts: list[str] = []
    try:
        _encode(data, parts, "\n")
    except (_Unusual, TypeError):  # e.g. keys of mixed types: the library's own error
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    parts.append("\n")
    return "".join(parts)


class _Unusual(Exception):
    """A value :func:`_encode` leaves to the standard library."""


_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    bool: lambda v: "true" if v else "false",
    type(None): lambda _v: "null",
}
_LEAVES = frozenset((str, int, bool, type(None), float))


def _unserializable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


@lru_cache(maxsize=64)
def _flat(inner: str) -> Callable[[Any], str]:
    """The C encoder, writing one level of items at the indent ``inner``."""
    separator = "," + inner
    if c_make_encoder is None:  # not CPython
        return json.JSONEncoder(
            ensure_ascii=False, sort_keys=True, separators=(separator, ": ")
        ).encode
    encoder = c_make_encoder(
        None, _unserializable, encode_basestring, None, ": ", separator, True, False, True
    )
    return lambda value: "".join(encoder(value, 0))


def _encode(value: Any, parts: list[str], newline: str) -> None:
    """Append ``value`` as JSON indented by one space a level; ``newline`` ends at its indent."""
    kind = type(value)
    scalar = _SCALARS.get(kind)
    if scalar is not None:
        parts.append(scalar(value))
        return
    if kind is float and math.isfinite(value):
        parts.append(float.__repr__(value))
        return
    if kind is not dict and kind is not list and kind is not tuple:
        raise _Unusual
    if not value:
        parts.append("{}" if kind is dict else "[]")
        return
    inner = newline + " "
    if _LEAVES.issuperset(map(type, value.values() if kind is dict else value)):
        text = _flat(inner)(value)
        parts.append(text[0] + inner + text[1:-1] + newline + text[-1])
    elif kind is dict:
        sep = "{" + inner
        for key, item in sorted(value.items()):
            if type(key) is not str:
                raise _Unusual
            if type(item) is str:
                parts.append(f"{sep}{encode_basestring(key)}: {encode_basestring(item)}")
            else:
                parts.append(f"{sep}{encode_basestring(key)}: ")
                _encode(item, parts, inner)
            sep = "," + inner
        parts.append(newline + "}")
    else:
        sep = "[" + inner
        for item in value:
            parts.append(sep)
            _encode(item, parts, inner)
            sep = "," + inner
        parts.append(newline + "]")


def _csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    fields = list(rows[0])
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: spreadsheet programs then read Thai correctly
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows([row[field] for field in fields] for row in rows)
    return buffer.getvalue()


def _open_data_files(graph: SiteGraph) -> Iterator[tuple[str, str]]:
    """``(path, text)`` of every open-data file, in path order (the snapshot's order)."""
    stores = {
        "funds": graph.funds,
        "plans": graph.plans,
        "projects": graph.projects,
        "reports": graph.reports,
    }
    tables = {
        name: [row(node) for _, node in sorted(stores[name].items())]
        for name, row in exports.TABLES.items()
    }
    project_rows = {row["id"]: row for row in tables["projects"]}
    full = {
        "site": graph.site.model_dump(mode="json"),
        "issues": [i.model_dump(mode="json") for i in graph.issues.values()],
        "funds": [exports.fund_record(f, project_rows) for _, f in sorted(graph.funds.items())],
        "projects": [exports.project_record(p) for _, p in sorted(graph.projects.items())],
    }
    yield "data/all.json", to_json(full)
    del full
    for name in sorted(tables):
        yield f"data/{name}.csv", _csv(tables[name])
        yield f"data/{name}.json", to_json(tables[name])


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector: the rows are ~10^5 dicts and lists that all stay alive
    (and hold no cycles), so its passes would only re-scan them and the whole graph."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def open_data(graph: SiteGraph, root: Path, snapshot_date: date) -> list[str]:
    """Write ``data/<table>.csv`` and ``.json``, ``data/all.json`` and a dated zip of them;
    return the paths. The zip compresses each file in a thread while the next one is made
    (zlib releases the GIL)."""
    written: list[str] = []
    buffer = io.BytesIO()
    with (
        _no_cycle_collection(),
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z,
        ThreadPoolExecutor(max_workers=1) as zipper,  # one thread: entries stay in order
    ):
        compressed = []
        for path, text in _open_data_files(graph):
            data = text.encode("utf-8")
            del text
            write_bytes(root, path, data)
            written.append(path)
            info = zipfile.ZipInfo(
                path.removeprefix("data/"), (*snapshot_date.timetuple()[:3], 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            compressed.append(zipper.submit(z.writestr, info, data))
        for done in compressed:
            done.result()  # re-raise a failure
    snapshot = f"data/snapshot-{snapshot_date.isoformat()}.zip"
    write_bytes(root, snapshot, buffer.getvalue())
    return [*written, snapshot]


def atom_feed(
    title: str,
    self_url: str,
    page_url: str,
    reports: Iterable[ReportNode],
    base_url: str,
    updated: date,
) -> str:
    """An Atom feed of reports, newest first."""
    entries = []
    for r in reports:
        link = f"{base_url}reports/{r.id}/"
        summary = f"{r.project.record.title} — {r.fund.record.name}"
        entries.append(
            f'<entry><title>{escape(r.record.title)}</title><link href="{escape(link)}"/>'
            f"<id>{escape(link)}</id><updated>{r.record.date.isoformat()}T00:00:00Z</updated>"
            f"<summary>{escape(summary)}</summary>"
            + (
                f"<author><name>{escape(r.record.reporter)}</name></author>"
                if r.record.reporter
                else ""
            )
            + "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>{escape(self_url)}</id>"
        f'<link rel="self" href="{escape(self_url)}"/><link href="{escape(page_url)}"/>'
        f"<updated>{updated.isoformat()}T00:00:00Z</updated>{''.join(entries)}</feed>\n"
    )


def sitemap(base_url: str, paths: Iterable[str]) -> str:
    urls = "".join(
        f"<url><loc>{escape(base_url + p.removesuffix('index.html'))}</loc></url>"
        for p in sorted(paths)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )


def robots(base_url: str) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n"


def copy_tree(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)
