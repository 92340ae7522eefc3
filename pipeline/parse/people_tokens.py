"""A text's words for the people extractor, and the cheap tests that spare most texts the tokenising.

The words are _WORD's matches (hyphenated words whole), kept as parallel lists with the gaps between
them; the signals are necessary conditions for a name or a role, checked at C speed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate, compress, count, filterfalse
from operator import itemgetter
from typing import NamedTuple

from pipeline.data import given_names, lexicon
from pipeline.parse.memo import remember_all
from pipeline.parse.people_words import is_role_word

# a word, hyphenated words whole ("Hans-Peter"); a hyphen must be followed by a letter. Possessive: the
# longest run is the match, so giving back characters could never succeed (spares sre's bookkeeping)
_WORD_REST = r"[\w'’]*+(?:-[^\W\d_][\w'’]*+)*+"  # (after the first letter)
_WORD = re.compile(r"[^\W\d_]" + _WORD_REST)
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")  # (the captured words stay in split()'s list)


class Toks(NamedTuple):
    """A text's words as parallel lists, word i spanning starts[i]:ends[i]. gaps[i] is the text before
    word i (never empty between two words: a letter would have continued the word before), gaps[-1]
    the text after the last word."""
    words: list[str]
    gaps: list[str]
    starts: list[int]
    ends: list[int]


@lru_cache(maxsize=64)  # the scan and the lone-surname roles tokenise a text one after the other (read-only)
def tokens(text: str) -> Toks:
    # all at C speed, no object per word but its string: split() alternates gaps and words, and the
    # running sum of their lengths alternates word starts and ends
    pieces = _WORD_SPLIT.split(text)
    offsets = list(accumulate(map(len, pieces)))
    return Toks(pieces[1::2], pieces[0::2], offsets[0:-1:2], offsets[1::2])


def adjacent(t: Toks, i: int) -> bool:
    """Word i follows word i - 1 after spaces on the same line (i > 0)."""
    gap = t.gaps[i]
    return gap.isspace() and "\n" not in gap


_FIRST = itemgetter(0)  # a word's first letter
_LETTER = re.compile(r"[^\W\d_]")


def capitalised(t: Toks) -> list[int]:
    return list(compress(count(), map(str.isupper, map(_FIRST, t.words))))


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
    return re.compile(f"[{re.escape(upper)}]" + _WORD_REST)


@lru_cache(maxsize=1)
def _pair_rx() -> re.Pattern[str] | None:
    """The capitalised tokens that can begin a name without a role before it: a name's second word
    follows on the same line, after spaces only, and is a particle or begins upper-case (the class
    below holds every upper-case letter and more). None where _capitalised_rx is None. (The token's
    possessive runs change nothing: a shorter token ends before a word character or a hyphen, where
    the lookahead's spaces cannot follow.)"""
    caps = _capitalised_rx()
    if caps is None:
        return None
    particles = "|".join(map(re.escape, sorted(lexicon("people")["particles"], key=len, reverse=True)))
    return re.compile(caps.pattern + rf"(?=[^\S\n]+(?:[^\W\d_a-zäöüß]|(?:{particles})\b))")


# Words known to be plain: no role word, no role phrase's word, no given name, no hyphenated word whose
# first part is one. Only the other words of a text decide its signals (most texts have none left);
# each word is tested once, not in every text again (a bounded memo: memo.py).
_PLAIN: set[str] = set()
_PLAIN_MAX = 1 << 17


def _plain(word: str) -> bool:
    names = given_names()
    return not (is_role_word(word) or word in _phrase_words() or word in names
                or "-" in word and word.split("-", 1)[0] in names)


@lru_cache(maxsize=64)
def signals(text: str) -> tuple[bool, bool]:
    """Necessary conditions, checked at C speed over the text's words so that most texts skip the
    token-by-token search: (a role word or a role phrase's word occurs, a given name or role word occurs).
    No role before a name without the first; no full-name mention without the second."""
    caps = _capitalised_rx()  # (role words begin upper-case; given names and role phrases too)
    words = _WORD.findall(text) if caps is None else caps.findall(text)
    if _PLAIN.issuperset(words):  # most texts: every word known plain (one C-level loop)
        return False, False
    rest = list(filterfalse(_PLAIN.__contains__, words))
    plain = list(filter(_plain, rest))
    if plain:
        remember_all(_PLAIN, plain, _PLAIN_MAX)
        if len(plain) == len(rest):
            return False, False
    roles = any(map(is_role_word, rest)) or not _phrase_words().isdisjoint(rest)
    if roles:
        return True, True
    hyphens = "-" in text
    # a word is left that is no role word nor a role phrase's word, so a given name. Without a role word,
    # only a given name followed by a name's second word begins a name: a second, sharper pass over the
    # few texts still in question spares most of them the tokenising
    pairs = _pair_rx()
    return False, pairs is None or _has_given(pairs.findall(text), hyphens)


def _has_given(words: list[str], hyphens: bool) -> bool:
    """A given name among the words; a hyphenated given name ("Hans-Peter") is one word: its first part
    must be a name (looked for only if the text has hyphens)."""
    names = given_names()
    return not names.isdisjoint(words) or hyphens and any(
        w.split("-", 1)[0] in names for w in words if "-" in w)
