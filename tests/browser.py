"""Helpers for end-to-end tests: serve a built site on 127.0.0.1 and drive Debian's Chromium."""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on a free loopback port; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium from the system; skips locally without one, fails in CI."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI must install Debian's chromium)")
        pytest.skip("chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def write_test_admin(graph: Any, root: Path, today: Any = None) -> list[Path]:
    """The form editor's ``admin/`` under ``root``, on Decap's in-browser ``test-repo``
    backend (pair it with :func:`repo_files_script`); the files written."""
    from datetime import date

    from fundsite.cms.admin import admin_files

    written = []
    for rel, data in admin_files(graph, {"name": "test-repo"}, today or date(2025, 4, 1)):
        path = root / "admin" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def repo_files_script(site: Path, paths: list[str] | None = None) -> str:
    """A script that fills Decap CMS's in-browser ``test-repo`` backend with a site's records
    (``paths``, or every record under ``content/``) before the editor loads.

    The backend reads a collection's folder as one key (``content/projects``) and single files
    by walking the tree; both names point at the same objects, so a save is seen by both.
    """
    if paths is None:
        paths = [p.relative_to(site).as_posix() for p in sorted((site / "content").rglob("*.md"))]
    tree: dict[str, Any] = {}
    folders = {"content/funds", "content/plans", "content/projects", "content/reports"}
    for rel in paths:
        node = tree
        *parts, name = rel.split("/")
        for part in parts:
            node = node.setdefault(part, {})
        node[name] = {"path": rel, "content": (site / rel).read_text(encoding="utf-8")}
        folders.add(rel.rsplit("/", 1)[0])
    aliases = "".join(f"window.repoFiles[{json.dumps(f)}] = {_walk(f)};" for f in sorted(folders))
    return f"window.repoFiles = {json.dumps(tree, ensure_ascii=False)};{aliases}"


def _walk(folder: str) -> str:
    """JavaScript that finds (creating when missing) ``folder`` in ``window.repoFiles``."""
    expr = "window.repoFiles"
    for part in folder.split("/"):
        key = json.dumps(part)
        expr = f"({expr}[{key}] = {expr}[{key}] || {{}})"
    return expr
