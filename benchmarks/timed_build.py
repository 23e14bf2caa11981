"""Run the ``fundsite`` command line, printing how long each stage of a build took.

    python benchmarks/timed_build.py build SITE -o OUT

Wraps the build's stage functions with timers (``bench_publish.py`` runs its builds this way,
so each figure comes with where its time went): the check, the manifest read, the page plan,
the output guard, the records' digests and placements, the fingerprints (of the pages an edit
may change, or of every page), the staging folder, rendering, open data and the other files,
preparing the search index, saving the manifest, Pagefind, and putting the staged files out.
Lines start with ``stage:``; a stage in which the cycle collector's full collections took
time says how long.
"""

from __future__ import annotations

import functools
import gc
import sys
import time
from collections.abc import Callable
from typing import Any

import fundsite.build as build
from fundsite.cli import main
from fundsite.plan import deps
from fundsite.write import manifest

STAGES = {
    build: [
        "check_state",
        "plan_site",
        "path_conflicts",
        "records_of",
        "_fingerprints_since",
        "begin_stage",
        "render_all",
        "write_site_files",
        "_prepare_index",
        "run_index",
        "commit_stage",
    ],
    manifest: ["load", "save_pending"],
    deps: ["placements", "fingerprints"],
}


#: Seconds this process spent in the cycle collector's full collections (generation 2).
_FULL_GC = [0.0, 0.0]  # total, start of the running one


def _count_gc(phase: str, info: dict[str, Any]) -> None:
    if info["generation"] == 2:
        if phase == "start":
            _FULL_GC[1] = time.perf_counter()
        else:
            _FULL_GC[0] += time.perf_counter() - _FULL_GC[1]


def _timed(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started, collected = time.perf_counter(), _FULL_GC[0]
        try:
            return fn(*args, **kwargs)
        finally:
            full = _FULL_GC[0] - collected
            gc_note = f" (full collections {full:.1f} s)" if full >= 0.05 else ""
            print(f"stage: {name} {time.perf_counter() - started:.1f} s{gc_note}", flush=True)

    return wrapper


if __name__ == "__main__":
    gc.callbacks.append(_count_gc)
    for module, names in STAGES.items():
        for name in names:
            label = name if module is build else f"{module.__name__.rpartition('.')[2]}.{name}"
            setattr(module, name, _timed(getattr(module, name), label.strip("_")))
    sys.exit(main(sys.argv[1:]))
