"""Where fundsite keeps what it remembers between runs: never inside the site.

A site folder is a git checkout, and anything in it can arrive in a pull request (``git add
-f`` places even ignored files). So the build manifest, the git-history cache and ``serve``'s
output live in a per-user cache folder, one subfolder per site::

    $FUNDSITE_CACHE_DIR/<site name>-<hash of the site's path>/     if set (e.g. for CI caching)
    $XDG_CACHE_HOME/fundsite/<…>/                                  else
    ~/.cache/fundsite/<…>/                                         else

Everything read back from there is checked as strictly as a record: a damaged, foreign or
old file is ignored (the build then starts afresh), never trusted, never a crash.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import fundsite

ENV = "FUNDSITE_CACHE_DIR"


class CacheInsideSite(ValueError):
    """The cache folder would be inside the site, where a commit could place its files."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder


def cache_root() -> Path:
    """The folder holding every site's cache."""
    explicit = os.environ.get(ENV)
    if explicit:
        return Path(explicit).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return (base / "fundsite").resolve()


def site_cache(site: Path) -> Path:
    """The cache folder of one site (created, private to the user)."""
    site = site.resolve()
    key = hashlib.blake2b(str(site).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", site.name)[:40] or "site"
    folder = cache_root() / f"{name}-{key}"
    if folder == site or site in folder.parents:
        raise CacheInsideSite(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


#: Libraries whose versions change what fundsite writes (records read, rows, pages).
_LIBRARIES = ("pydantic", "pydantic-core", "pyyaml", "markdown", "nh3", "geothai", "jinja2")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """fundsite's version and the bytes of its code and data files, Python's version and
    those of the libraries it reads and writes with: what turns records into checks, rows and
    pages (a changed function must not reuse what the old one made)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{fundsite.__version__}\0{sys.version}\0".encode())
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=?\0".encode())
    package = Path(fundsite.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json") and path.is_file() and "vendor" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return h.hexdigest()
