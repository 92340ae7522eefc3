"""People named in a page: rule-based German person recognition with roles, over title, text and captions.

A name is a given name from the gazetteer (gender_guesser's nam_dict plus pipeline/data extras), optional
particles and one to three capitalised surname words; a role word right before it ("Landrat Rolf
Lindemann"), or an apposition / parenthesis right after it ("Antoin Scholten, Bürgermeister von Venlo,")
gives the role. The role kept is the first one the page gives, as written, without leading articles.

This module gathers a page's people; people_scan finds the mentions in one text, people_roles the roles
around a name, people_tokens a text's words (and the cheap tests that spare most texts the tokenising),
people_words the word tests over the gazetteers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pipeline.data import given_names, lexicon
from pipeline.models import Person
from pipeline.parse.people_roles import role_before, role_may_end
from pipeline.parse.people_scan import Mention, scan
from pipeline.parse.people_tokens import adjacent, capitalised, signals, tokens
from pipeline.parse.people_words import is_role_word, is_surname, looks_like_person

__all__ = ["extract_people", "given_names", "is_role_word", "looks_like_person"]


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
        if not signals(text)[1]:
            continue  # (most texts: no name can begin there, so no mention and no surname's role)
        mentions = scan(text)
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


# (possessive: a shorter run would end before a character of its own class, where what follows cannot
# go on, and fewer words before the last would leave it a space to cross: the same matches, without the
# backtracking through the many long paragraphs, where it fails)
_BARE_NAME = re.compile(r"(?:[\w.'’-]++\s++){1,4}+[\w'’-]++")


def _article_paragraphs(paragraphs: Iterable[str | None]) -> list[str]:
    """The paragraphs up to a contact box that leaked into the text ("Kontakt", a bare name, "Telefon: …")."""
    labels, longest = _box_labels()
    out = []
    for para in paragraphs:
        para = (para or "").strip()
        head = para.rstrip(":")
        if len(head) <= longest and head.lower() in labels:  # (lower-casing never shortens a text)
            break  # staff of a contact box are not people the article names
        bare_name = _BARE_NAME.fullmatch(para) and not any(map(is_role_word, para.split())) and scan(para)
        if para and not bare_name:
            out.append(para)
    return [p for p in out if p]


@lru_cache(maxsize=1)
def _box_labels() -> tuple[frozenset[str], int]:
    """A contact box's headings, lower-case, and the longest one's length."""
    labels = frozenset(label.lower() for label in lexicon("contacts")["box_labels"])
    return labels, max(map(len, labels), default=0)


def _surname_roles(text: str, mentions: list[Mention]) -> list[tuple[str, str]]:
    """'OB Meyer', 'Bürgermeisterin Jensen': a role word right before a lone surname."""
    if not signals(text)[0]:
        return []
    covered = [(m.start, m.end) for m in mentions]
    t = tokens(text)
    words = t.words
    out = []
    for i in capitalised(t):  # (a surname is capitalised)
        if not i or not role_may_end(t, i - 1):
            continue
        w = words[i]
        if not is_surname(w) or any(s <= t.starts[i] < e for s, e in covered):
            continue
        if i + 1 < len(words) and adjacent(t, i + 1) and words[i + 1][:1].isupper():
            continue
        role = role_before(text, t, i)
        if role:
            out.append((w, role))
    return out
