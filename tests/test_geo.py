"""Province shapes: point lookup, tolerance, the data file and the SVG map (fundsite.geo)."""

from __future__ import annotations

import itertools
import json
import math
import re
from importlib import resources

import geothai
import pytest

import fundsite.geo as geo
from fundsite.geo.make_provinces import _name_index, build, code_of, normalise


@pytest.mark.parametrize(
    ("place", "lat", "lon", "code"),
    [
        ("Hat Yai", 7.006, 100.47, "90"),  # สงขลา
        ("Phuket town", 7.88, 98.39, "83"),
        ("Bangkok", 13.75, 100.5, "10"),
        ("Chiang Mai", 18.79, 98.98, "50"),
        ("Surat Thani", 9.14, 99.33, "84"),
        ("Ko Samui, Nathon", 9.535, 99.935, "84"),
        ("Ko Lipe", 6.4895, 99.3025, "91"),
        ("Nong Khai", 17.8783, 102.742, "43"),
        ("Bueng Kan", 18.3609, 103.6466, "38"),
        ("Betong", 5.773, 101.0727, "95"),
        ("Mae Sai", 20.4335, 99.8762, "57"),
        ("Ubon Ratchathani", 15.2287, 104.8564, "34"),
    ],
)
def test_known_points(place: str, lat: float, lon: float, code: str) -> None:
    assert geo.province_at(lat, lon) == code, place
    assert geo.contains(code, lat, lon, tolerance_km=0)
    assert geo.distance_km(code, lat, lon) == 0.0
    assert geo.in_thailand(lat, lon)


@pytest.mark.parametrize(
    ("place", "lat", "lon"),
    [
        ("Kuala Lumpur", 3.14, 101.69),
        ("Gulf of Thailand", 10.5, 101.0),
        ("Andaman Sea", 8.0, 97.5),
        ("Vientiane, 10 km from the Mekong", 18.05, 102.65),
        ("Yangon", 16.8, 96.15),
        ("Phnom Penh", 11.56, 104.92),
    ],
)
def test_points_outside_thailand(place: str, lat: float, lon: float) -> None:
    assert geo.province_at(lat, lon) is None, place
    assert not geo.in_thailand(lat, lon)
    assert not geo.in_thailand(lat, lon, tolerance_km=2.0)


def test_contains_tolerates_a_coast_point_in_the_sea() -> None:
    lat, lon = 7.19, 100.63  # about 1.2 km off Songkhla's beach
    assert geo.province_at(lat, lon) is None
    assert 1.0 < geo.distance_km("90", lat, lon) < 1.5
    assert geo.contains("90", lat, lon)  # default tolerance 2 km
    assert not geo.contains("90", lat, lon, tolerance_km=1.0)
    assert not geo.contains("90", lat, lon, tolerance_km=0)
    assert not geo.in_thailand(lat, lon)
    assert geo.in_thailand(lat, lon, tolerance_km=2.0)
    far = (7.19, 100.65)  # about 3 km out
    assert not geo.contains("90", *far)
    assert geo.contains("90", *far, tolerance_km=5)


def test_contains_tolerates_a_point_just_across_a_border() -> None:
    lat, lon = 6.8, 100.2  # in Songkhla, ~0.7 km from Satun
    assert geo.province_at(lat, lon) == "90"
    assert geo.contains("90", lat, lon, tolerance_km=0)
    assert geo.contains("91", lat, lon)
    assert not geo.contains("91", lat, lon, tolerance_km=0.5)
    assert not geo.contains("91", 7.006, 100.47)  # Hat Yai is far from Satun
    assert not geo.contains("50", 7.006, 100.47)  # and from Chiang Mai (bbox shortcut)


def test_invalid_input() -> None:
    for lat, lon in [(math.nan, 100.0), (13.75, math.inf), (math.nan, math.nan)]:
        assert geo.province_at(lat, lon) is None
        assert not geo.contains("10", lat, lon)
        assert not geo.in_thailand(lat, lon)
    for call in (
        lambda: geo.bbox("99"),
        lambda: geo.contains("1", 13.75, 100.5),
        lambda: geo.distance_km("xx", 13.75, 100.5),
        lambda: geo.svg_paths(["10", "00"]),
    ):
        with pytest.raises(KeyError):
            call()


def test_every_geothai_province_has_a_shape() -> None:
    wanted = sorted(p.code for p in geothai.provinces())
    assert len(wanted) == 77
    assert geo.codes() == wanted
    for code in wanted:
        min_lat, min_lon, max_lat, max_lon = geo.bbox(code)
        assert 5.5 < min_lat < max_lat < 20.5 and 97.3 < min_lon < max_lon < 105.7, code
        # Some point of a grid over the bounding box lies in the province and is found there.
        found = False
        for i in range(1, 12):
            for j in range(1, 12):
                lat = min_lat + (max_lat - min_lat) * i / 12
                lon = min_lon + (max_lon - min_lon) * j / 12
                if geo.province_at(lat, lon) == code:
                    found = True
                    break
            if found:
                break
        assert found, code


def test_data_file_is_compact_and_attributed() -> None:
    path = resources.files("fundsite.geo").joinpath("provinces.json")
    raw = path.read_bytes()
    assert len(raw) <= 300_000
    doc = json.loads(raw)
    assert "ODbL" in doc["licence"] and "OpenStreetMap" in doc["attribution"]
    assert "OpenStreetMap" in geo.attribution() and "ODbL" in geo.attribution()
    assert set(doc["provinces"]) == {p.code for p in geothai.provinces()}
    for code, p in doc["provinces"].items():
        assert p["name_th"] == geothai.province(code).name_th
        for poly in p["coordinates"]:
            for ring in poly:
                assert ring[0] == ring[-1] and len(ring) >= 4
                assert all(len(str(v).split(".")[-1]) <= 3 for q in ring[:20] for v in q)


_PATH = re.compile(r"^(M[-\d. ]+l[-\d. ]+z)+$")
_NUM = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")


def _absolute_points(d: str) -> list[tuple[float, float]]:
    """Absolute vertices of a path made of ``M x y l dx dy ... z`` subpaths."""
    points = []
    for sub in re.findall(r"M([^l]*)l([^z]*)z", d):
        start = [float(v) for v in _NUM.findall(sub[0])]
        deltas = [float(v) for v in _NUM.findall(sub[1])]
        assert len(start) == 2 and len(deltas) % 2 == 0
        x, y = start
        points.append((x, y))
        for dx, dy in zip(deltas[::2], deltas[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
    return points


def test_svg_paths_of_all_provinces_fit_the_width() -> None:
    paths, project = geo.svg_paths(width=400)
    assert [c for c, _ in paths] == geo.codes()
    assert project.width == 400 and 600 < project.height < 800  # Thailand is tall
    total = 0
    for code, d in paths:
        assert _PATH.match(d), code
        assert not re.search(r"\d\.\d\d", d), code  # at most one decimal
        pts = _absolute_points(d)
        assert len(pts) >= 3
        assert all(-0.2 <= x <= 400.2 and -0.2 <= y <= project.height + 0.2 for x, y in pts)
        total += len(d)
    assert total < 60_000  # small enough to inline in a page
    xs = [x for _, d in paths for x, _ in _absolute_points(d)]
    assert min(xs) < 1 and max(xs) > 399  # fitted to the full width

    # The projection places a dot inside its province's drawing.
    x, y = project(13.75, 100.5)
    bangkok = _absolute_points(dict(paths)["10"])
    assert min(p[0] for p in bangkok) < x < max(p[0] for p in bangkok)
    assert min(p[1] for p in bangkok) < y < max(p[1] for p in bangkok)
    assert project(20.0, 100.0)[1] < project(7.0, 100.5)[1]  # north is up


def test_svg_paths_of_a_region_are_fitted_to_it() -> None:
    south = ["90", "91", "94", "95", "96"]
    paths, project = geo.svg_paths(south, width=300)
    assert [c for c, _ in paths] == south
    pts = [p for _, d in paths for p in _absolute_points(d)]
    assert min(x for x, _ in pts) < 1 and max(x for x, _ in pts) > 299
    assert min(y for _, y in pts) < 1 and max(y for _, y in pts) > project.height - 1
    x, y = project(7.006, 100.47)  # Hat Yai
    assert 0 < x < 300 and 0 < y < project.height
    empty, proj_all = geo.svg_paths([], width=200)
    assert empty == [] and proj_all.width == 200


def test_svg_shared_borders_are_drawn_identically() -> None:
    paths, _ = geo.svg_paths(["10", "11", "12", "13"], width=400)
    edges: dict[tuple[tuple[float, float], tuple[float, float]], int] = {}
    for _, d in paths:
        pts = _absolute_points(d)
        for a, b in itertools.pairwise(pts):
            key = (min(a, b), max(a, b))
            key = (tuple(round(v, 1) for v in key[0]), tuple(round(v, 1) for v in key[1]))
            edges[key] = edges.get(key, 0) + 1
    shared = sum(1 for n in edges.values() if n == 2)
    assert shared > 20  # Bangkok's borders with its neighbours appear in both drawings


def test_simplify_shared_keeps_a_common_border_identical() -> None:
    wiggle = [(1.0, y / 10 + (0.01 if y % 2 else 0.0)) for y in range(11)]  # x = 1 ± noise
    left = [(0.0, 0.0), *wiggle, (0.0, 1.0), (0.0, 0.0)]
    right = [(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), *reversed(wiggle)]
    out = geo.simplify_shared({"L": left, "R": right}, tolerance=0.05)
    border_l = [p for p in out["L"] if p[0] >= 0.99]
    border_r = [p for p in out["R"] if p[0] <= 1.01]
    assert sorted(border_l) == sorted(border_r)
    assert len(border_l) < len(wiggle)  # and it was simplified
    assert out["L"][0] == out["L"][-1] and out["R"][0] == out["R"][-1]
    islet = [(5.0, 5.0), (5.001, 5.0), (5.001, 5.001), (5.0, 5.0)]
    assert len(set(geo.simplify_shared({"i": islet}, tolerance=1.0)["i"])) == 3  # kept


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Phangnga Province", "82"),
        ("Phang Nga", "82"),
        ("Bueng Kan Province", "38"),
        ("Bungkan", "38"),
        ("บึงกาฬ", "38"),
        ("จังหวัดบึงกาฬ", "38"),
        ("Lopburi", "16"),
        ("Lop Buri", "16"),
        ("Buriram", "31"),
        ("Buri Ram Province", "31"),
        ("Chonburi", "20"),
        ("Si Sa Ket", "33"),
        ("Sisaket", "33"),
        ("Bangkok Metropolis", "10"),
        ("Kalasin", "46"),
    ],
)
def test_province_names_map_to_dopa_codes(name: str, code: str) -> None:
    assert _name_index()[normalise(name)] == code
    assert code_of({"shapeName": name}, _name_index()) == code


def test_code_of_checks_the_iso_code_against_the_name() -> None:
    index = _name_index()
    assert code_of({"shapeISO": "TH-90", "shapeName": "Songkhla Province"}, index) == "90"
    assert code_of({"shapeISO": "TH-38"}, index) == "38"
    with pytest.raises(ValueError):
        code_of({"shapeISO": "TH-90", "shapeName": "Satun Province"}, index)
    with pytest.raises(ValueError):
        code_of({"shapeName": "Atlantis"}, index)


def test_build_writes_closed_rounded_polygons() -> None:
    square = [(100.0, 13.0), (100.5, 13.0), (100.5, 13.5), (100.0, 13.5), (100.0, 13.0)]
    doc = build({"10": [[square]]}, tolerance_km=0.3, decimals=3)
    p = doc["provinces"]["10"]
    assert p["name_en"] == "Bangkok" and p["bbox"] == [13, 100, 13.5, 100.5]
    assert p["coordinates"] == [[[list(q) for q in square]]]
