"""The crawl's batched archive writer: interleaved sources, 304 touches, a bad record in a batch."""

from __future__ import annotations

import asyncio
from pathlib import Path

from test_store import TEXT, fetched_for, make_record

from pipeline import store
from pipeline.config import Source
from pipeline.crawl_sink import Parser, Sink
from pipeline.models import Fetched, RunStats

HOST = "https://www.krefeld.de/de/inhalt/"


def _text(i: int) -> str:
    # different enough that no two records are near duplicates of each other
    return f"{i} " + " ".join(w[::-1] if (k + i) % 3 == 0 else w for k, w in enumerate(TEXT.split()))


def test_interleaved_sources_batched_and_counted(tmp_path: Path) -> None:
    a, b = Source(name="a", start_urls=[HOST]), Source(name="b", start_urls=[HOST])
    with store.open_writer(tmp_path / "arc") as archive:
        stats = RunStats(run_id=archive.begin_run(["a", "b"]))
        sink = Sink(archive, stats, "test", batch=3, every=0.05)

        async def crawl() -> None:
            sink.start()
            writing = asyncio.create_task(sink.run())
            for i in range(8):
                rec = make_record(f"seite-{i}", text=_text(i), title=f"Seite {i}")
                fetched = fetched_for(rec, etag=f'"e{i}"')
                sink.log_fetch(fetched, ("x.warc.gz", i))
                await sink.store(a if i % 2 else b, rec, fetched, ("x.warc.gz", i), None)
            sink.finish()
            await writing

        asyncio.run(crawl())
        sink.close()
        assert (stats.pages_new, stats.pages_failed) == (8, 0)
        con = archive.con
        logged = con.execute("SELECT count(*) FROM fetch_log WHERE run_id = ?", [stats.run_id]).fetchone()
        assert logged[0] == 8
        by_source = dict(con.execute("SELECT source, count(*) FROM articles GROUP BY 1").fetchall())
        assert by_source == {"a": 4, "b": 4}
        offsets = con.execute("SELECT warc_offset FROM articles ORDER BY warc_offset").fetchall()
        assert [r[0] for r in offsets] == list(range(8))
        validators = archive.all_validators()
        assert validators[f"{HOST}seite-3/"] == ('"e3"', None)

        # a later run: a 304 touches the article, a bad record fails alone, its batch is stored
        run2 = archive.begin_run(["a"])
        stats2 = RunStats(run_id=run2)
        sink2 = Sink(archive, stats2, "test")
        sink2.touch(f"{HOST}seite-1/")
        good = make_record("neu", text=_text(20), title="Neu")
        bad = make_record("liste", kind="listing")
        ops_rows = [archive.fetch_row(run2, Fetched(url=good.url, final_url=good.url, status=200))]
        sink2.fetch_rows.extend(ops_rows)
        sink2.ops += [("store", a, bad, fetched_for(bad), None, None),
                      ("store", a, good, fetched_for(good), None, None)]
        sink2.close()
        assert (stats2.pages_new, stats2.pages_failed, stats2.failed_urls) == (1, 1, [bad.url])
        last_run = con.execute("SELECT last_run FROM articles WHERE canonical_url = ?",
                               [f"{HOST}seite-1/"]).fetchone()[0]
        assert last_run == run2


def test_parser_inline_then_in_a_worker_process_gives_the_same_record() -> None:
    source = Source(name="a", start_urls=[HOST])
    body = (f"<html><head><title>Venlo</title></head><body><main><h1>Krefeld und Venlo</h1>"
            f"<p>{TEXT}</p></main></body></html>").encode()
    fetched = Fetched(url=HOST, final_url=HOST, status=200, headers={"content-type": "text/html"}, body=body)
    parser = Parser(workers=1)
    parser.pages = 10_000  # past the in-process start: this page goes to the worker

    async def both() -> tuple[object, object]:
        remote = await parser.parse(fetched, source)
        parser.workers = 0
        return remote, await parser.parse(fetched, source)

    try:
        (rec1, feats1), (rec2, feats2) = asyncio.run(both())  # type: ignore[misc]
    finally:
        parser.close()
    assert rec1 == rec2 and rec1.text
    assert feats1 is not None and feats2 is not None and feats1[:3] == feats2[:3]
    assert list(feats1[4]) == list(feats2[4])
