"""The dated snapshot zip of ``data/``, deflated in chunks that a later build can copy.

Each member's deflate stream is a run of chunks, each deflated on its own (a fresh compressor,
ended by a sync flush), then one empty final block. A chunk's compressed bytes are therefore a
function of its own bytes, and the zip written after an edit copies from the last zip the
compressed chunks whose bytes did not change instead of deflating gigabytes again. Where a
chunk ends is decided by the records the data file holds (:func:`is_boundary`): an edit moves
only the chunk boundaries near it, and a clean build cuts the same chunks. It is plain
deflate, which every zip reader reads; the file is about 1.5% larger than one deflated in one
go (see :data:`CHUNK`).
"""

from __future__ import annotations

import errno
import os
import struct
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

#: The mean size of a chunk: one changed record costs deflating about this much again (13 ms
#: at level 6), and each chunk's start without the bytes before it costs 1.5% of the zip's
#: size (3% at 512 kB, 6% at 256 kB; measured on all.json of 50,000 projects).
CHUNK = 1 << 20
LEVEL = 6  # zlib's default, as ``zipfile`` deflates
_END = b"\x03\x00"  # an empty final block (fixed Huffman codes): the stream's end
_ZIP64_LIMIT = (1 << 31) - 1  # as ``zipfile``: larger sizes and offsets take ZIP64 fields
_FILE_HEADER = "<4s2B4HL2L2H"
_CENTRAL = "<4s4B4HL2L5H2L"
_END_RECORD = "<4s4H2LH"
_END_RECORD64 = "<4sQ2H2L4Q"
_LOCATOR64 = "<4sLQL"
_ATTRIBUTES = 0o644 << 16  # -rw-r--r--


def owner_hash(owner: str) -> int:
    """A record id's 32-bit hash for :func:`is_boundary` (the same in every build)."""
    return zlib.crc32(owner.encode("utf-8", "surrogatepass"))


def is_boundary(owner: str, length: int) -> bool:
    """Whether a chunk ends after ``length`` bytes that belong to record ``owner``: with
    probability ``length / CHUNK``, decided by the record's id (the same in every build), so
    that chunks are ``CHUNK`` long on average whatever the size of a record's rows."""
    return length > 0 and owner_hash(owner) * CHUNK < length << 32


def deflate(data: bytes) -> bytes:
    """One chunk, deflated on its own and ending on a byte boundary (not the last block)."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


@dataclass
class Member:
    """Where a member's chunks are: their ends in the data file (``forced``: 1 where the end
    is an edge of a part of the file rather than :func:`is_boundary`'s), and the offset and
    length of each chunk's deflated bytes in the zip."""

    name: str
    size: int
    crc: int
    ends: array  # type: ignore[type-arg]  # 'Q'
    forced: bytes
    comp: array  # type: ignore[type-arg]  # 'Q'
    clen: array  # type: ignore[type-arg]  # 'Q'

    def valid(self, zip_size: int) -> bool:
        """The table is well formed: ends increasing to the size, chunks inside the zip."""
        n = len(self.ends)
        if not (len(self.forced) == len(self.comp) == len(self.clen) == n):
            return False
        if n == 0:
            return self.size == 0
        if self.ends[-1] != self.size or any(a >= b for a, b in pairwise(self.ends)):
            return False
        if self.ends[0] <= 0:
            return False
        return all(at + n <= zip_size for at, n in zip(self.comp, self.clen, strict=True))

    def chunk(self, start: int, end: int) -> int:
        """The index of the chunk that is exactly ``[start, end)``; -1 if there is none."""
        j = bisect_left(self.ends, end)
        if j == len(self.ends) or self.ends[j] != end:
            return -1
        return j if (self.ends[j - 1] if j else 0) == start else -1


#: A run of the new data file: ``[start, end, old]``, copied from ``old`` in the last one
#: (-1: made anew).
Piece = Sequence[int]


class ZipOut:
    """A zip written member by member to ``fd`` with explicit offsets; ``old_fd`` is the last
    zip, whose chunks :meth:`add` copies where it can."""

    def __init__(self, fd: int, day: date, old_fd: int | None) -> None:
        self.fd, self.old_fd = fd, old_fd
        day = min(max(day, date(1980, 1, 1)), date(2107, 12, 31))  # what DOS dates hold
        self.dosdate = (day.year - 1980) << 9 | day.month << 5 | day.day
        self.pos = 0
        self.written = 0  # bytes deflated anew (the rest was copied)
        self.entries: list[tuple[bytes, int, int, int, int, bool]] = []

    def add(
        self,
        name: str,
        source_fd: int,
        size: int,
        ends: Sequence[int],
        forced: bytes,
        pieces: Sequence[Piece],
        old: Member | None,
        crc: int | None,
    ) -> Member:
        """Add the data file open as ``source_fd`` (``size`` bytes, cut at ``ends``) under
        ``name``; ``pieces`` say which of its bytes are the last data file's, so that chunks
        ``old`` holds are copied. ``crc`` is the file's CRC-32 when known (it is read else)."""
        raw = name.encode("ascii")
        offset = self.pos
        zip64 = size * 21 > _ZIP64_LIMIT * 20  # as zipfile: room for deflate's overhead
        start = offset + 30 + len(raw) + (20 if zip64 else 0)
        self.pos = start
        comp, clen = array("Q"), array("Q")
        running = 0
        copy_from, copy_len = -1, 0
        p = 0
        begin = 0
        for end in ends:
            reused = -1
            while p < len(pieces) and pieces[p][1] <= begin:
                p += 1
            if old is not None and p < len(pieces):
                new_start, new_end, was = pieces[p]
                if was >= 0 and new_start <= begin and end <= new_end:
                    reused = old.chunk(was + begin - new_start, was + end - new_start)
            data = None
            if crc is None or reused < 0:
                data = _pread(source_fd, end - begin, begin)
                if crc is None:
                    running = zlib.crc32(data, running)
            if reused >= 0 and old is not None:
                at, n = old.comp[reused], old.clen[reused]
                if copy_from >= 0 and copy_from + copy_len == at:
                    copy_len += n
                else:
                    self._copy(copy_from, copy_len)
                    copy_from, copy_len = at, n
                comp.append(self.pos + copy_len - n)
                clen.append(n)
            else:
                assert data is not None
                self._copy(copy_from, copy_len)
                copy_from, copy_len = -1, 0
                packed = deflate(data)
                self.written += len(data)
                _pwrite(self.fd, packed, self.pos)
                comp.append(self.pos)
                clen.append(len(packed))
                self.pos += len(packed)
            begin = end
        self._copy(copy_from, copy_len)
        _pwrite(self.fd, _END, self.pos)
        self.pos += len(_END)
        crc = running if crc is None else crc
        compressed = self.pos - start
        header = struct.pack(
            _FILE_HEADER,
            b"PK\003\004",
            45 if zip64 else 20,
            0,
            0,
            zlib.DEFLATED,
            0,
            self.dosdate,
            crc,
            0xFFFFFFFF if zip64 else compressed,
            0xFFFFFFFF if zip64 else size,
            len(raw),
            20 if zip64 else 0,
        )
        extra = struct.pack("<HHQQ", 1, 16, size, compressed) if zip64 else b""
        _pwrite(self.fd, header + raw + extra, offset)
        self.entries.append((raw, offset, size, compressed, crc, zip64))
        return Member(name, size, crc, array("Q", ends), bytes(forced), comp, clen)

    def _copy(self, at: int, n: int) -> None:
        if n:
            assert self.old_fd is not None
            copy_range(self.old_fd, self.fd, at, self.pos, n)
            self.pos += n

    def close(self) -> None:
        """Write the central directory and the end records."""
        directory = self.pos
        for raw, offset, size, compressed, crc, zip64 in self.entries:
            extra_values = []
            sizes = (size, compressed)
            if size > _ZIP64_LIMIT or compressed > _ZIP64_LIMIT:
                extra_values += sizes
                sizes = (0xFFFFFFFF, 0xFFFFFFFF)
            at = offset
            if offset > _ZIP64_LIMIT:
                extra_values.append(offset)
                at = 0xFFFFFFFF
            extra = (
                struct.pack(f"<HH{len(extra_values)}Q", 1, 8 * len(extra_values), *extra_values)
                if extra_values
                else b""
            )
            version = 45 if extra_values or zip64 else 20
            entry = struct.pack(
                _CENTRAL,
                b"PK\001\002",
                max(version, 20),
                3,  # made on Unix
                version,
                0,
                0,
                zlib.DEFLATED,
                0,
                self.dosdate,
                crc,
                sizes[1],
                sizes[0],
                len(raw),
                len(extra),
                0,
                0,
                0,
                _ATTRIBUTES,
                at,
            )
            self._put(entry + raw + extra)
        count, length = len(self.entries), self.pos - directory
        tail = b""
        if count > 0xFFFF or directory > _ZIP64_LIMIT or length > _ZIP64_LIMIT:
            tail = struct.pack(
                _END_RECORD64, b"PK\006\006", 44, 45, 45, 0, 0, count, count, length, directory
            ) + struct.pack(_LOCATOR64, b"PK\006\007", 0, self.pos, 1)
            count, length = min(count, 0xFFFF), min(length, 0xFFFFFFFF)
            directory = min(directory, 0xFFFFFFFF)
        self._put(
            tail + struct.pack(_END_RECORD, b"PK\005\006", 0, 0, count, count, length, directory, 0)
        )

    def _put(self, data: bytes) -> None:
        _pwrite(self.fd, data, self.pos)
        self.pos += len(data)


def _pread(fd: int, n: int, at: int) -> bytes:
    data = os.pread(fd, n, at)
    while len(data) < n:  # a short read: ask for the rest
        more = os.pread(fd, n - len(data), at + len(data))
        if not more:
            raise OSError(f"a file of data/ ended early (at byte {at + len(data)})")
        data += more
    return data


def _pwrite(fd: int, data: bytes | memoryview, at: int) -> None:
    view = memoryview(data)
    while view:
        done = os.pwrite(fd, view, at)
        view, at = view[done:], at + done


_KERNEL_COPY = [hasattr(os, "copy_file_range")]
_NO_KERNEL_COPY = {
    errno.EXDEV,
    errno.ENOSYS,
    errno.EINVAL,
    errno.EOPNOTSUPP,
    errno.ENOTSUP,
    errno.EPERM,
    errno.EBADF,
}


def copy_range(src: int, dst: int, src_at: int, dst_at: int, n: int) -> None:
    """Copy ``n`` bytes between open files at explicit offsets: in the kernel where it can
    (``copy_file_range``; a reflink on file systems that share blocks), else through memory."""
    while n > 0 and _KERNEL_COPY[0]:
        try:
            done = os.copy_file_range(src, dst, n, src_at, dst_at)
        except OSError as exc:
            if exc.errno not in _NO_KERNEL_COPY:
                raise
            _KERNEL_COPY[0] = False  # not across these file systems: through memory from now on
            break
        if done <= 0:
            raise OSError(f"a file of data/ ended early (at byte {src_at})")
        src_at, dst_at, n = src_at + done, dst_at + done, n - done
    while n > 0:
        data = _pread(src, min(n, 1 << 20), src_at)
        _pwrite(dst, data, dst_at)
        src_at, dst_at, n = src_at + len(data), dst_at + len(data), n - len(data)
