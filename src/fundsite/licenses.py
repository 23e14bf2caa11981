"""Licences for open data, by SPDX id: what ``data_license`` in ``data/site.yaml`` names.

A licence outside this list is still published as written (any SPDX id is allowed); ``check``
then asks whether it was meant, with the nearest known id.
"""

from __future__ import annotations

import difflib

#: SPDX ids of the licences open-data portals use, with their names.
OPEN_DATA: dict[str, str] = {
    "CC0-1.0": "Creative Commons Zero v1.0 Universal",
    "CC-BY-4.0": "Creative Commons Attribution 4.0 International",
    "CC-BY-SA-4.0": "Creative Commons Attribution Share Alike 4.0 International",
    "CC-BY-3.0": "Creative Commons Attribution 3.0 Unported",
    "CC-BY-3.0-TH": "Creative Commons Attribution 3.0 Thailand",
    "CC-BY-SA-3.0": "Creative Commons Attribution Share Alike 3.0 Unported",
    "CC-BY-NC-4.0": "Creative Commons Attribution Non Commercial 4.0 International",
    "ODbL-1.0": "Open Data Commons Open Database License v1.0",
    "ODC-By-1.0": "Open Data Commons Attribution License v1.0",
    "PDDL-1.0": "Open Data Commons Public Domain Dedication & License 1.0",
    "OGL-UK-3.0": "Open Government Licence v3.0",
}


def license_url(spdx: str) -> str:
    """The licence's page on the SPDX list (``spdx`` is checked against a pattern of SPDX
    characters, so it needs no escaping in a URL)."""
    return f"https://spdx.org/licenses/{spdx}.html"


def license_title(spdx: str) -> str:
    return OPEN_DATA.get(spdx, spdx)


def nearest(spdx: str) -> str | None:
    """The known id ``spdx`` was probably meant to be (``cc-by-4`` → ``CC-BY-4.0``), if any."""
    by_folded = {k.casefold(): k for k in OPEN_DATA}
    if spdx.casefold() in by_folded:
        return by_folded[spdx.casefold()]
    found = difflib.get_close_matches(spdx.casefold(), by_folded, n=1, cutoff=0.6)
    return by_folded[found[0]] if found else None
