"""Hostile pull requests, family 1: nothing outside the site is read or published.

A committed symbolic link (to ``/etc/passwd``, ``/proc/self/environ``, a secret file, a folder)
or a special file (FIFO) must be refused with an error naming the link's file, and nothing of
its target may appear in any output: ``check`` in every format, the build, the published site.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import (
    FUND_PATH,
    JPEG,
    PROJECT,
    PROJECT_PATH,
    RECORDS,
    REPORT,
    REPORT_PATH,
    en,
    make_site,
    replace_line,
    th,
)
from fundsite.build import build
from fundsite.validate import check_site

SECRET = "FUNDSITE-TEST-SECRET-7f3a"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the site, standing for anything on the build machine."""
    path = tmp_path / "outside" / "secret.md"
    path.parent.mkdir()
    path.write_text(f"---\nid: x\ntitle: {SECRET}\n---\n{SECRET}\n", encoding="utf-8")
    (path.parent / "photo.jpg").write_bytes(JPEG + SECRET.encode())
    return path


def _site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", RECORDS)


def _all_output(site, *args: str) -> str:
    """What ``fundsite check`` prints in every format, stdout and stderr."""
    text = []
    for fmt in ("human", "github", "json"):
        for lang in ("th", "en"):
            run = site.cli("check", "{site}", "--format", fmt, "--lang", lang, *args)
            assert run.code == 1
            text.append(run.out + run.err)
    return "\n".join(text)


@pytest.mark.parametrize(
    "rel",
    [
        "content/projects/env.md",  # a record
        "content/reports/2025/leak.md",
        "content/funds/L0000.md",
        "content/pages/about.md",
    ],
)
def test_linked_record_is_refused_and_never_printed(site, secret, rel):
    """A record that is a link to a secret file: an error naming the link; nothing of it shown."""
    site.write(RECORDS)
    link = site.root / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret)
    problems = [p for p in check_site(site.root, workers=1).problems if p.code == "symlink"]
    assert [(p.file, p.line, p.severity) for p in problems] == [(rel, 1, "error")]
    assert "symbolic link" in en(problems[0]) and "commit the file itself" in en(problems[0])
    assert "ลิงก์สัญลักษณ์" in th(problems[0])
    printed = _all_output(site)
    assert rel in printed
    assert SECRET not in printed and str(secret) not in printed


def test_link_to_the_environment_is_not_printed(site, monkeypatch):
    """``content/projects/env.md -> /proc/self/environ``: the environment never reaches a log."""
    monkeypatch.setenv("FUNDSITE_TEST_TOKEN", SECRET)
    site.write(RECORDS)
    (site.root / "content/projects/env.md").symlink_to("/proc/self/environ")
    printed = _all_output(site)
    assert "content/projects/env.md" in printed
    assert SECRET not in printed and "FUNDSITE_TEST_TOKEN" not in printed


@pytest.mark.parametrize(
    "target", ["/etc/passwd", "/etc", "/proc/self/environ", "../../outside/secret.md"]
)
def test_linked_media_is_refused_and_not_published(tmp_path, secret, target):
    """``content/media/2023/p.jpg -> /etc/passwd`` (or a folder): refused, nothing published."""
    root = _site(tmp_path)
    text = replace_line(REPORT, "spent:", "spent: 3500.00\nphotos: [media/2023/p.jpg]")
    make_site(root, {REPORT_PATH: text})
    media = root / "content/media/2023"
    media.mkdir(parents=True)
    (media / "p.jpg").symlink_to(target)
    result = check_site(root, workers=1)
    assert ("content/media/2023/p.jpg", "symlink") in {(p.file, p.code) for p in result.problems}
    assert not result.ok
    out = tmp_path / "out"
    done = build(root, out, workers=1, index=False)
    assert not done.ok and not out.exists()  # refused: nothing published


def test_linked_folders_are_refused_and_not_followed(tmp_path, secret):
    """A folder link (content/projects, content/media, data) is reported; nothing behind it read."""
    root = _site(tmp_path)
    (root / "content/projects/more").symlink_to(secret.parent, target_is_directory=True)
    (root / "content/media").mkdir()
    (root / "content/media/2023").symlink_to(secret.parent, target_is_directory=True)
    problems = check_site(root, workers=1).problems
    found = {(p.file, p.code) for p in problems}
    assert ("content/projects/more", "symlink") in found
    assert ("content/media/2023", "symlink") in found
    assert not any(SECRET in str(p.params) for p in problems)
    assert not any(p.file.startswith("content/projects/more/") for p in problems)


@pytest.mark.parametrize("top", ["content", "data", "content/projects"])
def test_linked_top_folder_is_refused(tmp_path, secret, top):
    """``content`` or ``data`` itself a link: an error, and the site is not built from it."""
    root = _site(tmp_path)
    real = root / top
    moved = tmp_path / f"moved-{top.replace('/', '-')}"
    real.rename(moved)
    real.symlink_to(moved, target_is_directory=True)
    result = check_site(root, workers=1)
    assert (top, "symlink") in {(p.file, p.code) for p in result.problems}
    assert not result.ok


def test_linked_data_file_is_refused(tmp_path, secret):
    """``data/site.yaml`` a link: refused, and the link's target is not read as the site."""
    root = _site(tmp_path)
    (root / "data/site.yaml").unlink()
    (root / "data/site.yaml").symlink_to(secret)
    result = check_site(root, workers=1)
    assert ("data/site.yaml", "symlink") in {(p.file, p.code) for p in result.problems}
    assert not result.ok
    assert not any(SECRET in str(p.params) for p in result.problems)


@pytest.mark.parametrize(
    "rel", ["themes/default/templates/base.html", "themes/default/static/x.css", "themes/mine"]
)
def test_linked_theme_files_are_refused(tmp_path, secret, rel):
    """A link in the site's own themes/ (a template or a static file) is refused."""
    root = _site(tmp_path)
    link = root / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret)
    result = check_site(root, workers=1)
    assert (rel, "symlink") in {(p.file, p.code) for p in result.problems}
    assert not build(root, tmp_path / "out", workers=1, index=False).ok


def test_fifo_is_refused_without_waiting(tmp_path):
    """A FIFO named like a record or a photo would block a reader forever: refused at once."""
    root = _site(tmp_path)
    os.mkfifo(root / "content/projects/pipe.md")
    (root / "content/media").mkdir()
    os.mkfifo(root / "content/media/pipe.jpg")
    found = {(p.file, p.code) for p in check_site(root, workers=1).problems}
    assert ("content/projects/pipe.md", "not-regular-file") in found
    assert ("content/media/pipe.jpg", "not-regular-file") in found


def test_link_loops_end(tmp_path):
    """Links to each other and a folder link to its own parent: reported, never walked."""
    root = _site(tmp_path)
    projects = root / "content/projects"
    (projects / "a.md").symlink_to(projects / "b.md")
    (projects / "b.md").symlink_to(projects / "a.md")
    (projects / "loop").symlink_to(projects, target_is_directory=True)
    found = {(p.file, p.code) for p in check_site(root, workers=1).problems}
    assert {
        ("content/projects/a.md", "symlink"),
        ("content/projects/b.md", "symlink"),
        ("content/projects/loop", "symlink"),
    } <= found


def test_the_rest_is_still_checked(tmp_path, secret):
    """One run reports everything: a link does not hide the other records' problems."""
    root = _site(tmp_path)
    (root / "content/projects/env.md").symlink_to(secret)
    make_site(root, {PROJECT_PATH: replace_line(PROJECT, "status:", "status: finished")})
    codes = {p.code for p in check_site(root, workers=1).problems}
    assert {"symlink", "invalid-choice"} <= codes


def test_source_line_of_a_linked_file_is_not_quoted(site, secret):
    """The human format quotes the offending line: never a line of the link's target."""
    site.write(RECORDS)
    (site.root / FUND_PATH).unlink()
    (site.root / FUND_PATH).symlink_to(secret)
    run = site.cli("check", "{site}")
    assert run.code == 1 and FUND_PATH in run.out
    assert SECRET not in run.out + run.err
