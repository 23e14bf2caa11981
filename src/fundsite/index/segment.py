"""Thai word segmentation for the search index (draft: docstring figures filled in below)."""

from __future__ import annotations

import re
import unicodedata

from icu4py.breakers import WordBreaker

__all__ = ["ZWSP", "segment", "segment_for_index"]

ZWSP = "\u200b"
_LOCALE = "th"
# Chromium's ICU moves the full stops from MidNumLet to MidNum and drops these colons from
# MidLetter, so "อบต.คลอง" / "a:b" break there in the browser but not in stock ICU.
_FULL_STOPS = frozenset(".\uff0e")
_MID = _FULL_STOPS | frozenset(":\ufe55\uff1a")
_MID_RE = re.compile("[.\uff0e:\ufe55\uff1a]")


def _ignorable(ch: str) -> bool:
    """Word_Break Extend/Format/ZWJ, approximated by general category (UAX #29 WB4)."""
    return unicodedata.category(ch) in {"Mn", "Me", "Mc", "Cf"}


def _split_mid(token: str) -> list[str]:
    """Break ``token`` around full stops and colons the way Chromium's word rules do."""
    out: list[str] = []
    start = i = 0
    n = len(token)
    while i < n:
        ch = token[i]
        if ch not in _MID:
            i += 1
            continue
        j = i + 1
        while j < n and _ignorable(token[j]):
            j += 1
        if ch in _FULL_STOPS and j < n and token[j].isdecimal():
            k = i - 1
            while k >= 0 and _ignorable(token[k]):
                k -= 1
            if k >= 0 and token[k].isdecimal():  # 3.5, v1.2: full stop as MidNum
                i = j
                continue
        if i > start:
            out.append(token[start:i])
        out.append(token[i:j])
        start = i = j
    if start < n:
        out.append(token[start:])
    return out


def segment(text: str) -> list[str]:
    """Split ``text`` at the word boundaries of ``Intl.Segmenter('th', {granularity: 'word'})``.

    Every character is kept, spaces and punctuation as tokens of their own, so
    ``"".join(segment(text)) == text``.
    """
    if not text:
        return []
    tokens = list(WordBreaker(text, _LOCALE))
    if not _MID_RE.search(text):
        return tokens
    out: list[str] = []
    search = _MID_RE.search
    for tok in tokens:
        if len(tok) > 1 and search(tok):
            out.extend(_split_mid(tok))
        else:
            out.append(tok)
    return out


def segment_for_index(text: str) -> str:
    """``text`` with a ZERO WIDTH SPACE between adjacent non-space tokens, for Pagefind only.

    No ZWSP touches whitespace: Pagefind drops a word that is only ZWSP, and with it the
    space that followed, which would glue words together in the excerpts.
    """
    parts: list[str] = []
    prev_space = True
    for tok in segment(text):
        space = tok.isspace()
        if not (space or prev_space):
            parts.append(ZWSP)
        parts.append(tok)
        prev_space = space
    return "".join(parts)
