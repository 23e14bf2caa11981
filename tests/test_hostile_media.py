"""Hostile pull requests, family 3: media are data, not code.

``content/media/`` used to publish whatever it held: an ``.html`` page, an ``.svg`` with
``onload=``, a ``.js``, all served from the portal's own address, around the Markdown sanitizer.
Now a media file is published only when it is a photo (JPEG, PNG, WebP, GIF) or a PDF, checked
by its bytes and not by its name, at most 20 MB, a regular file (not a link), and named by a
record (a report's ``photos`` or a link in a body); anything else is an error that stops the
build, or (a file no record names) a warning, and the file is left out.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import (
    JPEG,
    PNG,
    PROJECT,
    PROJECT_PATH,
    RECORDS,
    REPORT,
    REPORT_PATH,
    codes,
    describe,
    en,
    line_of,
    make_site,
    only,
    replace_line,
    th,
)
from fundsite.build import build
from fundsite.validate import check_site
from fundsite.validate.media import MAX_MEDIA_BYTES
from fundsite.validate.patch import CheckState, patch
from fundsite.validate.records import check_files

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
HTML = b"<!doctype html><script>fetch('/x?c='+document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'
JS = b"navigator.serviceWorker.register('/media/sw.js')"


def report(*photos: str, body: str = "") -> str:
    """The clean report, naming ``photos`` (as written in YAML) and with ``body`` added."""
    text = REPORT
    if photos:
        text = replace_line(text, "spent:", f"spent: 3500.00\nphotos: [{', '.join(photos)}]")
    return text + body


PHOTOS_LINE = line_of(report("media/x.jpg"), "photos:")


def _site(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return make_site(tmp_path / "site", {**RECORDS, **files})


def _build(root: Path, tmp_path: Path):
    out = tmp_path / "out"
    return build(root, out, workers=1, index=False), out


# ---- scripted types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "suffix"),
    [
        ("x.html", HTML, ".html"),
        ("x.htm", HTML, ".htm"),
        ("x.HTML", HTML, ".HTML"),
        ("x.xhtml", HTML, ".xhtml"),
        ("x.svg", SVG, ".svg"),
        ("x.js", JS, ".js"),
        ("x.mjs", JS, ".mjs"),
        ("x.xml", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', ".xml"),
        ("x.exe", b"MZ\x90\x00", ".exe"),
        ("x.jpg.html", JPEG + HTML, ".html"),  # a photo's name in front does not help
        ("x.svg", JPEG, ".svg"),  # nor a photo's bytes inside
        ("x", HTML, None),  # no extension at all
    ],
)
def test_scripted_types_are_refused(tmp_path, name, content, suffix):
    """``.html``, ``.svg`` with ``onload=``, ``.js``…: an error even when a record links to it."""
    rel = f"content/media/2025/{name}"
    root = _site(tmp_path, {REPORT_PATH: report(body=f"\n[ดู](media/2025/{name})\n"), rel: content})
    problems = check_site(root, workers=1).problems
    code = "media-type" if suffix is not None else "media-no-type"
    p = only(problems, code)
    assert (p.severity, p.file, p.line) == ("error", rel, 1)
    if suffix is None:  # no extension: the type cannot be told, say how to name it
        assert "has no extension" in en(p) and ".jpg" in en(p) and "ไม่มีนามสกุล" in th(p)
        assert not _build(root, tmp_path)[0].ok
        return
    assert "are not published (they may carry code that runs on the site)" in en(p)
    assert "use JPEG, PNG, WebP or GIF photos, or PDF documents" in en(p)
    assert "เผยแพร่ไม่ได้ (อาจมีโค้ดที่ทำงานบนเว็บไซต์)" in th(p) and "PDF" in th(p)
    if suffix is not None:
        assert en(p).startswith(f"files of type {suffix} ") and f"ไฟล์ประเภท {suffix} " in th(p)
    result, out = _build(root, tmp_path)
    assert not result.ok and "media-type" in codes(result.problems)
    assert not out.exists()  # refused: nothing published


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("p.jpg", HTML),  # HTML named as a photo
        ("p.jpg", SVG),
        ("p.JPEG", b"<svg onload=alert(1)>"),
        ("p.png", JPEG),  # a real photo of another type
        ("p.gif", PNG),
        ("p.webp", b"RIFF\x1a\x00\x00\x00WAVEfmt "),  # RIFF, but not WebP
        ("p.jpg", b""),  # empty
        ("p.jpg", b"\xff\xd8"),  # cut short
    ],
)
def test_photo_bytes_must_match_the_name(tmp_path, name, content):
    """``p.jpg`` holding HTML or SVG, ``p.png`` holding a JPEG: refused, not published."""
    rel = f"content/media/{name}"
    root = _site(tmp_path, {REPORT_PATH: report(f"media/{name}"), rel: content})
    problems = check_site(root, workers=1).problems
    p = only(problems, "media-content")
    assert (p.severity, p.file, p.line) == ("error", rel, 1)
    assert en(p).startswith(f'the content of "{name}" does not match its name')
    assert "save it again from a photo program" in en(p)
    assert f'เนื้อไฟล์ "{name}" ไม่ตรงกับนามสกุลไฟล์' in th(p)
    assert "photo-not-image" not in codes(problems)  # the file's own error says it all
    result, out = _build(root, tmp_path)
    assert not result.ok and not out.exists()


@pytest.mark.parametrize(("name", "content"), [("d.pdf", HTML), ("d.PDF", SVG), ("d.pdf", JPEG)])
def test_pdf_bytes_must_be_a_pdf(tmp_path, name, content):
    """A body link to ``d.pdf`` that holds HTML: refused like a photo."""
    rel = f"content/media/docs/{name}"
    body = f"\nเอกสาร: [แผน](../media/docs/{name})\n"
    root = _site(tmp_path, {PROJECT_PATH: PROJECT + body, rel: content})
    p = only(check_site(root, workers=1).problems, "media-content")
    assert (p.file, p.line) == (rel, 1) and f'"{name}" does not match its name' in en(p)
    result, out = _build(root, tmp_path)
    assert not result.ok and not out.exists()


# ---- what is published ---------------------------------------------------------------------------

NAMED = {
    "content/media/2025/p.jpg": JPEG,
    "content/media/2025/UPPER.JPG": JPEG,
    "content/media/2025/p.jpeg": JPEG + b"\x00" * 100,
    "content/media/2025/ภาพถ่าย.png": PNG,
    "content/media/2025/a.gif": GIF,
    "content/media/2025/w.webp": WEBP,
    "content/media/docs/plan.pdf": PDF,  # linked from the project's body
    "content/media/docs/minutes.PDF": PDF,  # linked from the report's body
}
UNUSED = {
    "content/media/2025/unused.jpg": JPEG,
    "content/media/old/unused.png": PNG,
    "content/media/docs/draft.pdf": PDF,
}
#: Files outside the media folder, hidden, or of types never published: none reaches the site.
NEVER = {
    "content/media/.htaccess": b"AddType text/html .jpg\n",
    "content/media/.x/evil.jpg": JPEG,
    "content/projects/evil.html": HTML,
    "content/reports/2025/evil.svg": SVG,
    "content/evil.js": JS,
    "content/funds/readme.txt": b"hello",
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory):
    """A site whose records name photos of every type and link to PDFs, with unused media too."""
    tmp = tmp_path_factory.mktemp("media")
    photos = [
        "media/2025/p.jpg",
        "./media/2025/UPPER.JPG",
        "{src: media/2025/p.jpeg, alt: ภาพ}",
        "media/2025/ภาพถ่าย.png",
        "media/2025/a.gif",
        "media/2025/w.webp",
    ]
    files = {
        **NAMED,
        **UNUSED,
        **NEVER,
        REPORT_PATH: report(*photos, body="\n[รายงานการประชุม](/media/docs/minutes.PDF)\n"),
        PROJECT_PATH: PROJECT + "\nดู [แผน](../../media/docs/plan.pdf)\n",
    }
    root = make_site(tmp / "site", {**RECORDS, **files})
    out = tmp / "out"
    result = build(root, out, workers=1, index=False)
    assert result.ok, describe(result.problems)
    return root, out, result


@pytest.mark.parametrize("rel", sorted(NAMED))
def test_named_media_are_published_byte_identical(published, rel):
    """JPEG, ``.JPG``, PNG (Thai name), GIF, WebP photos and linked PDFs: copied as they are."""
    root, out, _ = published
    target = out / rel.removeprefix("content/")
    assert target.is_file() and not target.is_symlink()
    assert target.read_bytes() == (root / rel).read_bytes() == NAMED[rel]


@pytest.mark.parametrize("rel", sorted(UNUSED))
def test_unused_media_are_warned_about_and_not_published(published, rel):
    """A valid photo or PDF no record names: a warning, and it is not on the site."""
    _, out, result = published
    p = only([q for q in result.problems if q.file == rel], "media-unused")
    assert (p.severity, p.line) == ("warning", 1)
    assert en(p).startswith("no record names this file, so it is not published")
    assert "list it in a report's photos, or remove it" in en(p)
    assert "ไม่มีระเบียนใดอ้างถึงไฟล์นี้ จึงไม่เผยแพร่" in th(p)
    assert not (out / rel.removeprefix("content/")).exists()


@pytest.mark.parametrize("rel", sorted(NEVER))
def test_other_files_never_reach_the_site(published, rel):
    """Hidden media, and files beside the records (``.html``, ``.svg``, ``.js``): not published."""
    _, out, result = published
    name = Path(rel).name
    assert not [p for p in out.rglob("*") if p.name == name]
    assert not [p for p in result.problems if p.file == rel]  # not even read as media


def test_only_named_media_are_published(published):
    """The published media folder holds exactly the named files, nothing else."""
    _, out, _ = published
    found = sorted(p.relative_to(out).as_posix() for p in (out / "media").rglob("*") if p.is_file())
    assert found == sorted(rel.removeprefix("content/") for rel in NAMED)
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "onload=" not in text and "document.cookie" not in text


# ---- photos --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("photos", "index", "written"),
    [
        (["media/d.pdf"], 0, "media/d.pdf"),
        (["{src: media/d.pdf, alt: แผนงาน}"], 0, "media/d.pdf"),
        (["media/p.jpg", "./media/d.pdf"], 1, "./media/d.pdf"),
    ],
)
def test_photo_naming_a_pdf(site, photos, index, written):
    """A report's photo that is a PDF: it cannot be shown as a photo."""
    problems = site.check(
        {
            **RECORDS,
            REPORT_PATH: report(*photos),
            "content/media/d.pdf": PDF,
            "content/media/p.jpg": JPEG,
        }
    )
    p = only(problems, "photo-not-image")
    assert (p.severity, p.file, p.line, p.field) == (
        "error",
        REPORT_PATH,
        PHOTOS_LINE,
        f"photos[{index + 1}]",
    )
    assert en(p) == f'"{written}" is not a photo that can be published (JPEG, PNG, WebP or GIF)'
    assert f'ไฟล์ "{written}" ไม่ใช่รูปภาพที่เผยแพร่ได้' in th(p)


@pytest.mark.parametrize(
    "written",
    [
        "media/../media/p.jpg",
        "./media/../media/p.jpg",
        "media/../../data/site.yaml",
        "../data/site.yaml",
        "../../../../etc/passwd",
        "/etc/passwd",
        "media/2025/missing.jpg",
    ],
)
def test_photo_path_leaving_media(tmp_path, written):
    """``photos: [media/../../data/site.yaml]``: no such photo; nothing outside media published."""
    root = _site(tmp_path, {REPORT_PATH: report(written), "content/media/p.jpg": JPEG})
    problems = check_site(root, workers=1).problems
    p = only(problems, "photo-missing")
    assert (p.severity, p.file, p.line, p.field) == ("error", REPORT_PATH, PHOTOS_LINE, "photos[1]")
    assert en(p) == f'photo "{written}" does not exist (it must be under content/)'
    assert f'ไม่พบไฟล์รูปภาพ "{written}"' in th(p)
    result, out = _build(root, tmp_path)
    assert not result.ok and not out.exists()


@pytest.mark.parametrize(
    ("name", "named"),
    [("big.jpg", "photo"), ("big.pdf", "link"), ("big.png", None)],
)
def test_too_large_media_are_refused(tmp_path, name, named):
    """A 21 MB file (sparse: it costs no disk): an error with its size, not published."""
    rel = f"content/media/{name}"
    files: dict[str, str | bytes] = {rel: JPEG if name.endswith(".jpg") else PNG}
    if named == "photo":
        files[REPORT_PATH] = report(f"media/{name}")
    elif named == "link":
        files[REPORT_PATH] = report(body=f"\n[เอกสาร](media/{name})\n")
    root = _site(tmp_path, files)
    size = 21 * 1024 * 1024
    os.truncate(root / rel, size)
    problems = check_site(root, workers=1).problems
    p = only(problems, "file-too-large")
    assert (p.severity, p.file, p.line) == ("error", rel, 1)
    assert en(p) == f"the file is too large ({size} bytes; the limit is {MAX_MEDIA_BYTES})"
    assert th(p) == f"ไฟล์ใหญ่เกินไป ({size} ไบต์ เกินขีดจำกัด {MAX_MEDIA_BYTES} ไบต์)"
    assert not {"photo-not-image", "media-unused"} & set(codes(problems))  # one error, not three
    result, out = _build(root, tmp_path)
    assert not result.ok and not out.exists()


# ---- links ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "target", "refused"),
    [
        ("content/media/b.jpg", "a.jpg", "content/media/b.jpg"),  # a file link, inside the site
        ("content/media/2025", "2024", "content/media/2025"),  # a folder link
        ("content/media", "../elsewhere", "content/media"),  # the media folder itself
    ],
)
def test_linked_media_are_refused(tmp_path, link, target, refused):
    """A media file or folder that is a symbolic link, even to a photo of the site: an error."""
    root = _site(tmp_path, {REPORT_PATH: report("media/a.jpg", "media/2025/c.jpg")})
    for folder in ("content/media/2024", "elsewhere/2025"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for rel in ("content/media/a.jpg", "content/media/2024/c.jpg", "elsewhere/a.jpg"):
        (root / rel).write_bytes(JPEG)
    path = root / link
    if path.exists():
        shutil.rmtree(path)
    path.symlink_to(target, target_is_directory=not target.endswith(".jpg"))
    problems = check_site(root, workers=1).problems
    p = only(problems, "symlink")
    assert (p.severity, p.file, p.line) == ("error", refused, 1)
    assert "symbolic link" in en(p) and "commit the file itself" in en(p)
    assert "ลิงก์สัญลักษณ์" in th(p)
    result, out = _build(root, tmp_path)
    assert not result.ok and not out.exists()


# ---- serve's patches -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "patched"),
    [
        ({REPORT_PATH: report(body="\nแก้ไขข้อความ\n")}, True),  # no media: patched in
        ({REPORT_PATH: report("media/p.jpg")}, False),  # starts naming an unused photo
        ({REPORT_PATH: report(body="\n[x](media/x.html)\n")}, False),  # links a refused file
        ({"content/reports/2025/new.md": replace_line(report(), "id:", "id: new")}, True),
        (
            {"content/reports/2025/new.md": replace_line(report("media/p.jpg"), "id:", "id: new")},
            False,  # a new report naming media
        ),
    ],
)
def test_patches_that_change_published_media_check_everything(tmp_path, edit, patched):
    """``serve`` never patches in an edit that changes which media are published."""
    root = _site(tmp_path, {"content/media/p.jpg": JPEG, "content/media/x.html": HTML})
    state, _ = CheckState.from_check(check_files(root), root.resolve())
    assert state is not None
    make_site(root, edit)
    # None: the caller checks (and so publishes) everything again
    assert (patch(state, list(edit)) is not None) is patched
