"""Reading articles, their people/images/contacts/links and per-run changes out of an archive connection.

Only the relations of CONTRACT.md are relied upon; extra columns the store adds (run ids, ordering
columns, links, contacts) are used when they exist, so the readers keep working as the schema grows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

log = logging.getLogger(__name__)

RECORD_FIELDS = ("url", "canonical_url", "kind", "title", "subtitle", "published", "lead", "text",
                 "people", "images", "partner_cities", "contacts", "links")
ARCHIVE_FIELDS = ("id", "source", "first_seen", "last_seen", "version", "gone_since", "archived_at")
# Columns that keep the page order of a child row (people in reading order, the lead picture first).
_ORDER_COLS = ("position", "pos", "ord", "ordinal", "idx", "seq", "sort_order", "n")


# Ids travel as ONE string parameter: DuckDB converts a long Python list element by element (slow),
# and a semi-join against the split string is a hash join, not a scan per row.
ID_IN = "CAST({col} AS VARCHAR) IN (SELECT unnest(string_split(?, chr(31))))"


def ids_param(ids: Iterable[Any]) -> str:
    return "\x1f".join(str(i) for i in ids)


@dataclass
class Filters:
    partner: str | None = None
    since: date | None = None
    until: date | None = None
    source: str | None = None
    ids: set[Any] | None = None  # restrict to these article ids (from --new / --query)
    # a near-duplicate (same article under another URL) is listed once, under the article it duplicates
    skip_duplicates: bool = True


def columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Column name → type of a table or view, {} when the relation does not exist."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? AND table_schema = current_schema() ORDER BY ordinal_position",
        [relation],
    ).fetchall()
    return {name: typ for name, typ in rows}


def _order_by(cols: dict[str, str], fallback: str) -> str:
    for c in _ORDER_COLS:
        if c in cols:
            return f'"{c}", {fallback}'
    return fallback


def select_articles(con: duckdb.DuckDBPyConnection, f: Filters,
                    cols: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The article rows matching the SQL-side filters, newest first (published, then first_seen);
    all columns, or only `cols` (a run report of thousands of new articles needs no texts)."""
    acols = columns(con, "articles")
    if not acols:
        from ..errors import ArchiveError

        raise ArchiveError("the archive has no 'articles' relation")
    where: list[str] = []
    params: list[Any] = []
    if f.partner:
        where.append("list_contains(partner_cities, ?)")
        params.append(f.partner)
    if f.since:
        where.append("published >= ?")
        params.append(f.since)
    if f.until:
        where.append("published <= ?")
        params.append(f.until)
    if f.source:
        where.append("source = ?")
        params.append(f.source)
    if f.skip_duplicates and "duplicate_of" in acols:
        where.append("duplicate_of IS NULL")
    if f.ids is not None:
        if not f.ids:
            return []
        where.append(ID_IN.format(col="id"))
        params.append(ids_param(f.ids))
    sql = f"SELECT {', '.join(c for c in cols if c in acols) if cols else '*'} FROM articles"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY published DESC NULLS LAST, first_seen DESC NULLS LAST"
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _children(con: duckdb.DuckDBPyConnection, relation: str, ids: list[Any],
              keep: tuple[str, ...]) -> dict[Any, list[dict[str, Any]]]:
    cols = columns(con, relation)
    if "article_id" not in cols or not ids:
        return {}
    wanted = [c for c in keep if c in cols]
    order = _order_by(cols, "rowid") if relation_is_table(con, relation) else _order_by(cols, "article_id")
    sql = (f'SELECT article_id, {", ".join(chr(34) + c + chr(34) for c in wanted)} FROM "{relation}" '
           f"WHERE {ID_IN.format(col='article_id')} ORDER BY article_id, {order}")
    out: dict[Any, list[dict[str, Any]]] = {}
    for row in con.execute(sql, [ids_param(ids)]).fetchall():
        item = {c: None for c in keep}
        item.update(zip(wanted, row[1:], strict=True))
        out.setdefault(row[0], []).append(item)
    return out


def relation_is_table(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    row = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ? "
                      "AND table_schema = current_schema()", [relation]).fetchone()
    return bool(row) and row[0] == "BASE TABLE"


def _links(con: duckdb.DuckDBPyConnection, ids: list[Any]) -> dict[Any, list[str]]:
    for rel in ("article_links", "links"):
        cols = columns(con, rel)
        target = next((c for c in ("url", "href", "link", "target") if c in cols), None)
        if "article_id" in cols and target:
            rows = _children(con, rel, ids, (target,))
            return {k: [r[target] for r in v] for k, v in rows.items()}
    return {}


def _archived_at(con: duckdb.DuckDBPyConnection, ids: list[Any]) -> dict[Any, datetime]:
    """When the archived copy of each article's current version was fetched.

    Where the store records the raw capture (warc_file), only articles whose capture is kept get a date.
    """
    cols = columns(con, "article_versions")
    if not {"article_id", "version", "fetched_at"} <= cols.keys() or not ids:
        return {}
    kept = " AND a.warc_file IS NOT NULL" if "warc_file" in columns(con, "articles") else ""
    rows = con.execute(
        "SELECT v.article_id, max(v.fetched_at) FROM article_versions v JOIN articles a "
        f"ON a.id = v.article_id AND a.version = v.version WHERE {ID_IN.format(col='v.article_id')}{kept} "
        "GROUP BY v.article_id", [ids_param(ids)]).fetchall()
    return dict(rows)


def load_records(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Full records (CONTRACT.md fields + archive fields) for the given article rows, order kept."""
    ids = [r["id"] for r in rows]
    people = _children(con, "people", ids, ("name", "role"))
    images = _children(con, "images", ids, ("src", "alt", "caption", "credit", "photographer"))
    contacts = _children(con, "contacts", ids, ("name", "phone", "email", "room"))
    links = _links(con, ids)
    archived = _archived_at(con, ids)
    out = []
    for r in rows:
        rec: dict[str, Any] = {k: r.get(k) for k in RECORD_FIELDS}
        rec["text"] = rec["text"] or ""
        rec["people"] = people.get(r["id"], [])
        rec["images"] = images.get(r["id"], [])
        rec["partner_cities"] = list(r.get("partner_cities") or [])
        rec["contacts"] = contacts.get(r["id"], [])
        rec["links"] = list(r["links"]) if r.get("links") is not None else links.get(r["id"], [])
        for k in ARCHIVE_FIELDS:
            rec[k] = r.get(k)
        rec["archived_at"] = archived.get(r["id"])
        out.append(rec)
    return out


# ---- runs and what changed in them ----

@dataclass
class RunChanges:
    run: dict[str, Any]
    new: list[Any] = field(default_factory=list)
    changed: list[Any] = field(default_factory=list)
    gone: list[Any] = field(default_factory=list)


def get_run(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, Any] | None:
    cur = con.execute("SELECT * FROM crawl_runs WHERE id = ?", [run_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def last_finished_run(con: duckdb.DuckDBPyConnection) -> int | None:
    """The latest finished crawl run; reparse runs are skipped since they say nothing about the site."""
    row = con.execute("SELECT max(id) FROM crawl_runs WHERE finished IS NOT NULL "
                      "AND coalesce(status, '') <> 'reparse'").fetchone()
    return row[0] if row else None


def _window(run: dict[str, Any]) -> tuple[Any, Any]:
    return run.get("started"), run.get("finished") or datetime.now()


def run_changes(con: duckdb.DuckDBPyConnection, run_id: int) -> RunChanges:
    """Ids of the articles first stored, changed, and found gone in one run.

    Uses run-id columns when the store keeps them, else the run's time window
    (started … finished) against the version fetch times and gone_since.
    """
    run = get_run(con, run_id)
    if run is None:
        from ..errors import UsageError

        raise UsageError(f"no crawl run with id {run_id}")
    ch = RunChanges(run=run)
    vcols = columns(con, "article_versions")
    start, end = _window(run)
    if "run_id" in vcols:
        cond, params = "run_id = ?", [run_id]
    elif start is not None:
        cond, params = "fetched_at >= ? AND fetched_at <= ?", [start, end]
    else:
        cond, params = "FALSE", []
    rows = con.execute(f"SELECT article_id, min(version) FROM article_versions WHERE {cond} "
                       "GROUP BY article_id", params).fetchall()
    ch.new = [a for a, v in rows if v == 1]
    ch.changed = [a for a, v in rows if v != 1]
    acols = columns(con, "articles")
    gone_run_col = next((c for c in ("gone_run", "gone_run_id") if c in acols), None)
    if gone_run_col:
        ch.gone = [r[0] for r in con.execute(f'SELECT id FROM articles WHERE "{gone_run_col}" = ?',
                                             [run_id]).fetchall()]
    elif start is not None and "gone_since" in acols:
        if acols["gone_since"].upper() == "DATE":
            cond, params = "gone_since >= CAST(? AS DATE) AND gone_since <= CAST(? AS DATE)", [start, end]
        else:
            cond, params = "gone_since >= ? AND gone_since <= ?", [start, end]
        ch.gone = [r[0] for r in con.execute(f"SELECT id FROM articles WHERE {cond}", params).fetchall()]
    return ch
