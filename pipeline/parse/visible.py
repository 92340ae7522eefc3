"""The visible text of a subtree as lines: block elements and <br> break lines; scripts, styles, hidden
elements and the like are skipped. Pictures (captions) and contacts read their boxes with it."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select", "iframe"})
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_NEWLINE = "\n"  # the marker a block element leaves on the walk's stack for its end (a str, not a node)


def is_hidden(node: LexborNode) -> bool:
    """Hidden by an attribute or an inline style: the walk skips the element and all below it."""
    attrs = node.attributes
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _walk(node: LexborNode, out: list[str], cap: int | None = None) -> bool:
    """Collect the visible text pieces; with `cap`, give up (False) once more than `cap` visible
    characters (neither white space nor zero-width spaces: each of them stays in the lines) were met."""
    # iterative: pathological nesting must not exhaust the stack
    stack: list[LexborNode | str] = list(node.iter(include_text=True))
    stack.reverse()
    seen = 0
    while stack:
        item = stack.pop()
        if item is _NEWLINE:
            out.append(_NEWLINE)
            continue
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
        children = list(item.iter(include_text=True))
        children.reverse()
        if tag in BLOCK_TAGS:
            out.append(_NEWLINE)
            stack.append(_NEWLINE)
        stack.extend(children)
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


def squash(text: str | None) -> str:
    """Whitespace collapsed to single spaces."""
    return " ".join((text or "").split())


# ---- credits ----


def walked(node: LexborNode) -> bool:
    """Whether _walk descends into `node` when it meets it as a child."""
    tag = node.tag
    return not (tag in SKIP_TAGS or tag.startswith("-") or is_hidden(node))


def contributes(sib: LexborNode) -> bool:
    """Whether a child, walked by _walk as part of its parent, adds any visible non-space character."""
    text = sib.text_content  # None for elements and comments: cheaper than asking for the tag
    if text is not None:
        return not text.isspace() and bool(_SPACE.sub("", text).strip())
    below = sib.text(deep=True)
    if not below or below.isspace() or not _SPACE.sub("", below).strip():
        return False  # no text below at all (cheap C-level checks before the attributes and the walk)
    return walked(sib) and lines_within(sib, 0) is None  # any visible character at all
