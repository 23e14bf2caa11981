"""``data/360giving.json``, the 360Giving grants package, streamed one project at a time; and
``data/360giving-left-out.csv``, the projects it leaves out and why.

Amounts are written as the exact decimals the records hold (``1234567.89``), never through a
float: the encoder of :mod:`fundsite.write.outputs` knows no decimals, so each amount goes in
as a marked string (``"\\u0000" + digits``, a string no record can hold: text with a control
character is refused) and comes out as a bare number, under the amounts' own keys only.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import IO, Any

from fundsite.plan import giving
from fundsite.validate.graph import SiteGraph
from fundsite.write.outputs import CsvTable, _encoded, _write_array

_MARK = "\x00"
#: A marked amount as the encoder writes it, under the only keys that hold one: a string
#: elsewhere (a title written "\x00123") can never become a number.
_MARKED = re.compile(r'("(?:amountAwarded|value)": )"\\u0000([0-9]+(?:\.[0-9]+)?)"')


def _exact(grant: dict[str, Any]) -> dict[str, Any]:
    """``grant`` with its amounts (the award, each commitment's value) as marked strings."""
    grant["amountAwarded"] = _MARK + format(grant["amountAwarded"], "f")
    for commitment in grant.get("commitmentTransaction", ()):
        if "value" in commitment:
            commitment["value"] = _MARK + format(commitment["value"], "f")
    return grant


def _numbers(text: str) -> str:
    """Encoded JSON with each marked amount as a bare number."""
    return _MARKED.sub(r"\1\2", text) if "\\u0000" in text else text


def write_360giving(
    f: IO[str], graph: SiteGraph, today: date, left_out_csv: IO[str] | None = None
) -> giving.GivingSummary:
    """Write the grants package to ``f`` as ``to_json`` would (sorted keys, one-space indent),
    one project at a time (memory holds one grant, not the file); ``today`` is the data's
    date (the package's ``modified``). In the same pass, the projects it leaves out go to
    ``left_out_csv`` (``data/360giving-left-out.csv``, :data:`giving.LEFT_OUT_COLUMNS`).

    With no grant at all the file still parses but does not validate (the standard wants one
    grant at least): :attr:`GivingSummary.valid` says so.
    """
    base = graph.site.base_url
    meta = giving.package_meta(graph, today)
    notes = CsvTable(left_out_csv, giving.LEFT_OUT_COLUMNS) if left_out_csv else None
    grants = 0
    lacking: Counter[str] = Counter()
    left_out = 0

    def each() -> Any:
        nonlocal grants, left_out
        for _, node in sorted(graph.projects.items()):
            data = giving.grant(node, graph, base)
            if data is None:
                left_out += 1
                codes = giving.missing(node)
                lacking.update(codes)
                if notes is not None:
                    notes.add(giving.LeftOut.of(node, codes).row())
                continue
            grants += 1
            yield _exact(data)

    sep = "{\n "
    for key in sorted([*meta, "grants"]):  # sorted keys, as to_json writes them
        f.write(f"{sep}{encode_basestring(key)}: ")
        if key == "grants":
            _write_array(lambda text: f.write(_numbers(text)), each(), "\n ")
        else:
            f.write(_encoded(meta[key], "\n "))
        sep = ",\n "
    f.write("\n}\n")
    return giving.GivingSummary(grants, left_out, dict(lacking))
