"""End to end: crawl the offline mirror over real HTTP into a real DuckDB archive with real WARC files."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from mirrorconfig import mirror_config

from pipeline import config, crawl
from pipeline.mirror import server

TRUTH = Path(__file__).resolve().parent.parent / "pipeline" / "mirror" / "content" / "truth"


def truth(snapshot: int = 1) -> dict[str, dict]:
    """path → expected record for every press release in that state of the site."""
    out: dict[str, dict] = {}
    for f in sorted(TRUTH.glob("*.json")):
        rec = json.loads(f.read_text(encoding="utf-8"))
        out[urlsplit(rec["url"]).path] = rec
    if snapshot == 2:
        for f in sorted((TRUTH.parent / "truth2").glob("*.json")):
            rec = json.loads(f.read_text(encoding="utf-8"))
            out[urlsplit(rec["url"]).path] = rec
    return out


def published_db(archive: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(archive / "archive.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory,
            ) -> Iterator[tuple[Path, server.MirrorHandle, config.Config]]:
    tmp = tmp_path_factory.mktemp("crawl")
    with server.start_in_thread(snapshot=1, port=0) as mirror:
        cfg = mirror_config(tmp, mirror.port)
        archive = tmp / "archive"
        code = crawl.run(cfg, archive, out=io.StringIO())
        assert code == 0
        yield archive, mirror, cfg


def test_every_press_release_once_with_title_and_date(crawled: tuple[Path, object, object]) -> None:
    archive, _, _ = crawled
    con = published_db(archive)
    rows = con.execute("SELECT canonical_url, title, CAST(published AS VARCHAR) FROM articles "
                       "WHERE kind = 'press_release'").fetchall()
    by_path: dict[str, list[tuple[str, str | None]]] = {}
    for url, title, published in rows:
        by_path.setdefault(urlsplit(url).path, []).append((title, published))
    expected = {p: r for p, r in truth(1).items() if r["kind"] == "press_release"}
    assert len(expected) >= 45
    assert sorted(by_path) == sorted(expected), "each press release archived, nothing else as one"
    for path, rec in expected.items():
        assert by_path[path] == [(rec["title"], rec["published"])], path
    # the record's links are stored: every partner page links to the overview it belongs to
    partner_links = con.execute("SELECT a.canonical_url, list(l.url) FROM articles a JOIN links l ON "
                                "l.article_id = a.id WHERE a.kind = 'partner_page' GROUP BY ALL").fetchall()
    assert len(partner_links) >= 8
    assert all(any("staedtepartnerschaften" in u for u in urls) for _, urls in partner_links)


def test_warc_files_are_standard_and_complete(crawled: tuple[Path, object, object]) -> None:
    from warcio.archiveiterator import ArchiveIterator

    archive, _, _ = crawled
    files = sorted((archive / "warc").glob("*.warc.gz"))
    assert files
    uris = set()
    types: dict[str, int] = {}
    for f in files:
        with f.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                types[rec.rec_type] = types.get(rec.rec_type, 0) + 1
                if rec.rec_type == "response":
                    uris.add(urlsplit(rec.rec_headers.get_header("WARC-Target-URI")).path)
    assert types.get("request", 0) >= types.get("response", 0) > 45
    assert set(truth(1)) <= {u.rstrip("/") + "/" for u in uris} | uris


def test_second_identical_run_creates_nothing_new(crawled: tuple[Path, object, config.Config],
                                                   tmp_path: Path) -> None:
    archive, _, cfg = crawled
    before = published_db(archive).execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_versions)").fetchone()
    out = io.StringIO()
    assert crawl.run(cfg, archive, out=out) == 0
    con = published_db(archive)
    after = con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_versions)").fetchone()
    assert after == before
    last = con.execute("SELECT pages_new, pages_changed, pages_unchanged FROM crawl_runs "
                       "ORDER BY id DESC LIMIT 1").fetchone()
    assert last[0] == 0 and last[1] == 0 and last[2] > 0
    # detail pages were revalidated (304), not re-transferred
    n304 = con.execute("SELECT count(*) FROM fetch_log WHERE run_id = (SELECT max(id) FROM crawl_runs) "
                       "AND status = 304").fetchone()[0]
    assert n304 >= 45


def test_snapshot_two_versions_new_and_gone(tmp_path: Path) -> None:
    with server.start_in_thread(snapshot=1, port=0) as mirror:
        cfg = mirror_config(tmp_path, mirror.port)
        archive = tmp_path / "archive"
        assert crawl.run(cfg, archive, out=io.StringIO()) == 0
        mirror.set_snapshot(2)
        assert crawl.run(cfg, archive, out=io.StringIO()) == 0
    con = published_db(archive)
    t1, t2 = truth(1), truth(2)
    gone_paths = {p for p in t1 if p not in _paths_in_snapshot2()}
    new_paths = {p for p in _paths_in_snapshot2() if p not in t1}
    assert len(new_paths) >= 5 and len(gone_paths) >= 2
    rows = {urlsplit(u).path: (v, g) for u, v, g in con.execute(
        "SELECT canonical_url, version, gone_since FROM articles").fetchall()}
    for p in gone_paths:
        assert rows[p][1] is not None, f"{p} marked gone, not deleted"
    for p in new_paths:
        assert p in rows and rows[p][1] is None
    edited = [p for p in t2 if p in t1 and (t2[p]["title"], t2[p]["text"], t2[p]["published"])
              != (t1[p]["title"], t1[p]["text"], t1[p]["published"])]
    assert len(edited) >= 3
    for p in edited:
        assert rows[p][0] >= 2, f"{p} got a new version"
        assert con.execute("SELECT title FROM articles WHERE canonical_url LIKE ?", [f"%{p}"]).fetchone()[0] \
            == t2[p]["title"]


def _paths_in_snapshot2() -> set[str]:
    from pipeline.mirror.site import Site

    return {p for p in Site(snapshot=2).detail_paths()}


def test_reparse_uses_captures_only(crawled: tuple[Path, server.MirrorHandle, config.Config]) -> None:
    archive, mirror, cfg = crawled
    con = published_db(archive)
    before = con.execute("SELECT id, title, text, version FROM articles ORDER BY id").fetchall()
    con.close()
    out = io.StringIO()
    requests_before = len(mirror.requests) if hasattr(mirror, "requests") else None
    assert crawl.reparse(cfg, archive, out=out) == 0
    assert "Reparsed" in out.getvalue()
    if requests_before is not None:
        assert len(mirror.requests) == requests_before, "reparse made no request"
    con = published_db(archive)
    after = con.execute("SELECT id, title, text, version FROM articles ORDER BY id").fetchall()
    assert after == before, "the same parser over the same captures gives the same records, no new versions"
    assert con.execute("SELECT count(*) FROM articles WHERE parser_version IS NULL").fetchone()[0] == 0
