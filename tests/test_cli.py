"""``fundsite check`` and ``fundsite schema`` as editors and CI run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import (
    FUND,
    FUND_PATH,
    PLAN,
    PLAN_PATH,
    PROJECT,
    PROJECT_PATH,
    RECORDS,
    line_of,
    replace_line,
    th,
)
from fundsite.console import github, human
from fundsite.diagnostics import Problem

WARNING_ONLY = {**RECORDS, PROJECT_PATH: replace_line(PROJECT, "support_type:", "support_type: 2")}
WITH_ERROR = {**RECORDS, PROJECT_PATH: replace_line(PROJECT, "budget:", "budjet: 39918.00")}


# ---- exit status ---------------------------------------------------------------------------------


def test_clean_site_exits_0(site):
    site.write(RECORDS)
    run = site.cli("check", "{site}")
    assert run.code == 0
    assert run.out.strip() == "ไม่พบปัญหา: ตรวจ 7 ไฟล์"
    assert run.err == ""


def test_clean_site_in_english(site):
    site.write(RECORDS)
    assert site.cli("check", "{site}", "--lang", "en").out.strip() == "no problems: 7 files checked"


def test_errors_exit_1(site):
    site.write(WITH_ERROR)
    assert site.cli("check", "{site}").code == 1
    assert site.cli("check", "{site}", "--strict").code == 1


def test_warnings_only_exit_0_and_1_with_strict(site):
    site.write(WARNING_ONLY)
    plain = site.cli("check", "{site}")
    assert plain.code == 0
    assert ": warning: " in plain.out
    assert site.cli("check", "{site}", "--strict").code == 1


def test_check_defaults_to_the_current_folder(site, monkeypatch):
    site.write(RECORDS)
    monkeypatch.chdir(site.root)
    assert site.cli("check").code == 0


def test_missing_folder_is_a_message_not_a_traceback(site, tmp_path):
    run = site.cli("check", str(tmp_path / "nowhere"))
    assert run.code != 0
    assert "nowhere" in run.err and "no such folder" in run.err
    assert "Traceback" not in run.err + run.out


def test_folder_without_data_reports_the_missing_site_file(site):
    site.write({}, data=False)
    run = site.cli("check", "{site}", "--lang", "en")
    assert run.code == 1
    assert "data/site.yaml:1:1: error: data/site.yaml is missing" in run.out


# ---- human output --------------------------------------------------------------------------------


def test_human_output_thai(site):
    site.write(WITH_ERROR)
    out = site.cli("check", "{site}").out
    row = line_of(PROJECT, "budget:")
    assert f"{PROJECT_PATH}:{row}:1: error: ไม่รู้จักช่อง budjet" in out
    assert f"{PROJECT_PATH}:2:1: warning: ไม่ได้กรอกช่อง budget" in out
    lines = out.splitlines()
    at = lines.index(f"{PROJECT_PATH}:{row}:1: error: ไม่รู้จักช่อง budjet")
    # the offending source line, a caret under the column, and the likely fix
    assert lines[at + 1] == f"  {row:>4} | budjet: 39918.00"
    assert lines[at + 2] == "       | ^"
    assert lines[at + 3] == "       → น่าจะหมายถึง budget"
    assert lines[-1] == "พบข้อผิดพลาด 1 รายการ คำเตือน 1 รายการ ใน 1 ไฟล์"


def test_human_output_english(site):
    site.write(WITH_ERROR)
    out = site.cli("check", "{site}", "--lang", "en").out
    row = line_of(PROJECT, "budget:")
    assert f"{PROJECT_PATH}:{row}:1: error: unknown field budjet" in out
    assert "       → did you mean budget?" in out
    assert "ไม่รู้จัก" not in out
    assert out.splitlines()[-1] == "1 error, 1 warning in 1 file"


def test_summary_counts_files_and_plurals(site):
    fund = FUND.replace("balance: 191500.00", "balance: 1")
    plan = replace_line(PLAN, "title:", "title: [x]")
    site.write({**WITH_ERROR, FUND_PATH: fund, PLAN_PATH: plan})
    out = site.cli("check", "{site}", "--lang", "en").out
    assert out.splitlines()[-1] == "3 errors, 1 warning in 3 files"


def test_caret_under_a_thai_value(site):
    text = replace_line(FUND, "area:", "area: {province: สงขลา, district: ระโนต}")
    site.write({**RECORDS, FUND_PATH: text})
    lines = site.cli("check", "{site}").out.splitlines()
    at = next(i for i, line in enumerate(lines) if "area.district" in line)
    source, caret = lines[at + 1], lines[at + 2]
    assert source.endswith("area: {province: สงขลา, district: ระโนต}")
    # Thai vowel marks take no column on screen: the caret sits under ร of ระโนต
    prefix = "area: {province: สงขลา, district: "
    width = len(prefix) - sum(
        1
        for c in prefix
        if c in "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
    )
    assert caret == "       | " + " " * width + "^"


def test_excerpt_is_read_fresh_on_every_run(site):
    site.write(WITH_ERROR)
    site.cli("check", "{site}")
    text = replace_line(PROJECT, "budget:", "budjet: 5")
    site.write({PROJECT_PATH: text})
    out = site.cli("check", "{site}").out
    assert "budjet: 5" in out and "budjet: 39918.00" not in out


def test_excerpt_of_a_line_with_a_unicode_line_separator(site):
    text = replace_line(PROJECT, "title:", 'title: "ก\u2028ข"')
    site.write({**RECORDS, PROJECT_PATH: replace_line(text, "budget:", "budjet: 1")})
    out = site.cli("check", "{site}", "--lang", "en").out
    row = line_of(PROJECT, "budget:")
    assert f"  {row:>4} | budjet: 1" in out.splitlines()


def test_problem_without_a_source_line_has_no_excerpt(tmp_path):
    p = Problem("error", "no-site", "data/site.yaml", 1, 1)
    assert human([p], tmp_path, "en", 0).splitlines() == [
        "data/site.yaml:1:1: error: data/site.yaml is missing",
        "1 error, 0 warnings in 1 file",
    ]


# ---- json ----------------------------------------------------------------------------------------


def test_json_output(site):
    site.write(WITH_ERROR)
    run = site.cli("check", "{site}", "--format", "json")
    assert run.code == 1
    items = run.json()
    assert {tuple(sorted(i)) for i in items} == {
        ("code", "column", "field", "file", "hint", "line", "message", "severity")
    }
    error = next(i for i in items if i["severity"] == "error")
    assert error == {
        "file": PROJECT_PATH,
        "line": line_of(PROJECT, "budget:"),
        "column": 1,
        "severity": "error",
        "code": "unknown-field",
        "field": "budjet",
        "message": "ไม่รู้จักช่อง budjet",
        "hint": "น่าจะหมายถึง budget",
    }


def test_json_output_english_and_empty(site):
    site.write(WITH_ERROR)
    items = site.cli("check", "{site}", "--format", "json", "--lang", "en").json()
    assert "unknown field budjet" in [i["message"] for i in items]
    site.write(RECORDS)
    run = site.cli("check", "{site}", "--format", "json")
    assert (run.code, run.json()) == (0, [])


# ---- github --------------------------------------------------------------------------------------


def test_github_output(site):
    site.write(WITH_ERROR)
    run = site.cli("check", "{site}", "--format", "github")
    assert run.code == 1
    row = line_of(PROJECT, "budget:")
    lines = run.out.splitlines()
    assert (
        f"::error file={PROJECT_PATH},line={row},col=1,title=unknown-field::"
        "ไม่รู้จักช่อง budjet (น่าจะหมายถึง budget)"
    ) in lines
    assert all(line.startswith(("::error file=", "::warning file=")) for line in lines)


def test_github_output_with_root_and_english(site):
    site.write(WITH_ERROR)
    out = site.cli("check", "{site}", "--format", "github", "--root", "portal/", "--lang", "en").out
    assert f"::error file=portal/{PROJECT_PATH},line=" in out
    assert "::unknown field budjet (did you mean budget?)" in out


def test_github_escapes_commas_colons_and_newlines():
    p = Problem("error", "yaml-syntax", "a,b:c.md", 3, 4, params={"detail": "x\ny 100%"})
    line = github([p], "en")
    assert (
        line
        == "::error file=a%2Cb%3Ac.md,line=3,col=4,title=yaml-syntax::malformed YAML: x%0Ay 100%25"
    )


# ---- schema --------------------------------------------------------------------------------------


def test_schema_writes_valid_json_schemas(site, tmp_path):
    out = tmp_path / "schemas"
    run = site.cli("schema", "--out", str(out))
    assert run.code == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(
        f"{k}.schema.json"
        for k in ("site", "issue", "region", "fund", "plan", "project", "report", "page")
    )
    for path in out.iterdir():
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"]
        assert str(path) in run.out
    project = json.loads((out / "project.schema.json").read_text(encoding="utf-8"))
    assert set(project["required"]) == {"id", "title", "fund"}
    assert project["additionalProperties"] is False
    assert "budget" in project["properties"]
    issue = json.loads((out / "issue.schema.json").read_text(encoding="utf-8"))
    assert issue["type"] == "array"


def test_schema_references_resolve(site, tmp_path):
    site.cli("schema", "--out", str(tmp_path / "s"))
    types = {"object", "array", "string", "number", "integer", "boolean", "null"}

    def walk(node, schema):
        if isinstance(node, dict):
            if "$ref" in node:
                assert node["$ref"].startswith("#/$defs/")
                assert node["$ref"].removeprefix("#/$defs/") in schema["$defs"], node["$ref"]
            if "type" in node:
                assert node["type"] in types or set(node["type"]) <= types
            for value in node.values():
                walk(value, schema)
        elif isinstance(node, list):
            for value in node:
                walk(value, schema)

    for path in (tmp_path / "s").iterdir():
        schema = json.loads(path.read_text(encoding="utf-8"))
        walk(schema, schema)


def test_schemas_accept_the_reference_records(site, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    site.cli("schema", "--out", str(tmp_path / "s"))
    for path, kind in [(FUND_PATH, "fund"), (PLAN_PATH, "plan")]:
        schema = json.loads((tmp_path / "s" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        data = yaml.safe_load(RECORDS[path].split("---")[1])
        jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)


# ---- as a program --------------------------------------------------------------------------------


def test_console_script_runs(site):
    site.write(WITH_ERROR)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "fundsite.cli", "check", str(site.root), "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1
    assert "unknown field budjet" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_version(site):
    with pytest.raises(SystemExit) as info:
        site.cli("--version")
    assert info.value.code == 0


def test_th_message_helper_matches_cli(site):
    site.write(WITH_ERROR)
    from conftest import check, only

    p = only(check(site.root), "unknown-field")
    assert th(p) in site.cli("check", "{site}").out
    assert Path(site.root / PROJECT_PATH).is_file()


def test_serve_searches_unless_told_not_to():
    from fundsite.cli import parser

    assert parser().parse_args(["serve"]).search is True
    assert parser().parse_args(["serve", "--search"]).search is True  # as before: accepted
    assert parser().parse_args(["serve", "--no-search"]).search is False
