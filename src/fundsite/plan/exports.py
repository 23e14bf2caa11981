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

from fundsite.validate.graph import FundNode, PlanNode, ProjectNode, ReportNode


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
    return {
        "id": r.id,
        "kind": r.kind,
        "name": r.name,
        "organization": r.organization or "",
        **_areas(node.areas),
        "population": r.population if r.population is not None else "",
        "plans": len(node.plans),
        "projects": len(node.projects),
        "approved_budget": str(sum((p.budget for p in node.projects), Decimal("0.00"))),
    }


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


#: ``data/finances``: a fund's accounts for one fiscal year (keyed by fund and fiscal year).
FINANCE_COLUMNS = (
    "fund",
    "fiscal_year",
    "carried_forward",
    "income_nhso",
    "income_local",
    "income_other",
    "spent",
    "balance",
)


def finance_rows(node: FundNode) -> Iterator[dict[str, Any]]:
    """One row per fiscal year of a fund's ``finances``, in fiscal-year order."""
    for fin in sorted(node.record.finances, key=lambda f: f.fiscal_year):
        written = "income" in fin.model_fields_set
        yield dict(
            zip(
                FINANCE_COLUMNS,
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


#: ``data/installments``: one installment (งวด) of a project (keyed by project and number).
INSTALLMENT_COLUMNS = (
    "project",
    "number",
    "fund",
    "fiscal_year",
    "start",
    "end",
    "report_start",
    "report_end",
    "amount",
    "reports_in_window",
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
                INSTALLMENT_COLUMNS,
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


@dataclass(frozen=True)
class Table:
    """An open-data table: the graph's store its rows come from (``funds``, ``plans``,
    ``projects`` or ``reports``), the rows of one record (any number of them), and the columns
    when they are fixed (the header is then written even when there are no rows)."""

    store: str
    rows: Callable[[Any], Iterable[dict[str, Any]]]
    columns: tuple[str, ...] | None = None


def _one(row: Callable[[Any], dict[str, Any]]) -> Callable[[Any], Iterable[dict[str, Any]]]:
    return lambda node: (row(node),)


TABLES: dict[str, Table] = {
    "funds": Table("funds", _one(fund_row)),
    "finances": Table("funds", finance_rows, FINANCE_COLUMNS),
    "plans": Table("plans", _one(plan_row)),
    "projects": Table("projects", _one(project_row)),
    "installments": Table("projects", installment_rows, INSTALLMENT_COLUMNS),
    "reports": Table("reports", _one(report_row)),
}

#: The data dictionary: every exported column with its Thai and English meaning.
DICTIONARY: dict[str, list[tuple[str, str, str]]] = {
    "funds": [
        ("id", "รหัสกองทุน", "fund code"),
        (
            "kind",
            "ประเภท: local = กองทุนท้องถิ่น, programme = แผนงาน/โครงการที่ให้ทุน",
            "local fund or grant programme",
        ),
        ("name", "ชื่อกองทุน", "name"),
        ("organization", "หน่วยงานที่ดูแล", "organisation running it"),
        (
            "province_code / district_code / subdistrict_code",
            "รหัสพื้นที่ (กรมการปกครอง)",
            "DOPA area codes",
        ),
        ("region", "เขตสุขภาพ สปสช.", "NHSO health region"),
        ("population", "จำนวนประชากร", "population"),
        ("plans / projects", "จำนวนแผนงาน / โครงการ", "number of plans / projects"),
        ("approved_budget", "งบประมาณโครงการที่อนุมัติรวม (บาท)", "approved project budgets (THB)"),
    ],
    "finances": [
        ("fund", "รหัสกองทุน", "fund code"),
        ("fiscal_year", "ปีงบประมาณ (พ.ศ.)", "fiscal year (BE)"),
        (
            "carried_forward",
            "ยอดยกมาจากปีก่อน (บาท) ว่าง = ไม่ระบุ",
            "carried forward from the year before (THB); empty: not stated",
        ),
        (
            "income_nhso / income_local / income_other",
            "รายรับ: จาก สปสช. / เงินสมทบจาก อปท. / ดอกเบี้ยและอื่น ๆ (บาท) ว่าง = ไม่ระบุ",
            "income: from NHSO / local government contribution / interest and other (THB);"
            " empty: not stated",
        ),
        ("spent", "รายจ่าย (บาท) ว่าง = ไม่ระบุ", "spent (THB); empty: not stated"),
        (
            "balance",
            "คงเหลือ (บาท) = ยอดยกมา + รายรับ − รายจ่าย ว่าง = ไม่ระบุ",
            "balance (THB) = carried forward + income − spent; empty: not stated",
        ),
    ],
    "plans": [
        ("id", "รหัสแผนงาน", "plan id"),
        ("fund", "รหัสกองทุน", "fund code"),
        ("fiscal_year", "ปีงบประมาณ (พ.ศ.)", "fiscal year (Buddhist Era)"),
        ("issue", "ประเด็น", "issue id"),
        ("title", "ชื่อแผนงาน", "title"),
        ("budget", "งบประมาณแผนงาน (บาท)", "plan budget (THB)"),
    ],
    "projects": [
        ("id", "รหัสโครงการ", "project code"),
        ("title", "ชื่อโครงการ", "title"),
        ("fund / plan", "รหัสกองทุน / แผนงาน", "fund code / plan id"),
        ("issues", "ประเด็น (คั่นด้วยช่องว่าง)", "issue ids, space-separated"),
        ("fiscal_year", "ปีงบประมาณ (พ.ศ.)", "fiscal year (BE)"),
        (
            "approved_on / start / end",
            "วันที่อนุมัติ / เริ่ม / สิ้นสุด (ค.ศ. ISO)",
            "approval / start / end dates (ISO)",
        ),
        ("budget", "งบประมาณ (บาท)", "budget (THB)"),
        ("installments_total", "รวมงบประมาณของทุกงวด (บาท)", "sum of installments (THB)"),
        ("status", "สถานะ", "status"),
        ("latitude / longitude", "พิกัด", "position"),
        (
            "reports / reported_spent",
            "จำนวนรายงาน / เงินที่รายงานว่าใช้ (บาท)",
            "reports / money reported spent (THB)",
        ),
        (
            "returned",
            "เงินคืนกองทุนเมื่อปิดโครงการ (บาท) ว่าง = ไม่ระบุ",
            "money returned to the fund at close (THB); empty: not stated",
        ),
    ],
    "installments": [
        (
            "project / number",
            "รหัสโครงการ / งวดที่ (เริ่มที่ 1)",
            "project code / installment number (from 1)",
        ),
        ("fund", "รหัสกองทุน", "fund code"),
        ("fiscal_year", "ปีงบประมาณของโครงการ (พ.ศ.)", "the project's fiscal year (BE)"),
        ("start / end", "ช่วงเวลาของงวด (ค.ศ. ISO)", "period the installment pays for (ISO)"),
        (
            "report_start / report_end",
            "ช่วงส่งรายงานของงวด (ค.ศ. ISO)",
            "report window of the installment (ISO)",
        ),
        ("amount", "จำนวนเงินของงวด (บาท) ว่าง = ไม่ระบุ", "amount (THB); empty: not stated"),
        (
            "reports_in_window",
            "จำนวนรายงานของโครงการที่ลงวันที่ในช่วงส่งรายงาน (ว่าง = งวดไม่มีวันสิ้นสุดการส่งรายงาน)",
            "reports of the project dated in the report window (empty: the window has no end)",
        ),
    ],
    "reports": [
        ("id", "รหัสรายงาน", "report id"),
        ("project / fund", "รหัสโครงการ / กองทุน", "project code / fund code"),
        ("title", "ชื่อกิจกรรม", "title"),
        ("date", "วันที่ (ค.ศ. ISO)", "date (ISO)"),
        ("kind", "ประเภท: meeting, activity, training, monitoring, workshop", "kind"),
        ("reporter", "ผู้รายงาน", "reporter"),
        ("participants", "จำนวนผู้เข้าร่วม", "participants"),
        ("spent", "เงินที่ใช้ (บาท)", "money spent (THB)"),
    ],
}
