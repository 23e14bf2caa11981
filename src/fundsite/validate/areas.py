"""Resolve the areas editors write (Thai names or DOPA codes) through the ``geothai`` gazetteer."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import geothai

from fundsite.validate.models import AreaRef

_PREFIX = re.compile(r"^(?:จังหวัด|อำเภอ|กิ่งอำเภอ|เขต|ตำบล|แขวง|จ\.|อ\.|ต\.)\s*")
_ALIASES = {"กทม": "10", "กรุงเทพ": "10", "กรุงเทพฯ": "10", "อยุธยา": "14"}


def norm(name: str) -> str:
    """Compare names without prefixes (อำเภอ, ต.), spaces, dots or case."""
    text = _PREFIX.sub("", name.strip())
    return re.sub(r"[\s.'-]", "", text).lower()


@dataclass(frozen=True, slots=True)
class Area:
    """A resolved area: DOPA codes and the NHSO region; coarser levels may stand alone."""

    province: str | None = None
    district: str | None = None
    subdistrict: str | None = None
    region: int | None = None

    @property
    def level(self) -> str:
        if self.subdistrict:
            return "subdistrict"
        if self.district:
            return "district"
        return "province" if self.province else "region"


#: One object for each area resolved (a national portal names about 8,000 areas 300,000
#: times): the remembered check then pickles, and reads back, each of them once.
_SAME: dict[Area, Area] = {}


@dataclass(frozen=True)
class AreaIssue:
    """What is wrong with one level of a written area (``level`` is the field name)."""

    level: str
    code: str
    params: dict[str, Any]
    hint: str | None = None


@cache
def _indexes() -> tuple[dict[str, list[Any]], dict[str, list[Any]], dict[str, list[Any]]]:
    provinces: dict[str, list[Any]] = {}
    for p in geothai.provinces():
        for key in {norm(p.name_th), norm(p.name_en)}:
            provinces.setdefault(key, []).append(p)
    districts: dict[str, list[Any]] = {}
    subdistricts: dict[str, list[Any]] = {}
    for p in geothai.provinces():
        for d in geothai.districts(p.code):
            for key in {norm(d.name_th), norm(d.name_en)}:
                districts.setdefault(key, []).append(d)
            for s in geothai.subdistricts(d.code):
                for key in {norm(s.name_th), norm(s.name_en)}:
                    subdistricts.setdefault(key, []).append(s)
    return provinces, districts, subdistricts


@cache
def _everything() -> tuple[list[Any], list[Any], list[Any]]:
    """Every province, district and sub-district, each once."""
    districts = [d for p in geothai.provinces() for d in geothai.districts(p.code)]
    subdistricts = [s for d in districts for s in geothai.subdistricts(d.code)]
    return geothai.provinces(), districts, subdistricts


def _label(area: Any) -> str:
    parts = [area.name_th]
    if hasattr(area, "district_code"):
        parts.append(f"อ.{geothai.district(area.district_code).name_th}")  # type: ignore[union-attr]
    if hasattr(area, "province_code"):
        parts.append(f"จ.{geothai.province(area.province_code).name_th}")  # type: ignore[union-attr]
    return " ".join(parts) + f" [{area.code}]"


def _nearest(name: str, candidates: list[Any]) -> str:
    by_name = {c.name_th: c for c in candidates}
    close = difflib.get_close_matches(name.strip(), list(by_name), n=3, cutoff=0.5)
    return ", ".join(_label(by_name[c]) for c in close)


def _pick(
    level: str,
    value: str,
    scoped: list[Any],
    everywhere: list[Any],
    scope: tuple[str, str],
    parent: tuple[str, str] | None = None,
) -> tuple[Any | None, AreaIssue | None]:
    """The one place named ``value`` among ``scoped`` (the places inside ``parent``, if any)."""
    key = norm(value)
    matches = [c for c in scoped if key in (norm(c.name_th), norm(c.name_en))]
    if len(matches) == 1:
        return matches[0], None
    if len(matches) > 1:
        listing = ", ".join(_label(m) for m in matches[:5])
        return None, AreaIssue(level, "area-ambiguous", {"value": value, "matches": listing})
    if parent is not None:  # a real place, but not inside the province or district written
        elsewhere = [c for c in everywhere if key in (norm(c.name_th), norm(c.name_en))]
        if elsewhere:
            issue = _mismatch(level, value, parent[0], parent[1])
            issue.params["suggestion"] = ", ".join(_label(m) for m in elsewhere[:5])
            return None, AreaIssue(level, issue.code, issue.params, "hint-located")
    nearest = _nearest(value, scoped) or _nearest(value, everywhere)
    params = {"value": value, "suggestion": nearest, "scope_th": scope[0], "scope_en": scope[1]}
    return None, AreaIssue(level, "area-unknown", params, "hint-nearest" if nearest else None)


def _is_code(value: str, digits: int) -> bool:
    return value.isdigit() and len(value) == digits


def resolve(ref: AreaRef, regions: dict[str, int]) -> tuple[Area | None, list[AreaIssue]]:
    """Resolve one written area. ``regions`` maps province code → NHSO region number."""
    issues: list[AreaIssue] = []
    province = district = subdistrict = None
    all_p, all_d, all_s = _everything()
    if ref.province:
        value = ref.province
        if _is_code(value, 2):
            province = geothai.province(value)
            if province is None:
                issues.append(AreaIssue("province", "area-unknown", {"value": value}))
        else:
            alias = _ALIASES.get(norm(value))
            if alias:
                province = geothai.province(alias)
            else:
                province, issue = _pick("province", value, all_p, all_p, ("", ""))
                issues.extend([issue] if issue else [])
    if ref.district and not issues:
        value = ref.district
        if _is_code(value, 4):
            district = geothai.district(value)
            if district is None:
                issues.append(AreaIssue("district", "area-unknown", {"value": value}))
        else:
            scoped = geothai.districts(province.code) if province else all_d
            if province and norm(value) in ("เมือง", "mueang"):
                scoped = [d for d in scoped if d.code.endswith("01")]
                value = scoped[0].name_th if scoped else value
            scope = (
                (f" ในจังหวัด{province.name_th}", f" in {province.name_en}") if province else ("", "")
            )
            parent = ("province", province.name_th) if province else None
            district, issue = _pick("district", value, scoped, all_d, scope, parent)
            issues.extend([issue] if issue else [])
        if district and province and district.province_code != province.code:
            issues.append(_mismatch("district", ref.district, "province", province.name_th))
    if ref.subdistrict and not issues:
        value = ref.subdistrict
        if _is_code(value, 6):
            subdistrict = geothai.subdistrict(value)
            if subdistrict is None:
                issues.append(AreaIssue("subdistrict", "area-unknown", {"value": value}))
        else:
            parent: tuple[str, str] | None = None
            if district:
                scoped = geothai.subdistricts(district.code)
                scope = (f" ในอำเภอ{district.name_th}", f" in {district.name_en}")
                parent = ("district", district.name_th)
            elif province:
                scoped = [
                    s
                    for d in geothai.districts(province.code)
                    for s in geothai.subdistricts(d.code)
                ]
                scope = (f" ในจังหวัด{province.name_th}", f" in {province.name_en}")
                parent = ("province", province.name_th)
            else:
                scoped, scope = all_s, ("", "")
            subdistrict, issue = _pick("subdistrict", value, scoped, all_s, scope, parent)
            issues.extend([issue] if issue else [])
        if subdistrict and district and subdistrict.district_code != district.code:
            issues.append(_mismatch("subdistrict", ref.subdistrict, "district", district.name_th))
        elif subdistrict and province and subdistrict.province_code != province.code:
            issues.append(_mismatch("subdistrict", ref.subdistrict, "province", province.name_th))
    if ref.region is not None and ref.region not in set(regions.values()):
        issues.append(
            AreaIssue("region", "unknown-ref", {"value": ref.region, "kind_code": "region"})
        )
    if issues:
        return None, issues
    p_code = (
        subdistrict.province_code
        if subdistrict
        else district.province_code
        if district
        else province.code
        if province
        else None
    )
    d_code = subdistrict.district_code if subdistrict else district.code if district else None
    region = regions.get(p_code) if p_code else ref.region
    if ref.region is not None and p_code and region != ref.region:
        issues.append(_mismatch("region", str(ref.region), "region", str(region)))
        return None, issues
    area = Area(p_code, d_code, subdistrict.code if subdistrict else None, region)
    return _SAME.setdefault(area, area), []


def _mismatch(level: str, value: str, parent_level: str, parent: str) -> AreaIssue:
    return AreaIssue(
        level,
        "area-mismatch",
        {"value": value, "parent": parent, "level_code": level, "parent_code": parent_level},
    )


def province_code(name_or_code: str) -> str | None:
    """The DOPA code of a province written by name or code (for data/regions.yaml)."""
    value = str(name_or_code).strip()
    if _is_code(value, 2):
        return value if geothai.province(value) else None
    if value and (alias := _ALIASES.get(norm(value))):
        return alias
    matches = _indexes()[0].get(norm(value), [])
    return matches[0].code if len(matches) == 1 else None
