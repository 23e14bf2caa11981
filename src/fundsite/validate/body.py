"""Markdown bodies Python-Markdown cannot render safely.

Python-Markdown recurses once per nesting level (2,000 ``1. `` on a line exhaust Python's
stack) and matches links and tags in time quadratic in the brackets of a paragraph (4,000
``[`` take seconds, 100,000 hang a build). Bodies beyond these limits get a warning from
``check`` and are rendered as plain text (``render.markdown``).
"""

from __future__ import annotations

import re

MAX_NESTING = 10  # lists and quotes, one in another
MAX_BRACKETS = 300  # ``[`` or ``<`` in one paragraph
_MARKERS = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)]|>)(?:[ \t]+|$))+")
_MARKER = re.compile(r"[-*+]|\d{1,9}[.)]|>")


def too_complex(text: str) -> tuple[int, str] | None:
    """``(line index, "nesting" | "brackets")`` of the first place a body exceeds the limits
    Python-Markdown can render safely, or None. Cheap: most bodies are passed at once."""
    if "[" not in text and "<" not in text and not _NESTABLE.search(text):
        return None
    block_start, brackets = 0, 0
    for i, line in enumerate(text.split("\n")):
        if not line.strip():
            block_start, brackets = i + 1, 0
            continue
        brackets += line.count("[") + line.count("<")
        if brackets > MAX_BRACKETS:
            return block_start, "brackets"
        prefix = _MARKERS.match(line)
        if prefix is None:
            continue  # plain or indented text: a code block at most, no nesting
        indent = len(line) - len(line.lstrip(" \t"))
        depth = indent // 4 + len(_MARKER.findall(prefix.group()))
        if depth > MAX_NESTING:
            return i, "nesting"
    return None


_NESTABLE = re.compile(r"^(?:[ \t]{8}|[ \t]*(?:[-*+>]|\d+[.)])[ \t]+(?:[-*+>]|\d+[.)]))", re.M)
