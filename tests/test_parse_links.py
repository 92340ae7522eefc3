"""extract_links: absolute links in page order; its shortcuts agree with urljoin exactly."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from pipeline.parse import extract_links
from pipeline.parse.links import _PLAIN_RELATIVE, _relative_prefix

BASES = [
    "https://www.krefeld.de/de/inhalt/partnerstaedte.html", "https://www.krefeld.de", "http://a.de/x/../y/",
    "https://a.de/x//y/z", "https://a.de/x;p/y;q?z#f", "HTTP://A.de/%20/", "https://u:p@a.de:8080/p/",
    "https://a.de/x/..", "https://[::1]/x/y", "https://a.de/ä/ö", "https://a.de/?q", "ftp://a.de/x/", "x/y",
    "",
]


def test_links_in_page_order_resolved_once() -> None:
    html = """<html><body><a href="venlo.html#top">Venlo</a> <a href="../leyton/">Leyton</a>
    <a href="/de/presse/">Presse</a> <a href="?seite=2">2</a> <a href="//cdn.de/a">cdn</a>
    <a href="mailto:info@krefeld.de">Mail</a> <a href="venlo.html">again</a><base href="/de/">
    <map><area href="karte.html"></map></body></html>"""
    links = extract_links(LexborHTMLParser(html), "https://www.krefeld.de/inhalt/partner/seite.html")
    # the <base> counts even after the first links, as in a browser
    assert links == ["https://www.krefeld.de/de/venlo.html", "https://www.krefeld.de/leyton/",
                     "https://www.krefeld.de/de/presse/", "https://www.krefeld.de/de/?seite=2",
                     "https://cdn.de/a", "https://www.krefeld.de/de/karte.html"]


def test_relative_prefix_only_for_http_bases() -> None:
    assert _relative_prefix("https://a.de/x/y.html") == "https://a.de/x/"
    assert _relative_prefix("http://a.de/x/../y/") == "http://a.de/y/"
    assert _relative_prefix("ftp://a.de/x/") is None
    assert _relative_prefix("") is None


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(BASES),
       st.lists(st.sampled_from(list("aZ09_~%=&+,!$'()*@-./?#;: \t\nä\\") + ["..", "//"]),
                min_size=1, max_size=12).map("".join))
def test_plain_relative_shortcut_is_urljoin(base: str, href: str) -> None:
    prefix = _relative_prefix(base)
    if prefix and _PLAIN_RELATIVE.fullmatch(href):
        assert prefix + href.split("#", 1)[0] == urldefrag(urljoin(base, href))[0]


def test_a_link_repeating_the_base_href_still_counts() -> None:
    html = ('<html><head><base href="/de/"></head><body><a href="/de/">Start</a><a href="x">x</a>'
            '<a href="x">x</a>')
    assert extract_links(LexborHTMLParser(html), "https://a.de/p/q") == ["https://a.de/de/", "https://a.de/de/x"]


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(["https://a.de/x/", "http://a.de/", "https://www.krefeld.de/de/inhalt/s.html"]),
       st.sampled_from(["/", "https://a.de/", "http://b.de/p"]),
       st.lists(st.sampled_from(list("aZ09_~%=&+,!$'()*@-./?#;: \t\n\räx") + ["..", "//", "/."]),
                max_size=10).map("".join))
def test_absolute_and_root_shortcuts_are_urljoin(base: str, start: str, rest: str) -> None:
    """The fast paths for "https://…" and "/…" give what urljoin gives: an empty query ("p?") dropped,
    tabs and line breaks removed, as browsers do."""
    href = start + rest
    html = f'<html><body><a href="{href.replace(chr(34), "")}">x</a></body></html>'
    tree = LexborHTMLParser(html)
    node = tree.css_first("a")
    assert node is not None
    raw = (node.attrs.get("href") or "").strip()
    want = urldefrag(urljoin(base, raw))[0] if raw and raw[0] != "#" else None
    got = extract_links(tree, base)
    if want is None or not want.lower().startswith(("http://", "https://")):
        assert got == [] or want is None
    else:
        assert got == [want]


def test_an_empty_query_and_a_line_break_are_dropped_as_urljoin_does() -> None:
    html = '<a href="/a?">a</a><a href="https://a.de/b?#x">b</a><a href="/c\n/d">c</a>'
    assert extract_links(LexborHTMLParser(html), "https://a.de/") == [
        "https://a.de/a", "https://a.de/b", "https://a.de/c/d"]


def test_svg_links_count_with_either_attribute() -> None:
    html = ('<html><body><a href="/a">a</a><svg><a xlink:href="/karte/venlo"><text>Venlo</text></a>'
            '<a href="/karte/leyton" xlink:href="/alt"><text>Leyton</text></a></svg>'
            '<a href="/b">b</a></body></html>')
    assert extract_links(LexborHTMLParser(html), "https://www.krefeld.de/") == [
        "https://www.krefeld.de/a", "https://www.krefeld.de/karte/venlo",
        "https://www.krefeld.de/karte/leyton",  # SVG 2: href wins over xlink:href
        "https://www.krefeld.de/b"]
