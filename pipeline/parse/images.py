"""Article pictures: absolute src, alt, caption without credit, credit without label, photographer."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborNode

from pipeline.data import lexicon
from pipeline.models import Image

from .captions import MAX_CAPTION, title_text, visible_caption
from .credits import split_credit
from .picture_tree import PictureTree, Step
from .visible import is_hidden, squash, text_lines

if TYPE_CHECKING:
    from .text import Layout

__all__ = ["extract_images", "split_credit", "squash", "text_lines"]  # the last three: for older imports

logger = logging.getLogger(__name__)

_LAYOUT_ANCESTORS = frozenset({"header", "nav", "footer", "button"})
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|tiff?|bmp)(?:[?#].*)?$", re.I)
_MAX_LABEL = 160  # a teaser-list label is a short line
_MIN_LINK_TEXT = 15  # a teaser link's text is longer (squashed)


def _src(attrs: dict[str, str | None]) -> str | None:
    src = (attrs.get("src") or "").strip()
    lazy = next((attrs.get(k) for k in ("data-src", "data-original", "data-lazy-src") if attrs.get(k)), None)
    if lazy and (not src or src.startswith("data:") or "blank" in src or "placeholder" in src):
        src = lazy.strip()
    if (not src or src.startswith("data:")) and attrs.get("srcset"):
        src = (attrs.get("srcset") or "").split(",")[0].strip().split(" ")[0]
    return src or None


@lru_cache(maxsize=1)
def _layout_file_words() -> tuple[str, ...]:
    """The layout words of a file name (icon, spacer, …): a few substring tests cost less than one
    search for all of them (a regular expression tries its alternatives at every position)."""
    return tuple(lexicon("images")["layout_src_words"])


def _is_layout(attrs: dict[str, str | None], src: str) -> bool:
    """A layout picture by its own attributes or file name (its ancestors: _in_layout_box)."""
    if attrs.get("role") == "presentation" or attrs.get("aria-hidden") == "true":
        return True
    for dim in ("width", "height"):
        val = (attrs.get(dim) or "").strip().removesuffix("px")
        if val.isdigit() and int(val) <= 48:
            return True
    if src.startswith("data:"):
        return True
    name = src.lower().rsplit("/", 1)[-1]
    return any(word in name for word in _layout_file_words())


def _in_layout_box(chain: list[Step], known: dict[int, bool]) -> bool:
    """An ancestor below main is a layout element or hidden. `known` keeps each answer by key: the
    pictures of one gallery share their ancestors (same answers as climbing each time).

    The layout walk numbers no nav, footer or button and no hidden element (by the same hiding rule):
    only elements it did not number need their attributes read."""
    path = []
    found = False
    for key, node, tag in chain:
        seen = known.get(key)
        if seen is not None:
            found = seen
            break
        path.append(key)
        if tag in _LAYOUT_ANCESTORS or key < 0 and is_hidden(node):
            found = True
            break
    for key in path:
        known[key] = found
    return found


def _squashed_longer(text: str, limit: int) -> bool:
    """len(squash(text)) > limit, squashing no more than needed: the squash of a prefix is a prefix of the
    squash, so a long squashed prefix settles it (a big container's text is long on its first lines)."""
    if len(text) <= limit:
        return False
    return len(squash(text[:2 * limit])) > limit or len(squash(text)) > limit


def _teaser_link(a: LexborNode) -> bool:
    """A link to another page whose own text is a title or "mehr …" (not a picture, not an anchor)."""
    href = a.attributes.get("href") or ""
    if not href or _IMAGE_FILE.search(href) or href.startswith(("#", "javascript:", "mailto:")):
        return False
    return a.css_first("img") is None and len(squash(a.text())) > _MIN_LINK_TEXT


_GROWN, _WORDY, _QUIET = 2, 1, 0  # an ancestor: grown past one item, or not, with or without a link's text


def _in_teaser(chain: list[Step], tree: PictureTree, known: dict[int, int], links: dict[int, bool]) -> bool:
    """Inside a small item that links to another page (title or "mehr"): a teaser, not the article.

    The item is the outermost of the picture's (at most 12) ancestors below main that has not grown past
    one item (a second picture, a long text): growing only goes on upwards, and every smaller item lies
    inside it, so one look at its links answers for all of them. `known` (by key) and `links` (teaser
    link, by element) keep the answers within a page: a gallery's pictures share their ancestors."""
    item, state = None, _QUIET
    for key, node, _ in chain[:12]:
        found = known.get(key)
        if found is None:
            if tree.img_count(key, node) > 1:
                found = _GROWN
            else:
                text = node.text()
                found = _GROWN if _squashed_longer(text, MAX_CAPTION + 400) else \
                    _WORDY if _squashed_longer(text, _MIN_LINK_TEXT) else _QUIET
            known[key] = found
        if found == _GROWN:
            break
        item, state = node, found
    # a link's text is part of the item's (and squashing a longer text gives no shorter one): an item
    # without that much text holds no teaser link, and its links need no query
    if item is None or state == _QUIET:
        return False
    for a in item.css("a[href]"):
        key = a.mem_id
        hit = links.get(key)
        if hit is None:
            hit = links[key] = _teaser_link(a)
        if hit:
            return True
    return False


def _anchored(pattern: str) -> bool:
    """Whether a regular expression can only match at the start of a text: it begins with ^, and no "|"
    outside groups and brackets offers another way (a misread bracket only makes it "not anchored")."""
    if not pattern.startswith("^"):
        return False
    depth, in_class, escaped = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "|" and depth == 0:
            return False
    return True


@lru_cache(maxsize=1)
def _related_rx() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The teaser-list labels as two patterns: those anchored at the start, to be tried there only
    (`match`), and the others (`search`): one search for all of them tries every label at every position."""
    labels = lexicon("images")["related_labels"]
    parts = ([p for p in labels if _anchored(p)], [p for p in labels if not _anchored(p)])
    return tuple(re.compile("|".join(f"(?:{p})" for p in part) or "(?!)", re.I) for part in parts)


@lru_cache(maxsize=1)
def _shortest_label() -> int:
    """The fewest characters a teaser-list label takes (as the pattern parser counts a match's least
    width; 0 when that cannot be told): a shorter text is none, and squashing makes no text longer."""
    try:
        from re import _parser  # CPython's own (3.11 and later)

        return min(_parser.parse(rx.pattern, rx.flags).getwidth()[0] for rx in _related_rx())
    except Exception:  # noqa: BLE001 - a private module: without it, every text is tried
        return 0


class _Labels:
    """A walk through main in page order, as far as the pictures asked about, for a teaser-list label
    ("Weitere Meldungen", …): the pictures after one illustrate other pages. (Going no further than the
    last picture that needs the answer: the page's end is seldom read.)"""

    def __init__(self, main: LexborNode) -> None:
        # skip_empty: most text nodes are indentation, skipped in C (no label, no wrapper)
        self._nodes = main.traverse(include_text=True, skip_empty=True)
        self._met = False

    def before(self, img: LexborNode) -> bool:
        """Whether a label comes before the picture; asked of main's pictures in page order."""
        if self._met:
            return True
        at_start, anywhere = _related_rx()
        shortest = _shortest_label()
        stop = img.mem_id
        for node in self._nodes:
            raw = node.text_content  # None for elements and comments: cheaper than asking for the tag
            if raw is None:
                if node.mem_id == stop:
                    return False
                continue
            if not raw or len(raw) < shortest or raw.isspace():  # (white space beyond ASCII)
                continue
            # a paragraph is no label: its squashed first lines are too long already (a prefix of the squash)
            if len(raw) > 2 * _MAX_LABEL and len(squash(raw[:2 * _MAX_LABEL])) >= _MAX_LABEL:
                continue
            text = squash(raw)
            if len(text) < _MAX_LABEL and (at_start.match(text) or anywhere.search(text)):
                self._met = True
                return True
        return False


def _plainly_absolute(src: str) -> bool:
    """An absolute http(s) URL that urljoin would give back unchanged (it re-assembles an absolute URL
    from its parts: odd ones, such as an empty query or fragment, params or brackets, go through it)."""
    rest = src[8:] if src.startswith("https://") else src[7:] if src.startswith("http://") else ""
    return bool(rest) and rest[0] not in "/?#" and src.isascii() and src.isprintable() and " " not in src \
        and not any(c in src for c in ";[]") and not src.endswith(("?", "#")) and "?#" not in src


def _plainly_rooted(src: str) -> bool:
    """A path from the site's root ("/medien/a.jpg") that urljoin would put after the base's origin as it
    is: no dot segments to resolve, no parts it re-assembles (checked on random URLs, like the above)."""
    return src.startswith("/") and not src.startswith("//") and src.isascii() and src.isprintable() \
        and not any(c in src for c in " ;[]\\") and "/." not in src and not src.endswith(("?", "#")) \
        and "?#" not in src


def _origin(base_url: str) -> str | None:
    """scheme://host of an http(s) base (as urljoin keeps them), None for others and for bad ones."""
    if not base_url.startswith(("https://", "http://")):
        return None
    try:
        parts = urlsplit(base_url)
    except ValueError:
        return None  # urljoin says so, where it is needed
    return f"{parts.scheme}://{parts.netloc}"


class _PlainUrls:
    """The absolute URLs of a page's pictures that need no urljoin (most of them): unlike urljoin, which
    raises on some malformed URLs, this never fails, so it may go before all the other checks."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        self._origin: str | None = None
        self._asked = False  # (the base's origin: once a page, and only for a path from the root)

    def get(self, src: str) -> str | None:
        """src made absolute, or None when that takes urljoin."""
        if _plainly_absolute(src):
            return src
        if not _plainly_rooted(src):
            return None
        if not self._asked:
            self._origin, self._asked = _origin(self._base_url), True
        return None if self._origin is None else self._origin + src


def extract_images(main_node: LexborNode | None, base_url: str, lay: Layout | None = None) -> list[Image]:
    """The pictures of the main content, in page order, each once. `lay`: the layout walk main_node
    comes from (its arrays answer most questions about the pictures' ancestors), if there is one."""
    if main_node is None:
        return []
    out: list[Image] = []
    seen: set[str] = set()
    imgs = main_node.css("img")
    tree = PictureTree(main_node, lay, imgs)
    plain = _PlainUrls(base_url)
    climbed: dict[int, bool] = {}  # answers kept within the page, by key or element (see their functions)
    grown: dict[int, int] = {}
    links: dict[int, bool] = {}
    labels = _Labels(main_node)
    for img in imgs:
        attrs = img.attributes  # (one dict for all the attribute reads)
        src = _src(attrs)
        if not src or _is_layout(attrs, src):
            continue
        # (the checks are pure, so their order is free: the cheap ones first, the walk for labels last,
        # as far as needed; but urljoin, which may raise, stays after the checks it always came after)
        url = plain.get(src)
        if url in seen:
            continue
        chain = tree.chain(img)
        if _in_layout_box(chain, climbed) or _in_teaser(chain, tree, grown, links):
            continue
        if url is None:
            url = urljoin(base_url, src)
            if url in seen:
                continue
        if labels.before(img):
            continue
        seen.add(url)
        alt = squash(attrs.get("alt")) or None
        text = visible_caption(img, chain, tree) or title_text(img, attrs) or alt
        caption, credit, photographer = split_credit(text)
        out.append(Image(src=url, alt=alt, caption=caption, credit=credit, photographer=photographer))
    return out
