"""Judged Thai queries in the real search page: precision, recall, and the same results, in the
same order, from one index part, one part per health region or one per province."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml

from browser import serve
from conftest import example_plus_synthetic
from fundsite.build import build
from fundsite.index.records import SearchRecord, search_records
from fundsite.index.segment import segment

pytestmark = pytest.mark.browser
JUDGED = yaml.safe_load(
    (Path(__file__).parent / "fixtures/search_queries.yaml").read_text(encoding="utf-8")
)
LEVELS = ("all", "region", "province")


def relevant(query: str, record: SearchRecord) -> bool:
    """Each chunk of ``query`` stands whole in the record's indexed words: it starts and ends
    at their boundaries, whatever the query's own segmentation."""
    words = record.content.lower().split()
    text = "".join(words)
    bounds = {0}
    for word in words:
        bounds.add(max(bounds) + len(word))
    for chunk in query.replace('"', " ").split() if '"' not in query else [query.strip('"')]:
        needle = "".join(t for t in segment(chunk.lower()) if any(c.isalnum() for c in t))
        at = text.find(needle)
        while at >= 0 and not (at in bounds and at + len(needle) in bounds):
            at = text.find(needle, at + 1)
        if at < 0:
            return False
    return True


@dataclass
class Portal:
    url: str
    records: list[SearchRecord]
    queries: list[dict[str, Any]]
    parts: dict[str, int]


def _derived(records: list[SearchRecord]) -> list[dict[str, Any]]:
    """Queries taken from the synthetic records: area names, a fund's name, project codes."""
    by_kind: dict[str, list[SearchRecord]] = {}
    for r in records:
        by_kind.setdefault(r.meta["kind"], []).append(r)
    picks = [
        *[("อำเภอ", i) for i in (0, 3, 7)],
        *[("ตำบล", i) for i in (1, 5, 9, 13)],
        *[("กองทุน", i) for i in (6, 12)],
    ]
    out = [
        {"q": by_kind[kind][i % len(by_kind[kind])].meta["title"], "synthetic": True}
        for kind, i in picks
    ]
    projects = [r for r in by_kind["โครงการ"] if "L" in r.meta["code"] and "-" in r.meta["code"]]
    out += [{"q": p.meta["code"], "first": p.url, "synthetic": True} for p in projects[5:200:60]]
    return out


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    tmp = tmp_path_factory.mktemp("quality")
    source = example_plus_synthetic(tmp, projects=200, seed=18, funds=20)
    kept = None
    for level in LEVELS:
        result = build(
            source, tmp / "host" / level, workers=2, index=True, index_split=level, keep=True
        )
        assert result.ok
        kept = kept or result.kept
    assert kept is not None
    records = list(search_records(kept.job.graph, kept.job.plans))
    parts = {
        level: len(list((tmp / "host" / level / "pagefind").iterdir())) - 1 for level in LEVELS
    }
    assert parts["all"] == 1 and 3 <= parts["region"] < parts["province"], parts
    queries = [*JUDGED["example"], *JUDGED["synthetic"], *_derived(records)]
    with serve(tmp / "host") as url:
        yield Portal(url, records, queries, parts)


def _results(chromium: Any, base: str, queries: list[str]) -> dict[str, list[str]]:
    """Every result of each query, in order, through the search page's own code."""
    context = chromium.new_context()
    page = context.new_page()
    page.goto(base + "search/")
    page.wait_for_selector("#search-form[data-ready]", state="attached", timeout=20_000)
    found = page.evaluate(
        "async (qs) => { const out = {}; for (const q of qs) out[q] = await fundsiteSearch(q);"
        " return out; }",
        queries,
    )
    context.close()
    prefix = "/" + base.split("/", 3)[3]
    return {q: ["/" + unquote(u)[len(prefix) :] for u in urls] for q, urls in found.items()}


def test_judged_queries_precision_recall_and_split(chromium: Any, portal: Portal) -> None:
    queries = [j["q"] for j in portal.queries]
    assert len(queries) >= 60
    by_level = {level: _results(chromium, f"{portal.url}{level}/", queries) for level in LEVELS}
    for level in ("region", "province"):  # the same pages, in the same order, from any split
        differ = [q for q in queries if by_level[level][q] != by_level["all"][q]]
        assert not differ, (level, differ[:5])

    found = by_level["all"]
    hits = missed = wrong = 0
    problems = []
    for judged in portal.queries:
        q = judged["q"]
        truth = {r.url for r in portal.records if relevant(q, r)}
        got = found[q]
        hits += len(truth & set(got))
        missed += len(truth - set(got))
        wrong += len(set(got) - truth)
        if set(got) != truth:
            problems.append((q, sorted(truth - set(got))[:3], sorted(set(got) - truth)[:3]))
        if judged.get("none"):
            assert got == [], q
        for url in judged.get("expect", []):
            assert url in got, (q, url)
        for url in judged.get("exclude", []):
            assert url not in got, (q, url)
        if "first" in judged:
            assert got and got[0] == judged["first"], (q, got[:3])
    precision = hits / (hits + wrong)
    recall = hits / (hits + missed)
    print(
        f"\n{len(queries)} judged queries: {hits} relevant results found, {wrong} irrelevant,"
        f" {missed} missed; precision {precision:.2%}, recall {recall:.2%};"
        f" parts {portal.parts}"
    )
    assert recall == 1.0, problems
    assert precision >= 0.95, problems
