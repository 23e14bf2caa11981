"""Charts and maps (render/charts.py): structure a screen reader and a keyboard can use.

A bar chart is one table (label link, amount as text, a bar), never an image holding links and
never followed by a second table of the same numbers. A map is framed on its page's area, its
markers are big enough to tap, and every project on it is a link with a name in the numbered
list below; the map credits its data (ODbL).
"""

from __future__ import annotations

import math
import random
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from fundsite import geo
from fundsite.render import charts

# ---- bar charts ----------------------------------------------------------------------------------


def total(label: str, url: str | None, budget: str, count: int, **extra: Any) -> SimpleNamespace:
    return SimpleNamespace(label=label, url=url, budget=Decimal(budget), count=count, **extra)


def chart(totals: list[SimpleNamespace], **kw: Any) -> ET.Element:
    html = charts.bar_chart(
        totals, title=kw.pop("title", "งบประมาณตามประเด็น"), url=lambda t: "/" + t, **kw
    )
    return ET.fromstring(html)


def rows(table: ET.Element) -> list[ET.Element]:
    return table.findall("./tbody/tr")


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def bar_width(row: ET.Element) -> float | None:
    bar = row.find(".//span[@class='bar']")
    if bar is None:
        return None
    found = re.fullmatch(r"width:([\d.]+)%", bar.get("style", ""))
    assert found, bar.get("style")
    return float(found.group(1))


def test_chart_is_one_table_of_links_amounts_and_bars() -> None:
    table = chart(
        [
            total("การบริหารจัดการกองทุน", "issues/fund-admin/", "200918.00", 5),
            total("ผู้สูงอายุ", "issues/elderly/", "100459.00", 3),
        ],
        caption_id="cap-issue",
    )
    assert table.tag == "table" and table.get("class") == "chart-table"
    everything = list(table.iter())
    assert not any(e.get("role") == "img" for e in everything)
    assert not any(e.tag in ("svg", "figure", "table") for e in everything[1:])  # no 2nd table
    caption = table.find("caption")
    assert caption is not None and caption.get("id") == "cap-issue"
    assert caption.text == "งบประมาณตามประเด็น"
    first, second = rows(table)
    for row, (href, label, amount, count) in zip(
        (first, second),
        [
            ("/issues/fund-admin/", "การบริหารจัดการกองทุน", "200,918.00 บาท", "5 โครงการ"),
            ("/issues/elderly/", "ผู้สูงอายุ", "100,459.00 บาท", "3 โครงการ"),
        ],
        strict=True,
    ):
        header = row.find("th")
        assert header is not None and header.get("scope") == "row"
        link = header.find("a")
        assert link is not None and link.get("href") == href and link.text == label
        cell = row.find("td")
        assert cell is not None and amount in text(cell) and count in text(cell)
    assert bar_width(first) == 100
    assert bar_width(second) == pytest.approx(50, abs=0.1)  # to scale with the largest


def test_each_row_is_one_line_of_speech() -> None:
    """Amount and count are separated by a space, so a screen reader does not run them on."""
    html = charts.bar_chart([total("ก", "x/", "10", 2)], title="t", url=lambda t: t, caption_id="c")
    assert "10.00 บาท <span" in html


def test_unknown_amounts_are_said_in_words_never_drawn() -> None:
    table = chart(
        [
            total("ปี 2567", "years/2567/", "50000", 4, unknown=2),
            total("ปี 2568", "years/2568/", "0", 3, unknown=3),
            total("ปี 2569", "years/2569/", "0", 1, unknown=0),
        ]
    )
    some, none_stated, zero = rows(table)
    assert "50,000.00 บาท และไม่ระบุ 2 รายการ" in text(some)
    assert bar_width(some) == 100
    assert "ไม่ระบุ 3 รายการ" in text(none_stated)
    assert "0.00" not in text(none_stated)
    assert bar_width(none_stated) is None  # never a bar of 0
    assert "0.00 บาท" in text(zero) and bar_width(zero) is None
    assert "ไม่ระบุ" not in text(zero)


def test_english_labels_and_a_formatter() -> None:
    table = chart(
        [total("FY 2024", "years/2567/", "1234.5", 2, unknown=1)],
        lang="en",
        amount=lambda v: f"{v:,.0f} THB",
        count_label="plans",
    )
    line = text(rows(table)[0])
    assert "1,234 THB" in line and "and 1 not stated" in line and "2 plans" in line


def test_small_amounts_keep_a_visible_bar_and_rows_without_url_have_no_link() -> None:
    table = chart([total("ใหญ่", "a/", "1000000", 1), total("เล็ก", None, "1", 1)])
    small = rows(table)[1]
    assert bar_width(small) == 0.5
    assert small.find(".//a") is None and text(small.find("th")) == "เล็ก"  # type: ignore[arg-type]


def test_empty_totals_draw_nothing() -> None:
    assert charts.bar_chart([], title="t", url=lambda t: t) == ""


# ---- maps ---------------------------------------------------------------------------------------

#: Ranot district (9007) in Songkhla: the example portal's projects, spread along the coast.
RANOT = [(7.912, 100.319), (7.914, 100.322), (7.909, 100.317), (7.812, 100.318), (7.779, 100.322)]


def project(pid: str, title: str, location: tuple[float, float] | None, province: str = "90"):
    return SimpleNamespace(
        id=pid,
        record=SimpleNamespace(title=title, location=location),
        areas=[SimpleNamespace(province=province)],
    )


def projects_at(points: list[tuple[float, float]], province: str = "90") -> list[SimpleNamespace]:
    return [project(f"p{i}", f"โครงการที่ {i}", pt, province) for i, pt in enumerate(points)]


def draw(projects: list[Any], **kw: Any) -> ET.Element:
    html = charts.project_map(projects, url=lambda t: "/" + t, **kw)
    assert html
    return ET.fromstring(html)


def view_box(figure: ET.Element) -> tuple[float, float]:
    svg = figure.find(".//svg")
    assert svg is not None
    x, y, w, h = (float(v) for v in svg.get("viewBox", "").split())
    assert (x, y) == (0, 0)
    return w, h


def markers(figure: ET.Element) -> list[tuple[ET.Element, float, float]]:
    out = []
    for a in figure.findall(".//svg/a"):
        found = re.fullmatch(r"translate\(([-\d.]+) ([-\d.]+)\)", a.get("transform", ""))
        assert found, a.get("transform")
        out.append((a, float(found.group(1)), float(found.group(2))))
    return out


def legend_links(figure: ET.Element) -> list[ET.Element]:
    """The links of the list below the map (numbered, and those placed outside it)."""
    return figure.findall(".//div[@class='map-list']//a")


@pytest.mark.parametrize("level, code", [("district", "9007"), ("subdistrict", "900701")])
def test_a_district_map_is_framed_on_its_projects(level: str, code: str) -> None:
    figure = draw(projects_at(RANOT), frame=(level, code))
    width, height = view_box(figure)
    spots = [(x, y) for _, x, y in markers(figure)]
    assert len(spots) >= 2
    for x, y in spots:
        assert charts.R <= x <= width - charts.R and charts.R <= y <= height - charts.R
    xs, ys = [x for x, _ in spots], [y for _, y in spots]
    # spread over the frame, not crushed into a corner of the province
    assert max(ys) - min(ys) >= 0.4 * height
    middle_x, middle_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    assert abs(middle_x - width / 2) < 0.1 * width and abs(middle_y - height / 2) < 0.1 * height
    # the frame spans a district, not the province (Songkhla is ~180 km north to south)
    assert height / width < 1.3 and width / height < 1.7


def test_the_whole_province_map_of_old_would_crush_them() -> None:
    """What the frame is for: on the province's box the same dots fall within a few pixels."""
    proj = geo.frame(*geo.bbox("90"), width=360, pad=charts.PAD)
    ys = [proj(lat, lon)[1] for lat, lon in RANOT]
    assert max(ys) - min(ys) < 0.1 * proj.height


def test_one_project_alone_is_shown_in_its_surroundings() -> None:
    figure = draw(projects_at(RANOT[:1]), frame=("subdistrict", "900701"))
    width, height = view_box(figure)
    ((_, x, y),) = markers(figure)
    assert x == pytest.approx(width / 2, abs=1) and y == pytest.approx(height / 2, abs=1)
    min_lat, _, max_lat, _ = charts._points_box(RANOT[:1], charts.MIN_SPAN["subdistrict"])
    assert max_lat - min_lat == pytest.approx(charts.MIN_SPAN["subdistrict"])  # ~11 km, not 0


def test_province_and_country_frames() -> None:
    songkhla = draw(projects_at(RANOT), frame=("province", "90"))
    width, height = view_box(songkhla)
    min_lat, min_lon, max_lat, max_lon = geo.bbox("90")
    proj = geo.frame(min_lat, min_lon, max_lat, max_lon, width=int(width), pad=charts.PAD)
    assert proj.height == height
    corner = proj(max_lat, min_lon)
    assert corner == pytest.approx((charts.PAD, charts.PAD), abs=0.2)
    assert songkhla.find(".//svg/path[@class='here']") is not None  # the province stands out
    country = draw(projects_at(RANOT), frame="country")
    cw, ch = view_box(country)
    assert ch / cw > 1.5  # Thailand is tall
    assert len(markers(country)) == 1  # five projects 15 km apart are one marker here


def test_every_project_is_a_named_focusable_link_in_the_list() -> None:
    places = [*RANOT, (7.846, 98.338)]  # one far away, in Phuket
    items = projects_at(places)
    items[-1].areas = [SimpleNamespace(province="83")]
    figure = draw(items, frame=("district", "9007"))
    links = legend_links(figure)
    assert sorted(a.get("href") for a in links) == sorted(f"/projects/{p.id}/" for p in items)
    for a in links:
        assert (a.text or "").startswith("โครงการที่")  # the accessible name is the title
        assert a.get("tabindex") is None  # a tab stop
    legend = figure.find(".//ol[@class='map-legend']")
    assert legend is not None
    numbered = legend.findall("./li")
    assert len(numbered) == len(markers(figure))
    # the map itself is not an image holding links: hidden, its links are not tab stops
    svg = figure.find(".//svg")
    assert svg is not None and svg.get("aria-hidden") == "true" and svg.get("role") is None
    assert not any(e.get("role") == "img" for e in figure.iter())
    for n, (a, _, _) in enumerate(markers(figure), 1):
        assert a.get("tabindex") == "-1"
        assert a.findtext("text") == str(n)  # its number, as in the list
        href = a.get("href", "")
        if href.startswith("#"):  # a shared marker leads to its entry, which names them all
            entry = legend.find(f"./li[@id='{href[1:]}']")
            assert entry is not None and len(entry.findall(".//a")) >= 2
        else:
            assert numbered[n - 1].find("a").get("href") == href  # type: ignore[union-attr]
    # the Phuket project is outside a Ranot frame: listed apart, still a link
    off = figure.find(".//p[@class='map-off']")
    assert off is not None and off.find("a").get("href") == "/projects/p5/"  # type: ignore[union-attr]


def test_markers_are_big_enough_to_tap_and_never_overlap() -> None:
    rng = random.Random(7)
    points = [(rng.uniform(7.7, 8.0), rng.uniform(100.2, 100.45)) for _ in range(60)]
    figure = draw(projects_at(points), frame=("district", "9007"))
    width, _ = view_box(figure)
    found = markers(figure)
    for a, _, _ in found:
        r = float(a.findall("circle")[-1].get("r", 0))
        assert 2 * r * 358 / width >= 24  # drawn 358 px wide on a 390 px phone
    for i, (_, x1, y1) in enumerate(found):
        for _, x2, y2 in found[i + 1 :]:
            assert math.hypot(x1 - x2, y1 - y2) >= 2 * charts.R


def test_many_projects_stay_small() -> None:
    """A national home page: markers merged to a few dozen, the list names a bounded number."""
    rng = random.Random(3)
    provinces = geo.codes()
    points = []
    while len(points) < 3000:
        lat, lon = rng.uniform(5.7, 20.4), rng.uniform(97.4, 105.6)
        if geo.province_at(lat, lon) in provinces:
            points.append((lat, lon))
    html = charts.project_map(projects_at(points), url=lambda t: t, frame="country")
    figure = ET.fromstring(html)
    assert len(markers(figure)) <= charts.MAX_MARKERS
    assert len(legend_links(figure)) <= charts.MAX_LISTED
    for entry in figure.findall(".//ol[@class='map-legend']/li"):
        assert entry.findall(".//a")  # every marker names at least one of its projects
    assert "และอีก" in html
    assert len(html.encode()) < 60_000


def test_attribution_and_escaping() -> None:
    hostile = '"\'><x-inj onclick="1"></svg><script>alert(1)</script>&]]>'
    items = [project('x"<>', hostile, RANOT[0]), project("y", hostile * 2, RANOT[3])]
    html = charts.project_map(items, url=lambda t: t, title=hostile, frame=("district", "9007"))
    figure = ET.fromstring(html)
    tags = {e.tag for e in figure.iter()}
    assert not {"x-inj", "script"} & tags
    assert not any(name.startswith("on") for e in figure.iter() for name in e.attrib)
    assert {a.text for a in legend_links(figure)} == {hostile, hostile * 2}
    attribution = figure.find(".//p[@class='attribution']")
    assert attribution is not None and attribution.text == geo.attribution()
    assert "OpenStreetMap" in geo.attribution() and "ODbL" in geo.attribution()


def test_no_location_no_map_and_old_arguments_still_work() -> None:
    assert charts.project_map([project("a", "ก", None)], url=lambda t: t) == ""
    small = draw(projects_at(RANOT[:1]), title="แผนที่", width=240, whole_country=True)
    width, height = view_box(small)
    assert width == 240 and height > 400


def test_outlines_are_cut_to_the_frame() -> None:
    proj = geo.frame(7.75, 100.2, 7.95, 100.45, width=360, pad=17)
    paths = geo.svg_box(proj, tolerance_px=1.0)
    assert {code for code, _ in paths} <= {"80", "90", "93"}  # Songkhla and its neighbours
    for _, d in paths:
        for sub in re.findall(r"M([-\d.]+) ([-\d.]+)l([^z]*)z", d):
            x, y = float(sub[0]), float(sub[1])
            steps = [float(v) for v in re.findall(r"-?\d*\.?\d+", sub[2])]
            for i in range(0, len(steps), 2):
                x, y = x + steps[i], y + steps[i + 1]
                assert -1.2 <= x <= 361.2 and -1.2 <= y <= proj.height + 1.2
    inland = geo.frame(14.9, 101.9, 15.0, 102.0, width=360)  # Nakhon Ratchasima, far from borders
    ((code, d),) = geo.svg_box(inland)
    assert code == "30" and d.count("M") == 1  # the frame is land: one rectangle
