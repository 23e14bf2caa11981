"""``serve``'s fast path: patched edits give exactly the site a clean build gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from fundsite.build import BuildResult, Kept, build
from fundsite.update import finish, update
from test_incremental import assert_same
from test_patch import edit

STEPS = 30


class Editor:
    """Applies edits the way ``serve`` does: patched when possible, else a full build."""

    def __init__(self, site: Path, out: Path) -> None:
        self.site, self.out, self.fast = site, out, 0
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
            finish(pending)
            self.fast += 1
            assert result.rendered < result.pages // 4
        return result


def check_equal(editor: Editor, result: BuildResult, clean_out: Path, what: str) -> None:
    clean = build(editor.site, clean_out, index=False, incremental=False)
    assert result.ok == clean.ok, what
    assert result.problems == clean.problems, what
    if clean.ok:
        assert_same(editor.out, clean_out, what)


@pytest.mark.parametrize("seed", [1, 2])
def test_updates_equal_clean_builds(mixed_site: Path, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    editor = Editor(mixed_site, tmp_path / "build")
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
