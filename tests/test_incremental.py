"""Incremental builds equal clean builds, over random edit sequences."""

from __future__ import annotations

import random
import re
import shutil
import sys
from pathlib import Path

import pytest

from conftest import example_plus_synthetic
from fundsite.build import build

REPO = Path(__file__).parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

#: Random edit sequences, each followed by a clean build to compare with (about 3 s each on
#: two cores, most of it writing files; 120 keep the whole suite inside its time budget).
SEQUENCES = 120


def tree(root: Path) -> dict[str, bytes]:
    """Every output file but the search index (Pagefind's own output is not reproducible)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.relative_to(root).as_posix().startswith("pagefind/")
    }


def assert_same(incremental: Path, clean: Path, what: str) -> None:
    a, b = tree(incremental), tree(clean)
    assert sorted(a) == sorted(b), f"{what}: files differ: {sorted(set(a) ^ set(b))[:5]}"
    differing = [name for name in a if a[name] != b[name]]
    assert not differing, f"{what}: contents differ: {differing[:5]}"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The example portal plus a small synthetic portal's records, and the theme to edit."""
    return example_plus_synthetic(tmp_path, seed=7, themes=True)


def _records(root: Path, kind: str) -> list[Path]:
    return sorted((root / "content" / kind).rglob("*.md"))


def _replace_field(path: Path, field: str, value: str) -> bool:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(rf"(?m)^{field}: .*$", f"{field}: {value}", text, count=1)
    path.write_text(new, encoding="utf-8")
    return n == 1


def edit(root: Path, rng: random.Random, step: int) -> str:
    """Apply one random, valid edit; return what it did."""
    choice = rng.choice(
        [
            "title",
            "budget",
            "report-title",
            "report-date",
            "new-report",
            "delete-report",
            "fund-name",
            "plan-title",
            "template",
            "page",
            "issue-name",
            "delete-project",
            "new-project",
            "project-issues",
            "project-area",
            "project-plan",
            "project-elsewhen",
        ]
    )
    if choice == "title":
        path = rng.choice(_records(root, "projects"))
        _replace_field(path, "title", f"โครงการแก้ไขครั้งที่ {step} ตำบลทดสอบ")
    elif choice == "budget":
        path = rng.choice(
            [
                p
                for p in _records(root, "projects")
                if "installments:" not in p.read_text(encoding="utf-8")
            ]
            or _records(root, "projects")
        )
        if "installments:" in path.read_text(encoding="utf-8"):
            choice = "skip"
        else:
            _replace_field(path, "budget", f"{rng.randrange(1000, 90000)}.00")
    elif choice == "report-title":
        path = rng.choice(_records(root, "reports"))
        _replace_field(path, "title", f"รายงานที่แก้ไข {step}")
    elif choice == "report-date":  # it moves in the report listing
        path = rng.choice(_records(root, "reports"))
        day = f"20{rng.randrange(21, 25)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"
        _replace_field(path, "date", day)
    elif choice == "new-report":
        project = rng.choice(_records(root, "projects"))
        text = project.read_text(encoding="utf-8")
        start = re.search(r"(?m)^start: (\d{4}-\d{2}-\d{2})$", text)
        if start is None:
            return "skip"
        report_id = f"{start.group(1)}-added-{step}"
        folder = root / "content/reports" / start.group(1)[:4]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{report_id}.md").write_text(
            f"---\nid: {report_id}\nproject: {project.stem}\ntitle: กิจกรรมเพิ่มเติม {step}\n"
            f"date: {start.group(1)}\nkind: activity\n---\nบันทึกกิจกรรม\n",
            encoding="utf-8",
        )
    elif choice == "delete-report":
        rng.choice(_records(root, "reports")).unlink()
    elif choice == "fund-name":
        path = rng.choice(_records(root, "funds"))
        _replace_field(path, "name", f"กองทุนหลักประกันสุขภาพ ทดสอบ {step}")
    elif choice == "plan-title":
        path = rng.choice(_records(root, "plans"))
        _replace_field(path, "title", f"แผนงานแก้ไข {step}")
    elif choice == "template":
        template = root / "themes/default/templates/report.html"
        template.write_text(
            template.read_text(encoding="utf-8") + f"{{# edit {step} #}}\n", encoding="utf-8"
        )
    elif choice == "page":
        page = rng.choice(_records(root, "pages"))
        page.write_text(page.read_text(encoding="utf-8") + f"\nย่อหน้าใหม่ {step}\n", encoding="utf-8")
    elif choice == "issue-name":
        issues = root / "data/issues.yaml"
        text = issues.read_text(encoding="utf-8")
        issues.write_text(
            re.sub(r"name: ผู้สูงอายุ[^,}\n]*", f"name: ผู้สูงอายุ {step}", text, count=1), encoding="utf-8"
        )
    elif choice == "delete-project":
        candidates = [
            p for p in _records(root, "projects") if p.stem[:2].isdigit() and "-L1" in p.stem
        ]  # synthetic projects: nothing names them as programme
        if not candidates:
            return "skip"
        project = rng.choice(candidates)
        for report in _records(root, "reports"):
            if f"project: {project.stem}\n" in report.read_text(encoding="utf-8"):
                report.unlink()
        project.unlink()
    elif choice == "new-project":
        source = rng.choice([p for p in _records(root, "projects") if p.stem[:2].isdigit()])
        letters = "".join(chr(97 + int(d)) for d in str(step))  # digits could read as a phone
        new_id = f"{source.stem}-{letters}"  # listed right after its source
        text = re.sub(r"(?m)^id: .*$", f"id: {new_id}", source.read_text(encoding="utf-8"), count=1)
        source.with_name(f"{new_id}.md").write_text(text, encoding="utf-8")
    elif choice == "project-elsewhen":  # a new project in a year its areas may not have had
        source = rng.choice([p for p in _records(root, "projects") if p.stem[:2].isdigit()])
        new_id = f"{source.stem}-{''.join(chr(97 + int(d)) for d in str(step))}"
        text = re.sub(r"(?m)^id: .*$", f"id: {new_id}", source.read_text(encoding="utf-8"))
        text = _unplanned(text)
        text = re.sub(r"\b(20\d\d)-", lambda m: f"{int(m.group(1)) - 4}-", text)
        source.with_name(f"{new_id}.md").write_text(text, encoding="utf-8")
    elif choice in ("project-issues", "project-area", "project-plan"):
        return _relink(root, rng, choice)
    return choice


def _unplanned(text: str) -> str:
    """A project out of its plan: dated by itself, of its plan's issue unless it names one."""
    plan = re.search(r"(?m)^plan: [^-\n]+-\d{4}-(\S+)\n", text)
    if plan is None:
        return text
    issues = "" if "\nissues: " in text else f"issues: [{plan.group(1)}]\n"
    return text.replace(plan.group(0), issues)


def _relink(root: Path, rng: random.Random, choice: str) -> str:
    """Move a project to other issues, another area or another plan of its fund: the pages
    that showed it where it was must drop it."""
    path = rng.choice(_records(root, "projects"))
    text = path.read_text(encoding="utf-8")
    if choice == "project-issues":
        ids = re.findall(r"(?m)^- id: (\S+)$", (root / "data/issues.yaml").read_text("utf-8"))
        text = re.sub(r"(?m)^issues: .*\n", "", text)
        text = re.sub(r"(?m)^(fund: .*)$", rf"\1\nissues: [{rng.choice(ids)}]", text, count=1)
    elif choice == "project-area":
        areas = [
            line
            for p in rng.sample(_records(root, "projects"), 20)
            for line in re.findall(r"(?m)^area: .*$", p.read_text(encoding="utf-8"))
        ]
        if "\narea: " not in text or not areas:
            return "skip"
        text = re.sub(r"(?m)^area: .*$", rng.choice(areas), text, count=1)
    else:
        fund = re.search(r"(?m)^fund: (\S+)$", text)
        plans = [
            p.stem
            for p in _records(root, "plans")
            if fund and f"\nfund: {fund.group(1)}\n" in p.read_text(encoding="utf-8")
        ]
        if "\nplan: " not in text or not plans:
            return "skip"
        other = rng.choice(plans)
        if f"plan: {other}\n" in text:
            text = _unplanned(text)
        else:
            text = re.sub(r"(?m)^plan: .*$", f"plan: {other}", text, count=1)
    path.write_text(text, encoding="utf-8")
    return choice


def test_incremental_equals_clean_over_random_edit_sequences(site: Path, tmp_path: Path) -> None:
    rng = random.Random(20261122)
    out, clean = tmp_path / "out", tmp_path / "clean"
    first = build(site, out, workers=1, index=False)
    assert first.ok and first.rendered == first.pages
    unchanged = build(site, out, workers=1, index=False)
    assert unchanged.ok and unchanged.rendered == 0
    done: list[str] = []
    for sequence in range(SEQUENCES):
        for _ in range(rng.randint(1, 3)):
            done.append(edit(site, rng, len(done)))
            # every other sequence with two workers: an edit's pages shared by two processes
            result = build(site, out, workers=1 + sequence % 2, index=False)
            assert result.ok, [p for p in result.problems if p.severity == "error"][:3]
        shutil.rmtree(clean, ignore_errors=True)
        assert build(site, clean, workers=1, index=False, incremental=False).ok
        assert_same(out, clean, f"sequence {sequence} after {done[-3:]}")
    assert len(set(done)) >= 8  # the sequences exercised most kinds of edit


def test_an_edit_rerenders_only_the_pages_that_show_the_record(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    total = build(site, out, workers=1, index=False)
    report = next(p for p in _records(site, "reports") if "informal" in p.stem)
    _replace_field(report, "title", "ประชุมวางแผนทีมติดตาม (แก้ไข)")
    result = build(site, out, workers=1, index=False)
    assert result.ok and 0 < result.rendered < total.pages / 4
    assert "(แก้ไข)" in (out / f"reports/{report.stem}/index.html").read_text(encoding="utf-8")


def test_a_new_project_is_patched_in_and_rerenders_only_what_shows_it(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request's most common addition: the check reads only the new file, the build
    renders the pages that show the project (and the project listing), and the output equals
    a clean build's."""
    from fundsite.validate import records

    out, clean = tmp_path / "out", tmp_path / "clean"
    total = build(site, out, workers=1, index=False)
    source = site / "content/projects/68-L5218-4-01.md"
    text = source.read_text(encoding="utf-8").replace("id: 68-L5218-4-01", "id: 68-L5218-4-77")
    source.with_name("68-L5218-4-77.md").write_text(text, encoding="utf-8")
    full_checks: list[Path] = []
    check_files = records.check_files

    def counted(root: Path, **kwargs: object) -> object:
        full_checks.append(root)
        return check_files(root, **kwargs)

    monkeypatch.setattr(records, "check_files", counted)
    result = build(site, out, workers=1, index=False)
    assert result.ok and not full_checks
    assert 0 < result.rendered < total.pages / 4
    assert (out / "projects/68-L5218-4-77/index.html").is_file()
    assert build(site, clean, workers=1, index=False, incremental=False).ok
    assert_same(out, clean, "a new project")


def test_failed_build_keeps_the_site_and_the_next_build_catches_up(
    site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert build(site, out, workers=1, index=False).ok
    project = site / "content/projects/68-L5218-4-01.md"
    good = project.read_text(encoding="utf-8")
    project.write_text(good.replace("budget:", "budjet:"), encoding="utf-8")
    assert not build(site, out, workers=1, index=False).ok
    project.write_text(good.replace("title: ", "title: ใหม่ ", 1), encoding="utf-8")
    assert build(site, out, workers=1, index=False).ok
    clean = tmp_path / "clean"
    assert build(site, clean, workers=1, index=False, incremental=False).ok
    assert_same(out, clean, "after a failed build")


def test_a_new_day_builds_like_a_clean_build(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside git the data's date is today's: feeds without entries and the open-data snapshot
    carry it, so an incremental build on the next day must not keep yesterday's."""
    out, clean = tmp_path / "out", tmp_path / "clean"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")  # 2026-11-22
    assert build(site, out, workers=1, index=False).ok
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
    assert build(site, out, workers=1, index=False).ok
    assert build(site, clean, workers=1, index=False, incremental=False).ok
    assert_same(out, clean, "the next day")


def test_list_pages_follow_random_edits(tmp_path: Path) -> None:
    """A portal large enough for a year's list pages (more than 50 records): each list page
    is fingerprinted by the rows it holds and where they sit, so an edit renders the page that
    shows the record, and a record added or deleted moves the rows of the pages after it; the
    result equals a clean build after every sequence of random edits."""
    site = example_plus_synthetic(tmp_path, projects=400, seed=5, themes=True)
    rng = random.Random(20261204)
    out, clean = tmp_path / "out", tmp_path / "clean"
    assert build(site, out, workers=1, index=False).ok
    lists = sorted((out / "years").rglob("page/*/index.html"))
    assert len(lists) >= 4  # the years' projects and reports fill more than one page
    before = [p.stat().st_mtime_ns for p in lists]
    title = next(p for p in _records(site, "projects") if p.stem.startswith("66-"))
    _replace_field(title, "title", "โครงการที่แก้ชื่อ ตำบลทดสอบ")
    assert build(site, out, workers=1, index=False).ok
    rewritten = [p for p, t in zip(lists, before, strict=True) if p.stat().st_mtime_ns != t]
    assert len(rewritten) <= 3, rewritten  # its project, plan and report rows at most
    done: list[str] = []
    for sequence in range(10):
        for _ in range(rng.randint(1, 3)):
            done.append(edit(site, rng, len(done)))
            assert build(site, out, workers=1, index=False).ok
        shutil.rmtree(clean, ignore_errors=True)
        assert build(site, clean, workers=1, index=False, incremental=False).ok
        assert_same(out, clean, f"sequence {sequence} after {done[-3:]}")


def test_another_fundsite_renders_every_page(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages depend on fundsite's code, not only its version: an install from a git checkout
    that changed a view keeps its version number, and must not keep the pages the old code
    drew."""
    from fundsite.plan import deps

    out = tmp_path / "out"
    assert build(site, out, workers=1, index=False).ok
    assert build(site, out, workers=1, index=False).rendered == 0
    monkeypatch.setattr(deps, "code_digest", lambda: "fundsite with another view")
    again = build(site, out, workers=1, index=False)
    assert again.ok and again.rendered == again.pages


def test_a_project_moved_to_another_issue_leaves_the_old_issues_pages(
    site: Path, tmp_path: Path
) -> None:
    """The pages that showed a record where it was are not found from where it is now: a
    record that moved (here: another issue) has every page fingerprinted again."""
    out, clean = tmp_path / "out", tmp_path / "clean"
    assert build(site, out, workers=1, index=False).ok
    issue_page = out / "issues/physical-activity/index.html"
    assert "68-L7983-2-01" in issue_page.read_text(encoding="utf-8")
    _replace_field(site / "content/projects/68-L7983-2-01.md", "issues", "[elderly]")
    result = build(site, out, workers=1, index=False)
    assert result.ok and 0 < result.rendered < result.pages / 4
    assert "68-L7983-2-01" not in issue_page.read_text(encoding="utf-8")
    assert build(site, clean, workers=1, index=False, incremental=False).ok
    assert_same(out, clean, "a project moved to another issue")
