"""Hostile pull requests, family 4: code comes only from fundsite and the portal's own theme.

``theme`` is a name, never a path (templates are code: Jinja is not sandboxed). Nothing a commit
can place is loaded as code or trusted as state: there is no Jinja bytecode cache, and the build
manifest and the git-history cache live in a per-user folder outside the site, where a damaged,
foreign or hostile file is ignored, never a crash.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import RECORDS, en, make_site, only, th
from fundsite import cache
from fundsite.build import build
from fundsite.history import load_history
from fundsite.render.engine import CompiledInMemory, make_env, theme_dir
from fundsite.validate import check_site
from fundsite.write import manifest


def _site(tmp_path: Path, site_yaml: str | None = None) -> Path:
    files = dict(RECORDS)
    if site_yaml is not None:
        files["data/site.yaml"] = site_yaml
    return make_site(tmp_path / "site", files)


@pytest.mark.parametrize(
    "theme",
    [
        "/tmp/evil",
        "../content/media/x",
        "default/../../x",
        "./default",
        "Default",
        "themes/default",
        "default\nx",
        "",
    ],
)
def test_theme_must_be_a_name(tmp_path, theme):
    """``theme: /absolute/path`` or ``../content/media/x`` would load templates from anywhere."""
    site_yaml = f"title: t\nbase_url: https://example.org/\ntheme: {json.dumps(theme)}\n"
    root = _site(tmp_path, site_yaml)
    problems = check_site(root, workers=1).problems
    p = only(problems, "theme-name")
    assert (p.file, p.line, p.field) == ("data/site.yaml", 3, "theme")
    assert "not a path" in en(p) and "themes/<name>/" in en(p)
    assert "ไม่ใช่ที่อยู่ไฟล์" in th(p)
    assert not build(root, tmp_path / "out", workers=1, index=False).ok


def test_theme_dir_refuses_paths_even_if_asked(tmp_path):
    """Defence in depth: the resolver itself takes names only."""
    root = _site(tmp_path)
    (tmp_path / "evil/templates").mkdir(parents=True)
    for name in ("../evil", str(tmp_path / "evil"), "x/../../evil"):
        with pytest.raises(FileNotFoundError):
            theme_dir(root, name)
    assert theme_dir(root, "default").name == "default"


def test_a_sites_own_theme_is_used_by_name(tmp_path):
    """``theme: mine`` resolves to the site's own ``themes/mine/``."""
    root = _site(tmp_path, "title: t\nbase_url: https://example.org/\ntheme: mine\n")
    shipped = theme_dir(root, "default")
    (root / "themes").mkdir()
    import shutil

    shutil.copytree(shipped, root / "themes/mine")
    base = root / "themes/mine/templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("<body", "<body data-mine"), "utf-8")
    out = tmp_path / "out"
    assert build(root, out, workers=1, index=False).ok
    assert "data-mine" in (out / "index.html").read_text(encoding="utf-8")


def test_planted_bytecode_cache_is_never_loaded(tmp_path):
    """A committed ``.fundsite-cache/jinja/*.cache`` (``git add -f``) is not unmarshalled."""
    root = _site(tmp_path)
    planted = root / ".fundsite-cache" / "jinja"
    planted.mkdir(parents=True)
    marker = tmp_path / "pwned"
    # what a planted cache would run if it were loaded: a marshalled code object
    code = compile(f"open({str(marker)!r}, 'w').close()", "x", "exec")
    import marshal

    for name in ("__jinja2_0.cache", "anything.cache"):
        (planted / name).write_bytes(b"j2" + marshal.dumps(code))
    out = tmp_path / "out"
    assert build(root, out, workers=1, index=False).ok
    assert not marker.exists()
    env = make_env(theme_dir(root, "default"), check_site(root, workers=1).graph, "/")
    # the only cache of compiled templates is this process's memory, filled by compiling
    assert type(env.bytecode_cache) is CompiledInMemory


def test_templates_compiled_in_memory_follow_their_source_and_language(tmp_path):
    """A template edited, or the same template for a site in another language, compiles again."""
    root = _site(tmp_path)
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    page = theme / "templates" / "t.html"
    graph = check_site(root, workers=1).graph
    page.write_text("{{ L('not_stated') }} one", encoding="utf-8")
    assert make_env(theme, graph, "/").get_template("t.html").render() == "ไม่ระบุ one"
    page.write_text("{{ L('not_stated') }} two", encoding="utf-8")
    assert make_env(theme, graph, "/").get_template("t.html").render() == "ไม่ระบุ two"
    graph.site = graph.site.model_copy(update={"language": "en"})
    assert make_env(theme, graph, "/").get_template("t.html").render() == "not stated two"


def test_caches_live_outside_the_site(tmp_path):
    """Manifest and history go to the per-user cache folder, never under the site."""
    root = _site(tmp_path)
    out = tmp_path / "out"
    assert build(root, out, workers=1, index=False).ok
    where = manifest.manifest_path(root, out)
    assert where.is_file() and root not in where.parents
    assert not (root / ".fundsite-cache").exists()
    assert cache.site_cache(root) == where.parent


def test_cache_folder_inside_the_site_is_refused(site, monkeypatch):
    """FUNDSITE_CACHE_DIR pointing into the site would let a commit place the cache."""
    site.write(RECORDS)
    monkeypatch.setenv(cache.ENV, str(site.root / ".fundsite-cache"))
    run = site.cli("build", "{site}", "--no-search", "--lang", "en")
    assert run.code == 2
    assert "inside the site" in run.err and "FUNDSITE_CACHE_DIR" in run.err
    assert "Traceback" not in run.err + run.out
    run = site.cli("build", "{site}", "--no-search")
    assert "อยู่ในโฟลเดอร์เว็บไซต์" in run.err


GARBAGE_MANIFESTS = [
    b"not json",
    b"[]",
    b'{"version": 1}',
    json.dumps({"version": 99, "global_digest": "", "pages": {}, "files": {}, "parts": {},
                "indexed": False, "open_data": True}).encode(),
    b"[" * 100_000,  # deep nesting: RecursionError in the JSON parser
]  # fmt: skip


@pytest.mark.parametrize("data", GARBAGE_MANIFESTS)
def test_damaged_manifest_is_ignored(tmp_path, data):
    """A damaged or foreign build manifest: a clean build, never a crash."""
    root = _site(tmp_path)
    out = tmp_path / "out"
    assert build(root, out, workers=1, index=False).ok
    manifest.manifest_path(root, out).write_bytes(data)
    again = build(root, out, workers=1, index=False)
    assert again.ok and again.rendered == again.pages


@pytest.mark.parametrize(
    "rel",
    ["../canary", "/tmp/x/../../canary", "a/../../canary", "", "/", "/../canary", "./", "..", "."],
)
def test_manifest_naming_files_outside_is_ignored(tmp_path, rel):
    """A manifest whose pages name files outside the output would make the build delete them
    (a page's files are named beside its folder, or from the top after a ``/``)."""
    canary = tmp_path / "canary"
    canary.write_text("keep", encoding="utf-8")
    root, out, data = _built_manifest(tmp_path)
    page = next(iter(data["pages"]))
    # changed, so that the page is rendered again and its files removed
    data["files"].append([rel])
    data["pages"][page] = ["changed", None, len(data["files"]) - 1, None]
    assert _read_back(root, out, data) is None
    assert build(root, out, workers=1, index=False).ok
    assert canary.read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("which", ["past the end", -1, True, "0", 0.0, None])
def test_manifest_pointing_at_no_list_of_files_is_ignored(tmp_path, which):
    """A page names its files by their place in the manifest's lists of file names."""
    root, out, data = _built_manifest(tmp_path)
    page = next(iter(data["pages"]))
    data["pages"][page][2] = len(data["files"]) if which == "past the end" else which
    assert _read_back(root, out, data) is None
    data["pages"][page][2] = 0
    data["files"][0] = "index.html"  # a list that is not a list
    assert _read_back(root, out, data) is None


@pytest.mark.parametrize("page", ["../index.html", "a/../../index.html", "./index.html"])
def test_manifest_naming_a_page_outside_is_ignored(tmp_path, page):
    """A page's files are named beside its folder: a page whose folder leaves the output."""
    root, out, data = _built_manifest(tmp_path)
    data["files"] += [["index.html"], []]
    data["pages"][page] = ["changed", None, len(data["files"]) - 2, None]
    assert _read_back(root, out, data) is None
    data["pages"][page] = ["changed", None, len(data["files"]) - 1, None]  # names no file
    assert _read_back(root, out, data) is not None


def _built_manifest(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A site built into ``out``, and its manifest as stored."""
    root, out = _site(tmp_path), tmp_path / "out"
    assert build(root, out, workers=1, index=False).ok
    return root, out, json.loads(manifest.manifest_path(root, out).read_text(encoding="utf-8"))


def _read_back(root: Path, out: Path, data: dict) -> manifest.Manifest | None:
    """The manifest as the next build reads it, once ``data`` is stored in its place."""
    manifest.manifest_path(root, out).write_text(json.dumps(data), encoding="utf-8")
    return manifest.load(root, out)


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = _site(tmp_path)
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "first records")
    return root


def test_committed_history_cache_is_not_read(repo, tmp_path):
    """A ``.fundsite-cache/history.json`` placed in the site says nothing about history."""
    planted = repo / ".fundsite-cache" / "history.json"
    planted.parent.mkdir()
    fake = {"version": 1, "head": "0" * 40, "keep": 20, "commits": [[1, "a" * 40, "FAKE"]],
            "files": {"content/funds/L5218.md": [1, 0]}}  # fmt: skip
    planted.write_text(json.dumps(fake), encoding="utf-8")
    history = load_history(repo)
    assert history and all(c.subject != "FAKE" for h in history.values() for c in h.commits)


@pytest.mark.parametrize(
    "head",
    ["--output=/tmp/fundsite-pwned", "-h", "HEAD; touch x", "a" * 41 + "\n", 12345, None],
)
def test_hostile_history_cache_never_reaches_git(repo, tmp_path, head):
    """A history cache whose ``head`` is a git option: ignored, and no option reaches git."""
    history = load_history(repo)
    path = cache.site_cache(repo) / "history.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["head"] = head
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_history(repo) == history
    assert not Path("/tmp/fundsite-pwned").exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(commits=[[1, "not-a-hash", "x"]]),
        lambda d: d.update(commits=[["1", "a" * 40, "x"]]),
        lambda d: d["files"].update({"content/x.md": [5, 99]}),
        lambda d: d["files"].update({"content/x.md": [1, -1]}),
        lambda d: d["files"].update({"content/x.md": "x"}),
        lambda d: d.update(files=[]),
    ],
)
def test_damaged_history_cache_is_ignored(repo, damage):
    """Wrong types, out-of-range commit numbers: the cache is rebuilt from git."""
    history = load_history(repo)
    path = cache.site_cache(repo) / "history.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    damage(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_history(repo) == history
