"""Peak memory of a process tree: the summed PSS of this process and all its descendants.

``ru_maxrss`` gives the largest single process only; a build forks render workers and runs
Pagefind beside itself, so what the machine must hold is the sum, sampled here from ``/proc``.
PSS (proportional set size) counts a page shared by forked workers once in total, where
summing RSS would count it in every process.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
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


def _pss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree_pss_mb(root: int) -> float:
    """The summed proportional memory of ``root`` and its descendants, in MB."""
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += _pss_kb(pid)
        todo.extend(tree.get(pid, []))
    return total / 1024


class TreePeak:
    """``with TreePeak() as peak: ...`` then ``peak.mb``: the largest sampled tree PSS;
    ``peak.between(t0, t1)``: the largest sampled in that span of ``time.monotonic()``."""

    def __init__(self, every: float = 0.5) -> None:
        self.every, self.mb = every, 0.0
        self.samples: list[tuple[float, float]] = []  # (time.monotonic(), MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            mb = tree_pss_mb(os.getpid())
            self.samples.append((time.monotonic(), mb))
            self.mb = max(self.mb, mb)
            self._stop.wait(self.every)

    def between(self, start: float, end: float) -> float:
        return max((mb for t, mb in self.samples if start < t <= end), default=0.0)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
