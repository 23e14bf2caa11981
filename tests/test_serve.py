"""``fundsite serve``: rebuild on change, live reload, the problems overlay, loopback only.

The browser tests drive a real headless Chromium against a :class:`DevServer` serving a copy of
the example portal; the page is never reloaded by the test, only by the injected script.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import line_of, replace_line
from fundsite.cache import site_cache
from fundsite.serve import EVENTS_PATH, SCRIPT_PATH, BuildStatus, DevServer, inject_live_script

REPO = Path(__file__).parent.parent
PROJECT = "content/projects/68-L5218-4-01.md"
PROJECT_URL = "projects/68-L5218-4-01/"
REPORT = "content/reports/2025/2025-03-14-khlong-daen-committee-training.md"
REPORT_URL = "reports/2025-03-14-khlong-daen-committee-training/"
NEW_REPORT = "content/reports/2025/2025-06-01-khlong-daen-follow-up.md"
NEW_REPORT_TEXT = """\
---
id: 2025-06-01-khlong-daen-follow-up
project: 68-L5218-4-01
title: ติดตามผลการใช้แบบตรวจสอบคุณภาพโครงการ
date: 2025-06-01
kind: meeting
reporter: พัฒยะ หิมลาภ
participants: 9
spent: 1200.00
---
คณะกรรมการทบทวนโครงการที่ยื่นเข้ามาใหม่
"""


# ---- fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the example portal's records (the theme is fundsite's own)."""
    root = tmp_path / "site"
    for name in ("content", "data"):
        shutil.copytree(REPO / name, root / name)
    return root


@pytest.fixture
def logged() -> list[str]:
    """What the server printed (stderr, on the command line)."""
    return []


@pytest.fixture
def dev(site: Path, logged: list[str]) -> Iterator[DevServer]:
    server = DevServer(site, port=0, workers=1, log=logged.append)
    server.start()
    assert server.status is not None and server.status.ok, logged
    try:
        yield server
    finally:
        server.stop()


def change(dev: DevServer, rel: str, text: str | None) -> BuildStatus:
    """Write (or with ``None`` delete) a file of the site; the build that saw it."""
    path = dev.site / rel
    after = dev.builds
    if text is None:
        path.unlink()
    else:
        path.write_text(text, encoding="utf-8")
    deadline = time.monotonic() + 60
    while True:  # skip a build some other change (a theme being edited) may have started
        status = dev.wait_for_build(after, timeout=max(0.1, deadline - time.monotonic()))
        if str(path) in status.changed:
            return status
        after = status.number


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def first_event(url: str) -> dict[str, Any]:
    """The state the event stream sends on connecting."""
    with urllib.request.urlopen(url.rstrip("/") + EVENTS_PATH, timeout=10) as stream:
        for raw in stream:
            line = raw.decode()
            if line.startswith("data: "):
                return json.loads(line[6:])
    raise AssertionError("the event stream ended without data")


def expect(target: Any) -> Any:
    return pytest.importorskip("playwright.sync_api").expect(target)


def reloaded(page: Any) -> bool:
    """Whether the page was loaded again since ``window.fundsiteMark`` was set: asked once the
    page is not navigating (a later reload for the same edit may be under way; asking during it
    fails with "Execution context was destroyed")."""
    error = pytest.importorskip("playwright.sync_api").Error
    for _ in range(50):
        page.wait_for_load_state("load")
        try:
            return page.evaluate("window.fundsiteMark") is None
        except error as exc:
            if "context was destroyed" not in str(exc):
                raise
    raise AssertionError("the page kept navigating")


# ---- without a browser ----------------------------------------------------------------------


def test_inject_live_script() -> None:
    tag = f'<script src="{SCRIPT_PATH}" data-build="b.1"></script>'.encode()
    html = b"<html><body><p>x</p></BODY></html>"
    assert inject_live_script(html, "b.1") == b"<html><body><p>x</p>" + tag + b"</BODY></html>"
    assert inject_live_script(b"<p>fragment", "b.1") == b"<p>fragment" + tag


def test_binds_loopback_and_injects_only_into_html(dev: DevServer) -> None:
    host, port = dev.address
    assert host == "127.0.0.1" and dev.url == f"http://127.0.0.1:{port}/"
    outside = socket.gethostbyname(socket.gethostname())
    if outside != "127.0.0.1":  # another address of this machine must not answer
        with pytest.raises(OSError):
            socket.create_connection((outside, port), timeout=2).close()
    status, headers, body = get(dev.url + PROJECT_URL)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.count(SCRIPT_PATH.encode()) == 1 and body.rstrip().endswith(b"</html>")
    assert headers["Cache-Control"] == "no-store"
    for rel in ("static/site.css", "data/projects.json", "data/projects.csv", "feed.xml"):
        status, headers, body = get(dev.url + rel)
        assert status == 200, rel
        assert not headers["Content-Type"].startswith("text/html"), rel
        assert SCRIPT_PATH.encode() not in body, rel
    status, _, body = get(dev.url + SCRIPT_PATH.lstrip("/"))
    assert status == 200 and b"EventSource" in body
    status, _, body = get(dev.url + "no/such/page/")
    assert status == 404 and SCRIPT_PATH.encode() in body  # the 404 page reloads too
    # the built files stay as `fundsite build` writes them, in the private folder (outside
    # the site, where no commit can place files)
    assert dev.out == (site_cache(dev.site) / "serve").resolve()
    assert dev.site not in dev.out.parents
    assert not (dev.site / "build").exists()
    built = list(dev.out.rglob("*.html"))
    assert built and not any(SCRIPT_PATH in p.read_text(encoding="utf-8") for p in built)


def test_failed_build_keeps_last_good_site_and_reports_problems(
    dev: DevServer, logged: list[str]
) -> None:
    original = (dev.site / PROJECT).read_text(encoding="utf-8")
    good = first_event(dev.url)
    assert good["ok"] and good["good"]
    status = change(dev, PROJECT, replace_line(original, "budget:", "budjet: 39918.00"))
    assert not status.ok
    event = first_event(dev.url)
    assert not event["ok"] and event["good"] == good["good"]  # still the last good build
    (problem,) = event["problems"]
    assert problem["where"] == f"{PROJECT}:{line_of(original, 'budget:')}:1"
    assert problem["message"] == "ไม่รู้จักช่อง budjet"
    assert problem["hint"] == "น่าจะหมายถึง budget"
    assert problem["source"] == "budjet: 39918.00"
    assert "ไม่รู้จักช่อง budjet" in "\n".join(logged)
    code, _, body = get(dev.url + PROJECT_URL)
    assert code == 200 and "บริหารและพัฒนาศักยภาพ".encode() in body
    assert change(dev, PROJECT, original).ok
    assert first_event(dev.url)["ok"]


def test_crashing_build_is_logged_and_served_through(
    dev: DevServer, logged: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import fundsite.build

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("theme exploded")

    monkeypatch.setattr(fundsite.build, "build", crash)
    after = dev.builds
    dev.request_rebuild()
    status = dev.wait_for_build(after)
    assert not status.ok and status.error == "RuntimeError: theme exploded"
    assert "Traceback" in "\n".join(logged)
    (problem,) = first_event(dev.url)["problems"]
    assert "theme exploded" in problem["message"]
    assert get(dev.url + PROJECT_URL)[0] == 200
    monkeypatch.undo()
    dev.request_rebuild()
    assert dev.wait_for_build(status.number).ok


def test_starts_on_a_broken_site_and_recovers(site: Path) -> None:
    project = site / PROJECT
    original = project.read_text(encoding="utf-8")
    project.write_text(replace_line(original, "budget:", "budjet: 1"), encoding="utf-8")
    with DevServer(site, port=0, workers=1, log=lambda _msg: None) as dev:
        assert dev.status is not None and not dev.status.ok
        status, _, body = get(dev.url + PROJECT_URL)  # nothing good to show yet
        assert status == 404 and SCRIPT_PATH.encode() in body
        event = first_event(dev.url)
        assert event["good"] is None and "budjet" in event["problems"][0]["message"]
        assert change(dev, PROJECT, original).ok
        assert get(dev.url + PROJECT_URL)[0] == 200
        assert first_event(dev.url)["good"]


def test_a_burst_of_changes_is_one_rebuild(dev: DevServer, logged: list[str]) -> None:
    after = dev.builds
    for i in range(5):
        (dev.site / f"content/pages/burst-{i}.md").write_text(
            f"---\ntitle: หน้า {i}\n---\nข้อความ\n", encoding="utf-8"
        )
    status = dev.wait_for_build(after)
    time.sleep(4 * dev.debounce)  # no second build follows
    assert dev.builds == status.number == after + 1
    assert status.ok and len(status.changed) >= 5
    assert logged[-1].startswith("สร้างใหม่ใน ")  # "rebuilt in …" with --lang en


def test_an_edit_is_patched_into_the_kept_build(dev: DevServer, logged: list[str]) -> None:
    """A record edit takes the fast path: its pages first, then open data and the cache."""
    text = (dev.site / PROJECT).read_text(encoding="utf-8")
    assert change(dev, PROJECT, replace_line(text, "budget:", "budget: 40000.00")).ok
    deadline = time.monotonic() + 20
    while not any("ข้อมูลเปิด" in line for line in logged) and time.monotonic() < deadline:
        time.sleep(0.05)
    rebuilt = next(line for line in logged if line.startswith("สร้างใหม่ใน "))
    rendered = int(re.search(r"แสดงผลใหม่ (\d+) หน้า", rebuilt).group(1))  # type: ignore[union-attr]
    assert 0 < rendered < dev.status.pages // 2  # type: ignore[union-attr]
    assert any("ข้อมูลเปิด" in line for line in logged)
    assert b"40,000.00" in get(dev.url + PROJECT_URL)[2]
    while time.monotonic() < deadline:  # open data is written in the background, after it
        csv = get(dev.url + "/data/projects.csv")[2].decode("utf-8-sig")
        if "40000.00" in csv:
            break
        time.sleep(0.05)
    assert "40000.00" in csv


def test_searches_by_default_and_says_so(dev: DevServer, logged: list[str]) -> None:
    """A default serve builds the search index, says so with its size, and an edit that is
    patched in indexes its part again (the search page never searches a missing index)."""
    parts = dev.out / "pagefind" / "parts.json"
    assert json.loads(parts.read_text(encoding="utf-8"))
    assert get(dev.url + "pagefind/parts.json")[0] == 200
    on = next(line for line in logged if line.startswith("ค้นหา: เปิด"))
    indexed = re.search(r"ดัชนี ([\d,]+) หน้า", on)
    assert indexed and int(indexed.group(1).replace(",", "")) > 20, on
    before = parts.stat().st_mtime_ns
    text = (dev.site / PROJECT).read_text(encoding="utf-8")
    assert change(dev, PROJECT, replace_line(text, "title:", "title: โครงการที่แก้ชื่อแล้ว")).ok
    deadline = time.monotonic() + 30
    while not any("ดัชนีค้นหาสร้างใหม่" in line for line in logged):
        assert time.monotonic() < deadline, logged
        time.sleep(0.05)
    assert parts.stat().st_mtime_ns > before


def test_no_search_says_how_to_turn_it_on(site: Path) -> None:
    logged: list[str] = []
    with DevServer(site, port=0, workers=1, search=False, log=logged.append) as dev:
        assert not (dev.out / "pagefind").exists()
    assert any(line.startswith("ค้นหา: ปิด (--no-search)") for line in logged), logged


def test_cli_stops_cleanly(site: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "fundsite.cli", "serve", str(site), "--port", "0"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr is not None
        lines = [proc.stderr.readline() for _ in range(3)]
        assert "http://127.0.0.1:" in lines[1], lines
        assert lines[2].startswith("ค้นหา: เปิด (ดัชนี "), lines  # search is on by default
        proc.send_signal(signal.SIGTERM)  # what Ctrl-C does, for a process in the background
        assert proc.wait(timeout=20) == 0
        assert "หยุดแล้ว" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ---- in Chromium ------------------------------------------------------------------------------


@pytest.mark.browser
def test_edit_reloads_the_open_page(dev: DevServer, page: Any) -> None:
    page.goto(dev.url + PROJECT_URL)
    expect(page.locator("h1")).to_contain_text("โครงการบริหารและพัฒนาศักยภาพ")
    page.evaluate("window.fundsiteMark = 1")
    text = (dev.site / PROJECT).read_text(encoding="utf-8")
    new_title = "โครงการพัฒนาศักยภาพกรรมการกองทุน (แก้ไขแล้ว)"
    assert change(dev, PROJECT, replace_line(text, "title:", f"title: {new_title}")).ok
    expect(page.locator("h1")).to_have_text(new_title, timeout=20_000)
    assert reloaded(page)


@pytest.mark.browser
def test_edit_reloads_an_open_page_that_sums_it_up(dev: DevServer, page: Any) -> None:
    """A district page shows the project's budget: it is rendered after the project's own
    pages (update.finish) and the browser reloads once more for it."""
    page.goto(dev.url + "districts/9007/")
    expect(page.locator("main")).to_contain_text("39,918.00")
    page.evaluate("window.fundsiteMark = 1")
    text = (dev.site / PROJECT).read_text(encoding="utf-8")
    assert change(dev, PROJECT, replace_line(text, "budget:", "budget: 41234.00")).ok
    expect(page.locator("main")).to_contain_text("41,234.00", timeout=20_000)
    expect(page.locator("main")).not_to_contain_text("39,918.00")
    assert reloaded(page)


@pytest.mark.browser
def test_new_and_deleted_reports(dev: DevServer, page: Any) -> None:
    page.goto(dev.url + PROJECT_URL)
    reports = page.locator(".report-list")
    expect(reports).to_contain_text("อบรมพัฒนาศักยภาพคณะกรรมการกองทุน")
    assert change(dev, NEW_REPORT, NEW_REPORT_TEXT).ok
    expect(reports).to_contain_text("ติดตามผลการใช้แบบตรวจสอบคุณภาพโครงการ", timeout=20_000)
    assert page.request.get(dev.url + "reports/2025-06-01-khlong-daen-follow-up/").ok

    assert page.request.get(dev.url + REPORT_URL).status == 200
    assert change(dev, REPORT, None).ok
    expect(reports).not_to_contain_text("อบรมพัฒนาศักยภาพคณะกรรมการกองทุน", timeout=20_000)
    expect(reports).to_contain_text("ติดตามผลการใช้แบบตรวจสอบคุณภาพโครงการ")
    gone = page.request.get(dev.url + REPORT_URL)
    assert gone.status == 404 and "ไม่พบหน้านี้" in gone.text()


@pytest.mark.browser
def test_broken_edit_shows_overlay_until_fixed(dev: DevServer, page: Any) -> None:
    page.goto(dev.url + PROJECT_URL)
    h1 = page.locator("h1")
    title = h1.inner_text()
    overlay = page.locator("#fundsite-overlay")
    original = (dev.site / PROJECT).read_text(encoding="utf-8")
    line = line_of(original, "budget:")

    assert not change(dev, PROJECT, replace_line(original, "budget:", "budjet: 39918.00")).ok
    expect(overlay).to_be_visible(timeout=20_000)
    expect(overlay).to_contain_text(f"{PROJECT}:{line}:1")
    expect(overlay).to_contain_text("ไม่รู้จักช่อง budjet")
    expect(overlay).to_contain_text("น่าจะหมายถึง budget")
    expect(overlay).to_contain_text("สร้างเว็บใหม่ไม่สำเร็จ")
    assert h1.inner_text() == title  # the last good page is still there under it

    assert change(dev, PROJECT, original).ok
    expect(overlay).to_have_count(0, timeout=20_000)

    malformed = replace_line(original, "fund:", "fund: [L5218")
    assert not change(dev, PROJECT, malformed).ok
    expect(overlay).to_be_visible(timeout=20_000)
    expect(overlay).to_contain_text("เขียน YAML ผิดรูปแบบ")
    expect(overlay).to_contain_text(PROJECT)
    assert h1.inner_text() == title

    assert change(dev, PROJECT, original).ok
    expect(overlay).to_have_count(0, timeout=20_000)
    expect(h1).to_have_text(title)


@pytest.mark.browser
def test_overlay_shows_record_text_as_text(dev: DevServer, page: Any) -> None:
    page.goto(dev.url + PROJECT_URL)
    original = (dev.site / PROJECT).read_text(encoding="utf-8")
    evil = 'budget: "<img src=x onerror=window.pwned=1>"'
    assert not change(dev, PROJECT, replace_line(original, "budget:", evil)).ok
    overlay = page.locator("#fundsite-overlay")
    expect(overlay).to_contain_text("<img src=x onerror=window.pwned=1>", timeout=20_000)
    assert overlay.locator("img").count() == 0
    assert page.evaluate("window.pwned") is None


@pytest.mark.browser
def test_page_opened_while_broken_shows_overlay(dev: DevServer, page: Any) -> None:
    original = (dev.site / PROJECT).read_text(encoding="utf-8")
    assert not change(dev, PROJECT, replace_line(original, "budget:", "budjet: 1")).ok
    page.goto(dev.url + "funds/L5218/")
    expect(page.locator("#fundsite-overlay")).to_contain_text("budjet", timeout=20_000)
    expect(page.locator("h1")).to_contain_text("คลองแดน")
