"""Projects as 360Giving grants (Data Standard 1.4.x): pure functions of the site graph.

Each project is one grant; its fund is the funding organisation, its plan the grant programme,
its areas the beneficiary locations (DOPA codes), its installments (งวด) commitment
transactions. Only what the records hold is published: a project that lacks what the standard
requires of a grant (an award, an award date, an amount, a recipient, a description) is left
out, and :func:`left_out` says why. ``docs/360giving.md`` gives the whole mapping.

Amounts stay :class:`~decimal.Decimal`: the writer (:mod:`fundsite.write.giving`) prints them
as the exact decimal numbers they are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from fundsite.licenses import license_url
from fundsite.plan import views  # (views imports this module: names are read at call time)
from fundsite.render.markdown import has_text, plain_text
from fundsite.validate.fields import CHOICE_LABELS
from fundsite.validate.graph import FundNode, ProjectNode, SiteGraph
from fundsite.validate.models import Installment
from fundsite.write.outputs import site_url

#: The version of the standard the package follows (``major.minor``, as the schema asks).
VERSION = "1.4"
CURRENCY = "THB"
COUNTRY = "TH"

#: What a grant needs that a project may lack, by machine code: (Thai, English).
MISSING_LABELS: dict[str, tuple[str, str]] = {
    "not-awarded": (
        "การอนุมัติ (สถานะยังเป็น proposed)",
        "an award (the status is still proposed)",
    ),
    "award-date": ("วันที่อนุมัติ (approved_on)", "the award date (approved_on)"),
    "amount": ("งบประมาณ (budget)", "the amount awarded (budget)"),
    "recipient": ("หน่วยงานที่ดำเนินการ (organization)", "the recipient (organization)"),
    "description": (
        "รายละเอียดโครงการ (เนื้อหาใต้ส่วนหัวข้อมูลของไฟล์โครงการ)",
        "a description (the text below the project's front matter)",
    ),
}

#: ``geoCodeType`` of each kind of area: 360Giving's codelist has UK codes only, so these are
#: fundsite's own values, documented in ``docs/360giving.md``.
GEO_CODE_TYPES = {
    "subdistrict": "DOPA-subdistrict",
    "district": "DOPA-district",
    "province": "DOPA-province",
    "region": "NHSO-region",
}
_LEVELS = ("subdistrict", "district", "province")
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9.]+")
_NOT_NAME = re.compile(r"[\s/\\]+")


# identifiers -------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def publisher_prefix(base_url: str) -> str:
    """``360G-`` and the site's address as a token: ``https://example.org/fundsite/`` gives
    ``360G-example.org_fundsite``; a site without an address gives ``360G-fundsite``.

    Not a prefix 360Giving registered (a portal has none): it starts with ``360G-`` as the
    standard asks of every grant identifier, and the site's address keeps it apart from
    other portals'.
    """
    try:
        parts = urlsplit(base_url)
        host = parts.hostname or ""
    except ValueError:
        return "360G-fundsite"
    token = _NOT_TOKEN.sub("_", host + parts.path).strip("_.")
    return f"360G-{token or 'fundsite'}"


def grant_id(prefix: str, project_id: str) -> str:
    """A grant's id: the prefix and the project's code (ids hold no space or slash)."""
    return f"{prefix}-{project_id}"


def fund_org_id(prefix: str, fund_id: str) -> str:
    """The funding organisation's id: the fund's code is an internal identifier (no
    org-id.guide list holds NHSO fund codes), so it takes the publisher prefix."""
    return f"{prefix}-fund-{fund_id}"


def recipient_org_id(prefix: str, fund_id: str, name: str) -> str:
    """A recipient's id, made of its name as 360Giving advises for an organisation without a
    registration number (white space and slashes become ``_``); within the fund that names
    it, since one name (``สำนักงานเลขาฯกองทุน``) is a different body in each fund."""
    return f"{prefix}-org-{fund_id}-{_NOT_NAME.sub('_', name).strip('_')}"


def _url(base_url: str, path: str) -> str | None:
    """A page's absolute address; None when the site has none (the schema wants a URI)."""
    if not base_url.startswith(("https://", "http://")):
        return None
    return site_url(base_url, path)


# what a grant needs ------------------------------------------------------------------------


def description(node: ProjectNode) -> str:
    """The project's body as the words its page shows (Markdown rendered, tags dropped)."""
    return plain_text(node.body)


def missing(node: ProjectNode) -> tuple[str, ...]:
    """Codes (:data:`MISSING_LABELS`) of what the project lacks to be a grant; empty if none."""
    return _missing(node, has_text(node.body))


def _missing(node: ProjectNode, described: bool) -> tuple[str, ...]:
    r = node.record
    codes = []
    if r.status == "proposed":
        codes.append("not-awarded")
    if r.approved_on is None:
        codes.append("award-date")
    if r.budget is None:
        codes.append("amount")
    if not r.organization:
        codes.append("recipient")
    if not described:
        codes.append("description")
    return tuple(codes)


def missing_text(codes: tuple[str, ...], lang: str = "th") -> str:
    """The codes' labels joined: ``วันที่อนุมัติ (approved_on), งบประมาณ (budget)``."""
    i = 1 if lang == "en" else 0
    return ", ".join(MISSING_LABELS[c][i] for c in codes)


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A project not in the 360Giving file, and what it lacks: a data-quality note."""

    project: str
    fund: str
    title: str
    missing: tuple[str, ...]

    @property
    def th(self) -> str:
        return (
            f"โครงการ {self.project} ของกองทุน {self.fund} ไม่อยู่ในไฟล์ 360Giving"
            f" เพราะไม่ได้ระบุ{missing_text(self.missing)}"
        )

    @property
    def en(self) -> str:
        return (
            f"project {self.project} of fund {self.fund} is not in the 360Giving file:"
            f" it does not state {missing_text(self.missing, 'en')}"
        )

    @classmethod
    def of(cls, node: ProjectNode, codes: tuple[str, ...]) -> LeftOut:
        return cls(node.id, node.fund.id, node.record.title, codes)

    def row(self) -> dict[str, str]:
        """The note as a row of ``data/360giving-left-out.csv`` (:data:`LEFT_OUT_COLUMNS`)."""
        return {
            "project": self.project,
            "fund": self.fund,
            "title": self.title,
            "missing": " ".join(self.missing),
            "missing_th": missing_text(self.missing),
            "missing_en": missing_text(self.missing, "en"),
        }


LEFT_OUT_COLUMNS = ("project", "fund", "title", "missing", "missing_th", "missing_en")


@dataclass(frozen=True)
class GivingSummary:
    """What the 360Giving file holds: grants, projects left out, and how many of those lack
    each thing (a project may lack several)."""

    grants: int = 0
    left_out: int = 0
    missing: Mapping[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """The standard's package needs one grant at least: with none, do not publish it."""
        return self.grants > 0

    def reasons(self) -> list[tuple[str, str, int]]:
        """What the projects left out lack, the most often first: (Thai, English, how many)."""
        ranked = sorted(self.missing.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(*MISSING_LABELS[code], n) for code, n in ranked]

    def text(self, lang: str = "th") -> str:
        """One line for the build's output."""
        i = 1 if lang == "en" else 0
        why = ", ".join(f"{reason[i]} {reason[2]:,}" for reason in self.reasons())
        if lang == "en":
            head = f"360Giving: {self.grants:,} grants"
            return f"{head}; {self.left_out:,} projects left out, lacking {why}" if why else head
        head = f"360Giving: {self.grants:,} ทุน"
        return f"{head} ไม่รวม {self.left_out:,} โครงการที่ไม่ได้ระบุ {why}" if why else head


def summary(graph: SiteGraph) -> GivingSummary:
    """What the 360Giving file of ``graph`` holds (for the data page)."""
    lacking: Counter[str] = Counter()
    notes = 0
    for node in graph.projects.values():  # counts: no order, no notes to make
        if codes := missing(node):
            notes += 1
            lacking.update(codes)
    return GivingSummary(len(graph.projects) - notes, notes, dict(lacking))


# the grant ---------------------------------------------------------------------------------


def grant(node: ProjectNode, graph: SiteGraph, base_url: str) -> dict[str, Any] | None:
    """The project as a 360Giving grant, or None when it lacks what a grant needs
    (:func:`missing`). Amounts are :class:`~decimal.Decimal`, dates ISO text."""
    text = description(node)
    if _missing(node, bool(text)):
        return None
    r = node.record
    assert r.approved_on is not None and r.budget is not None and r.organization
    prefix = publisher_prefix(base_url)
    gid = grant_id(prefix, node.id)
    funder = funding_org(node.fund, prefix, base_url)
    recipient = {
        "id": recipient_org_id(prefix, node.fund.id, r.organization),
        "name": r.organization,
    }
    data: dict[str, Any] = {
        "id": gid,
        "title": r.title,
        "description": text,
        "currency": CURRENCY,
        "amountAwarded": r.budget,
        "awardDate": r.approved_on.isoformat(),
        "recipientOrganization": [recipient],
        "fundingOrganization": [funder],
    }
    page = _url(base_url, f"projects/{node.id}/")
    optional = {
        "plannedDates": planned_dates(node),
        "grantProgramme": programme(node, base_url),
        "beneficiaryLocation": locations(node, graph),
        "classifications": classifications(node, graph, prefix),
        "commitmentTransaction": commitments(node, gid, funder["id"], recipient["id"]),
        "relatedActivity": related(node, prefix),
        "url": page,
        "dataSource": page,
    }
    data.update((k, v) for k, v in optional.items() if v)
    return data


def funding_org(fund: FundNode, prefix: str, base_url: str) -> dict[str, Any]:
    org = {"id": fund_org_id(prefix, fund.id), "name": fund.record.name}
    if url := _url(base_url, f"funds/{fund.id}/"):
        org["url"] = url
    return org


def planned_dates(node: ProjectNode) -> list[dict[str, str]]:
    """The project's period as written: start and end, either alone, or nothing."""
    event = {
        key: day.isoformat()
        for key, day in (("startDate", node.record.start), ("endDate", node.record.end))
        if day is not None
    }
    return [event] if event else []


def programme(node: ProjectNode, base_url: str) -> list[dict[str, Any]]:
    """The project's plan (แผนงาน) as its grant programme."""
    if node.plan is None:
        return []
    plan = {"code": node.plan.id, "title": node.plan.record.title}
    if url := _url(base_url, f"plans/{node.plan.id}/"):
        plan["url"] = url
    return [plan]


def locations(node: ProjectNode, graph: SiteGraph) -> list[dict[str, Any]]:
    """The project's own areas (not its fund's) with their DOPA codes, and its position."""
    out = [_location(area, graph) for area in node.areas]
    if node.record.location is not None:
        lat, lon = node.record.location
        out.append(
            {
                "countryCode": COUNTRY,
                "latitude": lat,
                "longitude": lon,
                "description": "พิกัดของโครงการ / the project's position",
            }
        )
    return out


def _location(area: Any, graph: SiteGraph) -> dict[str, Any]:
    level = area.level
    if level == "region":
        code, name = str(area.region), views.region_name(graph, area.region)
    else:
        code = getattr(area, level)
        name = ", ".join(
            views.area_name(lv, getattr(area, lv)) for lv in _LEVELS if getattr(area, lv)
        )
    return {
        "name": name,
        "countryCode": COUNTRY,
        "geoCode": code,
        "geoCodeType": GEO_CODE_TYPES[level],
    }


def _bilingual(th: str, en: str | None) -> str:
    return f"{th} / {en}" if en else th


def classifications(node: ProjectNode, graph: SiteGraph, prefix: str) -> list[dict[str, Any]]:
    """The project's issues (ประเด็น, from ``data/issues.yaml``) and its support type."""
    out: list[dict[str, Any]] = []
    for issue_id in node.issues:
        issue = graph.issues.get(issue_id)
        item: dict[str, Any] = {"vocabulary": f"{prefix}-issue", "code": issue_id}
        if issue is not None:  # (its description and page are in issues.csv: not per grant)
            item["title"] = _bilingual(issue.name, issue.name_en)
        out.append(item)
    support = node.record.support_type
    if support is not None:
        th, en = CHOICE_LABELS["support_type"][support]
        out.append(
            {
                "vocabulary": f"{prefix}-support_type",
                "code": str(support),
                "title": _bilingual(th, en),
            }
        )
    return out


def commitments(
    node: ProjectNode, gid: str, funder_id: str, recipient_id: str
) -> list[dict[str, Any]]:
    """Each installment (งวด) as a commitment: its amount when written (never a zero for
    "not stated"), the date its period starts, its period and report window in words."""
    out = []
    for number, inst in enumerate(node.record.installments, 1):
        item: dict[str, Any] = {
            "id": f"{gid}-installment-{number}",
            "currency": CURRENCY,
            "description": installment_text(number, inst),
            "provider": funder_id,
            "recipient": recipient_id,
        }
        if "amount" in inst.model_fields_set:
            item["value"] = inst.amount
        if inst.start is not None:
            item["transactionDate"] = inst.start.isoformat()
        out.append(item)
    return out


def installment_text(number: int, inst: Installment) -> str:
    """``งวดที่ 1: งวด 2024-10-01 ถึง 2025-03-31, ส่งรายงาน … / Installment 1: period …``
    (what is written of the installment's period and report window)."""
    th, en = f"งวดที่ {number}", f"Installment {number}"
    th_parts, en_parts = [], []
    for th_word, en_word, start, end in (
        ("งวด", "period", inst.start, inst.end),
        ("ส่งรายงาน", "report window", inst.report_start, inst.report_end),
    ):
        if start is not None or end is not None:
            th_parts.append(f"{th_word} {_span(start, end, 'ถึง')}")
            en_parts.append(f"{en_word} {_span(start, end, 'to')}")
    if th_parts:
        th, en = f"{th}: {', '.join(th_parts)}", f"{en}: {', '.join(en_parts)}"
    return f"{th} / {en}"


def _span(start: date | None, end: date | None, to: str) -> str:
    return f"{start.isoformat() if start else '…'} {to} {end.isoformat() if end else '…'}"


def related(node: ProjectNode, prefix: str) -> list[str]:
    """The grants of the project's programme project (ภายใต้โครงการ) and of its sub-projects,
    when they are grants of this file too."""
    others = [node.programme, *node.children]
    return [grant_id(prefix, p.id) for p in others if p is not None and not missing(p)]


# the package -------------------------------------------------------------------------------


def package_meta(graph: SiteGraph, today: date) -> dict[str, Any]:
    """The package's metadata (every field but ``grants``): the site as publisher, the data's
    date as ``modified``, the licence's URL when ``data_license`` names one.

    ``issued`` (the date the file was first published) is not known, so it is not given.
    """
    site = graph.site
    base = site.base_url
    spdx = site.data_license
    licence_th, licence_en = (
        ("", "")
        if spdx
        else (
            " ยังไม่ได้ระบุสัญญาอนุญาตของข้อมูล (data_license ใน data/site.yaml)",
            " No licence is stated for this data (data_license in data/site.yaml).",
        )
    )
    meta: dict[str, Any] = {
        "version": VERSION,
        "title": f"{site.title}: โครงการที่ได้รับทุน (360Giving)",
        "description": (
            f"โครงการที่ได้รับทุนจากกองทุนใน{site.title} ตามมาตรฐาน 360Giving {VERSION}"
            f" ข้อมูล ณ วันที่ {today.isoformat()}{licence_th}"
            f" / Projects funded by the funds of {site.title_en or site.title},"
            f" as 360Giving {VERSION} grants; data as of {today.isoformat()}.{licence_en}"
        ),
        "modified": today.isoformat(),
        "identifier": f"{publisher_prefix(base)}-grants",
        "publisher": {"name": site.title},
    }
    if website := _url(base, ""):
        meta["publisher"]["website"] = website
        meta["downloadURL"] = _url(base, "data/360giving.json")
        meta["accessURL"] = _url(base, "data/")
    if spdx:
        meta["license"] = license_url(spdx)
    return meta
