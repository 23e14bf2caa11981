"""Records as open data: flat rows for CSV, nested records for JSON; ISO dates, plain decimals.

An amount that is not stated is an empty cell, never ``0``: a sum over a column then tells
"nothing" from "not known" (an amount a model defaults to zero counts as stated only when it
was written: ``model_fields_set``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from fundsite.plan import money
from fundsite.validate.fields import fields_of
from fundsite.validate.graph import FundNode, PlanNode, ProjectNode, ReportNode
from fundsite.validate.models import (
    Finance,
    Fund,
    Income,
    Installment,
    Issue,
    Plan,
    Project,
    ProjectObjective,
    Report,
    TargetGroup,
)
from fundsite.validate.types import FISCAL_YEARS


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_NO_AREA = {"province_code": "", "district_code": "", "subdistrict_code": "", "region": ""}


def _areas(areas: list[Any]) -> dict[str, str]:
    if not areas:
        return dict(_NO_AREA)
    first = areas[0]
    return {
        "province_code": first.province or "",
        "district_code": first.district or "",
        "subdistrict_code": first.subdistrict or "",
        "region": str(first.region or ""),
    }


def fund_row(node: FundNode) -> dict[str, Any]:
    r = node.record
    approved = money.Sum.of(p.record.budget for p in node.projects)
    return {
        "id": r.id,
        "kind": r.kind,
        "name": r.name,
        "organization": r.organization or "",
        **_areas(node.areas),
        "population": r.population if r.population is not None else "",
        "plans": len(node.plans),
        "projects": len(node.projects),
        "approved_budget": stated_sum(approved),
        "approved_budget_not_stated": approved.unknown,
    }


def stated_sum(s: money.Sum) -> str:
    """A sum as a plain decimal; empty when none of its amounts is stated (never ``0``)."""
    return "" if s.unknown and not s.known else str(s.total)


def _dump(record: Any) -> dict[str, Any]:
    """A record's fields as :func:`_plain` data (pydantic's JSON mode does the same, in Rust:
    decimals as strings, dates in ISO, tuples as lists)."""
    return record.model_dump(mode="json", exclude={"area"})  # type: ignore[no-any-return]


def fund_record(node: FundNode) -> dict[str, Any]:
    """The fund with its plans and projects as rows."""
    data = _dump(node.record)
    data["areas"] = [_area_dict(a) for a in node.areas]
    data["plans"] = [plan_row(p) for p in node.plans]
    data["projects"] = [project_row(p) for p in node.projects]
    return data


def _area_dict(area: Any) -> dict[str, Any]:
    return {k: getattr(area, k) for k in ("province", "district", "subdistrict", "region")}


def plan_row(node: PlanNode) -> dict[str, Any]:
    r = node.record
    return {
        "id": r.id,
        "fund": r.fund,
        "fiscal_year": r.fiscal_year,
        "issue": r.issue,
        "title": r.title,
        "budget": _plain(r.budget) or "",
        "projects": len(node.projects),
    }


def project_row(node: ProjectNode) -> dict[str, Any]:
    r = node.record
    location = r.location
    return {
        "id": r.id,
        "title": r.title,
        "fund": r.fund,
        "plan": r.plan or "",
        "issues": " ".join(node.issues),
        "fiscal_year": node.fiscal_year or "",
        "programme": r.programme or "",
        "support_type": r.support_type or "",
        "organization": r.organization or "",
        "approved_on": _iso(r.approved_on),
        "start": _iso(r.start),
        "end": _iso(r.end),
        "budget": "" if r.budget is None else str(r.budget),
        "installments_total": str(node.installments_total),
        "responsible": r.responsible or "",
        "status": r.status or "",
        **_areas(node.areas or node.fund.areas),
        "latitude": location[0] if location else "",
        "longitude": location[1] if location else "",
        "reports": len(node.reports),
        "reported_spent": str(node.reported_spent),
        "returned": "" if r.returned is None else str(r.returned),
    }


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def project_record(node: ProjectNode) -> dict[str, Any]:
    data = _dump(node.record)
    data.update(
        issues=node.issues,
        fiscal_year=node.fiscal_year,
        areas=[_area_dict(a) for a in node.areas],
        reports=[report_row(r) for r in node.reports],
        notes=[n.code for n in node.notes],
    )
    return data


def report_row(node: ReportNode) -> dict[str, Any]:
    r = node.record
    return {
        "id": r.id,
        "project": r.project,
        "fund": node.fund.id,
        "title": r.title,
        "date": r.date.isoformat(),
        "kind": r.kind or "",
        "reporter": r.reporter or "",
        "participants": r.participants if r.participants is not None else "",
        "spent": _plain(r.spent) or "",
        **_areas(node.areas),
    }


def _stated(model: BaseModel, name: str) -> str:
    """A written amount as a plain decimal; ``""`` when it was not written (a model's default
    of ``0`` is not a stated zero)."""
    value = getattr(model, name)
    return "" if value is None or name not in model.model_fields_set else str(value)


def finance_rows(node: FundNode) -> Iterator[dict[str, Any]]:
    """One row per fiscal year of a fund's ``finances``, in fiscal-year order."""
    for fin in sorted(node.record.finances, key=lambda f: f.fiscal_year):
        written = "income" in fin.model_fields_set
        yield dict(
            zip(
                FINANCES,
                (
                    node.id,
                    fin.fiscal_year,
                    _stated(fin, "carried_forward"),
                    _stated(fin.income, "nhso") if written else "",
                    _stated(fin.income, "local") if written else "",
                    _stated(fin.income, "other") if written else "",
                    _stated(fin, "spent"),
                    _stated(fin, "balance"),
                ),
                strict=True,
            )
        )


def installment_rows(node: ProjectNode) -> Iterator[dict[str, Any]]:
    """One row per installment of a project, numbered from 1 as written.

    ``reports_in_window`` counts the project's reports dated in the installment's report
    window (from ``report_start``, else the installment's ``start``, to ``report_end``); empty
    when the window has no end. It does not depend on the data's date: whether the window has
    passed is for the reader (and ``fundsite check``) to judge.
    """
    for number, inst in enumerate(node.record.installments, 1):
        end = inst.report_end
        start = inst.report_start or inst.start
        in_window: int | str = ""
        if end is not None:
            in_window = sum(
                1
                for r in node.reports
                if (start is None or start <= r.record.date) and r.record.date <= end
            )
        yield dict(
            zip(
                INSTALLMENTS,
                (
                    node.id,
                    number,
                    node.record.fund,
                    node.fiscal_year or "",
                    _iso(inst.start),
                    _iso(inst.end),
                    _iso(inst.report_start),
                    _iso(end),
                    _stated(inst, "amount"),
                    in_window,
                ),
                strict=True,
            )
        )


def objective_rows(node: ProjectNode) -> Iterator[dict[str, Any]]:
    """One row per objective of a project, numbered from 1 as written."""
    for number, o in enumerate(node.record.objectives, 1):
        yield {
            "project": node.id,
            "number": number,
            "fund": node.record.fund,
            "text": o.text,
            "indicator": o.indicator or "",
            "size": _plain(o.size) or "",
            "target": _plain(o.target) or "",
            "achieved": _plain(o.achieved) or "",
        }


def target_group_rows(node: ProjectNode) -> Iterator[dict[str, Any]]:
    """One row per target group of a project, numbered from 1 as written."""
    for number, g in enumerate(node.record.target_groups, 1):
        yield {
            "project": node.id,
            "number": number,
            "fund": node.record.fund,
            "name": g.name,
            "planned": "" if g.planned is None else g.planned,
            "attended": "" if g.attended is None else g.attended,
        }


def issue_row(issue: Issue) -> dict[str, Any]:
    return {"id": issue.id, "name": issue.name, "name_en": issue.name_en or ""}


#: The files of ``data/`` beside the tables (the snapshot's name has the data's date).
PACKAGE, CATALOGUE, GIVING, GIVING_LEFT_OUT, ALL = (
    "data/datapackage.json",
    "data/catalog.jsonld",
    "data/360giving.json",
    "data/360giving-left-out.csv",
    "data/all.json",
)


def snapshot_path(day: date) -> str:
    return f"data/snapshot-{day.isoformat()}.zip"


# ---- the tables and what their columns hold ------------------------------------------------

#: Table Schema types of the kinds of :func:`fundsite.validate.fields.fields_of`.
_TYPES = {
    "money": "number",
    "number": "number",
    "date": "date",
    "fiscal_year": "integer",
    "integer": "integer",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class Column:
    """One column of an open-data table: its name, Thai and English meaning, and the Table
    Schema type and constraints the values keep (empty cells are "not stated")."""

    name: str
    th: str
    en: str
    type: str = "string"
    required: bool = False
    unique: bool = False
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[Any, ...] = ()
    pattern: str | None = None

    @property
    def meaning(self) -> tuple[str, str]:
        """Thai and English meaning; an optional column says that empty is not stated."""
        if self.required:
            return self.th, self.en
        return f"{self.th} (ว่าง = ไม่ระบุ)", f"{self.en} (empty: not stated)"


def field(model: type[BaseModel], name: str, column: str = "", **changes: Any) -> Column:
    """The column that holds field ``name`` of ``model`` as written: its labels, type, bounds
    and choices are the model's (:func:`fields_of`); ``changes`` are what the table adds."""
    spec = {s.name: s for s in fields_of(model)}[name]
    kind = spec.kind
    low, high = spec.minimum, spec.maximum
    if kind == "fiscal_year":
        low, high = FISCAL_YEARS
    elif kind == "money":
        low = 0
    values = tuple(v for v, _ in spec.choices)
    kw: dict[str, Any] = dict(
        th=spec.label_th,
        en=spec.label_en,
        type=_TYPES.get(kind, "integer" if values and type(values[0]) is int else "string"),
        required=spec.required,
        minimum=low,
        maximum=high,
        choices=values,
    )
    return Column(column or name, **{**kw, **changes})


def own(name: str, th: str, en: str, type: str = "string", **kw: Any) -> Column:
    """A column the export works out (a count, a sum, a code), described here."""
    return Column(name, th, en, type, **kw)


def _key(name: str, th: str, en: str, pattern: str | None = None) -> Column:
    return Column(name, th, en, required=True, unique=True, pattern=pattern)


def _count(name: str, th: str, en: str) -> Column:
    return own(name, th, en, "integer", required=True, minimum=0)


def _sum(name: str, th: str, en: str) -> Column:
    return own(name, th, en, "number", required=True, minimum=0)


def _number(name: str) -> Column:
    return own(name, "ลำดับที่ (เริ่มที่ 1)", "number, from 1", "integer", required=True, minimum=1)


_FUND = own("fund", "รหัสกองทุน", "fund code", required=True)
_PROJECT = own("project", "รหัสโครงการ", "project code", required=True)
_FISCAL_YEAR = own(
    "fiscal_year",
    "ปีงบประมาณ (พ.ศ.)",
    "fiscal year (BE)",
    "integer",
    minimum=FISCAL_YEARS[0],
    maximum=FISCAL_YEARS[1],
)
_AREA = (
    own("province_code", "รหัสจังหวัด (กรมการปกครอง)", "DOPA province code", pattern="[0-9]{2}"),
    own("district_code", "รหัสอำเภอ (กรมการปกครอง)", "DOPA district code", pattern="[0-9]{4}"),
    own("subdistrict_code", "รหัสตำบล (กรมการปกครอง)", "DOPA sub-district code", pattern="[0-9]{6}"),
    own("region", "เขตสุขภาพ สปสช.", "NHSO health region", "integer", minimum=1, maximum=13),
)


@dataclass(frozen=True)
class Table:
    """An open-data table: its title, the graph's store its rows come from (``funds``,
    ``plans``, ``projects``, ``reports`` or ``issues``), the rows of one record (any number of
    them), its columns, its primary key and the tables its columns refer to."""

    th: str
    en: str
    store: str
    rows: Callable[[Any], Iterable[dict[str, Any]]]
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("id",)
    refers: tuple[tuple[str, str], ...] = ()  # (column, table): the column holds its ``id``

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _one(row: Callable[[Any], dict[str, Any]]) -> Callable[[Any], Iterable[dict[str, Any]]]:
    return lambda node: (row(node),)


_OF_PROJECT = (("project", "projects"), ("fund", "funds"))

TABLES: dict[str, Table] = {
    "funds": Table(
        "กองทุน",
        "funds",
        "funds",
        _one(fund_row),
        (
            field(Fund, "id", unique=True),
            field(Fund, "kind"),
            field(Fund, "name"),
            field(Fund, "organization"),
            *_AREA,
            field(Fund, "population"),
            _count("plans", "จำนวนแผนงาน", "number of plans"),
            _count("projects", "จำนวนโครงการ", "number of projects"),
            own(
                "approved_budget",
                "งบประมาณโครงการรวม (บาท) เฉพาะโครงการที่ระบุงบ",
                "project budgets (THB), of the projects that state one",
                "number",
                minimum=0,
            ),
            _count(
                "approved_budget_not_stated",
                "จำนวนโครงการที่ไม่ระบุงบประมาณ (ไม่นับรวม)",
                "projects stating no budget (not in the sum)",
            ),
        ),
    ),
    "finances": Table(
        "การเงินของกองทุนรายปีงบประมาณ",
        "fund finances by fiscal year",
        "funds",
        finance_rows,
        (
            _FUND,
            field(Finance, "fiscal_year"),
            field(Finance, "carried_forward"),
            field(Income, "nhso", "income_nhso", required=False),
            field(Income, "local", "income_local", required=False),
            field(Income, "other", "income_other", required=False),
            field(Finance, "spent"),
            field(Finance, "balance"),
        ),
        key=("fund", "fiscal_year"),
        refers=(("fund", "funds"),),
    ),
    "plans": Table(
        "แผนงาน",
        "plans",
        "plans",
        _one(plan_row),
        (
            field(Plan, "id", unique=True),
            field(Plan, "fund"),
            field(Plan, "fiscal_year"),
            field(Plan, "issue"),
            field(Plan, "title"),
            field(Plan, "budget"),
            _count("projects", "จำนวนโครงการ", "number of projects"),
        ),
        refers=(("fund", "funds"), ("issue", "issues")),
    ),
    "projects": Table(
        "โครงการ",
        "projects",
        "projects",
        _one(project_row),
        (
            field(Project, "id", unique=True),
            field(Project, "title"),
            field(Project, "fund"),
            field(Project, "plan"),
            own("issues", "ประเด็น (รหัส คั่นด้วยช่องว่าง)", "issue ids, space-separated"),
            _FISCAL_YEAR,
            field(Project, "programme"),
            field(Project, "support_type"),
            field(Project, "organization"),
            field(Project, "approved_on"),
            field(Project, "start"),
            field(Project, "end"),
            field(Project, "budget"),
            _sum("installments_total", "รวมเงินของทุกงวด (บาท)", "sum of installments (THB)"),
            field(Project, "responsible"),
            field(Project, "status"),
            *_AREA,
            own("latitude", "ละติจูด", "latitude", "number", minimum=-90, maximum=90),
            own("longitude", "ลองจิจูด", "longitude", "number", minimum=-180, maximum=180),
            _count("reports", "จำนวนรายงาน", "number of reports"),
            _sum("reported_spent", "เงินที่รายงานว่าใช้ (บาท)", "money reported spent (THB)"),
            field(Project, "returned"),
        ),
        refers=(("fund", "funds"), ("plan", "plans"), ("programme", "projects")),
    ),
    "installments": Table(
        "งวดเงินของโครงการ",
        "installments",
        "projects",
        installment_rows,
        (
            _PROJECT,
            _number("number"),
            _FUND,
            _FISCAL_YEAR,
            field(Installment, "start"),
            field(Installment, "end"),
            field(Installment, "report_start"),
            field(Installment, "report_end"),
            field(Installment, "amount", required=False),
            own(
                "reports_in_window",
                "จำนวนรายงานที่ลงวันที่ในช่วงส่งรายงาน (ว่าง = ช่วงส่งรายงานไม่มีวันสิ้นสุด)",
                "reports dated in the report window (empty: the window has no end)",
                "integer",
                minimum=0,
            ),
        ),
        key=("project", "number"),
        refers=_OF_PROJECT,
    ),
    "objectives": Table(
        "วัตถุประสงค์และตัวชี้วัดของโครงการ",
        "project objectives and indicators",
        "projects",
        objective_rows,
        (
            _PROJECT,
            _number("number"),
            _FUND,
            field(ProjectObjective, "text"),
            field(ProjectObjective, "indicator"),
            field(ProjectObjective, "size"),
            field(ProjectObjective, "target"),
            field(ProjectObjective, "achieved"),
        ),
        key=("project", "number"),
        refers=_OF_PROJECT,
    ),
    "target_groups": Table(
        "กลุ่มเป้าหมายของโครงการ",
        "project target groups",
        "projects",
        target_group_rows,
        (
            _PROJECT,
            _number("number"),
            _FUND,
            field(TargetGroup, "name"),
            field(TargetGroup, "planned"),
            field(TargetGroup, "attended"),
        ),
        key=("project", "number"),
        refers=_OF_PROJECT,
    ),
    "reports": Table(
        "รายงานกิจกรรม",
        "activity reports",
        "reports",
        _one(report_row),
        (
            field(Report, "id", unique=True),
            field(Report, "project"),
            _FUND,
            field(Report, "title"),
            field(Report, "date"),
            field(Report, "kind"),
            field(Report, "reporter"),
            field(Report, "participants"),
            field(Report, "spent"),
            *_AREA,
        ),
        refers=_OF_PROJECT,
    ),
    "issues": Table(
        "ประเด็น",
        "issues",
        "issues",
        _one(issue_row),
        (
            _key("id", "รหัสประเด็น", "issue id"),
            own("name", "ชื่อประเด็น", "name", required=True),
            own("name_en", "ชื่อภาษาอังกฤษ", "name in English"),
        ),
    ),
}
FINANCES = TABLES["finances"].names
INSTALLMENTS = TABLES["installments"].names
