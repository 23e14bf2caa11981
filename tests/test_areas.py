"""Areas written with Thai names or DOPA codes, resolved through the gazetteer."""

from __future__ import annotations

import pytest

from conftest import (
    FUND,
    FUND_PATH,
    PROJECT,
    PROJECT_PATH,
    RECORDS,
    REPORT_PATH,
    describe,
    en,
    hint_en,
    hint_th,
    line_of,
    md,
    only,
    regions_yaml,
    replace_line,
    th,
)
from fundsite.validate.areas import Area, norm, province_code, resolve
from fundsite.validate.models import AreaRef

REGIONS = {"90": 12, "83": 11, "10": 13, "50": 1}
KHLONG_DAEN = Area("90", "9007", "900702", 12)


def fund_with_area(area: str) -> str:
    return replace_line(FUND, "area:", f"area: {area}")


# ---- resolve() -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    [
        {"province": "สงขลา", "district": "ระโนด", "subdistrict": "คลองแดน"},
        {"subdistrict": "900702"},
        {"subdistrict": "คลองแดน"},  # unique in the country
        {"province": "สงขลา", "subdistrict": "คลองแดน"},
        {"district": "ระโนด", "subdistrict": "คลองแดน"},
        {"district": "9007", "subdistrict": "900702"},
        {"province": "90", "district": "9007", "subdistrict": "900702"},
        {"province": "จังหวัดสงขลา", "district": "อำเภอระโนด", "subdistrict": "ตำบลคลองแดน"},
        {"province": "จ.สงขลา", "district": "อ.ระโนด", "subdistrict": "ต.คลองแดน"},
        {"province": "Songkhla", "district": "Ranot", "subdistrict": "Khlong Daen"},
        {"province": "songkhla", "district": "RANOT", "subdistrict": "khlong daen"},
        {"subdistrict": "900702", "region": 12},
    ],
)
def test_resolve_khlong_daen(ref):
    assert resolve(AreaRef(**ref), REGIONS) == (KHLONG_DAEN, [])


def test_an_area_written_many_ways_is_one_object():
    """Areas are values: however a record writes one, the check keeps one object of it, so the
    remembered check pickles (and a build reads back) each area once, not once a record."""
    written = [
        AreaRef(province="สงขลา", district="ระโนด", subdistrict="คลองแดน"),
        AreaRef(subdistrict="900702"),
        AreaRef(province="Songkhla", district="Ranot", subdistrict="Khlong Daen"),
    ]
    areas = [resolve(ref, REGIONS)[0] for ref in written]
    assert areas[0] == KHLONG_DAEN
    assert all(area is areas[0] for area in areas)


def test_resolve_coarser_levels():
    assert resolve(AreaRef(province="สงขลา"), REGIONS) == (Area("90", None, None, 12), [])
    assert resolve(AreaRef(district="ระโนด"), REGIONS) == (Area("90", "9007", None, 12), [])
    assert resolve(AreaRef(region=12), REGIONS) == (Area(None, None, None, 12), [])
    assert resolve(AreaRef(province="ภูเก็ต"), REGIONS)[0].region == 11


def test_resolve_mueang_shorthand_and_aliases():
    assert resolve(AreaRef(province="ภูเก็ต", district="เมือง"), REGIONS)[0].district == "8301"
    assert resolve(AreaRef(province="กทม"), REGIONS)[0] == Area("10", None, None, 13)
    assert province_code("กรุงเทพฯ") == "10"


def test_province_code():
    assert province_code("สงขลา") == "90"
    assert province_code("90") == "90"
    assert province_code("Phuket") == "83"
    assert province_code("99") is None
    assert province_code("สงขา") is None


def test_norm_drops_prefixes_and_spaces():
    assert norm("อำเภอ ระโนด") == norm("อ.ระโนด") == norm("ระโนด")
    assert norm("Khlong Daen") == "khlongdaen"


def test_resolve_near_miss():
    area, issues = resolve(AreaRef(province="สงขลา", district="ระโนต"), REGIONS)
    assert area is None
    [issue] = issues
    assert (issue.level, issue.code, issue.hint) == ("district", "area-unknown", "hint-nearest")
    assert issue.params["suggestion"].startswith("ระโนด")
    assert "[9007]" in issue.params["suggestion"]


def test_resolve_ambiguous():
    area, [issue] = resolve(AreaRef(subdistrict="บ้านใหม่"), REGIONS)
    assert area is None
    assert (issue.level, issue.code) == ("subdistrict", "area-ambiguous")
    assert "จ.นนทบุรี [120306]" in issue.params["matches"]


def test_resolve_ambiguous_name_made_unique_by_the_province():
    area, issues = resolve(AreaRef(province="สงขลา", subdistrict="บ้านใหม่"), REGIONS)
    assert issues == [] and area.subdistrict == "900705"


def test_resolve_unknown_region():
    _, [issue] = resolve(AreaRef(region=5), {"90": 12})
    assert (issue.level, issue.code, issue.params["kind_code"]) == (
        "region",
        "unknown-ref",
        "region",
    )


def test_resolve_region_disagreeing_with_province():
    _, [issue] = resolve(AreaRef(province="สงขลา", region=11), REGIONS)
    assert (issue.level, issue.code) == ("region", "area-mismatch")


# ---- in records ----------------------------------------------------------------------------------


def test_area_with_names_is_resolved(site):
    result = site.result(RECORDS)
    fund = result.graph.funds["L5218"]
    assert fund.areas == [KHLONG_DAEN]
    assert result.graph.lookup("projects", "district", "9007")[0].id == "68-L5218-4-01"
    assert result.graph.lookup("funds", "region", 12)[0].id == "L5218"


@pytest.mark.parametrize("code", ['"900702"', "900702"])
def test_area_with_a_code(site, code):
    result = site.result({**RECORDS, FUND_PATH: fund_with_area(f"{{subdistrict: {code}}}")})
    assert [p for p in result.problems if p.code != "region-missing-provinces"] == []
    assert result.graph.funds["L5218"].areas == [KHLONG_DAEN]


def test_district_near_miss(site):
    text = fund_with_area("{province: สงขลา, district: ระโนต, subdistrict: คลองแดน}")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "area-unknown")
    row = line_of(FUND, "area:")
    assert (p.severity, p.file, p.field, p.line) == ("error", FUND_PATH, "area.district", row)
    assert p.col == text.split("\n")[row - 1].index("ระโนต") + 1
    assert th(p) == 'ช่อง area.district: ไม่พบอำเภอชื่อ "ระโนต" ในจังหวัดสงขลา'
    assert en(p) == 'area.district: there is no district named "ระโนต" in Songkhla'
    assert hint_th(p) == "ที่ใกล้เคียง: ระโนด จ.สงขลา [9007]"
    assert hint_en(p) == "nearest: ระโนด จ.สงขลา [9007]"


def test_province_near_miss(site):
    p = only(site.check({**RECORDS, FUND_PATH: fund_with_area("{province: สงขา}")}), "area-unknown")
    assert p.field == "area.province"
    assert th(p) == 'ช่อง area.province: ไม่พบจังหวัดชื่อ "สงขา"'
    assert hint_th(p) == "ที่ใกล้เคียง: สงขลา [90]"


def test_unknown_code(site):
    p = only(
        site.check({**RECORDS, FUND_PATH: fund_with_area("{subdistrict: '999999'}")}),
        "area-unknown",
    )
    assert (p.field, p.severity) == ("area.subdistrict", "error")
    assert en(p) == 'area.subdistrict: there is no sub-district named "999999"'


def test_ambiguous_subdistrict(site):
    text = fund_with_area("{subdistrict: บ้านใหม่}")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "area-ambiguous")
    assert (p.severity, p.field) == ("error", "area.subdistrict")
    assert th(p).startswith('ช่อง area.subdistrict: มีตำบลชื่อ "บ้านใหม่" มากกว่าหนึ่งแห่ง (บ้านใหม่ อ.')
    assert th(p).endswith(") ให้ระบุจังหวัดหรืออำเภอเพิ่ม")
    assert en(p).startswith('area.subdistrict: more than one sub-district is named "บ้านใหม่" (')
    assert en(p).endswith("); add the province or district")
    assert "บ้านใหม่ อ.บางใหญ่ จ.นนทบุรี [120306]" in en(p)


def test_ambiguous_district(site):
    text = fund_with_area("{district: จอมทอง}")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "area-ambiguous")
    assert "[1035]" in en(p) and "[5002]" in en(p)


def test_district_not_in_the_province(site):
    text = fund_with_area("{province: สงขลา, district: เมืองภูเก็ต}")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "area-mismatch")
    assert (p.severity, p.field) == ("error", "area.district")
    assert th(p) == 'ช่อง area.district: อำเภอ "เมืองภูเก็ต" ไม่ได้อยู่ในจังหวัด "สงขลา"'
    assert en(p) == 'area.district: district "เมืองภูเก็ต" is not in the province "สงขลา"'
    assert hint_th(p) == "ชื่อนี้อยู่ที่ เมืองภูเก็ต จ.ภูเก็ต [8301]"
    assert hint_en(p) == "that name is at เมืองภูเก็ต จ.ภูเก็ต [8301]"


def test_district_code_not_in_the_province(site):
    text = fund_with_area("{province: สงขลา, district: '8301'}")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "area-mismatch")
    assert en(p) == 'area.district: district "8301" is not in the province "สงขลา"'


def test_subdistrict_not_in_the_district(site):
    text = fund_with_area("{province: สงขลา, district: ระโนด, subdistrict: หาดใหญ่}")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "area-mismatch")
    assert p.field == "area.subdistrict"
    assert th(p) == 'ช่อง area.subdistrict: ตำบล "หาดใหญ่" ไม่ได้อยู่ในอำเภอ "ระโนด"'
    assert "[901101]" in hint_en(p)


def test_subdistrict_code_not_in_the_province(site):
    text = fund_with_area("{province: ภูเก็ต, subdistrict: '900702'}")
    p = only(site.check({**RECORDS, FUND_PATH: text}), "area-mismatch")
    assert en(p) == 'area.subdistrict: sub-district "900702" is not in the province "ภูเก็ต"'


def test_region_not_in_regions_yaml(site):
    files = {
        "data/regions.yaml": regions_yaml([11]),
        "content/funds/p.md": md("id: p\nkind: programme\nname: แผนงาน\narea: {region: 12}"),
    }
    problems = site.check(files)
    p = only(problems, "unknown-ref")
    assert (p.field, p.severity) == ("area.region", "error")
    assert en(p) == 'area.region: there is no region "12"'


def test_region_out_of_range(site):
    text = md("id: p\nkind: programme\nname: n\narea: {region: 14}")
    p = only(site.check({"content/funds/p.md": text}), "out-of-range")
    assert en(p) == "area.region is 14, outside the allowed range (≤ 13)"


def test_programme_with_provinces_and_a_region(site):
    text = md(
        """
        id: ipp
        kind: programme
        name: สนส. ม.อ.
        area:
          - {province: สงขลา}
          - {province: ภูเก็ต}
          - {region: 12}
        """
    )
    result = site.result({"content/funds/ipp.md": text})
    assert [p for p in result.problems if p.code != "region-missing-provinces"] == []
    assert [a.region for a in result.graph.funds["ipp"].areas] == [12, 11, 12]


def test_second_area_of_a_list_points_at_its_line(site):
    text = md(
        "id: ipp\nkind: programme\nname: n\narea:\n  - {province: สงขลา}\n  - {province: ภูเกต}"
    )
    p = only(site.check({"content/funds/ipp.md": text}), "area-unknown")
    assert (p.field, p.line, p.col) == ("area[2].province", 7, len("  - {province: ") + 1)
    assert "ภูเก็ต [83]" in hint_th(p)


def test_empty_area(site):
    p = only(site.check({**RECORDS, FUND_PATH: fund_with_area("{}")}), "area-empty")
    assert en(p) == "area must name a province, district, sub-district or region"
    assert th(p) == "ช่อง area ต้องระบุจังหวัด อำเภอ ตำบล หรือเขตอย่างน้อยหนึ่งอย่าง"


def test_local_fund_without_a_subdistrict_warns(site):
    p = only(
        site.check({**RECORDS, FUND_PATH: fund_with_area("{province: สงขลา}")}),
        "area-subdistrict-for-programme",
    )
    assert (p.severity, p.field) == ("warning", "area")


def test_report_area_defaults_to_the_project(site):
    result = site.result(RECORDS)
    assert result.graph.reports["2025-03-01-committee-meeting"].areas == [KHLONG_DAEN]


def test_report_with_its_own_area(site):
    from conftest import REPORT

    text = REPORT.replace(
        "kind: meeting", "kind: meeting\narea: {province: สงขลา, district: หาดใหญ่}"
    )
    result = site.result({**RECORDS, REPORT_PATH: text})
    assert result.graph.reports["2025-03-01-committee-meeting"].areas == [
        Area("90", "9011", None, 12)
    ]


def test_project_area_problem_in_project(site):
    text = replace_line(PROJECT, "area:", "area: {province: สงขลา, district: ระโนต}")
    problems = site.check({**RECORDS, PROJECT_PATH: text})
    p = only(problems, "area-unknown")
    assert (p.file, p.field) == (PROJECT_PATH, "area.district"), describe(problems)
