"""Run the ``fundsite`` command line, printing how long each stage of a build took.

    python benchmarks/timed_build.py build SITE -o OUT

Wraps the build's stage functions with timers (``bench_publish.py`` runs its builds this way,
so each figure comes with where its time went): the check, the manifest read, the page plan,
the output guard, the records' digests and placements, the fingerprints (of the pages an edit
may change, or of every page), the staging folder, rendering, open data and the other files,
preparing the search index, saving the manifest, Pagefind, and putting the staged files out.
Lines start with ``stage:``.
"""

from __future__ import annotations

import functools
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


def _timed(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            print(f"stage: {name} {time.perf_counter() - started:.1f} s", flush=True)

    return wrapper


if __name__ == "__main__":
    for module, names in STAGES.items():
        for name in names:
            label = name if module is build else f"{module.__name__.rpartition('.')[2]}.{name}"
            setattr(module, name, _timed(getattr(module, name), label.strip("_")))
    sys.exit(main(sys.argv[1:]))
