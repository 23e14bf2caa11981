"""Print problems for people (with the offending line), for GitHub Actions, or as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from fundsite.diagnostics import Problem
from fundsite.messages import render, ui


@lru_cache(maxsize=256)
def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    # lines as positions count them: \n, \r\n or \r (not str.splitlines's U+2028 and kin)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def human(problems: list[Problem], site: Path, lang: str, files: int) -> str:
    """``path:line:col: error: message``, the line as written, a caret and the likely fix."""
    _lines.cache_clear()  # files change between runs (fundsite serve); cache within one run
    out: list[str] = []
    for p in problems:
        message, hint = render(p, lang)
        out.append(f"{p.file}:{p.line}:{p.col}: {ui(p.severity, lang)}: {message}")
        lines = _lines(site / p.file)
        if 0 < p.line <= len(lines):
            text = lines[p.line - 1]
            out.append(f"  {p.line:>4} | {text}")
            out.append(f"       | {' ' * _width(text[: p.col - 1])}^")
        if hint:
            out.append(f"       {ui('hint-prefix', lang)}{hint}")
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
    """Columns a prefix takes on screen: Thai vowel and tone marks take none."""
    import unicodedata

    return sum(
        0 if unicodedata.combining(c) or unicodedata.category(c) == "Mn" else 1 for c in prefix
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(problems: Iterable[Problem], lang: str, root: str = "") -> str:
    """GitHub Actions workflow commands: annotations on the changed lines of a pull request."""
    out = []
    for p in problems:
        message, hint = render(p, lang)
        text = f"{message} ({hint})" if hint else message
        path = f"{root.rstrip('/')}/{p.file}" if root else p.file
        props = f"file={_escape_prop(path)},line={p.line},col={p.col},title={_escape_prop(p.code)}"
        out.append(f"::{p.severity} {props}::{_escape_data(text)}")
    return "\n".join(out)


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
    return json.dumps(items, ensure_ascii=False, indent=2)
