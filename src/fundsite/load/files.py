"""Find a site's record files and read each into a :class:`RawRecord` with source positions.

Nothing here judges the content: a file that cannot be read or parsed becomes a problem, and
loading goes on with the next file so that one run reports everything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fundsite.diagnostics import Problem
from fundsite.load.yamlpos import DuplicateKey, PosDict, PosList, YamlSyntaxError, parse_yaml

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


def discover(site: Path) -> Iterator[tuple[str, Path]]:
    """Yield ``(kind, path)`` for every record file of the site, in a stable order."""
    data = site / "data"
    for stem, kind in DATA_FILES.items():
        for suffix in (".yaml", ".yml"):
            if (data / f"{stem}{suffix}").is_file():
                yield kind, data / f"{stem}{suffix}"
    content = site / "content"
    for folder, kind in CONTENT_KINDS.items():
        root = content / folder
        if root.is_dir():
            for path in sorted(root.rglob("*.md")):
                yield kind, path


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


def read_record(kind: str, path: Path, site: Path) -> tuple[list[RawRecord], list[Problem]]:
    """Read one file. Data files hold lists (issues, regions) or a mapping (site)."""
    rel = path.relative_to(site).as_posix()
    try:
        data_bytes = path.read_bytes()
        digest = hashlib.blake2b(data_bytes, digest_size=12).hexdigest()
        text = data_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [_problem("not-utf8", rel, (1, 1), detail=str(exc.reason))]
    except OSError as exc:
        return [], [_problem("unreadable", rel, (1, 1), detail=exc.strerror or str(exc))]
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
        data, duplicates = parse_yaml(yaml_text, line_offset=offset)
    except YamlSyntaxError as exc:
        return [], [_problem("yaml-syntax", rel, exc.pos, detail=exc.problem)]
    problems = [_duplicate(rel, d) for d in duplicates]
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


def _start(data: Any, offset: int = 0) -> tuple[int, int]:
    return getattr(data, "pos", (offset + 1, 1))


def _duplicate(path: str, dup: DuplicateKey) -> Problem:
    return Problem(
        "error",
        "duplicate-key",
        path,
        dup.pos[0],
        dup.pos[1],
        field=dup.key,
        params={"first_line": dup.first[0]},
    )
