"""Full-text search over articles: BM25 over the index of search_index.py (German stemming), and `search`."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

import duckdb

from .search_index import INDEX_SCHEMA, STOPWORDS, build_index, fold, has_index, refresh_index

__all__ = ["build_index", "has_index", "refresh_index", "matching_ids", "search", "run_search"]

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[a-z0-9ß]+")
_STOP = frozenset(fold(w) for w in STOPWORDS)


def query_terms(words: str) -> list[str]:
    """The query's words as the index tokenizes them, without stopwords (which are not indexed)."""
    return [t for t in _TOKEN.findall(fold(words)) if t not in _STOP]


# BM25 exactly as fts's match_bm25 (k=1.2, b=0.75, conjunctive), over the term-ordered postings.
_BM25_SQL = f"""
    WITH q AS (SELECT * FROM (VALUES {{values}}) AS q(termid, idf)),
    tf AS (SELECT docid, termid, tf FROM {INDEX_SCHEMA}.postings WHERE termid IN ({{ids}})),
    hits AS (SELECT docid FROM tf GROUP BY docid HAVING count(*) = {{n}}),
    st AS (SELECT avgdl FROM {INDEX_SCHEMA}.stats)
    SELECT d.name AS id,
           sum(q.idf * tf.tf * 2.2 / (tf.tf + 1.2 * (0.25 + 0.75 * d.len / st.avgdl))) AS score
    FROM tf JOIN hits USING (docid) JOIN q USING (termid) JOIN {INDEX_SCHEMA}.docs d ON d.docid = tf.docid, st
    GROUP BY d.name ORDER BY score DESC, d.name
"""


def matching_ids(con: duckdb.DuckDBPyConnection, words: str, limit: int | None = None) -> list[int]:
    """Ids of the articles containing every word of `words` (stemmed), best match first (BM25)."""
    terms = query_terms(words)
    if not terms or not has_index(con):
        return []
    found = con.execute(
        f"SELECT d.termid, d.df, (SELECT num_docs FROM {INDEX_SCHEMA}.stats) FROM {INDEX_SCHEMA}.dict d "
        "WHERE d.term IN (SELECT DISTINCT stem(unnest(?), 'german'))", [terms]).fetchall()
    wanted = con.execute("SELECT count(DISTINCT stem(t, 'german')) FROM unnest(?) AS u(t)",
                         [terms]).fetchone()
    if not found or len(found) != (wanted[0] if wanted else 0):
        return []  # a word that no article contains: no article contains them all
    # Term ids and idf values are numbers computed here, so they can be written into the statement,
    # which lets the scan use zone maps (a parameter list would not).
    values = ", ".join(f"({int(t)}, CAST({math.log((n - df + 0.5) / (df + 0.5) + 1)!r} AS DOUBLE))"
                       for t, df, n in found)
    sql = _BM25_SQL.format(values=values, ids=", ".join(str(int(t)) for t, _, _ in found), n=len(found))
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [int(r[0]) for r in con.execute(sql).fetchall()]


@dataclass
class Hit:
    id: int
    published: date | None
    title: str
    url: str
    snippet: str
    duplicate_of: int | None


def search(con: duckdb.DuckDBPyConnection, words: str, limit: int = 10) -> list[Hit]:
    ids = matching_ids(con, words, limit)
    if not ids:
        return []
    rows = con.execute("SELECT id, published, title, canonical_url, lead, text, duplicate_of FROM articles "
                       "WHERE id IN (SELECT unnest(?))", [ids]).fetchall()
    by_id = {r[0]: r for r in rows}
    stems = _stems(con, words)
    hits = []
    for i in ids:
        _, published, title, url, lead, text, dup = by_id[i]
        hits.append(Hit(i, published, title or "(untitled)", url,
                        snippet(f"{lead or ''} {text or ''}".strip(), stems), dup))
    return hits


def _stems(con: duckdb.DuckDBPyConnection, words: str) -> list[str]:
    terms = query_terms(words)
    if not terms:
        return []
    row = con.execute("SELECT list(stem(t, 'german')) FROM (SELECT unnest(?) AS t)", [terms]).fetchone()
    return [s for s in (row[0] if row else []) if s]


def snippet(text: str, stems: list[str], width: int = 160) -> str:
    """About `width` characters around the first place a query word (by its stem) occurs."""
    flat = " ".join(text.split())
    folded = fold(flat)
    positions = [m.start() for s in stems if (m := re.search(r"\b" + re.escape(s), folded))]
    start = max(0, min(positions) - width // 3) if positions else 0
    if start:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    piece = flat[start:start + width]
    if start + width < len(flat):
        piece = piece.rsplit(" ", 1)[0] + " …"
    return ("… " if start else "") + piece


def run_search(archive_dir: Path, words: str, limit: int, out: TextIO) -> int:
    """`partner-archive search`: ranked hits with date, title, URL and a snippet; exit code."""
    from .errors import UsageError
    from .query import open_reader

    if limit <= 0:
        raise UsageError(f"--limit must be a positive number, got {limit}")
    if not query_terms(words):
        raise UsageError(f"search: no searchable words in {words!r}")
    con = open_reader(archive_dir)
    try:
        hits = search(con, words, limit)
    finally:
        con.close()
    if not hits:
        print(f"No articles match {words!r}.", file=out)
        return 0
    for n, h in enumerate(hits, 1):
        when = h.published.isoformat() if h.published else "undated   "
        dup = f"  (near-duplicate of #{h.duplicate_of})" if h.duplicate_of else ""
        print(f"{n:>3}. {when}  {h.title}{dup}", file=out)
        print(f"     {h.url}", file=out)
        print(f"     {h.snippet}", file=out)
    return 0
