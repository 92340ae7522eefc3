"""Main-content detection: the element whose good text most outweighs its link and boilerplate text.

Blocks are scored jusText-style (length, link density, boilerplate context); every element collects the
weight of the blocks beneath it, and the container with the best good-minus-bad balance wins. The text is
then the container's blocks minus link lists, captions, date lines, skip links and teaser lists.
"""

from __future__ import annotations

import re

from .text import ARTICLE, BOILER, CAPTION, HEADINGS, MAIN_HINT, Block, Layout

BAD_WEIGHT = 0.7  # one character of link/boilerplate text costs this many characters of good text
BOILER_WEIGHT = 0.3  # text in furniture (nav, sidebar, comments) is removed anyway: a milder cost
MAIN_BONUS = 1.15  # semantic hint (article, main, class "content") on the container itself
LIST_LINK_DENSITY = 0.5  # a block after a label with this much link text makes the label a list's
LONG_PARAGRAPH = 250  # characters: longer than any teaser sentence
MIN_LINK_COST = 15  # characters: a menu of short links costs more than its few letters
SIBLING_SHARE = 0.2  # a sibling of the container joins it with at least this share of its score

_DATE_WORD = (r"(?:jan(?:uar|uary)?|feb(?:ruar|ruary)?|märz|maerz|mar(?:ch)?|apr(?:il)?|mai|may|"
              r"jun[ie]?|jul[iy]?|aug(?:ust)?|sep(?:t(?:ember)?)?|okt(?:ober)?|oct(?:ober)?|"
              r"nov(?:ember)?|dez(?:ember)?|dec(?:ember)?)\.?")
_DATE_RX = re.compile(rf"\b(?:\d{{1,2}}\.\s?\d{{1,2}}\.\s?(?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{2}}-\d{{2}}|"
                      rf"\d{{1,2}}\.?\s+{_DATE_WORD}\s+\d{{4}}|{_DATE_WORD}\s+\d{{1,2}},?\s+\d{{4}})", re.I)
_DIGIT = re.compile(r"\d")
_DATE_LABEL = re.compile(
    r"^(?:veröffentlicht|publiziert|erstellt|erschienen|aktualisiert|zuletzt|geändert|stand|datum|"
    r"pressemitteilung vom|published|posted|updated|last updated|date)\b", re.I)
_SKIP_LINE = re.compile(
    r"^(?:inhaltsbereich|seiteninhalt|hauptinhalt|zum inhalt(?: springen| wechseln)?|"
    r"zur navigation(?: springen)?|direkt zum inhalt|skip to (?:main )?content|navigation|"
    r"eingebettetes\s+(?:youtube[- ])?video.*|externer inhalt|diese seite (?:teilen|drucken)|"
    r"teilen|drucken|seite drucken|nach oben|zurück|zurück zur übersicht|share|tweet|"
    r"(?:diese |die )?(?:seite|artikel|beitrag|inhalt)\s+(?:teilen|empfehlen|drucken|versenden)\b.*|"
    r"share (?:this|on)\b.*|"
    r"über (?:den|die) (?:autor|autorin|verfasser|verfasserin)|über diese (?:reihe|serie)|"
    r"(?:ihr(?:e)? )?ansprechpartner(?:in)?|kontakt|markiert mit|schlagw(?:ö|oe)rter|schlagworte|"
    r"tags|stichw(?:ö|oe)rter|bild anzeigen|alle bilder anzeigen|mehr (?:erfahren|lesen|anzeigen)|"
    r"weiterlesen|zum artikel|anzeige|werbung|\W*\d[\d\W]*|"
    r"(?:foto|fotos|bild|bilder|grafik|repro|quelle|logo|copyright)\s*:.*|©.*)\W*$", re.I | re.S)
_RELATED = re.compile(
    r"^(?:(?:weitere|mehr|ähnliche|verwandte|aktuelle|neueste)\s+(?:\S+\s+){0,1}"
    r"(?:beiträge|artikel|nachrichten|meldungen|news|pressemitteilungen|themen|posts|einträge)\b|"
    r"related (?:posts|articles|stories|content)|das könnte sie auch interessieren|lesen sie auch|"
    r"(?:auch|ebenfalls) interessant|mehr zum thema|zum thema passend|you might also like|"
    r"nachrichten aus dem pressearchiv|"
    r"(?:ihr(?:e)? )?(?:kontakt|kontaktdaten|ansprechpartner(?:in|innen)?|ansprechperson(?:en)?)\s*:?$)",
    re.I)
# "… aus dem Pressearchiv:" anywhere in the first line: one more _RELATED form, kept apart because its
# leading ".*" backtracks over the whole first line of every short text (2/3 of _RELATED's cost)
_ARCHIVE_LABEL = re.compile(r".*\baus dem pressearchiv\s*:?$", re.I)


def is_related_label(text: str) -> bool:
    """The label of a list that is not the article's text: "Weitere Artikel", "Mehr zum Thema",
    "Nachrichten aus dem Pressearchiv", "Ihr Ansprechpartner:"."""
    # the archive form holds "arch", and every character re.I equates with a, r, c or h lowers to it
    # (checked over all code points): a cheap test first
    return _RELATED.match(text) is not None or (
        "arch" in text.lower() and _ARCHIVE_LABEL.match(text) is not None)
# a line of a contact box: "Telefon: 0 21 51 / 86-1554", "E-Mail: …", "Zimmer B 209", "Anschrift"
_CONTACT_LINE = re.compile(
    r"(?:tel(?:efon)?\.?|fon|fax|telefax|mobil|e-?mail|zimmer|raum|anschrift|postanschrift|"
    r"besucheranschrift)(?:\s*:|\s+[\d(+]|\s*\n|$)", re.I)


def _contact_line(text: str) -> bool:
    """Whether a line of `text` starts like a contact box line (tried at line starts only: a regex
    search for "(?:^|\n)…" would try every position)."""
    if _CONTACT_LINE.match(text):
        return True
    i = text.find("\n")
    while i >= 0:
        if _CONTACT_LINE.match(text, i + 1):
            return True
        i = text.find("\n", i + 1)
    return False


_CREDIT = re.compile(
    r"(?:^|[\s.!?(,])(?:foto|fotos|bild|bilder|grafik|repro|quelle|logo|copyright)\s*:\s*\S.{0,150}$|©",
    re.I | re.S)


def is_caption_text(text: str, lay: Layout, captions: set[str]) -> bool:
    """A picture's caption or credit line: repeats a caption or an image's title, ends in a labelled
    credit, or is an image's alt text plus a little (the credit)."""
    if text in captions or text in lay.titles or text in lay.repeated:
        return True
    if len(text) > 300:
        return False
    if (":" in text or "©" in text) and _CREDIT.search(text):  # (every credit holds one of them)
        return True
    if not lay.alts or not text.startswith(tuple(lay.alts)):  # (one C-level test: mostly no alt at all)
        return False
    return any(text.startswith(a) and len(text) <= len(a) + 80 for a in lay.alts)


_COOKIE = re.compile(r"\bcookies?\b.{0,200}\b(?:verwende|nutz|setz|einsatz|akzeptier|zustimm|einverstanden|"
                     r"use|accept|consent)|\b(?:verwende|nutz|setz|use)\w*\b.{0,80}\bcookies?\b", re.I | re.S)


def is_date_line(text: str) -> bool:
    """A line that is only a date, or a labelled date ("Veröffentlicht am: 15.11.2024")."""
    if len(text) > 90 or not _DIGIT.search(text):  # (every date form holds digits)
        return False
    m = _DATE_RX.search(text)
    if not m:
        return False
    if _DATE_LABEL.match(text):
        return True
    rest = (text[: m.start()] + text[m.end():]).strip(" ,.|-–—:/()")
    return len(rest) < 25 and not re.search(r"[.!?]\s", rest)


def _cookie_notice(text: str) -> bool:
    # both _COOKIE branches need "cookie": a cheap check first (lower() maps every character re.I
    # equates with c, o or k to it; a case-blind regex search is slower than lower() and `in`)
    return "cook" in text.lower() and _COOKIE.search(text) is not None


def choose_region(lay: Layout) -> list[int]:
    """The main content container first, then any sibling holding a good share of article text
    (recipes, long reads and CMS layouts split one article over sibling boxes)."""
    n = len(lay.parent)
    score = [0.0] * n
    for b in lay.blocks:
        text = b.text
        length = len(text)
        flags = b.flags
        density = b.link_chars / length if length else 0.0  # (Block.link_density, without the call)
        # good text: no furniture or caption, long enough, few links, no cookie notice
        if (not flags & (BOILER | CAPTION) and length >= 40 and density < 0.3
                and not (length < 600 and _cookie_notice(text))):
            w = min(length, 800) * (1.0 - density)
            if flags & ARTICLE:
                w *= 1.1
        elif flags & BOILER:
            w = -BOILER_WEIGHT * length
        elif density > 0.5:
            w = -BAD_WEIGHT * max(length, MIN_LINK_COST)
        else:
            continue
        score[b.elem] += w
    # one pass from the last element to the first: pre-order ids put every child after its parent, so
    # an element's score is complete when the pass reaches it; ">=" keeps the first of equal scores
    parent, eflags = lay.parent, lay.flags
    best, best_score = 0, float("-inf")
    for e in range(n - 1, -1, -1):
        s = score[e]
        if not s:
            continue
        p = parent[e]
        if p >= 0:
            score[p] += s
        if s <= 0:
            continue
        f = eflags[e]
        if f & MAIN_HINT:
            s *= MAIN_BONUS
        if f & BOILER:
            s *= 0.5
        if s >= best_score:
            best, best_score = e, s
    region = [best]
    p = lay.parent[best]
    if p < 0 or best_score <= 0:
        return region
    child = p + 1
    kin = (lay.tags[best], lay.nodes[best].attributes.get("class"))
    while child <= lay.end[p]:
        if child != best and not lay.flags[child] & BOILER and (
                score[child] >= SIBLING_SHARE * best_score
                or score[child] >= 0 and lay.tags[child] == kin[0] and kin[1]
                and lay.nodes[child].attributes.get("class") == kin[1]):
            region.append(child)
        child = lay.end[child] + 1
    return region


def main_blocks(lay: Layout, container: int, extra: list[int] | None = None) -> list[Block]:
    """The blocks of the article's own text inside the container (and the extra sibling containers),
    in document order."""
    out: list[Block] = []
    skip_until_level = 0  # inside a teaser list that started at a heading of this level
    skip_elem = -1  # inside a teaser item (element id)
    regions = [container, *(extra or [])]
    if len(regions) == 1:
        last = lay.end[container]
        blocks = [b for b in lay.blocks if container <= b.elem <= last]
    else:
        blocks = [b for b in lay.blocks if any(lay.inside(b.elem, r) for r in regions)]
    captions = {b.text for b in lay.blocks if b.flags & CAPTION}
    captions |= lay.repeated
    for i, b in enumerate(blocks):
        text = b.text
        if skip_elem >= 0 and lay.inside(b.elem, skip_elem):
            continue
        skip_elem = -1
        is_heading = b.tag in HEADINGS
        if skip_until_level:
            # a list ends at the next heading of its label's rank, or at a real paragraph
            # (teaser sentences are short)
            if (is_heading and not b.heading_link and b.level <= skip_until_level
                    and not is_related_label(text)) or (
                    len(text) > LONG_PARAGRAPH and b.link_density < 0.1 and not b.flags & (BOILER | CAPTION)
                    and not is_caption_text(text, lay, captions)):
                skip_until_level = 0
            else:
                continue
        length = len(text)
        if length < 160 and b.tag != "h1":
            related = is_related_label(text)
            # (only a heading or a line ending in ":" introduces a list: saves the call)
            if related or (is_heading or text.endswith(":")) and _introduces_list(text, blocks, i):
                if not is_heading or related or text.endswith(":"):
                    skip_until_level = b.level or 2
                continue
        if b.flags & (BOILER | CAPTION):
            continue
        if is_heading and b.heading_link:
            # a linked heading is a teaser title: drop its item (title, teaser sentence) when small;
            # a caption, contact or cookie line goes alone
            if not (is_caption_text(text, lay, captions) or length < 400 and _contact_line(text)
                    or length < 600 and _cookie_notice(text)):
                item = lay.parent[b.elem]
                if item > container and _item_chars(blocks, i, lay, item) < 700:
                    skip_elem = item
            continue
        # the rest only drops the block: the cheap tests first
        density = b.link_chars / length if length else 0.0  # (Block.link_density, without the call)
        if density > 0.5 and not (b.tag == "p" and length > 60 and density < 0.9):
            continue
        if length < 100 and (_SKIP_LINE.match(text) or is_date_line(text)):
            continue
        if is_caption_text(text, lay, captions):
            continue
        if length < 400 and _contact_line(text) or length < 600 and _cookie_notice(text):
            continue
        out.append(b)
    return out


def _introduces_list(text: str, blocks: list[Block], i: int) -> bool:
    """A short label (ending in a colon, or a heading) right before a list of links or teasers
    ("Aktuelles aus …:", "Mehr zum Thema")."""
    if len(text) > 100 or i + 1 >= len(blocks) or not (text.endswith(":") or blocks[i].tag in HEADINGS):
        return False
    nxt = blocks[i + 1]
    if nxt.tag == "p":  # "Das Konzeptpapier finden Sie hier:" + a link: part of the text
        return False
    return nxt.heading_link or nxt.link_density > LIST_LINK_DENSITY


def _item_chars(blocks: list[Block], i: int, lay: Layout, item: int) -> int:
    total = 0
    for b in blocks[i:]:
        if not lay.inside(b.elem, item):
            break
        if not b.flags & CAPTION:
            total += len(b.text)
    return total
