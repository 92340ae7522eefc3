"""Word tests of the people extractor: given names, surnames, role words, German-only nouns.

Pure functions of one word over the gazetteers in pipeline/data, memoised: the scan asks them about the
same capitalised words again and again.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.data import given_names, lexicon, vocabulary
from pipeline.parse.memo import remember


@lru_cache(maxsize=65536)
def german_noun(word: str) -> bool:
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
    """Every stem + optional ending, by its last three letters: with plain-letter stems (3+ letters with
    their endings), _role_rx matches a word exactly when the word ends with one of them and holds only
    _ROLE_CHARS (two C-level string tests instead of the regex; three letters, not two, keep the
    suffixes tried per word few: 153 end in "en", 18 in "ten")."""
    lex = lexicon("people")
    out = [stem + end for stem in lex["role_stems"] for end in ("", *lex["role_endings"])]
    if not all(len(s) >= 3 and not s.strip(_ROLE_CHARS) for s in out):
        return None
    by_tail: dict[str, tuple[str, ...]] = {}
    for s in out:
        by_tail[s[-3:]] = (*by_tail.get(s[-3:], ()), s)
    return by_tail


# The word tests' answers by word (memo.py). (`in` and a subscript: compiled, they are two C calls, while
# .get is looked up as an attribute at each call)
_MEMO_MAX = 65536
_ROLE_WORDS: dict[str, bool] = {}
_GIVEN: dict[str, bool] = {}
_SURNAMES: dict[str, bool] = {}


def is_role_word(word: str) -> bool:
    if word in _ROLE_WORDS:
        return _ROLE_WORDS[word]
    return remember(_ROLE_WORDS, word, _is_role_word(word), _MEMO_MAX)


def _is_role_word(word: str) -> bool:
    if not word or not word[0].isupper():
        return False
    lex = lexicon("people")
    if word in lex["role_words"]:
        return True
    low = word.lower()
    suffixes = _role_suffixes()
    if suffixes is None:
        return bool(_role_rx().fullmatch(low))
    return low.endswith(suffixes.get(low[-3:], ())) and not low.strip(_ROLE_CHARS)


def is_given(word: str) -> bool:
    if word in _GIVEN:
        return _GIVEN[word]
    return remember(_GIVEN, word, _is_given(word), _MEMO_MAX)


def _is_given(word: str) -> bool:
    names = given_names()
    return all(part in names for part in word.split("-")) and word not in lexicon("people")["not_surnames"]


@lru_cache(maxsize=1)
def _suffixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    lex = lexicon("people")
    return tuple(lex["place_suffixes"]), tuple(lex["noun_suffixes"])


def is_surname(word: str) -> bool:
    if word in _SURNAMES:
        return _SURNAMES[word]
    return remember(_SURNAMES, word, _is_surname(word), _MEMO_MAX)


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
    if len(words) < 2 or not is_given(words[0]):
        return False
    particles = lexicon("people")["particles"]
    rest = [w for w in words[1:] if w not in particles]
    return bool(rest) and all(is_surname(w) for w in rest) and is_surname(words[-1])
