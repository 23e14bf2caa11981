"""Per-page data: every table a page shows is offered as CSV beside it (``plan/tables.py``).

Each CSV holds the rows of the table it is linked under, in order (the records the table links,
or as many rows as it has), and the page links every CSV written beside it.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import PROJECT, RECORDS, make_site, md, replace_line
from fundsite.build import build
from fundsite.plan import tables
from fundsite.plan.pages import plan_site
from fundsite.validate import check_site
from fundsite.validate.types import RESERVED_IDS, TABLE_FILES, id_problem
from synth import write_site
from test_hostile_escaping import FORMULA_START, PLAIN_NUMBER
from test_incremental import assert_same

REPO = Path(__file__).parent.parent

#: The folder of the records a table's rows link to, by its CSV's name, and the column of the
#: CSV that holds the linked id; tables of a record's parts link nothing (``None``).
LINKED = {
    "funds": ("funds", "id"),
    "funds-": ("funds", "fund"),
    "plans": ("plans", "id"),
    "projects": ("projects", "id"),
    "reports": ("reports", "id"),
    "issues": ("issues", "id"),
    "by_issue": ("issues", "issue"),
    "by_year": ("years", "fiscal_year"),
    "by_region": ("regions", "region"),
    "by_province": ("provinces", "province_code"),
    "by_district": ("districts", "district_code"),
    "by_subdistrict": ("subdistricts", "subdistrict_code"),
}
HREF = re.compile(r'href="([^"#]+)/"')
CSV_LINK = re.compile(r'<p class="table-csv"><a href="([^"]+)" download type="text/csv">')
#: Where the table a link follows starts: the page's last heading or the previous table's link.
TABLE_START = re.compile(r'<h[12][ >]|<p class="table-csv">.*?</p>')


def read_csv(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff"), path  # spreadsheet programs then read Thai right
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def linked_tables(root: Path) -> Iterator[tuple[str, str, str]]:
    """(page, CSV name, the HTML of the table above the link) for every CSV a page links."""
    for page in sorted(root.rglob("index.html")):
        html = page.read_text(encoding="utf-8")
        for link in CSV_LINK.finditer(html):
            before = html[: link.start()]
            start = max((m.end() for m in TABLE_START.finditer(before)), default=0)
            yield page.relative_to(root).as_posix(), link.group(1), before[start:]


def shown_rows(page: str, name: str, table: str) -> tuple[str | None, list[str]]:
    """The CSV column the table's rows are known by, and their values as the table shows them:
    the ids of the records it links, else one empty value per row of its body."""
    linked = LINKED.get(name.removesuffix(".csv")) or (
        LINKED["funds-"] if name.startswith("funds-") else None
    )
    if linked is None:
        body = table[table.rindex("<tbody>") : table.rindex("</tbody>")]
        return None, ["" for _ in re.finditer(r"<tr>", body)]
    folder, column = linked
    here = posixpath.dirname(page)
    targets = (posixpath.normpath(posixpath.join(here, unquote(h))) for h in HREF.findall(table))
    return column, [t.split("/")[1] for t in targets if re.fullmatch(rf"{folder}/[^/]+", t)]


def assert_tables_match_pages(root: Path) -> set[str]:
    """Every CSV beside a page is linked on it, under a table with the same rows; returns the
    tables seen."""
    written = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*.csv")
        if not p.relative_to(root).as_posix().startswith("data/")
    }
    seen = set()
    for page, name, table in linked_tables(root):
        rel = f"{page.removesuffix('index.html')}{name}"
        assert rel in written, f"{page} links {name}, which is not written"
        seen.add(rel)
        rows = read_csv(root / rel)
        column, shown = shown_rows(page, name, table)
        assert shown, f"{rel}: no rows under its link"
        values = [row[column] for row in rows] if column else ["" for _ in rows]
        if name.startswith("funds-") and len(values) > len(shown):  # the whole comparison
            values = values[: len(shown)]
        assert values == shown, f"{rel}: the CSV's rows are not the table's"
    assert seen == written, f"CSV files no page links: {sorted(written - seen)[:5]}"
    return seen


# ---- every page kind, on the example portal and a synthetic one ----------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example portal (sub-projects, plans with situation and objectives) and a synthetic
    portal with list pages of every kind of record (more than 50 a year of each)."""
    tmp = tmp_path_factory.mktemp("page-tables")
    root = tmp / "site"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "data", root / "data")
    write_site(tmp / "synthetic", 300, seed=5, reports_every=1, funds=70)
    for kind in ("funds", "plans", "projects", "reports"):
        shutil.copytree(
            tmp / "synthetic/content" / kind, root / "content" / kind, dirs_exist_ok=True
        )
    out = tmp / "build"
    assert build(root, out, index=False).ok
    return out


def test_every_csv_holds_the_rows_of_the_table_it_is_linked_under(big: Path) -> None:
    seen = assert_tables_match_pages(big)
    names = {rel.rpartition("/")[2] for rel in seen}
    assert names >= TABLE_FILES, TABLE_FILES - names
    assert "funds/funds.csv" in seen and "issues/issues.csv" in seen
    assert any(re.fullmatch(r"years/\d+/funds/funds-\d+\.csv", rel) for rel in seen)  # list pages
    for what in ("plans", "projects", "reports"):
        assert any(re.fullmatch(rf"years/\d+/{what}/page/2/{what}\.csv", rel) for rel in seen)


def test_every_page_kind_offers_its_tables(big: Path) -> None:
    """Each page kind that shows tables writes each kind of table it may."""
    graph = check_site(big.parent / "site").graph
    assert graph is not None
    kinds: dict[str, set[str]] = {}
    for plan in plan_site(graph):
        for name in plan.tables:
            if (big / plan.beside(name)).exists():
                kinds.setdefault(plan.make.__name__, set()).add(name)
    assert set(kinds) == set(tables.BY_KIND), set(tables.BY_KIND) ^ set(kinds)
    for kind, names in tables.BY_KIND.items():
        assert set(names) <= kinds[kind], (kind, set(names) - kinds[kind])
    for kind in tables.FUNDS_OF_YEAR:
        assert any(name.startswith("funds-") for name in kinds[kind]), kind


#: The open-data tables whose rows pages show, with the columns a row is known by.
OPEN_DATA_KEYS = {
    "funds": ("id",),
    "finances": ("fund", "fiscal_year"),
    "plans": ("id",),
    "projects": ("id",),
    "installments": ("project", "number"),
    "objectives": ("project", "number"),
    "target_groups": ("project", "number"),
    "reports": ("id",),
    "issues": ("id",),
}


def test_record_rows_are_the_open_data_rows(big: Path) -> None:
    """A page's records are rows of ``data/<table>.csv``: the same columns and values, and
    a few more (a fund's count of projects that state no budget, an issue's totals)."""
    for name, key in OPEN_DATA_KEYS.items():
        data = {tuple(r[k] for k in key): r for r in read_csv(big / f"data/{name}.csv")}
        pages = [
            p
            for p in big.rglob(f"{name}.csv")
            if p.parent.name != "data" and p.relative_to(big).parts[0] != "plans"
        ]  # a plan's objectives are not a project's
        assert pages, name
        for path in pages:
            for row in read_csv(path):
                expected = data[tuple(row[k] for k in key)]
                if name == "funds" and row["approved_budget"] == "":  # no budget stated
                    assert row["approved_budget_not_stated"] == row["projects"] != "0"
                    expected = {**expected, "approved_budget": ""}
                assert {k: row[k] for k in expected} == expected, path


def test_table_names_are_reserved_ids() -> None:
    """A table's CSV can never be a record's folder: its name is not an id."""
    names = {name for names in tables.BY_KIND.values() for name in names}
    assert names == TABLE_FILES and TABLE_FILES <= RESERVED_IDS
    for name in names:
        assert id_problem(name) == ("reserved", {})
        assert id_problem(name.upper()) == ("reserved", {})
    assert tables.files("area", 2568)[-1] == "funds-2568.csv"
    assert "funds-2568.csv" not in tables.files("fund", 2568)


# ---- exact amounts, unknown amounts, hostile text ------------------------------------------------

#: Text a spreadsheet would run as a formula (a leading tab is stripped from records, and text
#: holding a CR is refused by ``check``: a tab or line break inside one is tried instead).
HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\uff1dcmd|' /C calc'!A0",
    "\t=cmd|' /C calc'!A0",
    "x\t=cmd",
    'y\n=cmd,"z"',
]
UNKNOWN_PATH = "content/projects/68-L5218-4-02.md"


def _quoted(text: str) -> str:
    """``text`` as a YAML double-quoted string."""
    return json.dumps(text, ensure_ascii=False)


def small_site(root: Path, title: str = "โครงการ") -> Path:
    """The conftest records with a budget of 1234567.89, a second project stating no budget,
    and ``title`` as the text of every table's cells (titles, names, objectives)."""
    q = _quoted(title)
    project = replace_line(PROJECT, "budget:", "budget: 1234567.89")
    project = replace_line(project, "title:", f"title: {q}")
    project = project.replace("{text: พัฒนาศักยภาพกรรมการ,", f"{{text: {q},")
    project = project.replace("{name: คณะกรรมการกองทุน,", f"{{name: {q},")
    project = project.replace("amount: 19918.00}", "}")  # an installment stating no amount
    unknown = md(
        f"""
        id: 68-L5218-4-02
        title: {q}
        fund: L5218
        plan: L5218-2568-alcohol
        start: 2024-10-01
        end: 2025-09-30
        """
    )
    files = {**RECORDS, "content/projects/68-L5218-4-01.md": project, UNKNOWN_PATH: unknown}
    for path in ("content/funds/L5218.md", "content/plans/L5218/L5218-2568-alcohol.md"):
        text = files[path]
        for line in ("name:", "title:"):
            if f"\n{line}" in text:
                text = replace_line(text, line, f"{line} {q}")
        files[path] = text.replace("{indicator: ร้อยละของประชาชนที่ดื่มสุรา,", f"{{indicator: {q},")
    return make_site(root, files)


def csv_of(out: Path, rel: str) -> list[dict[str, str]]:
    return read_csv(out / rel)


def test_amounts_are_exact_and_unknown_is_empty(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert build(small_site(tmp_path / "site"), out, index=False).ok
    assert_tables_match_pages(out)
    for rel in (
        "projects/projects.csv",
        "funds/L5218/projects.csv",
        "plans/L5218-2568-alcohol/projects.csv",
        "districts/9007/projects.csv",
        "issues/alcohol/projects.csv",
        "years/2568/projects.csv",
    ):
        rows = {r["id"]: r for r in csv_of(out, rel)}
        assert list(rows) == ["68-L5218-4-01", "68-L5218-4-02"], rel
        assert rows["68-L5218-4-01"]["budget"] == "1234567.89", rel
        assert rows["68-L5218-4-02"]["budget"] == "", rel  # not stated: never 0
    (fund,) = csv_of(out, "funds/funds.csv")
    assert (fund["approved_budget"], fund["approved_budget_not_stated"]) == ("1234567.89", "1")
    (by_issue,) = csv_of(out, "districts/9007/by_issue.csv")
    assert by_issue == {
        "issue": "alcohol",
        "name": "เครื่องดื่มแอลกอฮอล์",
        "projects": "2",
        "budget": "1234567.89",
        "budget_not_stated": "1",
    }
    (compared,) = csv_of(out, "districts/9007/funds-2568.csv")
    assert compared["approved_budget"] == "1234567.89" and compared["received"] == "351500.00"
    first, second = csv_of(out, "projects/68-L5218-4-01/installments.csv")
    assert (first["amount"], second["amount"]) == ("20000.00", "")  # not stated: empty
    assert first["start"] == "2024-10-01" and first["report_end"] == "2025-04-15"
    (objective,) = csv_of(out, "projects/68-L5218-4-01/objectives.csv")
    assert (objective["size"], objective["target"], objective["achieved"]) == ("29.0", "20.0", "")
    (finance,) = csv_of(out, "funds/L5218/finances.csv")
    assert finance["balance"] == "191500.00"
    (report,) = csv_of(out, "projects/68-L5218-4-01/reports.csv")
    assert report == {**{k: str(v) for k, v in report.items()}, "spent": "3500.00"}
    assert not (out / "projects/68-L5218-4-02/reports.csv").exists()  # no reports: no table
    page = (out / "funds/L5218/index.html").read_text(encoding="utf-8")
    for name in ("finances.csv", "plans.csv", "projects.csv", "reports.csv", "by_year.csv"):
        assert f'<a href="{name}" download type="text/csv">ดาวน์โหลดตารางนี้ (CSV)' in page


@pytest.mark.parametrize("title", HOSTILE)
def test_no_cell_of_a_page_table_starts_a_formula(tmp_path: Path, title: str) -> None:
    """Titles, names and objectives that a spreadsheet would run get a leading ' in every
    page's CSV; a CR or tab inside a cell stays inside it."""
    out = tmp_path / "build"
    assert build(small_site(tmp_path / "site", title), out, index=False).ok
    written = [p for p in out.rglob("*.csv") if "data" not in p.relative_to(out).parts]
    found = 0
    for path in written:
        rows = read_csv(path)
        header = path.read_text(encoding="utf-8").splitlines()[0].lstrip("\ufeff").split(",")
        for row in rows:
            assert list(row) == header and None not in row, path  # no cell spilled over
            for field, cell in row.items():
                assert cell[:1] not in FORMULA_START or PLAIN_NUMBER.fullmatch(cell), (
                    f"{path}: {field} = {cell!r}"
                )
                found += cell.removeprefix("'") == title.strip()
    assert found >= 10  # titles, names, objectives, target groups, situation, in many tables


# ---- incremental builds and serve's updates ------------------------------------------------------


def test_an_incremental_build_removes_and_rewrites_the_tables(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    out = tmp_path / "build"
    assert build(site, out, index=False).ok
    assert (out / "projects/68-L5218-4-01/installments.csv").exists()
    assert len(csv_of(out, "funds/L5218/projects.csv")) == 2
    (site / "content/projects/68-L5218-4-01.md").unlink()  # and its report
    (site / "content/reports/2025/2025-03-01-committee-meeting.md").unlink()
    result = build(site, out, index=False)
    assert result.ok and 0 < result.rendered < result.pages
    assert not (out / "projects/68-L5218-4-01").exists()
    assert [r["id"] for r in csv_of(out, "funds/L5218/projects.csv")] == ["68-L5218-4-02"]
    assert not (out / "funds/L5218/reports.csv").exists()  # no report left: no table
    assert build(site, tmp_path / "clean", index=False, incremental=False).ok
    assert_same(out, tmp_path / "clean", "after deleting a project")


def test_serve_update_rewrites_the_tables(tmp_path: Path) -> None:
    from fundsite.update import finish, update

    site = small_site(tmp_path / "site")
    out = tmp_path / "build"
    kept = build(site, out, index=False, keep=True).kept
    assert kept is not None
    path = site / UNKNOWN_PATH
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("end: 2025-09-30", "end: 2025-09-30\nbudget: 7.05"), "utf-8")
    done = update(kept, [UNKNOWN_PATH])
    assert done is not None and done[1] is not None
    finish(done[1])
    rows = {r["id"]: r["budget"] for r in csv_of(out, "plans/L5218-2568-alcohol/projects.csv")}
    assert rows == {"68-L5218-4-01": "1234567.89", "68-L5218-4-02": "7.05"}
    (province,) = csv_of(out, "issues/alcohol/by_province.csv")
    assert (province["budget"], province["budget_not_stated"]) == ("1234574.94", "0")
    assert build(site, tmp_path / "clean", index=False, incremental=False).ok
    assert_same(out, tmp_path / "clean", "after serve's update")
