"""Stage 5: write into a staging folder beside the output and swap it in only when complete.

A failed build leaves the previous site untouched: readers of ``build/`` never see half a site.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path


def begin_stage(out: Path, reuse: bool = False) -> Path:
    """A new staging folder beside ``out``; :func:`commit_stage` swaps it in.

    With ``reuse`` the staging folder starts as hard links to the current output, so an
    incremental build only writes what changed; files are replaced, never written in place
    (see :func:`write_text`), so the live site is not touched until the swap.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    if reuse and out.is_dir():
        _link_tree(out, stage)
    else:
        stage.mkdir()
    return stage


def commit_stage(out: Path, stage: Path) -> None:
    """Replace ``out`` with the complete staging folder."""
    out = out.resolve()
    old = out.parent / f".{out.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    if out.exists():
        os.replace(out, old)
    os.replace(stage, out)
    _remove_later(old)


def abort_stage(stage: Path) -> None:
    shutil.rmtree(stage, ignore_errors=True)


def _link_tree(src: Path, dst: Path) -> None:
    """Copy a tree as hard links: ``cp -al`` where there is one (2x faster), else Python."""
    if shutil.which("cp") and sys.platform.startswith("linux"):
        done = subprocess.run(["cp", "-al", str(src), str(dst)], capture_output=True, check=False)
        if done.returncode == 0:
            return
        shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, copy_function=os.link, symlinks=True)


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


def fresh(root: Path, rel: str) -> Path:
    """The path to write, unlinked first: it may be a hard link into the live site."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    return path


def write_text(root: Path, rel: str, text: str) -> None:
    with open(fresh(root, rel), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_bytes(root: Path, rel: str, data: bytes) -> None:
    fresh(root, rel).write_bytes(data)


def remove(root: Path, rel: str) -> None:
    """Remove a file (or folder) of the staging tree, and folders it leaves empty."""
    path = root / rel
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
