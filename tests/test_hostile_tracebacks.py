"""Hostile pull requests, family 9: no traceback for any input.

Whatever a commit holds (an id the site uses for its own files, link loops, nesting deep enough
for a RecursionError, a record of megabytes, text that is not UTF-8 or is UTF-16, NUL bytes, an
empty file, a folder or a FIFO named like a record, binary junk, a file name that is not UTF-8),
``fundsite check`` and ``fundsite build`` end with exit status 1 and a message naming the file,
in Thai and English, never a traceback or a hang. The machine failing (a full disk, a read-only
output folder) and fundsite's own bugs are one plain line (exit status 2) and the previous site
stays as it was; ``FUNDSITE_DEBUG=1`` shows the exception to whoever reports the bug.
"""

from __future__ import annotations

import errno
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import (
    FUND,
    PROJECT,
    PROJECT_PATH,
    RECORDS,
    REPORT,
    REPORT_PATH,
    Run,
    check,
    replace_line,
)
from fundsite.cli import main
from fundsite.console import visible
from fundsite.load.safe import MAX_RECORD_BYTES
from fundsite.load.yamlpos import MAX_DEPTH
from fundsite.messages import ui
from fundsite.write import atomic, open_data

P = "content/projects"


def _record(front: str, body: str = "") -> str:
    """A project record (of the clean site's fund and plan) with ``front`` added."""
    head = PROJECT.split("---\n")[1].replace("id: 68-L5218-4-01", "id: hostile")
    return f"---\n{head}{front}---\n{body}"


def _thai_project(encoding: str) -> bytes:
    return _record("").encode(encoding)


def _loops(root: Path) -> None:
    (root / P / "a.md").symlink_to(root / P / "b.md")
    (root / P / "b.md").symlink_to(root / P / "a.md")
    (root / P / "up").symlink_to("..", target_is_directory=True)


def _bad_name(root: Path) -> None:
    name = os.fsencode(root / P) + b"/\xe0\xb8x.md"  # half a Thai letter
    with open(name, "wb") as f:
        f.write(PROJECT.replace("68-L5218-4-01", "x").encode())


def _deep_block() -> str:
    lines = "\n".join("  " * (i + 1) + f"k{i}:" for i in range(200))
    return _record(f"objectives:\n{lines} 1\n")


def _laughs() -> str:
    levels = "".join(f"l{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))
    return _record("l0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + levels)


ADDED = _record("").count("\n")  # the line of the first field _record adds
JUNK = random.Random(9).randbytes(4096)

Files = dict[str, str | bytes] | Callable[[Path], None]

# case → (what the commit adds, the file named, its line, English, Thai)
HOSTILE: dict[str, tuple[Files, str, int, str, str]] = {
    "fund id index.json": (
        {"content/funds/index.json.md": replace_line(FUND, "id:", "id: index.json")},
        "content/funds/index.json.md",
        2,
        "the site uses that name for its own files",
        "เป็นชื่อที่เว็บไซต์ใช้เองแล้ว",
    ),
    "project id feed.xml": (
        {f"{P}/feed.xml.md": replace_line(PROJECT, "id:", "id: feed.xml")},
        f"{P}/feed.xml.md",
        2,
        "the site uses that name for its own files",
        "เป็นชื่อที่เว็บไซต์ใช้เองแล้ว",
    ),
    "report id INDEX.HTML": (
        {"content/reports/2025/x.md": replace_line(REPORT, "id:", "id: INDEX.HTML")},
        "content/reports/2025/x.md",
        2,
        "the site uses that name for its own files",
        "เป็นชื่อที่เว็บไซต์ใช้เองแล้ว",
    ),
    "link loop a -> b -> a, folder link to its parent": (
        _loops,
        f"{P}/a.md",
        1,
        "symbolic link",
        "ลิงก์สัญลักษณ์",
    ),
    "10,000-level flow nesting": (
        {f"{P}/deep.md": _record("x: " + "[" * 10_000 + "]" * 10_000 + "\n")},
        f"{P}/deep.md",
        ADDED,
        f"nested more than {MAX_DEPTH} levels deep",
        f"ลึกเกิน {MAX_DEPTH} ชั้น",
    ),
    "200-level block nesting": (
        {f"{P}/deep.md": _deep_block()},
        f"{P}/deep.md",
        ADDED + MAX_DEPTH,
        f"nested more than {MAX_DEPTH} levels deep",
        f"ลึกเกิน {MAX_DEPTH} ชั้น",
    ),
    "nesting through anchors": (
        {f"{P}/deep.md": _record("x: &a " + "{k: " * 2_000 + "1" + "}" * 2_000 + "\ny: *a\n")},
        f"{P}/deep.md",
        ADDED,
        f"nested more than {MAX_DEPTH} levels deep",
        f"ลึกเกิน {MAX_DEPTH} ชั้น",
    ),
    "deep nesting in data/issues.yaml": (
        {"data/issues.yaml": "- id: x\n  name: " + "[" * 5_000 + "]" * 5_000 + "\n"},
        "data/issues.yaml",
        2,
        f"nested more than {MAX_DEPTH} levels deep",
        f"ลึกเกิน {MAX_DEPTH} ชั้น",
    ),
    "a billion laughs (aliases)": (
        {f"{P}/laughs.md": _laughs()},
        f"{P}/laughs.md",
        2,
        "expands to more than",
        "เขียน YAML ผิดรูปแบบ",
    ),
    "a 2.5 MB record": (
        {f"{P}/big.md": _record("", "ข้อความ" * (2_500_000 // 21))},
        f"{P}/big.md",
        1,
        f"the limit is {MAX_RECORD_BYTES}",
        "ไฟล์ใหญ่เกินไป",
    ),
    "TIS-620 (Thai Windows) record": (
        {f"{P}/tis.md": _thai_project("tis-620")},
        f"{P}/tis.md",
        3,
        "save it as UTF-8",
        "บันทึกใหม่เป็น UTF-8",
    ),
    "TIS-620 data/site.yaml": (
        {"data/site.yaml": "title: พอร์ทัล\nbase_url: https://example.org/\n".encode("tis-620")},
        "data/site.yaml",
        1,
        "save it as UTF-8",
        "บันทึกใหม่เป็น UTF-8",
    ),
    "UTF-16 with BOM": (
        {f"{P}/u16.md": _thai_project("utf-16")},
        f"{P}/u16.md",
        1,
        "UTF-16 (Notepad's 'Unicode'): save it as UTF-8",
        "บันทึกใหม่เป็น UTF-8",
    ),
    "UTF-16 big-endian with BOM": (
        {f"{P}/u16.md": b"\xfe\xff" + _thai_project("utf-16-be")},
        f"{P}/u16.md",
        1,
        "UTF-16 (Notepad's 'Unicode'): save it as UTF-8",
        "บันทึกใหม่เป็น UTF-8",
    ),
    "UTF-16 without BOM (English only)": (
        {"data/site.yaml": "title: Portal\nbase_url: https://example.org/\n".encode("utf-16-le")},
        "data/site.yaml",
        1,
        "UTF-16 (Notepad's 'Unicode'): save it as UTF-8",
        "บันทึกใหม่เป็น UTF-8",
    ),
    "UTF-16 data/issues.yaml": (
        {"data/issues.yaml": "- id: x\n  name: สุรา\n".encode("utf-16")},
        "data/issues.yaml",
        1,
        "save it as UTF-8",
        "บันทึกใหม่เป็น UTF-8",
    ),
    "NUL bytes in the front matter": (
        {f"{P}/nul.md": _record("responsible: a\0b\n").encode()},
        f"{P}/nul.md",
        ADDED,
        "control characters are not allowed",
        "เขียน YAML ผิดรูปแบบ",
    ),
    "an empty file": (
        {f"{P}/empty.md": b""},
        f"{P}/empty.md",
        1,
        "no front matter",
        "ไม่พบส่วนหัวข้อมูล",
    ),
    "only a BOM": (
        {f"{P}/bom.md": b"\xef\xbb\xbf"},
        f"{P}/bom.md",
        1,
        "no front matter",
        "ไม่พบส่วนหัวข้อมูล",
    ),
    "random binary junk": ({f"{P}/junk.md": JUNK}, f"{P}/junk.md", 1, "UTF-8", "UTF-8"),
    "a file name that is not UTF-8": (
        _bad_name,
        f"{P}/\\xe0\\xb8x.md",
        1,
        "the file or folder name is not UTF-8, so it is not read: rename it",
        "ไม่ได้เข้ารหัสเป็น UTF-8",
    ),
}


def _lay_out(root: Path, files: Files) -> None:
    if callable(files):
        files(root)
    else:
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode())


def _no_traceback(run: Run) -> None:
    """Neither a traceback nor the line of fundsite's own failure."""
    text = run.out + run.err
    assert "Traceback" not in text, text
    assert "fundsite failed" not in text and "ทำงานผิดพลาด" not in text, text


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_is_a_message_naming_it(site, tmp_path, case):
    """A hostile file: check and build name it, file:line and a Thai/English message."""
    files, rel, line, en, th = HOSTILE[case]
    site.write(RECORDS)
    _lay_out(site.root, files)
    out = tmp_path / "out"
    for lang, said in (("en", en), ("th", th)):
        run = site.cli("check", "{site}", "--lang", lang)
        assert run.code == 1, run
        assert f"{rel}:{line}:" in run.out and said in run.out, run.out
        _no_traceback(run)
    run = site.cli("build", "{site}", "-o", str(out), "--no-search", "--lang", "en")
    assert run.code == 1 and f"{rel}:{line}:" in run.out and en in run.out, run
    _no_traceback(run)
    assert not out.exists()


@pytest.mark.parametrize(
    ("encoding", "title"),
    [("utf-16-le", ""), ("utf-16-le", "โครงการพัฒนาศักยภาพ" * 10), ("utf-16-be", "")],
    ids=["a project, little-endian", "a long Thai title", "big-endian"],
)
def test_thai_utf16_without_bom_says_save_as_utf8(site, encoding, title):
    """Notepad's UTF-16 without a BOM, with Thai text: the message says to save as UTF-8."""
    text = _record("").replace("title: ", f"title: {title}")
    site.write({**RECORDS, f"{P}/u16.md": text.encode(encoding)})
    run = site.cli("check", "{site}", "--lang", "en")
    assert run.code == 1 and f"{P}/u16.md:1:" in run.out
    assert "save it as UTF-8" in run.out


def test_folder_named_like_a_record_is_walked_not_read(site):
    """A folder named ``x.md``: walked, not read; a file inside it is checked."""
    site.write(RECORDS)
    (site.root / P / "x.md").mkdir()
    assert site.cli("check", "{site}").code == 0
    (site.root / P / "x.md" / "y.md").write_bytes(b"\xff\xfe junk")
    run = site.cli("check", "{site}", "--lang", "en")
    assert run.code == 1 and f"{P}/x.md/y.md:1:" in run.out
    _no_traceback(run)


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("rel", [f"{P}/x.md", "data/site.yaml", "content/media/p.jpg"])
def test_fifo_named_like_a_file_does_not_hang(site, tmp_path, command, rel):
    """A FIFO named like a record, data file or photo: named at once, no hang."""
    site.write(RECORDS)
    path = site.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    args = [command, str(site.root), "--lang", "en"]
    if command == "build":
        args += ["-o", str(tmp_path / "out"), "--no-search"]
    run = subprocess.run(
        [sys.executable, "-m", "fundsite.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run
    assert f"{rel}:1:1: error: not a regular file" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("rel", "record", "controls"),
    [
        pytest.param(
            PROJECT_PATH, PROJECT + "BEFORE-CTL\0AFTER-CTL\n", [b"\0"], id="NUL in a body"
        ),
        pytest.param(
            PROJECT_PATH,
            PROJECT + "BEFORE-CTL \x1b[31m \x07\x08 AFTER-CTL\n",
            [b"\x1b", b"\x07", b"\x08"],
            id="ESC, BEL, BS in a body",
        ),
        pytest.param(
            REPORT_PATH,
            replace_line(REPORT, "title:", 'title: "BEFORE-CTL\\0\\e[31m\\a AFTER-CTL"'),
            [b"\0", b"\x1b", b"\x07"],
            id="YAML escapes in a title",
        ),
    ],
)
def test_control_bytes_never_reach_the_output(site, tmp_path, rel, record, controls):
    """Control bytes in a record: an error, or pages, data and feeds without them."""
    site.write({**RECORDS, rel: record})
    out = tmp_path / "out"
    run = site.cli("build", "{site}", "-o", str(out), "--no-search")
    _no_traceback(run)
    if run.code == 1:
        assert rel in run.out
        return
    assert run.code == 0, run
    pages = [p.read_text(encoding="utf-8") for p in out.rglob("*.html")]
    assert any("BEFORE-CTL" in page and "AFTER-CTL" in page for page in pages)
    for path in out.rglob("*"):
        if path.suffix in {".html", ".json", ".csv", ".xml", ".txt"}:
            data = path.read_bytes()
            assert not [c for c in controls if c in data], path


# ---- the machine fails: a full disk, a read-only folder ------------------------------------------


def _fail_nth(n: int, error: int, named: bool, seen: list[str]) -> Callable[..., None]:
    """A writer that fails with ``error`` from its ``n``-th call (a full disk fails ``write()``,
    which names no file)."""
    calls = [0]

    def write(root: Path, rel: str, *rest: object) -> None:
        calls[0] += 1
        if calls[0] >= n:
            name = str(root / rel) if named else None
            seen.append(name or "")
            raise OSError(error, os.strerror(error), name)
        return original(root, rel, *rest)

    original = atomic.write_text
    return write


def _fail_stage_mkdir(error: int, seen: list[str]) -> Callable[..., None]:
    mkdir = Path.mkdir

    def fails(self: Path, *args: object, **kwargs: object) -> None:
        if ".staging-" in self.name:
            seen.append(str(self))
            raise OSError(error, os.strerror(error), str(self))
        return mkdir(self, *args, **kwargs)

    return fails


def _fail_fresh(error: int, seen: list[str]) -> Callable[..., Path]:
    def fails(root: Path, rel: str) -> Path:
        seen.append(str(root / rel))
        raise OSError(error, os.strerror(error), str(root / rel))

    return fails


def _fail_exchange(error: int, seen: list[str]) -> Callable[..., bool]:
    def fails(a: Path, b: Path) -> bool:
        seen.append(str(b))
        raise OSError(error, os.strerror(error), str(b))

    return fails


def _fail_pagefind(error: int, seen: list[str]) -> Callable[..., None]:
    def fails(site: Path, out: Path, threads: int | None = None) -> None:
        raise OSError(error, os.strerror(error))

    return fails


# case → (errno, message, with search, where it fails)
MACHINE = {
    "disk full writing a page": (errno.ENOSPC, "disk-full", False, "page"),
    "disk full writing a page, with search": (errno.ENOSPC, "disk-full", True, "page"),
    "quota exceeded writing open data": (errno.EDQUOT, "disk-full", False, "open-data"),
    "read-only folder beside the output": (errno.EROFS, "read-only", False, "stage"),
    "permission denied replacing the output": (errno.EACCES, "read-only", False, "swap"),
    "operation not permitted replacing it": (errno.EPERM, "read-only", False, "swap"),
    "disk full while Pagefind indexes": (errno.ENOSPC, "disk-full", True, "pagefind"),
    "I/O error writing a page": (errno.EIO, "os-error", False, "named-page"),
}


@pytest.mark.parametrize("case", list(MACHINE))
def test_machine_failure_is_one_line_and_keeps_the_site(site, tmp_path, monkeypatch, case):
    """A full disk or read-only folder mid-build: one line, the previous site intact."""
    import fundsite.build
    import fundsite.index

    error, key, search, where = MACHINE[case]
    site.write(RECORDS)
    out = tmp_path / "pub" / "out"
    flags = ["-o", str(out), "--clean"] + ([] if search else ["--no-search"])
    assert site.cli("build", "{site}", *flags).code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    for lang in ("th", "en"):
        seen: list[str] = []
        with monkeypatch.context() as m:
            if where in ("page", "named-page"):
                m.setattr(fundsite.build, "write_text", _fail_nth(3, error, where != "page", seen))
            elif where == "open-data":
                m.setattr(open_data, "fresh", _fail_fresh(error, seen))
            elif where == "stage":
                m.setattr(Path, "mkdir", _fail_stage_mkdir(error, seen))
            elif where == "swap":
                m.setattr(atomic, "_exchange", _fail_exchange(error, seen))
            else:
                m.setattr(fundsite.index, "_run_pagefind", _fail_pagefind(error, seen))
            run = site.cli("build", "{site}", *flags, "--lang", lang)

        assert run.code == 2, run
        named = seen[0] if seen and seen[0] else str(out)  # forked: the child saw it
        detail = os.strerror(error)
        expected = ui(key, lang, path=visible(named), detail=visible(detail))
        lines = run.err.strip().split("\n")
        assert lines[-1] == expected, (lines[-1], expected)
        assert [line for line in lines if line.startswith("fundsite")] == [expected]
        assert "Traceback" not in run.out + run.err
        after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert after == before
        assert not [p.name for p in out.parent.iterdir() if ".staging-" in p.name]


# ---- fundsite's own bugs -------------------------------------------------------------------------


def _raise(exc: BaseException) -> Callable[..., None]:
    def fails(*args: object, **kwargs: object) -> None:
        raise exc

    return fails


BUGS = {
    "ZeroDivisionError planning pages": ("plan_site", ZeroDivisionError("division by zero")),
    "KeyError rendering a page": ("render_page", KeyError("fund")),
    "RecursionError rendering a page": (
        "render_page",
        RecursionError("maximum recursion depth exceeded"),
    ),
}


@pytest.mark.parametrize("search", [False, True], ids=["no search", "search"])
@pytest.mark.parametrize("case", list(BUGS))
def test_unexpected_exception_is_one_line_not_a_traceback(
    site, tmp_path, monkeypatch, case, search
):
    """A bug in fundsite mid-build: one line saying so and how to report it, site intact."""
    import fundsite.build

    name, exc = BUGS[case]
    site.write(RECORDS)
    out = tmp_path / "pub" / "out"
    flags = ["-o", str(out), "--clean"] + ([] if search else ["--no-search"])
    assert site.cli("build", "{site}", *flags).code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(fundsite.build, name, _raise(exc))
    for lang in ("th", "en"):
        run = site.cli("build", "{site}", *flags, "--lang", lang)
        assert run.code == 2, run
        detail = visible(f"{type(exc).__name__}: {exc}")
        assert run.err.strip().split("\n")[-1] == ui("internal-error", lang, detail=detail)
        assert "FUNDSITE_DEBUG=1" in run.err
        assert "Traceback" not in run.out + run.err
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p.name for p in out.parent.iterdir() if ".staging-" in p.name]


@pytest.mark.parametrize("search", [False, True], ids=["no search", "search"])
def test_fundsite_debug_shows_the_exception(site, tmp_path, monkeypatch, search):
    """With ``FUNDSITE_DEBUG=1`` the bug's exception propagates, for the maintainers."""
    import fundsite.build

    site.write(RECORDS)
    monkeypatch.setenv("FUNDSITE_DEBUG", "1")
    monkeypatch.setattr(fundsite.build, "plan_site", _raise(ZeroDivisionError("planted")))
    flags = ["-o", str(tmp_path / "out")] + ([] if search else ["--no-search"])
    with pytest.raises(ZeroDivisionError, match="planted"):
        main(["build", str(site.root), *flags])
    assert not (tmp_path / "out").exists()
    assert not [p.name for p in tmp_path.iterdir() if ".staging-" in p.name]


@pytest.mark.parametrize(
    "exc", [RecursionError("maximum recursion depth exceeded"), MemoryError(), ValueError("x")]
)
def test_check_failing_inside_is_one_line(site, monkeypatch, exc):
    """``fundsite check`` failing inside (RecursionError, MemoryError): one line, exit 2."""
    import fundsite.validate

    site.write(RECORDS)
    monkeypatch.setattr(fundsite.validate, "check_site", _raise(exc))
    run = site.cli("check", "{site}", "--lang", "en")
    assert run.code == 2
    detail = visible(f"{type(exc).__name__}: {exc}")
    assert run.err.strip() == ui("internal-error", "en", detail=detail)
    assert "Traceback" not in run.out + run.err


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("1. " * 2_000 + "x\n", "body-nesting"),  # Python-Markdown: RecursionError
        ("> " * 5_000 + "x\n", "body-nesting"),
        ("- " * 100_000 + "x\n", "body-nesting"),
        ("[" * 100_000 + "\n", "body-brackets"),  # Python-Markdown: quadratic, minutes
        ("[a](" * 20_000 + "\n", "body-brackets"),
        ("<a " * 20_000 + "\n", "body-brackets"),
    ],
    ids=["nested lists", "nested quotes", "bullets", "brackets", "links", "tags"],
)
def test_body_markdown_cannot_crash_or_stall_the_build(site, tmp_path, body, code):
    """A body that would exhaust the Markdown renderer's stack or time: a warning at its line,
    and the page is published with the body as plain text, in seconds."""
    import time

    site.write({**RECORDS, PROJECT_PATH: PROJECT + "\n" + body})  # a paragraph of its own
    out = tmp_path / "out"
    started = time.monotonic()
    run = site.cli("build", "{site}", "-o", str(out), "--no-search", "--lang", "en")
    _no_traceback(run)
    assert run.code == 0 and time.monotonic() - started < 60
    problems = [p for p in check(site.root) if p.code == code]
    assert [(p.file, p.severity, p.field) for p in problems] == [(PROJECT_PATH, "warning", "body")]
    assert problems[0].line == PROJECT.count("\n") + 2
    page = (out / "projects/68-L5218-4-01/index.html").read_text(encoding="utf-8")
    assert body.strip()[:50].replace("<", "&lt;").replace(">", "&gt;") in page
