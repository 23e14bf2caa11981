"""What the open data is, for machines: a Frictionless Data Package (v2) of the CSV tables and
a DCAT catalogue (JSON-LD) of every dataset, both read off :data:`fundsite.plan.exports.TABLES`.

``data/datapackage.json`` lets a validator (``frictionless validate``) check every column's
type and constraints and how the tables join; ``data/catalog.jsonld`` lets a catalogue (CKAN's
DCAT harvester, data.go.th) register the datasets with their licence and downloads.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fundsite import licenses
from fundsite.plan.exports import (
    ALL,
    CATALOGUE,
    GIVING,
    PACKAGE,
    TABLES,
    Column,
    Table,
    snapshot_path,
)
from fundsite.validate.models import Site
from fundsite.write.outputs import site_url

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
TABLE_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
GIVING_STANDARD = "https://standard.threesixtygiving.org/en/latest/"


def _field(column: Column) -> dict[str, Any]:
    th, en = column.meaning
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.unique:
        constraints["unique"] = True
    if column.minimum is not None:
        constraints["minimum"] = column.minimum
    if column.maximum is not None:
        constraints["maximum"] = column.maximum
    if column.choices:
        constraints["enum"] = list(column.choices)
    if column.pattern:
        constraints["pattern"] = column.pattern
    field: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "title": th,
        "description": en,
    }
    if column.type == "number":
        field["bareNumber"] = True  # plain decimals: no currency sign, no thousands separator
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(table: Table) -> dict[str, Any]:
    """A table's Table Schema: columns, primary key, and the tables its columns refer to."""
    schema: dict[str, Any] = {
        "$schema": TABLE_PROFILE,
        "fields": [_field(c) for c in table.columns],
        "primaryKey": list(table.key),
        "missingValues": [""],
    }
    refers = [
        {"fields": [column], "reference": {"resource": target, "fields": ["id"]}}
        for column, target in table.refers
    ]
    for ref, (_, target) in zip(refers, table.refers, strict=True):
        if TABLES[target] is table:
            del ref["reference"]["resource"]  # a reference within the table (v2: no resource)
    if refers:
        schema["foreignKeys"] = refers
    return schema


def _license(site: Site) -> list[dict[str, str]]:
    if site.data_license is None:
        return []
    spdx = site.data_license
    return [
        {"name": spdx, "path": licenses.license_url(spdx), "title": licenses.license_title(spdx)}
    ]


def _name(site: Site) -> str:
    """A package name (lower case, digits, ``.-_``) from the site's address, else fixed."""
    host = re.sub(r"^[a-z]+://", "", site.base_url.lower()).strip("/")
    name = re.sub(r"[^a-z0-9._-]+", "-", host).strip("-._")
    return name or "fundsite-open-data"


def data_package(site: Site, today: date) -> dict[str, Any]:
    """``data/datapackage.json``: every CSV table with its schema, as of the data's date."""
    package: dict[str, Any] = {
        "$schema": PACKAGE_PROFILE,
        "name": _name(site),
        "title": site.title,
        "description": _description(site),
        "version": today.isoformat(),
        "created": f"{today.isoformat()}T00:00:00Z",
        "keywords": ["กองทุนหลักประกันสุขภาพระดับท้องถิ่น", "local health security fund", "THB"],
    }
    if site.base_url.startswith(("http://", "https://")):
        package["homepage"] = site.base_url
    if site.data_license:
        package["licenses"] = _license(site)
    package["resources"] = [
        {
            "name": name,
            "path": f"{name}.csv",
            "type": "table",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": table.th,
            "description": table.en,
            "schema": table_schema(table),
        }
        for name, table in TABLES.items()
    ]
    return package


def _description(site: Site) -> str:
    about = (site.description + " ") if site.description else ""
    return (
        f"{about}ข้อมูลเปิดของ {site.title}: กองทุน แผนงาน โครงการ งวดเงิน และรายงาน"
        " วันที่เป็นแบบสากล (ค.ศ.) จำนวนเงินเป็นบาท ช่องว่างคือไม่ระบุ"
        " / Open data of the portal: funds, plans, projects, installments and reports."
        " ISO dates, amounts in THB, an empty cell is not stated."
    )


# ---- DCAT ----------------------------------------------------------------------------------

_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_MEDIA = "https://www.iana.org/assignments/media-types/"


def _text(th: str, en: str | None = None) -> list[dict[str, str]]:
    out = [{"@value": th, "@language": "th"}]
    if en:
        out.append({"@value": en, "@language": "en"})
    return out


def _distribution(
    base: str, path: str, media: str, form: str, title: str, conforms: str | None = None
) -> dict[str, Any]:
    url = site_url(base, path)
    out: dict[str, Any] = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": _MEDIA + media},
        "dct:format": form,
    }
    if conforms:
        out["dct:conformsTo"] = {"@id": conforms}
    return out


def catalogue(site: Site, today: date, giving: bool) -> dict[str, Any]:
    """``data/catalog.jsonld``: a ``dcat:Catalog`` naming every dataset (each table, the
    360Giving grants when ``giving``, and everything at once) with its downloads."""
    base = site.base_url
    package = site_url(base, PACKAGE)
    modified = {"@value": today.isoformat(), "@type": "xsd:date"}
    common: dict[str, Any] = {
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": site.title},
        "dct:modified": modified,
    }
    if site.data_license:
        common["dct:license"] = {"@id": licenses.license_url(site.data_license)}

    def dataset(ident: str, th: str, en: str, distributions: list[dict[str, Any]]) -> Any:
        return {
            "@id": site_url(base, f"data/#t-{ident}"),
            "@type": "dcat:Dataset",
            "dct:identifier": ident,
            "dct:title": _text(th, en),
            "dcat:keyword": ["กองทุนหลักประกันสุขภาพระดับท้องถิ่น", "local health security fund"],
            "dcat:landingPage": {"@id": site_url(base, "data/")},
            **common,
            "dcat:distribution": distributions,
        }

    datasets = [
        dataset(
            name,
            table.th,
            table.en,
            [
                _distribution(base, f"data/{name}.csv", "text/csv", "CSV", f"{name}.csv", package),
                _distribution(
                    base, f"data/{name}.json", "application/json", "JSON", f"{name}.json"
                ),
            ],
        )
        for name, table in TABLES.items()
    ]
    if giving:
        datasets.append(
            dataset(
                "360giving",
                "ทุนที่ให้แก่โครงการ ตามมาตรฐาน 360Giving",
                "grants in the 360Giving Data Standard",
                [
                    _distribution(
                        base, GIVING, "application/json", "JSON", "360giving.json", GIVING_STANDARD
                    )
                ],
            )
        )
    datasets.append(
        dataset(
            "all",
            "ข้อมูลทั้งหมด",
            "all the data",
            [
                _distribution(base, ALL, "application/json", "JSON", "all.json"),
                _distribution(
                    base, snapshot_path(today), "application/zip", "ZIP", "snapshot", package
                ),
                _distribution(
                    base,
                    PACKAGE,
                    "application/json",
                    "JSON",
                    "datapackage.json",
                    "https://datapackage.org/standard/data-package/",
                ),
            ],
        )
    )
    catalog: dict[str, Any] = {
        "@context": _CONTEXT,
        "@id": site_url(base, CATALOGUE),
        "@type": "dcat:Catalog",
        "dct:title": _text(site.title, site.title_en),
        "dct:description": _text(_description(site)),
        "foaf:homepage": {"@id": site_url(base, "")},
        **common,
        "dcat:dataset": datasets,
    }
    return catalog
