"""``fundsite new``: start a record from a commented template (fund, plan, project, report).

Values come from flags; when stdin is a terminal, required values that are missing are asked
for in Thai (or English with ``--lang en``). Without a terminal, missing values are an error
(exit 2) that lists what to add. References (fund, plan, project, issue, area) are checked
before anything is written, and an existing file is never overwritten (exit 1).

The written file has every field of the kind's model in the model's order, each under a Thai
comment of its label and hint, and every optional field without a value as a commented-out line,
so an editor who is not a programmer can fill it in and run ``fundsite check``. Labels, hints,
the order, which fields are optional and the choices of a field all come from
:func:`fundsite.validate.fields.fields_of`, the description the form editor reads too; only
what ``new`` alone knows is written here (examples, the header, the messages). Only the few files
named here are read: ``new`` stays fast on big sites.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from fundsite.messages import pick
from fundsite.thai import DateError, fiscal_year, fiscal_year_bounds, format_date, parse_date

if TYPE_CHECKING:
    from fundsite.validate.fields import FieldSpec

T = TypeVar("T")

EXIT_EXISTS = 1  # the file is there already: nothing written
EXIT_INPUT = 2  # a value is missing or wrong: nothing written

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# ---- messages ------------------------------------------------------------------------------------

MESSAGES: dict[str, tuple[str, str]] = {
    "not-a-site": (
        "{site}: ไม่ใช่โฟลเดอร์ของเว็บไซต์ (ต้องมีโฟลเดอร์ data/ หรือ content/)",
        "{site}: not a site folder (it needs data/ or content/)",
    ),
    "missing": (
        "fundsite new {kind}: ยังขาดข้อมูลที่จำเป็น จึงยังไม่ได้สร้างไฟล์",
        "fundsite new {kind}: required values are missing; nothing was written",
    ),
    "invalid": (
        "fundsite new {kind}: ข้อมูลไม่ถูกต้อง จึงยังไม่ได้สร้างไฟล์",
        "fundsite new {kind}: some values are wrong; nothing was written",
    ),
    "missing-howto": (
        "ใส่ค่าเหล่านี้ในคำสั่ง เช่น {example}\nหรือรันคำสั่งในหน้าต่างเทอร์มินัล แล้วโปรแกรมจะถามทีละข้อ",
        "give them as flags, e.g. {example}\nor run the command in a terminal to be asked",
    ),
    "exists": (
        "มีไฟล์ {path} อยู่แล้ว: ไม่เขียนทับ (เปิดไฟล์นั้นแก้ไข หรือใช้รหัสอื่น)",
        "{path} exists already: not overwritten (edit it, or choose another id)",
    ),
    "link-on-the-way": (
        "ไม่เขียน {path}: {link} เป็นลิงก์สัญลักษณ์ (symbolic link) ซึ่ง fundsite ไม่เขียนผ่าน",
        "{path} is not written: {link} is a symbolic link, which fundsite does not write through",
    ),
    "exists-report": (
        "มีไฟล์ {path} อยู่แล้ว: ไม่เขียนทับ (ถ้าเป็นรายงานอีกเรื่องในวันเดียวกัน "
        "ใส่ --slug เช่น --slug {project_slug}-2)",
        "{path} exists already: not overwritten (for another report on the same day, "
        "add --slug, e.g. --slug {project_slug}-2)",
    ),
    "written": (
        "↑ สร้างไฟล์นี้แล้ว ต่อไป: เปิดไฟล์ กรอกส่วนที่เหลือ (ลบ # หน้าช่องที่ต้องการกรอก) แล้วรัน fundsite check",
        "↑ written. Next: open it, fill in the rest (remove the # before a field to use it), "
        "then run fundsite check",
    ),
    "cancelled": ("ยกเลิก: ไม่ได้สร้างไฟล์", "cancelled: nothing was written"),
    "required": ("ต้องกรอกช่องนี้", "this is required"),
    "unknown-fund": (
        'ไม่พบกองทุนรหัส "{value}" ใน content/funds/',
        'no fund "{value}" in content/funds/',
    ),
    "unknown-issue": (
        'ไม่พบประเด็น "{value}" ใน data/issues.yaml',
        'no issue "{value}" in data/issues.yaml',
    ),
    "unknown-project": (
        'ไม่พบโครงการรหัส "{value}" ใน content/projects/',
        'no project "{value}" in content/projects/',
    ),
    "unknown-plan": (
        'ไม่พบแผนงาน "{value}" ของกองทุน {fund} (content/plans/{fund}/)',
        'no plan "{value}" of fund {fund} (content/plans/{fund}/)',
    ),
    "plan-other-fund": (
        'แผนงาน "{value}" เป็นของกองทุน {other} ไม่ใช่กองทุน {fund}',
        'plan "{value}" belongs to fund {other}, not to fund {fund}',
    ),
    "plan-year": (
        "ปีงบประมาณ {value} ไม่ตรงกับปีงบของแผนงาน {plan} ({plan_year})",
        "fiscal year {value} is not the fiscal year of plan {plan} ({plan_year})",
    ),
    "nearby": ("ที่ใกล้เคียง: {values}", "nearest: {values}"),
    "existing": ("ที่มีอยู่: {values}", "existing: {values}"),
    "none-yet": ("ยังไม่มีเลย: สร้างก่อนด้วย {command}", "there are none yet: first run {command}"),
    "bad-id": ('รหัส "{value}" ใช้ไม่ได้: {reason}', 'id "{value}" is not usable: {reason}'),
    "bad-choice": ('"{value}" ใช้ไม่ได้: เลือกจาก {choices}', '"{value}" is not one of {choices}'),
    "bad-number": ('"{value}" ไม่ใช่จำนวนเต็ม', '"{value}" is not a whole number'),
    "bad-slug": (
        'slug "{value}" ใช้ไม่ได้: ใช้ตัวอักษรอังกฤษ ตัวเลข และ - เท่านั้น เช่น committee-meeting',
        'slug "{value}" is not usable: ASCII letters, digits and - only, e.g. committee-meeting',
    ),
    "bad-year": (
        'ปีงบประมาณ "{value}" ใช้ไม่ได้: เขียนเป็นปี พ.ศ. เช่น 2568',
        'fiscal year "{value}" is not usable: write the Buddhist-Era year, e.g. 2568',
    ),
    "ce-year": (
        "ปีงบประมาณ {value} เป็นปี ค.ศ.: น่าจะหมายถึง {suggestion} (พ.ศ.)",
        "fiscal year {value} is a Common-Era year: probably {suggestion} (BE)",
    ),
    "programme-project-id": (
        "กองทุน {fund} เป็นแผนงานที่ให้ทุน (programme): ตั้งรหัสโครงการเองด้วย --id",
        "fund {fund} is a programme: give the project's id with --id",
    ),
    "outside-period": (
        "หมายเหตุ: วันที่ {date} อยู่นอกช่วงโครงการ ({start} – {end}) fundsite check จะเตือนเรื่องนี้",
        "note: {date} is outside the project's period ({start} – {end}); fundsite check will "
        "warn about it",
    ),
    "plan-found": ("ใช้แผนงาน {plan} ที่มีอยู่", "using the existing plan {plan}"),
    # prompts that say more than a field's label (the others are the label: :func:`question`)
    "q-fund-id": ("รหัสกองทุน (id) เช่น L5218", "fund code (id), e.g. L5218"),
    "q-project-year": (
        "ปีงบประมาณ พ.ศ. ของโครงการ ใช้ในรหัสโครงการ",
        "the project's fiscal year, Buddhist Era, for its code",
    ),
    "q-date": (
        "วันที่จัดกิจกรรม เช่น 14 มี.ค. 2568 หรือ 2025-03-14",
        "date, e.g. 2025-03-14 or 14 มี.ค. 2568",
    ),
    "choices": ("เลือกได้:", "choose from:"),
    "issue-or-plan": ("ประเด็น (--issue) หรือแผนงาน (--plan)", "an issue (--issue) or plan (--plan)"),
}


def msg(key: str, lang: str, **params: Any) -> str:
    return pick(MESSAGES[key], lang).format(**params)


class Invalid(ValueError):
    """A value that cannot be used; ``hint`` says what exists or what was probably meant."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Stop(Exception):
    """End ``fundsite new`` with an exit code and lines for stderr."""

    def __init__(self, code: int, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.code = code
        self.lines = lines


# ---- what the site holds (file names only, and the few files a new record refers to) -------------


def _text(root: Path, path: Path) -> str:
    """A file of the site, read as ``check`` reads it: never through a link (OSError)."""
    from fundsite.load.safe import read_site_file

    return read_site_file(root, path.relative_to(root).as_posix()).decode("utf-8")


def _front(root: Path, path: Path) -> dict[str, Any]:
    """The front matter of one record as plain YAML, or {} when it cannot be read."""
    from fundsite.load.files import split_front_matter

    try:
        parts = split_front_matter(_text(root, path))
        if isinstance(parts, str):
            return {}
        data = yaml.safe_load(parts[0])
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class SiteFiles:
    root: Path

    def _stems(self, folder: str, pattern: str) -> dict[str, Path]:
        base = self.root / "content" / folder
        return {p.stem: p for p in sorted(base.glob(pattern))} if base.is_dir() else {}

    @cached_property
    def funds(self) -> dict[str, Path]:
        return self._stems("funds", "*.md")

    @cached_property
    def plans(self) -> dict[str, Path]:
        return self._stems("plans", "*/*.md")

    @cached_property
    def projects(self) -> dict[str, Path]:
        return self._stems("projects", "*.md")

    @cached_property
    def reports(self) -> dict[str, Path]:
        return self._stems("reports", "**/*.md")

    @cached_property
    def issues(self) -> dict[str, str]:
        """Issue id → Thai name, from data/issues.yaml."""
        for name in ("issues.yaml", "issues.yml"):
            path = self.root / "data" / name
            if path.is_file():
                try:
                    items = yaml.safe_load(_text(self.root, path)) or []
                except (OSError, UnicodeDecodeError, yaml.YAMLError):
                    return {}
                return {
                    str(i["id"]): str(i.get("name") or "")
                    for i in items
                    if isinstance(i, dict) and i.get("id") is not None
                }
        return {}

    def plans_of(self, fund: str) -> list[str]:
        return [k for k, p in self.plans.items() if p.parent.name == fund]


def _listing(values: Iterable[str], limit: int = 8) -> str:
    items = list(values)
    more = "…" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _nearby(value: str, candidates: list[str], lang: str, create: str) -> str:
    if not candidates:
        return msg("none-yet", lang, command=create)
    close = difflib.get_close_matches(value, candidates, n=5, cutoff=0.5)
    if not close:  # an id that only differs in case, or a prefix of real ones
        low = value.lower()
        close = [c for c in candidates if c.lower() == low or c.lower().startswith(low)][:5]
    if close:
        return msg("nearby", lang, values=", ".join(close))
    return msg("existing", lang, values=_listing(candidates))


# ---- parsing what editors type -------------------------------------------------------------------


def parse_id(value: str, lang: str) -> str:
    """An id as ``check`` accepts it (:func:`fundsite.validate.types.id_reason`)."""
    from fundsite.validate.types import id_reason

    reason = id_reason(value)
    if reason is not None:
        said = reason["reason_en" if lang == "en" else "reason_th"]
        raise Invalid(msg("bad-id", lang, value=value, reason=said))
    return value


def parse_any_date(value: str, lang: str) -> date:
    """ISO (CE) or Thai (BE) dates, Thai digits too; ``วันนี้``/``today`` is today."""
    from fundsite.diagnostics import Problem
    from fundsite.messages import render

    if value.strip().lower() in ("วันนี้", "today"):
        return date.today()
    try:
        return parse_date(value)
    except DateError as exc:
        hint = {"date-be-as-ce": "hint-ce-date", "date-ce-as-be": "hint-be-date"}.get(exc.code)
        problem = Problem("error", exc.code, "", field="date", params=dict(exc.params), hint=hint)
        text, suggestion = render(problem, lang)
        raise Invalid(text, suggestion) from None


def parse_fiscal_year(value: str, lang: str) -> int:
    text = value.translate(_THAI_DIGITS).strip().removeprefix("พ.ศ.").strip()
    if not text.isdigit():
        raise Invalid(msg("bad-year", lang, value=value))
    year = int(text)
    if 1900 <= year < 2400:
        raise Invalid(msg("ce-year", lang, value=year, suggestion=year + 543))
    if not 2400 <= year <= 2800:
        raise Invalid(msg("bad-year", lang, value=value))
    return year


def parse_int(value: str, lang: str, low: int = 0, high: int | None = None) -> int:
    text = value.translate(_THAI_DIGITS).replace(",", "").strip()
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        raise Invalid(msg("bad-number", lang, value=value))
    return int(text)


def parse_choice(value: str, choices: Iterable[str], lang: str) -> str:
    options = list(choices)
    if value.strip() in options:
        return value.strip()
    close = difflib.get_close_matches(value.strip(), options, n=1)
    hint = msg("nearby", lang, values=close[0]) if close else None
    raise Invalid(msg("bad-choice", lang, value=value, choices=" | ".join(options)), hint)


def parse_money(value: str, lang: str) -> Decimal:
    from pydantic import TypeAdapter, ValidationError

    from fundsite.diagnostics import Problem
    from fundsite.messages import render
    from fundsite.validate.types import Money

    try:
        return TypeAdapter(Money).validate_python(value.translate(_THAI_DIGITS))
    except ValidationError as exc:
        err = exc.errors()[0]
        hint = "hint-money" if err["type"] == "money-decimals" else None
        problem = Problem("error", err["type"], "", params=dict(err.get("ctx") or {}), hint=hint)
        text, suggestion = render(problem, lang)
        raise Invalid(text, suggestion) from None


def slugify(text: str) -> str:
    """Lowercase ASCII letters, digits and single hyphens; everything else dropped."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def parse_slug(value: str, lang: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.-]*", value.strip()):
        raise Invalid(msg("bad-slug", lang, value=value))
    return slugify(value)


# ---- the fields of a kind, from the models -------------------------------------------------------


def fields(kind: str) -> dict[str, FieldSpec]:
    """The fields of a record kind by name, in the model's order: what the form editor shows."""
    from fundsite.validate.fields import fields_of
    from fundsite.validate.models import MODELS

    return {spec.name: spec for spec in fields_of(MODELS[kind])}


def question(spec: FieldSpec, lang: str) -> str:
    """The prompt for a field: its label, and its name as the file writes it."""
    label = spec.label(lang)
    return label if label == spec.name else f"{label} ({spec.name})"


def choice_lines(spec: FieldSpec, lang: str) -> list[str]:
    """A choice field's values with their labels, one a line, as a prompt lists them."""
    width = max((len(str(value)) for value, _ in spec.choices), default=0)
    return [f"{str(value).ljust(width)}  {pick(pair, lang)}" for value, pair in spec.choices]


def choice_parser(spec: FieldSpec, lang: str) -> Callable[[str], Any]:
    """One of a choice field's values from what was typed (``local``, ``2`` or ``๒``)."""
    values = {str(value): value for value, _ in spec.choices}

    def parse(typed: str) -> Any:
        text = typed.translate(_THAI_DIGITS).strip()
        if text.isdigit():
            text = str(int(text))
        return values[parse_choice(text, values, lang)]

    return parse


def choice_help(spec: FieldSpec) -> str:
    """A choice flag's ``--help``: the field's label and its values."""
    values = " | ".join(str(value) for value, _ in spec.choices)
    return f"{spec.label_en} ({spec.label_th}): {values}"


def comment(spec: FieldSpec, note: str = "") -> list[str]:
    """The Thai comment above a field: its label and hint (then ``note``, what only ``new``
    knows), then its choices or sub-fields one a line, each with its own label and hint."""
    return _describe(spec, "", note)


def _describe(spec: FieldSpec, indent: str, note: str = "") -> list[str]:
    text = spec.label_th + (f": {spec.hint_th}" if spec.hint_th else "")
    text += f" {note}" if note else ""
    lines = [f"{indent}{spec.name} = {text}" if indent else text]
    inner = indent + "  "
    lines.extend(f"{inner}{value} = {th}" for value, (th, _en) in spec.choices)
    if spec.kind == "area":  # the hint says what the keys take: one line names them
        lines.append(inner + ", ".join(f"{sub.name} = {sub.label_th}" for sub in spec.fields))
    else:
        for sub in spec.fields:
            lines.extend(_describe(sub, inner))
    return lines


@dataclass
class Area:
    """A resolved area, written back with the gazetteer's Thai names."""

    names: dict[str, str]


def parse_area(
    province: str | None, district: str | None, subdistrict: str | None, lang: str
) -> Area | None:
    """Resolve an area given by names or codes, as ``fundsite check`` does; None when not given."""
    if not (province or district or subdistrict):
        return None
    import geothai

    from fundsite.diagnostics import Problem
    from fundsite.messages import render
    from fundsite.validate.areas import resolve
    from fundsite.validate.models import AreaRef

    ref = AreaRef(province=province, district=district, subdistrict=subdistrict)
    found, issues = resolve(ref, {})
    if issues or found is None:
        issue = issues[0]
        params = {"level_code": issue.level, **issue.params}
        problem = Problem(
            "error", issue.code, "", field=f"--{issue.level}", params=params, hint=issue.hint
        )
        text, hint = render(problem, lang)
        raise Invalid(text, hint)
    names: dict[str, str] = {}
    if found.province:
        names["province"] = geothai.province(found.province).name_th
    if found.district:
        names["district"] = geothai.district(found.district).name_th
    if found.subdistrict:
        names["subdistrict"] = geothai.subdistrict(found.subdistrict).name_th
    return Area(names)


# ---- asking for values ---------------------------------------------------------------------------


@dataclass
class Form:
    """Collects values from flags, asks for missing required ones, or lists what is missing."""

    kind: str
    lang: str
    interactive: bool
    missing: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        print(text, file=sys.stderr)

    def get(
        self,
        flag: str,
        raw: str | None,
        parse: Callable[[str], T],
        *,
        question: str,
        required: bool = True,
        default: str | None = None,
        choices: list[str] | None = None,
    ) -> T | None:
        """The parsed value of ``--flag``; asked for when missing (or wrong) and interactive."""
        if raw is not None and raw.strip():
            try:
                return parse(raw.strip())
            except Invalid as exc:
                if not self.interactive:
                    self.errors.append(self._line(flag, exc))
                    return None
                self.say(self._line(flag, exc))
        elif not required:
            return None
        if self.interactive:
            return self.ask(question or flag, parse, default, choices)
        self.missing.append((flag, question))
        return None

    def opt(self, flag: str, raw: str | None, parse: Callable[[str], T]) -> T | None:
        """An optional flag's parsed value: never asked for."""
        return self.get(flag, raw, parse, question=flag, required=False)

    def _line(self, flag: str, exc: Invalid) -> str:
        text = f"  {flag}: {exc.message}"
        return f"{text}\n      → {exc.hint}" if exc.hint else text

    def ask(
        self,
        question: str,
        parse: Callable[[str], T],
        default: str | None = None,
        choices: list[str] | None = None,
    ) -> T:
        if choices:
            self.say(msg("choices", self.lang))
            for line in choices:
                self.say(f"  {line}")
        prompt = f"{question} [{default}]: " if default else f"{question}: "
        while True:
            sys.stderr.write(prompt)  # stdout carries only the path written
            sys.stderr.flush()
            try:
                answer = input().strip()
            except EOFError:
                raise Stop(EXIT_INPUT, [msg("cancelled", self.lang)]) from None
            answer = answer or (default or "")
            if not answer:
                self.say(f"  ✗ {msg('required', self.lang)}")
                continue
            try:
                return parse(answer)
            except Invalid as exc:
                self.say(f"  ✗ {exc.message}")
                if exc.hint:
                    self.say(f"    → {exc.hint}")

    def fail(self, flag: str, exc: Invalid) -> None:
        self.errors.append(self._line(flag, exc))

    def finish(self, example: str) -> None:
        """Stop with every missing and wrong value listed, if there are any."""
        lines: list[str] = []
        if self.errors:
            lines.append(msg("invalid", self.lang, kind=self.kind))
            lines.extend(self.errors)
        if self.missing:
            lines.append(msg("missing", self.lang, kind=self.kind))
            width = max(len(f) for f, _ in self.missing)
            lines.extend(f"  {f.ljust(width)}  {q}" for f, q in self.missing)
            lines.append(msg("missing-howto", self.lang, example=example))
        if lines:
            raise Stop(EXIT_INPUT, lines)


# ---- writing the file ----------------------------------------------------------------------------


class Raw(str):
    """YAML text written as is (a flow mapping or list already formatted)."""


def scalar(value: Any, flow: bool = False) -> str:
    """A YAML scalar that reads back as ``value``: plain when safe, JSON-quoted otherwise."""
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text and text == text.strip() and "\n" not in text and " #" not in text:
        probe = f"k: [{text}]" if flow else f"k: {text}"
        try:
            loaded = yaml.safe_load(probe)
        except yaml.YAMLError:
            loaded = None
        if loaded == {"k": [text] if flow else text}:
            return text
    return json.dumps(text, ensure_ascii=False)


def flow_map(values: dict[str, Any]) -> Raw:
    return Raw("{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in values.items()) + "}")


def flow_list(values: Iterable[Any]) -> Raw:
    return Raw("[" + ", ".join(scalar(v, flow=True) for v in values) + "]")


class Doc:
    """Front matter with every field of a kind's model in the model's order, each under its
    :func:`comment`, then a Markdown body."""

    def __init__(self, specs: Mapping[str, FieldSpec], *header: str) -> None:
        self.specs = specs
        self.lines = ["---", *(f"# {h}" for h in header)]

    def fields(
        self,
        values: Mapping[str, Any],
        *,
        examples: Mapping[str, str | list[str]] | None = None,
        notes: Mapping[str, str] | None = None,
        after: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Every field: ``name: value`` when known (a required field always), otherwise a
        commented-out line with its example (a list's example items go below ``# name:``).
        ``notes`` end a field's first comment line; ``after`` adds comment lines below it."""
        examples, notes, after = examples or {}, notes or {}, after or {}
        unknown = {*values, *examples, *notes, *after} - set(self.specs)
        if unknown:
            raise KeyError(f"not fields of the model: {', '.join(sorted(unknown))}")
        for name, spec in self.specs.items():
            self.lines.extend(f"# {line}" for line in comment(spec, notes.get(name, "")))
            self.lines.extend(f"# {line}" for line in after.get(name, ()))
            value, example = values.get(name), examples.get(name, "")
            if (value is not None and value != "") or spec.required:
                self.lines.append(f"{name}: {scalar(value)}".rstrip())
            elif isinstance(example, list):
                self.lines.append(f"# {name}:")
                self.lines.extend(f"#   {line}" for line in example)
            else:
                self.lines.append(f"# {name}: {example}".rstrip())

    def text(self, body: str) -> str:
        return "\n".join([*self.lines, "---", body.rstrip("\n"), ""])


HEADER = (
    "บรรทัดที่ขึ้นต้นด้วย # คือคำอธิบาย โปรแกรมไม่อ่าน",
    "ช่องที่ยังมี # นำหน้า คือช่องที่ไม่บังคับ: ลบ # ออกแล้วกรอกค่าหลังเครื่องหมาย :",
    "วันที่เขียนได้ทั้งแบบสากล (ค.ศ.) 2025-03-14 และแบบไทย (พ.ศ.) 14 มี.ค. 2568",
)


def _area_value(area: Area | None) -> str | None:
    return flow_map(area.names) if area else None


def _write(
    site: Path,
    rel: str,
    text: str,
    lang: str,
    exists_key: str = "exists",
    taken: Path | None = None,
    **kw: Any,
) -> Path:
    path = site / rel
    for folder in [*reversed(PurePosixPath(rel).parents), PurePosixPath(rel)]:
        if (site / folder).is_symlink():  # a link in a clone would write outside the site
            raise Stop(EXIT_EXISTS, [msg("link-on-the-way", lang, path=path, link=folder)])
    if path.exists():
        raise Stop(EXIT_EXISTS, [msg(exists_key, lang, path=path, **kw)])
    if taken is not None:  # the same id in another folder: check would call it a duplicate
        raise Stop(EXIT_EXISTS, [msg("exists", lang, path=taken)])
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:  # never overwrite
            handle.write(text)
    except FileExistsError:
        raise Stop(EXIT_EXISTS, [msg(exists_key, lang, path=path, **kw)]) from None
    return path


# ---- the four kinds ------------------------------------------------------------------------------


def _ref(
    form: Form,
    flag: str,
    raw: str | None,
    known: list[str],
    unknown: str,
    create: str,
    question: str,
    *,
    required: bool = True,
    extra: dict[str, Any] | None = None,
) -> str | None:
    """An id that must name an existing record; the nearest ids are suggested when it does not."""
    lang = form.lang

    def parse(value: str) -> str:
        if value in known:
            return value
        hint = _nearby(value, known, lang, create)
        raise Invalid(msg(unknown, lang, value=value, **(extra or {})), hint)

    choices = list(known) if form.interactive and 0 < len(known) <= 12 else None
    return form.get(flag, raw, parse, question=question, required=required, choices=choices)


AREA_EXAMPLE = "{province: สงขลา, district: ระโนด, subdistrict: คลองแดน}"


def new_fund(args: argparse.Namespace, site: SiteFiles, form: Form) -> Path:
    lang = form.lang
    specs = fields("fund")
    fund_id = form.get(
        "--id", args.id, lambda v: parse_id(v, lang), question=msg("q-fund-id", lang)
    )
    kind = form.get(
        "--kind",
        args.kind,
        choice_parser(specs["kind"], lang),
        question=question(specs["kind"], lang),
        default="local",
        choices=choice_lines(specs["kind"], lang),
    )
    name = form.get("--name", args.name, str, question=question(specs["name"], lang))
    area = _area(form, args)
    population = form.opt("--population", args.population, lambda v: parse_int(v, lang))
    form.finish('fundsite new fund --id L5218 --kind local --name "กองทุนหลักประกันสุขภาพ อบต.…"')
    assert fund_id and kind and name

    doc = Doc(specs, "กองทุน สร้างด้วย fundsite new fund", *HEADER)
    doc.fields(
        {
            "id": fund_id,
            "kind": kind,
            "name": name,
            "organization": args.organization,
            "area": _area_value(area),
            "population": population,
        },
        examples={
            "area": AREA_EXAMPLE,
            "finances": [
                "- fiscal_year: 2568",
                "  carried_forward: 120000.00",
                "  income: {nhso: 250000.00, local: 100000.00, other: 1500.00}",
                "  spent: 280000.00",
                "  balance: 191500.00",
            ],
        },
    )
    body = "<!-- เขียนแนะนำกองทุน: พื้นที่ ประชากร ประเด็นที่เน้น (ลบบรรทัดนี้ได้) -->\n"
    return _write(site.root, f"content/funds/{fund_id}.md", doc.text(body), lang)


def _area(form: Form, args: argparse.Namespace) -> Area | None:
    try:
        return parse_area(args.province, args.district, args.subdistrict, form.lang)
    except Invalid as exc:
        form.fail("--province/--district/--subdistrict", exc)
        return None


def _issue_choices(site: SiteFiles) -> list[str]:
    width = max((len(k) for k in site.issues), default=0)
    return [f"{k.ljust(width)}  {v}" for k, v in site.issues.items()]


def _issue(
    form: Form, site: SiteFiles, raw: str | None, spec: FieldSpec, required: bool = True
) -> str | None:
    choices = _issue_choices(site) if form.interactive else None
    parse = _issue_parser(site, form.lang)
    return form.get(
        "--issue",
        raw,
        parse,
        question=question(spec, form.lang),
        required=required,
        choices=choices,
    )


def new_plan(args: argparse.Namespace, site: SiteFiles, form: Form) -> Path:
    lang = form.lang
    specs = fields("plan")
    fund = _ref(
        form,
        "--fund",
        args.fund,
        list(site.funds),
        "unknown-fund",
        "fundsite new fund",
        question(specs["fund"], lang),
    )
    default_fy = str(fiscal_year(date.today()))
    year = form.get(
        "--fiscal-year",
        args.fiscal_year,
        lambda v: parse_fiscal_year(v, lang),
        question=question(specs["fiscal_year"], lang),
        default=default_fy,
    )
    issue = _issue(form, site, args.issue, specs["issue"])
    default_title = f"แผนงาน{site.issues[issue]}" if issue and site.issues.get(issue) else None
    title = form.get(
        "--title", args.title, str, question=question(specs["title"], lang), default=default_title
    )
    budget = form.opt("--budget", args.budget, lambda v: parse_money(v, lang))
    plan_id = form.opt("--id", args.id, lambda v: parse_id(v, lang))
    form.finish(
        "fundsite new plan --fund L5218 --fiscal-year 2568 --issue alcohol "
        '--title "แผนงานลดการบริโภคเครื่องดื่มแอลกอฮอล์"'
    )
    assert fund and year and issue and title
    plan_id = plan_id or f"{fund}-{year}-{issue}"

    first, last = fiscal_year_bounds(year)
    issue_name = site.issues.get(issue, "")
    doc = Doc(specs, "แผนงาน สร้างด้วย fundsite new plan", *HEADER)
    doc.fields(
        {
            "id": plan_id,
            "fund": fund,
            "fiscal_year": year,
            "issue": issue,
            "title": title,
            "budget": budget,
        },
        examples={
            "situation": ["- {indicator: ร้อยละของประชาชนที่ดื่มสุรา, size: 32.5, unit: ร้อยละ}"],
            "objectives": [
                "- {text: ลดผู้ดื่มรายใหม่, indicator: ร้อยละผู้ดื่มรายใหม่, baseline: 32.5, target: 28}"
            ],
        },
        notes={
            "fiscal_year": f"(ปีงบ {year}: {format_date(first)} – {format_date(last)})",
            "issue": f"({issue} = {issue_name})" if issue_name else "",
        },
    )
    body = "<!-- เขียนรายละเอียดแผนงานได้ที่นี่ (ไม่บังคับ) -->\n"
    rel = f"content/plans/{fund}/{plan_id}.md"
    return _write(site.root, rel, doc.text(body), lang, taken=site.plans.get(plan_id))


def _next_number(site: SiteFiles, prefix: str) -> int:
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    numbers = [int(m.group(1)) for stem in site.projects if (m := pattern.match(stem))]
    return max(numbers, default=0) + 1


def new_project(args: argparse.Namespace, site: SiteFiles, form: Form) -> Path:
    lang = form.lang
    specs = fields("project")
    plan_fund = None
    if args.plan and not args.fund and args.plan in site.plans:
        plan_fund = site.plans[args.plan].parent.name  # the plan's folder names its fund
    fund = _ref(
        form,
        "--fund",
        args.fund or plan_fund,
        list(site.funds),
        "unknown-fund",
        "fundsite new fund",
        question(specs["fund"], lang),
    )
    fund_rec = _front(site.root, site.funds[fund]) if fund else {}
    programme_fund = fund_rec.get("kind") == "programme"
    title = form.get("--title", args.title, str, question=question(specs["title"], lang))

    plan = plan_rec = None
    if args.plan and fund:
        if args.plan in site.plans_of(fund):
            plan = args.plan
        elif args.plan in site.plans:
            other = site.plans[args.plan].parent.name
            form.fail(
                "--plan",
                Invalid(msg("plan-other-fund", lang, value=args.plan, other=other, fund=fund)),
            )
        else:
            hint = _nearby(args.plan, site.plans_of(fund), lang, f"fundsite new plan --fund {fund}")
            form.fail(
                "--plan", Invalid(msg("unknown-plan", lang, value=args.plan, fund=fund), hint)
            )
        if plan:
            plan_rec = _front(site.root, site.plans[plan])

    issues: list[str] = []
    for raw in args.issue or []:
        for part in (p for p in re.split(r"[,\s]+", raw) if p):
            if (found := _issue(form, site, part, specs["issues"])) is not None:
                issues.append(found)
    if plan_rec and not issues and plan_rec.get("issue"):
        issues = [str(plan_rec["issue"])]
    if not issues and not plan and not args.plan and fund:
        if form.interactive:
            issues = [
                form.ask(
                    question(specs["issues"], lang),
                    _issue_parser(site, lang),
                    choices=_issue_choices(site),
                )
            ]
        else:
            form.missing.append(("--issue", msg("issue-or-plan", lang)))

    approved = _date_flag(form, "--approved-on", args.approved_on)
    start = _date_flag(form, "--start", args.start)
    end = _date_flag(form, "--end", args.end)

    year: int | None = None
    plan_year = plan_rec.get("fiscal_year") if plan_rec else None
    if args.fiscal_year:
        year = form.get(
            "--fiscal-year",
            args.fiscal_year,
            lambda v: parse_fiscal_year(v, lang),
            question=msg("q-project-year", lang),
        )
        if year and isinstance(plan_year, int) and plan_year != year:
            form.fail(
                "--fiscal-year",
                Invalid(msg("plan-year", lang, value=year, plan=plan, plan_year=plan_year)),
            )
    elif isinstance(plan_year, int):
        year = plan_year
    elif approved or start:
        year = fiscal_year(approved or start)  # type: ignore[arg-type]

    project_id = form.opt("--id", args.id, lambda v: parse_id(v, lang))

    if fund and project_id is None and not programme_fund and year is None:
        year = form.get(
            "--fiscal-year",
            None,
            lambda v: parse_fiscal_year(v, lang),
            question=msg("q-project-year", lang),
            default=str(fiscal_year(date.today())),
        )
    if fund and not plan and issues and year:  # the fund's plan for this issue, if there is one
        guess = f"{fund}-{year}-{issues[0]}"
        if guess in site.plans_of(fund):
            plan, plan_rec = guess, _front(site.root, site.plans[guess])
            form.say(msg("plan-found", lang, plan=plan))
    support = form.get(
        "--support-type",
        args.support_type,
        choice_parser(specs["support_type"], lang),
        question=question(specs["support_type"], lang),
        required=fund is not None and not programme_fund and project_id is None,
        choices=choice_lines(specs["support_type"], lang),
    )
    if fund and project_id is None and programme_fund:  # no numbering rule: ask for the id
        if form.interactive:
            project_id = form.ask(question(specs["id"], lang), lambda v: parse_id(v, lang))
        else:
            form.missing.append(("--id", msg("programme-project-id", lang, fund=fund)))
    budget = form.opt("--budget", args.budget, lambda v: parse_money(v, lang))
    status = form.opt("--status", args.status, choice_parser(specs["status"], lang))
    area = _area(form, args)
    form.finish(
        "fundsite new project --fund L5218 --fiscal-year 2568 --support-type 2 --issue alcohol "
        '--title "โครงการ…"'
    )
    assert fund and title
    if project_id is None:
        assert year and support
        prefix = f"{year % 100:02d}-{fund}-{support}-"
        project_id = f"{prefix}{_next_number(site, prefix):02d}"
    area_text, area_note = _area_value(area), ""
    if area is None and isinstance(fund_rec.get("area"), dict) and not programme_fund:
        area_text = flow_map({k: v for k, v in fund_rec["area"].items() if v})
        area_note = "(คัดลอกจากพื้นที่ของกองทุน แก้ได้)"
    fy_note = ""
    if year:
        first, last = fiscal_year_bounds(year)
        fy_note = f"(ปีงบ {year}: {first.isoformat()} ถึง {last.isoformat()})"

    doc = Doc(specs, "โครงการ สร้างด้วย fundsite new project", *HEADER)
    doc.fields(
        {
            "id": project_id,
            "title": title,
            "fund": fund,
            "plan": plan,
            "issues": flow_list(issues) if issues else None,
            "support_type": support,
            "organization": args.organization,
            "approved_on": approved,
            "start": start,
            "end": end,
            "budget": budget,
            "responsible": args.responsible,
            "area": area_text,
            "status": status,
        },
        examples={
            "issues": "[alcohol]",
            "area": AREA_EXAMPLE,
            "location": "[7.912, 100.319]",
            "installments": [
                "- {start: 2024-10-01, end: 2025-09-30, report_start: 2025-09-01, "
                "report_end: 2025-10-15, amount: 39918.00}"
            ],
            "objectives": [
                "- {text: ลดผู้ดื่มรายใหม่, indicator: ร้อยละผู้ดื่มรายใหม่, size: 32.5, target: 28}"
            ],
            "target_groups": ["- {name: คณะกรรมการกองทุน, planned: 25, attended: 23}"],
            "returned": "1250.00",
        },
        notes={
            "start": fy_note,
            "area": area_note,
        },
        after={"objectives": ["เมื่อปิดโครงการ ใส่ผลที่ได้ในแต่ละข้อ เช่น achieved: 27"]},
    )
    body = (
        "## หลักการและเหตุผล\n\n<!-- ปัญหาในพื้นที่และเหตุที่ต้องทำโครงการนี้ -->\n\n"
        "## กิจกรรม\n\n<!-- กิจกรรมที่จะทำ -->\n\n"
        "## ผลที่คาดว่าจะได้รับ\n\n<!-- ผลที่คาดว่าจะเกิดขึ้น -->\n"
    )
    return _write(site.root, f"content/projects/{project_id}.md", doc.text(body), lang)


def _issue_parser(site: SiteFiles, lang: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value in site.issues:
            return value
        hint = _nearby(value, list(site.issues), lang, "(data/issues.yaml)")
        raise Invalid(msg("unknown-issue", lang, value=value), hint)

    return parse


def _date_flag(form: Form, flag: str, raw: str | None) -> date | None:
    return form.opt(flag, raw, lambda v: parse_any_date(v, form.lang))


def new_report(args: argparse.Namespace, site: SiteFiles, form: Form) -> Path:
    lang = form.lang
    specs = fields("report")
    project = _ref(
        form,
        "--project",
        args.project,
        list(site.projects),
        "unknown-project",
        "fundsite new project",
        question(specs["project"], lang),
    )
    when = form.get(
        "--date",
        args.date,
        lambda v: parse_any_date(v, lang),
        question=msg("q-date", lang),
        default="วันนี้" if lang == "th" else "today",
    )
    title = form.get("--title", args.title, str, question=question(specs["title"], lang))
    kind = form.opt("--kind", args.kind, choice_parser(specs["kind"], lang))
    slug = form.opt("--slug", args.slug, lambda v: parse_slug(v, lang))
    participants = form.opt("--participants", args.participants, lambda v: parse_int(v, lang))
    spent = form.opt("--spent", args.spent, lambda v: parse_money(v, lang))
    area = _area(form, args)
    report_id = form.opt("--id", args.id, lambda v: parse_id(v, lang))
    form.finish(
        'fundsite new report --project 68-L5218-4-01 --date "14 มี.ค. 2568" '
        '--title "ประชุมคณะกรรมการกองทุน ครั้งที่ 1/2568"'
    )
    assert project and when and title
    project_slug = slugify(project) or "report"
    report_id = report_id or f"{when.isoformat()}-{slug or project_slug}"

    project_rec = _front(site.root, site.projects[project])
    start, end = project_rec.get("start"), project_rec.get("end")
    try:
        start = parse_date(start) if start else None
        end = parse_date(end) if end else None
    except DateError:
        start = end = None
    if (start and when < start) or (end and when > end):
        form.say(
            msg(
                "outside-period",
                lang,
                date=format_date(when),
                start=format_date(start),
                end=format_date(end),
            )
        )

    doc = Doc(specs, "รายงานจากพื้นที่ สร้างด้วย fundsite new report", *HEADER)
    doc.fields(
        {
            "id": report_id,
            "project": project,
            "title": title,
            "date": when,
            "kind": kind,
            "area": _area_value(area),
            "participants": participants,
            "spent": spent,
        },
        examples={
            "kind": "meeting",
            "area": "{province: สงขลา, district: ระโนด}",
            "photos": [
                f"- {{src: media/{when.year}/photo-1.jpg, alt: คำบรรยายภาพสำหรับผู้ที่มองไม่เห็นภาพ}}"
            ],
        },
        notes={"date": f"({format_date(when, full=True)})"},
        after={"photos": [f"วางไฟล์ภาพไว้ใน content/media/{when.year}/ แล้วใส่ชื่อไฟล์และคำบรรยาย"]},
    )
    body = (
        "## กิจกรรมที่ปฏิบัติ\n\n<!-- ทำอะไร ที่ไหน กับใคร เช่น หัวข้อที่ประชุม -->\n\n"
        "## ผลที่เกิดขึ้นจริง (Output / Outcome)\n\n"
        "<!-- ผลที่ได้ ข้อตกลง และสิ่งที่จะทำต่อ -->\n"
    )
    rel = f"content/reports/{when.year}/{report_id}.md"
    return _write(
        site.root,
        rel,
        doc.text(body),
        lang,
        "exists-report" if not args.id else "exists",
        taken=site.reports.get(report_id),
        project_slug=slug or project_slug,
    )


# ---- command line --------------------------------------------------------------------------------

KINDS: dict[str, Callable[[argparse.Namespace, SiteFiles, Form], Path]] = {
    "fund": new_fund,
    "plan": new_plan,
    "project": new_project,
    "report": new_report,
}


def run(args: argparse.Namespace) -> int:
    lang = args.lang
    root = Path(args.site)
    if not ((root / "data").is_dir() or (root / "content").is_dir()):
        print(f"fundsite: {msg('not-a-site', lang, site=root)}", file=sys.stderr)
        return EXIT_INPUT
    interactive = not args.no_input and sys.stdin is not None and sys.stdin.isatty()
    form = Form(args.new_kind, lang, interactive)
    try:
        path = KINDS[args.new_kind](args, SiteFiles(root), form)
    except Stop as stop:
        for line in stop.lines:
            print(line, file=sys.stderr)
        return stop.code
    print(path)
    print(msg("written", lang), file=sys.stderr)
    return 0


class KindParser(argparse.ArgumentParser):
    """The parser of one kind. The help of a flag that takes a choice field's value lists the
    field's values from the models, read only when the help is shown: every ``fundsite``
    command builds this parser, and the models are slow to import."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_flags: dict[argparse.Action, tuple[str, str]] = {}

    def choice(self, flag: str, kind: str, name: str) -> None:
        self.choice_flags[self.add_argument(flag, help=name)] = (kind, name)

    def format_help(self) -> str:
        for action, (kind, name) in self.choice_flags.items():
            action.help = choice_help(fields(kind)[name])
        return super().format_help()


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the kinds of ``fundsite new`` and their flags to the ``new`` subparser."""
    kinds = parser.add_subparsers(
        dest="new_kind", required=True, metavar="KIND", parser_class=KindParser
    )

    def kind(name: str, help_text: str) -> KindParser:
        p = kinds.add_parser(
            name,
            help=help_text,
            description=f"{help_text}. Required values that are missing are asked for when "
            "stdin is a terminal; otherwise the command exits 2 listing them. An existing file "
            "is never overwritten (exit 1).",
        )
        p.add_argument("site", nargs="?", default=".", help="site folder (default: .)")
        p.add_argument("--lang", choices=("th", "en"), default="th", help="message language")
        p.add_argument("--no-input", action="store_true", help="never ask; fail when missing")
        p.set_defaults(func=run)
        assert isinstance(p, KindParser)
        return p

    def area(p: argparse.ArgumentParser) -> None:
        p.add_argument("--province", help="จังหวัด (name or 2-digit code)")
        p.add_argument("--district", help="อำเภอ (name or 4-digit code)")
        p.add_argument("--subdistrict", help="ตำบล (name or 6-digit code)")

    fund = kind("fund", "new fund: content/funds/<id>.md")
    fund.add_argument("--id", help="fund code (รหัส กปท.), e.g. L5218")
    fund.choice("--kind", "fund", "kind")
    fund.add_argument("--name", help="fund name (ชื่อกองทุน)")
    fund.add_argument("--organization", help="who runs it (หน่วยงาน)")
    fund.add_argument("--population", help="population (ประชากร)")
    area(fund)

    plan = kind("plan", "new plan: content/plans/<fund>/<fund>-<FY>-<issue>.md")
    plan.add_argument("--fund", help="fund id")
    plan.add_argument("--fiscal-year", help="fiscal year BE, e.g. 2568")
    plan.add_argument("--issue", help="issue id from data/issues.yaml")
    plan.add_argument("--title", help="plan title (ชื่อแผนงาน)")
    plan.add_argument("--budget", help="budget in baht")
    plan.add_argument("--id", help="plan id (default: <fund>-<FY>-<issue>)")

    project = kind("project", "new project: content/projects/<FY>-<fund>-<type>-<nn>.md")
    project.add_argument("--fund", help="fund id (or taken from --plan)")
    project.add_argument("--title", help="project title (ชื่อโครงการ)")
    project.add_argument("--plan", help="plan id of the same fund")
    project.add_argument("--issue", action="append", help="issue id (repeat for more)")
    project.add_argument("--fiscal-year", help="fiscal year BE for the id (default: the plan's)")
    project.choice("--support-type", "project", "support_type")
    project.add_argument("--id", help="project id (default: <FY 2 digits>-<fund>-<type>-<nn>)")
    project.add_argument("--budget", help="budget in baht")
    project.add_argument("--approved-on", help="approval date (ISO or Thai)")
    project.add_argument("--start", help="start date (ISO or Thai)")
    project.add_argument("--end", help="end date (ISO or Thai)")
    project.add_argument("--organization", help="who carries it out")
    project.add_argument("--responsible", help="person responsible")
    project.choice("--status", "project", "status")
    area(project)

    report = kind("report", "new report: content/reports/<yyyy>/<yyyy-mm-dd>-<slug>.md")
    report.add_argument("--project", help="project id")
    report.add_argument("--date", help="date, ISO (2025-03-14) or Thai (14 มี.ค. 2568)")
    report.add_argument("--title", help="report title (ชื่อรายงาน)")
    report.choice("--kind", "report", "kind")
    report.add_argument("--slug", help="ASCII name for the id (default: the project id)")
    report.add_argument("--id", help="report id (default: <date>-<slug>)")
    report.add_argument("--participants", help="number of participants")
    report.add_argument("--spent", help="money spent, baht")
    area(report)
