"""Where a picture sits below the main node: its ancestors and what they hold.

The layout walk (text.py) has numbered the elements it walked, with their parents, tags and subtree ranges:
an ancestor it numbered costs a list lookup instead of a tree call. It skips what the picture rules still
look into (<picture>, <noscript>, hidden and boilerplate boxes), so the elements it did not number are read
from the tree. Answers that depend on an element alone are kept for the page, by key: the element id where
the walk numbered it, minus its mem_id elsewhere (the two never meet: ids are >= 0, mem_ids > 0).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import attrgetter
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborNode

from .visible import has_visible, lines_within

if TYPE_CHECKING:
    from .text import Layout

Step = tuple[int, LexborNode, str]  # an ancestor: its key, the node, its tag
_MEM_ID = attrgetter("mem_id")  # (mapped in C over the numbered elements)


class PictureTree:
    """The ancestors of the pictures below `main`; `lay`, when given, is the walk main's node came from."""

    def __init__(self, main: LexborNode, lay: Layout | None, imgs: list[LexborNode]) -> None:
        self.main = main
        self.main_id = main.mem_id
        self.main_tag = main.tag
        self._imgs = imgs
        self._ids: dict[int, int] | None = None  # mem_id -> element id, for the walk's elements below main
        self._lay = lay
        self._top = -1
        self._anchors: list[int] | None = None
        self._blank: dict[int, bool] = {}

    def _numbered(self) -> dict[int, int]:
        """The element ids by mem_id (built at the first question: many pictures go on their attributes)."""
        self._ids = ids = {}
        lay = self._lay
        if lay is None:
            return ids
        # the page analysis hands over the walk's own node object: found by identity (== serialises)
        main = self.main
        top = next((e for e, node in enumerate(lay.nodes) if node is main), None)
        if top is None:
            return ids
        self._top = top
        self._parent, self._end, self._nodes, self._tags = lay.parent, lay.end, lay.nodes, lay.tags
        first, stop = top + 1, lay.end[top] + 1
        ids.update(zip(map(_MEM_ID, lay.nodes[first:stop]), range(first, stop), strict=True))
        return ids

    def _climb(self, img: LexborNode) -> tuple[list[LexborNode], int]:
        """The picture's ancestors the walk did not number, from its parent up, and the id of the
        first one it numbered (the top's when the climb reaches main first)."""
        ids = self._numbered() if self._ids is None else self._ids
        main_id = self.main_id
        skipped: list[LexborNode] = []
        node = img.parent
        while node is not None:
            mem_id = node.mem_id
            if mem_id == main_id:
                break
            e = ids.get(mem_id)
            if e is not None:  # numbered: so are all its ancestors up to main
                return skipped, e
            skipped.append(node)
            node = node.parent
        return skipped, self._top

    def chain(self, img: LexborNode) -> list[Step]:
        """The picture's ancestors from its parent up to main (main excluded)."""
        skipped, e = self._climb(img)
        out: list[Step] = [(-node.mem_id, node, node.tag) for node in skipped]
        top = self._top
        if e != top:  # (only then was the walk's layout given)
            parent, nodes, tags = self._parent, self._nodes, self._tags
            while e != top:
                out.append((e, nodes[e], tags[e]))
                e = parent[e]
        return out

    def img_count(self, key: int, node: LexborNode) -> int:
        """len(node.css("img")) for an ancestor of a picture."""
        if key < 0:
            return len(node.css("img"))
        # main's pictures are all of them; the ones below a numbered element are those whose nearest
        # numbered ancestor lies in its range (a numbered element's ancestors are all numbered)
        anchors = self._anchors
        if anchors is None:
            anchors = self._anchors = sorted(self._anchor(img) for img in self._imgs)
        return bisect_right(anchors, self._end[key]) - bisect_left(anchors, key)

    def _anchor(self, img: LexborNode) -> int:
        """The id of the picture's nearest numbered ancestor (main's at the latest)."""
        return self._climb(img)[1]

    def blank(self, key: int, node: LexborNode) -> bool:
        """text_lines(node) == []: no visible character below it (not every child need be asked)."""
        found = self._blank.get(key)
        if found is None:
            # no such character in any text node at all: a C-level read settles it without the walk
            found = not has_visible(node.text(deep=True)) or lines_within(node, 0) is not None
            self._blank[key] = found
        return found
