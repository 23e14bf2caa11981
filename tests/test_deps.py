"""The page dependencies of incremental builds: :func:`deps.readers` inverts :func:`deps.inputs`."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import example_plus_synthetic
from fundsite.plan import deps, plan_site
from fundsite.validate import check_site

REPO = Path(__file__).parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))


def test_readers_narrowed_or_not_include_every_page_showing_a_record(tmp_path: Path) -> None:
    # several pages of every listing; funds of ten projects, as a fund is a small part of a
    # real portal (each page of a year of an issue or area shows its funds' names)
    root = example_plus_synthetic(tmp_path, 300, seed=3, funds=30)
    graph = check_site(root).graph
    assert graph is not None
    plans = plan_site(graph)
    portal_lists = [p for p in plans if p.make.__name__ == "records_list" and p.args[0] == "all"]
    assert portal_lists  # the lists of the portal's years are named by year too
    shown_by: dict[int, set[str]] = {}
    for plan in plans:
        nodes = deps.inputs(graph, plan)
        if nodes is None:  # pages that show every record: readers() always gives them
            shown_by.setdefault(0, set()).add(plan.path)
            continue
        for node in nodes:
            shown_by.setdefault(id(node), set()).add(plan.path)
    nodes = [n for n in graph.all_nodes() if n.kind != "page"]
    assert len(nodes) > 300
    narrower = fewer_lists = 0
    for node in nodes:
        readers = deps.readers(graph, plans, [node])
        found = {plan.path for plan in readers}
        missing = (shown_by.get(id(node), set()) | shown_by[0]) - found
        assert not missing, f"{node.path}: readers() misses {sorted(missing)[:5]}"
        narrower += len(found) < len(plans) // 4
        if node.kind == "fund":
            assert deps.narrowed(graph, readers, [node]) is readers  # funds are listed by name
            continue
        # when no list's rows moved, the list pages kept are those with a row reading it
        kept = {plan.path for plan in deps.narrowed(graph, readers, [node])}
        missing = shown_by.get(id(node), set()) - kept
        assert not missing, f"{node.path}: narrowed() misses {sorted(missing)[:5]}"
        assert kept <= found
        fewer_lists += len(kept) < len(found)
    assert narrower == len(nodes)  # and it is not simply every page
    assert fewer_lists > len(nodes) // 2  # nor, narrowed, every list page of a year


def test_a_years_counts_are_the_lengths_of_its_lists(tmp_path: Path) -> None:
    """Planning counts a scope's records by year without summing money; the counts are the
    lengths of the lists the pages show, for every scope and year."""
    from fundsite.plan.scopes import WHAT, Scope, scope_years

    root = example_plus_synthetic(tmp_path, 120, seed=4, funds=12)
    graph = check_site(root).graph
    assert graph is not None
    scopes = [Scope("all", None), *(Scope("fund", f) for f in graph.funds)]
    scopes += [Scope("issue", i) for i in graph.issues]
    scopes += [Scope("province", k) for k in graph.keys("projects", "province")]
    checked = 0
    for scope in scopes:
        years = scope_years(graph, scope)
        for fy in years.years:
            for what in WHAT:
                assert years.count(fy, what) == len(years.listed(fy, what)), (scope, fy, what)
                checked += 1
    assert checked > 100
