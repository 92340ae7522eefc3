"""robots.txt per RFC 9309 (protego): fetched once per host per run, with the RFC's failure rules."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protego import Protego

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 2.5: parse at least 500 KiB


@dataclass
class RobotsPolicy:
    """The rules for one host: parsed rules, or allow-all (4xx) / disallow-all (5xx, unreachable)."""

    rules: Protego | None = None
    allow_all: bool = False
    reason: str = ""

    def allowed(self, url: str, agent: str) -> bool:
        if self.rules is None:
            return self.allow_all
        return bool(self.rules.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.rules is None:
            return None
        delay = self.rules.crawl_delay(agent)
        return float(delay) if delay is not None else None

    @property
    def sitemaps(self) -> list[str]:
        return list(self.rules.sitemaps) if self.rules is not None else []

    @classmethod
    def from_answer(cls, status: int | None, body: bytes) -> RobotsPolicy:
        """RFC 9309 2.3.1: 2xx parse; 4xx (but 429) allow all; 5xx, 429 and no answer disallow all."""
        if status is not None and 200 <= status < 300:
            text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
            return cls(rules=Protego.parse(text), reason=f"robots.txt {status}")
        if status is not None and 400 <= status < 500 and status != 429:
            return cls(allow_all=True, reason=f"robots.txt {status}: allow all")
        return cls(allow_all=False, reason=f"robots.txt {status or 'unreachable'}: disallow all")


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups match: `partner-archive` of `partner-archive/0.1 (…)`."""
    token = user_agent.strip().split("/", 1)[0].split()
    return token[0] if token else "*"


class RobotsCache:
    """One RobotsPolicy per origin (scheme://host:port); concurrent callers share one fetch."""

    def __init__(self, load: Callable[[str], Awaitable[RobotsPolicy]]) -> None:
        self._load = load
        self._cache: dict[str, RobotsPolicy] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, origin: str) -> RobotsPolicy:
        if origin in self._cache:
            return self._cache[origin]
        async with self._locks.setdefault(origin, asyncio.Lock()):
            if origin not in self._cache:
                policy = await self._load(origin)
                log.info("%s/robots.txt: %s", origin, policy.reason)
                self._cache[origin] = policy
        return self._cache[origin]
