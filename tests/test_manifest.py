"""The build manifest reads back as it was saved: one row a page and one a record, a page's
files named beside its folder (or from the top after a ``/``)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import RECORDS, make_site
from fundsite.build import build
from fundsite.write import manifest


def test_a_saved_manifest_loads_as_it_was(tmp_path: Path) -> None:
    site, out = make_site(tmp_path / "site", dict(RECORDS)), tmp_path / "out"
    assert build(site, out, workers=1, index=False).ok
    built = manifest.load(site, out)
    assert built is not None and built.pages and built.files and built.records and built.placed
    made = manifest.Manifest(
        global_digest="g",
        pages={"index.html": "f1", "funds/L1/index.html": "f2", "gone.html": "f3"},
        files={
            "index.html": ["index.html", "index.json", "feed.xml"],
            "funds/L1/index.html": ["funds/L1/index.html", "funds/L1/x.csv", "data/L1.json"],
            "only-files.html": ["only-files.html"],
        },
        parts={"funds/L1/index.html": "region-12", "only-part.html": "all"},
        searched={"funds/L1/index.html": "s1"},
        indexed=True,
        open_data=False,
        records={"content/funds/L1.md": "d1", "content/projects/p.md": "d2"},
        placed={"content/funds/L1.md": "p1"},
        data_date="2025-04-01",
    )
    for m in (built, made):
        manifest.save(site, out, m)
        assert manifest.load(site, out) == m
    stored = json.loads(manifest.manifest_path(site, out).read_text(encoding="utf-8"))
    fingerprint, part, which, digest = stored["pages"]["funds/L1/index.html"]
    assert (fingerprint, part, digest) == ("f2", "region-12", "s1")
    assert stored["files"][which] == ["index.html", "x.csv", "/data/L1.json"]
    assert stored["files"][stored["pages"]["gone.html"][2]] == []


def test_pages_whose_file_names_are_alike_share_one_list(tmp_path: Path) -> None:
    """Most pages write the same names beside their folders: each list is stored once, the
    pages name it, and each reads back its own paths."""
    site, out = Path(__file__).parent / "fixtures" / "mini", tmp_path / "out"
    assert build(site, out, workers=1, index=False).ok
    built = manifest.load(site, out)
    assert built is not None
    stored = json.loads(manifest.manifest_path(site, out).read_text(encoding="utf-8"))
    assert len({json.dumps(names) for names in stored["files"]}) == len(stored["files"])
    projects = [p for p in built.pages if p.startswith("projects/") and p.count("/") == 2]
    assert len({stored["pages"][page][2] for page in projects}) < len(projects)
    for page in projects:
        folder = page.removesuffix("index.html")
        assert built.files[page] and all(f.startswith(folder) for f in built.files[page])
    # carried over without reading, then saved again: the same paths
    kept = built.files.kept([projects[0], "not-a-page.html"])
    assert list(kept) == [projects[0]] and kept[projects[0]] == built.files[projects[0]]
