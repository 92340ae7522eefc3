"""Read-only access to the published archive: `open_reader`, the `sql` and `runs` commands."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import logging
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import duckdb

from .errors import ArchiveError, ReadOnlyError, UsageError
from .store import schema

log = logging.getLogger(__name__)

PUBLISHED = "archive.duckdb"
_ST = duckdb.StatementType
# Statements that only read. PRAGMAs are checked by name: most of them change settings.
_ALLOWED = {_ST.SELECT, _ST.EXPLAIN}
_READ_PRAGMAS = {"show_tables", "show_tables_expanded", "table_info", "database_size", "version",
                 "storage_info", "show", "functions", "collations", "database_list", "user_agent",
                 "platform", "metadata_info"}


def published_path(archive_dir: Path) -> Path:
    return Path(archive_dir) / PUBLISHED


def open_reader(archive_dir: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published copy, fts loaded, no file or network access from SQL."""
    path = published_path(archive_dir)
    if not path.exists():
        hint = " (no crawl has been published there yet)" if Path(archive_dir).exists() else ""
        raise ArchiveError(f"{path}: archive not found{hint}")
    con = schema.connect(path, read_only=True, memory_limit="1GB")
    # After the fts extension is loaded: SQL typed by an analyst may not read or write other files,
    # attach databases or change these settings.
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def check_read_only(sql: str) -> None:
    """Refuse anything but one reading statement (ReadOnlyError, exit 2)."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as e:
        raise UsageError(f"sql: cannot parse the statement: {str(e).splitlines()[0]}") from None
    if not statements:
        raise UsageError("sql: empty query")
    if len(statements) > 1:
        raise UsageError(f"sql: give one statement at a time, got {len(statements)}")
    st = statements[0]
    if st.type == _ST.PRAGMA:
        name = st.query.strip().split(None, 1)[1] if len(st.query.split()) > 1 else ""
        name = name.split("(")[0].split("=")[0].strip().lower()
        if name in _READ_PRAGMAS:
            return
        raise ReadOnlyError(f"sql: PRAGMA {name or '?'} is refused: the archive is read-only")
    if st.type not in _ALLOWED:
        kind = st.type.name if hasattr(st.type, "name") else str(st.type)
        raise ReadOnlyError(f"sql: {kind} statements are refused: the archive is read-only "
                            "(only SELECT, EXPLAIN and reading PRAGMAs run)")


def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    if isinstance(v, uuid.UUID | bytes | bytearray):
        return v.hex() if isinstance(v, bytes | bytearray) else str(v)
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple | dict):
        return json.dumps(_jsonable(v), ensure_ascii=False)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    return str(v)


def write_rows(cols: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, out: TextIO,
               max_width: int = 60) -> None:
    """table: aligned plain text; csv: a header line then one line per row; json: one array of objects."""
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([_cell(v) for v in r])
    elif fmt == "json":
        json.dump([{c: _jsonable(v) for c, v in zip(cols, r, strict=True)} for r in rows], out,
                  ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt == "table":
        cells = [[_clip(_cell(v), max_width) for v in r] for r in rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
        print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip(), file=out)
        print("  ".join("-" * w for w in widths), file=out)
        for r in cells:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip(), file=out)
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=out)
    else:
        raise UsageError(f"unknown format {fmt!r} (table, csv or json)")


def _clip(s: str, width: int) -> str:
    s = s.replace("\n", " ")
    return s if len(s) <= width else s[:width - 1] + "…"


def run_sql(archive_dir: Path, sql: str, fmt: str, out: TextIO) -> int:
    """`partner-archive sql`: one read-only statement against the published archive; exit code."""
    check_read_only(sql)
    con = open_reader(archive_dir)
    try:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description or []]
        rows = cur.fetchall() if cols else []
    except duckdb.Error as e:
        raise UsageError(f"sql: {str(e).splitlines()[0]}") from None
    finally:
        con.close()
    write_rows(cols, rows, fmt, out)
    return 0


RUNS_SQL = """
    SELECT id, started, finished, status, array_to_string(sources, ',') AS sources, pages_fetched AS fetched,
           pages_new AS new, pages_changed AS changed, pages_unchanged AS unchanged, pages_gone AS gone,
           pages_failed AS failed
    FROM crawl_runs ORDER BY id DESC LIMIT ?"""


def run_runs(archive_dir: Path, limit: int, out: TextIO) -> int:
    """`partner-archive runs`: the crawl-run history, newest first, with its counts."""
    if limit <= 0:
        raise UsageError(f"--limit must be a positive number, got {limit}")
    con = open_reader(archive_dir)
    try:
        cur = con.execute(RUNS_SQL, [limit])
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
        total = con.execute("SELECT count(*), count(*) FILTER (WHERE gone_since IS NULL) "
                            "FROM articles").fetchone()
    finally:
        con.close()
    rows = [tuple(v.replace(microsecond=0) if isinstance(v, dt.datetime) else v for v in r) for r in rows]
    write_rows(cols, rows, "table", out)
    if total:
        print(f"Archive: {total[0]} articles, {total[1]} on the site", file=out)
    return 0
