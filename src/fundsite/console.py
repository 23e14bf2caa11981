"""Print problems for people (with the offending line), for GitHub Actions, or as JSON."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from fundsite.diagnostics import Problem
from fundsite.load.safe import source_lines
from fundsite.messages import render, ui


@lru_cache(maxsize=256)
def _lines(site: Path, rel: str) -> list[str]:
    """The lines of a site's file; none for a link, a device or a path outside the site."""
    return source_lines(site, rel)


#: What must not reach a terminal or a log as it is: C0 and C1 controls (ESC starts the
#: terminal's escape sequences; CR, LF and NEL start lines) and DEL, the line and paragraph
#: separators, the bidirectional controls that reorder what is shown ("Trojan Source") and
#: lone surrogates (a file name that is not UTF-8).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
#: ``_UNSAFE``, or GitHub's legacy workflow command ``##[name]``, which its runner finds anywhere
#: in a line of a job's log.
_NEEDS_ESCAPE = re.compile(f"{_UNSAFE.pattern}|##\\[")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape_char(c: str) -> str:
    code = ord(c)
    if c in _NAMED:
        return _NAMED[c]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _shown(text: str, keep: str = "") -> list[str]:
    """Each character of ``text`` as printed: itself, or a visible escape (``\\x1b``,
    ``\\n``, ``\\u202e``) for what :data:`_UNSAFE` matches, and for the second ``#`` of
    ``##[``. Characters in ``keep`` are left to the caller."""
    out = list(text)
    for m in _NEEDS_ESCAPE.finditer(text):
        i = m.start()
        if m.group() == "##[":
            out[i + 1] = "\\x23"
        elif text[i] not in keep:
            out[i] = _escape_char(text[i])
    return out


def visible(text: str, keep: str = "") -> str:
    """``text`` safe to print on a terminal or in a CI log (see :func:`_shown`); Thai and
    everything else printable is left as it is."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    return "".join(_shown(text, keep))


def _where(file: str) -> str:
    """A file path to start a line with: :func:`visible`, and not read as a workflow command
    (``::name``) by GitHub's runner, which trims white space before it looks."""
    shown = visible(file)
    return "./" + shown if shown.lstrip().startswith("::") else shown


def human(problems: list[Problem], site: Path, lang: str, files: int) -> str:
    """``path:line:col: error: message``, the line as written, a caret and the likely fix.

    Every value from a file (the path, the message's values, the line) is :func:`visible`:
    nothing in a record can move the cursor, recolour the terminal, reorder the text shown
    or start a line of its own.
    """
    _lines.cache_clear()  # files change between runs (fundsite serve); cache within one run
    out: list[str] = []
    for p in problems:
        message, hint = render(p, lang)
        out.append(f"{_where(p.file)}:{p.line}:{p.col}: {ui(p.severity, lang)}: {visible(message)}")
        lines = _lines(site, p.file)
        if 0 < p.line <= len(lines):
            shown = _shown(lines[p.line - 1])
            out.append(f"  {p.line:>4} | {''.join(shown)}")
            out.append(f"       | {' ' * _width(''.join(shown[: max(p.col - 1, 0)]))}^")
        if hint:
            out.append(f"       {ui('hint-prefix', lang)}{visible(hint)}")
    n_err = sum(p.severity == "error" for p in problems)
    n_warn = len(problems) - n_err
    if problems:
        with_problems = len({p.file for p in problems})
        counts = {"errors": n_err, "warnings": n_warn, "files": with_problems}
        plurals = {f"{k}_s": "" if v == 1 else "s" for k, v in counts.items()}
        out.append(ui("summary", lang, **counts, **plurals))
    else:
        out.append(ui("clean", lang, records=files))
    return "\n".join(out)


def _width(prefix: str) -> int:
    """Columns a prefix takes on screen: Thai vowel and tone marks and other combining or
    invisible characters take none, wide (CJK, full-width) characters two."""
    return sum(_char_width(c) for c in prefix)


def _char_width(c: str) -> int:
    if c < "\u0300":
        return 1
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


#: Where GitHub's runner ends a line; workflow commands encode them.
_LINE_BREAKS = "\r\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(problems: Iterable[Problem], lang: str, root: str = "") -> str:
    """GitHub Actions workflow commands: annotations on the changed lines of a pull request.

    The runner reads one command a line (a line ends at CR or LF) and unescapes ``%25``,
    ``%0D`` and ``%0A`` in the message, and ``%3A`` and ``%2C`` too in properties: CR and LF
    are encoded so (the annotation shows the line break, the file property names the real
    file), every other character :func:`visible` escapes is shown escaped.
    """
    out = []
    for p in problems:
        message, hint = render(p, lang)
        text = f"{message} ({hint})" if hint else message
        path = f"{root.rstrip('/')}/{p.file}" if root else p.file
        file = _escape_prop(visible(path, keep=_LINE_BREAKS))
        data = _escape_data(visible(text, keep=_LINE_BREAKS))
        props = f"file={file},line={p.line},col={p.col},title={_escape_prop(p.code)}"
        out.append(f"::{p.severity} {props}::{data}")
    return "\n".join(out)


#: What :func:`as_json` writes as ``\\uXXXX`` although JSON allows it raw: C1 controls and
#: DEL, separators, bidirectional controls, lone surrogates, and the ``#`` of ``##[``.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]|(?<=#)#(?=\\[)"
)


def as_json(problems: Iterable[Problem], lang: str) -> str:
    items = []
    for p in problems:
        message, hint = render(p, lang)
        items.append(
            {
                "file": p.file,
                "line": p.line,
                "column": p.col,
                "severity": p.severity,
                "code": p.code,
                "field": p.field,
                "message": message,
                "hint": hint,
            }
        )
    text = json.dumps(items, ensure_ascii=False, indent=2)
    # such characters only occur inside strings, where a \\u escape means the same
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
