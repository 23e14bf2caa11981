"""Follow the money, the record side: the data's date, the open-data tables of fund accounts and
installments, ``returned`` in the project rows, and the synthetic portal that fills them."""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import subprocess
from datetime import UTC, date, datetime
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
    codes,
    describe,
    md,
    only,
    replace_line,
)
from fundsite import build as build_module
from fundsite.build import build
from fundsite.history import snapshot_date
from fundsite.plan import exports
from fundsite.validate import check_site
from fundsite.validate.patch import CheckState, patch
from fundsite.validate.records import check_files
from synth import write_site

PROJECT_ID = "68-L5218-4-01"
NO_REPORT = {FUND_PATH: FUND, PLAN_PATH: PLAN, PROJECT_PATH: PROJECT}


def epoch(day: str) -> str:
    return str(int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()))


# ---- the data's date -----------------------------------------------------------------------------


def test_data_date_from_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")
    assert snapshot_date(tmp_path) == date(2026, 11, 22)
    assert build_module.snapshot_date is snapshot_date  # the build's name still works


def test_data_date_from_the_last_commit(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    env = {
        "GIT_AUTHOR_DATE": "2024-02-29T23:30:00+00:00",
        "GIT_COMMITTER_DATE": "2024-02-29T23:30:00+00:00",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", "x"],
        check=True,
        env=env,
    )
    assert snapshot_date(tmp_path) == date(2024, 2, 29)  # the commit's date in UTC


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "9" * 30])
def test_data_date_outside_git_is_today(tmp_path, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH")
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert snapshot_date(tmp_path) in {datetime.now(UTC).date(), date.today()}


def test_the_check_keeps_the_data_date_on_the_graph(site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2025-05-01"))
    graph = site.result(RECORDS).graph
    assert graph.today == date(2025, 5, 1)
    assert dataclasses.replace(graph, pages={}).today == date(2025, 5, 1)


def test_a_patch_judges_time_as_the_full_check_did(site, monkeypatch):
    """``serve`` patches edits into a graph checked earlier: the rules re-run on a copy of the
    graph (``dataclasses.replace``), which keeps the date the check judged by."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2025-05-01"))
    root = site.write(NO_REPORT).resolve()
    state, problems = CheckState.from_check(check_files(root), root)
    assert state is not None and "report-window-passed" in codes(problems)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2025-04-01"))  # a later clock must not count
    path = root / PROJECT_PATH
    path.write_text(replace_line(PROJECT, "title:", "title: โครงการใหม่"), encoding="utf-8")
    patched = patch(state, [PROJECT_PATH])
    assert patched is not None
    assert "report-window-passed" in codes(patched.problems)
    assert [n.code for n in state.graph.projects[PROJECT_ID].notes] == ["report-window-passed"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2025-05-01"))
    assert patched.problems == check_site(root, workers=1).problems


# ---- rows ----------------------------------------------------------------------------------------

FUND_TWO_YEARS = FUND.replace(
    "finances:\n",
    "finances:\n  - fiscal_year: 2569\n    carried_forward: 191500.00\n"
    '    income: {nhso: "255,000"}\n    spent: 1000.5\n',  # written first, partly
)
SECOND_PROJECT_PATH = "content/projects/68-L5218-4-02.md"
SECOND_PROJECT = md(
    """
    id: 68-L5218-4-02
    title: โครงการที่ไม่รู้งบประมาณ
    fund: L5218
    issues: [alcohol]
    support_type: 4
    approved_on: 2024-11-22
    start: 2024-12-01
    end: 2025-02-28
    area: {province: สงขลา, district: ระโนด, subdistrict: คลองแดน}
    installments:
      - {start: 2024-12-01, report_end: 2025-03-15}
    status: approved
    """
)
PROGRAMME_PATH = "content/funds/ipp-psu.md"
PROGRAMME = md("id: ipp-psu\nkind: programme\nname: สนส. ม.อ.\narea: {province: สงขลา}")
MONEY_SITE = {
    **RECORDS,
    FUND_PATH: FUND_TWO_YEARS,
    SECOND_PROJECT_PATH: SECOND_PROJECT,
    PROGRAMME_PATH: PROGRAMME,
}


@pytest.fixture
def money_graph(site):
    result = site.result(MONEY_SITE)
    assert result.ok, describe(result.problems)
    return result.graph


def test_finance_rows_exact_in_year_order_unknown_empty(money_graph):
    rows = list(exports.finance_rows(money_graph.funds["L5218"]))
    assert [list(r) for r in rows] == [list(exports.FINANCES)] * 2
    assert rows == [
        {
            "fund": "L5218",
            "fiscal_year": 2568,
            "carried_forward": "120000.00",
            "income_nhso": "250000.00",
            "income_local": "100000.00",
            "income_other": "1500.00",
            "spent": "280000.00",
            "balance": "191500.00",
        },
        {
            "fund": "L5218",
            "fiscal_year": 2569,
            "carried_forward": "191500.00",
            "income_nhso": "255000.00",
            "income_local": "",  # not written: not stated, never 0
            "income_other": "",
            "spent": "1000.50",
            "balance": "",
        },
    ]
    assert list(exports.finance_rows(money_graph.funds["ipp-psu"])) == []


def test_finance_row_without_income(site):
    fund = replace_line(FUND, "    income:", "")
    fund = replace_line(fund, "    balance:", "")
    graph = site.result({**RECORDS, FUND_PATH: fund}).graph
    (row,) = exports.finance_rows(graph.funds["L5218"])
    assert (row["income_nhso"], row["income_local"], row["income_other"]) == ("", "", "")
    assert (row["carried_forward"], row["spent"], row["balance"]) == ("120000.00", "280000.00", "")


def test_installment_rows(money_graph):
    first = list(exports.installment_rows(money_graph.projects[PROJECT_ID]))
    assert [list(r) for r in first] == [list(exports.INSTALLMENTS)] * 2
    assert first == [
        {
            "project": PROJECT_ID,
            "number": 1,
            "fund": "L5218",
            "fiscal_year": 2568,
            "start": "2024-10-01",
            "end": "2025-03-31",
            "report_start": "2025-03-01",
            "report_end": "2025-04-15",
            "amount": "20000.00",
            "reports_in_window": 1,  # the report of 2025-03-01
        },
        {
            "project": PROJECT_ID,
            "number": 2,
            "fund": "L5218",
            "fiscal_year": 2568,
            "start": "2025-04-01",
            "end": "2025-09-30",
            "report_start": "",
            "report_end": "",
            "amount": "19918.00",
            "reports_in_window": "",  # no window
        },
    ]
    (row,) = exports.installment_rows(money_graph.projects["68-L5218-4-02"])
    assert (row["amount"], row["report_start"], row["reports_in_window"]) == ("", "", 0)


def test_project_row_returned(site):
    text = replace_line(PROJECT, "status:", "status: completed\nreturned: 1250.5")
    graph = site.result({**RECORDS, PROJECT_PATH: text}).graph
    row = exports.project_row(graph.projects[PROJECT_ID])
    assert row["returned"] == "1250.50"
    assert list(row)[-3:] == ["reports", "reported_spent", "returned"]
    record = exports.project_record(graph.projects[PROJECT_ID])
    assert record["returned"] == "1250.50"
    assert record["objectives"][0]["achieved"] is None
    graph = site.result(RECORDS).graph
    assert exports.project_row(graph.projects[PROJECT_ID])["returned"] == ""


def test_personal_data_in_returned_is_left_out(site):
    text = replace_line(PROJECT, "status:", 'status: completed\nreturned: "0812345678"')
    result = site.result({**RECORDS, PROJECT_PATH: text})
    p = only(result.problems, "personal-phone")
    assert (p.field, p.severity) == ("returned", "warning")
    assert result.graph.projects[PROJECT_ID].record.returned is None
    assert exports.project_row(result.graph.projects[PROJECT_ID])["returned"] == ""


def test_tables_and_their_dictionary():
    assert list(exports.TABLES) == [
        "funds",
        "finances",
        "plans",
        "projects",
        "installments",
        "objectives",
        "target_groups",
        "reports",
        "issues",
    ]
    for name, columns in (
        ("finances", exports.FINANCES),
        ("installments", exports.INSTALLMENTS),
    ):
        assert exports.TABLES[name].names == columns
    for table in exports.TABLES.values():  # the data page describes every column
        for column in table.columns:
            assert column.th and column.en, column.name
            assert all(column.meaning)
    projects = exports.TABLES["projects"]
    returned = projects.columns[projects.names.index("returned")]
    assert returned.meaning[0].endswith("(ว่าง = ไม่ระบุ)")


# ---- the files -----------------------------------------------------------------------------------


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_finances_and_installments_files(site, tmp_path):
    root = site.write(MONEY_SITE)
    out = tmp_path / "out"
    result = build(root, out, workers=1, index=False)
    assert result.ok, describe(result.problems)
    assert read(out / "data/finances.csv") == (
        "\ufefffund,fiscal_year,carried_forward,income_nhso,income_local,income_other,spent,"
        "balance\n"
        "L5218,2568,120000.00,250000.00,100000.00,1500.00,280000.00,191500.00\n"
        "L5218,2569,191500.00,255000.00,,,1000.50,\n"
    )
    assert read(out / "data/installments.csv") == (
        "\ufeffproject,number,fund,fiscal_year,start,end,report_start,report_end,amount,"
        "reports_in_window\n"
        "68-L5218-4-01,1,L5218,2568,2024-10-01,2025-03-31,2025-03-01,2025-04-15,20000.00,1\n"
        "68-L5218-4-01,2,L5218,2568,2025-04-01,2025-09-30,,,19918.00,\n"
        "68-L5218-4-02,1,L5218,2568,2024-12-01,,,2025-03-15,,0\n"
    )
    finances = json.loads(read(out / "data/finances.json"))
    assert finances[1] == {
        "balance": "",
        "carried_forward": "191500.00",
        "fiscal_year": 2569,
        "fund": "L5218",
        "income_local": "",
        "income_nhso": "255000.00",
        "income_other": "",
        "spent": "1000.50",
    }
    installments = json.loads(read(out / "data/installments.json"))
    assert [(r["project"], r["number"]) for r in installments] == [
        (PROJECT_ID, 1),
        (PROJECT_ID, 2),
        ("68-L5218-4-02", 1),
    ]
    projects = list(csv.DictReader(io.StringIO(read(out / "data/projects.csv").lstrip("\ufeff"))))
    assert [r["returned"] for r in projects] == ["", ""]
    assert {"data/finances.csv", "data/installments.json"} <= set(result_files(out))
    page = read(out / "data/index.html")
    assert "finances.csv" in page and "installments.csv" in page  # the data page lists them


def result_files(out: Path) -> list[str]:
    return [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]


def test_a_table_without_rows_still_has_its_header(site, tmp_path):
    fund = FUND[: FUND.index("finances:")] + "---\nกองทุน\n"
    project = PROJECT[: PROJECT.index("installments:")] + PROJECT[PROJECT.index("objectives:") :]
    root = site.write({**RECORDS, FUND_PATH: fund, PROJECT_PATH: project})
    out = tmp_path / "out"
    assert build(root, out, workers=1, index=False).ok
    assert read(out / "data/finances.csv") == "\ufeff" + ",".join(exports.FINANCES) + "\n"
    assert json.loads(read(out / "data/finances.json")) == []
    header = read(out / "data/installments.csv")
    assert header == "\ufeff" + ",".join(exports.INSTALLMENTS) + "\n"


# ---- fundsite new --------------------------------------------------------------------------------


def test_new_project_offers_returned_and_achieved(site):
    site.write(RECORDS)
    run = site.cli(
        "new",
        "project",
        "{site}",
        "--fund",
        "L5218",
        "--fiscal-year",
        "2568",
        "--support-type",
        "2",
        "--issue",
        "alcohol",
        "--title",
        "โครงการงานบุญปลอดเหล้า",
    )
    assert run.code == 0, run.err
    text = Path(run.out.strip()).read_text(encoding="utf-8")
    assert "\n# returned: 1250.00\n" in text
    assert "achieved:" in text
    problems = [p for p in check_site(site.root, workers=1).problems if p.severity == "error"]
    assert problems == [], describe(problems)


# ---- the synthetic portal ------------------------------------------------------------------------


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_synthetic_portal_is_deterministic(tmp_path):
    counts = write_site(tmp_path / "a", 240, seed=4, funds=40)
    assert write_site(tmp_path / "b", 240, seed=4, funds=40) == counts
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    write_site(tmp_path / "c", 240, seed=5, funds=40)
    assert files_of(tmp_path / "a") != files_of(tmp_path / "c")


def test_synthetic_portal_fills_the_money_fields(tmp_path, monkeypatch):
    write_site(tmp_path / "s", 600, seed=4, funds=60)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2026-01-01"))  # every period has ended
    result = check_site(tmp_path / "s", workers=1)
    assert result.ok, describe(p for p in result.problems if p.severity == "error")
    graph = result.graph
    funds = list(graph.funds.values())
    with_accounts = [f for f in funds if f.record.finances]
    assert 0.7 * len(funds) <= len(with_accounts) < len(funds)
    for fund in with_accounts:  # NHSO's ~45 baht a person, the council's 30–60 % of it
        for fin in fund.record.finances:
            per_person = fin.income.nhso / fund.record.population
            assert 40 < per_person < 50
            assert fin.income.nhso * 3 / 10 <= fin.income.local <= fin.income.nhso * 6 / 10
            assert fin.balance == fin.expected_balance >= 0
        years = sorted(fund.record.finances, key=lambda f: f.fiscal_year)
        assert all(a.balance == b.carried_forward for a, b in itertools.pairwise(years))
    projects = list(graph.projects.values())
    completed = [p for p in projects if p.record.status == "completed"]
    assert completed and all(p.reports for p in completed)
    assert 0 < sum(p.record.returned is not None for p in completed) < len(completed)
    assert (
        sum(o.achieved is not None for p in completed for o in p.record.objectives)
        > len(completed) / 2
    )
    assert not any(o.achieved for p in projects if not p.reports for o in p.record.objectives)
    assert 0 < sum(p.record.budget is None for p in projects) < len(projects) / 10
    statuses = {p.record.status for p in projects}
    assert {"completed", "approved", "in-progress", "cancelled", None} <= statuses
    windows = [i for p in projects for i in p.record.installments if i.report_end]
    assert len(windows) >= len(completed)
    # the new warnings: present, at a low rate
    found = codes(result.problems)
    for code in ("report-window-passed", "in-progress-after-end"):
        assert 0 < found.count(code) < len(projects) / 10, (code, found.count(code))
    assert found.count("returned-over-budget") < len(projects) / 50
