"""What the search page costs a citizen on a cheap phone, for built sites; prints a markdown table.

Usage: ``python benchmarks/bench_search_cost.py BUILT_SITE [BUILT_SITE ...] [--label NAME ...]
[--query Q ...] [--repeat N] [--no-throttle] [--no-workers] [--top N] [--json OUT]``.

Each built folder (``fundsite build`` output) is served on 127.0.0.1 as a static host does:
HTTP/1.1 keep-alive, text types gzip-compressed (level 6) when asked, Pagefind's own files
(already compressed) as they are, ``Cache-Control: max-age=600`` as GitHub Pages sends. Debian's
Chromium is throttled like a cheap phone over the DevTools protocol: 150 ms latency, 1.6 Mbit/s
down and up, CPU 4x slower.

Each query gets its own cold tab (new context, cache disabled): "page ready" is from navigation
start until ``#search-form[data-ready]``; then the cache is enabled again, the query is typed into
``#q`` and submitted, and the query phase lasts until ``#results[data-done]``. Times are taken in
the page (a MutationObserver); the page-ready row is the median over all cold loads, a query row
the median over ``--repeat`` runs. Requests and bytes are those started in the phase, bytes being
the sum of CDP ``Network.loadingFinished.encodedDataLength`` (compressed, headers included) over
the page and its workers: Pagefind 1.5 fetches its index from a web worker, whose requests the
page's CDP session does not see, so workers are auto-attached (``Target.setAutoAttach``, not
flattened; their events arrive as ``Target.receivedMessageFromTarget``). A worker's own script
gets no ``loadingFinished`` anywhere, and a worker's first fetches can come before its Network
domain is enabled: the host logs every response it sends, and what CDP missed is added from that
log, in the phase it was sent in. The note under the table compares the two totals.

Caveats: one machine, noisy (a shared 2-core VM): run-to-run differences of 10-20 % in the
seconds are noise. HTTP/1.1 allows 6 connections per host, where real static hosts speak HTTP/2:
many small parallel fetches (an index split in many parts) cost more round trips here.
Chromium slows only the page's main thread 4x (it refuses ``setCPUThrottlingRate`` for workers;
a busy loop in a worker measured 1.5-2x slower, not 4x), so the work Pagefind does in its worker
is under-throttled: ``--no-workers`` hides ``Worker`` from the page so Pagefind runs on the main
thread, fully throttled (what a browser without workers does; the page's jank is not measured).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import os
import re
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from browser import CHROMIUM_ARGS as ARGS
from browser import chromium_path

CHROMIUM = chromium_path() or "chromium"

LATENCY_MS = 150
THROUGHPUT = 200_000  # bytes per second: 1.6 Mbit/s
CPU_RATE = 4
COMMON_WORD = "ผู้สูงอายุ"
TIMEOUT_MS = 900_000  # a phase that takes longer is reported as timed out

TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}
OTHER_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
}
#: Pagefind's files are gzip already (Pagefind inflates them itself): served as they are.
PAGEFIND_SUFFIXES = (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind")

# ---------------------------------------------------------------------------- static host


@dataclass
class Served:
    """One response the host sent: its path, status and bytes (headers and body)."""

    path: str
    status: int
    bytes: int


class StaticHost(ThreadingHTTPServer):
    """Serve a built folder on a free loopback port like a static host; log what it sent."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root.resolve()
        self.sent: list[Served] = []
        self.lock = threading.Lock()
        self._gzipped: dict[Path, bytes] = {}

    @property
    def url(self) -> str:
        """The site's base URL."""
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def gzipped(self, path: Path) -> bytes:
        """The file compressed once, at level 6 (nginx's and most hosts' setting is 1-6)."""
        with self.lock:
            if path not in self._gzipped:
                self._gzipped[path] = gzip.compress(path.read_bytes(), 6, mtime=0)
            return self._gzipped[path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StaticHost

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self._header_bytes = sum(len(b) for b in getattr(self, "_headers_buffer", [])) + 2
        super().end_headers()

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _serve(self, body: bool) -> None:
        root = self.server.root
        parts = urlsplit(self.path)
        rel = unquote(parts.path)
        target = (root / rel.lstrip("/")).resolve()
        status = 200
        if not target.is_relative_to(root):
            target = root / "-missing-"
        if target.is_dir() and not rel.endswith("/"):
            self.send_response(301)
            self.send_header("Location", rel + "/" + (f"?{parts.query}" if parts.query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            self._log(301, 0)
            return
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            status, target = 404, root / "404.html"
        suffix = target.suffix.lower()
        if target.is_file():
            data = target.read_bytes()
        else:
            data, suffix = b"not found", ".txt"
        compress = suffix in TEXT_TYPES and _accepts_gzip(self.headers.get("Accept-Encoding", ""))
        if compress and status == 200:
            data = self.server.gzipped(target)
        elif compress:
            data = gzip.compress(data, 6, mtime=0)
        kind = TEXT_TYPES.get(suffix) or OTHER_TYPES.get(suffix) or "application/octet-stream"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if compress:
            self.send_header("Content-Encoding", "gzip")
        if suffix in TEXT_TYPES:
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        if body:
            self.wfile.write(data)
        self._log(status, len(data) if body else 0)

    def _log(self, status: int, body: int) -> None:
        with self.server.lock:
            self.server.sent.append(
                Served(urlsplit(self.path).path, status, self._header_bytes + body)
            )


def _accepts_gzip(header: str) -> bool:
    for token in header.split(","):
        name, _, params = token.strip().partition(";")
        if name.strip().lower() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


# ---------------------------------------------------------------------------- the browser

#: In the page: when data-ready / data-done appear, and when the submit button is clicked.
TIMER = """(() => {
  const b = window.__bench = {ready: null, start: null, done: null};
  new MutationObserver((records) => {
    for (const r of records) {
      const t = r.target;
      if (r.attributeName === "data-ready" && t.id === "search-form"
          && t.hasAttribute("data-ready") && b.ready === null) b.ready = performance.now();
      if (r.attributeName === "data-done" && t.id === "results" && t.hasAttribute("data-done")
          && b.start !== null && b.done === null) b.done = performance.now();
    }
  }).observe(document, {attributes: true, subtree: true,
                        attributeFilter: ["data-ready", "data-done"]});
  document.addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest("#search-form button[type=submit]")) {
      b.start = performance.now(); b.done = null;
    }
  }, true);
})();"""


@dataclass
class Request:
    """One network request seen over CDP, in the phase it started in."""

    url: str
    phase: str
    worker: bool
    bytes: int | None = None
    failed: bool = False
    cached: bool = False
    last: float = field(default_factory=time.monotonic)


class Network:
    """Collect the network requests of a page and of its workers from CDP events."""

    def __init__(self, page: Any, throttle: bool, base: str) -> None:
        self.base = base
        self.cdp = page.context.new_cdp_session(page)
        self.throttle = throttle
        self.phase = ""
        self.requests: dict[tuple[str, str], Request] = {}
        self.workers: list[str] = []  # CDP session ids of attached workers
        self.worker_scripts: set[str] = set()  # their scripts: no loadingFinished over CDP
        self.worker_errors: Counter[str] = Counter()
        self.cache_disabled = True
        self._id = 0
        self._sent: dict[int, str] = {}  # message id -> method, for the workers' errors
        for event in (
            "requestWillBeSent",
            "responseReceived",
            "dataReceived",
            "loadingFinished",
            "loadingFailed",
            "requestServedFromCache",
        ):
            self.cdp.on(f"Network.{event}", lambda p, e=event: self._event("", e, p))
        self.cdp.on("Target.attachedToTarget", self._attached)
        self.cdp.on("Target.receivedMessageFromTarget", self._from_worker)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if throttle:
            self.cdp.send("Network.emulateNetworkConditions", _conditions())
            self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_RATE})
        self.cdp.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False},
        )

    def set_cache_disabled(self, disabled: bool) -> None:
        """Disable (cold load) or enable (later queries) the HTTP cache, in page and workers."""
        self.cache_disabled = disabled
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": disabled})
        for session in self.workers:
            self._to_worker(session, "Network.setCacheDisabled", {"cacheDisabled": disabled})

    def _attached(self, params: dict[str, Any]) -> None:
        session = params["sessionId"]
        self.workers.append(session)
        self.worker_scripts.add(params["targetInfo"].get("url", ""))
        self._to_worker(session, "Network.enable", {})
        self._to_worker(session, "Network.setCacheDisabled", {"cacheDisabled": self.cache_disabled})
        if self.throttle:  # the page's network conditions cover its workers; this is a spare
            self._to_worker(session, "Network.emulateNetworkConditions", _conditions())
        self._to_worker(session, "Runtime.runIfWaitingForDebugger", {})

    def _to_worker(self, session: str, method: str, params: dict[str, Any]) -> None:
        self._id += 1
        self._sent[self._id] = method
        message = json.dumps({"id": self._id, "method": method, "params": params})
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})

    def _from_worker(self, params: dict[str, Any]) -> None:
        message = json.loads(params["message"])
        if "error" in message:
            method = self._sent.get(message.get("id", 0), "?")
            self.worker_errors[f"{method}: {message['error'].get('message', '?')}"] += 1
        method = message.get("method", "")
        if method.startswith("Network."):
            self._event(params["sessionId"], method.removeprefix("Network."), message["params"])

    def _event(self, session: str, event: str, params: dict[str, Any]) -> None:
        key = (session, params["requestId"])
        request = self.requests.get(key)
        if request is None:
            url = params.get("request", params.get("response", {})).get("url", "")
            if url.startswith(("data:", "blob:")):
                return
            request = self.requests[key] = Request(url, self.phase, bool(session))
        request.last = time.monotonic()
        if event == "requestWillBeSent" and params.get("redirectResponse"):
            # the hop before the redirect: its own request
            hop = Request(
                request.url,
                request.phase,
                request.worker,
                params["redirectResponse"].get("encodedDataLength", 0),
            )
            self.requests[(session, params["requestId"] + f"#{len(self.requests)}")] = hop
            request.url = params["request"]["url"]
        elif event == "responseReceived" and not request.url:
            request.url = params["response"]["url"]
        elif event == "requestServedFromCache":
            request.cached = True
        elif event == "loadingFinished":
            request.bytes = int(params["encodedDataLength"])
        elif event == "loadingFailed":
            request.failed = True

    def pending(self, stale: float = 10.0) -> int:
        """Requests started and not finished (a worker's script never finishes over CDP)."""
        now = time.monotonic()
        return sum(
            r.bytes is None
            and not r.failed
            and now - r.last < stale
            and r.url not in self.worker_scripts
            for r in self.requests.values()
        )

    def wait_quiet(self, page: Any, idle: float = 1.0, limit: float = 60.0) -> None:
        """Wait until nothing is pending and no network event came for ``idle`` seconds."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            page.wait_for_timeout(200)
            last = max((r.last for r in self.requests.values()), default=0.0)
            if not self.pending() and time.monotonic() - last > idle:
                return


def _conditions() -> dict[str, Any]:
    return {
        "offline": False,
        "latency": LATENCY_MS,
        "downloadThroughput": THROUGHPUT,
        "uploadThroughput": THROUGHPUT,
        "connectionType": "cellular3g",
    }


@dataclass
class Phase:
    """What one phase cost: requests, bytes over the network, seconds; bytes per URL."""

    requests: int
    bytes: int
    seconds: float
    results: str = ""
    urls: dict[str, int] = field(default_factory=dict)
    cached: int = 0
    worker_requests: int = 0
    from_host: int = 0  # requests only the host's log knew (see _tally)
    unnamed: int = 0  # CDP requests seen without their URL: counted from the host's log


@dataclass
class Session:
    """One cold load of the search page and one query in the same tab."""

    load: Phase
    query: Phase
    late: dict[str, int]  # requests started after a phase ended, before the next
    cdp_total: tuple[int, int]  # requests, bytes: all CDP saw (network, not cache, no fill)
    server_total: tuple[int, int]  # requests, bytes: everything the host sent
    worker_errors: dict[str, int]


def _tally(net: Network, sent: list[tuple[str, Served]]) -> dict[str, Phase]:
    """Sum each phase's requests over CDP; add what the host sent that CDP never finished.

    ``sent`` is the host's log, each response with the phase it was sent in. A worker's script,
    and a worker's first fetches (made before its Network domain is enabled), are only there.
    """
    phases: dict[str, Phase] = {}
    finished: dict[str, Counter[str]] = {}  # phase -> path -> requests CDP saw finish or fail
    for r in net.requests.values():
        phase = phases.setdefault(r.phase, Phase(0, 0, 0.0))
        if r.cached:
            phase.cached += 1
        elif not r.url:  # its first events came before the worker's Network.enable: the host's
            phase.unnamed += 1
        elif r.bytes is not None or r.failed:
            phase.requests += 1
            phase.worker_requests += r.worker
            phase.bytes += r.bytes or 0
            phase.urls[r.url] = phase.urls.get(r.url, 0) + (r.bytes or 0)
            finished.setdefault(r.phase, Counter())[urlsplit(r.url).path] += 1
    seen = sum(finished.values(), Counter[str]())
    hosted = Counter(served.path for _, served in sent)
    unseen = {path: n - seen[path] for path, n in hosted.items() if n > seen[path]}
    for name, served in sent:  # the host's extra responses, in the phase they were sent in
        mine = finished.setdefault(name, Counter())
        if mine[served.path] > 0:
            mine[served.path] -= 1  # one CDP saw, in the same phase
        elif unseen.get(served.path, 0) > 0:
            unseen[served.path] -= 1
            phase = phases.setdefault(name, Phase(0, 0, 0.0))
            phase.requests += 1
            phase.from_host += 1
            phase.bytes += served.bytes
            url = net.base + served.path.lstrip("/")
            phase.urls[url] = phase.urls.get(url, 0) + served.bytes
    return phases


def _wait(page: Any, selector: str) -> bool:
    """Wait for ``selector`` to be attached; False after :data:`TIMEOUT_MS`."""
    try:
        page.wait_for_selector(selector, state="attached", timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        return False
    return True


def measure(
    browser: Any, host: StaticHost, query: str, throttle: bool, workers: bool = True
) -> Session:
    """Load the search page cold, then run ``query`` in the same tab (``workers``: or not)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 760},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="th-TH",
    )
    try:
        context.add_init_script(TIMER)
        if not workers:
            context.add_init_script("window.Worker = undefined;")
        page = context.new_page()
        net = Network(page, throttle, host.url)
        marks: list[tuple[str, int]] = []  # (phase, index of the host's next response)

        def phase(name: str) -> None:
            net.phase = name
            marks.append((name, len(host.sent)))

        phase("load")
        t0 = time.perf_counter()
        page.goto(host.url + "search/", wait_until="commit", timeout=TIMEOUT_MS)
        ready_in_time = _wait(page, "#search-form[data-ready]")
        load_wall = time.perf_counter() - t0
        ready = page.evaluate("window.__bench.ready") if ready_in_time else None
        phase("after load")
        net.wait_quiet(page)
        net.set_cache_disabled(False)
        phase("query")  # before typing: a page may search as one types
        t0 = time.perf_counter()
        done = False
        if ready_in_time:
            text, _, chosen = query.partition("|")  # "word|province=นครราชสีมา": with a filter
            for name, value in (f.split("=", 1) for f in chosen.split("&") if "=" in f):
                page.evaluate(  # chosen without a change event: the submit searches
                    "([n, v]) => { document.querySelector(`select[data-filter=${n}]`).value = v; }",
                    [name, value],
                )
            page.fill("#q", text)
            page.evaluate("document.getElementById('results').removeAttribute('data-done')")
            t0 = time.perf_counter()
            page.click("#search-form button[type=submit]")
            done = _wait(page, "#results[data-done]")
        query_wall = time.perf_counter() - t0
        timer = page.evaluate("window.__bench") if done else {"start": None, "done": None}
        status = " ".join((page.text_content("#search-status") or "").split())
        if not done:
            status = "not ready in time" if not ready_in_time else f"timed out ({status})"
        phase("after query")
        net.wait_quiet(page)
        marks.append(("", len(host.sent)))
        sent = [
            (name, served)
            for (name, a), (_, b) in itertools.pairwise(marks)
            for served in host.sent[a:b]
        ]
        phases = _tally(net, sent)
        load = phases.get("load", Phase(0, 0, 0.0))
        load.seconds = ready / 1000 if ready is not None else load_wall
        load.results = "" if ready_in_time else "not ready in time"
        asked = phases.get("query", Phase(0, 0, 0.0))
        took = timer["done"] - timer["start"] if timer["done"] and timer["start"] else None
        asked.seconds = took / 1000 if took is not None else query_wall
        asked.results = status
        late = {n: p.requests for n, p in phases.items() if n.startswith("after") and p.requests}
        seen = [r for r in net.requests.values() if not r.cached and r.bytes is not None]
        return Session(
            load,
            asked,
            late,
            (len(seen), sum(r.bytes or 0 for r in seen)),
            (len(sent), sum(s.bytes for _, s in sent)),
            dict(net.worker_errors),
        )
    finally:
        context.close()


# ---------------------------------------------------------------------------- the queries


def _title_name(page: Path) -> str:
    """A page's own name: its <title> before the site's name."""
    found = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S)
    return found.group(1).split(" · ")[0].strip() if found else ""


def default_queries(site: Path) -> list[str]:
    """The common word, then a district, a sub-district and a project code of ``site``.

    The district is the one with the most funds in ``data/funds.csv``, the sub-district that of
    the fund in the middle of that file, the project the middle one of ``projects/``.
    """
    queries = [COMMON_WORD]
    funds_csv = site / "data/funds.csv"
    rows = list(csv.DictReader(funds_csv.open(encoding="utf-8-sig"))) if funds_csv.exists() else []
    districts = Counter(r["district_code"] for r in rows if r.get("district_code"))
    district = min(districts, key=lambda c: (-districts[c], c)) if districts else None
    if district is None:
        folders = sorted(p.name for p in (site / "districts").glob("*/index.html"))
        district = folders[len(folders) // 2] if folders else None
    if district and (site / f"districts/{district}/index.html").exists():
        name = _title_name(site / f"districts/{district}/index.html")
        name = re.sub(r"^(กิ่งอำเภอ|อำเภอ)", "", name)
        queries.append(re.sub(r"^เขต", "", name) if district.startswith("10") else name)
    subs = [r["subdistrict_code"] for r in rows if r.get("subdistrict_code")]
    if not subs:
        subs = sorted(p.parent.name for p in (site / "subdistricts").glob("*/index.html"))
    if subs and (site / f"subdistricts/{subs[len(subs) // 2]}/index.html").exists():
        name = _title_name(site / f"subdistricts/{subs[len(subs) // 2]}/index.html")
        queries.append(re.sub(r"^(ตำบล|แขวง)", "", name))
    projects = sorted(p.parent.name for p in (site / "projects").glob("*/index.html"))
    if projects:
        queries.append(projects[len(projects) // 2])
    return queries


# ---------------------------------------------------------------------------- the report


@dataclass
class Row:
    """One table row: the median over runs, with every run's figures kept for the JSON."""

    site: str
    phase: str
    requests: int
    kb: float
    seconds: float
    results: str
    runs: list[dict[str, Any]]


def _row(site: str, name: str, phases: list[Phase]) -> Row:
    return Row(
        site,
        name,
        round(statistics.median(p.requests for p in phases)),
        statistics.median(p.bytes for p in phases) / 1000,
        statistics.median(p.seconds for p in phases),
        next((p.results for p in phases if p.results), ""),
        [asdict(p) for p in phases],
    )


def bench_site(
    browser: Any,
    folder: Path,
    label: str,
    queries: list[str],
    repeat: int,
    throttle: bool,
    workers: bool = True,
) -> tuple[list[Row], list[Session]]:
    """Every query ``repeat`` times, each after its own cold load of the search page."""
    host = StaticHost(folder)
    thread = threading.Thread(target=host.serve_forever, daemon=True)
    thread.start()
    try:
        sessions: dict[str, list[Session]] = {q: [] for q in queries}
        for _ in range(repeat):
            for query in queries:
                sessions[query].append(measure(browser, host, query, throttle, workers))
        every = [s for runs in sessions.values() for s in runs]
        rows = [_row(label, "page ready", [s.load for s in every])]
        rows += [_row(label, f'query "{q}"', [s.query for s in sessions[q]]) for q in queries]
        return rows, every
    finally:
        host.shutdown()
        host.server_close()


def table(rows: list[Row]) -> str:
    """The rows as a markdown table."""
    lines = ["| site | phase | requests | KB | seconds | results |", "|---|---|---:|---:|---:|---|"]
    lines += [
        f"| {r.site} | {r.phase} | {r.requests} | {r.kb:,.1f} | {r.seconds:.2f} | {r.results} |"
        for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sites", type=Path, nargs="+", help="built site folders")
    parser.add_argument("--label", action="append", default=[], help="a name per site, in order")
    parser.add_argument(
        "--query",
        action="append",
        default=[],
        help="replaces the default queries (common word, district, "
        "sub-district, project code of the first site); 'word|province=NAME' picks a filter",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per query; medians shown")
    parser.add_argument("--no-throttle", action="store_true", help="full speed")
    parser.add_argument(
        "--no-workers", action="store_true", help="hide Worker: Pagefind on the main thread"
    )
    parser.add_argument(
        "--top", type=int, default=0, help="also list the N URLs with the most bytes per phase"
    )
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args()
    labels = args.label + [s.name for s in args.sites[len(args.label) :]]
    queries = args.query or default_queries(args.sites[0])
    throttle = not args.no_throttle

    rows: list[Row] = []
    notes: list[str] = []
    report: dict[str, Any] = {
        "queries": queries,
        "throttle": throttle,
        "workers": not args.no_workers,
        "sites": {},
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        profile = (
            f"{LATENCY_MS} ms latency, {THROUGHPUT * 8 / 1e6:.1f} Mbit/s down and up, "
            f"CPU {CPU_RATE}x slower"
            if throttle
            else "no throttling"
        ) + ("; Worker hidden (Pagefind on the main thread)" if args.no_workers else "")
        print(
            f"Search page cost, Chromium {browser.version}, {profile}; "
            f"cold load (cache disabled) per query, then the query in the same tab; "
            f"{args.repeat} run(s) each (medians), one noisy machine "
            f"(load average {os.getloadavg()[0]:.1f} at the start)."
        )
        print(
            f"Queries: {', '.join(queries)}. KB = 1,000 bytes over the network "
            f"(compressed, headers included).\n",
            flush=True,
        )
        for folder, label in zip(args.sites, labels, strict=False):
            site_rows, sessions = bench_site(
                browser, folder, label, queries, args.repeat, throttle, not args.no_workers
            )
            rows += site_rows
            cdp = [s.cdp_total for s in sessions]
            server = [s.server_total for s in sessions]
            late = Counter[str]()
            for s in sessions:
                late.update(s.late)
            in_workers = sum(r["worker_requests"] for row in site_rows for r in row.runs)
            notes.append(
                f"{label}: over {len(sessions)} tab(s) CDP saw {sum(c[0] for c in cdp)} "
                f"requests / {sum(c[1] for c in cdp) / 1000:,.1f} KB, the host sent "
                f"{sum(c[0] for c in server)} / {sum(c[1] for c in server) / 1000:,.1f} KB; "
                f"{in_workers} requests seen in workers"
                + (f"; started after a phase ended: {dict(late)}" if late else "")
            )
            report["sites"][label] = {
                "folder": str(folder),
                "rows": [asdict(r) for r in site_rows],
                "sessions": [asdict(s) for s in sessions],
            }
            if args.top:
                for row in site_rows:
                    urls: Counter[str] = Counter(row.runs[0]["urls"])
                    print(f"{label}, {row.phase}: top {args.top} URLs by bytes")
                    for url, size in urls.most_common(args.top):
                        print(f"  {size / 1000:9,.1f} KB  {urlsplit(url).path}")
            print(f"({label} done)", flush=True)
        browser.close()
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}\n")
    print(table(rows))
    print()
    for note in notes:
        print(f"- {note}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
