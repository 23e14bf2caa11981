"""Hostile pull requests, family 5: the output folder.

A build replaces its output folder whole, so ``-o`` must never name something fundsite did not
make: the site itself (``-o .``), a folder holding it, its ``content/``, ``data/``, ``themes/``
or ``.git``, a repository, a file, a non-empty folder without fundsite's marker, or a folder
holding files committed to git. Each is refused (exit 1) with a message in Thai and English
that says what to do, and nothing anywhere is deleted or written. A commit cannot redirect the
output either: a link placed where the output or its staging folder goes is refused or removed,
never followed. A killed build's leftovers are removed by the next build, a build running
meanwhile keeps its own, and publishing never leaves a moment without a site.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import RECORDS, make_site
from fundsite.build import build
from fundsite.diagnostics import Problem
from fundsite.messages import render
from fundsite.parallel import forked_call
from fundsite.write import atomic
from fundsite.write.atomic import (
    MARKER,
    begin_stage,
    commit_stage,
    fresh,
    inside,
    remove,
    remove_leftovers,
    write_text,
)
from fundsite.write.out_folder import output_problem

#: What each refusal tells the operator to do instead, (Thai, English).
WHAT_TO_DO = {
    "output-link": ("ลบลิงก์นั้น หรือใช้ -o กับโฟลเดอร์จริง", "remove the link, or give -o a real folder"),
    "output-holds-site": ("ใช้โฟลเดอร์ใหม่ เช่น -o build", "use a new folder such as -o build"),
    "output-in-site-folder": ("ใช้โฟลเดอร์อื่น เช่น -o build", "use another folder such as -o build"),
    "output-not-folder": ("ใช้ -o กับโฟลเดอร์", "give -o a folder"),
    "output-is-repository": ("ใช้โฟลเดอร์อื่น", "use another folder"),
    "output-not-ours": (
        "ใช้โฟลเดอร์ว่างหรือโฟลเดอร์ใหม่ หรือย้ายไฟล์ในนั้นออกเอง",
        "use an empty or new folder, or move those files away first",
    ),
    "output-committed": ("git rm -r --cached", "git rm -r --cached"),
}


def _snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``, links not followed: a file's bytes, a link's target."""
    found: dict[str, bytes | str] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                found[rel] = path.read_bytes()
            else:
                found[rel] = "folder"
    return found


def _dead_pid() -> int:
    """The id of a process that has ended (and been waited for)."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


def _canaries(folder: Path) -> Path:
    """A folder of someone's files fundsite did not make."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_bytes(b"keep me \xe0\xb8\x81\n")
    (folder / ".env").write_text("TOKEN=not-for-fundsite\n", encoding="utf-8")
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "sub" / "photo.jpg").write_bytes(bytes(range(256)))
    return folder


def _published(out: Path) -> bool:
    return (out / MARKER).is_file() and (out / "index.html").is_file()


# ---- refusals ------------------------------------------------------------------------------------


def _link(at: Path, to: Path | str, folder: bool = True) -> None:
    at.parent.mkdir(parents=True, exist_ok=True)
    at.symlink_to(to, target_is_directory=folder)


def _marked(folder: Path) -> Path:
    """A folder an earlier build made: fundsite would replace it, were it not for the link."""
    _canaries(folder)
    (folder / MARKER).write_text("made by fundsite\n", encoding="utf-8")
    return folder


# case → (site argument, -o argument or None for the default, code); "{tmp}" is the test's
# folder. :func:`_prepare` lays each case out and says where the command runs.
REFUSALS: dict[str, tuple[str, str | None, str]] = {
    "dot": (".", ".", "output-holds-site"),
    "site by its path": ("site", "{tmp}/site", "output-holds-site"),
    "site/.. holds it": (".", "{tmp}/site/..", "output-holds-site"),
    "the root folder": ("site", "/", "output-holds-site"),
    "a link to the site": ("site", "l", "output-holds-site"),
    "content": (".", "content", "output-in-site-folder"),
    "content/projects": (".", "content/projects", "output-in-site-folder"),
    "content/new": (".", "content/new", "output-in-site-folder"),
    "data": (".", "data", "output-in-site-folder"),
    "themes/x": (".", "themes/x", "output-in-site-folder"),
    ".git": (".", ".git", "output-in-site-folder"),
    ".git/hooks": (".", ".git/hooks", "output-in-site-folder"),
    "../site/content from elsewhere": ("../site", "../site/content", "output-in-site-folder"),
    "a link to content": ("site", "pub", "output-in-site-folder"),
    "a file": ("site", "report.pdf", "output-not-folder"),
    "a repository": ("site", "repo", "output-is-repository"),
    "a git worktree": ("site", "wt", "output-is-repository"),
    "someone's folder": ("site", "home", "output-not-ours"),
    "only a hidden file": ("site", "h", "output-not-ours"),
    "marker that is a folder": ("site", "m", "output-not-ours"),
    "committed link build -> a marked folder": ("site", None, "output-link"),
    "the same link, the site as ../site": ("../site", None, "output-link"),
    "committed link pub -> outside, -o pub/x": (".", "pub/x", "output-link"),
    "dangling committed link": ("site", None, "output-link"),
    "committed link loop build -> build": ("site", None, "output-link"),
}


def _prepare(case: str, site: Path, tmp: Path) -> Path:
    """Lay out ``case`` beside (or in) the site; the folder the command runs in."""
    elsewhere = tmp / "elsewhere"
    match case:
        case "dot" | "site/.. holds it" | "content" | "content/projects" | "content/new":
            return site
        case "data" | "themes/x":  # (themes/ need not exist)
            return site
        case ".git" | ".git/hooks":
            _canaries(site / ".git" / "hooks")
            return site
        case "../site/content from elsewhere":
            elsewhere.mkdir()
            return elsewhere
        case "a link to the site":
            _link(tmp / "l", site)
        case "a link to content":
            _link(tmp / "pub", site / "content")
        case "a file":
            (tmp / "report.pdf").write_bytes(b"%PDF-1.4 keep")
        case "a repository":
            _canaries(tmp / "repo" / ".git")
            _canaries(tmp / "repo")
        case "a git worktree":
            _canaries(tmp / "wt")
            (tmp / "wt" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n")
        case "someone's folder":
            _canaries(tmp / "home")
        case "only a hidden file":
            (tmp / "h").mkdir()
            (tmp / "h" / ".bashrc").write_text("alias ls='ls -F'\n")
        case "marker that is a folder":
            _canaries(tmp / "m")
            (tmp / "m" / MARKER).mkdir()
        case "committed link build -> a marked folder":
            _link(site / "build", _marked(tmp / "victim"))
        case "the same link, the site as ../site":
            _link(site / "build", _marked(tmp / "victim"))
            elsewhere.mkdir()
            return elsewhere
        case "committed link pub -> outside, -o pub/x":
            _link(site / "pub", _canaries(tmp / "victim"))
            return site
        case "dangling committed link":
            _link(site / "build", tmp / "nowhere" / "x")
        case "committed link loop build -> build":
            _link(site / "build", "build")
    return tmp


@pytest.mark.parametrize("case", list(REFUSALS))
def test_output_folder_is_refused_and_nothing_is_touched(site, tmp_path, monkeypatch, case):
    """``-o`` at the site, its folders, a repo, a file, a foreign folder or a committed link."""
    site_arg, out_arg, code = REFUSALS[case]
    site.write(RECORDS)
    cwd = _prepare(case, site.root, tmp_path)
    monkeypatch.chdir(cwd)
    before = _snapshot(tmp_path)
    args = [site_arg] + ([] if out_arg is None else ["-o", out_arg.replace("{tmp}", str(tmp_path))])
    out = Path(args[-1]) if out_arg is not None else Path(site_arg) / "build"

    problem = output_problem(Path(site_arg), out)
    assert problem is not None and problem.code == code, problem
    for lang, todo in zip(("th", "en"), WHAT_TO_DO[code], strict=True):
        run = site.cli("build", *args, "--no-search", "--lang", lang)
        assert run.code == 1, run
        message = render(Problem("error", code, str(out), params={"value": str(out)}), lang)[0]
        assert f"{out}:1:1: error: {message}" in run.out, run.out
        assert todo in message
        assert "ไม่เผยแพร่" in run.err and "the site was not published" in run.err
        assert "Traceback" not in run.out + run.err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("setup", "out_rel"),
    [
        (lambda t: None, "pub/out"),  # a new folder
        (lambda t: (t / "pub" / "out").mkdir(parents=True), "pub/out"),  # empty
        (lambda t: _marked(t / "pub" / "out"), "pub/out"),  # an earlier build's (stale files)
        (lambda t: _link(t / "pub" / "out", (t / "real").mkdir() or t / "real"), "pub/out"),
        (lambda t: (t / "elsewhere").mkdir(), "../pub/out"),  # relative, from another folder
    ],
    ids=["new", "empty", "marked", "operator's link outside the site", "relative"],
)
def test_output_folder_that_is_fundsites_is_replaced(site, tmp_path, monkeypatch, setup, out_rel):
    """``-o`` new, empty, an earlier build's, or the operator's own link: published there."""
    site.write(RECORDS)
    setup(tmp_path)
    cwd = tmp_path / "elsewhere" if out_rel.startswith("..") else tmp_path
    monkeypatch.chdir(cwd)
    site_before = _snapshot(site.root)
    run = site.cli("build", "{site}", "-o", out_rel, "--no-search")
    assert run.code == 0, run
    out = (cwd / out_rel).resolve()
    assert _published(out)
    assert not (out / "notes.txt").exists()  # the stale files of an earlier build are gone
    if (tmp_path / "pub" / "out").is_symlink():  # the operator's link is kept, its folder filled
        assert out == tmp_path / "real"
    assert _snapshot(site.root) == site_before  # nothing written into the site
    assert not [p for p in out.parent.iterdir() if ".staging-" in p.name]


COMMITTED = {
    "build force-added after a build": (None, "add-after-build"),
    "build/ committed with the marker and a page": (None, "planted"),
    "-o public, committed with the marker": ("public", "planted"),
}


@pytest.mark.parametrize("case", list(COMMITTED))
def test_output_folder_committed_to_git_is_refused(site, tmp_path, case):
    """A pull request commits the output folder (``git add -f build``) to plant pages."""
    out_name, how = COMMITTED[case]
    site.write(RECORDS)
    root = site.root
    folder = root / (out_name or "build")
    _git(root, "init", "-q")
    if how == "add-after-build":
        assert site.cli("build", "{site}", "--no-search").code == 0
    else:
        _marked(folder)
        (folder / "projects").mkdir()
        (folder / "projects" / "evil.html").write_text("<script>steal()</script>")
    _git(root, "add", "-f", ".")
    _git(root, "commit", "-qm", "records and a build folder")
    before = _snapshot(tmp_path)
    args = ["build", "{site}", "--no-search"] + (["-o", str(folder)] if out_name else [])

    assert output_problem(root, folder).code == "output-committed"
    for lang, todo in zip(("th", "en"), WHAT_TO_DO["output-committed"], strict=True):
        run = site.cli(*args, "--lang", lang)
        assert run.code == 1
        assert todo in run.out and ".gitignore" in run.out and str(folder) in run.out
        assert "Traceback" not in run.out + run.err
    assert _snapshot(tmp_path) == before


# ---- what a commit places where the build writes -------------------------------------------------


@pytest.mark.parametrize("incremental", [False, True], ids=["first build", "incremental"])
@pytest.mark.parametrize("kind", ["folder", "file", "dangling"])
def test_committed_link_named_like_the_staging_folder_is_not_followed(tmp_path, kind, incremental):
    """A committed ``.build.staging-<pid> -> /home/user``: never written through."""
    root = make_site(tmp_path / "site", RECORDS)
    out = root / "build"
    if incremental:
        assert build(root, out, workers=1, index=False).ok
    victim = _canaries(tmp_path / "victim")
    target = {"folder": victim, "file": victim / "notes.txt", "dangling": tmp_path / "gone"}[kind]
    _link(root / f".build.staging-{os.getpid()}", target, folder=kind == "folder")
    before = _snapshot(victim)

    done = build(root, out, workers=1, index=False)

    assert done.ok and (done.rendered < done.pages) == incremental
    assert _snapshot(victim) == before
    assert not out.is_symlink() and _published(out)
    assert not [p for p in root.iterdir() if ".staging-" in p.name]


def test_leftover_removal_never_follows_links(tmp_path):
    """A committed link ``.build.old-<dead pid>-x -> /home/user`` is not a leftover to delete."""
    out = tmp_path / "build"
    victim = _canaries(tmp_path / "victim")
    dead = _dead_pid()
    for name in (f".build.old-{dead}-x", f".build.staging-{dead}"):
        _link(tmp_path / name, victim)
    before = _snapshot(tmp_path)
    assert remove_leftovers(out) == []
    assert _snapshot(tmp_path) == before


# ---- leftovers of killed builds ------------------------------------------------------------------


LEFTOVERS = [
    # (name beside the output "out", whose process: dead / live / ours, removed?)
    (".out.staging-{pid}", "dead", True),
    (".out.old-{pid}-abc12345", "dead", True),
    (".out.staging-{pid}.index-xyz", "dead", True),
    (".out.staging-{pid}-77", "dead", True),  # a forked stage: named after its owner first
    (".out.staging-{pid}", "live", False),
    (".out.old-{pid}-abc12345", "live", False),
    (".out.staging-{pid}.index-xyz", "live", False),
    (".out.staging-{pid}", "ours", True),  # an earlier build of this process, which has ended
    (".out.staging-x{pid}", "dead", False),  # not fundsite's names
    (".out.stagingx-{pid}", "dead", False),
    (".other.staging-{pid}", "dead", False),
    ("out.staging-{pid}", "dead", False),
    (".out.backup-{pid}", "dead", False),
]


@pytest.mark.parametrize(("template", "whose", "removed"), LEFTOVERS)
def test_next_build_removes_only_dead_builds_leftovers(site, tmp_path, template, whose, removed):
    """Leftovers beside the output: a dead build's go, a running build's and others' stay."""
    site.write(RECORDS)
    pid = {"dead": _dead_pid(), "live": os.getppid(), "ours": os.getpid()}[whose]
    leftover = _canaries(tmp_path / "pub" / template.format(pid=pid))
    run = site.cli("build", "{site}", "-o", str(tmp_path / "pub" / "out"), "--no-search")
    assert run.code == 0
    assert _published(tmp_path / "pub" / "out")
    assert leftover.exists() != removed


def test_killed_build_is_cleaned_by_the_next(site, tmp_path):
    """A build killed (SIGKILL) halfway: the site stays, the next build removes the rest."""
    site.write(RECORDS)
    out = tmp_path / "pub" / "out"
    assert site.cli("build", "{site}", "-o", str(out), "--no-search").code == 0
    before = _snapshot(out)
    script = (
        "import os, signal, tempfile\n"
        "from pathlib import Path\n"
        "from fundsite.write.atomic import begin_stage, write_text\n"
        f"stage = begin_stage(Path({str(out)!r}), reuse=True)\n"
        "write_text(stage, 'index.html', 'half a site')\n"
        "tempfile.mkdtemp(prefix=stage.name + '.index-', dir=stage.parent)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    left = sorted(p.name for p in out.parent.iterdir() if p.name != "out")
    assert len(left) == 2 and all(n.startswith(".out.staging-") for n in left), left
    assert _snapshot(out) == before  # readers never saw half a site

    assert site.cli("build", "{site}", "-o", str(out), "--no-search").code == 0
    assert not [p for p in out.parent.iterdir() if ".staging-" in p.name]
    assert "half a site" not in (out / "index.html").read_text(encoding="utf-8")


def test_stage_of_a_forked_build_survives_a_build_starting_meanwhile(tmp_path):
    """A forked build's stage (its child ended) is not a leftover to a build starting then."""
    out = tmp_path / "out"
    stage = forked_call(lambda say: begin_stage(out))
    write_text(stage, "index.html", "complete")
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path; from fundsite.write.atomic import remove_leftovers;"
            f"print(len(remove_leftovers(Path({str(out)!r}))))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert other.stdout.strip() == "0" and stage.is_dir()
    commit_stage(out, stage)
    assert (out / "index.html").read_text(encoding="utf-8") == "complete"


def test_build_with_search_while_another_starts(tmp_path, monkeypatch):
    """Another build starts while Pagefind indexes: the whole site is still published."""
    import fundsite.index as index

    root = make_site(tmp_path / "site", RECORDS)
    out = tmp_path / "pub" / "out"
    run_pagefind = index._run_pagefind
    removed: list[str] = []

    def another_build_starts(site: Path, dest: Path, threads: int | None = None) -> None:
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "from pathlib import Path; from fundsite.write.atomic import remove_leftovers;"
                f"print([p.name for p in remove_leftovers(Path({str(out)!r}))])",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        removed.append(other.stdout.strip())
        run_pagefind(site, dest, threads)

    monkeypatch.setattr(index, "_run_pagefind", another_build_starts)
    done = build(root, out, workers=1, index=True)
    assert done.ok and removed == ["[]"]
    assert _published(out) and (out / "projects").is_dir() and (out / "pagefind").is_dir()


# ---- publishing: never a moment without a site ---------------------------------------------------


def _exchange_works(tmp_path: Path) -> bool:
    a, b = tmp_path / "probe-a", tmp_path / "probe-b"
    a.mkdir()
    b.mkdir()
    try:
        return atomic._exchange(a, b)
    finally:
        a.rmdir()
        b.rmdir()


def test_readers_never_see_the_site_missing(tmp_path):
    """A reader polling through 30 swaps never finds ``out`` or its ``index.html`` missing."""
    if not _exchange_works(tmp_path):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here")
    out = tmp_path / "out"
    first = begin_stage(out)
    write_text(first, "index.html", "0")
    commit_stage(out, first)
    missing: list[str] = []
    looks = 0
    done = threading.Event()

    def reader() -> None:
        nonlocal looks
        while not done.is_set():
            if not out.exists():
                missing.append("out")
            elif not (out / "index.html").exists():
                missing.append("index.html")
            looks += 1

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(1, 31):
            stage = begin_stage(out)
            write_text(stage, "index.html", str(i))
            commit_stage(out, stage)
    finally:
        done.set()
        thread.join()
    assert missing == [] and looks > 30
    assert (out / "index.html").read_text(encoding="utf-8") == "30"


def _previous_site(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes | str]]:
    out = tmp_path / "out"
    first = begin_stage(out)
    write_text(first, "index.html", "previous")
    commit_stage(out, first)
    stage = begin_stage(out)
    write_text(stage, "index.html", "next")
    return out, stage, _snapshot(out)


@pytest.mark.parametrize("error", [errno.EACCES, errno.EROFS, errno.ENOSPC, errno.EIO])
def test_failed_swap_keeps_the_previous_site(tmp_path, monkeypatch, error):
    """The swap fails (read-only, full disk): the previous site stays, the stage goes."""
    out, stage, before = _previous_site(tmp_path)

    def fails(a: Path, b: Path) -> bool:
        raise OSError(error, os.strerror(error), str(b))

    monkeypatch.setattr(atomic, "_exchange", fails)
    with pytest.raises(OSError) as raised:
        commit_stage(out, stage)
    assert raised.value.errno == error
    assert _snapshot(out) == before and not stage.exists()


def test_failed_second_rename_puts_the_previous_site_back(tmp_path, monkeypatch):
    """Two renames (no swap) and the second fails: the previous site is put back."""
    out, stage, before = _previous_site(tmp_path)
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    replace = os.replace

    def second_fails(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
        if Path(src) == stage:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(src))
        replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", second_fails)
    with pytest.raises(OSError):
        commit_stage(out, stage)
    assert _snapshot(out) == before and not stage.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda stage, victim: (stage / MARKER).unlink(),  # emptied meanwhile
        lambda stage, victim: atomic._clear(stage) or stage.mkdir(),
        lambda stage, victim: atomic._clear(stage) or stage.symlink_to(victim),
        lambda stage, victim: (
            (stage / MARKER).unlink() or (stage / MARKER).symlink_to(victim / MARKER)
        ),
    ],
    ids=["marker gone", "emptied", "replaced by a link", "marker a link"],
)
def test_incomplete_stage_is_not_published(tmp_path, damage):
    """A staging folder emptied or replaced by a link after it was made is never swapped in."""
    out, stage, before = _previous_site(tmp_path)
    victim = _marked(tmp_path / "victim")
    victim_before = _snapshot(victim)
    damage(stage, victim)
    with pytest.raises(FileNotFoundError):
        commit_stage(out, stage)
    assert _snapshot(out) == before and not stage.is_symlink() and not stage.exists()
    assert _snapshot(victim) == victim_before


# ---- paths inside the output ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel", ["../canary", "/tmp/canary", "a/../../canary", "..", "", "a\\..\\..\\canary", "a\0b"]
)
@pytest.mark.parametrize("operation", [fresh, remove, inside], ids=["fresh", "remove", "inside"])
def test_paths_leaving_the_output_are_refused(tmp_path, rel, operation):
    """``remove``/``fresh`` of ``../x``, ``/abs``, ``a/../../b``: ValueError, nothing touched."""
    root = tmp_path / "out" / "stage"
    root.mkdir(parents=True)
    canary = tmp_path / "out" / "canary"
    canary.write_text("keep", encoding="utf-8")
    before = _snapshot(tmp_path)
    with pytest.raises(ValueError, match="leaves the output folder"):
        operation(root, rel)
    assert _snapshot(tmp_path) == before


# ---- incremental builds: only what changed is staged, then merged --------------------------------


def _edit_a_project(site: Path) -> None:
    project = next((site / "content/projects").glob("*.md"))
    project.write_text(project.read_text(encoding="utf-8") + "\nแก้ไข\n", encoding="utf-8")


def test_an_edit_stages_only_its_own_files_and_equals_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit's staging folder holds the pages it rendered (and the files that are not pages),
    not a copy of the site; merged into the output it gives the clean build's very files, and
    nothing is left beside it."""
    import fundsite.build
    from fundsite.write import manifest

    site = make_site(tmp_path / "site", RECORDS)
    out = tmp_path / "out"
    assert build(site, out, workers=1, index=True).ok
    before = manifest.load(site, out)
    staged: set[str] = set()
    commit = fundsite.build.commit_stage

    def looked_at(o: Path, stage: Path) -> None:
        staged.update(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
        commit(o, stage)

    monkeypatch.setattr(fundsite.build, "commit_stage", looked_at)
    _edit_a_project(site)
    done = build(site, out, workers=1, index=True)
    assert done.ok and 0 < done.rendered < done.pages
    last = manifest.load(site, out)
    assert before is not None and last is not None
    rendered = [page for page, mark in last.pages.items() if before.pages.get(page) != mark]
    assert len(rendered) == done.rendered
    page_files = {rel for files in last.files.values() for rel in files}
    assert staged & page_files == {rel for page in rendered for rel in last.files[page]}
    assert page_files - staged  # the pages not rendered again were not staged
    clean = tmp_path / "clean"
    assert build(site, clean, workers=1, index=True, incremental=False).ok
    # Pagefind names its files by hashes that differ from run to run: the part indexed again
    # holds just what this build's Pagefind wrote, the rest is the clean build's very bytes
    search = {rel for rel in _snapshot(out) if rel.startswith("pagefind/all/")}
    assert search and {rel for rel in search if (out / rel).is_file()} <= staged
    merged, whole = _snapshot(out), _snapshot(clean)
    assert {k: v for k, v in merged.items() if k not in search} == {
        k: v for k, v in whole.items() if not k.startswith("pagefind/all/")
    }
    assert len(search) == len([k for k in whole if k.startswith("pagefind/all/")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean", "out", "site"]


def test_a_merge_replaces_files_deletes_what_was_removed_and_changes_kinds(tmp_path):
    """Written files replace the live ones; removed ones go, with the folders they leave
    empty, unless written again; a page may become a folder and a folder a page."""
    out = tmp_path / "out"
    first = begin_stage(out)
    for rel in ["keep.html", "edit.html", "gone/a.html", "gone/b/c.html", "part/x", "part/y",
                "page", "folder/inner.html"]:  # fmt: skip
        write_text(first, rel, "old " + rel)
    commit_stage(out, first)
    stage = begin_stage(out, reuse=True)
    assert sorted(p.name for p in stage.iterdir()) == sorted([MARKER, atomic.REMOVED])
    write_text(stage, "edit.html", "new")
    remove(stage, "gone")
    remove(stage, "part")
    write_text(stage, "part/y", "new y")  # removed, then written again
    remove(stage, "page")
    write_text(stage, "page/index.html", "a folder now")
    remove(stage, "folder")
    write_text(stage, "folder", "a file now")
    write_text(stage, "new/deep/file.html", "new")
    commit_stage(out, stage)
    assert _snapshot(out) == {
        MARKER: (out / MARKER).read_bytes(),
        "keep.html": b"old keep.html",
        "edit.html": b"new",
        "part": "folder",
        "part/y": b"new y",
        "page": "folder",
        "page/index.html": b"a folder now",
        "folder": b"a file now",
        "new": "folder",
        "new/deep": "folder",
        "new/deep/file.html": b"new",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_readers_never_see_a_page_missing_during_merges(tmp_path):
    """A reader polling through 30 incremental builds never finds a rewritten page missing."""
    out = tmp_path / "out"
    first = begin_stage(out)
    for i in range(200):
        write_text(first, f"p/{i}.html", "0")
    commit_stage(out, first)
    missing: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            for i in (0, 99, 199):
                if not (out / f"p/{i}.html").is_file():
                    missing.append(str(i))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(1, 31):
            stage = begin_stage(out, reuse=True)
            for i in range(200):
                remove(stage, f"p/{i}.html")  # as a build does with a page it renders again
                write_text(stage, f"p/{i}.html", str(n))
            commit_stage(out, stage)
    finally:
        done.set()
        thread.join()
    assert missing == []
    assert {(out / f"p/{i}.html").read_text(encoding="utf-8") for i in range(200)} == {"30"}


def test_a_merge_into_an_output_replaced_by_a_link_writes_nothing_through_it(tmp_path):
    """The output became a link (to /home/user) while the edit was staged: nothing is merged
    through it, and the staging folder goes."""
    out = tmp_path / "out"
    first = begin_stage(out)
    write_text(first, "index.html", "old")
    commit_stage(out, first)
    stage = begin_stage(out, reuse=True)
    write_text(stage, "index.html", "new")
    remove(stage, "notes.txt")
    victim = _marked(_canaries(tmp_path / "victim"))
    before = _snapshot(victim)
    os.rename(out, tmp_path / "moved")
    _link(out, victim)
    with pytest.raises(FileNotFoundError):
        commit_stage(out, stage)
    assert _snapshot(victim) == before and not stage.exists()


def test_a_merge_failing_part_way_makes_the_next_build_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills while an edit is merged: the build fails, the staging folder goes, and
    the next build (its manifest forgotten) is a clean one equal to a clean build."""
    site = make_site(tmp_path / "site", RECORDS)
    out = tmp_path / "out"
    assert build(site, out, workers=1, index=False).ok
    _edit_a_project(site)
    replace, moves = os.replace, []

    def fills(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
        moves.append(src) if ".staging-" in str(src) else None
        if len(moves) == 2 and ".staging-" in str(src):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", fills)
    with pytest.raises(OSError):
        build(site, out, workers=1, index=False)
    monkeypatch.setattr(atomic.os, "replace", replace)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]
    again = build(site, out, workers=1, index=False)
    assert again.ok and again.rendered == again.pages
    clean = tmp_path / "clean"
    assert build(site, clean, workers=1, index=False, incremental=False).ok
    assert _snapshot(out) == _snapshot(clean)


def test_a_build_refused_after_staging_leaves_nothing_beside_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template fails on an edited record after the staging folder was begun: the previous
    site stays as it was, and nothing is left beside it."""
    import jinja2

    import fundsite.build

    site = make_site(tmp_path / "site", RECORDS)
    out = tmp_path / "out"
    assert build(site, out, workers=1, index=False).ok
    before = _snapshot(out)

    def render_fails(*args: object) -> None:
        raise jinja2.TemplateError("a template fails on this record")

    monkeypatch.setattr(fundsite.build, "render_all", render_fails)
    _edit_a_project(site)
    assert not build(site, out, workers=1, index=False).ok
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_builds_into_one_folder_run_one_at_a_time(tmp_path: Path) -> None:
    """A build starting while another builds into the same folder waits for it, saying so:
    two merges at once would leave a folder that neither manifest describes."""
    from fundsite.write import manifest

    site = make_site(tmp_path / "site", RECORDS)
    out = tmp_path / "out"
    assert build(site, out, workers=1, index=False).ok
    _edit_a_project(site)
    said: list[str] = []
    results: list[object] = []

    def second() -> None:
        results.append(build(site, out, workers=1, index=False, progress=said.append))

    thread = threading.Thread(target=second)
    with manifest.locked(site, out, lambda _m: None):
        thread.start()
        thread.join(timeout=2)
        assert thread.is_alive() and not results
        assert said == [f"another build into {out} is running: waiting for it to end"]
    thread.join(timeout=120)
    assert len(results) == 1 and getattr(results[0], "ok", False)


def test_removing_a_file_that_is_not_there_leaves_its_folder(tmp_path: Path) -> None:
    """An edit's open data is written beside the pages by another process: the page files the
    build removes from its (empty) staging folder are not there, and removing them must not
    take away a folder that process has just made and is about to fill."""
    root = tmp_path / "stage"
    (root / "data").mkdir(parents=True)
    remove(root, "data/index.html")
    assert (root / "data").is_dir()
    (root / "data/index.html").write_text("x", encoding="utf-8")
    remove(root, "data/index.html")  # the folder it emptied goes with it
    assert not (root / "data").exists()
