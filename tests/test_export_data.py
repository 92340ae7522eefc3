"""A small real archive for the export and report tests: CONTRACT.md relations in plain DDL, three runs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

DDL = """
CREATE TABLE crawl_runs (id INTEGER, started TIMESTAMP, finished TIMESTAMP, status VARCHAR,
    pages_fetched INTEGER, pages_new INTEGER, pages_changed INTEGER, pages_unchanged INTEGER,
    pages_failed INTEGER);
CREATE TABLE fetch_log (run_id INTEGER, url VARCHAR, status INTEGER, bytes BIGINT, error VARCHAR,
    fetched_at TIMESTAMP);
CREATE TABLE articles (id BIGINT, source VARCHAR, url VARCHAR, canonical_url VARCHAR, kind VARCHAR,
    title VARCHAR, subtitle VARCHAR, published DATE, lead VARCHAR, text VARCHAR, partner_cities VARCHAR[],
    first_seen TIMESTAMP, last_seen TIMESTAMP, version INTEGER, gone_since TIMESTAMP);
CREATE TABLE article_versions (article_id BIGINT, version INTEGER, fetched_at TIMESTAMP,
    content_hash VARCHAR, title VARCHAR, text VARCHAR);
CREATE TABLE people (article_id BIGINT, name VARCHAR, role VARCHAR);
CREATE TABLE images (article_id BIGINT, src VARCHAR, alt VARCHAR, caption VARCHAR, credit VARCHAR,
    photographer VARCHAR);
CREATE TABLE contacts (article_id BIGINT, name VARCHAR, phone VARCHAR, email VARCHAR, room VARCHAR);
CREATE TABLE article_urls (article_id BIGINT, url VARCHAR);
"""

BASE = "https://www.krefeld.de/de/inhalt/"
RUN1 = (datetime(2026, 11, 1, 2, 0), datetime(2026, 11, 1, 2, 10))
RUN2 = (datetime(2026, 11, 2, 2, 0), datetime(2026, 11, 2, 2, 10))
RUN3 = (datetime(2026, 11, 2, 9, 0), datetime(2026, 11, 2, 9, 5))  # a reparse: says nothing about the site


def _article(id_: int, slug: str, title: str, published: date | None, cities: list[str], lead: str,
             people: list[tuple[str, str | None]], images: list[tuple[str, str | None]],
             source: str = "krefeld", kind: str = "press_release") -> dict[str, Any]:
    return {"id": id_, "source": source, "url": BASE + slug + "/&c92=2147483647",
            "canonical_url": BASE + slug + "/",
            "kind": kind, "title": title, "subtitle": None, "published": published, "lead": lead,
            "text": lead + "\n\nWeiterer Absatz über " + " und ".join(cities or ["nichts"]) + ".",
            "partner_cities": cities, "people": people, "images": images}


ARTICLES: list[dict[str, Any]] = [
    _article(1, "krefeld-und-venlo-feiern-60-jahre", "Krefeld und Venlo feiern 60 Jahre Städtepartnerschaft "
             "auf Burg Linn", date(2024, 11, 15), ["Venlo"], "Ein Fest auf Burg Linn für die Freundschaft.",
             [("Frank Meyer", "Oberbürgermeister"), ("Antoin Scholten", "Bürgermeister von Venlo")],
             [("Burg Linn bei Nacht.", "Stadt Krefeld, Presse und Kommunikation")]),
    _article(2, "krefeld-und-duenkirchen-erneuern-ihr-freundschaftsversprechen",
             "Krefeld und Dünkirchen feiern 50-jährige Freundschaft", date(2024, 11, 20), ["Dünkirchen"],
             "Die Städte erneuern ihr Versprechen.",
             [("Frank Meyer", "Oberbürgermeister"), ("Patrice Vergriete", None)],
             [("Unterzeichnung im Rathaus.", "Ville de Dunkerque"), ("Gruppenbild.", None)]),
    _article(3, "oekumenischer-besuch", "Ökumenischer Besuch aus Leicester", date(2023, 5, 2),
             ["Venlo", "Leicester"], "=1+1 ist keine Formel, sondern ein Satz.",
             [("Dr. Hanna Finke", "Leiterin")], []),
    _article(4, "uebersicht", "Übersicht Städtepartnerschaften", None,
             ["Venlo", "Leicester", "Dünkirchen", "Leiden", "Charlotte"], "Krefeld hat viele Partner.",
             [], [], kind="overview"),
    _article(5, "abschied-aus-uljanowsk", "Abschied aus Uljanowsk", date(2022, 5, 10), ["Uljanowsk"],
             "Die Partnerschaft ruht.", [], [("Archivbild.", "Stadt Krefeld, Stadtarchiv")], source="archiv"),
    _article(6, "charlotte-sister-cities", "Charlotte Sister Cities zu Gast", date(2024, 11, 20),
             ["Charlotte"], "Besuch aus North Carolina.", [("Jane Doe", "Präsidentin")], []),
]
PREVIOUS_TITLE_2 = "Krefeld und Dünkirchen erneuern ihr Freundschaftsversprechen"
CONTACT = ("Ricarda Beispiel", "+49 2151 861554", "r.beispiel@krefeld.de", "B 209")


def build_archive(archive_dir: Path) -> Path:
    """archive_dir/archive.duckdb: run 1 stores 1-5; run 2 adds 6, changes 2, finds 5 gone; run 3 reparses."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    path = archive_dir / "archive.duckdb"
    con = duckdb.connect(str(path))
    con.execute(DDL)
    con.executemany("INSERT INTO crawl_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        (1, *RUN1, "ok", 5, 5, 0, 0, 0),
        (2, *RUN2, "failed_pages", 6, 1, 1, 3, 1),
        (3, *RUN3, "reparse", 0, 0, 0, 6, 0),
    ])
    for a in ARTICLES:
        first = RUN2[0] if a["id"] == 6 else RUN1[0]
        first = first.replace(minute=a["id"])
        version = 2 if a["id"] == 2 else 1
        gone = datetime(2026, 11, 2, 2, 5) if a["id"] == 5 else None
        last = RUN1[0].replace(minute=a["id"]) if a["id"] == 5 else RUN2[0].replace(minute=a["id"])
        con.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [a["id"], a["source"], a["url"], a["canonical_url"], a["kind"], a["title"], a["subtitle"],
                     a["published"], a["lead"], a["text"], a["partner_cities"], first, last, version, gone])
        con.execute("INSERT INTO article_versions VALUES (?, 1, ?, ?, ?, ?)",
                    [a["id"], first, f"h{a['id']}", PREVIOUS_TITLE_2 if a["id"] == 2 else a["title"],
                     a["text"]])
        if version == 2:
            con.execute("INSERT INTO article_versions VALUES (?, 2, ?, ?, ?, ?)",
                        [a["id"], RUN2[0].replace(minute=8), "h2b", a["title"], a["text"]])
        for n, r in a["people"]:
            con.execute("INSERT INTO people VALUES (?, ?, ?)", [a["id"], n, r])
        for k, (cap, cr) in enumerate(a["images"]):
            con.execute("INSERT INTO images VALUES (?, ?, ?, ?, ?, ?)",
                        [a["id"], f"https://www.krefeld.de/medien/{a['id']}-{k}.jpg", cap, cap, cr, None])
        con.execute("INSERT INTO article_urls VALUES (?, ?)", [a["id"], a["canonical_url"]])
    con.execute("INSERT INTO contacts VALUES (1, ?, ?, ?, ?)", list(CONTACT))
    con.close()
    return path


def expected_order(ids: list[int] | None = None) -> list[int]:
    """Newest first by published (undated last), then first_seen; worked out by hand for ARTICLES."""
    order = [6, 2, 1, 3, 5, 4]  # 6 and 2 share a date: 6 was first seen later
    return [i for i in order if ids is None or i in ids]


def by_id(id_: int) -> dict[str, Any]:
    return next(a for a in ARTICLES if a["id"] == id_)


def test_the_fixture_archive_holds_what_the_tests_expect(tmp_path: Path) -> None:
    build_archive(tmp_path)
    con = duckdb.connect(str(tmp_path / "archive.duckdb"), read_only=True)
    rows = con.execute("SELECT id FROM articles ORDER BY published DESC NULLS LAST, first_seen DESC"
                       ).fetchall()
    assert [r[0] for r in rows] == expected_order()
    assert con.execute("SELECT count(*) FROM people").fetchone() == (6,)
