"""``fundsite serve``: build into a private folder, serve it on 127.0.0.1, rebuild on change.

:class:`DevServer` builds the site into its cache folder (:mod:`fundsite.cache`; never
``build/``), serves it with :class:`http.server.ThreadingHTTPServer`, watches ``content/``,
``data/`` and the themes with watchdog and rebuilds after a quiet spell of :data:`DEBOUNCE`
seconds. HTML responses (not the built files) get a small script that listens on
:data:`EVENTS_PATH` and reloads the page when a new good build is ready. When a build fails the
last good site stays up and the script shows the
problems (file:line:col, message and hint) over the page until a good build replaces it.

The form editor (Decap CMS, :mod:`fundsite.cms`) is at ``/admin/``: its page, bundle and
configuration come from :func:`fundsite.cms.admin.admin_file` (never from the built site, which
citizens read; 503 until a build has succeeded), with ``serve``'s own backend, which answers
Decap's requests at :data:`CMS_API` (:mod:`fundsite.cms.local_backend`). A save is checked
before anything is written, as an edit in a text editor is checked after: the record on its
own, then patched into the build kept in memory (or a full check of a temporary copy of the
site when the patch path cannot take it); an error refuses it, warnings come back with the
answer. The watcher then rebuilds, and the pages showing the record reload.

Any web page the developer has open can send requests to 127.0.0.1, so the server treats every
request as hostile (:class:`_Handler`): only ``GET`` and ``HEAD`` (405/501), and ``POST`` to
:data:`CMS_API` alone; only an origin-form
path of visible ASCII whose percent-decoding is UTF-8 without control characters, backslashes,
``.`` or ``..`` segments (400; 414 above :data:`MAX_TARGET` bytes; ``//x`` is moved to ``/x``, so
no redirect can name another host); only the ``Host`` the server is bound to (403: a page whose
name was rebound to 127.0.0.1 cannot read it) and no ``Origin`` of another site (403). A POST
must also come from no other site by ``Sec-Fetch-Site`` (403), be ``application/json`` (415:
another site's page cannot send that without a CORS preflight, and ``OPTIONS`` is refused), say
its ``Content-Length`` (411) of at most :data:`~fundsite.cms.local_backend.MAX_BODY` bytes
(413) and send its body within :data:`TIMEOUT` seconds too; its answers are JSON. The editor's
pages may not be framed by another page (``frame-ancestors 'none'``). Files are
read from the output without following a link (:mod:`fundsite.load.safe`). A connection must send
its whole request within :data:`TIMEOUT` seconds and every write must go through within as long;
event streams end after :data:`EVENTS_MAX_AGE` seconds (the browser reconnects). Refusals are
short plain text in Thai and English and never print a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import io
import json
import os
import re
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from fundsite.cache import site_cache
from fundsite.console import visible
from fundsite.diagnostics import Problem
from fundsite.load.safe import read_site_file, source_lines
from fundsite.messages import pick, ui

HOST = "127.0.0.1"
DEBOUNCE = 0.2  # seconds without file events before a rebuild starts
MAX_DELAY = 2.0  # …but never later than this after the first event of a burst
EVENTS_PATH = "/__fundsite/events"
SCRIPT_PATH = "/__fundsite/live.js"
WATCHED = ("content", "data", "themes")
MAX_SHOWN = 50  # problems listed in the overlay
TIMEOUT = 30.0  # seconds to send the whole request head, and for each write of a response
PING = 15.0  # seconds between pings of an idle event stream
EVENTS_MAX_AGE = 600.0  # an event stream ends after this; the page's EventSource reconnects
MAX_TARGET = 2048  # bytes of a request target (path and query)
MAX_SERVED = 1 << 30  # bytes of one served file
LINGER = 2.0  # seconds a refused client's unread bytes are drained, so it reads the refusal
ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")  # with the server's port, in Host
CMS_API = "/__fundsite/cms/api/v1"  # the form editor's requests go here (cms.config.LOCAL_API)
ADMIN = "/admin/"  # the form editor's page
#: The form editor's pages: no other page may frame them (a click on a hidden "save").
_ADMIN_HEADERS = (
    ("Content-Security-Policy", "frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
)

_TEXT: dict[str, tuple[str, str]] = {
    "serving": ("เปิดดูเว็บได้ที่ {url}  (กด Ctrl-C เพื่อหยุด)", "serving {url}  (Ctrl-C to stop)"),
    "built": (
        "สร้างเว็บใน {seconds:.2f} วินาที: {pages} หน้า",
        "built in {seconds:.2f} s: {pages} pages",
    ),
    "rebuilt": (
        "สร้างใหม่ใน {seconds:.2f} วินาที: {pages} หน้า",
        "rebuilt in {seconds:.2f} s: {pages} pages",
    ),
    "rendered": (" (แสดงผลใหม่ {rendered} หน้า)", " ({rendered} rendered)"),
    "finished": (
        "  หน้าสรุป {pages} หน้า เขียนเสร็จใน {seconds:.2f} วินาที"
        " (ข้อมูลเปิดและแคชของการสร้างเว็บกำลังเขียนอยู่เบื้องหลัง)",
        "  {pages} summary pages written in {seconds:.2f} s"
        " (open data and the build cache are being written in the background)",
    ),
    "writer-failed": (
        "  เขียนข้อมูลเปิดไม่สำเร็จ: การสร้างเว็บครั้งถัดไปจะเขียนใหม่",
        "  writing open data failed: the next build writes it again",
    ),
    "warnings": (", คำเตือน {n} รายการ", ", {n} warnings"),
    "search-on": (
        "ค้นหา: เปิด (ดัชนี {n} หน้า) แก้ไขไฟล์แล้วดัชนีจะสร้างใหม่เฉพาะส่วนที่เปลี่ยน (ไม่ต้องการค้นหา: --no-search)",
        "search: on ({n} pages indexed); an edit indexes the parts it changes again"
        " (--no-search to skip)",
    ),
    "search-later": (
        "ค้นหา: เปิด ดัชนีจะสร้างเมื่อสร้างเว็บสำเร็จ (ไม่ต้องการค้นหา: --no-search)",
        "search: on, indexed once a build succeeds (--no-search to skip)",
    ),
    "search-off": (
        "ค้นหา: ปิด (--no-search) หน้าค้นหาจะค้นไม่ได้ รันโดยไม่ใส่ --no-search เพื่อเปิด",
        "search: off (--no-search): the search page cannot search; run without --no-search"
        " to turn it on",
    ),
    "reindexed": (
        "  ดัชนีค้นหาสร้างใหม่ใน {seconds:.2f} วินาที",
        "  search index updated in {seconds:.2f} s",
    ),
    "failed": (
        "สร้างใหม่ไม่สำเร็จ ({seconds:.2f} วินาที): ยังแสดงเว็บรุ่นล่าสุดที่สร้างได้",
        "rebuild failed ({seconds:.2f} s): still serving the last good build",
    ),
    "crashed": ("fundsite ทำงานผิดพลาด: {detail}", "fundsite crashed: {detail}"),
    "overlay": (
        "สร้างเว็บใหม่ไม่สำเร็จ: พบข้อผิดพลาด {n} รายการ (หน้านี้ยังเป็นรุ่นล่าสุดที่สร้างได้)",
        "The site was not rebuilt: {n} errors (this page is the last good build)",
    ),
    "more": ("และอีก {n} รายการ (ดูทั้งหมดด้วย fundsite check)", "and {n} more (fundsite check)"),
    "close": ("ปิด", "Close"),
    "no-site": (
        "ยังไม่มีเว็บที่สร้างสำเร็จ แก้ข้อผิดพลาดแล้วหน้านี้จะโหลดใหม่เอง",
        "No good build yet: fix the errors and this page reloads by itself.",
    ),
    "stopped": ("หยุดแล้ว", "stopped"),
    "port-busy": (
        "พอร์ต {port} ถูกใช้อยู่: ลอง --port {other} หรือ --port 0 (พอร์ตว่างใดก็ได้)",
        "port {port} is in use: try --port {other}, or --port 0 for any free port",
    ),
    "no-admin": (
        "ตัวแก้ไขข้อมูลยังเปิดไม่ได้: ยังไม่มีเว็บที่สร้างสำเร็จ แก้ข้อผิดพลาดที่แสดงในหน้าต่างคำสั่ง"
        " (fundsite serve) แล้วโหลดหน้านี้ใหม่",
        "The form editor cannot open yet: no good build. Fix the errors shown where fundsite"
        " serve runs, then reload this page.",
    ),
    "admin-missing": ("ตัวแก้ไขข้อมูลไม่มีไฟล์นี้", "The form editor has no such file."),
    "cms-failed": (
        "ตัวแก้ไข: fundsite ทำงานผิดพลาด (ข้อบกพร่องของโปรแกรม ไม่ใช่ของข้อมูล): {detail}",
        "form editor: fundsite failed (a bug in fundsite, not in the records): {detail}",
    ),
    "cms-json": (
        "ตัวแก้ไขต้องส่งคำขอเป็น JSON (Content-Type: application/json)",
        "The editor must send JSON (Content-Type: application/json).",
    ),
    "cms-length": (
        "คำขอของตัวแก้ไขต้องบอกความยาว (Content-Length) และไม่ส่งแบบแบ่งส่วน",
        "The editor's request must state its Content-Length (no chunked body).",
    ),
    "cms-too-large": (
        "คำขอของตัวแก้ไขใหญ่เกินไป ({size:,} ไบต์ เกินขีดจำกัด {limit:,} ไบต์): ไฟล์ภาพต้องไม่เกิน"
        " {media:,} ไบต์",
        "The editor's request is too large ({size:,} bytes; the limit is {limit:,}): a photo may"
        " have at most {media:,} bytes.",
    ),
    "cms-bad-json": (
        "คำขอของตัวแก้ไขไม่ใช่ JSON ที่อ่านได้",
        "The editor's request is not readable JSON.",
    ),
    "cms-saved": ("ตัวแก้ไขบันทึก {path}", "the editor saved {path}"),
    "cms-lost": (
        "ตัวแก้ไข: ตรวจการแก้ไขแล้วคืนสภาพข้อมูลในหน่วยความจำไม่ได้ การสร้างเว็บครั้งถัดไปจะสร้างใหม่ทั้งหมด",
        "form editor: the kept check could not be put back; the next build builds everything",
    ),
    "wrong-host": (
        "ไม่ตอบคำขอที่ส่งถึง {host} (กันหน้าเว็บอื่นแอบอ่านผ่าน DNS rebinding): เปิดเว็บที่ {url}",
        "refused a request for host {host} (DNS rebinding protection): open {url}",
    ),
}

# The plain-text bodies of refusals: always both languages, never a word of the request.
_REFUSALS: dict[str, tuple[str, str]] = {
    "bad-request": (
        "คำขอผิดรูปแบบ: ตรวจที่อยู่หน้าเว็บแล้วลองใหม่",
        "Bad request: check the address and try again.",
    ),
    "bad-path": (
        "ที่อยู่หน้าเว็บผิดรูปแบบ (มีอักขระควบคุม, \\, . หรือ .. หรือเข้ารหัส % ผิด)",
        "Malformed path (control characters, \\, . or .. segments, or bad %-encoding).",
    ),
    "too-long": ("ที่อยู่หน้าเว็บยาวเกินไป", "The address is too long."),
    "headers": ("ส่วนหัวของคำขอยาวหรือมากเกินไป", "Request headers too long or too many."),
    "version": ("ไม่รองรับ HTTP รุ่นนี้", "This HTTP version is not supported."),
    "method": ("fundsite serve ตอบเฉพาะ GET และ HEAD", "fundsite serve answers GET and HEAD only."),
    "post-only": (
        "ที่อยู่นี้รับเฉพาะคำขอ POST ของตัวแก้ไขข้อมูล (/admin/)",
        "This address only takes the form editor's POST requests (/admin/).",
    ),
    "host": (
        "fundsite serve ตอบเฉพาะคำขอที่ส่งถึง 127.0.0.1:{port}: เปิด {url} แทน",
        "fundsite serve only answers requests addressed to 127.0.0.1:{port}: open {url} instead.",
    ),
    "origin": (
        "หน้าเว็บจากที่อื่นอ่านข้อมูลจาก fundsite serve ไม่ได้: เปิด {url} โดยตรง",
        "Pages of other sites cannot read fundsite serve: open {url} directly.",
    ),
    "refused": ("ไม่ตอบคำขอนี้", "Request refused."),
}
_REFUSAL_FOR_STATUS = {400: "bad-request", 414: "too-long", 431: "headers", 505: "version"}
_REFUSAL_FOR_STATUS |= {405: "method", 501: "method"}
_SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Resource-Policy", "same-origin"),  # no other site may embed a response
)
_KNOWN_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 token: a method name
_PERCENT_OK = re.compile(r"(?:[^%]|%[0-9A-Fa-f]{2})*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")  # C0, DEL, C1 and the backslash


def _t(key: str, lang: str, **params: Any) -> str:
    return pick(_TEXT[key], lang).format(**params)


# The page side: reload on a new good build, show the problems of a failed one (textContent only,
# so record text is never parsed as HTML).
LIVE_JS = b"""(() => {
  "use strict";
  const shown = (document.currentScript && document.currentScript.dataset.build) || "";
  const ID = "fundsite-overlay";
  const mono = "font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;";
  function clear() { const o = document.getElementById(ID); if (o) o.remove(); }
  function el(tag, css, text) {
    const e = document.createElement(tag);
    if (css) e.style.cssText = css;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function show(d) {
    clear();
    const box = el("div", "position:fixed;z-index:2147483647;top:0;left:0;right:0;" +
      "max-height:70vh;overflow:auto;margin:0;padding:14px 20px;background:#fff5f5;" +
      "color:#1a1a1a;border-bottom:4px solid #c62828;box-shadow:0 4px 18px rgba(0,0,0,.3);" +
      "font:15px/1.6 system-ui,sans-serif;text-align:left");
    box.id = ID;
    box.setAttribute("role", "alert");
    const close = el("button", "float:right;font:inherit;border:1px solid #c62828;" +
      "background:#fff;color:#b71c1c;border-radius:4px;cursor:pointer;padding:0 .6em;" +
      "min-height:0;line-height:1.4", "\\u00d7");
    close.setAttribute("aria-label", d.close);
    close.onclick = clear;
    box.append(close, el("strong", "display:block;color:#b71c1c;font-size:17px;" +
      "margin-bottom:.4em", d.title));
    const list = el("ol", "margin:0;padding-left:1.6em");
    for (const p of d.problems) {
      const li = el("li", "margin:.5em 0");
      li.className = "fundsite-problem";
      if (p.where) li.append(el("code", mono + "background:#fde0e0;padding:0 .3em;" +
        "border-radius:3px", p.where), " ");
      li.append(el("span", "", p.message));
      if (p.source) li.append(el("pre", mono + "margin:.2em 0;white-space:pre-wrap;" +
        "color:#555", p.source));
      if (p.hint) li.append(el("div", "color:#1b5e20", "\\u2192 " + p.hint));
      list.append(li);
    }
    box.append(list);
    if (d.more) box.append(el("p", "margin:.4em 0 0", d.more));
    (document.body || document.documentElement).append(box);
  }
  const events = new EventSource("/__fundsite/events");
  let last = "";
  events.onmessage = (e) => {
    if (e.data === last) return;  // the same state again, after the stream reconnected
    last = e.data;
    const d = JSON.parse(e.data);
    const here = decodeURIComponent(location.pathname).replace(/index\\.html$/, "");
    const mine = !d.only || d.only.includes(here);  // only: the pages that changed, if known
    if (d.good && d.good !== shown && mine) { events.close(); location.reload(); return; }
    if (d.ok) clear(); else show(d);
  };
})();
"""


def inject_live_script(html: bytes, build: str) -> bytes:
    """``html`` with the live-reload script tag before ``</body>`` (or at the end)."""
    tag = f'<script src="{SCRIPT_PATH}" data-build="{build}"></script>'.encode()
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


def _is_text(content_type: str) -> bool:
    return content_type.startswith("text/") or content_type in (
        "application/json",
        "application/javascript",
        "application/xml",
        "application/atom+xml",
        "image/svg+xml",
    )


@dataclass(frozen=True)
class BuildStatus:
    """One finished build, good or not."""

    number: int  # 1 for the first build of this server
    ok: bool
    pages: int
    seconds: float
    problems: tuple[Problem, ...]
    error: str | None = None  # the exception, when the build itself crashed
    changed: tuple[str, ...] = ()  # the files whose change started it


def request_path(target: str) -> str | None:
    """The decoded path of an HTTP request target, or None when it is not a clean origin-form
    path: one leading ``/`` (not ``//``, ``*`` or ``http://…``), visible ASCII only, no ``#``,
    valid %-escapes of UTF-8, and once decoded no control character, backslash, ``.`` or ``..``
    segment. The query is dropped. So ``/projects/62-%E0%B8%82-041/`` is
    ``/projects/62-ข-041/`` and ``/..%2fetc/passwd`` is None. (The handler moves ``//x`` to
    ``/x`` before asking.)"""
    if not target.startswith("/") or target.startswith("//"):
        return None
    if not all("!" <= c <= "~" for c in target) or "\\" in target or "#" in target:
        return None
    raw = target.partition("?")[0]
    if not _PERCENT_OK.fullmatch(raw):
        return None
    try:
        path = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if path.startswith("//") or _CONTROL.search(path):
        return None
    if any(part in (".", "..") for part in path.split("/")):
        return None
    return path


class _HeadReader(socket.SocketIO):
    """The socket's reading side, which gives up (TimeoutError) once ``deadline`` has passed:
    a client sending its request a byte at a time gets no more time than an idle one."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__(sock, "rb")
        self.deadline: float | None = deadline

    def readinto(self, b: Any) -> int | None:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request head took too long")
            self._sock.settimeout(left)  # type: ignore[attr-defined]
        return super().readinto(b)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    dev: DevServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused_hosts: set[str] = set()  # said once in the terminal each
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the browser went away, or was too slow
        self.dev.log("".join(traceback.format_exc()).rstrip())


class _Handler(SimpleHTTPRequestHandler):
    """Static files of the last good build, with the live script in HTML; plus the event stream.

    Every request is checked before anything is looked up (:meth:`parse_request`): see the
    module's docstring. A request without ``Host`` is answered only in HTTP/1.0 (HTTP/1.1 makes
    it a 400): a browser always sends ``Host``, so a page whose name was rebound to 127.0.0.1
    cannot leave it out, while a hand-made ``printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc`` works.
    """

    server: _HTTPServer
    default_request_version = "HTTP/1.0"  # a malformed request line still gets a status line
    _head: _HeadReader | None = None
    _path = "/"  # the decoded path of the request, once it passed the checks
    _linger = False  # a refusal was sent: drain what the client sent before closing
    _moved: str | None = None  # "//x?q": where "/x?q" is, once the request passed the checks

    def version_string(self) -> str:
        return "fundsite"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        self.timeout = self.server.dev.timeout
        super().setup()
        self.rfile.close()  # read through a deadline instead
        self._head = _HeadReader(self.connection, time.monotonic() + self.timeout)
        self.rfile = io.BufferedReader(self._head)

    def finish(self) -> None:
        super().finish()
        if self._linger:
            self._drain()

    def _drain(self) -> None:
        """Lingering close: a socket closed with unread bytes sends a reset, which can destroy
        the refusal before the client reads it, so read (≤ 1 MiB, ≤ :data:`LINGER` s) first."""
        sock = self.connection
        with contextlib.suppress(OSError):  # TimeoutError, ConnectionError included
            sock.shutdown(socket.SHUT_WR)
            ends = time.monotonic() + min(self.timeout, LINGER)
            drained = 0
            while drained < 1 << 20 and (left := ends - time.monotonic()) > 0:
                sock.settimeout(left)
                chunk = sock.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)

    def parse_request(self) -> bool:
        if not super().parse_request():  # 400, 414, 431, 505 from http.server
            return False
        self._head_done()
        refusal = self._check()
        if refusal is None:
            return True
        status, key, headers = refusal
        self._refuse(status, key, headers)
        return False

    def _head_done(self) -> None:
        """The request is read (or refused): from now on, ``timeout`` for each write."""
        if self._head is not None and self._head.deadline is not None:
            self._head.deadline = None
            self.connection.settimeout(self.timeout)

    def _check(self) -> tuple[int, str, tuple[tuple[str, str], ...]] | None:
        """(status, refusal, extra headers) when the request is not to be answered."""
        words = self.requestline.split()
        if len(words) != 3:  # HTTP/0.9: no headers, so no Host to check
            return 400, "bad-request", ()
        if not _TOKEN.fullmatch(self.command or ""):
            return 400, "bad-request", ()
        allow = (("Allow", "GET, HEAD"),)
        if self.command not in ("GET", "HEAD", "POST"):
            return (405, "method", allow) if self.command in _KNOWN_METHODS else (501, "method", ())
        target = words[1]  # not self.path, where http.server has made "//x" into "/x"
        if self.command == "POST" and target.partition("?")[0] != CMS_API:
            return 405, "method", allow  # the only place that takes a POST: the editor's API
        if len(target) > MAX_TARGET:
            return 414, "too-long", ()
        if target.startswith("//"):  # a sloppy join, or an open redirect's bait: moved, below
            target = self._moved = "/" + target.lstrip("/")
        path = request_path(target)
        if path is None:
            return 400, "bad-path", ()
        self._path = path
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1 or (not hosts and self.request_version != "HTTP/1.0"):
            return 400, "bad-request", ()
        allowed = self._allowed_hosts()
        if hosts and hosts[0].strip().lower() not in allowed:
            self._note_refused(hosts[0])
            return 403, "host", ()
        origins = self.headers.get_all("Origin") or []
        if any(o.strip().lower() not in {f"http://{h}" for h in allowed} for o in origins):
            return 403, "origin", ()
        if path == CMS_API and self.command != "POST":
            return 405, "post-only", (("Allow", "POST"),)
        if self.command == "POST":
            sites = self.headers.get_all("Sec-Fetch-Site") or []
            if any(v.strip().lower() not in ("same-origin", "none") for v in sites):
                return 403, "origin", ()
        return None

    def _allowed_hosts(self) -> set[str]:
        port = self.server.server_address[1]
        allowed = {f"{name}:{port}" for name in ALLOWED_HOSTS}
        if port == 80:  # browsers leave the default port out
            allowed.update(ALLOWED_HOSTS)
        return allowed

    def _note_refused(self, host: str) -> None:
        """Say in the terminal (once per host) why a page got nothing."""
        shown = ascii(host[:100])
        with self.server.lock:
            if shown in self.server.refused_hosts or len(self.server.refused_hosts) >= 20:
                return
            self.server.refused_hosts.add(shown)
        dev = self.server.dev
        dev.log(dev.text("wrong-host", host=shown, url=dev.url))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals, as plain text that never repeats the request."""
        self._refuse(code, _REFUSAL_FOR_STATUS.get(code, "refused"), ())

    def _refuse(self, status: int, key: str, headers: tuple[tuple[str, str], ...]) -> None:
        url = self.server.dev.url
        port = self.server.server_address[1]
        phrase = self.responses.get(status, ("",))[0]
        lines = [f"{status} {phrase}".rstrip()]
        lines += [line.format(url=url, port=port) for line in _REFUSALS[key]]
        data = ("\n".join(lines) + "\n").encode()
        self._head_done()
        self.close_connection = self._linger = True
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def end_headers(self) -> None:
        for name, value in _SECURITY_HEADERS:
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def _respond(self, body: bool) -> None:
        dev = self.server.dev
        path = self._path
        if self._moved is not None:  # "//x": always a path of this server, never a host
            self._redirect(self._moved)
            return
        if path == EVENTS_PATH:
            self._events(body)
            return
        if path == SCRIPT_PATH:
            self._send(200, "text/javascript; charset=utf-8", LIVE_JS, body)
            return
        if path == ADMIN.rstrip("/"):
            query = self.requestline.split()[1].partition("?")[2]
            self._redirect(ADMIN + (f"?{query}" if query else ""))
            return
        if path.startswith(ADMIN):
            self._admin(path.removeprefix(ADMIN), body)
            return
        build = dev.shown_build()  # read before the file: the file is at least this new
        dev.settle()
        rel = "/".join(part for part in path.split("/") if part)
        if rel and not path.endswith("/") and dev.is_dir(rel):
            raw, _, query = self.requestline.split()[1].partition("?")
            self._redirect(raw + "/" + (f"?{query}" if query else ""))
            return
        if not rel:
            rel = "index.html"
        elif path.endswith("/"):
            rel += "/index.html"
        status, data = 200, dev.read(rel)
        if data is None:
            status, rel = 404, "404.html"
            data = dev.read(rel)
            if data is None:
                data = f"<!doctype html><meta charset=utf-8><p>{dev.text('no-site')}".encode()
        content_type = self.guess_type(rel)
        if content_type == "text/html":
            data = inject_live_script(data, build)
        if _is_text(content_type):
            content_type += "; charset=utf-8"
        self._send(status, content_type, data, body)

    def _admin(self, rel: str, body: bool) -> None:
        """A file of the form editor (never the built site's ``admin/``, never the live script:
        a rebuild after a save must not reload the editor)."""
        dev = self.server.dev
        status, data = dev.admin(rel)
        if data is None:  # in both languages, as refusals are
            text = "\n".join(_TEXT["no-admin" if status == 503 else "admin-missing"]) + "\n"
            self._send(status, "text/plain; charset=utf-8", text.encode(), body, _ADMIN_HEADERS)
            return
        content_type = self.guess_type(rel or "index.html")
        if _is_text(content_type):
            content_type += "; charset=utf-8"
        self._send(200, content_type, data, body, _ADMIN_HEADERS)

    def do_POST(self) -> None:
        """The form editor's request (:mod:`fundsite.cms.local_backend`), answered in JSON."""
        from fundsite.cms.local_backend import MAX_BODY
        from fundsite.validate.media import MAX_MEDIA_BYTES

        dev = self.server.dev
        self.close_connection = True
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        lengths = self.headers.get_all("Content-Length") or []
        if kind != "application/json":
            self._json(415, {"error": dev.text("cms-json")}, linger=True)
            return
        if self.headers.get("Transfer-Encoding") or len(lengths) != 1 or not lengths[0].isdigit():
            self._json(411, {"error": dev.text("cms-length")}, linger=True)
            return
        size = int(lengths[0])
        if size > MAX_BODY:
            text = dev.text("cms-too-large", size=size, limit=MAX_BODY, media=MAX_MEDIA_BYTES)
            self._json(413, {"error": text}, linger=True)
            return
        if self._head is not None:  # the body, too, within the timeout
            self._head.deadline = time.monotonic() + self.timeout
        try:
            data = self.rfile.read(size)
        except (TimeoutError, OSError):
            return  # too slow, or gone: no answer
        finally:
            self._head_done()
        if len(data) != size:
            return
        try:
            request = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            self._json(400, {"error": dev.text("cms-bad-json")})
            return
        try:
            status, answer = dev.cms(request)
        except Exception as exc:
            dev.log(traceback.format_exc().rstrip())
            detail = f"{type(exc).__name__}: {exc}"[:300]
            status, answer = 500, {"error": dev.text("cms-failed", detail=detail)}
        self._json(status, answer)

    def _json(self, status: int, value: Any, linger: bool = False) -> None:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._linger = linger  # a refused body is drained, so the client reads the answer
        self._send(status, "application/json; charset=utf-8", data, True)

    def _redirect(self, location: str) -> None:
        """301 to ``location``: a checked target of this server (one leading ``/``)."""
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(
        self,
        status: int,
        content_type: str,
        data: bytes,
        body: bool,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self, body: bool) -> None:
        """Server-sent events: the state after every build, a ping every :data:`PING` seconds;
        the stream ends after :data:`EVENTS_MAX_AGE` seconds (the page reconnects), and a
        write that cannot go through in ``timeout`` seconds (a client that stopped reading)
        ends it sooner."""
        dev = self.server.dev
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not body:
            return
        self.wfile.write(b"retry: 1000\n\n")
        seen = 0
        ends = time.monotonic() + EVENTS_MAX_AGE
        while True:
            left = ends - time.monotonic()
            if left <= 0:
                return
            number, payload = dev.next_event(seen, timeout=min(PING, left))
            if number < 0:
                return  # stopping
            if number != seen:
                self.wfile.write(b"data: " + payload + b"\n\n")
                seen = number
            elif time.monotonic() < ends:
                self.wfile.write(b": ping\n\n")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class DevServer:
    """Build ``site``, serve it on ``127.0.0.1:port`` (0: any free port), rebuild on change.

    ``start()`` binds, builds once and returns; ``stop()`` shuts everything down. ``builds``
    counts finished builds; ``wait_for_build(after)`` blocks until build number ``after + 1``
    (or later) has finished. ``timeout``: seconds a connection has to send its request, and
    each write of a response to go through (:data:`TIMEOUT`). ``search`` builds the search
    index too, and indexes again the parts of it that an edit changes.
    """

    def __init__(
        self,
        site: Path,
        port: int = 0,
        lang: str = "th",
        search: bool = True,
        workers: int | None = None,
        out: Path | None = None,
        debounce: float = DEBOUNCE,
        log: Callable[[str], None] | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self.site = Path(site).resolve()
        self.out = (out or site_cache(self.site) / "serve").resolve()
        self.port = port
        self.lang = lang
        self.search = search
        self.workers = workers
        self.debounce = debounce
        self.timeout = timeout
        self._log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self._log_lock = threading.Lock()
        self._token = secrets.token_hex(4)  # tells this server's builds from an earlier one's
        self._changes = threading.Condition()  # guards the fields below it
        self._changed: dict[str, None] = {}
        self._first_event = 0.0
        self._last_event = 0.0
        self._rewatch = False
        self._built = threading.Condition()  # guards the fields below it
        self._status: BuildStatus | None = None
        self._good = 0
        self._payload = b"{}"
        self._events = 0  # payloads published: one per build, one more when finish() renders
        self._building = False
        self._stopping = False
        self._http: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._observer: Any = None
        self._kept: Any = None  # the last build, kept to patch edits into (under _kept_lock)
        self._kept_lock = threading.RLock()  # the builder, and the editor's check of a save
        self._save_lock = threading.Lock()  # one save of the editor at a time

    # ---- public API ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._http is None:
            raise RuntimeError("the server is not started")
        return f"http://{HOST}:{self._http.server_address[1]}/"

    @property
    def address(self) -> tuple[str, int]:
        if self._http is None:
            raise RuntimeError("the server is not started")
        host, port = self._http.server_address[:2]
        return str(host), int(port)

    @property
    def started(self) -> bool:
        return self._http is not None

    @property
    def builds(self) -> int:
        with self._built:
            return self._status.number if self._status else 0

    @property
    def status(self) -> BuildStatus | None:
        with self._built:
            return self._status

    def start(self) -> None:
        """Bind the port, start watching, build once, then serve and rebuild in the background."""
        handler = functools.partial(_Handler, directory=str(self.out))
        self._http = _HTTPServer((HOST, self.port), handler)
        self._http.dev = self
        self._spawn(self._http.serve_forever, "fundsite-http")
        self._watch()
        self._rebuild(())
        self._spawn(self._builder, "fundsite-builder")
        self.log(self.text("serving", url=self.url))
        self.log(self._search_state())

    def stop(self) -> None:
        """Stop watching, close event streams and the server; wait briefly for a running build."""
        if self._stopping:
            return
        with self._changes:
            self._stopping = True
            self._changes.notify_all()
        with self._built:
            self._built.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        if not any(thread.is_alive() for thread in self._threads):
            self._settle()  # the build cache then says open data is to be written again

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for_build(self, after: int, timeout: float = 30.0) -> BuildStatus:
        """The first build numbered above ``after``; TimeoutError if none finishes in time."""
        with self._built:
            if not self._built.wait_for(
                lambda: self._status is not None and self._status.number > after, timeout
            ):
                raise TimeoutError(f"no build after #{after} within {timeout} s")
            assert self._status is not None
            return self._status

    def request_rebuild(self, reason: str = "") -> None:
        """Rebuild after the debounce, as if ``reason`` (a path) had changed."""
        with self._changes:
            now = time.monotonic()
            if not self._changed:
                self._first_event = now
            self._changed[reason] = None
            self._last_event = now
            self._changes.notify_all()

    def serve_forever(self) -> None:
        """Block until Ctrl-C (KeyboardInterrupt propagates to the caller)."""
        while True:
            time.sleep(0.5)

    # ---- helpers for the handler ------------------------------------------------------------

    def text(self, key: str, **params: Any) -> str:
        return _t(key, self.lang, **params)

    def log(self, message: str) -> None:
        with self._log_lock, contextlib.suppress(Exception):  # a closed stderr is no reason to stop
            self._log(message)

    def shown_build(self) -> str:
        """The label of the good build being served ("" before the first good build)."""
        with self._built:
            return f"{self._token}.{self._good}" if self._good else ""

    def settle(self) -> None:
        """Wait (≤ 1 s) while a build swaps its new output in place of the old one."""
        for _ in range(100):
            if self.out.exists():
                return
            time.sleep(0.01)

    def is_dir(self, rel: str) -> bool:
        """Whether ``rel`` (``/``-separated, relative) is a folder of the output."""
        return os.path.isdir(self.out / rel)  # False for any error, too long names included

    def read(self, rel: str) -> bytes | None:
        """The regular file ``rel`` (``/``-separated, relative) of the output, or None; no link
        is followed on the way. Rides out the moment a build swaps the folder in."""
        for attempt in range(3):
            try:
                return read_site_file(self.out, rel, MAX_SERVED)
            except (FileNotFoundError, NotADirectoryError):
                with self._built:
                    building = self._building
                if attempt == 2 or not (building or not self.out.exists()):
                    return None
                time.sleep(0.05)
            except (OSError, ValueError):  # a link, a folder, a device, a name too long
                return None
        return None

    def next_event(self, seen: int, timeout: float) -> tuple[int, bytes]:
        """(number, JSON state) once a state after number ``seen`` is published (after each
        build, and again when the pages that sum up records follow); -1 when stopping."""
        with self._built:
            self._built.wait_for(lambda: self._stopping or self._events > seen, timeout)
            if self._stopping:
                return -1, b""
            return self._events, self._payload

    # ---- the form editor --------------------------------------------------------------------

    def admin(self, rel: str) -> tuple[int, bytes | None]:
        """(status, bytes) of ``/admin/<rel>``: 503 before a good build, 404 for no such file.
        The configuration is made from the kept build's records, with ``serve``'s backend."""
        from datetime import date

        from fundsite.cms.admin import admin_file
        from fundsite.cms.config import backend

        if rel.endswith(".json"):  # made from the records: not while a build changes them
            with self._kept_lock:
                kept = self._kept
                if kept is None:
                    return 503, None
                data = admin_file(kept.state.graph, backend(None, local=True), date.today(), rel)
        else:  # the page and the bundle: the same files whatever the records
            kept = self._kept
            with self._built:
                good = self._good
            if kept is None and not good:
                return 503, None
            graph = kept.state.graph if kept is not None else None
            data = admin_file(graph, backend(None, local=True), date.today(), rel)  # type: ignore[arg-type]
        return (200, data) if data is not None else (404, None)

    def cms(self, request: Any) -> tuple[int, Any]:
        """Answer one request of the form editor (:func:`fundsite.cms.local_backend.handle`);
        one at a time. Each file it writes is rebuilt at once (the watcher would see it too)."""
        from fundsite.cms.local_backend import handle

        def written(rel: str) -> None:
            self.log(self.text("cms-saved", path=visible(rel)))
            self.request_rebuild(str(self.site / rel))

        with self._save_lock:
            return handle(self.site, request, self._cms_check, self.lang, written)

    def _cms_check(self, changes: dict[str, bytes | None]) -> list[Problem] | None:
        """The problems a save brings: patched into the kept build and back when the patch path
        takes it (``fundsite.update``'s check); else a full check of a temporary copy of the
        site, against the kept build's problems."""
        from fundsite.cms.local_backend import StateLost, overlay_check, patch_check

        baseline = None
        with self._kept_lock:
            kept = self._kept
            if kept is not None:
                try:
                    found = patch_check(kept.state, changes)
                except StateLost:
                    self._kept = None  # the next change builds everything again
                    self.log(self.text("cms-lost"))
                    found = None
                except Exception:  # the state is as it was: check everything instead
                    self.log(traceback.format_exc().rstrip())
                    found = None
                if found is not None:
                    return found
                if self._kept is not None:
                    baseline = (kept.state.graph.today, kept.state.problems())
        return overlay_check(self.site, changes, baseline, workers=self.workers)

    # ---- building ---------------------------------------------------------------------------

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _builder(self) -> None:
        """Wait for changes, let a burst settle for ``debounce`` seconds, rebuild; repeat."""
        while True:
            with self._changes:
                self._changes.wait_for(lambda: self._stopping or bool(self._changed))
                while not self._stopping:
                    now = time.monotonic()
                    due = min(self._last_event + self.debounce, self._first_event + MAX_DELAY)
                    if now >= due:
                        break
                    self._changes.wait(due - now)
                if self._stopping:
                    return
                changed = tuple(p for p in self._changed if p)
                self._changed = {}
                rewatch, self._rewatch = self._rewatch, False
            try:
                if rewatch:
                    self._watch()
                self._rebuild(changed)
            except Exception:  # never let the builder thread die: the next change retries
                self.log(traceback.format_exc().rstrip())
                with self._built:
                    self._building = False

    def _rebuild(self, changed: tuple[str, ...]) -> None:
        """One build; never raises. Publishes the new state to the browsers and the terminal.
        The form editor's check of a save (which patches the kept build and back) waits."""
        with self._kept_lock:
            self._rebuild_kept(changed)

    def _rebuild_kept(self, changed: tuple[str, ...]) -> None:
        from fundsite.build import build

        with self._built:
            self._building = True
        started = time.perf_counter()
        error = None
        result: Any = None
        pending: Any = None
        try:
            self._settle()
            done = self._update(changed)
            if done is None:
                self._kept = None
                result = build(
                    self.site, self.out, workers=self.workers, index=self.search, keep=True
                )
                self._kept = result.kept
            else:
                result, pending = done
        except Exception as exc:
            self._kept = None
            self.log(traceback.format_exc().rstrip())
            error = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
        ok = result is not None and result.ok
        with self._built:
            number = (self._status.number if self._status else 0) + 1
        status = BuildStatus(
            number,
            ok,
            result.pages if result is not None else 0,
            seconds,
            tuple(result.problems) if result is not None else (),
            error,
            changed,
        )
        payload = self._payload_for(status)
        try:  # first, so the terminal is never behind the browsers
            self._report(status, result)
        except Exception:
            self.log(traceback.format_exc().rstrip())
        with self._built:
            if ok:
                self._good += 1
            self._status = status
            self._payload = payload
            self._events += 1
            self._building = False
            self._built.notify_all()
        if pending is not None:
            self._finish(pending)

    def _update(self, changed: tuple[str, ...]) -> Any:
        """The fast path (:mod:`fundsite.update`) for edits of records; None: build instead."""
        from fundsite.update import update

        if self._kept is None:
            return None
        files = [
            _relative(path, self.site)
            for path in changed
            if Path(path).exists() or path.endswith(".md")  # not an editor's vanished temp file
        ]
        return update(self._kept, files) if files else None

    def _settle(self) -> None:
        """Stop the last update's open-data writer, which would write over what comes next
        (``update`` would stop it too, but a build would not), and say if it had failed."""
        from fundsite.update import settle

        if self._kept is not None and settle(self._kept) == 1:
            self.log(self.text("writer-failed"))

    def _search_state(self) -> str:
        """Whether search is on, and how many pages the first build indexed."""
        if not self.search:
            return self.text("search-off")
        kept = self._kept
        if kept is None or not kept.manifest.indexed:
            return self.text("search-later")
        return self.text("search-on", n=f"{len(kept.manifest.parts):,}")

    def _finish(self, pending: Any) -> None:
        """After the browsers have the record's pages: the pages that sum up records (browsers
        showing one of them reload again), then open data, search index and build cache."""
        from fundsite.update import finish, summarize

        try:
            started = time.perf_counter()
            summed = summarize(pending)
            seconds = time.perf_counter() - started
            self.log(self.text("finished", seconds=seconds, pages=len(summed)))
        except Exception:
            self._kept = None  # the next change builds everything again
            self.log(traceback.format_exc().rstrip())
            return
        if summed:
            only = ["/" + page.removesuffix("index.html") for page in summed]
            with self._built:
                if self._status is not None and self._status.ok:
                    self._payload = self._payload_for(self._status, only)
                    self._good += 1
                    self._events += 1
                    self._built.notify_all()
        try:
            timings = finish(pending, background=True)
        except Exception:
            self._kept = None
            self.log(traceback.format_exc().rstrip())
            return
        if "index" in timings:
            self.log(self.text("reindexed", seconds=timings["index"]))

    def _payload_for(self, status: BuildStatus, only: list[str] | None = None) -> bytes:
        """What the page script gets: the good build to show and the errors of this one;
        ``only``: the URL paths of the pages that changed, when only those need to reload."""
        good = f"{self._token}.{self._good + 1 if status.ok else self._good}"
        data: dict[str, Any] = {
            "build": status.number,
            "ok": status.ok,
            "good": good if (status.ok or self._good) else None,
            "close": self.text("close"),
        }
        if only is not None:
            data["only"] = only
        if not status.ok:
            shown = [self._describe(p) for p in status.problems if p.severity == "error"]
            if status.error:
                shown.append({"where": "", "message": self.text("crashed", detail=status.error)})
            data["title"] = self.text("overlay", n=len(shown))
            data["problems"] = shown[:MAX_SHOWN]
            if len(shown) > MAX_SHOWN:
                data["more"] = self.text("more", n=len(shown) - MAX_SHOWN)
        return json.dumps(data, ensure_ascii=True).encode("ascii")

    def _describe(self, problem: Problem) -> dict[str, str]:
        from fundsite.messages import render

        try:
            message, hint = render(problem, self.lang)
        except Exception as exc:  # a message with a missing parameter must not hide the problem
            message, hint = f"{problem.code} ({exc})", None
        lines = source_lines(self.site, problem.file)  # [] for a link: its target never shows
        source = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
        return {
            "where": f"{problem.file}:{problem.line}:{problem.col}",
            "message": message,
            "hint": hint or "",
            "source": source,
        }

    def _report(self, status: BuildStatus, result: Any) -> None:
        """The rebuild's one-line summary (and the problems, when it failed) on stderr."""
        if status.ok:
            line = self.text(
                "rebuilt" if status.number > 1 else "built",
                seconds=status.seconds,
                pages=status.pages,
            )
            rendered = getattr(result, "rendered", None)
            if rendered is not None and rendered != status.pages:
                line += self.text("rendered", rendered=rendered)
            warnings = sum(p.severity == "warning" for p in status.problems)
            if warnings:
                line += self.text("warnings", n=warnings)
            stages = " · ".join(f"{k} {v:.2f}" for k, v in (result.seconds or {}).items())
            if stages:
                line += f"  [{stages}]"
        else:
            line = ""
            errors = [p for p in status.problems if p.severity == "error"]
            if errors:
                from fundsite import console

                try:
                    line = console.human(errors, self.site, self.lang, 0) + "\n"
                except Exception:
                    line = "".join(f"{p.file}:{p.line}:{p.col}: {p.code}\n" for p in errors)
            line += self.text("failed", seconds=status.seconds)
        if status.changed:  # an existing file rather than an editor's temporary one
            first = next((p for p in status.changed if Path(p).exists()), status.changed[0])
            shown = visible(_relative(first, self.site))
            more = f" +{len(status.changed) - 1}" if len(status.changed) > 1 else ""
            line += f"  ← {shown}{more}"
        self.log(line)

    # ---- watching ---------------------------------------------------------------------------

    def _folders(self) -> list[Path]:
        from fundsite.render.engine import THEMES

        folders: dict[Path, None] = {}
        for folder in [*(self.site / name for name in WATCHED), *THEMES]:
            if folder.is_dir():
                folders[folder.resolve()] = None
        return list(folders)

    def _watch(self) -> None:
        """(Re)start watching the folders that exist now, and the site folder for new ones."""
        from watchdog.observers import Observer

        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        observer = Observer()
        handler = _Events(self)
        for folder in self._folders():
            observer.schedule(handler, str(folder), recursive=True)
        observer.schedule(handler, str(self.site), recursive=False)
        observer.daemon = True
        observer.start()
        self._observer = observer

    def _on_event(self, path: str, top_level: bool) -> None:
        if top_level:  # content/, data/ or themes/ appeared or went away
            with self._changes:
                self._rewatch = True
        self.request_rebuild(path)


_REACT = frozenset({"created", "deleted", "modified", "moved", "closed"})
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload")


def _relative(path: str, site: Path) -> str:
    try:
        return Path(path).relative_to(site).as_posix()
    except ValueError:
        return path


def _ignored(path: str) -> bool:
    """Editor droppings and caches: swap, backup and lock files, __pycache__, .git."""
    p = Path(path)
    name = p.name
    if name.startswith((".#", ".~lock")) or name.endswith(_IGNORED_SUFFIXES) or name == "4913":
        return True
    return any(part in ("__pycache__", ".git", ".fundsite-cache") for part in p.parts)


class _Events(FileSystemEventHandler):
    """watchdog handler: every write, creation, deletion or move under a watched folder."""

    def __init__(self, dev: DevServer) -> None:
        super().__init__()
        self.dev = dev

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type not in _REACT:
            return  # opened / closed_no_write: the build itself reading the files
        if event.is_directory and event.event_type in ("modified", "closed"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = raw.decode() if isinstance(raw, bytes) else str(raw)
            if not path or _ignored(path):
                continue
            parent = Path(path).parent
            if parent == self.dev.site:
                if Path(path).name in WATCHED:
                    self.dev._on_event(path, top_level=True)
            else:
                self.dev._on_event(path, top_level=False)


def run(args: argparse.Namespace) -> int:
    """``fundsite serve`` from the command line."""
    site = Path(args.site)
    if not site.is_dir():
        print(ui("no-folder", args.lang, path=visible(str(site))), file=sys.stderr)
        return 2
    dev = DevServer(
        site,
        port=args.port,
        lang=args.lang,
        search=args.search,
        workers=getattr(args, "jobs", None),
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly on kill too
    try:
        dev.start()
        dev.serve_forever()
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        if dev.started:
            raise
        if exc.errno == errno.EADDRINUSE:
            print(dev.text("port-busy", port=args.port, other=args.port + 1), file=sys.stderr)
        else:
            print(f"fundsite: {HOST}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        dev.stop()
    print(dev.text("stopped"), file=sys.stderr)
    return 0
