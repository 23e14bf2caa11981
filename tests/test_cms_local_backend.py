"""The form editor's local backend (:mod:`fundsite.cms.local_backend`) and its place in
``fundsite serve``: Decap's proxy-backend actions over a throwaway site, what a hostile request
or a hostile site cannot make it do, and how a save is checked before anything is written.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import fundsite.cms.local_backend as lb
from conftest import JPEG, PNG, PROJECT, PROJECT_PATH, RECORDS, REPORT, REPORT_PATH, make_site
from fundsite.cms.config import LOCAL_API
from fundsite.cms.local_backend import clean_media_name, describe, handle, overlay_check
from fundsite.diagnostics import Problem
from fundsite.serve import CMS_API, DevServer
from fundsite.validate import check_state

NEW_REPORT = "content/reports/2025/2025-03-20-follow-up.md"
NEW_REPORT_TEXT = """\
---
id: 2025-03-20-follow-up
project: 68-L5218-4-01
title: ติดตามผล
date: 2025-03-20
---
ข้อความ
"""


@pytest.fixture
def cms_site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {**RECORDS, "content/media/2025/old.jpg": JPEG})


def ask(site: Path, action: str, **params: Any) -> tuple[int, Any]:
    written: list[str] = []
    status, answer = handle(site, {"branch": "main", "action": action, "params": params}, None,
                            "th", written.append)  # fmt: skip
    if isinstance(answer, dict):
        answer = {**answer, "_written": written}
    return status, answer


def persist(
    site: Path, path: str, raw: str, new: bool = False, assets: list[dict[str, Any]] | None = None
) -> tuple[int, Any]:
    data_file = {"path": path, "slug": "x", "raw": raw}
    options = {"newEntry": new, "commitMessage": "x", "useWorkflow": False, "status": ""}
    return ask(site, "persistEntry", dataFiles=[data_file], assets=assets or [], options=options)


def asset(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "content": base64.b64encode(data).decode(), "encoding": "base64"}


def tree(site: Path) -> dict[str, bytes]:
    """Every file under the site, with its bytes (links as their target)."""
    out = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_symlink():
            out[rel] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


# ---- reading ------------------------------------------------------------------------------------


def test_info_and_deploy_preview(cms_site: Path) -> None:
    status, info = ask(cms_site, "info")
    assert status == 200 and info["type"] == "local_fs" and info["publish_modes"] == ["simple"]
    assert handle(cms_site, {"action": "getDeployPreview", "params": {}}) == (200, None)


def test_entries_by_folder_lists_records_as_decap_server_does(cms_site: Path) -> None:
    status, entries = handle(cms_site, {"action": "entriesByFolder", "params": {
        "folder": "content/reports", "extension": "md", "depth": 2}})  # fmt: skip
    assert status == 200
    assert [e["file"]["path"] for e in entries] == [REPORT_PATH]
    data = (cms_site / REPORT_PATH).read_bytes()
    assert entries[0]["data"] == data.decode()
    assert entries[0]["file"]["id"] == hashlib.sha256(data).hexdigest()
    # depth 1 does not go into the year folders; another extension lists nothing
    for params in ({"depth": 1, "extension": "md"}, {"depth": 2, "extension": "yml"}):
        answer = handle(cms_site, {"action": "entriesByFolder", "params": {
            "folder": "content/reports", **params}})  # fmt: skip
        assert answer == (200, [])
    status, plans = handle(cms_site, {"action": "entriesByFolder", "params": {
        "folder": "content/plans", "extension": "md", "depth": 2}})  # fmt: skip
    assert [e["file"]["path"] for e in plans] == ["content/plans/L5218/L5218-2568-alcohol.md"]


def test_entries_by_files_and_get_entry(cms_site: Path) -> None:
    status, entries = ask(cms_site, "entriesByFiles", files=[
        {"path": PROJECT_PATH, "label": "p"}, {"path": "content/projects/none.md"}])  # fmt: skip
    assert status == 200
    assert entries[0]["data"] == PROJECT and entries[0]["file"]["label"] == "p"
    assert entries[1] == {"data": None, "file": {"path": "content/projects/none.md", "id": None}}
    status, entry = ask(cms_site, "getEntry", path=PROJECT_PATH)
    assert status == 200 and entry["data"] == PROJECT
    status, entry = ask(cms_site, "getEntry", path="content/projects/none.md")
    assert status == 200 and entry["data"] is None  # a new entry: Decap asks first


def test_media_listing_and_file(cms_site: Path) -> None:
    status, files = handle(cms_site, {"action": "getMedia", "params": {
        "mediaFolder": "content/media/2025"}})  # fmt: skip
    assert status == 200 and len(files) == 1
    assert files[0]["path"] == "content/media/2025/old.jpg" and files[0]["name"] == "old.jpg"
    assert base64.b64decode(files[0]["content"]) == JPEG and files[0]["encoding"] == "base64"
    # Decap asks for an entry's own folder too: no media there, and nothing but media listed
    status, files = ask(cms_site, "getMedia", mediaFolder="content/reports/2025")
    assert status == 200 and files == []
    status, one = ask(cms_site, "getMediaFile", path="content/media/2025/old.jpg")
    assert status == 200 and base64.b64decode(one["content"]) == JPEG
    status, missing = ask(cms_site, "getMediaFile", path="content/media/2025/none.jpg")
    assert status == 404 and "ไม่พบไฟล์" in missing["error"]


# ---- hostile paths ------------------------------------------------------------------------------

BAD_PATHS = [
    "../secret.md",
    "/etc/passwd",
    "content/projects/../../secret.md",
    "content/projects/./x.md",
    "content//projects/x.md",
    "content\\projects\\x.md",
    "content/projects/x.txt",
    "content/projects/.hidden.md",
    "content/projects/x\n.md",
    "content/projects/x.md ",
    "content/reports/x.md",  # reports sit in a year folder
    "content/reports/abcd/x.md",
    "content/funds/sub/x.md",
    "content/media/2025/x.md",
    "data/site.yaml",
    "themes/default/base.html",
    ".git/config",
    "content/projects/" + "ก" * 300 + ".md",
    "",
    None,
    ["content/projects/x.md"],
]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_paths_outside_the_records_are_refused(cms_site: Path, path: Any) -> None:
    (cms_site.parent / "secret.md").write_text("---\nid: secret\n---\n")
    before = tree(cms_site.parent)
    status, answer = ask(cms_site, "getEntry", path=path)
    assert status == 422 and "ตัวแก้ไขเปิดหรือเขียนไฟล์" in answer["error"]
    status, answer = persist(cms_site, path, NEW_REPORT_TEXT, new=True)
    assert status == 422 and answer["_written"] == []
    status, answer = ask(cms_site, "deleteFile", path=path, options={"commitMessage": "x"})
    assert status == (200 if path == "content/media/2025/x.md" else 422)  # not there: no-op
    assert tree(cms_site.parent) == before


@pytest.mark.parametrize(
    "folder", ["content", "content/../..", "/tmp", "data", "content/reports/2025/x", "../x"]
)
def test_listing_outside_the_record_folders_is_refused(cms_site: Path, folder: str) -> None:
    status, answer = handle(cms_site, {"action": "entriesByFolder", "params": {
        "folder": folder, "extension": "md", "depth": 3}})  # fmt: skip
    assert status == 422 and "error" in answer


def test_links_are_neither_listed_read_written_nor_deleted(cms_site: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text(REPORT)
    (outside / "2025").mkdir()
    (outside / "2025" / "y.md").write_text(REPORT)
    (outside / "p.jpg").write_bytes(JPEG)
    reports = cms_site / "content/reports"
    (reports / "2024").symlink_to(outside / "2025")  # a linked folder
    (reports / "2025" / "linked.md").symlink_to(outside / "x.md")  # a linked record
    (cms_site / "content/media/2025/linked.jpg").symlink_to(outside / "p.jpg")
    (cms_site / "content/pages").symlink_to(outside)  # a linked record folder
    before = tree(tmp_path)

    status, entries = handle(cms_site, {"action": "entriesByFolder", "params": {
        "folder": "content/reports", "extension": "md", "depth": 2}})  # fmt: skip
    assert status == 200 and [e["file"]["path"] for e in entries] == [REPORT_PATH]
    status, pages = handle(cms_site, {"action": "entriesByFolder", "params": {
        "folder": "content/pages", "extension": "md", "depth": 1}})  # fmt: skip
    assert status == 200 and pages == []
    status, entry = ask(cms_site, "getEntry", path="content/reports/2025/linked.md")
    assert entry["data"] is None
    status, entry = ask(cms_site, "getEntry", path="content/reports/2024/y.md")
    assert entry["data"] is None
    status, media = ask(cms_site, "getMedia", mediaFolder="content/media/2025")
    assert [m["name"] for m in media if isinstance(m, dict)] == ["old.jpg"]
    status, answer = ask(cms_site, "getMediaFile", path="content/media/2025/linked.jpg")
    assert status == 409

    text = REPORT.replace("2025-03-01-committee-meeting", "linked")
    status, answer = persist(cms_site, "content/reports/2025/linked.md", text)
    assert status == 409 and "ไม่ใช่ไฟล์ธรรมดา" in answer["error"]
    text = REPORT.replace("2025-03-01-committee-meeting", "y").replace("2025-03-01", "2024-03-01")
    status, answer = persist(cms_site, "content/reports/2024/y.md", text)
    assert status == 409
    status, answer = persist(cms_site, "content/pages/x.md", "---\ntitle: x\n---\n", new=True)
    assert status == 409
    status, answer = ask(cms_site, "persistMedia", asset=asset("content/media/2025/linked.jpg",
                         JPEG), options={"commitMessage": "x"})  # fmt: skip
    assert status == 409
    for path in ("content/reports/2025/linked.md", "content/media/2025/linked.jpg"):
        status, answer = ask(cms_site, "deleteFile", path=path, options={"commitMessage": "x"})
        assert status == 409, answer
    assert tree(tmp_path) == before
    assert (reports / "2025" / "linked.md").is_symlink()


# ---- saving: the check decides ------------------------------------------------------------------


def test_an_error_refuses_the_save_and_writes_nothing(cms_site: Path) -> None:
    before = tree(cms_site)
    raw = PROJECT.replace("budget: 39918.00", 'budget: "1,2,3"')
    status, answer = persist(cms_site, PROJECT_PATH, raw)
    assert status == 422, answer
    line = raw.split("\n").index('budget: "1,2,3"') + 1
    assert answer["error"] == (
        f'{PROJECT_PATH} บรรทัด {line} ช่อง budget: ใส่จุลภาคคั่นหลักพันผิดที่ ("1,2,3")'
    )
    assert answer["title"].startswith("ยังไม่ได้บันทึก")
    assert [p["field"] for p in answer["problems"]] == ["budget"]
    assert answer["_written"] == [] and tree(cms_site) == before


def test_a_link_error_refuses_a_new_report(cms_site: Path) -> None:
    before = tree(cms_site)
    raw = NEW_REPORT_TEXT.replace("68-L5218-4-01", "68-L5218-4-99")
    status, answer = persist(cms_site, NEW_REPORT, raw, new=True)
    assert status == 422
    assert answer["error"] == (
        f'{NEW_REPORT} บรรทัด 3 ช่อง project: ไม่พบโครงการรหัส "68-L5218-4-99"'
        " → น่าจะหมายถึง 68-L5218-4-01"
    )
    assert tree(cms_site) == before


def test_an_error_made_in_another_file_refuses_the_save(cms_site: Path) -> None:
    """A project renamed (id and file) leaves its report pointing at nothing: refused."""
    before = tree(cms_site)
    raw = PROJECT.replace("id: 68-L5218-4-01", "id: 68-L5218-4-02")
    new = "content/projects/68-L5218-4-02.md"
    data_file = {"path": PROJECT_PATH, "newPath": new, "slug": "x", "raw": raw}
    status, answer = ask(cms_site, "persistEntry", dataFiles=[data_file], assets=[], options={})
    assert status == 422
    assert [p["file"] for p in answer["problems"]] == [REPORT_PATH], answer
    assert f'{REPORT_PATH} บรรทัด 3 ช่อง project: ไม่พบโครงการรหัส "68-L5218-4-01"' in answer["error"]
    assert tree(cms_site) == before


def test_a_warning_saves_and_is_reported(cms_site: Path) -> None:
    raw = NEW_REPORT_TEXT.replace("2025-03-20", "2025-12-20")
    path = "content/reports/2025/2025-12-20-follow-up.md"
    status, answer = persist(cms_site, path, raw.replace("2025-03-20", "2025-12-20"), new=True)
    assert status == 200, answer
    assert answer["message"] == "entry persisted"
    assert answer["warnings"] == [
        f"{path} บรรทัด 5 ช่อง date: วันที่รายงาน (20 ธ.ค. 2568) อยู่นอกระยะเวลาโครงการ"
        " (1 ต.ค. 2567 – 30 ก.ย. 2568)"
    ]
    assert (cms_site / path).read_text() == raw and answer["_written"] == [path]


def test_a_clean_save_and_an_edit(cms_site: Path) -> None:
    status, answer = persist(cms_site, NEW_REPORT, NEW_REPORT_TEXT, new=True)
    assert status == 200 and "warnings" not in answer
    assert (cms_site / NEW_REPORT).read_text() == NEW_REPORT_TEXT
    edited = NEW_REPORT_TEXT.replace("ติดตามผล", "ติดตามผลครั้งที่ 2")
    status, answer = persist(cms_site, NEW_REPORT, edited)
    assert status == 200 and (cms_site / NEW_REPORT).read_text() == edited
    assert not [p for p in (cms_site / "content/reports/2025").iterdir() if p.name.startswith(".")]


def test_a_new_entry_never_replaces_a_file(cms_site: Path) -> None:
    before = tree(cms_site)
    status, answer = persist(cms_site, REPORT_PATH, REPORT.replace("ครั้งที่ 1", "ใหม่"), new=True)
    assert status == 409 and "มีไฟล์" in answer["error"] and "อยู่แล้ว" in answer["error"]
    assert tree(cms_site) == before


def test_oversized_and_malformed_requests(cms_site: Path) -> None:
    before = tree(cms_site)
    huge = NEW_REPORT_TEXT + "ก" * lb.MAX_RECORD_BYTES
    status, answer = persist(cms_site, NEW_REPORT, huge, new=True)
    assert status == 422 and "ไฟล์ใหญ่เกินไป" in answer["error"]
    assert handle(cms_site, {"action": "nope"})[0] == 422
    assert "nope" in handle(cms_site, {"action": "nope"})[1]["error"]
    for request in ([], "x", {"params": {}}, {"action": "getEntry", "params": []}):
        status, answer = handle(cms_site, request)
        assert status == 422 and "error" in answer
    status, answer = ask(cms_site, "persistEntry", dataFiles="x", assets=[], options={})
    assert status == 422
    status, answer = ask(cms_site, "entriesByFiles", files=["x"])
    assert status == 422
    files = [{"path": f"content/projects/{i}.md", "raw": "x", "slug": "x"} for i in range(60)]
    status, answer = ask(cms_site, "persistEntry", dataFiles=files, assets=[], options={})
    assert status == 413
    assert tree(cms_site) == before


def test_a_rename_moves_the_record_after_the_check(cms_site: Path) -> None:
    new = "content/reports/2025/2025-03-01-renamed.md"
    raw = REPORT.replace("2025-03-01-committee-meeting", "2025-03-01-renamed")
    data_file = {"path": REPORT_PATH, "newPath": new, "slug": "x", "raw": raw}
    status, answer = ask(cms_site, "persistEntry", dataFiles=[data_file], assets=[], options={})
    assert status == 200, answer
    assert not (cms_site / REPORT_PATH).exists() and (cms_site / new).read_text() == raw
    assert set(answer["_written"]) == {new, REPORT_PATH}


# ---- media --------------------------------------------------------------------------------------


def test_an_entry_with_its_photo(cms_site: Path) -> None:
    raw = NEW_REPORT_TEXT.replace("---\nข้อความ", "photos: [media/2026/p-1.jpg]\n---\nข้อความ")
    photo = asset("content/media/2026/p-1.jpg", JPEG)
    status, answer = persist(cms_site, NEW_REPORT, raw, new=True, assets=[photo])
    assert status == 200, answer
    assert (cms_site / "content/media/2026/p-1.jpg").read_bytes() == JPEG
    assert answer["_written"] == ["content/media/2026/p-1.jpg", NEW_REPORT]  # media first


def test_an_entry_naming_a_photo_that_is_not_there_is_refused(cms_site: Path) -> None:
    before = tree(cms_site)
    raw = NEW_REPORT_TEXT.replace("---\nข้อความ", "photos: [media/2026/none.jpg]\n---\nข้อความ")
    status, answer = persist(cms_site, NEW_REPORT, raw, new=True)
    assert (
        status == 422 and "photos" in answer["error"] and "media/2026/none.jpg" in answer["error"]
    )
    assert tree(cms_site) == before


def test_entry_assets_outside_the_media_folder_are_refused(cms_site: Path) -> None:
    """Decap puts the Markdown images of a collection with a ``path`` beside the entry."""
    before = tree(cms_site)
    raw = NEW_REPORT_TEXT + "\n![](p.jpg)\n"
    photo = asset("content/reports/2025/p.jpg", JPEG)
    status, answer = persist(cms_site, NEW_REPORT, raw, new=True, assets=[photo])
    assert status == 422 and "content/media/<ปี ค.ศ.>/" in answer["error"]
    assert tree(cms_site) == before


def persist_media(site: Path, path: str, data: bytes) -> tuple[int, Any]:
    return ask(site, "persistMedia", asset=asset(path, data), options={"commitMessage": "x"})


def test_persist_media_writes_a_clean_name_in_a_year_folder(cms_site: Path) -> None:
    status, media = persist_media(cms_site, "content/media/2026/ภาพ กิจกรรม (1).JPG", JPEG)
    assert status == 200, media
    assert media["path"] == "content/media/2026/ภาพ-กิจกรรม-1.jpg"
    assert media["name"] == "ภาพ-กิจกรรม-1.jpg" and base64.b64decode(media["content"]) == JPEG
    assert (cms_site / media["path"]).read_bytes() == JPEG
    status, again = persist_media(cms_site, "content/media/2026/ภาพ กิจกรรม (1).JPG", JPEG)
    assert status == 200 and again["_written"] == []  # the same bytes: nothing to write


@pytest.mark.parametrize(
    "path",
    [
        "content/media/p.jpg",
        "content/media/2026/sub/p.jpg",
        "content/media/26/p.jpg",
        "content/projects/p.jpg",
        "content/reports/2025/p.jpg",
        "media/2026/p.jpg",
        "../p.jpg",
    ],
)
def test_persist_media_elsewhere_is_refused(cms_site: Path, path: str) -> None:
    before = tree(cms_site)
    status, answer = persist_media(cms_site, path, JPEG)
    assert status == 422 and "error" in answer
    assert tree(cms_site) == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("p.jpg", b"<html><script>alert(1)</script>", "ไม่ตรงกับนามสกุลไฟล์"),
        ("p.jpg", PNG, "ไม่ตรงกับนามสกุลไฟล์"),
        ("p.png", JPEG, "ไม่ตรงกับนามสกุลไฟล์"),
        ("p.svg", b"<svg onload='alert(1)'/>", "เผยแพร่ไม่ได้"),
        ("p.html", b"<p>", "เผยแพร่ไม่ได้"),
        ("p", JPEG, "ไม่มีนามสกุล"),
    ],
)
def test_persist_media_checks_the_bytes(
    cms_site: Path, name: str, data: bytes, message: str
) -> None:
    before = tree(cms_site)
    status, answer = persist_media(cms_site, f"content/media/2026/{name}", data)
    assert status == 422 and message in answer["error"], answer
    assert answer["error"].startswith("content/media/2026/")
    assert tree(cms_site) == before


def test_persist_media_size_and_encoding(cms_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree(cms_site)
    monkeypatch.setattr(lb, "MAX_MEDIA_BYTES", 100)
    status, answer = persist_media(cms_site, "content/media/2026/big.jpg", JPEG + b"\0" * 200)
    assert status == 422 and "ไฟล์ใหญ่เกินไป" in answer["error"]
    bad = {"path": "content/media/2026/p.jpg", "content": "%%%", "encoding": "base64"}
    status, answer = ask(cms_site, "persistMedia", asset=bad, options={})
    assert status == 422
    bad = {"path": "content/media/2026/p.jpg", "content": "eA==", "encoding": "utf8"}
    assert ask(cms_site, "persistMedia", asset=bad, options={})[0] == 422
    assert tree(cms_site) == before


def test_persist_media_never_replaces_a_different_file(cms_site: Path) -> None:
    before = tree(cms_site)
    other = JPEG[:-2] + b"\x00\xff\xd9"
    status, answer = persist_media(cms_site, "content/media/2025/old.jpg", other)
    assert status == 409 and "ไม่เขียนทับ" in answer["error"]
    assert tree(cms_site) == before


def test_clean_media_name() -> None:
    assert clean_media_name("IMG_0001.JPG") == "img_0001.jpg"
    assert clean_media_name("../../etc/passwd.jpg") == "etc-passwd.jpg"
    assert clean_media_name(".htaccess") == "file.htaccess"
    assert clean_media_name("ภาพ\u200bกิจกรรม.png") == "ภาพ-กิจกรรม.png"
    assert clean_media_name("a.tar.gz") == "a-tar.gz"
    assert len(clean_media_name("ก" * 500 + ".jpg")) == 84


# ---- deleting -----------------------------------------------------------------------------------


def test_delete_a_report(cms_site: Path) -> None:
    status, answer = ask(cms_site, "deleteFile", path=REPORT_PATH, options={"commitMessage": "x"})
    assert status == 200 and not (cms_site / REPORT_PATH).exists()
    assert answer["_written"] == [REPORT_PATH]


def test_deleting_what_others_name_is_refused(cms_site: Path) -> None:
    """A project its report names, a photo a report names: refused, nothing deleted."""
    raw = REPORT.replace("spent: 3500.00", "spent: 3500.00\nphotos: [media/2025/old.jpg]")
    (cms_site / REPORT_PATH).write_text(raw)
    before = tree(cms_site)
    for path in (PROJECT_PATH, "content/media/2025/old.jpg"):
        status, answer = ask(cms_site, "deleteFiles", paths=[path], options={"commitMessage": "x"})
        assert status == 422, answer
        assert answer["problems"][0]["file"] == REPORT_PATH
    assert tree(cms_site) == before


# ---- the messages -------------------------------------------------------------------------------


def test_describe_names_file_line_and_field_once() -> None:
    problem = Problem("error", "money-negative", "content/projects/x.md", 12, 9, "budget",
                      {"value": "-5"})  # fmt: skip
    text = describe(problem)
    assert text.startswith("content/projects/x.md บรรทัด 12 ช่อง budget: ")
    assert text.count("budget") == 1
    english = describe(problem, "en")
    assert english.startswith("content/projects/x.md line 12 field budget: ")
    bare = describe(Problem("error", "front-matter-missing", "content/pages/a.md", 1, 1))
    assert bare.startswith("content/pages/a.md บรรทัด 1: ")


# ---- the check serve uses: patched into the kept check and back ---------------------------------


EDITS = {
    "report date outside": (REPORT_PATH, REPORT.replace("date: 2025-03-01", "date: 2025-12-01")),
    "report spent over": (REPORT_PATH, REPORT.replace("spent: 3500.00", "spent: 99999.00")),
    "new report": (NEW_REPORT, NEW_REPORT_TEXT),
    "project title": (PROJECT_PATH, PROJECT.replace("title: ", "title: ใหม่ ")),
    "project end": (PROJECT_PATH, PROJECT.replace("end: 2025-09-30", "end: 2025-02-28")),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_patch_check_finds_what_the_full_check_finds(cms_site: Path, edit: str) -> None:
    rel, text = EDITS[edit]
    state, result = check_state(cms_site, workers=1)
    assert state is not None and result.ok
    before = list(state.problems())
    digest = state.nodes[rel].digest if rel in state.nodes else None
    found = lb.patch_check(state, {rel: text.encode()})
    assert found is not None, "the patch path should take this edit"
    full = overlay_check(cms_site, {rel: text.encode()})
    assert sorted(map(lb._key, found)) == sorted(map(lb._key, full))
    # the kept check is as it was, and nothing was written
    assert state.problems() == before
    assert (state.nodes[rel].digest if rel in state.nodes else None) == digest
    assert not (cms_site / NEW_REPORT).exists()


def test_patch_check_leaves_changed_links_to_the_full_check(cms_site: Path) -> None:
    state, _ = check_state(cms_site, workers=1)
    assert state is not None
    moved = PROJECT.replace("plan: L5218-2568-alcohol\n", "")
    assert lb.patch_check(state, {PROJECT_PATH: moved.encode()}) is None
    assert lb.patch_check(state, {REPORT_PATH: None}) is None
    with_photo = NEW_REPORT_TEXT.replace("---\nข้อความ", "photos: [media/2025/old.jpg]\n---\n")
    assert lb.patch_check(state, {NEW_REPORT: with_photo.encode()}) is None
    (cms_site / REPORT_PATH).write_text(REPORT + "\nแก้แล้ว\n")  # not yet taken in by the build
    assert lb.patch_check(state, {REPORT_PATH: REPORT.encode()}) is None


# ---- in fundsite serve --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    site = make_site(tmp_path_factory.mktemp("cms-serve") / "site", dict(RECORDS))
    logged: list[str] = []
    server = DevServer(site, port=0, workers=1, search=False, log=logged.append, timeout=2.0)
    server.start()
    try:
        assert server.status is not None and server.status.ok, logged
        yield server
    finally:
        server.stop()
    assert not any("Traceback" in line for line in logged), logged


def request(
    dev: DevServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    host, port = dev.address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    sent = {"Host": f"127.0.0.1:{port}"}
    if body is not None:
        sent |= {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"}
    sent |= headers or {}
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in sent.items():
        if value:
            connection.putheader(name, value)
    if body is not None and "Content-Length" not in sent:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def api(dev: DevServer, value: Any, **headers: str) -> tuple[int, Any]:
    status, sent, data = request(dev, "POST", CMS_API, json.dumps(value).encode(), headers)
    if sent.get("content-type", "").startswith("application/json"):
        return status, json.loads(data)
    return status, data.decode()


def test_the_api_path_is_the_configured_one() -> None:
    assert CMS_API == LOCAL_API


def test_serve_answers_the_editor(dev: DevServer) -> None:
    status, entry = api(dev, {"action": "getEntry", "params": {"path": PROJECT_PATH}})
    assert status == 200 and entry["data"] == PROJECT
    built = dev.builds
    status, answer = api(dev, {"action": "persistEntry", "params": {
        "dataFiles": [{"path": NEW_REPORT, "raw": NEW_REPORT_TEXT, "slug": "x"}],
        "assets": [], "options": {"newEntry": True}}})  # fmt: skip
    assert status == 200, answer
    dev.wait_for_build(built)  # the save is rebuilt: the report's page is there
    status, _, page = request(dev, "GET", "/reports/2025-03-20-follow-up/")
    assert status == 200 and "ติดตามผล".encode() in page
    assert dev.status is not None and dev.status.ok


def test_serve_refuses_an_error_and_writes_nothing(dev: DevServer) -> None:
    path = dev.site / PROJECT_PATH
    before = path.read_bytes()
    raw = PROJECT.replace("budget: 39918.00", "budget: -5")
    status, answer = api(dev, {"action": "persistEntry", "params": {
        "dataFiles": [{"path": PROJECT_PATH, "raw": raw, "slug": "x"}],
        "assets": [], "options": {}}})  # fmt: skip
    assert status == 422 and f"{PROJECT_PATH} บรรทัด" in answer["error"]
    assert "ช่อง budget" in answer["error"] and path.read_bytes() == before


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "http://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "same-site"}, 403),
        ({"Host": "evil.example"}, 403),
        ({"Content-Type": "text/plain"}, 415),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Length": "abc"}, 411),
    ],
)
def test_serve_refuses_hostile_posts(dev: DevServer, headers: dict[str, str], status: int) -> None:
    before = tree(dev.site)
    body = {"action": "persistEntry", "params": {
        "dataFiles": [{"path": NEW_REPORT.replace("03-20", "03-21"), "raw": NEW_REPORT_TEXT,
                       "slug": "x"}], "assets": [], "options": {"newEntry": True}}}  # fmt: skip
    answer = api(dev, body, **headers)
    assert answer[0] == status, answer
    assert tree(dev.site) == before


def test_serve_post_limits(dev: DevServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lb, "MAX_BODY", 100)
    status, answer = api(dev, {"action": "info", "params": {"pad": "x" * 200}})
    assert status == 413 and "ใหญ่เกินไป" in answer["error"]
    monkeypatch.undo()
    status, _, data = request(dev, "POST", CMS_API, b"{not json", {})
    assert status == 400 and "JSON" in json.loads(data)["error"]
    status, _, data = request(dev, "POST", CMS_API, b'{"action": NaN}', {})
    assert status == 400
    status, _, data = request(dev, "POST", CMS_API, b"[" * 100_000, {})
    assert status == 400
    status, answer = api(dev, {"action": "info"})
    assert status == 200


def test_serve_takes_post_at_the_api_only(dev: DevServer) -> None:
    status, headers, _ = request(dev, "POST", "/", b"{}")
    assert status == 405 and headers["allow"] == "GET, HEAD"
    status, headers, _ = request(dev, "POST", "/admin/", b"{}")
    assert status == 405
    status, headers, _ = request(dev, "POST", "/" + CMS_API, b"{}")  # "//…": not the API
    assert status == 405
    status, headers, _ = request(dev, "GET", CMS_API)
    assert status == 405 and headers["allow"] == "POST"
    status, headers, _ = request(dev, "PUT", CMS_API, b"{}")
    assert status == 405


def test_a_slow_body_is_dropped(dev: DevServer) -> None:
    import socket

    host, port = dev.address
    with socket.create_connection((host, port), timeout=10) as sock:
        head = (
            f"POST {CMS_API} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        sock.sendall(head.encode())
        sock.settimeout(10)
        assert sock.recv(100) == b""  # closed after the timeout (2 s), with no answer


def test_serve_serves_the_editor_at_admin(dev: DevServer) -> None:
    status, headers, page = request(dev, "GET", "/admin/")
    assert status == 200 and b"decap-cms/decap-cms.js" in page
    assert headers["content-security-policy"] == "frame-ancestors 'none'"
    assert b"__fundsite/live.js" not in page  # a rebuild after a save must not reload the editor
    status, headers, _ = request(dev, "GET", "/admin?fund=L5218")
    assert status == 301 and headers["location"] == "/admin/?fund=L5218"
    status, headers, data = request(dev, "GET", "/admin/config.json")
    config = json.loads(data)
    assert config["backend"] == {"name": "proxy", "proxy_url": LOCAL_API, "branch": "main"}
    assert headers["content-type"] == "application/json; charset=utf-8"
    status, headers, data = request(dev, "HEAD", "/admin/decap-cms/decap-cms.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert request(dev, "GET", "/admin/funds/L5218.json")[0] == 200
    for missing in ("/admin/nope", "/admin/decap-cms/SOURCE.md", "/admin/funds/none.json"):
        status, _, data = request(dev, "GET", missing)
        assert status == 404 and "ตัวแก้ไขข้อมูลไม่มีไฟล์นี้" in data.decode()


def test_the_built_site_never_holds_the_editor(dev: DevServer) -> None:
    assert not (dev.out / "admin").exists()
    for page in dev.out.rglob("*.html"):
        assert "/admin/" not in page.read_text(encoding="utf-8"), page
    assert "/admin/" not in (dev.out / "sitemap.xml").read_text(encoding="utf-8")


def test_admin_is_503_before_a_good_build(tmp_path: Path) -> None:
    broken = PROJECT.replace("budget: 39918.00", "budget: -5")
    site = make_site(tmp_path / "site", {**RECORDS, PROJECT_PATH: broken})
    with DevServer(site, port=0, workers=1, search=False, log=lambda _m: None) as server:
        assert server.status is not None and not server.status.ok
        for path in ("/admin/", "/admin/config.json", "/admin/decap-cms/decap-cms.js"):
            status, _, data = request(server, "GET", path)
            assert status == 503 and "ยังไม่มีเว็บที่สร้างสำเร็จ" in data.decode()
        status, answer = api(server, {"action": "persistEntry", "params": {
            "dataFiles": [{"path": PROJECT_PATH, "raw": PROJECT, "slug": "x"}],
            "assets": [], "options": {}}})  # fmt: skip
        assert status == 200, answer  # the fix is checked in full, and saved
        assert (site / PROJECT_PATH).read_text() == PROJECT
