"""WARC capture: standard files (checked with warcio's own reader and CLI), revisits, rotation, torn files."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipeline.capture import WarcRef, WarcWriter, payload_digest, read_at, read_responses
from pipeline.models import Fetched

WARCIO = Path(sys.executable).parent / "warcio"
WHEN = datetime(2024, 11, 15, 10, 30, 0, 123456, tzinfo=UTC)


def page(path: str, body: bytes = b"<html>Venlo</html>", **kw: object) -> Fetched:
    url = "https://www.krefeld.de" + path
    settings: dict[str, object] = dict(
        url=url, final_url=url, status=200, body=body, fetched_at=WHEN, reason="OK",
        headers={"content-type": "text/html; charset=utf-8", "etag": '"abc"',
                 "content-length": str(len(body))},
        request_headers={"Host": "www.krefeld.de", "User-Agent": "partner-archive-test"})
    settings.update(kw)
    return Fetched(**settings)  # type: ignore[arg-type]


def records(path: Path) -> list[tuple[str, object]]:
    with path.open("rb") as fh:
        return [(r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read())
                for r in ArchiveIterator(fh, check_digests="raise")]  # type: ignore[misc]


def test_request_and_response_records_readable_by_warcio(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, "run-00001") as w:
        ref = w.write(page("/de/inhalt/a/"))
    assert isinstance(ref, WarcRef) and ref.offset > 0
    [path] = w.files
    assert ref.file == path.name and path.name.startswith("run-00001-") and path.name.endswith(".warc.gz")
    recs = records(path)
    assert [r[0] for r in recs] == ["warcinfo", "request", "response"]
    _, req_h, req_http, _ = recs[1]
    _, resp_h, resp_http, body = recs[2]
    assert req_http.protocol == "GET" and "/de/inhalt/a/" in req_http.statusline  # type: ignore[union-attr]
    assert req_h.get_header("WARC-Concurrent-To") == resp_h.get_header("WARC-Record-ID")  # type: ignore[union-attr]
    assert resp_h.get_header("WARC-Target-URI") == "https://www.krefeld.de/de/inhalt/a/"  # type: ignore[union-attr]
    assert resp_h.get_header("WARC-Date") == "2024-11-15T10:30:00.123456Z"  # type: ignore[union-attr]
    assert resp_h.get_header("WARC-Payload-Digest") == payload_digest(b"<html>Venlo</html>")  # type: ignore[union-attr]
    assert resp_http.get_statuscode() == "200" and body == b"<html>Venlo</html>"  # type: ignore[union-attr]
    # every record is its own gzip member, so the ref's offset opens exactly the response
    with path.open("rb") as fh:
        fh.seek(ref.offset)
        assert next(iter(ArchiveIterator(fh))).rec_type == "response"


def test_warcio_cli_checks_and_indexes_the_file(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, "run") as w:
        w.write(page("/de/inhalt/a/"))
        w.write(page("/de/inhalt/b/", body=b"<html>Leicester</html>"))
    [path] = w.files
    check = subprocess.run([str(WARCIO), "check", "-v", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([str(WARCIO), "index", "-f", "warc-type,warc-target-uri,offset", str(path)],
                           capture_output=True, text=True, check=True)
    lines = index.stdout.splitlines()
    assert len(lines) == 5 and sum('"response"' in line for line in lines) == 2


def test_decoded_body_is_stored_with_consistent_headers(tmp_path: Path) -> None:
    body = b"<html>" + "Dünkirchen ".encode() * 500 + b"</html>"
    fetched = page("/de/inhalt/gz/", body=body, headers={
        "content-type": "text/html", "content-length": str(len(body)), "transfer-encoding": "chunked",
        "x-archive-orig-content-encoding": "gzip", "x-archive-orig-content-length": "123"})
    with WarcWriter(tmp_path, "run") as w:
        w.write(fetched)
    _, _, http, stored = records(w.files[0])[2]
    assert stored == body
    assert http.get_header("Content-Length") == str(len(body))  # type: ignore[union-attr]
    assert http.get_header("Transfer-Encoding") is None  # type: ignore[union-attr]
    assert http.get_header("Content-Encoding") is None  # type: ignore[union-attr]
    assert http.get_header("X-Archive-Orig-Content-Encoding") == "gzip"  # type: ignore[union-attr]


def test_not_modified_and_identical_payload_become_revisits(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, "run") as w:
        first = w.write(page("/de/inhalt/a/"))
        alias = w.write(page("/C125748100427CD6/html/0123456789abcdef0123456789abcdef/"))
        again = w.write(page("/de/inhalt/a/", fetched_at=datetime(2024, 11, 15, 11, 0, tzinfo=UTC)))
        nm = w.write(page("/de/inhalt/b/", body=b"", status=304, reason="Not Modified", not_modified=True))
    assert first and alias and again and nm
    recs = records(w.files[0])
    # the alias (same bytes, another URL) keeps a full response; the same URL again is a revisit
    assert [r[0] for r in recs] == ["warcinfo", "request", "response", "request", "response", "request",
                                    "revisit", "request", "revisit"]
    same = recs[6][1]
    assert same.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")  # type: ignore[union-attr]
    assert same.get_header("WARC-Refers-To-Target-URI") == "https://www.krefeld.de/de/inhalt/a/"  # type: ignore[union-attr]
    assert same.get_header("WARC-Refers-To-Date") == "2024-11-15T10:30:00.123456Z"  # type: ignore[union-attr]
    assert same.get_header("WARC-Payload-Digest") == payload_digest(b"<html>Venlo</html>")  # type: ignore[union-attr]
    assert recs[8][1].get_header("WARC-Profile").endswith("/revisit/server-not-modified")  # type: ignore[union-attr]
    # read_at resolves the identical-payload revisit to the body it refers to
    got = read_at(tmp_path / again.file, again.offset)
    assert got.body == b"<html>Venlo</html>" and got.final_url.endswith("/de/inhalt/a/")
    assert got.fetched_at == datetime(2024, 11, 15, 11, 0, tzinfo=UTC)
    assert read_at(tmp_path / alias.file, alias.offset).body == b"<html>Venlo</html>"
    got_nm = read_at(tmp_path / nm.file, nm.offset)
    assert got_nm.not_modified and got_nm.status == 304 and got_nm.body == b""


def test_write_revisit_for_an_earlier_run(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, "run") as w:
        ref = w.write_revisit(page("/de/inhalt/a/"), "https://www.krefeld.de/de/inhalt/a/",
                              "2024-01-01T00:00:00Z", payload_digest(b"<html>Venlo</html>"))
    rec = records(tmp_path / ref.file)[2]
    assert rec[0] == "revisit" and rec[1].get_header("WARC-Refers-To-Date") == "2024-01-01T00:00:00Z"  # type: ignore[union-attr]


def test_failures_and_cut_bodies(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, "run") as w:
        assert w.write(Fetched(url="https://www.krefeld.de/x/", final_url="https://www.krefeld.de/x/",
                               status=None, error="timeout")) is None
        assert w.files == []  # nothing received, nothing written, no empty file
        big = w.write(page("/de/inhalt/big/", body=b"x" * 1000, error="too_large"))
        moved = w.write(page("/de/inhalt/neu/", url="http://krefeld.de/de/inhalt/alt"))
    assert big and moved
    recs = records(w.files[0])
    assert recs[2][1].get_header("WARC-Truncated") == "length"  # type: ignore[union-attr]
    back = list(read_responses(tmp_path))
    assert [f.error for f in back] == ["too_large", None]
    assert back[1].url == "http://krefeld.de/de/inhalt/alt" and back[1].final_url.endswith("/neu/")


def test_read_responses_round_trip(tmp_path: Path) -> None:
    originals = [page(f"/de/inhalt/{i}/", body=f"<html>{i}</html>".encode()) for i in range(5)]
    with WarcWriter(tmp_path, "run") as w:
        for f in originals:
            w.write(f)
    back = list(read_responses(tmp_path))
    assert [(f.url, f.final_url, f.status, f.body, f.fetched_at, f.reason, f.http_version) for f in back] == \
        [(f.url, f.final_url, 200, f.body, WHEN, "OK", "HTTP/1.1") for f in originals]
    assert back[0].headers["content-type"] == "text/html; charset=utf-8"
    assert back[0].headers["etag"] == '"abc"'


def test_rotation_starts_new_files_each_with_warcinfo(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, "run", rotate_bytes=2000) as w:
        for i in range(6):
            w.write(page(f"/de/inhalt/{i}/", body=os.urandom(1500)))
    assert len(w.files) >= 3
    for path in w.files:
        assert records(path)[0][0] == "warcinfo"
    assert len(list(read_responses(w.files))) == 6


@pytest.mark.parametrize("cut", [1, 9, 40, 200, 700])
def test_a_torn_last_record_does_not_hide_the_rest(tmp_path: Path, cut: int) -> None:
    with WarcWriter(tmp_path, "run") as w:
        for i in range(3):
            w.write(page(f"/de/inhalt/{i}/", body=os.urandom(800)))
    path = w.files[0]
    data = path.read_bytes()
    path.write_bytes(data[:-cut])
    back = list(read_responses(path))
    names = [f.final_url.rsplit("/", 2)[1] for f in back]
    # a cut in the gzip trailer or the record's closing CRLFs leaves the payload whole: it may be read
    assert names in (["0", "1"], ["0", "1", "2"]) if cut < 40 else names == ["0", "1"]
    assert all(len(f.body) == 800 for f in back)


def test_kill_minus_9_loses_at_most_the_record_in_flight(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os, sys
        from datetime import datetime, UTC
        from pipeline.capture import WarcWriter
        from pipeline.models import Fetched
        w = WarcWriter({str(tmp_path)!r}, "run")
        i = 0
        while True:
            url = f"https://www.krefeld.de/de/inhalt/{{i}}/"
            w.write(Fetched(url=url, final_url=url, status=200, body=os.urandom(20000),
                            fetched_at=datetime.now(UTC)))
            print(i, flush=True)
            i += 1
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert proc.stdout is not None
    for _ in range(30):
        proc.stdout.readline()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    written = sorted(tmp_path.glob("*.warc.gz"))
    back = list(read_responses(written))
    assert len(back) >= 30  # every record reported written is there
    assert all(len(f.body) == 20000 for f in back)


def test_gzip_members_are_independent(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, "run") as w:
        w.write(page("/de/inhalt/a/"))
    raw = w.files[0].read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw.count(b"\x1f\x8b\x08") >= 3
    assert gzip.decompress(raw).startswith(b"WARC/1.1\r\nWARC-Type: warcinfo")


def test_redirect_answers_are_written_before_the_final_one(tmp_path: Path) -> None:
    hop1 = page("/alt", body=b"", status=301, reason="Moved Permanently",
                headers={"location": "https://www.krefeld.de/neu", "content-length": "0"})
    hop2 = page("/neu", body=b"", status=302, reason="Found", headers={"location": "/de/inhalt/a/"})
    final = page("/de/inhalt/a/", url="https://www.krefeld.de/alt", hops=[hop1, hop2],
                 redirects=["https://www.krefeld.de/neu", "https://www.krefeld.de/de/inhalt/a/"])
    with WarcWriter(tmp_path, "run-00001") as w:
        ref = w.write(final)
        # a redirect to a place the crawler may not go: the 3xx is archived, nothing else
        refused = page("/weg", status=None, error="off_scope", body=b"",
                       hops=[page("/weg", body=b"", status=302, headers={"location": "https://example.org/"})])
        assert w.write(refused) is None
    recs = [r for r in records(w.files[0]) if r[0] == "response"]
    got = [(r[1].get_header("WARC-Target-URI"), r[2].get_statuscode(), r[2].get_header("location"))  # type: ignore[union-attr]
           for r in recs]
    assert got == [("https://www.krefeld.de/alt", "301", "https://www.krefeld.de/neu"),
                   ("https://www.krefeld.de/neu", "302", "/de/inhalt/a/"),
                   ("https://www.krefeld.de/de/inhalt/a/", "200", None),
                   ("https://www.krefeld.de/weg", "302", "https://example.org/")]
    assert ref is not None and read_at(w.files[0].parent / ref.file, ref.offset).status == 200


def test_a_body_captured_by_an_earlier_run_becomes_a_revisit(tmp_path: Path) -> None:
    body = b"<html>Venlo</html>"
    with WarcWriter(tmp_path, "run-00001") as w1:
        ref1 = w1.write(page("/de/inhalt/a/", body=body))
    assert ref1 is not None and ref1.digest == payload_digest(body)
    with WarcWriter(tmp_path, "run-00002") as w2:
        taken = w2.remember([("https://www.krefeld.de/de/inhalt/a/", payload_digest(body), WHEN, ref1.file,
                              ref1.offset),
                             ("https://www.krefeld.de/x/", payload_digest(b"x"), WHEN, "gone.warc.gz", 0)])
        assert taken == 1  # the capture whose file was deleted is not referred to
        later = datetime(2024, 11, 16, tzinfo=UTC)
        ref2 = w2.write(page("/de/inhalt/a/", body=body, fetched_at=later))
        changed = w2.write(page("/de/inhalt/a/", body=b"<html>Venlo, neu</html>", fetched_at=later))
    assert ref2 is not None and ref2.digest is None and ref2.file != ref1.file
    assert changed is not None and changed.digest == payload_digest(b"<html>Venlo, neu</html>")
    [(kind, headers, _, _)] = [r for r in records(tmp_path / ref2.file) if r[0] in ("revisit",)]
    assert headers.get_header("WARC-Refers-To-Date") == "2024-11-15T10:30:00.123456Z"  # type: ignore[union-attr]
    assert headers.get_header("WARC-Refers-To-Target-URI") == "https://www.krefeld.de/de/inhalt/a/"  # type: ignore[union-attr]
    assert read_at(tmp_path / ref2.file, ref2.offset).body == body
