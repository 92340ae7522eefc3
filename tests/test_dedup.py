"""Duplicate detection: content hashes, MinHash/LSH signatures, and near-duplicates in the store."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from test_store import TEXT, fetched_for, make_record

from pipeline import dedup, store
from pipeline.models import Person

LONG = " ".join([TEXT] * 2) + (" Im kommenden Jahr ist ein Gegenbesuch in Venlo geplant, bei dem die "
                               "Partnerschaftskomitees beider Städte ein gemeinsames Programm vorstellen.")


def _edit(text: str, n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    words = text.split()
    for _ in range(n):
        words[rng.randrange(len(words))] = "Geändert"
    return " ".join(words)


def test_content_hash_ignores_layout_but_not_words() -> None:
    a = make_record()
    b = make_record(text="  " + TEXT.upper().replace(" ", "\n "), url="https://kaoa-krefeld.de/x/")
    assert dedup.content_hash(a) == dedup.content_hash(b)
    assert dedup.content_hash(a) != dedup.content_hash(make_record(text=TEXT + " Nachtrag."))
    assert dedup.content_hash(a) != dedup.content_hash(make_record(title="Anderer Titel"))


def test_record_hash_sees_every_parsed_field_but_urls() -> None:
    a = make_record()
    assert dedup.record_hash(a) == dedup.record_hash(make_record(url="https://kaoa-krefeld.de/y/"))
    assert dedup.record_hash(a) != dedup.record_hash(make_record(people=[Person("Frank Meyer")]))
    assert dedup.record_hash(a) != dedup.record_hash(make_record(published="2024-11-16"))


def test_signatures_are_stable_and_estimate_jaccard() -> None:
    a = dedup.shingle_hashes(LONG)
    b = dedup.shingle_hashes(_edit(LONG, 2))
    assert np.array_equal(dedup.signature(a), dedup.signature(dedup.shingle_hashes(LONG)))
    exact = dedup.jaccard(a, b)
    assert 0.8 < exact < 1.0
    estimate = float(np.mean(dedup.signature(a) == dedup.signature(b)))
    assert abs(estimate - exact) < 0.2
    other = dedup.shingle_hashes("Das Leicester Symphony Orchestra spielt am Sonntag in St. Cyriakus "
                                 "Werke von Elgar und Brahms; der Eintritt ist frei.")
    assert dedup.jaccard(a, other) < 0.05


def test_small_edits_share_a_band_and_unrelated_texts_do_not() -> None:
    base = dedup.band_keys(dedup.signature(dedup.shingle_hashes(LONG)))
    near = dedup.band_keys(dedup.signature(dedup.shingle_hashes(_edit(LONG, 1))))
    assert len(base) == dedup.BANDS and all(0 <= k < 2**63 for k in base)
    assert set(base) & set(near)
    rng = random.Random(5)
    vocab = LONG.split()
    misses = 0
    for _ in range(50):
        text = " ".join(rng.choice(vocab) for _ in range(120))
        misses += not set(base) & set(dedup.band_keys(dedup.signature(dedup.shingle_hashes(text))))
    assert misses == 50


def test_best_match_applies_the_threshold() -> None:
    a = dedup.shingle_hashes(LONG)
    b = dedup.shingle_hashes(_edit(LONG, 3))
    sim = dedup.jaccard(a, b)
    assert dedup.best_match(a, [(5, b)], sim) == (5, sim)
    assert dedup.best_match(a, [(5, b)], min(1.0, sim + 0.01)) is None
    assert dedup.best_match(a, [(9, b), (4, b)], 0.5) == (4, sim)  # ties go to the older article


def test_near_duplicate_under_another_url_is_linked_not_merged(tmp_path: Path) -> None:
    with store.open_writer(tmp_path) as a:
        run = a.begin_run(["krefeld"])
        orig = make_record("original", text=LONG)
        copy = make_record("kopie", text=_edit(LONG, 2))
        unrelated = make_record("andere", title="Konzert", text=_edit(LONG, 40, seed=3))
        assert a.store(run, "krefeld", orig, fetched_for(orig)) == "new"
        assert a.store(run, "krefeld", copy, fetched_for(copy)) == "new"
        assert a.store(run, "krefeld", unrelated, fetched_for(unrelated)) == "new"
        rows = a.con.execute("SELECT canonical_url, duplicate_of FROM articles ORDER BY id").fetchall()
        near = a.con.execute("SELECT article_id, duplicate_of, similarity FROM near_duplicates").fetchall()
    assert rows[0] == (orig.canonical_url, None)
    assert rows[1] == (copy.canonical_url, 1)
    assert rows[2][1] is None
    assert len(near) == 1 and near[0][:2] == (2, 1) and 0.8 <= near[0][2] < 1.0


def test_the_source_threshold_decides(tmp_path: Path) -> None:
    with store.open_writer(tmp_path) as a:
        run = a.begin_run(["krefeld"])
        orig = make_record("original", text=LONG)
        copy = make_record("kopie", text=_edit(LONG, 2))
        a.store(run, "krefeld", orig, fetched_for(orig), threshold=0.99)
        a.store(run, "krefeld", copy, fetched_for(copy), threshold=0.99)
        assert a.con.execute("SELECT count(*) FROM near_duplicates").fetchone()[0] == 0


def test_near_duplicates_found_across_runs_and_batches(tmp_path: Path) -> None:
    with store.open_writer(tmp_path) as a:
        run = a.begin_run(["krefeld"])
        orig = make_record("original", text=LONG)
        a.store(run, "krefeld", orig, fetched_for(orig))
    with store.open_writer(tmp_path) as a:  # candidates come from the stored band table
        run = a.begin_run(["krefeld"])
        copies = [make_record(f"kopie-{i}", text=_edit(LONG, 1, seed=i)) for i in range(3)]
        a.store_many(run, "krefeld", [(c, fetched_for(c), None) for c in copies])
        dup_of = [r[0] for r in a.con.execute("SELECT duplicate_of FROM articles ORDER BY id").fetchall()]
    assert dup_of[0] is None and all(d is not None for d in dup_of[1:])
