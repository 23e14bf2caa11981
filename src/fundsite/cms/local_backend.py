"""The form editor's backend in ``fundsite serve``: Decap CMS's local-backend protocol, no Node.

Decap's ``proxy`` backend (:func:`fundsite.cms.config.backend` with ``local=True``) POSTs
``{"branch", "action", "params"}`` as JSON to :data:`~fundsite.cms.config.LOCAL_API`, and
decap-server's ``localFs`` middleware is the reference answer. :func:`handle` answers one such
request over a site folder and returns ``(status, JSON value)``; a refusal is
``{"error": message}`` with a 4xx/5xx status, which Decap shows to the editor. The actions:
``info``, ``entriesByFolder``, ``entriesByFiles``, ``getEntry``, ``persistEntry``, ``getMedia``,
``getMediaFile``, ``persistMedia``, ``deleteFile``, ``deleteFiles``, ``getDeployPreview``.

Every file of the site is hostile input and any web page can send requests to 127.0.0.1, so:

- a path is site-relative and ``/``-separated, without empty, ``.``, ``..`` or hidden segments,
  control characters or backslashes (:func:`record_path`, :func:`media_path`). Records are the
  ``.md`` files of the record format's layout (``content/funds/<id>.md``,
  ``content/plans/<fund>/<id>.md``, ``content/projects/<id>.md``,
  ``content/reports/<yyyy>/<id>.md``, ``content/pages/<slug>.md``); media are read from
  ``content/media/`` and uploaded to ``content/media/<yyyy>/`` only. ``data/`` is never touched.
- every folder on the way is opened one component at a time without following a link
  (``O_NOFOLLOW``), listings skip links, and only regular files are read, replaced or deleted
  (:mod:`fundsite.load.safe`); files are written to a temporary name and renamed into place, so
  the watcher of ``serve`` never sees half a file.
- sizes are bounded: records (:data:`~fundsite.load.safe.MAX_RECORD_BYTES`), media
  (:data:`~fundsite.validate.media.MAX_MEDIA_BYTES`), files listed (:data:`MAX_LISTED`), media
  bytes listed (:data:`MAX_MEDIA_LISTED`), files in one request (:data:`MAX_FILES`).
- an upload's bytes must be of the type its name says (:func:`~fundsite.validate.media.sniff`),
  its name is made clean (:func:`clean_media_name`), and it never replaces a different file; a
  new record never replaces a file.

Every change of records (a save, a rename, a deletion) and every deletion of media is checked
before anything is written: first each record on its own (:func:`own_problems`); then ``check``,
the caller's (``serve`` patches the edit into the build it keeps, as it does for an edit made
in a text editor: :func:`patch_check`), or else a full check of a temporary copy of the site
with the change made (:func:`overlay_check`). An error refuses the change and nothing is
written: the answer's ``error`` lists each problem as ``<file> บรรทัด <n> ช่อง <field>: <message>``
(:func:`describe`). Warnings do not stop a save; the answer carries them (``warnings``), and
``admin.js`` shows them.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import stat
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from fundsite.diagnostics import Problem
from fundsite.load.safe import (
    CLOEXEC,
    DIRECTORY,
    MAX_RECORD_BYTES,
    NOFOLLOW,
    UnsafeFile,
    open_folder,
    read_site_file,
)
from fundsite.messages import pick, render
from fundsite.validate.media import MAX_MEDIA_BYTES, TYPES, sniff

if TYPE_CHECKING:
    from fundsite.validate.patch import CheckState

#: The largest request body ``serve`` reads: one photo of the largest size, base64-encoded, with
#: its record.
MAX_BODY = 32 * 1024 * 1024
#: Files one listing returns at most (a bigger site is edited one fund at a time).
MAX_LISTED = 10_000
#: Bytes of media one ``getMedia`` answer carries at most (the rest is left out of the list).
MAX_MEDIA_LISTED = 64 * 1024 * 1024
#: Files one request may name (records and assets).
MAX_FILES = 50
#: Characters of a path.
MAX_PATH = 400

#: Record folders under ``content/`` and how many ``/``-separated parts their files' paths have.
LAYOUT = {"funds": 3, "plans": 4, "projects": 3, "reports": 4, "pages": 3}
MEDIA = "content/media"

# Changes to check: site-relative path → the new bytes, or None for a deletion.
Changes = dict[str, bytes | None]
#: ``check(changes)``: the problems of the changed files and the new ones of other files, or None
#: when it cannot tell (then :func:`overlay_check` decides).
Checker = Callable[[Changes], "list[Problem] | None"]

_TEXT: dict[str, tuple[str, str]] = {
    "bad-request": (
        "คำขอของตัวแก้ไขผิดรูปแบบ: {detail}",
        "malformed request from the editor: {detail}",
    ),
    "unknown-action": (
        "fundsite serve ไม่รองรับคำขอ {action} ของตัวแก้ไข",
        "Unknown action {action}",
    ),
    "bad-path": (
        'ตัวแก้ไขเปิดหรือเขียนไฟล์ "{path}" ไม่ได้: ได้เฉพาะไฟล์ .md ใน content/funds/,'
        " content/plans/<กองทุน>/, content/projects/, content/reports/<ปี ค.ศ.>/, content/pages/"
        " และไฟล์ภาพหรือ PDF ใน content/media/",
        'the editor cannot open or write "{path}": only .md files in content/funds/,'
        " content/plans/<fund>/, content/projects/, content/reports/<year>/, content/pages/ and"
        " photos or PDFs in content/media/",
    ),
    "media-folder": (
        "อัปโหลดไฟล์ได้เฉพาะในโฟลเดอร์ content/media/<ปี ค.ศ.>/ เช่น content/media/2025/"
        ' (ขอเขียนที่ "{path}"): อัปโหลดภาพด้วยปุ่ม "ไฟล์สื่อ" ด้านบน แล้วใส่ชื่อไฟล์ที่ได้'
        " (media/<ปี>/<ชื่อไฟล์>) ในช่องภาพกิจกรรม",
        'uploads go to content/media/<year>/ only, e.g. content/media/2025/ (asked for "{path}"):'
        " upload photos with the media button at the top, then write the name it gets"
        " (media/<year>/<name>) in the photos field",
    ),
    "media-name": (
        'ชื่อไฟล์ "{name}" ใช้ไม่ได้: ใช้ตัวอักษรไทย อังกฤษ ตัวเลข - และ _ เช่น "{clean}" แล้วอัปโหลดอีกครั้ง',
        'the file name "{name}" cannot be used: use Thai or English letters, digits, - and _,'
        ' e.g. "{clean}", and upload it again',
    ),
    "media-exists": (
        'มีไฟล์ "{path}" อยู่แล้ว และเนื้อไฟล์ไม่เหมือนไฟล์ที่อัปโหลด: ไม่เขียนทับไฟล์เดิม เปลี่ยนชื่อไฟล์แล้วอัปโหลดอีกครั้ง',
        'there is already a different file "{path}": it is not replaced; rename the file and'
        " upload it again",
    ),
    "record-exists": (
        'มีไฟล์ "{path}" อยู่แล้ว: ไม่เขียนทับ ใช้รหัสอื่น หรือเปิดรายการเดิมเพื่อแก้ไข',
        'there is already a file "{path}": it is not replaced; use another id, or open that'
        " entry to edit it",
    ),
    "not-file": (
        '"{path}" ไม่ใช่ไฟล์ธรรมดา (เป็นลิงก์หรือโฟลเดอร์): ตัวแก้ไขไม่อ่าน ไม่เขียนทับ และไม่ลบ',
        '"{path}" is not a regular file (a link or a folder): the editor neither reads,'
        " replaces nor deletes it",
    ),
    "not-found": ('ไม่พบไฟล์ "{path}"', 'there is no file "{path}"'),
    "too-many": (
        "โฟลเดอร์ {folder} มีไฟล์มากกว่า {limit:,} ไฟล์ ตัวแก้ไขแสดงทั้งหมดไม่ได้:"
        " เปิดตัวแก้ไขของกองทุนเดียว (/admin/?fund=รหัสกองทุน)",
        "{folder} holds more than {limit:,} files, too many to list: open the editor of one"
        " fund (/admin/?fund=<fund id>)",
    ),
    "too-many-files": (
        "คำขอหนึ่งครั้งบันทึกได้ไม่เกิน {limit} ไฟล์",
        "one request may save at most {limit} files",
    ),
    "refused": (
        "ยังไม่ได้บันทึก (ไฟล์ไม่เปลี่ยน): พบข้อผิดพลาด {n} รายการ",
        "Not saved (no file changed): {n} errors",
    ),
    "where": ("{file} บรรทัด {line}", "{file} line {line}"),
    "field": (" ช่อง {field}", " field {field}"),
    "internal": (
        "fundsite ทำงานผิดพลาด (ข้อบกพร่องของโปรแกรม ไม่ใช่ของข้อมูล): {detail}",
        "fundsite failed (a bug in fundsite, not in the records): {detail}",
    ),
}


class Refused(Exception):
    """A request answered with ``{"error": message}`` and ``status``."""

    def __init__(self, status: int, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []


class StateLost(Exception):
    """:func:`patch_check` could not put the kept check back as it was: check everything anew."""


def _t(key: str, lang: str, **params: Any) -> str:
    return pick(_TEXT[key], lang).format(**params)


# ---- problems as the editor reads them ---------------------------------------------------------


def describe(problem: Problem, lang: str = "th") -> str:
    """``<file> บรรทัด <line> ช่อง <field>: <message> → <hint>`` (the field only when known)."""
    message, hint = render(problem, lang)
    where = _t("where", lang, file=problem.file, line=problem.line)
    field = problem.field
    if field:
        where += _t("field", lang, field=field)
        for prefix in (f"ช่อง {field}: ", f"ช่อง {field} ", f"{field}: "):
            if message.startswith(prefix):  # the message names the field too: say it once
                message = message[len(prefix) :]
                break
    text = f"{where}: {message}"
    return f"{text} → {hint}" if hint else text


def _problem_json(problem: Problem, lang: str) -> dict[str, Any]:
    message, hint = render(problem, lang)
    return {
        "severity": problem.severity,
        "file": problem.file,
        "line": problem.line,
        "col": problem.col,
        "field": problem.field or "",
        "message": message,
        "hint": hint or "",
        "text": describe(problem, lang),
    }


def _verdict(problems: list[Problem], lang: str) -> dict[str, Any]:
    """Raise the refusal when ``problems`` hold an error; else the warnings to report."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise Refused(422, "\n".join(describe(p, lang) for p in errors), errors)
    warnings = [p for p in problems if p.severity == "warning"]
    if not warnings:
        return {}
    return {
        "warnings": [describe(p, lang) for p in warnings],
        "problems": [_problem_json(p, lang) for p in warnings],
    }


# ---- paths -----------------------------------------------------------------------------------

_BAD_CHAR = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")
_YEAR = re.compile(r"[0-9]{4}")
_NAME_CHARS = re.compile(r"[^0-9a-z\u0e01-\u0e3a\u0e40-\u0e4e\u0e50-\u0e59_-]+")


def _parts(value: Any, lang: str) -> list[str]:
    """The segments of a clean site-relative path, or :class:`Refused`."""
    if not isinstance(value, str) or not value or len(value) > MAX_PATH:
        raise Refused(422, _t("bad-path", lang, path=str(value)[:MAX_PATH]))
    parts = value.split("/")
    if (
        _BAD_CHAR.search(value)
        or any(not p or p.startswith(".") or len(p.encode("utf-8", "replace")) > 255 for p in parts)
        or value != value.strip()
    ):
        raise Refused(422, _t("bad-path", lang, path=value.encode("unicode_escape").decode()))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(422, _t("bad-path", lang, path=ascii(value))) from None
    return parts


def record_path(value: Any, lang: str = "th") -> str:
    """``value`` when it is where a record of the record format sits; :class:`Refused` if not."""
    parts = _parts(value, lang)
    ok = (
        len(parts) >= 3
        and parts[0] == "content"
        and LAYOUT.get(parts[1]) == len(parts)
        and parts[-1].endswith(".md")
        and len(parts[-1]) > 3
        and (parts[1] != "reports" or bool(_YEAR.fullmatch(parts[2])))
    )
    if not ok:
        raise Refused(422, _t("bad-path", lang, path=value))
    return str(value)


def record_folder(value: Any, lang: str = "th") -> str:
    """A folder of records (``content/reports``, ``content/plans/L5218``…), or :class:`Refused`."""
    parts = _parts(str(value).rstrip("/") if isinstance(value, str) else value, lang)
    if not (2 <= len(parts) < LAYOUT.get(parts[1] if len(parts) > 1 else "", 0)):
        raise Refused(422, _t("bad-path", lang, path=value))
    if parts[0] != "content":
        raise Refused(422, _t("bad-path", lang, path=value))
    return "/".join(parts)


def media_path(value: Any, lang: str = "th", upload: bool = False) -> str:
    """A file under ``content/media/`` (for an upload: ``content/media/<yyyy>/<name>`` of a type
    the portal publishes), or :class:`Refused`."""
    parts = _parts(value, lang)
    if upload and (parts[:2] != ["content", "media"] or len(parts) != 4):
        raise Refused(422, _t("media-folder", lang, path=value))
    if len(parts) < 3 or parts[:2] != ["content", "media"] or len(parts) > 6:
        raise Refused(422, _t("bad-path", lang, path=value))
    if upload and (len(parts) != 4 or not _YEAR.fullmatch(parts[2])):
        raise Refused(422, _t("media-folder", lang, path=value))
    return str(value)


def media_folder(value: Any, lang: str = "th") -> str:
    parts = _parts(str(value).rstrip("/") if isinstance(value, str) else value, lang)
    if len(parts) < 2 or parts[:2] != ["content", "media"] or len(parts) > 5:
        raise Refused(422, _t("bad-path", lang, path=value))
    return "/".join(parts)


def clean_media_name(name: str) -> str:
    """A file name safe in a URL and on every file system: NFC, lower case, Thai and ASCII
    letters, digits, ``-`` and ``_``, one extension: ``ภาพ กิจกรรม (1).JPG`` is
    ``ภาพ-กิจกรรม-1.jpg``."""
    stem, dot, ext = unicodedata.normalize("NFC", name).rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = _NAME_CHARS.sub("-", stem.lower()).strip("-_")[:80].strip("-_") or "file"
    ext = re.sub(r"[^0-9a-z]", "", ext.lower())[:8]
    return f"{stem}.{ext}" if ext else stem


# ---- the file system, without following a link -------------------------------------------------


class _NotFile(Exception):
    """A link, a folder or a device where a file was expected, or a link on the way."""


def _open_folder(site: Path, parts: list[str], create: bool = False) -> int:
    """:func:`fundsite.load.safe.open_folder`; FileNotFoundError when missing,
    :class:`_NotFile` for a link or a file on the way."""
    try:
        return open_folder(site, parts, create)
    except UnsafeFile as exc:
        raise _NotFile(exc.rel) from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise _NotFile("/".join(parts)) from None
        raise


def _lstat(fd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def read_file(site: Path, rel: str, limit: int) -> bytes | None:
    """The regular file ``rel`` (no link followed), None when it is not there; :class:`_NotFile`
    for a link or another kind of file, :class:`UnsafeFile` for one above ``limit`` bytes."""
    try:
        return read_site_file(site, rel, limit)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except UnsafeFile as exc:
        if exc.code in ("symlink", "not-regular-file"):
            raise _NotFile(rel) from None
        raise
    except IsADirectoryError:
        raise _NotFile(rel) from None


def write_file(site: Path, rel: str, data: bytes, replace: bool) -> bool:
    """Write ``data`` to ``rel`` through a temporary file renamed into place; made folders follow
    no link. Without ``replace`` an existing file is never replaced (FileExistsError); a link
    or a non-regular file is never replaced (:class:`_NotFile`). False when the file already
    held exactly ``data`` (nothing written)."""
    parts = rel.split("/")
    fd = _open_folder(site, parts[:-1], create=True)
    try:
        name = parts[-1]
        current = _lstat(fd, name)
        if current is not None and not stat.S_ISREG(current.st_mode):
            raise _NotFile(rel)
        if current is not None and current.st_size == len(data):
            with contextlib.suppress(OSError, UnsafeFile):
                if read_site_file(site, rel, max(len(data), 1)) == data:
                    return False
        if current is not None and not replace:
            raise FileExistsError(rel)
        tmp = f".fundsite-cms-{secrets.token_hex(6)}.tmp"  # hidden, and ignored by the watcher
        out = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC, 0o644, dir_fd=fd
        )
        try:
            with os.fdopen(out, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if replace:
                os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
            else:
                _link_new(fd, tmp, name, rel)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=fd)
        return True
    finally:
        os.close(fd)


def _link_new(fd: int, tmp: str, name: str, rel: str) -> None:
    """Give the written temporary file its name, failing if the name is taken meanwhile."""
    try:
        os.link(tmp, name, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
    except FileExistsError:
        raise FileExistsError(rel) from None
    except OSError as exc:  # a file system without hard links
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if _lstat(fd, name) is not None:
            raise FileExistsError(rel) from None
        os.rename(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)


def delete_file(site: Path, rel: str) -> bool:
    """Delete the regular file ``rel``; False when it is not there. A link or anything else
    that is not a regular file is never deleted (:class:`_NotFile`)."""
    parts = rel.split("/")
    try:
        fd = _open_folder(site, parts[:-1])
    except (FileNotFoundError, NotADirectoryError):
        return False
    try:
        current = _lstat(fd, parts[-1])
        if current is None:
            return False
        if not stat.S_ISREG(current.st_mode):
            raise _NotFile(rel)
        os.unlink(parts[-1], dir_fd=fd)
        return True
    finally:
        os.close(fd)


class _TooMany(Exception):
    pass


def list_files(
    site: Path, folder: str, depth: int, keep: Callable[[str], bool], limit: int = MAX_LISTED
) -> list[str]:
    """The regular files under ``folder`` at most ``depth`` folders down that ``keep`` accepts,
    sorted; links and hidden entries are skipped, never followed. :class:`_TooMany` above
    ``limit``."""
    found: list[str] = []
    try:
        fd = _open_folder(site, folder.split("/"))
    except (FileNotFoundError, NotADirectoryError, _NotFile):
        return found

    def walk(fd: int, prefix: str, depth: int) -> None:
        with os.scandir(fd) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            name = entry.name
            if name.startswith(".") or not _utf8(name) or entry.is_symlink():
                continue
            rel = f"{prefix}/{name}"
            if entry.is_dir(follow_symlinks=False):
                if depth > 1:
                    try:
                        sub = _open_folder(site, rel.split("/"))
                    except (OSError, _NotFile):
                        continue
                    try:
                        walk(sub, rel, depth - 1)
                    finally:
                        os.close(sub)
            elif entry.is_file(follow_symlinks=False) and keep(rel):
                found.append(rel)
                if len(found) > limit:
                    raise _TooMany

    try:
        walk(fd, folder, depth)
    finally:
        os.close(fd)
    return found


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the name (surrogate escapes)
        return False
    return True


# ---- checking a change before it is written ----------------------------------------------------


def _key(problem: Problem) -> tuple[Any, ...]:
    params = tuple(sorted((k, repr(v)) for k, v in problem.params.items()))
    return (problem.severity, problem.code, problem.file, problem.line, problem.col,
            problem.field, params, problem.hint)  # fmt: skip


def relevant(after: list[Problem], before: list[Problem], files: set[str]) -> list[Problem]:
    """The problems of ``files`` after the change, and the other files' problems it brought."""
    seen = Counter(_key(p) for p in before)
    out = []
    for problem in after:
        if problem.file in files:
            out.append(problem)
            continue
        key = _key(problem)
        if seen[key]:
            seen[key] -= 1
        else:
            out.append(problem)
    return out


def _kind_of(rel: str) -> str | None:
    from fundsite.load.files import CONTENT_KINDS

    parts = rel.split("/")
    return CONTENT_KINDS.get(parts[1]) if len(parts) >= 3 and parts[0] == "content" else None


def _own(rel: str, data: bytes) -> tuple[list[Problem], Any]:
    """One record checked on its own, as the first step of ``fundsite check`` does: (problems,
    its node or None)."""
    from fundsite.load.files import read_record
    from fundsite.validate.collector import Collector
    from fundsite.validate.records import check_record

    kind = _kind_of(rel)
    with tempfile.TemporaryDirectory(prefix="fundsite-cms-") as tmp:
        root = Path(tmp)
        path = root / rel
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        raws, problems = read_record(kind or "page", path, root)
        if len(raws) != 1:
            return problems, None
        out = Collector(root)
        checked = check_record(raws[0], out)
        return [*problems, *out.problems], checked.node


def own_problems(changes: Changes) -> list[Problem] | None:
    """The problems of the changed records read on their own, when one is an error (the change
    is refused with them: the link check comes once they are fixed); else None."""
    found: list[Problem] = []
    for rel, data in changes.items():
        if data is not None and rel.endswith(".md"):
            found += _own(rel, data)[0]
    return found if any(p.severity == "error" for p in found) else None


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def patch_check(state: CheckState, changes: Changes) -> list[Problem] | None:
    """The problems a change of one record brings, found as ``serve`` finds those of an edit
    made in a text editor (:func:`fundsite.validate.patch.patch`): the record is checked on its
    own, put in place of the old one in ``state`` and the rules about it and its neighbours run
    again, reading the new text from a temporary folder. ``state`` is then patched back to the
    files on disk, as it was. None when the patch path cannot take the change (another file
    kind, a changed link, a deletion, media, an edit the builder has not taken in yet): check
    everything then. :class:`StateLost` when ``state`` could not be put back."""
    from fundsite.validate.patch import neighbours, patch

    if len(changes) != 1:
        return None
    ((rel, data),) = changes.items()
    if data is None or _kind_of(rel) not in ("fund", "plan", "project", "report"):
        return None
    site = state.site_dir
    old = state.nodes.get(rel)
    try:
        on_disk = read_file(site, rel, MAX_RECORD_BYTES)
    except (OSError, UnsafeFile, _NotFile):
        return None
    if (old is None) != (on_disk is None):
        return None  # the builder has yet to take in an edit of this file
    if old is not None and on_disk is not None and old.digest != _digest(on_disk):
        return None
    problems, new = _own(rel, data)
    if new is None or any(p.severity == "error" for p in problems):
        return None
    if old is not None:
        scope = neighbours(old)
    else:
        project = state.graph.projects.get(getattr(new.record, "project", None) or "")
        if project is None:
            return None
        scope = [project, *project.reports]
    before = state.problems()
    with tempfile.TemporaryDirectory(prefix="fundsite-cms-") as tmp:
        root = Path(tmp)
        for node in scope:  # the rules re-read their positions from the files
            if node.path != rel:
                try:
                    text = read_file(site, node.path, MAX_RECORD_BYTES)
                except (OSError, UnsafeFile, _NotFile):
                    return None
                if text is None:
                    return None
                _put(root, node.path, text)
        _put(root, rel, data)
        state.site_dir = root
        try:
            patched = patch(state, [rel])
        except Exception:
            state.site_dir = site
            _put_back(state, rel, old, before)
            raise
        finally:
            state.site_dir = site
    if patched is None:
        return None  # nothing changed
    after = list(patched.problems)
    _put_back(state, rel, old, before)
    return relevant(after, before, {rel})


def _put_back(state: CheckState, rel: str, old: Any, before: list[Problem]) -> None:
    """Patch ``state`` back to the files on disk; :class:`StateLost` unless it is as before."""
    from fundsite.validate.patch import patch

    try:
        back = patch(state, [rel])
    except Exception as exc:
        raise StateLost(rel) from exc
    now = state.nodes.get(rel)
    same = (old is None and now is None) or (
        old is not None and now is not None and now.digest == old.digest
    )
    if (
        back is None
        or not same
        or Counter(map(_key, state.problems())) != Counter(map(_key, before))
    ):
        raise StateLost(rel)


def _put(root: Path, rel: str, data: bytes | None) -> None:
    path = root / rel
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a hard link to the site's file: never written through
    if data is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


OVERLAID = ("content", "data", "themes")


@contextlib.contextmanager
def _overlay(site: Path) -> Iterator[Path]:
    """A temporary copy of the site's ``content/``, ``data/`` and ``themes/``: files hard-linked
    where the file system allows (else copied), links recreated as links (so the check reports
    them as it does on the site), nothing followed."""
    parent: Path | None = None
    with contextlib.suppress(Exception):
        from fundsite.cache import site_cache

        parent = site_cache(site)
    with tempfile.TemporaryDirectory(prefix="cms-overlay-", dir=parent) as tmp:
        root = Path(tmp)
        for name in OVERLAID:
            try:
                fd = _open_folder(site, [name])
            except (OSError, _NotFile):
                continue
            try:
                _copy_tree(fd, root / name)
            finally:
                os.close(fd)
        yield root


def _copy_tree(fd: int, dest: Path) -> None:
    dest.mkdir()
    with os.scandir(fd) as it:
        entries = list(it)
    for entry in entries:
        name = entry.name
        if name == ".git":
            continue
        target = dest / name
        if entry.is_symlink():
            os.symlink(os.readlink(name, dir_fd=fd), target)
        elif entry.is_dir(follow_symlinks=False):
            sub = os.open(name, os.O_RDONLY | DIRECTORY | NOFOLLOW | CLOEXEC, dir_fd=fd)
            try:
                _copy_tree(sub, target)
            finally:
                os.close(sub)
        elif entry.is_file(follow_symlinks=False):
            try:
                os.link(name, target, src_dir_fd=fd, follow_symlinks=False)
            except OSError:
                src = os.open(name, os.O_RDONLY | NOFOLLOW | os.O_NONBLOCK | CLOEXEC, dir_fd=fd)
                with os.fdopen(src, "rb") as f_in, open(target, "wb") as f_out:
                    if stat.S_ISREG(os.fstat(f_in.fileno()).st_mode):
                        shutil.copyfileobj(f_in, f_out)


def overlay_check(
    site: Path,
    changes: Changes,
    baseline: tuple[Any, list[Problem]] | None = None,
    workers: int | None = 1,
) -> list[Problem]:
    """A full ``fundsite check`` of a temporary copy of the site with the change made: the
    problems of the changed files and the new ones of other files. ``baseline``: the data's date
    and the problems of the site as it is (a check of the copy before the change, when not
    given or of another date: the copy is not a git checkout, so its date may differ)."""
    from fundsite.history import snapshot_date
    from fundsite.validate import check_site

    site = site.resolve()
    with _overlay(site) as root:
        if baseline is None or baseline[0] != snapshot_date(root):
            before = check_site(root, workers=workers).problems
        else:
            before = baseline[1]
        for rel, data in changes.items():
            _put(root, rel, data)
        after = check_site(root, workers=workers).problems
    return relevant(after, before, set(changes))


def default_check(site: Path) -> Checker:
    """No kept check to patch (:func:`handle` outside ``serve``): always the full check."""

    def check(changes: Changes) -> list[Problem] | None:
        return None

    return check


# ---- the actions ---------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(site: Path, rel: str, label: Any = None) -> dict[str, Any]:
    """decap-server's entry: the text and its hash, or ``data: null`` when it cannot be read."""
    file: dict[str, Any] = {"path": rel, "id": None}
    if isinstance(label, str):
        file["label"] = label
    try:
        data = read_file(site, rel, MAX_RECORD_BYTES)
        text = data.decode("utf-8") if data is not None else None
    except (OSError, UnsafeFile, _NotFile, UnicodeDecodeError):
        data = text = None
    if data is None or text is None:
        return {"data": None, "file": file}
    file["id"] = _sha256(data)
    return {"data": text, "file": file}


def _media_file(rel: str, data: bytes) -> dict[str, Any]:
    return {
        "id": _sha256(data),
        "content": base64.b64encode(data).decode("ascii"),
        "encoding": "base64",
        "path": rel,
        "name": PurePosixPath(rel).name,
    }


def _is_record(rel: str) -> bool:
    try:
        record_path(rel)
    except Refused:
        return False
    return True


def _is_media(rel: str) -> bool:
    return PurePosixPath(rel).suffix.lower() in TYPES


def _param(params: dict[str, Any], name: str, kind: type, lang: str) -> Any:
    value = params.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise Refused(422, _t("bad-request", lang, detail=f'"{name}"'))
    return value


def _decoded(asset: Any, lang: str) -> tuple[str, bytes]:
    """An asset ``{path, content, encoding: base64}`` as (path, bytes), checked as an upload."""
    if not isinstance(asset, dict):
        raise Refused(422, _t("bad-request", lang, detail='"asset"'))
    rel = media_path(asset.get("path"), lang, upload=True)
    content = asset.get("content")
    if asset.get("encoding") != "base64" or not isinstance(content, str):
        raise Refused(422, _t("bad-request", lang, detail='"encoding"'))
    if len(content) > (MAX_MEDIA_BYTES // 3 + 1) * 4:
        size = len(content) // 4 * 3
        raise _file_problem("file-too-large", rel, lang, size=size, limit=MAX_MEDIA_BYTES)
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise Refused(422, _t("bad-request", lang, detail='"content"')) from None
    return rel, data


def _file_problem(code: str, rel: str, lang: str, **params: Any) -> Refused:
    problem = Problem("error", code, rel, params=params)
    return Refused(422, describe(problem, lang), [problem])


def _check_upload(rel: str, data: bytes, lang: str) -> None:
    """An upload's type by its name and its bytes, and its size: as ``fundsite check`` judges
    media (:func:`fundsite.validate.media.check_media`)."""
    name = PurePosixPath(rel).name
    suffix = PurePosixPath(rel).suffix
    expected = TYPES.get(suffix.lower())
    if expected is None:
        raise _file_problem("media-type" if suffix else "media-no-type", rel, lang, value=suffix)
    if len(data) > MAX_MEDIA_BYTES:
        raise _file_problem("file-too-large", rel, lang, size=len(data), limit=MAX_MEDIA_BYTES)
    if sniff(data[:16]) != expected:
        raise _file_problem("media-content", rel, lang, value=name)


def _write(site: Path, rel: str, data: bytes, replace: bool, lang: str) -> bool:
    try:
        return write_file(site, rel, data, replace)
    except FileExistsError:
        key = "record-exists" if rel.endswith(".md") else "media-exists"
        raise Refused(409, _t(key, lang, path=rel)) from None
    except _NotFile:
        raise Refused(409, _t("not-file", lang, path=rel)) from None


@dataclass
class _Request:
    site: Path
    params: dict[str, Any]
    check: Checker
    lang: str
    written: Callable[[str], None]


def _checked(req: _Request, changes: Changes) -> dict[str, Any]:
    """Check ``changes`` (see the module's docstring): the warnings, or :class:`Refused`.

    A record with errors of its own is refused with those: ``fundsite check`` leaves such a
    record out of the site, so its links and the rules about it are judged once it reads."""
    problems = own_problems(changes)
    if problems is None:
        problems = req.check(changes)
    if problems is None:
        problems = overlay_check(req.site, changes)
    return _verdict(problems, req.lang)


def _info(req: _Request) -> Any:
    return {"repo": req.site.name, "publish_modes": ["simple"], "type": "local_fs"}


def _entries_by_folder(req: _Request) -> Any:
    folder = record_folder(req.params.get("folder"), req.lang)
    extension = req.params.get("extension")
    depth = req.params.get("depth", 1)
    if not isinstance(depth, int) or isinstance(depth, bool) or not 0 <= depth <= 4:
        raise Refused(422, _t("bad-request", req.lang, detail='"depth"'))
    if not isinstance(extension, str) or extension.lstrip(".") != "md":
        return []
    try:
        files = list_files(req.site, folder, depth, _is_record)
    except _TooMany:
        raise Refused(413, _t("too-many", req.lang, folder=folder, limit=MAX_LISTED)) from None
    return [_entry(req.site, rel) for rel in files]


def _entries_by_files(req: _Request) -> Any:
    files = _param(req.params, "files", list, req.lang)
    if len(files) > MAX_LISTED:
        raise Refused(413, _t("too-many", req.lang, folder="", limit=MAX_LISTED))
    out = []
    for item in files:
        if not isinstance(item, dict):
            raise Refused(422, _t("bad-request", req.lang, detail='"files"'))
        out.append(_entry(req.site, record_path(item.get("path"), req.lang), item.get("label")))
    return out


def _get_entry(req: _Request) -> Any:
    return _entry(req.site, record_path(req.params.get("path"), req.lang))


def _persist_entry(req: _Request) -> Any:
    lang = req.lang
    params = req.params
    data_files = params.get("dataFiles")
    if data_files is None and "entry" in params:
        data_files = [params["entry"]]
    assets = params.get("assets", [])
    options = params.get("options") or {}
    if not isinstance(data_files, list) or not data_files or not isinstance(assets, list):
        raise Refused(422, _t("bad-request", lang, detail='"dataFiles"'))
    if not isinstance(options, dict):
        raise Refused(422, _t("bad-request", lang, detail='"options"'))
    if len(data_files) + len(assets) > MAX_FILES:
        raise Refused(413, _t("too-many-files", lang, limit=MAX_FILES))
    new_entry = options.get("newEntry") is True
    changes: Changes = {}
    records: list[tuple[str, bytes, str | None]] = []  # (path, bytes, the old path it moves from)
    for item in data_files:
        if not isinstance(item, dict) or not isinstance(item.get("raw"), str):
            raise Refused(422, _t("bad-request", lang, detail='"raw"'))
        rel = record_path(item.get("path"), lang)
        raw = item["raw"].encode("utf-8", "surrogatepass")
        if len(raw) > MAX_RECORD_BYTES:
            raise _file_problem("file-too-large", rel, lang, size=len(raw), limit=MAX_RECORD_BYTES)
        moved_from = None
        if item.get("newPath") not in (None, "", rel):
            moved_from, rel = rel, record_path(item["newPath"], lang)
            changes[moved_from] = None
        records.append((rel, raw, moved_from))
        changes[rel] = raw
    uploads: list[tuple[str, bytes]] = []
    for asset in assets:
        rel, data = _decoded(asset, lang)
        name = PurePosixPath(rel).name
        if clean_media_name(name) != name:
            raise Refused(422, _t("media-name", lang, name=name, clean=clean_media_name(name)))
        _check_upload(rel, data, lang)
        uploads.append((rel, data))
        changes[rel] = data
    for rel, _raw, moved_from in records:  # never replace another file
        try:
            exists = read_file(req.site, rel, MAX_RECORD_BYTES) is not None
        except UnsafeFile:
            exists = True
        except _NotFile:
            raise Refused(409, _t("not-file", lang, path=rel)) from None
        if exists and (new_entry or moved_from is not None):
            raise Refused(409, _t("record-exists", lang, path=rel))
    for rel, data in uploads:
        _same_or_new(req.site, rel, data, lang)
    answer = {"message": "entry persisted", **_checked(req, changes)}
    for rel, data in uploads:  # media first: the rebuild after the record then finds them
        if _write(req.site, rel, data, replace=False, lang=lang):
            req.written(rel)
    for rel, raw, moved_from in records:
        _write(req.site, rel, raw, replace=not new_entry and moved_from is None, lang=lang)
        req.written(rel)
        if moved_from is not None:
            with contextlib.suppress(_NotFile):
                delete_file(req.site, moved_from)
            req.written(moved_from)
    return answer


def _same_or_new(site: Path, rel: str, data: bytes, lang: str) -> None:
    """Refuse an upload whose name a different file holds already."""
    try:
        current = read_file(site, rel, MAX_MEDIA_BYTES)
    except (UnsafeFile, _NotFile):
        raise Refused(409, _t("media-exists", lang, path=rel)) from None
    if current is not None and current != data:
        raise Refused(409, _t("media-exists", lang, path=rel))


def _get_media(req: _Request) -> Any:
    value = req.params.get("mediaFolder")
    if not (isinstance(value, str) and value.startswith(f"{MEDIA}/")):
        _parts(value, req.lang)  # Decap asks for an entry's own folder too: it holds no media
        return []
    folder = media_folder(value, req.lang)
    try:
        files = list_files(req.site, folder, 1, _is_media)
    except _TooMany:
        raise Refused(413, _t("too-many", req.lang, folder=folder, limit=MAX_LISTED)) from None
    out, total = [], 0
    for rel in files:
        try:
            data = read_file(req.site, rel, MAX_MEDIA_BYTES)
        except (OSError, UnsafeFile, _NotFile):
            continue
        if data is None:
            continue
        total += len(data)
        if total > MAX_MEDIA_LISTED:
            break
        out.append(_media_file(rel, data))
    return out


def _get_media_file(req: _Request) -> Any:
    rel = media_path(req.params.get("path"), req.lang)
    try:
        data = read_file(req.site, rel, MAX_MEDIA_BYTES)
    except _NotFile:
        raise Refused(409, _t("not-file", req.lang, path=rel)) from None
    except UnsafeFile as exc:
        raise _file_problem(exc.code, rel, req.lang, **exc.params) from None
    if data is None:
        raise Refused(404, _t("not-found", req.lang, path=rel))
    return _media_file(rel, data)


def _persist_media(req: _Request) -> Any:
    lang = req.lang
    rel, data = _decoded(req.params.get("asset"), lang)
    folder, _, name = rel.rpartition("/")
    clean = clean_media_name(name)
    _check_upload(f"{folder}/{clean}", data, lang)
    rel = f"{folder}/{clean}"
    _same_or_new(req.site, rel, data, lang)
    if _write(req.site, rel, data, replace=False, lang=lang):
        req.written(rel)
    return _media_file(rel, data)


def _delete(req: _Request, paths: list[Any]) -> dict[str, Any]:
    lang = req.lang
    if not paths or len(paths) > MAX_FILES:
        raise Refused(422, _t("bad-request", lang, detail='"paths"'))
    rels = []
    for value in paths:
        is_media = isinstance(value, str) and value.startswith(f"{MEDIA}/")
        rels.append(media_path(value, lang) if is_media else record_path(value, lang))
    changes: Changes = {}
    for rel in rels:
        try:
            exists = read_file(req.site, rel, MAX_MEDIA_BYTES) is not None
        except _NotFile:
            raise Refused(409, _t("not-file", lang, path=rel)) from None
        except UnsafeFile:
            exists = True
        if exists:
            changes[rel] = None
    answer = _checked(req, changes) if changes else {}
    for rel in changes:
        try:
            delete_file(req.site, rel)
        except _NotFile:
            raise Refused(409, _t("not-file", lang, path=rel)) from None
        req.written(rel)
    return {"message": f"deleted files {', '.join(rels)}", **answer}


def _delete_file(req: _Request) -> Any:
    return _delete(req, [req.params.get("path")])


def _delete_files(req: _Request) -> Any:
    paths = _param(req.params, "paths", list, req.lang)
    return _delete(req, paths)


def _deploy_preview(req: _Request) -> Any:
    return None


ACTIONS: dict[str, Callable[[_Request], Any]] = {
    "info": _info,
    "entriesByFolder": _entries_by_folder,
    "entriesByFiles": _entries_by_files,
    "getEntry": _get_entry,
    "persistEntry": _persist_entry,
    "getMedia": _get_media,
    "getMediaFile": _get_media_file,
    "persistMedia": _persist_media,
    "deleteFile": _delete_file,
    "deleteFiles": _delete_files,
    "getDeployPreview": _deploy_preview,
}


def handle(
    site: Path,
    request: Any,
    check: Checker | None = None,
    lang: str = "th",
    written: Callable[[str], None] | None = None,
) -> tuple[int, Any]:
    """Answer one request of Decap's proxy backend: ``(HTTP status, JSON value)``.

    ``check`` finds the problems a change brings when it can (``serve``: :func:`patch_check` on
    the build it keeps), None otherwise (then :func:`overlay_check`). ``written(path)`` is
    called for each file written or deleted (``serve`` rebuilds after it)."""
    site = Path(site).resolve()
    if not isinstance(request, dict) or not isinstance(request.get("action"), str):
        return 422, {"error": _t("bad-request", lang, detail='"action"')}
    action = request["action"]
    params = request.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        return 422, {"error": _t("bad-request", lang, detail='"params"')}
    answer = ACTIONS.get(action)
    if answer is None:
        return 422, {"error": _t("unknown-action", lang, action=action[:60])}
    req = _Request(site, params, check or default_check(site), lang, written or (lambda rel: None))
    try:
        return 200, answer(req)
    except Refused as exc:
        body: dict[str, Any] = {"error": exc.message}
        if exc.problems:
            body["title"] = _t("refused", lang, n=len(exc.problems))
            body["problems"] = [_problem_json(p, lang) for p in exc.problems]
        return exc.status, body
    except _NotFile as exc:
        return 409, {"error": _t("not-file", lang, path=str(exc))}
    except UnsafeFile as exc:
        problem = Problem("error", exc.code, exc.rel, params=exc.params)
        return 409, {"error": describe(problem, lang)}
    except OSError as exc:
        return 500, {"error": _t("internal", lang, detail=exc.strerror or type(exc).__name__)}
