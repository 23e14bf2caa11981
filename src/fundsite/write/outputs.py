"""Files beside the pages: open data (CSV, JSON, dated snapshot), Atom feeds, sitemap, robots."""

from __future__ import annotations

import csv
import gc
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
from typing import IO, Any
from xml.sax.saxutils import escape

from fundsite.plan import exports
from fundsite.validate.graph import ReportNode, SiteGraph
from fundsite.write.atomic import fresh


def to_json(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)`` and a newline.

    With ``indent`` the standard library encodes in pure Python; :func:`_encode` writes the
    same text several times faster: flat objects and arrays (the rows of pages) go to the C
    encoder, with the line break and indent as separator. Unusual values (``Decimal``, non-str
    keys, NaN, subclasses) are left to the library.
    """
    return _encoded(data, "\n") + "\n"


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


def _encoded(value: Any, newline: str) -> str:
    """``value`` as :func:`to_json` writes it at the indent that ``newline`` ends with."""
    parts: list[str] = []
    try:
        _encode(value, parts, newline)
    except (_Unusual, TypeError):  # e.g. keys of mixed types: the library's own error
        text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
        return text.replace("\n", newline)  # JSON strings hold no raw line breaks
    return "".join(parts)


def _write_array(write: Callable[[str], object], items: Iterable[Any], newline: str) -> None:
    """Write ``items`` as a JSON array (of objects) one item at a time, like :func:`to_json`."""
    sep = "[" + newline + " "
    for item in items:
        write(sep)
        write(_encoded(item, newline + " "))
        sep = "," + newline + " "
    write("[]" if sep[0] == "[" else newline + "]")


def _write_all_json(f: IO[str], graph: SiteGraph) -> None:
    """``data/all.json``: every fund (with its plans and project rows) and every project, one
    record at a time, never the whole file in memory."""
    top: dict[str, Any] = {
        "funds": (exports.fund_record(f) for _, f in sorted(graph.funds.items())),
        "issues": [i.model_dump(mode="json") for i in graph.issues.values()],
        "projects": (exports.project_record(p) for _, p in sorted(graph.projects.items())),
        "site": graph.site.model_dump(mode="json"),
    }
    sep = "{\n "
    for key, value in top.items():  # sorted keys, as to_json writes them
        f.write(f"{sep}{encode_basestring(key)}: ")
        if isinstance(value, list | dict):
            f.write(_encoded(value, "\n "))
        else:
            _write_array(f.write, value, "\n ")
        sep = ",\n "
    f.write("\n}\n")


def _write_table(csv_file: IO[str], json_file: IO[str], rows: Iterable[dict[str, Any]]) -> None:
    """One table as CSV (with a BOM, for spreadsheet programs) and as a JSON array, row by row."""
    writer = csv.writer(csv_file, lineterminator="\n")
    fields: list[str] = []

    def each() -> Iterator[dict[str, Any]]:
        for row in rows:
            if not fields:
                fields.extend(row)
                csv_file.write("\ufeff")  # spreadsheet programs then read Thai correctly
                writer.writerow(fields)
            writer.writerow([row[field] for field in fields])
            yield row

    _write_array(json_file.write, each(), "\n")
    json_file.write("\n")


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector: the export makes ~10^5 short-lived dicts and lists (no
    cycles), and its passes would only re-scan them and the whole graph."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _zip_entry(z: zipfile.ZipFile, source: Path, name: str, day: date) -> None:
    info = zipfile.ZipInfo(name, (*day.timetuple()[:3], 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = source.stat().st_size
    with source.open("rb") as src, z.open(info, "w") as dest:
        shutil.copyfileobj(src, dest, 1 << 20)


def open_data(graph: SiteGraph, root: Path, snapshot_date: date) -> list[str]:
    """Write ``data/<table>.csv`` and ``.json``, ``data/all.json`` and a dated zip of them;
    return the paths.

    Every file is streamed to disk record by record (memory holds one record, not a table),
    and a thread adds each finished file to the zip while the next is made (zlib releases
    the GIL).
    """
    snapshot = f"data/snapshot-{snapshot_date.isoformat()}.zip"
    written: list[str] = []
    stores = {
        "funds": graph.funds,
        "plans": graph.plans,
        "projects": graph.projects,
        "reports": graph.reports,
    }
    with (
        _no_cycle_collection(),
        zipfile.ZipFile(fresh(root, snapshot), "w", zipfile.ZIP_DEFLATED) as z,
        ThreadPoolExecutor(max_workers=1) as zipper,  # one thread: entries stay in order
    ):
        zipped = []

        def done(rel: str) -> None:
            written.append(rel)
            path = root / rel
            zipped.append(
                zipper.submit(_zip_entry, z, path, rel.removeprefix("data/"), snapshot_date)
            )

        with _text(root, "data/all.json") as f:
            _write_all_json(f, graph)
        done("data/all.json")
        for name in sorted(exports.TABLES):
            row = exports.TABLES[name]
            csv_rel, json_rel = f"data/{name}.csv", f"data/{name}.json"
            with _text(root, csv_rel) as csv_file, _text(root, json_rel) as json_file:
                _write_table(csv_file, json_file, (row(n) for _, n in sorted(stores[name].items())))
            done(csv_rel)
            done(json_rel)
        for future in zipped:
            future.result()  # re-raise a failure
    return [*written, snapshot]


def _text(root: Path, rel: str) -> IO[str]:
    return open(fresh(root, rel), "w", encoding="utf-8", newline="\n", buffering=1 << 20)


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
