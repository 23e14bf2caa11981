"""Media files (``content/media/``) are data, not code: photos and PDF attachments, checked by
their bytes, published only when a record names them.

A file named ``p.jpg`` that holds HTML, an ``.svg`` with ``onload=``, a ``.js`` or an
``.html`` would run on the portal's own origin, around the Markdown sanitizer: such files are
errors. A file no record names is a warning and is not published (a pull request cannot slip
files onto the site beside the records).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fundsite.diagnostics import Problem
from fundsite.load.safe import SiteReader, UnsafeFile
from fundsite.validate.graph import Node, ReportNode, SiteGraph

if TYPE_CHECKING:
    from fundsite.validate.collector import Collector

#: The types a portal publishes, by file name ending: what the bytes must then be.
TYPES: dict[str, str] = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".gif": "gif",
    ".webp": "webp",
    ".pdf": "pdf",
}
IMAGES = frozenset({"jpeg", "png", "gif", "webp"})
#: A photo from a phone is 2–8 MB; a citizen on a slow connection pays for every byte.
MAX_MEDIA_BYTES = 20 * 1024 * 1024


def sniff(head: bytes) -> str | None:
    """The type the first bytes of a file say it is (of :data:`TYPES`' types), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def check_media(site: Path, files: Iterable[str]) -> tuple[dict[str, str | None], list[Problem]]:
    """Each ``media/…`` file (relative to ``content/``) → its type, None when it is refused;
    and the problems of the refused ones."""
    types: dict[str, str | None] = {}
    problems: list[Problem] = []
    with SiteReader(site) as reader:
        for rel in files:
            path = f"content/{rel}"
            types[rel] = None
            expected = TYPES.get(PurePosixPath(rel).suffix.lower())
            if expected is None:
                suffix = PurePosixPath(rel).suffix
                code = "media-type" if suffix else "media-no-type"
                problems.append(_error(code, path, value=suffix))
                continue
            try:
                with reader.open(path, MAX_MEDIA_BYTES) as f:
                    found = sniff(f.read(16))
            except UnsafeFile as exc:
                problems.append(_error(exc.code, path, **exc.params))
                continue
            except OSError as exc:
                problems.append(_error("unreadable", path, detail=exc.strerror or str(exc)))
                continue
            if found != expected:
                problems.append(_error("media-content", path, value=PurePosixPath(rel).name))
                continue
            types[rel] = found
    return types, problems


def _error(code: str, path: str, **params: object) -> Problem:
    return Problem("error", code, path, params=params)


#: A link or image target in a Markdown body that points into the media folder, however
#: many ``../`` precede it.
_BODY_MEDIA = re.compile(r"""(?<![\w.-])(?:\.{1,2}/|/)*(media/[^\s)"'<>#?\]]+)""")


def media_refs(node: Node) -> frozenset[str]:
    """The ``media/…`` paths a record names: its photos and the media its body links to."""
    refs = set()
    if isinstance(node, ReportNode):
        refs.update(photo_path(p.src) for p in node.record.photos)
    if "media/" in node.body:
        refs.update(_BODY_MEDIA.findall(node.body))
    return frozenset(refs)


def photo_path(src: str) -> str:
    """A photo as written (``media/2019/a.jpg``, ``./media/…``) as a ``media/…`` path."""
    return src.lstrip("./") if src.startswith(".") else src


def photos(graph: SiteGraph, out: Collector) -> None:
    """Every photo a report names exists in ``content/media/`` and is an image. A file refused
    on its own (its type, its bytes, its size, a link) has its error already: not repeated."""
    for report in graph.reports.values():
        for i, photo in enumerate(report.record.photos):
            src = photo_path(photo.src)
            if ".." in PurePosixPath(src).parts or src not in graph.media:
                out.at(report, ("photos", i), "photo-missing", value=photo.src)
            elif graph.media[src] is not None and graph.media[src] not in IMAGES:
                out.at(report, ("photos", i), "photo-not-image", value=photo.src)


def unused_media(graph: SiteGraph, out: Collector) -> None:
    """Media no record names: a warning; they are not published."""
    named = referenced(graph)
    for rel, kind in graph.media.items():
        if kind is not None and rel not in named:
            out.add(Problem("warning", "media-unused", f"content/{rel}"))


def referenced(graph: SiteGraph) -> set[str]:
    """Every ``media/…`` path some record names."""
    named: set[str] = set()
    for node in graph.all_nodes():
        named |= media_refs(node)
    return named


def published(graph: SiteGraph) -> list[str]:
    """The media files the site publishes: named by a record, and of an accepted type."""
    named = referenced(graph)
    return sorted(rel for rel, kind in graph.media.items() if kind is not None and rel in named)
