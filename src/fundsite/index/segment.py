"""Thai word segmentation for the Pagefind index, matching the browser's query segmentation.

Pagefind (>= 1.4; measured with 1.5.2) splits a search query on a ``lang="th"`` page with
``Intl.Segmenter('th', {granularity: 'word'})``, which is ICU in Chromium.  The index must hold
the same words, so this module uses ICU itself, through ``icu4py`` (a manylinux wheel that bundles
ICU 78; pip alone, no system ICU), and reproduces Chromium's one tailoring of the ICU word rules:
full stops and colons between letters are breaks ("อบต.คลอง" -> "อบต" "." "คลอง", "a:b").

Measured on the shared seeds + spec (6 documents, 30,886 characters), reference =
Chromium 156's ``Intl.Segmenter`` (``benchmarks/segmentation.py``):

==================================  =======  ========  ======  ===========  =========
segmenter                           F1 [1]   tok [2]   docs    µs/1k chars  installed
==================================  =======  ========  ======  ===========  =========
this module (icu4py + tailoring)    100.00   100.00    6/6     180          42 MB
icu4py (stock ICU 78.3 rules)       100.00    98.18    0/6     131          42 MB
PyICU wheels (ICU 77.1 / 78.3)      100.00    98.18    0/6     470          49 / 169 MB
pythainlp newmm, ICU word list       96.83    94.41    0/6     1,900        66 MB
pythainlp newmm, default dict        82.25    58.26    0/6     1,950        66 MB
nlpo3, ICU word list                 96.72    91.96    0/6     240          4 MB + dict
nlpo3, pythainlp words_th            82.21    58.05    0/6     245          4 MB + dict
==================================  =======  ========  ======  ===========  =========

[1] boundaries between two Thai characters; [2] reference Thai tokens reproduced exactly.
Chromium itself: 120 µs/1k chars.  Node's ``Intl.Segmenter`` (stock ICU 78.2) scores like
icu4py: it is not a valid stand-in for the browser.  Long text is linear: ~4.6 M chars/s.

An earlier measurement, in Pagefind (extended binary, ``language="th"``) over 48 corpus pages
and 71 queries: a page holding the query was found 97.1% of the time with ICU-segmented text
(then joined with U+200B), against 81.0% for the raw text (Pagefind's own charabia segmenter)
and 20.7% for the standard binary. The index now holds the words one space apart under a
language Pagefind does not segment (:func:`index_words`): with ``th``, Pagefind's own segmenter
cut our words again ("อบต" into two), so a word of the query was not a word of the index, and
exact matches failed. Search results show the record's own text from its metadata.
"""

from __future__ import annotations

import re
import unicodedata

from icu4py.breakers import WordBreaker

__all__ = ["index_words", "segment"]

_LOCALE = "th"
# Chromium's ICU moves the full stops from MidNumLet to MidNum (a break between letters, none
# between digits) and these colons out of MidLetter.
_FULL_STOPS = frozenset(".\uff0e")
_MID = _FULL_STOPS | frozenset(":\ufe55\uff1a")
_MID_RE = re.compile("[.\uff0e:\ufe55\uff1a]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


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
            if k >= 0 and token[k].isdecimal():  # 3.5, v1.2: the full stop stays inside
                i = j
                continue
        if i > start:
            out.append(token[start:i])
        out.append(token[i:j])
        start = i = j
    if start < n:
        out.append(token[start:])
    return out


def _icu_tokens(text: str) -> list[str]:
    try:
        return list(WordBreaker(text, _LOCALE))
    except UnicodeEncodeError:  # lone surrogates: segment a same-length stand-in
        out: list[str] = []
        pos = 0
        for tok in WordBreaker(_SURROGATE_RE.sub("\ufffd", text), _LOCALE):
            out.append(text[pos : pos + len(tok)])
            pos += len(tok)
        return out


def segment(text: str) -> list[str]:
    """Split ``text`` at the word boundaries of Chromium's ``Intl.Segmenter('th')``.

    Every character is kept; spaces and punctuation come out as tokens of their own, so
    ``"".join(segment(text)) == text``.  Latin words, numbers ("12.5") and e-mail parts are
    segmented by the same ICU rules as in the browser.
    """
    if not text:
        return []
    tokens = _icu_tokens(text)
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


def index_words(text: str) -> str:
    """The words of ``text`` as the browser's ``Intl.Segmenter`` finds them, one space apart:
    feed this to Pagefind only, with a language it does not segment itself.

    Punctuation and symbols are dropped, as the browser drops them from a query, so that they
    take no word position and the words around them stay adjacent ("อบต.คลองแดน" is the three
    words อบต คลอง แดน; "68-L5218-4-01" is 68 L5218 4 01). U+200B counts as a space.
    """
    words = (tok for tok in segment(text) if any(ch.isalnum() for ch in tok))
    return " ".join(words)
