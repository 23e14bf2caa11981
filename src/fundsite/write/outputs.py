"""Files beside the pages: open data (CSV, JSON, dated snapshot), Atom feeds, sitemap, robots."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import lru_cache
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring,
)
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from fundsite.validate.graph import ReportNode


def to_json(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)`` and a newline.

    With ``indent`` the standard library encodes in pure Python; :func:`_encode` writes the
    same text several times faster: flat objects and arrays (the rows of pages) go to the C
    encoder, with the line break and indent as separator. Unusual values (``Decimal``, non-str
    keys, NaN, subclasses) are left to the library.
    """
    return _encoded(data, "\n") + "\n"


class _Unusual(Exception):
    """A value :func:`_encode` leaves to the standard library."""


_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    bool: lambda v: "true" if v else "false",
    type(None): lambda _v: "null",
}
_LEAVES = frozenset((str, int, bool, type(None), float))


def _unserializable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


@lru_cache(maxsize=64)
def _flat(inner: str) -> Callable[[Any], str]:
    """The C encoder, writing one level of items at the indent ``inner``."""
    separator = "," + inner
    if c_make_encoder is None:  # not CPython
        return json.JSONEncoder(
            ensure_ascii=False, sort_keys=True, separators=(separator, ": ")
        ).encode
    encoder = c_make_encoder(
        None, _unserializable, encode_basestring, None, ": ", separator, True, False, True
    )
    return lambda value: "".join(encoder(value, 0))


def _encode(value: Any, parts: list[str], newline: str) -> None:
    """Append ``value`` as JSON indented by one space a level; ``newline`` ends at its indent."""
    kind = type(value)
    scalar = _SCALARS.get(kind)
    if scalar is not None:
        parts.append(scalar(value))
        return
    if kind is float and math.isfinite(value):
        parts.append(float.__repr__(value))
        return
    if kind is not dict and kind is not list and kind is not tuple:
        raise _Unusual
    if not value:
        parts.append("{}" if kind is dict else "[]")
        return
    inner = newline + " "
    if _LEAVES.issuperset(map(type, value.values() if kind is dict else value)):
        text = _flat(inner)(value)
        parts.append(text[0] + inner + text[1:-1] + newline + text[-1])
    elif kind is dict:
        sep = "{" + inner
        for key, item in sorted(value.items()):
            if type(key) is not str:
                raise _Unusual
            if type(item) is str:
                parts.append(f"{sep}{encode_basestring(key)}: {encode_basestring(item)}")
            else:
                parts.append(f"{sep}{encode_basestring(key)}: ")
                _encode(item, parts, inner)
            sep = "," + inner
        parts.append(newline + "}")
    else:
        sep = "[" + inner
        for item in value:
            parts.append(sep)
            _encode(item, parts, inner)
            sep = "," + inner
        parts.append(newline + "]")


def _encoded(value: Any, newline: str) -> str:
    """``value`` as :func:`to_json` writes it at the indent that ``newline`` ends with."""
    parts: list[str] = []
    try:
        _encode(value, parts, newline)
    except (_Unusual, TypeError):  # e.g. keys of mixed types: the library's own error
        text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
        return text.replace("\n", newline)  # JSON strings hold no raw line breaks
    return "".join(parts)


def _write_array(write: Callable[[str], object], items: Iterable[Any], newline: str) -> None:
    """Write ``items`` as a JSON array (of objects) one item at a time, like :func:`to_json`."""
    sep = "[" + newline + " "
    for item in items:
        write(sep)
        write(_encoded(item, newline + " "))
        sep = "," + newline + " "
    write("[]" if sep[0] == "[" else newline + "]")


#: What a spreadsheet program reads as the start of a formula (OWASP's list, and the full-width
#: forms that spreadsheet programs normalise).
_FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
#: A plain number written as text (``-12.50``, ``+66``, ``1,000``, ``1e5``): no formula.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def csv_cells(values: Iterable[Any]) -> list[Any]:
    """``values`` as CSV cells no spreadsheet program runs as a formula (OWASP's advice): text
    starting with ``= + - @``, tab or CR (or ``＝＋－＠``) gets a leading ``'``. Numbers, and text
    that is a plain number, are left as they are."""
    return [
        "'" + v
        if type(v) is str and v[:1] in _FORMULA_START and not _PLAIN_NUMBER.fullmatch(v)
        else v
        for v in values
    ]


#: A cell of a written CSV row that may start a formula, quoted or not: ``match`` at the row's
#: start, ``search`` for one after a comma (a literal first character keeps the search fast). A
#: false alarm, such as ``,=`` inside a quoted cell, only costs a second look.
_FORMULA_CELL = '"?[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]'
_FIRST_CELL = re.compile(_FORMULA_CELL)
_NEXT_CELL = re.compile("," + _FORMULA_CELL)


class _LastRow:
    """The file ``csv.writer`` writes to: it keeps the row, :class:`CsvTable` writes it."""

    __slots__ = ("row",)

    def __init__(self) -> None:
        self.row = ""

    def write(self, row: str) -> None:
        self.row = row


class CsvTable:
    """A CSV file written a row at a time: a BOM (for spreadsheet programs), then the header
    (``columns`` when given, written even if no row follows, else the first row's keys),
    then each row's cells as :func:`csv_cells` (no formulas)."""

    def __init__(self, csv_file: IO[str], columns: Iterable[str] | None = None) -> None:
        # rows end with "\r\n" for the writer, so that it quotes a cell holding a CR as well
        # as one holding a LF (a bare CR ends a row in spreadsheet programs); written with "\n"
        self._file, self._last = csv_file, _LastRow()
        self._writer = csv.writer(self._last, lineterminator="\r\n")
        self._fields: list[str] = []
        if columns is not None:
            self._header(columns)

    def _header(self, names: Iterable[str]) -> None:
        self._fields.extend(names)
        self._writer.writerow(self._fields)
        self._file.write("\ufeff" + self._last.row[:-2] + "\n")  # the BOM: Thai reads right

    def add(self, row: dict[str, Any]) -> None:
        if not self._fields:
            self._header(row)
        cells = [row[field] for field in self._fields]
        last = self._last
        self._writer.writerow(cells)
        if _FIRST_CELL.match(last.row) or _NEXT_CELL.search(last.row):  # rare: then each cell
            self._writer.writerow(csv_cells(cells))
        self._file.write(last.row[:-2] + "\n")


def _write_table(
    csv_file: IO[str],
    json_file: IO[str] | None,
    rows: Iterable[dict[str, Any]],
    columns: Iterable[str] | None = None,
) -> None:
    """One table as CSV (:class:`CsvTable`) and, unless ``json_file`` is None, as a JSON
    array (the values as they are), row by row."""
    table = CsvTable(csv_file, columns)

    def each() -> Iterator[dict[str, Any]]:
        for row in rows:
            table.add(row)
            yield row

    if json_file is None:
        for row in rows:
            table.add(row)
        return
    _write_array(json_file.write, each(), "\n")
    json_file.write("\n")


#: Characters XML 1.0 does not allow at all, even escaped: C0 controls but tab, LF and CR,
#: U+FFFE and U+FFFF, lone surrogates.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTR = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&apos;",
        "\t": "&#9;",  # an attribute value's white space would be read as spaces
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


def xml_text(value: str) -> str:
    """``value`` as XML character data (``]]>`` included); characters XML forbids are dropped."""
    return _NOT_XML.sub("", value).translate(_XML_TEXT)


def xml_attr(value: str) -> str:
    """``value`` as an XML attribute value in either quotes; characters XML forbids are dropped."""
    return _NOT_XML.sub("", value).translate(_XML_ATTR)


#: What a URL may hold as written (RFC 3986 reserved and unreserved characters, and ``%``: the
#: site's address may be percent-encoded already). ``quote`` encodes the rest: controls, white
#: space (CR and LF too), ``"<>\\^`{|}`` and every non-ASCII character.
_URL_SAFE = "/:?#[]@!$&'()*+,;=%-._~"
#: What a path made of record ids may hold as is: a ``%``, ``?`` or ``#`` in an id is a character
#: of a file name there, so it is encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def site_url(base_url: str, path: str) -> str:
    """``base_url`` and a path of the site as a URL of printable ASCII characters only.

    ``base_url`` keeps its URL syntax (only what no URL holds is encoded); in ``path`` (made of
    record ids) every character a path segment may not hold as is is percent-encoded.
    """
    return _base(base_url) + _path(path)


def _base(base_url: str) -> str:
    return quote(_NOT_XML.sub("", base_url), safe=_URL_SAFE)


def _path(path: str) -> str:
    return quote(_NOT_XML.sub("", path), safe=_PATH_SAFE)


def _address(base_url: str, address: str) -> str:
    """:func:`site_url` of an address that the caller joined already."""
    if address.startswith(base_url):
        return site_url(base_url, address[len(base_url) :])
    return _base(address)


def atom_feed(
    title: str,
    self_url: str,
    page_url: str,
    reports: Iterable[ReportNode],
    base_url: str,
    updated: date,
) -> str:
    """An Atom feed of reports, newest first."""
    entries = []
    for r in reports:
        link = site_url(base_url, f"reports/{r.id}/")
        summary = f"{r.project.record.title} — {r.fund.record.name}"
        entries.append(
            f'<entry><title>{xml_text(r.record.title)}</title><link href="{xml_attr(link)}"/>'
            f"<id>{xml_text(link)}</id><updated>{r.record.date.isoformat()}T00:00:00Z</updated>"
            f"<summary>{xml_text(summary)}</summary>"
            + (
                f"<author><name>{xml_text(r.record.reporter)}</name></author>"
                if r.record.reporter
                else ""
            )
            + "</entry>"
        )
    self_link = _address(base_url, self_url)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{xml_text(title)}</title><id>{xml_text(self_link)}</id>"
        f'<link rel="self" href="{xml_attr(self_link)}"/>'
        f'<link href="{xml_attr(_address(base_url, page_url))}"/>'
        f"<updated>{updated.isoformat()}T00:00:00Z</updated>{''.join(entries)}</feed>\n"
    )


#: The sitemap protocol's limit of URLs in one file (sitemaps.org).
SITEMAP_URLS = 50_000


def sitemap(base_url: str, paths: Iterable[str]) -> str:
    """A sitemap of the pages at ``paths`` (at most :data:`SITEMAP_URLS` of them)."""
    base = xml_text(_base(base_url))
    urls = "".join(
        f"<url><loc>{base}{xml_text(_path(p.removesuffix('index.html')))}</loc></url>"
        for p in sorted(paths)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )


def sitemaps(base_url: str, paths: Iterable[str]) -> dict[str, str]:
    """File name → text: ``sitemap.xml`` listing the pages, or, for more pages than a sitemap
    may list (a national portal's 700,000), ``sitemap.xml`` as the index of ``sitemap-1.xml``,
    ``sitemap-2.xml``, … of :data:`SITEMAP_URLS` pages each."""
    ordered = sorted(paths)
    if len(ordered) <= SITEMAP_URLS:
        return {"sitemap.xml": sitemap(base_url, ordered)}
    parts = {
        f"sitemap-{n + 1}.xml": sitemap(base_url, ordered[start : start + SITEMAP_URLS])
        for n, start in enumerate(range(0, len(ordered), SITEMAP_URLS))
    }
    base = xml_text(_base(base_url))
    listed = "".join(f"<sitemap><loc>{base}{name}</loc></sitemap>" for name in parts)
    index = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{listed}'
        "</sitemapindex>\n"
    )
    return {"sitemap.xml": index, **parts}


def robots(base_url: str) -> str:
    """``robots.txt``: one directive a line, whatever ``base_url`` holds (it is percent-encoded:
    no CR, LF or other white space)."""
    return f"User-agent: *\nAllow: /\nSitemap: {site_url(base_url, 'sitemap.xml')}\n"


def copy_tree(src: Path, dst: Path) -> None:
    """Copy a theme's static files; links are left out (``check`` reports a site's own)."""
    if src.is_dir() and not src.is_symlink():
        shutil.copytree(src, dst, dirs_exist_ok=True, ignore=_links)


def _links(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if os.path.islink(os.path.join(folder, name))}


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    """A table as the open-data CSV files are written (BOM, no formulas): for tables of a page."""
    out = io.StringIO()
    _write_table(out, None, rows)
    return out.getvalue()
