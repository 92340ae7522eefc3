"""Article pictures: absolute src, alt, caption without credit, credit without label, photographer."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborNode

from pipeline.data import lexicon
from pipeline.models import Image

from .captions import MAX_CAPTION, title_text, visible_caption
from .credits import split_credit
from .visible import is_hidden, squash, text_lines

__all__ = ["extract_images", "split_credit", "squash", "text_lines"]  # the last three: for older imports

logger = logging.getLogger(__name__)

_LAYOUT_ANCESTORS = frozenset({"header", "nav", "footer", "button"})
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|tiff?|bmp)(?:[?#].*)?$", re.I)
_MAX_LABEL = 160  # a teaser-list label is a short line


def _src(img: LexborNode) -> str | None:
    attrs = img.attributes
    src = (attrs.get("src") or "").strip()
    lazy = next((attrs.get(k) for k in ("data-src", "data-original", "data-lazy-src") if attrs.get(k)), None)
    if lazy and (not src or src.startswith("data:") or "blank" in src or "placeholder" in src):
        src = lazy.strip()
    if (not src or src.startswith("data:")) and attrs.get("srcset"):
        src = (attrs.get("srcset") or "").split(",")[0].strip().split(" ")[0]
    return src or None


@lru_cache(maxsize=1)
def _layout_file_rx() -> re.Pattern[str]:
    """Any of the layout words in a file name (icon, spacer, …): one search instead of a test per word."""
    return re.compile("|".join(re.escape(w) for w in sorted(lexicon("images")["layout_src_words"])))


def _is_layout(img: LexborNode, main: LexborNode, src: str, climbed: dict[int, bool] | None = None) -> bool:
    attrs = img.attributes
    if attrs.get("role") == "presentation" or attrs.get("aria-hidden") == "true":
        return True
    for dim in ("width", "height"):
        val = (attrs.get(dim) or "").strip().removesuffix("px")
        if val.isdigit() and int(val) <= 48:
            return True
    if src.startswith("data:") or _layout_file_rx().search(src.lower().rsplit("/", 1)[-1]):
        return True
    # an ancestor up to main is a layout element or hidden; `climbed` keeps each answer by element:
    # the pictures of one gallery share their ancestors (same answers as climbing each time)
    known = {} if climbed is None else climbed
    path = []
    found = False
    node = img.parent
    main_id = main.mem_id
    while node is not None and node.mem_id != main_id:
        seen = known.get(node.mem_id)
        if seen is not None:
            found = seen
            break
        path.append(node.mem_id)
        if node.tag in _LAYOUT_ANCESTORS or is_hidden(node):
            found = True
            break
        node = node.parent
    for mem_id in path:
        known[mem_id] = found
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
    return a.css_first("img") is None and len(squash(a.text())) > 15


def _in_teaser(img: LexborNode, main: LexborNode, known: dict[int, bool], links: dict[int, bool]) -> bool:
    """Inside a small item that links to another page (title or "mehr"): a teaser, not the article.

    The item is the outermost of the picture's (at most 12) ancestors below `main` that has not grown past
    one item (a second picture, a long text): growing only goes on upwards, and every smaller item lies
    inside it, so one look at its links answers for all of them. `known` (grown, by element) and `links`
    (teaser link, by element) keep the answers within a page: a gallery's pictures share their ancestors."""
    item = None
    node, depth = img.parent, 0
    main_id = main.mem_id
    while node is not None and node.mem_id != main_id and depth < 12:
        key = node.mem_id
        grown = known.get(key)
        if grown is None:
            grown = known[key] = len(node.css("img")) > 1 or _squashed_longer(node.text(), MAX_CAPTION + 400)
        if grown:
            break
        item = node
        node, depth = node.parent, depth + 1
    if item is None:
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


def _cut_pictures(main: LexborNode, last: LexborNode) -> set[int]:
    """The mem_ids of the nodes after a teaser-list label ("Weitere Meldungen", …) met before the picture
    `last` (a label after it cuts nothing): the pictures there illustrate other pages."""
    at_start, anywhere = _related_rx()
    stop = last.mem_id
    # skip_empty: most text nodes are indentation, skipped in C (no label, no wrapper)
    nodes = main.traverse(include_text=True, skip_empty=True)
    for node in nodes:
        raw = node.text_content  # None for elements and comments: cheaper than asking for the tag
        if raw is None:
            if node.mem_id == stop:
                return set()
            continue
        if not raw or raw.isspace():  # (white space beyond ASCII)
            continue
        # a paragraph is no label: its squashed first lines are too long already (a prefix of the squash)
        if len(raw) > 2 * _MAX_LABEL and len(squash(raw[:2 * _MAX_LABEL])) >= _MAX_LABEL:
            continue
        text = squash(raw)
        if len(text) < _MAX_LABEL and (at_start.match(text) or anywhere.search(text)):
            return {n.mem_id for n in nodes}  # the rest of the walk: everything after the label
    return set()


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


def extract_images(main_node: LexborNode | None, base_url: str) -> list[Image]:
    """The pictures of the main content, in page order, each once."""
    if main_node is None:
        return []
    cut: set[int] | None = None  # found at the first picture that needs it
    out: list[Image] = []
    seen: set[str] = set()
    imgs = main_node.css("img")
    origin = _origin(base_url)
    climbed: dict[int, bool] = {}  # answers kept within the page, by element (see their functions)
    grown: dict[int, bool] = {}
    links: dict[int, bool] = {}
    for img in imgs:
        src = _src(img)
        if not src or _is_layout(img, main_node, src, climbed):
            continue
        if cut is None:
            cut = _cut_pictures(main_node, imgs[-1])
        if img.mem_id in cut:
            continue
        if _in_teaser(img, main_node, grown, links):
            continue
        if _plainly_absolute(src):
            url = src
        elif origin and _plainly_rooted(src):
            url = origin + src
        else:
            url = urljoin(base_url, src)
        if url in seen:
            continue
        seen.add(url)
        alt = squash(img.attributes.get("alt")) or None
        text = visible_caption(img, main_node) or title_text(img) or alt
        caption, credit, photographer = split_credit(text)
        out.append(Image(src=url, alt=alt, caption=caption, credit=credit, photographer=photographer))
    return out
