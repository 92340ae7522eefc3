"""The crawl frontier: canonical de-duplication, depth and page bounds, scope records and trap guards."""

from __future__ import annotations

import html
import logging
import re
import zlib
from collections import Counter, deque

from .config import Source
from .urls import canonicalize, host_allowed, in_scope, is_http, split_params, urlsplit, urlunsplit

log = logging.getLogger(__name__)

_LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>", re.IGNORECASE)
_PAGING = re.compile(r"&(s\d+)=([^&]*)")
_NUMERIC = re.compile(r"^[0-9]+(?:[-_.][0-9]+)*$")  # 2024, 05, 2024-05-01: calendar-like segments


class Frontier:
    """Breadth-first queue of (canonical URL, depth) for one source.

    Counters: `off_scope` (distinct links outside the source's hosts or include/exclude rules, with a
    bounded `off_scope_sample`), `duplicates`, `too_deep`, `over_limit` (max_pages), `trapped`, `ignored`.

    Trap guards, each counted in `trapped`: URLs longer than `max_url_length`; a path segment repeated
    more than `max_segment_repeats` times (`/a/b/a/b/a/b/`); more than `max_query_variants` distinct
    queries on one path; more than `max_numeric_variants` paths that differ only in all-digit segments
    (`/kalender/2024/05/`, `/kalender/2024/06/`, … an endless calendar); more than `max_list_pages`
    pages of one paginated list. A listing URL that carries the offsets of several paged lists is split
    into one URL per list, so each list is walked on its own instead of every combination of pages;
    listing pages keep depth 1 however far down the list they are, so long lists fit in max_depth.
    """

    def __init__(self, source: Source, *, max_url_length: int = 2000, max_segment_repeats: int = 3,
                 max_query_variants: int = 50, max_numeric_variants: int = 100, max_list_pages: int = 1000,
                 sample_size: int = 50) -> None:
        self.source = source
        self.max_url_length, self.max_segment_repeats = max_url_length, max_segment_repeats
        self.max_query_variants, self.max_numeric_variants = max_query_variants, max_numeric_variants
        self.max_list_pages, self.sample_size = max_list_pages, sample_size
        self._list_pages: Counter[str] = Counter()
        self._queue: deque[tuple[str, int]] = deque()
        self._seen: set[str] = set()
        self._query_variants: Counter[str] = Counter()
        self._numeric_variants: Counter[str] = Counter()
        self.accepted = 0
        self.duplicates = 0
        self.off_scope = 0
        self.off_scope_sample: list[str] = []
        self._off_scope_seen: set[str] = set()
        self.too_deep = 0
        self.over_limit = 0
        self.trapped = 0
        self.trapped_sample: list[str] = []
        self.ignored = 0  # mailto:, javascript:, …

    def __len__(self) -> int:
        return len(self._queue)

    def pop(self) -> tuple[str, int] | None:
        return self._queue.popleft() if self._queue else None

    def counters(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "off_scope": self.off_scope,
                "too_deep": self.too_deep, "over_limit": self.over_limit, "trapped": self.trapped,
                "ignored": self.ignored, "queued": len(self)}

    def add(self, url: str, depth: int) -> bool:
        """Queue `url` found `depth` hops from a start URL; False if it is not new or not wanted."""
        if not is_http(url):
            self.ignored += 1
            return False
        parts = urlsplit(url.strip())
        canonical = canonicalize(url, self.source, keep_paging=True)
        # start URLs (depth 0) are followed even if the include rules would not reach them
        if not host_allowed(parts.netloc, self.source.allowed_hosts, parts.scheme.lower()) or \
                (depth > 0 and not in_scope(canonical, self.source)):
            # counted once per distinct URL: every page's navigation repeats the same links
            if canonical not in self._off_scope_seen:
                self._off_scope_seen.add(canonical)
                self.off_scope += 1
                if len(self.off_scope_sample) < self.sample_size:
                    self.off_scope_sample.append(url)
            return False
        pieces = self._split_lists(canonical)
        if _PAGING.search(urlsplit(canonical).path):
            # a page of a paginated listing is as near to the start as the listing itself: walking
            # a list of 60 pages must not use up max_depth (list length is bounded by max_list_pages)
            depth = min(depth, 1)
        if len(pieces) > 1:
            added = [self._add_canonical(p, depth) for p in pieces]
            return any(added)
        return self._add_canonical(canonical, depth)

    def add_sitemap(self, body: bytes, depth: int = 1) -> tuple[int, list[str]]:
        """Queue the page URLs of a sitemap (as found `depth` hops away, so include rules apply);
        returns (pages queued, nested sitemap URLs of a sitemap index for the caller to fetch)."""
        added, nested = 0, []
        for loc in sitemap_locs(body):
            if re.search(r"\.xml(\.gz)?$", loc.split("?", 1)[0], re.IGNORECASE):
                nested.append(loc)
            else:
                added += self.add(loc, depth)
        return added, nested

    def _split_lists(self, canonical: str) -> list[str]:
        """`…/&s91=11&s93=326` → `…/&s91=11`, `…/&s93=326`: each list paged on its own."""
        parts = urlsplit(canonical)
        offsets = _PAGING.findall(parts.path)
        if len(offsets) < 2:
            return [canonical]
        base = _PAGING.sub("", parts.path)
        return [urlunsplit((parts.scheme, parts.netloc, f"{base}&{k}={v}", parts.query, ""))
                for k, v in offsets]

    def _add_canonical(self, canonical: str, depth: int) -> bool:
        if canonical in self._seen:
            self.duplicates += 1
            return False
        if depth > self.source.max_depth:
            self.too_deep += 1
            return False
        trap = self._trap(canonical)
        if trap:
            self.trapped += 1
            if len(self.trapped_sample) < self.sample_size:
                self.trapped_sample.append(canonical)
            log.debug("not following %s: %s", canonical, trap)
            return False
        if self.accepted >= self.source.max_pages:
            self.over_limit += 1
            return False
        self._seen.add(canonical)
        self._queue.append((canonical, depth))
        self.accepted += 1
        parts = urlsplit(canonical)
        path, _ = split_params(parts.path, "")
        if parts.query:
            self._query_variants[parts.netloc + path] += 1
        template = self._numeric_template(path)
        if template:
            self._numeric_variants[parts.netloc + template] += 1
        for key, _ in _PAGING.findall(parts.path):
            self._list_pages[f"{parts.netloc}{_PAGING.sub('', parts.path)}&{key}"] += 1
        return True

    def _trap(self, canonical: str) -> str | None:
        if len(canonical) > self.max_url_length:
            return "URL too long"
        parts = urlsplit(canonical)
        for key, _ in _PAGING.findall(parts.path):
            list_key = f"{parts.netloc}{_PAGING.sub('', parts.path)}&{key}"
            if self._list_pages[list_key] >= self.max_list_pages:
                return "too many pages of one paginated list"
        path, _ = split_params(parts.path, "")
        segments = [s for s in path.split("/") if s]
        if segments and max(Counter(segments).values()) > self.max_segment_repeats:
            return "repeated path segments"
        if parts.query and self._query_variants[parts.netloc + path] >= self.max_query_variants:
            return "too many query variants of one path"
        template = self._numeric_template(path)
        if template and self._numeric_variants[parts.netloc + template] >= self.max_numeric_variants:
            return "too many numeric variants of one path (a calendar?)"
        return None

    @staticmethod
    def _numeric_template(path: str) -> str | None:
        segments = path.split("/")
        if not any(_NUMERIC.match(s) for s in segments):
            return None
        return "/".join("#" if _NUMERIC.match(s) else s for s in segments)


def sitemap_locs(body: bytes, limit: int = 50_000_000) -> list[str]:
    """The <loc> URLs of a sitemap or sitemap index (XML, or a .gz of it), without an XML parser:
    no entity expansion, so no billion-laughs; a gzip'd file is decoded up to `limit` bytes."""
    if body[:2] == b"\x1f\x8b":
        d = zlib.decompressobj(31)
        try:
            body = d.decompress(body, limit)
        except zlib.error:
            return []
    return [html.unescape(m.decode("utf-8", errors="replace")) for m in _LOC.findall(body)]
