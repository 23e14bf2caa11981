"""The spec's cross-record rules ("Rules `fundsite check` enforces"), one function each.

Warnings that the old system showed on a record's page are also attached to the record
(``note=True``) so the build can print them as data-quality notes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import geothai

from fundsite.diagnostics import Problem
from fundsite.load.yamlpos import PosDict, PosList
from fundsite.thai import format_baht, format_date
from fundsite.validate.graph import Node, SiteGraph
from fundsite.validate.models import RECOMMENDED

if TYPE_CHECKING:
    from fundsite.validate.collector import Collector

W = "warning"


def unknown_reference(
    node: Node, loc: tuple[Any, ...], value: str, kind: str, known: Iterable[str], out: Collector
) -> None:
    """A reference to a record that does not exist, with the nearest existing ids."""
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=3, cutoff=0.6)
    out.at(
        node,
        loc,
        "unknown-ref",
        hint="hint-did-you-mean" if close else None,
        value=value,
        kind_code=kind,
        suggestion=", ".join(close),
    )


def recommended_fields(node: Node, out: Collector) -> None:
    """Fields that may be left out but make pages say "ไม่ระบุ": a warning when missing."""
    for name in RECOMMENDED.get(node.kind, ()):
        if name not in node.raw or node.raw[name] in (None, []):
            out.at(node, (), "missing-recommended", W, hint="hint-recommended", field_name=name)


def periods(graph: SiteGraph, out: Collector) -> None:
    """End dates must not come before their start dates."""
    pairs = (("start", "end"), ("report_start", "report_end"))
    for project in graph.projects.values():
        rec = project.record
        _order(project, (), rec.start, rec.end, "end", out)
        for i, inst in enumerate(rec.installments):
            for start, end in pairs:
                _order(
                    project, ("installments", i), getattr(inst, start), getattr(inst, end), end, out
                )


def _order(
    node: Node,
    loc: tuple[Any, ...],
    start: date | None,
    end: date | None,
    field: str,
    out: Collector,
) -> None:
    if start and end and end < start:
        out.at(
            node, (*loc, field), "end-before-start", start=start.isoformat(), end=end.isoformat()
        )


def balances(graph: SiteGraph, out: Collector) -> None:
    for fund in graph.funds.values():
        seen: set[int] = set()
        for i, fin in enumerate(fund.record.finances):
            if fin.fiscal_year in seen:
                out.at(
                    fund,
                    ("finances", i, "fiscal_year"),
                    "duplicate-fiscal-year",
                    value=fin.fiscal_year,
                )
            seen.add(fin.fiscal_year)
            expected = fin.expected_balance
            if fin.balance is not None and fin.balance != expected:
                out.at(
                    fund,
                    ("finances", i, "balance"),
                    "balance-mismatch",
                    hint="hint-balance",
                    fiscal_year=fin.fiscal_year,
                    balance=format_baht(fin.balance, unit=False),
                    expected=format_baht(expected, unit=False),
                )


def installments(graph: SiteGraph, out: Collector) -> None:
    """The old system's warning: installments that do not add up to the budget."""
    for project in graph.projects.values():
        rec = project.record
        if rec.budget is None or not rec.installments:
            continue
        total = project.installments_total
        if total != rec.budget:
            out.at(
                project,
                ("installments",),
                "installments-sum",
                W,
                note=True,
                total=format_baht(total, unit=False),
                budget=format_baht(rec.budget, unit=False),
            )


def reports(graph: SiteGraph, out: Collector) -> None:
    for report in graph.reports.values():
        project = report.project
        rec, when = project.record, report.record.date
        folder = PurePosixPath(report.path).parent.name
        if folder.isdigit() and int(folder) != when.year:
            out.at(report, ("date",), "report-folder-year", W, year=when.year, folder=folder)
        if (rec.start and when < rec.start) or (rec.end and when > rec.end):
            out.at(
                report,
                ("date",),
                "report-outside-period",
                W,
                note=True,
                date=format_date(when),
                start=format_date(rec.start),
                end=format_date(rec.end),
            )
        for i, photo in enumerate(report.record.photos):
            src = photo.src.lstrip("./")
            if ".." in PurePosixPath(src).parts or src not in graph.media:
                out.at(report, ("photos", i), "photo-missing", value=photo.src)
    for project in graph.projects.values():
        budget = project.record.budget
        if budget is not None and project.reports and project.reported_spent > budget:
            last = max(project.reports, key=lambda r: r.record.spent or Decimal(0))
            out.at(
                last,
                ("spent",),
                "spent-over-budget",
                W,
                note=True,
                project=project.id,
                spent=format_baht(project.reported_spent, unit=False),
                budget=format_baht(budget, unit=False),
            )
            project.notes.append(out.problems[-1])
        if project.record.status == "completed" and not project.reports:
            out.at(
                project, ("status",), "completed-no-report", W, hint="hint-add-report", note=True
            )


def target_groups(graph: SiteGraph, out: Collector) -> None:
    for project in graph.projects.values():
        for i, group in enumerate(project.record.target_groups):
            if (
                group.planned is not None
                and group.attended is not None
                and (group.attended * 2 > group.planned * 3)
            ):
                out.at(
                    project,
                    ("target_groups", i, "attended"),
                    "attended-over-planned",
                    W,
                    note=True,
                    name=group.name,
                    planned=group.planned,
                    attended=group.attended,
                )


_CODE = re.compile(r"^(\d{2})-(.+)-(\d)-(\d+)$")


def project_codes(graph: SiteGraph, out: Collector) -> None:
    """Local fund codes: ``<FY BE 2 digits>-<fund id>-<support type>-<nn>``."""
    for project in graph.projects.values():
        match = _CODE.match(project.id)
        if not match or project.fund.record.kind != "local":
            continue
        year, fund, kind, _ = match.groups()
        rec = project.record
        params = {"value": project.id}
        if project.fiscal_year and int(year) != project.fiscal_year % 100:
            out.at(
                project,
                ("id",),
                "code-year",
                W,
                note=True,
                code_year=year,
                fiscal_year=project.fiscal_year,
                **params,
            )
        if fund != rec.fund:
            out.at(
                project, ("id",), "code-fund", W, note=True, code_fund=fund, fund=rec.fund, **params
            )
        if rec.support_type is not None and int(kind) != rec.support_type:
            out.at(
                project,
                ("id",),
                "code-support-type",
                W,
                note=True,
                code_type=kind,
                support_type=rec.support_type,
                **params,
            )


def locations(graph: SiteGraph, out: Collector) -> None:
    try:
        from fundsite import geo
    except ImportError:  # pragma: no cover - the shapes ship with the package
        return
    for project in graph.projects.values():
        if project.record.location is None:
            continue
        lat, lon = project.record.location
        value = f"[{lat}, {lon}]"
        if not geo.in_thailand(lat, lon):
            swapped = geo.in_thailand(lon, lat)
            out.at(
                project,
                ("location",),
                "location-outside-thailand",
                W,
                note=True,
                hint="hint-swap" if swapped else None,
                value=value,
                suggestion=f"{lon}, {lat}",
            )
            continue
        provinces = {a.province for a in project.areas if a.province}
        if provinces and not any(geo.contains(code, lat, lon) for code in provinces):
            found = geo.province_at(lat, lon)
            found_p = geothai.province(found) if found else None
            names = ", ".join(geothai.province(c).name_th for c in sorted(provinces))  # type: ignore[union-attr]
            out.at(
                project,
                ("location",),
                "location-outside-province",
                W,
                note=True,
                value=value,
                province=names,
                found_th=f" (อยู่ในจังหวัด{found_p.name_th})" if found_p else "",
                found_en=f" (it is in {found_p.name_en})" if found_p else "",
            )


_PHONE = re.compile(r"(?<![\d.,/-])(?:\+66[\s-]?|0)(?:[689]\d|[2-7])(?:[\s-]?\d){6,7}(?![\d.,/])")
_NATIONAL_ID = re.compile(r"(?<![\d.,])\d(?:[\s-]?\d){12}(?![\d.,])")


def _valid_national_id(text: str) -> bool:
    digits = [int(c) for c in text if c.isdigit()]
    total = sum(d * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == digits[12]


def find_personal_data(text: str) -> Iterator[tuple[str, str]]:
    """``(code, match)`` for phone numbers and checksum-valid 13-digit national ids."""
    for code, m in _personal_matches(text):
        yield code, m.group()


#: Eight digits, maybe spaced or hyphenated: the least any phone number or national id holds.
_CANDIDATE = re.compile(r"\d(?:[\s-]?\d){7}")


def _personal_matches(text: str) -> Iterator[tuple[str, re.Match[str]]]:
    if not _CANDIDATE.search(text):
        return
    for m in _NATIONAL_ID.finditer(text):
        if _valid_national_id(m.group()):
            yield "personal-national-id", m
    for m in _PHONE.finditer(text):
        if len(re.sub(r"\D", "", m.group())) <= 11:
            yield "personal-phone", m


def _strings(data: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, PosDict):
        for key, value in data.items():
            yield from _strings(value, (*loc, key))
    elif isinstance(data, PosList):
        for i, value in enumerate(data):
            yield from _strings(value, (*loc, i))
    elif isinstance(data, str):
        yield loc, data


REDACTED = "[ข้อมูลส่วนบุคคล]"


def personal_data(node: Node, out: Collector) -> None:
    """Warn about phone numbers and national ids, and keep them out of the published site."""
    for loc, text in _strings(node.raw):
        for code, found in find_personal_data(text):
            out.at(node, loc, code, W, hint="hint-personal", value=found)
            _redact(node.record, loc, found)  # type: ignore[attr-defined]
    if _CANDIDATE.search(node.body):
        for offset, line in enumerate(node.body.split("\n")):
            for code, match in _personal_matches(line):
                found = match.group()
                problem = Problem(
                    W,
                    code,
                    node.path,
                    node.body_line + offset,
                    match.start() + 1,
                    "body",
                    {"value": found},
                    "hint-personal",
                )
                out.add(problem)  # for editors only: a page note would publish it
                node.body = node.body.replace(found, REDACTED)


def _redact(record: Any, loc: tuple[Any, ...], found: str) -> None:
    """Replace ``found`` in the validated value at ``loc`` (the raw value is not published)."""
    target: Any = record
    for step in loc[:-1]:
        if isinstance(step, int):
            target = target[step] if isinstance(target, list) and step < len(target) else None
        else:
            target = getattr(target, str(step), None)
        if target is None:
            return
    last = loc[-1]
    if isinstance(last, int) and isinstance(target, list) and last < len(target):
        if isinstance(target[last], str):
            target[last] = target[last].replace(found, REDACTED)
    elif isinstance(getattr(target, str(last), None), str):
        setattr(target, str(last), getattr(target, str(last)).replace(found, REDACTED))


def regions(graph: SiteGraph, out: Collector) -> None:
    if not graph.regions:
        return
    missing = [p.name_th for p in geothai.provinces() if p.code not in graph.region_of_province]
    if missing:
        out.add(
            Problem(
                W,
                "region-missing-provinces",
                "data/regions.yaml",
                1,
                1,
                None,
                {"value": ", ".join(missing)},
            )
        )


def funds_without_subdistrict(graph: SiteGraph, out: Collector) -> None:
    """A local fund is run by a sub-district or municipal council: its area names one."""
    for fund in graph.funds.values():
        if (
            fund.record.kind == "local"
            and fund.areas
            and not all(a.subdistrict for a in fund.areas)
        ):
            out.at(fund, ("area",), "area-subdistrict-for-programme", W)


#: Rules about one record on its own: they run where the record was parsed, in parallel.
RECORD_RULES: list[Callable[[Node, Collector], None]] = [recommended_fields, personal_data]

#: Rules across records: they run once the graph is linked.
RULES: list[Callable[[SiteGraph, Collector], None]] = [
    periods,
    balances,
    installments,
    reports,
    target_groups,
    project_codes,
    locations,
    regions,
    funds_without_subdistrict,
]


#: Rules about data files only (``data/*.yaml``), not about content records.
DATA_RULES = {regions}


def run(graph: SiteGraph, out: Collector, content_only: bool = False) -> None:
    """Every cross-record rule; ``content_only`` skips :data:`DATA_RULES` (see ``patch``)."""
    for rule in RULES:
        if not (content_only and rule in DATA_RULES):
            rule(graph, out)
