"""The contact box: names, E.164-style phones, e-mails, rooms; address block and footer are no contacts."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.models import Contact
from pipeline.parse.contacts import extract_contacts, normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0 21 51 / 86-1554", "+49 2151 861554"),
        ("Telefon: 0 21 51 / 86-1562", "+49 2151 861562"),
        ("02151 86-1554", "+49 2151 861554"),
        ("02151/861554", "+49 2151 861554"),
        ("(02151) 86 15 54", "+49 2151 861554"),
        ("+49 2151 86-1554", "+49 2151 861554"),
        ("+49 (0) 2151 861554", "+49 2151 861554"),
        ("0049 2151 861554", "+49 2151 861554"),
        ("86-1554", "+49 2151 861554"),
        ("+31 77 359 6666", "+31 77 3596666"),
        ("0211 / 837-01", "+49 211 83701"),
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "Telefon:", "Zimmer B 209", "12"])
def test_normalize_phone_without_number(raw: str | None) -> None:
    assert normalize_phone(raw) is None


# The seed overview page's box (names invented), as the real site words it, in three markups.
_BOX_LINES = [
    "Wichtig: Beachten Sie bitte die aktuellen Coronahinweise!",
    "Ricarda Beispiel", "Telefon: 0 21 51 / 86-1554", "E-Mail: r.beispiel@krefeld.de", "Zimmer B 209",
    "Martin Musterhaus", "Telefon: 0 21 51 / 86-1562", "E-Mail: martin.musterhaus@krefeld.de", "Zimmer B 211",
]
_ADDRESS = ["Geschäftsbereich I", "Von-der-Leyen-Platz 1", "47798 Krefeld"]
EXPECTED = [
    Contact("Ricarda Beispiel", "+49 2151 861554", "r.beispiel@krefeld.de", "B 209"),
    Contact("Martin Musterhaus", "+49 2151 861562", "martin.musterhaus@krefeld.de", "B 211"),
]


def _divs() -> str:
    body = "".join(f"<div>{ln}</div>" for ln in _BOX_LINES)
    addr = "<h3>Anschrift</h3>" + "".join(f"<div>{ln}</div>" for ln in _ADDRESS)
    return f"<aside><h2>Kontakt</h2>{body}{addr}</aside>"


def _table() -> str:
    lines = ["Kontakt", *_BOX_LINES, "Anschrift", *_ADDRESS]
    rows = "".join(f"<tr><td><font size=2>{ln}</font></td></tr>" for ln in lines)
    return f"<table><tr><td><table>{rows}</table></td></tr></table>"


def _brs() -> str:
    return "<p><b>Kontakt</b><br>" + "<br>".join([*_BOX_LINES, "Anschrift", *_ADDRESS]) + "</p>"


@pytest.mark.parametrize("markup", [_divs, _table, _brs])
def test_contact_box_in_any_markup(markup) -> None:  # noqa: ANN001
    html = (f"<html><body><main><h1>Städtepartnerschaften</h1><p>Ein Absatz über Venlo.</p></main>"
            f"{markup()}<footer><a href='/de/service/kontakt/'>Kontakt</a></footer></body></html>")
    root = LexborHTMLParser(html).body
    assert extract_contacts(root) == EXPECTED


def test_mailto_link_and_obfuscated_address() -> None:
    html = ("<div><h2>Kontakt</h2><p>Jana Wolterink</p><p>Tel.: 02151 86-1558</p>"
            "<p>E-Mail: <a href='mailto:jana.wolterink@krefeld.de'>jana.wolterink(at)krefeld.de</a>"
            "</p></div>")
    assert extract_contacts(LexborHTMLParser(html).body) == [
        Contact("Jana Wolterink", "+49 2151 861558", "jana.wolterink@krefeld.de", None)
    ]


def test_page_without_contact_box() -> None:
    html = "<body><p>Telefon: 0 21 51 / 86-1554 steht im Text.</p><a href='/kontakt'>Kontakt</a></body>"
    assert extract_contacts(LexborHTMLParser(html).body) == []
    assert extract_contacts(None) == []


def test_form_of_address_and_job_title_are_not_part_of_the_name() -> None:
    html = ("<div><h3>Ihre Ansprechpartnerin</h3><p>Frau Ricarda Beispiel, Sachbearbeiterin</p>"
            "<p>Telefon: 0 21 51 / 86-1554</p><p>Zimmer: B 209</p></div>")
    assert extract_contacts(LexborHTMLParser(html).body) == [
        Contact("Ricarda Beispiel", "+49 2151 861554", None, "B 209")
    ]


def test_spot_texts_are_the_spots_texts_on_the_mirror() -> None:
    """Layout.spot_texts, which the label scan reads instead of the spots, holds what they hold."""
    from pipeline.mirror.site import Site
    from pipeline.parse import build_tree
    from pipeline.parse.text import layout

    site = Site(snapshot=1, template="divsoup")
    for info in site.pages()[:40]:
        tree = build_tree(site.render(info.path).body)
        assert tree is not None and tree.body is not None
        lay = layout(tree.body)
        assert lay.spot_texts == [node.text_content for node in lay.spots]
        assert extract_contacts(tree.body, lay.spots, lay.spot_texts) == extract_contacts(tree.body)


def test_a_label_in_a_script_opens_no_box() -> None:
    """A script's code is never shown: its "Kontakt" is a string, with or without the layout's spots."""
    from pipeline.parse.text import layout

    box = "<div><p>Ricarda Beispiel</p><p>Telefon: 0 21 51 / 86-1554</p></div>"
    for code in ("<script>Kontakt</script>", "<style>Kontakt</style>"):
        root = LexborHTMLParser(f"<html><body><div>{code}{box}</div></body></html>").body
        lay = layout(root)
        assert extract_contacts(root) == []
        assert extract_contacts(root, lay.spots, lay.spot_texts) == []
    root = LexborHTMLParser(f"<html><body><div><p>Kontakt</p>{box}</div></body></html>").body
    assert [c.name for c in extract_contacts(root)] == ["Ricarda Beispiel"]
