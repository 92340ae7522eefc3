"""Full-name mentions in one text: a given name (or any name right after a role word), optional
particles and capitalised surname words, with academic titles, role and party.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.data import lexicon
from pipeline.parse.people_roles import party_after, role_after, role_before, titles_before
from pipeline.parse.people_tokens import Toks, adjacent, capitalised, signals, tokens
from pipeline.parse.people_words import german_noun, is_given, is_role_word, is_surname

_QUOTES_OPEN = "„“\"«»‚'"


@dataclass
class Mention:
    name: str  # with academic titles
    key: str  # without titles
    surname: str
    role: str | None
    start: int
    end: int
    party: str | None = None


def scan(text: str, role_free: bool = False) -> list[Mention]:
    """Full-name mentions in one text, in order."""
    roles, names = signals(text)
    if not names:
        return []
    lex = lexicon("people")
    particles = lex["particles"]
    t = tokens(text)
    words, gaps, starts, ends = t
    out: list[Mention] = []
    resume = 0  # the words before it belong to a name found already
    for i in capitalised(t):  # (only a capitalised word begins a name)
        if i < resume:
            continue
        w = words[i]
        # (without the role signal, no word of the text is a role word)
        after_role = roles and i > 0 and is_role_word(words[i - 1]) and adjacent(t, i)
        if not (is_given(w) or after_role) or w in lex["not_surnames"] or is_role_word(w):
            continue
        if gaps[i].endswith("-") or gaps[i + 1].startswith("-"):
            continue  # part of a hyphenated word
        # more given names, particles, then surname words
        parts = [i]
        j = i + 1
        while j < len(words) and len(parts) < 5 and adjacent(t, j):
            nxt = words[j]
            k = j
            while k < len(words) and words[k] in particles:
                k += 1
            particle = nxt in particles and k < len(words) and words[k][:1].isupper()
            middle = len(parts) == 1 and is_given(nxt)
            second_surname = len(parts) >= 2 and words[parts[-1]] not in particles
            if particle or middle or (is_surname(nxt) and not (second_surname and german_noun(nxt))):
                parts.append(j)
            else:
                break
            j += 1
            if len(parts) >= 2 and nxt.endswith("s") and not particle and not is_given(nxt):
                break  # a genitive ("Frank Meyers Gäste") ends the name
        while len(parts) > 1 and words[parts[-1]] in particles:
            parts.pop()
        last = parts[-1]
        if len(parts) < 2 or gaps[last + 1].startswith("-") or not is_surname(words[last]):
            continue
        if not is_given(w) and not (
            after_role and is_surname(w) and not any(german_noun(words[p]) for p in parts)
        ):
            continue  # after a role, an unknown first name must not be a German word ("OB Meyer Bilanz")
        if _excluded(text, t, i, parts):
            resume = last + 1
            continue
        first = titles_before(t, i)
        start, end = starts[first], ends[last]
        name = " ".join(text[start:end].split())
        key = " ".join(text[starts[i]:end].split())
        role = None if role_free else ((role_before(text, t, first) if roles else None)
                                       or role_after(text, end))
        party = None if role_free else party_after(text, end)
        out.append(Mention(name, key, words[last], role, start, end, party[0] if party else None))
        resume = last + 1
    return out


def _excluded(text: str, t: Toks, i: int, parts: list[int]) -> bool:
    """Places and quoted names: "in Charlotte Vertreterinnen", „German Riot“."""
    lex = lexicon("people")
    from pipeline.parse.cities import find_partner_cities

    words = t.words
    before = text[:t.starts[i]].rstrip()
    if before and before[-1] in _QUOTES_OPEN:
        return True
    if i > 0 and adjacent(t, i) and words[i - 1] in lex["place_prepositions"] \
            and find_partner_cities([words[i]]):
        return True
    names = [words[p] for p in parts[1:]]
    after = parts[-1] + 1
    if after < len(words) and adjacent(t, after) and (
        words[after] in lex["not_surnames"] or words[after].lower() in lex["place_suffixes"]
    ):
        return True  # "Charlotte Douglas Airport", "Robert Bosch Stiftung": a name inside an organisation's
    return bool(find_partner_cities(names))  # (a city in any of them)


def has_name(phrase: str) -> bool:
    return bool(scan(phrase, role_free=True))
