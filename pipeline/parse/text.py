"""The page as a flat sequence of text blocks, each tagged with its context (links, boilerplate, captions).

One iterative walk over the tree (no recursion: pathological nesting must not blow the stack). Every
element gets a pre-order id, so "is block X inside element E" is the range test E < X <= end[E].
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from .names import (  # noqa: F401 - the flags are part of this module's interface
    ARTICLE,
    BOILER,
    BOILER_TAGS,
    CAPTION,
    FLAG_ATTRS,
    FLAGGED_TAGS,
    HEADER,
    MAIN_HINT,
    NAMED_BOILER,
    STATE_ATTRS,
    element_flags,
    hides,
)

DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "button", "select", "option", "optgroup", "textarea", "input", "head", "title", "meta", "link",
    "map", "area", "audio", "video", "source", "track", "dialog", "picture", "img", "base", "param",
    "-comment", "!doctype",
})
INLINE_TAGS = frozenset({
    "a", "span", "strong", "b", "em", "i", "u", "small", "big", "sub", "sup", "abbr", "acronym", "cite",
    "code", "q", "mark", "time", "font", "label", "s", "strike", "del", "ins", "bdi", "bdo", "dfn", "kbd",
    "samp", "var", "wbr", "tt", "nobr", "data", "output", "ruby", "rt", "rp",
})
# formatting elements: their id and class never mark furniture or captions, only hiding attributes count
PLAIN_INLINE = frozenset({"b", "strong", "em", "i", "u", "sup", "sub", "abbr", "code", "q", "cite",
                          "mark", "s", "del", "ins", "font", "bdi", "tt", "wbr", "nobr", "kbd", "var"})
# elements whose subtree is not walked (None: a node lexbor names no tag)
SKIP_TAGS = DROP_TAGS | BOILER_TAGS | {None}
_LEAF_TAGS = SKIP_TAGS | {"br", "hr"}  # the tags the walk does not open
_INHERITED = ~(MAIN_HINT | NAMED_BOILER)  # the flags an element passes on to its children
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

@dataclass(slots=True)
class Block:
    text: str
    tag: str  # the innermost block element's tag
    elem: int  # its pre-order id
    link_chars: int
    flags: int
    heading_link: bool = False  # the whole block is one link (teaser titles)

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0

    @property
    def level(self) -> int:
        return int(self.tag[1]) if self.tag in HEADINGS else 0


@dataclass
class Layout:
    """The flattened page: blocks in document order plus the element tree they hang on."""

    blocks: list[Block] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)
    nodes: list[Any] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    alts: set[str] = field(default_factory=set)  # images' alt texts (captions often repeat them)
    titles: set[str] = field(default_factory=set)  # title attributes of images and links (ditto)
    repeated: set[str] = field(default_factory=set)  # short texts shown twice near a picture (captions)
    # in document order: every visible non-blank text node the walk met and the root of every subtree it
    # skipped; together they cover all text nodes under the root (contacts scans them, not the tree)
    spots: list[Any] = field(default_factory=list)
    spot_texts: list[str | None] = field(default_factory=list)  # each spot's text (None: a subtree's root)

    def inside(self, elem: int, container: int) -> bool:
        return container <= elem <= self.end[container]

    def ancestors(self, elem: int, limit: int = 60) -> list[int]:
        out = []
        p = self.parent[elem]
        while p >= 0 and len(out) < limit:
            out.append(p)
            p = self.parent[p]
        return out


BR = "\u2028"  # stands for a <br> while text is collected: source line breaks are only white space


def clean(text: str) -> str:
    """Runs of white space as one space; <br> line breaks kept as "\n", without spaces around them."""
    if "\u200b" in text:
        text = text.replace("\u200b", "")
    if BR not in text:
        return " ".join(text.split())
    lines = (" ".join(part.split()) for part in text.split(BR))
    return "\n".join(line for line in lines if line)


def _note_image(attrs: dict[str, str | None], lay: Layout) -> None:
    """Remember alt and title texts of images and links: visible captions often repeat them."""
    title = attrs.get("title")
    if title and len(title) > 20:
        lay.titles.add(clean(title))
    alt = attrs.get("alt")
    if alt and len(alt) > 12:
        lay.alts.add(clean(alt))


_LEXBOR_BLANKS = " \t\n\f\r"  # the white space of iter(skip_empty=True): HTML's ASCII white space


def blank_before(node: Any) -> bool:
    """Whether `node` (None: none) is a text node of nothing but HTML's ASCII white space, or the nearest
    such sibling before it with only empty text nodes between: the one kind of text node that
    iter(skip_empty=True) leaves out. (The parser makes no two text nodes neighbours; an edited tree may.)"""
    while node is not None:
        t = node.text_content  # None for elements and comments
        if t:
            return not t.strip(_LEXBOR_BLANKS)
        if t is None and not node.is_text_node:
            return False
        node = node.prev
    return False


def layout(root: Any) -> Layout:
    """Walk the tree under `root` once and cut its text into blocks."""
    lay = Layout()
    parent, end, eflags, nodes, tags, blocks = lay.parent, lay.end, lay.flags, lay.nodes, lay.tags, lay.blocks
    spot, spot_text = lay.spots.append, lay.spot_texts.append  # (contacts need not read the texts again)
    # the text of the block being collected; white space and <br> only after some text (has_text), as
    # leading ones vanish in clean(): so buf is empty whenever has_text is False
    buf: list[str] = []
    add = buf.append
    has_text = False
    link_chars = 0  # likewise 0 whenever has_text is False
    link_depth = 0
    block_id, block_tag = 0, "body"  # the innermost open block element

    def flush() -> None:
        nonlocal link_chars, has_text
        has_text = False
        text = clean("".join(buf))
        buf.clear()
        if text:
            lc = min(link_chars, len(text))
            blocks.append(Block(text, block_tag, block_id, lc, eflags[block_id],
                                heading_link=lc >= 0.9 * len(text)))
        link_chars = 0

    parent.append(-1)
    end.append(0)
    eflags.append(0)
    nodes.append(root)
    tags.append(root.tag or "body")
    # the open elements above the innermost one, each with its iterator over its children and what it
    # is: a dropped element's subtree (navigation, scripts, hidden boxes) is never visited at all
    stack: list[tuple[Any, int, int, bool, bool, int, str]] = []
    # lexbor passes over the text nodes of ASCII white space alone (the indentation: a third of a page's
    # nodes) before any Python object is made for them. Such a node only adds a space after some text:
    # blank_before looks for one where that space would be the only one
    it = root.iter(include_text=True, skip_empty=True)
    # the innermost open element: its id, the flags its children inherit, what it is
    eid, inherited, is_block, is_link = 0, 0, True, False
    image_marks: list[int] = []  # number of blocks when each picture was met
    image_parents: list[int] = []  # the element holding each picture
    while True:
        for node in it:
            t = node.text_content  # None for an element or comment (and a text node without data)
            if has_text and not buf[-1][-1].isspace() and not (t and t[0].isspace()) \
                    and blank_before(node.prev):
                add(" ")
            if t is not None:
                if not t:
                    continue
                if t.isspace():  # (white space beyond ASCII)
                    if has_text:
                        add(" ")
                    continue
                add(t)
                spot(node)
                spot_text(t)
                has_text = True
                if link_depth:
                    link_chars += len(t.strip())
                continue
            tag = node.tag
            if tag in _LEAF_TAGS or tag[0] == "-":
                if tag == "br":
                    if has_text:
                        add(BR)
                elif tag == "img":
                    _note_image(node.attributes, lay)
                    image_marks.append(len(blocks))
                    image_parents.append(eid)
                elif tag == "hr":
                    if has_text:
                        flush()
                elif tag is None or tag[0] != "-":
                    spot(node)
                    spot_text(None)
                continue
            attrs = node.attributes
            if tag in PLAIN_INLINE:
                fl: int | None = None if attrs and not STATE_ATTRS.isdisjoint(attrs) and hides(attrs) \
                    else inherited
            else:
                if tag == "a" and attrs and ("title" in attrs or "alt" in attrs):
                    _note_image(attrs, lay)
                if tag not in FLAGGED_TAGS and (not attrs or FLAG_ATTRS.isdisjoint(attrs)):
                    fl = inherited  # the common bare <div>, <p>, <li>, <a href>: nothing to learn
                else:
                    fl = element_flags(attrs, tag, inherited)
            if fl is None:
                spot(node)
                spot_text(None)
                if len(lay.titles) < 200:
                    # a hidden copy of a visible text (a caption's "title" twin) marks that text
                    hidden = clean(node.text(deep=True, separator=" "))
                    if 20 < len(hidden) < 1500:
                        lay.titles.add(hidden)
                continue
            stack.append((it, eid, inherited, is_block, is_link, block_id, block_tag))
            parent.append(eid)
            eid = len(end)
            end.append(eid)
            eflags.append(fl)
            nodes.append(node)
            tags.append(tag)
            inherited = fl & _INHERITED
            is_block = tag not in INLINE_TAGS
            if is_block:
                if has_text:
                    flush()
                block_id, block_tag = eid, tag
            is_link = tag == "a"
            if is_link:
                link_depth += 1
            it = node.iter(include_text=True, skip_empty=True)
            break
        else:  # the innermost open element has ended
            end[eid] = len(parent) - 1
            if is_block:
                if has_text:
                    flush()  # (a trailing space would go in clean() anyway)
            elif has_text and not buf[-1][-1].isspace() and blank_before(nodes[eid].last_child):
                add(" ")
            if not stack:
                break  # the root
            if is_link:
                link_depth -= 1
            it, eid, inherited, is_block, is_link, block_id, block_tag = stack.pop()
    named = [e for e, f in enumerate(eflags) if f & NAMED_BOILER]
    if named or image_parents:
        counts, chars = _subtree_sums(lay)  # (the confirmation below changes flags only)
        _confirm_named_boiler(lay, named, chars)
        _mark_figure_captions(lay, image_parents, counts, chars)
    _mark_repeated_captions(lay, image_marks)
    return lay


def _subtree_sums(lay: Layout) -> tuple[list[int], list[int]]:
    """Per element, the number of blocks and of text characters in its subtree."""
    counts = [0] * len(lay.parent)
    chars = [0] * len(lay.parent)
    for b in lay.blocks:
        counts[b.elem] += 1
        chars[b.elem] += len(b.text)
    parent = lay.parent
    for e in range(len(parent) - 1, 0, -1):  # pre-order ids: children after their parent
        p = parent[e]
        counts[p] += counts[e]
        chars[p] += chars[e]
    return counts, chars


def _mark_figure_captions(lay: Layout, image_parents: list[int], counts: list[int], chars: list[int]) -> None:
    """The short text of a small box around a picture (a figure without <figure>) is its caption."""
    if not image_parents:
        return
    by_elem = sorted((b.elem, b.text) for b in lay.blocks)
    elems = [e for e, _ in by_elem]
    for holder in set(image_parents):
        box, steps = holder, 0
        while box > 0 and counts[box] == 0 and steps < 3:
            box, steps = lay.parent[box], steps + 1
        # the picture sits in its own element (not inline in a paragraph) beside the short text
        if box > 0 and steps > 0 and 0 < counts[box] <= 2 and chars[box] < 400:
            i = bisect_left(elems, box)
            while i < len(elems) and elems[i] <= lay.end[box]:
                if lay.tags[elems[i]] not in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6"):
                    lay.repeated.add(by_elem[i][1])
                i += 1


def _mark_repeated_captions(lay: Layout, image_marks: list[int]) -> None:
    """A short text shown twice within a few blocks of a picture is its caption rendered twice."""
    blocks = lay.blocks
    for mark in image_marks:
        near = [b.text for b in blocks[max(0, mark - 3): mark + 4] if len(b.text) < 1500]
        for i, text in enumerate(near):
            if text in near[i + 1:]:
                lay.repeated.add(text)


def _confirm_named_boiler(lay: Layout, named: list[int], chars: list[int]) -> None:
    """An element whose class names furniture (`named`) is boilerplate only if it holds a minor share of
    the text: a wrapper named after its sidebar ("content-sidebar-wrap") still holds the whole page."""
    if not named:
        return
    limit = 0.4 * (chars[0] or 1)
    extra = [False] * len(lay.parent)
    covered = -1
    for e in named:
        if e <= covered or chars[e] >= limit:
            continue
        covered = lay.end[e]
        for d in range(e, covered + 1):
            extra[d] = True
            lay.flags[d] |= BOILER
    for b in lay.blocks:
        if extra[b.elem]:
            b.flags |= BOILER
