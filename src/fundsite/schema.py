"""JSON Schemas of the record kinds, generated from the models, for editors' IDEs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fundsite.validate.models import MODELS

_TITLES = {
    "fund": "กองทุน (fund)",
    "plan": "แผนงาน (plan)",
    "project": "โครงการ (project)",
    "report": "รายงาน (report)",
    "page": "หน้า (page)",
    "site": "เว็บไซต์ (site)",
    "issue": "ประเด็น (issue)",
    "region": "เขต (region)",
}


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of one record kind; lists for the kinds kept as lists in data/."""
    schema = MODELS[kind].model_json_schema(mode="validation")
    schema["title"] = _TITLES[kind]
    if kind in ("issue", "region"):
        defs = schema.pop("$defs", {})
        schema = {"title": schema["title"], "type": "array", "items": schema}
        if defs:
            schema["$defs"] = defs
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in MODELS:
        path = out / f"{kind}.schema.json"
        text = json.dumps(schema_for(kind), ensure_ascii=False, indent=2, sort_keys=True)
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written
