"""Find a site's record files and read each into a :class:`RawRecord` with source positions.

Nothing here judges the content: a file that cannot be read or parsed becomes a problem, and
loading goes on with the next file so that one run reports everything.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fundsite.diagnostics import Problem
from fundsite.load.safe import SiteReader, UnsafeFile, read_site_file
from fundsite.load.yamlpos import (
    MAX_DEPTH,
    DuplicateKey,
    PosDict,
    PosList,
    Surprise,
    YamlSyntaxError,
    parse_yaml,
)

#: Record kinds kept in ``content/<folder>/`` and the folder depth their files sit at.
CONTENT_KINDS: dict[str, str] = {
    "funds": "fund",
    "plans": "plan",
    "projects": "project",
    "reports": "report",
    "pages": "page",
}
DATA_FILES: dict[str, str] = {"site": "site", "issues": "issue", "regions": "region"}


@dataclass
class RawRecord:
    """One record as written: its front matter (with positions), body and where it came from."""

    kind: str
    path: str  # relative to the site folder, with forward slashes
    data: Any  # PosDict for a well-formed record
    body: str = ""
    body_line: int = 1  # line of the file where the body starts
    digest: str = ""  # hash of the file's bytes: what incremental builds compare


@dataclass
class Inventory:
    """What a site holds, found without following a link: record files, media, problems."""

    records: list[tuple[str, str]] = field(default_factory=list)  # (kind, site-relative path)
    media: list[str] = field(default_factory=list)  # "media/…", relative to content/
    problems: list[Problem] = field(default_factory=list)


def _order(rel: str) -> list[str]:
    """Files are read in the order of their path parts (as ``sorted(Path.rglob())`` gave)."""
    return rel.split("/")


def scan(site: Path) -> Inventory:
    """Every record file and media file of the site, in a stable order.

    Nothing is followed: a symbolic link anywhere under ``data/``, ``content/`` or
    ``themes/`` (or one of those folders itself) is reported as an error naming the link and
    is neither read nor published; so are FIFOs, devices and sockets. Hidden entries (``.``)
    are skipped.
    """
    found = Inventory()
    data = _folder(site, "data", found)
    if data:
        for stem, kind in DATA_FILES.items():
            for suffix in (".yaml", ".yml"):
                entry = data.get(f"{stem}{suffix}")
                if entry is not None and _regular(entry, f"data/{stem}{suffix}", found):
                    found.records.append((kind, f"data/{stem}{suffix}"))
    content = _folder(site, "content", found)
    if content:
        for folder, kind in CONTENT_KINDS.items():
            walked = _walk(site, f"content/{folder}", found, hidden_records=True)
            files = sorted((rel for rel in walked if rel.endswith(".md")), key=_order)
            found.records.extend((kind, rel) for rel in files)
        media = sorted(_walk(site, "content/media", found), key=_order)
        found.media = [rel.removeprefix("content/") for rel in media]
    for _ in _walk(site, "themes", found):  # the portal's own themes: links only
        pass
    return found


def _folder(site: Path, name: str, found: Inventory) -> dict[str, os.DirEntry[str]] | None:
    """The entries of a top folder of the site, or None when it is missing or a link."""
    path = site / name
    if path.is_symlink():
        found.problems.append(_problem("symlink", name))
        return None
    if not path.is_dir():
        return None
    with os.scandir(path) as entries:
        return {e.name: e for e in entries}


def _regular(entry: os.DirEntry[str], rel: str, found: Inventory) -> bool:
    """True for a regular file; a link or a special file is reported."""
    if entry.is_symlink():
        found.problems.append(_problem("symlink", rel))
        return False
    if not entry.is_file(follow_symlinks=False):
        if not entry.is_dir(follow_symlinks=False):
            found.problems.append(_problem("not-regular-file", rel))
        return False
    return True


def _walk(site: Path, top: str, found: Inventory, hidden_records: bool = False) -> Iterator[str]:
    """Site-relative paths of the regular files under ``top``, links reported, not followed.

    Hidden entries are skipped; with ``hidden_records`` a hidden ``.md`` file (``..md``, a
    record whose id would be ``.``) is reported instead of being silently left out.
    """
    root = site / top
    if root.is_symlink():
        found.problems.append(_problem("symlink", top))
        return
    if not root.is_dir():
        return
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(site / folder))
        except OSError as exc:
            found.problems.append(_problem("unreadable", folder, detail=exc.strerror or str(exc)))
            continue
        for entry in entries:
            rel = f"{folder}/{entry.name}"
            if not _printable_name(entry.name):
                found.problems.append(_problem("file-name-encoding", _shown(rel)))
                continue
            if entry.is_symlink():
                found.problems.append(_problem("symlink", rel))
            elif entry.name.startswith("."):
                if hidden_records and entry.name.endswith(".md"):
                    from fundsite.validate.types import id_reason

                    reason = id_reason(entry.name[:-3]) or {"value": entry.name[:-3]}
                    found.problems.append(_problem("bad-file-name", rel, **reason))
            elif entry.is_dir(follow_symlinks=False):
                stack.append(rel)
            elif entry.is_file(follow_symlinks=False):
                yield rel
            else:
                found.problems.append(_problem("not-regular-file", rel))


def _printable_name(name: str) -> bool:
    """A name that can be shown and written back: valid UTF-8 (no surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(rel: str) -> str:
    """A path with undecodable bytes, as text that can be printed."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover(site: Path) -> Iterator[tuple[str, Path]]:
    """Yield ``(kind, path)`` for every record file of the site, in a stable order."""
    for kind, rel in scan(site).records:
        yield kind, site / rel


def split_front_matter(text: str) -> tuple[str, int, str, int] | str:
    """Split ``---`` front matter from a Markdown body.

    Returns ``(yaml_text, yaml_first_line_index, body, body_line)`` or, when the front matter is
    missing or unclosed, a problem code.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return "front-matter-missing"
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), 1, "\n".join(lines[i + 1 :]), i + 2
    return "front-matter-unclosed"


def _problem(code: str, path: str, pos: tuple[int, int] = (1, 1), **params: Any) -> Problem:
    return Problem("error", code, path, pos[0], pos[1], params=params)


def read_record(
    kind: str, path: Path, site: Path, reader: SiteReader | None = None
) -> tuple[list[RawRecord], list[Problem]]:
    """Read one file. Data files hold lists (issues, regions) or a mapping (site).

    The file is read through ``reader`` (or a new :class:`SiteReader`): never through a link.
    """
    rel = path.relative_to(site).as_posix()
    try:
        data_bytes = read_site_file(site, rel) if reader is None else reader.read(rel)
    except UnsafeFile as exc:
        return [], [_problem(exc.code, rel, (1, 1), **exc.params)]
    except OSError as exc:
        return [], [_problem("unreadable", rel, (1, 1), detail=exc.strerror or str(exc))]
    digest = hashlib.blake2b(data_bytes, digest_size=12).hexdigest()
    if _looks_utf16(data_bytes):
        return [], [_problem("utf16", rel)]
    try:
        text = data_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data_bytes[: exc.start].count(b"\n") + 1
        return [], [_problem("not-utf8", rel, (line, 1), detail=str(exc.reason))]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    body, body_line, offset = "", 1, 0
    if path.suffix == ".md":
        split = split_front_matter(text)
        if isinstance(split, str):
            return [], [_problem(split, rel)]
        yaml_text, offset, body, body_line = split
    else:
        yaml_text = text
    try:
        data, findings = parse_yaml(yaml_text, line_offset=offset)
    except YamlSyntaxError as exc:
        params = {"limit": MAX_DEPTH} if exc.code == "yaml-too-deep" else {"detail": exc.problem}
        return [], [_problem(exc.code, rel, exc.pos, **params)]
    problems = [_finding(rel, d) for d in findings]
    if kind in ("issue", "region"):
        if not isinstance(data, PosList):
            return [], [*problems, _problem("data-not-list", rel, _start(data))]
        records = [RawRecord(kind, rel, item, digest=digest) for item in data]
        for item, pos in zip(data, data.item_pos, strict=True):
            if not isinstance(item, PosDict):
                problems.append(_problem("record-not-mapping", rel, pos))
        return [r for r in records if isinstance(r.data, PosDict)], problems
    if not isinstance(data, PosDict):
        code = "front-matter-empty" if data is None else "record-not-mapping"
        return [], [*problems, _problem(code, rel, _start(data, offset))]
    return [RawRecord(kind, rel, data, body, body_line, digest)], problems


def _looks_utf16(data: bytes) -> bool:
    """A UTF-16 file (Windows Notepad's "Unicode"): a byte-order mark, or NULs between ASCII."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:200]
    if len(head) >= 4 and head.count(b"\0") * 3 >= len(head):
        return True
    # Thai in UTF-16 holds no NULs (U+0E01 is 01 0E), but a record starts with ASCII (---)
    first = data[:8]
    return len(first) == 8 and (first[1::2] == b"\0" * 4 or first[0::2] == b"\0" * 4)


def _start(data: Any, offset: int = 0) -> tuple[int, int]:
    return getattr(data, "pos", (offset + 1, 1))


def _finding(path: str, dup: DuplicateKey | Surprise) -> Problem:
    if isinstance(dup, Surprise):
        return _problem(dup.code, path, dup.pos, **dup.params)
    return Problem(
        "error",
        "duplicate-key",
        path,
        dup.pos[0],
        dup.pos[1],
        field=dup.key,
        params={"first_line": dup.first[0]},
    )
