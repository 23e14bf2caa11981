"""End to end: charts and maps of the example portal on a 390 px phone and a 1280 px desktop.

No sideways scrolling, amounts on screen, map markers big enough to tap, the map's links
reached with Tab, and axe-core (the ``axe-playwright-python`` package, which bundles it) finding
no critical or serious violation in the chart and map markup. What axe finds elsewhere on the
pages is printed (``-s`` shows it), not failed on: it belongs to other parts of the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import serve
from fundsite.build import build

REPO = Path(__file__).parent.parent
pytestmark = pytest.mark.browser

#: Home (the country), a district and a sub-district: the pages whose maps the issue was about.
PAGES = {"home": "", "district": "districts/9007/", "subdistrict": "subdistricts/900701/"}
#: Every kind of page that draws a chart or a map, for axe.
AXE_PAGES = {
    **PAGES,
    "province": "provinces/90/",
    "region": "regions/12/",
    "fund": "funds/L5218/",
    "issue": "issues/alcohol/",
    "year": "years/2568/",
    "project": "projects/68-L5218-4-01/",
}
MINE = (".chart-table", ".map-figure")
SERIOUS = {"critical", "serious"}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("charts") / "build"
    assert build(REPO, out, workers=2, index=False).ok
    with serve(out) as url:
        yield url


@pytest.fixture(scope="module")
def axe() -> Any:
    module = pytest.importorskip("axe_playwright_python.sync_playwright")
    return module.Axe()


def tab(chromium: Any, width: int) -> Any:
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="th-TH")
    return context.new_page()


@pytest.mark.parametrize("name", PAGES)
def test_phone_charts_and_maps(chromium: Any, site_url: str, name: str) -> None:
    page = tab(chromium, 390)
    try:
        page.goto(site_url + PAGES[name])
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        amounts = page.locator(".chart-table td")
        assert amounts.count() >= 1
        for i in range(amounts.count()):
            box = amounts.nth(i).bounding_box()
            assert box and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= 390
        dots = page.locator("svg.map a > circle:last-of-type")
        assert dots.count() >= 1
        for i in range(dots.count()):
            box = dots.nth(i).bounding_box()
            assert box and box["width"] >= 24 and box["height"] >= 24, (name, box)
        map_box = page.locator("svg.map").bounding_box()
        assert map_box and map_box["x"] + map_box["width"] <= 390
        # Tab from the top of the page reaches the map's links (and never a marker inside it)
        links = page.locator(".map-legend a").count()
        assert links >= 1
        reached = False
        for _ in range(400):
            page.keyboard.press("Tab")
            where = page.evaluate(
                "(() => { const e = document.activeElement;"
                " return e.closest('svg') ? 'svg' : e.closest('.map-legend') ? 'legend' : '' })()"
            )
            assert where != "svg"
            if where == "legend":
                reached = True
                break
        assert reached, f"Tab never reached the map's list on {name}"
        name_of = page.evaluate("document.activeElement.textContent.trim()")
        assert name_of  # the link says which project it is
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_nothing_serious_in_charts_and_maps(
    chromium: Any, site_url: str, axe: Any, width: int
) -> None:
    page = tab(chromium, width)
    failures, elsewhere = [], []
    try:
        for name, path in AXE_PAGES.items():
            page.goto(site_url + path)
            present = [s for s in MINE if page.locator(s).count()]
            if present:
                mine = axe.run(page, context={"include": present}).response["violations"]
                failures += [
                    f"{name}: {v['id']} ({v['impact']}) × {len(v['nodes'])}"
                    for v in mine
                    if v["impact"] in SERIOUS
                ]
            for v in axe.run(page).response["violations"]:
                nodes = [n for n in v["nodes"] if not _inside(page, n["target"])]
                if nodes:
                    targets = ", ".join(str(n["target"][0]) for n in nodes[:3])
                    elsewhere.append(
                        f"{width}px {name}: {v['id']} ({v['impact']}) × {len(nodes)}: {targets}"
                    )
    finally:
        page.context.close()
    if elsewhere:  # a diagnostic, not a failure: these are not the charts' or the maps'
        print("\naxe, outside the charts and maps:\n  " + "\n  ".join(elsewhere))
    assert not failures, failures


def _inside(page: Any, target: list[Any]) -> bool:
    selector = target[0] if isinstance(target[0], str) else target[0][0]
    return page.evaluate(
        "([s, mine]) => { const e = document.querySelector(s); return !!(e && e.closest(mine)); }",
        [selector, ", ".join(MINE)],
    )
