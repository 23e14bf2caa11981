"""What the last build wrote: page fingerprints, their files and search-index parts.

Kept in the site's cache folder (:mod:`fundsite.cache`; one file per output folder), never in
the output itself nor among the records, where a commit could place one. What is read back is
checked: a manifest of another shape, or naming a file outside the output, is ignored and the
build starts afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: builds are not kept from running at once
    fcntl = None  # type: ignore[assignment]

from fundsite import collector
from fundsite.cache import site_cache

VERSION = 6


class PageFiles(MutableMapping[str, list[str]]):
    """Page path → the files it wrote, kept as their names beside the page's folder (or from
    the top after a ``/``), one shared tuple for the pages whose names are alike: a national
    portal's 714,000 pages write 3.6 million files of a few hundred kinds of name list, and
    reading, carrying over and saving the names is most of a manifest's time."""

    def __init__(self, files: Mapping[str, list[str]] | None = None) -> None:
        self._names: dict[str, tuple[str, ...]] = {}
        self._alike: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.update(files or {})

    def __getitem__(self, page: str) -> list[str]:
        folder = _folder(page)
        return [n[1:] if n[0] == "/" else folder + n for n in self._names[page]]

    def __setitem__(self, page: str, files: list[str]) -> None:
        self._names[page] = self._shared(_names(page, files))

    def __delitem__(self, page: str) -> None:
        del self._names[page]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"PageFiles({dict(self.items())!r})"

    def _shared(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return self._alike.setdefault(names, names)

    def names(self, page: str) -> tuple[str, ...]:
        """The page's files as stored (empty: none)."""
        return self._names.get(page, ())

    def set_names(self, page: str, names: tuple[str, ...]) -> None:
        self._names[page] = self._shared(names)

    def kept(self, pages: Iterable[str]) -> PageFiles:
        """The files of those of ``pages`` that wrote some, without reading their names."""
        kept = PageFiles()
        names = self._names
        kept._names = {page: names[page] for page in pages if page in names}
        kept._alike = dict(self._alike)
        return kept


@dataclass
class Manifest:
    global_digest: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # page path → fingerprint
    files: PageFiles = field(default_factory=PageFiles)  # page → files it wrote (or a dict)
    parts: dict[str, str] = field(default_factory=dict)  # page path → search-index part
    searched: dict[str, str] = field(default_factory=dict)  # page path → digest Pagefind read
    indexed: bool = False
    open_data: bool = True  # False: the open-data files may be older than the pages
    records: dict[str, str] = field(default_factory=dict)  # record file → digest it was built at
    placed: dict[str, str] = field(default_factory=dict)  # record file → where it was shown
    data_date: str = ""  # the data's date it was built at (ISO)
    paths: str = ""  # :func:`~fundsite.plan.pages.paths_digest` of its pages: no conflict
    version: int = VERSION

    def __post_init__(self) -> None:
        if not isinstance(self.files, PageFiles):
            self.files = PageFiles(self.files)


def manifest_path(site_dir: Path, out: Path) -> Path:
    """One manifest per (site, output folder) pair."""
    out = out.resolve()
    key = hashlib.blake2b(os.fsencode(out), digest_size=8).hexdigest()
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", out.name)[:40]
    return site_cache(site_dir) / f"build-{name}-{key}.json"


def load(site_dir: Path, out: Path) -> Manifest | None:
    """The last build's manifest, or None when there is none usable (then build clean)."""
    path = manifest_path(site_dir, out)
    if not out.is_dir() or not path.is_file():
        return None
    try:
        with collector.paused():
            data = json.loads(path.read_bytes())
            return _checked(data)
    except (OSError, ValueError, RecursionError):
        return None


#: The flags and texts of the file, beside its two maps (``pages``, ``records``).
_SCALARS = {"version", "global_digest", "indexed", "open_data", "data_date", "paths"}


def _checked(data: Any) -> Manifest | None:
    """A manifest from what was read (:func:`_stored`), if it has the shape this version
    writes and names no file outside the output."""
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    if set(data) != {*_SCALARS, "files", "pages", "records"}:
        return None
    if not (
        isinstance(data["global_digest"], str)
        and isinstance(data["data_date"], str)
        and isinstance(data["paths"], str)
        and type(data["indexed"]) is bool
        and type(data["open_data"]) is bool
        and isinstance(data["pages"], dict)
        and isinstance(data["records"], dict)
        and isinstance(data["files"], list)
    ):
        return None
    lists: list[tuple[str, ...]] = []
    for stored in data["files"]:
        names = _checked_names(stored)
        if names is None:
            return None
        lists.append(names)
    beside = [any(n[0] != "/" for n in names) for names in lists]
    manifest = Manifest(**{k: data[k] for k in _SCALARS})
    pages, parts, files, searched = (
        manifest.pages,
        manifest.parts,
        PageFiles(),
        manifest.searched,
    )
    for page, row in data["pages"].items():
        if type(row) is not list or len(row) != 4:
            return None
        fingerprint, part, which, digest = row
        if type(fingerprint) is str:
            pages[page] = fingerprint
        elif fingerprint is not None:
            return None
        if part is not None:
            if type(part) is not str:
                return None
            parts[page] = part
        if digest is not None:
            if type(digest) is not str:
                return None
            searched[page] = digest
        if type(which) is not int or not 0 <= which < len(lists):
            return None
        if beside[which]:
            folder = _folder(page)
            if folder and not _relative(folder[:-1]):
                return None  # the page's folder leaves the output
        if lists[which]:
            files.set_names(page, lists[which])
    for record, row in data["records"].items():
        if not (type(row) is list and len(row) == 2 and all(type(v) is str for v in row)):
            return None
        manifest.records[record], placed = row
        if placed:
            manifest.placed[record] = placed
    manifest.files = files
    return manifest


def _checked_names(names: Any) -> tuple[str, ...] | None:
    """A list of a page's file names as stored (:func:`_names`); None if one is not a name
    or, named from the top, leaves the output folder."""
    if type(names) is not list:
        return None
    for name in names:
        if type(name) is not str or not name:
            return None
        if name[0] == "/":
            if not _relative(name[1:]):
                return None
        elif "/" in name or "\\" in name or name in _DOTS:
            return None  # a name beside the page is one plain part
    return tuple(names)


_DOTS = frozenset({".", ".."})


def _folder(page: str) -> str:
    return page[: page.rfind("/") + 1]


def _names(page: str, files: list[str]) -> tuple[str, ...]:
    """A page's files as stored: beside the page by name, elsewhere from the top with a ``/``
    before (a page's files are nearly all beside it, and their names alike page to page)."""
    folder = _folder(page)
    return tuple(
        f[len(folder) :] if f.startswith(folder) and "/" not in f[len(folder) :] else "/" + f
        for f in files
    )


def _relative(rel: str) -> bool:
    """A path inside the output folder (the build deletes the files a manifest names)."""
    parts = rel.split("/")
    return "\\" not in rel and "" not in parts and ".." not in parts and "." not in parts


def _stored(manifest: Manifest) -> dict[str, Any]:
    """The manifest as it is written: the lists of file names its pages write (``files``),
    one row a page (fingerprint, search-index part, which list of files, digest of its
    indexer page) and one a record (digest, placement), so that no path is written twice."""
    data: dict[str, Any] = {k: getattr(manifest, k) for k in _SCALARS}
    pages, parts, files = manifest.pages, manifest.parts, manifest.files
    searched = manifest.searched
    lists: dict[tuple[str, ...], int] = {(): 0}
    data["pages"] = {
        page: [
            pages.get(page),
            parts.get(page),
            lists.setdefault(files.names(page), len(lists)),
            searched.get(page),
        ]
        for page in {**pages, **parts, **dict.fromkeys(files)}
    }
    data["files"] = [list(names) for names in lists]
    placed = manifest.placed
    data["records"] = {r: [digest, placed.get(r, "")] for r, digest in manifest.records.items()}
    return data


def save(site_dir: Path, out: Path, manifest: Manifest) -> None:
    commit_pending(save_pending(site_dir, out, manifest))


def save_pending(site_dir: Path, out: Path, manifest: Manifest) -> Path:
    """Write the manifest beside its place; the caller moves it there once the site is out."""
    path = manifest_path(site_dir, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with collector.paused():
        text = json.dumps(_stored(manifest), ensure_ascii=False)
    tmp.write_text(text, encoding="utf-8")
    return tmp


def commit_pending(pending: Path) -> None:
    """Put a manifest written by :func:`save_pending` in its place."""
    pending.replace(pending.with_suffix(".json"))


def forget(site_dir: Path, out: Path) -> None:
    manifest_path(site_dir, out).unlink(missing_ok=True)


@contextmanager
def locked(site_dir: Path, out: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Builds into one output folder run one at a time: an incremental build merges its files
    into the folder its manifest describes, and two at once would leave a folder that neither
    manifest describes. The lock is a file beside the manifest, held while the build runs."""
    if fcntl is None:
        yield
        return
    path = manifest_path(site_dir, out).with_suffix(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another build into {out} is running: waiting for it to end")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
