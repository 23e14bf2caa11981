"""Throwaway sites for the records/validation tests.

``make_site({relative path: text})`` writes a site folder with a minimal valid ``data/`` (site,
issues and the real NHSO regions) plus the given files; ``check`` runs
:func:`fundsite.validate.check_site` on it. The ``site`` fixture binds both to ``tmp_path``.

The record texts below (``FUND``, ``PLAN``, ``PROJECT``, ``REPORT``) together form a site with
no problem at all; tests copy them and change one thing.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fundsite.cli import main
from fundsite.diagnostics import Problem
from fundsite.messages import render
from fundsite.validate import CheckResult, check_site

REPO = Path(__file__).parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from synth import write_site  # noqa: E402

SITE_YAML = "title: พอร์ทัลทดสอบ\nbase_url: https://example.org/\ndata_license: CC-BY-4.0\n"

ISSUES_YAML = """\
- id: alcohol
  name: เครื่องดื่มแอลกอฮอล์
  name_en: Alcohol
- id: tobacco
  name: บุหรี่และยาสูบ
  name_en: Tobacco
- id: fund-admin
  name: การบริหารจัดการกองทุน
  name_en: Fund administration
"""

# The NHSO health regions (สปสช. เขต 1–13): every province in exactly one.
# fmt: off
REGIONS: dict[int, tuple[str, list[str]]] = {
    1: (
        "เขต 1 เชียงใหม่",
        ["เชียงใหม่", "เชียงราย", "ลำพูน", "ลำปาง", "แพร่", "น่าน", "พะเยา", "แม่ฮ่องสอน"],
    ),
    2: ("เขต 2 พิษณุโลก", ["พิษณุโลก", "ตาก", "เพชรบูรณ์", "สุโขทัย", "อุตรดิตถ์"]),
    3: ("เขต 3 นครสวรรค์", ["นครสวรรค์", "กำแพงเพชร", "พิจิตร", "อุทัยธานี", "ชัยนาท"]),
    4: (
        "เขต 4 สระบุรี",
        ["สระบุรี", "นนทบุรี", "ปทุมธานี", "พระนครศรีอยุธยา", "อ่างทอง", "ลพบุรี", "สิงห์บุรี",
         "นครนายก"],
    ),
    5: (
        "เขต 5 ราชบุรี",
        ["ราชบุรี", "กาญจนบุรี", "สุพรรณบุรี", "นครปฐม", "สมุทรสาคร", "สมุทรสงคราม", "เพชรบุรี",
         "ประจวบคีรีขันธ์"],
    ),
    6: (
        "เขต 6 ระยอง",
        ["ระยอง", "ชลบุรี", "จันทบุรี", "ตราด", "ฉะเชิงเทรา", "ปราจีนบุรี", "สระแก้ว", "สมุทรปราการ"],
    ),
    7: ("เขต 7 ขอนแก่น", ["ขอนแก่น", "มหาสารคาม", "ร้อยเอ็ด", "กาฬสินธุ์"]),
    8: (
        "เขต 8 อุดรธานี",
        ["อุดรธานี", "สกลนคร", "นครพนม", "เลย", "หนองคาย", "หนองบัวลำภู", "บึงกาฬ"],
    ),
    9: ("เขต 9 นครราชสีมา", ["นครราชสีมา", "ชัยภูมิ", "บุรีรัมย์", "สุรินทร์"]),
    10: ("เขต 10 อุบลราชธานี", ["อุบลราชธานี", "ศรีสะเกษ", "ยโสธร", "อำนาจเจริญ", "มุกดาหาร"]),
    11: (
        "เขต 11 สุราษฎร์ธานี",
        ["สุราษฎร์ธานี", "นครศรีธรรมราช", "ชุมพร", "ระนอง", "พังงา", "ภูเก็ต", "กระบี่"],
    ),
    12: (
        "เขต 12 สงขลา",
        ["สงขลา", "สตูล", "ตรัง", "พัทลุง", "ปัตตานี", "ยะลา", "นราธิวาส"],
    ),
    13: ("เขต 13 กรุงเทพมหานคร", ["กรุงเทพมหานคร"]),
}
# fmt: on


def regions_yaml(only: Iterable[int] | None = None) -> str:
    """``data/regions.yaml`` with every region, or only the given ones."""
    wanted = set(REGIONS if only is None else only)
    out = []
    for rid, (name, provinces) in REGIONS.items():
        if rid in wanted:
            out.append(f"- id: {rid}\n  name: {name}\n  provinces: [{', '.join(provinces)}]\n")
    return "".join(out)


REGIONS_YAML = regions_yaml()

DATA_FILES = {
    "data/site.yaml": SITE_YAML,
    "data/issues.yaml": ISSUES_YAML,
    "data/regions.yaml": REGIONS_YAML,
}

# ---- one clean record of each kind (together: no problem at all) ---------------------------------

FUND_PATH = "content/funds/L5218.md"
FUND = """\
---
id: L5218
kind: local
name: กองทุนหลักประกันสุขภาพ อบต.คลองแดน
organization: อบต.คลองแดน
area: {province: สงขลา, district: ระโนด, subdistrict: คลองแดน}
population: 8231
finances:
  - fiscal_year: 2568
    carried_forward: 120000.00
    income: {nhso: 250000.00, local: 100000.00, other: 1500.00}
    spent: 280000.00
    balance: 191500.00
---
กองทุนตำบลคลองแดน
"""

PLAN_PATH = "content/plans/L5218/L5218-2568-alcohol.md"
PLAN = """\
---
id: L5218-2568-alcohol
fund: L5218
fiscal_year: 2568
issue: alcohol
title: แผนงานลดการบริโภคเครื่องดื่มแอลกอฮอล์
situation:
  - {indicator: ร้อยละของประชาชนที่ดื่มสุรา, size: 32.5, unit: ร้อยละ}
objectives:
  - {text: ลดผู้ดื่มรายใหม่, indicator: ร้อยละผู้ดื่มรายใหม่, baseline: 32.5, target: 28}
budget: 120000.00
---
"""

PROJECT_PATH = "content/projects/68-L5218-4-01.md"
PROJECT = """\
---
id: 68-L5218-4-01
title: โครงการบริหารและพัฒนาศักยภาพกองทุน ปีงบประมาณ 2568
fund: L5218
plan: L5218-2568-alcohol
issues: [alcohol]
support_type: 4
organization: สำนักงานเลขาฯกองทุน
approved_on: 2024-11-22
start: 2024-10-01
end: 2025-09-30
budget: 39918.00
responsible: นายพัฒยะ หิมลาภ
area: {province: สงขลา, district: ระโนด, subdistrict: คลองแดน}
installments:
  - {start: 2024-10-01, end: 2025-03-31, report_start: 2025-03-01, report_end: 2025-04-15,
     amount: 20000.00}
  - {start: 2025-04-01, end: 2025-09-30, amount: 19918.00}
objectives:
  - {text: พัฒนาศักยภาพกรรมการ, indicator: ร้อยละกรรมการที่ผ่านการอบรม, size: 29.0, target: 20.0}
target_groups:
  - {name: คณะกรรมการกองทุน, planned: 25, attended: 23}
status: in-progress
---
## หลักการและเหตุผล

กองทุนต้องมีการบริหารจัดการที่ดี
"""

REPORT_PATH = "content/reports/2025/2025-03-01-committee-meeting.md"
REPORT = """\
---
id: 2025-03-01-committee-meeting
project: 68-L5218-4-01
title: ประชุมคณะกรรมการกองทุน ครั้งที่ 1
date: 2025-03-01
kind: meeting
reporter: คณิชญา แซนโทส
participants: 12
spent: 3500.00
---
## กิจกรรมที่ปฏิบัติ

ประชุมคณะกรรมการ
"""

RECORDS = {FUND_PATH: FUND, PLAN_PATH: PLAN, PROJECT_PATH: PROJECT, REPORT_PATH: REPORT}

#: The first bytes of real image files: media are checked by their bytes, not their names.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def md(front: str, body: str = "") -> str:
    """A Markdown record from front-matter text (dedented) and a body."""
    return f"---\n{textwrap.dedent(front).strip(chr(10))}\n---\n{body}"


def replace_line(text: str, old: str, new: str) -> str:
    """``text`` with the one line starting with ``old`` replaced (``new=""`` deletes it)."""
    lines = text.split("\n")
    hits = [i for i, line in enumerate(lines) if line.startswith(old)]
    assert len(hits) == 1, f"{old!r} matches {len(hits)} lines"
    if new:
        lines[hits[0]] = new
    else:
        del lines[hits[0]]
    return "\n".join(lines)


def line_of(text: str, start: str) -> int:
    """The 1-based line of ``text`` that starts with ``start`` (after indentation)."""
    start = start.lstrip()
    hits = [i for i, line in enumerate(text.split("\n"), 1) if line.lstrip().startswith(start)]
    assert len(hits) == 1, f"{start!r} matches lines {hits}"
    return hits[0]


def make_site(root: Path, files: dict[str, str | bytes], *, data: bool = True) -> Path:
    """Write a site into ``root``: the minimal ``data/`` (unless ``data=False``) and ``files``.

    A file given as ``None``-free text overrides the default of the same path.
    """
    root.mkdir(parents=True, exist_ok=True)
    everything: dict[str, str | bytes] = dict(DATA_FILES) if data else {}
    everything.update(files)
    for rel, content in everything.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


#: Warnings that most tests do not care about.
IGNORED = frozenset({"region-missing-provinces"})


def check(root: Path, files: dict[str, str | bytes] | None = None) -> list[Problem]:
    """Write ``files`` (if given) into the site at ``root`` and return its problems."""
    if files is not None:
        make_site(root, files)
    return [p for p in check_site(root, workers=1).problems if p.code not in IGNORED]


def codes(problems: Iterable[Problem]) -> list[str]:
    return [p.code for p in problems]


def only(problems: Iterable[Problem], code: str) -> Problem:
    """The single problem with ``code``; fails listing every problem otherwise."""
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, f"expected one {code}, got {describe(problems)}"
    return found[0]


def describe(problems: Iterable[Problem]) -> str:
    return "\n".join(
        f"{p.file}:{p.line}:{p.col} {p.severity} {p.code} [{p.field}] {render(p, 'en')[0]}"
        for p in problems
    )


def th(problem: Problem) -> str:
    return render(problem, "th")[0]


def en(problem: Problem) -> str:
    return render(problem, "en")[0]


def hint_th(problem: Problem) -> str | None:
    return render(problem, "th")[1]


def hint_en(problem: Problem) -> str | None:
    return render(problem, "en")[1]


@dataclass
class Run:
    """What ``fundsite …`` printed and returned."""

    code: int
    out: str
    err: str

    def json(self) -> list[dict]:
        return json.loads(self.out)


@dataclass
class SiteFixture:
    """A throwaway site under ``tmp_path`` and the ways to check it."""

    root: Path
    capsys: pytest.CaptureFixture[str]

    def write(self, files: dict[str, str | bytes] | None = None, *, data: bool = True) -> Path:
        return make_site(self.root, files or {}, data=data)

    def check(self, files: dict[str, str | bytes] | None = None) -> list[Problem]:
        """Write ``files`` on top of the minimal data, check, drop :data:`IGNORED` warnings."""
        self.write(files)
        return check(self.root)

    def result(self, files: dict[str, str | bytes] | None = None) -> CheckResult:
        self.write(files)
        return check_site(self.root, workers=1)

    def cli(self, *args: str) -> Run:
        """Run ``fundsite`` in-process with ``args``; ``{site}`` in an argument is the root."""
        self.capsys.readouterr()
        argv = [a.replace("{site}", str(self.root)) for a in args]
        code = main(argv)
        captured = self.capsys.readouterr()
        return Run(code, captured.out, captured.err)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """fundsite's per-user cache (build manifests, git history) in a folder of the test run."""
    from fundsite.cache import ENV

    before = os.environ.get(ENV)
    os.environ[ENV] = str(tmp_path_factory.mktemp("fundsite-cache"))
    yield
    if before is None:
        os.environ.pop(ENV, None)
    else:
        os.environ[ENV] = before


#: The data's date of the sites tests check and build (``SOURCE_DATE_EPOCH``, which
#: ``fundsite.history.snapshot_date`` reads first): 1 April 2025, inside the reference project's
#: period and its first report window (which its report opens), so that the rules judging time
#: (report windows, projects in progress after their end) give the same result on any day and
#: the reference records stay free of problems with or without their report. Tests of those
#: rules set their own date.
DATA_DATE = "1743465600"  # 2025-04-01 00:00 UTC


@pytest.fixture(autouse=True, scope="session")
def _data_date() -> Iterator[None]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = DATA_DATE
    yield
    if before is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before


@pytest.fixture
def site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> SiteFixture:
    return SiteFixture(tmp_path / "site", capsys)


def example_plus_synthetic(
    tmp_path: Path,
    projects: int = 30,
    seed: int = 11,
    themes: bool = False,
    funds: int | None = None,
) -> Path:
    """The example portal plus a small synthetic portal's records (and the theme, to edit)."""
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "data", root / "data")
    if themes:
        shutil.copytree(REPO / "themes", root / "themes")
    synthetic = tmp_path / "synthetic"
    write_site(synthetic, projects, seed=seed, funds=funds)
    for kind in ("funds", "plans", "projects", "reports"):
        shutil.copytree(synthetic / "content" / kind, root / "content" / kind, dirs_exist_ok=True)
    return root


@pytest.fixture
def mixed_site(tmp_path: Path) -> Path:
    """The example portal plus 30 synthetic projects, to edit."""
    return example_plus_synthetic(tmp_path)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, for the end-to-end tests of one module."""
    from browser import browser

    with browser() as instance:
        yield instance


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser tab at desktop width, in Thai."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    tab = context.new_page()
    yield tab
    context.close()
