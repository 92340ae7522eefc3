"""Serve the offline mirror over HTTP on loopback: validators, 304s, gzip, HEAD, a switchable snapshot."""

from __future__ import annotations

import gzip
import ipaddress
import logging
import re
import socket
import sys
import threading
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from ..errors import UsageError
from .site import Response, Site, get_site

log = logging.getLogger(__name__)

_COMPRESSIBLE = ("text/", "application/xml", "application/json")
_MAX_LOG = 100_000


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class _State:
    site: Site
    template: str | None = None
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def _not_modified(headers: Any, resp: Response) -> bool:
    etag = resp.headers.get("ETag")
    if resp.status != 200 or not etag:
        return False
    inm = headers.get("If-None-Match")
    if inm is not None:  # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
        return _etag_matches(inm, etag)
    ims, lm = headers.get("If-Modified-Since"), resp.headers.get("Last-Modified")
    if ims and lm:
        try:
            return parsedate_to_datetime(lm) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


def _wants_gzip(header: str | None) -> bool:
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = re.search(r"q\s*=\s*([0-9.]+)", params)
            return not q or float(q.group(1)) > 0
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections give their thread back eventually
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stalls
    state: _State  # set on the per-server subclass

    def version_string(self) -> str:
        return "krefeld-mirror/1.0"

    def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def _host_base(self) -> str:
        # The bound address, never the Host header: a page is byte-identical under every alias host,
        # as on the real site, and nothing a client sends is echoed into the markup.
        addr, port = self.server.server_address[:2]
        return f"http://[{addr}]:{port}" if ":" in str(addr) else f"http://{addr}:{port}"

    def _answer(self, head: bool) -> None:
        resp = self.state.site.render(self.path, self._host_base())
        status, body = resp.status, resp.body
        headers = dict(resp.headers)
        if _not_modified(self.headers, resp):
            status, body = 304, b""
            headers = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
        elif headers.get("Content-Type", "").startswith(_COMPRESSIBLE):
            headers["Vary"] = "Accept-Encoding"
            if body and _wants_gzip(self.headers.get("Accept-Encoding")):
                body = gzip.compress(body, compresslevel=6, mtime=0)
                headers["Content-Encoding"] = "gzip"
        with self.state.lock:  # logged before answering, so a client that got its answer sees its request
            if len(self.state.requests) < _MAX_LOG:
                req = Request(self.command, self.path, dict(self.headers.items()), status)
                self.state.requests.append(req)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        log.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Server6(_Server):
    address_family = socket.AF_INET6


def check_loopback(host: str) -> None:
    """Refuse to serve anywhere but loopback: the mirror is a test bed, not a public web site."""
    if host == "localhost":
        return
    try:
        ok = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(f"--host {host!r}: the mirror only serves on a loopback address (e.g. 127.0.0.1)")


def make_server(host: str = "127.0.0.1", port: int = 8765, snapshot: int = 1,
                template: str | None = None) -> tuple[ThreadingHTTPServer, _State]:
    check_loopback(host)
    state = _State(site=get_site(snapshot, template), template=template)
    handler = type("MirrorHandler", (_Handler,), {"state": state})
    cls = _Server6 if ":" in host else _Server
    try:
        httpd = cls((host.strip("[]"), port), handler)
    except OSError as e:
        raise UsageError(f"cannot serve the mirror on {host}:{port}: {e.strerror or e}") from None
    return httpd, state


class MirrorHandle:
    """A mirror server running in a background thread (tests, the demo); a context manager."""

    def __init__(self, httpd: ThreadingHTTPServer, state: _State) -> None:
        self._httpd, self._state = httpd, state
        self.host = str(httpd.server_address[0])
        self.port = int(httpd.server_address[1])
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{host}:{self.port}"
        self.alias_base_url = f"http://localhost:{self.port}"
        self._thread = threading.Thread(target=httpd.serve_forever, name=f"mirror:{self.port}", daemon=True)
        self._thread.start()

    @property
    def site(self) -> Site:
        return self._state.site

    @property
    def requests(self) -> list[Request]:
        """Every request answered so far (method, raw path with parameters, headers, status)."""
        with self._state.lock:
            return list(self._state.requests)

    def clear_requests(self) -> None:
        with self._state.lock:
            self._state.requests.clear()

    def set_snapshot(self, snapshot: int) -> None:
        """Switch the live server to another state of the site (takes effect for the next request)."""
        self._state.site = get_site(snapshot, self._state.template)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MirrorHandle:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start_in_thread(snapshot: int = 1, port: int = 0, host: str = "127.0.0.1",
                    template: str | None = None) -> MirrorHandle:
    """Serve the mirror in a daemon thread; port 0 picks a free ephemeral port."""
    httpd, state = make_server(host, port, snapshot, template)
    return MirrorHandle(httpd, state)


def serve(port: int = 8765, snapshot: int = 1, host: str = "127.0.0.1") -> int:
    """`partner-archive demo-site`: serve until Ctrl-C."""
    httpd, state = make_server(host, port, snapshot)
    shown = f"[{host}]" if ":" in host else host
    n = len(state.site.detail_paths())
    print(f"Offline mirror of krefeld.de (snapshot {snapshot}, {n} pages) on http://{shown}:{port}/"
          f"de/oberbuergermeister/staedtepartnerschaften/ — Ctrl-C to stop", file=sys.stderr, flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0
