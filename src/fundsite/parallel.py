"""Run one task over slices of a list in forked worker processes that share the parent's data.

Workers are forked, so they read the site graph without copying it through pickles. Before the
fork, :func:`gc.freeze` moves every existing object out of the collector's reach: a collection
in a worker would otherwise write to every object's header and copy the whole graph page by
page (copy-on-write), multiplying memory by the number of workers.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_TASK: list[Callable[[int, int], object]] = []


def _run(bounds: tuple[int, int]) -> object:
    return _TASK[0](*bounds)


def forked_map(
    task: Callable[[int, int], T],
    total: int,
    workers: int,
    chunks_per_worker: int = 16,
    min_chunk: int = 50,
    serial_below: int = 200,
) -> list[T]:
    """``task(start, stop)`` over ``range(total)`` in slices; results in completion order.

    Runs in this process when ``workers <= 1`` or there is little to do.
    """
    if workers <= 1 or total < serial_below:
        return [task(0, total)]
    size = max(min_chunk, total // (workers * chunks_per_worker))
    chunks = [(i, min(i + size, total)) for i in range(0, total, size)]
    _TASK[:] = [task]
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return list(pool.imap_unordered(_run, chunks))  # type: ignore[arg-type]
    finally:
        gc.unfreeze()
        _TASK.clear()
