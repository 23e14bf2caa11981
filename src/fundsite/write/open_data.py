"""The ``data/`` folder: every table as CSV and JSON, ``all.json``, the data package, the
DCAT catalogue, the 360Giving grants, and a dated zip of them all.

Every file is streamed to disk record by record (memory holds one record, not a table), and a
thread adds each finished file to the zip while the next is made (zlib releases the GIL).
"""

from __future__ import annotations

import gc
import shutil
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import IO, Any, NamedTuple

from fundsite.plan import exports
from fundsite.plan.giving import GivingSummary
from fundsite.validate.graph import SiteGraph
from fundsite.write import catalogue, giving
from fundsite.write.atomic import fresh
from fundsite.write.outputs import _encoded, _write_array, _write_table, to_json


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


def write_open_data(graph: SiteGraph, root: Path, snapshot_date: date) -> OpenData:
    """Write the ``data/`` folder and a dated zip of it; return the paths written and what
    the 360Giving file holds."""
    snapshot = exports.snapshot_path(snapshot_date)
    written: list[str] = []
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

        with _text(root, exports.GIVING) as f, _text(root, exports.GIVING_LEFT_OUT) as notes:
            grants = giving.write_360giving(f, graph, snapshot_date, notes)
        if grants.valid:
            done(exports.GIVING)
        else:  # the standard wants one grant at least: no file rather than an invalid one
            (root / exports.GIVING).unlink()
        done(exports.GIVING_LEFT_OUT)
        site = graph.site
        for rel, data in (
            (exports.PACKAGE, catalogue.data_package(site, snapshot_date)),
            (exports.CATALOGUE, catalogue.catalogue(site, snapshot_date, grants.valid)),
        ):
            with _text(root, rel) as f:
                f.write(to_json(data))
            done(rel)
        with _text(root, exports.ALL) as f:
            _write_all_json(f, graph)
        done(exports.ALL)
        for name, table in exports.TABLES.items():
            csv_rel, json_rel = f"data/{name}.csv", f"data/{name}.json"
            with _text(root, csv_rel) as csv_file, _text(root, json_rel) as json_file:
                _write_table(csv_file, json_file, _rows(graph, table), table.names)
            done(csv_rel)
            done(json_rel)
        for future in zipped:
            future.result()  # re-raise a failure
    return OpenData([*written, snapshot], grants)


class OpenData(NamedTuple):
    """What :func:`write_open_data` wrote: the files, and the 360Giving file's summary."""

    paths: list[str]
    giving: GivingSummary


def _rows(graph: SiteGraph, table: exports.Table) -> Iterator[dict[str, Any]]:
    """A table's rows, record by record in id order (a record may give several rows, or none):
    a generator, so that only one record's rows are in memory."""
    store: dict[str, Any] = getattr(graph, table.store)
    for _, node in sorted(store.items()):
        yield from table.rows(node)


def _text(root: Path, rel: str) -> IO[str]:
    return open(fresh(root, rel), "w", encoding="utf-8", newline="\n", buffering=1 << 20)
