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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: builds are not kept from running at once
    fcntl = None  # type: ignore[assignment]

from fundsite.cache import site_cache

VERSION = 3


@dataclass
class Manifest:
    global_digest: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # page path → fingerprint
    files: dict[str, list[str]] = field(default_factory=dict)  # page path → files it wrote
    parts: dict[str, str] = field(default_factory=dict)  # page path → search-index part
    indexed: bool = False
    open_data: bool = True  # False: the open-data files may be older than the pages
    records: dict[str, str] = field(default_factory=dict)  # record file → digest it was built at
    placed: dict[str, str] = field(default_factory=dict)  # record file → where it was shown
    data_date: str = ""  # the data's date it was built at (ISO)
    version: int = VERSION


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
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return _checked(data)


def _checked(data: Any) -> Manifest | None:
    """A manifest from what was read, if it has the shape this version writes."""
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    if set(data) != {f.name for f in fields(Manifest)}:
        return None
    maps_of_text = (data["pages"], data["parts"], data["records"], data["placed"])
    if not (
        isinstance(data["global_digest"], str)
        and all(isinstance(m, dict) for m in (*maps_of_text, data["files"]))
        and all(
            isinstance(k, str) and isinstance(v, str) for m in maps_of_text for k, v in m.items()
        )
        and all(
            isinstance(files, list) and all(isinstance(f, str) and _relative(f) for f in files)
            for files in data["files"].values()
        )
        and type(data["indexed"]) is bool
        and type(data["open_data"]) is bool
    ):
        return None
    return Manifest(**data)


def _relative(rel: str) -> bool:
    """A path inside the output folder (the build deletes the files a manifest names)."""
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and "\\" not in rel and ".." not in parts


def save(site_dir: Path, out: Path, manifest: Manifest) -> None:
    commit_pending(save_pending(site_dir, out, manifest))


def save_pending(site_dir: Path, out: Path, manifest: Manifest) -> Path:
    """Write the manifest beside its place; the caller moves it there once the site is out."""
    path = manifest_path(site_dir, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    data = {f.name: getattr(manifest, f.name) for f in fields(manifest)}  # asdict copies deeply
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
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
