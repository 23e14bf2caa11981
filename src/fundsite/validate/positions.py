"""Turn pydantic's errors into :class:`Problem` s at the line and column the editor wrote."""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from fundsite.diagnostics import Problem
from fundsite.load.yamlpos import Pos, PosDict, PosList
from fundsite.messages import MESSAGES

_TYPE_NAMES: dict[str, tuple[str, str]] = {
    "string": ("ข้อความ", "text"),
    "int": ("จำนวนเต็ม", "a whole number"),
    "float": ("ตัวเลข", "a number"),
    "decimal": ("ตัวเลข", "a number"),
    "finite_number": ("ตัวเลข", "a finite number"),
    "bool": ("ใช่/ไม่ใช่ (true/false)", "true or false"),
    "list": ("รายการ (แต่ละรายการขึ้นต้นด้วย - )", "a list"),
    "tuple": ("รายการ [ละติจูด, ลองจิจูด]", "a list [latitude, longitude]"),
    "dict": ("ชุด ชื่อช่อง: ค่า", "a set of field: value lines"),
    "model": ("ชุด ชื่อช่อง: ค่า", "a set of field: value lines"),
}


def locate(data: Any, loc: tuple[Any, ...], key: bool = False) -> tuple[Pos, str]:
    """Find where ``loc`` was written and spell the field path as the editor wrote it.

    ``key`` asks for the key's position rather than the value's (for unknown fields).
    Steps that the validators added (a mapping accepted as a one-item list) are skipped.
    """
    node = data
    pos: Pos = getattr(data, "pos", (1, 1))
    path = ""
    for i, step in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, PosDict) and step in node:
            use_key = key and last
            pos = node.key_pos[step] if use_key else node.value_pos[step]
            path = f"{path}.{step}" if path else str(step)
            node = node[step]
        elif isinstance(node, PosList) and isinstance(step, int) and 0 <= step < len(node):
            pos = node.item_pos[step]
            path = f"{path}[{step + 1}]"
            node = node[step]
        elif isinstance(step, int) and not isinstance(node, PosList) and node is not None:
            continue  # a mapping or scalar that the model accepted as a one-item list
        elif isinstance(step, int):
            path = f"{path}[{step + 1}]"  # an item that is not written (a list too short)
            node = None
        else:
            path = f"{path}.{step}" if path else str(step)
            node = None
    return pos, path


def _expected(error_type: str) -> tuple[str, str]:
    for prefix, names in _TYPE_NAMES.items():
        if error_type.startswith(prefix):
            return names
    return ("ค่าชนิดอื่น", "another kind of value")


def _short(value: Any) -> str:
    """A value as the editor wrote it: ``"text"``, ``39918.001`` (not ``Decimal('39918.001')``)."""
    if isinstance(value, str):
        text = f'"{value}"'
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, Decimal):
        text = str(value)
    else:
        text = repr(value)
    if isinstance(value, dict | list):
        text = "{…}" if isinstance(value, dict) else "[…]"
    return text if len(text) <= 60 else text[:57] + "…"


def _fields_of(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Names of the fields a model (or the sub-model at ``loc``) accepts, for "did you mean"."""
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            continue
        info = getattr(current, "model_fields", {}).get(step)
        if info is None:
            break
        current = _model_in(info.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside ``list[X]``, ``X | None`` or ``Annotated[X, ...]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


#: What a field's pattern asks for, in words, by the pattern itself.
PATTERN_FORMS: dict[str, tuple[str, str]] = {
    r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$": (
        "ชื่อคลังแบบ เจ้าของ/ชื่อ เช่น my-org/portal",
        "a repository as owner/name, e.g. my-org/portal",
    ),
    r"^https://[^\s\"'<>\\]+$": (
        "ที่อยู่เว็บที่ขึ้นต้นด้วย https:// เช่น https://auth.example.org",
        "a web address starting with https://, e.g. https://auth.example.org",
    ),
    r"^[A-Za-z0-9.+-]+$": (
        "รหัสสัญญาอนุญาตแบบ SPDX เช่น CC-BY-4.0",
        "an SPDX licence id, e.g. CC-BY-4.0",
    ),
}


def problems_from(
    exc: ValidationError, data: Any, path: str, model: type[BaseModel]
) -> list[Problem]:
    """One problem per pydantic error, at the place it was written."""
    found: list[Problem] = []
    for err in exc.errors(include_url=False):
        kind: str = err["type"]
        loc = tuple(err["loc"])
        ctx = dict(err.get("ctx") or {})
        value = err.get("input")
        hint = None
        params: dict[str, Any] = {"value": _short(value)}
        if kind in ("extra_forbidden", "invalid_key"):  # invalid_key: a key like 172 or null
            (line, col), field = locate(data, loc, key=True)
            code = "unknown-field"
            close = difflib.get_close_matches(str(loc[-1]), _fields_of(model, loc[:-1]), 1, 0.6)
            if close:
                hint, params["suggestion"] = "hint-did-you-mean", close[0]
        else:
            (line, col), field = locate(data, loc)
            code, hint = _code_for(kind, ctx, params)
        found.append(Problem("error", code, path, line, col, field, params, hint))
    return found


def _code_for(kind: str, ctx: dict[str, Any], params: dict[str, Any]) -> tuple[str, str | None]:
    """Map a pydantic error type (or one of ours) to a message code and hint."""
    if kind == "missing":
        return "missing", None
    if kind in ("literal_error", "enum"):
        params["choices"] = ctx.get("expected", "")
        return "invalid-choice", None
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        limits = {
            "greater_than_equal": "≥",
            "less_than_equal": "≤",
            "greater_than": ">",
            "less_than": "<",
        }
        bound = next(iter(ctx.values()), "")
        params["limit"] = f"{limits[kind]} {bound}"
        return "out-of-range", None
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        params["form_th"], params["form_en"] = PATTERN_FORMS.get(pattern, (pattern, pattern))
        return "bad-format", None
    if kind in ("string_too_short", "too_short"):
        return "too-short", None
    if kind in ("too_long", "string_too_long"):
        params["limit"] = f"≤ {ctx.get('max_length', '')}"
        return "out-of-range", None
    if kind == "int_from_float":  # 37.5 where a whole number is expected
        params["expected_th"], params["expected_en"] = _expected("int")
        return "wrong-type", None
    if kind.endswith(("_type", "_parsing")) or kind in ("model_attributes_type", "model_type"):
        params["expected_th"], params["expected_en"] = _expected(kind)
        return "wrong-type", None
    if kind not in MESSAGES:  # any other pydantic error: still a message, never a bare code
        params["expected_th"], params["expected_en"] = _expected(kind)
        return "wrong-type", None
    # our own codes (money-*, date-*, fiscal-year-*, area-empty) carry their params
    params.update({k: v for k, v in ctx.items() if k != "value"})
    hints = {
        "date-be-as-ce": "hint-ce-date",
        "date-ce-as-be": "hint-be-date",
        "fiscal-year-ce": "hint-fiscal-be",
        "money-decimals": "hint-money",
    }
    if kind == "base-url" and "suggestion" in ctx:
        return kind, "hint-did-you-mean"
    return kind, hints.get(kind)
