"""One file of ``data/`` written as copies of the last one's bytes and new bytes.

A :class:`Spliced` file is given its parts in order (:mod:`fundsite.write.data_index`): text,
and arrays of groups, each group either a run copied from the last file (records whose key
did not change) or text made anew. Made-anew text that equals what the last file holds there
is copied too. Copies go from file to file in the kernel (``copy_file_range``); while the
file is still a copy of the last one's beginning nothing is written at all, so a file whose
every byte is the last one's is not touched (same bytes, same modification time).

It also cuts the file into the snapshot zip's chunks (:func:`chunkzip.is_boundary`): at every
part's edge, and after a group when the rule says so. In a copied run the cuts are the last
zip's (the rule reads only each group's record and length, which a copy keeps), so no run is
walked group by group.
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fundsite.write import chunkzip
from fundsite.write.chunkzip import Member, _pread, _pwrite, copy_range
from fundsite.write.data_index import Part

_FLUSH = 1 << 20


@dataclass
class Old:
    """The last write's file, verified to be the one its index entry describes."""

    fd: int
    size: int
    crc: int
    parts: list[Part]
    member: Member | None  # its chunks in the last zip, when that zip is usable
    starts: list[int]  # where each part starts

    @classmethod
    def of(cls, fd: int, size: int, crc: int, parts: list[Part], member: Member | None) -> Old:
        starts, at = [], 0
        for part in parts:
            starts.append(at)
            at += part.length
        return cls(fd, size, crc, parts, member, starts)


class Spliced:
    """A data file being written (see the module's text). ``create`` opens the new file for
    writing, the first time something differs from the last file."""

    def __init__(self, old: Old | None, create: Callable[[], int]) -> None:
        self.old, self._create = old, create
        self.fd = -1
        self.pos = 0
        self.written = 0  # bytes made anew
        self.pieces: list[list[int]] = []  # [new start, new end, old start or -1], merged
        self.ends: list[int] = []  # chunk ends
        self.forced = bytearray()  # 1: the end is a part's edge
        self.parts: list[Part] = []
        self._pending: list[int] | None = None  # a copy not made yet: [old at, new at, length]
        self._buf = bytearray()
        self._buf_at = 0
        self._lit: list[str] | None = None
        # the array being written
        self._store = ""
        self._hashes: Sequence[int] = ()  # :func:`chunkzip.owner_hash` of each record
        self._chunk = chunkzip.CHUNK
        self._newline: str | None = None
        self._seps = ("", "")  # before the array's first item, before the others
        self._first = True
        self._lengths = array("Q")
        self._old_lengths: array | None = None  # type: ignore[type-arg]
        self._old_start = 0
        self._cursor = (0, 0)  # (group, its offset) in the last file's array

    # ---- bytes -----------------------------------------------------------------------------

    def _materialize(self) -> None:
        if self.fd < 0:
            self.fd = self._create()
            if self.pos:  # so far a copy of the last file's beginning
                self._pending = [0, 0, self.pos]

    def _piece(self, n: int, was: int) -> None:
        last = self.pieces[-1] if self.pieces else None
        if (
            last is not None
            and last[1] == self.pos
            and (
                (was < 0 and last[2] < 0)
                or (was >= 0 and last[2] >= 0 and last[2] + last[1] - last[0] == was)
            )
        ):
            last[1] += n
        else:
            self.pieces.append([self.pos, self.pos + n, was])

    def _take(self, at: int, n: int) -> None:
        """Copy ``n`` bytes of the last file from ``at``."""
        if n <= 0:
            return
        if not (self.fd < 0 and at == self.pos):  # else: still the last file's beginning
            self._materialize()
            self._flush_buf()
            p = self._pending
            if p is not None and p[0] + p[2] == at and p[1] + p[2] == self.pos:
                p[2] += n
            else:
                self._flush_pending()
                self._pending = [at, self.pos, n]
        self._piece(n, at)
        self.pos += n

    def _put(self, data: bytes) -> None:
        """Write new bytes."""
        if not data:
            return
        self._materialize()
        self._flush_pending()
        if not self._buf:
            self._buf_at = self.pos
        self._buf += data
        self._piece(len(data), -1)
        self.pos += len(data)
        self.written += len(data)
        if len(self._buf) >= _FLUSH:
            self._flush_buf()

    def _same(self, at: int, data: bytes) -> bool:
        """Whether the last file holds ``data`` at ``at``."""
        assert self.old is not None
        return at + len(data) <= self.old.size and _pread(self.old.fd, len(data), at) == data

    def _flush_pending(self) -> None:
        if self._pending is not None:
            assert self.old is not None
            at, to, n = self._pending
            copy_range(self.old.fd, self.fd, at, to, n)
            self._pending = None

    def _flush_buf(self) -> None:
        if self._buf:
            _pwrite(self.fd, self._buf, self._buf_at)
            self._buf = bytearray()

    def _cut(self, forced: bool, at: int | None = None) -> None:
        """A chunk ends at ``at`` (here by default)."""
        at = self.pos if at is None else at
        last = self.ends[-1] if self.ends else 0
        if at > last:
            self.ends.append(at)
            self.forced.append(forced)
        elif forced and at == last and self.ends:
            self.forced[-1] = 1

    # ---- parts -----------------------------------------------------------------------------

    def _old_part(self, kind: str, store: str = "") -> tuple[int, Part] | None:
        k = len(self.parts)
        old = self.old
        if old is None or k >= len(old.parts):
            return None
        part = old.parts[k]
        if part.kind != kind or part.store != store:
            return None
        return old.starts[k], part

    def literal(self, text: str) -> None:
        """Text written whole; consecutive texts are one part."""
        if self._lit is None:
            self._lit = []
        self._lit.append(text)

    def _flush_literal(self) -> None:
        if self._lit is None:
            return
        data = "".join(self._lit).encode("utf-8")
        self._lit = None
        self._cut(True)
        old = self._old_part("lit")
        if old is not None and old[1].length == len(data) and self._same(old[0], data):
            self._take(old[0], len(data))
        else:
            self._put(data)
        self.parts.append(Part("lit", length=len(data)))
        self._cut(True)

    def begin_array(self, store: str, hashes: Sequence[int], newline: str | None) -> None:
        """An array of groups over ``store`` (``hashes``: its records' :func:`owner_hash`, in
        order): a JSON array whose items start a line of ``newline`` and one more space, or
        (``newline`` None) CSV rows."""
        self._flush_literal()
        self._cut(True)
        self._store, self._hashes, self._newline = store, hashes, newline
        self._chunk = chunkzip.CHUNK
        if newline is not None:
            self._seps = (f"[{newline} ", f",{newline} ")
        self._first = True
        self._lengths = array("Q")
        old = self._old_part("arr", store)
        if old is None:
            self._old_lengths = None
        else:
            self._old_start, self._old_lengths = old[0], old[1].lengths
            self._cursor = (0, old[0])

    def _old_at(self, k: int) -> int:
        """Where group ``k`` of the last file's array starts."""
        assert self._old_lengths is not None
        done, at = self._cursor
        if k < done:
            done, at = 0, self._old_start
        at += sum(self._old_lengths[done:k])
        self._cursor = (k, at)
        return at

    @property
    def can_copy(self) -> bool:
        return self._old_lengths is not None

    def copy_run(self, new_i: int, new_j: int, old_i: int) -> None:
        """Groups ``new_i`` to ``new_j`` are the last file's groups from ``old_i`` on."""
        assert self._old_lengths is not None and self.old is not None
        lengths = self._old_lengths[old_i : old_i + new_j - new_i]
        self._lengths.extend(lengths)
        start = self._old_at(old_i)
        end = start + sum(lengths)
        self._cursor = (old_i + len(lengths), end)
        if start == end:
            return
        if self._newline is not None:  # the first item of a JSON array opens it: "[" not ","
            first = next(i for i, n in enumerate(lengths) if n)
            if (start == self._old_start) != self._first:
                n = lengths[first]
                data = bytearray(_pread(self.old.fd, n, start))
                data[0:1] = b"[" if self._first else b","
                self._put(bytes(data))
                if self._rule(new_i + first, n):
                    self._cut(False)
                start += n
                lengths = lengths[first + 1 :]
                new_i += first + 1
            self._first = False
            if start == end:
                return
        here = self.pos
        self._take(start, end - start)
        member = self.old.member
        if member is None:  # the last zip's cuts are not known: find them group by group
            at = here
            for k, n in enumerate(lengths):
                at += n
                if self._rule(new_i + k, n):
                    self._cut(False, at)
            return
        ends = member.ends
        for j in range(bisect_right(ends, start), bisect_left(ends, end)):
            self._cut(False, ends[j] - start + here)
        j = bisect_left(ends, end)
        if j < len(ends) and ends[j] == end:
            if not member.forced[j]:
                self._cut(False)
            else:  # an edge of the last file's array: whether the rule cuts there too
                k = len(lengths) - 1
                while not lengths[k]:
                    k -= 1
                if self._rule(new_i + k, lengths[k]):
                    self._cut(False)

    def _rule(self, k: int, n: int) -> bool:
        """Whether a chunk ends after record ``k``'s ``n`` bytes (:func:`chunkzip.is_boundary`)."""
        return n > 0 and self._hashes[k] * self._chunk < n << 32

    def group(self, k: int, old_k: int, text: str) -> None:
        """Group ``k``'s text made anew (items or rows, without the separator before them);
        ``old_k`` is the record's group in the last file, -1 if it had none."""
        if not text:
            self._lengths.append(0)
            return
        if self._newline is not None:
            text = self._seps[not self._first] + text
            self._first = False
        data = text.encode("utf-8")
        n = len(data)
        if old_k >= 0 and self._old_lengths is not None and self._old_lengths[old_k] == n:
            at = self._old_at(old_k)
            if self._same(at, data):
                self._take(at, n)
            else:
                self._put(data)
        elif self.fd >= 0 and self._pending is None:  # (the common case, inline)
            pieces = self.pieces
            last = pieces[-1] if pieces else None
            if last is not None and last[2] < 0 and last[1] == self.pos:
                last[1] += n
            else:
                pieces.append([self.pos, self.pos + n, -1])
            buf = self._buf
            if not buf:
                self._buf_at = self.pos
            buf += data
            self.pos += n
            self.written += n
            if len(buf) >= _FLUSH:
                self._flush_buf()
        else:
            self._put(data)
        self._lengths.append(n)
        if self._hashes[k] * self._chunk < n << 32:
            self._cut(False)

    def end_array(self) -> None:
        self._cut(True)
        self.parts.append(Part("arr", self._store, sum(self._lengths), self._lengths))
        if self._newline is not None:
            self.literal("[]" if self._first else self._newline + "]")
        self._old_lengths = None

    def finish(self) -> bool:
        """Write what is left; False when the file is the last one, untouched."""
        self._flush_literal()
        self._cut(True)
        if self.fd < 0 and self.old is not None and self.pos == self.old.size:
            return False
        self._materialize()
        self._flush_pending()
        self._flush_buf()
        os.close(self.fd)
        self.fd = -1
        return True

    def abandon(self) -> None:
        """Close the new file after a failure."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
