"""The Fetcher: one keep-alive httpx client, scope and address checks, robots.txt, politeness, retries."""

from __future__ import annotations

import asyncio
import logging
import random
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from ..config import Source
from ..models import Fetched
from ..urls import host_allowed, split_host, urljoin, urlsplit
from .addresses import AddressGuard, Resolver
from .body import ACCEPT_ENCODING, BodyDecoder, TooLarge
from .ratelimit import Limiters
from .robots import RobotsCache, RobotsPolicy, agent_token

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class _Failed(Exception):
    """One attempt that failed; `retry` tells whether another attempt may help."""

    def __init__(self, code: str, retry: bool = True, retry_after: float | None = None,
                 answer: _Answer | None = None) -> None:
        super().__init__(code)
        self.code, self.retry, self.retry_after, self.answer = code, retry, retry_after, answer


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""
    request_headers: dict[str, str] = field(default_factory=dict)
    http_version: str = "HTTP/1.1"
    reason: str = ""
    error: str | None = None


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Response headers with lower-case names; repeated headers joined with ', ' (as RFC 9110 allows)."""
    out: dict[str, str] = {}
    for k, v in raw:
        name, value = k.decode("latin-1").lower(), v.decode("latin-1")
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """Polite, scope-safe fetching for one source; use as `async with Fetcher(...) as f: await f.fetch(url)`.

    `backoff` is the base of the exponential retry backoff (full jitter, at most `backoff_max` seconds);
    tests make it small. `fetch` never raises for network faults: `Fetched.error` holds a short code.
    """

    def __init__(self, source: Source, user_agent: str, *, transport: httpx.AsyncBaseTransport | None = None,
                 resolver: Resolver | None = None, backoff: float = 1.0, backoff_max: float = 60.0) -> None:
        self.source, self.user_agent = source, user_agent
        self.agent = agent_token(user_agent)
        self.backoff, self.backoff_max = backoff, backoff_max
        self.stats: dict[str, int] = {"requests": 0, "robots_skipped": 0, "off_scope": 0, "retries": 0,
                                      "bytes": 0, "refused_address": 0}
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._limits = Limiters(source.rate, source.concurrency)
        self._guard = AddressGuard(source.allowed_hosts, resolver)
        self._robots = RobotsCache(self._load_robots)

    async def __aenter__(self) -> Fetcher:
        hosts = max(1, len(self.source.allowed_hosts))
        self._client = httpx.AsyncClient(
            transport=self._transport, follow_redirects=False, trust_env=False,
            timeout=httpx.Timeout(self.source.timeout),
            limits=httpx.Limits(max_connections=self.source.concurrency * hosts + 2,
                                max_keepalive_connections=self.source.concurrency * hosts + 2),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING,
                     "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- the public call ---------------------------------------------------------------------------

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        started = time.monotonic()
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        try:
            fetched = await self._follow(url, conditional)
        except (ValueError, httpx.InvalidURL):  # e.g. `http://[::1` or a port that is not a number
            fetched = Fetched(url=url, final_url=url, status=None, error="bad_url")
        fetched.fetched_at = datetime.now(UTC)
        fetched.elapsed = time.monotonic() - started
        if fetched.error:
            log.info("%s: %s", url, fetched.error)
        return fetched

    async def _follow(self, url: str, conditional: Mapping[str, str]) -> Fetched:
        """Request `url`, following redirects ourselves so that every hop is checked for scope."""
        current, hops, seen = url, [], {url.split("#", 1)[0]}
        answers: list[Fetched] = []  # the 3xx answers followed, kept for the WARC
        for _ in range(self.source.max_redirects + 1):
            refusal = await self._admit(current, robots=True)
            if refusal:
                return Fetched(url=url, final_url=current, status=None, error=refusal, redirects=hops,
                               hops=answers)
            answer = await self._with_retries(current, conditional)
            if answer.status in REDIRECT_STATUSES and answer.headers.get("location"):
                target = urljoin(current, answer.headers["location"].strip()).split("#", 1)[0]
                hops.append(target)
                if urlsplit(target).scheme.lower() not in ("http", "https"):
                    return self._done(url, current, answer, hops, answers, error="bad_redirect")
                if target in seen:
                    return self._done(url, current, answer, hops, answers, error="redirect_loop")
                seen.add(target)
                answers.append(self._done(current, current, answer, [], []))
                answers[-1].fetched_at = datetime.now(UTC)
                current = target
                continue
            return self._done(url, current, answer, hops, answers)
        return Fetched(url=url, final_url=current, status=None, error="too_many_redirects", redirects=hops,
                       hops=answers)

    def _done(self, url: str, final: str, a: _Answer, hops: list[str], answers: list[Fetched],
              error: str | None = None) -> Fetched:
        return Fetched(url=url, final_url=final, status=a.status or None, headers=a.headers, body=a.body,
                       error=error or a.error, not_modified=a.status == 304,
                       request_headers=a.request_headers, http_version=a.http_version, reason=a.reason,
                       redirects=hops, hops=answers)

    async def sitemaps(self, url: str) -> list[str]:
        """The `Sitemap:` URLs of the robots.txt of `url`'s host (fetched once per run, like the rules)."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or await self._admit(url, robots=False):
            return []
        policy = await self._robots.get(f"{parts.scheme.lower()}://{parts.netloc.lower()}")
        return policy.sitemaps

    # -- checks before any request -----------------------------------------------------------------

    async def _admit(self, url: str, robots: bool) -> str | None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.netloc:
            return "scheme"
        if not host_allowed(parts.netloc, self.source.allowed_hosts, scheme):
            self.stats["off_scope"] += 1
            return "off_scope"
        refusal = await self._guard.check(split_host(parts.netloc)[0])
        if refusal:
            self.stats["refused_address"] += refusal == "refused_address"
            return refusal
        if robots:
            policy = await self._robots.get(f"{scheme}://{parts.netloc.lower()}")
            if not policy.allowed(url, self.agent):
                self.stats["robots_skipped"] += 1
                return "robots"
        return None

    async def _load_robots(self, origin: str) -> RobotsPolicy:
        current = origin + "/robots.txt"
        for _ in range(5):  # RFC 9309 2.3.1.2: follow at least five redirects
            if await self._admit(current, robots=False):
                return RobotsPolicy(allow_all=True, reason="robots.txt redirects out of scope: allow all")
            answer = await self._with_retries(current, {})
            if answer.status in REDIRECT_STATUSES and answer.headers.get("location"):
                current = urljoin(current, answer.headers["location"])
                continue
            # no answer, or a broken body, counts as unreachable; a too large one is cut and parsed
            broken = answer.error in ("truncated", "bad_encoding")
            policy = RobotsPolicy.from_answer(None if broken else answer.status or None, answer.body)
            delay = policy.crawl_delay(self.agent)
            if delay:
                self._limits[urlsplit(origin).netloc].slow_down(delay)
            return policy
        return RobotsPolicy(allow_all=True, reason="robots.txt redirects too often: allow all")

    # -- requests ----------------------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Failed) and exc.retry_after is not None:
            return min(exc.retry_after, self.source.retry_after_cap)
        ceiling = min(self.backoff_max, self.backoff * 2 ** (state.attempt_number - 1))
        return random.uniform(0, ceiling)  # full jitter: retries of many URLs do not arrive in step

    def _count_retry(self, state: RetryCallState) -> None:
        self.stats["retries"] += 1

    async def _with_retries(self, url: str, conditional: Mapping[str, str]) -> _Answer:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(1, self.source.retries)), wait=self._wait, reraise=True,
            retry=retry_if_exception(lambda e: isinstance(e, _Failed) and e.retry),
            before_sleep=self._count_retry)
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(url, conditional)
        except _Failed as e:
            if e.answer is not None:
                e.answer.error = e.code
                return e.answer
            return _Answer(status=0, headers={}, error=e.code)
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    async def _attempt(self, url: str, conditional: Mapping[str, str]) -> _Answer:
        host = urlsplit(url).netloc.lower()
        async with self._limits[host].slot():
            try:
                # an overall bound too: httpx's timeout is per read, a slow drip would never trip it
                async with asyncio.timeout(self.source.timeout * 3):
                    return await self._request(url, conditional)
            except (TimeoutError, httpx.TimeoutException):
                raise _Failed("timeout") from None
            except httpx.ConnectError:
                raise _Failed("connect") from None
            except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
                raise _Failed("reset") from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol):
                raise _Failed("bad_url", retry=False) from None
            except httpx.TransportError as e:
                raise _Failed("network:" + type(e).__name__, retry=False) from None

    async def _request(self, url: str, conditional: Mapping[str, str]) -> _Answer:
        assert self._client is not None, "use the Fetcher as an async context manager"
        request = self._client.build_request("GET", url, headers=dict(conditional))
        self.stats["requests"] += 1
        response = await self._client.send(request, stream=True)
        try:
            answer = _Answer(status=response.status_code, headers=_headers(response.headers.raw),
                             request_headers={k.decode("latin-1"): v.decode("latin-1")
                                              for k, v in request.headers.raw},
                             http_version=response.http_version, reason=response.reason_phrase)
            await self._read_body(response, answer)
        finally:
            await response.aclose()
        if answer.status in RETRY_STATUSES:
            raise _Failed(f"http_{answer.status}", answer=answer,
                          retry_after=retry_after_seconds(answer.headers.get("retry-after")))
        return answer

    async def _read_body(self, response: httpx.Response, answer: _Answer) -> None:
        decoder = BodyDecoder(answer.headers.get("content-encoding"), self.source.max_bytes)
        try:
            async for chunk in _raw_chunks(response):
                self.stats["bytes"] += len(chunk)
                decoder.feed(chunk)
            answer.body = decoder.body()
        except TooLarge as e:
            answer.body, answer.error = e.args[0], "too_large"
        except (httpx.RemoteProtocolError, httpx.ReadError) as e:
            # the connection ended before the announced length (or the chunked end): a partial body
            raise _Failed("truncated", answer=answer) from e
        except zlib.error:
            answer.body, answer.error = b"", "bad_encoding"
        if decoder.decoded:
            # the body handed on is decoded: say so, keeping what the server sent for the record
            for name in ("content-encoding", "content-length"):
                if name in answer.headers:
                    answer.headers["x-archive-orig-" + name] = answer.headers.pop(name)
            answer.headers["content-length"] = str(len(answer.body))
        answer.headers.pop("transfer-encoding", None)



async def _raw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body as received, still encoded; a response built in memory (MockTransport) has it already."""
    if response.is_stream_consumed:
        yield response.content
        return
    async for chunk in response.aiter_raw():
        yield chunk
