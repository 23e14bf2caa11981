"""What each searchable page says, as text for the index, with result fields and filters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from fundsite.index.segment import segment_for_index
from fundsite.plan import PagePlan
from fundsite.plan.views import area_name
from fundsite.thai import format_baht, format_date
from fundsite.validate.areas import Area
from fundsite.validate.graph import SiteGraph

KIND_LABELS = {
    "fund": "กองทุน",
    "plan": "แผนงาน",
    "project": "โครงการ",
    "report": "รายงาน",
    "area": "พื้นที่",
    "issue": "ประเด็น",
    "page": "หน้า",
}


@dataclass
class SearchRecord:
    url: str  # site-absolute, e.g. "/projects/68-L5218-4-01/"
    content: str  # segmented text
    meta: dict[str, str] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    provinces: tuple[str, ...] = ()  # province codes, for splitting the index by province


def _area_filters(areas: Iterable[Area]) -> dict[str, list[str]]:
    provinces = sorted({a.province for a in areas if a.province})
    districts = sorted({a.district for a in areas if a.district})
    regions = sorted({str(a.region) for a in areas if a.region})
    return {
        "province": [area_name("province", p) for p in provinces],
        "district": [area_name("district", d) for d in districts],
        "region": regions,
    }


def _area_text(areas: Iterable[Area]) -> str:
    parts = []
    for a in areas:
        for level in ("subdistrict", "district", "province"):
            code = getattr(a, level)
            if code:
                parts.append(area_name(level, code))
                parts.append(area_name(level, code, "en"))
    return " ".join(parts)


def _area_label(areas: list[Area]) -> str:
    """``ต.คลองแดน อ.ระโนด จ.สงขลา`` for the first area, as results show it."""
    if not areas:
        return ""
    a = areas[0]
    parts = [
        f"{prefix}{area_name(level, getattr(a, level))}"
        for level, prefix in (("subdistrict", "ต."), ("district", "อ."), ("province", "จ."))
        if getattr(a, level)
    ]
    return " ".join(parts) or (area_name("region", a.region) if a.region else "")


def _record(
    url: str,
    kind: str,
    title: str,
    text: str,
    meta: dict[str, str],
    filters: dict[str, list[str]],
    areas: Iterable[Area] = (),
) -> SearchRecord:
    """The record, filtered also by the province, district and region of ``areas``."""
    areas = list(areas)
    meta = {"title": title, "kind": KIND_LABELS[kind], **{k: v for k, v in meta.items() if v}}
    filters = {
        "kind": [KIND_LABELS[kind]],
        **{k: v for k, v in {**filters, **_area_filters(areas)}.items() if v},
    }
    provinces = tuple(sorted({a.province for a in areas if a.province}))
    return SearchRecord(url, segment_for_index(f"{title}\n{text}"), meta, filters, provinces)


def page_of(record: SearchRecord) -> str:
    """The output page a record indexes: ``/projects/x/`` → ``projects/x/index.html``."""
    return record.url.lstrip("/") + "index.html"


def search_records(graph: SiteGraph, plans: Iterable[PagePlan]) -> Iterator[SearchRecord]:
    """One record per searchable page, built from the records the page shows."""
    for plan in plans:
        if not plan.searchable:
            continue
        url = "/" + plan.path.removesuffix("index.html")
        kind, *args = plan.make.__name__, *plan.args
        if kind == "fund":
            node = graph.funds[args[0]]
            r = node.record
            text = " ".join(
                filter(None, [r.id, r.name_en, r.organization, node.body, _area_text(node.areas)])
            )
            yield _record(
                url,
                "fund",
                r.name,
                text,
                {"area": _area_label(node.areas)},
                {"fund": [r.name]},
                node.areas,
            )
        elif kind == "plan":
            node = graph.plans[args[0]]
            r = node.record
            issue = graph.issues.get(r.issue)
            text = " ".join(
                filter(
                    None,
                    [
                        node.fund.record.name,
                        issue.name if issue else "",
                        node.body,
                        *(o.text for o in r.objectives),
                    ],
                )
            )
            yield _record(
                url,
                "plan",
                r.title,
                text,
                {
                    "fund": node.fund.record.name,
                    "budget": format_baht(r.budget) if r.budget is not None else "",
                },
                {
                    "fund": [node.fund.record.name],
                    "issue": [issue.name] if issue else [],
                    "fiscal_year": [str(r.fiscal_year)],
                },
                node.fund.areas,
            )
        elif kind == "project":
            node = graph.projects[args[0]]
            r = node.record
            areas = node.areas or node.fund.areas
            issues = [graph.issues[i].name for i in node.issues if i in graph.issues]
            text = " ".join(
                filter(
                    None,
                    [
                        r.id,
                        node.fund.record.name,
                        r.organization,
                        r.responsible,
                        " ".join(issues),
                        node.body,
                        *(o.text for o in r.objectives),
                        _area_text(areas),
                    ],
                )
            )
            yield _record(
                url,
                "project",
                r.title,
                text,
                {
                    "fund": node.fund.record.name,
                    "area": _area_label(areas),
                    "budget": format_baht(r.budget) if r.budget is not None else "",
                    "date": format_date(r.start) if r.start else "",
                },
                {
                    "fund": [node.fund.record.name],
                    "issue": issues,
                    "fiscal_year": [str(node.fiscal_year)] if node.fiscal_year else [],
                },
                areas,
            )
        elif kind == "report":
            node = graph.reports[args[0]]
            r = node.record
            project = node.project
            issues = [graph.issues[i].name for i in project.issues if i in graph.issues]
            text = " ".join(
                filter(
                    None,
                    [
                        project.record.title,
                        node.fund.record.name,
                        r.reporter,
                        node.body,
                        _area_text(node.areas),
                    ],
                )
            )
            yield _record(
                url,
                "report",
                r.title,
                text,
                {
                    "fund": node.fund.record.name,
                    "area": _area_label(node.areas),
                    "date": format_date(r.date),
                    "budget": format_baht(r.spent) if r.spent is not None else "",
                },
                {
                    "fund": [node.fund.record.name],
                    "issue": issues,
                    "fiscal_year": [str(project.fiscal_year)] if project.fiscal_year else [],
                },
                node.areas,
            )
        elif kind == "area":
            level, key = args
            name = area_name(level, key)
            text = f"{area_name(level, key, 'en')}"
            area = Area(
                province=str(key)[:2] if level != "region" else None,
                district=str(key)[:4] if level in ("district", "subdistrict") else None,
                region=int(key)
                if level == "region"
                else graph.region_of_province.get(str(key)[:2]),
            )
            yield _record(url, "area", name, text, {}, {}, [area])
        elif kind == "issue":
            issue = graph.issues[args[0]]
            yield _record(
                url,
                "issue",
                issue.name,
                " ".join(filter(None, [issue.name_en, issue.description])),
                {},
                {"issue": [issue.name]},
            )
        elif kind == "free_page":
            node = graph.pages[args[0]]
            yield _record(
                url,
                "page",
                node.record.title,
                " ".join(filter(None, [node.record.description, node.body])),
                {},
                {},
            )
