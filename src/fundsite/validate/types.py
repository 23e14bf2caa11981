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
    if not 2400 <= year <= 2800:
        raise PydanticCustomError("fiscal-year-invalid", "not a year", {"value": value})
    return year


def _text(value: Any) -> Any:
    """Numbers written where text is expected (codes like ``L5218`` vs ``5218``) become text."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
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
            "minimum": 2400,
            "maximum": 2800,
            "description": "ปีงบประมาณ พ.ศ. เช่น 2568",
        }
    ),
]
Text = Annotated[str, BeforeValidator(_text)]
