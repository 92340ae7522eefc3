"""The orchestration of a crawl run (fetch → capture → parse → dedup → store → publish) and of reparse."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import dataclasses
import gc
import hashlib
import logging
import sys
from pathlib import Path
from typing import TextIO

from . import __version__, capture, report, store
from .config import Config, Source
from .crawl_sink import Parser, Sink
from .fetch import Fetcher
from .frontier import Frontier
from .models import Fetched, RunStats
from .parse import parse
from .progress import Progress
from .urls import canonicalize, in_scope

log = logging.getLogger(__name__)


def _parser_version() -> str:
    """The package version plus a digest of the parsers' code and word lists: reparse records it, so an
    analyst can tell which records an improved parser has already seen."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted([*(root / "parse").glob("*.py"), *(root / "data").glob("*")]):
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return f"{__version__}+{h.hexdigest()[:10]}"


PARSER_VERSION = _parser_version()

# Answers that say "this page is not (or no longer) there": recorded, but not a failure of the run.
GONE_STATUSES = frozenset({404, 410})
HTML_TYPES = ("text/html", "application/xhtml+xml")
INCOMPLETE_RUNS = frozenset({"running", "aborted", "interrupted"})


def run(cfg: Config, archive_dir: Path, sources: list[str] | None = None, progress: str = "auto",
        out: TextIO | None = None) -> int:
    """One scheduled crawl run over the selected sources; returns the exit code of CONTRACT.md."""
    out = out or sys.stdout
    selected = cfg.select(sources)
    with store.open_writer(archive_dir) as archive:
        previous_status, previous_failures = archive.previous_crawl()
        run_id = archive.begin_run([s.name for s in selected])
        stats = RunStats(run_id=run_id)
        writer = capture.WarcWriter(archive_dir / "warc", prefix=f"run-{run_id:05d}")
        writer.remember(archive.latest_payloads())  # unchanged bodies become revisits of those
        bar = Progress(mode=progress)
        sink = Sink(archive, stats, PARSER_VERSION)
        parser = Parser()
        try:
            # every source at once in one event loop; the archive writes are serialised by the sink
            # A run killed or interrupted never reached part of the site, and its frontier is lost: this
            # run asks for everything in full (identical pages stay unchanged) so their links are seen.
            resume = previous_status in INCOMPLETE_RUNS
            if resume:
                log.warning("the previous crawl did not finish (%s): fetching every page in full",
                            previous_status)
            asyncio.run(_crawl_all(cfg.user_agent, selected, archive, writer, stats, bar, sink, parser,
                                   conditional=not resume, retry=previous_failures))
            stats.status = "failed_pages" if stats.pages_failed else "ok"
        except KeyboardInterrupt:
            stats.status = "interrupted"
            raise
        finally:
            parser.close()
            sink.close()  # waits for a running flush, then writes what is queued (all of it WARC'd)
            bar.close()
            writer.close()
            archive.finish_run(run_id, stats)
            _release_memory()  # the crawl's freed heap goes back before the index build needs memory
            archive.publish()
        paths = report.write_run_report(archive.con, run_id, archive_dir / "reports")
    _print_summary(stats, out, paths)
    return 1 if stats.pages_failed else 0


def _release_memory() -> None:
    gc.collect()
    with contextlib.suppress(ImportError):
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc keeps freed arenas otherwise


class _Crawl:
    """The state of one source's crawl: the frontier, the workers' bookkeeping and the counters."""

    def __init__(self, source: Source, fetcher: Fetcher, sink: Sink, parser: Parser,
                 writer: capture.WarcWriter, stats: RunStats, bar: Progress,
                 validators: dict[str, tuple[str | None, str | None]]) -> None:
        self.source, self.fetcher, self.sink, self.parser, self.writer = source, fetcher, sink, parser, writer
        self.stats, self.bar, self.validators = stats, bar, validators
        self.frontier = Frontier(source)
        self.known: set[str] = set()
        self.in_flight = 0
        self.wake = asyncio.Event()
        # links whose answer from the frontier can no longer change (queued once, off scope, not
        # http, already seen): every page repeats its site's navigation, so most links are these
        self.settled: set[str] = set()

    def seed(self, archive: store.Archive, retry: list[str]) -> None:
        for url in self.source.start_urls:
            self.frontier.add(url, 0)
        # what failed last time is asked again even if nothing fetched in full links to it now
        for url in retry:
            if in_scope(url, self.source):
                self.frontier.add(url, 1)
        # Known articles are revisited every run: that is how edits and removals are noticed
        # even when no listing links to the page any more.
        self.known = set(archive.known_urls(self.source.name))
        for url in sorted(self.known):
            self.frontier.add(url, 0)
        self.bar.add_total(len(self.frontier))

    async def seed_sitemaps(self, limit: int = 20) -> None:
        """Pages that only a sitemap lists (robots.txt `Sitemap:` lines) are queued too."""
        todo = []
        for url in self.source.start_urls:
            todo += [u for u in await self.fetcher.sitemaps(url) if u not in todo]
        done = 0
        while todo and done < limit:
            url = todo.pop(0)
            done += 1
            fetched = await self.fetcher.fetch(url)
            self.sink.log_fetch(fetched, self.writer.write(fetched))
            if fetched.ok:
                added, nested = self.frontier.add_sitemap(fetched.body)
                self.bar.add_total(added)
                todo += nested

    async def worker(self) -> None:
        while True:
            item = self.frontier.pop()
            if item is None:
                if self.in_flight == 0:
                    self.wake.set()  # nothing queued, nothing running: every worker may stop
                    return
                self.wake.clear()
                await self.wake.wait()
                continue
            self.in_flight += 1
            try:
                await self.visit(*item)
            except Exception:  # one page must never end the run
                log.exception("unexpected error on %s", item[0])
                self.stats.pages_failed += 1
                self.stats.failed_urls.append(item[0])
            finally:
                self.in_flight -= 1
                self.bar.advance(item[0])
                self.wake.set()

    async def visit(self, url: str, depth: int) -> None:
        canonical = canonicalize(url, self.source)
        # read before the run: only stored captures give validators (none of this run's are needed,
        # the frontier never hands out a URL twice)
        validators = self.validators.get(canonical) or (None, None)
        fetched = await self.fetcher.fetch(url, etag=validators[0], last_modified=validators[1])
        ref = self.writer.write(fetched)  # None when no final answer came (hops are still written)
        self.sink.log_fetch(fetched, ref)
        if fetched.error == "robots":
            self.stats.skipped_robots += 1
            return
        if fetched.error == "off_scope":
            self.stats.off_scope += 1
            return
        self.stats.pages_fetched += 1
        if fetched.not_modified:
            self.sink.touch(canonical)
            self.stats.pages_unchanged += 1
            return
        if fetched.error is None and fetched.status in GONE_STATUSES:
            if canonical in self.known:
                self.sink.mark_gone(canonical)
                self.stats.pages_gone += 1
            return
        if not fetched.ok:
            self.stats.pages_failed += 1
            self.stats.failed_urls.append(f"{url} ({fetched.error or fetched.status})")
            return
        await self.handle_page(fetched, depth, ref)

    def follow(self, links: list[str], depth: int) -> int:
        """Offer a page's links to the frontier; returns how many were queued."""
        fr, settled, added = self.frontier, self.settled, 0
        for link in links:
            if link in settled:
                continue
            before = fr.off_scope + fr.ignored + fr.duplicates
            if fr.add(link, depth):
                added += 1
                settled.add(link)
            elif fr.off_scope + fr.ignored + fr.duplicates != before:
                settled.add(link)  # not too deep or over a limit: those could change with depth
        return added

    async def handle_page(self, fetched: Fetched, depth: int, ref: capture.WarcRef | None) -> None:
        ctype = fetched.headers.get("content-type", "text/html").lower()
        if not any(t in ctype for t in HTML_TYPES):
            return
        record, feats = await self.parser.parse(fetched, self.source)
        self.bar.add_total(self.follow(record.links, depth + 1))
        if record.kind == "listing":
            return
        # the body is in the WARC file already; the store needs only the request's metadata
        await self.sink.store(self.source, record, dataclasses.replace(fetched, body=b""), ref, feats)


async def _crawl_all(user_agent: str, selected: list[Source], archive: store.Archive,
                     writer: capture.WarcWriter, stats: RunStats, bar: Progress, sink: Sink,
                     parser: Parser, conditional: bool = True, retry: list[str] | None = None) -> None:
    # read before the sink starts writing from its thread
    validators = archive.all_validators() if conditional else {}
    async with contextlib.AsyncExitStack() as stack:
        crawls = []
        for source in selected:
            fetcher = Fetcher(source, user_agent, backoff=source.retry_backoff)
            await stack.enter_async_context(fetcher)
            crawl = _Crawl(source, fetcher, sink, parser, writer, stats, bar, validators)
            crawl.seed(archive, retry or [])
            crawls.append(crawl)
        sink.start()

        async def crawl_then_finish() -> None:
            try:
                await asyncio.gather(*(_crawl_source(c) for c in crawls))
            finally:
                sink.finish()  # the writer's last flush; after a cancellation run()'s sink.close() does it

        # a failing writer ends the run at once instead of leaving the crawlers waiting for it
        await asyncio.gather(crawl_then_finish(), sink.run())
    for crawl in crawls:
        # visit() counted robots refusals and off-scope redirects; links never queued are the frontier's
        stats.off_scope += crawl.frontier.off_scope


async def _crawl_source(crawl: _Crawl) -> None:
    await crawl.seed_sitemaps()
    hosts = max(1, len(crawl.source.allowed_hosts))
    workers = max(1, min(64, crawl.source.concurrency * hosts))
    await asyncio.gather(*(crawl.worker() for _ in range(workers)))


def _print_summary(stats: RunStats, out: TextIO, report_paths: tuple[Path, Path] | None) -> None:
    print(f"Run {stats.run_id} finished: {stats.status}", file=out)
    rows = [("fetched", stats.pages_fetched), ("new", stats.pages_new), ("changed", stats.pages_changed),
            ("unchanged", stats.pages_unchanged), ("gone", stats.pages_gone), ("failed", stats.pages_failed),
            ("skipped by robots.txt", stats.skipped_robots), ("off-scope links", stats.off_scope)]
    for name, n in rows:
        print(f"  {name:<22} {n:>6}", file=out)
    for url in stats.failed_urls[:20]:
        print(f"  failed: {url}", file=out)
    if len(stats.failed_urls) > 20:
        print(f"  … and {len(stats.failed_urls) - 20} more failed pages (see fetch_log)", file=out)
    if report_paths:
        print(f"  report: {report_paths[0]}", file=out)


def reparse(cfg: Config, archive_dir: Path, out: TextIO | None = None) -> int:
    """Re-run the current parsers over every stored capture and update the archive, without the network."""
    out = out or sys.stdout
    sources = {s.name: s for s in cfg.sources}
    updated = unchanged = 0
    with store.open_writer(archive_dir) as archive:
        run_id = archive.begin_run(["reparse"])
        for cap in archive.captures():
            fetched = capture.read_at(archive_dir / "warc" / cap.warc_file, cap.warc_offset)
            record = parse(fetched.body, fetched.final_url, fetched.headers, sources.get(cap.source))
            if archive.restore(cap, record, parser_version=PARSER_VERSION) == "unchanged":
                unchanged += 1
            else:
                updated += 1
        stats = RunStats(run_id=run_id, pages_changed=updated, pages_unchanged=unchanged, status="reparse")
        archive.finish_run(run_id, stats)
        archive.publish()
    print(f"Reparsed {updated + unchanged} captures: {updated} updated, {unchanged} unchanged", file=out)
    return 0
