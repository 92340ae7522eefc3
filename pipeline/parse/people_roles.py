"""Roles around a name: a role word before it, an apposition or parenthesis after it, a party.

"Landrat Rolf Lindemann", "Oberbürgermeister a. D. Dieter Pützhofen", "dem Oberbürgermeister von
Uljanowsk, Dmitry Vavilin", "Antoin Scholten, Bürgermeister von Venlo,", "Sabine Oetzel (SPD)": the role
as written, without leading articles. A role phrase that holds a name is no role.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.data import lexicon
from pipeline.parse.people_tokens import Toks, adjacent
from pipeline.parse.people_words import is_role_word

_PARTY = re.compile(r"\s*\(([^()]{1,40})\)")
_APPOSITION = re.compile(r"\s*(,|\()\s*")
_DOT_GAP = re.compile(r"\.\s*")  # "a. D."
_COMMA_GAP = re.compile(r",\s+")
_ADJECTIVE = re.compile(r"[a-zäöüß]+(?:e|er|en|es|em)")  # inflected: "stellvertretender"


@lru_cache(maxsize=1)
def _title_words() -> frozenset[str]:
    return frozenset(t.rstrip(".").split(".")[0] for t in lexicon("people")["titles"])


def titles_before(t: Toks, i: int) -> int:
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


def party_after(text: str, end: int) -> tuple[str, int] | None:
    """'(SPD)' right after a name: the party and the length of the bracket."""
    m = _PARTY.match(text, end)  # (matching at `end` copies no tail of a long paragraph)
    if m and all(w.strip(",/") in lexicon("people")["parties"] for w in m.group(1).split()):
        return m.group(1).strip(), m.end() - end
    return None


def role_after(text: str, end: int) -> str | None:
    party = party_after(text, end)
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
    from pipeline.parse.people_scan import has_name  # people_scan imports this module

    if not phrase or not _starts_with_role(phrase) or has_name(phrase):
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


def role_before(text: str, t: Toks, first: int) -> str | None:
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
    if not suffix and not adjacent(t, j + 1):
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
    while j >= 2 and words[j - 1] == "und" and is_role_word(words[j - 2]) and adjacent(t, j - 1):
        j -= 2
    adjectives = tuple(lex["role_adjectives"])
    k = j
    while k > 0 and adjacent(t, k) and _ADJECTIVE.fullmatch(words[k - 1]) \
            and words[k - 1].startswith(adjectives):
        k -= 1
    return text[t.starts[k]:end] + suffix


def role_may_end(t: Toks, j: int) -> bool:
    """A necessary condition for role_before(…, j + 1), cheap for the many words where it fails: word j
    is a role word or a role phrase's last word (the word before the name), "D" (of "a. D."), or
    followed by a comma (a role phrase closed by a comma)."""
    w = t.words[j]
    return is_role_word(w) or w in _role_phrases() or w == "D" or t.gaps[j + 1].startswith(",")


def _role_before_comma(text: str, t: Toks, j: int) -> str | None:
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
        if k < j and not adjacent(t, k + 1):
            return None
        k -= 1
    if k < 0 or (k < j and not adjacent(t, k + 1)):
        return None
    before = text[:t.starts[k]].rstrip()
    if k > 0 and words[k - 1].lower() in lex["articles"] and adjacent(t, k):
        pass
    elif before and before[-1] not in ".!?:;(\n":
        return None
    from pipeline.parse.people_scan import has_name  # people_scan imports this module

    phrase = text[t.starts[k]:t.ends[j]]
    return None if has_name(phrase) else phrase
