"""What each field of a record kind is, read off the models: label, hint, type, choices.

The one description of the fields. The form editor's configuration (:mod:`fundsite.cms.config`)
and the comments ``fundsite new`` writes both come from :func:`fields_of`; the JSON Schemas carry
the same titles because they live on the models (:func:`fundsite.validate.models.about`).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from fundsite.render.labels import LABELS
from fundsite.validate import types as field_types

#: Labels of the values of choice fields, Thai and English, by field name.
CHOICE_LABELS: dict[str, dict[Any, tuple[str, str]]] = {
    "support_type": {
        1: ("หน่วยบริการ สถานบริการ หรือหน่วยงานสาธารณสุข (ข้อ 10(1))", "health services (10(1))"),
        2: ("กลุ่มหรือองค์กรประชาชน หรือหน่วยงานอื่น (ข้อ 10(2))", "community groups (10(2))"),
        3: ("ศูนย์เด็กเล็ก ผู้สูงอายุ หรือคนพิการ (ข้อ 10(3))", "child, elderly, disability (10(3))"),
        4: ("บริหารหรือพัฒนากองทุน (ข้อ 10(4))", "fund administration (10(4))"),
        5: ("โรคระบาดหรือภัยพิบัติ (ข้อ 10(5))", "epidemics and disasters (10(5))"),
    },
}
#: The prefix of a choice's label in :data:`fundsite.render.labels.LABELS`, by field name.
_LABEL_PREFIX = {"status": "status_", "kind": "kind_"}


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record kind, as a form or a template shows it."""

    name: str
    label_th: str
    label_en: str
    hint_th: str
    hint_en: str
    #: text, id, money, date, fiscal_year, integer, number, choice, object, list, area, location
    kind: str
    required: bool
    #: choice values and their (Thai, English) labels
    choices: tuple[tuple[Any, tuple[str, str]], ...] = ()
    #: the sub-fields of an object, of a list's items, or of an area
    fields: tuple[FieldSpec, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None

    def label(self, lang: str = "th") -> str:
        return self.label_en if lang == "en" else self.label_th

    def hint(self, lang: str = "th") -> str:
        return self.hint_en if lang == "en" else self.hint_th


def fields_of(model: type[BaseModel]) -> tuple[FieldSpec, ...]:
    """Every field of ``model`` in the order it is declared."""
    return tuple(_spec(name, info) for name, info in model.model_fields.items())


def _spec(name: str, info: FieldInfo) -> FieldSpec:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    annotation, more = _unwrap(info.annotation)
    metadata = [*info.metadata, *more]
    kind, inner, choices = _kind(name, annotation, metadata)
    low, high = _bounds(metadata)
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    if isinstance(default, BaseModel | list):
        default = None
    return FieldSpec(
        name=name,
        label_th=info.title or name,
        label_en=str(extra.get("title_en") or name),
        hint_th=info.description or "",
        hint_en=str(extra.get("description_en") or ""),
        kind=kind,
        required=info.is_required(),
        choices=choices,
        fields=fields_of(inner) if inner is not None else (),
        minimum=low,
        maximum=high,
        default=default,
    )


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type without ``| None`` and ``Annotated``, and the metadata it carried."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            metadata.extend(annotation.__metadata__)
            annotation = annotation.__origin__
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation, metadata
        else:
            return annotation, metadata


def _validators(metadata: list[Any]) -> set[Any]:
    return {getattr(m, "func", None) for m in metadata}


def _kind(
    name: str, annotation: Any, metadata: list[Any]
) -> tuple[str, type[BaseModel] | None, tuple[tuple[Any, tuple[str, str]], ...]]:
    """The kind of an unwrapped type with its metadata, the model of its items or parts,
    and its choices."""
    funcs = _validators(metadata)
    if field_types.MONEY_VALIDATOR in funcs:
        return "money", None, ()
    if field_types.DATE_VALIDATOR in funcs or annotation is date:
        return "date", None, ()
    if field_types.FISCAL_YEAR_VALIDATOR in funcs:
        return "fiscal_year", None, ()
    if field_types.ID_VALIDATOR in funcs:
        return "id", None, ()
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "choice", None, _choices(name, typing.get_args(annotation))
    if origin is tuple:
        return "location", None, ()
    if origin is list:
        item, item_meta = _unwrap(typing.get_args(annotation)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            return ("area" if name == "area" else "list"), item, ()
        if field_types.ID_VALIDATOR in _validators(item_meta):
            return "ids", None, ()
        return "texts", None, ()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object", annotation, ()
    if annotation is int:
        if name in CHOICE_LABELS:
            return "choice", None, tuple(CHOICE_LABELS[name].items())
        return "integer", None, ()
    if annotation is Decimal or annotation is float:
        return "number", None, ()
    if annotation is bool:
        return "boolean", None, ()
    return "text", None, ()


def _choices(name: str, values: tuple[Any, ...]) -> tuple[tuple[Any, tuple[str, str]], ...]:
    prefix = _LABEL_PREFIX.get(name)
    out = []
    for value in values:
        pair = LABELS.get(f"{prefix}{value}") if prefix else None
        out.append((value, pair or CHOICE_LABELS.get(name, {}).get(value, (str(value),) * 2)))
    return tuple(out)


def _bounds(metadata: list[Any]) -> tuple[int | None, int | None]:
    """The ``ge``/``le`` bounds in a field's metadata, or in a ``Field`` it holds."""
    low = high = None
    inner = [c for m in metadata if isinstance(m, FieldInfo) for c in m.metadata]
    for item in [*metadata, *inner]:
        low = item.ge if getattr(item, "ge", None) is not None else low
        high = item.le if getattr(item, "le", None) is not None else high
    return low, high
