"""Fuzzing: arbitrary bytes, broken encodings and pathological nesting never crash and stay fast."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.models import KINDS
from pipeline.parse import parse

URL = "https://www.krefeld.de/de/inhalt/x/"
LIMIT = 2.0  # seconds per page: generous; a page takes milliseconds


def check(body: bytes, headers: dict[str, str] | None = None) -> None:
    start = time.perf_counter()
    rec = parse(body, URL, headers)
    assert time.perf_counter() - start < LIMIT
    assert rec.kind in KINDS and isinstance(rec.text, str) and rec.url == URL
    assert rec.published is None or len(rec.published) == 10


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes(body: bytes) -> None:
    check(body)


TAGS = st.sampled_from(["div", "p", "h1", "h2", "a", "span", "li", "ul", "table", "td", "script", "time",
                        "article", "nav", "br", "img", "figure", "figcaption"])


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 3))
        tag = draw(TAGS)
        if kind == 0:
            parts.append(f"<{tag} class='{draw(st.sampled_from(['nav', 'content', 'x', 'caption']))}'>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(draw(st.text(max_size=40)))
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_soup(), st.sampled_from(["utf-8", "cp1252", "utf-16", "latin-1"]),
       st.sampled_from([None, "text/html; charset=utf-8", "text/html; charset=bogus",
                        "text/html; charset=utf-16"]))
def test_broken_markup_and_encodings(soup: str, codec: str, content_type: str | None) -> None:
    body = soup.encode(codec, errors="replace")
    check(body, {"Content-Type": content_type} if content_type else None)


def test_deep_nesting() -> None:
    para = "<p>Tief verschachtelter Absatz mit genug Text für den Inhalt.</p>"
    body = "<div>" * 5000 + para + "</div>" * 5000
    check(body.encode())
    rec = parse(body.encode(), URL)
    assert "Tief verschachtelter Absatz" in rec.text


def test_deep_unclosed_inline_and_many_blocks() -> None:
    check(("<b><i><a href='/x'>" * 3000 + "text").encode())
    check(b"<p>Ein Absatz, der sich sehr oft wiederholt, mit Text. " * 5000)
    check(b"<table>" + b"<tr><td>Zelle mit Inhalt</td>" * 10000 + b"</table>")


def test_truncated_and_null_bytes() -> None:
    check(b"<html><body><p>Abgebrochen mitten im \xc3")
    check(b"<html>\x00<body>\x00<p>Nullbytes\x00 im Text</p>")
    check(b"\xef\xbb\xbf" + "<p>BOM und Umlaute: äöü</p>".encode())
