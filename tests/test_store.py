"""The archive writer on real DuckDB files: idempotence, versions, gone/return, aliases, lock, migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipeline import store
from pipeline.errors import ArchiveError, LockedError
from pipeline.models import Contact, Fetched, Image, Person, Record, RunStats
from pipeline.store import schema

BASE = "https://www.krefeld.de/de/inhalt/"
TEXT = ("Die Stadt Krefeld und ihre niederländische Partnerstadt Venlo feiern das sechzigjährige Bestehen "
        "ihrer Städtepartnerschaft mit einem festlichen Empfang auf Burg Linn. Oberbürgermeister Frank Meyer "
        "begrüßte die Gäste aus Venlo, darunter Bürgermeister Antoin Scholten, im Rittersaal der Burg. "
        "Seit 1964 verbindet beide Städte eine lebendige Freundschaft, die von Schulen, Vereinen und "
        "vielen Bürgerinnen und Bürgern getragen wird.")


def make_record(slug: str = "venlo-feier", text: str = TEXT, title: str = "Krefeld und Venlo feiern",
                url: str | None = None, canonical: str | None = None, **kw: object) -> Record:
    url = url or f"{BASE}{slug}/"
    rec = Record(url=url, canonical_url=canonical or url, kind="press_release", title=title,
                 published="2024-11-15", lead="Sechzig Jahre Freundschaft.", text=text,
                 people=[Person("Frank Meyer", "Oberbürgermeister"), Person("Antoin Scholten", None)],
                 images=[Image(f"https://www.krefeld.de/bilder/{slug}.jpg", alt="Burg Linn",
                               caption="Burg Linn", credit="Stadt Krefeld, Presse und Kommunikation",
                               photographer="A. Bischof")],
                 partner_cities=["Venlo"],
                 contacts=[Contact("Erika Muster", "+49 2151 861554", "presse@krefeld.de", "B 209")],
                 links=["https://www.krefeld.de/de/inhalt/leicester/", "https://www.venlo.nl/"])
    for k, v in kw.items():
        setattr(rec, k, v)
    return rec


def fetched_for(rec: Record, etag: str | None = None, status: int = 200) -> Fetched:
    headers = {"Content-Type": "text/html"}
    if etag:
        headers["ETag"] = etag
    return Fetched(url=rec.canonical_url, final_url=rec.url, status=status, headers=headers,
                   body=b"<html></html>", fetched_at=datetime.now(UTC))


TABLES = ("articles", "article_versions", "article_urls", "people", "images", "contacts", "links",
          "lsh_bands", "near_duplicates")


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture
def archive(tmp_path: Path):
    with store.open_writer(tmp_path / "arc") as a:
        yield a


def test_storing_the_same_record_twice_changes_nothing(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    rec = make_record()
    assert archive.store(run, "krefeld", rec, fetched_for(rec)) == "new"
    before = counts(archive.con)
    row_before = archive.con.execute("SELECT * EXCLUDE (last_seen) FROM articles").fetchall()
    assert archive.store(run, "krefeld", make_record(), fetched_for(rec)) == "unchanged"
    assert counts(archive.con) == before
    assert archive.con.execute("SELECT * EXCLUDE (last_seen) FROM articles").fetchall() == row_before
    assert before["articles"] == 1 and before["people"] == 2 and before["images"] == 1
    assert before["contacts"] == 1 and before["article_versions"] == 1 and before["links"] == 2


def test_a_changed_page_becomes_a_new_version(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    rec = make_record()
    archive.store(run, "krefeld", rec, fetched_for(rec))
    first_seen = archive.con.execute("SELECT first_seen FROM articles").fetchone()[0]
    edited = make_record(title="Krefeld und Venlo feierten", text=TEXT + " Ein Nachtrag.",
                         people=[Person("Frank Meyer", "Oberbürgermeister")])
    assert archive.store(run, "krefeld", edited, fetched_for(edited)) == "changed"
    assert archive.store(run, "krefeld", edited, fetched_for(edited)) == "unchanged"
    rows = archive.con.execute("SELECT version, title, content_hash FROM article_versions "
                               "ORDER BY version").fetchall()
    assert [r[0] for r in rows] == [1, 2]
    assert rows[0][1] == "Krefeld und Venlo feiern" and rows[1][1] == "Krefeld und Venlo feierten"
    assert rows[0][2] != rows[1][2]
    art = archive.con.execute("SELECT version, title, first_seen, last_seen FROM articles").fetchone()
    assert art[0] == 2 and art[1] == "Krefeld und Venlo feierten"
    assert art[2] == first_seen and art[3] >= first_seen
    # child rows follow the latest version
    assert archive.con.execute("SELECT list(name) FROM people").fetchone()[0] == ["Frank Meyer"]


def test_links_of_the_stored_version_in_page_order(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    rec = make_record()
    archive.store(run, "krefeld", rec, fetched_for(rec))
    links = "SELECT list(url ORDER BY position) FROM links"
    assert archive.con.execute(links).fetchone()[0] == rec.links
    # links alone do not make a new version (navigation changes every page), a changed text does
    assert archive.store(run, "krefeld", make_record(links=["https://www.krefeld.de/x/"]),
                         fetched_for(rec)) == "unchanged"
    edited = make_record(text=TEXT + " Ein Nachtrag.", links=["https://www.krefeld.de/de/inhalt/dunkerque/"])
    assert archive.store(run, "krefeld", edited, fetched_for(edited)) == "changed"
    assert archive.con.execute(links).fetchone()[0] == ["https://www.krefeld.de/de/inhalt/dunkerque/"]


def test_a_caption_change_alone_is_a_new_version(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    rec = make_record()
    archive.store(run, "krefeld", rec, fetched_for(rec))
    rec2 = make_record(images=[Image(rec.images[0].src, caption="Burg Linn bei Nacht")])
    assert archive.store(run, "krefeld", rec2, fetched_for(rec2)) == "changed"
    assert archive.con.execute("SELECT caption FROM images").fetchall() == [("Burg Linn bei Nacht",)]


def test_gone_and_return(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    rec = make_record()
    archive.store(run, "krefeld", rec, fetched_for(rec))
    assert archive.known_urls("krefeld") == [rec.canonical_url]
    assert archive.mark_gone(run, rec.canonical_url)
    gone = archive.con.execute("SELECT gone_since FROM articles").fetchone()[0]
    assert gone is not None
    archive.mark_gone(run, rec.canonical_url)  # a second 404 keeps the first date
    assert archive.con.execute("SELECT gone_since FROM articles").fetchone()[0] == gone
    assert archive.known_urls("krefeld") == []
    assert counts(archive.con)["articles"] == 1  # not deleted
    assert archive.store(run, "krefeld", rec, fetched_for(rec)) == "unchanged"
    assert archive.con.execute("SELECT gone_since FROM articles").fetchone()[0] is None
    archive.mark_gone(run, rec.canonical_url)
    assert archive.touch(run, rec.canonical_url)  # a 304 also proves the page is back
    assert archive.con.execute("SELECT gone_since FROM articles").fetchone()[0] is None
    assert not archive.mark_gone(run, BASE + "never-seen/")
    assert not archive.touch(run, BASE + "never-seen/")


def test_url_aliases_are_one_article(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    rec = make_record()
    archive.store(run, "krefeld", rec, fetched_for(rec))
    aliases = [
        make_record(url="https://kaoa-krefeld.de/de/inhalt/venlo-feier/"),
        make_record(url="https://www.krefeld.de/C125748100427CD6/html/0123456789abcdef0123456789abcdef"),
        make_record(url=f"{BASE}venlo-feier/&c92=2147483647&s94=6", canonical=rec.canonical_url),
    ]
    for a in aliases:
        assert archive.store(run, "krefeld", a, fetched_for(a)) == "unchanged"
    assert counts(archive.con)["articles"] == 1
    urls = {r[0] for r in archive.con.execute("SELECT url FROM article_urls").fetchall()}
    assert urls == {rec.canonical_url, *(a.url for a in aliases)}
    # an alias that disappears does not make the article gone
    archive.mark_gone(run, aliases[0].url)
    assert archive.con.execute("SELECT gone_since FROM articles").fetchone()[0] is None


def test_a_legacy_alias_seen_first_gives_way_to_the_readable_url(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    legacy = make_record(url="https://www.krefeld.de/C125748100427CD6/html/0123456789abcdef0123456789abcdef/")
    readable = make_record()
    assert archive.store(run, "krefeld", legacy, fetched_for(legacy)) == "new"
    assert archive.store(run, "krefeld", readable, fetched_for(readable)) == "unchanged"
    assert archive.known_urls("krefeld") == [readable.canonical_url]
    assert archive.store(run, "krefeld", legacy, fetched_for(legacy)) == "unchanged"  # no flapping back
    assert archive.con.execute("SELECT canonical_url FROM articles").fetchall() == [(readable.canonical_url,)]


def test_aliases_parsed_differently_never_make_versions(archive: store.Archive) -> None:
    """The legacy page of a partner is parsed with other people/kind than its readable page (the URL
    matters to the parser): the readable capture is adopted in place, the alias never flaps."""
    run = archive.begin_run(["krefeld"])
    legacy = make_record(url="https://www.krefeld.de/C125748100427CD6/html/0123456789abcdef0123456789abcdef/",
                         kind="other", people=[])
    readable = make_record(kind="partner_page")
    for _ in range(2):
        for rec in (legacy, readable):
            assert archive.store(run, "krefeld", rec, fetched_for(rec)) == "unchanged" or _ == 0
    rows = archive.con.execute("SELECT version, kind, url FROM article_versions").fetchall()
    assert rows == [(1, "partner_page", readable.url)]
    assert archive.con.execute("SELECT kind, version FROM articles").fetchall() == [("partner_page", 1)]
    assert archive.con.execute("SELECT count(*) FROM people").fetchone()[0] == 2
    edited = make_record(kind="partner_page", text="Ganz neuer Text über Venlo und Krefeld. " * 5)
    assert archive.store(run, "krefeld", edited, fetched_for(edited)) == "changed"
    assert archive.store(run, "krefeld", legacy, fetched_for(legacy)) == "unchanged"  # stale alias
    assert archive.con.execute("SELECT version FROM articles").fetchone()[0] == 2


def test_different_articles_stay_apart(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    a = make_record("a")
    b = make_record("b", title="Leicester Symphony Orchestra kommt",
                    text="Das Leicester Symphony Orchestra gibt am Sonntag ein Konzert in St. Cyriakus. " * 3)
    assert archive.store(run, "krefeld", a, fetched_for(a)) == "new"
    assert archive.store(run, "krefeld", b, fetched_for(b)) == "new"
    assert counts(archive.con)["articles"] == 2
    assert counts(archive.con)["near_duplicates"] == 0


def test_validators_belong_to_the_stored_capture(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    rec = make_record()
    f = fetched_for(rec, etag='"v1"')
    f.headers["Last-Modified"] = "Fri, 15 Nov 2024 10:00:00 GMT"
    assert archive.validators(rec.canonical_url) is None
    archive.log_fetch(run, f, ("run-00001.warc.gz", 42))
    assert archive.validators(rec.canonical_url) is None  # fetched but not stored yet: no 304 shortcut
    archive.store(run, "krefeld", rec, f)
    assert archive.validators(rec.canonical_url) == ('"v1"', "Fri, 15 Nov 2024 10:00:00 GMT")
    assert archive.validators(BASE + "unknown/") is None
    row = archive.con.execute("SELECT warc_file, warc_offset FROM article_versions").fetchone()
    assert row == ("run-00001.warc.gz", 42)


def test_runs_are_recorded_and_a_killed_run_is_marked_aborted(tmp_path: Path) -> None:
    with store.open_writer(tmp_path) as a:
        run1 = a.begin_run(["krefeld"])  # never finished: as if killed
    with store.open_writer(tmp_path) as a:
        run2 = a.begin_run(["krefeld"])
        a.finish_run(run2, RunStats(run_id=run2, pages_fetched=3, pages_new=2, pages_failed=1,
                                    status="failed_pages"))
        rows = a.con.execute("SELECT id, status, finished IS NOT NULL, pages_fetched, pages_new, "
                             "pages_failed FROM crawl_runs ORDER BY id").fetchall()
    assert rows == [(run1, "aborted", False, 0, 0, 0), (run2, "failed_pages", True, 3, 2, 1)]


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with store.open_writer(tmp_path), pytest.raises(LockedError, match="another crawl is running"):
        store.open_writer(tmp_path)
    with store.open_writer(tmp_path) as a:  # released on close
        assert a.begin_run(["x"]) == 1


def test_listings_are_not_articles(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    rec = make_record(kind="listing")
    with pytest.raises(ArchiveError, match="listing"):
        archive.store(run, "krefeld", rec, fetched_for(rec))


ROWS = "SELECT id, canonical_url, version, duplicate_of FROM articles ORDER BY id"


def test_store_many_decides_like_store(tmp_path: Path) -> None:
    recs = [make_record("a"), make_record("a"), make_record("b", text=TEXT + " Zweiter Text."),
            make_record(url="https://kaoa-krefeld.de/de/inhalt/a/"),
            make_record("a", text=TEXT + " geändert und ergänzt um einen längeren Satz am Ende.")]
    with store.open_writer(tmp_path / "one") as a:
        run = a.begin_run(["krefeld"])
        one = [a.store(run, "krefeld", r, fetched_for(r)) for r in recs]
        c1 = counts(a.con)
        t1 = a.con.execute(ROWS).fetchall()
    with store.open_writer(tmp_path / "many") as a:
        a.batch_size = 2  # full batches go through the worker processes, decisions cross batches
        run = a.begin_run(["krefeld"])
        many = a.store_many(run, "krefeld", [(r, fetched_for(r), None) for r in recs])
        c2 = counts(a.con)
        t2 = a.con.execute(ROWS).fetchall()
    assert one == many == ["new", "unchanged", "new", "unchanged", "changed"]
    assert c1 == c2 and t1 == t2


def test_captures_and_restore_update_in_place(archive: store.Archive) -> None:
    run = archive.begin_run(["krefeld"])
    rec = make_record()
    f = fetched_for(rec)
    archive.log_fetch(run, f, ("run-00001.warc.gz", 100))
    archive.store(run, "krefeld", rec, f, parser_version="1")
    caps = list(archive.captures())
    assert len(caps) == 1
    cap = caps[0]
    assert (cap.article_id, cap.url, cap.warc_file, cap.warc_offset, cap.source) == \
        (1, rec.url, "run-00001.warc.gz", 100, "krefeld")
    assert archive.restore(cap, make_record(), parser_version="2") == "unchanged"
    better = make_record(people=[Person("Frank Meyer", "Oberbürgermeister"),
                                 Person("Antoin Scholten", "Bürgermeister von Venlo")])
    assert archive.restore(cap, better, parser_version="2") == "changed"
    assert archive.con.execute("SELECT count(*), max(version), max(parser_version) FROM article_versions"
                               ).fetchone() == (1, 1, "2")
    assert archive.con.execute("SELECT role FROM people WHERE name = 'Antoin Scholten'").fetchone()[0] == \
        "Bürgermeister von Venlo"
    assert archive.con.execute("SELECT parser_version, version FROM articles").fetchone() == ("2", 1)


def test_migration_from_schema_version_1_keeps_the_data(tmp_path: Path) -> None:
    work = tmp_path / "work" / "crawl.duckdb"
    work.parent.mkdir(parents=True)
    con = duckdb.connect(str(work))
    from importlib import resources
    con.execute(resources.files("pipeline").joinpath("schema.sql").read_text(encoding="utf-8"))
    con.execute("INSERT INTO schema_version VALUES (1, now()::TIMESTAMP)")
    con.execute("INSERT INTO articles (id, source, url, canonical_url, kind, title, text, first_seen, "
                "last_seen, version, content_hash, record_hash) VALUES (7, 'krefeld', 'u', 'u', "
                "'press_release', 'Alt', 'Alter Text', now()::TIMESTAMP, now()::TIMESTAMP, 1, 'h', 'r')")
    con.execute("INSERT INTO article_urls (article_id, url) VALUES (7, 'u')")
    con.close()
    with store.open_writer(tmp_path) as a:
        assert schema.current_version(a.con) == schema.SCHEMA_VERSION
        assert a.con.execute("SELECT id, title, duplicate_of FROM articles").fetchall() == [(7, "Alt", None)]
        assert a.con.execute("SELECT gone_since FROM article_urls").fetchall() == [(None,)]
        run = a.begin_run(["krefeld"])
        rec = make_record()
        assert a.store(run, "krefeld", rec, fetched_for(rec)) == "new"
        assert a.con.execute("SELECT max(id) FROM articles").fetchone()[0] == 8  # ids continue
        a.finish_run(run, RunStats(run_id=run, status="ok"))
        a.publish()
    versions = duckdb.connect(str(tmp_path / "archive.duckdb"), read_only=True).execute(
        "SELECT list(version ORDER BY version) FROM schema_version").fetchone()[0]
    assert versions == list(range(1, schema.SCHEMA_VERSION + 1))


def test_a_newer_archive_is_refused(tmp_path: Path) -> None:
    work = tmp_path / "work" / "crawl.duckdb"
    work.parent.mkdir(parents=True)
    con = duckdb.connect(str(work))
    con.execute("CREATE TABLE schema_version (version INTEGER, applied TIMESTAMP)")
    con.execute("INSERT INTO schema_version VALUES (99, now()::TIMESTAMP)")
    con.close()
    with pytest.raises(ArchiveError, match="schema version 99"):
        store.open_writer(tmp_path)
    with store.open_writer(tmp_path / "other"):  # the lock of the refused archive was released
        pass
    with pytest.raises(ArchiveError):
        store.open_writer(tmp_path)


def test_published_copy_is_read_only_and_complete(tmp_path: Path) -> None:
    with store.open_writer(tmp_path) as a:
        run = a.begin_run(["krefeld"])
        rec = make_record()
        a.store(run, "krefeld", rec, fetched_for(rec))
        a.finish_run(run, RunStats(run_id=run, pages_new=1, status="ok"))
        path = a.publish()
    assert path == tmp_path / "archive.duckdb"
    con = duckdb.connect(str(path), read_only=True)
    row = con.execute("SELECT title, published, partner_cities FROM articles").fetchone()
    assert row[0] == "Krefeld und Venlo feiern" and str(row[1]) == "2024-11-15" and row[2] == ["Venlo"]
    assert con.execute("SELECT * FROM partner_city_months").fetchall()[0][2] == 1
    people = con.execute("SELECT name, roles, mentions FROM people_mentions ORDER BY name").fetchall()
    assert people == [("Antoin Scholten", None, 1), ("Frank Meyer", ["Oberbürgermeister"], 1)]
    assert con.execute("SELECT photographer, images FROM image_credits").fetchall() == [("A. Bischof", 1)]
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM articles")
