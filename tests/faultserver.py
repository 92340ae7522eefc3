"""A real HTTP server on loopback that misbehaves on purpose, and logs every request it gets.

Use it as a context manager (or through the `fault_server` fixture in conftest.py):

    with FaultServer() as srv:            # 127.0.0.1, ephemeral port, a daemon thread
        srv.url("/flaky/a?fails=2")      # 503 twice, then 200
        srv.paths()                      # every path requested so far, in order

Only ever binds 127.0.0.0/8 addresses. Routes (query parameters tune them):

  /robots.txt                  `robots` text (Disallow /private/, Crawl-delay) or `robots_status`
  /page/<x>, /private/<x>      a small HTML page
  /links                       links in scope, to /private/, and off scope (to `offscope`, 127.0.0.2)
  /flaky/<key>?fails=N&status=503      N failures, then 200 (state per key)
  /retry-after/<key>?fails=N&after=S&status=503|429   the same, with a Retry-After header
  /reset                       connection reset (RST) before any answer
  /truncated                   Content-Length 1000, 100 bytes sent, connection closed
  /slow?delay=S                answers after S seconds
  /gzip                        a gzip'd HTML page
  /gzip-bomb?mb=1024           1 GB of zeros as a ~1 MB gzip stream, generated lazily
  /big?n=BYTES                 an uncompressed body of n bytes
  /loop/a, /loop/b             redirect to each other
  /chain/<n>                   redirects to /chain/<n-1> … /chain/0, which answers 200
  /redirect?to=PATH            one redirect to PATH on this server
  /offscope-redirect           redirect to `offscope`/secret
  /kalender/YYYY/MM/           a calendar month linking the next and previous month, forever
  /lying-charset               header says utf-8, the body is windows-1252 (and its <meta> says so)
  /nested?depth=N              N nested <div>s
  /etag                        ETag "v1" + Last-Modified; 304 to a matching conditional request
  /status/<code>               that status with a tiny body
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_ROBOTS = "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.01\n"
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
# A site callback: (path with query, request headers with lower-case names) → (status, headers, body) or None
Site = Callable[[str, dict[str, str]], "tuple[int, dict[str, str], bytes | Iterable[bytes]] | None"]


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    at: float  # time.monotonic()
    client_port: int = 0  # the same port for many hits means a kept-alive connection
    sent: int = 0  # bytes written back (status line, headers and body)


def html(title: str, body: str = "", charset: str = "utf-8") -> bytes:
    return (f"<!doctype html><html><head><meta charset=\"{charset}\"><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{body}</body></html>").encode(charset)


_BOMB_PIECE: bytes | None = None


def gzip_bomb(megabytes: int = 1024) -> Iterator[bytes]:
    """`megabytes` MB of zeros as one gzip member, ~1 KB per MB, computed as it is sent.

    After a full flush deflate starts afresh, so one compressed megabyte of zeros can be repeated.
    """
    global _BOMB_PIECE
    zeros = bytes(1 << 20)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    if _BOMB_PIECE is None:
        _BOMB_PIECE = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    crc = 0
    for _ in range(megabytes):
        yield _BOMB_PIECE
        crc = zlib.crc32(zeros, crc)
    yield co.flush()
    yield struct.pack("<II", crc & 0xFFFFFFFF, (megabytes << 20) & 0xFFFFFFFF)


class _CountingWriter:
    def __init__(self, raw: Any, hit_ref: Callable[[], Hit | None]) -> None:
        self._raw, self._hit = raw, hit_ref

    def write(self, data: bytes) -> int:
        n = self._raw.write(data)
        hit = self._hit()
        if hit is not None:
            hit.sent += len(data)
        return n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # headers and body go out as separate writes: without NODELAY, Nagle + delayed ACK stall keep-alive
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._current: Hit | None = None
        self.wfile = _CountingWriter(self.wfile, lambda: self._current)  # type: ignore[assignment]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - the name http.server looks for
        fs = self.server.fault
        hit = Hit("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic(),
                  self.client_address[1])
        self._current = hit
        with fs.lock:
            fs.log.append(hit)
            fs.in_flight += 1
            fs.max_in_flight = max(fs.max_in_flight, fs.in_flight)
        try:
            if fs.latency:
                time.sleep(fs.latency)
            fs.route(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. a size cap): fine
        finally:
            with fs.lock:
                fs.in_flight -= 1

    # -- answers -----------------------------------------------------------------------------------

    def answer(self, status: int, body: bytes | Iterable[bytes] = b"", headers: dict[str, str] | None = None,
               content_type: str = "text/html; charset=utf-8") -> None:
        headers = dict(headers or {})
        headers.setdefault("Content-Type", content_type)
        self.send_response(status)
        streamed = not isinstance(body, bytes | bytearray)
        if streamed:
            headers["Connection"] = "close"  # the end of the body is the end of the connection
            self.close_connection = True
        else:
            headers.setdefault("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if isinstance(body, bytes | bytearray):
            self.wfile.write(body)
        else:
            for chunk in body:
                self.wfile.write(chunk)

    def redirect(self, location: str, status: int = 302) -> None:
        self.answer(status, b"", {"Location": location})

    def reset(self) -> None:
        """Abort the connection with an RST, before any answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def truncated(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"<html><body>" + b"x" * 88)
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    fault: FaultServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # resets and aborted transfers are the point of this server


@dataclass
class FaultServer:
    host: str = "127.0.0.1"
    robots: str | None = DEFAULT_ROBOTS
    robots_status: int = 200
    offscope: str = "http://127.0.0.2:9"  # set to a second FaultServer's base to watch it get no requests
    latency: float = 0.0
    site: Site | None = None
    log: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    max_in_flight: int = 0
    _counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.host.startswith("127."):
            raise ValueError("the fault server only binds loopback addresses")
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FaultServer:
        self._server = _Server((self.host, 0), _Handler)
        self._server.fault = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None, "start the server first"
        return int(self._server.server_address[1])

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base(self) -> str:
        return f"http://{self.netloc}"

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        with self.lock:
            return [h.path for h in self.log]

    def count(self, path: str) -> int:
        return sum(1 for p in self.paths() if p == path)

    def bytes_sent(self) -> int:
        with self.lock:
            return sum(h.sent for h in self.log)

    def _bump(self, key: str) -> int:
        with self.lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    # -- routing -----------------------------------------------------------------------------------

    def route(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        # a crawler canonicalises `/links` to `/links/`: both reach the same route
        path, q = parts.path.rstrip("/") or "/", {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if self.site is not None:
            got = self.site(h.path, {k.lower(): v for k, v in h.headers.items()})
            if got is not None:
                status, headers, body = got
                h.answer(status, body, headers)
                return
        if path == "/robots.txt":
            if self.robots is None:
                h.answer(404, b"no robots.txt", content_type="text/plain")
            else:
                h.answer(self.robots_status, self.robots.encode(), content_type="text/plain")
        elif path.startswith(("/page/", "/private/")):
            h.answer(200, html(path, "<p>Inhalt.</p>"))
        elif path == "/links":
            links = ["/page/1", "/page/2", "/private/secret", f"{self.offscope}/secret",
                     "mailto:presse@example.org", "/kalender/2024/05/"]
            h.answer(200, html("Links", "".join(f'<a href="{u}">{u}</a>' for u in links)))
        elif path.startswith(("/flaky/", "/retry-after/")):
            n = self._bump(path)
            if n <= int(q.get("fails", "1")):
                extra = {"Retry-After": q.get("after", "1")} if path.startswith("/retry-after/") else {}
                h.answer(int(q.get("status", "503")), b"busy", extra)
            else:
                h.answer(200, html(f"ok after {n - 1} failures"))
        elif path == "/reset":
            h.reset()
        elif path == "/truncated":
            h.truncated()
        elif path == "/slow":
            time.sleep(float(q.get("delay", "2")))
            h.answer(200, html("slow"))
        elif path == "/gzip":
            h.answer(200, gzip.compress(html("Gepackt", "<p>" + "Städtepartnerschaft " * 200 + "</p>")),
                     {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        elif path == "/gzip-bomb":
            h.answer(200, gzip_bomb(int(q.get("mb", "1024"))), {"Content-Encoding": "gzip"})
        elif path == "/big":
            n = int(q.get("n", "2000000"))
            h.answer(200, (b"y" * min(65536, n - i) for i in range(0, n, 65536)),
                     content_type="application/octet-stream")
        elif path.startswith("/loop/"):
            h.redirect("/loop/b" if path == "/loop/a" else "/loop/a")
        elif path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[-1] or 0)
            if n > 0:
                h.redirect(f"/chain/{n - 1}", 301)
            else:
                h.answer(200, html("end of the chain"))
        elif path == "/redirect":
            h.redirect(q.get("to", "/page/target"))
        elif path == "/offscope-redirect":
            h.redirect(f"{self.offscope}/secret")
        elif path.startswith("/kalender/"):
            self._calendar(h, path)
        elif path == "/lying-charset":
            body = ('<html><head><meta charset="windows-1252"><title>Städte</title></head>'
                    "<body><p>Grüße aus Dünkirchen – „Partnerschaft“</p></body></html>").encode("cp1252")
            h.answer(200, body, content_type="text/html; charset=utf-8")
        elif path == "/nested":
            depth = int(q.get("depth", "5000"))
            h.answer(200, ("<html><body>" + "<div>" * depth + "tief" + "</div>" * depth
                           + "</body></html>").encode())
        elif path == "/etag":
            headers = {"ETag": '"v1"', "Last-Modified": LAST_MODIFIED}
            inm, ims = h.headers.get("If-None-Match"), h.headers.get("If-Modified-Since")
            if inm == '"v1"' or ims == LAST_MODIFIED:
                h.answer(304, b"", headers)
            else:
                h.answer(200, html("versioned"), headers)
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[-1])
            h.answer(code, html(f"status {code}"))
        else:
            h.answer(404, html("not found"))

    def _calendar(self, h: _Handler, path: str) -> None:
        try:
            year, month = (int(x) for x in path.strip("/").split("/")[1:3])
        except ValueError:
            h.answer(404, html("not found"))
            return
        nxt = (year + month // 12, month % 12 + 1)
        prv = (year - (month == 1), (month - 2) % 12 + 1)
        links = "".join(f'<a href="/kalender/{y}/{m:02d}/">{y}-{m:02d}</a>' for y, m in (prv, nxt))
        h.answer(200, html(f"Kalender {year}-{month:02d}", links))
