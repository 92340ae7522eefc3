"""The frontier: de-duplication on canonical URLs, bounds, scope records and crawler-trap guards."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from faultserver import FaultServer

from pipeline.config import Source
from pipeline.fetch import Fetcher
from pipeline.frontier import Frontier, sitemap_locs
from pipeline.urls import resolve

LISTING = "https://www.krefeld.de/de/presse/pressemitteilungen/"


def krefeld(**kw: Any) -> Source:
    settings: dict[str, Any] = dict(
        name="krefeld", start_urls=[LISTING],
        allowed_hosts=["www.krefeld.de", "krefeld.de", "kaoa-krefeld.de"], canonical_host="www.krefeld.de",
        include=[r"^/de/(oberbuergermeister|presse|inhalt)/"],
        exclude=[r"\.pdf$"])
    settings.update(kw)
    return Source(**settings)


def drain(f: Frontier) -> list[tuple[str, int]]:
    out = []
    while (item := f.pop()) is not None:
        out.append(item)
    return out


def test_breadth_first_and_deduplicated_on_canonical_urls() -> None:
    f = Frontier(krefeld())
    assert f.add(LISTING, 0)
    assert f.add("https://www.krefeld.de/de/inhalt/a/", 1)
    assert not f.add("http://krefeld.de/de/inhalt/a", 1)
    assert not f.add("https://kaoa-krefeld.de/de/inhalt/a/&c92=2147483647#x", 2)
    assert f.add("https://www.krefeld.de/de/inhalt/b/", 1)
    assert f.duplicates == 2 and len(f) == 3
    assert drain(f) == [(LISTING, 0), ("https://www.krefeld.de/de/inhalt/a/", 1),
                        ("https://www.krefeld.de/de/inhalt/b/", 1)]
    assert f.pop() is None


def test_off_scope_links_are_counted_and_sampled_but_not_queued() -> None:
    f = Frontier(krefeld(), sample_size=2)
    for url in ["https://www.duesseldorf.de/de/inhalt/x/", "http://127.0.0.2/secret",
                "https://www.krefeld.de/en/tourism/", "https://www.krefeld.de/de/inhalt/plan.pdf"]:
        assert not f.add(url, 1)
    assert not f.add("mailto:presse@krefeld.de", 1) and f.ignored == 1
    assert not f.add("https://www.duesseldorf.de/de/inhalt/x/#again", 2)  # counted once per URL
    assert f.off_scope == 4 and f.off_scope_sample == ["https://www.duesseldorf.de/de/inhalt/x/",
                                                       "http://127.0.0.2/secret"]
    assert len(f) == 0


def test_start_urls_need_an_allowed_host_but_not_an_include_rule() -> None:
    f = Frontier(krefeld())
    assert f.add("https://www.krefeld.de/de/startseite/", 0)
    assert not f.add("https://www.krefeld.de/de/startseite/other/", 1)
    assert not f.add("https://elsewhere.example/de/inhalt/x/", 0)


def test_depth_and_page_bounds() -> None:
    f = Frontier(krefeld(max_depth=2, max_pages=3))
    assert not f.add("https://www.krefeld.de/de/inhalt/deep/", 3) and f.too_deep == 1
    assert f.add("https://www.krefeld.de/de/inhalt/deep/", 2)  # found again nearer: now it counts
    assert f.add("https://www.krefeld.de/de/inhalt/b/", 1)
    assert f.add("https://www.krefeld.de/de/inhalt/c/", 1)
    assert not f.add("https://www.krefeld.de/de/inhalt/d/", 1) and f.over_limit == 1
    assert f.accepted == 3


def test_two_paged_lists_are_walked_linearly_not_as_a_cross_product() -> None:
    f = Frontier(krefeld())
    f.add(LISTING, 0)
    # every listing page links the next page of each list, carrying the other list's state along
    for a in range(1, 60, 5):
        for b in range(1, 60, 5):
            f.add(f"{LISTING}&s91={a}&s93={b}", 1)
    urls = [u for u, _ in drain(f)]
    assert len(urls) == 1 + 11 + 11  # the first page, then 11 more pages of each list
    assert f"{LISTING}&s91=11" in urls and f"{LISTING}&s93=326" not in urls
    assert not any("s91" in u and "s93" in u for u in urls)
    assert f.add(f"{LISTING}&s93=326&s91=11", 1)  # the new half of a pair is still queued
    assert drain(f) == [(f"{LISTING}&s93=326", 1)]


def test_a_long_list_does_not_use_up_the_depth_and_is_capped() -> None:
    f = Frontier(krefeld(max_depth=3), max_list_pages=40)
    f.add(LISTING, 0)
    # page n of the list links page n+1, one hop further each time
    for depth, offset in enumerate(range(6, 500, 5), start=1):
        f.add(f"{LISTING}&s93={offset}&s91=1", depth)
    listing = [(u, d) for u, d in drain(f) if "s93" in u]
    assert len(listing) == 40 and {d for _, d in listing} == {1}
    assert f.trapped == 99 - 40
    assert f.add("https://www.krefeld.de/de/inhalt/from-page-40/", 2)  # an article on a deep list page


def test_list_state_on_articles_does_not_make_new_urls() -> None:
    f = Frontier(krefeld())
    assert f.add("https://www.krefeld.de/de/inhalt/a/&c92=2147483647&s94=6", 1)
    assert not f.add("https://www.krefeld.de/de/inhalt/a/&s94=11", 1)
    assert drain(f) == [("https://www.krefeld.de/de/inhalt/a/", 1)]


def test_trap_guards() -> None:
    f = Frontier(krefeld(include=[]), max_query_variants=3, max_numeric_variants=5, max_url_length=200)
    assert not f.add("https://www.krefeld.de/de/" + "x" * 300 + "/", 1)
    assert not f.add("https://www.krefeld.de/de/a/b/a/b/a/b/a/b/", 1)
    assert f.add("https://www.krefeld.de/de/a/b/a/b/", 1)
    assert [f.add(f"https://www.krefeld.de/suche/?q={i}", 1) for i in range(5)] == [True] * 3 + [False] * 2
    months = [f"https://www.krefeld.de/kalender/{2024 + m // 12}/{m % 12 + 1:02d}/" for m in range(20)]
    assert sum(f.add(u, 1) for u in months) == 5
    assert f.trapped == 2 + 2 + 15 and len(f.trapped_sample) > 0
    # paths with words in them are not a calendar
    assert all(f.add(f"https://www.krefeld.de/de/inhalt/venlo-{i}-jahre/", 1) for i in range(20))


def _crawl(srv: FaultServer, start: str, **kw: Any) -> tuple[Frontier, list[str]]:
    """A minimal crawl loop (the real one is pipeline/crawl.py): fetch, extract hrefs, add to the frontier."""
    src = Source(name="t", start_urls=[srv.url(start)], allowed_hosts=[srv.netloc], rate=1000.0,
                 concurrency=4, timeout=2, **kw)
    frontier = Frontier(src, max_numeric_variants=12)
    frontier.add(srv.url(start), 0)

    async def go() -> list[str]:
        fetched = []
        async with Fetcher(src, "partner-archive-test/1.0", backoff=0.01) as f:
            while (item := frontier.pop()) is not None:
                url, depth = item
                page = await f.fetch(url)
                fetched.append(url)
                for href in re.findall(rb'href="([^"]+)"', page.body):
                    link = resolve(page.final_url, href.decode())
                    if link:
                        frontier.add(link, depth + 1)
        return fetched

    return frontier, asyncio.run(go())


def test_an_endless_calendar_is_bounded(fault_server: FaultServer) -> None:
    frontier, fetched = _crawl(fault_server, "/kalender/2024/05/", max_depth=1000)
    assert len(fetched) == 12  # the numeric-variant cap, not the depth, stopped it
    assert frontier.trapped >= 1
    assert sum(p.startswith("/kalender/") for p in fault_server.paths()) == 12


def test_links_page_crawl_stays_in_scope(fault_server: FaultServer, trap_server: FaultServer) -> None:
    frontier, fetched = _crawl(fault_server, "/links", max_depth=1)
    assert frontier.off_scope == 1 and frontier.off_scope_sample == [trap_server.url("/secret")]
    assert trap_server.log == []
    assert "/private/secret" not in fault_server.paths()  # robots.txt disallows it
    assert {"/page/1/", "/page/2/", "/kalender/2024/05/"} <= set(fault_server.paths())


SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.krefeld.de/de/inhalt/a/</loc><lastmod>2024-11-15</lastmod></url>
  <url><loc> https://www.krefeld.de/de/suche/?q=a&amp;b=1 </loc></url>
  <url><loc>https://www.krefeld.de/de/stadtmarketing/staedtepartnerschaften/</loc></url>
  <url><loc>https://elsewhere.example/de/inhalt/x/</loc></url>
</urlset>"""


def test_sitemaps_feed_the_frontier_under_the_usual_rules() -> None:
    import gzip
    assert sitemap_locs(SITEMAP)[1] == "https://www.krefeld.de/de/suche/?q=a&b=1"
    assert sitemap_locs(gzip.compress(SITEMAP)) == sitemap_locs(SITEMAP)
    assert sitemap_locs(b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><loc>&a;</loc>") == ["&a;"]  # no entity expansion
    f = Frontier(krefeld(include=[r"^/de/(inhalt|stadtmarketing)/"]))
    added, nested = f.add_sitemap(SITEMAP)
    assert added == 2 and nested == [] and f.off_scope == 2
    index = b"<sitemapindex><sitemap><loc>https://www.krefeld.de/sitemap-2.xml.gz</loc></sitemap></sitemapindex>"
    assert f.add_sitemap(index) == (0, ["https://www.krefeld.de/sitemap-2.xml.gz"])
