"""Build ``provinces.json`` (Thailand's 77 province shapes) from a raw boundary file.

The raw file is geoBoundaries' ``THA`` ``ADM1`` layer (gbOpen; OpenStreetMap data, ODbL 1.0), as
TopoJSON or GeoJSON; see ``SOURCE.md`` beside this file. It is not kept in the repository: run ::

    python -m fundsite.geo.make_provinces geoBoundaries-THA-ADM1_simplified.topojson

to rewrite ``provinces.json`` next to this script (``-o`` writes elsewhere). What it does:

1. reads every feature and finds its DOPA province code: from the ISO 3166-2 field
   (``TH-90`` → ``"90"``; Thailand's ISO subdivision codes are the DOPA codes) and, independently,
   from its name matched against :mod:`geothai` (``"Phangnga Province"`` ~ ``Phang-nga``,
   ``"Lopburi"`` ~ ``Lop Buri``, Thai names too); the two must agree, and all 77 codes of
   :func:`geothai.provinces` must be found exactly once;
2. simplifies the outlines with Douglas–Peucker at ``--tolerance-km`` (default 0.3 km), the same
   way on both sides of every shared border (see :func:`fundsite.geo.simplify_shared`), so
   neighbouring provinces still meet without gaps or overlaps; islands too small to survive are
   kept at a finer tolerance rather than dropped;
3. rounds coordinates to ``--decimals`` (default 3, about 0.1 km) and writes compact JSON::

       {"source": ..., "licence": ..., "attribution": ..., "simplify_km": 0.3,
        "provinces": {"10": {"name_th": ..., "name_en": ..., "bbox": [min_lat, min_lon,
                                                                     max_lat, max_lon],
                             "coordinates": <GeoJSON MultiPolygon coordinates, [lon, lat]>},
                      ...}}

The run prints the vertex count and file size; it fails (exit 1) on a missing, duplicate or
unmatched province.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geothai

from fundsite.geo import simplify_shared

Ring = list[tuple[float, float]]  # [(lon, lat), ...], closed (first == last)
Polygon = list[Ring]  # outer ring first, then holes

SOURCE = (
    "geoBoundaries gbOpen THA ADM1 (boundaryID THA-ADM1-36821470), "
    "releaseData/gbOpen/THA/ADM1/geoBoundaries-THA-ADM1_simplified.topojson, "
    "github.com/wmgeolab/geoBoundaries; boundary source OpenStreetMap (2017/2020)"
)
LICENCE = "ODbL-1.0 (Open Data Commons Open Database License 1.0)"
ATTRIBUTION = "© OpenStreetMap contributors, geoBoundaries (wmgeolab)"

# Spellings seen in boundary datasets that normalisation alone does not map to geothai's name_en.
ALIASES = {
    "bangkokmetropolis": "10",
    "krungthepmahanakhon": "10",
    "krungthep": "10",
    "ayutthaya": "14",
    "phranakhonsiayudhya": "14",
    "chonburi": "20",
    "sisaket": "33",
    "srisaket": "33",
    "buengkan": "38",
    "bungkan": "38",
    "nongbualamphu": "39",
    "nongbualumphu": "39",
    "phangnga": "82",
    "prachinburi": "25",
    "samutprakarn": "11",
    "samutprakan": "11",
    "sakaeo": "27",
    "sakaew": "27",
}

_NAME_KEYS = ("shapeName", "name", "NAME_1", "name_en", "pro_en", "ADM1_EN", "PROV_NAMT", "name_th")
_ISO_KEYS = ("shapeISO", "iso_3166_2", "ISO", "HASC_1", "pro_code", "ADM1_PCODE")


def normalise(name: str) -> str:
    """Lower-case Latin name without spaces, hyphens, dots or a ``Province``/``จังหวัด`` label."""
    name = name.strip().lower()
    name = re.sub(r"\b(province|changwat)\b", "", name).replace("จังหวัด", "")
    return re.sub(r"[\s\-\.'’]", "", name)


def _name_index() -> dict[str, str]:
    index: dict[str, str] = dict(ALIASES)
    for p in geothai.provinces():
        index[normalise(p.name_en)] = p.code
        index[normalise(p.name_th)] = p.code
    return index


def code_of(props: dict[str, Any], index: dict[str, str]) -> str:
    """DOPA code of a feature, from its ISO/P-code field and its name, which must agree."""
    valid = {p.code for p in geothai.provinces()}
    by_iso = None
    for key in _ISO_KEYS:
        m = re.fullmatch(r"(?:TH[-.]?)?(\d{2})", str(props.get(key) or "").strip())
        if m and m.group(1) in valid:
            by_iso = m.group(1)
            break
    by_name = None
    for key in _NAME_KEYS:
        if props.get(key):
            by_name = index.get(normalise(str(props[key])))
            if by_name:
                break
    if by_iso and by_name and by_iso != by_name:
        raise ValueError(f"code {by_iso} and name {props} disagree (name means {by_name})")
    code = by_iso or by_name
    if not code:
        raise ValueError(f"cannot tell the province of feature {props}")
    return code


def _topology_features(topo: dict[str, Any]) -> Iterator[tuple[dict[str, Any], list[Polygon]]]:
    transform = topo.get("transform")
    arcs: list[Ring] = []
    for arc in topo["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(pts)

    def ring(indices: list[int]) -> Ring:
        out: Ring = []
        for i in indices:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(pts if not out else pts[1:])
        return out

    for obj in topo["objects"].values():
        geoms = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
        for g in geoms:
            if g["type"] == "Polygon":
                polys = [g["arcs"]]
            elif g["type"] == "MultiPolygon":
                polys = g["arcs"]
            else:
                continue
            yield g.get("properties") or {}, [[ring(r) for r in p] for p in polys]


def _geojson_features(doc: dict[str, Any]) -> Iterator[tuple[dict[str, Any], list[Polygon]]]:
    for f in doc["features"]:
        geom = f.get("geometry") or {}
        coords = geom.get("coordinates") or []
        polys = [coords] if geom.get("type") == "Polygon" else coords
        if geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        yield (
            f.get("properties") or {},
            [[[(float(x), float(y)) for x, y, *_ in r] for r in p] for p in polys],
        )


def read_raw(path: Path) -> dict[str, list[Polygon]]:
    """Polygons per DOPA code from a TopoJSON or GeoJSON file of Thai provinces."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    features = _topology_features(doc) if doc.get("type") == "Topology" else _geojson_features(doc)
    index = _name_index()
    out: dict[str, list[Polygon]] = {}
    for props, polys in features:
        code = code_of(props, index)
        if code in out:
            raise ValueError(f"province {code} appears twice")
        out[code] = polys
    missing = sorted({p.code for p in geothai.provinces()} - out.keys())
    if missing:
        raise ValueError(f"no shape for province(s) {', '.join(missing)}")
    return out


def _km_projector(lat0: float):
    kx, ky = 111.320 * math.cos(math.radians(lat0)), 110.574
    return lambda p: (p[0] * kx, p[1] * ky)


def build(raw: dict[str, list[Polygon]], tolerance_km: float, decimals: int) -> dict[str, Any]:
    """The ``provinces.json`` document for the polygons in ``raw``."""
    rings = {
        (code, pi, ri): ring
        for code, polys in raw.items()
        for pi, poly in enumerate(polys)
        for ri, ring in enumerate(poly)
    }
    simplified = simplify_shared(rings, tolerance_km, _km_projector(13.0))

    def rnd(v: float) -> float:
        r = round(v, decimals)
        return int(r) if r == int(r) else r

    provinces: dict[str, Any] = {}
    for code in sorted(raw):
        p = geothai.province(code)
        coords = []
        for pi, poly in enumerate(raw[code]):
            out_poly = []
            for ri in range(len(poly)):
                pts: list[list[float]] = []
                for x, y in simplified[(code, pi, ri)]:
                    q = [rnd(x), rnd(y)]
                    if not pts or pts[-1] != q:
                        pts.append(q)
                if len({tuple(q) for q in pts}) >= 3:
                    out_poly.append(pts)
            if out_poly and len(out_poly[0]) >= 4:
                coords.append(out_poly)
        lons = [q[0] for poly in coords for r in poly for q in r]
        lats = [q[1] for poly in coords for r in poly for q in r]
        provinces[code] = {
            "name_th": p.name_th if p else "",
            "name_en": p.name_en if p else "",
            "bbox": [min(lats), min(lons), max(lats), max(lons)],
            "coordinates": coords,
        }
    return {
        "source": SOURCE,
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "simplify_km": tolerance_km,
        "provinces": provinces,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: ``make_provinces RAW [-o OUT] [--tolerance-km K] [--decimals N]``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("raw", type=Path, help="geoBoundaries THA ADM1 TopoJSON or GeoJSON")
    ap.add_argument("-o", "--out", type=Path, default=Path(__file__).with_name("provinces.json"))
    ap.add_argument("--tolerance-km", type=float, default=0.3)
    ap.add_argument("--decimals", type=int, default=3)
    args = ap.parse_args(argv)
    try:
        raw = read_raw(args.raw)
    except (ValueError, KeyError, OSError) as exc:
        print(f"make_provinces: {exc}", file=sys.stderr)
        return 1
    doc = build(raw, args.tolerance_km, args.decimals)
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    n = sum(len(r) for p in doc["provinces"].values() for poly in p["coordinates"] for r in poly)
    print(
        f"{args.out}: {len(doc['provinces'])} provinces, {n} vertices, {len(text) / 1024:.0f} KiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
