"""The cycle collector paused while many objects are made at once and none is garbage, and
frozen while forked processes share this one's pages."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cycle collector: a state read back, a manifest written or the open data made
    create 10^5 to 10^7 containers without cycles, and its passes would only scan them (and the
    whole graph) again and again: they doubled or tripled those steps' time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """The objects there are now frozen (:func:`gc.freeze`) while forked processes start or
    work from them: the cycle collectors then leave the pages this process and its children
    share alone. Objects frozen before stay so after: a build keeps its remembered check
    frozen to the end (``saved.load``), or each pass after the first render would walk it."""
    before = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not before:
            gc.unfreeze()
