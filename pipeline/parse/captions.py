"""A picture's visible caption: its figcaption, the text of a small wrapper around it, or the caption-like
text right after the wrapper that holds nothing but the picture."""

from __future__ import annotations

import re
from bisect import bisect_left

from selectolax.lexbor import LexborNode

from pipeline.data import lexicon

from .credits import split_credit
from .visible import contributes, lines_within, squash, text_lines, walked

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NO_CAPTION = "img, h1, h2, h3, h4, h5, h6"  # an element holding (or being) one of these is no caption
MAX_CAPTION = 600
_CAPTION_CLASS = re.compile(r"caption|unterschrift|legend|credit|bildtext", re.I)


def _same_lines(parent: LexborNode, node: LexborNode) -> bool:
    """text_lines(parent) == text_lines(node), without walking the whole parent when possible: with `node`
    walked the same inside its parent, the lines are equal exactly when no other child adds visible text
    (other children only add whitespace and line breaks, which the stripped, non-empty lines drop)."""
    if not walked(node):
        return text_lines(parent) == text_lines(node)
    mine = node.mem_id
    children = parent.iter(include_text=True, skip_empty=True)  # (indentation adds nothing: skipped in C)
    return not any(contributes(c) for c in children if c.mem_id != mine)


def _holder(img: LexborNode, main: LexborNode) -> LexborNode:
    """The outermost wrapper of the picture that holds no text of its own (a, span, td, div …)."""
    main_id = main.mem_id
    node = img
    parent = node.parent
    while parent is not None and parent.mem_id != main_id:
        if parent.tag in ("figure", "body", "table") or not _same_lines(parent, node):
            break
        node = parent
        parent = node.parent
    return node


def _caption_like(node: LexborNode, lines: list[str], img: LexborNode) -> bool:
    text = " ".join(lines)
    if not text or len(text) > MAX_CAPTION or node.tag in _HEADINGS or node.css_first("img") is not None:
        return False
    if node.css_first("h1, h2, h3, h4, h5, h6") is not None:
        return False
    if text.rstrip(":").lower() in {label.lower() for label in lexicon("contacts")["box_labels"]}:
        return False  # the contact box's heading
    if split_credit(text)[1] is not None or _CAPTION_CLASS.search(node.attributes.get("class") or ""):
        return True
    if node.tag != "p":
        return len(text) < MAX_CAPTION
    # a plain paragraph counts only when it repeats the picture's own text (alt/title)
    hint = (img.attributes.get("alt") or img.attributes.get("title") or "").strip()
    return len(hint) > 8 and squash(text).startswith(squash(hint)[:40])


def _dedupe(lines: list[str], limit: int | None = None) -> str | None:
    """Join caption lines, dropping the repeats of a caption rendered twice (whole, or split in lines);
    None when the joined text would be longer than `limit` (the kept lines only grow: no need to finish)."""
    out: list[str] = []
    seen: set[str] = set()
    for ln in lines:
        half = len(ln) // 2
        if len(ln) % 2 == 1 and ln[:half] == ln[half + 1:]:
            ln = ln[:half]  # "X X" from two inline renderings
        if ln not in seen:
            seen.add(ln)
            out.append(ln)
    squashed = [ln.replace(" ", "") for ln in out]
    # a line goes when it lies inside a longer one: one C-level find in the longer lines joined by "\n"
    # (no line holds one; longest first, so the lines longer than L are a prefix); linear, not n² tests
    order = sorted(squashed, key=len, reverse=True)
    joined = "\n".join(order)
    neg_lengths = [-len(s) for s in order]
    ends = [0]
    for s in order:
        ends.append(ends[-1] + len(s) + (1 if len(ends) > 1 else 0))
    kept = []
    size = -1  # the length of the kept lines joined by spaces
    for ln, s in zip(out, squashed, strict=True):
        longer = bisect_left(neg_lengths, -len(s))  # how many lines are longer than this one
        if not longer or joined.find(s, 0, ends[longer]) < 0:
            kept.append(ln)
            size += len(ln) + 1
            if limit is not None and size > limit:
                return None
    return " ".join(kept)


def visible_caption(img: LexborNode, main: LexborNode) -> str | None:
    main_id = main.mem_id
    fig = img.parent
    while fig is not None and fig.mem_id != main_id and fig.tag != "figure":
        fig = fig.parent
    if fig is not None and fig.tag == "figure":
        cap = fig.css_first("figcaption")
        if cap is not None:
            return _dedupe(text_lines(cap)) or None
    holder = _holder(img, main)
    parent = holder.parent
    if parent is None:
        return None
    # a small wrapper (picture + caption, nothing else): its whole text is the caption
    if parent.mem_id != main_id and parent.tag not in ("body",) and len(parent.css("img")) == 1 \
            and not parent.css_first("h1, h2, h3, h4, h5, h6, p + p"):
        lines = text_lines(parent)  # (the walk last: the selector checks are cheaper)
        if lines:
            text = _dedupe(lines, 2 * MAX_CAPTION)
            if text is not None:
                return text
    sib = holder.next
    while sib is not None:
        if sib.text_content is None and sib.tag[0] != "-" and sib.css_first(_NO_CAPTION) is not None:
            # a picture or a heading in it: it is no caption (_caption_like), so the search ends at its
            # first visible character; no need to walk it all
            if lines_within(sib, 0) is None:
                return None
            sib = sib.next
            continue
        lines = lines_within(sib, MAX_CAPTION)  # (a longer text is no caption: no need to walk it all)
        if lines is None:
            return None
        if lines:
            return _dedupe(lines) if _caption_like(sib, lines, img) else None
        sib = sib.next
    return None


def title_text(img: LexborNode) -> str | None:
    title = img.attributes.get("title")
    if not title and img.parent is not None and img.parent.tag == "a":
        title = img.parent.attributes.get("title")
    return squash(title) or None
