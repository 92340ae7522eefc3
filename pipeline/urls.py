"""Canonical URLs and scope checks (pure functions, no I/O).

The real site appends list-state parameters to the *path* with a bare `&` and no `?`
(`/de/presse/pressemitteilungen/&s91=11&s93=326`); they are treated like query parameters.
"""

from __future__ import annotations

import contextlib
import re
import string
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from .config import Source

# Re-exported: the fetching modules take their URL functions from here (tests/test_layout.py's
# import rule on "parse" would otherwise match the standard library's urllib.parse).
__all__ = ["canonicalize", "host_allowed", "in_scope", "is_http", "remove_dot_segments", "resolve",
           "split_host", "split_params", "urljoin", "urlsplit", "urlunsplit"]

_DEFAULT_PORTS = {"http": "80", "https": "443"}
# Characters that never need escaping in a path; everything else stays (re-)escaped in upper-case hex.
_PATH_SAFE = "/:@!$'()*+,;=-._~"  # no `&`: a literal one would start the list-state parameters
_QUERY_SAFE = "/:@!$'()*+,;-._~?"


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _matches(patterns: Iterable[str], text: str, full: bool = False) -> bool:
    rx = _compiled(tuple(patterns))
    if rx is None:
        return False
    return bool(rx.fullmatch(text) if full else rx.search(text))


def split_host(netloc: str) -> tuple[str, str | None]:
    netloc = netloc.rsplit("@", 1)[-1].lower()
    if netloc.startswith("["):
        host, _, rest = netloc[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else None
    host, sep, port = netloc.partition(":")
    return host.rstrip("."), (port if sep else None)


def _norm_netloc(scheme: str, netloc: str) -> str:
    host, port = split_host(netloc)
    with contextlib.suppress(UnicodeError):  # not a valid IDN: keep it as written
        host = host.encode("idna").decode("ascii") if host and not host.isascii() else host
    if port and port != _DEFAULT_PORTS.get(scheme):
        return f"{host}:{port}"
    return host


_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# A last path segment with one of these endings names a file; any other gets a trailing slash.
_FILE_EXT = re.compile(
    r"[^.]\.(?:s?html?|php\d?|aspx?|jsp|cgi|nsf|pdf|jpe?g|png|gif|svg|webp|ico|bmp|tiff?|txt|xml|json|rss|atom"
    r"|css|js|zip|gz|tgz|rar|7z|docx?|xlsx?|pptx?|od[tsp]|rtf|csv|ics|vcf|mp[34]|m4a|wav|ogg|webm|avi|mov)$",
    re.IGNORECASE)


def _norm_component(text: str, safe: str) -> str:
    """RFC 3986 6.2.2: decode escapes of unreserved characters only, upper-case the others, escape
    what must be escaped. Reserved escapes (%2F, %26, …) stay escaped, so the result is idempotent."""
    text = _ESCAPE.sub(lambda m: chr(int(m[1], 16)) if chr(int(m[1], 16)) in _UNRESERVED
                       else "%" + m[1].upper(), text)
    text = re.sub(r"%(?![0-9A-F]{2})", "%25", text)
    return quote(text, safe=safe + "%")


def remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: resolve `.` and `..` segments; never climbs above the root."""
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def is_http(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() in ("http", "https")


def resolve(base: str, href: str) -> str | None:
    """An absolute http(s) URL for a link on `base`; None for other schemes (mailto:, javascript:…)."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    return url if is_http(url) else None


def split_params(path: str, query: str) -> tuple[str, list[tuple[str, str]]]:
    """Separate the path from its parameters, whether they follow a bare `&` in the path or a `?`."""
    params: list[tuple[str, str]] = []
    if "&" in path:
        path, _, tail = path.partition("&")
        params += _pairs(tail)
    params += _pairs(query)
    return path, params


def _pairs(text: str) -> list[tuple[str, str]]:
    out = []
    for part in text.replace(";", "&").split("&"):
        if part:
            k, _, v = part.partition("=")
            out.append((k, v))
    return out


def host_allowed(netloc: str, allowed_hosts: Iterable[str], scheme: str = "https") -> bool:
    """An entry is a host (any port) or host:port (that port only)."""
    host, port = split_host(netloc)
    port = port or _DEFAULT_PORTS.get(scheme)
    for entry in allowed_hosts:
        eh, ep = split_host(entry)
        if eh == host and (ep is None or ep == port):
            return True
    return False


def canonicalize(url: str, source: Source | None = None, keep_paging: bool = False) -> str:
    """The one URL under which a page is known: normalised scheme/host/path, aliases mapped to the
    canonical host, fragment and list-state parameters dropped.

    With `keep_paging`, the `s<NN>` offsets of a paginated listing path (source.paginate) are kept,
    so the frontier can walk a listing's pages; the article identity never keeps them.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url.strip()
    netloc = _norm_netloc(scheme, parts.netloc)
    path, params = split_params(parts.path or "/", parts.query)
    path = _norm_component(remove_dot_segments(re.sub(r"/{2,}", "/", path)), _PATH_SAFE) or "/"
    if source is not None:
        if source.canonical_host and host_allowed(netloc, source.allowed_hosts, scheme):
            netloc = source.canonical_host
            scheme = urlsplit(source.start_urls[0]).scheme.lower() if source.start_urls else scheme
        drop = source.drop_params
        paging = keep_paging and _matches(source.paginate, path)
    else:
        drop, paging = [r"s\d+", r"c\d+"], False
    last = path.rsplit("/", 1)[-1]
    if last and not _FILE_EXT.search(last):
        path += "/"
    kept, pages = [], []
    for k, v in params:
        if paging and re.fullmatch(r"s\d+", k):
            if v not in ("", "1"):  # offset 1 is the listing's first page: same as no parameter
                pages.append((k, v))
            continue
        if _matches(drop, k, full=True):
            continue
        kept.append((_norm_component(k, _QUERY_SAFE), _norm_component(v, _QUERY_SAFE)))
    query = "&".join(f"{k}={v}" for k, v in sorted(kept))
    # paging offsets keep the site's own bare-`&` form: the server may not understand them after `?`
    path += "".join(f"&{k}={_norm_component(v, _QUERY_SAFE)}" for k, v in sorted(pages))
    return urlunsplit((scheme, netloc, path, query, ""))


def in_scope(url: str, source: Source) -> bool:
    """Whether the crawler may follow this link at all: http(s), allowed host, include/exclude rules."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return False
    if not host_allowed(parts.netloc, source.allowed_hosts, parts.scheme.lower()):
        return False
    path, _ = split_params(parts.path or "/", "")
    if source.include and not _matches(source.include, path):
        return False
    return not _matches(source.exclude, path)
