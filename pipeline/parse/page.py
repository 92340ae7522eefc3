"""Page analysis: title, subtitle, lead, main text and the page's kind, from structure and semantics."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .content import _SKIP_LINE, choose_region, is_date_line, is_related_label, main_blocks
from .text import BOILER, CAPTION, HEADINGS, Block, Layout, clean

_TITLE_SEP = re.compile(r"\s+(?:\||–|—|-|::|·|»|:)\s+")
_PARTNER_HEADING = re.compile(r"^die (?:städte)?partnerschaft(?:en)? mit\b", re.I)
_OVERVIEW_TITLE = re.compile(r"^(?:unsere |krefelds )?städtepartnerschaften$|^partnerstädte$", re.I)
_PRESS_LABEL = re.compile(r"\b(?:veröffentlicht am|pressemitteilung vom|presseinformation vom)\b", re.I)
_PARTNER_PATH = re.compile(
    r"^/de/(?:oberbuergermeister|stadtmarketing)/(?!staedtepartnerschaften/?$)[^/]+/?$")
_OVERVIEW_PATH = re.compile(r"^/de/(?:oberbuergermeister|stadtmarketing)/staedtepartnerschaften/?$")
_PARTNER_LIST_LABEL = re.compile(r"^(?:das sind )?(?:krefelds |unsere )?partnerstädte\s*:?$", re.I)
_PRESS_PATH = re.compile(r"^/de/inhalt/[^/]+/?$")
_LISTING_PATH = re.compile(r"^/de/presse/pressemitteilungen/?$")


@dataclass
class Page:
    title: str | None = None
    subtitle: str | None = None
    lead: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    kind: str = "other"
    container: Any = None  # the main content node
    article: Any = None  # the smallest node holding title and main content (for images)
    head_lines: list[str] = field(default_factory=list)
    all_lines: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _title_from_head(tree: Any) -> str | None:
    og = tree.css_first('meta[property="og:title"]')
    if og is not None and (og.attributes.get("content") or "").strip():
        title = clean(og.attributes["content"] or "")
    else:
        node = tree.css_first("title")
        if node is None:
            return None
        title = clean(node.text(deep=True))
    # drop the site's name: "Sommerfest im Stadtpark | Stadt Musterstadt"
    parts = [p for p in _TITLE_SEP.split(title) if p.strip()]
    if len(parts) > 1:
        return max(parts, key=len) if len(parts[0]) < 12 else parts[0]
    return title or None


def _select_first(tree: Any, selector: str | None) -> Any:
    if not selector:
        return None
    try:
        return tree.css_first(selector)
    except Exception:  # noqa: BLE001 - a bad hint selector must not break parsing
        return None


def _title_block(lay: Layout, container: int) -> int | None:
    """Index into lay.blocks of the title heading: an h1 in or right before the main content."""
    h1s = [i for i, b in enumerate(lay.blocks) if b.tag == "h1" and not b.flags & CAPTION]
    if not h1s:
        return None
    # the title heads the text: an h1 after the container's first real paragraph is a box heading
    first_text = next((i for i, b in enumerate(lay.blocks) if lay.inside(b.elem, container)
                       and len(b.text) >= 80 and b.link_density < 0.3 and b.tag not in HEADINGS),
                      len(lay.blocks))
    inside = [i for i in h1s if lay.inside(lay.blocks[i].elem, container) and i < first_text]
    if inside:
        return inside[0]
    before = [i for i in h1s if lay.blocks[i].elem < container and not lay.blocks[i].flags & BOILER]
    if before:
        return before[-1]
    clean_h1 = [i for i in h1s if not lay.blocks[i].flags & BOILER and i < first_text]
    return clean_h1[0] if clean_h1 else None


def _directly_under(lay: Layout, title_index: int | None, block: Block) -> bool:
    """Whether only picture captions, date lines and furniture stand between the title and `block`."""
    if title_index is None:
        return False
    for b in lay.blocks[title_index + 1:]:
        if b is block:
            return True
        if not (b.flags & (CAPTION | BOILER) or is_furniture(b.text) or b.text in lay.titles
                or b.text in lay.repeated
                or any(b.text.startswith(a) for a in lay.alts) or len(b.text) < 3):
            return False
    return False


def _common_ancestor(lay: Layout, a: int, b: int) -> int:
    if lay.inside(b, a):
        return a
    for anc in lay.ancestors(a, limit=10_000):
        if lay.inside(b, anc):
            return anc
    return 0


def analyse(tree: Any, lay: Layout, url: str, selectors: dict[str, str] | None = None) -> Page:
    page = Page()
    selectors = selectors or {}
    region = choose_region(lay)
    container, extra = region[0], region[1:]
    hint = _select_first(tree, selectors.get("main"))
    if hint is not None:
        ids = [i for i, n in enumerate(lay.nodes) if n.mem_id == hint.mem_id]
        if ids:
            container, extra = ids[0], []
    ti = _title_block(lay, container)
    title_block: Block | None = lay.blocks[ti] if ti is not None else None
    hinted = _select_first(tree, selectors.get("title"))
    if hinted is not None:
        page.title = clean(hinted.text(deep=True)) or None
    elif title_block is not None:
        page.title = title_block.text.replace("\n", " ")
    else:
        page.title = _title_from_head(tree)

    blocks = main_blocks(lay, container, extra)
    if title_block is not None and lay.inside(title_block.elem, container):
        blocks = [b for b in blocks if b.elem > title_block.elem]
    blocks = [b for b in blocks if b.text != page.title]
    # the subtitle: a sub-headline before the first paragraph, directly under title or lead picture
    if (len(blocks) >= 2 and blocks[0].tag in HEADINGS and blocks[1].tag not in HEADINGS
            and title_block is not None and blocks[0].level >= title_block.level
            and _directly_under(lay, ti, blocks[0])):
        page.subtitle = blocks[0].text
        blocks = blocks[1:]
    page.paragraphs = [b.text for b in blocks]
    page.lead = next((b.text for b in blocks if b.tag not in HEADINGS), None)

    page.container = lay.nodes[container]
    top = _common_ancestor(lay, container, title_block.elem) if title_block is not None else container
    page.article = lay.nodes[top]
    page.all_lines = [b.text for b in lay.blocks if not b.flags & BOILER]
    start = ti if ti is not None else next((i for i, b in enumerate(lay.blocks)
                                            if lay.inside(b.elem, container)), 0)
    page.head_lines = [b.text for b in lay.blocks[max(0, start - 4): start + 8] if len(b.text) < 200]
    page.captions = [b.text for b in lay.blocks if b.flags & CAPTION and lay.inside(b.elem, top)]
    return page


def classify(page: Page, lay: Layout, url: str, published: str | None) -> str:
    """press_release, partner_page, overview, listing or other: semantics first, the URL as one signal."""
    path = urlsplit(url).path.split("&", 1)[0] if url else ""
    title = page.title or ""
    headings: list[str] = []
    teasers = 0  # linked headings (teaser titles)
    for b in lay.blocks:  # (one pass for both)
        if b.tag in HEADINGS and not b.flags & BOILER:
            headings.append(b.text)
            teasers += b.heading_link
    labelled = bool(_PRESS_LABEL.search(" ".join(page.head_lines)))
    if any(_PARTNER_HEADING.match(h) for h in headings) or (
            not labelled and (_PARTNER_PATH.match(path) or _in_partner_list(lay, title))):
        return "partner_page"
    if _OVERVIEW_TITLE.match(title) or _OVERVIEW_PATH.match(path):
        return "overview"
    own_paragraphs = sum(1 for p in page.paragraphs if len(p) > 150)
    if _LISTING_PATH.match(path) or (teasers >= 4 and own_paragraphs < 2 and not labelled):
        return "listing"
    if published and page.paragraphs and (labelled or _PRESS_PATH.match(path) or own_paragraphs >= 2):
        return "press_release"
    if _PRESS_PATH.match(path) and page.paragraphs:
        return "press_release"
    return "other"


def _in_partner_list(lay: Layout, title: str) -> bool:
    """Whether the page's title is an entry of its own "Das sind Krefelds Partnerstädte:" list: a
    partner page links every partner page, itself included (the same under any alias URL)."""
    if not title:
        return False
    for i, b in enumerate(lay.blocks):
        # the label starts with d, k, u or p, and every character re.I equates with one of them lowers
        # to it (checked over all code points): a cheap test first
        if b.text[:1].lower() in "dkup" and _PARTNER_LIST_LABEL.match(b.text):
            return any(x.text == title for x in lay.blocks[i + 1: i + 16])
    return False


def is_furniture(text: str) -> bool:
    """Whether a short line is page furniture rather than article text (skip links, date lines, …)."""
    return len(text) < 160 and bool(_SKIP_LINE.match(text) or is_date_line(text) or is_related_label(text))
