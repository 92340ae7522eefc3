"""A page's links: absolute http(s) URLs in document order, each once, resolved as urljoin resolves them."""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

# a relative path urljoin resolves by plain concatenation: segments of ordinary characters (none "."
# or "..", none empty), no scheme, no ";params", no white space; a non-empty query; any fragment
_SEGMENT = r"[\w~%=&+,!$'()*@-][\w~%=&+,!$'()*@.-]*"
_PLAIN_RELATIVE = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*/?(?:\?[^#\s]+)?(?:#.*)?", re.ASCII)


def _relative_prefix(base_url: str) -> str | None:
    """What urljoin(base_url, path) puts before a _PLAIN_RELATIVE path (the base's scheme, host and
    directory, dot segments resolved), or None when the base is not an ordinary http(s) URL."""
    try:
        probe = urljoin(base_url, "x")
        with_query = urldefrag(urljoin(base_url, "x?y#z"))[0]
    except ValueError:
        return None
    if not probe.endswith("/x") or with_query != probe + "?y" or not probe.lower().startswith(("http://", "https://")):
        return None
    return probe[:-1]


def _odd_chars(href: str) -> bool:
    """A space, backslash, tab, line break or ";" in the href (urljoin's business). One C-level search
    per character: a set test would hash every character of the href."""
    return " " in href or ";" in href or "\\" in href or "\t" in href or "\n" in href or "\r" in href


def _href(node: Any) -> str | None:
    attrs = node.attrs
    href = attrs.get("href")
    # an SVG link may give its address as xlink:href (SVG 1.1), which "a[href]" matches by its local name
    return attrs.get("xlink:href") if href is None else href


def extract_links(tree: Any, base_url: str) -> list[str]:
    """Absolute http(s) links in document order, fragments dropped, each once."""
    # one query for the links and the <base> (the first one anywhere counts, even after some links):
    # each query is a walk of the whole tree; attrs.get reads one attribute, .attributes builds a dict
    found = [(node.tag, _href(node)) for node in tree.css("a[href], area[href], base[href]")]
    base = next((href for tag, href in found if tag == "base"), None)
    if base is not None:
        href = base.strip()
        if href:
            with contextlib.suppress(ValueError):
                base_url = urljoin(base_url, href)
    seen: set[str] = set()
    out: list[str] = []
    try:
        parts = urlsplit(base_url)
        origin = f"{parts.scheme}://{parts.netloc}"
    except ValueError:
        origin = ""
    prefix: str | None = ""  # "": not computed yet
    # menus, footers and teasers repeat links: an href met before resolves as it did then (to a link
    # already out, or to none), so it is passed over at once (a <base> href is no link)
    met: set[str | None] = set()
    for tag, href in found:
        if tag == "base" or href in met:
            continue
        met.add(href)
        href = (href or "").strip()
        if not href or href[0] == "#" \
                or href.startswith(("javascript:", "mailto:", "tel:", "data:")):
            continue
        # fast paths for the common forms, where they give what urljoin gives; urljoin (slow) for odd
        # cases: it drops an empty query ("x?") or parameter ("x;") and the tabs and line breaks a
        # browser drops too
        head = href.split("#", 1)[0] if "#" in href else href  # (without its fragment)
        plain_chars = not _odd_chars(href) and not head.endswith("?")
        if plain_chars and href.startswith(("https://", "http://")):
            absolute = head
        elif plain_chars and href[0] == "/" and not href.startswith("//") and origin and "/." not in href:
            absolute = origin + head
        else:
            plain = _PLAIN_RELATIVE.fullmatch(href) is not None
            if plain and prefix == "":
                prefix = _relative_prefix(base_url)
            if plain and prefix:
                absolute = prefix + head
            else:
                try:
                    absolute = urldefrag(urljoin(base_url, href))[0]
                except ValueError:
                    continue
                if not absolute.lower().startswith(("http://", "https://")):
                    continue
        if absolute not in seen:
            seen.add(absolute)
            out.append(absolute)
    return out
