"""The CI templates (``.github/workflows``): what they run, what a pull request gets, and the
caches that make a national portal's check and publish incremental.

The cache keys are evaluated here as GitHub evaluates them (a small evaluator of the ``${{ }}``
expressions the templates use, and ``hashFiles`` computed as the runner computes it), so the
tests show what a key is on a given commit, Python and install spec, and which runs save one.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from fundsite.cache import CacheInsideSite, site_cache
from fundsite.write.atomic import MARKER
from fundsite.write.manifest import manifest_path
from fundsite.write.out_folder import output_problem

REPO = Path(__file__).resolve().parents[1]
FLOWS = ["check.yml", "pages.yml"]

#: The checkout and the temporary folder, laid out as on a GitHub-hosted runner.
WORKSPACE = "/runner/work/portal/portal"
RUNNER_TEMP = "/runner/work/_temp"
SHA_A = "3" * 40
SHA_B = "c" * 40


def _workflow(name: str) -> dict:
    data = yaml.safe_load((REPO / ".github/workflows" / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _steps(job: dict) -> dict[str, dict]:
    return {s.get("uses", s.get("run", "")).split("@")[0]: s for s in job["steps"]}


def _build_job(name: str) -> dict:
    jobs = _workflow(name)["jobs"]
    return jobs["check"] if name == "check.yml" else jobs["build"]


def _run_step(job: dict, command: str) -> dict:
    (step,) = [s for s in job["steps"] if s.get("run", "").startswith(command)]
    return step


# ---- GitHub's expressions, as far as the templates use them ---------------------------------


def hash_files(root: Path, *patterns: str) -> str:
    """GitHub's ``hashFiles()``: the SHA-256 of the SHA-256 digests of the matched files, one
    after another, or '' when nothing matches (actions/runner,
    ``src/Misc/expressionFunc/hashFiles/src/hashFiles.ts``). The runner lists files in its
    globber's order, this in sorted order: the value may differ from GitHub's for several files,
    but it changes exactly when theirs does, which is what the tests compare."""
    # a trailing ** matches every file below (pathlib's ** alone matches folders only)
    globs = [f"{pattern}/*" if pattern.endswith("**") else pattern for pattern in patterns]
    files = sorted({p for pattern in globs for p in root.glob(pattern) if p.is_file()})
    if not files:
        return ""
    total = hashlib.sha256()
    for path in files:
        total.update(hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


_TOKEN = re.compile(
    r"\s*(?:(?P<op>\|\||&&|==|!=|!|\(|\)|,)"
    r"|(?P<str>'(?:[^']|'')*')"
    r"|(?P<name>[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*))"
)


class Context:
    """The contexts and functions one run sees."""

    def __init__(
        self,
        *,
        sha: str = SHA_A,
        event: str = "push",
        ref: str = "refs/heads/main",
        python: str = "3.11.14",
        root: Path = REPO,
        temp: str = RUNNER_TEMP,
        workspace: str = WORKSPACE,
        ok: bool = True,
        hit: str = "false",
    ) -> None:
        self.root, self.ok = root, ok
        self.values: dict[str, Any] = {
            "runner.os": "Linux",
            "runner.temp": temp,
            "github.sha": sha,
            "github.event_name": event,
            "github.ref": ref,
            "github.workspace": workspace,
            "steps.python.outputs.python-version": python,
            "steps.cache.outputs.cache-hit": hit,
        }

    def call(self, name: str, args: list[Any]) -> Any:
        if name == "hashFiles":
            return hash_files(self.root, *args)
        if name == "success":
            return self.ok
        if name == "failure":
            return not self.ok
        if name == "always":
            return True
        raise AssertionError(f"function not modelled: {name}")

    def get(self, name: str) -> Any:
        if name not in self.values:
            raise AssertionError(f"context not modelled: {name}")
        return self.values[name]


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", 0)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()  # GitHub compares strings ignoring case
    return a == b


def evaluate(text: str, ctx: Context) -> Any:
    """One expression (what stands between ``${{`` and ``}}``, or an ``if:``)."""
    tokens: list[tuple[str, str]] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m and m.end() > pos, f"cannot read {text[pos:]!r}"
        kind = m.lastgroup
        assert kind is not None
        tokens.append((kind, m[kind]))
        pos = m.end()
    at = 0

    def peek() -> str | None:
        return tokens[at][1] if at < len(tokens) and tokens[at][0] == "op" else None

    def take() -> tuple[str, str]:
        nonlocal at
        at += 1
        return tokens[at - 1]

    def either() -> Any:
        value = both()
        while peek() == "||":
            take()
            other = both()
            value = value if _truthy(value) else other
        return value

    def both() -> Any:
        value = compare()
        while peek() == "&&":
            take()
            other = compare()
            value = other if _truthy(value) else value
        return value

    def compare() -> Any:
        value = unary()
        if peek() in ("==", "!="):
            op = take()[1]
            same = _equal(value, unary())
            return same if op == "==" else not same
        return value

    def unary() -> Any:
        if peek() == "!":
            take()
            return not _truthy(unary())
        return primary()

    def primary() -> Any:
        kind, value = take()
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if value == "(":
            inner = either()
            assert take()[1] == ")"
            return inner
        assert kind == "name", f"unexpected {value!r}"
        if peek() == "(":
            take()
            args = []
            while peek() != ")":
                args.append(either())
                if peek() == ",":
                    take()
            take()
            return ctx.call(value, args)
        if value in ("true", "false"):
            return value == "true"
        return ctx.get(value)

    result = either()
    assert at == len(tokens), f"left over in {text!r}"
    return result


def render(template: str, ctx: Context) -> str:
    """A string with ``${{ }}`` in it, as the runner hands it to an action or a shell."""

    def one(m: re.Match[str]) -> str:
        value = evaluate(m[1], ctx)
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    return re.sub(r"\$\{\{(.*?)\}\}", one, template)


def condition(step: dict, ctx: Context) -> bool:
    """Whether a step runs: its ``if:`` (``success()`` when it has none)."""
    text = str(step.get("if", "success()")).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    if not re.search(r"\b(success|failure|always|cancelled)\(", text):
        text = f"success() && ({text})"
    return _truthy(evaluate(text, ctx))


# ---- what each step is ------------------------------------------------------------------------


class Cache:
    """The cache steps of a workflow's build job, evaluated in one context."""

    def __init__(self, name: str, ctx: Context) -> None:
        job = _build_job(name)
        steps = _steps(job)
        self.restore_step = steps["actions/cache/restore"]
        self.save_step = steps["actions/cache/save"]
        restore = self.restore_step["with"]
        self.key = render(restore["key"], ctx)
        self.restore_keys = render(restore["restore-keys"], ctx).splitlines()
        self.paths = render(restore["path"], ctx).splitlines()
        ctx.values["steps.cache.outputs.cache-primary-key"] = self.key  # what the action sets
        self.saved_key = render(self.save_step["with"]["key"], ctx)
        self.saved_paths = render(self.save_step["with"]["path"], ctx).splitlines()
        check = _run_step(job, "fundsite check")
        build = _run_step(job, "fundsite build")
        self.check_env = {k: render(v, ctx) for k, v in check.get("env", {}).items()}
        self.build_env = {k: render(v, ctx) for k, v in build.get("env", {}).items()}
        args = shlex.split(render(build["run"], ctx))
        self.out = args[args.index("-o") + 1]
        upload = steps.get("actions/upload-artifact") or steps["actions/upload-pages-artifact"]
        self.uploaded = render(upload["with"]["path"], ctx)


# ---- the templates ----------------------------------------------------------------------------


def test_pull_request_workflow():
    flow = _workflow("check.yml")
    assert "pull_request" in flow["on"]
    assert flow["on"]["push"]["branches"] == ["main"]
    (job,) = flow["jobs"].values()
    steps = _steps(job)
    assert steps["actions/checkout"]["with"]["fetch-depth"] == 0
    assert str(steps["actions/setup-python"]["with"]["python-version"]) == "3.11"
    assert "pip install ." in steps
    assert "fundsite check --format github --lang th" in steps
    assert 'fundsite build . -o "${{ runner.temp }}/site"' in steps
    assert steps["actions/upload-artifact"]["with"]["path"] == "${{ runner.temp }}/site/"
    runs = [s.get("run") for s in job["steps"]]
    assert runs.index("fundsite check --format github --lang th") < runs.index(
        'fundsite build . -o "${{ runner.temp }}/site"'
    )
    for step in job["steps"]:  # only GitHub's own actions
        assert step.get("uses", "actions/").startswith("actions/")


def test_pages_workflow():
    flow = _workflow("pages.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    assert "pull_request" not in flow["on"]
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    steps = _steps(build)
    assert steps["actions/checkout"]["with"]["fetch-depth"] == 0
    assert "fundsite check --format github --lang th" in steps
    assert 'fundsite build . -o "${{ runner.temp }}/site"' in steps
    assert steps["actions/upload-pages-artifact"]["with"]["path"] == "${{ runner.temp }}/site/"
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert "actions/deploy-pages" in _steps(deploy)
    assert "base_url" in (REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8")
    for job in flow["jobs"].values():  # only GitHub's own actions
        for step in job["steps"]:
            assert step.get("uses", "actions/").startswith("actions/")


@pytest.mark.parametrize("name", FLOWS)
def test_workflows_give_pull_requests_nothing(name):
    """docs/security.md: no pull_request_target, read-only by default, no secrets, no token
    left in the checkout; only the deploy job (pushes to main) may write to Pages. Caches are
    restored and saved by separate steps: ``actions/cache`` itself would save in its post step
    on every event, pull requests included."""
    text = (REPO / ".github/workflows" / name).read_text(encoding="utf-8")
    flow = _workflow(name)
    assert "pull_request_target" not in flow["on"]
    assert flow["permissions"] == {"contents": "read"}
    assert "${{ secrets" not in text and "secrets: inherit" not in text
    for job_name, job in flow["jobs"].items():
        if job_name != "deploy":
            assert "permissions" not in job
        for step in job["steps"]:
            uses = step.get("uses", "")
            if uses.startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            assert not uses.startswith("actions/cache@")


@pytest.mark.parametrize("name", FLOWS)
def test_cache_steps_surround_check_and_build(name):
    """Restore after the checkout (``hashFiles`` reads it) and setup-python (whose version is in
    the key), before the install writes into the checkout and before the check; save after the
    build. A miss is not an error (the first run builds everything)."""
    job = _build_job(name)
    order = [s.get("uses", s.get("run", "")).split("@")[0] for s in job["steps"]]
    build = next(o for o in order if o.startswith("fundsite build"))
    at = order.index
    assert at("actions/checkout") < at("actions/cache/restore")
    assert at("actions/setup-python") < at("actions/cache/restore")
    assert at("actions/cache/restore") < at("pip install .")  # which writes src/*.egg-info
    assert at("actions/cache/restore") < at("fundsite check --format github --lang th")
    assert at("fundsite check --format github --lang th") < at(build)
    assert at(build) < at("actions/cache/save")
    restore = _steps(job)["actions/cache/restore"]
    assert restore["id"] == "cache"
    assert _steps(job)["actions/setup-python"]["id"] == "python"
    assert not restore["with"].get("fail-on-cache-miss", False)
    assert not restore["with"].get("lookup-only", False)
    assert "continue-on-error" not in restore  # a miss does not fail; a broken restore should


# ---- cache keys --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FLOWS)
def test_key_names_os_python_install_spec_and_commit(name):
    a, b = Cache(name, Context(sha=SHA_A)), Cache(name, Context(sha=SHA_B))
    spec = hash_files(REPO, "pyproject.toml", "src/**")
    assert re.fullmatch(r"[0-9a-f]{64}", spec)
    for cache, sha in ((a, SHA_A), (b, SHA_B)):
        assert cache.key == f"fundsite-Linux-py3.11.14-{spec}-{sha}"
        assert len(cache.key) <= 512  # GitHub's limit
        # one restore key: the key without its commit, so the newest entry of the same OS,
        # Python and install spec is restored, and nothing else
        (prefix,) = cache.restore_keys
        assert cache.key == prefix + sha
        assert sha not in prefix
        assert cache.saved_key == cache.key  # saved under the key the restore step computed
    assert a.key != b.key  # each push saves a new entry...
    assert a.restore_keys == b.restore_keys  # ...which the next commit's run restores
    other = Cache(name, Context(python="3.12.8"))
    assert not other.key.startswith(a.restore_keys[0])
    assert not a.key.startswith(other.restore_keys[0])


@pytest.mark.parametrize("name", FLOWS)
def test_install_spec_change_moves_the_prefix(name, tmp_path):
    """A new fundsite gives a new prefix, so neither version restores the other's cache: here
    fundsite is installed from the repository itself (``pip install .``), so a change to
    ``pyproject.toml`` or to anything under ``src/`` (a portal: its requirements file). Records
    and the theme do not move it: fundsite tells which pages they change."""
    job = _build_job(name)
    key = _steps(job)["actions/cache/restore"]["with"]["key"]
    assert re.findall(r"hashFiles\(([^)]*)\)", key) == ["'pyproject.toml', 'src/**'"]
    assert _steps(job)["actions/setup-python"]["with"]["cache-dependency-path"] == "pyproject.toml"

    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        REPO / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    before = Cache(name, Context(root=tmp_path))

    def prefix_after(rel: str, edit: str = "\n# edited\n") -> str:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_bytes() if path.exists() else None
        path.write_bytes((old or b"") + edit.encode())
        try:
            (prefix,) = Cache(name, Context(root=tmp_path)).restore_keys
        finally:
            if old is None:
                path.unlink()
            else:
                path.write_bytes(old)
        return prefix

    (same,) = before.restore_keys
    assert (
        prefix_after("content/projects/68-L5218-4-99.md", "---\nid: 68-L5218-4-99\n---\n") == same
    )
    assert prefix_after("themes/default/templates/project.html") == same
    for rel in ("pyproject.toml", "src/fundsite/render/engine.py", "src/fundsite/plan/views.py"):
        moved = prefix_after(rel)
        assert moved != same, rel
        assert not before.key.startswith(moved)  # the new fundsite does not restore the old one
    assert Cache(name, Context(root=tmp_path)).restore_keys == [same]  # edits undone


def test_hash_files_is_the_runners(tmp_path):
    (tmp_path / "requirements.txt").write_bytes(b"fundsite==0.1.0\n")
    inner = hashlib.sha256(b"fundsite==0.1.0\n").digest()
    assert hash_files(tmp_path, "requirements.txt") == hashlib.sha256(inner).hexdigest()
    assert hash_files(tmp_path, "pyproject.toml") == ""  # no match: an empty string
    (tmp_path / "src/a/b").mkdir(parents=True)
    (tmp_path / "src/a/b/c.py").write_bytes(b"x = 1\n")
    deep = hashlib.sha256(hashlib.sha256(b"x = 1\n").digest()).hexdigest()
    assert hash_files(tmp_path, "src/**") == deep  # every file below, folders skipped


def test_check_and_pages_share_one_cache():
    """One entry per commit serves both workflows and the pull requests after it: the same key,
    the same folders, the same output path (the build manifest is kept per site folder and
    output folder, so a different output path would find no manifest)."""
    ctx = Context()
    check, pages = Cache("check.yml", ctx), Cache("pages.yml", Context())
    assert check.key == pages.key
    assert check.restore_keys == pages.restore_keys
    assert check.paths == pages.paths
    assert check.out == pages.out
    assert check.build_env == pages.build_env


# ---- who saves ---------------------------------------------------------------------------------

EVENTS = [
    ("pull_request", "refs/pull/7/merge"),
    ("pull_request", "refs/heads/main"),  # not what GitHub sends; saved nothing all the same
    ("pull_request_target", "refs/heads/main"),
    ("issue_comment", "refs/heads/main"),
    ("workflow_run", "refs/heads/main"),
    ("push", "refs/heads/main"),
    ("push", "refs/heads/feature"),
    ("workflow_dispatch", "refs/heads/main"),
    ("workflow_dispatch", "refs/heads/feature"),
    ("schedule", "refs/heads/main"),
]
TRUSTED = {"check.yml": {"push"}, "pages.yml": {"push", "workflow_dispatch"}}


@pytest.mark.parametrize("name", FLOWS)
@pytest.mark.parametrize(("event", "ref"), EVENTS)
def test_only_main_saves(name, event, ref):
    """A cache is saved only by a successful run on main started by a push (or, for pages.yml,
    by a maintainer's manual run): never by a pull request, whatever its ref, nor by a failed
    check or build, nor again for a commit that has its entry."""
    step = _steps(_build_job(name))["actions/cache/save"]
    expected = event in TRUSTED[name] and ref == "refs/heads/main"
    assert condition(step, Context(event=event, ref=ref)) is expected
    assert condition(step, Context(event=event, ref=ref, ok=False)) is False
    assert condition(step, Context(event=event, ref=ref, hit="true")) is False


@pytest.mark.parametrize("name", FLOWS)
def test_every_other_step_runs_on_pull_requests_as_on_main(name):
    """Only the save step depends on the event: a pull request is checked and built exactly as
    main is."""
    for step in _build_job(name)["steps"]:
        if step.get("uses", "").startswith("actions/cache/save@"):
            continue
        assert "if" not in step


# ---- where the cache and the output live ---------------------------------------------------------


@pytest.mark.parametrize("name", FLOWS)
def test_cache_and_output_live_outside_the_checkout(name):
    cache = Cache(name, Context())
    cache_dir = cache.check_env["FUNDSITE_CACHE_DIR"]
    assert cache.build_env["FUNDSITE_CACHE_DIR"] == cache_dir  # both commands use it
    assert cache.paths == cache.saved_paths  # the same folders, so restore finds save's entry
    assert set(cache.paths) == {cache_dir, cache.out}
    assert cache.uploaded.rstrip("/") == cache.out  # what is published is what was built
    workspace = Path(WORKSPACE)
    for folder in map(Path, cache.paths):
        assert folder.is_absolute()  # a relative path would be inside the checkout
        assert folder.parent == Path(RUNNER_TEMP)
        assert workspace not in folder.parents and folder not in workspace.parents
    # neither holds the other: a build replaces its output folder whole
    assert Path(cache.out) not in Path(cache_dir).parents
    assert Path(cache_dir) not in Path(cache.out).parents
    raw = _steps(_build_job(name))["actions/cache/restore"]["with"]["path"]
    assert "github.workspace" not in raw and ".." not in raw


@pytest.mark.parametrize("name", FLOWS)
def test_fundsite_accepts_the_ci_folders(name, tmp_path, monkeypatch):
    """fundsite's own rules agree: the cache folder of the checked-out site lands under the
    runner's temporary folder, the manifest of a build into the output folder is inside the
    saved cache, and a restored output folder (it carries fundsite's marker) may be built into."""
    temp = tmp_path / "work/_temp"
    workspace = tmp_path / "work/portal/portal"
    for folder in ("content", "data"):
        (workspace / folder).mkdir(parents=True)
    cache = Cache(name, Context(temp=str(temp), workspace=str(workspace)))
    cache_dir, out = Path(cache.check_env["FUNDSITE_CACHE_DIR"]), Path(cache.out)

    monkeypatch.setenv("FUNDSITE_CACHE_DIR", str(cache_dir))
    folder = site_cache(workspace)
    assert cache_dir in folder.parents
    assert manifest_path(workspace, out).parent == folder
    assert output_problem(workspace, out) is None  # the first run: nothing there yet
    (out / "projects/68-L5218-4-01").mkdir(parents=True)
    (out / "projects/68-L5218-4-01/index.html").write_text("<!doctype html>", encoding="utf-8")
    (out / MARKER).write_text("", encoding="utf-8")
    assert output_problem(workspace, out) is None  # restored from the cache

    monkeypatch.setenv("FUNDSITE_CACHE_DIR", str(workspace / ".cache"))
    with pytest.raises(CacheInsideSite):  # where a commit could place it: refused
        site_cache(workspace)
