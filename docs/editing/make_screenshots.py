"""Make the screenshots of docs/editing-th.md from real runs of fundsite.

    . .venv/bin/activate && python docs/editing/make_screenshots.py

Works on a throwaway copy of the example portal (content/ and data/): a report is added with
``fundsite new report`` (answering its prompts through a pseudo-terminal), a typo and a
Buddhist-Era date are put in, and ``fundsite check`` is run; both transcripts are rendered as a
dark terminal and captured. The example site is then built and served on 127.0.0.1, and the
project page with a data-quality note is captured. Browser: Debian's chromium, headless.
"""

from __future__ import annotations

import html
import os
import pty
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
FUNDSITE = [sys.executable, "-m", "fundsite.cli"]
REPORT = "content/reports/2025/2025-08-20-committee-meeting-3.md"

TERMINAL = """<!doctype html><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; }}
.term {{ display: inline-block; background: #1e1f29; color: #e6e6e6; padding: 14px 18px 16px;
  border-radius: 8px; font: 15px/1.5 "DejaVu Sans Mono", "Waree", "Loma", monospace;
  white-space: pre; }}
.bar {{ color: #8b8fa3; font-size: 13px; margin-bottom: 8px; }}
.p {{ color: #7ee787; }} .err {{ color: #ff7b72; font-weight: bold; }}
.warn {{ color: #e3b341; font-weight: bold; }} .hint {{ color: #79c0ff; }}
.path {{ color: #d2a8ff; }} .dim {{ color: #8b8fa3; }} .in {{ color: #ffffff; }}
</style><div class="term"><div class="bar">● ● ●  {title}</div>{body}</div>"""


def colour(line: str) -> str:
    """One line of terminal output as HTML, coloured like a terminal would."""
    text = html.escape(line)
    if line.startswith("$ "):
        return f'<span class="p">$</span> <span class="in">{text[2:]}</span>'
    if m := re.match(r"^(\S+?:\d+:\d+:) (error|warning):", line):
        kind = "err" if m.group(2) == "error" else "warn"
        where, rest = html.escape(m.group(1)), html.escape(line[m.end() :])
        return f'<span class="path">{where}</span> <span class="{kind}">{m.group(2)}:</span>{rest}'
    if line.lstrip().startswith("→") or line.lstrip().startswith("✗"):
        return f'<span class="hint">{text}</span>'
    if re.match(r"^\s+(\d+ )?\|", line):
        return f'<span class="dim">{text}</span>'
    return text


def terminal(transcript: str, title: str) -> str:
    body = "\n".join(colour(line) for line in transcript.rstrip("\n").split("\n"))
    return TERMINAL.format(title=html.escape(title), body=body)


def shoot_html(page, markup: str, path: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    page.set_content(markup)
    page.wait_for_timeout(100)
    page.locator(".term").screenshot(path=str(path))


def interactive(site: Path, args: list[str], answers: list[str]) -> str:
    """Run ``fundsite ARGS`` in a pseudo-terminal, typing ``answers``; the screen as text."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "110", "TERM": "dumb"}
    proc = subprocess.Popen(
        [*FUNDSITE, *args], stdin=slave, stdout=slave, stderr=slave, cwd=site, env=env
    )
    os.close(slave)
    screen = b""

    def read(seconds: float) -> None:
        nonlocal screen
        end = time.time() + seconds
        while time.time() < end:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    return
                if not chunk:
                    return
                screen += chunk

    for answer in answers:
        read(2.5)
        os.write(master, answer.encode() + b"\n")
    read(3)
    proc.wait(timeout=30)
    os.close(master)
    text = screen.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "")
    return "$ fundsite " + " ".join(args) + "\n" + text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="fundsite-shots-"))
    site = work / "portal"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "data", site / "data")

    # 1. a report after a meeting, with fundsite new report answering its questions
    session = interactive(
        site,
        ["new", "report", "--slug", "committee-meeting-3"],
        ["68-L5218-4-1", "68-L5218-4-01", "20 ส.ค. 2568", "ประชุมคณะกรรมการกองทุน ครั้งที่ 3/2568"],
    )
    assert (site / REPORT).is_file(), session

    # 2. the editor fills it in with a typo and a Buddhist-Era year in an ISO date
    text = (site / REPORT).read_text(encoding="utf-8")
    text = text.replace("# participants:\n", "partcipants: 21\n")
    text = text.replace("date: 2025-08-20", "date: 2568-08-20")
    (site / REPORT).write_text(text, encoding="utf-8")
    run = subprocess.run(
        [*FUNDSITE, "check", "."], cwd=site, capture_output=True, text=True, check=False
    )
    # keep the blocks about the new report (the example portal has warnings elsewhere)
    blocks, keep = [], False
    for line in run.stdout.rstrip("\n").split("\n")[:-1]:
        if not line.startswith(" "):
            keep = line.startswith(REPORT)
        if keep:
            blocks.append(line)
    summary = run.stdout.rstrip("\n").split("\n")[-1]
    check = "$ fundsite check\n" + "\n".join(blocks) + "\n…\n" + summary + "\n"

    # 3. the example site, built and served, and its project page with a data-quality note
    build = work / "site"
    subprocess.run(
        [*FUNDSITE, "build", str(REPO), "-o", str(build), "--no-search"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=build,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(device_scale_factor=1)
            shoot_html(page, terminal(session, "fundsite new report"), OUT / "new-report.png")
            shoot_html(page, terminal(check, "fundsite check"), OUT / "check-errors.png")

            page = browser.new_page(viewport={"width": 420, "height": 900}, device_scale_factor=1)
            for _ in range(50):  # the server takes a moment to listen
                try:
                    page.goto(f"http://127.0.0.1:{port}/projects/60-ข-087/")
                    break
                except Exception:
                    time.sleep(0.1)
            page.wait_for_load_state("networkidle")
            box = page.locator("h1").bounding_box()
            facts = page.locator("dl.facts").bounding_box()
            assert box and facts
            top = max(box["y"] - 48, 0)
            bottom = facts["y"] + min(facts["height"], 260)
            page.screenshot(
                path=str(OUT / "project-note.png"),
                clip={"x": 0, "y": top, "width": 420, "height": bottom - top},
            )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    for name in ("new-report.png", "check-errors.png", "project-note.png"):
        size = (OUT / name).stat().st_size
        print(f"{OUT / name}: {size // 1024} KB")
        assert size <= 200 * 1024, name


if __name__ == "__main__":
    main()
