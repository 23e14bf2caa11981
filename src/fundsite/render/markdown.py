"""Markdown bodies → safe HTML: Python-Markdown renders, nh3 (ammonia) sanitizes.

Bodies are written by many hands, so nothing they contain may run: no script, no event
handler, no ``javascript:`` URL survives. Results are cached by content hash.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import markdown as md
import nh3

_TAGS = set(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
)
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "abbr": {"title"},
}
_SCHEMES = {"http", "https", "mailto"}


def _renderer() -> md.Markdown:
    return md.Markdown(extensions=["tables", "sane_lists", "attr_list"], output_format="html")


_converter = _renderer()


def sanitize(html: str) -> str:
    """Keep only harmless markup; links get rel=noopener, foreign schemes are dropped."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
    )


@lru_cache(maxsize=4096)
def _render_cached(digest: str, text: str) -> str:
    del digest  # part of the key only
    html = _converter.reset().convert(text)
    return sanitize(html)


def render_markdown(text: str) -> str:
    """Render a record body. Headings start at h2: the page title is the h1."""
    if not text.strip():
        return ""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
    return _render_cached(digest, text)
