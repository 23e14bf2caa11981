"""Stage 4: Jinja2 (StrictUndefined) turns a page's context into HTML.

Links are written relative to the page, so the same output works at a domain root, under a
sub-path (a GitHub Pages project site) and from any static host.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import sys
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlparse

import jinja2
import jinja2.bccache
from markupsafe import Markup

from fundsite import thai
from fundsite.messages import render as render_message
from fundsite.plan.money import change
from fundsite.plan.views import area_name
from fundsite.render import charts
from fundsite.render.jinja_ext import (
    Direct,
    FastEnvironment,
    LabelConstants,
    Partials,
)
from fundsite.render.labels import LABELS, label
from fundsite.render.markdown import render_markdown
from fundsite.validate.graph import SiteGraph
from fundsite.validate.types import THEME_NAME

#: Shipped themes: beside ``src/`` in a checkout, under ``share/fundsite`` once installed.
THEMES = (
    Path(__file__).resolve().parents[3] / "themes",
    Path(sys.prefix) / "share" / "fundsite" / "themes",
)


def theme_dir(site_dir: Path, theme: str) -> Path:
    """A site's own ``themes/<name>`` wins over the themes shipped with fundsite.

    ``theme`` is a name (``validate.types.ThemeName``), never a path: templates are code.
    """
    if not THEME_NAME.fullmatch(theme):
        raise FileNotFoundError(f"theme {theme!r} is not a theme name")
    for root in (site_dir / "themes", *THEMES):
        if (root / theme / "templates").is_dir():
            return root / theme
    raise FileNotFoundError(f"theme {theme!r} not found in {site_dir / 'themes'} or fundsite")


def relative_url(page_path: str, target: str) -> str:
    """A link from ``page_path`` (an output file) to ``target`` (site-relative)."""
    return Linker(page_path)(target)


#: Characters ``quote`` leaves alone in a link (it escapes everything else).
_SAFE_URL = re.compile(r"[A-Za-z0-9/._~!$&'()*+,;=:@%-]*")
_QUOTE_SAFE = "/.-_~!$&'()*+,;=:@%"
#: Most targets: segments of such characters (no ``:``), none empty, ``.`` or ``..``.
_SEGMENT = r"[A-Za-z0-9_~!$&'()*+,;=@%-][A-Za-z0-9._~!$&'()*+,;=@%-]*"
_PLAIN_TARGET = re.compile(f"{_SEGMENT}(?:/{_SEGMENT})*/?")


class Linker:
    """``url()`` of one page: links to site-relative targets, relative to the page's folder.

    Same result as ``posixpath.relpath`` (plus a kept trailing slash and fragment), without
    its ``abspath`` calls on both sides: links are most of a page's template calls. A plain
    target outside the page's top folder is just ``../`` per level of the page, then itself.
    """

    __slots__ = ("_first", "_here", "_inside", "_parts", "_up")

    def __init__(self, page_path: str) -> None:
        self._here = posixpath.dirname(page_path) or "."
        parts = self._here.split("/") if self._here != "." else []
        simple = not any(p in ("", ".", "..") for p in parts)
        self._parts: list[str] | None = parts if simple else None
        self._up = "../" * len(parts)
        # a target starting in the page's top folder needs the general path
        self._first = parts[0] if parts else "\0"
        self._inside = (self._first + "/") if simple else ""

    def __call__(self, target: str) -> str:
        if (
            _PLAIN_TARGET.fullmatch(target)
            and not target.startswith(self._inside)
            and target != self._first
        ):
            return self._up + target
        if "://" in target or target.startswith(("#", "mailto:")):
            return target
        target, _, fragment = target.partition("#")
        rel = self._relpath(target)
        if rel == "./" and fragment:
            return f"#{fragment}"
        if not _SAFE_URL.fullmatch(rel):
            rel = quote(rel, safe=_QUOTE_SAFE)
        return f"{rel}#{fragment}" if fragment else rel

    def _relpath(self, target: str) -> str:
        slash = target.endswith("/")
        parts = (target[:-1] if slash else target).split("/") if target else []
        here = self._parts
        if here is None or any(p in ("", ".", "..") for p in parts):
            rel = posixpath.relpath(target or ".", self._here)
        else:
            common = 0
            for a, b in zip(here, parts, strict=False):
                if a != b:
                    break
                common += 1
            rel = "/".join([".."] * (len(here) - common) + parts[common:]) or "."
        return rel + "/" if slash and not rel.endswith("/") else rel


class CompiledInMemory(jinja2.BytecodeCache):
    """Templates compiled once per process and source text, kept in memory only.

    Never a file: a cache file is code a commit could place. A template is found again only
    for the same name, the same source (Jinja's checksum of it) and the same labels folded in
    (``salt``); anything else compiles afresh. Each build makes a new environment, and
    compiling the default theme costs about a second, so ``serve`` and a run of tests that
    build many sites compile each template once.
    """

    _code: ClassVar[dict[str, tuple[str, Any]]] = {}

    def __init__(self, salt: str) -> None:
        self.salt = salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return f"{self.salt}\0{filename or name}\0{name}"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self._code.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


def make_env(theme: Path, graph: SiteGraph, base_url: str) -> jinja2.Environment:
    """The Jinja environment for one build: StrictUndefined, autoescape, Thai filters.

    Templates are compiled from the theme's sources, once per process and source text
    (:class:`CompiledInMemory`), never loaded from a bytecode cache on disk.
    """
    lang = graph.site.language
    labels = {key: label(key, lang) for key in LABELS}
    salt = hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()
    env = FastEnvironment(
        loader=jinja2.FileSystemLoader(str(theme / "templates"), followlinks=False),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,  # a plain dict: Jinja's LRU cache locks on every lookup
        extensions=[LabelConstants],
        bytecode_cache=CompiledInMemory(salt),
    )
    env.label_constants = labels  # type: ignore[attr-defined]
    env.partials = partials = Partials(env)  # type: ignore[attr-defined]
    # url() is a global, so that macros imported without context (built once) see it too;
    # render_page points it at the links of the page it renders
    page_url = Direct(_outside_a_page)
    env.filters.update(
        baht=_memo(lambda v, unit=True: thai.format_baht(v, lang, unit)),
        thdate=_memo(lambda d, full=False: thai.format_date(d, lang, full)),
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
        L=Direct(lambda key: label(key, lang)),
        LABELS=LABELS,
        area_name=Direct(lambda level, key: area_name(level, key, lang)),
        bar_chart=Direct(lambda totals, **kw: Markup(charts.bar_chart(totals, lang=lang, **kw))),
        project_map=Direct(lambda projects, **kw: Markup(charts.project_map(projects, **kw))),
        issue_name=Direct(lambda issue_id: _issue_name(graph, issue_id, lang)),
        region_of=Direct(lambda province: graph.region_of_province.get(province)),
        sum_of=Direct(sum_of),
        pct_change=Direct(change),
        url=page_url,
        partial=Direct(lambda name: partials.render(name, page_url.fn)),
    )
    return env


def _outside_a_page(target: str) -> str:
    raise RuntimeError(f"url({target!r}) outside a page: use render_page")


def _memo(fn: Callable[..., str]) -> Callable[..., str]:
    """``fn`` remembered for its last 8192 arguments (dates and amounts repeat across pages)."""
    cached = lru_cache(maxsize=8192)(fn)

    def call(*args: Any) -> str:
        try:
            return cached(*args)
        except TypeError:  # unhashable
            return fn(*args)

    return call


def sum_of(items: Iterable[Any], attribute: str) -> Any:
    """``items|selectattr(attribute)|sum(attribute=attribute)``, without Jinja's slow lookups."""
    return sum(value for value in map(attrgetter(attribute), items) if value)


def _issue_name(graph: SiteGraph, issue_id: str, lang: str) -> str:
    issue = graph.issues.get(issue_id)
    if issue is None:
        return issue_id
    return (issue.name_en or issue.name) if lang == "en" else issue.name


def render_page(env: jinja2.Environment, template: str, path: str, context: dict[str, Any]) -> str:
    """Render one page; ``url()`` inside it makes links relative to ``path``, ``partial()``
    draws a fragment that sees only globals and ``url()`` (see :class:`Partials`). An
    environment renders one page at a time.

    The 404 page is served at whatever address was asked for, so its links are absolute
    paths under ``base_url`` instead.
    """
    linker = Linker(path)
    absolute = path == "404.html"
    env.globals["url"].fn = _absolute_links(env.globals["base_url"]) if absolute else linker
    canonical = env.globals["base_url"] + (
        path[: -len("index.html")] if path.endswith("index.html") else path
    )
    return env.get_template(template).render(
        context, page_path=path, canonical=canonical, root=linker("") or "./"
    )


def _absolute_links(base_url: str) -> Callable[[str], str]:
    """``url()`` of the 404 page: paths under ``base_url``, whatever the address asked."""
    base_path = urlparse(base_url).path
    return lambda target: target if "://" in target else base_path + quote(target.lstrip("/"))
