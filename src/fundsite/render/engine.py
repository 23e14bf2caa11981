"""Stage 4: Jinja2 (StrictUndefined) turns a page's context into HTML.

Links are written relative to the page, so the same output works at a domain root, under a
sub-path (a GitHub Pages project site) and from any static host.
"""

from __future__ import annotations

import posixpath
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import jinja2
from markupsafe import Markup

from fundsite import thai
from fundsite.messages import render as render_message
from fundsite.render import charts
from fundsite.render.labels import LABELS, label
from fundsite.render.markdown import render_markdown
from fundsite.validate.graph import SiteGraph

#: Shipped themes: beside ``src/`` in a checkout, under ``share/fundsite`` once installed.
THEMES = (
    Path(__file__).resolve().parents[3] / "themes",
    Path(sys.prefix) / "share" / "fundsite" / "themes",
)


def theme_dir(site_dir: Path, theme: str) -> Path:
    """A site's own ``themes/<name>`` wins over the themes shipped with fundsite."""
    for root in (site_dir / "themes", *THEMES):
        if (root / theme / "templates").is_dir():
            return root / theme
    raise FileNotFoundError(f"theme {theme!r} not found in {site_dir / 'themes'} or fundsite")


def relative_url(page_path: str, target: str) -> str:
    """A link from ``page_path`` (an output file) to ``target`` (site-relative)."""
    if "://" in target or target.startswith(("#", "mailto:")):
        return target
    target, _, fragment = target.partition("#")
    here = posixpath.dirname(page_path) or "."
    rel = posixpath.relpath(target or ".", here)
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" and fragment:
        return f"#{fragment}"
    rel = quote(rel, safe="/.-_~!$&'()*+,;=:@%")
    return f"{rel}#{fragment}" if fragment else rel


def make_env(
    theme: Path, graph: SiteGraph, base_url: str, cache: Path | None = None
) -> jinja2.Environment:
    """The Jinja environment for one build: StrictUndefined, autoescape, Thai filters.

    ``cache`` keeps compiled templates between builds (compiling costs ~0.1 s a template).
    """
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache)) if cache else None,
        loader=jinja2.FileSystemLoader(str(theme / "templates")),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    lang = graph.site.language
    env.filters.update(
        baht=lambda v, unit=True: thai.format_baht(v, lang, unit),
        thdate=lambda d, full=False: thai.format_date(d, lang, full),
        isodate=lambda d: d.isoformat() if isinstance(d, date) else "",
        fy=lambda y: (
            (f"ปีงบประมาณ {y}" if lang == "th" else f"FY {y - 543}")
            if y
            else label("not_stated", lang)
        ),
        markdown=lambda text: Markup(render_markdown(text)),
        number=lambda n: f"{n:,}" if isinstance(n, int | Decimal) else n,
        or_none=lambda v: v if v not in (None, "", []) else label("not_stated", lang),
        note=lambda problem: render_message(problem, lang)[0],
    )
    env.globals.update(
        site=graph.site,
        graph=graph,
        lang=lang,
        base_url=base_url.rstrip("/") + "/",
        L=lambda key: label(key, lang),
        LABELS=LABELS,
        area_name=lambda level, key: _area_name(level, key, lang),
        bar_chart=lambda totals, **kw: Markup(charts.bar_chart(totals, lang=lang, **kw)),
        project_map=lambda projects, **kw: Markup(charts.project_map(projects, **kw)),
        issue_name=lambda issue_id: _issue_name(graph, issue_id, lang),
        region_of=lambda province: graph.region_of_province.get(province),
    )
    return env


def _area_name(level: str, key: Any, lang: str) -> str:
    from fundsite.plan.views import area_name

    return area_name(level, key, lang)


def _issue_name(graph: SiteGraph, issue_id: str, lang: str) -> str:
    issue = graph.issues.get(issue_id)
    if issue is None:
        return issue_id
    return (issue.name_en or issue.name) if lang == "en" else issue.name


def render_page(env: jinja2.Environment, template: str, path: str, context: dict[str, Any]) -> str:
    """Render one page; ``url()`` inside it makes links relative to ``path``.

    The 404 page is served at whatever address was asked for, so its links are absolute
    paths under ``base_url`` instead.
    """
    if path == "404.html":
        base_path = urlparse(env.globals["base_url"]).path

        def url(target: str) -> str:
            return target if "://" in target else base_path + quote(target.lstrip("/"))
    else:

        def url(target: str) -> str:
            return relative_url(path, target)

    canonical = env.globals["base_url"] + (
        path[: -len("index.html")] if path.endswith("index.html") else path
    )
    return env.get_template(template).render(
        context,
        url=url,
        page_path=path,
        canonical=canonical,
        root=relative_url(path, "") or "./",
    )
