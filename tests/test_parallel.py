"""Forked processes: forked_map's slices and forked_call's relay of messages, results, errors."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from fundsite.parallel import (
    Forked,
    forked_background,
    forked_call,
    forked_map,
    stop_background,
)


def test_forked_map_covers_every_item_once() -> None:
    parts = forked_map(lambda a, b: list(range(a, b)), 1000, workers=2, min_chunk=10)
    assert sorted(i for part in parts for i in part) == list(range(1000))
    assert len(parts) > 2  # sliced, not one serial call


def test_forked_map_raises_a_workers_error() -> None:
    def task(start: int, stop: int) -> int:
        if start >= 500:
            raise ValueError(f"bad slice {start}")
        return stop - start

    with pytest.raises(ValueError, match="bad slice"):
        forked_map(task, 1000, workers=2, min_chunk=10)


def test_forked_map_reports_a_worker_that_dies() -> None:
    parent = os.getpid()

    def task(start: int, stop: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        threading.Event().wait(0.05)  # leave the worker time to take a slice
        return stop - start

    with pytest.raises(RuntimeError, match="died"):
        forked_map(task, 1000, workers=2, min_chunk=10)


def test_forked_call_relays_messages_and_returns_the_result() -> None:
    said: list[str] = []

    def task(say: Callable[[str], None]) -> tuple[int, int]:
        for i in range(3):
            say(f"step {i}")
        return os.getpid(), 42

    pid, value = forked_call(task, said.append)
    assert value == 42 and pid != os.getpid()
    assert said == ["step 0", "step 1", "step 2"]


def test_forked_call_raises_the_childs_error() -> None:
    def task(_say: Callable[[str], None]) -> None:
        raise KeyError("no such record")

    with pytest.raises(KeyError, match="no such record"):
        forked_call(task)


def test_forked_call_reports_an_error_that_cannot_travel() -> None:
    class Local(Exception):  # a local class cannot be pickled
        pass

    def task(_say: Callable[[str], None]) -> None:
        raise Local("template went wrong")

    with pytest.raises(RuntimeError, match="Local: template went wrong"):
        forked_call(task)


def test_forked_call_reports_a_child_that_dies() -> None:
    def task(_say: Callable[[str], None]) -> None:
        os._exit(9)

    with pytest.raises(RuntimeError, match="exit code 9"):
        forked_call(task)


def test_an_interrupted_forked_call_lets_the_child_clean_up(tmp_path: Path) -> None:
    """Ctrl-C in this process (here: raised by ``say``) stops the child with a
    KeyboardInterrupt, and the child's clean-up runs to the end."""
    started, cleaned = tmp_path / "started", tmp_path / "cleaned"

    def task(say: Callable[[str], None]) -> None:
        started.touch()
        try:
            say("working")
            threading.Event().wait(60)
        except KeyboardInterrupt:
            threading.Event().wait(0.5)  # a clean-up that takes a while
            cleaned.touch()
            raise

    def interrupted(_message: str) -> None:
        raise KeyboardInterrupt

    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        forked_call(task, interrupted)
    assert started.exists() and cleaned.exists()
    assert time.monotonic() - t0 < 30


def test_a_forked_task_works_while_this_process_goes_on(tmp_path: Path) -> None:
    """:class:`Forked` starts at once from a snapshot; its result (or error) comes when asked,
    and :meth:`Forked.stop` interrupts it so that its clean-up runs."""
    started, cleaned = tmp_path / "started", tmp_path / "cleaned"
    value = [1, 2]
    forked = Forked(lambda _say: (started.touch(), sum(value))[1])
    value.append(100)  # after the fork: the task does not see it
    assert forked.result() == 3 and started.exists()
    with pytest.raises(ValueError, match="bad row"):
        Forked(lambda _say: int("bad row")).result()

    def task(_say: Callable[[str], None]) -> None:
        started.unlink()
        try:
            threading.Event().wait(60)
        except KeyboardInterrupt:
            cleaned.touch()
            raise

    forked = Forked(task)
    t0 = time.monotonic()
    while started.exists() and time.monotonic() - t0 < 30:
        time.sleep(0.05)
    forked.stop()
    assert cleaned.exists() and time.monotonic() - t0 < 30


def test_forked_background_works_from_a_snapshot(tmp_path: Path) -> None:
    data = {"value": "before"}
    child = forked_background(lambda: (tmp_path / "out").write_text(data["value"]))
    data["value"] = "after"  # the child's copy is unchanged
    assert stop_background(child, wait=True) == 0
    assert (tmp_path / "out").read_text() == "before"
    assert stop_background(None) is None


def test_forked_background_can_be_stopped_and_reports_a_failure() -> None:
    child = forked_background(lambda: time.sleep(60))
    started = time.monotonic()
    assert stop_background(child) < 0  # stopped by a signal, at once
    assert time.monotonic() - started < 10

    def fail() -> None:
        raise ValueError("broken")

    assert stop_background(forked_background(fail), wait=True) == 1


@pytest.mark.parametrize("before", [False, True])
def test_forks_leave_the_freeze_as_they_found_it(before: bool) -> None:
    """Each way of forking freezes the objects there are while its processes start or work
    from them (their cycle collectors then leave shared pages alone) and unfreezes them
    after, unless they were frozen before: a build keeps its remembered check frozen."""
    import gc

    gc.unfreeze()
    if before:
        gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        seen: list[int] = []

        def task(start: int, stop: int) -> int:
            seen.append(gc.get_freeze_count())
            return stop - start

        assert sum(forked_map(task, 1000, 2, min_chunk=10)) == 1000
        assert seen and min(seen) >= frozen and max(seen) > 0  # frozen while working
        assert (gc.get_freeze_count() > 0) is before
        assert Forked(lambda _say: gc.get_freeze_count()).result() > 0
        assert (gc.get_freeze_count() > 0) is before
        forked_background(lambda: None).join()
        assert (gc.get_freeze_count() > 0) is before
    finally:
        gc.unfreeze()


def test_a_build_in_this_process_leaves_nothing_frozen(tmp_path: Path) -> None:
    """A build freezes its records and plan for its own passes of the cycle collector; one in
    this process (no search, or ``serve``'s) unfreezes them at its end, or a process that
    builds again and again would keep every build's records."""
    import gc

    from fundsite.build import build

    site = Path(__file__).parent / "fixtures" / "mini"
    gc.unfreeze()
    for keep in (False, True):
        result = build(site, tmp_path / "out", workers=2, index=False, keep=keep)
        assert result.ok and gc.get_freeze_count() == 0
    assert build(site, tmp_path / "out", workers=2, index=False).ok  # remembered, and frozen
    assert gc.get_freeze_count() == 0
