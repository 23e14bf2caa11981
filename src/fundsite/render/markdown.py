"""Markdown bodies → safe HTML: Python-Markdown renders, nh3 (ammonia) sanitizes.

Bodies are written by many hands, so nothing they contain may run: no script, no event
handler, no ``javascript:`` URL survives. Results are cached by content;
the usual plain bodies skip Python-Markdown (same HTML, ~25x faster).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

import markdown as md
import nh3

from fundsite.validate.body import too_complex

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


def _sanitizer() -> Callable[[str], str]:
    options: dict[str, Any] = {
        "tags": _TAGS,
        "attributes": _ATTRIBUTES,
        "url_schemes": _SCHEMES,
        "link_rel": "noopener noreferrer",
    }
    if hasattr(nh3, "Cleaner"):  # nh3 >= 0.3: the rules are built once, not on every call
        return nh3.Cleaner(**options).clean  # type: ignore[no-any-return]
    return partial(nh3.clean, **options)


_clean = _sanitizer()


def sanitize(html: str) -> str:
    """Keep only harmless markup; links get rel=noopener, foreign schemes are dropped."""
    return _clean(html)


#: Characters that may start Markdown inline syntax, raw HTML or an entity (and tabs, CRs,
#: control characters): a body without them has nothing but plain text in its lines.
_SPECIAL = re.compile(r"[\\`*_\[\]!<>&|{}~\t\r\x00-\x08\x0b-\x1f\x7f]")
_HEADING = re.compile(r"(#{1,6}) ([^#\s](?:[^#]*[^#\s])?)")
_ITEM = re.compile(r"- (\S.*)")
_BLANK_LINES = re.compile(r"\n{2,}")
#: A text line must not start what Python-Markdown would read as another block.
_NOT_TEXT = re.compile(r"[-+=*#>\s]|\d+[.)]")


def _plain_blocks(text: str) -> str | None:
    """Python-Markdown's exact HTML for the usual body, much faster; None for anything else.

    The usual body is headings, paragraphs and tight ``- `` lists of plain text: no inline
    syntax, no indentation. Anything Python-Markdown might read otherwise (lazy continuation
    lines, a list resumed after a blank line, setext headings, ...) is left to it.
    """
    if _SPECIAL.search(text):
        return None
    if not text.strip("\n"):
        return ""
    html: list[str] = []
    for block in _BLANK_LINES.split(text.strip("\n")):
        run: list[str] = []  # the open paragraph's lines or list's items
        kind = ""  # "p", "ul", or "" when nothing is open
        for line in block.split("\n"):
            if line != line.strip():
                return None
            if heading := _HEADING.fullmatch(line):
                _flush(html, kind, run)
                level = len(heading[1])
                html.append(f"<h{level}>{heading[2]}</h{level}>")
                run, kind = [], ""
            elif item := _ITEM.fullmatch(line):
                if kind == "p" or (kind == "" and html[-1:] and html[-1].startswith("<ul>")):
                    return None  # lazy paragraph text, or an item continuing a loose list
                if "#" in line or _NOT_TEXT.match(item[1]):
                    return None
                run.append(f"<li>{item[1]}</li>")
                kind = "ul"
            else:
                if kind == "ul" or "#" in line or _NOT_TEXT.match(line):
                    return None
                run.append(line)
                kind = "p"
        _flush(html, kind, run)
    return "\n".join(html)


def _flush(html: list[str], kind: str, run: list[str]) -> None:
    if kind == "p":
        html.append("<p>" + "\n".join(run) + "</p>")
    elif kind == "ul":
        html.append("<ul>\n" + "\n".join(run) + "\n</ul>")


@lru_cache(maxsize=4096)
def _render_cached(text: str) -> str:
    html = _plain_blocks(text)
    if html is None:
        if too_complex(text) is not None:
            return _as_text(text)
        try:
            html = _converter.reset().convert(text)
        except RecursionError:
            return _as_text(text)
    return sanitize(html)


def _as_text(text: str) -> str:
    """A body shown as its plain text, paragraph by paragraph (escaped)."""
    from html import escape

    paragraphs = (p.strip() for p in _BLANK_LINES.split(text))
    return "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)


def render_markdown(text: str) -> str:
    """Render a record body, sanitized; results are cached by content."""
    if not text.strip():
        return ""
    return _render_cached(text)


_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def plain_text(text: str) -> str:
    """A body as the words a reader sees on its page: Markdown rendered, tags dropped."""
    from html import unescape

    return _SPACES.sub(" ", unescape(_TAG.sub(" ", render_markdown(text)))).strip()


def has_text(text: str) -> bool:
    """Whether :func:`plain_text` of a body is not empty. A body whose first line starts with a
    letter, after the marks of a heading, a list item, a quote or an indent, opens with a block
    that shows it (a paragraph, heading, item, quote, table or code): no need to render."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.lstrip(" \t#-*+>")[:1].isalpha() or bool(plain_text(text))
