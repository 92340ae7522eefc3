"""Article pictures: absolute src, alt, caption without credit, credit without label, photographer."""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from functools import lru_cache
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from pipeline.data import lexicon
from pipeline.models import Image

logger = logging.getLogger(__name__)

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select", "iframe"})
_LAYOUT_ANCESTORS = frozenset({"header", "nav", "footer", "button"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|tiff?|bmp)(?:[?#].*)?$", re.I)
_MAX_CAPTION = 600
_MAX_LABEL = 160  # a teaser-list label is a short line
_CAPTION_CLASS = re.compile(r"caption|unterschrift|legend|credit|bildtext", re.I)
_INITIALS_NAME = re.compile(r"(?:[A-ZÄÖÜ]\.\s?){1,2}(?:-[A-ZÄÖÜ]\.\s?)?[A-ZÄÖÜ][\w'’-]+")
_ABBREV_END = re.compile(r"\b[A-ZÄÖÜ]\.$|\b(?:e\.V|Inc|Ltd|Co)\.$")


# ---- text helpers (contacts.py uses them too) ----

def is_hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = (attrs.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


_NEWLINE = "\n"  # the marker a block element leaves on the walk's stack for its end (a str, not a node)


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


def _lines_within(node: LexborNode, cap: int) -> list[str] | None:
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

@lru_cache(maxsize=1)
def _label_rx() -> re.Pattern[str]:
    labels = "|".join(sorted(lexicon("images")["credit_labels"], key=len, reverse=True))
    # "(Foto: X)", "… Foto: X", "….Foto: X" (glued) or "© X"
    return re.compile(rf"(?P<open>\(\s*)?(?:(?<![\w-])(?:{labels})\s*:|©)\s*")


@lru_cache(maxsize=1)
def _heads_rx() -> re.Pattern[str]:
    heads = "|".join(re.escape(h) for h in sorted(lexicon("images")["credit_heads"], key=len, reverse=True))
    name = r"[A-ZÄÖÜ][\w.'’-]*(?:\s+[A-ZÄÖÜ][\w.'’-]*){0,3}"
    # an unlabelled credit: after a sentence end, a known credit head (or "Name / Pixabay") to the end
    return re.compile(rf"(?:(?<=[.!?])|(?<=[.!?]\s))(?P<credit>(?:{heads}|{name}\s*/\s*(?:{heads}))[^!?]*)$")


def photographer_of(credit: str | None) -> str | None:
    """The person's part of a credit ("…, A. Bischof" -> "A. Bischof"), None for organisations."""
    if not credit:
        return None
    from pipeline.parse.people import looks_like_person  # people imports this module

    org = lexicon("images")["org_words"]
    for seg in reversed(re.split(r"\s*[,/;|]\s*|\s+-\s+|\s+–\s+", credit)):
        seg = seg.strip(" .()")
        words = seg.split()
        if not 2 <= len(words) <= 4 or any(w.strip(".") in org for w in words):
            continue
        if _INITIALS_NAME.fullmatch(seg):
            return seg
        if looks_like_person(seg):
            return seg
    return None


@lru_cache(maxsize=1024)  # a caption is split for its picture, its caption test and the people search
def split_credit(text: str | None) -> tuple[str | None, str | None, str | None]:
    """'Caption.Foto: Stadt Krefeld, …, A. Bischof' -> (caption, credit, photographer)."""
    text = squash(text)
    if not text:
        return None, None, None
    caption, credit = text, None
    m = None
    for cand in _label_rx().finditer(text):
        m = cand
        break
    if m is not None:
        rest = text[m.end():]
        if m.group("open"):
            depth, cut = 1, len(rest)
            for i, ch in enumerate(rest):
                depth += ch == "("
                depth -= ch == ")"
                if depth == 0:
                    cut = i
                    break
            credit = rest[:cut].strip()
            after = rest[cut + 1:].strip()
            caption = text[:m.start()].strip()
            if after.strip(" .,;:"):
                caption = f"{caption} {after}".strip()
        else:
            credit = rest.strip()
            caption = text[:m.start()].strip()
    else:
        h = _heads_rx().search(text)
        if h and h.start() > 0:
            credit = h.group("credit").strip()
            caption = text[:h.start()].strip()
    if credit is not None:
        credit = credit.strip(" ;,") or None
        if credit and credit.endswith(".") and not _ABBREV_END.search(credit):
            credit = credit[:-1]
    caption = caption.strip(" ,;–-") or None
    return caption, credit, photographer_of(credit)


# ---- pictures ----

def _src(img: LexborNode) -> str | None:
    attrs = img.attributes
    src = (attrs.get("src") or "").strip()
    lazy = next((attrs.get(k) for k in ("data-src", "data-original", "data-lazy-src") if attrs.get(k)), None)
    if lazy and (not src or src.startswith("data:") or "blank" in src or "placeholder" in src):
        src = lazy.strip()
    if (not src or src.startswith("data:")) and attrs.get("srcset"):
        src = (attrs.get("srcset") or "").split(",")[0].strip().split(" ")[0]
    return src or None


def _is_layout(img: LexborNode, main: LexborNode, src: str, climbed: dict[int, bool] | None = None) -> bool:
    attrs = img.attributes
    if attrs.get("role") == "presentation" or attrs.get("aria-hidden") == "true":
        return True
    for dim in ("width", "height"):
        val = (attrs.get(dim) or "").strip().removesuffix("px")
        if val.isdigit() and int(val) <= 48:
            return True
    low = src.lower().rsplit("/", 1)[-1]
    if src.startswith("data:") or any(w in low for w in lexicon("images")["layout_src_words"]):
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
            grown = known[key] = len(node.css("img")) > 1 or _squashed_longer(node.text(), _MAX_CAPTION + 400)
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


def _walked(node: LexborNode) -> bool:
    """Whether _walk descends into `node` when it meets it as a child."""
    tag = node.tag
    return not (tag in SKIP_TAGS or tag.startswith("-") or is_hidden(node))


def _contributes(sib: LexborNode) -> bool:
    """Whether a child, walked by _walk as part of its parent, adds any visible non-space character."""
    text = sib.text_content  # None for elements and comments: cheaper than asking for the tag
    if text is not None:
        return not text.isspace() and bool(_SPACE.sub("", text).strip())
    below = sib.text(deep=True)
    if not below or below.isspace() or not _SPACE.sub("", below).strip():
        return False  # no text below at all (cheap C-level checks before the attributes and the walk)
    return _walked(sib) and _lines_within(sib, 0) is None  # any visible character at all


def _same_lines(parent: LexborNode, node: LexborNode) -> bool:
    """text_lines(parent) == text_lines(node), without walking the whole parent when possible: with `node`
    walked the same inside its parent, the lines are equal exactly when no other child adds visible text
    (other children only add whitespace and line breaks, which the stripped, non-empty lines drop)."""
    if not _walked(node):
        return text_lines(parent) == text_lines(node)
    mine = node.mem_id
    children = parent.iter(include_text=True, skip_empty=True)  # (indentation adds nothing: skipped in C)
    return not any(_contributes(c) for c in children if c.mem_id != mine)


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
    if not text or len(text) > _MAX_CAPTION or node.tag in _HEADINGS or node.css_first("img") is not None:
        return False
    if node.css_first("h1, h2, h3, h4, h5, h6") is not None:
        return False
    if text.rstrip(":").lower() in {label.lower() for label in lexicon("contacts")["box_labels"]}:
        return False  # the contact box's heading
    if split_credit(text)[1] is not None or _CAPTION_CLASS.search(node.attributes.get("class") or ""):
        return True
    if node.tag != "p":
        return len(text) < _MAX_CAPTION
    # a plain paragraph counts only when it repeats the picture's own text (alt/title)
    hint = (img.attributes.get("alt") or img.attributes.get("title") or "").strip()
    return len(hint) > 8 and squash(text).startswith(squash(hint)[:40])


def _dedupe(lines: list[str]) -> str:
    """Join caption lines, dropping the repeats of a caption rendered twice (whole, or split in lines)."""
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
    for ln, s in zip(out, squashed, strict=True):
        longer = bisect_left(neg_lengths, -len(s))  # how many lines are longer than this one
        if not longer or joined.find(s, 0, ends[longer]) < 0:
            kept.append(ln)
    return " ".join(kept)


def _visible_caption(img: LexborNode, main: LexborNode) -> str | None:
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
            text = _dedupe(lines)
            if len(text) <= 2 * _MAX_CAPTION:
                return text
    sib = holder.next
    while sib is not None:
        lines = _lines_within(sib, _MAX_CAPTION)  # (a longer text is no caption: no need to walk it all)
        if lines is None:
            return None
        if lines:
            return _dedupe(lines) if _caption_like(sib, lines, img) else None
        sib = sib.next
    return None


def _title_text(img: LexborNode) -> str | None:
    title = img.attributes.get("title")
    if not title and img.parent is not None and img.parent.tag == "a":
        title = img.parent.attributes.get("title")
    return squash(title) or None


def _plainly_absolute(src: str) -> bool:
    """An absolute http(s) URL that urljoin would give back unchanged (it re-assembles an absolute URL
    from its parts: odd ones, such as an empty query or fragment, params or brackets, go through it)."""
    rest = src[8:] if src.startswith("https://") else src[7:] if src.startswith("http://") else ""
    return bool(rest) and rest[0] not in "/?#" and src.isascii() and src.isprintable() and " " not in src \
        and not any(c in src for c in ";[]") and not src.endswith(("?", "#")) and "?#" not in src


def extract_images(main_node: LexborNode | None, base_url: str) -> list[Image]:
    """The pictures of the main content, in page order, each once."""
    if main_node is None:
        return []
    cut: set[int] | None = None  # found at the first picture that needs it
    out: list[Image] = []
    seen: set[str] = set()
    imgs = main_node.css("img")
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
        url = src if _plainly_absolute(src) else urljoin(base_url, src)
        if url in seen:
            continue
        seen.add(url)
        alt = squash(img.attributes.get("alt")) or None
        text = _visible_caption(img, main_node) or _title_text(img) or alt
        caption, credit, photographer = split_credit(text)
        out.append(Image(src=url, alt=alt, caption=caption, credit=credit, photographer=photographer))
    return out
