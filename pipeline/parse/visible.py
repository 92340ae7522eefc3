"""The visible text of a subtree as lines: block elements and <br> break lines; scripts, styles, hidden
elements and the like are skipped. Pictures (captions) and contacts read their boxes with it."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from .names import hides

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select", "iframe"})
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_NEWLINE = "\n"  # a block element's line breaks, before and after it


def is_hidden(node: LexborNode) -> bool:
    """Hidden by an attribute or an inline style (the layout walk's rule): skipped with all below it."""
    attrs = node.attributes
    return bool(attrs) and hides(attrs)


def _walk(node: LexborNode, out: list[str], cap: int | None = None) -> bool:
    """Collect the visible text pieces; with `cap`, give up (False) once more than `cap` visible
    characters (neither white space nor zero-width spaces: each of them stays in the lines) were met."""
    # iterative (pathological nesting must not exhaust the stack), over the open elements' child
    # iterators: a walk that gives up early never lists the children it does not reach
    its = [node.iter(include_text=True)]
    blocks = [False]  # whether each open element is a block (a line break after it)
    seen = 0
    while its:
        for item in its[-1]:
            text = item.text_content  # None for elements and comments: cheaper than asking for the tag
            if text is not None:
                out.append(text)
                if cap is not None:
                    seen += sum(map(len, text.split())) - text.count("\u200b")
                    if seen > cap:
                        return False
                continue
            tag = item.tag
            if tag in SKIP_TAGS or tag.startswith("-") or is_hidden(item):
                continue
            block = tag in BLOCK_TAGS
            if block:
                out.append(_NEWLINE)
            its.append(item.iter(include_text=True))
            blocks.append(block)
            break
        else:  # the innermost open element has ended
            its.pop()
            if blocks.pop():
                out.append(_NEWLINE)
    return True


def text_lines(node: LexborNode | None) -> list[str]:
    """Non-empty lines of the node's visible text (block elements and <br> break lines)."""
    if node is None:
        return []
    text = node.text_content  # None for elements (and comments): cheaper than asking for the tag
    if text is not None:
        return _lines([text])
    parts: list[str] = []
    _walk(node, parts)
    return _lines(parts)


def lines_within(node: LexborNode, cap: int) -> list[str] | None:
    """text_lines(node), or None when they hold more than `cap` visible characters (so that the lines
    joined by spaces are longer than `cap`): the walk stops there. (A text node is not capped.)"""
    text = node.text_content
    if text is not None:
        return _lines([text])
    parts: list[str] = []
    return _lines(parts) if _walk(node, parts, cap) else None


def _lines(parts: list[str]) -> list[str]:
    if len(parts) == 1 and parts[0].isspace():
        return []  # the indentation between elements (the text node a sibling search meets most)
    # one substitution for all lines: no run of _SPACE holds a line break
    lines = (ln.strip() for ln in _SPACE.sub(" ", "".join(parts)).split("\n"))
    return [ln for ln in lines if ln]


def has_visible(text: str) -> bool:
    """Whether a text holds a character that is neither white space nor a zero-width space (one that
    makes a line of text_lines: _SPACE and the line strip drop all others)."""
    text = text.strip()
    if not text:
        return False
    return text[0] != "\u200b" or bool(text.replace("\u200b", "").strip())


def squash(text: str | None) -> str:
    """Whitespace collapsed to single spaces."""
    return " ".join((text or "").split())
