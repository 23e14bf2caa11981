"""Open data written incrementally (issue 17) is byte for byte a clean write's, over random edits;
the files an edit cannot change are not touched; a damaged, foreign or stale index, and files
of ``data/`` changed by hand, are caught and never trusted."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import example_plus_synthetic
from fundsite.build import build
from fundsite.plan import exports
from fundsite.plan import giving as grants_of
from fundsite.validate import check_site
from fundsite.validate.graph import SiteGraph
from fundsite.write import chunkzip, data_index
from fundsite.write.giving import write_360giving
from fundsite.write.open_data import OpenData, write_open_data
from fundsite.write.outputs import _write_table, to_json


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The example portal plus 30 synthetic projects (their funds, plans and reports)."""
    return example_plus_synthetic(tmp_path, projects=30, seed=5)


def graph_of(site: Path) -> SiteGraph:
    checked = check_site(site, workers=1)
    assert checked.ok and checked.graph is not None, [
        p for p in checked.problems if p.severity == "error"
    ][:3]
    return checked.graph


def files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "data").iterdir()) if p.is_file()}


def identity(root: Path) -> dict[str, tuple[int, int]]:
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (root / "data").iterdir()
        if p.is_file()
    }


def clean(graph: SiteGraph, where: Path) -> dict[str, bytes]:
    """What a write from nothing gives (no previous files, no index)."""
    shutil.rmtree(where, ignore_errors=True)
    write_open_data(graph, where, graph.today)
    return files(where)


def assert_same(out: Path, expected: dict[str, bytes], what: str) -> None:
    got = files(out)
    assert sorted(got) == sorted(expected), (
        f"{what}: files differ {sorted(set(got) ^ set(expected))}"
    )
    differing = [name for name in got if got[name] != expected[name]]
    assert not differing, f"{what}: contents differ: {differing}"
    (snapshot,) = [name for name in got if name.endswith(".zip")]
    with zipfile.ZipFile(io.BytesIO(got[snapshot])) as z:
        assert z.testzip() is None
        for name in z.namelist():
            assert z.read(name) == got[name], f"{what}: zip member {name}"


class Writer:
    """Writes open data into ``out`` again after each edit, as ``serve`` does (in place)."""

    def __init__(self, out: Path, index: Path) -> None:
        self.out, self.index = out, index

    def __call__(self, graph: SiteGraph) -> OpenData:
        return write_open_data(
            graph, self.out, graph.today, previous=self.out, index_file=self.index
        )


# ---- random edits --------------------------------------------------------------------------


def _records(root: Path, kind: str) -> list[Path]:
    return sorted((root / "content" / kind).rglob("*.md"))


def _synthetic_projects(root: Path) -> list[Path]:
    return [p for p in _records(root, "projects") if re.fullmatch(r"\d\d-L1\d\d\d-\d-\d\d", p.stem)]


def _sub(path: Path, pattern: str, new: str) -> bool:
    text = path.read_text(encoding="utf-8")
    changed, n = re.subn(pattern, new, text, count=1, flags=re.M)
    path.write_text(changed, encoding="utf-8")
    return n == 1


EDITS = (
    "budget",
    "title",
    "installment",
    "spent",
    "fund-name",
    "delete-report",
    "new-report",
    "new-project",
    "delete-project",
    "organization",
    "plan-title",
    "issue-name",
    "move-project",
    "move-report",
    "programme",
)


def edit(root: Path, rng: random.Random, step: int, kind: str | None = None) -> str:
    """One edit of the records or data files (``kind``, else a random one); returns it."""
    kind = kind or rng.choice(EDITS)
    projects = _synthetic_projects(root)
    if kind == "budget":
        _sub(rng.choice(projects), r"^budget: .*$", f"budget: {rng.randrange(1000, 90000)}.50")
    elif kind == "title":
        _sub(rng.choice(projects), r"^title: .*$", f"title: โครงการแก้ไข {step}")
    elif kind == "installment":
        path = rng.choice([p for p in projects if "installments:" in p.read_text("utf-8")])
        _sub(path, r"amount: [0-9.]+", f"amount: {rng.randrange(100, 900)}.00")
    elif kind == "spent":
        path = rng.choice(
            [p for p in _records(root, "reports") if "spent:" in p.read_text("utf-8")]
        )
        _sub(path, r"^spent: .*$", f"spent: {rng.randrange(10, 900)}.25")
    elif kind == "fund-name":
        _sub(rng.choice(_records(root, "funds")), r"^name: .*$", f"name: กองทุนทดสอบ {step}")
    elif kind == "delete-report":
        rng.choice(_records(root, "reports")).unlink()
    elif kind == "new-report":
        project = rng.choice(projects)
        start = re.search(r"(?m)^start: (\d{4}-\d{2}-\d{2})$", project.read_text("utf-8"))
        day = start.group(1) if start else "2025-01-10"
        report = f"{day}-added-{step}"
        path = root / "content/reports" / day[:4] / f"{report}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\nid: {report}\nproject: {project.stem}\ntitle: กิจกรรม {step}\n"
            f"date: {day}\nkind: activity\nspent: 120.00\n---\nบันทึก\n",
            encoding="utf-8",
        )
    elif kind == "new-project":
        source = rng.choice(projects)
        new_id = f"{source.stem[:-2]}{90 + step % 10}"
        target = source.with_name(f"{new_id}.md")
        if target.exists():
            return "skip"
        text = source.read_text("utf-8").replace(f"id: {source.stem}", f"id: {new_id}", 1)
        target.write_text(text.replace("title: ", f"title: ใหม่ {step} ", 1), encoding="utf-8")
    elif kind == "delete-project":
        project = rng.choice(projects)
        for report in _records(root, "reports"):
            if f"project: {project.stem}\n" in report.read_text("utf-8"):
                report.unlink()
        project.unlink()
    elif kind == "organization":
        path = rng.choice([p for p in projects if "organization:" not in p.read_text("utf-8")])
        _sub(path, r"^(budget: .*)$", rf"\1\norganization: ชมรม {step}")
    elif kind == "plan-title":
        _sub(rng.choice(_records(root, "plans")), r"^title: .*$", f"title: แผนแก้ไข {step}")
    elif kind == "move-project":  # to another plan of its fund, or out of its plan
        path = rng.choice([p for p in projects if "plan: " in p.read_text("utf-8")])
        fund = re.search(r"(?m)^fund: (.*)$", path.read_text("utf-8"))
        plans = _records(root, f"plans/{fund.group(1)}") if fund else []
        plan = rng.choice([None, *plans])
        _sub(path, r"^plan: .*$", f"plan: {plan.stem}" if plan else "")
    elif kind == "move-report":
        report = rng.choice(_records(root, "reports"))
        _sub(report, r"^project: .*$", f"project: {rng.choice(projects).stem}")
    elif kind == "programme":  # a project under another (ภายใต้โครงการ)
        path, parent = rng.sample(projects, 2)
        text = path.read_text("utf-8")
        if "programme:" in text:
            _sub(path, r"^programme: .*$", "")
        else:
            _sub(path, r"^(fund: .*)$", rf"\1\nprogramme: {parent.stem}")
    elif kind == "issue-name":
        _sub(root / "data/issues.yaml", r"name: ผู้สูงอายุ[^,}\n]*", f"name: ผู้สูงอายุ {step}")
    return kind


def test_random_edits_write_what_a_clean_write_does(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each kind of edit, twice, in random order, against a clean write; with zip chunks of
    about 1 kB, so that chunks are cut and copied inside every table."""
    monkeypatch.setattr(chunkzip, "CHUNK", 1024)
    rng = random.Random(1717)
    out, index = tmp_path / "out", tmp_path / "cache" / "index.bin"
    write = Writer(out, index)
    first = write(graph_of(site))
    assert set(first.rewritten) == {*first.paths}  # nothing before: every file written
    again = write(graph_of(site))
    assert again.rewritten == () and again.made == 0
    done: list[str] = []
    order = [*rng.sample(EDITS, len(EDITS)), *rng.sample(EDITS, len(EDITS))]  # each, twice
    for step, kind in enumerate(order):
        backup = {p: p.read_bytes() for p in (site / "content").rglob("*.md")}
        issues = (site / "data/issues.yaml").read_bytes()
        kinds = [edit(site, rng, step, kind)]
        if rng.random() < 0.3:  # and sometimes another one with it
            kinds.append(edit(site, rng, step))
        checked = check_site(site, workers=1)
        if not checked.ok:  # an edit that makes an error: put the records back
            for p in (site / "content").rglob("*.md"):
                if p not in backup:
                    p.unlink()
            for p, data in backup.items():
                p.write_bytes(data)
            (site / "data/issues.yaml").write_bytes(issues)
            continue
        graph = checked.graph
        assert graph is not None
        assert_keys(graph, data_index.load(index), f"step {step} {kinds}")
        before, ids = files(out), identity(out)
        result = write(graph)
        expected = clean(graph, tmp_path / "clean")
        assert_same(out, expected, f"step {step} {kinds}")
        now = identity(out)
        for name, data in expected.items():  # a file whose bytes stayed is not touched
            if before.get(name) == data:
                assert now[name] == ids[name], f"step {step} {kinds}: {name} was rewritten"
                assert f"data/{name}" not in result.rewritten
            else:
                assert f"data/{name}" in result.rewritten, f"step {step}: {name}"
        done.extend(kinds)
    assert len(set(done) - {"skip"}) >= len(EDITS) - 1, done


def assert_keys(graph: SiteGraph, last: data_index.Index | None, what: str) -> None:
    """The keys hashed again only where a record changed are those hashed from nothing."""
    assert last is not None
    again, whole = data_index.owner_keys(graph, last), data_index.owner_keys(graph)
    for store in data_index.STORES:
        assert again[store].ids == whole[store].ids, f"{what}: {store}"
        assert again[store].keys == whole[store].keys, f"{what}: keys of {store}"


def test_a_one_record_edit_makes_only_that_records_rows(site: Path, tmp_path: Path) -> None:
    write = Writer(tmp_path / "out", tmp_path / "index.bin")
    first = write(graph_of(site))
    report = next(p for p in _records(site, "reports") if "spent:" in p.read_text("utf-8"))
    _sub(report, r"^spent: .*$", "spent: 777.75")
    result = write(graph_of(site))
    changed = {rel.removeprefix("data/") for rel in result.rewritten}
    # the report's row, its project's sums (and all.json, the fund's report sums), the zip
    assert {"reports.csv", "reports.json", "projects.csv", "all.json"} <= changed
    assert not changed & {"objectives.csv", "target_groups.json", "plans.csv", "issues.csv"}
    assert 0 < result.made < first.made / 3  # a few records' rows and chunks, not the tables
    assert_same(tmp_path / "out", clean(graph_of(site), tmp_path / "clean"), "one report")


@pytest.mark.parametrize("notes", ["kept", "deleted"])
def test_a_portal_without_grants_describes_only_the_edited_project(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, notes: str
) -> None:
    """With no grant, there is no 360Giving file to copy from: the unchanged projects are
    known to be left out by the index, not by making their descriptions again; the notes file,
    deleted by hand, is made from the index's masks alone."""
    for path in _records(site, "projects"):
        _sub(path, r"^organization: .*\n", "")
    write = Writer(tmp_path / "out", tmp_path / "index.bin")
    first = write(graph_of(site))
    assert first.giving.grants == 0 and exports.GIVING not in first.paths
    _sub(_synthetic_projects(site)[3], r"^title: .*$", "title: โครงการแก้ไขชื่อ")
    if notes == "deleted":
        (tmp_path / "out" / exports.GIVING_LEFT_OUT).unlink()
    graph = graph_of(site)
    described: list[str] = []
    real = grants_of.description
    monkeypatch.setattr(
        grants_of, "description", lambda node: described.append(node.id) or real(node)
    )
    write(graph)
    assert described == [_synthetic_projects(site)[3].stem]
    monkeypatch.undo()
    assert_same(tmp_path / "out", clean(graph, tmp_path / "clean"), f"no grants, notes {notes}")


def test_the_writer_makes_what_the_streaming_writers_do(site: Path, tmp_path: Path) -> None:
    """The spliced files hold the bytes of the table writer, the 360Giving writer and
    ``to_json`` (all.json)."""
    graph = graph_of(site)
    written = clean(graph, tmp_path / "clean")
    giving = io.StringIO()
    left_out = io.StringIO()
    write_360giving(giving, graph, graph.today, left_out)
    assert written["360giving.json"] == giving.getvalue().encode()
    assert written["360giving-left-out.csv"] == left_out.getvalue().encode()
    for name, table in exports.TABLES.items():
        csv_file, json_file = io.StringIO(), io.StringIO()
        store = getattr(graph, table.store)
        rows = (row for _, node in sorted(store.items()) for row in table.rows(node))
        _write_table(csv_file, json_file, rows, table.names)
        assert written[f"{name}.csv"] == csv_file.getvalue().encode(), name
        assert written[f"{name}.json"] == json_file.getvalue().encode(), name
    everything = {
        "funds": [exports.fund_record(f) for _, f in sorted(graph.funds.items())],
        "issues": [i.model_dump(mode="json") for i in graph.issues.values()],
        "projects": [exports.project_record(p) for _, p in sorted(graph.projects.items())],
        "site": graph.site.model_dump(mode="json"),
    }
    assert written["all.json"] == to_json(everything).encode()


# ---- what is never trusted -----------------------------------------------------------------


def _budget(site: Path, value: str) -> None:
    _sub(_synthetic_projects(site)[0], r"^budget: .*$", f"budget: {value}")


@pytest.mark.parametrize(
    "damage",
    ["truncated", "empty", "garbage", "flipped byte", "flipped last byte", "not a file"],
)
def test_a_damaged_index_is_ignored(site: Path, tmp_path: Path, damage: str) -> None:
    out, index = tmp_path / "out", tmp_path / "index.bin"
    write = Writer(out, index)
    write(graph_of(site))
    data = index.read_bytes()
    if damage == "truncated":
        index.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        index.write_bytes(b"")
    elif damage == "garbage":
        index.write_bytes(os.urandom(len(data)))
    elif damage == "flipped byte":
        at = len(data) // 3
        index.write_bytes(data[:at] + bytes([data[at] ^ 0x40]) + data[at + 1 :])
    elif damage == "flipped last byte":
        index.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    else:
        index.unlink()
        index.mkdir()
    assert data_index.load(index) is None
    _budget(site, "4321.50")
    graph = graph_of(site)
    result = write(graph)
    assert set(result.rewritten) == {*result.paths}  # written in full
    assert_same(out, clean(graph, tmp_path / "clean"), damage)


def test_an_index_of_another_version_or_code_is_ignored(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, index = tmp_path / "out", tmp_path / "index.bin"
    write = Writer(out, index)
    with monkeypatch.context() as m:
        m.setattr(data_index, "VERSION", data_index.VERSION + 1)
        write(graph_of(site))
    assert data_index.load(index) is None
    with monkeypatch.context() as m:
        m.setattr(data_index, "code_digest", lambda: "another fundsite")
        write(graph_of(site))
    assert data_index.load(index) is None
    result = write(graph_of(site))
    assert set(result.rewritten) == {*result.paths}
    assert data_index.load(index) is not None
    assert write(graph_of(site)).rewritten == ()


def test_an_index_of_another_shape_is_ignored(site: Path, tmp_path: Path) -> None:
    """An index sealed as it should be but describing the files wrongly (parts that do not add
    up to the file, a chunk past the zip's end) is refused all the same."""
    out, index = tmp_path / "out", tmp_path / "index.bin"
    write = Writer(out, index)
    write(graph_of(site))
    last = data_index.load(index)
    assert last is not None
    last.files["data/funds.csv"].parts[0].length += 1
    _save(index, last)
    assert data_index.load(index) is None
    write(graph_of(site))  # written in full: a good index again
    last = data_index.load(index)
    assert last is not None and last.zip is not None
    last.zip.members["data/projects.csv"].comp[-1] = last.zip.size
    _save(index, last)
    assert data_index.load(index) is None
    _budget(site, "1000.25")
    graph = graph_of(site)
    result = write(graph)
    assert set(result.rewritten) == {*result.paths}
    assert_same(out, clean(graph, tmp_path / "clean"), "another shape")


def _save(path: Path, index: data_index.Index) -> None:
    data_index.save(path, index.global_key, index.stores, index.masks, index.files, index.zip)


@pytest.mark.parametrize("how", ["same size", "longer", "deleted", "zip", "zip deleted"])
def test_a_file_changed_by_hand_is_caught(site: Path, tmp_path: Path, how: str) -> None:
    out, index = tmp_path / "out", tmp_path / "index.bin"
    write = Writer(out, index)
    write(graph_of(site))
    projects = out / "data/projects.csv"
    (snapshot,) = (out / "data").glob("snapshot-*.zip")
    if how == "same size":  # a digit changed in place, its time put back: only the bytes tell
        stat = projects.stat()
        data = bytearray(projects.read_bytes())
        at = re.search(rb"[0-8]", data[data.index(b"\n") :]).start() + data.index(b"\n")
        data[at] += 1
        with open(projects, "r+b") as f:
            f.write(data)
        os.utime(projects, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    elif how == "longer":
        with open(projects, "a", encoding="utf-8") as f:
            f.write("x,y\n")
    elif how == "deleted":
        projects.unlink()
    elif how == "zip":
        data = bytearray(snapshot.read_bytes())
        data[len(data) // 2] ^= 0xFF
        snapshot.write_bytes(data)
    else:
        snapshot.unlink()
    graph = graph_of(site)
    result = write(graph)  # nothing changed in the records: only the damage is repaired
    assert_same(out, clean(graph, tmp_path / "clean"), how)
    expected = {f"data/{snapshot.name}"}
    if how in ("same size", "longer", "deleted"):
        expected.add("data/projects.csv")
    assert set(result.rewritten) == expected


# ---- the zip and the build ------------------------------------------------------------------


def test_the_zip_reads_in_zip64_form_too(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past 2 GiB a member takes ZIP64 fields: with the limit set low, every member and the
    directory do, and zipfile reads them."""
    monkeypatch.setattr(chunkzip, "_ZIP64_LIMIT", 1000)
    graph = graph_of(site)
    written = clean(graph, tmp_path / "out")
    (snapshot,) = [n for n in written if n.endswith(".zip")]
    with zipfile.ZipFile(io.BytesIO(written[snapshot])) as z:
        assert z.testzip() is None
        assert z.getinfo("all.json").file_size == len(written["all.json"])
        for name in z.namelist():
            assert z.read(name) == written[name]


def test_small_chunks_are_copied_between_zips(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With chunks of a few hundred bytes, an edit deflates a handful of them again; the
    others are copied, and the zip is a clean write's."""
    monkeypatch.setattr(chunkzip, "CHUNK", 512)
    write = Writer(tmp_path / "out", tmp_path / "index.bin")
    first = write(graph_of(site))
    _budget(site, "2500.75")
    graph = graph_of(site)
    result = write(graph)
    assert result.made < first.made / 5
    assert_same(tmp_path / "out", clean(graph, tmp_path / "clean"), "small chunks")


def test_builds_reuse_the_last_output_and_equal_a_clean_build(site: Path, tmp_path: Path) -> None:
    """Through ``fundsite build``: the staged output links the last one's files, the files an
    edit does not change keep their inode and time, and the result is a clean build's."""
    out, clean_out = tmp_path / "out", tmp_path / "clean"
    assert build(site, out, workers=1, index=False).ok
    objectives = out / "data/objectives.csv"
    before = objectives.stat()
    _budget(site, "12345.67")
    assert build(site, out, workers=1, index=False).ok
    after = objectives.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert build(site, clean_out, workers=1, index=False, incremental=False).ok
    assert files(out) == files(clean_out)
    package = json.loads((out / "data/datapackage.json").read_text(encoding="utf-8"))
    assert package["resources"][0]["path"] == "funds.csv"
