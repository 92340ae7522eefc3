"""Raw capture as gzip'd WARC files (warcio): request, response and revisit records, and reading them back.

What is stored: the response record holds the status line, the headers and the body as the fetcher
handed it on, i.e. DECODED. The fetcher already moved `Content-Encoding`/`Content-Length` to
`X-Archive-Orig-Content-Encoding`/`X-Archive-Orig-Content-Length`; here `Transfer-Encoding` is dropped
and `Content-Length` set to the stored body's length, so standard tools (warcio, pywb, …) read the
payload as is. A body cut by the size cap is marked `WARC-Truncated: length`, a torn one `disconnect`.
Each redirect (3xx) followed on the way is a request/response pair of its own URL, written before the
final answer, so a replay tool can follow the chain as the crawler did.
Extension fields: `X-Crawl-Requested-URI` (the URL asked for, before redirects), `X-Crawl-Error`, and on
an identical-payload revisit `X-Refers-To-File`/`X-Refers-To-Offset` (where the payload is).

Every record is its own gzip member and is flushed when written, so a killed crawl loses at most the
record in flight, and readers stop cleanly at a torn last record.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any, NamedTuple

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from .models import Fetched
from .urls import urlsplit

log = logging.getLogger(__name__)

ROTATE_BYTES = 1_000_000_000
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
_HOP_BY_HOP = {"transfer-encoding", "connection", "keep-alive"}


class WarcRef(NamedTuple):
    file: str  # file name inside the WARC folder
    offset: int  # byte offset of the record's gzip member
    digest: str | None = None  # payload digest, set when the record is a full response with a body


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes: `sha1:` + base32 of the SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _warc_date(when: datetime | None) -> str:
    return datetime_to_iso_date((when or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None),
                                use_micros=True)


class WarcWriter:
    """Writes one run's captures to `<folder>/<prefix>-<timestamp>-<serial>.warc.gz`, rotating at ~1 GB."""

    def __init__(self, folder: str | Path, prefix: str, *, rotate_bytes: int = ROTATE_BYTES,
                 info: dict[str, str] | None = None) -> None:
        self.folder = Path(folder)
        self.prefix = prefix
        self.rotate_bytes = rotate_bytes
        self.info = {"software": "partner-archive (warcio)", "format": "WARC File Format 1.1",
                     "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/"
                                   "warc-1.1/", **(info or {})}
        self.files: list[Path] = []
        self._fh: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self._serial = 0
        self._stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self._payloads: dict[str, tuple[str, str, WarcRef]] = {}  # "url digest" → (uri, WARC-Date, ref)
        self._lock = threading.Lock()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh, self._writer = None, None

    # -- writing -----------------------------------------------------------------------------------

    def write(self, fetched: Fetched) -> WarcRef | None:
        """Write the request and the answer (after those of any redirects followed on the way); the
        final answer's ref, or None when no final answer was received.

        A 304 becomes a server-not-modified revisit; a body identical to one written earlier by this
        writer, or by an earlier run (`remember`), FOR THE SAME URL becomes an identical-payload-digest
        revisit pointing at it. Aliases
        (another URL, the same bytes) keep full response records: every URL stays readable on its own.
        """
        with self._lock:
            for hop in fetched.hops:  # each redirect answer is a capture of its own URL
                self._write_pair(hop, "response")
            if fetched.status is None:
                return None
            if fetched.not_modified:
                return self._write_pair(fetched, "revisit", profile=PROFILE_NOT_MODIFIED)
            digest = payload_digest(fetched.body)
            key = f"{fetched.final_url} {digest}"
            earlier = self._payloads.get(key) if fetched.body and fetched.error is None else None
            if earlier is not None:
                uri, date, ref = earlier
                return self._write_pair(fetched, "revisit", profile=PROFILE_IDENTICAL, digest=digest,
                                        refers=(uri, date), target=ref)
            ref = self._write_pair(fetched, "response")
            if fetched.body and fetched.error is None:
                self._payloads[key] = (fetched.final_url, _warc_date(fetched.fetched_at), ref)
                ref = ref._replace(digest=digest)
            return ref

    def remember(self, earlier: Iterable[tuple[str, str, datetime, str, int]]) -> int:
        """Captures of earlier runs as (URL, payload digest, WARC-Date, file, offset): a body identical
        to one of them is written as a revisit pointing at it instead of a full copy (a site without
        ETag or Last-Modified sends every unchanged page in full each night). Records whose file is
        gone are left out. Returns how many were taken."""
        taken = 0
        with self._lock:
            for uri, digest, when, file, offset in earlier:
                if (self.folder / file).exists():
                    self._payloads[f"{uri} {digest}"] = (uri, _warc_date(when), WarcRef(file, offset))
                    taken += 1
        return taken

    def write_revisit(self, fetched: Fetched, ref_uri: str, ref_date: str, digest: str) -> WarcRef:
        """An identical-payload revisit of a capture from an earlier run (`ref_date` as WARC-Date)."""
        with self._lock:
            return self._write_pair(fetched, "revisit", profile=PROFILE_IDENTICAL, digest=digest,
                                    refers=(ref_uri, ref_date))

    def _open(self) -> WARCWriter:
        if self._fh is not None and self._fh.tell() >= self.rotate_bytes:
            self._fh.close()
            self._fh = None
        if self._fh is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._serial += 1
            path = self.folder / f"{self.prefix}-{self._stamp}-{self._serial:05d}.warc.gz"
            self._fh = path.open("ab")
            self._writer = WARCWriter(self._fh, gzip=True, warc_version="1.1")
            self.files.append(path)
            self._emit(self._writer.create_warcinfo_record(path.name, self.info))
        assert self._writer is not None
        return self._writer

    def _emit(self, record: Any) -> WarcRef:
        assert self._fh is not None and self._writer is not None
        offset = self._fh.tell()
        self._writer.write_record(record)
        self._fh.flush()  # the record is in the OS's hands: a kill -9 now loses nothing
        return WarcRef(Path(self._fh.name).name, offset)

    def _write_pair(self, fetched: Fetched, kind: str, profile: str | None = None, digest: str | None = None,
                    refers: tuple[str, str] | None = None, target: WarcRef | None = None) -> WarcRef:
        writer = self._open()
        date = _warc_date(fetched.fetched_at)
        uri = fetched.final_url
        fields: dict[str, str] = {"WARC-Date": date}
        if fetched.url != fetched.final_url:
            fields["X-Crawl-Requested-URI"] = fetched.url
        if fetched.error:
            fields["X-Crawl-Error"] = fetched.error
        if fetched.error == "too_large":
            fields["WARC-Truncated"] = "length"
        elif fetched.error == "truncated":
            fields["WARC-Truncated"] = "disconnect"
        http = StatusAndHeaders(f"{fetched.status} {fetched.reason}".strip(), self._headers(fetched, kind),
                                protocol=fetched.http_version or "HTTP/1.1")
        if kind == "response":
            record = writer.create_warc_record(uri, "response", payload=BytesIO(fetched.body),
                                               http_headers=http, warc_headers_dict=fields)
        else:
            fields["WARC-Profile"] = profile or PROFILE_IDENTICAL
            if digest:
                fields["WARC-Payload-Digest"] = digest
            if refers:
                fields["WARC-Refers-To-Target-URI"], fields["WARC-Refers-To-Date"] = refers
            else:
                fields["WARC-Refers-To-Target-URI"] = uri
            if target:
                fields["X-Refers-To-File"], fields["X-Refers-To-Offset"] = target.file, str(target.offset)
            record = writer.create_warc_record(uri, "revisit", http_headers=http, warc_headers_dict=fields)
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        parts = urlsplit(uri)
        target_path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = writer.create_warc_record(
            uri, "request", http_headers=StatusAndHeaders(
                f"GET {target_path} {fetched.http_version or 'HTTP/1.1'}",
                list(fetched.request_headers.items()) or [("Host", parts.netloc)], is_http_request=True),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id})
        self._emit(request)
        return self._emit(record)

    @staticmethod
    def _headers(fetched: Fetched, kind: str) -> list[tuple[str, str]]:
        headers = [(k, v) for k, v in fetched.headers.items() if k.lower() not in _HOP_BY_HOP]
        if kind == "response":
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("content-length", str(len(fetched.body))))
        return headers


# -- reading -------------------------------------------------------------------------------------------

def _files(folder_or_files: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(folder_or_files, str | Path):
        p = Path(folder_or_files)
        return sorted(p.glob("*.warc.gz")) + sorted(p.glob("*.warc")) if p.is_dir() else [p]
    return [Path(f) for f in folder_or_files]


def _to_fetched(record: Any, body: bytes | None = None) -> Fetched:
    h = record.rec_headers
    http = record.http_headers
    status = int(http.get_statuscode()) if http is not None else None
    reason = http.statusline.split(" ", 1)[1] if http is not None and " " in http.statusline else ""
    target = h.get_header("WARC-Target-URI")
    return Fetched(
        url=h.get_header("X-Crawl-Requested-URI") or target, final_url=target, status=status,
        headers={k.lower(): v for k, v in (http.headers if http is not None else [])},
        body=record.raw_stream.read() if body is None else body,
        fetched_at=iso_date_to_datetime(h.get_header("WARC-Date")).replace(tzinfo=UTC),
        error=h.get_header("X-Crawl-Error"), not_modified=status == 304,
        http_version=http.protocol if http is not None else "HTTP/1.1", reason=reason)


def _complete(record: Any, fetched: Fetched) -> bool:
    """A record cut short by a kill reads as fewer bytes than declared, or fails its payload digest."""
    declared = fetched.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) != len(fetched.body):
        return False
    digest = record.rec_headers.get_header("WARC-Payload-Digest")
    return not (digest and digest.startswith("sha1:") and digest != payload_digest(fetched.body))


def read_responses(folder_or_files: str | Path | Iterable[str | Path]) -> Iterator[Fetched]:
    """Every response record, in file order, as a Fetched (no network); stops a file at a torn record."""
    for path in _files(folder_or_files):
        with path.open("rb") as fh:
            try:
                for record in ArchiveIterator(fh):
                    if record.rec_type != "response":
                        continue
                    fetched = _to_fetched(record)
                    if not _complete(record, fetched):
                        log.warning("%s: torn record at the end, skipped", path)
                        break
                    yield fetched
            except Exception as e:  # noqa: BLE001 - warcio raises many kinds on a torn gzip member
                log.warning("%s: unreadable from some point on (%s: %s); the records before it were read",
                            path, type(e).__name__, e)


def read_at(path: str | Path, offset: int) -> Fetched:
    """The capture at `offset` (a WarcRef); an identical-payload revisit gets the payload it refers to."""
    path = Path(path)
    with path.open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        if record.rec_type == "revisit" and record.rec_headers.get_header("X-Refers-To-File"):
            h = record.rec_headers
            original = read_at(path.parent / h.get_header("X-Refers-To-File"),
                               int(h.get_header("X-Refers-To-Offset")))
            return _to_fetched(record, body=original.body)
        return _to_fetched(record)
