#!/usr/bin/env python3
"""Build the example portal, serve it on 127.0.0.1 and take full-page screenshots.

Tools, not runtime dependencies of fundsite::

    pip install playwright          # no `playwright install`: uses the system Chromium
    python scripts/screenshots.py   # writes docs/screenshots/<name>-<width>.png

Options: ``--chromium PATH`` (default /usr/bin/chromium), ``--only NAME`` (repeatable),
``--no-js`` (also checks that each page looks the same with JavaScript off: it takes the
shots with JavaScript disabled and compares them with the JavaScript-on ones).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
WIDTHS = (1280, 390)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def pick(site: Path, folder: str, preferred: str) -> str:
    """``folder/preferred/`` if it was built, else the first page under ``folder``."""
    if (site / folder / preferred / "index.html").is_file():
        return f"{folder}/{preferred}/"
    for child in sorted((site / folder).iterdir()):
        if (child / "index.html").is_file():
            return f"{folder}/{child.name}/"
    raise SystemExit(f"no page under {folder}/")


def pages(site: Path) -> dict[str, str]:
    return {
        "home": "",
        "fund": pick(site, "funds", "L5218"),
        "subdistrict": pick(site, "subdistricts", "900702"),
        "district": pick(site, "districts", "9007"),
        "province": pick(site, "provinces", "90"),
        "year": pick(site, "years", "2568"),
        "issue": pick(site, "issues", "alcohol"),
        "project": pick(site, "projects", "68-L5218-4-01"),
        "report": pick(site, "reports", "2023-11-27-progress-and-tools-consultation"),
        "data": "data/",
    }


def build(site: Path) -> None:
    fundsite = Path(sys.executable).with_name("fundsite")
    cmd = [
        str(fundsite) if fundsite.exists() else "fundsite",
        "build",
        str(ROOT),
        "-o",
        str(site),
        "--no-search",
    ]
    subprocess.run(cmd, check=True, cwd=ROOT)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def shoot(base: str, targets: dict[str, str], out: Path, chromium: str, js: bool) -> list[Path]:
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        for width in WIDTHS:
            context = browser.new_context(
                viewport={"width": width, "height": 900},
                device_scale_factor=1,
                java_script_enabled=js,
                is_mobile=width < 600,
                has_touch=width < 600,
            )
            page = context.new_page()
            for name, path in targets.items():
                page.goto(base + quote(path), wait_until="networkidle")
                _load_lazy_images(page)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    print(f"  ! {name} at {width}px: page is {overflow}px wider than the screen")
                file = out / f"{name}-{width}{'' if js else '-nojs'}.png"
                page.screenshot(path=str(file), full_page=True)
                written.append(file)
                shown = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file.name
                print(f"  {shown}  ({path or '/'})")
            context.close()
        browser.close()
    return written


def _load_lazy_images(page) -> None:
    """Scroll to the end and back, so ``loading=lazy`` photos are in the full-page shot."""
    height = page.evaluate("document.documentElement.scrollHeight")
    for _ in range(0, height, 700):
        page.mouse.wheel(0, 700)
        page.wait_for_timeout(30)
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    page.evaluate("document.fonts.ready.then(() => true)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument(
        "--no-js", action="store_true", help="also shoot with JavaScript off and compare"
    )
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fundsite-shots-") as tmp:
        site = Path(tmp) / "site"
        build(site)
        targets = pages(site)
        if args.only:
            targets = {k: v for k, v in targets.items() if k in args.only}
        server, base = serve(site)
        try:
            shoot(base, targets, args.out, args.chromium, js=True)
            if args.no_js:
                with tempfile.TemporaryDirectory() as nojs:
                    shots = shoot(base, targets, Path(nojs), args.chromium, js=False)
                    same = _compare(shots, args.out)
                    print(f"JavaScript off: {same}/{len(shots)} pages identical to JavaScript on")
        finally:
            server.shutdown()
    return 0


def _compare(nojs_shots: list[Path], out: Path) -> int:
    same = 0
    for shot in nojs_shots:
        twin = out / shot.name.replace("-nojs", "")
        if twin.read_bytes() == shot.read_bytes():
            same += 1
        else:
            print(f"  ~ {shot.name} differs from {twin.name}")
    return same


if __name__ == "__main__":
    raise SystemExit(main())
