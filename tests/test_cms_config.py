"""The form editor's configuration: generated from the models, valid for Decap and Sveltia,
and what it writes reads back through ``check``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from fundsite.cms import config as cms_config
from fundsite.cms.admin import admin_file, admin_files, fund_file, needs_scope
from fundsite.validate import check_site
from fundsite.validate.fields import fields_of
from fundsite.validate.models import MODELS, Cms

REPO = Path(__file__).parent.parent
SCHEMA = json.loads(
    (REPO / "tests" / "fixtures" / "sveltia" / "sveltia-cms.json").read_text(encoding="utf-8")
)
KINDS = {"funds": "fund", "plans": "plan", "projects": "project", "reports": "report"}
BACKENDS = [
    Cms(backend="github", repo="my-org/portal", base_url="https://auth.example.org"),
    Cms(backend="github", repo="my-org/portal", open_authoring=True, editorial_workflow=False),
    Cms(backend="gitlab", repo="group/sub/portal", app_id="abc123"),
    Cms(
        backend="gitea",
        repo="org/portal",
        app_id="abc",
        api_root="https://git.example.org/api/v1",
        base_url="https://git.example.org",
    ),
]


@pytest.fixture(scope="module")
def graph() -> Any:
    return check_site(REPO).graph


def _validate(config: dict[str, Any]) -> None:
    config = {k: v for k, v in config.items() if k != "load_config_file"}
    errors = sorted(
        jsonschema.Draft7Validator(SCHEMA).iter_errors(config), key=lambda e: list(e.path)
    )
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:5])


@pytest.mark.parametrize("cms", BACKENDS, ids=lambda c: f"{c.backend}-{c.open_authoring}")
def test_whole_editor_is_valid_for_sveltia(graph: Any, cms: Cms) -> None:
    refs = cms_config.Refs(issues={k: v.name for k, v in graph.issues.items()})
    config = cms_config.decap_config(
        refs, cms_config.backend(cms), today=date(2025, 4, 1), workflow=cms.editorial_workflow
    )
    _validate(config)
    assert config["backend"]["repo"] == cms.repo
    assert ("publish_mode" in config) == cms.editorial_workflow


def test_every_funds_editor_is_valid_for_sveltia(graph: Any) -> None:
    base = json.loads(
        admin_file(graph, cms_config.backend(BACKENDS[0]), date(2025, 4, 1), "config.json")
    )
    fields = cms_config.scoped_fields(
        cms_config.Refs(issues={k: v.name for k, v in graph.issues.items()})
    )
    for fund in graph.funds.values():
        scope = fund_file(graph, fund)
        config = {
            **base,
            "collections": cms_config.expand(scope["collections"], fields, scope["values"]),
        }
        _validate(config)
        files = [f["file"] for c in config["collections"] for f in c.get("files", [])]
        assert f"content/funds/{fund.id}.md" in files
        assert {p.path for p in fund.projects} <= set(files)
        assert all(fund.id in f or "/reports/" in f or "/projects/" in f for f in files)
        assert "@" not in json.dumps(config).replace("@fields", "")  # everything filled in


def _widgets(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in fields}


@pytest.mark.parametrize("kind", ["fund", "plan", "project", "report", "page"])
def test_every_model_field_has_a_form_field_and_the_reverse(kind: str) -> None:
    refs = cms_config.Refs(issues={"alcohol": "เหล้า"})
    config = cms_config.decap_config(refs, cms_config.backend(None), today=date(2025, 4, 1))
    collection = next(c for c in config["collections"] if c["name"] == kind + "s")

    def compare(specs: Any, fields: list[dict[str, Any]], where: str) -> None:
        widgets = _widgets(fields)
        names = {s.name for s in specs}
        assert set(widgets) - {"body"} == names, where
        for spec in specs:
            widget = widgets[spec.name]
            assert widget["label"] == spec.label_th, f"{where}.{spec.name}"
            required = spec.required or spec.name in cms_config.FORM_REQUIRED.get(where, ())
            assert widget.get("required", True) == required, f"{where}.{spec.name}"
            if spec.fields:
                compare(spec.fields, widget["fields"], f"{where}.{spec.name}")

    compare(fields_of(MODELS[kind]), collection["fields"], kind)


def test_a_changed_label_changes_the_form(monkeypatch: pytest.MonkeyPatch) -> None:
    info = MODELS["project"].model_fields["budget"]
    monkeypatch.setattr(info, "title", "งบที่อนุมัติ")
    config = cms_config.decap_config(
        cms_config.Refs(issues={}), cms_config.backend(None), today=date(2025, 4, 1)
    )
    projects = next(c for c in config["collections"] if c["name"] == "projects")
    assert _widgets(projects["fields"])["budget"]["label"] == "งบที่อนุมัติ"


def test_money_and_date_widgets_write_what_check_reads() -> None:
    config = cms_config.decap_config(
        cms_config.Refs(issues={}), cms_config.backend(None), today=date(2025, 4, 1)
    )
    projects = _widgets(next(c for c in config["collections"] if c["name"] == "projects")["fields"])
    money = projects["budget"]
    assert money["widget"] == "string"
    import re

    pattern = re.compile(money["pattern"][0])
    for good in ("39918", "39918.00", "39,918.50"):
        assert pattern.match(good)
    for bad in ("39918.123", "-5", "๓๙", "39918 บาท"):
        assert not pattern.match(bad)
    assert projects["start"]["format"] == "YYYY-MM-DD" and projects["start"]["time_format"] is False
    assert projects["status"]["options"][0] == {"label": "เสนอโครงการ", "value": "proposed"}


def test_relations_only_over_small_collections(graph: Any) -> None:
    """The whole editor relates fields to the site's collections; a fund's editor never does:
    its fund is fixed and its plans and projects are that fund's own lists."""
    fields = cms_config.scoped_fields(cms_config.Refs(issues={}))
    text = json.dumps(fields)
    assert '"relation"' not in text
    assert _widgets(fields["project"])["fund"] == {
        "name": "fund",
        "widget": "hidden",
        "default": "@fund",
    }


def test_big_sites_ask_for_a_fund_first(graph: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    back = cms_config.backend(None)
    assert not needs_scope(graph)
    assert json.loads(admin_file(graph, back, date(2025, 4, 1), "config.json"))["collections"]
    monkeypatch.setattr(cms_config, "SCOPE_ABOVE", 3)
    assert needs_scope(graph)
    assert json.loads(admin_file(graph, back, date(2025, 4, 1), "config.json"))["collections"] == []


def test_admin_files_are_the_bundle_the_page_and_the_configuration(graph: Any) -> None:
    files = dict(admin_files(graph, cms_config.backend(None), date(2025, 4, 1)))
    assert {"index.html", "admin.js", "config.json", "fields.json"} <= set(files)
    assert "decap-cms/decap-cms.js" in files and "decap-cms/LICENSE" in files
    assert {f"funds/{f}.json" for f in graph.funds} <= set(files)
    assert (
        admin_file(graph, cms_config.backend(None), date(2025, 4, 1), "decap-cms/SOURCE.md") is None
    )
    assert (
        admin_file(graph, cms_config.backend(None), date(2025, 4, 1), "decap-cms/../config.py")
        is None
    )
    assert admin_file(graph, cms_config.backend(None), date(2025, 4, 1), "funds/nope.json") is None
