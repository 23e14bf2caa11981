"""The files of ``/admin/``: the editor's page, the vendored Decap CMS, the configuration.

``fundsite build`` writes them when ``data/site.yaml`` has ``cms:`` (:func:`admin_files`);
``fundsite serve`` answers the same paths from memory with its own backend
(:func:`admin_file`). Nothing here is part of a citizen's page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from fundsite.cms import config as cms_config
from fundsite.validate.graph import FundNode, SiteGraph

STATIC = Path(__file__).parent / "static"
VENDOR = Path(__file__).parent / "vendor" / "decap-cms"
#: The editor's own files, copied as they are.
PAGE_FILES = ("index.html", "admin.js", "admin.css")


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def refs_of(graph: SiteGraph) -> cms_config.Refs:
    return cms_config.Refs(issues={k: v.name for k, v in graph.issues.items()})


def needs_scope(graph: SiteGraph) -> bool:
    """Whether a browser would list too many records: then the editor asks for a fund."""
    largest = max(len(graph.funds), len(graph.plans), len(graph.projects), len(graph.reports))
    return largest > cms_config.SCOPE_ABOVE


def site_config(graph: SiteGraph, back: dict[str, Any], today: date) -> dict[str, Any]:
    """``config.json``: the whole editor, or (on a big site) the shared part only."""
    cms = graph.site.cms
    config = cms_config.decap_config(
        refs_of(graph),
        back,
        today=today,
        site_url=graph.site.base_url if graph.site.base_url != "/" else "",
        # Decap's gitea backend has no editorial workflow: it would refuse to start
        workflow=bool(cms and cms.editorial_workflow and back["name"] in ("github", "gitlab")),
    )
    if needs_scope(graph):
        config["collections"] = []
    return config


def fund_file(graph: SiteGraph, fund: FundNode) -> dict[str, Any]:
    """``funds/<id>.json``: one fund's records and choices."""
    plans = sorted(fund.plans, key=lambda p: p.id)
    projects = sorted(fund.projects, key=lambda p: p.id)
    reports = sorted((r for p in projects for r in p.reports), key=lambda r: r.path)
    return cms_config.fund_scope(
        fund.id,
        {p.id: p.record.title for p in plans},
        {p.id: p.record.title for p in projects},
        {
            "fund": [(fund.id, f"{fund.id} {fund.record.name}", fund.path)],
            "plan": [(p.id, f"{p.id} {p.record.title}", p.path) for p in plans],
            "project": [(p.id, f"{p.id} {p.record.title}", p.path) for p in projects],
            "report": [(r.id, f"{r.record.date} {r.record.title}", r.path) for r in reports],
        },
    )


def admin_paths(graph: SiteGraph, bundle: bool = True, config: bool = True) -> Iterator[str]:
    """The files of ``admin/``, relative to it: the page and the bundle (``bundle``: they only
    change with fundsite) and the configuration (``config``: it follows the records)."""
    if bundle:
        yield from PAGE_FILES
        yield from (f"decap-cms/{p.name}" for p in sorted(VENDOR.iterdir()) if _vendored(p))
    if config:
        yield from ("config.json", "fields.json")
        yield from (f"funds/{fund_id}.json" for fund_id in graph.funds)


def admin_files(
    graph: SiteGraph, back: dict[str, Any], today: date, bundle: bool = True, config: bool = True
) -> Iterator[tuple[str, bytes]]:
    """The files of ``admin/`` (:func:`admin_paths`) as (path relative to ``admin/``, bytes)."""
    for rel in admin_paths(graph, bundle, config):
        data = admin_file(graph, back, today, rel)
        assert data is not None
        yield rel, data


def _vendored(path: Path) -> bool:
    """The bundle's files a browser loads, and its licences (not SOURCE.md)."""
    return path.is_file() and (path.suffix in (".js", ".txt") or path.name == "LICENSE")


def admin_file(graph: SiteGraph, back: dict[str, Any], today: date, rel: str) -> bytes | None:
    """One file of ``admin/`` (``rel`` without the ``admin/`` prefix), or None."""
    if rel in ("", "index.html") or rel in PAGE_FILES:
        return (STATIC / (rel or "index.html")).read_bytes()
    if rel.startswith("decap-cms/"):
        name = rel.removeprefix("decap-cms/")
        path = VENDOR / name
        return path.read_bytes() if "/" not in name and _vendored(path) else None
    if rel == "config.json":
        return _json(site_config(graph, back, today))
    if rel == "fields.json":
        return _json(cms_config.scoped_fields(refs_of(graph)))
    if rel.startswith("funds/") and rel.endswith(".json"):
        fund = graph.funds.get(rel.removeprefix("funds/").removesuffix(".json"))
        return _json(fund_file(graph, fund)) if fund is not None else None
    return None
