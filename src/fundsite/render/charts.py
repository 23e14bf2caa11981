"""Charts drawn at build time as inline SVG (no JavaScript), each followed by its data table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from markupsafe import escape

from fundsite.thai import format_baht

_BAR_H, _GAP, _LABEL_W, _WIDTH = 22, 6, 150, 560


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
    height = len(totals) * (_BAR_H + _GAP) + _GAP
    bar_room = _WIDTH - _LABEL_W - 90
    rows = []
    for i, t in enumerate(totals):
        y = _GAP + i * (_BAR_H + _GAP)
        w = max(1, int(bar_room * float(t.budget / top)))
        label = escape(str(t.label))
        bar = (
            f'<text x="{_LABEL_W - 6}" y="{y + 15}" text-anchor="end">{label}</text>'
            f'<rect x="{_LABEL_W}" y="{y}" width="{w}" height="{_BAR_H}" rx="3"/>'
            f'<text x="{_LABEL_W + w + 6}" y="{y + 15}">{escape(_short_baht(t.budget, lang))}'
            f"</text>"
        )
        rows.append(f'<a href="{escape(url(t.url))}">{bar}</a>' if t.url else bar)
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
    projects: Sequence[Any], *, url: Callable[[str], str], width: int = 320, title: str = ""
) -> str:
    """Provinces of the projects (or all of Thailand) with a dot per project position."""
    try:
        from fundsite import geo
    except ImportError:  # pragma: no cover
        return ""
    located = [p for p in projects if p.record.location]
    if not located:
        return ""
    codes = sorted({a.province for p in located for a in p.areas if a.province}) or None
    paths, project_fn = geo.svg_paths(codes, width=width)
    shapes = "".join(f'<path d="{d}"><title>{escape(code)}</title></path>' for code, d in paths)
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
