"""Change history of record files, from git: when each file last changed, and why.

:func:`load_history` returns ``{"content/projects/x.md": History(...)}`` from ONE
``git log -z --name-only`` over ``content/``; record pages show it as "ประวัติการแก้ไข".

When history appears (the rule):

* the site folder must be the top level of its own git work tree
  (``git rev-parse --show-toplevel`` is the site folder itself), so a site that merely sits
  inside another repository — the test fixtures inside fundsite's own checkout — has none, and
  its pages do not change with every commit of that repository;
* the clone must be complete: a shallow clone (``actions/checkout`` by default; use
  ``fetch-depth: 0``) would date every file to the clone's boundary commit, so it has none;
* otherwise git missing, not a checkout, no commit yet, or any git failure: none, no error.

A file never committed has no history; uncommitted edits of a committed file show its last
commit. Only commit dates (committer date, as a Thai calendar date, UTC+7) and subjects are
kept, never authors or emails. Subjects stay plain text: templates escape them. Phone numbers,
national ids and e-mail addresses in a subject are redacted as records' are
(:func:`fundsite.validate.rules.redact`), whether the subject comes from git or from the cache.

Determinism: a file's commits are every non-merge commit reachable from HEAD that changed it
(``--full-history --no-renames``; merges list no files), ordered newest first by commit time
then hash, the first :data:`KEEP` kept. That is a function of HEAD alone, so the same commit
builds the same bytes, whether or not the cache below was used.

Cost: ``git log --name-only`` diffs the trees of every commit, so it grows with the number of
commits times the size of the folders they change. Synthetic portal of 50,000 projects (97,904
record files in flat folders, 2 CPUs shared with a benchmark): 0.35 s with 2 commits (an import
and one touching 5,000 files), 2.0-2.5 s with 202. So the result is cached in
``history.json`` (5 MB) in the site's cache folder (:mod:`fundsite.cache`, never inside the
site, where a commit could place one) with the HEAD it describes: an unchanged HEAD reads only
the cache (0.35 s); a HEAD that descends from it adds ``git log CACHED..HEAD`` (0.6 s for one
new commit); anything else, or a cache that is not what this version writes, starts over.
Keep the cache folder between CI runs (e.g. ``actions/cache``) to benefit there.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from fundsite.cache import site_cache
from fundsite.validate.rules import redact

#: Commits kept per file, newest first (``History.count`` still counts them all).
KEEP = 20
#: Thailand has one time zone and no daylight saving: dates are Thai calendar dates.
THAI_TIME = timezone(timedelta(hours=7))
CACHE_VERSION = 1
_MARK = b"\x01"  # starts every commit header in the log; no record path starts with it
_LOG = (
    "log",
    "-z",
    "--name-only",
    "--no-renames",
    "--full-history",
    "--no-color",
    "--encoding=UTF-8",
    "--format=%x01%ct %H %s",
)
# neutralize user settings that would change what `git log` prints
_CONFIG = ("-c", "log.showSignature=false", "-c", "log.follow=false", "-c", "diff.relative=false")


@dataclass(frozen=True)
class Commit:
    """One commit of a record file: its time (epoch seconds), Thai date, subject, short hash."""

    time: int
    subject: str
    hash: str

    @property
    def date(self) -> date:
        return datetime.fromtimestamp(self.time, THAI_TIME).date()

    def order(self) -> tuple[int, str]:
        """Sort key: newest first, then by hash."""
        return (-self.time, self.hash)


@dataclass
class History:
    """A file's commits, newest first (at most :data:`KEEP`), and how many there are in all."""

    commits: list[Commit] = field(default_factory=list)
    count: int = 0

    @property
    def last(self) -> Commit:
        """The latest commit: when the file last changed."""
        return self.commits[0]

    @property
    def key(self) -> str:
        """What a page showing this history depends on (for incremental builds)."""
        return f"{self.count}:" + ",".join(c.hash for c in self.commits)


def _git(site_dir: Path, *args: str, timeout: float = 600) -> bytes | None:
    """``git -C site_dir args`` → stdout, or None when git is missing or fails."""
    try:
        out = subprocess.run(
            ["git", "-C", str(site_dir), *_CONFIG, *args],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def snapshot_date(site_dir: Path) -> date:
    """The data's date: ``$SOURCE_DATE_EPOCH``, else the last git commit's date, else today (UTC).

    Whatever depends on "today" is judged against this date, never the clock: the check's
    rules about time (a report window that has passed with no report, a project still in
    progress after its end), the pages and feeds, the snapshot's name. So the same commit
    checks and builds the same bytes on any day and machine, and a build can be reproduced.
    The check computes it once (``SiteGraph.today``) and everything after it reads that one
    value; it lives here, beside the other reader of git, so that the check need not import
    the build.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        try:
            return datetime.fromtimestamp(int(epoch), UTC).date()
        except (OverflowError, OSError, ValueError):
            pass  # an epoch beyond the calendar: as if not set
    out = _git(site_dir, "log", "-1", "--format=%ct", timeout=10)
    stamp = out.decode("ascii", "replace").strip() if out is not None else ""
    if stamp.isdigit():
        return datetime.fromtimestamp(int(stamp), UTC).date()
    return datetime.now(UTC).date()


def head_of(site_dir: Path) -> str | None:
    """HEAD's hash when ``site_dir`` is the top level of a complete git checkout, else None."""
    out = _git(site_dir, "rev-parse", "--show-toplevel", "--is-shallow-repository", "HEAD")
    if out is None:
        return None
    lines = out.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) != 3 or lines[1] != "false":
        return None
    try:
        same = Path(lines[0]).resolve() == site_dir.resolve()
    except OSError:
        return None
    return lines[2] if same else None


def parse_log(out: bytes) -> dict[str, list[Commit]]:
    """``{path: every commit}`` from ``git log`` run with :data:`_LOG` (unsorted)."""
    changes: dict[str, list[Commit]] = {}
    commit: Commit | None = None
    for token in out.split(b"\0"):
        if token.startswith(b"\n"):
            token = token[1:]
        if not token:
            continue
        if token.startswith(_MARK):
            stamp, _, rest = token[1:].decode("utf-8", "replace").partition(" ")
            sha, _, subject = rest.partition(" ")
            commit = Commit(int(stamp), redact(subject), sha[:10])
        elif commit is not None:
            changes.setdefault(token.decode("utf-8", "surrogateescape"), []).append(commit)
    return changes


def merge(
    old: dict[str, History], new: dict[str, list[Commit]], keep: int = KEEP
) -> dict[str, History]:
    """``old`` histories plus commits made since (disjoint from old's), newest ``keep`` kept."""
    merged = dict(old)
    for path, commits in new.items():
        before = old.get(path) or History()
        ordered = sorted([*commits, *before.commits], key=Commit.order)
        merged[path] = History(ordered[:keep], before.count + len(commits))
    return merged


def load_history(site_dir: Path, keep: int = KEEP, cache: bool = True) -> dict[str, History]:
    """``{site-relative path: History}`` of every committed file under ``content/``.

    Empty unless the site folder is the top level of a complete git checkout (see above).
    """
    if not (site_dir / "content").is_dir():
        return {}
    head = head_of(site_dir)
    if head is None:
        return {}
    cache_file = site_cache(site_dir) / "history.json"
    cached = _read_cache(cache_file, keep) if cache else None
    if cached is not None and cached[0] == head:
        return cached[1]
    since, old = cached if cached and _is_ancestor(site_dir, cached[0], head) else ("", {})
    out = _git(site_dir, *_LOG, f"{since}..{head}" if since else head, "--", "content/")
    if out is None:
        return {}
    try:
        history = merge(old, parse_log(out), keep)
    except (ValueError, OverflowError):
        return {}
    if cache:
        _write_cache(cache_file, head, keep, history)
    return history


def _is_ancestor(site_dir: Path, old: str, head: str) -> bool:
    return _git(site_dir, "merge-base", "--is-ancestor", old, head) is not None


_HASH = re.compile(r"[0-9a-f]{7,64}")


def _read_cache(path: Path, keep: int) -> tuple[str, dict[str, History]] | None:
    """``(head, histories)`` from the cache file, or None when missing, stale or damaged.

    Nothing in it is trusted: the head it names goes to ``git`` as an argument, so it must be
    a commit hash (never an option); counts and commit numbers must be in range.
    """
    try:
        data = json.loads(path.read_bytes())
        if data["version"] != CACHE_VERSION or data["keep"] != keep:
            return None
        head = data["head"]
        if not (isinstance(head, str) and _HASH.fullmatch(head)):
            return None
        commits = []
        for t, h, s in data["commits"]:
            if type(t) is not int or not isinstance(s, str) or not _HASH.fullmatch(h):
                return None
            commits.append(Commit(t, redact(s), h))
        files = {}
        for p, row in data["files"].items():
            if not (isinstance(row, list) and row and all(type(i) is int for i in row)):
                return None
            if row[0] < len(row) - 1 or not all(0 <= i < len(commits) for i in row[1:]):
                return None
            files[str(p)] = History([commits[i] for i in row[1:]], row[0])
        return head, files
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        return None


def _write_cache(path: Path, head: str, keep: int, history: dict[str, History]) -> None:
    """Save ``history`` for the next build; a read-only site folder just goes without."""
    index: dict[Commit, int] = {}
    files = {
        p: [h.count, *(index.setdefault(c, len(index)) for c in h.commits)]
        for p, h in history.items()
    }
    data = {
        "version": CACHE_VERSION,
        "head": head,
        "keep": keep,
        "commits": [[c.time, c.hash, c.subject] for c in index],
        "files": files,
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
