"""Parsed records as table rows, and the bulk SQL helpers: rows go to DuckDB as one registered Arrow
table per statement (set-based INSERT/UPDATE), never row by row."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from .. import dedup
from ..models import Fetched, Record

log = logging.getLogger(__name__)

ARTICLE_FIELDS = ["url", "kind", "title", "subtitle", "published", "lead", "text", "partner_cities",
                  "content_hash", "record_hash", "etag", "last_modified", "parser_version", "warc_file",
                  "warc_offset"]


def utc(ts: datetime | None) -> datetime:
    """Naive UTC, the archive's TIMESTAMP convention; a missing time is now."""
    if ts is None:
        return datetime.now(UTC).replace(tzinfo=None)
    return ts.astimezone(UTC).replace(tzinfo=None) if ts.tzinfo else ts


def header(fetched: Fetched, name: str) -> str | None:
    for k, v in fetched.headers.items():
        if k.lower() == name:
            return v
    return None


def parse_date(value: str | None, url: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        log.warning("%s: published %r is not an ISO date; stored as NULL", url, value)
        return None


@dataclass
class Item:
    """A record with everything derived from it that the batch needs."""

    record: Record
    fetched: Fetched
    warc: tuple[str, int] | None
    urls: list[str]
    content_hash: str
    record_hash: str
    seen: datetime
    trivial: bool
    shingles: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    keys: list[int] = field(default_factory=list)

    def columns(self, parser_version: str | None) -> dict[str, Any]:
        r, f = self.record, self.fetched
        return {
            "url": r.url or f.final_url or f.url, "kind": r.kind, "title": r.title, "subtitle": r.subtitle,
            "published": parse_date(r.published, r.url), "lead": r.lead, "text": r.text,
            "partner_cities": list(r.partner_cities), "content_hash": self.content_hash,
            "record_hash": self.record_hash, "etag": header(f, "etag"),
            "last_modified": header(f, "last-modified"), "parser_version": parser_version,
            "warc_file": self.warc[0] if self.warc else None,
            "warc_offset": self.warc[1] if self.warc else None,
        }


Features = tuple[str, str, bool, np.ndarray, list[int]]


def features(record: Record) -> Features:
    """What dedup derives from a record (the costly part of storing it); pure, so a worker may do it."""
    trivial = dedup.is_trivial(record)
    shingles, keys = np.zeros(0, dtype=np.uint64), []
    if not trivial:
        shingles = dedup.shingle_hashes(dedup.shingle_text(record))
        keys = dedup.band_keys(dedup.signature(shingles))
    return dedup.content_hash(record), dedup.record_hash(record), trivial, shingles, keys


def prepare(record: Record, fetched: Fetched, warc: tuple[str, int] | None,
            feats: Features | None = None) -> Item:
    urls: list[str] = []
    for u in (record.canonical_url, record.url, fetched.url, fetched.final_url):
        if u and u not in urls:
            urls.append(u)
    ch, rh, trivial, shingles, keys = feats or features(record)
    return Item(record, fetched, warc, urls, ch, rh, utc(fetched.fetched_at), trivial, shingles, keys)


def frame(rows: Sequence[dict[str, Any]], cols: Sequence[str]) -> pa.Table:
    """An Arrow table DuckDB scans in bulk (a numpy object array costs DuckDB a Python call per value).

    A column that is NULL in every row is left out (no type to infer); `_expr` writes NULL instead."""
    data = {}
    for c in cols:
        values = [r.get(c) for r in rows]
        if any(v is not None for v in values):
            data[c] = pa.array(values)
    if not data:
        data["_n"] = pa.array([0] * len(rows))
    return pa.table(data)


def _expr(c: str, present: pa.Table, casts: dict[str, str], prefix: str = "") -> str:
    value = f"{prefix}{c}" if c in present.column_names else "NULL"
    return f"CAST({value} AS {casts[c]})" if c in casts else value


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict[str, Any]],
           cols: Sequence[str], casts: dict[str, str] | None = None) -> None:
    if not rows:
        return
    casts = casts or {}
    data = frame(rows, cols)
    con.register("_batch", data)
    try:
        select = ", ".join(_expr(c, data, casts) for c in cols)
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM _batch")
    finally:
        con.unregister("_batch")


def update(con: duckdb.DuckDBPyConnection, table: str, key: str, rows: Sequence[dict[str, Any]],
           cols: Sequence[str], casts: dict[str, str] | None = None, extra: str = "",
           where: str = "") -> None:
    if not rows:
        return
    casts = casts or {}
    data = frame(rows, [key, *cols])
    con.register("_batch", data)
    try:
        sets = ", ".join(f"{c} = {_expr(c, data, casts, '_batch.')}" for c in cols)
        con.execute(f"UPDATE {table} SET {sets}{extra} FROM _batch WHERE {table}.{key} = _batch.{key}{where}")
    finally:
        con.unregister("_batch")


def children(aid: int, record: Record) -> dict[str, list[dict[str, Any]]]:
    return {
        "people": [dict(vars(p), article_id=aid, position=i) for i, p in enumerate(record.people)],
        "images": [dict(vars(m), article_id=aid, position=i) for i, m in enumerate(record.images)],
        "contacts": [dict(vars(c), article_id=aid, position=i) for i, c in enumerate(record.contacts)],
        "links": [{"article_id": aid, "position": i, "url": u} for i, u in enumerate(record.links)],
    }


def as_json(objs: Sequence[Any]) -> str:
    return json.dumps([vars(o) for o in objs], ensure_ascii=False)


CHILD_COLS = {
    "people": ["article_id", "position", "name", "role"],
    "images": ["article_id", "position", "src", "alt", "caption", "credit", "photographer"],
    "contacts": ["article_id", "position", "name", "phone", "email", "room"],
    "links": ["article_id", "position", "url"],
}
VERSION_COLS = ["article_id", "version", "fetched_at", "content_hash", "title", "text", "run_id", "url",
                "kind", "subtitle", "published", "lead", "partner_cities", "people", "images", "contacts",
                "record_hash", "etag", "last_modified", "parser_version", "warc_file", "warc_offset"]
CASTS = {"published": "DATE", "partner_cities": "VARCHAR[]", "people": "JSON", "images": "JSON",
          "contacts": "JSON", "warc_offset": "BIGINT", "duplicate_of": "BIGINT", "last_run": "INTEGER",
          "gone_since": "TIMESTAMP", "changed_run": "INTEGER", "first_run": "INTEGER", "etag": "VARCHAR",
          "last_modified": "VARCHAR", "parser_version": "VARCHAR", "warc_file": "VARCHAR"}
