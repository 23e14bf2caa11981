"""Peak memory of a process tree: the sum of RSS over this process and all its descendants.

``ru_maxrss`` gives the largest single process only; a build forks render workers and runs
Pagefind beside itself, so what the machine must hold is the sum, sampled here from ``/proc``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def tree_rss_mb(root: int) -> float:
    """The summed resident memory of ``root`` and its descendants, in MB."""
    tree, total, todo = _children(), 0, [root]
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int((Path(f"/proc/{pid}/statm")).read_text().split()[1]) * page_kb
        todo.extend(tree.get(pid, []))
    return total / 1024


class TreePeak:
    """``with TreePeak() as peak: ...`` then ``peak.mb``: the largest sampled tree RSS."""

    def __init__(self, every: float = 0.25) -> None:
        self.every, self.mb = every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.mb = max(self.mb, tree_rss_mb(os.getpid()))
            self._stop.wait(self.every)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
