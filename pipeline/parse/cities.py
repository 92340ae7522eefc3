"""Partner-city mentions: canonical names found in texts through the alias table in pipeline/data."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from pipeline.data import lexicon, read_lines

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[\wÄÖÜäöüß'’.-]+")


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in read_lines("city_aliases.tsv"):
        alias, sep, canonical = line.partition("\t")
        if not sep or not alias.strip() or not canonical.strip():
            raise ValueError(f"pipeline/data/city_aliases.tsv: expected 'alias<TAB>canonical', got {line!r}")
        table[alias.strip()] = canonical.strip()
    return table


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    names = sorted(_aliases(), key=len, reverse=True)
    alternation = "|".join(re.escape(n) for n in names)
    # A hyphen may join a city to Krefeld ("Krefeld-Leicester"), so only letters/digits bound a match.
    # The word boundary before is checked by _matches: a pattern that starts with the alternation lets
    # the regex engine skip to the aliases' first letters at C speed.
    return re.compile(rf"(?:{alternation})(?![\w])")


_WORD_CHAR = re.compile(r"\w")


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    r"""pattern.finditer(text) with a (?<![\w]) in front of the pattern: a match glued to a word character
    is passed over and the search goes on from its next character, as the lookbehind would."""
    pos = 0
    search, glued = pattern.search, _WORD_CHAR.match
    while True:
        m = search(text, pos)
        if m is None:
            return
        start = m.start()
        if start and glued(text, start - 1):
            pos = start + 1
            continue
        yield m
        pos = m.end()  # (no alias is empty: no zero-width matches to step over)


def _prev_word(text: str, start: int) -> tuple[str, bool]:
    """The word before `start` and whether a sentence boundary (or the text's start) lies between."""
    before = text[:start].rstrip(" \t")
    if not before:
        return "", True
    boundary = before[-1] in ".!?:;\n„\"“»(–"
    words = before.rstrip(".!?:;\n„\"“»(– ").split()
    return (words[-1].strip(",„\"“»(") if words else ""), boundary


def _next_word(text: str, end: int) -> str:
    m = _WORD.match(text[end:].lstrip(" "))
    return m.group(0).rstrip(".") if m else ""


def _looks_like_surname(word: str) -> bool:
    lex = lexicon("cities")
    if not word or not word[0].isupper() or word in lex["charlotte_city_after"]:
        return False
    return not word.lower().endswith(tuple(lex["noun_suffixes"]))


def _is_city(alias: str, text: str, start: int, end: int) -> bool:
    lex = lexicon("cities")
    prev, boundary = _prev_word(text, start)
    nxt = _next_word(text, end)
    if alias == "Leiden":
        noun_like = prev in lex["noun_before"] or (prev.islower() and prev not in lex["place_before"])
        if not boundary and noun_like:
            return False
        if nxt in lex["noun_after"]:
            return False
        return not (boundary and nxt[:1].islower() and nxt not in lex["city_verbs_after"])
    if alias == "Charlotte":
        if text[end:end + 1] == "-" or (not boundary and prev in lex["place_before"]):
            return True
        gap = text[end:end + 1]
        # "Charlotte Müller" is a person; "in Charlotte Vertreterinnen" was handled above.
        return not (gap == " " and _looks_like_surname(nxt))
    return True


def find_partner_cities(texts: Iterable[str | None]) -> list[str]:
    """Canonical partner-city names mentioned in `texts`, in order of first mention."""
    aliases = _aliases()
    pattern = _pattern()
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        for m in _matches(pattern, text):
            canonical = aliases[m.group(0)]
            if canonical in found:
                continue
            if _is_city(m.group(0), text, m.start(), m.end()):
                found.append(canonical)
    return found
