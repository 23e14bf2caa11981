"""The 360Giving export: valid against the pinned 1.4.x schemas, nothing invented, exact
amounts, safe text, written one grant at a time."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from conftest import FUND, FUND_PATH, PLAN, PLAN_PATH, PROJECT, REPO, make_site, replace_line
from fundsite.plan import giving
from fundsite.plan.giving import GivingSummary
from fundsite.validate import check_site
from fundsite.validate.graph import SiteGraph
from fundsite.write.giving import write_360giving

FIXTURES = Path(__file__).parent / "fixtures" / "360giving"
TODAY = date(2025, 4, 1)
PREFIX = "360G-example.org"  # conftest's site: base_url https://example.org/

# ---- the pinned schemas --------------------------------------------------------------------

_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[!#-;=?-\[\]_a-z~%]+", re.ASCII)


def _format_checker() -> FormatChecker:
    """Formats the schema's ``oneOf`` depends on: without a ``date-time`` check, a date would
    match both ``{"format": "date-time"}`` and the date pattern, and fail ``oneOf``.
    (jsonschema checks neither format unless optional packages are installed.)"""
    checker = FormatChecker()
    checker.checks("date-time")(lambda v: not isinstance(v, str) or bool(_DATE_TIME.fullmatch(v)))
    checker.checks("uri")(lambda v: not isinstance(v, str) or bool(_URI.fullmatch(v)))
    return checker


def _load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    """The package schema, its ``$ref`` to the grant schema resolved from the fixtures (a
    registry with no retrieval: a reference to anything else fails instead of fetching)."""
    package, grant = _load("360-giving-package-schema.json"), _load("360-giving-schema.json")
    assert package["properties"]["grants"]["items"]["$ref"] == grant["$id"]
    registry = Registry().with_resource(grant["$id"], DRAFT202012.create_resource(grant))
    return Draft202012Validator(package, registry=registry, format_checker=_format_checker())


def errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def test_pinned_files_are_the_ones_source_md_names() -> None:
    source = (FIXTURES / "SOURCE.md").read_text(encoding="utf-8")
    for name in ("360-giving-package-schema.json", "360-giving-schema.json"):
        digest = hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest()
        assert f"`{name}` | `{digest}`" in source
    assert "Creative Commons Attribution 4.0" in (FIXTURES / "LICENSE.md").read_text()


def test_the_validator_catches_what_the_standard_requires(validator: Draft202012Validator) -> None:
    good = json.loads(export(_example_graph())[0])
    assert errors(validator, good) == []
    bad = json.loads(json.dumps(good))
    del bad["grants"][0]["awardDate"]
    bad["grants"][0]["amountAwarded"] = "12.00"
    assert errors(validator, bad)
    assert errors(validator, {"grants": []})  # one grant at least


# ---- helpers -------------------------------------------------------------------------------


def _graph(root: Path) -> SiteGraph:
    graph = check_site(root, workers=1).graph
    assert graph is not None
    return graph


_EXAMPLE: list[SiteGraph] = []


def _example_graph() -> SiteGraph:
    if not _EXAMPLE:
        _EXAMPLE.append(_graph(REPO))
    return _EXAMPLE[0]


def export(graph: SiteGraph) -> tuple[str, GivingSummary]:
    out = io.StringIO()
    summary = write_360giving(out, graph, TODAY)
    return out.getvalue(), summary


def parsed(text: str) -> dict[str, Any]:
    return json.loads(text, parse_float=Decimal)


def notes_csv(graph: SiteGraph) -> list[dict[str, str]]:
    out = io.StringIO()
    count = write_360giving(io.StringIO(), graph, TODAY, out).left_out
    text = out.getvalue()
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == count
    return rows


def project(pid: str, *, drop: tuple[str, ...] = (), body: str | None = None, **lines: str) -> str:
    """The reference project as ``pid``: ``drop`` removes lines (by their field), keyword
    arguments replace a field's line, ``body`` replaces the body."""
    text = PROJECT.replace("68-L5218-4-01", pid)
    for name in drop:
        text = replace_line(text, f"{name}:", "")
    for name, value in lines.items():
        text = replace_line(text, f"{name}:", f"{name}: {value}")
    if body is not None:
        head, _, _ = text.partition("\n---\n")
        text = f"{head}\n---\n{body}"
    return text


def site_with(tmp_path: Path, projects: dict[str, str], site_yaml: str | None = None) -> Path:
    files = {FUND_PATH: FUND, PLAN_PATH: PLAN}
    files.update({f"content/projects/{pid}.md": text for pid, text in projects.items()})
    if site_yaml is not None:
        files["data/site.yaml"] = site_yaml
    return make_site(tmp_path / "site", files)


# ---- the example portal --------------------------------------------------------------------


def test_example_portal_export_validates(validator: Draft202012Validator) -> None:
    graph = _example_graph()
    text, summary = export(graph)
    data = json.loads(text)
    assert errors(validator, data) == []
    assert summary.valid and summary.grants == len(data["grants"]) > 0
    assert summary.grants + summary.left_out == len(graph.projects)
    left = {row["project"] for row in notes_csv(graph)}
    assert len(left) == summary.left_out
    ids = {g["id"] for g in data["grants"]}
    prefix = giving.publisher_prefix(graph.site.base_url)
    assert ids == {giving.grant_id(prefix, p) for p in graph.projects if p not in left}
    assert data["version"] == "1.4" and data["modified"] == "2025-04-01"
    assert data["publisher"] == {"name": graph.site.title, "website": graph.site.base_url}


def test_every_field_of_a_grant(validator: Draft202012Validator) -> None:
    graph = _example_graph()
    node = graph.projects["67-L5218-1-01"]
    g = parsed(export(graph)[0])["grants"]
    grant = next(x for x in g if x["id"].endswith("-67-L5218-1-01"))
    r = node.record
    prefix = giving.publisher_prefix(graph.site.base_url)
    assert grant["title"] == r.title
    assert grant["amountAwarded"] == r.budget and grant["currency"] == "THB"
    assert grant["awardDate"] == r.approved_on.isoformat()
    assert grant["plannedDates"] == [{"startDate": str(r.start), "endDate": str(r.end)}]
    assert grant["fundingOrganization"][0]["id"] == f"{prefix}-fund-L5218"
    assert grant["fundingOrganization"][0]["name"] == node.fund.record.name
    assert grant["recipientOrganization"] == [
        {"id": f"{prefix}-org-L5218-{r.organization.replace(' ', '_')}", "name": r.organization}
    ]
    assert grant["grantProgramme"][0]["code"] == r.plan
    assert grant["beneficiaryLocation"][0]["geoCode"] == node.areas[0].subdistrict
    assert grant["beneficiaryLocation"][0]["geoCodeType"] == "DOPA-subdistrict"
    assert {c["code"] for c in grant["classifications"]} >= set(node.issues)
    values = [t["value"] for t in grant["commitmentTransaction"]]
    assert values == [i.amount for i in r.installments]
    assert grant["dataSource"] == f"{graph.site.base_url}projects/67-L5218-1-01/"
    assert "<" not in grant["description"] and grant["description"]


# ---- what is left out ----------------------------------------------------------------------

LEFT_OUT = {
    "68-L5218-4-02": ({"drop": ("approved_on",)}, ("award-date",)),
    "68-L5218-4-03": ({"drop": ("budget",)}, ("amount",)),
    "68-L5218-4-04": ({"drop": ("organization",)}, ("recipient",)),
    "68-L5218-4-05": ({"body": ""}, ("description",)),
    # a body whose text is all markup the page drops says nothing
    "68-L5218-4-06": ({"body": "<script>alert(1)</script>\n\n<!-- x -->\n"}, ("description",)),
    "68-L5218-4-07": ({"status": "proposed"}, ("not-awarded",)),
    "68-L5218-4-08": (
        {"drop": ("approved_on", "budget", "organization"), "body": "  \n"},
        ("award-date", "amount", "recipient", "description"),
    ),
}
KEPT = {
    "68-L5218-4-01": {},
    # what a grant may lack: dates, plan, areas, installments, status
    "68-L5218-4-09": {"drop": ("start", "end", "plan", "area", "status")},
    "68-L5218-4-10": {"budget": "0.00"},  # a stated zero is an amount
    "68-L5218-4-11": {"status": "cancelled"},
}


def test_left_out_are_exactly_those_lacking_what_a_grant_needs(
    tmp_path: Path, validator: Draft202012Validator
) -> None:
    projects = {pid: project(pid, **kw) for pid, (kw, _) in LEFT_OUT.items()}
    projects.update({pid: project(pid, **kw) for pid, kw in KEPT.items()})
    graph = _graph(site_with(tmp_path, projects))
    assert set(graph.projects) == set(projects)
    text, summary = export(graph)
    data = parsed(text)
    assert errors(validator, json.loads(text)) == []
    assert {g["id"] for g in data["grants"]} == {f"{PREFIX}-{pid}" for pid in KEPT}
    assert summary.left_out == len(LEFT_OUT)
    assert summary.missing == {
        "award-date": 2,
        "amount": 2,
        "recipient": 2,
        "description": 3,
        "not-awarded": 1,
    }
    for pid, (_, codes) in LEFT_OUT.items():
        assert giving.missing(graph.projects[pid]) == codes
        assert giving.grant(graph.projects[pid], graph, graph.site.base_url) is None
    rows = notes_csv(graph)
    assert [(r["project"], r["fund"], tuple(r["missing"].split())) for r in rows] == [
        (pid, "L5218", codes) for pid, (_, codes) in sorted(LEFT_OUT.items())
    ]
    both = next(r for r in rows if r["project"] == "68-L5218-4-08")
    assert "วันที่อนุมัติ" in both["missing_th"] and "award date" in both["missing_en"]
    node = graph.projects["68-L5218-4-02"]
    note = giving.LeftOut.of(node, giving.missing(node))
    assert note.th.startswith("โครงการ 68-L5218-4-02 ของกองทุน L5218")
    assert "approved_on" in note.th and "award date" in note.en
    assert "ไม่รวม 7 โครงการ" in summary.text() and "7 projects left out" in summary.text("en")
    kept = {g["id"].removeprefix(f"{PREFIX}-"): g for g in data["grants"]}
    assert kept["68-L5218-4-10"]["amountAwarded"] == Decimal("0.00")
    bare = kept["68-L5218-4-09"]
    for absent in ("plannedDates", "grantProgramme", "beneficiaryLocation"):
        assert absent not in bare  # not stated: not invented (no fund area in its place)


def test_no_grant_at_all(tmp_path: Path) -> None:
    graph = _graph(
        site_with(tmp_path, {"68-L5218-4-02": project("68-L5218-4-02", drop=("budget",))})
    )
    text, summary = export(graph)
    assert summary == GivingSummary(0, 1, {"amount": 1}) and not summary.valid
    assert json.loads(text)["grants"] == []


# ---- amounts -------------------------------------------------------------------------------


def test_amounts_are_exact(tmp_path: Path, validator: Draft202012Validator) -> None:
    installments = (
        "\n  - {start: 2024-10-01, amount: 0.01}"
        "\n  - {start: 2025-01-01, amount: '1,234,567.87'}"
        "\n  - {end: 2025-09-30}"  # no amount written: no value, not a zero
    )
    text = project("68-L5218-4-01", budget="1234567.89")
    text = text.replace(
        text[text.index("installments:") : text.index("objectives:")],
        f"installments:{installments}\n",
    )
    graph = _graph(site_with(tmp_path, {"68-L5218-4-01": text}))
    out, _ = export(graph)
    assert '"amountAwarded": 1234567.89,' in out
    assert errors(validator, json.loads(out)) == []
    grant = parsed(out)["grants"][0]
    assert grant["amountAwarded"] == Decimal("1234567.89")
    assert str(grant["amountAwarded"]) == "1234567.89"
    commits = grant["commitmentTransaction"]
    assert [t.get("value") for t in commits] == [Decimal("0.01"), Decimal("1234567.87"), None]
    assert sum(t.get("value", 0) for t in commits) + Decimal("0.01") == grant["amountAwarded"]
    assert [t.get("transactionDate") for t in commits] == ["2024-10-01", "2025-01-01", None]
    assert (
        commits[2]["description"]
        == "งวดที่ 3: งวด … ถึง 2025-09-30 / Installment 3: period … to 2025-09-30"
    )
    assert commits[0]["id"] == f"{PREFIX}-68-L5218-4-01-installment-1"


def test_only_amounts_become_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text that looks like the writer's marked amounts stays text."""
    graph = _example_graph()
    real = giving.grant

    def hostile(node: Any, g: SiteGraph, base: str) -> dict[str, Any] | None:
        data = real(node, g, base)
        if data is not None:
            data["title"] = "\x00123.45"
            data["description"] = "\\u0000123.45"
        return data

    monkeypatch.setattr(giving, "grant", hostile)
    grant = parsed(export(graph)[0])["grants"][0]
    assert grant["title"] == "\x00123.45" and grant["description"] == "\\u0000123.45"


# ---- hostile text --------------------------------------------------------------------------

HOSTILE = "โครงการ \"ทดสอบ\" </script><script>alert('x')</script> \\ จบ"


def test_hostile_text_is_escaped(tmp_path: Path, validator: Draft202012Validator) -> None:
    kept = project(
        "68-L5218-4-01",
        title=json.dumps(HOSTILE),
        organization=json.dumps('=HYPERLINK("http://x") / "A B"'),
        body='ข้อความ </script> & "quotes" \x1b[31m แดง\n',
    )
    left = project("68-L5218-4-02", title=json.dumps("=1+2 </script>"), drop=("budget",))
    at = project("68-L5218-4-03", title=json.dumps("@SUM(A1)"), drop=("budget",))
    graph = _graph(
        site_with(tmp_path, {"68-L5218-4-01": kept, "68-L5218-4-02": left, "68-L5218-4-03": at})
    )
    out, summary = export(graph)
    assert summary.grants == 1
    assert errors(validator, json.loads(out)) == []
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", out)  # every control character escaped
    grant = parsed(out)["grants"][0]
    assert grant["title"] == HOSTILE
    org = grant["recipientOrganization"][0]
    assert org["name"] == '=HYPERLINK("http://x") / "A B"'
    assert org["id"] == f'{PREFIX}-org-L5218-=HYPERLINK("http:_x")_"A_B"'
    rows = notes_csv(graph)
    assert [r["title"] for r in rows] == ["'=1+2 </script>", "'@SUM(A1)"]


# ---- metadata ------------------------------------------------------------------------------


def test_licence_and_a_site_without_an_address(
    tmp_path: Path, validator: Draft202012Validator
) -> None:
    root = site_with(
        tmp_path,
        {"68-L5218-4-01": project("68-L5218-4-01")},
        "title: พอร์ทัลทดสอบ\ndata_license: CC-BY-4.0\n",
    )
    out, _ = export(_graph(root))
    data = json.loads(out)
    assert errors(validator, data) == []
    assert data["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert data["publisher"] == {"name": "พอร์ทัลทดสอบ"}  # no address: no website
    for key in ("downloadURL", "accessURL"):
        assert key not in data
    grant = data["grants"][0]
    assert grant["id"] == "360G-fundsite-68-L5218-4-01"
    assert "url" not in grant and "dataSource" not in grant


def test_no_licence_is_said_not_invented(tmp_path: Path) -> None:
    no_licence = "title: พอร์ทัลทดสอบ\nbase_url: https://example.org/\n"
    graph = _graph(site_with(tmp_path, {"68-L5218-4-01": project("68-L5218-4-01")}, no_licence))
    meta = giving.package_meta(graph, TODAY)
    assert "license" not in meta
    assert "ยังไม่ได้ระบุสัญญาอนุญาต" in meta["description"]
    assert "No licence is stated" in meta["description"]
    assert meta["identifier"] == f"{PREFIX}-grants" and "issued" not in meta


@pytest.mark.parametrize(
    ("base_url", "prefix"),
    [
        ("https://example.org/fundsite/", "360G-example.org_fundsite"),
        ("https://Health.Example.go.th/", "360G-health.example.go.th"),
        ("/", "360G-fundsite"),
    ],
)
def test_publisher_prefix(base_url: str, prefix: str) -> None:
    assert giving.publisher_prefix(base_url) == prefix


# ---- streaming -----------------------------------------------------------------------------


def test_grants_are_written_one_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each grant is written before the next project is made into one: the writer holds one
    grant, never a list of them."""
    pids = [f"68-L5218-4-{n:02d}" for n in range(1, 7)]
    graph = _graph(site_with(tmp_path, {pid: project(pid) for pid in pids}))
    made: list[str] = []
    real = giving.grant

    def counted(node: Any, g: SiteGraph, base: str) -> dict[str, Any] | None:
        made.append(node.id)
        return real(node, g, base)

    monkeypatch.setattr(giving, "grant", counted)

    seen: list[int] = []

    class Recorder(io.StringIO):
        def write(self, text: str) -> int:
            if '"awardDate"' in text:
                seen.append(len(made))
            return super().write(text)

    out = Recorder()
    summary = write_360giving(out, graph, TODAY)
    assert summary.grants == len(pids)
    assert seen == list(range(1, len(pids) + 1))


def test_areas_as_beneficiary_locations(tmp_path: Path, validator: Draft202012Validator) -> None:
    projects = {
        "68-L5218-4-01": project("68-L5218-4-01"),
        "68-L5218-4-02": project("68-L5218-4-02", area="[{region: 12}, {province: สงขลา}]"),
    }
    graph = _graph(site_with(tmp_path, projects))
    out, _ = export(graph)
    assert errors(validator, json.loads(out)) == []
    grants = {g["id"].removeprefix(f"{PREFIX}-"): g for g in parsed(out)["grants"]}
    assert grants["68-L5218-4-01"]["beneficiaryLocation"] == [
        {
            "name": "คลองแดน, ระโนด, สงขลา",
            "countryCode": "TH",
            "geoCode": "900702",
            "geoCodeType": "DOPA-subdistrict",
        }
    ]
    region, province = grants["68-L5218-4-02"]["beneficiaryLocation"]
    assert (region["geoCode"], region["geoCodeType"]) == ("12", "NHSO-region")
    assert region["name"].startswith("เขต 12")
    assert province == {
        "name": "สงขลา",
        "countryCode": "TH",
        "geoCode": "90",
        "geoCodeType": "DOPA-province",
    }


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n\n",
        "ชุมชนมีปัญหาสุขภาพ",
        "Title\n=====\n",
        "a | b\n--- | ---\n1 | 2\n",
        "1.\n",
        "---\n",
        "#\n",
        "[ref]: https://example.org\n",
        "<!-- a comment -->\n",
        "<script>alert(1)</script>\n",
        "  \n- \n",
        "    indented code\n",
        "![](photo.jpg)\n",
        "**ตัวหนา**\n",
        "ั\n",
        "## หลักการและเหตุผล\n\nชุมชน\n",
        "#ชื่อ\n",
        "####### ยาวเกิน\n",
        "- รายการ\n- ต่อ\n",
        "* * *\n",
        "+ a\n",
        "> อ้างถึง\n",
        ">\n",
        "#### \n\n- \n",
        "# <!-- x -->\n",
        "- [ ] x\n",
        "*a*\n",
        "\tcode\n",
        "- ## a\n",
    ],
)
def test_a_description_is_known_without_rendering_only_when_it_shows_text(body: str) -> None:
    """A project lacks a description when its body shows no words: the quick test agrees with
    rendering the body, whatever the body opens with."""
    from fundsite.render.markdown import has_text, plain_text

    assert has_text(body) == bool(plain_text(body))
