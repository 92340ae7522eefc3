"""Full-text search: German stemming, ranking, snippets, the published copy read-only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_store import fetched_for, make_record

from pipeline import search, store
from pipeline.errors import UsageError
from pipeline.models import RunStats
from pipeline.query import open_reader

DOCS = {
    "venlo": ("Krefeld und Venlo feiern 60 Jahre Städtepartnerschaft",
              "Die Städtepartnerschaft mit Venlo wurde 1964 besiegelt. Ein Empfang auf Burg Linn."),
    "leicester": ("Leicester Symphony Orchestra kommt nach Krefeld",
                  "Das Orchester spielt am Sonntag in St. Cyriakus an der Großen Straße; Karten im Rathaus."),
    "duenkirchen": ("Krefeld und Dünkirchen erneuern ihr Freundschaftsversprechen",
                    "Die Partnerstädte Krefeld und Dünkirchen feiern 50 Jahre Freundschaft mit Bürgerinnen."),
}


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search")
    with store.open_writer(folder) as a:
        run = a.begin_run(["krefeld"])
        for slug, (title, text) in DOCS.items():
            when = None if slug == "leicester" else "2024-11-15"
            rec = make_record(slug, title=title, text=text, published=when)
            a.store(run, "krefeld", rec, fetched_for(rec))
        a.finish_run(run, RunStats(run_id=run, status="ok"))
        a.publish()
    return folder


def _ids(folder: Path, words: str) -> list[str]:
    con = open_reader(folder)
    try:
        ids = search.matching_ids(con, words)
        urls = dict(con.execute("SELECT id, canonical_url FROM articles").fetchall())
    finally:
        con.close()
    return [urls[i].rstrip("/").rsplit("/", 1)[1] for i in ids]


def test_plural_finds_singular_through_the_stemmer(archive_dir: Path) -> None:
    assert _ids(archive_dir, "Städtepartnerschaften") == ["venlo"]
    assert _ids(archive_dir, "staedtepartnerschaft") == []  # transliteration is not stemming
    assert _ids(archive_dir, "Stadtepartnerschaft") == ["venlo"]  # accents are folded


def test_sharp_s_and_case(archive_dir: Path) -> None:
    assert _ids(archive_dir, "STRASSE") == ["leicester"]
    assert _ids(archive_dir, "straße") == ["leicester"]


def test_all_words_must_match_and_stopwords_are_ignored(archive_dir: Path) -> None:
    assert set(_ids(archive_dir, "Krefeld")) == {"venlo", "leicester", "duenkirchen"}
    assert _ids(archive_dir, "Krefeld Dünkirchen") == ["duenkirchen"]
    assert _ids(archive_dir, "die Freundschaft und Dünkirchen") == ["duenkirchen"]
    assert _ids(archive_dir, "und die") == []
    assert _ids(archive_dir, "Dünkirchen Orchester") == []


def test_ranking_prefers_the_article_about_the_words(archive_dir: Path) -> None:
    assert _ids(archive_dir, "Venlo")[0] == "venlo"


def test_run_search_prints_date_title_url_and_snippet(archive_dir: Path) -> None:
    out = io.StringIO()
    assert search.run_search(archive_dir, "Städtepartnerschaften", 10, out) == 0
    text = out.getvalue()
    assert "2024-11-15" in text and "Krefeld und Venlo feiern 60 Jahre Städtepartnerschaft" in text
    assert "https://www.krefeld.de/de/inhalt/venlo/" in text
    assert "Städtepartnerschaft mit Venlo" in text  # the snippet
    out = io.StringIO()
    search.run_search(archive_dir, "Orchester", 1, out)
    assert "undated" in out.getvalue()
    out = io.StringIO()
    assert search.run_search(archive_dir, "Kayseri", 5, out) == 0
    assert "No articles match" in out.getvalue()


def test_bad_search_input(archive_dir: Path) -> None:
    with pytest.raises(UsageError, match="limit"):
        search.run_search(archive_dir, "Venlo", 0, io.StringIO())
    with pytest.raises(UsageError, match="no searchable words"):
        search.run_search(archive_dir, "und die ...", 5, io.StringIO())


def test_snippet_centres_on_the_word() -> None:
    text = "Vorwort " * 60 + "Hier steht die Städtepartnerschaft im Mittelpunkt." + " Nachwort" * 60
    s = search.snippet(text, ["stadtepartnerschaft"], width=80)
    assert "Städtepartnerschaft" in s and s.startswith("… ") and s.endswith(" …")
    assert search.snippet("kurz", ["x"]) == "kurz"


def test_index_follows_changes_after_the_next_publish(tmp_path: Path) -> None:
    with store.open_writer(tmp_path) as a:
        run = a.begin_run(["krefeld"])
        rec = make_record("x", title="Kayseri", text="Besuch aus Kayseri im Rathaus von Krefeld.")
        a.store(run, "krefeld", rec, fetched_for(rec))
        a.publish()
        assert search.refresh_index(a.con) is False  # nothing changed since
        edited = make_record("x", title="Kayseri", text="Besuch aus Kayseri, danach Konzert im Stadtgarten.")
        a.store(run, "krefeld", edited, fetched_for(edited))
        a.publish()
    assert _ids(tmp_path, "Stadtgarten") == ["x"]
    assert _ids(tmp_path, "Rathaus") == []
