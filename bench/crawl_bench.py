"""Crawl benchmark (not a test): partner-archive vs Scrapy on a generated site over 4 loopback hosts.

    .venv/bin/python bench/crawl_bench.py               # 5,000 pages, 20 ms latency, concurrency 8
    .venv/bin/python bench/crawl_bench.py --pages 400   # a quick smoke run

Serves `--pages` generated HTML pages (gzip, ETag/304) from 127.0.0.1–127.0.0.4 (one FaultServer
each, `--latency` seconds per answer) and crawls them, each crawler in its own subprocess:

- `partner-archive crawl --config X --archive Y` (the whole pipeline: fetch, WARC, parse, store),
  then once more over the same archive (the unchanged re-crawl);
- `direct`: Fetcher + Frontier only, the four hosts in parallel (the fetch layer's own ceiling),
  then a re-crawl sending the first crawl's ETags;
- Scrapy (`scrapy runspider`) with the same per-host limits and robots.txt obeyed.

Prints pages/s, peak RSS (psutil, the process tree), and the bytes the servers sent for an unchanged
re-crawl as a share of the first crawl (goal < 5 %). Every host is loopback; nothing else is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

HOSTS = 4
UA = "partner-archive-bench/0.1 (benchmark on loopback; archiv@example.org)"
WORDS = ["Städtepartnerschaft", "Krefeld", "Venlo", "Leicester", "Dünkirchen", "Leiden", "Charlotte",
         "Kayseri",
         "Rathaus", "Besuch", "Oberbürgermeister", "Delegation", "Austausch", "Jugend", "Kultur", "Festival",
         "Konzert", "Freundschaft", "Europa"]
# A vocabulary large enough that article text compresses like prose (~3:1), not like a repeated phrase
VOCAB = WORDS + [f"{a}{b}{c}" for a in ("ver", "be", "ge", "an", "aus", "mit", "zu", "über")
                 for b in ("stand", "bind", "such", "treff", "schaft", "feier", "reis", "sprech", "halt")
                 for c in ("en", "ung", "ungen", "t", "te", "lich", "er", "e")]
NAV = "".join(f'<li><a href="/de/bereich/{i}/">Bereich {i} der Stadtverwaltung</a></li>' for i in range(150))


def slug(k: int) -> str:
    letters = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        letters = chr(97 + r) + letters
    return f"seite-{letters}"  # no all-digit segment: not mistaken for a calendar


class GeneratedSite:
    """`per_host` pages on each host; page k links its tree children, k+1, a random jump and the same
    page on the next host (off scope for a one-host source)."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self.ports: list[int] = [0] * HOSTS
        self.index = {f"/de/inhalt/{slug(k)}/": k for k in range(per_host)}

    def base(self, h: int) -> str:
        return f"http://127.0.0.{h + 1}:{self.ports[h]}"

    @cache  # noqa: B019 - one site per run, bodies reused by every crawl
    def body(self, h: int, k: int) -> bytes:
        n = self.per_host
        same = [c for c in (2 * k + 1, 2 * k + 2, k + 1, (k * 37 + 11) % n) if c < n]
        links = [f"{self.base(h)}/de/inhalt/{slug(c)}/" for c in same]
        links.append(f"{self.base((h + 1) % HOSTS)}/de/inhalt/{slug(k)}/")
        rnd = random.Random(h * 1_000_003 + k)
        text = " ".join(rnd.choice(VOCAB) for _ in range(1500))  # ~13 KB of article text
        paras = "".join(f"<p>{text[i:i + 400]}</p>" for i in range(0, len(text), 400))
        nav = "".join(f'<li><a href="{u}">Weiter {i}</a></li>' for i, u in enumerate(links))
        # ~20 KB of site chrome shared by every page (navigation), as on a city's CMS
        return (f"<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Seite {h}-{k}</title>"
                f"</head><body><header><ul class=\"menu\">{NAV}</ul></header><main><h1>Seite {h}-{k}</h1>"
                f"<p>Veröffentlicht am: 15.11.2024</p>{paras}</main><nav><ul>{nav}</ul></nav></body></html>"
                ).encode()

    @cache  # noqa: B019
    def gzipped(self, h: int, k: int) -> bytes:
        return gzip.compress(self.body(h, k), compresslevel=6)

    def handler(self, h: int) -> Any:
        def site(path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes] | None:
            k = self.index.get(path.split("?", 1)[0])
            if k is None:
                return None
            etag = f'"{h}-{k}-v1"'
            if headers.get("if-none-match") == etag:
                return 304, {"ETag": etag}, b""
            if "gzip" in headers.get("accept-encoding", ""):
                return 200, {"ETag": etag, "Content-Encoding": "gzip", "Vary": "Accept-Encoding",
                             "Content-Type": "text/html; charset=utf-8"}, self.gzipped(h, k)
            return 200, {"ETag": etag, "Content-Type": "text/html; charset=utf-8"}, self.body(h, k)
        return site


# -- measuring a subprocess ------------------------------------------------------------------------------

def run_measured(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS of the process tree in bytes, stdout)."""
    import psutil

    # output goes to files, not pipes: a chatty child must never block on a full pipe while we poll
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, cwd=cwd)
        ps = psutil.Process(proc.pid)
        peak = 0
        trace: list[str] = []  # BENCH_TRACE=1: the RSS of each process of the tree every second
        next_trace = 0.0
        while proc.poll() is None:
            try:
                kids = [c.memory_info().rss for c in ps.children(recursive=True)]
                own = ps.memory_info().rss
                peak = max(peak, own + sum(kids))
                if time.monotonic() - t0 >= next_trace:
                    next_trace += 1.0
                    trace.append(f"{time.monotonic() - t0:5.1f}s {own >> 20} MB + children "
                                 f"{[k >> 20 for k in kids]} MB")
            except psutil.Error:
                pass
            time.sleep(0.02)
        wall = time.monotonic() - t0
        if os.environ.get("BENCH_TRACE"):
            print(f"--- RSS of {Path(cmd[0]).name} {cmd[1]}:", *trace, sep="\n  ", file=sys.stderr)
        out.seek(0)
        err.seek(0)
        errors = err.read()
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{cmd[:4]} failed with {proc.returncode}:\n{errors[-3000:]}")
        if os.environ.get("BENCH_STDERR"):
            print(f"--- stderr ({len(errors)} chars):\n{errors[:2000]}", file=sys.stderr)
        return wall, peak, out.read()


# -- the crawlers --------------------------------------------------------------------------------------

def sources_yaml(site: GeneratedSite, concurrency: int, max_pages: int) -> str:
    """One source per host: a source's allowed hosts are aliases of one site in partner-archive."""
    out = [f'user_agent: "{UA}"', "sources:"]
    for h in range(HOSTS):
        netloc = f"127.0.0.{h + 1}:{site.ports[h]}"
        out += [f"  - name: host{h + 1}", f"    start_urls: ['http://{netloc}/de/inhalt/{slug(0)}/']",
                f"    allowed_hosts: ['{netloc}']", "    include: ['^/de/inhalt/']",
                "    rate: 1000", f"    concurrency: {concurrency}", f"    max_pages: {max_pages}",
                "    max_depth: 60", "    timeout: 10", "    retries: 2"]
    return "\n".join(out) + "\n"


def direct_worker(plan_path: str) -> None:
    """Subprocess body of the `direct` crawler: Fetcher + Frontier for every host at once."""
    from pipeline.config import Source
    from pipeline.fetch import Fetcher
    from pipeline.frontier import Frontier
    from pipeline.urls import resolve

    plan = json.loads(Path(plan_path).read_text())
    etags: dict[str, str] = plan.get("etags", {})

    async def crawl(src: Source) -> tuple[int, dict[str, str]]:
        frontier = Frontier(src)
        for u in src.start_urls + [u for u in etags if u.startswith(src.start_urls[0].split("/de/")[0])]:
            frontier.add(u, 0)
        seen_etags: dict[str, str] = {}
        state = {"in_flight": 0, "pages": 0}
        async with Fetcher(src, UA) as fetcher:
            async def worker() -> None:
                while True:
                    item = frontier.pop()
                    if item is None:
                        if state["in_flight"] == 0:
                            return
                        await asyncio.sleep(0.002)
                        continue
                    state["in_flight"] += 1
                    try:
                        got = await fetcher.fetch(item[0], etag=etags.get(item[0]))
                        state["pages"] += got.status is not None
                        if "etag" in got.headers:
                            seen_etags[item[0]] = got.headers["etag"]
                        for href in re.findall(rb'href="([^"]+)"', got.body):
                            link = resolve(got.final_url, href.decode())
                            if link:
                                frontier.add(link, item[1] + 1)
                    finally:
                        state["in_flight"] -= 1
            await asyncio.gather(*(worker() for _ in range(src.concurrency)))
        return state["pages"], seen_etags

    async def main() -> dict[str, Any]:
        sources = [Source(**s) for s in plan["sources"]]
        results = await asyncio.gather(*(crawl(s) for s in sources))
        merged: dict[str, str] = {}
        for _, e in results:
            merged.update(e)
        return {"pages": sum(p for p, _ in results), "etags": merged}

    print(json.dumps(asyncio.run(main())))


SPIDER = textwrap.dedent('''
    import json
    import scrapy

    class BenchSpider(scrapy.Spider):
        name = "bench"

        def __init__(self, starts="", hosts="", **kw):
            super().__init__(**kw)
            self.start_urls = starts.split(",")
            self.allowed_domains = hosts.split(",")
            self.pages = 0

        def parse(self, response):
            self.pages += 1
            for href in response.css("a::attr(href)").getall():
                yield response.follow(href, self.parse)

        def closed(self, reason):
            print(json.dumps({"pages": self.pages, "reason": reason}))
''')


def scrapy_cmd(site: GeneratedSite, concurrency: int, spider: Path) -> list[str]:
    starts = ",".join(f"{site.base(h)}/de/inhalt/{slug(0)}/" for h in range(HOSTS))
    hosts = ",".join(f"127.0.0.{h + 1}" for h in range(HOSTS))
    settings = {"ROBOTSTXT_OBEY": "True", "CONCURRENT_REQUESTS": str(concurrency * HOSTS),
                "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency), "DOWNLOAD_DELAY": "0.001",
                "DEPTH_LIMIT": "60", "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": "False",
                "COOKIES_ENABLED": "False", "RETRY_TIMES": "2", "DOWNLOAD_TIMEOUT": "10", "USER_AGENT": UA,
                "AUTOTHROTTLE_ENABLED": "False", "RANDOMIZE_DOWNLOAD_DELAY": "False"}
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"starts={starts}",
           "-a", f"hosts={hosts}"]
    for k, v in settings.items():
        cmd += ["-s", f"{k}={v}"]
    return cmd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--pages", type=int, default=5000, help="pages in the site, over all hosts")
    ap.add_argument("--latency", type=float, default=0.02, help="server latency per answer, seconds")
    ap.add_argument("--concurrency", type=int, default=8, help="requests in flight per host")
    ap.add_argument("--skip", action="append", default=[], choices=["cli", "direct", "scrapy"])
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        direct_worker(args.worker)
        return

    from faultserver import FaultServer

    site = GeneratedSite(args.pages // HOSTS)
    servers = [FaultServer(host=f"127.0.0.{h + 1}", latency=args.latency, site=site.handler(h),
                           robots="User-agent: *\nDisallow: /intern/\n") for h in range(HOSTS)]
    for s in servers:
        s.__enter__()
    site.ports = [s.port for s in servers]
    total = site.per_host * HOSTS
    for h in range(HOSTS):  # render every page up front: the crawlers, not the generator, are measured
        for k in range(site.per_host):
            site.gzipped(h, k)

    def sent() -> int:
        return sum(s.bytes_sent() for s in servers)

    rows: list[tuple[str, int, float, int, str]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp_name:
            tmp = Path(tmp_name)
            raw = sum(len(site.body(h, k)) for h in range(HOSTS) for k in range(0, site.per_host, 50))
            packed = sum(len(site.gzipped(h, k)) for h in range(HOSTS) for k in range(0, site.per_host, 50))
            n = len(range(0, site.per_host, 50)) * HOSTS
            print(f"site: {total} pages on {HOSTS} loopback hosts, latency {args.latency * 1000:.0f} ms, "
                  f"concurrency {args.concurrency}/host; a page is ~{raw / n / 1024:.0f} KB "
                  f"(~{packed / n / 1024:.1f} KB gzip'd)", flush=True)
            if "cli" not in args.skip:
                cfg = tmp / "sources.yaml"
                cfg.write_text(sources_yaml(site, args.concurrency, total + 10), encoding="utf-8")
                cmd = [str(Path(sys.executable).parent / "partner-archive"), "crawl", "--config", str(cfg),
                       "--archive", str(tmp / "archive"), "--progress", "log"]
                b0 = sent()
                wall, rss, out = run_measured(cmd, cwd=tmp)
                first = sent() - b0
                pages = sum(int(m) for m in re.findall(r"fetched\s+(\d+)", out))
                rows.append(("partner-archive crawl", pages, wall, rss, ""))
                b0 = sent()
                wall2, rss2, out2 = run_measured(cmd, cwd=tmp)
                again = sent() - b0
                pages2 = sum(int(m) for m in re.findall(r"fetched\s+(\d+)", out2))
                rows.append(("  re-crawl, unchanged", pages2, wall2, rss2,
                             f"bytes {again:,} = {100 * again / max(1, first):.2f} % of {first:,}"))
            if "direct" not in args.skip:
                srcs = [{"name": f"h{h}", "start_urls": [f"{site.base(h)}/de/inhalt/{slug(0)}/"],
                         "allowed_hosts": [f"127.0.0.{h + 1}:{site.ports[h]}"], "include": ["^/de/inhalt/"],
                         "rate": 1000.0, "concurrency": args.concurrency, "max_pages": total + 10,
                         "max_depth": 60, "timeout": 10.0, "retries": 2} for h in range(HOSTS)]
                plan = tmp / "plan.json"
                plan.write_text(json.dumps({"sources": srcs}))
                cmd = [sys.executable, __file__, "--worker", str(plan)]
                b0 = sent()
                wall, rss, out = run_measured(cmd)
                first = sent() - b0
                result = json.loads(out.strip().splitlines()[-1])
                rows.append(("Fetcher+Frontier (direct)", result["pages"], wall, rss, ""))
                plan.write_text(json.dumps({"sources": srcs, "etags": result["etags"]}))
                b0 = sent()
                wall2, rss2, out2 = run_measured(cmd)
                again = sent() - b0
                result2 = json.loads(out2.strip().splitlines()[-1])
                rows.append(("  re-crawl, unchanged", result2["pages"], wall2, rss2,
                             f"bytes {again:,} = {100 * again / max(1, first):.2f} % of {first:,}"))
            if "scrapy" not in args.skip:
                spider = tmp / "bench_spider.py"
                spider.write_text(SPIDER, encoding="utf-8")
                wall, rss, out = run_measured(scrapy_cmd(site, args.concurrency, spider), cwd=tmp)
                result = json.loads([ln for ln in out.splitlines() if ln.startswith("{")][-1])
                rows.append((f"Scrapy {_scrapy_version()}", result["pages"], wall, rss,
                             "no conditional requests: a re-crawl costs 100 %"))
    finally:
        for s in servers:
            s.__exit__(None, None, None)

    print(f"\n{'crawler':<28} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'peak RSS':>9}  notes")
    for name, pages, wall, rss, note in rows:
        print(f"{name:<28} {pages:>6} {wall:>8.1f} {pages / wall:>8.1f} {rss / 2**20:>7.0f} MB  {note}")
    print("\npartner-archive crawls its four one-host sources at once, like direct and Scrapy; its time "
          "includes\nWARC capture, parsing, storing and publishing (the full-text index takes the run's new "
          "articles then).")


def _scrapy_version() -> str:
    try:
        import scrapy
        return str(scrapy.__version__)
    except ImportError:
        return "?"


if __name__ == "__main__":
    main()
