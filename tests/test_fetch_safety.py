"""Address refusal with a FAKE resolver and a transport that fails the test if it is ever called.

No test here connects anywhere: the addresses below are only what the fake resolver claims.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from pipeline.config import Source
from pipeline.fetch import Fetcher, retry_after_seconds
from pipeline.fetch.addresses import AddressGuard, is_public
from pipeline.fetch.body import BodyDecoder, TooLarge
from pipeline.fetch.robots import RobotsPolicy, agent_token
from pipeline.models import Fetched

UA = "partner-archive-test/1.0"


def must_not_be_called(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"a request was made to {request.url}")


def fake_resolver(table: dict[str, list[str]]) -> Any:
    asked: list[str] = []

    def resolve(host: str) -> list[str]:
        asked.append(host)
        if host not in table:
            raise OSError(f"no such host {host}")
        return table[host]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


def source(hosts: list[str], **kw: Any) -> Source:
    return Source(name="t", start_urls=[f"http://{hosts[0]}/"], allowed_hosts=hosts, timeout=1, rate=100,
                  **kw)


def run_fetch(src: Source, url: str, handler: Any, resolver: Any) -> tuple[Fetched, dict[str, int]]:
    async def go() -> tuple[Fetched, dict[str, int]]:
        async with Fetcher(src, UA, transport=httpx.MockTransport(handler), resolver=resolver,
                           backoff=0.001) as f:
            return await f.fetch(url), dict(f.stats)
    return asyncio.run(go())


@pytest.mark.parametrize("host,addresses", [
    ("intranet.example", ["10.0.0.5"]),
    ("router.example", ["192.168.1.1"]),
    ("metadata.example", ["169.254.169.254"]),
    ("loop.example", ["127.0.0.1"]),
    ("mixed.example", ["10.0.0.5", "9.9.9.9"]),  # one private address is enough to refuse
    ("v6.example", ["fd00::1"]),
    ("mapped.example", ["::ffff:10.0.0.5"]),
])
def test_a_listed_name_resolving_to_a_non_public_address_is_refused(host: str, addresses: list[str]) -> None:
    resolver = fake_resolver({host: addresses})
    got, stats = run_fetch(source([host]), f"https://{host}/de/inhalt/x/", must_not_be_called, resolver)
    assert got.error == "refused_address" and got.status is None
    assert stats["requests"] == 0 and stats["refused_address"] == 1
    assert resolver.asked == [host]


def test_resolution_is_cached_per_host() -> None:
    resolver = fake_resolver({"intranet.example": ["10.0.0.5"]})

    async def go() -> list[Fetched]:
        transport = httpx.MockTransport(must_not_be_called)
        async with Fetcher(source(["intranet.example"]), UA, transport=transport, resolver=resolver) as f:
            return [await f.fetch(f"https://intranet.example/{i}") for i in range(3)]

    assert [r.error for r in asyncio.run(go())] == ["refused_address"] * 3
    assert resolver.asked == ["intranet.example"]


def test_an_unresolvable_host_is_an_error_not_an_exception() -> None:
    got, _ = run_fetch(source(["nowhere.example"]), "https://nowhere.example/", must_not_be_called,
                       fake_resolver({}))
    assert got.error == "dns"


def test_explicitly_listed_loopback_literal_and_localhost_are_allowed() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(404 if request.url.path == "/robots.txt" else 200, text="ok")

    resolver = fake_resolver({"localhost": ["127.0.0.1", "::1"]})
    src = source(["127.0.0.1:8765", "localhost:8765"])
    got, _ = run_fetch(src, "http://127.0.0.1:8765/page/", handler, resolver)
    assert got.ok
    got, _ = run_fetch(src, "http://localhost:8765/page/", handler, resolver)
    assert got.ok
    assert seen == ["http://127.0.0.1:8765/robots.txt", "http://127.0.0.1:8765/page/",
                    "http://localhost:8765/robots.txt", "http://localhost:8765/page/"]


def test_a_redirect_to_a_listed_name_that_resolves_privately_is_refused() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(302, headers={"Location": "http://intranet.example/admin"})

    resolver = fake_resolver({"intranet.example": ["10.0.0.5"]})
    got, _ = run_fetch(source(["127.0.0.1:8765", "intranet.example"]), "http://127.0.0.1:8765/go",
                       handler, resolver)
    assert got.error == "refused_address" and got.redirects == ["http://intranet.example/admin"]
    assert seen == ["http://127.0.0.1:8765/robots.txt", "http://127.0.0.1:8765/go"]


def test_is_public() -> None:
    assert not any(is_public(a) for a in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1",
                                          "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1",
                                          "fd12::1", "::ffff:192.168.0.1", "224.0.0.1"])
    assert all(is_public(a) for a in ["9.9.9.9", "2620:fe::fe"])


def test_address_guard_literals() -> None:
    guard = AddressGuard(["127.0.0.1:8765", "10.0.0.7"], resolver=fake_resolver({}))
    assert asyncio.run(guard.check("127.0.0.1")) is None
    assert asyncio.run(guard.check("10.0.0.7")) is None
    assert asyncio.run(guard.check("10.0.0.8")) == "refused_address"


def test_retry_after_parsing() -> None:
    from datetime import UTC, datetime
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Mon, 01 Jan 2024 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Mon, 01 Jan 2024 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_robots_policy_rules() -> None:
    assert RobotsPolicy.from_answer(404, b"").allowed("http://x/a", "bot")
    assert not RobotsPolicy.from_answer(503, b"").allowed("http://x/a", "bot")
    assert not RobotsPolicy.from_answer(429, b"").allowed("http://x/a", "bot")
    assert not RobotsPolicy.from_answer(None, b"").allowed("http://x/a", "bot")
    p = RobotsPolicy.from_answer(200, b"User-agent: *\nDisallow: /a\nCrawl-delay: 2\n")
    assert not p.allowed("http://x/a/b", "bot") and p.allowed("http://x/b", "bot")
    assert p.crawl_delay("bot") == 2.0
    assert agent_token("partner-archive/0.1 (contact)") == "partner-archive"


def test_body_decoder_deflate_raw_and_wrapped_and_multi_member_gzip() -> None:
    import gzip
    import zlib
    text = b"Krefeld " * 1000
    for encoded, coding in [(zlib.compress(text), "deflate"),
                            (zlib.compress(text)[2:-4], "deflate"),  # raw deflate, as some servers send
                            (gzip.compress(text[:4000]) + gzip.compress(text[4000:]), "gzip"),
                            (gzip.compress(gzip.compress(text)), "gzip, gzip"),
                            (text, "identity")]:
        d = BodyDecoder(coding, 10_000)
        for i in range(0, len(encoded), 7):
            d.feed(encoded[i:i + 7])
        assert d.body() == text, coding
    d = BodyDecoder("gzip", 100)
    with pytest.raises(TooLarge) as e:
        d.feed(gzip.compress(text))
    assert e.value.args[0] == text[:100]
    unknown = BodyDecoder("zstd", 10_000)
    unknown.feed(b"\x28\xb5\x2f\xfd")
    assert not unknown.decoded and unknown.body() == b"\x28\xb5\x2f\xfd"
