"""Build only what the search page needs, for measuring search at national scale without
rendering every page: the search page, the static files, the place names and the index.

Usage: ``python benchmarks/build_search_only.py SITE OUT [--split all|region|province]``.
Then ``python benchmarks/bench_search_cost.py OUT``. Prints the time of each step. The pages
that results link to are not written (a result's link would answer 404); the search page, its
requests and the index are exactly what ``fundsite build`` writes.
"""

from __future__ import annotations

import argparse
import shutil
import time
from datetime import date
from pathlib import Path

from fundsite.build import _environment, _render_one
from fundsite.index import prepare_index, run_index
from fundsite.plan import plan_site
from fundsite.render.engine import theme_dir
from fundsite.validate import check_site
from fundsite.write import outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--split", choices=("all", "region", "province"), default=None)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args()
    t0 = time.perf_counter()
    graph = check_site(args.site).graph
    assert graph is not None, "the site has errors"
    plans = plan_site(graph)
    t1 = time.perf_counter()
    print(f"check and plan: {t1 - t0:.1f} s, {sum(p.searchable for p in plans):,} searchable")
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    theme = theme_dir(args.site.resolve(), graph.site.theme)
    base_url = graph.site.base_url.rstrip("/") + "/"
    env = _environment(theme, graph, base_url)
    search = next(p for p in plans if p.path == "search/index.html")
    _render_one(env, graph, search, args.out, base_url, date.today())
    outputs.copy_tree(theme / "static", args.out / "static")
    work = prepare_index(graph, plans, args.out, workers=args.jobs, level=args.split)
    t2 = time.perf_counter()
    print(f"search page and indexer pages: {t2 - t1:.1f} s ({len(work.parts)} parts)")
    del graph, plans
    run_index(work, args.out, print, workers=args.jobs)
    print(f"pagefind: {time.perf_counter() - t2:.1f} s")


if __name__ == "__main__":
    main()
