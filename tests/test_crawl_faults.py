"""A whole crawl over the fault-injecting server: it survives every fault, records it, stays in scope."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
from faultserver import FaultServer, html

from pipeline import config, crawl


def fault_config(tmp: Path, srv: FaultServer, start: list[str], **extra: object) -> config.Config:
    host = srv.base.split("//", 1)[1]
    settings = {"name": "faults", "start_urls": [srv.url(p) for p in start], "allowed_hosts": [host],
                "rate": 200, "concurrency": 2, "timeout": 1.0, "retries": 2, "retry_backoff": 0.01,
                "retry_after_cap": 0.2, "max_bytes": 200_000, "max_depth": 6, **extra}
    p = tmp / "faults.yaml"
    p.write_text(json.dumps({"user_agent": "partner-archive-test/0.1 (faults)", "sources": [settings]}))
    return config.load(p)  # JSON is YAML


def log_rows(archive: Path) -> dict[str, tuple[int | None, str | None]]:
    con = duckdb.connect(str(archive / "archive.duckdb"), read_only=True)
    rows = con.execute("SELECT url, status, error FROM fetch_log").fetchall()
    # the crawler asks for canonical URLs (a trailing slash added): key the rows by the path as written above
    return {u.split("/", 3)[-1].replace("/?", "?").rstrip("/"): (s, e) for u, s, e in rows}


def test_crawl_survives_faults_and_records_them(tmp_path: Path, fault_server: FaultServer,
                                                trap_server: FaultServer) -> None:
    start = ["/links", "/flaky/a?fails=1", "/reset", "/truncated", "/slow?delay=3", "/gzip-bomb?mb=64",
             "/big?n=500000", "/loop/a", "/offscope-redirect", "/lying-charset", "/nested?depth=3000",
             "/status/500", "/retry-after/b?after=0.1&fails=1"]
    cfg = fault_config(tmp_path, fault_server, start)
    out = io.StringIO()
    archive = tmp_path / "archive"
    code = crawl.run(cfg, archive, out=out)
    assert code == 1, "some pages failed: exit 1"
    summary = out.getvalue()
    assert "failed" in summary and "/reset" in summary

    rows = log_rows(archive)
    errors = {path: err for path, (_, err) in rows.items()}
    assert errors["reset"] and errors["truncated"] and errors["slow?delay=3"]
    assert errors["gzip-bomb?mb=64"] == "too_large" and errors["big?n=500000"] == "too_large"
    assert errors["loop/a"] in ("redirect_loop", "too_many_redirects")
    assert errors["offscope-redirect"] == "off_scope"
    assert rows["status/500"][0] == 500
    assert rows["flaky/a?fails=1"] == (200, None), "retried, then archived"
    assert rows["retry-after/b?after=0.1&fails=1"] == (200, None)

    con = duckdb.connect(str(archive / "archive.duckdb"), read_only=True)
    titles = {t for (t,) in con.execute("SELECT title FROM articles").fetchall()}
    assert "ok after 1 failures" in titles
    text = con.execute("SELECT text FROM articles WHERE url LIKE '%lying-charset%'").fetchone()[0]
    assert "Grüße aus Dünkirchen" in text, "the lying charset header was overruled"
    run = con.execute("SELECT status, pages_failed FROM crawl_runs").fetchone()
    assert run[1] >= 6

    # redirect answers are archived too, each under its own URL (the refused target is not requested)
    from pipeline.capture import read_responses

    warc = {(f.final_url.split("/", 3)[-1].rstrip("/"), f.status) for f in read_responses(archive / "warc")}
    assert ("offscope-redirect", 302) in warc or ("offscope-redirect", 301) in warc
    assert {"loop/a", "loop/b"} <= {u for u, st in warc if st is not None and 300 <= st < 400}

    paths = fault_server.paths()
    assert not any(p.startswith("/private/") for p in paths), "robots.txt disallow honoured"
    assert trap_server.log == [], "nothing off scope was ever requested"
    calendar = [p for p in paths if p.startswith("/kalender/")]
    assert 0 < len(calendar) <= 12, "the endless calendar is bounded"


def test_unreachable_site_exits_1_and_keeps_archive(tmp_path: Path, fault_server: FaultServer) -> None:
    cfg = fault_config(tmp_path, fault_server, ["/page/1"])
    archive = tmp_path / "archive"
    assert crawl.run(cfg, archive, out=io.StringIO()) == 0
    first = log_rows(archive)
    assert first["page/1"] == (200, None)
    # the same site, now answering 503 on every page: the run finishes, fails, and loses nothing
    cfg = fault_config(tmp_path, fault_server, ["/status/503"])
    assert crawl.run(cfg, archive, out=io.StringIO()) == 1
    con = duckdb.connect(str(archive / "archive.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM articles WHERE url LIKE '%/page/1%'").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM crawl_runs WHERE finished IS NOT NULL").fetchone()[0] == 2


def test_a_page_that_failed_is_asked_again_though_its_linking_page_is_unchanged(tmp_path: Path) -> None:
    state = {"down": True}

    def site(path: str, headers: dict[str, str]):
        if path.startswith("/hub"):
            if headers.get("if-none-match") == '"h1"':
                return 304, {"ETag": '"h1"'}, b""
            body = html("Hub", '<p>Ein Verteiler mit einem Link.</p><a href="/later/">später</a>')
            return 200, {"ETag": '"h1"', "Content-Type": "text/html; charset=utf-8"}, body
        if path.startswith("/later"):
            if state["down"]:
                return 503, {}, b"busy"
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html("Später erreicht", "<p>Da.</p>")
        return None

    with FaultServer(site=site) as srv:
        cfg = fault_config(tmp_path, srv, ["/hub"])
        archive = tmp_path / "archive"
        assert crawl.run(cfg, archive, out=io.StringIO()) == 1
        state["down"] = False
        assert crawl.run(cfg, archive, out=io.StringIO()) == 0
        hub_answers = [h for h in srv.log if h.path.startswith("/hub")]
    assert hub_answers[-1].headers.get("if-none-match") == '"h1"', "the hub was only revalidated"
    con = duckdb.connect(str(archive / "archive.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM articles WHERE title = 'Später erreicht'").fetchone()[0] == 1


def test_after_an_unfinished_run_pages_are_fetched_in_full(tmp_path: Path) -> None:
    """A killed run's frontier is lost and pages answering 304 yield no links: the next run asks in full."""

    def site(path: str, headers: dict[str, str]):
        if not path.startswith("/kette/"):
            return None
        n = int(path.strip("/").split("/")[-1])
        if headers.get("if-none-match") == f'"k{n}"':
            return 304, {"ETag": f'"k{n}"'}, b""
        link = f'<a href="/kette/{n + 1}/">weiter</a>' if n < 5 else ""
        return 200, {"ETag": f'"k{n}"', "Content-Type": "text/html; charset=utf-8"}, html(
            f"Glied {n}", f"<p>Glied {n} der Kette.</p>{link}")

    with FaultServer(site=site) as srv:
        cfg = fault_config(tmp_path, srv, ["/kette/0/"])
        archive = tmp_path / "archive"
        assert crawl.run(cfg, archive, out=io.StringIO()) == 0
        srv.log.clear()
        assert crawl.run(cfg, archive, out=io.StringIO()) == 0
        conditional = [h for h in srv.log if h.path.startswith("/kette/")]
        assert conditional and all("if-none-match" in h.headers for h in conditional)
        # the work database as a kill -9 leaves it: the last run never finished
        work = duckdb.connect(str(archive / "work" / "crawl.duckdb"))
        work.execute("UPDATE crawl_runs SET status = 'running', finished = NULL WHERE id = 2")
        work.close()
        srv.log.clear()
        assert crawl.run(cfg, archive, out=io.StringIO()) == 0
        full = [h for h in srv.log if h.path.startswith("/kette/")]
    assert len(full) == 6 and not any("if-none-match" in h.headers for h in full)
    con = duckdb.connect(str(archive / "archive.duckdb"), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (6, 6)
    assert con.execute("SELECT sum(pages_new) FROM crawl_runs WHERE id = 3").fetchone()[0] == 0


def test_an_unchanged_page_without_validators_is_archived_as_a_revisit(tmp_path: Path) -> None:
    """A server that sends neither ETag nor Last-Modified answers every run in full: the WARC keeps one
    copy of an unchanged body and writes later identical answers as revisits pointing at it."""
    from warcio.archiveiterator import ArchiveIterator

    from pipeline import capture

    state = {"edit": ""}

    def site(path: str, headers: dict[str, str]):
        if path.startswith("/same"):
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html(
                "Unverändert", '<p>Immer derselbe Text über Venlo.</p><a href="/edited/">weiter</a>')
        if path.startswith("/edited"):
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html(
                "Bearbeitet", f"<p>Ein Text über Leicester.{state['edit']}</p>")
        return None

    with FaultServer(site=site) as srv:
        cfg = fault_config(tmp_path, srv, ["/same"])
        archive = tmp_path / "archive"
        assert crawl.run(cfg, archive, out=io.StringIO()) == 0
        state["edit"] = " Mit einem neuen Satz."
        assert crawl.run(cfg, archive, out=io.StringIO()) == 0

    def kinds(name: str) -> dict[str, str]:
        with (archive / "warc" / name).open("rb") as fh:
            return {r.rec_headers.get_header("WARC-Target-URI").split("/", 3)[-1].rstrip("/"): r.rec_type
                    for r in ArchiveIterator(fh) if r.rec_type in ("response", "revisit")}

    first, second = sorted(p.name for p in (archive / "warc").glob("run-*.warc.gz"))
    assert kinds(first) == {"same": "response", "edited": "response"}
    assert kinds(second) == {"same": "revisit", "edited": "response"}
    con = duckdb.connect(str(archive / "archive.duckdb"), read_only=True)
    file, offset = con.execute("SELECT warc_file, warc_offset FROM fetch_log WHERE run_id = 2 AND url LIKE "
                               "'%/same/'").fetchone()
    assert file == second
    # the revisit refers to the first run's record, and reading it gives the full body back
    assert b"Immer derselbe Text" in capture.read_at(archive / "warc" / file, offset).body
    assert con.execute("SELECT count(*) FROM articles WHERE title = 'Unverändert'").fetchone()[0] == 1
    con.close()
    assert crawl.reparse(cfg, archive, out=io.StringIO()) == 0  # from the WARC files alone, revisits too
