"""Patching an edit into a checked site gives exactly what a full check gives."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path
from typing import Any

from fundsite.validate import check_site
from fundsite.validate.patch import CheckState, patch
from fundsite.validate.records import check_files

SEQUENCES = 60


def fresh_state(root: Path) -> CheckState:
    state, problems = CheckState.from_check(check_files(root), root.resolve())
    assert state is not None
    assert state.problems() == problems
    return state


def _sub(path: Path, pattern: str, value: str) -> bool:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, value, text, count=1, flags=re.M)
    path.write_text(new, encoding="utf-8")
    return n == 1


def _pick(root: Path, kind: str, rng: random.Random) -> Path:
    return rng.choice(sorted((root / "content" / kind).rglob("*.md")))


def edit(root: Path, rng: random.Random, step: int) -> tuple[str, Path, bool]:
    """One random edit; returns (what, file, whether it keeps every link)."""
    what = rng.choice(
        [
            "budget",
            "title",
            "body",
            "spent",
            "report-date",
            "status",
            "attended",
            "end-date",
            "balance",
            "fund-kind",
            "shift-lines",
            "plan-budget",
            "relink-project",
            "relink-report",
            "new-report",
            "delete-report",
            "returned",
            "report-end",
            "new-project",
        ]
    )
    if what in ("spent", "report-date", "relink-report", "delete-report"):
        path = _pick(root, "reports", rng)
    elif what in ("balance", "fund-kind"):
        path = _pick(root, "funds", rng)
    elif what == "plan-budget":
        path = _pick(root, "plans", rng)
    else:
        path = _pick(root, "projects", rng)
    keeps = True
    if what == "budget":
        _sub(path, r"^budget: .*$", f"budget: {rng.randrange(1000, 200000)}")
    elif what == "title":
        _sub(path, r"^title: .*$", f"title: โครงการแก้ไข {step}")
    elif what == "body":
        path.write_text(
            path.read_text(encoding="utf-8") + f"\nโทร 081-234-56{step % 90 + 10}\n",
            encoding="utf-8",
        )
    elif what == "spent":
        if not _sub(path, r"^spent: .*$", f"spent: {rng.randrange(0, 300000)}"):
            _sub(path, r"^date: ", f"spent: {rng.randrange(0, 300000)}\ndate: ")
    elif what == "report-date":
        year = re.search(r"(\d{4})$", path.parent.name)
        y = int(year.group(1)) if year else 2024
        _sub(
            path, r"^date: .*$", f"date: {y}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"
        )
    elif what == "status":
        _sub(path, r"^status: .*$", f"status: {rng.choice(['completed', 'in-progress'])}")
    elif what == "attended":
        _sub(path, r"attended: \d+", f"attended: {rng.randrange(0, 400)}")
    elif what == "end-date":
        _sub(path, r"^end: .*$", f"end: 20{rng.randrange(20, 27)}-0{rng.randrange(1, 9)}-15")
    elif what == "balance":
        _sub(path, r"balance: [\d.,]+", f"balance: {rng.randrange(0, 900000)}")
    elif what == "fund-kind":
        _sub(path, r"^kind: .*$", f"kind: {rng.choice(['local', 'programme'])}")
    elif what == "shift-lines":
        _sub(path, r"^---\n", f"---\n# แก้ไขครั้งที่ {step}\n")
    elif what == "plan-budget":
        _sub(path, r"^budget: .*$", f"budget: {rng.randrange(1000, 200000)}")
    elif what == "relink-project":
        keeps = not _sub(path, r"^fund: .*$", "fund: L1000")
    elif what == "relink-report":
        keeps = not _sub(path, r"^project: .*$", "project: 68-L1001-1-02")
    elif what == "new-report":
        project = _pick(root, "projects", rng).stem
        day = f"20{rng.randrange(20, 27)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"
        path = root / "content/reports" / day[:4] / f"{day}-added-{step}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\nid: {path.stem}\nproject: {project}\ntitle: กิจกรรมเพิ่ม {step}\n"
            f"date: {day}\nkind: activity\nspent: {rng.randrange(0, 90000)}\n---\nบันทึก\n",
            encoding="utf-8",
        )
    elif what == "delete-report":
        path.unlink()
    elif what == "returned":
        value = f"returned: {rng.randrange(0, 90000)}"
        if not _sub(path, r"^returned: .*$", value):
            _sub(path, r"^title: ", f"{value}\ntitle: ")
    elif what == "new-project":
        path, keeps = _new_project(root, rng, step)
    elif what == "report-end":
        day = f"20{rng.randrange(20, 27)}-0{rng.randrange(1, 9)}-15"
        if not _sub(path, r"report_end: [\d-]+", f"report_end: {day}"):
            _sub(path, r"amount: ", f"report_end: {day}, amount: ")
    return what, path, keeps


def _new_project(root: Path, rng: random.Random, step: int) -> tuple[Path, bool]:
    """A copy of a project under a new id (a local fund's code where it had one); whether a
    patch can take it (one that names media cannot be patched in)."""
    source = _pick(root, "projects", rng)
    code = re.fullmatch(r"(\d\d-.+-)(\d\d)", source.stem)
    new_id = f"{code.group(1)}{rng.randrange(50, 100)}" if code else f"{source.stem}-{step}"
    path = source.with_name(f"{new_id}.md")
    if path.exists():
        path = source.with_name(f"{source.stem}-n{step}.md")
    text = re.sub(r"(?m)^id: .*$", f"id: {path.stem}", source.read_text(encoding="utf-8"), count=1)
    path.write_text(text, encoding="utf-8")
    return path, "media/" not in text


def snapshot(state_or_graph: Any) -> dict[str, Any]:
    """What pages read from the graph: records, bodies, notes, links and report order."""
    graph = state_or_graph.graph if isinstance(state_or_graph, CheckState) else state_or_graph
    shot: dict[str, Any] = {"reports": list(graph.reports), "projects": list(graph.projects)}
    for node in graph.all_nodes():
        shot[node.path] = (
            node.record.model_dump(),
            node.body,
            node.digest,
            [(p.code, p.line, p.col, p.params) for p in node.notes],
            {
                name: [getattr(n, "id", n) for n in getattr(node, name)]
                for name in ("reports", "projects", "children", "issues", "areas")
                if hasattr(node, name)
            },
            {
                name: getattr(getattr(node, name), "id", None)
                for name in ("fund", "plan", "programme", "project")
                if hasattr(node, name)
            },
            getattr(node, "fiscal_year", None),
        )
    return shot


def test_patched_equals_full_check(mixed_site: Path) -> None:
    rng = random.Random(5)
    state = fresh_state(mixed_site)
    patched_count = 0
    for step in range(SEQUENCES):
        what, path, keeps = edit(mixed_site, rng, step)
        rel = path.relative_to(mixed_site).as_posix()
        result = patch(state, [rel], add_projects=True)
        full = check_site(mixed_site)
        if result is None:
            assert not keeps or any(
                p.file == rel for p in full.problems if p.severity == "error"
            ), f"step {step}: {what} on {rel} was not patched"
            state = fresh_state(mixed_site)
            continue
        patched_count += 1
        assert result.problems == full.problems, f"step {step}: {what} on {rel}"
        assert full.graph is not None
        assert snapshot(state) == snapshot(full.graph), f"step {step}: {what} on {rel}"
    assert patched_count > SEQUENCES // 2


def test_a_link_change_is_not_patched(mixed_site: Path) -> None:
    state = fresh_state(mixed_site)
    report = sorted((mixed_site / "content/reports").rglob("*.md"))[0]
    rel = report.relative_to(mixed_site).as_posix()
    before = snapshot(state)
    _sub(report, r"^project: .*$", "project: 68-L1001-1-02")
    assert patch(state, [rel]) is None
    assert snapshot(state) == before  # untouched


def test_new_and_deleted_files(mixed_site: Path) -> None:
    """New and deleted reports are patched in; other new or deleted files are not."""
    state = fresh_state(mixed_site)
    report = sorted((mixed_site / "content/reports").rglob("*.md"))[0]
    copy = report.with_name("2099-01-01-new.md")
    shutil.copy(report, copy)  # its id is not its file name: an error
    assert patch(state, [copy.relative_to(mixed_site).as_posix()]) is None
    copy.unlink()
    report.unlink()
    assert patch(state, [report.relative_to(mixed_site).as_posix()]) is not None
    assert snapshot(state) == snapshot(check_site(mixed_site).graph)
    project = sorted((mixed_site / "content/projects").rglob("*.md"))[0]
    project.unlink()
    assert patch(state, [project.relative_to(mixed_site).as_posix()]) is None
    assert patch(state, ["data/issues.yaml"]) is None
