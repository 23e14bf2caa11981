"""Problems found in a site's records: one shape for every stage, rendered in Thai or English."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """Something wrong with a record, at the place it was written.

    ``code`` names the message in :mod:`fundsite.messages`; ``params`` fill it in. ``hint`` names
    an optional "probably meant" message using the same params. ``field`` is the field path as
    written in the file (``installments[1].amount``).
    """

    severity: Severity
    code: str
    file: str
    line: int = 1
    col: int = 1
    field: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    hint: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.col, self.code)


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]
