"""Each record on its own: its model and the one-record rules, run where the file was parsed.

Large sites are parsed and checked in parallel processes; only the validated records travel
back, not their positions (a record's positions are read again only if a cross-record rule
reports a problem about it), which halves what crosses between processes.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from fundsite.diagnostics import Problem
from fundsite.load.files import RawRecord, read_record, scan
from fundsite.load.safe import SiteReader
from fundsite.validate import rules
from fundsite.validate.collector import Collector
from fundsite.validate.graph import FundNode, Node, PageNode, PlanNode, ProjectNode, ReportNode
from fundsite.validate.models import MODELS
from fundsite.validate.positions import problems_from

NODE_TYPES: dict[str, type[Node]] = {
    "fund": FundNode,
    "plan": PlanNode,
    "project": ProjectNode,
    "report": ReportNode,
    "page": PageNode,
}


@dataclass
class Checked:
    """One record after its own checks."""

    kind: str
    path: str
    model: Any | None  # None when its own errors keep it out of the graph
    node: Node | None = None  # content records: the graph node, without positions
    raw: RawRecord | None = None  # records of data files (site, issues, regions) keep theirs
    raw_id: Any = None


@dataclass
class CheckedFiles:
    records: list[Checked]
    load_problems: list[Problem]  # files that could not be read or parsed
    problems: list[Problem]  # problems of single records
    files: int
    media: list[str] = field(default_factory=list)  # "media/…" files, relative to content/


def _without_bad_fields(data: Any, exc: ValidationError, model: Any) -> Any:
    """The record less its faulty optional fields, so cross-record rules can still check it.

    Its problems are already reported; this only lets one run report everything.
    """
    bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    if not isinstance(data, dict) or any(
        name in model.model_fields and model.model_fields[name].is_required() for name in bad
    ):
        return None
    try:
        return model.model_validate({k: v for k, v in data.items() if k not in bad})
    except ValidationError:
        return None


_FIELDS_SETS: dict[frozenset[str], frozenset[str]] = {}
#: The many kinds, whose models nothing assigns to (a page's missing id is filled in).
SHARED_FIELDS_SETS = frozenset({"fund", "plan", "project", "report"})


def share_fields_sets(model: BaseModel) -> None:
    """Give the model (and the models inside it) one shared, frozen set of its written fields.

    Pydantic keeps a set of written field names in every model instance: about a third of a
    checked record's memory. Records that write the same fields can share one frozen set
    (their fields are only read once checked).
    """
    fields = frozenset(model.__pydantic_fields_set__)
    object.__setattr__(model, "__pydantic_fields_set__", _FIELDS_SETS.setdefault(fields, fields))
    for value in model.__dict__.values():
        if isinstance(value, BaseModel):
            share_fields_sets(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    share_fields_sets(item)


def check_record(raw: RawRecord, out: Collector) -> Checked:
    """Validate one record against its model and run the one-record rules."""
    model_type = MODELS[raw.kind]
    raw_id = raw.data.get("id") if isinstance(raw.data, dict) else None
    try:
        model = model_type.model_validate(raw.data)
    except ValidationError as exc:
        out.problems.extend(problems_from(exc, raw.data, raw.path, model_type))
        model = _without_bad_fields(raw.data, exc, model_type)
    if raw.kind not in NODE_TYPES:
        return Checked(raw.kind, raw.path, model, raw=raw, raw_id=raw_id)
    if model is None:
        return Checked(raw.kind, raw.path, None, raw_id=raw_id)
    node = NODE_TYPES[raw.kind](
        path=raw.path, body=raw.body, body_line=raw.body_line, raw=raw.data, digest=raw.digest
    )
    node.record = model  # type: ignore[attr-defined]
    for rule in rules.RECORD_RULES:
        rule(node, out)  # may redact a field
    if raw.kind in SHARED_FIELDS_SETS:
        share_fields_sets(model)
    node.raw = None
    return Checked(raw.kind, raw.path, model, node=node, raw_id=raw_id)


def _check_batch(args: tuple[list[tuple[str, str]], str]) -> CheckedFiles:
    items, site = args
    root = Path(site)
    out = Collector(root)
    checked: list[Checked] = []
    load_problems: list[Problem] = []
    with SiteReader(root) as reader:
        for kind, rel in items:
            raws, problems = read_record(kind, root / rel, root, reader)
            load_problems.extend(problems)
            checked.extend(check_record(raw, out) for raw in raws)
    return CheckedFiles(checked, load_problems, out.problems, len(items))


def check_files(site: Path, workers: int | None = None) -> CheckedFiles:
    """Read and check every record file of ``site``, in parallel processes for large sites."""
    site = site.resolve()
    inventory = scan(site)
    files = inventory.records
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(files) < 2000:
        result = _check_batch((files, str(site)))
    else:
        chunk = max(200, len(files) // (workers * 8))
        batches = [(files[i : i + chunk], str(site)) for i in range(0, len(files), chunk)]
        result = CheckedFiles([], [], [], 0)
        with ProcessPoolExecutor(workers) as pool:
            for part in pool.map(_check_batch, batches):
                result.records.extend(part.records)
                result.load_problems.extend(part.load_problems)
                result.problems.extend(part.problems)
                result.files += part.files
    result.load_problems[:0] = inventory.problems
    result.media = inventory.media
    return result
