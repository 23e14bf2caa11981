"""Stage 2 of the pipeline: raw records → pydantic models + cross-record rules → site graph."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fundsite.collector import paused as collector_paused
from fundsite.diagnostics import Problem
from fundsite.validate.graph import SiteGraph

if TYPE_CHECKING:
    from fundsite.validate.patch import CheckState


@dataclass
class CheckResult:
    """The graph (None when the site cannot be read at all) and every problem found."""

    graph: SiteGraph | None
    problems: list[Problem]
    files: int

    @property
    def ok(self) -> bool:
        return self.graph is not None and not any(p.severity == "error" for p in self.problems)


def check_site(site_dir: Path, workers: int | None = None, remember: bool = False) -> CheckResult:
    """Load and validate a site folder: the whole of ``fundsite check``."""
    return check_state(site_dir, workers, remember)[1]


def check_state(
    site_dir: Path, workers: int | None = None, remember: bool = False
) -> tuple[CheckState | None, CheckResult]:
    """:func:`check_site`, also keeping the state that ``serve`` patches edits into.

    With ``remember`` the last full check, kept in the site's cache folder, is brought up to
    date with the files changed since (:mod:`fundsite.validate.saved`); the result is the
    same. A full check is kept for the next run.
    """
    from fundsite.validate import saved
    from fundsite.validate.patch import CheckState
    from fundsite.validate.records import check_files

    site_dir = site_dir.resolve()
    if remember:
        recalled = saved.recall(site_dir)
        if recalled is not None:
            state = recalled.state
            return state, CheckResult(state.graph, state.problems(), recalled.files)
    with collector_paused():  # its full passes took a quarter of a national check
        checked = check_files(site_dir, workers=workers)
        state, problems = CheckState.from_check(checked, site_dir)
    if remember and state is not None:
        saved.save(state)
    return state, CheckResult(state.graph if state else None, problems, checked.files)
