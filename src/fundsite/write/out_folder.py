"""Which folder a build may replace: ``-o`` never deletes what fundsite did not make.

A build replaces its output folder whole, so a mistyped ``-o`` (``-o .``, ``-o content``,
``-o ~``) would delete the site itself or anything else. A folder is only replaced when it is
missing, empty, or fundsite's own output (it holds :data:`~fundsite.write.atomic.MARKER`);
never the site folder, a folder holding it, or one inside its records, themes or ``.git``.

A build also never reuses an output folder holding files committed to git: a pull request
could otherwise place pages in ``build/`` (``git add -f``) that an incremental build keeps.
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

from fundsite.diagnostics import Problem
from fundsite.write.atomic import MARKER

#: Folders of a site no output may be, hold or sit in.
PROTECTED = ("content", "data", "themes", ".git")


def output_problem(site: Path, out: Path) -> Problem | None:
    """Why ``out`` must not be the output of ``site``, or None when it may be.

    Raises :class:`OSError` (``ELOOP``) when ``out`` leads into a loop of links outside the
    site.
    """
    site = site.resolve()
    target, link_in_site = _follow(site, out)
    code = None
    if link_in_site:
        code = "output-link"
    elif target == site or _within(site, target):
        code = "output-holds-site"
    elif any(_within(target, site / name) for name in PROTECTED):
        code = "output-in-site-folder"
    elif target.exists() and not target.is_dir():
        code = "output-not-folder"
    elif (target / ".git").exists():
        code = "output-is-repository"
    elif target.is_dir() and not (target / MARKER).is_file() and _not_empty(target):
        code = "output-not-ours"
    elif _within(target, site) and _committed(site, target):
        code = "output-committed"
    if code is None:
        return None
    return Problem("error", code, str(out), params={"value": str(out)})


#: Links followed on the way to the output folder before it is taken for a loop (as Linux).
MAX_LINKS = 40


def _follow(site: Path, out: Path) -> tuple[Path, bool]:
    """The real path ``out`` leads to, and whether a symbolic link inside ``site`` is on the
    way (a commit may have placed it: ``build -> /home/user``, or ``pub -> /`` and ``-o
    pub/x``), however ``out`` is written (``../site/build`` from another folder).

    Links are followed one at a time, as the system does: a link inside the site stops the
    walk, so a loop made of committed links is a refusal, not an error.
    """
    absolute = out.absolute()
    real = Path(absolute.anchor)
    todo = list(reversed(absolute.parts[1:]))
    links = 0
    while todo:
        name = todo.pop()
        if name in ("", "."):
            continue
        if name == "..":
            real = real.parent
            continue
        path = real / name
        try:
            link = os.readlink(path)
        except OSError:  # not a link, or missing: the path goes on from here as written
            real = path
            continue
        if _within(real, site):
            return path, True
        links += 1
        if links > MAX_LINKS:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(out))
        to = Path(link)
        if to.is_absolute():
            real = Path(to.anchor)
            todo.extend(reversed(to.parts[1:]))
        else:
            todo.extend(reversed(to.parts))
    return real, False


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _not_empty(folder: Path) -> bool:
    try:
        return any(folder.iterdir())
    except OSError:
        return True


def _committed(site: Path, folder: Path) -> bool:
    """Does git track any file under ``folder`` (in the site's checkout)?"""
    try:
        done = subprocess.run(
            ["git", "-C", str(site), "ls-files", "-z", "--", str(folder)],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and bool(done.stdout.strip(b"\0"))
