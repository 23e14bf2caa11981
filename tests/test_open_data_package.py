"""Open data that other tools read: the Frictionless data package, the DCAT catalogue, the
licence and the data page (issue 16).

``frictionless validate`` runs on the example portal only: it is slow on big files.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import frictionless
import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF

from conftest import PROJECT, PROJECT_PATH, RECORDS, REPO, SITE_YAML, only, replace_line
from fundsite.build import build
from fundsite.plan import exports
from fundsite.validate.fields import fields_of
from fundsite.validate.models import Project
from fundsite.write import catalogue


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example portal, built (open data included, no search index)."""
    out = tmp_path_factory.mktemp("example") / "build"
    result = build(REPO, out, workers=1, index=False)
    assert result.ok
    return out


def errors(report: frictionless.Report) -> list[tuple[str, str]]:
    return [(e.type, e.message) for task in report.tasks for e in task.errors]


def test_example_package_passes_frictionless_validate(example: Path) -> None:
    package = json.loads((example / "data/datapackage.json").read_text(encoding="utf-8"))
    assert package["$schema"] == catalogue.PACKAGE_PROFILE
    assert [r["name"] for r in package["resources"]] == list(exports.TABLES)
    report = frictionless.validate(example / "data/datapackage.json")
    assert report.valid, errors(report)
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    for name in ("funds", "plans", "projects", "installments", "objectives", "reports"):
        assert rows[name] > 0, name  # the example has every kind: the checks ran on rows


def test_every_join_is_declared_and_resolves(example: Path) -> None:
    package = frictionless.Package(example / "data/datapackage.json")
    joins = {
        (r.name, tuple(fk["fields"]), fk["reference"].get("resource") or r.name)
        for r in package.resources
        for fk in r.schema.foreign_keys
    }
    assert {
        ("projects", ("fund",), "funds"),
        ("projects", ("plan",), "plans"),
        ("projects", ("programme",), "projects"),
        ("reports", ("project",), "projects"),
        ("installments", ("project",), "projects"),
        ("objectives", ("project",), "projects"),
        ("target_groups", ("project",), "projects"),
        ("finances", ("fund",), "funds"),
        ("plans", ("issue",), "issues"),
    } <= joins
    ids = {r["id"] for r in read_csv(example / "data/projects.csv")}
    for table in ("installments", "objectives", "reports"):  # (what frictionless checks too)
        assert {r["project"] for r in read_csv(example / f"data/{table}.csv")} <= ids


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")


def test_the_package_catches_a_broken_join_and_a_bad_amount(example: Path, tmp_path) -> None:
    """The validation can fail: a project of a fund that is not in funds.csv, and an amount
    written with a thousands separator."""
    data = tmp_path / "data"
    shutil.copytree(example / "data", data)
    projects = read_csv(data / "projects.csv")
    projects[0]["fund"] = "NO-SUCH-FUND"
    projects[1]["budget"] = "12,000.00"
    write_csv(data / "projects.csv", projects)
    found = {kind for kind, _ in errors(frictionless.validate(data / "datapackage.json"))}
    assert {"foreign-key", "type-error"} <= found


def test_columns_are_described_by_the_models() -> None:
    projects = exports.TABLES["projects"]
    schema = catalogue.table_schema(projects)
    fields = {f["name"]: f for f in schema["fields"]}
    budget = {s.name: s for s in fields_of(Project)}["budget"]
    assert fields["budget"]["title"] == f"{budget.label_th} (ว่าง = ไม่ระบุ)"
    assert fields["budget"]["description"].startswith(budget.label_en)
    assert (fields["budget"]["type"], fields["budget"]["constraints"]) == ("number", {"minimum": 0})
    assert fields["support_type"]["constraints"]["enum"] == [1, 2, 3, 4, 5]
    assert "completed" in fields["status"]["constraints"]["enum"]
    assert fields["id"]["constraints"] == {"required": True, "unique": True}
    assert fields["approved_on"]["type"] == "date"
    assert schema["primaryKey"] == ["id"] and schema["missingValues"] == [""]
    installments = catalogue.table_schema(exports.TABLES["installments"])
    assert installments["primaryKey"] == ["project", "number"]


def test_amounts_are_exact_and_unknown_is_empty(site, tmp_path) -> None:
    project = replace_line(PROJECT, "budget:", "budget: 1234567.89")
    project = replace_line(project, "installments:", "installments:\n  - {amount: 1234567.89}")
    root = site.write({**RECORDS, PROJECT_PATH: project})
    for line in ("  - {start: 2024-10-01", "     amount: 20000.00}", "  - {start: 2025-04-01"):
        text = (root / PROJECT_PATH).read_text(encoding="utf-8")
        (root / PROJECT_PATH).write_text(replace_line(text, line, ""), encoding="utf-8")
    out = tmp_path / "build"
    assert build(root, out, workers=1, index=False).ok
    (row,) = read_csv(out / "data/projects.csv")
    assert (row["budget"], row["returned"]) == ("1234567.89", "")
    package = frictionless.Package(out / "data/datapackage.json")
    (read,) = package.get_resource("projects").read_rows()
    assert read["budget"] == Decimal("1234567.89") and read["returned"] is None
    (installment,) = package.get_resource("installments").read_rows()
    assert installment["amount"] == Decimal("1234567.89")
    (as_json,) = json.loads((out / "data/projects.json").read_text(encoding="utf-8"))
    assert as_json["budget"] == "1234567.89"


def _graph(example: Path) -> tuple[rdflib.Graph, str]:
    base = "https://example.org/fundsite/"  # the example's base_url
    g = rdflib.Graph()
    g.parse(example / "data/catalog.jsonld", format="json-ld", publicID=base + "data/")
    return g, base


def test_catalogue_is_json_ld_naming_every_dataset(example: Path) -> None:
    g, base = _graph(example)
    (cat,) = g.subjects(RDF.type, DCAT.Catalog)
    datasets = set(g.objects(cat, DCAT.dataset))
    names = {str(g.value(d, DCTERMS.identifier)) for d in datasets}
    assert names == {*exports.TABLES, "360giving", "all"}
    for d in datasets:
        assert g.value(d, RDF.type) == DCAT.Dataset
        titles = {t.language: str(t) for t in g.objects(d, DCTERMS.title)}
        assert titles["th"] and titles["en"]
        assert g.value(d, DCTERMS.license) == rdflib.URIRef(
            "https://spdx.org/licenses/CC-BY-4.0.html"
        )
        downloads = [g.value(x, DCAT.downloadURL) for x in g.objects(d, DCAT.distribution)]
        assert downloads
        for url in downloads:  # every download is a file of the build
            assert str(url).startswith(base)
            assert (example / str(url).removeprefix(base)).is_file(), url


AS_OF = "2025-04-01"  # conftest's DATA_DATE


def test_data_page_states_licence_date_and_snapshot(example: Path) -> None:
    page = (example / "data/index.html").read_text(encoding="utf-8")
    assert 'rel="license"' in page and "https://spdx.org/licenses/CC-BY-4.0.html" in page
    assert f'<time datetime="{AS_OF}">' in page
    snapshot = f"snapshot-{AS_OF}.zip"
    assert f'href="{snapshot}"' in page
    assert (example / "data" / snapshot).is_file()
    assert '<link rel="alternate" type="application/ld+json" href="catalog.jsonld"' in page
    for name in exports.TABLES:  # the datasets' landing anchors
        assert f'id="t-{name}"' in page


def test_snapshot_is_a_package_on_its_own(example: Path, tmp_path) -> None:
    (snapshot,) = (example / "data").glob("snapshot-*.zip")
    with zipfile.ZipFile(snapshot) as z:
        z.extractall(tmp_path)
        names = set(z.namelist())
    assert {"datapackage.json", "catalog.jsonld", "all.json"} <= names
    assert {f"{n}.csv" for n in exports.TABLES} <= names
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, errors(report)


def test_a_site_without_licence_is_warned_and_says_so(site, tmp_path) -> None:
    site_yaml = SITE_YAML.replace("data_license: CC-BY-4.0\n", "")
    problem = only(site.check({**RECORDS, "data/site.yaml": site_yaml}), "data-license-missing")
    assert (problem.file, problem.field, problem.severity) == (
        "data/site.yaml",
        "data_license",
        "warning",
    )
    out = tmp_path / "build"
    assert build(site.root, out, workers=1, index=False).ok
    package = json.loads((out / "data/datapackage.json").read_text(encoding="utf-8"))
    assert "licenses" not in package
    assert "dct:license" not in (out / "data/catalog.jsonld").read_text(encoding="utf-8")
    assert "ยังไม่ได้ระบุ" in (out / "data/index.html").read_text(encoding="utf-8")


def test_an_unknown_licence_is_asked_about(site) -> None:
    site_yaml = SITE_YAML.replace("CC-BY-4.0", "cc-by-4")
    problem = only(site.check({**RECORDS, "data/site.yaml": site_yaml}), "data-license-unknown")
    assert (problem.line, problem.field) == (3, "data_license")
    assert problem.params["suggestion"] == "CC-BY-4.0"
    not_an_id = SITE_YAML.replace("CC-BY-4.0", '"CC BY 4.0"')  # the model refuses it
    (bad,) = [p for p in site.check({**RECORDS, "data/site.yaml": not_an_id}) if p.line == 3]
    assert (bad.field, bad.severity, bad.line) == ("data_license", "error", 3)


def test_data_page_lists_what_360giving_leaves_out(example: Path) -> None:
    page = (example / "data/index.html").read_text(encoding="utf-8")
    left_out = read_csv(example / "data/360giving-left-out.csv")
    grants = json.loads((example / "data/360giving.json").read_text(encoding="utf-8"))["grants"]
    projects = read_csv(example / "data/projects.csv")
    assert left_out and grants and len(left_out) + len(grants) == len(projects)
    notes = page[page.index('id="giving-notes"') :]
    assert f"{len(grants)} โครงการอยู่ในไฟล์" in notes
    assert f"{len(left_out)} โครงการที่ข้อมูลยังไม่ครบ (CSV)" in notes
    lacking_date = sum("award-date" in row["missing"].split() for row in left_out)
    assert f"ไม่ได้ระบุ วันที่อนุมัติ (approved_on): {lacking_date} โครงการ" in notes


def test_no_grant_no_360giving_file(site, tmp_path) -> None:
    """The standard wants one grant at least: with none, no file, no dataset, and the page
    says why."""
    root = site.write({**RECORDS, PROJECT_PATH: replace_line(PROJECT, "organization:", "")})
    out = tmp_path / "build"
    assert build(root, out, workers=1, index=False).ok
    assert not (out / "data/360giving.json").exists()
    (note,) = read_csv(out / "data/360giving-left-out.csv")
    assert note["missing"] == "recipient"
    g = rdflib.Graph().parse(out / "data/catalog.jsonld", format="json-ld")
    names = {str(o) for o in g.objects(None, DCTERMS.identifier)}
    assert "360giving" not in names and "projects" in names
    assert "ยังไม่มีโครงการที่มีข้อมูลครบตามมาตรฐาน" in (out / "data/index.html").read_text("utf-8")
