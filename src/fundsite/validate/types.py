"""Field types editors write: money, dates, fiscal years, ids. Each fails with a coded message."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from fundsite.thai import BE_OFFSET, DateError, parse_date

_MONEY_TEXT = re.compile(r"^-?[\d,]*\.?\d*$")
#: No record of a fund is a trillion baht or more (the whole national budget is ~3.5 trillion).
MAX_AMOUNT = Decimal(10) ** 12


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise PydanticCustomError("money-invalid", "not an amount", {"value": value})
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().removesuffix("บาท").strip().replace(" ", "")
        if not text or not _MONEY_TEXT.match(text) or not any(c.isdigit() for c in text):
            raise PydanticCustomError("money-invalid", "not an amount", {"value": value})
        whole = text.lstrip("-").split(".")[0]
        if "," in whole and not re.fullmatch(r"\d{1,3}(,\d{3})+", whole):
            raise PydanticCustomError("money-commas", "misplaced commas", {"value": value})
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise PydanticCustomError("money-invalid", "not an amount", {"value": value}) from None
    else:
        raise PydanticCustomError("money-invalid", "not an amount", {"value": value})
    if not amount.is_finite():
        raise PydanticCustomError("money-invalid", "not an amount", {"value": value})
    if amount < 0:
        raise PydanticCustomError("money-negative", "negative amount", {"value": value})
    if amount >= MAX_AMOUNT:  # also keeps the exact sums within Decimal's 28 digits
        raise PydanticCustomError("money-too-large", "implausible amount", {"value": value})
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise PydanticCustomError(
            "money-decimals",
            "more than two decimals",
            {"value": value, "suggestion": f"{amount.quantize(Decimal('0.01')):,}"},
        )
    return amount.quantize(Decimal("0.01"))


def _date(value: Any) -> date:
    try:
        return parse_date(value)
    except DateError as exc:
        raise PydanticCustomError(exc.code, exc.code, dict(exc.params)) from None


#: The fiscal years (พ.ศ.) a record may name.
FISCAL_YEARS = (2400, 2800)


def _fiscal_year(value: Any) -> int:
    if isinstance(value, bool):
        raise PydanticCustomError("fiscal-year-invalid", "not a year", {"value": value})
    try:
        year = int(str(value).strip().removeprefix("พ.ศ.").strip())
    except ValueError:
        raise PydanticCustomError("fiscal-year-invalid", "not a year", {"value": value}) from None
    if 1900 <= year < 2400:
        raise PydanticCustomError(
            "fiscal-year-ce", "CE year", {"value": value, "suggestion": year + BE_OFFSET}
        )
    if not FISCAL_YEARS[0] <= year <= FISCAL_YEARS[1]:
        raise PydanticCustomError("fiscal-year-invalid", "not a year", {"value": value})
    return year


#: Characters no text of a record may hold: C0 and C1 controls but tab and line feed (YAML's
#: ``"\e"``, ``"\0"`` escapes: terminal escape sequences in the CSV, garbage in pages), and
#: the invisible controls that reorder what a reader sees (bidirectional overrides and
#: isolates, line and paragraph separators).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _numbers_as_text(value: Any) -> Any:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


def _text(value: Any) -> Any:
    """Numbers written where text is expected (codes like ``L5218`` vs ``5218``) become text;
    text with a control character (:data:`CONTROL`) is refused."""
    value = _numbers_as_text(value)
    if isinstance(value, str) and (bad := CONTROL.search(value)):
        raise PydanticCustomError(
            "text-control", "control character", {"value": value, "char": describe_char(bad[0])}
        )
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": r"^[\d,]+(\.\d{1,2})?$"},
            ],
            "description": 'จำนวนเงิน (บาท) เช่น 39918.00 หรือ "39,918.00"',
        }
    ),
]
Date = Annotated[
    date,
    BeforeValidator(_date),
    WithJsonSchema(
        {
            "type": "string",
            "description": "วันที่ เช่น 2024-10-01 (ค.ศ.) หรือ 1 ต.ค. 2567 (พ.ศ.)",
        }
    ),
]
FiscalYear = Annotated[
    int,
    BeforeValidator(_fiscal_year),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": FISCAL_YEARS[0],
            "maximum": FISCAL_YEARS[1],
            "description": "ปีงบประมาณ พ.ศ. เช่น 2568",
        }
    ),
]
Text = Annotated[str, BeforeValidator(_text)]

#: An id becomes a folder name and a URL: at most this many bytes of UTF-8 (file systems
#: allow 255 for a name, and the file is ``<id>.md``).
ID_MAX_BYTES = 200
#: What an id may hold: ASCII letters and digits, Thai (letters, vowels, tone marks, digits),
#: and ``-``, ``_``, ``.`` between them.
_ID_CHARS = re.compile(r"[0-9A-Za-z\u0E01-\u0E3A\u0E40-\u0E4E\u0E50-\u0E59_.\-]*")
_ID_START = re.compile(r"[0-9A-Za-z\u0E01-\u0E30\u0E32\u0E33\u0E40-\u0E46\u0E50-\u0E59]")
#: The tables pages write beside them as CSV (:mod:`fundsite.plan.tables`): a listing's sits
#: among the records' folders (``funds/funds.csv`` beside ``funds/L5218/``).
TABLE_FILES = frozenset(
    f"{name}.csv"
    for name in (
        "funds",
        "plans",
        "projects",
        "reports",
        "issues",
        "finances",
        "installments",
        "objectives",
        "target_groups",
        "situation",
        "by_issue",
        "by_year",
        "by_region",
        "by_province",
        "by_district",
        "by_subdistrict",
    )
)
#: Names the pages beside a record's folder use (``funds/index.json``, ``funds/feed.xml``).
RESERVED_IDS = frozenset({"index.html", "index.json", "feed.xml", *TABLE_FILES})


def id_problem(value: str) -> tuple[str, dict[str, str]] | None:
    """Why ``value`` cannot be an id (a reason code of ``messages.ID_REASONS`` and its
    params), or None when it can.

    The grammar: one or more of ASCII letters and digits, Thai characters, ``-``, ``_`` and
    ``.``; it starts with a letter or digit (not a Thai vowel or tone mark), has no ``..``
    and does not end with ``.``; no spaces, separators, control or invisible characters;
    at most :data:`ID_MAX_BYTES` bytes; not a name the site's own files use.
    """
    if not value:
        return "empty", {}
    if not _ID_CHARS.fullmatch(value):
        bad = next(c for c in value if not _ID_CHARS.fullmatch(c))
        return "char", {"char": describe_char(bad)}
    if not _ID_START.match(value):
        return "start", {"char": describe_char(value[0])}
    if ".." in value or value.endswith("."):
        return "dots", {}
    if len(value.encode("utf-8")) > ID_MAX_BYTES:
        return "long", {"limit": str(ID_MAX_BYTES)}
    if value.casefold() in RESERVED_IDS:
        return "reserved", {}
    return None


def describe_char(char: str) -> str:
    """A character as an editor can find it: itself when visible, and its code point."""
    import unicodedata

    name = unicodedata.name(char, "")
    visible = char.isprintable() and not char.isspace() and unicodedata.category(char) != "Cf"
    shown = f'"{char}" ' if visible else ""
    return f"{shown}U+{ord(char):04X}{f' {name}' if name else ''}"


def id_reason(value: str) -> dict[str, str] | None:
    """The params of a ``bad-id`` or ``bad-file-name`` message about ``value`` (the value and
    the reason in Thai and English), or None when ``value`` can be an id."""
    problem = id_problem(value)
    if problem is None:
        return None
    from fundsite.messages import ID_REASONS

    reason, params = problem
    th, en = ID_REASONS[reason]
    return {"value": value, "reason_th": th.format(**params), "reason_en": en.format(**params)}


def _id(value: Any) -> str:
    value = _numbers_as_text(value)  # the id grammar names a control character itself
    if not isinstance(value, str):
        return value  # type: ignore[no-any-return]  # pydantic reports the wrong type
    reason = id_reason(value)
    if reason is not None:
        raise PydanticCustomError("bad-id", "bad id", reason)
    return value


Id = Annotated[
    str,
    BeforeValidator(_id),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "pattern": r"^[0-9A-Za-z\u0E01-\u0E30\u0E32\u0E33\u0E40-\u0E46\u0E50-\u0E59]"
            r"[0-9A-Za-z\u0E01-\u0E3A\u0E40-\u0E4E\u0E50-\u0E59_.\-]*$",
            "description": "รหัส: ตัวอักษรไทย อังกฤษ ตัวเลข และ - _ . (ไม่ขึ้นต้นด้วยจุด)",
        }
    ),
]

THEME_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def _theme(value: Any) -> Any:
    if isinstance(value, str) and not THEME_NAME.fullmatch(value.strip()):
        raise PydanticCustomError("theme-name", "not a theme name", {"value": value})
    return value


#: A theme is a name, found in the site's own ``themes/<name>/`` or among fundsite's themes;
#: never a path (a path could load templates, which are code, from anywhere).
ThemeName = Annotated[
    str,
    BeforeValidator(_theme),
    WithJsonSchema({"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,39}$"}),
]

#: What a base URL may hold after ``https://``: a host (ASCII; punycode for Thai names), a
#: port, and a path of unreserved, percent-encoded and a few sub-delimiter characters; no
#: quotes, spaces, angle brackets or backslashes (it is written into attributes, feeds and
#: robots.txt), no query or fragment, no user name or password.
_BASE_URL = re.compile(
    r"https?://(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
    r"(?::\d{1,5})?(?P<path>/[A-Za-z0-9\-._~!$&()*+,;=:@%/]*)?"
)


def _base_url(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _BASE_URL.fullmatch(text):
        return text if text.endswith("/") else text + "/"
    params = {"value": value}
    bare = text.removeprefix("//")
    if "://" not in text and _BASE_URL.fullmatch(f"https://{bare}"):
        params["suggestion"] = f"https://{bare.rstrip('/')}/"
    raise PydanticCustomError("base-url", "not an absolute http(s) URL", params)


#: The address the site is published at: an absolute ``http(s)`` URL ending with ``/``.
BaseUrl = Annotated[
    str,
    BeforeValidator(_base_url),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^https?://",
            "description": "ที่อยู่เว็บไซต์เต็ม เช่น https://fund.example.go.th/",
        }
    ),
]


def id_skeleton(value: str) -> str:
    """What an id looks like to a reader: ids with one skeleton cannot be told apart.

    NFKC folds compatibility forms (Thai ``ำ`` and ``ํา``), case folding joins ``L5218`` and
    ``l5218`` (one file on case-insensitive file systems), ``แ`` is two ``เ`` (they render
    alike), and each run of Thai vowel and tone marks is sorted with repeats dropped (``ก่ั``
    and ``กั่`` render alike, and so do ``ก่`` and ``ก่่``: a repeated mark is drawn over itself).
    """
    if value.isascii():
        return value.casefold()
    import unicodedata

    text = unicodedata.normalize("NFKC", value).casefold().replace("\u0e41", "\u0e40\u0e40")
    out: list[str] = []
    marks: set[str] = set()
    for char in text:
        if unicodedata.category(char) == "Mn":
            marks.add(char)
            continue
        out.extend(sorted(marks))
        marks = set()
        out.append(char)
    out.extend(sorted(marks))
    return "".join(out)


#: The validators that mark a field's type, for :mod:`fundsite.validate.fields`.
MONEY_VALIDATOR = _money
DATE_VALIDATOR = _date
FISCAL_YEAR_VALIDATOR = _fiscal_year
ID_VALIDATOR = _id
