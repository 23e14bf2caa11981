"""The cycle collector paused while many objects are made at once and none is garbage."""

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
