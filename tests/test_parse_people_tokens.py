"""The people extractor's words and signals: the split-based words are _WORD's matches, and the signals
(necessary conditions that let most texts skip the scan) never change what the extractor finds."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.parse import people, people_scan
from pipeline.parse.people import extract_people
from pipeline.parse.people_roles import role_before, role_may_end
from pipeline.parse.people_tokens import _WORD, signals, tokens

_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüÄÖÜßéÉ _'’.,;:()-„“\"/0123456789\n\t\xa0"
_WORDS = ["Frank", "Meyer", "Hans-Peter", "Müller", "Oberbürgermeister", "Bürgermeisterin", "OB", "a.", "D.",
          "Dr.", "Prof.", "von", "van", "der", "de", "(SPD)", ",", "und", "Lord", "Mayor", "Vi", "Lyles",
          "Charlotte", "Platz", "Stiftung", "-", "Kontakt", "Venlo", ".", "in", "stellvertretender", "Bilanz",
          "Kerstin", "Jensen", "Meyers", "„", "“", "\n", "Leiter", "des", "Amtes", "Landrat"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=_ALPHABET, max_size=12), st.sampled_from(_WORDS)), max_size=25))
def test_words_are_the_word_matches(parts: list[str]) -> None:
    text = "".join(parts)
    t = tokens(text)
    matches = list(_WORD.finditer(text))
    assert t.words == [m[0] for m in matches]
    assert t.starts == [m.start() for m in matches]
    assert t.ends == [m.end() for m in matches]
    assert len(t.gaps) == len(t.words) + 1
    assert "".join(g + w for g, w in zip(t.gaps, [*t.words, ""], strict=True)) == text
    assert all(t.gaps[1:-1])  # two words always have something between them


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Am Montag tagte der Rat.", (False, False)),
        ("Frank Meyer begrüßte die Gäste.", (False, True)),
        ("Unter den Gästen war Reinhard von Hennings.", (False, True)),
        ("Hans-Peter Müller kam.", (False, True)),
        ("Es sprach Frank\nMeyer.", (False, False)),  # a name's words share a line
        ("Frank sagte: Meyer.", (False, False)),
        ("Oberbürgermeister Meyer begrüßte die Gäste.", (True, True)),
        ("Empfangen von Lord Mayor Vi Lyles.", (True, True)),
    ],
)
def test_signals(text: str, expected: tuple[bool, bool]) -> None:
    assert signals(text) == expected


def test_a_role_can_end_only_where_role_before_may_find_one() -> None:
    text = ("Sie dankte Bürgermeisterin Jensen, OB a. D. Meyer und dem Leiter des Amtes, Jensen, nicht "
            "Frau Jensen und Lord Mayor Lyles.")
    t = tokens(text)
    found = [i for i in range(1, len(t.words)) if role_before(text, t, i) is not None]
    assert len(found) >= 5  # after a role word, "a. D.", a comma and a role phrase
    for i in found:
        assert role_may_end(t, i - 1), t.words[i]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=25), st.sampled_from([" ", "  ", ", ", "\n", " - "]))
def test_signals_change_nothing_found(words: list[str], sep: str) -> None:
    text = sep.join(words)
    expected = extract_people(text, [text], [text])
    # the same search on every text, as if every signal were up
    with mock.patch.object(people, "signals", lambda _: (True, True)), \
            mock.patch.object(people_scan, "signals", lambda _: (True, True)):
        assert extract_people(text, [text], [text]) == expected
