"""The archive writer: the crawl lock, the work database, runs, fetch log, articles, publication."""

from __future__ import annotations

import fcntl
import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from types import TracebackType
from typing import Literal, NamedTuple

import duckdb

from .. import dedup, publish, search
from ..errors import ArchiveError, LockedError
from ..models import Fetched, Record, RunStats
from . import ingest, schema, tables
from .tables import header, utc

log = logging.getLogger(__name__)

WORK_DB = Path("work") / "crawl.duckdb"
PUBLISHED = "archive.duckdb"
LOCK = "crawl.lock"
BATCH = 2000  # store_many writes this many records per transaction: memory stays flat
FETCH_COLS = ["run_id", "url", "final_url", "status", "bytes", "error", "fetched_at", "elapsed",
              "not_modified", "etag", "last_modified", "content_type", "warc_file", "warc_offset",
              "payload_digest"]
_FETCH_CASTS = {"run_id": "INTEGER", "url": "VARCHAR", "final_url": "VARCHAR", "status": "INTEGER",
                "bytes": "BIGINT", "error": "VARCHAR", "fetched_at": "TIMESTAMP", "elapsed": "DOUBLE",
                "not_modified": "BOOLEAN", "etag": "VARCHAR", "last_modified": "VARCHAR",
                "content_type": "VARCHAR", "warc_file": "VARCHAR", "warc_offset": "BIGINT",
                "payload_digest": "VARCHAR"}


class Capture(NamedTuple):
    """A stored raw capture (the latest version of an article) for reparse."""

    article_id: int
    url: str
    warc_file: str
    warc_offset: int
    source: str
    version: int


def _lock(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
        os.close(fd)
        raise LockedError(f"{path}: another crawl is running on this archive (pid {holder}); "
                          "wait for it to finish") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def open_writer(archive_dir: Path | str) -> Archive:
    """Take the crawl lock and open (or create, or migrate) the work database."""
    return Archive(Path(archive_dir))


class Archive:
    """The single writer of an archive folder. Use as a context manager; `publish()` makes runs visible."""

    def __init__(self, archive_dir: Path) -> None:
        self.dir = archive_dir
        try:
            (archive_dir / WORK_DB).parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ArchiveError(f"{archive_dir}: cannot create the archive folder: {e}") from None
        self._lock_fd: int | None = _lock(archive_dir / LOCK)
        try:
            self.work_path = archive_dir / WORK_DB
            self.published_path = archive_dir / PUBLISHED
            publish.clean_stale(archive_dir)
            self.con = schema.connect(self.work_path)
            schema.ensure(self.con)
        except BaseException:
            self._unlock()
            raise
        row = self.con.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
        self._next_id = int(row[0]) + 1 if row else 1
        self._warc_refs: dict[str, tuple[str, int]] = {}
        self._pool: Pool | Literal[False] | None = None
        self.batch_size = BATCH

    # ---- context manager ----

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "_pool", None):
            self._pool.terminate()
            self._pool.join()
        self._pool = None
        if getattr(self, "con", None) is not None:
            self.con.close()
            self.con = None  # type: ignore[assignment]
        self._unlock()

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def _tx(self) -> _Transaction:
        return _Transaction(self.con)

    # ---- runs ----

    def begin_run(self, sources: list[str]) -> int:
        now = utc(None)
        with self._tx():
            # Only one writer holds the lock, so a run still 'running' was killed: say so.
            self.con.execute("UPDATE crawl_runs SET status = 'aborted' WHERE status = 'running'")
            row = self.con.execute("SELECT coalesce(max(id), 0) + 1 FROM crawl_runs").fetchone()
            run_id = int(row[0]) if row else 1
            self.con.execute("INSERT INTO crawl_runs (id, started, status, sources) "
                             "VALUES (?, ?, 'running', ?)", [run_id, now, sources])
            for name in sources:
                if not self.con.execute("SELECT 1 FROM sources WHERE name = ?", [name]).fetchone():
                    self.con.execute("INSERT INTO sources VALUES (?, ?, ?)", [name, run_id, run_id])
                else:
                    self.con.execute("UPDATE sources SET last_run = ? WHERE name = ?", [run_id, name])
        return run_id

    def finish_run(self, run_id: int, stats: RunStats) -> None:
        status = stats.status if stats.status != "running" else "ok"
        with self._tx():
            self.con.execute(
                "UPDATE crawl_runs SET finished = ?, status = ?, pages_fetched = ?, pages_new = ?, "
                "pages_changed = ?, pages_unchanged = ?, pages_failed = ?, pages_gone = ?, "
                "skipped_robots = ?, off_scope = ?, failed_urls = ? WHERE id = ?",
                [utc(None), status, stats.pages_fetched, stats.pages_new, stats.pages_changed,
                 stats.pages_unchanged, stats.pages_failed, stats.pages_gone, stats.skipped_robots,
                 stats.off_scope, list(stats.failed_urls), run_id])

    # ---- fetches ----

    def log_fetch(self, run_id: int, fetched: Fetched, warc: tuple[str, int] | None = None) -> None:
        ref = (str(warc[0]), int(warc[1])) if warc else None
        if ref:
            # store() is called without the reference: it finds the capture of the same request here.
            self._warc_refs[fetched.url] = self._warc_refs[fetched.final_url] = ref
        row = self.fetch_row(run_id, fetched, warc)
        self.con.execute(f"INSERT INTO fetch_log ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                         list(row.values()))

    @staticmethod
    def fetch_row(run_id: int, fetched: Fetched, warc: tuple[str, int] | None = None) -> dict[str, object]:
        """The fetch_log row of one request (small: no body), for `log_fetches`."""
        return {"run_id": run_id, "url": fetched.url, "final_url": fetched.final_url,
                "status": fetched.status, "bytes": len(fetched.body), "error": fetched.error,
                "fetched_at": utc(fetched.fetched_at), "elapsed": fetched.elapsed,
                "not_modified": fetched.not_modified, "etag": header(fetched, "etag"),
                "last_modified": header(fetched, "last-modified"),
                "content_type": header(fetched, "content-type"),
                "warc_file": str(warc[0]) if warc else None, "warc_offset": int(warc[1]) if warc else None,
                # set by the WARC writer for full response records only (not for revisits)
                "payload_digest": getattr(warc, "digest", None)}

    def log_fetches(self, rows: list[dict[str, object]]) -> None:
        """The bulk form of log_fetch: many `fetch_row`s in one statement."""
        if rows:
            with self._tx():
                tables.insert(self.con, "fetch_log", rows, FETCH_COLS, _FETCH_CASTS)

    def latest_payloads(self) -> list[tuple[str, str, datetime, str, int]]:
        """Per URL, its latest full response capture: (URL, payload digest, fetched at, WARC file, offset);
        the WARC writer turns an identical body into a revisit of it."""
        rows = self.con.execute(
            "SELECT final_url, arg_max(payload_digest, fetched_at), max(fetched_at), "
            "arg_max(warc_file, fetched_at), arg_max(warc_offset, fetched_at) FROM fetch_log "
            "WHERE payload_digest IS NOT NULL AND warc_file IS NOT NULL GROUP BY final_url").fetchall()
        return [(u, d, when.replace(tzinfo=UTC), f, o) for u, d, when, f, o in rows]

    def previous_crawl(self) -> tuple[str | None, list[str]]:
        """The last crawl run's status ('running' if it was killed) and the URLs it failed to fetch.

        A crawl cut short never reached part of the site, and a page that failed may be linked only
        from pages that now answer 304 (which yield no links): the next run must not lose either.
        """
        row = self.con.execute("SELECT id, status FROM crawl_runs WHERE status <> 'reparse' "
                               "ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None, []
        failed = self.con.execute(
            "SELECT DISTINCT url FROM fetch_log WHERE run_id = ? AND (status IS NULL OR status >= 500 "
            "OR status IN (408, 429)) AND coalesce(error, '') NOT IN ('robots', 'off_scope', 'scheme') "
            "ORDER BY url", [row[0]]).fetchall()
        return str(row[1]), [r[0] for r in failed]

    def all_validators(self) -> dict[str, tuple[str | None, str | None]]:
        """`validators` of every stored URL at once (a crawl reads them before it starts writing)."""
        rows = self.con.execute("SELECT url, first(etag ORDER BY article_id), "
                                "first(last_modified ORDER BY article_id) FROM article_urls "
                                "WHERE etag IS NOT NULL OR last_modified IS NOT NULL GROUP BY url").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(etag, last_modified) stored with the last capture of this URL's article, or None.

        Kept beside the stored content (same transaction), so a crawl killed between fetch and
        store never leaves validators that would make the server answer 304 for unstored content.
        """
        row = self.con.execute("SELECT etag, last_modified FROM article_urls WHERE url = ? AND "
                               "(etag IS NOT NULL OR last_modified IS NOT NULL) LIMIT 1", [url]).fetchone()
        return (row[0], row[1]) if row else None

    def known_urls(self, source: str) -> list[str]:
        rows = self.con.execute("SELECT canonical_url FROM articles WHERE source = ? AND gone_since IS NULL "
                                "ORDER BY id", [source]).fetchall()
        return [r[0] for r in rows]

    # ---- articles ----

    def store(self, run_id: int, source: str, record: Record, fetched: Fetched,
              warc: tuple[str, int] | None = None, threshold: float = 0.8,
              parser_version: str | None = None) -> str:
        """Store one parsed page: 'new', 'changed' (a new version) or 'unchanged'. Idempotent."""
        return self.store_many(run_id, source, [(record, fetched, warc)], threshold, parser_version)[0]

    def store_many(self, run_id: int, source: str,
                   items: Iterable[tuple[Record, Fetched, tuple[str, int] | None]],
                   threshold: float = 0.8, parser_version: str | None = None) -> list[str]:
        """The bulk form of store(): same decisions, in order, BATCH records per transaction.

        Full batches have their dedup features computed by worker processes while this process
        writes the previous batch; a short input is handled in-process."""
        outcomes: list[str] = []
        Raw = list[tuple[Record, Fetched, tuple[str, int] | None]]
        pending: tuple[Raw, AsyncResult[list[tables.Features]] | None] | None = None
        chunk: Raw = []

        def flush() -> None:
            nonlocal pending
            if pending is not None:
                raw, job = pending
                feats = job.get() if job is not None else [None] * len(raw)
                prepared = [tables.prepare(r, f, w, x) for (r, f, w), x in zip(raw, feats, strict=True)]
                outcomes.extend(self._ingest(run_id, source, prepared, threshold, parser_version))
                pending = None

        for record, fetched, warc in items:
            if record.kind == "listing":
                raise ArchiveError(f"{record.url}: a listing is not an article and is not stored")
            ref = warc or self._warc_refs.get(fetched.url) or self._warc_refs.get(fetched.final_url)
            chunk.append((record, fetched, ref))
            if len(chunk) >= self.batch_size:
                pool = self._workers()
                job = pool.map_async(tables.features, [r for r, _, _ in chunk], chunksize=100) \
                    if pool else None
                flush()
                pending, chunk = (chunk, job), []
        flush()
        if chunk:
            pending = (chunk, None)
            flush()
        return outcomes

    def store_features(self, run_id: int, source: str,
                       items: list[tuple[Record, Fetched, tuple[str, int] | None, tables.Features | None]],
                       threshold: float = 0.8, parser_version: str | None = None) -> list[str]:
        """store_many for records whose dedup features were computed elsewhere (the crawl's parse
        workers): same decisions, in order, one transaction."""
        for record, _, _, _ in items:
            if record.kind == "listing":
                raise ArchiveError(f"{record.url}: a listing is not an article and is not stored")
        refs = self._warc_refs
        prepared = [tables.prepare(r, f, w or refs.get(f.url) or refs.get(f.final_url), x)
                    for r, f, w, x in items]
        return self._ingest(run_id, source, prepared, threshold, parser_version) if prepared else []

    def _workers(self) -> Pool | None:
        """Worker processes for bulk dedup features (spawned: forking a process that runs DuckDB
        threads is unsafe). None where processes cannot be started; the work is then done here."""
        if self._pool is None and (os.cpu_count() or 1) > 1:
            try:
                self._pool = multiprocessing.get_context("spawn").Pool(min(4, os.cpu_count() or 1))
            except OSError as e:
                log.warning("no worker processes (%s); computing dedup features in-process", e)
                self._pool = False
        return self._pool or None

    def _ingest(self, run_id: int, source: str, chunk: list[tables.Item], threshold: float,
                parser_version: str | None) -> list[str]:
        with self._tx():
            outcomes, next_id = ingest.ingest(self.con, self._next_id, run_id, source, chunk, threshold,
                                              parser_version)
        self._next_id = next_id
        return outcomes

    def _article_of(self, url: str) -> int | None:
        row = self.con.execute("SELECT article_id FROM article_urls WHERE url = ? "
                               "ORDER BY article_id LIMIT 1", [url]).fetchone()
        return int(row[0]) if row else None

    def touch(self, run_id: int, url: str) -> bool:
        """A 304 for a known URL: the article is still there and unchanged. False if the URL is unknown."""
        aid = self._article_of(url)
        if aid is None:
            return False
        now = utc(None)
        with self._tx():
            self.con.execute("UPDATE articles SET last_seen = ?, last_run = ?, gone_since = NULL "
                             "WHERE id = ?", [now, run_id, aid])
            self.con.execute("UPDATE article_urls SET last_seen = ?, gone_since = NULL WHERE url = ?",
                             [now, url])
        return True

    def touch_many(self, run_id: int, urls: list[str]) -> None:
        """touch() for many 304 answers in one transaction (same updates, set-based)."""
        if not urls:
            return
        now = utc(None)
        with self._tx():
            self.con.execute("UPDATE articles SET last_seen = ?, last_run = ?, gone_since = NULL WHERE id IN "
                             "(SELECT min(article_id) FROM article_urls WHERE url IN (SELECT unnest(?)) "
                             "GROUP BY url)", [now, run_id, urls])
            self.con.execute("UPDATE article_urls SET last_seen = ?, gone_since = NULL WHERE url IN "
                             "(SELECT unnest(?))", [now, urls])

    def mark_gone(self, run_id: int, url: str) -> bool:
        """A 404/410 for a known URL: gone_since is set (once), nothing is deleted.

        The article counts as gone when its canonical URL (or its only URL) is gone; an alias that
        disappears only marks the alias. A later successful store or touch clears both.
        """
        aid = self._article_of(url)
        if aid is None:
            return False
        now = utc(None)
        with self._tx():
            self.con.execute("UPDATE article_urls SET gone_since = coalesce(gone_since, ?) WHERE url = ?",
                             [now, url])
            self.con.execute(
                "UPDATE articles SET gone_since = coalesce(gone_since, ?), last_run = ? WHERE id = ? AND "
                "(canonical_url = ? OR (SELECT count(*) FROM article_urls WHERE article_id = ?) = 1)",
                [now, run_id, aid, url, aid])
        return True

    # ---- reparse ----

    def captures(self) -> Iterator[Capture]:
        """The raw capture behind every article's latest version (materialised: restore() writes)."""
        rows = self.con.execute(
            "SELECT id, url, warc_file, warc_offset, source, version FROM articles "
            "WHERE warc_file IS NOT NULL ORDER BY id").fetchall()
        for r in rows:
            yield Capture(*r)

    def restore(self, cap: Capture, record: Record, parser_version: str | None = None) -> str:
        """Replace the parsed fields of the capture's version in place (the site did not change, the
        parser did): 'changed' when the record differs, else 'unchanged'. No new version number."""
        new_hash = dedup.record_hash(record)
        row = self.con.execute("SELECT version, record_hash FROM articles WHERE id = ?",
                               [cap.article_id]).fetchone()
        if row is None:
            raise ArchiveError(f"reparse: article {cap.article_id} ({cap.url}) is not in the archive")
        if row[0] != cap.version:
            raise ArchiveError(f"reparse: {cap.url}: capture is version {cap.version}, "
                               f"article is at {row[0]}")
        if row[1] == new_hash:
            if parser_version:
                with self._tx():
                    self.con.execute("UPDATE articles SET parser_version = ? WHERE id = ?",
                                     [parser_version, cap.article_id])
                    self.con.execute("UPDATE article_versions SET parser_version = ? WHERE article_id = ? "
                                     "AND version = ?", [parser_version, cap.article_id, cap.version])
            return "unchanged"
        with self._tx():
            ingest.rewrite(self.con, cap.article_id, cap.version, record, parser_version)
        return "changed"

    # ---- publication ----

    def publish(self) -> Path:
        """Refresh the search index, checkpoint, and atomically replace the published copy."""
        # The index takes only this run's new and changed articles (search_index.py), in batches.
        search.refresh_index(self.con)
        self.con.execute("CHECKPOINT")
        return publish.publish_copy(self.work_path, self.published_path)


class _Transaction:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def __enter__(self) -> None:
        self.con.execute("BEGIN TRANSACTION")

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.con.execute("COMMIT" if et is None else "ROLLBACK")
