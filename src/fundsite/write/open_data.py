"""The ``data/`` folder: every table as CSV and JSON, ``all.json``, the data package, the
DCAT catalogue, the 360Giving grants, and a dated zip of them all.

Written incrementally (GitHub issue 17): a file is rewritten only when its bytes change, and
then the groups of rows of the records whose key did not change are copied from the last file
instead of being made again (:mod:`fundsite.write.data_index`, :mod:`fundsite.write.splice`);
the snapshot zip copies the deflated chunks of the bytes that did not change
(:mod:`fundsite.write.chunkzip`). The result is byte for byte what a write from nothing gives
(``tests/test_open_data_incremental.py``), and that is what it does without an index.

Every file is streamed to disk record by record (memory holds one record, not a table), and a
thread adds each finished file to the zip while the next is made (zlib releases the GIL).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, NamedTuple

from fundsite import collector
from fundsite.plan import exports
from fundsite.plan import giving as grants_of
from fundsite.plan.giving import GivingSummary
from fundsite.validate.graph import SiteGraph
from fundsite.write import catalogue, data_index
from fundsite.write.atomic import fresh, remove
from fundsite.write.chunkzip import Member, ZipOut, owner_hash
from fundsite.write.data_index import FileEntry, Index, Owners, ZipEntry
from fundsite.write.giving import _exact, _numbers
from fundsite.write.outputs import CsvTable, _encoded, _write_table, to_json
from fundsite.write.splice import Old, Spliced

#: What a project lacks to be a grant, as bits of the index's masks.
_BITS = {code: 1 << i for i, code in enumerate(grants_of.MISSING_LABELS)}
_PARTIAL = ".partial"


class OpenData(NamedTuple):
    """What :func:`write_open_data` wrote: the files, the 360Giving file's summary, the files
    it rewrote (the others are the last write's, untouched), their bytes, and the bytes it made
    anew (rows made and text deflated again, rather than copied)."""

    paths: list[str]
    giving: GivingSummary
    rewritten: tuple[str, ...] = ()
    rewritten_bytes: int = 0
    made: int = 0


def write_open_data(
    graph: SiteGraph,
    root: Path,
    snapshot_date: date,
    previous: Path | None = None,
    index_file: Path | None = None,
) -> OpenData:
    """Write the ``data/`` folder of ``root`` and a dated zip of it; return what was written.

    ``previous`` is the folder holding the last write (``root`` itself, or the output that
    ``root`` stages the next version of) and ``index_file`` its index: with both, the files
    whose bytes cannot have changed are left as they are and the others are spliced from them.
    The index is then saved for the next write (also when ``previous`` is None).
    """
    with collector.paused():
        return _Writer(graph, root, snapshot_date, previous, index_file).run()


@dataclass
class _Done:
    """A data file in place, for the zip and the index."""

    rel: str
    size: int
    parts: list[data_index.Part]
    pieces: list[list[int]]
    ends: list[int]
    forced: bytes
    member: Member | None  # its chunks in the last zip
    crc: int | None  # known when the file is the last one's
    untouched: bool


#: (first record, end, the first's index in the last write or -1, copied from it?)
_Segment = tuple[int, int, int, bool]


class _Lines:
    """What a :class:`CsvTable` writes, taken a row (or the header) at a time."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


class _Writer:
    def __init__(
        self,
        graph: SiteGraph,
        root: Path,
        day: date,
        previous: Path | None,
        index_file: Path | None,
    ) -> None:
        self.graph, self.root, self.day = graph, root, day
        self.previous, self.index_file = previous, index_file
        self.last: Index | None = None
        self.fds: list[int] = []  # the last write's files, open
        self.checker: ThreadPoolExecutor | None = None  # checks the last write's files
        self.verified: dict[str, Future[int]] = {}
        self.owners: dict[str, Owners] = {}
        self.nodes: dict[str, list[Any]] = {}
        self.hashes: dict[str, list[int]] = {}
        self.segments: dict[str, list[_Segment]] = {}
        self.masks = bytearray()
        self.open: dict[str, Spliced] = {}
        self.written: list[str] = []
        self.rewritten: list[str] = []
        self.rewritten_bytes = 0
        self.made = 0

    def _prepare(self) -> None:
        """Load the index, start checking the last write's files and hash the records' keys."""
        graph, last = self.graph, None
        if self.previous is not None and self.index_file is not None:
            last = data_index.load(self.index_file)
        self.last = last
        if last is not None and self.previous is not None:
            # read on two threads (zlib and reads let go of the GIL) while keys are hashed
            # and the files are written: the zip first (the zip thread asks for it first),
            # then the data files in the order they are written
            wanted = [(e.rel, e.size, e.crc) for e in ([last.zip] if last.zip else [])]
            wanted += [(rel, e.size, e.crc) for rel, e in last.files.items()]
            self.checker = ThreadPoolExecutor(max_workers=2)
            self.verified = {
                rel: self.checker.submit(self._verify, rel, size, crc) for rel, size, crc in wanted
            }
        self.owners = data_index.owner_keys(graph, last)
        self.nodes = {store: owners.nodes for store, owners in self.owners.items()}
        self.hashes = {
            store: [owner_hash(i) for i in owners.ids] for store, owners in self.owners.items()
        }
        self.segments = {
            store: _segments(owners, last.stores[store] if last else None)
            for store, owners in self.owners.items()
        }
        self.masks = bytearray(len(self.owners["projects"].ids))

    # ---- the last write ------------------------------------------------------------------

    def _verify(self, rel: str, size: int, crc: int) -> int:
        """The last write's ``rel`` open for reading if it is still what the index says (the
        same size and CRC-32 of every byte); -1 otherwise."""
        assert self.previous is not None
        fd = _open(self.previous / rel)
        if fd >= 0:
            self.fds.append(fd)
            if _crc(fd, size) == crc:
                return fd
        return -1

    def _checked(self, rel: str) -> int:
        found = self.verified.get(rel)
        return -1 if found is None else found.result()

    def old_zip(self) -> int:
        """The last zip, open, if it is the one the index describes; -1 otherwise."""
        last = self.last
        return -1 if last is None or last.zip is None else self._checked(last.zip.rel)

    def _old(self, rel: str) -> Old | None:
        """The last write's ``rel`` if it is still the file the index describes. Its chunks in
        the last zip are known from the index whether or not that zip is still whole: where a
        chunk ends depends on the data file alone."""
        last = self.last
        if last is None or rel not in last.files:
            return None
        fd = self._checked(rel)
        if fd < 0:
            return None
        entry = last.files[rel]
        member = last.zip.members.get(rel) if last.zip is not None else None
        return Old.of(fd, entry.size, entry.crc, entry.parts, member)

    # ---- files -----------------------------------------------------------------------------

    def _begin(self, rel: str) -> Spliced:
        partial = _partial(rel)

        def create() -> int:
            return os.open(fresh(self.root, partial), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)

        spliced = Spliced(self._old(rel), create)
        self.open[rel] = spliced
        return spliced

    def _end(self, rel: str, keep: bool = True) -> _Done | None:
        """Put the file in place (or drop it when not ``keep``)."""
        spliced = self.open.pop(rel)
        rewritten = spliced.finish()
        self.made += spliced.written
        if not keep:
            if rewritten:
                (self.root / _partial(rel)).unlink()
            remove(self.root, rel)
            return None
        if rewritten:
            _put_in_place(self.root, rel, in_place=self.previous == self.root)
            self.rewritten.append(rel)
            self.rewritten_bytes += spliced.pos
        else:
            assert self.previous is not None
            _place(self.previous / rel, self.root, rel)
        old = spliced.old
        return _Done(
            rel,
            spliced.pos,
            spliced.parts,
            spliced.pieces,
            spliced.ends,
            bytes(spliced.forced),
            old.member if old else None,
            None if rewritten or old is None else old.crc,
            not rewritten,
        )

    def _pass(
        self,
        store: str,
        outs: Sequence[tuple[Spliced, str | None]],
        render: Callable[[int], Sequence[str]],
        copied: Callable[[int, int, int], None] | None = None,
        render_copied: Callable[[int], Sequence[str]] | None = None,
    ) -> None:
        """One array over ``store`` in each of ``outs`` (a file and its array's newline):
        ``render`` makes a record's group of each, by its index; ``copied`` is told of the
        runs copied from the last write, before ``render_copied`` (``render`` if None) makes
        their groups for the files that cannot copy them."""
        hashes = self.hashes[store]
        for spliced, newline in outs:
            spliced.begin_array(store, hashes, newline)
        adds = [spliced.group for spliced, _ in outs]
        for first, end, was, copy in self.segments[store]:
            if copy:
                lacking = [i for i, (s, _) in enumerate(outs) if not s.can_copy]
                for spliced, _ in outs:
                    if spliced.can_copy:
                        spliced.copy_run(first, end, was)
                if copied is not None:
                    copied(first, end, was)
                for k in range(first, end) if lacking else ():
                    texts = (render_copied or render)(k)
                    for i in lacking:
                        adds[i](k, -1, texts[i])
            elif len(adds) == 1:
                (add,) = adds
                for k in range(first, end):
                    add(k, was + k - first if was >= 0 else -1, render(k)[0])
            else:
                for k in range(first, end):
                    old = was + k - first if was >= 0 else -1
                    for add, text in zip(adds, render(k), strict=True):
                        add(k, old, text)
        for spliced, _ in outs:
            spliced.end_array()

    # ---- the whole ---------------------------------------------------------------------------

    def run(self) -> OpenData:
        data = self.root / "data"
        snapshot = exports.snapshot_path(self.day)
        zipper: _Snapshot | None = None
        try:
            if data.is_dir():
                for leftover in data.glob(".*" + _PARTIAL):  # of a writer that was stopped
                    leftover.unlink(missing_ok=True)
            self._prepare()
            zipper = snap = _Snapshot(self, snapshot)
            futures: list[Future[None]] = []
            with ThreadPoolExecutor(max_workers=1) as pool:  # one thread: entries in order
                try:

                    def done(result: _Done | None) -> None:
                        if result is not None:
                            self.written.append(result.rel)
                            futures.append(pool.submit(snap.add, result))

                    summary = self._files(done)
                finally:
                    for spliced in self.open.values():
                        spliced.abandon()
                    self.open.clear()
                for future in futures:
                    future.result()  # re-raise a failure
            if zipper.finish():
                self.rewritten.append(snapshot)
                self.rewritten_bytes += zipper.size
            self.made += zipper.made
            folders = {data, *([self.previous / "data"] if self.previous else [])}
            for old in {f.name for folder in folders for f in folder.glob("snapshot-*.zip")}:
                if f"data/{old}" != snapshot:
                    remove(self.root, f"data/{old}")  # and from the live site, when staged
            if self.index_file is not None:
                self._save(zipper, snapshot)
        except BaseException:
            if zipper is not None:
                zipper.abandon()
            if data.is_dir():
                for leftover in data.glob(".*" + _PARTIAL):
                    leftover.unlink(missing_ok=True)
            raise
        finally:
            if self.checker is not None:
                self.checker.shutdown(wait=True, cancel_futures=True)
            for fd in self.fds:
                os.close(fd)
            self.fds.clear()
        return OpenData(
            [*self.written, snapshot],
            summary,
            tuple(self.rewritten),
            self.rewritten_bytes,
            self.made,
        )

    def _files(self, done: Callable[[_Done | None], None]) -> GivingSummary:
        graph = self.graph
        summary = self._giving(done)
        site = graph.site
        for rel, data in (
            (exports.PACKAGE, catalogue.data_package(site, self.day)),
            (exports.CATALOGUE, catalogue.catalogue(site, self.day, summary.valid)),
        ):
            self._begin(rel).literal(to_json(data))
            done(self._end(rel))
        self._all_json()
        done(self._end(exports.ALL))
        for name, table in exports.TABLES.items():
            csv_rel, json_rel = f"data/{name}.csv", f"data/{name}.json"
            self._table(table, csv_rel, json_rel)
            done(self._end(csv_rel))
            done(self._end(json_rel))
        return summary

    def _giving(self, done: Callable[[_Done | None], None]) -> GivingSummary:
        """``360giving.json`` and ``360giving-left-out.csv``, in one pass over the projects."""
        graph, nodes, masks = self.graph, self.nodes["projects"], self.masks
        base = graph.site.base_url
        meta = grants_of.package_meta(graph, self.day)
        grants, notes = self._begin(exports.GIVING), self._begin(exports.GIVING_LEFT_OUT)
        lines = _Lines()
        left_out = CsvTable(lines, grants_of.LEFT_OUT_COLUMNS)
        notes.literal(lines.take())

        def render(k: int) -> tuple[str, str]:
            node = nodes[k]
            grant = grants_of.grant(node, graph, base)
            if grant is None:
                codes = grants_of.missing(node)
                masks[k] = sum(_BITS[c] for c in codes)
                left_out.add(grants_of.LeftOut.of(node, codes).row())
                return "", lines.take()
            masks[k] = 0
            return _numbers(_encoded(_exact(grant), "\n  ")), ""

        def copied(first: int, end: int, was: int) -> None:
            assert self.last is not None
            masks[first:end] = self.last.masks[was : was + end - first]

        def render_copied(k: int) -> tuple[str, str]:
            """An unchanged project, for a file that cannot copy it (the grants file when
            the last write had no grant to keep): its mask says whether it was left out,
            without making its description again."""
            mask = masks[k]
            if not mask:
                return render(k)
            if not notes.can_copy:
                codes = tuple(code for code, bit in _BITS.items() if mask & bit)
                left_out.add(grants_of.LeftOut.of(nodes[k], codes).row())
            return "", lines.take()

        sep = "{\n "
        for key in sorted([*meta, "grants"]):  # sorted keys, as to_json writes them
            grants.literal(f"{sep}{encode_basestring(key)}: ")
            if key == "grants":
                self._pass(
                    "projects", [(grants, "\n "), (notes, None)], render, copied, render_copied
                )
            else:
                grants.literal(_encoded(meta[key], "\n "))
            sep = ",\n "
        grants.literal("\n}\n")
        summary = _summary(masks)
        # the standard wants one grant at least: no file rather than an invalid one
        done(self._end(exports.GIVING, keep=summary.valid))
        done(self._end(exports.GIVING_LEFT_OUT))
        return summary

    def _all_json(self) -> None:
        """``data/all.json``: every fund (with its plans and project rows) and every project."""
        graph = self.graph
        funds, projects = self.nodes["funds"], self.nodes["projects"]
        out = self._begin(exports.ALL)
        out.literal('{\n "funds": ')  # sorted keys, as to_json writes them
        self._pass(
            "funds", [(out, "\n ")], lambda k: (_encoded(exports.fund_record(funds[k]), "\n  "),)
        )
        issues = [i.model_dump(mode="json") for i in graph.issues.values()]
        out.literal(f',\n "issues": {_encoded(issues, chr(10) + " ")},\n "projects": ')
        self._pass(
            "projects",
            [(out, "\n ")],
            lambda k: (_encoded(exports.project_record(projects[k]), "\n  "),),
        )
        site = _encoded(graph.site.model_dump(mode="json"), "\n ")
        out.literal(f',\n "site": {site}\n}}\n')

    def _table(self, table: exports.Table, csv_rel: str, json_rel: str) -> None:
        csv_out, json_out = self._begin(csv_rel), self._begin(json_rel)
        if table.store not in self.nodes:  # issues, from data/issues.yaml: a few rows
            store: dict[str, Any] = getattr(self.graph, table.store)
            rows = (row for _, item in sorted(store.items()) for row in table.rows(item))
            csv_text, json_text = io.StringIO(), io.StringIO()
            _write_table(csv_text, json_text, rows, table.names)
            csv_out.literal(csv_text.getvalue())
            json_out.literal(json_text.getvalue())
            return
        nodes = self.nodes[table.store]
        lines = _Lines()
        csv_table = CsvTable(lines, table.names)
        csv_out.literal(lines.take())

        def render(k: int) -> tuple[str, str]:
            rows = list(table.rows(nodes[k]))
            for row in rows:
                csv_table.add(row)
            return lines.take(), ",\n ".join(_encoded(row, "\n ") for row in rows)

        self._pass(table.store, [(csv_out, None), (json_out, "\n")], render)
        json_out.literal("\n")

    def _save(self, zipper: _Snapshot, snapshot: str) -> None:
        assert self.index_file is not None
        files = {
            rel: FileEntry(zipper.done[rel].size, zipper.members[rel].crc, zipper.done[rel].parts)
            for rel in zipper.order
        }
        entry = ZipEntry(snapshot, zipper.size, zipper.crc, zipper.members, zipper.order)
        data_index.save(
            self.index_file,
            data_index.global_key(self.graph),
            self.owners,
            bytes(self.masks),
            files,
            entry,
        )


class _Snapshot:
    """The dated zip, fed data files in order by the zip thread. While every file so far is
    the last write's, nothing is written: if all are, the last zip is kept as it is."""

    def __init__(self, writer: _Writer, rel: str) -> None:
        self.w, self.rel = writer, rel
        last = writer.last
        self.old_fd = writer.old_zip()
        self.old: ZipEntry | None = None
        if self.old_fd >= 0 and last is not None and last.zip is not None:
            self.old = last.zip
        self.held: list[_Done] = []
        self.out: ZipOut | None = None
        self.fd = -1
        self.done: dict[str, _Done] = {}
        self.members: dict[str, Member] = {}
        self.order: list[str] = []
        self.size = 0
        self.crc = 0
        self.made = 0

    def add(self, done: _Done) -> None:
        self.done[done.rel] = done
        if self.out is None and done.untouched and self.old is not None:
            self.held.append(done)
            return
        self._start()
        self._add(done)

    def _start(self) -> None:
        if self.out is None:
            partial = _partial(self.rel)
            self.fd = os.open(
                fresh(self.w.root, partial), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o666
            )
            self.out = ZipOut(self.fd, self.w.day, self.old_fd if self.old else None)
            held, self.held = self.held, []
            for done in held:
                self._add(done)

    def _add(self, done: _Done) -> None:
        assert self.out is not None
        source = os.open(self.w.root / done.rel, os.O_RDONLY)
        try:
            member = self.out.add(
                done.rel.removeprefix("data/"),
                source,
                done.size,
                done.ends,
                done.forced,
                done.pieces,
                done.member if self.old is not None else None,  # chunks copied from it
                done.crc,
            )
        finally:
            os.close(source)
        self.members[done.rel] = member
        self.order.append(done.rel)

    def finish(self) -> bool:
        """Close the zip; False when the last one is kept (every member the same)."""
        old = self.old
        if self.out is None and old is not None and self._same(old):
            assert self.w.previous is not None
            _place(self.w.previous / old.rel, self.w.root, self.rel)
            self.members = {d.rel: old.members[d.rel] for d in self.held}
            self.order = [d.rel for d in self.held]
            self.held = []
            self.size, self.crc = old.size, old.crc
            return False
        self._start()
        assert self.out is not None
        self.out.close()
        self.made = self.out.written
        self.size = self.out.pos
        crc = _crc(self.fd, self.size)
        assert crc is not None
        self.crc = crc
        os.close(self.fd)
        self.fd = -1
        _put_in_place(self.w.root, self.rel, in_place=self.w.previous == self.w.root)
        return True

    def _same(self, old: ZipEntry) -> bool:
        """Whether the zip would be the last one, byte for byte: the same name, files and
        chunks (and so the same headers, data and directory)."""
        if old.rel != self.rel or [d.rel for d in self.held] != old.order:
            return False
        for done in self.held:
            member = old.members[done.rel]
            if member.ends.tolist() != done.ends or member.forced != done.forced:
                return False
        return True

    def abandon(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


# ---- helpers -------------------------------------------------------------------------------


def _segments(new: Owners, old: Owners | None) -> list[_Segment]:
    """The runs of ``new``'s records to copy from the last write (same id and key, in the same
    order) and the records to make anew, in ``new``'s order."""
    n, size = len(new.ids), data_index.KEY
    if old is None:
        return [(0, n, -1, False)] if n else []
    segments: list[_Segment] = []
    if old.ids == new.ids:
        at = 0
        for k in data_index.differing(new.keys, old.keys, size):
            if k > at:
                segments.append((at, k, at, True))
            segments.append((k, k + 1, k, False))
            at = k + 1
        if at < n:
            segments.append((at, n, at, True))
        return segments
    where = {record: k for k, record in enumerate(old.ids)}
    for k, record in enumerate(new.ids):
        was = where.get(record, -1)
        same = (
            was >= 0
            and new.keys[k * size : (k + 1) * size] == old.keys[was * size : (was + 1) * size]
        )
        last = segments[-1] if segments else None
        if same and last is not None and last[3] and last[1] == k and last[2] + k - last[0] == was:
            segments[-1] = (last[0], k + 1, last[2], True)
        else:
            segments.append((k, k + 1, was, same))
    return segments


def _summary(masks: bytes | bytearray) -> GivingSummary:
    counts = Counter(masks)
    grants = counts.get(0, 0)
    lacking = {
        code: n
        for code, bit in _BITS.items()
        if (n := sum(c for value, c in counts.items() if value & bit))
    }
    return GivingSummary(grants, len(masks) - grants, lacking)


def _put_in_place(root: Path, rel: str, in_place: bool) -> None:
    """Move the new ``rel`` from its partial name to its own. In a staging folder the old
    name is a link to the live site's file: it is unlinked first, as renaming over a file
    makes ext4 write the new file's data out at once (``auto_da_alloc``). In place (``serve``)
    the file is replaced in one step, so that readers never miss it."""
    source, target = root / _partial(rel), root / rel
    if in_place:
        os.replace(source, target)
    else:
        target.unlink(missing_ok=True)
        os.rename(source, target)


def _partial(rel: str) -> str:
    folder, _, name = rel.rpartition("/")
    return f"{folder}/.{name}{_PARTIAL}"


def _open(path: Path) -> int:
    """A file of the last write, open for reading; -1 when it is not a plain file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return -1
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return -1


def _crc(fd: int, size: int) -> int | None:
    """The CRC-32 of the open file's bytes if it holds ``size`` of them; None otherwise."""
    try:
        if os.fstat(fd).st_size != size:
            return None
        buffer = bytearray(min(size, 8 << 20))
        view = memoryview(buffer)
        crc, at = 0, 0
        while at < size:
            want = view[: min(len(buffer), size - at)]
            got = os.preadv(fd, [want], at) if hasattr(os, "preadv") else _read_into(fd, want, at)
            if got <= 0:
                return None
            crc = zlib.crc32(view[:got], crc)
            at += got
        return crc if os.fstat(fd).st_size == size else None
    except OSError:
        return None


def _read_into(fd: int, into: memoryview, at: int) -> int:
    data = os.pread(fd, len(into), at)
    into[: len(data)] = data
    return len(data)


def _place(source: Path, root: Path, rel: str) -> None:
    """Make ``root/rel`` the last write's file ``source`` (a link, else a copy keeping its
    time), unless it is already."""
    target = root / rel
    try:
        a, b = os.stat(source), os.stat(target, follow_symlinks=False)
        if (a.st_ino, a.st_dev) == (b.st_ino, b.st_dev):
            return
    except OSError:
        pass
    path = fresh(root, rel)
    try:
        os.link(source, path)
    except OSError:
        shutil.copy2(source, path)
