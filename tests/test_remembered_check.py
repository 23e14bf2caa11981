"""A check remembered in the cache folder gives exactly what a full check gives: in this
process and in a fresh one, and with a cache from another version of fundsite, another site,
or one damaged or forged (those are ignored)."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fundsite.validate import check_site, check_state, saved
from test_patch import edit, snapshot

STEPS = 24


def remembered(site: Path) -> tuple[object, list]:
    """A check from the cache folder, as ``fundsite check`` runs it; whether it was recalled."""
    recalled = saved.recall(site)
    _, result = check_state(site, remember=True)
    assert result.graph is not None
    return recalled, result


def _edit_keeping_links(site: Path, rng: random.Random, step: int) -> str:
    """A random edit (``test_patch.edit``) that keeps every link: one that would relink a
    record to one that does not exist is undone, so later edits can still be patched."""
    before = {p: p.read_bytes() for p in (site / "content").rglob("*.md")}
    what, path, keeps = edit(site, rng, step)
    if not keeps:
        path.write_bytes(before[path])
    return what


def test_remembered_equals_full_check_over_random_edits(mixed_site: Path) -> None:
    rng = random.Random(17)
    check_state(mixed_site, remember=True)  # the full check kept
    recalls = 0
    for step in range(STEPS):
        edits = range(rng.randint(1, 3))
        done = [_edit_keeping_links(mixed_site, rng, step * 3 + i) for i in edits]
        recalled, result = remembered(mixed_site)
        full = check_site(mixed_site)
        assert result.problems == full.problems, f"step {step}: {done}"
        if full.graph is not None:
            assert snapshot(result.graph) == snapshot(full.graph), f"step {step}: {done}"
        recalls += recalled is not None
    assert recalls >= STEPS // 2  # most edits were patched in, not checked afresh


def _check_json(site: Path, *flags: str) -> list[dict]:
    run = subprocess.run(
        [sys.executable, "-m", "fundsite.cli", "check", str(site), "--format", "json", *flags],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stdout)


def test_a_fresh_process_reads_the_cache_and_agrees(mixed_site: Path) -> None:
    full_before = _check_json(mixed_site)  # a fresh process: full check, kept
    assert saved.state_path(mixed_site).is_file()
    assert _check_json(mixed_site) == full_before
    rng = random.Random(3)
    for step in range(3):
        edit(mixed_site, rng, step)
        assert _check_json(mixed_site) == _check_json(mixed_site, "--fresh"), f"edit {step}"


def test_a_cache_of_another_version_is_not_read(
    mixed_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_state(mixed_site, remember=True)
    assert saved.load(mixed_site) is not None
    monkeypatch.setattr(saved, "code_digest", lambda: "another version of fundsite")
    assert saved.load(mixed_site) is None
    edit(mixed_site, random.Random(1), 0)
    _, result = check_state(mixed_site, remember=True)
    assert result.problems == check_site(mixed_site).problems


def test_a_damaged_cache_is_ignored(mixed_site: Path) -> None:
    check_state(mixed_site, remember=True)
    path = saved.state_path(mixed_site)
    good = path.read_bytes()
    expected = check_site(mixed_site).problems
    for damaged in (
        good[: len(good) // 2],  # cut short
        good[:-100] + bytes(b ^ 0xFF for b in good[-100:]),  # bytes changed
        b"",
        b"not a pickle at all",
    ):
        path.write_bytes(damaged)
        assert saved.load(mixed_site) is None
        assert check_state(mixed_site, remember=True)[1].problems == expected


class _Run:
    """A forged state that would run a command when unpickled by plain ``pickle``."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch forged-state-ran",))


def test_a_forged_cache_is_never_run(mixed_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even with a right header and checksum, only record classes are built from a cache."""
    monkeypatch.chdir(mixed_site.parent)
    payload = pickle.dumps(_Run())
    checksum = hashlib.blake2b(payload, digest_size=32).digest()
    path = saved.state_path(mixed_site)
    path.write_bytes(saved._header(mixed_site.resolve(), len(payload), checksum) + payload)
    assert saved.load(mixed_site) is None
    assert not (mixed_site.parent / "forged-state-ran").exists()
    assert check_state(mixed_site, remember=True)[1].problems == check_site(mixed_site).problems


def test_a_cache_of_another_site_is_not_used(mixed_site: Path, tmp_path: Path) -> None:
    """Another folder's cache is refused; another site restored at this folder (a CI cache of
    another repository) is compared file by file and checked afresh where it differs."""
    other = tmp_path / "other"
    shutil.copytree(mixed_site, other)
    check_state(mixed_site, remember=True)
    shutil.copy(saved.state_path(mixed_site), saved.state_path(other))
    assert saved.load(other) is None
    shutil.rmtree(mixed_site / "content/projects")
    example = Path(__file__).parent.parent / "content/projects"
    shutil.copytree(example, mixed_site / "content/projects")
    _, result = check_state(mixed_site, remember=True)
    assert result.problems == check_site(mixed_site).problems


def test_a_new_data_date_judges_time_again(
    mixed_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules about time judge against the data's date: on another date every record's
    rules run again (not the reading of every file), as a full check at that date would."""
    check_state(mixed_site, remember=True)
    before = check_site(mixed_site).problems
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1830297600")  # 2028-01-01
    edit(mixed_site, random.Random(2), 0)
    assert saved.recall(mixed_site) is not None
    _, result = check_state(mixed_site, remember=True)
    full = check_site(mixed_site)
    assert result.problems == full.problems != before
    assert snapshot(result.graph) == snapshot(full.graph)


def test_builds_from_a_damaged_or_foreign_cache_equal_clean_builds(
    mixed_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build whose remembered check is damaged, of another version or patched in a fresh
    state writes what a clean build writes."""
    from fundsite.build import build
    from test_incremental import assert_same

    out, clean = tmp_path / "out", tmp_path / "clean"
    assert build(mixed_site, out, workers=1, index=False).ok
    rng = random.Random(11)
    path = saved.state_path(mixed_site)
    for step, spoil in enumerate(("none", "damaged", "another version", "none")):
        _edit_keeping_links(mixed_site, rng, step)
        if spoil == "damaged":
            path.write_bytes(path.read_bytes()[:-10])
        elif spoil == "another version":
            monkeypatch.setattr(saved, "code_digest", lambda: "another version of fundsite")
        assert build(mixed_site, out, workers=1, index=False).ok
        shutil.rmtree(clean, ignore_errors=True)
        assert build(mixed_site, clean, workers=1, index=False, incremental=False).ok
        assert_same(out, clean, f"step {step}, cache {spoil}")
