"""The crawl's off-loop work: parsing in worker processes and batched archive writes from one thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
from collections import Counter
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from . import store
from .config import Source
from .models import Fetched, Record, RunStats
from .parse import parse
from .store.tables import Features, features

log = logging.getLogger(__name__)

INLINE_PAGES = 32  # a small crawl (a test, a tiny source) never pays for starting worker processes
BATCH = 250  # records per archive transaction
EVERY = 1.0  # seconds: a slow crawl still stores (and so loses little to a kill) at least this often
QUEUED = 1000  # records waiting for the archive at most: the crawl waits beyond, memory stays flat


def parse_page(body: bytes, url: str, headers: dict[str, str],
               source: Source | None) -> tuple[Record, Features | None]:
    """A page's record and its dedup features (both pure, so a worker process computes them)."""
    record = parse(body, url, headers, source)
    return record, (features(record) if record.kind != "listing" else None)


class Parser:
    """parse_page in worker processes (spawned: the parent runs DuckDB threads), so the event loop
    keeps fetching; in-process for the first pages and when processes cannot be had."""

    def __init__(self, workers: int | None = None) -> None:
        cpus = os.cpu_count() or 1
        self.workers = workers if workers is not None else (max(1, min(4, cpus - 1)) if cpus > 1 else 0)
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.pages = 0

    async def parse(self, fetched: Fetched, source: Source) -> tuple[Record, Features | None]:
        self.pages += 1
        args = (fetched.body, fetched.final_url, fetched.headers, source)
        if self.workers and self.pages > INLINE_PAGES:
            if self.pool is None:
                try:
                    self.pool = concurrent.futures.ProcessPoolExecutor(
                        self.workers, mp_context=multiprocessing.get_context("spawn"))
                except OSError as e:
                    log.warning("no parse worker processes (%s); parsing in-process", e)
                    self.workers = 0
                    return parse_page(*args)
            try:
                return await asyncio.get_running_loop().run_in_executor(self.pool, parse_page, *args)
            except BrokenProcessPool:
                log.warning("a parse worker process died; parsing in-process from now on")
                self.workers = 0
        return parse_page(*args)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


class Sink:
    """Every archive write of a run (fetch log, stores, touches, gone marks), in arrival order, written
    in batches by one thread while the event loop fetches. Callers put a page here only after its WARC
    record is written, so a stored record always has its capture."""

    def __init__(self, archive: store.Archive, stats: RunStats, parser_version: str | None = None,
                 batch: int = BATCH, every: float = EVERY, queued: int = QUEUED) -> None:
        self.archive, self.stats, self.parser_version = archive, stats, parser_version
        self.batch, self.every, self.queued = batch, every, queued
        self.fetch_rows: list[dict[str, object]] = []
        # ("store", source, record, fetched, ref, feats), ("touch", url) or ("gone", url)
        self.ops: list[tuple[Any, ...]] = []
        self.stores = 0
        self.thread: concurrent.futures.ThreadPoolExecutor | None = None
        self.finishing = False
        self.done: list[tuple[Counter[str], list[str]]] = []  # finished flushes not yet counted
        self.wake = asyncio.Event()
        self.space = asyncio.Event()

    def start(self) -> None:
        self.thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="archive-writer")

    # ---- producers (the event loop) ----

    def log_fetch(self, fetched: Fetched, ref: tuple[str, int] | None) -> None:
        self.fetch_rows.append(self.archive.fetch_row(self.stats.run_id, fetched, ref))

    def touch(self, url: str) -> None:
        self.ops.append(("touch", url))

    def mark_gone(self, url: str) -> None:
        self.ops.append(("gone", url))

    async def store(self, source: Source, record: Record, fetched: Fetched, ref: tuple[str, int] | None,
                    feats: Features | None) -> None:
        while self.stores >= self.queued:
            self.space.clear()
            await self.space.wait()
        self.ops.append(("store", source, record, fetched, ref, feats))
        self.stores += 1
        if self.stores >= self.batch:
            self.wake.set()

    def finish(self) -> None:
        self.finishing = True
        self.wake.set()

    # ---- the writer ----

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.every)
            self.wake.clear()
            if self.fetch_rows or self.ops:
                rows, ops = self.fetch_rows, self.ops
                self.fetch_rows, self.ops, self.stores = [], [], 0
                self.space.set()
                await loop.run_in_executor(self.thread, self._write, rows, ops)
                self._count()
            if self.finishing and not (self.fetch_rows or self.ops):
                return

    def close(self) -> None:
        """Wait for a running flush, then write whatever is still queued (after an interruption)."""
        if self.thread is not None:
            self.thread.shutdown(wait=True)
            self.thread = None
        if self.fetch_rows or self.ops:
            rows, ops = self.fetch_rows, self.ops
            self.fetch_rows, self.ops, self.stores = [], [], 0
            self._write(rows, ops)
        self._count()

    def _count(self) -> None:
        """Move the finished flushes' outcomes into the run's counters, in the caller's thread."""
        while self.done:
            outcomes, failed = self.done.pop(0)
            self.stats.pages_new += outcomes["new"]
            self.stats.pages_changed += outcomes["changed"]
            self.stats.pages_unchanged += outcomes["unchanged"]
            self.stats.pages_failed += len(failed)
            self.stats.failed_urls.extend(failed)

    def _write(self, rows: list[dict[str, object]], ops: list[tuple[Any, ...]]) -> None:
        """One flush, in the writer thread: the fetch log, each source's stores in their order (one
        transaction per source), then the 304 touches and the gone marks. Within one run a URL is
        visited once, so regrouping the flush cannot reorder two writes about the same URL."""
        archive, run_id = self.archive, self.stats.run_id
        archive.log_fetches(rows)
        outcomes: Counter[str] = Counter()
        failed: list[str] = []
        by_source: dict[int, list[tuple[Any, ...]]] = {}
        for op in ops:
            if op[0] == "store":
                by_source.setdefault(id(op[1]), []).append(op)
        for group in by_source.values():
            self._store(group, outcomes, failed)
        archive.touch_many(run_id, [op[1] for op in ops if op[0] == "touch"])
        for op in ops:
            if op[0] == "gone":
                archive.mark_gone(run_id, op[1])
        # handed over, not returned: a flush that outlives a cancelled crawl is still counted
        self.done.append((outcomes, failed))

    def _store(self, group: list[tuple[Any, ...]], outcomes: Counter[str], failed: list[str]) -> None:
        source: Source = group[0][1]
        items = [(op[2], op[3], op[4], op[5]) for op in group]
        try:
            outcomes.update(self.archive.store_features(self.stats.run_id, source.name, items,
                                                        source.near_duplicate_threshold, self.parser_version))
            return
        except Exception:  # noqa: BLE001 - one bad page must not cost its batch: retry one by one
            if len(items) == 1:
                log.exception("cannot store %s", items[0][1].final_url)
                failed.append(items[0][1].final_url)
                return
        for item in items:
            try:
                outcomes.update(self.archive.store_features(self.stats.run_id, source.name, [item],
                                                            source.near_duplicate_threshold,
                                                            self.parser_version))
            except Exception:
                log.exception("cannot store %s", item[1].final_url)
                failed.append(item[1].final_url)
