"""Change history from git on record pages: dates, subjects, escaping, and when there is none."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fundsite.build import build
from fundsite.history import load_history

MINI = Path(__file__).parent / "fixtures" / "mini"
PROJECT = "content/projects/68-L9001-2-01.md"
OTHER = "content/projects/68-L9001-4-01.md"
HEADING = "ประวัติการแก้ไข"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str, when: str = "2024-10-01T12:00:00+07:00") -> str:
    """Run git in ``repo`` with fixed dates and no user or system configuration."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def commit(repo: Path, subject: str, when: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", subject, when=when)


def append(site: Path, rel: str, text: str) -> None:
    with (site / rel).open("a", encoding="utf-8") as f:
        f.write(text)


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    """The mini site as its own repository: an import, then an edit of one project."""
    site = tmp_path / "portal"
    shutil.copytree(MINI, site)
    (site / ".gitignore").write_text("/.fundsite-cache/\n", encoding="utf-8")
    git(site, "init", "-q")
    git(site, "config", "user.name", "Somchai Editor")
    git(site, "config", "user.email", "somchai@example.org")
    # 20:00 UTC on 30 Sep is already 1 Oct in Thailand
    commit(site, "นำเข้าข้อมูลจากระบบเดิม", "2024-09-30T20:00:00+00:00")
    append(site, PROJECT, "\nเพิ่มผลการดำเนินงาน\n")
    commit(site, "แก้ไขผลการดำเนินงานโครงการ", "2026-11-22T09:00:00+07:00")
    return site


def page(site: Path, out: Path, rel: str) -> str:
    result = build(site, out, workers=1, index=False)
    assert result.ok, result.problems
    return (out / rel).read_text(encoding="utf-8")


def test_project_page_shows_history_newest_first(portal: Path, tmp_path: Path) -> None:
    html = page(portal, tmp_path / "out", "projects/68-L9001-2-01/index.html")
    assert HEADING in html
    assert 'แก้ไขล่าสุด <time datetime="2026-11-22">22 พ.ย. 2569</time>' in html
    newer = html.index("แก้ไขผลการดำเนินงานโครงการ")
    older = html.index("นำเข้าข้อมูลจากระบบเดิม")
    assert newer < older
    assert '<time datetime="2024-10-01">1 ต.ค. 2567</time>' in html  # import, in Thai time
    assert "Somchai" not in html and "somchai@example.org" not in html
    other = (tmp_path / "out/projects/68-L9001-4-01/index.html").read_text(encoding="utf-8")
    assert 'แก้ไขล่าสุด <time datetime="2024-10-01">1 ต.ค. 2567</time>' in other
    assert "แก้ไขผลการดำเนินงานโครงการ" not in other
    for rel in ("funds/L9001", "plans/L9001-2568-elderly", "reports/2025-02-10-home-visit"):
        assert HEADING in (tmp_path / "out" / rel / "index.html").read_text(encoding="utf-8")


def test_older_changes_are_counted(
    portal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "fundsite.build.load_history", lambda site: load_history(site, keep=1, cache=False)
    )
    html = page(portal, tmp_path / "out", "projects/68-L9001-2-01/index.html")
    assert "แก้ไขผลการดำเนินงานโครงการ" in html and "นำเข้าข้อมูลจากระบบเดิม" not in html
    assert "และอีก 1 ครั้งก่อนหน้า" in html


def test_subjects_are_escaped(portal: Path, tmp_path: Path) -> None:
    append(portal, PROJECT, "\nแก้คำผิด\n")
    commit(portal, "<script>steal()</script> แก้คำผิด", "2026-11-23T09:00:00+07:00")
    html = page(portal, tmp_path / "out", "projects/68-L9001-2-01/index.html")
    assert "&lt;script&gt;steal()&lt;/script&gt; แก้คำผิด" in html
    assert "<script>steal()" not in html


def test_uncommitted_record_has_no_history(portal: Path, tmp_path: Path) -> None:
    text = (portal / OTHER).read_text(encoding="utf-8").replace("68-L9001-4-01", "68-L9001-4-02")
    (portal / "content/projects/68-L9001-4-02.md").write_text(text, encoding="utf-8")
    append(portal, PROJECT, "\nยังไม่ได้ commit\n")  # an uncommitted edit: last commit shown
    out = tmp_path / "out"
    assert HEADING not in page(portal, out, "projects/68-L9001-4-02/index.html")
    committed = (out / "projects/68-L9001-2-01/index.html").read_text(encoding="utf-8")
    assert "22 พ.ย. 2569" in committed


def test_no_history_outside_a_repository_of_its_own(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(MINI, plain)
    assert load_history(plain) == {}
    assert HEADING not in page(plain, tmp_path / "out", "projects/68-L9001-2-01/index.html")
    # the site as a sub-folder of a repository (like tests/fixtures/mini here): none either
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "plain")
    git(tmp_path, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "site")
    assert load_history(plain) == {}


def test_no_history_in_a_shallow_clone(portal: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", portal.as_uri(), str(clone))
    assert load_history(clone) == {}
    assert load_history(portal) != {}


def test_cap_count_and_cache(portal: Path) -> None:
    full = load_history(portal, cache=False)
    assert full[PROJECT].count == 2 and len(full[PROJECT].commits) == 2
    capped = load_history(portal, keep=1, cache=False)[PROJECT]
    assert capped.count == 2 and [c.subject for c in capped.commits] == ["แก้ไขผลการดำเนินงานโครงการ"]
    assert load_history(portal) == full  # writes the cache
    assert load_history(portal) == full  # reads it
    append(portal, OTHER, "\nแก้ไข\n")
    commit(portal, "แก้ไขโครงการที่สอง", "2026-12-01T09:00:00+07:00")
    incremental = load_history(portal)  # the cache plus one new commit
    assert incremental == load_history(portal, cache=False)
    assert incremental[OTHER].last.subject == "แก้ไขโครงการที่สอง"
    assert incremental[OTHER].count == 2
