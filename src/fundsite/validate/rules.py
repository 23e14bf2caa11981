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
from pydantic import BaseModel

from fundsite.diagnostics import Problem
from fundsite.load.yamlpos import PosList
from fundsite.thai import format_baht, format_date
from fundsite.validate import media
from fundsite.validate.body import MAX_BRACKETS, MAX_NESTING, too_complex
from fundsite.validate.graph import Node, SiteGraph
from fundsite.validate.models import RECOMMENDED
from fundsite.validate.types import CONTROL, describe_char

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


#: Statuses whose report windows are not expected to hold reports: a project only proposed
#: has received nothing, a cancelled one is not carried out.
_NO_REPORTS_DUE = frozenset({"proposed", "cancelled"})


def report_windows(graph: SiteGraph, out: Collector) -> None:
    """An installment whose report window has passed (its ``report_end`` before the data's
    date, ``graph.today``) with no report of the project dated in it: from ``report_start``,
    else from the installment's ``start``, else from any date, to ``report_end``, both days
    included. Judged against the data's date, not the clock, so a commit checks the same on
    any day. A window that ends before it starts is already an error (:func:`periods`)."""
    today = graph.today
    for project in graph.projects.values():
        rec = project.record
        if rec.status in _NO_REPORTS_DUE or not rec.installments:
            continue
        for i, inst in enumerate(rec.installments):
            end = inst.report_end
            if end is None or end >= today:
                continue
            if inst.report_start is not None and end < inst.report_start:
                continue
            start = inst.report_start or inst.start
            if any(
                (start is None or start <= r.record.date) and r.record.date <= end
                for r in project.reports
            ):
                continue
            out.at(
                project,
                ("installments", i, "report_end"),
                "report-window-passed",
                W,
                hint="hint-report-window",
                note=True,
                number=i + 1,
                window_th=_window(start, end, "th"),
                window_en=_window(start, end, "en"),
                today_th=format_date(today),
                today_en=format_date(today, "en"),
            )


def _window(start: date | None, end: date, lang: str) -> str:
    if start is None:
        return f"{'ถึง' if lang == 'th' else 'until'} {format_date(end, lang)}"
    return f"{format_date(start, lang)} – {format_date(end, lang)}"


def in_progress_after_end(graph: SiteGraph, out: Collector) -> None:
    """A project still ``in-progress`` after its ``end`` (before the data's date): it was
    probably completed or cancelled and its status not updated, or it was extended."""
    today = graph.today
    for project in graph.projects.values():
        rec = project.record
        if rec.status == "in-progress" and rec.end is not None and rec.end < today:
            out.at(
                project,
                ("status",),
                "in-progress-after-end",
                W,
                hint="hint-close-project",
                note=True,
                end_th=format_date(rec.end),
                end_en=format_date(rec.end, "en"),
                today_th=format_date(today),
                today_en=format_date(today, "en"),
            )


def returned_money(graph: SiteGraph, out: Collector) -> None:
    """Money ``returned`` at close plus the money reported spent above the project's budget:
    one of them is wrong. Nothing returned (``0``) is never the cause (reported spending
    beyond the budget alone is ``spent-over-budget``)."""
    for project in graph.projects.values():
        rec = project.record
        if rec.returned is None or rec.budget is None or not rec.returned:
            continue
        spent = project.reported_spent
        if rec.returned + spent <= rec.budget:
            continue
        room = rec.budget - spent
        out.at(
            project,
            ("returned",),
            "returned-over-budget",
            W,
            hint="hint-returned" if room >= 0 else None,
            note=True,
            returned=format_baht(rec.returned, unit=False),
            spent=format_baht(spent, unit=False),
            total=format_baht(rec.returned + spent, unit=False),
            budget=format_baht(rec.budget, unit=False),
            suggestion=format_baht(max(room, Decimal(0)), unit=False),
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


# ---- personal data ---------------------------------------------------------------------------
#
# Found in the validated values (what would be published), whatever the YAML type they were
# written as, and in the Markdown body; mapped back to where they were written for the message.

#: A digit as Thais write it: ASCII or Thai (๐–๙).
_D = "[0-9\u0e50-\u0e59]"
_SP = "[ \t\u00a0]"
#: Between the digit groups of a phone number: a space, or a dash or dot (spaced or not).
_SEP = f"(?:{_SP}?[-.]{_SP}?|{_SP})"
#: A run that may be a phone number: ``+66`` (``+66 (0)``), ``66`` glued to a mobile number
#: (``+66…`` unquoted is a YAML int), or a leading ``0`` (maybe in parentheses); then up to
#: 6 digit groups, the later ones of 2 digits or more (``08.30-12.00 13`` is two times, not
#: a number) and none of more than 10 (:func:`_phone_end` checks the digits). It
#: starts after no digit, Latin letter, ``+`` or ``@``, nor after a digit and ``.`` or ``-``
#: (``2024-10-01``, ``68-L5218-4-01``, ``ISBN 978-0-…``); after a ``/`` or ``,`` it does
#: (``media/0812345678.jpg``, ``081-234-5678,089-765-4321``, ``02-123-4567/089-765-4321``).
_PHONE = re.compile(
    rf"(?<![0-9\u0e50-\u0e59A-Za-z+@])(?<!{_D}[.-])"
    rf"(?P<intl>\+{_SP}?[6๖][6๖](?:{_SEP}?\([0๐]\))?{_SEP}?"
    rf"|[6๖][6๖](?=[689๖๘๙]{_D}{{8}}(?!{_D}))"
    rf"|(?=\(?[0๐]))"
    rf"(?:\({_D}{{1,4}}\){_SEP}?{_D}{{1,10}}|{_D}{{1,10}})(?:{_SEP}{_D}{{2,10}}){{0,5}}(?!{_D})"
)
#: 13 digits, maybe spaced or hyphenated, not inside a longer number.
_NATIONAL_ID = re.compile(
    rf"(?<!{_D})(?<!{_D}[.,]){_D}(?:(?:{_SP}?-{_SP}?|{_SP})?{_D}){{12}}(?!{_D})(?![.,]{_D})"
)
#: An e-mail address; Thai text may follow it with no space (``a@b.orgครับ``).
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9\u0e00-\u0e7f-]+\.)+"
    r"(?:[A-Za-z]{2,}(?![A-Za-z0-9-])|ไทย(?![\u0e00-\u0e7f]))"
)
#: Eight digits with at most three of ``space ( ) . -`` between any two, or an ``@``: the least
#: any phone number, national id or e-mail address holds. Most text has neither, and skips the
#: patterns above.
_CANDIDATE = re.compile(rf"{_D}(?:[ \t\u00a0().\-]{{0,3}}{_D}){{7}}")
_ASCII_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SPACE = re.compile(_SP)
_DIGITS = re.compile(f"{_D}+")


def _valid_national_id(text: str) -> bool:
    """13 digits whose last is the check digit; the first is 1–8 (0 and 9 start the tax ids
    of companies and agencies, which are public)."""
    digits = [int(c) for c in text.translate(_ASCII_DIGITS) if c.isdigit()]
    if len(digits) != 13 or not 1 <= digits[0] <= 8:
        return False
    total = sum(d * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == digits[12]


def _phone_end(m: re.Match[str]) -> int | None:
    """Where the phone number that the run ``m`` starts ends, or None when it holds none.

    A Thai number is ``0`` then 2–9 (``+66`` stands for the ``0``): ten digits for mobiles
    (06, 08, 09), nine for fixed lines; a lone ``0`` first is not followed by a dot
    (``0.812345678``). The number is the whole run or its longest part that ends before a
    space (``081 234 5678 12 คน``).
    """
    text = m.string
    intl = m.group("intl") or ""
    groups = list(_DIGITS.finditer(text, m.start() + len(intl), m.end()))
    national = ""
    found = None
    for k, group in enumerate(groups):
        part = group.group().translate(_ASCII_DIGITS)
        after = text[group.end() : groups[k + 1].start()] if k + 1 < len(groups) else ""
        if k == 0:
            if intl and not part.startswith("0"):
                part = "0" + part
            if not part.startswith("0") or (part == "0" and "." in after):
                return None
        national += part
        if len(national) > 10 or national[1:2] in ("0", "1"):
            break
        if (not after or _SPACE.search(after)) and len(national) == (
            10 if national[1:2] in ("6", "8", "9") else 9
        ):
            found = group.end()
    return found


def _personal_spans(text: str) -> list[tuple[str, int, int]]:
    """``(code, start, end)`` of every phone number, national id and e-mail address in
    ``text``, in order, none overlapping."""
    if "@" not in text and not _CANDIDATE.search(text):
        return []
    spans: list[tuple[str, int, int]] = []
    if "@" in text:
        spans += [("personal-email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    spans += [
        ("personal-national-id", m.start(), m.end())
        for m in _NATIONAL_ID.finditer(text)
        if _valid_national_id(m.group())
    ]
    pos = 0
    while (m := _PHONE.search(text, pos)) is not None:
        end = _phone_end(m)
        if end is None:
            pos = m.start() + 1  # a phone number may still start inside the run
            continue
        spans.append(("personal-phone", m.start(), end))
        pos = end
    spans.sort(key=lambda s: (s[1], -s[2]))
    kept: list[tuple[str, int, int]] = []
    for span in spans:
        if not kept or span[1] >= kept[-1][2]:  # (digits of a national id read as a phone)
            kept.append(span)
    return kept


def find_personal_data(text: str) -> Iterator[tuple[str, str]]:
    """``(code, match)`` for phone numbers, checksum-valid national ids and e-mail addresses."""
    for code, start, end in _personal_spans(text):
        yield code, text[start:end]


REDACTED = "[ข้อมูลส่วนบุคคล]"


def _redacted(text: str, spans: list[tuple[str, int, int]]) -> str:
    out, pos = [], 0
    for _, start, end in spans:
        out += [text[pos:start], REDACTED]
        pos = end
    return "".join([*out, text[pos:]])


def redact(text: str) -> str:
    """``text`` with every phone number, national id and e-mail address as :data:`REDACTED`."""
    spans = _personal_spans(text)
    return _redacted(text, spans) if spans else text


def mask(code: str, found: str) -> str:
    """``found`` as messages show it, so CI logs do not publish it again: ``081-xxx-x678``,
    ``1-1007-xxxxx-xx-5``, ``s***@example.org``."""
    if code == "personal-email":
        local, _, domain = found.partition("@")
        return f"{local[:1]}***@{domain}"
    intl = ""
    if code == "personal-phone" and (m := _PHONE.match(found)) is not None:
        intl = m.group("intl") or ""
    places = [i for i, c in enumerate(found) if c.isdigit() and i >= len(intl)]
    digits = "".join(found[i] for i in places).translate(_ASCII_DIGITS)
    if code == "personal-national-id":
        head, tail = 5, 1
    else:  # the operator or area code: 081, 074, 02 (without its 0 after +66)
        head, tail = (2 if digits.lstrip("0").startswith("2") else 3) - (digits[:1] != "0"), 3
    hidden = set(places[head : len(places) - tail])
    return "".join("x" if i in hidden else c for i, c in enumerate(found))


#: Fields whose value becomes part of a URL (ids, references to ids, photo files): personal
#: data there cannot be replaced, so it is an error.
_ADDRESS_FIELDS = frozenset(
    {"id", "fund", "plan", "project", "programme", "issue", "issues", "src"}
)


def personal_data(node: Node, out: Collector) -> None:
    """Find phone numbers, national ids and e-mail addresses in what the record publishes, and
    keep them out of the site: replaced in text, left out of a number field, an error in an id.

    The validated model is searched (a national id written unquoted is a YAML int, made text
    by the model); its field paths are those of the raw record, which :func:`locate` maps back
    to where they were written (a mapping written for a one-item list, a photo given as text).
    """
    _scan_model(node, node.record, (), out)  # type: ignore[attr-defined]
    if "@" in node.body or _CANDIDATE.search(node.body):
        lines = node.body.split("\n")
        for offset, line in enumerate(lines):
            spans = _personal_spans(line)
            for code, start, end in spans:
                problem = Problem(
                    W,
                    code,
                    node.path,
                    node.body_line + offset,
                    start + 1,
                    "body",
                    {"value": mask(code, line[start:end])},
                    "hint-personal",
                )
                out.add(problem)  # for editors only: a page note would publish it
            if spans:
                lines[offset] = _redacted(line, spans)
        node.body = "\n".join(lines)


def _scan_model(node: Node, model: BaseModel, loc: tuple[Any, ...], out: Collector) -> None:
    fields = type(model).model_fields
    for name, value in model.__dict__.items():
        if value is None or isinstance(value, bool | date):
            continue
        if isinstance(value, BaseModel):
            _scan_model(node, value, (*loc, name), out)
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    _scan_model(node, item, (*loc, name, i), out)
                elif isinstance(item, str):
                    fixed = _scan_text(node, (*loc, name, i), name, item, out)
                    if fixed is not None and isinstance(value, list):
                        value[i] = fixed
        elif isinstance(value, str):
            fixed = _scan_text(node, (*loc, name), name, value, out)
            if fixed is not None:
                setattr(model, name, fixed)
        elif isinstance(value, int | Decimal) and _scan_number(node, (*loc, name), value, out):
            info = fields.get(name)
            empty = None if info is None or info.is_required() else info.get_default()
            setattr(model, name, empty)  # pages say "ไม่ระบุ"


def _scan_text(
    node: Node, loc: tuple[Any, ...], name: str, text: str, out: Collector
) -> str | None:
    """Report personal data in one text value; the value redacted, or None if unchanged."""
    spans = _personal_spans(text)
    if not spans:
        return None
    address = name in _ADDRESS_FIELDS
    for code, start, end in spans:
        value = mask(code, text[start:end])
        if address:
            out.at(node, loc, "personal-in-address", hint="hint-personal-address", value=value)
        else:
            out.at(node, loc, code, W, hint="hint-personal", value=value)
    return None if address else _redacted(text, spans)


def _scan_number(node: Node, loc: tuple[Any, ...], value: int | Decimal, out: Collector) -> bool:
    """Whether a number field holds personal data (reported): a national id, ``66`` and a
    mobile number (``+66…`` unquoted), or text that was a phone number before it was read as
    a number (``participants: "0812345678"`` is 812345678)."""
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            return False
        value = int(value)
    digits = str(abs(value))
    if not 8 <= len(digits) <= 13:
        return False
    spans = _personal_spans(digits)
    if not spans and len(digits) <= 9:
        written = _raw_at(node.raw, loc)
        if isinstance(written, str) and (spans := _personal_spans(written)):
            digits = written
    for code, start, end in spans:
        value_shown = mask(code, digits[start:end])
        out.at(node, loc, code, W, hint="hint-personal-number", value=value_shown)
    return bool(spans)


def _raw_at(raw: Any, loc: tuple[Any, ...]) -> Any:
    """The value written at model path ``loc`` (None when it was not written there)."""
    for step in loc:
        if isinstance(step, int) and not isinstance(raw, PosList):
            continue  # one item written where the model holds a list of them
        try:
            raw = raw[step]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


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


def markdown_body(node: Node, out: Collector) -> None:
    """A body with a control character is an error at its place; one nested or bracketed
    beyond what the Markdown renderer handles safely is published as plain text, and the
    editor is told where."""
    if bad := CONTROL.search(node.body):
        line = node.body.count("\n", 0, bad.start())
        col = bad.start() - node.body.rfind("\n", 0, bad.start())
        params = {"value": "", "char": describe_char(bad[0])}
        out.add(
            Problem("error", "text-control", node.path, node.body_line + line, col, "body", params)
        )
    found = too_complex(node.body)
    if found is not None:
        line, kind = found
        params = {"limit": MAX_NESTING if kind == "nesting" else MAX_BRACKETS}
        out.add(Problem(W, f"body-{kind}", node.path, node.body_line + line, 1, "body", params))


#: Rules about one record on its own: they run where the record was parsed, in parallel.
RECORD_RULES: list[Callable[[Node, Collector], None]] = [
    recommended_fields,
    personal_data,
    markdown_body,
]

#: Rules across records: they run once the graph is linked.
RULES: list[Callable[[SiteGraph, Collector], None]] = [
    media.photos,
    media.unused_media,
    periods,
    balances,
    installments,
    reports,
    report_windows,
    in_progress_after_end,
    returned_money,
    target_groups,
    project_codes,
    locations,
    regions,
    funds_without_subdistrict,
]


#: Rules about data files (``data/*.yaml``) or over every record at once, not about the
#: records a patch re-checks (a patch that could change their result is not patched).
DATA_RULES = {regions, media.unused_media}


def run(graph: SiteGraph, out: Collector, content_only: bool = False) -> None:
    """Every cross-record rule; ``content_only`` skips :data:`DATA_RULES` (see ``patch``)."""
    for rule in RULES:
        if not (content_only and rule in DATA_RULES):
            rule(graph, out)
