"""Charts drawn at build time as inline SVG (no JavaScript), each followed by its data table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import geothai
from markupsafe import escape

from fundsite.thai import format_baht

_WIDTH, _LABEL_H, _BAR_H, _GAP, _AMOUNT_W = 360, 17, 12, 9, 70
_MAX_LABEL = 44  # characters shown above a bar; the table below has the full label


def _short_baht(amount: Decimal, lang: str) -> str:
    value = float(amount)
    if value >= 1_000_000:
        return f"{value / 1_000_000:,.2f} ล้าน" if lang == "th" else f"{value / 1e6:,.2f} M"
    if value >= 1_000:
        return f"{value / 1_000:,.1f} พัน" if lang == "th" else f"{value / 1e3:,.1f} k"
    return f"{value:,.0f}"


def bar_chart(
    totals: Sequence[Any],
    *,
    title: str,
    url: Callable[[str], str],
    lang: str = "th",
    caption_id: str = "chart",
) -> str:
    """Horizontal bars of ``Total`` budgets with a table of the same numbers below."""
    if not totals:
        return ""
    top = max((t.budget for t in totals), default=Decimal(0)) or Decimal(1)
    row = _LABEL_H + _BAR_H + _GAP
    height = len(totals) * row
    bar_room = _WIDTH - _AMOUNT_W
    rows = []
    for i, t in enumerate(totals):
        y = i * row
        w = max(1, int(bar_room * float(t.budget / top)))
        text = str(t.label)
        short = text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"
        bar = (
            f"<title>{escape(text)}: {escape(format_baht(t.budget, lang))}</title>"
            f'<text class="label" x="0" y="{y + 12}">{escape(short)}</text>'
            f'<rect x="0" y="{y + _LABEL_H}" width="{w}" height="{_BAR_H}" rx="2"/>'
            f'<text class="amount" x="{w + 5}" y="{y + _LABEL_H + 10}">'
            f"{escape(_short_baht(t.budget, lang))}</text>"
        )
        rows.append(f'<a href="{escape(url(t.url))}">{bar}</a>' if t.url else f"<g>{bar}</g>")
    svg = (
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-labelledby="{caption_id}" preserveAspectRatio="xMinYMin meet">{"".join(rows)}</svg>'
    )
    head_label = "รายการ" if lang == "th" else "Item"
    head_n = "โครงการ" if lang == "th" else "Projects"
    head_b = "งบประมาณ (บาท)" if lang == "th" else "Budget (THB)"
    body = "".join(
        f'<tr><th scope="row">{_link(t, url)}</th><td class="num">{t.count:,}</td>'
        f'<td class="num">{format_baht(t.budget, lang, unit=False)}</td></tr>'
        for t in totals
    )
    table = (
        f'<table class="chart-table"><caption id="{caption_id}">{escape(title)}</caption>'
        f'<thead><tr><th scope="col">{head_label}</th><th scope="col">{head_n}</th>'
        f'<th scope="col">{head_b}</th></tr></thead><tbody>{body}</tbody></table>'
    )
    return f'<figure class="chart-figure">{svg}{table}</figure>'


def _link(t: Any, url: Callable[[str], str]) -> str:
    label = escape(str(t.label))
    return f'<a href="{escape(url(t.url))}">{label}</a>' if t.url else str(label)


def project_map(
    projects: Sequence[Any],
    *,
    url: Callable[[str], str],
    width: int = 320,
    title: str = "",
    whole_country: bool = False,
) -> str:
    """Provinces of the projects (or all of Thailand) with a dot per project position."""
    try:
        from fundsite import geo
    except ImportError:  # pragma: no cover
        return ""
    located = [p for p in projects if p.record.location]
    if not located:
        return ""
    provinces = sorted({a.province for p in located for a in p.areas if a.province})
    codes = None if whole_country or not provinces else provinces
    paths, project_fn = geo.svg_paths(codes, width=width)
    names = {p.code: p.name_th for p in geothai.provinces()}
    shapes = "".join(
        f'<path d="{d}"><title>{escape(names.get(code, code))}</title></path>' for code, d in paths
    )
    dots = []
    for p in located:
        x, y = project_fn(*p.record.location)
        name = escape(p.record.title)
        dots.append(
            f'<a href="{escape(url(f"projects/{p.id}/"))}"><circle cx="{x:.1f}" '
            f'cy="{y:.1f}" r="5"><title>{name}</title></circle></a>'
        )
    return (
        f'<figure class="map-figure"><svg class="map" viewBox="0 0 {width} '
        f'{project_fn.height:.0f}" role="img" aria-label="{escape(title)}">'
        f'<g class="provinces">{shapes}</g><g class="dots">{"".join(dots)}</g></svg>'
        f'<figcaption class="attribution">{escape(geo.attribution())}</figcaption></figure>'
    )
