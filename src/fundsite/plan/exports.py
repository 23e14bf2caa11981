"""Records as open data: flat rows for CSV, nested records for JSON; ISO dates, plain decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

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
        "approved_budget": str(sum((p.budget for p in node.projects), Decimal(0))),
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


TABLES = {
    "funds": fund_row,
    "plans": plan_row,
    "projects": project_row,
    "reports": report_row,
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
