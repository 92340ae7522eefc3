"""A picture's visible caption: its figcaption, the text of a small wrapper around it, or the caption-like
text right after the wrapper that holds nothing but the picture."""

from __future__ import annotations

import re
from bisect import bisect_left

from selectolax.lexbor import LexborNode

from pipeline.data import lexicon

from .credits import split_credit
from .picture_tree import PictureTree, Step
from .visible import lines_within, squash, text_lines

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NO_CAPTION = "img, h1, h2, h3, h4, h5, h6"  # an element holding (or being) one of these is no caption
MAX_CAPTION = 600
_CAPTION_CLASS = re.compile(r"caption|unterschrift|legend|credit|bildtext", re.I)


def _holder(img: LexborNode, chain: list[Step], tree: PictureTree) -> tuple[LexborNode, int]:
    """The outermost wrapper of the picture that holds no text of its own (a, span, td, div …), and the
    index in `chain` of the wrapper's parent (len(chain): main).

    A wrapper holds no text of its own when its lines are the picture's, and a picture has none (a void
    element): so the climb goes on while the parent's lines are empty, asked of each parent once a page."""
    node = img
    for i, (key, parent, tag) in enumerate(chain):
        if tag in ("figure", "body", "table") or not tree.blank(key, parent):
            return node, i
        node = parent
    return node, len(chain)


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
            # "X X" from two inline renderings. A one-character line ("(", "»", "0") also halves to ""
            # here, which drops it: such lines are icons, counters and bullets, not captions (keeping
            # them was tried: 40 of 1,237 bench pages then got junk captions like "(" or "… |")
            ln = ln[:half]
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


def visible_caption(img: LexborNode, chain: list[Step], tree: PictureTree) -> str | None:
    """The caption the page shows with the picture; `chain`: its ancestors below main (tree.chain)."""
    fig = next((node for _, node, tag in chain if tag == "figure"), None)
    if fig is None and tree.main_tag == "figure":
        fig = tree.main  # (the climb ends at main, which may be a figure itself)
    if fig is not None:
        cap = fig.css_first("figcaption")
        if cap is not None:
            return _dedupe(text_lines(cap)) or None
    holder, at = _holder(img, chain, tree)
    # a small wrapper (picture + caption, nothing else): its whole text is the caption
    if at < len(chain):
        key, parent, tag = chain[at]
        if tag != "body" and tree.img_count(key, parent) == 1 \
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


def title_text(img: LexborNode, attrs: dict[str, str | None] | None = None) -> str | None:
    """The picture's title, or its link's; `attrs`: the picture's attributes, if already read."""
    title = (img.attributes if attrs is None else attrs).get("title")
    if not title and img.parent is not None and img.parent.tag == "a":
        title = img.parent.attributes.get("title")
    return squash(title) or None
