"""Collects problems and places them at the line and column where the field was written."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from fundsite.diagnostics import Problem
from fundsite.load.files import RawRecord
from fundsite.validate.graph import Node
from fundsite.validate.positions import locate


class Collector:
    """Collects problems, locating fields in the raw record they came from."""

    def __init__(self, site_dir: Path | None = None) -> None:
        self.site_dir = site_dir
        self.problems: list[Problem] = []
        #: kind → ids (and file names) of records that exist but were left out of the graph
        #: because of their own, already reported, errors; ``"*"`` when a whole data file is
        #: unreadable. References to them are not reported again as "there is no …".
        self.broken: dict[str, set[str]] = defaultdict(set)

    def is_broken(self, kind: str, value: Any) -> bool:
        ids = self.broken.get(kind, ())
        return "*" in ids or str(value) in ids

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def at(
        self,
        node: Node | RawRecord,
        loc: tuple[Any, ...],
        code: str,
        severity: str = "error",
        hint: str | None = None,
        key: bool = False,
        note: bool = False,
        field_name: str | None = None,
        **params: Any,
    ) -> Problem:
        """Record a problem about field ``loc`` of a record; ``note`` shows it on its page too.

        ``field_name`` names a field that is not written (missing), at the record's start.
        """
        raw = self._raw_of(node)
        (line, col), field = (
            locate(raw, loc, key=key) if loc else (getattr(raw, "pos", (1, 1)), field_name)
        )
        problem = Problem(severity, code, node.path, line, col, field, params, hint)  # type: ignore[arg-type]
        self.problems.append(problem)
        if note and isinstance(node, Node):
            node.notes.append(problem)
        return problem

    def position(self, node: Node | RawRecord, loc: tuple[Any, ...]) -> tuple[int, int]:
        """Where field ``loc`` of a record was written (its start for ``()``)."""
        raw = self._raw_of(node)
        return locate(raw, loc)[0] if loc else getattr(raw, "pos", (1, 1))

    def _raw_of(self, node: Node | RawRecord) -> Any:
        if isinstance(node, RawRecord):
            return node.data
        if node.raw is None:
            node.raw = self._reread(node.path)
        return node.raw

    def _reread(self, path: str) -> Any:
        """Positions of a record parsed elsewhere: read its file again (only when needed)."""
        from fundsite.load.files import read_record

        if self.site_dir is not None:
            found, _ = read_record("record", self.site_dir / path, self.site_dir)
            if found:
                return found[0].data
        return None
