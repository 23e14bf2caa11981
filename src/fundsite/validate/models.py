"""The record kinds as pydantic models: one class per kind in ``../shared/spec/records.md``.

Models check each record on its own (types, required fields, unknown fields, value ranges).
Rules that need other records (references, sums across files) live in :mod:`.rules`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from fundsite.validate.types import BaseUrl, Date, FiscalYear, Id, Money, Text, ThemeName


class Record(BaseModel):
    """Base of every record: unknown fields are errors, numbers given for text become text.

    A field written without a value (``photos:``) counts as not written.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unwritten(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(v is None for v in data.values()):
            return {k: v for k, v in data.items() if v is not None}
        return data


def _as_list(value: Any) -> Any:
    """``area: {...}`` and ``area: [{...}, ...]`` are both accepted; a bare scalar too."""
    if value is None:
        return None
    return value if isinstance(value, list) else [value]


class AreaRef(Record):
    """An area as written: names or DOPA codes, or an NHSO region number."""

    province: Text | None = None
    district: Text | None = None
    subdistrict: Text | None = None
    region: Annotated[int, Field(ge=1, le=13)] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> AreaRef:
        if not (self.province or self.district or self.subdistrict or self.region):
            raise PydanticCustomError("area-empty", "empty area", {})
        return self


def _one_or_many(item: dict[str, Any]) -> WithJsonSchema:
    """The schema of a field that takes one item or a list of them."""
    return WithJsonSchema({"anyOf": [item, {"type": "array", "items": item}]})


Areas = Annotated[
    list[AreaRef], BeforeValidator(_as_list), _one_or_many(AreaRef.model_json_schema())
]
#: Text that must be stated when its field is required (a title of "" is no title).
Name = Annotated[Text, Field(min_length=1)]


class Income(Record):
    nhso: Money = Decimal(0)
    local: Money = Decimal(0)
    other: Money = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.nhso + self.local + self.other


class Finance(Record):
    """One fiscal year of a fund's money."""

    fiscal_year: FiscalYear
    carried_forward: Money = Decimal(0)
    income: Income = Field(default_factory=Income)
    spent: Money = Decimal(0)
    balance: Money | None = None

    @property
    def expected_balance(self) -> Decimal:
        return self.carried_forward + self.income.total - self.spent


class Fund(Record):
    id: Id
    kind: Literal["local", "programme"]
    name: Name
    name_en: Text | None = None
    organization: Text | None = None
    area: Areas | None = None
    population: Annotated[int, Field(ge=0)] | None = None
    finances: list[Finance] = []


class Situation(Record):
    indicator: Text
    size: Decimal | None = None
    unit: Text | None = None


class PlanObjective(Record):
    text: Text
    indicator: Text | None = None
    baseline: Decimal | None = None
    target: Decimal | None = None


class Plan(Record):
    id: Id
    fund: Id
    fiscal_year: FiscalYear
    issue: Id
    title: Name
    situation: list[Situation] = []
    objectives: list[PlanObjective] = []
    budget: Money | None = None


class Installment(Record):
    """งวด: the period it pays for, the period to report in, the amount."""

    start: Date | None = None
    end: Date | None = None
    report_start: Date | None = None
    report_end: Date | None = None
    amount: Money = Decimal(0)


class ProjectObjective(Record):
    """วัตถุประสงค์: the indicator, the problem's size, the one-year target and, at close, what
    was achieved (a number in the indicator's unit, like ``size`` and ``target``)."""

    text: Text
    indicator: Text | None = None
    size: Decimal | None = None
    target: Decimal | None = None
    achieved: Decimal | None = None


class TargetGroup(Record):
    name: Text
    planned: Annotated[int, Field(ge=0)] | None = None
    attended: Annotated[int, Field(ge=0)] | None = None


Status = Literal["proposed", "approved", "in-progress", "completed", "cancelled"]


class Project(Record):
    id: Id
    title: Name
    fund: Id
    plan: Id | None = None
    issues: Annotated[
        list[Id], BeforeValidator(_as_list), _one_or_many({"type": "string", "minLength": 1})
    ] = []
    programme: Id | None = None
    support_type: Annotated[int, Field(ge=1, le=5)] | None = None
    organization: Text | None = None
    approved_on: Date | None = None
    start: Date | None = None
    end: Date | None = None
    budget: Money | None = None
    responsible: Text | None = None
    mentor: Text | None = None
    area: Areas | None = None
    location: (
        tuple[Annotated[float, Field(ge=-90, le=90)], Annotated[float, Field(ge=-180, le=180)]]
        | None
    ) = None
    installments: list[Installment] = []
    objectives: list[ProjectObjective] = []
    target_groups: list[TargetGroup] = []
    status: Status | None = None
    #: เงินคืนกองทุน: money given back to the fund at close (what was not spent)
    returned: Money | None = None


class Photo(Record):
    src: Text
    alt: Text | None = None


def _photo(value: Any) -> Any:
    return {"src": value} if isinstance(value, str) else value


ReportKind = Literal["meeting", "activity", "training", "monitoring", "workshop"]


class Report(Record):
    id: Id
    project: Id
    title: Name
    date: Date
    kind: ReportKind | None = None
    reporter: Text | None = None
    area: Areas | None = None
    participants: Annotated[int, Field(ge=0)] | None = None
    spent: Money | None = None
    photos: list[
        Annotated[
            Photo,
            BeforeValidator(_photo),
            WithJsonSchema({"anyOf": [{"type": "string"}, Photo.model_json_schema()]}),
        ]
    ] = []


class Page(Record):
    id: Id | None = None
    title: Name
    title_en: Text | None = None
    description: Text | None = None
    order: int = 100


class Site(Record):
    title: Name
    title_en: Text | None = None
    description: Text | None = None
    base_url: BaseUrl = "/"  # not written: links stay relative, feeds and sitemap say "/"
    language: Literal["th", "en"] = "th"
    currency: Literal["THB"] = "THB"
    theme: ThemeName = "default"


class Issue(Record):
    id: Id
    name: Name
    name_en: Text | None = None
    description: Text | None = None


class Region(Record):
    id: Annotated[int, Field(ge=1, le=13)]
    name: Name
    name_en: Text | None = None
    provinces: list[Text] = []


MODELS: dict[str, type[Record]] = {
    "site": Site,
    "issue": Issue,
    "region": Region,
    "fund": Fund,
    "plan": Plan,
    "project": Project,
    "report": Report,
    "page": Page,
}

#: What each kind must state, as the spec's required-field table says (pydantic enforces it);
#: and what only warns when missing.
RECOMMENDED: dict[str, tuple[str, ...]] = {
    "fund": ("area",),
    "project": ("budget", "start", "end", "area"),
}
