"""Charts and maps drawn at build time, no JavaScript, usable by keyboard and screen reader.

``bar_chart``: the chart *is* a table: each row holds its label (a link), the amount as text
and a bar drawn in CSS behind no role, so nothing is said twice and every link is reachable.

``project_map``: an inline SVG of the province shapes (:mod:`fundsite.geo`, ODbL: the credit is
always shown) framed on the page's own area, with numbered markers big enough to tap, followed
by a numbered list that links to each project. The SVG is hidden from assistive technology (its
links are not tab stops); the list says the same thing in text and is what a keyboard reaches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from markupsafe import escape

from fundsite.thai import format_baht

# --- bar charts ----------------------------------------------------------------------------


def _pct(part: Decimal, whole: Decimal) -> str:
    value = max(0.5, round(float(part / whole) * 100, 1))
    return f"{value:.1f}".removesuffix(".0")


def bar_chart(
    totals: Sequence[Any],
    *,
    title: str,
    url: Callable[[str], str],
    lang: str = "th",
    caption_id: str = "chart",
    amount: Callable[[Decimal], str] | None = None,
    count_label: str | None = None,
) -> str:
    """A table of ``totals`` (``.label``, ``.url``, ``.budget``, ``.count``) drawn as bars.

    A row is ``label link | amount, count``, with the bar under the label, as wide as the
    amount's share of the largest. ``.unknown`` (optional: how many records state no amount)
    is said in words beside the amount and never drawn as a bar. ``amount`` formats an amount
    (default: exact baht); ``count_label`` names what ``.count`` counts (default: projects).
    """
    if not totals:
        return ""
    th = lang == "th"
    fmt = amount or (lambda value: format_baht(value, lang))
    noun = count_label if count_label is not None else ("โครงการ" if th else "projects")
    top = max((t.budget for t in totals if t.budget and t.budget > 0), default=Decimal(0))
    rows = []
    for t in totals:
        budget = t.budget or Decimal(0)
        unknown = int(getattr(t, "unknown", 0) or 0)
        count = getattr(t, "count", None)
        bar = (
            f'<span class="bar" style="width:{_pct(budget, top)}%"></span>'
            if budget > 0 and top > 0
            else ""
        )
        if unknown and unknown == count and budget == 0:
            text = f"ไม่ระบุ {unknown:,} รายการ" if th else f"{unknown:,} not stated"
            cell = f'<span class="unknown">{text}</span>'
        else:
            cell = str(escape(fmt(budget)))
            if unknown:
                more = f"และไม่ระบุ {unknown:,} รายการ" if th else f"and {unknown:,} not stated"
                cell += f' <span class="unknown">{more}</span>'
        if count is not None:
            cell += f' <span class="sub">{count:,} {escape(noun)}</span>'
        rows.append(f'<tr><th scope="row">{_link(t, url)}{bar}</th><td>{cell}</td></tr>')
    return (
        f'<table class="chart-table"><caption id="{escape(caption_id)}">{escape(title)}</caption>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _link(t: Any, url: Callable[[str], str]) -> str:
    label = escape(str(t.label))
    return f'<a href="{escape(url(t.url))}">{label}</a>' if t.url else str(label)


# --- maps ----------------------------------------------------------------------------------

R = 13  # marker radius in viewBox units: 26 px across when the map is drawn 360 px wide
PAD = R + 4  # room around the framed box, so a marker on its edge is whole
MAX_MARKERS = 40  # markers get merged further apart until there are at most this many
TOLERANCE = 1.0  # outlines simplified to a pixel: the whole country in ~7 kB gzipped
MAX_LISTED = 60  # projects named in the list below a map (one a marker at least); others counted
#: The least a district or sub-district map spans, in degrees (its shape is not in the data:
#: the frame is its projects' positions; one project alone is shown in its surroundings).
MIN_SPAN = {"district": 0.2, "subdistrict": 0.1}


@lru_cache(maxsize=1)
def _country_box() -> tuple[float, float, float, float]:
    from fundsite import geo

    boxes = [geo.bbox(c) for c in geo.codes()]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _union(
    boxes: Sequence[tuple[float, float, float, float]],
) -> tuple[float, float, float, float]:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _points_box(
    points: Sequence[tuple[float, float]], min_span: float
) -> tuple[float, float, float, float]:
    """The points' box, grown to ``min_span`` and to a shape between 5:3 wide and 4:5 tall."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mid_lat, mid_lon = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    k = math.cos(math.radians(mid_lat))
    h = max(max(lats) - min(lats), min_span)
    w = max((max(lons) - min(lons)) * k, min_span)  # east-west, in degrees of latitude
    h, w = max(h, w * 0.6), max(w, h * 0.8)
    return (mid_lat - h / 2, mid_lon - w / 2 / k, mid_lat + h / 2, mid_lon + w / 2 / k)


def _frame_box(
    frame: Any, located: Sequence[tuple[Any, float, float]]
) -> tuple[tuple[float, float, float, float], set[str]]:
    """The ``(min_lat, min_lon, max_lat, max_lon)`` a map shows, and the provinces it is about."""
    from fundsite import geo

    kind, code = (frame, "") if isinstance(frame, str) or frame is None else frame
    code = str(code)
    points = [(lat, lon) for _, lat, lon in located]
    if kind == "country":
        return _country_box(), set()
    if kind == "province" and code in geo.codes():
        return geo.bbox(code), {code}
    if kind in MIN_SPAN:
        province = code[:2]
        if province in geo.codes():
            b = geo.bbox(province)
            near = [
                p
                for p in points
                if b[0] - 0.1 <= p[0] <= b[2] + 0.1 and b[1] - 0.1 <= p[1] <= b[3] + 0.1
            ]
            points = near or points
        return _points_box(points, MIN_SPAN[kind]), set()
    provinces = {a.province for p, _, _ in located for a in p.areas if a.province}
    provinces &= set(geo.codes())
    if provinces:
        return _union([geo.bbox(c) for c in provinces]), provinces
    return _points_box(points, MIN_SPAN["district"]), set()


def _cluster(
    dots: Sequence[tuple[Any, float, float]], radius: float
) -> list[tuple[float, float, list[Any]]]:
    """Dots closer than ``radius`` merged into one marker at their mean position."""
    cell = radius / 2
    cells: dict[tuple[int, int], list[tuple[Any, float, float]]] = {}
    for d in dots:
        cells.setdefault((int(d[1] // cell), int(d[2] // cell)), []).append(d)
    groups: list[list[Any]] = []  # [sum x, sum y, items]
    for items in sorted(cells.values(), key=lambda v: (-len(v), v[0][1], v[0][2])):
        x = sum(d[1] for d in items) / len(items)
        y = sum(d[2] for d in items) / len(items)
        for g in groups:
            n = len(g[2])
            if math.hypot(g[0] / n - x, g[1] / n - y) < radius:
                g[0] += x * len(items)
                g[1] += y * len(items)
                g[2].extend(items)
                break
        else:
            groups.append([x * len(items), y * len(items), list(items)])
    merged = True
    while merged:  # a marker that moved may now touch another
        merged = False
        for i, a in enumerate(groups):
            for b in groups[i + 1 :]:
                na, nb = len(a[2]), len(b[2])
                if math.hypot(a[0] / na - b[0] / nb, a[1] / na - b[1] / nb) < radius:
                    a[0], a[1] = a[0] + b[0], a[1] + b[1]
                    a[2].extend(b[2])
                    groups.remove(b)
                    merged = True
                    break
            if merged:
                break
    out = [(g[0] / len(g[2]), g[1] / len(g[2]), [d[0] for d in g[2]]) for g in groups]
    return sorted(out, key=lambda m: (round(m[1] / radius), m[0]))


def _scale_bar(proj: Any, lang: str) -> str:
    """A bar of a round number of kilometres, about a fifth of the map wide, bottom left."""
    km_per_px = 110.574 / proj.ky
    target = proj.width / 5 * km_per_px
    step = 10 ** math.floor(math.log10(target))
    km = min((n * step for n in (1, 2, 5, 10)), key=lambda v: abs(math.log(v / target)))
    length = round(km / km_per_px, 1)
    text = f"{km:g} กม." if lang == "th" else f"{km:g} km"
    return (
        f'<g class="scale" transform="translate(8 {proj.height - 8:g})">'
        f'<path d="M0-5v5h{length:g}v-5"/><text x="{length + 5:g}">{text}</text></g>'
    )


def _project_link(p: Any, url: Callable[[str], str]) -> str:
    return f'<a href="{escape(url(f"projects/{p.id}/"))}">{escape(p.record.title)}</a>'


def project_map(
    projects: Sequence[Any],
    *,
    url: Callable[[str], str],
    title: str = "",
    frame: Any = None,
    width: int = 360,
    whole_country: bool = False,
    lang: str = "th",
    map_id: str = "map",
) -> str:
    """A map of the projects that have a ``location``, framed on ``frame``, and their list.

    ``frame``: ``"country"``; ``("province", code)`` that province; ``("district", code)`` or
    ``("subdistrict", code)`` the box of its projects' positions (grown to at least
    :data:`MIN_SPAN`; the data has province shapes only); anything else (``None``, a region)
    the provinces the projects are in. Markers are numbered in reading order; nearby projects
    share one marker, whose list entry names them all. A marker links to its project (or, when
    shared, to its entry in the list); projects placed outside the frame are listed apart.
    """
    try:
        from fundsite import geo
    except ImportError:  # pragma: no cover
        return ""
    located = []
    for p in projects:
        loc = p.record.location
        if loc and math.isfinite(loc[0]) and math.isfinite(loc[1]):
            located.append((p, float(loc[0]), float(loc[1])))
    if not located:
        return ""
    th = lang == "th"
    box, home = _frame_box("country" if whole_country else frame, located)
    proj = geo.frame(*box, width=width, pad=PAD)
    height = proj.height
    on_map, off_map = [], []
    for p, lat, lon in located:
        x, y = proj(lat, lon)
        inside = R / 2 <= x <= width - R / 2 and R / 2 <= y <= height - R / 2
        (on_map if inside else off_map).append((p, x, y))
    radius = 2 * R + 2
    markers = _cluster(on_map, radius)
    while len(markers) > MAX_MARKERS:
        radius *= 1.5
        markers = _cluster(on_map, radius)

    paths = geo.svg_box(proj, tolerance_px=TOLERANCE)
    land = "".join(d for code, d in paths if code not in home)
    here = "".join(d for code, d in paths if code in home)
    svg = [
        f'<svg class="map" viewBox="0 0 {width} {height:g}" aria-hidden="true" focusable="false">',
        f'<path d="{land}"/>' if land else "",
        f'<path class="here" d="{here}"/>' if here else "",
    ]
    svg.append(_scale_bar(proj, lang))
    items = []
    each = max(1, MAX_LISTED // max(1, len(markers)))  # every marker names at least one
    for n, (x, y, group) in enumerate(markers, 1):
        group.sort(key=lambda p: (p.record.title, p.id))
        if len(group) == 1:
            href, cls, halo = url(f"projects/{group[0].id}/"), "", ""
        else:
            href, cls, halo = f"#{map_id}-{n}", ' class="many"', f'<circle r="{R + 4}"/>'
        svg.append(
            f'<a href="{escape(href)}" tabindex="-1"{cls} '
            f'transform="translate({round(x, 1):g} {round(y, 1):g})">'
            f'{halo}<circle r="{R}"/><text y="4.5">{n}</text></a>'
        )
        links = [_project_link(p, url) for p in group[:each]]
        if len(group) > each:
            rest = len(group) - each
            links.append(f"และอีก {rest:,} โครงการ" if th else f"and {rest:,} more")
        if len(group) == 1:
            items.append(f"<li>{links[0]}</li>")
        else:
            head = f"{len(group):,} โครงการ" if th else f"{len(group):,} projects"
            inner = "".join(f"<li>{a}</li>" for a in links)
            items.append(f'<li id="{escape(map_id)}-{n}">{head}<ul>{inner}</ul></li>')
    svg.append("</svg>")
    off = ""
    if off_map:
        names = ", ".join(_project_link(p, url) for p, _, _ in off_map[:MAX_LISTED])
        more = len(off_map) - MAX_LISTED
        if more > 0:
            names += f" และอีก {more:,} โครงการ" if th else f" and {more:,} more"
        head = "ตำแหน่งอยู่นอกกรอบแผนที่" if th else "Placed outside this map"
        off = f'<p class="map-off">{head}: {names}</p>'
    count = len(located)
    summary = (
        f"{count:,} โครงการที่ระบุตำแหน่ง หมายเลขบนแผนที่ตรงกับรายการ"
        if th
        else f"{count:,} projects with a position; the numbers on the map match the list"
    )
    caption = f"{escape(title)} · {summary}" if title else summary
    return (
        f'<figure class="map-figure"><figcaption>{caption}</figcaption>'
        f'<div class="map-box">{"".join(svg)}'
        f'<p class="attribution">{escape(geo.attribution())}</p></div>'
        f'<div class="map-list"><ol class="map-legend">{"".join(items)}</ol>{off}</div></figure>'
    )
