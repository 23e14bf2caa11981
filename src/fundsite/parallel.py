"""Forked processes: one task over slices of a list (:func:`forked_map`), a task whose
memory is to be given back when it ends (:func:`forked_call`), or one that works on in the
background from a snapshot of this process (:func:`forked_background`).

:func:`forked_map`'s workers are forked, so they read the site graph without copying it
through pickles. CPython writes to every object it reads (reference counts), so each worker
still ends up copying most of the pages of the graph it reads (copy-on-write). Two measures
bound that:

- this process takes chunks too, so ``workers`` processes in all hold at most two copies of a
  page (this process's and one worker's) with two workers, not three;
- :func:`gc.freeze` before the fork keeps the cycle collector from writing to every object's
  header in the workers (:func:`fundsite.collector.frozen`).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import traceback
from collections.abc import Callable
from multiprocessing.sharedctypes import Synchronized
from typing import Any, Generic, TypeVar

from fundsite.collector import frozen

T = TypeVar("T")


def _take(
    task: Callable[[int, int], T], chunks: list[tuple[int, int]], cursor: Synchronized
) -> list[T]:
    """Run chunks until none is left; ``cursor`` is the next chunk, shared by all processes."""
    done = []
    while True:
        with cursor.get_lock():
            index = cursor.value
            cursor.value += 1
        if index >= len(chunks):
            return done
        done.append(task(*chunks[index]))


def _portable(exc: BaseException) -> BaseException:
    """``exc``, or a RuntimeError naming it when it cannot travel to the parent (pickle)."""
    try:
        pickle.dumps(exc)
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _worker(
    task: Callable[[int, int], Any], chunks: Any, cursor: Any, results: Any, me: int
) -> None:
    try:
        results.put((me, True, _take(task, chunks, cursor)))
    except BaseException as exc:
        results.put((me, False, _portable(exc)))  # the parent raises it


def forked_map(
    task: Callable[[int, int], T],
    total: int,
    workers: int,
    chunks_per_worker: int = 16,
    min_chunk: int = 50,
    serial_below: int = 200,
) -> list[T]:
    """``task(start, stop)`` over ``range(total)`` in slices, by this process and
    ``workers - 1`` forked ones; results in no particular order.

    Runs in this process alone when ``workers <= 1`` or there is little to do. An exception
    in any process is raised here; a worker that dies without a word is an error too.
    """
    if workers <= 1 or total < serial_below:
        return [task(0, total)]
    size = max(min_chunk, total // (workers * chunks_per_worker))
    chunks = [(i, min(i + size, total)) for i in range(0, total, size)]
    ctx = multiprocessing.get_context("fork")
    cursor = ctx.Value("l", 0)
    results = ctx.Queue()
    children = [
        ctx.Process(target=_worker, args=(task, chunks, cursor, results, i), daemon=True)
        for i in range(workers - 1)
    ]
    with frozen():
        return _run_map(task, chunks, cursor, results, children)


def _run_map(
    task: Callable[[int, int], T],
    chunks: list[tuple[int, int]],
    cursor: Synchronized,
    results: Any,
    children: list[Any],
) -> list[T]:
    """:func:`forked_map`'s work, once its processes are made."""
    finished = False
    try:
        for child in children:
            child.start()
        try:
            done = _take(task, chunks, cursor)
        except BaseException:
            with cursor.get_lock():
                cursor.value = len(chunks)  # the workers stop after their current chunk
            raise
        waiting = set(range(len(children)))
        while waiting:
            try:
                me, ok, value = results.get(timeout=1)
            except queue.Empty:
                if any(not children[i].is_alive() for i in waiting) and results.empty():
                    raise RuntimeError("a worker process died") from None
                continue
            if not ok:
                raise value
            waiting.discard(me)
            done.extend(value)
        finished = True
        return done
    finally:
        for child in children:
            if not finished:
                child.terminate()  # it may be blocked handing over its results
            child.join()


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _stop(_signal: int, _frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: let the clean-up run
    raise KeyboardInterrupt


def _call(task: Callable[[Callable[[str], None]], Any], messages: Any) -> None:
    # Ctrl-C reaches this process through its parent, as SIGTERM, and only once: a second
    # interrupt straight from the terminal could cut short the removal of what it wrote.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    try:
        messages.put(("done", task(lambda message: messages.put(("say", message)))))
    except BaseException as exc:
        messages.put(("error", _portable(exc)))


def forked_call(
    task: Callable[[Callable[[str], None]], T], say: Callable[[str], None] = lambda _m: None
) -> T:
    """``task(say)`` in a forked process, so that all the memory it took is given back when
    it ends; its ``say`` messages are passed on here as they come, its result returned here
    and its exception raised here. A process that dies without a word is an error. When this
    process is interrupted, the task gets a KeyboardInterrupt (and time to clean up)."""
    return Forked(task, say).result()


class Forked(Generic[T]):
    """:func:`forked_call`'s process, started at once: this process works on meanwhile and
    asks for the :meth:`result` when it needs it (or :meth:`stop` s it)."""

    def __init__(
        self,
        task: Callable[[Callable[[str], None]], T],
        say: Callable[[str], None] = lambda _m: None,
    ) -> None:
        ctx = multiprocessing.get_context("fork")
        self._say = say
        self._messages = ctx.Queue()
        # not a daemon: it may fork workers
        self._child = ctx.Process(target=_call, args=(task, self._messages))
        with frozen():
            self._child.start()

    def result(self) -> T:
        """Wait for the task's result (its exception is raised here)."""
        child, finished = self._child, False
        try:
            while True:
                try:
                    kind, value = self._messages.get(timeout=1)
                except queue.Empty:
                    if not child.is_alive() and self._messages.empty():
                        raise RuntimeError(
                            f"the process died (exit code {child.exitcode})"
                        ) from None
                    continue
                if kind == "say":
                    self._say(value)
                    continue
                finished = True
                if kind == "error":
                    raise value
                return value  # type: ignore[no-any-return]
        finally:
            if not finished:
                self.stop()
            child.join()

    def stop(self) -> None:
        """Interrupt the task (it cleans up) and wait until its process has ended."""
        child = self._child
        if child.is_alive():
            child.terminate()  # it stops and removes what it wrote (see _call)
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
        child.join()


def _background(task: Callable[[], None]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when it stops
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # stop at once: nothing to clean up
    try:
        task()
    except BaseException:
        os.write(2, traceback.format_exc().encode())  # no locks: other threads may hold them
        os._exit(1)


def forked_background(task: Callable[[], None]) -> multiprocessing.process.BaseProcess:
    """Start ``task()`` in a forked process and return it without waiting.

    The process works from a snapshot of this one's memory as it is now, so this process may
    go on changing its own. Stop it with :func:`stop_background`; it is a daemon, so it stops
    when this process ends too. Its exit code is 1 when the task raised (the traceback goes
    to stderr).
    """
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=_background, args=(task,), daemon=True)
    with frozen():
        child.start()
    return child


def stop_background(
    child: multiprocessing.process.BaseProcess | None, wait: bool = False
) -> int | None:
    """Stop a process of :func:`forked_background` if it still runs, or with ``wait`` let it
    end; its exit code (negative: stopped by a signal), None when there was none."""
    if child is None:
        return None
    if child.is_alive() and not wait:
        child.terminate()
    child.join()
    return child.exitcode
