"""``serve``'s fast path: patched edits give exactly the site a clean build gives."""

from __future__ import annotations

import random
import re
import signal
import time
from pathlib import Path

import pytest

from fundsite import update as update_module
from fundsite.build import BuildResult, Kept, build
from fundsite.update import finish, settle, update
from fundsite.write import manifest
from test_incremental import assert_same
from test_patch import edit

STEPS = 30


class Editor:
    """Applies edits the way ``serve`` does: patched when possible, else a full build; with
    ``background``, open data is written by a forked process, waited for before comparing."""

    def __init__(self, site: Path, out: Path, background: bool = False) -> None:
        self.site, self.out, self.fast, self.background = site, out, 0, background
        self.written = 0  # updates whose open data a forked writer wrote
        self.kept: Kept | None = None
        self.full()

    def full(self) -> BuildResult:
        result = build(self.site, self.out, index=False, keep=True)
        self.kept = result.kept
        return result

    def changed(self, path: Path) -> BuildResult:
        done = update(self.kept, [path.relative_to(self.site).as_posix()]) if self.kept else None
        if done is None:
            return self.full()
        result, pending = done
        if pending is not None:
            finish(pending, background=self.background)
            code = settle(self.kept, wait=True)  # type: ignore[arg-type]
            assert code == (0 if self.background else None)
            self.fast += 1
            self.written += code == 0
            assert result.rendered < result.pages // 4
        return result


def check_equal(editor: Editor, result: BuildResult, clean_out: Path, what: str) -> None:
    clean = build(editor.site, clean_out, index=False, incremental=False)
    assert result.ok == clean.ok, what
    assert result.problems == clean.problems, what
    if clean.ok:
        assert_same(editor.out, clean_out, what)


@pytest.mark.parametrize(("seed", "background"), [(1, False), (2, True)])
def test_updates_equal_clean_builds(
    mixed_site: Path, tmp_path: Path, seed: int, background: bool
) -> None:
    rng = random.Random(seed)
    editor = Editor(mixed_site, tmp_path / "build", background)
    for step in range(STEPS):
        before = {p: p.read_bytes() for p in (mixed_site / "content").rglob("*.md")}
        what, path, _ = edit(mixed_site, rng, step)
        result = editor.changed(path)
        check_equal(editor, result, tmp_path / f"clean-{step}", f"step {step}: {what} {path.name}")
        if not result.ok:  # the editor fixes it: back to what it was
            path.write_bytes(before[path])
            result = editor.changed(path)
            check_equal(editor, result, tmp_path / f"fixed-{step}", f"step {step}: fixed")
    assert editor.fast > STEPS // 2
    assert editor.written > STEPS // 2 if background else editor.written == 0


def test_an_interrupted_open_data_writer_is_made_good_by_the_next_build(
    mixed_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve`` stops the writer when the next edit comes (or on exit): the build cache then
    says open data is stale, and the next build writes it, though no page changed."""
    out = tmp_path / "build"
    kept = build(mixed_site, out, index=False, keep=True).kept
    assert kept is not None
    project = next(
        p
        for p in sorted((mixed_site / "content/projects").rglob("*.md"))
        if re.search(r"(?m)^budget: ", p.read_text(encoding="utf-8"))
    )
    text = project.read_text(encoding="utf-8")
    project.write_text(re.sub(r"(?m)^budget: .*$", "budget: 4321.00", text, count=1), "utf-8")
    done = update(kept, [project.relative_to(mixed_site).as_posix()])
    assert done is not None and done[1] is not None and done[0].rendered > 0
    monkeypatch.setattr(update_module, "write_site_files", lambda *_a, **_k: time.sleep(60))
    finish(done[1], background=True)
    deadline = time.monotonic() + 30
    while manifest.load(mixed_site, out) is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the writer saves the build cache first
    assert settle(kept) == -signal.SIGTERM  # stopped before it wrote open data
    cached = manifest.load(mixed_site, out)
    assert cached is not None and not cached.open_data
    assert "4321.00" not in (out / "data/projects.csv").read_text(encoding="utf-8")

    again = build(mixed_site, out, index=False)
    assert again.rendered == 0  # every page was up to date: only open data was not
    build(mixed_site, tmp_path / "clean", index=False, incremental=False)
    assert_same(out, tmp_path / "clean", "after a stopped writer")
    assert manifest.load(mixed_site, out).open_data  # type: ignore[union-attr]
