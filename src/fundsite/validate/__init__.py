"""Stage 2 of the pipeline: raw records → pydantic models + cross-record rules → site graph."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fundsite.diagnostics import Problem
from fundsite.validate.build_graph import link
from fundsite.validate.graph import SiteGraph


@dataclass
class CheckResult:
    """The graph (None when the site cannot be read at all) and every problem found."""

    graph: SiteGraph | None
    problems: list[Problem]
    files: int

    @property
    def ok(self) -> bool:
        return self.graph is not None and not any(p.severity == "error" for p in self.problems)


def check_site(site_dir: Path, workers: int | None = None) -> CheckResult:
    """Load and validate a site folder: the whole of ``fundsite check``."""
    from fundsite.validate.records import check_files

    checked = check_files(site_dir, workers=workers)
    graph, problems = link(checked, site_dir.resolve())
    problems.sort(key=lambda p: p.sort_key)
    return CheckResult(graph, problems, checked.files)
