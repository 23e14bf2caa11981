"""What the last open-data write made of each record, so that the next one copies its bytes.

Every file of ``data/`` is a run of *parts*: text written whole (a CSV header, the 360Giving
package's metadata) and arrays of *groups*, one group per record of a store (a fund's finance
rows, a project's installments, a project's grant). A group's bytes depend only on the
records its rows read, and each record has a *key*: a hash of everything any of its groups
reads (:func:`owner_keys`). The index remembers, for the last write, the keys, the length of
every group in every file, which files those were (size and CRC-32 of every byte), and where
each file's chunks are in the snapshot zip (:mod:`fundsite.write.chunkzip`).

It lives in the site's cache folder (:mod:`fundsite.cache`), never in the site or the output,
and is checked as strictly as a record: a file of another shape or version, a length or offset
that does not add up, is ignored and the files are written in full. Whether a file of
``data/`` is still the one described (its size and CRC-32) is checked before any of its bytes
is used (:mod:`fundsite.write.open_data`), never assumed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from operator import attrgetter
from pathlib import Path
from typing import Any

from fundsite.cache import code_digest, site_cache
from fundsite.validate.graph import FundNode, Node, PlanNode, ProjectNode, ReportNode, SiteGraph
from fundsite.write.chunkzip import Member

VERSION = 1
_MAGIC = b"fundsite open-data index\n"
STORES = ("funds", "plans", "projects", "reports")
KEY = 16  # bytes of a record's key
_SEAL = 32  # bytes of the hash of the whole index, at its end: a damaged index is ignored


@dataclass
class Part:
    """A part of a data file: text written whole (``lit``: its length) or an array of groups
    over a store (``arr``: each group's length, in the store's id order)."""

    kind: str
    store: str = ""
    length: int = 0
    lengths: array | None = None  # type: ignore[type-arg]  # 'Q', for ``arr``


@dataclass
class FileEntry:
    """A data file as the last write left it: its size, the CRC-32 of its bytes, its parts."""

    size: int
    crc: int
    parts: list[Part]


@dataclass
class ZipEntry:
    """The snapshot zip as the last write left it, and its members' chunks by data file."""

    rel: str
    size: int
    crc: int
    members: dict[str, Member]  # data file → its member
    order: list[str]  # the data files, in the zip's order


@dataclass
class Owners:
    """A store's records in id order, their keys and :func:`_signature` hashes (``KEY`` bytes
    each); with the records themselves when made from the graph (not when read back)."""

    ids: list[str]
    keys: bytes
    nodes: list[Any] = field(default_factory=list)
    signatures: bytes = b""
    digest: str = ""  # of all the records' signatures, in order


@dataclass
class Index:
    global_key: str
    stores: dict[str, Owners]
    masks: bytes  # per project: what it lacks to be a 360Giving grant (bits of giving codes)
    files: dict[str, FileEntry]
    zip: ZipEntry | None


def index_path(site_dir: Path, out: Path) -> Path:
    """The index of the open data written into ``out`` (one per site and output folder)."""
    out = out.resolve()
    key = hashlib.blake2b(os.fsencode(out), digest_size=8).hexdigest()
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", out.name)[:40]
    return site_cache(site_dir) / f"open-data-{name}-{key}.bin"


#: Libraries whose output is in the rows: records as pydantic dumps them and YAML as parsed,
#: project text as Markdown and nh3 render it (360Giving descriptions), area names (geothai).


def _tok(node: Node | None) -> str:
    """What a key reads of a record: its file and digest."""
    return "-\x1e" if node is None else f"{node.path}\x1f{node.digest}\x1e"


def _project_tok(node: ProjectNode) -> str:
    """A project's token also holds its notes' codes, which all.json lists."""
    notes = ",".join([n.code for n in node.notes]) if node.notes else ""
    return f"{node.path}\x1f{node.digest}\x1f{notes}\x1e"


_path = attrgetter("path")


def _paths(nodes: Iterable[Node]) -> str:
    return "\x1f".join(map(_path, nodes))


def _signatures(store: str, nodes: list[Any], old: Owners | None) -> tuple[bytes, str]:
    """Each record's token and the records it links to (their files, in order), hashed: a key
    reads records through these links only, so it can change only when the signature of a
    record it reads does (a linked record's own change is in its own signature)."""
    if store == "projects":
        texts = [
            f"{_project_tok(p)}{p.fund.path}\x1f{p.plan.path if p.plan else ''}\x1f"
            f"{p.programme.path if p.programme else ''}\x1e"
            f"{_paths(p.children) if p.children else ''}\x1e"
            f"{_paths(p.reports) if p.reports else ''}"
            for p in nodes
        ]
    elif store == "funds":
        texts = [
            f"{f.path}\x1f{f.digest}\x1e{_paths(f.plans)}\x1e{_paths(f.projects)}" for f in nodes
        ]
    elif store == "plans":
        texts = [f"{p.path}\x1f{p.digest}\x1e{_paths(p.projects)}" for p in nodes]
    else:
        texts = [f"{r.path}\x1f{r.digest}\x1e{r.project.path}" for r in nodes]
    blake = hashlib.blake2b
    whole = blake("\0".join(texts).encode("utf-8", "surrogatepass"), digest_size=KEY).hexdigest()
    if old is not None and old.digest == whole and len(old.ids) == len(nodes):
        return old.signatures, whole  # (one hash over the store: no record changed)
    signatures = b"".join(
        [blake(t.encode("utf-8", "surrogatepass"), digest_size=KEY).digest() for t in texts]
    )
    return signatures, whole


def _stale(changed: dict[str, list[Any]]) -> dict[str, set[Node]]:
    """The records whose keys read one of the ``changed`` ones (by store): the inverse of
    :func:`owner_keys`' reading."""
    projects: set[Node] = set()
    plans: set[Node] = set()
    reports: set[Node] = set()
    funds: set[Node] = set()
    for f in changed["funds"]:
        funds.add(f)
        projects.update(f.projects)
    for plan in changed["plans"]:
        plans.add(plan)
        projects.update(plan.projects)
    for p in changed["projects"]:
        projects.add(p)
        projects.update(p.children)
        if p.programme is not None:
            projects.add(p.programme)
        if p.plan is not None:
            plans.add(p.plan)
        reports.update(p.reports)
    for r in changed["reports"]:
        reports.add(r)
        projects.add(r.project)
    funds.update(plan.fund for plan in plans)
    funds.update(p.fund for p in projects)
    return {"funds": funds, "plans": plans, "projects": projects, "reports": reports}


def global_key(graph: SiteGraph) -> str:
    """What every key reads: this index's version, fundsite's code, the data files, the
    site's address."""
    h = hashlib.blake2b(digest_size=KEY)
    h.update(
        f"{VERSION}\0{code_digest()}\0{graph.data_digest}\0{graph.site.base_url}\0".encode(
            "utf-8", "surrogatepass"
        )
    )
    return h.hexdigest()


def owner_keys(graph: SiteGraph, last: Index | None = None) -> dict[str, Owners]:
    """Each record's key, by store: a hash of :func:`global_key` and of what its groups read,
    conservatively (in the graph's order, which the rows follow).

    A project's rows read the project (and its notes' codes, in all.json), its fund (areas,
    name), plan (fiscal year, issues, programme), programme and sub-projects (related grants)
    and reports (counts, sums, dates, all.json's report rows); its key hashes their tokens
    (file and digest). A plan's row reads its projects (the count); a report's row its project
    (areas, fund): their keys hash those tokens. A fund's rows read its plans' rows and its
    projects' rows (all.json, counts and budget sums): its key hashes its token and the keys
    of its plans and projects. No row reads the data's date (the notes that do are in the
    project's token).

    With ``last`` (the last write's index, of the same global key) only the keys that read a
    record whose signature (:func:`_signatures`) changed are hashed again: a key reads records
    only through the links a signature holds. ``tests/test_open_data_incremental.py`` checks
    that the keys are those hashed from nothing.
    """
    g = global_key(graph)
    base = hashlib.blake2b(digest_size=KEY)
    base.update(bytes.fromhex(g))
    copy = base.copy

    def key(data: bytes) -> bytes:
        h = copy()
        h.update(data)
        return h.digest()

    def project_key(p: ProjectNode) -> bytes:
        parts = [_project_tok(p), _tok(p.fund), _tok(p.plan), _tok(p.programme)]
        parts.extend(map(_tok, p.children))
        parts.append("|")
        parts.extend(map(_tok, p.reports))
        return key("".join(parts).encode("utf-8", "surrogatepass"))

    def plan_key(plan: PlanNode) -> bytes:
        text = _tok(plan) + "".join(map(_tok, plan.projects))
        return key(text.encode("utf-8", "surrogatepass"))

    def report_key(r: ReportNode) -> bytes:
        return key((_tok(r) + _tok(r.project)).encode("utf-8", "surrogatepass"))

    owners: dict[str, Owners] = {}
    for name in STORES:
        store: dict[str, Node] = getattr(graph, name)
        old = last.stores[name] if last is not None else None
        if old is not None and len(old.ids) == len(store) and all(map(store.__contains__, old.ids)):
            ids = old.ids  # the same records: their order is the last one's
        else:
            ids = sorted(store)
        nodes = [store[i] for i in ids]
        same = old is not None and ids is old.ids
        signatures, digest = _signatures(name, nodes, old if same else None)
        owners[name] = Owners(ids, b"", nodes, signatures, digest)
    keyers = {"plans": plan_key, "projects": project_key, "reports": report_key}
    fresh: dict[str, dict[Node, bytes]] = {}  # the keys hashed now, by store
    olds = last.stores if last is not None else {}
    whole = last is None or last.global_key != g
    if whole:
        stale = {name: o.nodes for name, o in owners.items()}
    else:
        changed = {name: _changed(o, olds[name]) for name, o in owners.items()}
        stale = {name: list(nodes) for name, nodes in _stale(changed).items()}
    for name, keyer in keyers.items():
        fresh[name] = {n: keyer(n) for n in stale[name]}
        owners[name].keys = _merged(owners[name], None if whole else olds[name], fresh[name])

    def known(name: str, node: Node) -> bytes:
        """The key of a fund's plan or project, hashed now or kept."""
        value = fresh[name].get(node)
        if value is None:
            o = owners[name]
            k = bisect_left(o.ids, node.id)
            if k < len(o.ids) and o.nodes[k] is node:
                return o.keys[k * KEY : (k + 1) * KEY]
            value = fresh[name][node] = keyers[name](node)  # (not in its store)
        return value

    def fund_key(f: FundNode) -> bytes:
        return key(
            b"".join(
                [
                    _tok(f).encode("utf-8", "surrogatepass"),
                    *[known("plans", p) for p in f.plans],
                    b"|",
                    *[known("projects", p) for p in f.projects],
                ]
            )
        )

    fresh["funds"] = {f: fund_key(f) for f in stale["funds"]}
    owners["funds"].keys = _merged(
        owners["funds"], None if whole else olds["funds"], fresh["funds"]
    )
    return owners


def _changed(new: Owners, old: Owners) -> list[Any]:
    """The records of ``new`` whose signature is not the one ``old`` has for their id."""
    if new.ids is old.ids:
        return [new.nodes[k] for k in differing(new.signatures, old.signatures, KEY)]
    where = {record: k for k, record in enumerate(old.ids)}
    found = []
    for k, record in enumerate(new.ids):
        was = where.get(record, -1)
        mine = new.signatures[k * KEY : (k + 1) * KEY]
        if was < 0 or mine != old.signatures[was * KEY : (was + 1) * KEY]:
            found.append(new.nodes[k])
    return found


def _merged(new: Owners, old: Owners | None, fresh: dict[Node, bytes]) -> bytes:
    """The keys of ``new``'s records: ``fresh`` ones where hashed now, else ``old``'s for the
    id (a record ``old`` does not have always has a fresh key: its signature is new)."""
    if old is None:
        return b"".join([fresh[n] for n in new.nodes])
    if new.ids is old.ids:
        keys = bytearray(old.keys)
        for node, value in fresh.items():
            k = bisect_left(new.ids, node.id)
            keys[k * KEY : (k + 1) * KEY] = value
        return bytes(keys)
    where = {record: k for k, record in enumerate(old.ids)}
    parts = []
    for record, node in zip(new.ids, new.nodes, strict=True):
        value = fresh.get(node)
        if value is None:
            was = where[record]
            value = old.keys[was * KEY : (was + 1) * KEY]
        parts.append(value)
    return b"".join(parts)


def differing(a: bytes, b: bytes, size: int) -> list[int]:
    """The indexes of the ``size``-byte items in which ``a`` and ``b`` (as long) differ."""
    if a == b:
        return []
    found = []
    block = size * 1024
    for start in range(0, len(a), block):
        if a[start : start + block] != b[start : start + block]:
            for at in range(start, min(start + block, len(a)), size):
                if a[at : at + size] != b[at : at + size]:
                    found.append(at // size)
    return found


# ---- saving and loading --------------------------------------------------------------------


class _Blobs:
    """The binary arrays after the header, each named by its (offset, length)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, data: bytes) -> list[int]:
        ref = [self.size, len(data)]
        self.parts.append(data)
        self.size += len(data)
        return ref


def _ids_blob(ids: list[str]) -> bytes:
    return "\0".join(ids).encode("utf-8", "surrogatepass")


def save(
    path: Path,
    global_key: str,
    stores: dict[str, Owners],
    masks: bytes,
    files: dict[str, FileEntry],
    zip_entry: ZipEntry | None,
) -> None:
    """Write the index (atomically), after every file it describes is in place; when it
    cannot be written, none is left (the next write is a full one)."""
    blobs = _Blobs()
    header: dict[str, Any] = {
        "version": VERSION,
        "code": code_digest(),
        "byteorder": sys.byteorder,
        "global": global_key,
        "stores": {
            name: {
                "ids": blobs.add(_ids_blob(o.ids)),
                "count": len(o.ids),
                "keys": blobs.add(o.keys),
                "signatures": blobs.add(o.signatures),
                "digest": o.digest,
            }
            for name, o in stores.items()
        },
        "masks": blobs.add(masks),
        "files": {
            rel: {
                "size": e.size,
                "crc": e.crc,
                "parts": [
                    ["lit", p.length]
                    if p.kind == "lit"
                    else ["arr", p.store, blobs.add(_as_q(p.lengths).tobytes())]
                    for p in e.parts
                ],
            }
            for rel, e in files.items()
        },
        "zip": None,
    }
    if zip_entry is not None:
        header["zip"] = {
            "rel": zip_entry.rel,
            "size": zip_entry.size,
            "crc": zip_entry.crc,
            "members": [
                {
                    "file": rel,
                    "name": m.name,
                    "size": m.size,
                    "crc": m.crc,
                    "ends": blobs.add(_as_q(m.ends).tobytes()),
                    "forced": blobs.add(m.forced),
                    "comp": blobs.add(_as_q(m.comp).tobytes()),
                    "clen": blobs.add(_as_q(m.clen).tobytes()),
                }
                for rel in zip_entry.order
                for m in (zip_entry.members[rel],)
            ],
        }
    head = json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        seal = hashlib.blake2b(digest_size=_SEAL)
        with open(tmp, "wb") as f:
            for data in (_MAGIC + struct.pack("<Q", len(head)) + head, *blobs.parts):
                seal.update(data)
                f.write(data)
            f.write(seal.digest())
        tmp.replace(path)
    except OSError:  # a cache: without it the next write is a full one, and as right
        for stale in (tmp, path):
            with contextlib.suppress(OSError):
                stale.unlink(missing_ok=True)


def _as_q(values: Any) -> array:  # type: ignore[type-arg]
    return values if isinstance(values, array) and values.typecode == "Q" else array("Q", values)


def load(path: Path) -> Index | None:
    """The index at ``path`` if it is whole and of this version and code; None otherwise."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return _parse(data)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError):
        return None


def _parse(sealed: bytes) -> Index | None:
    data, seal = sealed[:-_SEAL], sealed[-_SEAL:]
    start = len(_MAGIC) + 8
    if not data.startswith(_MAGIC) or len(data) < start:
        return None
    if hashlib.blake2b(data, digest_size=_SEAL).digest() != seal:
        return None
    (length,) = struct.unpack_from("<Q", data, len(_MAGIC))
    if start + length > len(data):
        return None
    header = json.loads(data[start : start + length])
    area = memoryview(data)[start + length :]

    def blob(ref: Any) -> bytes:
        if not (
            isinstance(ref, list)
            and len(ref) == 2
            and all(type(x) is int and x >= 0 for x in ref)
            and ref[0] + ref[1] <= len(area)
        ):
            raise ValueError("a blob outside the index")
        return bytes(area[ref[0] : ref[0] + ref[1]])

    def q(ref: Any) -> array:  # type: ignore[type-arg]
        raw = blob(ref)
        if len(raw) % 8:
            raise ValueError("an array of partial numbers")
        values = array("Q")
        values.frombytes(raw)
        return values

    if not (
        isinstance(header, dict)
        and header.get("version") == VERSION
        and header.get("code") == code_digest()
        and header.get("byteorder") == sys.byteorder
        and set(header)
        == {"version", "code", "byteorder", "global", "stores", "masks", "files", "zip"}
        and isinstance(header["global"], str)
        and isinstance(header["stores"], dict)
        and set(header["stores"]) == set(STORES)
        and isinstance(header["files"], dict)
    ):
        return None
    stores = {}
    for name, entry in header["stores"].items():
        count = _int(entry["count"])
        raw_ids = blob(entry["ids"]).decode("utf-8", "surrogatepass")
        ids = raw_ids.split("\0") if count else []
        keys, signatures = blob(entry["keys"]), blob(entry["signatures"])
        if len(ids) != count or len(keys) != KEY * count or len(signatures) != KEY * count:
            return None
        if not all(a < b for a, b in pairwise(ids)):
            return None  # in id order, each once: the order records are written in
        if not isinstance(entry["digest"], str):
            return None
        stores[name] = Owners(ids, keys, [], signatures, entry["digest"])
    masks = blob(header["masks"])
    if len(masks) != len(stores["projects"].ids):
        return None
    files = {}
    for rel, entry in header["files"].items():
        if not isinstance(rel, str) or not rel.startswith("data/") or "/" in rel[5:]:
            return None
        parts = []
        total = 0
        for part in entry["parts"]:
            if part[0] == "lit" and len(part) == 2:
                parts.append(Part("lit", length=_int(part[1])))
            elif part[0] == "arr" and len(part) == 3 and part[1] in stores:
                lengths = q(part[2])
                if len(lengths) != len(stores[part[1]].ids):
                    return None
                parts.append(Part("arr", part[1], sum(lengths), lengths))
            else:
                return None
            total += parts[-1].length
        size = _int(entry["size"])
        if total != size:
            return None  # the parts do not add up to the file
        files[rel] = FileEntry(size, _int(entry["crc"]), parts)
    zip_entry = None
    if header["zip"] is not None:
        z = header["zip"]
        rel = z["rel"]
        if not isinstance(rel, str) or not re.fullmatch(r"data/snapshot-[0-9-]{10}\.zip", rel):
            return None
        zip_size = _int(z["size"])
        members, order = {}, []
        for m in z["members"]:
            file = m["file"]
            member = Member(
                m["name"],
                _int(m["size"]),
                _int(m["crc"]),
                q(m["ends"]),
                blob(m["forced"]),
                q(m["comp"]),
                q(m["clen"]),
            )
            if (
                not isinstance(member.name, str)
                or file not in files
                or file in members
                or member.size != files[file].size
                or member.crc != files[file].crc
                or not member.valid(zip_size)
            ):
                return None
            members[file] = member
            order.append(file)
        zip_entry = ZipEntry(rel, zip_size, _int(z["crc"]), members, order)
    return Index(header["global"], stores, masks, files, zip_entry)


def _int(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise ValueError("not a count")
    return value
