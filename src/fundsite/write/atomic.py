"""Stage 5: write into a staging folder beside the output and swap it in only when complete.

A failed build leaves the previous site untouched: readers of ``build/`` never see half a site.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import BinaryIO

#: The file that marks a folder as fundsite's output: only such a folder is ever replaced.
MARKER = ".fundsite-output"
_MARKER_TEXT = "This folder is a site built by fundsite: only its builds write here.\n"
#: In the staging folder of an incremental build: the files of the live site it deletes, one
#: JSON string a line (:func:`remove`); such a folder holds only what changed.
REMOVED = ".fundsite-removed"
#: Moved into the output after the other files: what points at them (the search index parts).
_POINTERS = frozenset({"pagefind-entry.json", "parts.json"})


def begin_stage(out: Path, reuse: bool = False) -> Path:
    """A new staging folder beside ``out``; :func:`commit_stage` puts it out.

    A clean build stages the whole site, swapped in at once. With ``reuse`` (an incremental
    build) the folder holds only the files this build writes, and :func:`remove` records what
    it deletes of the live site: :func:`commit_stage` moves each file into ``out`` and then
    deletes those, so an edit costs its own files, not a copy of millions. What killed builds
    left beside ``out`` is removed first.

    The folder is named after the process that will put it out (:func:`_owner`), so that a
    build starting meanwhile keeps it. Whatever already has its name is removed, never
    followed: a committed link ``.build.staging-<pid> -> /home/user`` beside the default
    output would otherwise receive the site.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = tidy(out)
    try:
        stage.mkdir()
        write_text(stage, MARKER, _MARKER_TEXT)
        if reuse and out.is_dir() and not out.is_symlink():
            write_text(stage, REMOVED, "")
    except BaseException:
        _clear(stage)
        raise
    return stage


def tidy(out: Path) -> Path:
    """Remove what killed builds left beside ``out`` and whatever has this build's staging
    name (never followed); return that name. A build that writes nothing calls this alone."""
    remove_leftovers(out)
    owner = _owner()
    suffix = str(owner) if owner == os.getpid() else f"{owner}-{os.getpid()}"
    stage = out.parent / f".{out.name}.staging-{suffix}"
    _clear(stage)
    return stage


def _owner() -> int:
    """The process that will swap the staging folder in: this one, or the process that forked
    it to stage a build (``build`` with search, :func:`fundsite.parallel.forked_call`), which
    runs Pagefind over the folder and swaps it in after this process has ended."""
    parent = multiprocessing.parent_process()
    if parent is not None and parent.pid is not None:
        return parent.pid
    return os.getpid()


def _clear(path: Path) -> None:
    """Remove ``path`` whatever it is, without following a link."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def remove_leftovers(out: Path) -> list[Path]:
    """Remove the staging, old-site and indexer folders of builds into ``out`` that were
    killed or have ended (their process is gone); return what was removed. Each is renamed
    aside at once and deleted without making the build wait: the site a clean build replaced
    may still be being deleted (minutes at 300,000 pages) when the next build starts."""
    removed = []
    for path in out.parent.glob(f".{glob.escape(out.name)}.*"):
        match = _LEFTOVER.fullmatch(path.name[len(out.name) + 1 :])
        if match and path.is_dir() and not path.is_symlink() and not _alive(int(match[1])):
            aside = _aside(out)
            try:
                os.rename(path, aside)
            except OSError:
                shutil.rmtree(path, ignore_errors=True)
            else:
                _remove_later(aside)
            removed.append(path)
    return removed


def _aside(out: Path) -> Path:
    """A name beside ``out`` for a folder to delete, that no later build uses."""
    return out.parent / f".{out.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"


_LEFTOVER = re.compile(r"\.(?:staging|old)-(\d+)(?:[.-].*)?")


def _alive(pid: int) -> bool:
    if pid == _owner():
        return False  # ours: an earlier build of this process, which has ended
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def commit_stage(out: Path, stage: Path) -> None:
    """Put the staged site out: a whole site replaces ``out`` in one step where the system can
    (``renameat2(RENAME_EXCHANGE)``: readers see the old site or the new, never none); an
    incremental build's files are merged into it (:func:`_merge`).

    Only a real folder holding :data:`MARKER` is put out (one emptied meanwhile, or a link
    of the same name, is not). When the swap fails the staging folder is removed and ``out``
    is as it was.
    """
    if _staged_apart(stage) and not stage.is_symlink():
        _merge(out.parent.resolve() / out.name, stage)  # a link named ``out`` is not followed
        return
    out = out.resolve()
    old = _aside(out)
    try:
        _complete(stage)
        if out.exists() and _exchange(stage, out):
            try:
                os.replace(stage, old)  # the old site, under a name no later build uses
            except OSError:
                old = stage  # the new site is out: the old one is removed where it is
        else:
            moved = out.exists()
            if moved:
                os.replace(out, old)
            try:
                os.replace(stage, out)
            except BaseException:
                if moved:
                    os.replace(old, out)  # put the previous site back
                raise
    except BaseException:
        _clear(stage)
        raise
    _remove_later(old)


def _complete(stage: Path) -> None:
    """Refuse a staging folder that is a link or lacks its marker (emptied meanwhile)."""
    if stage.is_symlink() or not (stage / MARKER).is_file() or (stage / MARKER).is_symlink():
        raise FileNotFoundError(
            errno.ENOENT, "the staged site is incomplete: not published", str(stage)
        )


def _staged_apart(root: Path) -> bool:
    """Whether ``root`` is an incremental build's staging folder (it records removals)."""
    log = root / REMOVED
    return log.is_file() and not log.is_symlink()


def _merge(out: Path, stage: Path) -> None:
    """Move each staged file into ``out`` (one rename each: a reader sees a page's old bytes or
    its new ones), what points at other files last; then delete what the build removed and
    did not write again.

    For the seconds this takes, readers may see new pages beside old ones. When it fails
    part-way ``out`` is a mix: the build had forgotten its manifest (:mod:`.manifest`), so
    the next build is a clean one, swapped in whole.
    """
    try:
        _complete(stage)
        if out.is_symlink() or not out.is_dir():
            raise FileNotFoundError(errno.ENOENT, "the output to update is gone", str(out))
        staged = [rel for rel in _files(stage) if rel != REMOVED]
        staged.sort(key=lambda rel: rel.rpartition("/")[2] in _POINTERS)
        folders: set[str] = set()
        for rel in staged:
            _move_in(stage, out, rel, folders)
        written = set(staged)
        with open(stage / REMOVED, encoding="utf-8") as log:
            for line in log:
                _delete(out, json.loads(line), written)
    finally:
        _clear(stage)


def _files(root: Path) -> list[str]:
    """The files (and links) under ``root``, as paths relative to it."""
    found = []
    for folder, dirs, files in os.walk(root):
        base = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if base == "." else f"{base}/"
        found += [prefix + name for name in files]
        found += [prefix + name for name in dirs if os.path.islink(os.path.join(folder, name))]
    return found


def _move_in(stage: Path, out: Path, rel: str, folders: set[str]) -> None:
    """Rename ``stage/rel`` over ``out/rel``, making its folders real folders first."""
    parts = rel.split("/")
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        if folder in folders:
            continue
        path = out / folder
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()  # a page became a folder of pages
        path.mkdir(exist_ok=True)
        folders.add(folder)
    target = inside(out, rel)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)  # a folder became a file
    os.replace(stage / rel, target)


def _delete(out: Path, rel: str, written: set[str]) -> None:
    """Delete ``out/rel`` (a file, or a folder's files) unless this build wrote it again; then
    the folders left empty."""
    path = inside(out, rel)
    if rel in written:
        return
    if path.is_dir() and not path.is_symlink():
        for folder, dirs, files in os.walk(path, topdown=False):
            base = Path(folder)
            for name in [*files, *dirs]:
                entry = base / name
                if entry.is_symlink() or not entry.is_dir():
                    if entry.relative_to(out).as_posix() not in written:
                        entry.unlink()
                else:
                    _rmdir(entry)
        _rmdir(path)
    else:
        path.unlink(missing_ok=True)
    parent = path.parent
    while parent != out and _rmdir(parent):
        parent = parent.parent


def _rmdir(path: Path) -> bool:
    """Remove ``path`` if it is an empty folder; whether it was."""
    try:
        path.rmdir()
    except OSError:
        return False
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ≥ 3.15 with glibc ≥ 2.28); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if done == 0:
        return True
    errno_ = ctypes.get_errno()
    if errno_ in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # the file system cannot: rename twice
    raise OSError(errno_, os.strerror(errno_), str(b))


def abort_stage(stage: Path) -> None:
    shutil.rmtree(stage, ignore_errors=True)


def _remove_later(path: Path) -> None:
    """Delete the replaced site without making the build wait (tens of seconds at 300k files)."""
    if not path.exists():
        return
    if shutil.which("rm") and os.name == "posix":
        subprocess.Popen(
            ["rm", "-rf", str(path)],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    else:
        shutil.rmtree(path, ignore_errors=True)


def inside(root: Path, rel: str) -> Path:
    """``root / rel`` for a relative path that stays inside ``root``; ValueError otherwise
    (paths come from records and from the build cache: never trusted to stay in place)."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or "\0" in rel or ".." in parts:
        raise ValueError(f"an output path leaves the output folder: {rel!r}")
    return root / rel


def fresh(root: Path, rel: str) -> Path:
    """The path to write, unlinked first: it may be a hard link into the live site."""
    path = inside(root, rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    return path


def write_text(root: Path, rel: str, text: str) -> None:
    with open(fresh(root, rel), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_bytes(root: Path, rel: str, data: bytes) -> None:
    fresh(root, rel).write_bytes(data)


def copy_file(source: BinaryIO, root: Path, rel: str) -> None:
    """Write what ``source`` holds (an open file) as ``rel``."""
    with open(fresh(root, rel), "wb") as dest:
        shutil.copyfileobj(source, dest, 1 << 20)


def remove(root: Path, rel: str) -> None:
    """Remove a file (or folder) of the staging tree, and folders it leaves empty; in an
    incremental build's staging folder, record it to be deleted from the live site."""
    path = inside(root, rel)
    if _staged_apart(root):
        with open(root / REMOVED, "a", encoding="utf-8") as f:
            f.write(json.dumps(rel) + "\n")
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return  # nothing here, so no folder was emptied (an edit's open data may be filling one)
    parent = path.parent
    while parent != root and _rmdir(parent):
        parent = parent.parent
