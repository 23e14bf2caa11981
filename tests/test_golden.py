"""Golden pages: the mini fixture site's pages must render exactly as approved.

After an intended change to templates or views, regenerate with
``UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review the diff of ``tests/golden/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fundsite.build import build

MINI = Path(__file__).parent / "fixtures" / "mini"
GOLDEN = Path(__file__).parent / "golden"
PAGES = [
    "index.html",
    "funds/L9001/index.html",
    "projects/68-L9001-2-01/index.html",
    "reports/2025-02-10-home-visit/index.html",
    "districts/9007/index.html",
    "districts/9007/2567/index.html",  # a year with complete accounts: float-trap sums
    "districts/9007/funds-2568.csv",  # the comparison table, one fund without full accounts
    "subdistricts/900705/index.html",  # a project without a budget, accounts incomplete
    "provinces/90/index.html",
    "years/2568/index.html",
    "plans/L9001-2568-elderly/index.html",  # planned 50,000, approved 30,000: unallocated
    "projects/67-L9002-1-01/index.html",  # completed: budget, returned, not yet reported
    "districts/9007/index.json",
    "issues/elderly/index.html",
    "projects/68-L9001-2-01/index.json",
    "data/projects.csv",
    "funds/L9001/feed.xml",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "build"
    assert build(MINI, out, workers=1, index=False).ok
    return out


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(built: Path, page: str) -> None:
    actual = (built / page).read_text(encoding="utf-8")
    golden = GOLDEN / page
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden file for {page}: run with UPDATE_GOLDEN=1"
    assert actual == golden.read_text(encoding="utf-8"), f"{page} differs from tests/golden/"
