"""Storing a batch of parsed records: identity (URL, content, near duplicate), versions, child rows.

One code path serves `Archive.store` (a batch of one) and `Archive.store_many` (bulk): the batch's
look-ups are a few joins, the decisions are made in order in Python, and the writes are a few
set-based INSERT/UPDATE statements, all in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from .. import dedup
from ..models import Record
from .tables import (
    ARTICLE_FIELDS,
    CASTS,
    CHILD_COLS,
    VERSION_COLS,
    Item,
    as_json,
    children,
    header,
    insert,
    parse_date,
    update,
)

log = logging.getLogger(__name__)


class Batch:
    """The decisions for one batch, made in order, then written with set-based statements."""

    def __init__(self, con: duckdb.DuckDBPyConnection, next_id: int, run_id: int, source: str,
                 threshold: float, parser_version: str | None) -> None:
        self.con, self.next_id, self.run_id, self.source = con, next_id, run_id, source
        self.threshold, self.parser_version = threshold, parser_version
        self.url_map: dict[str, int] = {}
        self.hash_map: dict[str, tuple[int, bool]] = {}  # content hash → (article, is its latest version)
        self.state: dict[int, dict[str, Any]] = {}  # article → version, record_hash, content_hash, canonical
        self.new_rows: dict[int, dict[str, Any]] = {}
        self.changed_rows: dict[int, dict[str, Any]] = {}
        self.touched: dict[int, datetime] = {}
        self.versions: list[dict[str, Any]] = []
        self.url_new: dict[str, dict[str, Any]] = {}
        self.url_seen: dict[str, dict[str, Any]] = {}
        self.children: dict[int, dict[str, list[dict[str, Any]]]] = {}
        self.bands: dict[int, list[int]] = {}
        self.near: list[dict[str, Any]] = []
        self.renamed: dict[int, str] = {}  # article → its better canonical URL
        self.version_rewrites: dict[tuple[int, int], bool] = {}  # stored versions replaced in place
        self.lsh_db: dict[int, set[int]] = {}  # item index → candidate articles from earlier batches
        self.lsh_local: dict[int, list[int]] = {}  # band key → articles of this batch
        self.shingles: dict[int, np.ndarray] = {}

    # ---- look-ups: a few joins for the whole batch ----

    def prefetch(self, items: Sequence[Item]) -> None:
        con = self.con
        urls = sorted({u for it in items for u in it.urls})
        con.register("_urls", pa.table({"url": pa.array(urls, pa.string())}))
        try:
            self.url_map = dict(con.execute(
                "SELECT u.url, min(u.article_id) FROM article_urls u JOIN _urls USING (url) GROUP BY u.url"
            ).fetchall())
        finally:
            con.unregister("_urls")
        hashes = sorted({it.content_hash for it in items if not self._empty(it)})
        if hashes:
            con.register("_hashes", pa.table({"h": pa.array(hashes, pa.string())}))
            try:
                rows = con.execute(
                    "SELECT v.content_hash, v.article_id, v.version = a.version AS latest "
                    "FROM article_versions v JOIN _hashes ON v.content_hash = _hashes.h "
                    "JOIN articles a ON a.id = v.article_id WHERE a.source = ? "
                    "ORDER BY latest DESC, v.article_id", [self.source]).fetchall()
            finally:
                con.unregister("_hashes")
            for h, aid, latest in rows:
                self.hash_map.setdefault(h, (aid, bool(latest)))
        ids = sorted(set(self.url_map.values()) | {a for a, _ in self.hash_map.values()})
        if ids:
            for aid, version, rh, ch, canonical, changed_run in con.execute(
                    "SELECT id, version, record_hash, content_hash, canonical_url, changed_run FROM articles "
                    "WHERE id IN (SELECT unnest(?))", [ids]).fetchall():
                self.state[aid] = {"version": version, "record_hash": rh, "content_hash": ch,
                                   "canonical_url": canonical, "changed_run": changed_run}
        self._prefetch_lsh(items)

    def _prefetch_lsh(self, items: Sequence[Item]) -> None:
        idx, keys = [], []
        for i, it in enumerate(items):
            if it.keys and not any(u in self.url_map for u in it.urls):
                idx += [i] * len(it.keys)
                keys += it.keys
        if not keys:
            return
        table = pa.table({"i": pa.array(idx, pa.int64()), "k": pa.array(keys, pa.int64())})
        self.con.register("_keys", table)
        try:
            pairs = self.con.execute("SELECT DISTINCT _keys.i, l.article_id FROM _keys "
                                     "JOIN lsh_bands l ON l.band_key = _keys.k").fetchall()
        finally:
            self.con.unregister("_keys")
        for i, aid in pairs:
            self.lsh_db.setdefault(i, set()).add(aid)
        cand = sorted({aid for _, aid in pairs})
        if cand:
            for aid, title, text in self.con.execute(
                    "SELECT id, title, text FROM articles WHERE id IN (SELECT unnest(?))", [cand]).fetchall():
                self.shingles[aid] = dedup.shingle_hashes(f"{title or ''} {text or ''}")

    @staticmethod
    def _empty(it: Item) -> bool:
        return not (it.record.title or "").strip() and not (it.record.text or "").strip()

    # ---- decisions, in order ----

    def decide(self, i: int, it: Item) -> str:
        aid = next((self.url_map[u] for u in it.urls if u in self.url_map), None)
        by_hash = False
        if aid is None and not self._empty(it) and it.content_hash in self.hash_map:
            aid, by_hash = self.hash_map[it.content_hash][0], True
        if aid is None:
            return self._new(i, it)
        self._remember_urls(aid, it)
        st = self.state[aid]
        if by_hash and dedup.url_preference(it.urls[0]) < dedup.url_preference(st["canonical_url"]):
            # The same release under a better name (readable path, no parameters): it becomes the
            # article's canonical URL, so revisits and reports use it; the old one stays an alias.
            st["canonical_url"] = it.urls[0]
            if aid in self.new_rows:
                self.new_rows[aid]["canonical_url"] = it.urls[0]
            else:
                self.renamed[aid] = it.urls[0]
            if it.record_hash != st["record_hash"]:
                self._adopt(aid, it)
                return "unchanged"
        alias = it.urls[0] != st["canonical_url"]
        if by_hash or alias or it.record_hash == st["record_hash"]:
            # Same capture again, or an alias: an alias never makes a version (a legacy URL may be
            # parsed a little differently, or serve an older copy; versions follow the canonical URL).
            # Same capture again, or an alias serving content this article already had: nothing new.
            if aid in self.new_rows or aid in self.changed_rows:
                row = self.new_rows.get(aid) or self.changed_rows[aid]
                row["last_seen"], row["gone_since"] = max(row["last_seen"], it.seen), None
            else:
                self.touched[aid] = max(self.touched.get(aid, it.seen), it.seen)
            return "unchanged"
        return self._change(aid, it)

    def _adopt(self, aid: int, it: Item) -> None:
        """The canonical URL's capture of the same content replaces the stored one of the current
        version in place: no new version, since the page did not change, only where it was read."""
        st = self.state[aid]
        st["record_hash"] = it.record_hash
        cols = dict(it.columns(self.parser_version), last_seen=it.seen, gone_since=None, last_run=self.run_id)
        self.versions = [v for v in self.versions if (v["article_id"], v["version"]) != (aid, st["version"])]
        if aid in self.new_rows:
            self.new_rows[aid].update(cols)
        else:
            prev = self.changed_rows.get(aid, {})
            self.changed_rows[aid] = dict(cols, version=st["version"],
                                          changed_run=prev.get("changed_run", st["changed_run"]))
            self.version_rewrites[(aid, st["version"])] = True
        if it.keys:
            self._index(aid, it)
        self._version(aid, st["version"], it)

    def _remember_urls(self, aid: int, it: Item) -> None:
        etag, lm = header(it.fetched, "etag"), header(it.fetched, "last-modified")
        for u in it.urls:
            validators = u in (it.fetched.url, it.fetched.final_url)
            row = {"url": u, "article_id": aid, "last_seen": it.seen,
                   "etag": etag if validators else None, "last_modified": lm if validators else None}
            if u in self.url_new:
                self.url_new[u].update({k: v for k, v in row.items() if v is not None})
            elif u in self.url_map:
                prev = self.url_seen.get(u, {})
                self.url_seen[u] = dict(row, etag=row["etag"] or prev.get("etag"),
                                        last_modified=row["last_modified"] or prev.get("last_modified"))
            else:
                self.url_new[u] = dict(row, first_seen=it.seen)
            self.url_map[u] = aid

    def _new(self, i: int, it: Item) -> str:
        aid = self.next_id
        self.next_id += 1
        row = dict(it.columns(self.parser_version), id=aid, source=self.source,
                   canonical_url=it.urls[0], first_seen=it.seen, last_seen=it.seen, version=1,
                   gone_since=None, first_run=self.run_id, last_run=self.run_id, changed_run=self.run_id,
                   duplicate_of=None)
        if it.keys:
            match = self._near(i, it)
            if match:
                row["duplicate_of"] = match[0]
                self.near.append({"article_id": aid, "duplicate_of": match[0], "similarity": match[1],
                                  "run_id": self.run_id, "detected": it.seen})
            self._index(aid, it)
        self.new_rows[aid] = row
        self.state[aid] = {"version": 1, "record_hash": it.record_hash, "content_hash": it.content_hash,
                           "canonical_url": it.urls[0], "changed_run": self.run_id}
        if not self._empty(it):
            self.hash_map[it.content_hash] = (aid, True)
        self._remember_urls(aid, it)
        self._version(aid, 1, it)
        return "new"

    def _near(self, i: int, it: Item) -> tuple[int, float] | None:
        cands = set(self.lsh_db.get(i, ()))
        for k in it.keys:
            cands.update(self.lsh_local.get(k, ()))
        pool = [(c, self.shingles[c]) for c in sorted(cands) if c in self.shingles]
        return dedup.best_match(it.shingles, pool, self.threshold)

    def _index(self, aid: int, it: Item) -> None:
        self.bands[aid] = it.keys
        self.shingles[aid] = it.shingles
        for k in it.keys:
            self.lsh_local.setdefault(k, []).append(aid)

    def _change(self, aid: int, it: Item) -> str:
        st = self.state[aid]
        st["version"] += 1
        st.update(record_hash=it.record_hash, content_hash=it.content_hash, changed_run=self.run_id)
        cols = dict(it.columns(self.parser_version), version=st["version"], last_seen=it.seen,
                    gone_since=None, last_run=self.run_id, changed_run=self.run_id)
        if aid in self.new_rows:
            self.new_rows[aid].update(cols)
        else:
            self.changed_rows[aid] = cols
        if not self._empty(it):
            self.hash_map[it.content_hash] = (aid, True)
        if it.keys:
            self._index(aid, it)
        else:
            self.bands[aid] = []
        self._version(aid, st["version"], it)
        return "changed"

    def _version(self, aid: int, version: int, it: Item) -> None:
        cols = it.columns(self.parser_version)
        r = it.record
        self.versions.append(dict(
            {k: cols[k] for k in ("content_hash", "title", "text", "url", "kind", "subtitle", "published",
                                  "lead", "partner_cities", "record_hash", "etag", "last_modified",
                                  "parser_version", "warc_file", "warc_offset")},
            article_id=aid, version=version, fetched_at=it.seen, run_id=self.run_id,
            people=as_json(r.people), images=as_json(r.images), contacts=as_json(r.contacts)))
        self.children[aid] = children(aid, r)

    # ---- writes ----

    def write(self) -> None:
        con = self.con
        changed_ids = sorted(self.changed_rows)
        if changed_ids:
            for table in (*CHILD_COLS, "lsh_bands"):
                con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [changed_ids])
        insert(con, "articles", list(self.new_rows.values()),
               ["id", "source", "canonical_url", "first_seen", "last_seen", "version", "gone_since",
                "first_run", "last_run", "changed_run", "duplicate_of", *ARTICLE_FIELDS], CASTS)
        update(con, "articles", "id", [dict(r, id=a) for a, r in self.changed_rows.items()],
               [*ARTICLE_FIELDS, "version", "last_seen", "gone_since", "last_run", "changed_run"], CASTS)
        update(con, "articles", "id",
               [{"id": a, "last_seen": t} for a, t in self.touched.items() if a not in self.changed_rows],
               ["last_seen"], extra=f", gone_since = NULL, last_run = {int(self.run_id)}")
        update(con, "articles", "id", [{"id": a, "canonical_url": u} for a, u in self.renamed.items()],
               ["canonical_url"])
        for aid, version in self.version_rewrites:
            con.execute("DELETE FROM article_versions WHERE article_id = ? AND version = ?", [aid, version])
        insert(con, "article_versions", self.versions, VERSION_COLS, CASTS)
        insert(con, "article_urls", list(self.url_new.values()),
               ["article_id", "url", "first_seen", "last_seen", "etag", "last_modified"], CASTS)
        seen = list(self.url_seen.values())
        update(con, "article_urls", "url", [r for r in seen if r.get("etag") or r.get("last_modified")],
               ["etag", "last_modified"], CASTS)
        update(con, "article_urls", "url", seen, ["last_seen"], extra=", gone_since = NULL")
        for table, cols in CHILD_COLS.items():
            insert(con, table, [row for ch in self.children.values() for row in ch[table]], cols)
        bands = [{"band_key": k, "article_id": a} for a, ks in self.bands.items() for k in ks]
        insert(con, "lsh_bands", bands, ["band_key", "article_id"],
               {"band_key": "BIGINT", "article_id": "BIGINT"})
        insert(con, "near_duplicates", self.near,
               ["article_id", "duplicate_of", "similarity", "run_id", "detected"])


def ingest(con: duckdb.DuckDBPyConnection, next_id: int, run_id: int, source: str, items: Iterable[Item],
           threshold: float, parser_version: str | None) -> tuple[list[str], int]:
    """Decide and write one batch inside the caller's transaction; returns outcomes and the next free id."""
    items = list(items)
    batch = Batch(con, next_id, run_id, source, threshold, parser_version)
    batch.prefetch(items)
    outcomes = [batch.decide(i, it) for i, it in enumerate(items)]
    batch.write()
    return outcomes, batch.next_id


PARSED_FIELDS = ["kind", "title", "subtitle", "published", "lead", "text", "partner_cities", "content_hash",
                 "record_hash", "parser_version"]


def rewrite(con: duckdb.DuckDBPyConnection, aid: int, version: int, record: Record,
            parser_version: str | None) -> None:
    """Reparse: put a new parse of the same capture into the article and its version row, in place."""
    r = record
    cols = {"kind": r.kind, "title": r.title, "subtitle": r.subtitle,
            "published": parse_date(r.published, r.url),
            "lead": r.lead, "text": r.text, "partner_cities": list(r.partner_cities),
            "content_hash": dedup.content_hash(r), "record_hash": dedup.record_hash(r),
            "parser_version": parser_version}
    update(con, "articles", "id", [dict(cols, id=aid)], PARSED_FIELDS, CASTS)
    vcols = dict(cols, people=as_json(r.people), images=as_json(r.images), contacts=as_json(r.contacts))
    update(con, "article_versions", "article_id", [dict(vcols, article_id=aid)],
           [*PARSED_FIELDS, "people", "images", "contacts"], CASTS,
           where=f" AND article_versions.version = {int(version)}")
    for table in (*CHILD_COLS, "lsh_bands"):
        con.execute(f"DELETE FROM {table} WHERE article_id = ?", [aid])
    for table, rows in children(aid, r).items():
        insert(con, table, rows, CHILD_COLS[table])
    if not dedup.is_trivial(r):
        keys = dedup.band_keys(dedup.signature(dedup.shingle_hashes(dedup.shingle_text(r))))
        insert(con, "lsh_bands", [{"band_key": k, "article_id": aid} for k in keys],
               ["band_key", "article_id"])
