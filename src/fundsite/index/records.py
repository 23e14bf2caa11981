"""What each searchable page says, as text for the index, with result fields and filters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fundsite.index.segment import index_words
from fundsite.plan import PagePlan
from fundsite.plan.views import area_name
from fundsite.render.markdown import plain_text
from fundsite.thai import format_baht, format_date
from fundsite.validate.areas import Area
from fundsite.validate.graph import SiteGraph

KIND_LABELS = {
    "fund": "กองทุน",
    "plan": "แผนงาน",
    "project": "โครงการ",
    "report": "รายงาน",
    "issue": "ประเด็น",
    "page": "หน้า",
    "region": "เขตสุขภาพ",
    "province": "จังหวัด",
    "district": "อำเภอ",
    "subdistrict": "ตำบล",
}
#: Kinds shown in the search page's kind filter: the four area levels are one kind, พื้นที่.
FILTER_KINDS = {"region": "พื้นที่", "province": "พื้นที่", "district": "พื้นที่", "subdistrict": "พื้นที่"}


#: How much of a record's own text its search result carries, for the excerpt.
TEXT_CHARS = 320


def _clip(text: str) -> str:
    """``text`` with its whitespace collapsed, cut at a space before ``TEXT_CHARS``."""
    text = " ".join(text.split())
    if len(text) <= TEXT_CHARS:
        return text
    cut = text.rfind(" ", TEXT_CHARS // 2, TEXT_CHARS)
    return text[: cut if cut > 0 else TEXT_CHARS] + " …"


@dataclass
class SearchRecord:
    url: str  # site-absolute, e.g. "/projects/68-L5218-4-01/"
    content: str  # the words: code and title first, then its own, then those it is found by
    meta: dict[str, str] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    provinces: tuple[str, ...] = ()  # province codes, for splitting the index by province
    kind: str = "page"  # a key of KIND_LABELS


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


def _area_label(areas: list[Area], below: str | None = None) -> str:
    """``ต.คลองแดน อ.ระโนด จ.สงขลา`` for the first area, as results show it; ``below`` a level,
    only the levels above it (the parent of an area page)."""
    if not areas:
        return ""
    a = areas[0]
    prefixes = {"subdistrict": "ต.", "district": "อ.", "province": "จ."}
    levels = list(prefixes)
    if below in prefixes:
        levels = levels[levels.index(below) + 1 :]
    parts = [
        f"{prefixes[level]}{area_name(level, getattr(a, level))}"
        for level in levels
        if getattr(a, level)
    ]
    return " ".join(parts) or (area_name("region", a.region) if a.region else "")


def _record(
    url: str,
    kind: str,
    head: Iterable[str],
    own: Iterable[str | None],
    context: Iterable[str | None],
    meta: dict[str, str],
    filters: dict[str, list[str]],
    areas: Iterable[Area] = (),
    area_label: str | None = None,
) -> SearchRecord:
    """One page's index record: ``head`` (code, title) first, then its ``own`` words, then the
    ``context`` words it is found by; filtered also by the province, district and region of
    ``areas``, and labelled with the first of them (or ``area_label``)."""
    areas = list(areas)
    label = _area_label(areas) if area_label is None else area_label
    meta = {
        "kind": KIND_LABELS[kind],
        **{k: v for k, v in meta.items() if v},
        **({"area": label} if label else {}),
    }
    filters = {
        "kind": [FILTER_KINDS.get(kind, KIND_LABELS[kind])],
        **{k: v for k, v in {**filters, **_area_filters(areas)}.items() if v},
    }
    provinces = tuple(sorted({a.province for a in areas if a.province}))
    own_text = " ".join(filter(None, own))
    content = " ".join(index_words(" ".join(filter(None, words))) for words in (head, own, context))
    if own_text:
        meta["text"] = _clip(own_text)
    return SearchRecord(url, content, meta, filters, provinces, kind)


def page_of(record: SearchRecord) -> str:
    """The output page a record indexes: ``/projects/x/`` → ``projects/x/index.html``."""
    return record.url.lstrip("/") + "index.html"


def search_records(graph: SiteGraph, plans: Iterable[PagePlan]) -> Iterator[SearchRecord]:
    """One record per searchable page, built from the records the page shows."""
    for plan in plans:
        if plan.searchable:
            url = "/" + plan.path.removesuffix("index.html")
            record = _search_record(graph, url, plan.make.__name__, *plan.args)
            if record is not None:
                yield record


def _search_record(graph: SiteGraph, url: str, kind: str, *args: Any) -> SearchRecord | None:
    """The index record of one page of ``kind`` (its plan's maker) for ``args``; ``None`` for
    a kind whose pages are searchable but indexed by nothing of their own (the data page)."""
    if kind == "fund":
        node = graph.funds[args[0]]
        r = node.record
        return _record(
            url,
            "fund",
            [r.id, r.name],
            [r.name_en, r.organization, plain_text(node.body)],
            [_area_text(node.areas)],
            {"title": r.name, "code": r.id},
            {"fund": [r.name]},
            node.areas,
        )
    if kind == "plan":
        node = graph.plans[args[0]]
        r = node.record
        issue = graph.issues.get(r.issue)
        fund = node.fund.record
        return _record(
            url,
            "plan",
            [r.id, r.title],
            [plain_text(node.body), *(o.text for o in r.objectives)],
            [fund.name, issue.name if issue else "", _area_text(node.fund.areas)],
            {
                "title": r.title,
                "code": r.id,
                "fund": fund.name,
                "budget": format_baht(r.budget) if r.budget is not None else "",
            },
            {
                "fund": [fund.name],
                "issue": [issue.name] if issue else [],
                "fiscal_year": [str(r.fiscal_year)],
            },
            node.fund.areas,
        )
    if kind == "project":
        node = graph.projects[args[0]]
        r = node.record
        areas = node.areas or node.fund.areas
        issues = [graph.issues[i].name for i in node.issues if i in graph.issues]
        return _record(
            url,
            "project",
            [r.id, r.title],
            [
                r.organization,
                r.responsible,
                plain_text(node.body),
                *(o.text for o in r.objectives),
            ],
            [node.fund.record.name, " ".join(issues), _area_text(areas)],
            {
                "title": r.title,
                "code": r.id,
                "fund": node.fund.record.name,
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
    if kind == "report":
        node = graph.reports[args[0]]
        r = node.record
        project = node.project
        issues = [graph.issues[i].name for i in project.issues if i in graph.issues]
        return _record(
            url,
            "report",
            [r.id, r.title],
            [r.reporter, plain_text(node.body)],
            [project.record.title, node.fund.record.name, _area_text(node.areas)],
            {
                "title": r.title,
                "code": r.id,
                "fund": node.fund.record.name,
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
    if kind == "area":
        level, key = args
        name = area_name(level, key)
        area = Area(
            province=str(key)[:2] if level != "region" else None,
            district=str(key)[:4] if level in ("district", "subdistrict") else None,
            subdistrict=str(key) if level == "subdistrict" else None,
            region=int(str(key))
            if level == "region"
            else graph.region_of_province.get(str(key)[:2]),
        )
        parent = _area_label([area], below=level) if level != "region" else ""
        return _record(
            url,
            level,
            [name],
            [area_name(level, key, "en")],
            [],
            {"title": name},
            {},
            [area],
            parent,
        )
    if kind == "issue":
        issue = graph.issues[args[0]]
        return _record(
            url,
            "issue",
            [issue.name],
            [issue.name_en, issue.description],
            [],
            {"title": issue.name},
            {"issue": [issue.name]},
        )
    if kind == "free_page":
        node = graph.pages[args[0]]
        r = node.record
        return _record(
            url,
            "page",
            [r.title],
            [r.description, plain_text(node.body)],
            [],
            {"title": r.title},
            {},
        )
    return None
