"""The "Kontakt" box: staff name, phone (E.164-style), e-mail and room; the address block is skipped."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

from selectolax.lexbor import LexborNode

from pipeline.data import lexicon
from pipeline.models import Contact
from pipeline.parse.images import squash, text_lines

logger = logging.getLogger(__name__)

_PHONE_CHARS = re.compile(r"(?:\+|00)?\(?\d[\d \t/().\-–\u00a0]{3,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AT = re.compile(r"\s*[\[(]\s*at\s*[\])]\s*", re.I)
_DOT = re.compile(r"\s*[\[(]\s*(?:dot|punkt)\s*[\])]\s*", re.I)
_NAME_WORD = re.compile(r"^(?:[A-ZÄÖÜÀ-Þ][\w'’.-]*|von|van|de|der|den|du|zu|ter|ten|vom|la|le|di|da)$")


def _lex() -> dict:
    return lexicon("contacts")


def normalize_phone(text: str | None) -> str | None:
    """'0 21 51 / 86-1554' -> '+49 2151 861554'; None when the text holds no phone number."""
    if not text:
        return None
    m = _PHONE_CHARS.search(text)
    if not m:
        return None
    raw = m.group(0).replace("(0)", " ").replace("–", "-").strip()
    if sum(c.isdigit() for c in raw) < 5:
        return None
    lex = _lex()
    country = str(lex["default_country_code"])
    if raw.startswith("+") or raw.startswith("00"):
        body = raw[1:] if raw.startswith("+") else raw[2:]
        cm = re.match(r"\s*(\d{1,3})[\s/().-]+", body)
        if not cm:  # "+492151861554": assume a German number without separators
            digits = re.sub(r"\D", "", body)
            if not digits.startswith(country):
                return "+" + digits
            body = digits[len(country):]
        else:
            country, body = cm.group(1), body[cm.end():]
        national = body.strip()
    elif raw.startswith("0") or raw.startswith("(0"):
        national = raw.lstrip("(").strip()[1:]
    else:
        national = f"{lex['default_area_code']}/{raw}"
    national = national.strip(" /-")
    area, subscriber = _split_area(national, str(lex["default_area_code"]) if country == "49" else "")
    if not subscriber:
        return f"+{country} {area}" if area else None
    return f"+{country} {area} {subscriber}" if area else f"+{country} {subscriber}"


def _split_area(national: str, known_area: str) -> tuple[str, str]:
    digits = re.sub(r"\D", "", national)
    paren = re.match(r"\((\d+)\)\s*(.*)", national)
    if paren:
        return paren.group(1).lstrip("0"), re.sub(r"\D", "", paren.group(2))
    if "/" in national:
        left, _, right = national.partition("/")
        return re.sub(r"\D", "", left).lstrip("0"), re.sub(r"\D", "", right)
    if known_area and digits.startswith(known_area):
        return known_area, digits[len(known_area):]
    groups = [g for g in re.split(r"[\s)(]+", national) if g]
    if len(groups) >= 2:
        first = re.sub(r"\D", "", groups[0])
        return first.lstrip("0"), digits[len(first):]
    return "", digits


def _label_of(line: str) -> tuple[str | None, str]:
    """('phone'|'fax'|'email'|'room'|None, rest of the line after the label)."""
    lex = _lex()
    head, sep, rest = line.partition(":")
    key = head.strip().lower()
    if sep:
        for kind in ("phone", "fax", "email", "room"):
            if key in lex[f"{kind}_labels"]:
                return kind, rest.strip()
    first, _, tail = line.partition(" ")
    if first.lower().rstrip(".:") in lex["room_labels"] and tail:
        return "room", tail.strip()
    if first.lower().rstrip(".:") in lex["phone_labels"] and tail and any(c.isdigit() for c in tail):
        return "phone", tail.strip()
    return None, line


def _email(text: str) -> str | None:
    text = _DOT.sub(".", _AT.sub("@", text))
    m = _EMAIL.search(text)
    return m.group(0).rstrip(".") if m else None


def _is_notice(line: str) -> bool:
    words = set(re.findall(r"\w+", line))
    return line.endswith("!") or bool(words & _lex()["notice_words"]) or len(line) > 80


def _is_name(line: str) -> bool:
    words = line.replace(",", " ").split()
    if not 2 <= len(words) <= 6 or any(ch.isdigit() for ch in line) or "@" in line:
        return False
    return all(_NAME_WORD.match(w) for w in words)


def _clean_name(line: str) -> str:
    """'Frau Ricarda Beispiel, Sachbearbeiterin' -> 'Ricarda Beispiel'."""
    name = squash(line.split(",")[0])
    words = name.split()
    while len(words) > 2 and words[0] in _lex()["honorifics"]:
        words.pop(0)
    return " ".join(words)


def _is_address_start(line: str) -> bool:
    return any(line.startswith(label) for label in _lex()["address_labels"])


def _parse_box(lines: list[str]) -> list[Contact]:
    contacts: list[Contact] = []
    cur: dict[str, str | None] = {}

    def flush() -> None:
        if cur and any(cur.get(k) for k in ("phone", "email", "room")):
            contacts.append(Contact(cur.get("name"), cur.get("phone"), cur.get("email"), cur.get("room")))
        cur.clear()

    for line in lines:
        if _is_address_start(line):
            break
        kind, rest = _label_of(line)
        if kind == "phone":
            if cur.get("phone"):
                flush()
            cur["phone"] = normalize_phone(rest)
        elif kind == "email" or (kind is None and _email(line) and " " not in line.strip()):
            if cur.get("email"):
                flush()
            cur["email"] = _email(rest)
        elif kind == "room":
            if cur.get("room"):
                flush()
            cur["room"] = squash(rest.strip(" :"))
        elif kind == "fax":
            continue
        elif _is_name(line):
            if cur:
                flush()
            cur["name"] = _clean_name(line)
        elif _is_notice(line):
            continue
        elif contacts or cur:
            break  # a sentence of article text: the box has ended
    flush()
    return contacts


# elements whose text is code, never shown: "Kontakt" in a script is a string, not a box's heading
_RAW_TEXT = frozenset({"script", "style"})


@lru_cache(maxsize=1)
def _label_vocab() -> tuple[frozenset[str], frozenset[str]]:
    """The box labels (lower case) and their first letters."""
    labels = frozenset(label.lower() for label in _lex()["box_labels"])
    return labels, frozenset(label[:1] for label in labels)


def _label_nodes(root: LexborNode, spots: Iterable[LexborNode] | None = None,
                 spot_texts: Iterable[str | None] | None = None) -> list[LexborNode]:
    """Elements whose whole text is a box label ("Kontakt"), found from the text nodes (linear time):
    those of the spots and of the subtrees under the spots that are elements (`spot_texts`: the spots'
    texts, None for an element, if already read), in order (without spots, those under root)."""
    if spots is None:
        pairs: Iterable[tuple[LexborNode, str | None]] = [(root, None)]
    else:
        if spot_texts is None:
            spots = list(spots)
            spot_texts = [node.text_content for node in spots]  # (None for elements and comments)
        pairs = zip(spots, spot_texts, strict=True)
    labels, firsts = _label_vocab()
    out: list[LexborNode] = []
    for spot, text in pairs:
        if text is not None:
            if _is_label(text, labels, firsts):
                _add_label(spot, out)
            continue
        if spot.tag in _RAW_TEXT:
            continue  # (a script's code is no label: _add_label would refuse it; most pages have a dozen)
        # (but not the subtree's blank text nodes: no label)
        for node in spot.traverse(include_text=True, skip_empty=True):
            text = node.text_content  # None for elements and comments: cheaper than asking for the tag
            if text and _is_label(text, labels, firsts):
                _add_label(node, out)
    return out


def _is_label(text: str, labels: frozenset[str], firsts: frozenset[str]) -> bool:
    # a cheap necessary condition before squashing the text: the first visible letter of some label
    return text.lstrip()[:1].lower() in firsts and squash(text).rstrip(":").lower() in labels


def _add_label(node: LexborNode, out: list[LexborNode]) -> None:
    """The block element of a label's text node, unless a link holds it or it is a script's code."""
    elem = node.parent
    if elem is not None and elem.tag in _RAW_TEXT:
        return
    while elem is not None and elem.tag in ("b", "strong", "span", "font", "em", "i", "u"):
        elem = elem.parent  # the label's block element
    if elem is None or elem.tag == "a" or (elem.parent is not None and elem.parent.tag == "a"):
        return
    if any(a.tag == "a" for a in _ancestors(node.parent, 3)):
        return  # a link "Kontakt" (footer, navigation) opens no box
    out.append(elem)


def _ancestors(node: LexborNode | None, n: int) -> list[LexborNode]:
    out = []
    while node is not None and len(out) < n:
        out.append(node)
        node = node.parent
    return out


def extract_contacts(root_node: LexborNode | None, spots: Iterable[LexborNode] | None = None,
                     spot_texts: Iterable[str | None] | None = None) -> list[Contact]:
    """Every person of the page's contact box(es), in page order, each once. `spots`: the layout walk's
    text nodes and skipped subtrees under root_node (Layout.spots), to save a second walk of the tree;
    `spot_texts`: their texts (Layout.spot_texts), to save reading them again."""
    if root_node is None:
        return []
    found: list[Contact] = []
    for label in _label_nodes(root_node, spots, spot_texts):
        box = label.parent
        while box is not None and not re.search(r"Telefon|E-Mail|@|Tel\.", box.text() or ""):
            box = box.parent
        if box is None:
            continue
        lines = text_lines(box)
        label_text = squash(label.text())
        try:
            start = lines.index(label_text) + 1
        except ValueError:
            start = 0
        for contact in _parse_box(lines[start:]):
            if contact not in found:
                found.append(contact)
    return found
