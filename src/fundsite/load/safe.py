"""Reading a site's files as hostile input: never through a symbolic link, never a device.

Every file of a site arrives in a pull request. A committed symbolic link
(``content/projects/env.md -> /proc/self/environ``) must not make fundsite read, print or
publish anything outside the site, and a FIFO or device must not hang or flood it. So files are
opened relative to the site folder one path component at a time with ``O_NOFOLLOW``: a link
anywhere on the way is refused before anything behind it is read, and only regular files of at
most a given size are read at all.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

#: The largest record or data file fundsite reads (a long project write-up is ~20 kB).
MAX_RECORD_BYTES = 2 * 1024 * 1024

#: open() flags where the system has them (0 where not)
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting for a writer
_DIR_FD = os.open in os.supports_dir_fd and bool(NOFOLLOW)


class UnsafeFile(OSError):
    """A file fundsite refuses to read: ``code`` names the message (see ``messages``)."""

    def __init__(self, code: str, rel: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.rel = rel
        self.params = params


def _parts(rel: str) -> list[str]:
    parts = rel.split("/")
    if not rel or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise UnsafeFile("path-outside", rel)
    return parts


class SiteReader:
    """Reads files of one site folder; keeps the last folder open (records come folder by
    folder, so each file costs one ``open`` more than a plain read, not one per folder)."""

    def __init__(self, site: Path) -> None:
        self.site = Path(site)
        self._dir: tuple[str, int] | None = None

    def close(self) -> None:
        if self._dir is not None:
            os.close(self._dir[1])
            self._dir = None

    def __enter__(self) -> SiteReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _folder(self, rel: str, parts: list[str]) -> int:
        """An open descriptor of the folder holding ``rel``, no link followed on the way."""
        folder = "/".join(parts[:-1])
        if self._dir is not None and self._dir[0] == folder:
            return self._dir[1]
        self.close()
        fd = open_folder(self.site, parts[:-1])
        self._dir = (folder, fd)
        return fd

    def open(self, rel: str, limit: int = MAX_RECORD_BYTES) -> BinaryIO:
        """The regular file ``rel`` (site-relative, ``/``-separated), open for reading.

        Raises :class:`UnsafeFile` for a link, a non-regular file or one above ``limit``
        bytes, :class:`OSError` when it cannot be opened.
        """
        parts = _parts(rel)
        if not _DIR_FD:  # no openat(): check each component, then open
            return _open_checked(self.site, rel, parts, limit)
        return os.fdopen(self._open_fd(rel, parts, limit), "rb")

    def _open_fd(self, rel: str, parts: list[str], limit: int) -> int:
        """:meth:`open` as a descriptor (where there is ``openat()``)."""
        folder = self._folder(rel, parts)
        try:
            fd = os.open(parts[-1], os.O_RDONLY | NOFOLLOW | _NONBLOCK | CLOEXEC, dir_fd=folder)
        except OSError as exc:
            if exc.errno == errno.ELOOP and _is_link(folder, parts[-1]):
                raise UnsafeFile("symlink", rel) from None
            raise
        try:
            _refused(os.fstat(fd), rel, limit)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def read(self, rel: str, limit: int = MAX_RECORD_BYTES) -> bytes:
        """The bytes of the regular file ``rel``: see :meth:`open`."""
        parts = _parts(rel)
        if not _DIR_FD:
            with _open_checked(self.site, rel, parts, limit) as f:
                data = f.read(limit + 1)
        else:  # without a file object: a check reads 600,000 records
            fd = self._open_fd(rel, parts, limit)
            try:
                chunks, size = [], 0
                while size <= limit:
                    chunk = os.read(fd, limit + 1 - size)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
            finally:
                os.close(fd)
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        if len(data) > limit:  # it grew since it was opened
            raise UnsafeFile("file-too-large", rel, size=len(data), limit=limit)
        return data


def open_folder(site: Path, parts: list[str], create: bool = False) -> int:
    """An open descriptor of the folder ``site/parts…``, no link followed on the way (a link:
    :class:`UnsafeFile` ``symlink``); missing folders are made when ``create``."""
    fd = os.open(site, os.O_RDONLY | DIRECTORY | CLOEXEC)
    try:
        for i, name in enumerate(parts):
            flags = os.O_RDONLY | DIRECTORY | NOFOLLOW | CLOEXEC
            try:
                try:
                    nxt = os.open(name, flags, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(name, 0o755, dir_fd=fd)
                    nxt = os.open(name, flags, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(fd, name):
                    raise UnsafeFile("symlink", "/".join(parts[: i + 1])) from None
                raise
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def _checked(f: BinaryIO, rel: str, limit: int) -> BinaryIO:
    """``f`` if it is a regular file of at most ``limit`` bytes; closed and refused if not."""
    try:
        _refused(os.fstat(f.fileno()), rel, limit)
    except UnsafeFile:
        f.close()
        raise
    return f


def _refused(info: os.stat_result, rel: str, limit: int) -> None:
    """Raise :class:`UnsafeFile` unless ``info`` is of a regular file of at most ``limit``
    bytes."""
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile("not-regular-file", rel)
    if info.st_size > limit:
        raise UnsafeFile("file-too-large", rel, size=info.st_size, limit=limit)


def _is_link(dir_fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _open_checked(site: Path, rel: str, parts: list[str], limit: int) -> BinaryIO:
    path = site
    for i, name in enumerate(parts):
        path = path / name
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise UnsafeFile("symlink", "/".join(parts[: i + 1]))
    return _checked(open(path, "rb"), rel, limit)


def read_site_file(site: Path, rel: str, limit: int = MAX_RECORD_BYTES) -> bytes:
    """One file of the site, read as :meth:`SiteReader.read` reads it."""
    with SiteReader(site) as reader:
        return reader.read(rel, limit)


def source_lines(site: Path, rel: str) -> list[str]:
    """The lines of a site's text file as positions count them, or ``[]`` if it is not a
    regular file inside the site (a link's target is never shown)."""
    try:
        text = read_site_file(site, rel).decode("utf-8", errors="replace")
    except (OSError, ValueError):
        return []
    # lines as positions count them: \n, \r\n or \r (not str.splitlines's U+2028 and kin)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")
