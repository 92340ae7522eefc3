"""People named in a page: rule-based German person recognition with roles, over title, text and captions.

A name is a given name from the gazetteer (gender_guesser's nam_dict plus pipeline/data extras), optional
particles and one to three capitalised surname words; a role word right before it ("Landrat Rolf
Lindemann"), or an apposition / parenthesis right after it ("Antoin Scholten, Bürgermeister von Venlo,")
gives the role. The role kept is the first one the page gives, as written, without leading articles.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, count
from operator import itemgetter
from typing import NamedTuple

from pipeline.data import given_names, lexicon, vocabulary
from pipeline.models import Person

logger = logging.getLogger(__name__)

# a word, hyphenated words whole ("Hans-Peter"); a hyphen must be followed by a letter
_WORD = re.compile(r"[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*")
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")  # (the captured words stay in split()'s list)
_QUOTES_OPEN = "„“\"«»‚'"


class _Toks(NamedTuple):
    """A text's words as parallel lists, word i spanning starts[i]:ends[i]. gaps[i] is the text before
    word i (never empty between two words: a letter would have continued the word before), gaps[-1]
    the text after the last word."""
    words: list[str]
    gaps: list[str]
    starts: list[int]
    ends: list[int]


@dataclass
class _Mention:
    name: str  # with academic titles
    key: str  # without titles
    surname: str
    role: str | None
    start: int
    end: int
    party: str | None = None


# ---- gazetteers ----

@lru_cache(maxsize=65536)
def _german_noun(word: str) -> bool:
    """A German word that English lacks: an object after a name ("zog Frank Meyer Bilanz"), while
    second surnames ("Angel Alava Pons", "Ralph Vaughan Williams") are foreign or English too."""
    low = word.lower()
    return low in vocabulary("de") and low not in vocabulary("en")


@lru_cache(maxsize=1)
def _role_rx() -> re.Pattern[str]:
    lex = lexicon("people")
    stems = "|".join(sorted(lex["role_stems"], key=len, reverse=True))
    endings = "|".join(lex["role_endings"])
    return re.compile(rf"[a-zäöüß-]*(?:{stems})(?:{endings})?")


_ROLE_CHARS = "abcdefghijklmnopqrstuvwxyzäöüß-"  # the letters of _role_rx's leading class


@lru_cache(maxsize=1)
def _role_suffixes() -> dict[str, tuple[str, ...]] | None:
    """Every stem + optional ending, by its last two letters: with plain-letter stems (2+ letters),
    _role_rx matches a word exactly when the word ends with one of them and holds only _ROLE_CHARS (two
    C-level string tests instead of the regex)."""
    lex = lexicon("people")
    out = [stem + end for stem in lex["role_stems"] for end in ("", *lex["role_endings"])]
    if not all(len(s) >= 2 and not s.strip(_ROLE_CHARS) for s in out):
        return None
    by_tail: dict[str, tuple[str, ...]] = {}
    for s in out:
        by_tail[s[-2:]] = (*by_tail.get(s[-2:], ()), s)
    return by_tail


@lru_cache(maxsize=65536)
def is_role_word(word: str) -> bool:
    if not word or not word[0].isupper():
        return False
    lex = lexicon("people")
    if word in lex["role_words"]:
        return True
    low = word.lower()
    suffixes = _role_suffixes()
    if suffixes is None:
        return bool(_role_rx().fullmatch(low))
    return low.endswith(suffixes.get(low[-2:], ())) and not low.strip(_ROLE_CHARS)


@lru_cache(maxsize=65536)
def _is_given(word: str) -> bool:
    names = given_names()
    return all(part in names for part in word.split("-")) and word not in lexicon("people")["not_surnames"]


@lru_cache(maxsize=1)
def _suffixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    lex = lexicon("people")
    return tuple(lex["place_suffixes"]), tuple(lex["noun_suffixes"])


@lru_cache(maxsize=65536)  # a pure function of the word, asked for every capitalised token many times
def _is_surname(word: str) -> bool:
    lex = lexicon("people")
    if not word or not word[0].isupper() or word.isupper() and len(word) > 1 and len(word) <= 4:
        return False
    if word in lex["not_surnames"] or word in lex["positions"] or is_role_word(word):
        return False
    low = word.lower()
    last = low.rsplit("-", 1)[-1]
    place_suffixes, noun_suffixes = _suffixes()
    if "-" in low and last.endswith(place_suffixes):
        return False
    if last in lex["place_suffixes"] and last not in lex["surname_place_words"]:
        return False
    return not low.endswith(noun_suffixes)


def looks_like_person(text: str) -> bool:
    """'Markus Distelrath' -> True; 'Photos CUD', 'Gemeente Venlo' -> False (used for photographers)."""
    words = text.split()
    if len(words) < 2 or not _is_given(words[0]):
        return False
    particles = lexicon("people")["particles"]
    rest = [w for w in words[1:] if w not in particles]
    return bool(rest) and all(_is_surname(w) for w in rest) and _is_surname(words[-1])


# ---- scanning ----

@lru_cache(maxsize=64)  # _scan and _surname_roles tokenise the same text one after the other (read-only)
def _tokens(text: str) -> _Toks:
    # all at C speed, no object per word but its string: split() alternates gaps and words, and the
    # running sum of their lengths alternates word starts and ends
    pieces = _WORD_SPLIT.split(text)
    offsets = list(accumulate(map(len, pieces)))
    return _Toks(pieces[1::2], pieces[0::2], offsets[0:-1:2], offsets[1::2])


@lru_cache(maxsize=1)
def _phrase_words() -> frozenset[str]:
    return frozenset(w for phr in lexicon("people")["role_phrases"] for w in phr.split())


@lru_cache(maxsize=1)
def _capitalised_rx() -> re.Pattern[str] | None:
    """The capitalised tokens, found at C speed: from every upper-case letter, _WORD's continuation.
    Each capitalised _WORD token comes whole, with harmless extras ("McDonald" also gives "Donald": the
    signals may only err towards a search that then finds nothing). None (use every token) unless every
    given name, role word and role phrase word begins with one of these letters."""
    upper = "".join(c for c in map(chr, range(0x10000)) if c.isupper() and _LETTER.fullmatch(c))
    starts = set(upper)
    lex = lexicon("people")
    if not all(w[:1] in starts for w in (*given_names(), *lex["role_words"], *_phrase_words())):
        return None
    return re.compile(f"[{re.escape(upper)}]" + r"[\w'’]*(?:-[^\W\d_][\w'’]*)*")


_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _pair_rx() -> re.Pattern[str] | None:
    """The capitalised tokens that can begin a name without a role before it: a name's second word
    follows on the same line, after spaces only, and is a particle or begins upper-case (the class
    below holds every upper-case letter and more). None where _capitalised_rx is None."""
    caps = _capitalised_rx()
    if caps is None:
        return None
    particles = "|".join(map(re.escape, sorted(lexicon("people")["particles"], key=len, reverse=True)))
    return re.compile(caps.pattern + rf"(?=[^\S\n]+(?:[^\W\d_a-zäöüß]|(?:{particles})\b))")


@lru_cache(maxsize=64)
def _signals(text: str) -> tuple[bool, bool]:
    """Necessary conditions, checked at C speed over the text's words so that most texts skip the
    token-by-token search: (a role word or a role phrase's word occurs, a given name or role word occurs).
    No role before a name without the first; no full-name mention without the second."""
    caps = _capitalised_rx()  # (role words begin upper-case; given names and role phrases too)
    words = _WORD.findall(text) if caps is None else caps.findall(text)
    roles = any(map(is_role_word, words)) or not _phrase_words().isdisjoint(words)
    if roles:
        return True, True
    hyphens = "-" in text
    if not _has_given(words, hyphens):
        return False, False
    # without a role word, only a given name followed by a name's second word begins a name: a second,
    # sharper pass over the few texts still in question spares most of them the tokenising
    pairs = _pair_rx()
    return False, pairs is None or _has_given(pairs.findall(text), hyphens)


def _has_given(words: list[str], hyphens: bool) -> bool:
    """A given name among the words; a hyphenated given name ("Hans-Peter") is one word: its first part
    must be a name (looked for only if the text has hyphens)."""
    names = given_names()
    return not names.isdisjoint(words) or hyphens and any(
        w.split("-", 1)[0] in names for w in words if "-" in w)


def _adjacent(t: _Toks, i: int) -> bool:
    """Word i follows word i - 1 after spaces on the same line (i > 0)."""
    gap = t.gaps[i]
    return gap.isspace() and "\n" not in gap


@lru_cache(maxsize=1)
def _title_words() -> frozenset[str]:
    return frozenset(t.rstrip(".").split(".")[0] for t in lexicon("people")["titles"])


def _titles_before(t: _Toks, i: int) -> int:
    """Index of the first academic-title word directly before word i ("Dr.", "Prof. Dr. h. c.")."""
    lex = lexicon("people")
    titles = _title_words()
    j, first = i, i
    while j > 0:
        gap = t.gaps[j]
        if not (gap.startswith(".") and (gap[1:].isspace() or gap[1:] == "-")):
            break
        prev = t.words[j - 1]
        if prev in titles:
            first = j - 1
        elif prev not in lex["title_parts"]:
            break
        j -= 1
    return first


def _phrase_end(text: str, pos: int) -> int:
    """End of an apposition at pos: comma, bracket, colon, dash, sentence end or ' und <lowercase>'."""
    i = pos
    quote_depth = 0
    while i < len(text):
        ch = text[i]
        if ch in "„“":
            quote_depth = 1 if ch == "„" else 0
        elif quote_depth == 0 and ch in ",;:()[]\n–—":
            return i
        elif ch in ".!?" and quote_depth == 0:
            before = text[pos:i].split()
            last = before[-1] if before else ""
            abbrev = len(last) <= 2 or last in ("Dr", "Prof", "St", "Nr", "ca", "bzw")
            nxt = text[i + 1:i + 3]
            if not abbrev and (not nxt.strip() or nxt[:1].isspace()):
                return i
        elif text.startswith(" und ", i) and i + 5 < len(text) and text[i + 5].islower():
            return i
        i += 1
    return len(text)


def _strip_article(phrase: str) -> str:
    words = phrase.split()
    arts = lexicon("people")["articles"]
    while words and words[0] in arts:
        words.pop(0)
    return " ".join(words)


def _starts_with_role(phrase: str) -> bool:
    words = phrase.split()
    lex = lexicon("people")
    for phr in lex["role_phrases"]:
        if phrase.startswith(phr):
            return True
    for w in words[:3]:
        if is_role_word(w.strip(",.")):
            return True
        if not w.islower() or w in lex["positions"]:
            return False
    return False


def _party_after(text: str, end: int) -> tuple[str, int] | None:
    """'(SPD)' right after a name: the party and the length of the bracket."""
    m = _PARTY.match(text, end)  # (matching at `end` copies no tail of a long paragraph)
    if m and all(w.strip(",/") in lexicon("people")["parties"] for w in m.group(1).split()):
        return m.group(1).strip(), m.end() - end
    return None


_PARTY = re.compile(r"\s*\(([^()]{1,40})\)")
_APPOSITION = re.compile(r"\s*(,|\()\s*")
_DOT_GAP = re.compile(r"\.\s*")  # "a. D."
_COMMA_GAP = re.compile(r",\s+")
_ADJECTIVE = re.compile(r"[a-zäöüß]+(?:e|er|en|es|em)")  # inflected: "stellvertretender"
_BARE_NAME = re.compile(r"(?:[\w.'’-]+\s+){1,4}[\w'’-]+")


def _role_after(text: str, end: int) -> str | None:
    party = _party_after(text, end)
    if party:
        end += party[1]  # "Sabine Oetzel (SPD), Vorsitzende …"
    m = _APPOSITION.match(text, end)
    if not m:
        return None
    start = m.end()
    if m.group(1) == "(":
        close = text.find(")", start)
        if close < 0:
            return None
        phrase = text[start:close]
    else:
        phrase = text[start:_phrase_end(text, start)]
    phrase = _strip_article(phrase.strip())
    if not phrase or not _starts_with_role(phrase) or _has_name(phrase):
        return None
    return phrase.strip(" ,")


@lru_cache(maxsize=1)
def _role_phrases() -> dict[str, tuple[tuple[str, int], ...]]:
    """The role phrases with their numbers of words, by last word (as the words' join would end)."""
    out: dict[str, tuple[tuple[str, int], ...]] = {}
    for phr in lexicon("people")["role_phrases"]:
        last = phr.split(" ")[-1]
        out[last] = (*out.get(last, ()), (phr, len(phr.split())))
    return out


def _role_before(text: str, t: _Toks, first: int) -> str | None:
    """A role word directly before the name (after "a. D."), with lowercase attributes as written."""
    words = t.words
    j = first - 1
    suffix = ""
    if j >= 1 and words[j] == "D" and words[j - 1] == "a" and _DOT_GAP.fullmatch(t.gaps[j]) \
            and t.gaps[j + 1].startswith("."):
        suffix = " a. D."
        j -= 2
    if j < 0:
        return None
    if not suffix and not _adjacent(t, j + 1):
        return _role_before_comma(text, t, j)
    end = t.ends[j]
    lex = lexicon("people")
    last = words[j]
    # (words hold no spaces: the phrase's last word must be this word before any joining)
    for phr, n in _role_phrases().get(last, ()):
        if j - n + 1 >= 0 and " ".join(words[j - n + 1:j + 1]) == phr:
            return phr + suffix
    if not is_role_word(last):
        return None
    # "Naturforscherin und Künstlerin Maria Sibylla Merian": coordinated roles stay together
    while j >= 2 and words[j - 1] == "und" and is_role_word(words[j - 2]) and _adjacent(t, j - 1):
        j -= 2
    adjectives = tuple(lex["role_adjectives"])
    k = j
    while k > 0 and _adjacent(t, k) and _ADJECTIVE.fullmatch(words[k - 1]) \
            and words[k - 1].startswith(adjectives):
        k -= 1
    return text[t.starts[k]:end] + suffix


def _role_may_end(t: _Toks, j: int) -> bool:
    """A necessary condition for _role_before(…, j + 1), cheap for the many words where it fails: word j
    is a role word or a role phrase's last word (the word before the name), "D" (of "a. D."), or
    followed by a comma (a role phrase closed by a comma)."""
    w = t.words[j]
    return is_role_word(w) or w in _role_phrases() or w == "D" or t.gaps[j + 1].startswith(",")


def _role_before_comma(text: str, t: _Toks, j: int) -> str | None:
    """'dem Oberbürgermeister von Uljanowsk, Dmitry Vavilin': the role phrase closed by a comma."""
    if not _COMMA_GAP.fullmatch(t.gaps[j + 1]):
        return None
    lex = lexicon("people")
    words = t.words
    k = j
    while k >= 0 and not is_role_word(words[k]):
        w = words[k]
        if not (w in lex["complement_words"] or w[:1].isupper()) or j - k > 5:
            return None
        if k < j and not _adjacent(t, k + 1):
            return None
        k -= 1
    if k < 0 or (k < j and not _adjacent(t, k + 1)):
        return None
    before = text[:t.starts[k]].rstrip()
    if k > 0 and words[k - 1].lower() in lex["articles"] and _adjacent(t, k):
        pass
    elif before and before[-1] not in ".!?:;(\n":
        return None
    phrase = text[t.starts[k]:t.ends[j]]
    return None if _has_name(phrase) else phrase


_FIRST = itemgetter(0)  # a word's first letter


def _capitalised(t: _Toks) -> list[int]:
    return list(compress(count(), map(str.isupper, map(_FIRST, t.words))))


def _scan(text: str, role_free: bool = False) -> list[_Mention]:
    """Full-name mentions in one text, in order."""
    roles, names = _signals(text)
    if not names:
        return []
    lex = lexicon("people")
    particles = lex["particles"]
    t = _tokens(text)
    words, gaps, starts, ends = t
    out: list[_Mention] = []
    resume = 0  # the words before it belong to a name found already
    for i in _capitalised(t):  # (only a capitalised word begins a name)
        if i < resume:
            continue
        w = words[i]
        after_role = i > 0 and is_role_word(words[i - 1]) and _adjacent(t, i)
        if not (_is_given(w) or after_role) or w in lex["not_surnames"] or is_role_word(w):
            continue
        if gaps[i].endswith("-") or gaps[i + 1].startswith("-"):
            continue  # part of a hyphenated word
        # more given names, particles, then surname words
        parts = [i]
        j = i + 1
        while j < len(words) and len(parts) < 5 and _adjacent(t, j):
            nxt = words[j]
            k = j
            while k < len(words) and words[k] in particles:
                k += 1
            particle = nxt in particles and k < len(words) and words[k][:1].isupper()
            middle = len(parts) == 1 and _is_given(nxt)
            second_surname = len(parts) >= 2 and words[parts[-1]] not in particles
            if particle or middle or (_is_surname(nxt) and not (second_surname and _german_noun(nxt))):
                parts.append(j)
            else:
                break
            j += 1
            if len(parts) >= 2 and nxt.endswith("s") and not particle and not _is_given(nxt):
                break  # a genitive ("Frank Meyers Gäste") ends the name
        while len(parts) > 1 and words[parts[-1]] in particles:
            parts.pop()
        last = parts[-1]
        if len(parts) < 2 or gaps[last + 1].startswith("-") or not _is_surname(words[last]):
            continue
        if not _is_given(w) and not (
            after_role and _is_surname(w) and not any(_german_noun(words[p]) for p in parts)
        ):
            continue  # after a role, an unknown first name must not be a German word ("OB Meyer Bilanz")
        if _excluded(text, t, i, parts):
            resume = last + 1
            continue
        first = _titles_before(t, i)
        start, end = starts[first], ends[last]
        name = " ".join(text[start:end].split())
        key = " ".join(text[starts[i]:end].split())
        role = None if role_free else ((_role_before(text, t, first) if roles else None)
                                       or _role_after(text, end))
        party = None if role_free else _party_after(text, end)
        out.append(_Mention(name, key, words[last], role, start, end, party[0] if party else None))
        resume = last + 1
    return out


def _excluded(text: str, t: _Toks, i: int, parts: list[int]) -> bool:
    """Places and quoted names: "in Charlotte Vertreterinnen", „German Riot“."""
    lex = lexicon("people")
    from pipeline.parse.cities import find_partner_cities

    words = t.words
    before = text[:t.starts[i]].rstrip()
    if before and before[-1] in _QUOTES_OPEN:
        return True
    if i > 0 and _adjacent(t, i) and words[i - 1] in lex["place_prepositions"] \
            and find_partner_cities([words[i]]):
        return True
    names = [words[p] for p in parts[1:]]
    after = parts[-1] + 1
    if after < len(words) and _adjacent(t, after) and (
        words[after] in lex["not_surnames"] or words[after].lower() in lex["place_suffixes"]
    ):
        return True  # "Charlotte Douglas Airport", "Robert Bosch Stiftung": a name inside an organisation's
    return any(find_partner_cities([n]) for n in names)


def _has_name(phrase: str) -> bool:
    return bool(_scan(phrase, role_free=True))


# ---- public ----

def extract_people(
    title: str | None, paragraphs: Iterable[str], captions: Iterable[str | None]
) -> list[Person]:
    """Each distinct person of the title, text and captions once, with the first role the page gives."""
    from pipeline.parse.images import split_credit  # images imports this module

    texts: list[str] = [title or ""]
    texts.extend(_article_paragraphs(paragraphs))
    for cap in captions:
        if cap:
            texts.append(split_credit(cap)[0] or "")
    order: list[str] = []
    names: dict[str, str] = {}
    roles: dict[str, str | None] = {}
    surnames: dict[str, str] = {}
    parties: dict[str, str] = {}
    pending_surname_roles: list[tuple[str, str]] = []
    for text in texts:
        if not _signals(text)[1]:
            continue  # (most texts: no name can begin there, so no mention and no surname's role)
        mentions = _scan(text)
        for m in mentions:
            key = m.key
            if m.party:
                parties.setdefault(key, m.party)
            if key not in names:
                order.append(key)
                names[key] = m.name
                roles[key] = m.role
                surnames.setdefault(m.surname, key)
            else:
                if len(m.name) > len(names[key]):
                    names[key] = m.name  # the mention with an academic title
                if roles[key] is None and m.role:
                    roles[key] = m.role
        pending_surname_roles.extend(_surname_roles(text, mentions))
    for surname, role in pending_surname_roles:
        key = surnames.get(surname) or surnames.get(surname.rstrip("s"))
        if key and roles[key] is None:
            roles[key] = role
    for key, party in parties.items():
        if roles.get(key) is None:
            roles[key] = party  # only a party is given: that is the role the page gives
    # "Frank Meyers" (genitive) is Frank Meyer
    for key in list(order):
        if key.endswith("s") and key[:-1] in names:
            order.remove(key)
    return [Person(name=names[k], role=roles[k]) for k in order]


def _article_paragraphs(paragraphs: Iterable[str | None]) -> list[str]:
    """The paragraphs up to a contact box that leaked into the text ("Kontakt", a bare name, "Telefon: …")."""
    labels, longest = _box_labels()
    out = []
    for para in paragraphs:
        para = (para or "").strip()
        head = para.rstrip(":")
        if len(head) <= longest and head.lower() in labels:  # (lower-casing never shortens a text)
            break  # staff of a contact box are not people the article names
        bare_name = _BARE_NAME.fullmatch(para) and not any(map(is_role_word, para.split())) and _scan(para)
        if para and not bare_name:
            out.append(para)
    return [p for p in out if p]


@lru_cache(maxsize=1)
def _box_labels() -> tuple[frozenset[str], int]:
    """A contact box's headings, lower-case, and the longest one's length."""
    labels = frozenset(label.lower() for label in lexicon("contacts")["box_labels"])
    return labels, max(map(len, labels), default=0)


def _surname_roles(text: str, mentions: list[_Mention]) -> list[tuple[str, str]]:
    """'OB Meyer', 'Bürgermeisterin Jensen': a role word right before a lone surname."""
    if not _signals(text)[0]:
        return []
    covered = [(m.start, m.end) for m in mentions]
    t = _tokens(text)
    words = t.words
    out = []
    for i in _capitalised(t):  # (a surname is capitalised)
        if not i or not _role_may_end(t, i - 1):
            continue
        w = words[i]
        if not _is_surname(w) or any(s <= t.starts[i] < e for s, e in covered):
            continue
        if i + 1 < len(words) and _adjacent(t, i + 1) and words[i + 1][:1].isupper():
            continue
        role = _role_before(text, t, i)
        if role:
            out.append((w, role))
    return out
