"""The layout walk's spaces: lexbor leaves out the text nodes of ASCII white space alone (skip_empty), and
the walk puts back the one space such a node stands for, where it is the only one (text.blank_before).

The reference is the same markup with each such node written as an em space: lexbor keeps that node, and
the walk's plain rule for white space that is not ASCII adds its space. Both must give the same blocks."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from pipeline.parse.text import blank_before, layout

_BLANK_NODE = re.compile(r">[ \t\n\r\f]+<")  # a text node of ASCII white space alone, between two tags


def _blocks(html: str) -> list[tuple[str, str, int]]:
    tree = LexborHTMLParser(html)
    lay = layout(tree.body)
    return [(b.text, b.tag, b.link_chars) for b in lay.blocks]


def _reference(html: str) -> list[tuple[str, str, int]]:
    return _blocks(_BLANK_NODE.sub(">\u2003<", html))


_SPACES = st.sampled_from(["", "", " ", "\n  ", "\t"])
_WORDS = st.sampled_from(["Krefeld", "Venlo", "am", "15.11.2024", "(SPD)", ",", "Foto:"])
_LEAVES = st.sampled_from(["<br>", "<img src='/a.jpg' alt='x'>", "<!-- c -->", "<script>var a = 1;</script>",
                           "<hr>", "<span style='display:none'> verborgen </span>", "<input value='x'>"])
_TAGS = st.sampled_from(["span", "a", "b", "em", "div", "p", "li", "strong", "small", "h2"])


def _piece(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    element = st.tuples(_TAGS, _SPACES, children, _SPACES).map(
        lambda t: f"<{t[0]}{' href=/x' if t[0] == 'a' else ''}>{t[1]}{t[2]}{t[3]}</{t[0]}>")
    return st.lists(st.one_of(element, _LEAVES, _WORDS, _SPACES), max_size=5).map("".join)


_MARKUP = st.recursive(st.one_of(_WORDS, _SPACES), _piece, max_leaves=30)


@settings(max_examples=1500, deadline=None)
@given(_MARKUP)
def test_skipped_blank_nodes_give_the_same_blocks(markup: str) -> None:
    html = f"<html><body><div>{markup}</div></body></html>"
    assert _blocks(html) == _reference(html)


def test_spaces_between_inline_elements() -> None:
    cases = {
        "<p><span>12.03.2024</span>\n<span>Empfang</span></p>": "12.03.2024 Empfang",
        "<p><span>Kre</span><span>feld</span></p>": "Krefeld",
        "<p><a href=/x><span>Venlo</span>\n</a><b>Partner</b></p>": "Venlo Partner",
        "<p><b>Foto:</b> <i>Stadt</i></p>": "Foto: Stadt",
        "<p><b>A</b>\n<!-- c -->\n<b>B</b></p>": "A B",
        "<p><b>A</b>\n<script>x()</script><b>B</b></p>": "A B",
        "<p><b>A</b><script>x()</script><b>B</b></p>": "AB",
        "<p><b>A</b>\u00a0<b>B</b></p>": "A B",
        "<p>A<br>\n<b>B</b></p>": "A\nB",
    }
    for html, text in cases.items():
        assert [b[0] for b in _blocks(f"<html><body>{html}</body></html>")] == [text], html


def test_blank_before_reads_only_ascii_blank_nodes() -> None:
    html = "<html><body><b>a</b> \n<i>b</i>\u00a0<u>c</u><!--x--><s>d</s></body></html>"
    body = LexborHTMLParser(html).body
    kids = list(body.iter(include_text=True))
    tags = [k.tag for k in kids]
    assert tags == ["b", "-text", "i", "-text", "u", "-comment", "s"]
    assert blank_before(kids[1]) and blank_before(kids[2].prev)
    assert not blank_before(kids[4].prev)  # a no-break space: lexbor keeps that node, the walk reads it
    vertical_tab = LexborHTMLParser("<html><body><b>a</b>\x0b<i>b</i></body></html>").body
    assert vertical_tab.child is not None and not blank_before(vertical_tab.last_child.prev)  # kept too
    assert not blank_before(kids[6].prev)  # a comment
    assert not blank_before(kids[0].prev)  # nothing before
