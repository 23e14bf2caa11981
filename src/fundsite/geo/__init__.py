"""Thailand's 77 provinces as shapes: which province a point lies in, and an inline SVG map.

The shapes come from ``provinces.json`` beside this module (geoBoundaries ``THA`` ``ADM1``,
OpenStreetMap data under the ODbL; see ``SOURCE.md``), keyed by the two-digit DOPA province code
that :mod:`geothai` uses (``"10"`` กรุงเทพมหานคร … ``"96"`` นราธิวาส). Outlines are simplified
(Douglas–Peucker, 0.3 km) and stored to 3 decimals; a point more than ~0.15 km from a border is
classified as the source boundary would classify it. For GPS points on a coastline or a border
use :func:`contains`, whose tolerance absorbs that and GPS error. Everything is pure Python (no
shapely); the data is read once, on first use. A map drawn from these shapes must credit
:func:`attribution` (the data is under the ODbL).

Coordinates are WGS 84 degrees and every function takes them as ``(lat, lon)``, the order in
which the records' ``location: [lat, lon]`` are written.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TypeVar

__all__ = [
    "Projection",
    "attribution",
    "bbox",
    "codes",
    "contains",
    "distance_km",
    "frame",
    "in_thailand",
    "province_at",
    "simplify_shared",
    "svg_box",
    "svg_paths",
]

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON = 111.320  # at the equator; times cos(latitude) elsewhere

Point = tuple[float, float]  # (x, y): (lon, lat) in degrees, or projected units
K = TypeVar("K", bound=Hashable)


# --- simplification that keeps shared borders shared ----------------------------------------


def _dp(pts: Sequence[Point], proj: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker on ``pts``, measuring distances on their projections ``proj``."""
    n = len(pts)
    if n < 3:
        return list(pts)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        ax, ay = proj[i]
        dx, dy = proj[j][0] - ax, proj[j][1] - ay
        seg2 = dx * dx + dy * dy
        best, best_k = -1.0, -1
        for k in range(i + 1, j):
            px, py = proj[k][0] - ax, proj[k][1] - ay
            if seg2 == 0.0:
                d = px * px + py * py
            else:
                u = min(1.0, max(0.0, (px * dx + py * dy) / seg2))
                ex, ey = px - u * dx, py - u * dy
                d = ex * ex + ey * ey
            if d > best:
                best, best_k = d, k
        if best_k >= 0 and best > tolerance * tolerance:
            keep[best_k] = True
            stack.append((i, best_k))
            stack.append((best_k, j))
    return [p for p, k in zip(pts, keep, strict=True) if k]


def simplify_shared(
    rings: Mapping[K, Sequence[Point]],
    tolerance: float,
    project: Callable[[Point], Point] | None = None,
) -> dict[K, list[Point]]:
    """Simplify closed rings with Douglas–Peucker so that shared borders stay identical.

    A border that two rings share (the same vertices, in either direction) is cut at the
    junctions where the set of rings along it changes, and each piece is simplified once, in a
    canonical direction; both rings then get the same simplified piece, so neighbouring provinces
    neither gap nor overlap. ``tolerance`` is in the units of ``project(point)`` (identity by
    default). A ring that would collapse (an islet smaller than the tolerance) is simplified at a
    finer tolerance instead, down to keeping it whole. Rings are returned closed.
    """
    proj = project or (lambda p: p)
    opened: dict[K, list[Point]] = {}
    owners: dict[Point, set[K]] = {}
    for key, ring in rings.items():
        pts = [(float(x), float(y)) for x, y in ring]
        if len(pts) > 1 and pts[0] == pts[-1]:
            pts.pop()
        opened[key] = pts
        for p in pts:
            owners.setdefault(p, set()).add(key)

    done: dict[tuple[Point, ...], list[Point]] = {}

    def piece(run: list[Point], tol: float) -> list[Point]:
        forward = (run[0], run[1]) <= (run[-1], run[-2])
        canon = tuple(run if forward else run[::-1])
        if tol == tolerance and canon in done:
            out = done[canon]
        else:
            out = _dp(canon, [proj(p) for p in canon], tol)
            if tol == tolerance:
                done[canon] = out
        return out if forward else out[::-1]

    def simplify_ring(pts: list[Point], tol: float) -> list[Point]:
        n = len(pts)
        own = [frozenset(owners[p]) for p in pts]
        seg = [own[i] & own[(i + 1) % n] for i in range(n)]
        cuts = [i for i in range(n) if seg[i - 1] != seg[i]]
        if not cuts:
            cuts = [min(range(n), key=pts.__getitem__)]
        out: list[Point] = []
        for c, start in enumerate(cuts):
            end = cuts[(c + 1) % len(cuts)]
            run = pts[start : end + 1] if end > start else pts[start:] + pts[: end + 1]
            part = piece(run, tol) if len(run) > 2 else run
            out.extend(part if not out else part[1:])
        if out[0] != out[-1]:
            out.append(out[0])
        return out

    result: dict[K, list[Point]] = {}
    for key, pts in opened.items():
        if len(pts) < 3:
            result[key] = [*pts, pts[0]] if pts else []
            continue
        tol = tolerance
        out = simplify_ring(pts, tol)
        while len(set(out)) < min(3, len(pts)) and tol > tolerance / 64:
            tol /= 4
            out = simplify_ring(pts, tol)
        if len(set(out)) < min(3, len(pts)):
            out = [*pts, pts[0]]
        result[key] = out
    return result


# --- the data --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ring:
    xs: tuple[float, ...]  # longitudes, closed (first == last)
    ys: tuple[float, ...]  # latitudes
    box: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


@dataclass(frozen=True, slots=True)
class _Province:
    code: str
    name_th: str
    name_en: str
    bbox: tuple[float, float, float, float]  # min_lat, min_lon, max_lat, max_lon
    polygons: tuple[tuple[_Ring, ...], ...]  # outer ring first, then holes

    @property
    def rings(self) -> Iterable[_Ring]:
        return (r for poly in self.polygons for r in poly)


@lru_cache(maxsize=1)
def _provinces() -> dict[str, _Province]:
    text = resources.files(__name__).joinpath("provinces.json").read_text(encoding="utf-8")
    out: dict[str, _Province] = {}
    for code, p in json.loads(text)["provinces"].items():
        polygons = []
        for poly in p["coordinates"]:
            rings = []
            for ring in poly:
                xs = tuple(float(q[0]) for q in ring)
                ys = tuple(float(q[1]) for q in ring)
                rings.append(_Ring(xs, ys, (min(xs), min(ys), max(xs), max(ys))))
            polygons.append(tuple(rings))
        out[code] = _Province(code, p["name_th"], p["name_en"], tuple(p["bbox"]), tuple(polygons))
    return out


def _get(code: str) -> _Province:
    try:
        return _provinces()[code]
    except KeyError:
        raise KeyError(f"unknown province code {code!r}") from None


def _finite(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon)


def _inside(prov: _Province, lat: float, lon: float) -> bool:
    """Even–odd ray casting over all rings of the province (holes and islands included)."""
    min_lat, min_lon, max_lat, max_lon = prov.bbox
    if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
        return False
    inside = False
    for ring in prov.rings:
        x0, y0, x1, y1 = ring.box
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            continue  # a closed ring that cannot enclose the point crosses the ray evenly
        xs, ys = ring.xs, ring.ys
        xj, yj = xs[-1], ys[-1]
        for xi, yi in zip(xs, ys, strict=True):
            if (yi > lat) != (yj > lat) and lon < xi + (lat - yi) * (xj - xi) / (yj - yi):
                inside = not inside
            xj, yj = xi, yi
    return inside


def _boundary_km(prov: _Province, lat: float, lon: float, limit: float = math.inf) -> float:
    """Distance in km from the point to the province's outline (∞ when beyond ``limit``)."""
    kx = KM_PER_DEG_LON * math.cos(math.radians(lat))
    ky = KM_PER_DEG_LAT
    best = limit
    for ring in prov.rings:
        x0, y0, x1, y1 = ring.box
        gx = max(x0 - lon, 0.0, lon - x1) * kx
        gy = max(y0 - lat, 0.0, lat - y1) * ky
        if gx * gx + gy * gy >= best * best:
            continue
        xs, ys = ring.xs, ring.ys
        for i in range(len(xs) - 1):
            ax, ay = (xs[i] - lon) * kx, (ys[i] - lat) * ky
            dx, dy = (xs[i + 1] - xs[i]) * kx, (ys[i + 1] - ys[i]) * ky
            seg2 = dx * dx + dy * dy
            u = 0.0 if seg2 == 0.0 else min(1.0, max(0.0, -(ax * dx + ay * dy) / seg2))
            ex, ey = ax + u * dx, ay + u * dy
            d2 = ex * ex + ey * ey
            if d2 < best * best:
                best = math.sqrt(d2)
    return best


# --- public API ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _meta() -> dict[str, str]:
    text = resources.files(__name__).joinpath("provinces.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    return {k: doc[k] for k in ("source", "licence", "attribution")}


def attribution() -> str:
    """Credit line that a map drawn from these shapes must show (OpenStreetMap, ODbL)."""
    return f"{_meta()['attribution']}; {_meta()['licence'].split(' ')[0]}"


def codes() -> list[str]:
    """The DOPA codes of all provinces that have a shape (all 77), sorted."""
    return sorted(_provinces())


def bbox(code: str) -> tuple[float, float, float, float]:
    """Bounding box ``(min_lat, min_lon, max_lat, max_lon)`` of province ``code``.

    Raises :class:`KeyError` for a code that is not a province.
    """
    return _get(code).bbox


def province_at(lat: float, lon: float) -> str | None:
    """DOPA code of the province containing ``(lat, lon)``, or ``None`` (sea, abroad, invalid).

    >>> province_at(7.006, 100.47)  # Hat Yai
    '90'
    >>> province_at(3.14, 101.69) is None  # Kuala Lumpur
    True
    """
    if not _finite(lat, lon):
        return None
    for code, prov in _provinces().items():
        if _inside(prov, lat, lon):
            return code
    return None


def distance_km(code: str, lat: float, lon: float) -> float:
    """Distance in km from ``(lat, lon)`` to province ``code``: 0 inside it, else to its border.

    Raises :class:`KeyError` for a code that is not a province.
    """
    prov = _get(code)
    if not _finite(lat, lon):
        return math.inf
    if _inside(prov, lat, lon):
        return 0.0
    return _boundary_km(prov, lat, lon)


def contains(code: str, lat: float, lon: float, tolerance_km: float = 2.0) -> bool:
    """Whether ``(lat, lon)`` lies in province ``code`` or within ``tolerance_km`` of it.

    The tolerance keeps a GPS point on a beach, a pier or a river border, or just across a
    simplified border, from counting as outside. Raises :class:`KeyError` for a code that is not
    a province; a non-finite coordinate is never contained.
    """
    prov = _get(code)
    if not _finite(lat, lon):
        return False
    tol = max(0.0, tolerance_km)
    min_lat, min_lon, max_lat, max_lon = prov.bbox
    dlat = tol / KM_PER_DEG_LAT
    dlon = tol / (KM_PER_DEG_LON * max(0.01, math.cos(math.radians(lat))))
    if not (min_lat - dlat <= lat <= max_lat + dlat and min_lon - dlon <= lon <= max_lon + dlon):
        return False
    if _inside(prov, lat, lon):
        return True
    return tol > 0 and _boundary_km(prov, lat, lon, limit=tol * 1.000001) <= tol


def in_thailand(lat: float, lon: float, tolerance_km: float = 0.0) -> bool:
    """Whether ``(lat, lon)`` lies in some Thai province (or within ``tolerance_km`` of one)."""
    if province_at(lat, lon) is not None:
        return True
    return tolerance_km > 0 and any(contains(c, lat, lon, tolerance_km) for c in _provinces())


# --- SVG -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Projection:
    """Maps ``(lat, lon)`` to SVG ``(x, y)`` pixels for the map that :func:`svg_paths` drew.

    Equirectangular, with longitudes shrunk by the cosine of the map's middle latitude so that
    shapes keep their proportions; ``x`` grows eastwards, ``y`` southwards, both rounded to 0.1.
    ``width`` × ``height`` is the drawing's size (use it for the ``viewBox``).
    """

    min_lon: float
    max_lat: float
    kx: float  # pixels per degree of longitude
    ky: float  # pixels per degree of latitude
    width: float
    height: float

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        return (round((lon - self.min_lon) * self.kx, 1), round((self.max_lat - lat) * self.ky, 1))


def _fmt(tenths: int) -> str:
    s = f"{tenths / 10:.1f}".rstrip("0").rstrip(".")
    if s.startswith("0."):
        s = s[1:]
    elif s.startswith("-0."):
        s = "-" + s[2:]
    return "0" if s in ("", "-0", "-") else s


def _join(numbers: Iterable[str]) -> str:
    out: list[str] = []
    for s in numbers:
        if out and not s.startswith("-"):
            out.append(" ")
        out.append(s)
    return "".join(out)


@lru_cache(maxsize=32)
def _svg(selected: tuple[str, ...], width: int, tolerance_px: float):
    provs = [_get(c) for c in selected] if selected else list(_provinces().values())
    min_lat = min(p.bbox[0] for p in provs)
    min_lon = min(p.bbox[1] for p in provs)
    max_lat = max(p.bbox[2] for p in provs)
    max_lon = max(p.bbox[3] for p in provs)
    k = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = width / max((max_lon - min_lon) * k, 1e-9)
    proj = Projection(
        min_lon, max_lat, scale * k, scale, float(width), round((max_lat - min_lat) * scale, 1)
    )
    if not selected:
        return (), proj

    rings = {
        (p.code, pi, ri): list(zip(ring.xs, ring.ys, strict=True))
        for p in provs
        for pi, poly in enumerate(p.polygons)
        for ri, ring in enumerate(poly)
    }
    simple = simplify_shared(rings, tolerance_px, lambda q: proj(q[1], q[0]))
    paths = []
    for p in provs:
        parts = []
        for pi, poly in enumerate(p.polygons):
            for ri in range(len(poly)):
                pts = []
                for lon, lat in simple[(p.code, pi, ri)]:
                    x, y = proj(lat, lon)
                    q = (round(x * 10), round(y * 10))
                    if not pts or pts[-1] != q:
                        pts.append(q)
                if len(set(pts)) < 3:
                    continue  # an islet below a pixel
                if pts[-1] == pts[0]:
                    pts.pop()
                deltas = [
                    _fmt(v) for a, b in itertools.pairwise(pts) for v in (b[0] - a[0], b[1] - a[1])
                ]
                parts.append(f"M{_join([_fmt(pts[0][0]), _fmt(pts[0][1])])}l{_join(deltas)}z")
        paths.append((p.code, "".join(parts)))
    return tuple(paths), proj


def svg_paths(
    codes: Iterable[str] | None = None, width: int = 400, *, tolerance_px: float = 0.5
) -> tuple[list[tuple[str, str]], Callable[[float, float], tuple[float, float]]]:
    """SVG path data for provinces, fitted to ``width`` pixels, and the matching projection.

    Returns ``([(code, d), ...], project)``: one ``d`` attribute per province of ``codes`` (all
    77 when ``None``), sorted by code, in absolute-then-relative commands with 0.1 px precision;
    outlines are simplified to ``tolerance_px`` with shared borders kept identical, so adjacent
    provinces meet exactly. ``project(lat, lon) -> (x, y)`` places dots (a :class:`Projection`,
    whose ``width``/``height`` give the ``viewBox``). The drawing spans the selected provinces'
    bounding box: ``x`` in ``[0, width]``, ``y`` in ``[0, project.height]``. Raises
    :class:`KeyError` for an unknown code.
    """
    selected = tuple(sorted(set(_provinces()) if codes is None else set(codes)))
    for c in selected:
        _get(c)
    paths, proj = _svg(selected, int(width), float(tolerance_px))
    return list(paths), proj


def _clip(ring: Sequence[Point], x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    """Sutherland–Hodgman: the closed ``ring`` cut to the rectangle; edges may run along it."""
    pts = list(ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring)
    for axis, limit, keep_above in ((0, x0, True), (0, x1, False), (1, y0, True), (1, y1, False)):
        if not pts:
            break

        def inside(p: Point, axis: int = axis, limit: float = limit, up: bool = keep_above) -> bool:
            return p[axis] >= limit if up else p[axis] <= limit

        out: list[Point] = []
        prev = pts[-1]
        for cur in pts:
            if inside(cur) != inside(prev):
                a, b = (prev, cur) if prev <= cur else (cur, prev)  # one answer both ways round
                t = (limit - a[axis]) / (b[axis] - a[axis])
                cut = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
                out.append((limit, cut[1]) if axis == 0 else (cut[0], limit))
            if inside(cur):
                out.append(cur)
            prev = cur
        pts = out
    return pts


def frame(
    min_lat: float, min_lon: float, max_lat: float, max_lon: float, width: int = 360, pad: float = 0
) -> Projection:
    """The projection that fits a box of ``(lat, lon)`` into ``width`` pixels, ``pad`` each side.

    Same equirectangular projection as :func:`svg_paths`; the drawing is ``width`` ×
    ``projection.height``, with the box in its middle, ``pad`` pixels in from every edge.
    """
    k = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = (width - 2 * pad) / max((max_lon - min_lon) * k, 1e-9)
    return Projection(
        min_lon - pad / (scale * k),
        max_lat + pad / scale,
        scale * k,
        scale,
        float(width),
        round((max_lat - min_lat) * scale + 2 * pad, 1),
    )


@lru_cache(maxsize=256)
def svg_box(proj: Projection, *, tolerance_px: float = 0.5) -> tuple[tuple[str, str], ...]:
    """SVG path data for every province seen through ``proj`` (a :func:`frame`), cut to it.

    Returns ``((code, d), ...)`` sorted by code, only provinces that show: outlines are cut a
    pixel beyond the drawing's edges (so no border is drawn along them), simplified to
    ``tolerance_px`` with shared borders kept identical, in the same path syntax as
    :func:`svg_paths`. For a district or a sub-district, whose shapes are not in the data, this
    is the province land, sea and borders around it.
    """
    lon0, lat1 = proj.min_lon, proj.max_lat
    lon1, lat0 = lon0 + proj.width / proj.kx, lat1 - proj.height / proj.ky
    x0, y0, x1, y1 = -1.0, -1.0, proj.width + 1, proj.height + 1
    rings: dict[tuple[str, int, int], list[Point]] = {}
    for p in _provinces().values():
        b = p.bbox
        if b[0] > lat1 or b[2] < lat0 or b[1] > lon1 or b[3] < lon0:
            continue
        for pi, poly in enumerate(p.polygons):
            for ri, ring in enumerate(poly):
                bx0, by0, bx1, by1 = ring.box
                if by0 > lat1 or by1 < lat0 or bx0 > lon1 or bx1 < lon0:
                    continue
                pts = [
                    ((lon - lon0) * proj.kx, (lat1 - lat) * proj.ky)
                    for lon, lat in zip(ring.xs, ring.ys, strict=True)
                ]
                cut = _clip(pts, x0, y0, x1, y1)
                if len(cut) >= 3:
                    rings[(p.code, pi, ri)] = [*cut, cut[0]]
    simple = simplify_shared(rings, tolerance_px)
    parts: dict[str, list[str]] = {}
    for key in sorted(rings):
        pts: list[tuple[int, int]] = []
        for x, y in simple[key]:
            q = (round(x * 10), round(y * 10))
            if not pts or pts[-1] != q:
                pts.append(q)
        if pts and pts[-1] == pts[0]:
            pts.pop()
        if len(set(pts)) < 3:
            continue
        deltas = [_fmt(v) for a, b in itertools.pairwise(pts) for v in (b[0] - a[0], b[1] - a[1])]
        d = f"M{_join([_fmt(pts[0][0]), _fmt(pts[0][1])])}l{_join(deltas)}z"
        parts.setdefault(key[0], []).append(d)
    return tuple((code, "".join(ds)) for code, ds in sorted(parts.items()))
