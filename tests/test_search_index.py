"""The incremental full-text index: a publish re-indexes only what changed, and the result is the index a
build from scratch gives (same terms, frequencies, lengths, postings and ranking)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import duckdb
import pytest
from test_store import fetched_for, make_record

from pipeline import search, search_index, store
from pipeline.models import RunStats
from pipeline.store import schema

S = search_index.INDEX_SCHEMA
WORDS = ["Städtepartnerschaft", "Venlo", "Leicester", "Dünkirchen", "Kayseri", "Charlotte", "Bürgermeister",
         "Empfang", "Rathaus", "Straße", "Orchester", "Freundschaft", "Jubiläum", "Besuch", "Delegation",
         "Schüleraustausch", "Kunst", "Ausstellung", "Musik", "Konzert", "Burg", "Linn", "Seidenstadt",
         "Partnerschaft", "Verein", "Jugend", "Sport", "Turnier", "Feier"]
QUERIES = ["Venlo", "Städtepartnerschaften", "Straße Rathaus", "Konzert", "Jugend Sport", "Kayseri Besuch"]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS + ["und", "die", "der", "2024"]) for _ in range(n)) + "."


def _store(a: store.Archive, slugs: dict[str, tuple[str, str]]) -> None:
    run = a.begin_run(["krefeld"])
    for slug, (title, text) in slugs.items():
        rec = make_record(slug, title=title, text=text)
        a.store(run, "krefeld", rec, fetched_for(rec))
    a.finish_run(run, RunStats(run_id=run, status="ok"))


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The index by term text (term ids depend on the order terms were first met)."""
    return {
        "df": dict(con.execute(f"SELECT term, df FROM {S}.dict").fetchall()),
        "len": dict(con.execute(f"SELECT name, len FROM {S}.docs").fetchall()),
        "tf": sorted(con.execute(f"SELECT d.term, p.docid, p.tf FROM {S}.postings p "
                                 f"JOIN {S}.dict d USING (termid)").fetchall()),
        "stats": con.execute(f"SELECT num_docs, round(avgdl, 9) FROM {S}.stats").fetchall(),
        "hits": {q: search.matching_ids(con, q) for q in QUERIES},
    }


def scratch(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The snapshot of an index built from nothing over a copy of the same articles."""
    rows = con.execute("SELECT id, title, subtitle, lead, text FROM articles").fetchall()
    fresh = schema.connect(":memory:")
    try:
        fresh.execute("CREATE TABLE articles (id BIGINT, title VARCHAR, subtitle VARCHAR, lead VARCHAR, "
                      "text VARCHAR)")
        fresh.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?)", rows)
        search_index.build_index(fresh)
        return snapshot(fresh)
    finally:
        fresh.close()


@pytest.fixture
def archive(tmp_path: Path):  # noqa: ANN201 - a generator fixture
    rng = random.Random(7)
    with store.open_writer(tmp_path) as a:
        _store(a, {f"a{i}": (f"Titel {rng.choice(WORDS)} {i}", _text(rng, 40)) for i in range(30)})
        a.publish()
        yield a, rng


def test_publish_reindexes_only_new_and_changed_articles(archive: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    a, rng = archive
    batches: list[list[int]] = []
    real = search_index._index_batch

    def spy(con: duckdb.DuckDBPyConnection, first: int, stop: int) -> None:
        rows = con.execute("SELECT id FROM _ix_pending WHERE n >= ? AND n < ?", [first, stop]).fetchall()
        batches.append([r[0] for r in rows])
        real(con, first, stop)

    monkeypatch.setattr(search_index, "_index_batch", spy)
    _store(a, {f"a{i}": (f"Neu {i}", _text(rng, 30)) for i in range(5)}   # 5 changed
           | {f"b{i}": ("Konzert im Rathaus", _text(rng, 20)) for i in range(4)})  # 4 new
    a.publish()
    ids = dict(a.con.execute("SELECT canonical_url, id FROM articles").fetchall())
    expected = sorted(i for u, i in ids.items() if u.rstrip("/").rsplit("/", 1)[1] in
                      {f"a{k}" for k in range(5)} | {f"b{k}" for k in range(4)})
    assert [sorted(b) for b in batches] == [expected]
    assert snapshot(a.con) == scratch(a.con)
    batches.clear()
    assert search_index.refresh_index(a.con) is False and batches == []


def test_a_change_outside_the_text_reindexes_that_article_only(archive: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    a, _ = archive
    row = a.con.execute("SELECT id, title, text FROM articles WHERE canonical_url LIKE '%/a3/'").fetchone()
    rec = make_record("a3", title=row[1], text=row[2])
    rec.partner_cities = ["Leicester"]  # only a field the index does not hold differs
    run = a.begin_run(["krefeld"])
    a.store(run, "krefeld", rec, fetched_for(rec))
    # the archive's record_hash tells what changed without reading the texts: the article is re-indexed
    # (to the same entries), nothing else
    counts: list[int] = []
    real = search_index._index_batch
    monkeypatch.setattr(search_index, "_index_batch",
                        lambda con, first, stop: (counts.append(stop - first), real(con, first, stop)))
    monkeypatch.setattr(search_index, "BATCH", 1)
    assert search_index.refresh_index(a.con) is True and counts == [1]
    assert snapshot(a.con) == scratch(a.con)


def test_batched_first_build_equals_one_batch(archive: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    a, _ = archive
    whole = scratch(a.con)
    monkeypatch.setattr(search_index, "BATCH", 4)
    assert scratch(a.con) == whole
    assert whole["stats"][0][0] == 30 and whole["hits"]["Venlo"]


def test_a_publish_killed_between_batches_is_finished_by_the_next(archive: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    a, rng = archive
    _store(a, {f"c{i}": (f"Kayseri Besuch {i}", _text(rng, 25)) for i in range(9)})
    monkeypatch.setattr(search_index, "BATCH", 4)
    real, calls = search_index._index_batch, []

    def dies_on_second(con: duckdb.DuckDBPyConnection, first: int, stop: int) -> None:
        calls.append(first)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(con, first, stop)

    monkeypatch.setattr(search_index, "_index_batch", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        search_index.refresh_index(a.con)
    monkeypatch.setattr(search_index, "_index_batch", real)
    assert search_index._pending(a.con) == 5  # the first batch of 4 was kept
    assert search_index.refresh_index(a.con) is True
    assert search_index._pending(a.con) == 0
    assert snapshot(a.con) == scratch(a.con)


def test_an_index_of_the_earlier_layout_is_replaced(tmp_path: Path) -> None:
    with store.open_writer(tmp_path) as a:
        _store(a, {"venlo": ("Venlo", "Die Städtepartnerschaft mit Venlo."), "x": ("Konzert", "Im Rathaus.")})
        # what earlier versions built: fts's own index plus a fingerprint table
        a.con.execute("CREATE TABLE search_index_state (fingerprint VARCHAR, built TIMESTAMP)")
        a.con.execute("PRAGMA create_fts_index('articles', 'id', 'title', 'text', stemmer='german', "
                      "overwrite=1)")
        a.publish()
        left = a.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'search_index_state'")
        assert left.fetchone()[0] == 0
        assert snapshot(a.con) == scratch(a.con)
        venlo = a.con.execute("SELECT id FROM articles WHERE title = 'Venlo'").fetchone()[0]
        assert search.matching_ids(a.con, "Städtepartnerschaften") == [venlo]


def _in_term_order(con: duckdb.DuckDBPyConnection) -> bool:
    terms = [r[0] for r in con.execute(f"SELECT termid FROM {S}.postings ORDER BY rowid").fetchall()]
    return terms == sorted(terms)


def test_postings_are_kept_in_term_order_for_fast_queries(archive: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    a, rng = archive
    monkeypatch.setattr(search_index, "BATCH", 4)
    search_index.build_index(a.con)  # eight batches, each appending its own run of terms
    assert _in_term_order(a.con)
    assert a.con.execute(f"SELECT n FROM {S}.unsorted").fetchone()[0] == 0
    _store(a, {"a1": ("Konzert", _text(rng, 10))})  # a small change: appended, not yet worth a rewrite
    assert search_index.refresh_index(a.con)
    assert a.con.execute(f"SELECT n FROM {S}.unsorted").fetchone()[0] > 0
    assert snapshot(a.con) == scratch(a.con)
