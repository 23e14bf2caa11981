"""Stage 5: write into a staging folder beside the output and swap it in only when complete.

A failed build leaves the previous site untouched: readers of ``build/`` never see half a site.
"""

from __future__ import annotations

import ctypes
import errno
import glob
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
_MARKER_TEXT = "This folder is a site built by fundsite; the next build replaces it whole.\n"


def begin_stage(out: Path, reuse: bool = False, linking: Linking | None = None) -> Path:
    """A new staging folder beside ``out``; :func:`commit_stage` swaps it in.

    With ``reuse`` the staging folder starts as hard links to the current output, so an
    incremental build only writes what changed; files are replaced, never written in place
    (see :func:`write_text`), so the live site is not touched until the swap. What killed
    builds left beside ``out`` is removed first. ``linking`` is those links, begun earlier
    (:func:`start_linking`): this waits for them.

    The folder is named after the process that will swap it in (:func:`_owner`), so that a
    build starting meanwhile keeps it. Whatever already has its name is removed, never
    followed: a committed link ``.build.staging-<pid> -> /home/user`` beside the default
    output would otherwise receive the site.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if reuse and linking is None:
        linking = start_linking(out)
    if linking is not None:
        if reuse and linking.wait():
            try:
                write_text(linking.stage, MARKER, _MARKER_TEXT)
            except BaseException:
                _clear(linking.stage)
                raise
            return linking.stage
        linking.discard()
    stage = tidy(out)
    try:
        if reuse and out.is_dir():  # where ``cp -al`` cannot link it
            shutil.copytree(out, stage, copy_function=os.link, symlinks=True)
        else:
            stage.mkdir()
        write_text(stage, MARKER, _MARKER_TEXT)
    except BaseException:
        _clear(stage)
        raise
    return stage


class Linking:
    """The hard links of :func:`begin_stage`, made by ``cp -al`` (twice as fast as Python), in
    the background while the build plans its pages (minutes of file-system work at national
    scale)."""

    def __init__(self, out: Path) -> None:
        self.stage = tidy(out)
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            ["cp", "-al", str(out), str(self.stage)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait(self) -> bool:
        """Whether the staging folder now holds the whole output, as hard links."""
        if self._process is None:
            return False
        done = self._process.wait() == 0
        self._process = None
        if not done:
            _clear(self.stage)
        return done

    def discard(self) -> None:
        """Stop, and remove what was linked (unless :func:`begin_stage` took it)."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None
            _clear(self.stage)


def start_linking(out: Path) -> Linking | None:
    """Begin hard-linking ``out`` into this build's staging folder (see :class:`Linking`);
    None where there is no ``cp -al`` or no output of fundsite's to link."""
    out = out.resolve()
    if not (sys.platform.startswith("linux") and shutil.which("cp")):
        return None
    if out.is_symlink() or not out.is_dir() or not (out / MARKER).is_file():
        return None
    return Linking(out)


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
    killed (their process is gone); return what was removed."""
    removed = []
    for path in out.parent.glob(f".{glob.escape(out.name)}.*"):
        match = _LEFTOVER.fullmatch(path.name[len(out.name) + 1 :])
        if match and path.is_dir() and not path.is_symlink() and not _alive(int(match[1])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


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
    """Replace ``out`` with the complete staging folder, in one step where the system can
    (``renameat2(RENAME_EXCHANGE)``: readers see the old site or the new, never none).

    Only a real folder holding :data:`MARKER` is swapped in (one emptied meanwhile, or a link
    of the same name, is not). When the swap fails the staging folder is removed and ``out``
    is as it was.
    """
    out = out.resolve()
    old = out.parent / f".{out.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        if stage.is_symlink() or not (stage / MARKER).is_file() or (stage / MARKER).is_symlink():
            raise FileNotFoundError(
                errno.ENOENT, "the staged site is incomplete: not published", str(stage)
            )
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
    """Remove a file (or folder) of the staging tree, and folders it leaves empty."""
    path = inside(root, rel)
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
