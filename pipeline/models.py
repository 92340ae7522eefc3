"""Plain data passed between the pipeline's stages: fetched responses, parsed records, run counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Kind = Literal["press_release", "partner_page", "overview", "listing", "other"]
KINDS: tuple[str, ...] = ("press_release", "partner_page", "overview", "listing", "other")


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None = None


@dataclass(frozen=True)
class Image:
    src: str
    alt: str | None = None
    caption: str | None = None
    credit: str | None = None
    photographer: str | None = None


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    room: str | None = None


@dataclass
class Record:
    """The parsed record of CONTRACT.md; `parse` prints it and the archive stores it."""

    url: str
    canonical_url: str
    kind: str = "other"
    title: str | None = None
    subtitle: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    lead: str | None = None
    text: str = ""
    people: list[Person] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    partner_cities: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        return cls(
            url=d["url"],
            canonical_url=d.get("canonical_url") or d["url"],
            kind=d.get("kind") or "other",
            title=d.get("title"),
            subtitle=d.get("subtitle"),
            published=d.get("published"),
            lead=d.get("lead"),
            text=d.get("text") or "",
            people=[Person(**p) for p in d.get("people") or []],
            images=[Image(**i) for i in d.get("images") or []],
            partner_cities=list(d.get("partner_cities") or []),
            contacts=[Contact(**c) for c in d.get("contacts") or []],
            links=list(d.get("links") or []),
        )


@dataclass
class Fetched:
    """One finished request, as the fetcher hands it on (after redirects, decompression and caps)."""

    url: str  # the URL asked for (canonical form)
    final_url: str  # after redirects
    status: int | None  # None when no response arrived
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    fetched_at: datetime | None = None
    error: str | None = None  # e.g. "timeout", "too_large", "robots", "off_scope", "http_503"
    elapsed: float = 0.0
    not_modified: bool = False  # a 304 answer to a conditional request
    request_headers: dict[str, str] = field(default_factory=dict)
    http_version: str = "HTTP/1.1"
    reason: str = ""
    redirects: list[str] = field(default_factory=list)
    # the redirect answers (3xx) received on the way, in order: archived before the final answer
    hops: list[Fetched] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


@dataclass
class RunStats:
    run_id: int = 0
    pages_fetched: int = 0
    pages_new: int = 0
    pages_changed: int = 0
    pages_unchanged: int = 0
    pages_failed: int = 0
    pages_gone: int = 0
    skipped_robots: int = 0
    off_scope: int = 0
    failed_urls: list[str] = field(default_factory=list)
    status: str = "running"
