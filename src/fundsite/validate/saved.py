"""The check remembered between runs: a fresh ``check`` or ``build`` re-checks what changed.

A full check reads every record (about 5 minutes at 300,000 projects on 2 cores, most of it
parsing YAML). Its result, the :class:`~fundsite.validate.patch.CheckState`, is kept in the
site's cache folder (:mod:`fundsite.cache`, never inside the site). The next run hashes every
record file and compares it with the digest each record was checked at; the files that differ
are patched in (:func:`~fundsite.validate.patch.patch`, the path ``serve`` takes for each
edit, whose result equals a full check). Anything a patch cannot take (a changed data file,
link or media file, a record with errors, a free page), or a cache that is
missing, damaged, from another version of fundsite or of another site, means a full check,
whose result is then kept. Another data date (a new day's commit) re-runs the cross-record
rules over every record, not the reading of every file. The state kept is the last full
check's: later runs patch from it, so one that is read stays valid until a full check
replaces it.

What is read back is never trusted as code. It is a pickle read by an unpickler that only
builds fundsite's record classes and plain values (:class:`_Unpickler`), after its checksum,
format, fundsite's code digest and the site's folder were compared: a file of another shape is
ignored. Like the rest of the cache folder, it must be writable only by fundsite runs of the
site (``docs/security.md`` explains how CI keeps a pull request from writing main's cache).
"""

from __future__ import annotations

import gc
import hashlib
import io
import multiprocessing
import os
import pickle
import struct
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fundsite import collector
from fundsite.cache import code_digest, site_cache
from fundsite.history import snapshot_date
from fundsite.load.files import CONTENT_KINDS, scan
from fundsite.load.safe import SiteReader
from fundsite.parallel import can_fork
from fundsite.validate.media import check_media
from fundsite.validate.patch import CheckState, patch, redate

MAGIC = b"fundsite check state\n"
FORMAT = 1
NAME = "check-state.pickle"
#: A patch of more files than this re-checks everything (and keeps that): a patch that big is
#: no faster than a full check, and each later run would patch them all again.
MAX_PATCHED = 5000


# -- reading and writing -------------------------------------------------------------------

_ALLOWED_MODULES = ("fundsite.validate.", "fundsite.diagnostics", "fundsite.geo")
_ALLOWED = {
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "getattr"),  # enum members: (getattr, (Class, name))
    ("decimal", "Decimal"),
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
    ("pathlib", "PosixPath"),
    ("pathlib", "WindowsPath"),
    ("collections", "defaultdict"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
}


class _Unpickler(pickle.Unpickler):
    """Builds only fundsite's validated record classes and plain values, never a function
    or any other class a damaged or forged file might name."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED or (
            module.startswith(_ALLOWED_MODULES) and name[:1].isupper()
        ):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a record class")


def _header(site_dir: Path, length: int, checksum: bytes) -> bytes:
    site = os.fsencode(site_dir)
    return (
        MAGIC
        + struct.pack("<IQ", FORMAT, length)
        + code_digest().encode()
        + struct.pack("<I", len(site))
        + site
        + checksum
    )


def state_path(site_dir: Path) -> Path:
    return site_cache(site_dir) / NAME


def save(state: CheckState) -> None:
    """Keep ``state`` (a full check's) for the next run."""
    graph = state.graph
    kept = {k: graph.__dict__.pop(k) for k in ("_derived", "history") if k in graph.__dict__}
    index, graph._index = graph._index, None  # type: ignore[attr-defined]
    nodes = state.__dict__.pop("nodes", None)
    try:
        with collector.paused():
            payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
        return  # nothing kept: the next run checks everything
    finally:
        graph.__dict__.update(kept)
        graph._index = index  # type: ignore[attr-defined]
        if nodes is not None:
            state.__dict__["nodes"] = nodes
    checksum = hashlib.blake2b(payload, digest_size=32).digest()
    path = state_path(state.site_dir)
    tmp = path.with_name(f"{NAME}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(_header(state.site_dir, len(payload), checksum))
            f.write(payload)
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)


def load(site_dir: Path) -> CheckState | None:
    """The remembered check of ``site_dir`` by this very code, or None."""
    site_dir = site_dir.resolve()
    try:
        data = state_path(site_dir).read_bytes()
    except OSError:
        return None
    view = memoryview(data)
    try:
        head_length = len(_header(site_dir, 0, bytes(32)))
        if len(data) < head_length:
            return None
        length = struct.unpack_from("<Q", view, len(MAGIC) + 4)[0]
        payload = view[head_length:]
        checksum = bytes(view[head_length - 32 : head_length])
        if bytes(view[:head_length]) != _header(site_dir, length, checksum):
            return None  # another format, version of fundsite, or site
        if len(payload) != length or hashlib.blake2b(payload, digest_size=32).digest() != checksum:
            return None  # cut short or damaged
        with collector.paused():
            state = _Unpickler(io.BytesIO(payload)).load()
            gc.freeze()  # millions of objects kept to the end: later passes skip them
    except Exception:  # a damaged cache is a cache miss, never a crash
        return None
    if not isinstance(state, CheckState) or state.site_dir != site_dir:
        return None
    state.graph._index = None  # type: ignore[attr-defined]
    return state


# -- what changed --------------------------------------------------------------------------


@dataclass
class Remembered:
    """A check answered from memory: the state, the record files read, what was patched."""

    state: CheckState
    files: int
    patched: list[str]  # files re-checked (changed, new or deleted since the full check)
    digests: dict[str, str]  # record file → digest of its bytes now


def _digest(reader: SiteReader, rel: str) -> str:
    try:
        return hashlib.blake2b(reader.read(rel), digest_size=12).hexdigest()
    except OSError:
        return ""  # unreadable: differs from any digest, so the full check reports it


@dataclass
class _Files:
    """The site's files now: what :func:`recall` compares with the remembered check."""

    records: int
    digests: dict[str, str]  # record file → digest of its bytes
    data_digest: str  # as :attr:`SiteGraph.data_digest` is made
    media: tuple[dict[str, str | None], list[Any]]  # :func:`check_media`'s answer
    problems: bool  # files that cannot be read safely (links, devices): a full check says so


def _files(site_dir: Path) -> _Files:
    inventory = scan(site_dir)
    digests: dict[str, str] = {}
    data: set[str] = set()
    with SiteReader(site_dir) as reader:
        for kind, rel in inventory.records:
            digests[rel] = _digest(reader, rel)
            if kind not in CONTENT_KINDS.values():
                data.add(digests[rel])
    media = check_media(site_dir, inventory.media)
    return _Files(
        len(inventory.records), digests, ":".join(sorted(data)), media, bool(inventory.problems)
    )


def recall(site_dir: Path) -> Remembered | None:
    """The check of ``site_dir`` as it is now, from the remembered one and the files changed
    since; None when a full check is needed.

    A forked process reads and hashes the files while this one reads the remembered state.
    """
    site_dir = site_dir.resolve()
    if not state_path(site_dir).is_file():
        return None
    with _beside(site_dir) as files_now:
        state = load(site_dir)
        files = files_now()
    if state is None or files.problems:
        return None
    graph = state.graph
    if files.data_digest != graph.data_digest:
        return None  # data files decide every record's rules
    if files.media != (graph.media, []):
        return None
    nodes, digests = state.nodes, files.digests
    changed = [rel for rel, d in digests.items() if rel in nodes and nodes[rel].digest != d]
    changed += [rel for rel in digests if rel not in nodes and rel.startswith("content/")]
    changed += [rel for rel in nodes if rel not in digests]
    if len(changed) > MAX_PATCHED:
        return None
    if changed and patch(state, changed, add_projects=True) is None:
        return None
    today = snapshot_date(site_dir)
    if today != graph.today:  # the rules about time judge against the data's date
        redate(state, today)
    return Remembered(state, files.records, changed, digests)


@contextmanager
def _beside(site_dir: Path) -> Iterator[Callable[[], _Files]]:
    """:func:`_files` in a forked process (where forking is possible), its answer when asked."""
    if not can_fork():
        yield lambda: _files(site_dir)
        return
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        future = pool.submit(_files, site_dir)
        yield future.result
