"""Thai calendar, dates and money: parsing what editors type and formatting what citizens read."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

BE_OFFSET = 543  # พ.ศ. = ค.ศ. + 543

MONTHS_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
MONTHS_EN = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_MONTH_LOOKUP: dict[str, int] = {}
for _i, (_full, _abbr) in enumerate(zip(MONTHS_FULL, MONTHS_ABBR, strict=True), start=1):
    _MONTH_LOOKUP[_full] = _i
    _MONTH_LOOKUP[_abbr] = _i
    _MONTH_LOOKUP[_abbr.replace(".", "")] = _i
    _MONTH_LOOKUP[_abbr.replace(" ", "")] = _i

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_THAI = re.compile(r"^(\d{1,2})\s*([^\d\s]+(?:\s[^\d\s]+)?)\s*(?:พ\.?\s?ศ\.?\s*)?(\d{4})$")
_BE_MARK = re.compile(r"\s*พ\.?\s?ศ\.?\s*(?=\d{4}$)")  # "พ.ศ." before the year
_LEADING_VOWEL = re.compile(r"([เแโใไ])([ก-ฮ])")


def sort_key(text: str) -> str:
    """Thai dictionary order, near enough for a list of names: a vowel written before its
    consonant (เ แ โ ใ ไ) sorts after it, so เกาะ comes after กะ, not after every ก…ฮ."""
    return _LEADING_VOWEL.sub(r"\2\1", text)


class DateError(ValueError):
    """A date that cannot be read; ``code`` names the message, ``params`` fill it."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def parse_date(value: object) -> date:
    """Read an ISO (CE) or Thai (BE) date; raise :class:`DateError` explaining what is wrong.

    >>> parse_date("1 ม.ค. 2561")
    datetime.date(2018, 1, 1)
    >>> parse_date("2024-10-01")
    datetime.date(2024, 10, 1)
    """
    if isinstance(value, date):
        return value
    if (
        isinstance(value, str)
        and len(value) == 10
        and value[4] == value[7] == "-"
        and value < "2400"
    ):
        try:  # the common case, ISO in the Common Era: the C parser is ~20x faster
            return date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, str):
        raise DateError("date-invalid", value=value)
    text = " ".join(value.translate(_THAI_DIGITS).split())
    if m := _ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
        if year >= 2400:
            ce = _safe_date(year - BE_OFFSET, month, day)
            if ce is not None:
                raise DateError("date-be-as-ce", value=value, suggestion=ce.isoformat())
        return _checked(year, month, day, value)
    if m := _THAI.match(_BE_MARK.sub(" ", text)):
        day_s, month_s, year_s = m.groups()
        month = _MONTH_LOOKUP.get(month_s.replace(" ", "")) or _MONTH_LOOKUP.get(month_s)
        if month is None:
            raise DateError("date-month", value=value, month=month_s)
        year = int(year_s)
        if year < 2400:  # a CE year in Thai writing: say which BE year it would be
            ce = _safe_date(year, month, int(day_s))
            if ce is not None:
                raise DateError(
                    "date-ce-as-be", value=value, suggestion=format_date(ce), iso=ce.isoformat()
                )
        return _checked(year - BE_OFFSET, month, int(day_s), value)
    raise DateError("date-invalid", value=value)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _checked(year: int, month: int, day: int, raw: object) -> date:
    found = _safe_date(year, month, day)
    if found is None:
        raise DateError("date-impossible", value=raw)
    return found


def format_date(d: date | None, lang: str = "th", full: bool = False) -> str:
    """``1 ต.ค. 2567`` (Thai, BE) or ``1 Oct 2024`` (English, CE)."""
    if d is None:
        return "ไม่ระบุ" if lang == "th" else "not stated"
    if lang == "en":
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    month = MONTHS_FULL[d.month - 1] if full else MONTHS_ABBR[d.month - 1]
    return f"{d.day} {month} {d.year + BE_OFFSET}"


def fiscal_year(d: date) -> int:
    """Thai government fiscal year (BE) of a date: FY 2568 runs 1 Oct 2024 - 30 Sep 2025."""
    return d.year + BE_OFFSET + (1 if d.month >= 10 else 0)


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """First and last day of a fiscal year given in BE."""
    ce = fy - BE_OFFSET
    return date(ce - 1, 10, 1), date(ce, 9, 30)


def format_baht(amount: Decimal | int | None, lang: str = "th", unit: bool = True) -> str:
    """``39,918.00 บาท``: thousands separators, two decimals, exact."""
    if amount is None:
        return "ไม่ระบุ" if lang == "th" else "not stated"
    text = f"{Decimal(amount).quantize(Decimal('0.01')):,}"
    if not unit:
        return text
    return f"{text} บาท" if lang == "th" else f"{text} THB"
