"""What id and class names say about an element (parse/names.py), against a plain restatement of the rules.

_name_flags takes shortcuts (necessary-condition pre-checks, a taxonomy pattern searched from separators
only); the reference below has none of them, so any shortcut that changes an answer shows up here.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.parse import names as N

# the rules as first written: taxonomy classes and modifiers dropped, words split at white space, "_"
# and "-", each single word and each pair of neighbours "a-b" looked up in the vocabularies
_REFERENCE_TAXONOMY = re.compile(
    r"(?:^|\s)(?:category|tag|tags|post_tag|topic|rubrik|ressort|section)-\S*"
    r"|(?:^|[\s_-])(?:has|with|without|no|show|hide|allow|enable|disable)[-_]+[a-z0-9]+"
    r"|--[a-z0-9-]+",
    re.I)


def reference(names: str) -> int:
    names = names.lower()
    if not N._HIDDEN_NAMES.isdisjoint(names.split()):
        return -1
    words = [w for w in N._NAME_SPLIT.split(_REFERENCE_TAXONOMY.sub(" ", names)) if w]
    tokens = set(words) | {f"{a}-{b}" for a, b in zip(words, words[1:], strict=False)}
    flags = 0
    if tokens & N._BOILER_NAMES:
        flags |= N.BOILER
        if tokens & N._STRONG_BOILER_NAMES and not tokens & N._MAIN_NAMES:
            flags |= N.STRONG_BOILER
    if tokens & N._CAPTION_NAMES:
        flags |= N.CAPTION
    if tokens & N._MAIN_NAMES:
        flags |= N.MAIN_HINT
    return flags


# pieces that exercise every rule: vocabulary words and their parts, taxonomy words and modifiers, all
# separators, upper case, and letters that fold to ASCII under re.I ("ſ" to "s", the Kelvin sign to "k")
_PIECES = sorted({
    *N._BOILER_NAMES, *N._CAPTION_NAMES, *N._MAIN_NAMES, *N._HIDDEN_NAMES, *N._STRONG_BOILER_NAMES,
    *N._WORD_PARTS, *N._TAXONOMY_WORDS, "post", "post_tag", "type", "item", "12", "x9", "Nav", "MENU",
    "-", "--", "_", "__", " ", "  ", "\t", "\n", "\u00a0", "\u2028", "ſ", "\u212a", "ß", "é", "İ",
})


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_name_flags_follow_the_plain_rules(pieces: list[str]) -> None:
    names = "".join(pieces)
    assert N._name_flags(names) == reference(names), names


def test_name_flags_follow_the_plain_rules_on_many_random_names() -> None:
    rnd = random.Random(4)
    for _ in range(40_000):
        names = "".join(rnd.choice(_PIECES) for _ in range(rnd.randrange(1, 10)))
        assert N._name_flags(names) == reference(names), names


@pytest.mark.parametrize(("names", "flags"), [
    ("sidebar", N.BOILER),
    ("comments-area", N.BOILER | N.STRONG_BOILER),
    ("entry-content comments", N.BOILER | N.MAIN_HINT),  # a wrapper's furniture word is not a strong one
    ("category-newsletter post-12", N.MAIN_HINT),  # a topic class names no furniture
    ("post_tag-social entry", N.MAIN_HINT),
    ("has-ads article", N.MAIN_HINT),  # a modifier names what the element allows
    ("show_menu", 0),  # a modifier joined by "_"
    ("has_sidebar entry", N.MAIN_HINT),
    ("Report__Section--Ads", 0),  # a BEM modifier
    ("social links", N.BOILER),  # a pair across two classes
    ("image caption", N.CAPTION),
    ("sr-only", -1),
    ("hidden-xs", 0),  # a responsive class, not a hidden element
    ("row col-md-6", 0),
])
def test_name_flags_examples(names: str, flags: int) -> None:
    assert N._name_flags(names) == flags == reference(names)
