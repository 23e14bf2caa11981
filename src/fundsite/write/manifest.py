"""What the last build wrote: page fingerprints, their files and search-index parts.

Kept in a ``.fundsite-cache/`` folder beside the output folder (one file per output folder),
never in the output itself nor among the records.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from pathlib import Path

VERSION = 1


@dataclass
class Manifest:
    global_digest: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # page path → fingerprint
    files: dict[str, list[str]] = field(default_factory=dict)  # page path → files it wrote
    parts: dict[str, str] = field(default_factory=dict)  # page path → search-index part
    indexed: bool = False
    open_data: bool = True  # False: the open-data files may be older than the pages
    version: int = VERSION


def manifest_path(site_dir: Path, out: Path) -> Path:
    """One manifest per (site, output folder) pair."""
    out = out.resolve()
    key = hashlib.blake2b(f"{site_dir.resolve()}\0{out}".encode(), digest_size=8).hexdigest()
    return out.parent / ".fundsite-cache" / f"build-{out.name}-{key}.json"


def load(site_dir: Path, out: Path) -> Manifest | None:
    """The last build's manifest, or None when there is none usable (then build clean)."""
    path = manifest_path(site_dir, out)
    if not out.is_dir() or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None
    return manifest if manifest.version == VERSION else None


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
