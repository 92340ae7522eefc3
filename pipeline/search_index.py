"""The full-text index over articles, kept up to date incrementally.

Only articles added or changed since the last publish are (re)tokenised, so a publish costs what the run
changed rather than what the archive holds, and a first build goes in batches of bounded memory. The
tables keep the layout of DuckDB's fts index (docs, dict, stats) with the tokenizer, stopwords and
German Snowball stemmer of `create_fts_index`, plus a term-ordered `postings` table for BM25 and an
`indexed` table recording which version of each article the index holds.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

log = logging.getLogger(__name__)

INDEX_SCHEMA = "fts_main_articles"
STOPWORD_TABLE = "fts_stopwords_de"
FIELDS = ("title", "subtitle", "lead", "text")
# Letters the tokenizer keeps after lower-casing and stripping accents (ä→a); ß stays so the stemmer
# turns it into "ss" the same way for "Straße" and "Strasse".
IGNORE = r"(\.|[^a-z0-9ß])+"
STOPWORDS = [
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "ander", "andere",
    "anderen", "anderer", "anderes", "auch", "auf", "aus", "bei", "beim", "bin", "bis", "bist", "da",
    "damit", "dann", "das", "dass", "dem", "den", "denn", "der", "des", "dessen", "dich", "die", "dies",
    "diese", "diesem", "diesen", "dieser", "dieses", "dir", "doch", "dort", "du", "durch", "ein",
    "eine", "einem", "einen", "einer", "eines", "einig", "er", "es", "etwas", "euch", "euer", "für",
    "gegen", "hab", "habe", "haben", "hat", "hatte", "hatten", "hier", "hin", "hinter", "ich", "ihm",
    "ihn", "ihnen", "ihr", "ihre", "im", "in", "indem", "ins", "ist", "jede", "jedem", "jeden", "jeder",
    "jedes", "jene", "jetzt", "kann", "kein", "keine", "können", "machen", "man", "manche", "mein",
    "mich", "mir", "mit", "muss", "nach", "nicht", "nichts", "noch", "nun", "nur", "ob", "oder", "ohne",
    "sehr", "sein", "seine", "sich", "sie", "sind", "so", "solche", "soll", "sondern", "sonst", "über",
    "um", "und", "uns", "unter", "vom", "von", "vor", "während", "war", "waren", "warst", "was", "weg",
    "weil", "weiter", "welche", "wenn", "werde", "werden", "wie", "wieder", "will", "wir", "wird",
    "wirst", "wo", "wollen", "zu", "zum", "zur", "zwar", "zwischen",
]
# Articles tokenised per transaction: bounds a first build's memory, and a killed publish keeps the
# batches it finished (the next publish continues with the rest).
BATCH = 500
MEMORY_LIMIT = "192MB"

_S = INDEX_SCHEMA
# The version of an article the index holds: the archive's record_hash (one short column, so finding
# what changed does not read every text); a table without it (a hand-made archive) hashes the fields.
_TEXT_HASH = "hash(" + ", ".join(FIELDS) + ")"
_TABLES = {
    "docs": "docid BIGINT, name BIGINT, len BIGINT",
    "dict": "termid BIGINT, term VARCHAR, df BIGINT",
    "postings": "termid BIGINT, docid BIGINT, tf INTEGER",
    "stats": "num_docs BIGINT, avgdl DOUBLE",
    "indexed": "docid BIGINT, text_hash UBIGINT",
    "unsorted": "n BIGINT",  # postings rows appended since the table was last sorted whole
}
# Each batch appends its postings sorted by term, but a query on one term then reads a block of rows in
# every batch's run; once the appended rows are a quarter of the table it is rewritten in one order
# (seconds at 100,000 articles), which keeps queries as fast as on a single sorted build.
COMPACT_SHARE = 0.25


def _fold_sql(col: str) -> str:
    """fts's tokenizer (lower=1, strip_accents=1), as `create_fts_index` defines it."""
    return (f"string_split_regex(regexp_replace(lower(strip_accents(CAST({col} AS VARCHAR))), "
            f"'{IGNORE}', ' ', 'g'), '\\s+')")


def fold(text: str) -> str:
    """Lower-case and strip accents character by character (so positions stay aligned); keep ß."""
    out = []
    for ch in text.lower():
        if ch == "ß":
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)
        out.append(base[0] if base else ch)
    return "".join(out)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                      [INDEX_SCHEMA, name]).fetchone()
    return bool(row and row[0])


def has_index(con: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(con, "docs")


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _create(con: duckdb.DuckDBPyConnection) -> None:
    """An empty index; an index of the earlier layout (built whole by create_fts_index) is replaced."""
    con.execute(f"DROP SCHEMA IF EXISTS {_S} CASCADE")
    con.execute("DROP TABLE IF EXISTS search_index_state")
    con.execute(f"CREATE SCHEMA {_S}")
    for name, columns in _TABLES.items():
        con.execute(f"CREATE TABLE {_S}.{name} ({columns})")
    con.execute(f"INSERT INTO {_S}.stats VALUES (0, 0)")
    con.execute(f"INSERT INTO {_S}.unsorted VALUES (0)")
    con.execute(f"CREATE OR REPLACE TABLE {STOPWORD_TABLE} (sw VARCHAR)")
    con.execute(f"INSERT INTO {STOPWORD_TABLE} SELECT unnest(?)", [[fold(w) for w in STOPWORDS]])


def _version_sql(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'main' AND "
                      "table_name = 'articles' AND column_name = 'record_hash'").fetchone()
    return "hash(record_hash)" if row and row[0] else _TEXT_HASH


def _pending(con: duckdb.DuckDBPyConnection) -> int:
    """Number the ids whose indexed version is missing, outdated, or of an article no longer there, in
    the temporary table `_ix_pending` (a Python list of ids would be slow to bind: ~60 µs an id)."""
    # with each id, the version to record once it is indexed (NULL: the article is gone)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ix_pending AS
        WITH current AS (SELECT id, {_version_sql(con)} AS version FROM articles)
        SELECT id, version, row_number() OVER (ORDER BY id) - 1 AS n FROM (
            SELECT c.id, c.version FROM current c LEFT JOIN {_S}.indexed i ON i.docid = c.id
            WHERE i.docid IS NULL OR i.text_hash IS DISTINCT FROM c.version
            UNION ALL
            SELECT i.docid, NULL FROM {_S}.indexed i ANTI JOIN articles a ON a.id = i.docid)""")
    row = con.execute("SELECT count(*) FROM _ix_pending").fetchone()
    return int(row[0]) if row else 0


def _index_batch(con: duckdb.DuckDBPyConnection, first: int, stop: int) -> None:
    """Replace the index entries of the pending ids numbered first..stop-1 in one transaction. Each
    distinct word is stemmed once, and document frequencies change by the difference of the old and
    new postings, so the cost is that of the batch, not of the index."""
    try:
        with _transaction(con):
            con.execute("CREATE OR REPLACE TEMP TABLE _ix_batch AS "
                        "SELECT id FROM _ix_pending WHERE n >= ? AND n < ?", [first, stop])
            low, high = con.execute("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM _ix_batch"
                                    ).fetchone() or (0, -1)
            # the batch's id range written out as numbers: DuckDB's zone maps then skip the articles outside
            # it instead of reading every text to find the batch's (ids are numbered in insertion order)
            ids = f"id BETWEEN {int(low)} AND {int(high)} AND id IN (SELECT id FROM _ix_batch)"
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _ix_delta AS
                SELECT termid, -count(*) AS d FROM {_S}.postings WHERE docid IN (SELECT id FROM _ix_batch)
                GROUP BY termid""")
            for table in ("postings", "docs", "indexed"):
                con.execute(f"DELETE FROM {_S}.{table} WHERE docid IN (SELECT id FROM _ix_batch)")
            words = " UNION ALL ".join(
                f"SELECT id AS docid, unnest({_fold_sql(f)}) AS w FROM articles "
                f"WHERE {ids}" for f in FIELDS)
            con.execute(f"CREATE OR REPLACE TEMP TABLE _ix_words AS "
                        f"SELECT docid, w FROM ({words}) WHERE len(w) > 0")
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _ix_stems AS
                SELECT w, stem(w, 'german') AS term FROM (SELECT DISTINCT w FROM _ix_words)
                WHERE w NOT IN (SELECT sw FROM {STOPWORD_TABLE})""")
            con.execute("""CREATE OR REPLACE TEMP TABLE _ix_tf AS
                SELECT s.term, x.docid, count(*)::INTEGER AS tf FROM _ix_words x JOIN _ix_stems s USING (w)
                GROUP BY s.term, x.docid""")
            con.execute(f"""INSERT INTO {_S}.dict
                SELECT (SELECT coalesce(max(termid), -1) FROM {_S}.dict) + row_number() OVER (ORDER BY term),
                       term, 0
                FROM (SELECT DISTINCT term FROM _ix_stems) ANTI JOIN {_S}.dict USING (term)""")
            # ordered by term so that DuckDB's zone maps let a query skip to its terms' rows
            con.execute(f"""INSERT INTO {_S}.postings
                SELECT d.termid, t.docid, t.tf FROM _ix_tf t JOIN {_S}.dict d USING (term)
                ORDER BY d.termid, t.docid""")
            con.execute(f"""INSERT INTO _ix_delta SELECT termid, count(*) FROM {_S}.postings
                WHERE docid IN (SELECT id FROM _ix_batch) GROUP BY termid""")
            con.execute(f"""UPDATE {_S}.dict SET df = dict.df + c.d
                FROM (SELECT termid, sum(d) AS d FROM _ix_delta GROUP BY termid) c
                WHERE dict.termid = c.termid""")
            con.execute(f"DELETE FROM {_S}.dict WHERE df <= 0")
            con.execute(f"""INSERT INTO {_S}.docs
                SELECT a.id, a.id, coalesce(l.len, 0) FROM articles a
                LEFT JOIN (SELECT docid, sum(tf) AS len FROM _ix_tf GROUP BY docid) l ON l.docid = a.id
                WHERE a.{ids}""")
            con.execute(f"""INSERT INTO {_S}.indexed SELECT id, version FROM _ix_pending
                WHERE n >= ? AND n < ? AND version IS NOT NULL""", [first, stop])
            con.execute(f"UPDATE {_S}.unsorted SET n = n + (SELECT count(*) FROM _ix_tf)")
            con.execute(f"DELETE FROM {_S}.stats")
            con.execute(f"INSERT INTO {_S}.stats SELECT count(*), coalesce(avg(len), 0) FROM {_S}.docs")
    finally:
        for temp in ("_ix_batch", "_ix_delta", "_ix_words", "_ix_stems", "_ix_tf"):
            con.execute(f"DROP TABLE IF EXISTS temp.{temp}")


def refresh_index(con: duckdb.DuckDBPyConnection) -> bool:
    """Bring the index up to date with the articles table; False when it already was."""
    if not _has_table(con, "indexed"):  # none yet, or one of the earlier layout
        _create(con)
    pending = _pending(con)
    try:
        if not pending:
            return False
        log.info("full-text index: %d article(s) to (re)index", pending)
        # a small buffer pool for the tokenising (DuckDB spills beyond it): the crawl's peak memory
        # then no longer grows with a run's new articles
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        try:
            for first in range(0, pending, BATCH):
                _index_batch(con, first, first + BATCH)
            _compact_if_needed(con)
        finally:
            if limit:
                con.execute(f"SET memory_limit = '{limit[0]}'")
        return True
    finally:
        con.execute("DROP TABLE IF EXISTS temp._ix_pending")


def _compact_if_needed(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(f"SELECT (SELECT n FROM {_S}.unsorted), (SELECT count(*) FROM {_S}.postings)"
                      ).fetchone()
    unsorted, total = row if row else (0, 0)
    if not unsorted or unsorted < COMPACT_SHARE * total:
        return
    with _transaction(con):
        con.execute(f"CREATE OR REPLACE TABLE {_S}.postings AS "
                    f"SELECT * FROM {_S}.postings ORDER BY termid, docid")
        con.execute(f"UPDATE {_S}.unsorted SET n = 0")


def build_index(con: duckdb.DuckDBPyConnection) -> None:
    """The index built from scratch (tests, and repairs by hand)."""
    _create(con)
    refresh_index(con)
