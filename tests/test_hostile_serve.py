"""``fundsite serve`` against hostile requests: DNS rebinding, malformed paths, slow clients.

One real :class:`DevServer` on a throwaway site serves the whole module, spoken to over raw
sockets so that the test, not a client library, writes the request line and the ``Host``
header. Every refusal is checked for its status and for leaking nothing: the site holds a secret
outside the output, the output holds links to it and to /etc/passwd, and the server's log must
never show a traceback.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

import fundsite.serve
from conftest import RECORDS, make_site
from fundsite.diagnostics import Problem
from fundsite.serve import EVENTS_PATH, SCRIPT_PATH, DevServer, request_path

TIMEOUT = 0.5  # the module's server drops a connection that is idle this long
SECRET = "SECRET-OUTSIDE-THE-OUTPUT"
THAI_PAGE = "content/pages/เกี่ยวกับ.md"
THAI_URL = (
    "/pages/%E0%B9%80%E0%B8%81%E0%B8%B5%E0%B9%88%E0%B8%A2%E0%B8%A7%E0%B8%81%E0%B8%B1%E0%B8%9A"
)
PROJECT_URL = "/projects/68-L5218-4-01/"
LEAKS = (b"root:", SECRET.encode(), b"Traceback")
DEFAULT = "default"  # the Host a browser at http://127.0.0.1:port/ sends


@dataclass
class Served:
    dev: DevServer
    logged: list[str]

    @property
    def port(self) -> int:
        return self.dev.address[1]


@dataclass
class Response:
    status: int  # 0: the connection closed without a response
    headers: dict[str, str]
    body: bytes


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The server, with links in its output to /etc/passwd and to a file outside the output."""
    root = tmp_path_factory.mktemp("hostile")
    files: dict[str, str | bytes] = dict(RECORDS)
    files[THAI_PAGE] = "---\ntitle: เกี่ยวกับเรา\n---\nข้อความเกี่ยวกับกองทุน\n"
    files["secret.txt"] = SECRET + "\n"
    site = make_site(root / "site", files)
    logged: list[str] = []
    dev = DevServer(site, port=0, workers=1, log=logged.append, timeout=TIMEOUT)
    dev.start()
    try:
        assert dev.status is not None and dev.status.ok, logged
        (dev.out / "passwd.txt").symlink_to("/etc/passwd")
        (dev.out / "secret.txt").symlink_to(site / "secret.txt")
        (dev.out / "etc").symlink_to("/etc")
        (dev.out / "static" / "up").symlink_to(site)
        yield Served(dev, logged)
    finally:
        dev.stop()


@pytest.fixture(autouse=True)
def no_traceback(served: Served) -> Iterator[None]:
    yield
    assert not any("Traceback" in line for line in served.logged), served.logged


@pytest.fixture
def spied(served: Served, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path the handler asks the server to look up in the output."""
    seen: list[str] = []
    read, is_dir = served.dev.read, served.dev.is_dir

    def spy_read(rel: str) -> bytes | None:
        seen.append(rel)
        return read(rel)

    def spy_is_dir(rel: str) -> bool:
        seen.append(rel)
        return is_dir(rel)

    monkeypatch.setattr(served.dev, "read", spy_read)
    monkeypatch.setattr(served.dev, "is_dir", spy_is_dir)
    return seen


def parse(data: bytes) -> Response:
    if not data:
        return Response(0, {}, b"")
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Response(int(status_line.split()[1]), headers, body)


def exchange(served: Served, data: bytes, timeout: float = 5.0) -> Response:
    """Send ``data`` as it is, say the request is complete, read the answer to the end."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return parse(received)


def ask(
    served: Served,
    target: str | bytes = "/",
    *,
    method: str | bytes = "GET",
    version: str | bytes = "HTTP/1.0",
    host: str | None = DEFAULT,
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    """One request; ``host=None`` sends no Host, ``{port}`` in it is the server's port."""
    as_bytes = [x.encode("latin-1") if isinstance(x, str) else x for x in (method, target, version)]
    lines = [b" ".join(x for x in as_bytes if x)]
    if host is not None:
        name = f"127.0.0.1:{served.port}" if host == DEFAULT else host.format(port=served.port)
        lines.append(b"Host: " + name.encode("latin-1"))
    lines += [f"{k}: {v}".encode("latin-1") for k, v in headers]
    return exchange(served, b"\r\n".join(lines) + b"\r\n\r\n")


def assert_refused(response: Response, status: int) -> None:
    assert response.status == status, response
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    text = response.body.decode("utf-8")
    assert text.startswith(f"{status} ") and len(text.splitlines()) == 3  # status, Thai, English
    assert all(mark not in response.body for mark in LEAKS), response.body
    assert b"<" not in response.body  # plain text, never the request echoed as HTML


# ---- what must keep working -------------------------------------------------------------------


def test_thai_and_plain_paths_are_still_served(served: Served) -> None:
    """Legitimate requests (Thai %-encoded UTF-8 paths, queries, HEAD) are answered as before."""
    for target in ("/", PROJECT_URL, "/?q=x", THAI_URL + "/", "/static/site.css", "/feed.xml"):
        response = ask(served, target)
        assert response.status == 200, target
    assert "ข้อความเกี่ยวกับกองทุน".encode() in ask(served, THAI_URL + "/").body
    moved = ask(served, THAI_URL + "?a=1")  # a folder without its slash
    assert moved.status == 301 and moved.headers["location"] == THAI_URL + "/?a=1"
    head = ask(served, PROJECT_URL, method="HEAD")
    assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) > 0
    assert ask(served, "/no/such/page/").status == 404
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)  # a real client
    conn.request("GET", THAI_URL + "/")
    assert conn.getresponse().status == 200
    conn.close()


def test_request_path_decodes_thai_and_refuses_tricks() -> None:
    """The target parser itself: Thai decodes, traversal and encodings tricks are None."""
    assert request_path("/projects/62-%E0%B8%82-041/?x=%zz") == "/projects/62-ข-041/"
    assert request_path("/a//b/") == "/a//b/"
    for bad in ("//x", "x", "*", "/%2e%2e/", "/a/%2E/", "/%c0%ae%c0%ae/", "/%", "/%2fetc"):
        assert request_path(bad) is None, bad


# ---- DNS rebinding: the Host header -----------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1",  # the port left out
        "127.0.0.1:1",
        "127.0.0.1:{port}.evil.example",
        "127.0.0.2:{port}",
        "0.0.0.0:{port}",
        "localhost.:{port}",
        "127.0.0.1:0{port}",
        "",
    ],
)
def test_foreign_host_is_refused_everywhere(served: Served, host: str, spied: list[str]) -> None:
    """DNS rebinding: a page whose name now points at 127.0.0.1 sends its own Host: 403."""
    for target in ("/", PROJECT_URL, EVENTS_PATH, SCRIPT_PATH, "/passwd.txt"):
        response = ask(served, target, host=host)
        assert_refused(response, 403)
        assert f"http://127.0.0.1:{served.port}/".encode() in response.body
        assert "เปิด".encode() in response.body  # the Thai line says what to open
    assert spied == []  # nothing was looked up


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_own_names_are_answered(served: Served, host: str) -> None:
    """The names the server is bound to, in any case, are answered (page, script, events)."""
    assert ask(served, PROJECT_URL, host=host).status == 200
    assert ask(served, SCRIPT_PATH, host=host).status == 200
    assert ask(served, EVENTS_PATH, host=host, method="HEAD").status == 200


def test_missing_or_repeated_host(served: Served) -> None:
    """No Host in HTTP/1.1 or two Hosts (one of them foreign) is 400; HTTP/1.0 may omit it."""
    assert_refused(ask(served, "/", version="HTTP/1.1", host=None), 400)
    two = (("Host", "evil.example"),)
    assert_refused(ask(served, "/", headers=two), 400)
    assert ask(served, "/", host=None).status == 200  # a browser always sends Host


def test_refused_host_is_logged_once_and_escaped(served: Served) -> None:
    """A foreign Host is said once in the terminal, escaped: no terminal control sequences."""
    host = "rebound.example\x1b[2J"
    for _ in range(3):
        assert_refused(ask(served, "/", host=host), 403)
    said = [line for line in served.logged if "rebound.example" in line]
    assert len(said) == 1 and "\x1b" not in said[0] and "\\x1b" in said[0]


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "null", "http://127.0.0.1:{port}.evil.example", "https://127.0.0.1:1"],
)
def test_cross_site_origin_is_refused(served: Served, origin: str) -> None:
    """A page of another site (EventSource, fetch) that names its Origin gets 403."""
    headers = (("Origin", origin.format(port=served.port)),)
    for target in (EVENTS_PATH, PROJECT_URL):
        assert_refused(ask(served, target, headers=headers), 403)
    same = (("Origin", f"http://127.0.0.1:{served.port}"),)
    assert ask(served, PROJECT_URL, headers=same).status == 200


# ---- malformed requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        b"http://evil.example/",  # absolute-form
        b"*",
        b"index.html",
        b"/..%2f..%2f..%2fetc/passwd",
        b"/%2e%2e/%2e%2e/etc/passwd",
        b"/static/../../../etc/passwd",
        b"/./index.html",
        b"/%2E/",
        b"/%c0%ae%c0%ae/etc/passwd",  # over-long UTF-8 for "."
        b"/%2fetc/passwd",
        b"/%2f/evil.example/",  # "//evil.example/" once decoded
        b"//..%2fetc/passwd",  # moved to /..%2f…: still traversal
        b"/index.html%00.css",
        b"/%0d%0aSet-Cookie:%20x=1",
        b"/%1b[2J",
        b"/%7f",
        b"/%c2%85",  # U+0085, a C1 control
        b"/a\\..\\..\\etc\\passwd",
        b"/%5c..%5cetc%5cpasswd",
        b"/%zz",
        b"/%",
        b"/%e0%b8",  # UTF-8 cut short
        b"/%ff%fe",
        b"/#fragment",
        b"/\x00",
        b"/\x7f",
        b"/\x1b[31m",
        "/ข".encode(),  # raw, not %-encoded
    ],
)
def test_malformed_target_is_400(served: Served, target: bytes, spied: list[str]) -> None:
    """Traversal, encoding tricks and control characters in the path: 400, no file looked up."""
    assert_refused(ask(served, target), 400)
    head = ask(served, target, method="HEAD")
    assert head.status == 400 and head.body == b"" and int(head.headers["content-length"]) > 0
    assert spied == []


def test_double_slash_moves_within_this_server(served: Served, spied: list[str]) -> None:
    """``//evil.example/x`` (an open redirect's bait, or a sloppy join) moves to ``/evil.example/x``
    on this server: the Location never names another host, and nothing is looked up."""
    for target, location in (
        ("//evil.example/x", "/evil.example/x"),
        ("///evil.example", "/evil.example"),
        ("//projects?q=1", "/projects?q=1"),
        ("//", "/"),
    ):
        moved = ask(served, target)
        assert moved.status == 301 and moved.headers["location"] == location, target
        assert moved.body == b""
    assert spied == []
    assert_refused(ask(served, "//evil.example/", host="evil.example"), 403)  # Host first
    assert ask(served, "//data/projects.csv").headers["location"] == "/data/projects.csv"


def test_overlong_target_and_headers(served: Served, spied: list[str]) -> None:
    """Over-long paths (414) and over-long or too many headers (431), no traceback."""
    assert ask(served, "/" + "a" * 2047).status == 404  # at the limit: looked up, not found
    spied.clear()
    assert_refused(ask(served, "/" + "a" * 2048), 414)
    assert_refused(ask(served, "/" + "a" * 70_000), 414)  # http.server's own limit
    assert spied == []
    assert_refused(ask(served, headers=(("X-Long", "x" * 70_000),)), 431)
    many = tuple((f"X-{i}", "1") for i in range(120))
    assert_refused(ask(served, headers=many), 431)


def test_name_too_long_for_the_file_system_is_404(served: Served) -> None:
    """A path segment longer than a file name may be (ENAMETOOLONG) is 404, not a traceback."""
    for target in ("/" + "a" * 300, "/" + quote("ก" * 200) + "/", "/static/" + "b" * 1000):
        assert ask(served, target).status == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_other_methods_are_405(served: Served, method: str) -> None:
    """Only GET and HEAD: methods that would change or probe something get 405 and Allow."""
    response = ask(served, "/", method=method, headers=(("Content-Length", "5"),))
    assert_refused(response, 405)
    assert response.headers["allow"] == "GET, HEAD"


def test_unknown_methods_and_bad_request_lines(served: Served) -> None:
    """CONNECT, unknown or malformed methods, HTTP/0.9 and bad versions: 4xx/5xx, no crash."""
    connect = ask(served, f"127.0.0.1:{served.port}", method="CONNECT")
    assert_refused(connect, 405)
    assert_refused(ask(served, "/", method="BREW"), 501)
    assert_refused(ask(served, "/", method="get"), 501)  # methods are case-sensitive
    assert_refused(ask(served, "/", method="G(T"), 400)
    assert_refused(exchange(served, b"GET /\r\n\r\n"), 400)  # HTTP/0.9: there is no Host
    assert_refused(ask(served, "/", version="HTTP/2.0"), 505)
    assert_refused(ask(served, "/", version="HTTP/1.x"), 400)
    assert_refused(exchange(served, b"GET / HTTP/1.0 extra\r\n\r\n"), 400)
    assert_refused(exchange(served, b"GARBAGE\r\n\r\n"), 400)
    assert exchange(served, b"\r\n").status == 0  # an empty line: closed, nothing said


def test_garbage_never_makes_a_traceback(served: Served) -> None:
    """Random bytes as requests: a 4xx/5xx or a closed connection, never a traceback."""
    rng = random.Random(10)
    alphabet = b"GET HTTP/1.0 %/.\\\r\n\x00\xff:Host127.0.0.1" + bytes(range(0, 256, 7))
    for _ in range(60):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 80)))
        response = exchange(served, data)
        assert response.status == 0 or response.status >= 400, (data, response)
        assert all(mark not in response.body for mark in LEAKS)


# ---- the file system --------------------------------------------------------------------------


def test_links_in_the_output_are_not_followed(served: Served) -> None:
    """A link in the output (to /etc/passwd, to the site, to /etc) is 404, never its target."""
    for target in ("/passwd.txt", "/secret.txt", "/etc/passwd", "/static/up/secret.txt"):
        response = ask(served, target)
        assert response.status == 404, target
        assert all(mark not in response.body for mark in LEAKS), target


def test_overlay_source_line_never_follows_a_link(tmp_path: Path) -> None:
    """A committed link as a record: the overlay names the file but shows none of its target."""
    outside = tmp_path / "outside.md"
    outside.write_text(f"---\nid: {SECRET}\n---\n", encoding="utf-8")
    site = make_site(tmp_path / "site", dict(RECORDS))
    (site / "content/projects/evil.md").symlink_to(outside)
    (site / "content/projects/passwd.md").symlink_to("/etc/passwd")
    dev = DevServer(site, port=0, workers=1, log=lambda _msg: None)
    for rel in ("content/projects/evil.md", "content/projects/passwd.md"):
        described = dev._describe(Problem("error", "symlink", rel, line=1, col=1))
        assert described["source"] == "" and described["where"] == f"{rel}:1:1"
    real = dev._describe(Problem("error", "symlink", "content/projects/68-L5218-4-01.md", 2))
    assert real["source"] == RECORDS["content/projects/68-L5218-4-01.md"].split("\n")[1]
    assert dev._describe(Problem("error", "x", "/etc/passwd", line=1))["source"] == ""
    assert dev._describe(Problem("error", "x", "../outside.md", line=2))["source"] == ""
    with dev:  # and end to end, through the event stream a page reads
        payload = json.dumps(first_event(dev))
    assert SECRET not in payload and "root:" not in payload


# ---- slow clients and the event stream --------------------------------------------------------


def test_idle_connection_is_dropped(served: Served) -> None:
    """A connection that sends nothing, or half a request, is closed after the timeout."""
    started = time.monotonic()
    socks = [socket.create_connection(("127.0.0.1", served.port), timeout=10) for _ in range(3)]
    for sock, sent in zip(socks, (b"", b"GET / HT", b"GET / HTTP/1.0\r\nHost: x\r\n"), strict=True):
        with sock:
            sock.sendall(sent)
            assert sock.recv(65536) == b""  # closed, without a word
    assert TIMEOUT * 0.8 < time.monotonic() - started < TIMEOUT + 2


def test_trickled_request_is_dropped(served: Served) -> None:
    """Slowloris: a byte every 0.1 s never hits the per-read timeout, but the head has a
    deadline: the connection is closed about ``timeout`` after it opened."""
    request = f"GET / HTTP/1.0\r\nHost: 127.0.0.1:{served.port}\r\nX-Slow: {'z' * 200}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        started = time.monotonic()
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            for byte in request.encode():
                sock.send(bytes([byte]))
                time.sleep(0.1)
                if time.monotonic() - started > TIMEOUT + 3:
                    break
            raise AssertionError("the server kept waiting for the request")
        assert time.monotonic() - started < TIMEOUT + 2


def open_events(served: Served) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", served.port), timeout=5)
    request = f"GET {EVENTS_PATH} HTTP/1.0\r\nHost: 127.0.0.1:{served.port}\r\n\r\n"
    sock.sendall(request.encode())
    return sock


def read_for(sock: socket.socket, seconds: float) -> tuple[bytes, bool]:
    """What arrives within ``seconds``, and whether the server closed the stream."""
    ends = time.monotonic() + seconds
    received = b""
    while (left := ends - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            return received, True
        received += chunk
    return received, False


def test_event_stream_outlives_the_idle_timeout(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live-reload stream is not an idle connection: with pings it stays open past it."""
    monkeypatch.setattr(fundsite.serve, "PING", 0.1)
    with open_events(served) as sock:
        received, closed = read_for(sock, TIMEOUT * 2)
    response = parse(received)
    assert not closed and response.status == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    data = [line for line in response.body.split(b"\n") if line.startswith(b"data: ")]
    assert json.loads(data[0][6:])["ok"] is True
    assert response.body.count(b": ping") >= 5


def test_event_stream_ends_after_its_max_age(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream ends after EVENTS_MAX_AGE (the page's EventSource reconnects): no thread is
    pinned forever by a client that stopped reading."""
    monkeypatch.setattr(fundsite.serve, "PING", 0.1)
    monkeypatch.setattr(fundsite.serve, "EVENTS_MAX_AGE", 0.5)
    with open_events(served) as sock:
        received, closed = read_for(sock, 3)
    assert closed and parse(received).status == 200 and b"retry: 1000" in received
    assert ask(served, EVENTS_PATH, method="HEAD").status == 200  # and a new one is answered


def test_stalled_event_reader_is_dropped(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """A client that stops reading the stream: once a write blocks for ``timeout``, it is
    dropped, long before EVENTS_MAX_AGE."""
    monkeypatch.setattr(fundsite.serve, "PING", 0.0002)
    monkeypatch.setattr(DevServer, "next_event", stalled_next_event)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", served.port))
    with sock:
        request = f"GET {EVENTS_PATH} HTTP/1.0\r\nHost: 127.0.0.1:{served.port}\r\n\r\n"
        sock.sendall(request.encode())
        time.sleep(TIMEOUT + 0.6)  # not reading: the server's writes block, then time out
        received, closed = read_for(sock, 3)
    assert closed, len(received)


def stalled_next_event(self: DevServer, seen: int, timeout: float) -> tuple[int, bytes]:
    """A state as large as a failed build with many problems, again and again."""
    time.sleep(min(timeout, 0.001))
    return seen + 1, json.dumps({"ok": False, "problems": ["x" * 2000] * 20}).encode()


def first_event(dev: DevServer) -> dict[str, Any]:
    host, port = dev.address
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(f"GET {EVENTS_PATH} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
        received = b""
        while b"\ndata: " not in received or not received.endswith(b"\n\n"):
            chunk = sock.recv(65536)
            assert chunk, received
            received += chunk
    line = next(x for x in received.split(b"\n") if x.startswith(b"data: "))
    return json.loads(line[6:])


# ---- headers ----------------------------------------------------------------------------------


def test_hardening_headers_on_every_response(served: Served) -> None:
    """nosniff, no-referrer and same-origin resources on pages, 301, 404, refusals, the script."""
    responses = [
        ask(served, PROJECT_URL),
        ask(served, SCRIPT_PATH),
        ask(served, "/projects"),
        ask(served, "/no/such/"),
        ask(served, "/%00"),
        ask(served, "/", host="evil.example"),
        ask(served, "/", method="POST"),
        exchange(served, b"GET / HTTP/2.0\r\n\r\n"),
    ]
    assert [r.status for r in responses] == [200, 200, 301, 404, 400, 403, 405, 505]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response
        assert response.headers["referrer-policy"] == "no-referrer", response
        assert response.headers["cross-origin-resource-policy"] == "same-origin", response
        assert response.headers["server"] == "fundsite"
    assert responses[2].headers["location"] == "/projects/"
    assert responses[1].headers["content-type"] == "text/javascript; charset=utf-8"
