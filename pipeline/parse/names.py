"""What an element's tag, id, class and role say about it: furniture, caption, hidden, content region."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .memo import remember

# element flags, inherited by descendants
BOILER = 1
CAPTION = 2
ARTICLE = 4  # inside <article>/<main> or an element whose class says so
HEADER = 8  # inside a <header>
MAIN_HINT = 16  # this element itself looks like the content region (semantics)
NAMED_BOILER = 32  # this element's id/class names page furniture (not inherited)
STRONG_BOILER = 64  # (name flags only) a furniture word that never names a wrapper

BOILER_TAGS = frozenset({"nav", "aside", "footer", "menu"})
FLAGGED_TAGS = frozenset({"article", "main", "header", "figcaption", "figure"})  # flags from the tag alone
# the only attributes element_flags reads: an element without any of them inherits its parent's flags
FLAG_ATTRS = frozenset({"hidden", "aria-hidden", "style", "id", "class", "role", "itemprop"})
# the attributes besides id and class that element_flags reads (rarely present)
STATE_ATTRS = FLAG_ATTRS - {"id", "class"}
_TAG_RULES = BOILER_TAGS | FLAGGED_TAGS  # the tags element_flags has a rule for
BOILER_ROLES = frozenset({
    "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "toolbar",
    "dialog", "alertdialog", "tablist",
})
# class/id words of page furniture; matched as whole words of the attribute (split at space, _ and -)
_BOILER_WORDS = (
    "nav|navbar|navi|navigation|menu|menue|mainmenu|submenu|subnav|breadcrumb|breadcrumbs|crumbs|"
    "footer|fusszeile|cookie|cookies|consent|gdpr|dsgvo|share|sharing|shariff|social|socialmedia|"
    "sidebar|widgets|widget-area|related|comment|comments|kommentar|kommentare|commentlist|respond|banner|"
    "advert|advertisement|ads|werbung|anzeige|promo|newsletter|skiplink|skiplinks|skip|pagination|"
    "pager|tagcloud|login|searchform|toolbar|topbar|masthead|copyright|disclaimer|popup|modal|overlay|"
    "rating|sitemap|sponsor|sponsored|servicenav|metanav|social-links|postmetadata|print|drucken|"
    "author-box|authorbox|abo|paywall|outbrain|taboola|teaserlist|teaser-list|teasers|recommendations|teilen"
)
_HIDDEN_NAMES = frozenset(
    [
        "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "screenreader",
        "element-invisible", "hidden", "hide", "invisible", "offscreen", "u-hidden", "is-hidden", "d-none",
        "skip-link", "skiplink", "skip-links", "show-for-sr", "a11y-hidden", "ym-skip"
    ])
_STYLE_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BOILER_NAMES = frozenset(_BOILER_WORDS.split("|"))
_CAPTION_NAMES = frozenset(
    [
        "caption", "figcaption", "bildunterschrift", "credit", "credits", "copyright", "photo-credit",
        "imagecredit", "image-caption", "bildnachweis", "bildquelle", "wp-caption-text", "legend"
    ])
_MAIN_NAMES = frozenset(
    [
        "content", "article", "artikel", "post", "entry", "story", "text", "body", "main", "inhalt",
        "beitrag", "blogpost", "news", "meldung"
    ])
# words that name furniture and never a page wrapper (comments can outweigh the article itself)
_STRONG_BOILER_NAMES = frozenset([
    "comment", "comments", "kommentar", "kommentare", "commentlist", "respond", "cookie", "cookies",
    "consent", "share", "sharing", "shariff", "newsletter", "outbrain", "taboola", "paywall"])
_NAME_SPLIT = re.compile(r"[\s_-]+")

_NEVER_NAMED_BOILER = frozenset({"body", "html", "article", "main"})
# taxonomy classes ("category-newsletter", "tag-social") describe the article's topic, not its role.
# Every match begins at a separator (the text is searched with a space put before it, standing for the
# start of the text): sre then skips ahead to the next separator instead of trying each branch everywhere
_TAXONOMY = re.compile(r"[\s_-](?:"
                       r"(?<=\s)(?:category|tag|tags|post_tag|topic|rubrik|ressort|section)-\S*"
                       # modifiers say what an element holds or allows, not what it is: "has-ads"
                       r"|(?:has|with|without|no|show|hide|allow|enable|disable)[-_]+[a-z0-9]+"
                       # BEM modifiers name a variant of a block: "TestReport__Section--Ads"
                       r"|(?<=-)-[a-z0-9-]+)",
                       re.I)

# a split word of the names in every _TAXONOMY match but a BEM modifier's ("post_tag-x" holds "tag")
_TAXONOMY_WORDS = frozenset(["category", "tag", "tags", "topic", "rubrik", "ressort", "section",
                             "has", "with", "without", "no", "show", "hide", "allow", "enable", "disable"])


def _parts(words: frozenset[str]) -> frozenset[str]:
    """The split words of the given words (as _name_flags splits an element's names)."""
    return frozenset(part for word in words for part in _NAME_SPLIT.split(word) if part)


# a quick pre-check (a necessary condition): a known word is a split word of the names, or two of them
# joined by "-"; so some split word must be a part of some vocabulary word (one C-level set test)
_WORD_PARTS = _parts(_BOILER_NAMES | _CAPTION_NAMES | _MAIN_NAMES | _HIDDEN_NAMES)
_HIDDEN_PARTS = _parts(_HIDDEN_NAMES)

# first words of the hyphenated known words ("widget" of "widget-area"): pairs matter only after them
_PAIR_FIRSTS = frozenset(word.split("-", 1)[0]
                         for word in _BOILER_NAMES | _CAPTION_NAMES | _MAIN_NAMES | _STRONG_BOILER_NAMES
                         if "-" in word)


# what each known word is, as bits: one dict lookup per word of an element's names answers every
# question _name_flags asks of it (instead of a set test per question, each hashing the words again)
_IS_HIDDEN_PART, _IS_TAXONOMY, _IS_PAIR_FIRST = 2, 4, 8  # of the split words (_WORD_PARTS: one set test)
_NAMES_BOILER, _NAMES_STRONG, _NAMES_CAPTION, _NAMES_MAIN = 16, 32, 64, 128  # of the words and pairs


def _word_bits() -> dict[str, int]:
    bits: dict[str, int] = {}
    for bit, words in ((_IS_HIDDEN_PART, _HIDDEN_PARTS), (_IS_TAXONOMY, _TAXONOMY_WORDS),
                       (_IS_PAIR_FIRST, _PAIR_FIRSTS),
                       (_NAMES_BOILER, _BOILER_NAMES), (_NAMES_STRONG, _STRONG_BOILER_NAMES),
                       (_NAMES_CAPTION, _CAPTION_NAMES), (_NAMES_MAIN, _MAIN_NAMES)):
        for word in words:
            bits[word] = bits.get(word, 0) | bit
    return bits


_WORD_BITS = _word_bits()
# a word or pair that names something, or the first word of a pair that may
_NAMING = _IS_PAIR_FIRST | _NAMES_BOILER | _NAMES_STRONG | _NAMES_CAPTION | _NAMES_MAIN


def _bits_of(words: Iterable[str]) -> int:
    found = 0
    for word in words:
        if word in _WORD_BITS:  # (compiled: two C-level lookups, no bound method)
            found |= _WORD_BITS[word]
    return found


# _name_flags' answers by id and class text (memo.py): class names repeat a lot within and across pages
_NAME_FLAGS: dict[str, int] = {}
_NAME_FLAGS_MAX = 65536


def _split(names: str) -> list[str]:
    """The words between white space, "_" and "-" (as _NAME_SPLIT cuts them; str.split is much faster)."""
    return names.replace("_", " ").replace("-", " ").split()


def _name_flags(names: str) -> int:
    """What an element's id and class say: -1 hidden, else BOILER/CAPTION/MAIN_HINT bits."""
    names = names.lower()
    split = _split(names)
    if _WORD_PARTS.isdisjoint(split):  # most ("row", "col-md-6") hold no known word
        return 0
    bits = _bits_of(split)
    # whole class names only ("hidden-xs" is visible); each holds split words of a hidden name
    if bits & _IS_HIDDEN_PART and not _HIDDEN_NAMES.isdisjoint(names.split()):
        return -1
    if not bits & _NAMING:
        return 0  # (dropping taxonomy classes below only takes words away: no known word or pair comes)
    words = split
    # (each _TAXONOMY match holds a "-" or "_", and "--" or one of _TAXONOMY_WORDS; in ASCII, re.I is
    # plain case-folding)
    if ("-" in names or "_" in names) and ("--" in names or not names.isascii() or bits & _IS_TAXONOMY):
        words = _split(_TAXONOMY.sub(" ", " " + names))
        bits = _bits_of(words)
    # single words and hyphen/underscore pairs ("social-links", "image-caption")
    if bits & _IS_PAIR_FIRST:  # else no pair can be a known word: not worth building
        bits |= _bits_of(map("-".join, zip(words, words[1:], strict=False)))
    flags = 0
    if bits & _NAMES_BOILER:
        flags |= BOILER
        if bits & _NAMES_STRONG and not bits & _NAMES_MAIN:
            flags |= STRONG_BOILER
    if bits & _NAMES_CAPTION:
        flags |= CAPTION
    if bits & _NAMES_MAIN:
        flags |= MAIN_HINT
    return flags


def hides(attrs: dict[str, str | None]) -> bool:
    """The element's hidden, aria-hidden or style attribute hides it, and so all below it."""
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    return bool(style) and _STYLE_HIDDEN.search(style) is not None


def element_flags(attrs: dict[str, str | None], tag: str, inherited: int) -> int | None:
    """Flags for an element, or None when the element and its subtree are to be dropped (hidden)."""
    flags = inherited
    if attrs:
        # most elements carry only id/class among the attributes read here: the rest is looked at
        # only when present (one C-level test instead of five lookups)
        state = not STATE_ATTRS.isdisjoint(attrs)
        if state and hides(attrs):
            return None
        ident, cls = attrs.get("id"), attrs.get("class")
        if ident or cls:
            names = f"{ident} {cls}" if ident and cls else ident or cls or ""  # (words: the same either way)
            found = _NAME_FLAGS.get(names)
            if found is None:
                found = remember(_NAME_FLAGS, names, _name_flags(names), _NAME_FLAGS_MAX)
            if found:
                if found < 0:
                    return None
                if found & BOILER and tag not in _NEVER_NAMED_BOILER and not flags & BOILER:
                    # most furniture words also name page wrappers ("content-sidebar-wrap"): confirmed
                    # after the walk, when the element's share of the text is known
                    flags |= BOILER if found & STRONG_BOILER else NAMED_BOILER
                flags |= found & (CAPTION | MAIN_HINT)
        if state:
            role = attrs.get("role")
            if role:
                role = role.lower()
                if role in BOILER_ROLES:
                    flags |= BOILER
                elif role in ("main", "article"):
                    flags |= ARTICLE | MAIN_HINT
            if attrs.get("itemprop") in ("articleBody", "text", "mainContentOfPage"):
                flags |= ARTICLE | MAIN_HINT
    if tag not in _TAG_RULES:
        return flags
    if tag in BOILER_TAGS:
        # navigation, sidebars and page footers never hold article text: not walked at all
        return None
    if tag in ("article", "main"):
        flags |= ARTICLE | MAIN_HINT
    elif tag == "header":
        flags |= HEADER
        if not flags & (ARTICLE | BOILER):
            flags |= NAMED_BOILER  # a page header, unless it wraps most of the page (broken markup)
    elif tag in ("figcaption", "figure"):
        flags |= CAPTION
    return flags
