"""Per-host politeness: a cap on requests in flight and a minimum interval between request starts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HostLimiter:
    """At most `concurrency` requests in flight and at most `rate` request starts per second, per host.

    Start times are reserved in order, so a burst of waiting tasks is spread out evenly instead of
    all waking at once when the interval passes.
    """

    def __init__(self, rate: float, concurrency: int) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.concurrency = max(1, concurrency)
        self._sem = asyncio.Semaphore(self.concurrency)
        self._next = 0.0

    def slow_down(self, interval: float) -> None:
        """Honour a slower pace (robots.txt Crawl-delay); never speeds up."""
        self.interval = max(self.interval, interval)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._sem:
            loop = asyncio.get_running_loop()
            now = loop.time()
            start = max(now, self._next)
            # no await between reading and writing _next: the event loop makes this atomic
            self._next = start + self.interval
            if start > now:
                await asyncio.sleep(start - now)
            yield


class Limiters:
    """One HostLimiter per host:port, created on first use."""

    def __init__(self, rate: float, concurrency: int) -> None:
        self.rate, self.concurrency = rate, concurrency
        self._by_host: dict[str, HostLimiter] = {}

    def __getitem__(self, host: str) -> HostLimiter:
        lim = self._by_host.get(host)
        if lim is None:
            lim = self._by_host[host] = HostLimiter(self.rate, self.concurrency)
        return lim
