"""Partner-city recognition: alias table, word boundaries, first-mention order, Leiden and Charlotte traps."""

from __future__ import annotations

import pytest

from pipeline.parse.cities import find_partner_cities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Besuch in Dunkerque", ["Dünkirchen"]),
        ("The Dunkirk memorial", ["Dünkirchen"]),
        ("Delegation aus Ulyanovsk", ["Uljanowsk"]),
        ("die Partnerschaft mit Uljanowsk", ["Uljanowsk"]),
        ("der Landkreis Oder-Spree in Brandenburg", ["Landkreis Oder-Spree"]),
        ("damals noch mit dem Kreis Beeskow", ["Landkreis Oder-Spree"]),
        ("Gäste aus dem Oder-Spreekreis", ["Landkreis Oder-Spree"]),
        ("Hilfe für Kropywnyzkyj", ["Kropyvnytskyi"]),
        ("Hilfe für Kropyvnytskyi", ["Kropyvnytskyi"]),
        ("Die Städtepartnerschaft Krefeld-Leicester", ["Leicester"]),
        ("Venloer Bürgermeister", ["Venlo"]),
        ("Kayseri in Anatolien", ["Kayseri"]),
    ],
)
def test_aliases_map_to_canonical_names(text: str, expected: list[str]) -> None:
    assert find_partner_cities([text]) == expected


def test_first_mention_order_across_texts_and_each_once() -> None:
    texts = ["Krefeld und Venlo feiern", "Gäste aus Dünkirchen und Venlo", None, "Dunkerque und Leicester"]
    assert find_partner_cities(texts) == ["Venlo", "Dünkirchen", "Leicester"]


def test_word_boundaries() -> None:
    # "Venlos" is an alias (genitive) but "Venlonia" or "Leicestershire" are not the cities
    assert find_partner_cities(["Die Venlonia-Halle und Leicestershire"]) == []
    assert find_partner_cities(["Venlos Bürgermeister"]) == ["Venlo"]


@pytest.mark.parametrize(
    "text",
    [
        "Viele Menschen leiden unter der Hitze.",
        "Das Leiden der Zivilbevölkerung ist groß.",
        "Leiden Sie unter Heuschnupfen?",
        "Sie erzählte von ihrem Leiden.",
        "Nach langem Leiden starb er.",
    ],
)
def test_leiden_the_german_word_is_not_the_city(text: str) -> None:
    assert find_partner_cities([text]) == []


@pytest.mark.parametrize(
    "text",
    [
        "Leiden ist eine Universitätsstadt.",
        "Die Partnerschaft mit Leiden ruht.",
        "Krefeld und Leiden unterzeichneten 1974 den Vertrag.",
        "Eine Gracht in der Altstadt von Leiden.",
    ],
)
def test_leiden_the_city(text: str) -> None:
    assert find_partner_cities([text]) == ["Leiden"]


def test_charlotte_the_given_name_is_not_the_city() -> None:
    assert find_partner_cities(["Charlotte Müller überreichte die Urkunde."]) == []


@pytest.mark.parametrize(
    "text",
    [
        "Während sich in Charlotte Vertreterinnen und Vertreter trafen",  # seed overview page
        "der Verein Charlotte Sister Cities",
        "Charlotte im US-Bundesstaat North Carolina",
        "Aktuelles aus Charlotte",
    ],
)
def test_charlotte_the_city(text: str) -> None:
    assert find_partner_cities([text]) == ["Charlotte"]


def test_no_cities_in_empty_input() -> None:
    assert find_partner_cities([]) == []
    assert find_partner_cities(["", None]) == []
