"""The form editor's configuration, generated from the models (never written by hand).

:func:`decap_config` gives the whole editor (a collection per record kind: funds, plans,
projects, reports, free pages). :func:`fund_scope` gives the editor of one fund: only that
fund's records, so the browser never lists a national portal's 300,000 projects. Both keep to
what Decap CMS and Sveltia CMS both accept (``tests/test_cms_config.py`` validates them against
Sveltia's published schema).

Every field comes from :func:`fundsite.validate.fields.fields_of`: its Thai label and hint, its
required flag, and a widget that writes what ``fundsite check`` reads back the same: ISO dates,
money as plain decimals, choices as their values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fundsite.validate.fields import FieldSpec, fields_of
from fundsite.validate.models import MODELS, Cms
from fundsite.validate.types import Id

#: Where the local editor (``fundsite serve``) sends its reads and writes.
LOCAL_API = "/__fundsite/cms/api/v1"
#: A folder with more records than this is not listed in the browser: the editor asks for a
#: fund first (GitHub's tree listing stops at 100,000 entries, and every entry listed is a
#: request to the git host).
SCOPE_ABOVE = 2000

MONEY_PATTERN = (
    r"^[0-9][0-9,]*(\.[0-9]{1,2})?$",
    "จำนวนเงินเป็นบาท ทศนิยมไม่เกิน 2 ตำแหน่ง ไม่ต้องใส่คำว่าบาท เช่น 39918.00",
)
ID_PATTERN = (
    Id.__metadata__[1].json_schema["pattern"],  # type: ignore[attr-defined]
    "ใช้ตัวอักษรไทย อังกฤษ ตัวเลข และ - _ . เท่านั้น ไม่มีช่องว่าง",
)
AREA_PATTERNS = {
    "province": r"^([0-9]{2}|[^0-9]+)$",
    "district": r"^([0-9]{4}|[^0-9]+)$",
    "subdistrict": r"^([0-9]{6}|[^0-9]+)$",
}


@dataclass(frozen=True)
class Kind:
    """Where one record kind's files live, and how the editor names a new one."""

    name: str
    label: str
    label_singular: str
    folder: str
    path: str = "{{slug}}"
    summary: str = "{{id}} {{title}}"


KINDS = (
    Kind("fund", "กองทุน", "กองทุน", "content/funds", summary="{{id}} {{name}}"),
    Kind("plan", "แผนงาน", "แผนงาน", "content/plans", path="{{fund}}/{{slug}}"),
    Kind("project", "โครงการ", "โครงการ", "content/projects"),
    Kind("report", "รายงานจากพื้นที่", "รายงาน", "content/reports", path="{{year}}/{{slug}}"),
    Kind("page", "หน้าเว็บ", "หน้า", "content/pages", summary="{{title}}"),
)
#: Optional in a record, asked for by the form: a free page's id names its file.
FORM_REQUIRED = {"page": ("id",)}
BODY_LABEL = {
    "fund": "แนะนำกองทุน",
    "plan": "รายละเอียดแผนงาน",
    "project": "หลักการและเหตุผล กิจกรรม ผลที่คาดว่าจะได้รับ",
    "report": "กิจกรรมที่ทำและผลที่เกิดขึ้นจริง",
    "page": "เนื้อหา",
}


@dataclass
class Refs:
    """How reference fields are filled in: ``relation`` over a collection of the whole site,
    or (``fund`` set) a fixed fund and ``select`` lists of that fund's plans and projects."""

    issues: dict[str, str]
    fund: str | None = None


def backend(cms: Cms | None, local: bool = False) -> dict[str, Any]:
    """The ``backend`` block: ``serve``'s own API, or the git host of ``cms:``."""
    if local or cms is None:
        return {"name": "proxy", "proxy_url": LOCAL_API, "branch": "main"}
    out: dict[str, Any] = {"name": cms.backend, "repo": cms.repo, "branch": cms.branch}
    if cms.backend == "github" and cms.open_authoring and cms.editorial_workflow:
        out["open_authoring"] = True
    if cms.backend in ("gitlab", "gitea") and cms.app_id:
        out["app_id"] = cms.app_id
        if cms.backend == "gitlab":
            out["auth_type"] = "pkce"
    for key in ("api_root", "base_url", "auth_endpoint"):
        if getattr(cms, key):
            out[key] = getattr(cms, key)
    return out


def decap_config(
    refs: Refs,
    back: dict[str, Any],
    *,
    today: date,
    site_url: str = "",
    workflow: bool = False,
) -> dict[str, Any]:
    """The whole editor's configuration (folder collections over the whole site)."""
    config: dict[str, Any] = {
        "load_config_file": False,
        "backend": back,
        # Sveltia keeps an id's capitals in its file name; Decap always lowers them
        # (decaporg/decap-cms#5491), so with Decap a new record's id is best lower-case
        "slug": {"encoding": "unicode", "clean_accents": False, "lowercase": False},
        "media_folder": f"content/media/{today.year}",
        "public_folder": f"media/{today.year}",
        "collections": [_folder(kind, refs) for kind in KINDS],
    }
    if workflow:
        config["publish_mode"] = "editorial_workflow"
    if site_url:
        config["site_url"] = site_url
    return config


#: A scoped editor's reference fields name these values of the fund's own file.
SCOPED = {"fund": "@fund", "plans": "@plans", "projects": "@projects"}


def scoped_fields(refs: Refs) -> dict[str, list[dict[str, Any]]]:
    """The fields of the fund-scoped editor, shared by every fund (``admin/fields.json``):
    the fund is fixed and its plans and projects are lists the fund's file fills in."""
    refs = Refs(issues=refs.issues, fund=SCOPED["fund"])
    return {kind.name: _fields(kind.name, refs) for kind in KINDS if kind.name != "page"}


def fund_scope(
    fund: str,
    plans: dict[str, str],
    projects: dict[str, str],
    files: dict[str, list[tuple[str, str, str]]],
) -> dict[str, Any]:
    """What one fund's editor needs beside the shared parts (``admin/funds/<id>.json``).

    ``files`` maps a kind to its records as ``(id, label, path)``. Existing records are
    listed by name (a ``files`` collection: nothing else is fetched); new plans go to the
    fund's own folder; new projects and reports come from collections the sidebar hides
    (their folders are the nation's), which the editor's page links to.
    """
    by_name = {kind.name: kind for kind in KINDS}
    collections: list[dict[str, Any]] = []
    for name in ("fund", "plan", "project", "report"):
        kind = by_name[name]
        fields = f"@fields.{name}"
        if files.get(name):
            collections.append(
                {
                    "name": f"{name}-files",
                    "label": kind.label,
                    "label_singular": kind.label_singular,
                    "editor": {"preview": False},
                    "files": [
                        {"name": rid, "label": label, "file": path, "fields": fields}
                        for rid, label, path in files[name]
                    ],
                }
            )
        if name == "fund":
            continue
        new = {**_folder(kind, Refs(issues={})), "fields": fields}
        new["name"] = f"new-{name}"
        new["label"] = f"{kind.label_singular}ใหม่"
        if name == "plan":
            new["folder"] = f"content/plans/{fund}"
            new.pop("path", None)
        else:
            new["hide"] = True
        collections.append(new)
    values = {
        "fund": fund,
        "plans": _select(plans)["options"],
        "projects": _select(projects)["options"],
    }
    return {"values": values, "collections": collections}


def expand(value: Any, fields: dict[str, Any], values: dict[str, Any]) -> Any:
    """A scoped editor's configuration with its ``@…`` names filled in (what ``admin.js``
    does in the browser): ``@fields.<kind>`` from ``fields``, ``@<name>`` from ``values``."""
    if isinstance(value, list):
        return [expand(v, fields, values) for v in value]
    if isinstance(value, dict):
        return {k: expand(v, fields, values) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("@fields."):
        return expand(fields[value.removeprefix("@fields.")], fields, values)
    if isinstance(value, str) and value.startswith("@") and value[1:] in values:
        return values[value[1:]]
    return value


def _folder(kind: Kind, refs: Refs) -> dict[str, Any]:
    collection: dict[str, Any] = {
        "name": kind.name + "s",
        "label": kind.label,
        "label_singular": kind.label_singular,
        "folder": kind.folder,
        "create": True,
        "extension": "md",
        "format": "frontmatter",
        "identifier_field": "id" if kind.name != "page" else "title",
        "slug": "{{fields.id}}",
        "summary": kind.summary,
        # Decap's own preview would show raw values; the portal's page is the preview
        # (``serve`` reloads it on save)
        "editor": {"preview": False},
        "fields": _fields(kind.name, refs),
    }
    if kind.path != "{{slug}}":
        collection["path"] = kind.path
    return collection


def _fields(kind: str, refs: Refs) -> list[dict[str, Any]]:
    widgets = [_widget(spec, kind, refs) for spec in fields_of(MODELS[kind])]
    for name in FORM_REQUIRED.get(kind, ()):
        next(w for w in widgets if w["name"] == name).pop("required", None)
    body = {"name": "body", "label": BODY_LABEL[kind], "widget": "markdown", "required": False}
    return [*widgets, body]


def _widget(spec: FieldSpec, kind: str, refs: Refs) -> dict[str, Any]:
    out: dict[str, Any] = {"name": spec.name, "label": spec.label_th}
    if spec.hint_th:
        out["hint"] = spec.hint_th
    if not spec.required:
        out["required"] = False
    out.update(_reference(spec, kind, refs) or _by_kind(spec))
    if out["widget"] == "hidden":  # nothing to show: only a name and a value
        return {"name": spec.name, "widget": "hidden", "default": out["default"]}
    return out


def _reference(spec: FieldSpec, kind: str, refs: Refs) -> dict[str, Any] | None:
    """Widgets of the fields that name other records."""
    target = {"fund": "fund", "plan": "plan", "project": "project", "issue": "issue"}.get(spec.name)
    if spec.name == "issues":
        return _select(refs.issues, multiple=True)
    if target is None or (kind == target) or spec.kind != "id":
        return None
    if target == "issue":
        return _select(refs.issues)
    if refs.fund is not None:
        if target == "fund":
            return {"widget": "hidden", "default": refs.fund}
        return {"widget": "select", "options": SCOPED[target + "s"]}
    summary = "{{id}} {{name}}" if target == "fund" else "{{id}} {{title}}"
    return {
        "widget": "relation",
        "collection": target + "s",
        "value_field": "id",
        "search_fields": ["id", "name" if target == "fund" else "title"],
        "display_fields": [summary],
    }


def _select(options: dict[str, str], multiple: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "widget": "select",
        "options": [{"label": f"{k} {v}".strip(), "value": k} for k, v in options.items()],
    }
    if multiple:
        out["multiple"] = True
    return out


def _by_kind(spec: FieldSpec) -> dict[str, Any]:
    kind = spec.kind
    if kind == "money":
        return {"widget": "string", "pattern": list(MONEY_PATTERN)}
    if kind == "date":
        return {
            "widget": "datetime",
            "format": "YYYY-MM-DD",
            "date_format": "YYYY-MM-DD",
            "time_format": False,
        }
    if kind == "fiscal_year":
        return {"widget": "number", "value_type": "int", "min": 2400, "max": 2800}
    if kind == "id":
        return {"widget": "string", "pattern": list(ID_PATTERN)}
    if kind == "choice":
        options = [{"label": th, "value": value} for value, (th, _en) in spec.choices]
        return {"widget": "select", "options": options}
    if kind in ("integer", "number"):
        out = {"widget": "number", "value_type": "int" if kind == "integer" else "float"}
        if spec.minimum is not None:
            out["min"] = spec.minimum
        if spec.maximum is not None:
            out["max"] = spec.maximum
        if spec.default is not None:
            out["default"] = spec.default
        return out
    if kind == "boolean":
        return {"widget": "boolean"}
    if kind == "location":
        item = {"name": "value", "label": spec.label_th, "widget": "number", "value_type": "float"}
        return {"widget": "list", "field": item, "min": 2, "max": 2}
    if kind == "area":
        fields = [_area_field(sub) for sub in spec.fields]
        return {"widget": "object", "collapsed": False, "fields": fields}
    if kind == "object":
        return {"widget": "object", "fields": [_sub(s) for s in spec.fields]}
    if kind == "list":
        return {
            "widget": "list",
            "collapsed": True,
            "summary": "{{" + spec.fields[0].name + "}}",
            "fields": [_sub(s) for s in spec.fields],
        }
    if kind in ("ids", "texts"):
        return {"widget": "list"}
    return {"widget": "string"}


def _sub(spec: FieldSpec) -> dict[str, Any]:
    """A sub-field of a list item or an object (references never nest)."""
    return _widget(spec, "", Refs(issues={}))


def _area_field(spec: FieldSpec) -> dict[str, Any]:
    out = _sub(spec)
    if spec.name in AREA_PATTERNS:
        out["pattern"] = [AREA_PATTERNS[spec.name], "ชื่อภาษาไทย หรือรหัสกรมการปกครอง"]
    return out
