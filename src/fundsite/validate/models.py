"""The record kinds as pydantic models: one class per kind in ``../shared/spec/records.md``.

Models check each record on its own (types, required fields, unknown fields, value ranges).
Rules that need other records (references, sums across files) live in :mod:`.rules`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError, PydanticUndefined

from fundsite.validate.types import BaseUrl, Date, FiscalYear, Id, Money, Text, ThemeName


def about(
    th: str,
    en: str,
    hint_th: str = "",
    hint_en: str = "",
    *,
    default: Any = PydanticUndefined,
    **kw: Any,
) -> Any:
    """A field's label and hint, Thai and English: the one description that the JSON Schemas,
    the form editor's configuration (:mod:`fundsite.cms.config`) and ``fundsite new`` read."""
    extra = {"title_en": en, **({"description_en": hint_en} if hint_en else {})}
    return Field(default, title=th, description=hint_th or None, json_schema_extra=extra, **kw)


def listed(th: str, en: str, hint_th: str = "", hint_en: str = "") -> Any:
    """A list field (empty when not written) with its label and hint."""
    return about(th, en, hint_th, hint_en, default_factory=list)


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

    province: Text | None = about(
        "จังหวัด", "province", "ชื่อหรือรหัส 2 หลัก เช่น สงขลา หรือ 90", "name or 2-digit code", default=None
    )
    district: Text | None = about(
        "อำเภอ",
        "district",
        "ชื่อหรือรหัส 4 หลัก เช่น ระโนด หรือ 9007",
        "name or 4-digit code",
        default=None,
    )
    subdistrict: Text | None = about(
        "ตำบล",
        "sub-district",
        "ชื่อหรือรหัส 6 หลัก เช่น คลองแดน หรือ 900702",
        "name or 6-digit code",
        default=None,
    )
    region: Annotated[int, Field(ge=1, le=13)] | None = about(
        "เขตสุขภาพ สปสช.",
        "NHSO region",
        "เลข 1–13 (สำหรับแผนงานระดับเขต)",
        "1–13, for programmes",
        default=None,
    )

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

_AREA_HINT = (
    "จังหวัด อำเภอ ตำบล เป็นชื่อหรือรหัสกรมการปกครอง",
    "province, district, sub-district: names or DOPA codes",
)


class Income(Record):
    nhso: Money = about("รายรับจาก สปสช. (บาท)", "from NHSO (THB)", default=Decimal(0))
    local: Money = about("เงินสมทบจาก อปท. (บาท)", "local contribution (THB)", default=Decimal(0))
    other: Money = about("ดอกเบี้ยและอื่น ๆ (บาท)", "interest and other (THB)", default=Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.nhso + self.local + self.other


class Finance(Record):
    """One fiscal year of a fund's money."""

    fiscal_year: FiscalYear = about("ปีงบประมาณ (พ.ศ.)", "fiscal year (BE)", "เช่น 2568", "e.g. 2568")
    carried_forward: Money = about(
        "ยอดยกมา (บาท)",
        "carried forward (THB)",
        "คงเหลือของปีก่อน",
        "the year before's balance",
        default=Decimal(0),
    )
    income: Income = about(
        "รายรับ", "income", "แยกตามแหล่งที่มา", "by where it came from", default_factory=Income
    )
    spent: Money = about("รายจ่าย (บาท)", "spent (THB)", default=Decimal(0))
    balance: Money | None = about(
        "คงเหลือ (บาท)",
        "balance (THB)",
        "ต้องเท่ากับ ยอดยกมา + รายรับ − รายจ่าย",
        "must equal carried forward + income − spent",
        default=None,
    )

    @property
    def expected_balance(self) -> Decimal:
        return self.carried_forward + self.income.total - self.spent


class Fund(Record):
    id: Id = about(
        "รหัสกองทุน",
        "fund code",
        "รหัส กปท. เช่น L5218 ต้องตรงกับชื่อไฟล์",
        "e.g. L5218; the file's name",
    )
    kind: Literal["local", "programme"] = about(
        "ประเภทกองทุน",
        "fund kind",
        "กองทุนท้องถิ่น (กปท.) ของ อปท. หรือแผนงาน/หน่วยงานที่ให้ทุนแก่โครงการ ซึ่งตั้งรหัสโครงการเอง",
        "a local government's fund, or a programme that gives grants to projects (and chooses "
        "their codes)",
    )
    name: Name = about("ชื่อกองทุน", "fund name")
    name_en: Text | None = about("ชื่อภาษาอังกฤษ", "name in English", default=None)
    organization: Text | None = about(
        "หน่วยงานที่ดูแลกองทุน", "organisation", "เช่น อบต.คลองแดน", default=None
    )
    area: Areas | None = about(
        "พื้นที่",
        "area",
        "กองทุนท้องถิ่นระบุถึงตำบล; " + _AREA_HINT[0],
        _AREA_HINT[1],
        default=None,
    )
    population: Annotated[int, Field(ge=0)] | None = about(
        "จำนวนประชากรในพื้นที่ (คน)", "population of the area", default=None
    )
    finances: list[Finance] = listed(
        "การเงินรายปีงบประมาณ", "finances by fiscal year", "ปีละหนึ่งรายการ", "one entry a year"
    )


class Situation(Record):
    indicator: Text = about("สถานการณ์ปัญหา", "indicator")
    size: Decimal | None = about("ขนาดของปัญหา", "size", default=None)
    unit: Text | None = about("หน่วย", "unit", "เช่น ร้อยละ หรือ คน", default=None)


class PlanObjective(Record):
    text: Text = about("วัตถุประสงค์", "objective")
    indicator: Text | None = about("ตัวชี้วัด", "indicator", default=None)
    baseline: Decimal | None = about("ค่าตั้งต้น", "baseline", default=None)
    target: Decimal | None = about("เป้าหมาย 1 ปี", "one-year target", default=None)


class Plan(Record):
    id: Id = about(
        "รหัสแผนงาน",
        "plan id",
        "<รหัสกองทุน>-<ปีงบ>-<ประเด็น> ต้องตรงกับชื่อไฟล์",
        "<fund>-<year>-<issue>; the file's name",
    )
    fund: Id = about(
        "กองทุน",
        "fund",
        "รหัสกองทุนเจ้าของแผน ต้องตรงกับชื่อโฟลเดอร์ของแผน",
        "the fund's code; the plan's folder",
    )
    fiscal_year: FiscalYear = about("ปีงบประมาณ (พ.ศ.)", "fiscal year (BE)", "เช่น 2568", "e.g. 2568")
    issue: Id = about("ประเด็น", "issue", "จาก data/issues.yaml", "from data/issues.yaml")
    title: Name = about("ชื่อแผนงาน", "plan title")
    situation: list[Situation] = listed(
        "สถานการณ์ปัญหา", "situation", "ปัญหาและขนาดของปัญหา", "problems and their size"
    )
    objectives: list[PlanObjective] = listed(
        "วัตถุประสงค์",
        "objectives",
        "ตัวชี้วัด ค่าตั้งต้น และเป้าหมาย 1 ปี",
        "indicator, baseline and one-year target",
    )
    budget: Money | None = about(
        "งบประมาณของแผนงาน (บาท)",
        "plan budget (THB)",
        "เช่น 120000.00",
        "e.g. 120000.00",
        default=None,
    )


class Installment(Record):
    """งวด: the period it pays for, the period to report in, the amount."""

    start: Date | None = about("งวดเริ่ม", "period starts", default=None)
    end: Date | None = about("งวดสิ้นสุด", "period ends", default=None)
    report_start: Date | None = about("เริ่มส่งรายงาน", "report window opens", default=None)
    report_end: Date | None = about(
        "ส่งรายงานภายใน",
        "report window closes",
        "ถ้าพ้นวันนี้แล้วยังไม่มีรายงานที่ลงวันที่ในช่วงส่งรายงาน จะมีคำเตือน",
        "once passed with no report dated in the window, check warns",
        default=None,
    )
    amount: Money = about("จำนวนเงินของงวด (บาท)", "amount (THB)", default=Decimal(0))


class ProjectObjective(Record):
    """วัตถุประสงค์: the indicator, the problem's size, the one-year target and, at close, what
    was achieved (a number in the indicator's unit, like ``size`` and ``target``)."""

    text: Text = about("วัตถุประสงค์", "objective")
    indicator: Text | None = about("ตัวชี้วัดความสำเร็จ", "indicator", default=None)
    size: Decimal | None = about("ขนาดปัญหา", "problem size", default=None)
    target: Decimal | None = about("เป้าหมาย 1 ปี", "one-year target", default=None)
    achieved: Decimal | None = about(
        "ผลที่ได้เมื่อปิดโครงการ",
        "achieved at close",
        "ผลที่ทำได้จริงของตัวชี้วัด หน่วยเดียวกับเป้าหมาย",
        "the indicator's actual result, in the target's unit",
        default=None,
    )


class TargetGroup(Record):
    name: Text = about("กลุ่มเป้าหมาย", "group")
    planned: Annotated[int, Field(ge=0)] | None = about(
        "จำนวนที่วางไว้ (คน)", "planned (people)", default=None
    )
    attended: Annotated[int, Field(ge=0)] | None = about(
        "จำนวนที่เข้าร่วม (คน)", "attended (people)", default=None
    )


Status = Literal["proposed", "approved", "in-progress", "completed", "cancelled"]


class Project(Record):
    id: Id = about(
        "รหัสโครงการ",
        "project code",
        "กองทุนท้องถิ่นใช้ <ปีงบ 2 หลัก>-<รหัสกองทุน>-<ประเภทการสนับสนุน>-<ลำดับ> "
        "เช่น 68-L5218-4-01 ต้องตรงกับชื่อไฟล์",
        "local funds: <FY 2 digits>-<fund>-<support type>-<nn>; the file's name",
    )
    title: Name = about("ชื่อโครงการ", "project title")
    fund: Id = about("กองทุน", "fund", "รหัสกองทุนที่ให้ทุน", "the granting fund's code")
    plan: Id | None = about(
        "แผนงาน", "plan", "รหัสแผนงานของกองทุนเดียวกัน", "a plan of the same fund", default=None
    )
    issues: Annotated[
        list[Id], BeforeValidator(_as_list), _one_or_many({"type": "string", "minLength": 1})
    ] = listed(
        "ประเด็น",
        "issues",
        "จาก data/issues.yaml อย่างน้อยหนึ่งประเด็น ถ้าว่างไว้ ใช้ประเด็นของแผนงาน",
        "from data/issues.yaml, one or more; empty: the plan's issue",
    )
    programme: Id | None = about(
        "ภายใต้โครงการ",
        "programme project",
        "รหัสโครงการหลักของแผนงานที่ให้ทุน ถ้าเป็นโครงการย่อย",
        "the parent programme project's code, for a sub-project",
        default=None,
    )
    support_type: Annotated[int, Field(ge=1, le=5)] | None = about(
        "ประเภทการสนับสนุน",
        "support type",
        "ข้อ 10(1)–10(5) ของประกาศกองทุน",
        "clause 10(1)–10(5)",
        default=None,
    )
    organization: Text | None = about(
        "หน่วยงานที่ดำเนินการ",
        "organisation",
        "หน่วยงานหรือกลุ่มที่รับผิดชอบ",
        "the organisation or group responsible",
        default=None,
    )
    approved_on: Date | None = about("วันที่อนุมัติ", "approved on", default=None)
    start: Date | None = about("วันที่เริ่มโครงการ", "start", default=None)
    end: Date | None = about("วันที่สิ้นสุดโครงการ", "end", default=None)
    budget: Money | None = about(
        "งบประมาณ (บาท)",
        "budget (THB)",
        "เช่น 39918.00 หรือ 39,918.00",
        "e.g. 39918.00 or 39,918.00",
        default=None,
    )
    responsible: Text | None = about(
        "ผู้รับผิดชอบโครงการ",
        "responsible",
        "ชื่อเท่านั้น อย่าใส่เบอร์โทรหรือเลขบัตรประชาชน",
        "a name only: no phone or national ID numbers",
        default=None,
    )
    mentor: Text | None = about(
        "พี่เลี้ยงโครงการ",
        "mentor",
        "ชื่อเท่านั้น อย่าใส่เบอร์โทรหรือเลขบัตรประชาชน",
        "a name only: no phone or national ID numbers",
        default=None,
    )
    area: Areas | None = about("พื้นที่ดำเนินการ", "area", *_AREA_HINT, default=None)
    location: (
        tuple[Annotated[float, Field(ge=-90, le=90)], Annotated[float, Field(ge=-180, le=180)]]
        | None
    ) = about(
        "ละติจูด-ลองจิจูด",
        "latitude, longitude",
        "พิกัดเป็นองศา เช่น 7.912, 100.319",
        "degrees, e.g. 7.912, 100.319",
        default=None,
    )
    installments: list[Installment] = listed(
        "งวดเงิน",
        "installments",
        "ช่วงเวลาของงวด ช่วงส่งรายงาน และจำนวนเงิน รวมทุกงวดควรเท่ากับงบประมาณ",
        "period, report window and amount; together, the budget",
    )
    objectives: list[ProjectObjective] = listed(
        "วัตถุประสงค์/ตัวชี้วัด",
        "objectives",
        "ตัวชี้วัด ขนาดปัญหา เป้าหมาย 1 ปี และผลที่ได้เมื่อปิดโครงการ",
        "indicator, problem size, one-year target and, at close, what was achieved",
    )
    target_groups: list[TargetGroup] = listed(
        "กลุ่มเป้าหมาย",
        "target groups",
        "จำนวนที่วางไว้และที่เข้าร่วมจริง",
        "planned and attended",
    )
    status: Status | None = about("สถานะ", "status", default=None)
    #: เงินคืนกองทุน: money given back to the fund at close (what was not spent)
    returned: Money | None = about(
        "เงินคืนกองทุน (บาท)",
        "returned (THB)",
        "เงินที่ไม่ได้ใช้ คืนเมื่อปิดโครงการ; เงินคืน + เงินที่รายงานว่าใช้ ต้องไม่เกินงบประมาณ",
        "money not spent, given back at close; with the money reported spent, at most the budget",
        default=None,
    )


class Photo(Record):
    src: Text = about(
        "ไฟล์ภาพ",
        "image",
        "ใต้ content/ เช่น media/2025/ภาพ-1.jpg",
        "under content/, e.g. media/2025/p-1.jpg",
    )
    alt: Text | None = about(
        "คำอธิบายภาพ",
        "description",
        "บอกว่าในภาพมีอะไร สำหรับผู้ที่มองไม่เห็นภาพ",
        "what the photo shows, for people who cannot see it",
        default=None,
    )


def _photo(value: Any) -> Any:
    return {"src": value} if isinstance(value, str) else value


ReportKind = Literal["meeting", "activity", "training", "monitoring", "workshop"]


class Report(Record):
    id: Id = about(
        "รหัสรายงาน",
        "report id",
        "<วันที่>-<ชื่อย่อ> เช่น 2025-03-14-ประชุมกรรมการ ต้องตรงกับชื่อไฟล์",
        "<date>-<short name>, e.g. 2025-03-14-board-meeting; the file's name",
    )
    project: Id = about("โครงการ", "project", "รหัสโครงการที่รายงาน", "the project's code")
    title: Name = about(
        "ชื่อกิจกรรม",
        "report title",
        "เช่น ประชุมคณะกรรมการกองทุน ครั้งที่ 1/2568",
        "e.g. fund committee meeting 1/2568",
    )
    date: Date = about("วันที่จัดกิจกรรม", "date")
    kind: ReportKind | None = about("ประเภทกิจกรรม", "activity kind", default=None)
    reporter: Text | None = about(
        "ผู้รายงาน",
        "reporter",
        "ชื่อเท่านั้น อย่าใส่เบอร์โทรหรือเลขบัตรประชาชน",
        "a name only: no phone or national ID numbers",
        default=None,
    )
    area: Areas | None = about(
        "พื้นที่",
        "area",
        "เมื่อต่างจากพื้นที่ของโครงการ ถ้าว่างไว้ ใช้พื้นที่ของโครงการ",
        "when not the project's; empty: the project's",
        default=None,
    )
    participants: Annotated[int, Field(ge=0)] | None = about(
        "จำนวนผู้เข้าร่วม (คน)", "participants", default=None
    )
    spent: Money | None = about(
        "เงินที่ใช้ในกิจกรรมนี้ (บาท)", "money spent (THB)", "เช่น 3500.00", "e.g. 3500.00", default=None
    )
    photos: list[
        Annotated[
            Photo,
            BeforeValidator(_photo),
            WithJsonSchema({"anyOf": [{"type": "string"}, Photo.model_json_schema()]}),
        ]
    ] = listed("ภาพกิจกรรม", "photos", "JPEG PNG หรือ WebP", "JPEG, PNG or WebP")


class Page(Record):
    id: Id | None = about("ชื่อไฟล์", "file name", "ตัวอักษรอังกฤษ เช่น about", "e.g. about", default=None)
    title: Name = about("ชื่อหน้า", "title")
    title_en: Text | None = about("ชื่อหน้าภาษาอังกฤษ", "title in English", default=None)
    description: Text | None = about("คำอธิบายสั้น ๆ", "description", default=None)
    order: int = about("ลำดับในเมนู", "order in menus", "น้อยมาก่อน", "lower first", default=100)


#: ``owner/name`` of a repository (GitLab groups may nest: ``group/sub/name``).
RepoName = Annotated[Text, Field(pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$", max_length=200)]
HttpsUrl = Annotated[Text, Field(pattern=r"^https://[^\s\"'<>\\]+$", max_length=500)]


class Cms(Record):
    """Where the published form editor proposes changes (``cms:`` in ``data/site.yaml``)."""

    backend: Literal["github", "gitlab", "gitea"] = about(
        "ที่เก็บโค้ด", "git host", "github, gitlab หรือ gitea (รวมถึง Forgejo)"
    )
    repo: RepoName = about("คลังข้อมูล", "repository", "เช่น owner/portal")
    branch: Text = about("สาขาหลัก", "branch", default="main")
    editorial_workflow: bool = about(
        "เสนอการแก้ไขเป็น pull request", "propose edits as pull requests", default=True
    )
    open_authoring: bool = about(
        "ให้คนที่ไม่มีสิทธิ์เขียนเสนอผ่าน fork", "open authoring through forks", default=False
    )
    base_url: HttpsUrl | None = about(
        "เซิร์ฟเวอร์ OAuth", "OAuth server", "เช่น https://auth.example.org", default=None
    )
    auth_endpoint: Text | None = about("เส้นทางของ OAuth", "OAuth path", default=None)
    app_id: Text | None = about("รหัสแอป OAuth", "OAuth application id", default=None)
    api_root: HttpsUrl | None = about(
        "API ของเซิร์ฟเวอร์ที่ติดตั้งเอง", "API of a self-hosted server", default=None
    )


class Site(Record):
    title: Name
    title_en: Text | None = None
    description: Text | None = None
    base_url: BaseUrl = "/"  # not written: links stay relative, feeds and sitemap say "/"
    language: Literal["th", "en"] = "th"
    currency: Literal["THB"] = "THB"
    theme: ThemeName = "default"
    #: the data's licence, an SPDX id such as ``CC-BY-4.0``
    data_license: Annotated[Text, Field(pattern=r"^[A-Za-z0-9.+-]+$", max_length=64)] | None = None
    cms: Cms | None = None


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
