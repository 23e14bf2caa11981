"""The search index's parts: how a site is split, and which parts an edit indexes again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fundsite.index import build_index, prepare_index, run_index, split_level
from fundsite.index.places import name_key, write_places
from fundsite.plan import plan_site
from fundsite.validate import check_site

REPO = Path(__file__).parent.parent


def test_split_level_grows_with_the_site() -> None:
    assert split_level(19_999) == "all"
    assert split_level(20_000) == "region"
    assert split_level(199_999) == "region"
    assert split_level(200_000) == "province"


@pytest.fixture(scope="module")
def portal() -> tuple:
    graph = check_site(REPO).graph
    assert graph is not None
    return graph, plan_site(graph)


def test_province_parts_hold_every_searchable_page_once(portal: tuple, tmp_path: Path) -> None:
    graph, plans = portal
    parts = build_index(graph, plans, tmp_path, split_at=1, province_at=1)
    kinds = {"fund", "plan", "project", "report", "area", "issue", "free_page"}
    assert set(parts) == {p.path for p in plans if p.searchable and p.make.__name__ in kinds}
    names = json.loads((tmp_path / "pagefind/parts.json").read_text())
    assert names == sorted(set(parts.values()))
    assert any(n.startswith("province-") for n in names)
    for name in names:
        assert (tmp_path / "pagefind" / name / "pagefind-entry.json").is_file()
    # a project in one province is in that province's part
    project = next(n for n in graph.projects.values() if len({a.province for a in n.areas}) == 1)
    assert parts[f"projects/{project.id}/index.html"] == f"province-{project.areas[0].province}"
    # funds, areas, issues and free pages are the directory a national query searches first
    for kind in ("fund", "area", "issue", "free_page"):
        assert {parts[p.path] for p in plans if p.make.__name__ == kind and p.searchable} == {
            "directory"
        }
    # a project of no single province falls back to its region or "common"
    spread = {
        p.path
        for p in plans
        if p.make.__name__ == "project"
        and len({a.province for a in graph.projects[p.args[0]].areas}) != 1
    }
    assert spread and all(parts[p].startswith(("region-", "common")) for p in spread)


def test_place_names_lead_to_their_pages(portal: tuple, tmp_path: Path) -> None:
    graph, plans = portal
    assert write_places(graph, [p for p in plans if p.searchable], tmp_path) > 20
    ra = json.loads((tmp_path / f"search/places/{ord('ร'):x}.json").read_text(encoding="utf-8"))
    assert ra[name_key("ระโนด")] == [
        ["ระโนด", "อำเภอ", "จ.สงขลา", "districts/9007/"],
        ["ระโนด", "ตำบล", "อ.ระโนด จ.สงขลา", "subdistricts/900701/"],
    ]
    r = json.loads((tmp_path / "search/places/72.json").read_text(encoding="utf-8"))
    assert ["Ranot", "อำเภอ", "จ.สงขลา", "districts/9007/"] in r["ranot"]
    issues = json.loads((tmp_path / f"search/places/{ord('ผ'):x}.json").read_text("utf-8"))
    assert issues[name_key("ผู้สูงอายุ")] == [["ผู้สูงอายุ", "ประเด็น", "", "issues/elderly/"]]
    assert name_key("ภูเก็ต") == "ภูเก็ต" and name_key("Ko Samui") == "kosamui"


def test_an_edit_indexes_again_only_its_part(portal: tuple, tmp_path: Path) -> None:
    graph, plans = portal
    full = build_index(graph, plans, tmp_path, split_at=1, province_at=1)
    project = next(p for p in plans if p.make.__name__ == "project")
    mine = full[project.path]
    entries = {n: (tmp_path / "pagefind" / n / "pagefind-entry.json") for n in set(full.values())}
    for entry in entries.values():
        entry.write_text(entry.read_text() + " ")  # marks: a part indexed again loses it
    said: list[str] = []
    again = build_index(
        graph, plans, tmp_path, said.append, 1, 1, previous=full, changed={project.path}
    )
    assert again == full
    rewritten = {n for n, e in entries.items() if not e.read_text().endswith(" ")}
    assert rewritten == {mine}
    records = list(full.values()).count(mine)
    assert said == [f"index: {records} records in 1 of {len(entries)} parts"]


def test_a_page_that_reads_the_same_leaves_its_part_alone(portal: tuple, tmp_path: Path) -> None:
    """Given what Pagefind read of each page, a re-rendered page whose indexer page is the
    same (a fund page after one of its projects was renamed) indexes nothing again; a page
    that reads otherwise indexes its own part only."""
    graph, plans = portal
    first = prepare_index(graph, plans, tmp_path, split_at=1, province_at=1)
    run_index(first, tmp_path)
    fund = next(p for p in plans if p.make.__name__ == "fund")
    project = next(p for p in plans if p.make.__name__ == "project")
    assert first.part_of_page[fund.path] == "directory"
    assert set(first.searched) == set(first.part_of_page)

    def again(changed: set[str], searched: dict[str, str]) -> list[str]:
        work = prepare_index(
            graph, plans, tmp_path, 1, 1, first.part_of_page, changed, searched=searched
        )
        run_index(work, tmp_path)
        assert work.part_of_page == first.part_of_page
        if searched:  # the digests of the pages not read again are carried over
            assert work.searched == first.searched
        return work.todo

    assert again({fund.path, project.path}, first.searched) == []
    differs = {**first.searched, project.path: "another title"}
    assert again({fund.path, project.path}, differs) == [first.part_of_page[project.path]]
    # without digests (a manifest of before), every changed page's part
    assert sorted(again({fund.path, project.path}, {})) == sorted(
        {"directory", first.part_of_page[project.path]}
    )
