"""Person recognition: roles before and after names, caption lists, surnames, traps (streets, places)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.models import Person
from pipeline.parse.cities import find_partner_cities
from pipeline.parse.contacts import normalize_phone
from pipeline.parse.images import split_credit
from pipeline.parse.people import extract_people, given_names, is_role_word, looks_like_person


def people(*paragraphs: str, title: str = "", captions: tuple[str, ...] = ()) -> set[tuple[str, str | None]]:
    return {(p.name, p.role) for p in extract_people(title, list(paragraphs), list(captions))}


def test_gazetteer_is_large_and_multilingual() -> None:
    names = given_names()
    assert len(names) > 20000
    for name in ("Frank", "Antoin", "Mykhailo", "Iryna", "Tetiana", "Patrice", "Kerstin", "Vi", "Ahmet"):
        assert name in names, name
    for word in ("Burg", "Am", "Mai", "Ville", "Eine"):
        assert word not in names, word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oberbürgermeister Frank Meyer begrüßte die Gäste.", {("Frank Meyer", "Oberbürgermeister")}),
        ("Bürgermeisterin Kerstin Jensen gratulierte.", {("Kerstin Jensen", "Bürgermeisterin")}),
        ("Empfangen wurde die Delegation von Mayor Vi Lyles im Government Center.", {("Vi Lyles", "Mayor")}),
        ("Burgemeester Antoin Scholten begrüßte die Mitglieder.", {("Antoin Scholten", "Burgemeester")}),
        ("Unter den Gästen war Honorarkonsul Reinhard von Hennings.",
         {("Reinhard von Hennings", "Honorarkonsul")}),
        ("Damals unterschrieb Oberbürgermeister a. D. Dieter Pützhofen.",
         {("Dieter Pützhofen", "Oberbürgermeister a. D.")}),
        ("Koordinieren wird die Nachhaltigkeitsbeauftragte Dr. Hanna Finke die Arbeit.",
         {("Dr. Hanna Finke", "Nachhaltigkeitsbeauftragte")}),
        ("Gespräche mit Patrice Vergriete, Bürgermeister von Dünkirchen, und anderen.",
         {("Patrice Vergriete", "Bürgermeister von Dünkirchen")}),
        ("Er traf Jean Bodart, stellvertretender Bürgermeister und zuständig für Europa.",
         {("Jean Bodart", "stellvertretender Bürgermeister")}),
        ("„Gut so“, sagt Karsten Schüller, Leiter der Abteilung Rat und Ehrenamt, die das organisiert.",
         {("Karsten Schüller", "Leiter der Abteilung Rat und Ehrenamt")}),
        ("Das erklärt Frank Meyer, Oberbürgermeister der Stadt Krefeld. Danach ging es weiter.",
         {("Frank Meyer", "Oberbürgermeister der Stadt Krefeld")}),
        ("Antoin Scholten (Bürgermeister von Venlo) bedauert die Absage.",
         {("Antoin Scholten", "Bürgermeister von Venlo")}),
        ("Meyer schrieb dem Oberbürgermeister von Uljanowsk, Dmitry Vavilin, einen Brief.",
         {("Dmitry Vavilin", "Oberbürgermeister von Uljanowsk")}),
        ("Überreicht wurde sie von Marlene Rupprecht (SPD), die lange im Europarat saß.",
         {("Marlene Rupprecht", "SPD")}),
        ("Sabine Oetzel (SPD), Vorsitzende des Schulausschusses, lobte die Planung.",
         {("Sabine Oetzel", "Vorsitzende des Schulausschusses")}),
        ("Die Straße wird nach der Naturforscherin und Künstlerin Maria Sibylla Merian benannt.",
         {("Maria Sibylla Merian", "Naturforscherin und Künstlerin")}),
        ("Eine Ansicht des Parlaments von Claude Monet hängt im Museum.", {("Claude Monet", None)}),
        ("Angel Alava Pons knüpfte Kontakte.", {("Angel Alava Pons", None)}),
        ("Die Generalkonsulin der Ukraine, Iryna Shum, nahm teil.",
         {("Iryna Shum", "Generalkonsulin der Ukraine")}),
        ("Das Fahrzeug, das Andreas Horster übergab, ist neu.", {("Andreas Horster", None)}),
        ("Es sprachen Prof. Dr. h. c. Maria Müller-Lüdenscheidt und Dr.-Ing. Uwe Lang.",
         {("Prof. Dr. h. c. Maria Müller-Lüdenscheidt", None), ("Dr.-Ing. Uwe Lang", None)}),
        ("Mit dabei: Jan van der Berg und Anne-Marie de Vries.",
         {("Jan van der Berg", None), ("Anne-Marie de Vries", None)}),
        ("Der Frank Meyer Preis geht an Anna Schmidt.", {("Anna Schmidt", None)}),
        ("Am Ende zog Oberbürgermeister Frank Meyer Bilanz.", {("Frank Meyer", "Oberbürgermeister")}),
        ("Danach überreichte Frank Meyer Blumen.", {("Frank Meyer", None)}),
        ("Zum Schluss zog OB Meyer Bilanz.", set()),
        ("Es erklang ein Werk von Ralph Vaughan Williams.", {("Ralph Vaughan Williams", None)}),
        ("Frank Meyer, Oberbürgermeister der Stadt Krefeld, Antoin Scholten und andere.",
         {("Frank Meyer", "Oberbürgermeister der Stadt Krefeld"), ("Antoin Scholten", None)}),
    ],
)
def test_roles_and_names(text: str, expected: set[tuple[str, str | None]]) -> None:
    assert people(text) == expected


def test_caption_list_with_positions() -> None:
    caption = (
        "Eine Krefelder Delegation um Oberbürgermeister Frank Meyer (links Pressesprecher Christoph Elles, "
        "daneben Karsten Schüller, Leiter der Abteilung Rat und Ehrenamt, 4. von links OB Meyer, rechts "
        "Angel Alava Pons, Referent Wirtschaft und Internationales, daneben die Nachhaltigkeitsbeauftragte "
        "Dr. Hanna Finke) traf in Washington auf Vertreterinnen aus Krefelds Partnerstadt Charlotte (2. von "
        "links Holly Eskridge, 4. von rechts Sarah Hazel, daneben Alexis Gordon). Foto: Engagement Global"
    )
    assert people(captions=(caption,)) == {
        ("Frank Meyer", "Oberbürgermeister"),
        ("Christoph Elles", "Pressesprecher"),
        ("Karsten Schüller", "Leiter der Abteilung Rat und Ehrenamt"),
        ("Angel Alava Pons", "Referent Wirtschaft und Internationales"),
        ("Dr. Hanna Finke", "Nachhaltigkeitsbeauftragte"),
        ("Holly Eskridge", None),
        ("Sarah Hazel", None),
        ("Alexis Gordon", None),
    }


@pytest.mark.parametrize(
    "caption",
    [
        "(v. l.): Mayor Vi Lyles, Harvey Gantt und Honorarkonsul Reinhard von Hennings bei der Feier.",
        "(v.l.) Mayor Vi Lyles, Harvey Gantt und Honorarkonsul Reinhard von Hennings bei der Feier.",
        "vlnr: Mayor Vi Lyles, Harvey Gantt und Honorarkonsul Reinhard von Hennings bei der Feier.",
        "(von links nach rechts) Mayor Vi Lyles, Harvey Gantt und Honorarkonsul Reinhard von Hennings.",
    ],
)
def test_caption_list_markers(caption: str) -> None:
    assert people(captions=(caption,)) == {
        ("Vi Lyles", "Mayor"), ("Harvey Gantt", None), ("Reinhard von Hennings", "Honorarkonsul")
    }


def test_each_person_once_with_the_first_role_and_surname_mentions_joined() -> None:
    got = extract_people(
        "Frank Meyer: „Städtepartnerschaften prägen europäischen Bürgersinn“",
        ["Oberbürgermeister Frank Meyer sprach im Ratssaal.", "„Wir bleiben Freunde“, sagte Meyer.",
         "OB Meyer dankte Frank Meyers Gästen."],
        ["Frank Meyer (5. v. re.) mit den Gästen."],
    )
    assert got == [Person("Frank Meyer", "Oberbürgermeister")]


def test_role_from_a_later_mention_and_title_kept() -> None:
    paragraphs = ["Hanna Finke sprach zuerst.", "Danach die Nachhaltigkeitsbeauftragte Dr. Hanna Finke."]
    got = extract_people("", paragraphs, [])
    assert got == [Person("Dr. Hanna Finke", "Nachhaltigkeitsbeauftragte")]


@pytest.mark.parametrize(
    "text",
    [
        "Die Anschrift lautet Von-der-Leyen-Platz 1, 47798 Krefeld.",
        "In Dünkirchen gibt es die Rue de Krefeld und die Salle de la Rotonde Krefeld.",
        "Eingang zum Kaiser-Wilhelm-Museum.",
        "Künftig heißt sie Maria-Sibylla-Merian-Straße.",
        "Ein Empfang auf Burg Linn am Donnerstag, 21. November.",
        "Während sich in Charlotte Vertreterinnen und Vertreter trafen.",
        "Sein Fanclub „German Riot“ führte durch das Stadion der Carolina Panthers.",
        "Der Verein Charlotte Sister Cities feiert.",
        "Drei Tage Musik, Theater und Kunst.",
        "Die Universitätsstadt an der Oude Rijn.",
        "Alle Buden öffnen am Montag.",
        "Ville de Dunkerque und Gemeente Venlo laden ein.",
        "Landung am Charlotte Douglas Airport, dann zur Robert Bosch Stiftung, ins Klinikum Maria Hilf.",
        "Das Museum Haus Lange und Haus Esters an der Friedrich-Ebert-Straße.",
    ],
)
def test_no_people_from_streets_places_and_organisations(text: str) -> None:
    assert people(text) == set()


def test_photographer_credits_are_not_people() -> None:
    caption = "Burg Linn bei Nacht.Foto: Stadt Krefeld, Presse und Kommunikation, Dirk Jochmann"
    assert people(captions=(caption,)) == set()


def test_contact_box_leaking_into_the_text_is_ignored() -> None:
    paragraphs = ["Landrat Rolf Lindemann schrieb.", "Kontakt", "Jana Wolterink", "Telefon: 02151 86-1558"]
    assert people(*paragraphs) == {("Rolf Lindemann", "Landrat")}


@pytest.mark.parametrize(("word", "expected"), [
    ("Oberbürgermeister", True), ("Bürgermeisterin", True), ("Beigeordneter", True), ("Landrat", True),
    ("Generalkonsulin", True), ("Vorsitzende", True), ("Pressesprecher", True), ("OB", True),
    ("Rathaus", False), ("bürgermeister", False), ("Meyer", False),
])
def test_role_words(word: str, expected: bool) -> None:
    assert is_role_word(word) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Markus Distelrath", True), ("Andreas Bischof", True), ("Christoph Elles", True),
    ("Photos CUD", False), ("Gemeente Venlo", False), ("Privat", False), ("Engagement Global", False),
])
def test_looks_like_person(text: str, expected: bool) -> None:
    assert looks_like_person(text) is expected


_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüÄÖÜß .,;:()-„“\"'/&0123456789\n"
_WORDS = ["Frank", "Meyer", "Oberbürgermeister", "a.", "D.", "Dr.", "von", "(SPD)", ",", "und", "Leiden",
          "Charlotte", "Platz", "-", "(v. l.):", "Foto:", "Kontakt", "Venlo", ".", "der"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=_ALPHABET, max_size=40), st.sampled_from(_WORDS)), max_size=30))
def test_extractors_never_raise_on_odd_text(parts: list[str]) -> None:
    text = " ".join(parts)
    found = extract_people(text, [text, ""], [text, None])
    assert all(p.name.strip() == p.name and p.name for p in found)
    assert len({p.name for p in found}) == len(found)
    split_credit(text)
    find_partner_cities([text])
    normalize_phone(text)
