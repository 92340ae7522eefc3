"""Pictures: caption/credit/photographer splitting and caption finding in several markups."""

from __future__ import annotations

import time

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.models import Image
from pipeline.parse.contacts import extract_contacts
from pipeline.parse.images import extract_images, split_credit

BASE = "https://www.krefeld.de/de/inhalt/x/"
PK = "Stadt Krefeld, Presse und Kommunikation"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # glued, as the real site prints it
        ("Eine Delegation aus Dünkirchen war in Krefeld zu Besuch.Bild: " + PK,
         ("Eine Delegation aus Dünkirchen war in Krefeld zu Besuch.", PK, None)),
        ("Die Skyline von Charlotte.Foto: Pixabay", ("Die Skyline von Charlotte.", "Pixabay", None)),
        ("Eingang zum Kaiser-Wilhelm-Museum.Foto: " + PK, ("Eingang zum Kaiser-Wilhelm-Museum.", PK, None)),
        # spaced, with a photographer
        ("Burg Linn bei Nacht. Foto: " + PK + ", A. Bischof", ("Burg Linn bei Nacht.", PK + ", A. Bischof",
                                                               "A. Bischof")),
        ("Im Ratssaal. Fotos: " + PK + ", Dirk Jochmann",
         ("Im Ratssaal.", PK + ", Dirk Jochmann", "Dirk Jochmann")),
        ("Ein Globus. Foto: Markus Distelrath / Pixabay", ("Ein Globus.", "Markus Distelrath / Pixabay",
                                                          "Markus Distelrath")),
        # parenthesised
        ("Der Marktplatz von Venlo (Foto: Gemeente Venlo)",
         ("Der Marktplatz von Venlo", "Gemeente Venlo", None)),
        ("Logo 75 Jahre Freundschaft zwischen NRW und Großbritannien (Logo: Ministerium für Bundes- und "
         "Europaangelegenheiten sowie Internationales).",
         ("Logo 75 Jahre Freundschaft zwischen NRW und Großbritannien",
          "Ministerium für Bundes- und Europaangelegenheiten sowie Internationales", None)),
        # other labels, organisation-only credits
        ("Der Stadtplan von 1900.Repro: Stadt Krefeld, Stadtarchiv",
         ("Der Stadtplan von 1900.", "Stadt Krefeld, Stadtarchiv", None)),
        ("Die Route.Grafik: Stadt Krefeld, Stadtmarketing",
         ("Die Route.", "Stadt Krefeld, Stadtmarketing", None)),
        ("Die Feier. Foto: Photos CUD", ("Die Feier.", "Photos CUD", None)),
        ("Die Torte.Foto: Privat", ("Die Torte.", "Privat", None)),
        ("Das Rathaus. © Ville de Dunkerque", ("Das Rathaus.", "Ville de Dunkerque", None)),
        # unlabelled credit after the caption
        ("Das sanierte Sportbecken. " + PK + ", S. Erath", ("Das sanierte Sportbecken.", PK + ", S. Erath",
                                                            "S. Erath")),
        # no credit at all
        ("Motivtorte mit den Wappen von Charlotte und Krefeld zum 35-jährigen Jubiläum.",
         ("Motivtorte mit den Wappen von Charlotte und Krefeld zum 35-jährigen Jubiläum.", None, None)),
    ],
)
def test_split_credit(text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert split_credit(text) == expected


def test_credit_patterns_need_the_characters_split_credit_looks_for_first() -> None:
    import random

    from pipeline.parse.credits import _heads_rx, _label_rx

    rnd = random.Random(5)
    words = ["Foto", "Bild", "©", ":", ".", "!", "?", " ", "(", ")", "Pixabay", "Stadt Krefeld", "A. B", "x"]
    for _ in range(20000):
        text = "".join(rnd.choice(words) for _ in range(rnd.randrange(0, 8)))
        if ":" not in text and "©" not in text:
            assert _label_rx().search(text) is None, text
        if not any(c in text for c in ".!?"):
            assert _heads_rx().search(text) is None, text


def test_no_text_shorter_than_the_shortest_teaser_label_is_one() -> None:
    import random

    from pipeline.parse.images import _related_rx, _shortest_label

    at_start, anywhere = _related_rx()
    shortest = _shortest_label()
    assert shortest > 0
    rnd = random.Random(3)
    pieces = ["weitere", "mehr", "aktuelle", "artikel", "beiträge", "aus", "dem", "nachrichten", " ", "x"]
    hits = 0
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 5)))
        if at_start.match(text) or anywhere.search(text):
            hits += 1
            assert len(text) >= shortest, text
    assert hits > 20


def test_split_credit_of_nothing() -> None:
    assert split_credit(None) == (None, None, None)
    assert split_credit("   ") == (None, None, None)


LINE = "Burg Linn bei Nacht.Foto: " + PK + ", A. Bischof"
WANT = Image(src="https://www.krefeld.de/medien/burg-linn.jpg", alt="Burg Linn",
             caption="Burg Linn bei Nacht.", credit=PK + ", A. Bischof", photographer="A. Bischof")
IMG = '<img src="/medien/burg-linn.jpg" alt="Burg Linn">'

MARKUPS = {
    "figure": f"<figure>{IMG}<figcaption>{LINE}</figcaption></figure>",
    "div twice": (f'<div class="media"><span class="sr">{LINE}</span><a href="/medien/burg-linn.jpg" '
                  f'title="{LINE}">{IMG}</a><div class="cap">{LINE}</div></div>'),
    "hidden twin": f'<div><div style="display:none">{LINE}</div><div>{IMG}</div><div>{LINE}</div></div>',
    "table rows": f"<table><tr><td>{IMG}</td></tr><tr><td><font size=1><i>{LINE}</i></font></td></tr>"
                  "</table>",
    "br in cell": f"<table><tr><td>{IMG}<br><small>{LINE}</small></td></tr></table>",
    "title only": f'<p><img src="/medien/burg-linn.jpg" alt="Burg Linn" title="{LINE}"></p>',
    "inline twice": f"<p>{IMG}<span>{LINE}</span> <span>{LINE}</span></p>",
    "twin split in lines": (f'<div><span class="sr-only">{LINE}</span>{IMG}<div>Burg Linn bei Nacht.</div>'
                            f'<div><small>Foto: {PK}, A. Bischof</small></div></div>'),
}


@pytest.mark.parametrize("name", list(MARKUPS))
def test_caption_found_in_any_markup(name: str) -> None:
    html = (f"<html><body><div id='main'><h1>Titel</h1><p>Erster Absatz mit genug Text für ein Beispiel.</p>"
            f"{MARKUPS[name]}<p>Ein weiterer Absatz, der keine Bildunterschrift ist.</p></div></body></html>")
    main = LexborHTMLParser(html).css_first("#main")
    assert extract_images(main, BASE) == [WANT]


def test_alt_is_the_caption_when_nothing_is_visible() -> None:
    alt = "Die Skyline von Charlotte.Foto: Pixabay"
    html = f'<div id="m"><p><img src="a.jpg" alt="{alt}"></p><h2>Weiter</h2></div>'
    main = LexborHTMLParser(html).css_first("#m")
    assert extract_images(main, BASE) == [
        Image(src=BASE + "a.jpg", alt=alt, caption="Die Skyline von Charlotte.", credit="Pixabay")
    ]


def test_body_paragraph_after_a_picture_is_no_caption() -> None:
    long_para = "Seit 30 Jahren sind die Stadt Krefeld und der Landkreis Oder-Spree verbunden. " * 4
    html = f'<div id="m"><p>Einleitung.</p><img src="/b.jpg" alt="Landratsamt"><p>{long_para}</p></div>'
    main = LexborHTMLParser(html).css_first("#m")
    assert extract_images(main, BASE) == [
        Image(src="https://www.krefeld.de/b.jpg", alt="Landratsamt", caption="Landratsamt")
    ]


def test_layout_images_and_teasers_are_skipped() -> None:
    html = (
        '<div id="m"><header><img src="/logo.png" alt="Stadt Krefeld"></header>'
        '<p>Text <img src="/icons/pdf.gif" width="16" height="16" alt=""></p>'
        f"<figure>{IMG}<figcaption>{LINE}</figcaption></figure>"
        "<h2>Weitere Beiträge zur Städtepartnerschaft mit Venlo aus dem Pressearchiv:</h2>"
        '<ul><li><h3><a href="/de/inhalt/andere-meldung/">Eine andere Meldung aus Venlo</a></h3>'
        '<img src="/medien/andere.jpg" alt="x"><div>Andere Unterschrift.Foto: Pixabay</div></li></ul></div>'
    )
    main = LexborHTMLParser(html).css_first("#m")
    assert extract_images(main, BASE) == [WANT]


def test_same_picture_twice_is_listed_once_and_lazy_src_is_used() -> None:
    html = ('<div id="m"><img src="data:image/gif;base64,R0lGOD" data-src="/medien/a.jpg" alt="A">'
            '<img src="/medien/a.jpg" alt="A"></div>')
    main = LexborHTMLParser(html).css_first("#m")
    assert [i.src for i in extract_images(main, BASE)] == ["https://www.krefeld.de/medien/a.jpg"]
    assert extract_images(None, BASE) == []


def test_a_source_urljoin_rejects_is_joined_only_after_the_other_checks() -> None:
    """urljoin raises on some malformed URLs: a skipped picture's source is never joined (the cheap
    checks of plain sources go first, urljoin where it always was)."""
    bad = '<img src="http://[bad/x.jpg" alt="x">'
    teaser = f'<ul><li><a href="/de/inhalt/andere-meldung/">Eine andere Meldung aus Venlo</a>{bad}</li></ul>'
    html = f'<div id="m"><nav>{bad}</nav><header>{bad}</header>{IMG}<p>{LINE}</p>{teaser}</div>'
    main = LexborHTMLParser(html).css_first("#m")
    assert [i.src for i in extract_images(main, BASE)] == [WANT.src]
    with pytest.raises(ValueError):
        extract_images(LexborHTMLParser(f'<div id="m">{bad}</div>').css_first("#m"), BASE)


def test_deep_nesting_is_linear_and_does_not_exhaust_the_stack() -> None:
    depth = 5000
    html = ("<html><body>" + "<div>" * depth + f"<h1>T</h1>{IMG}<div>{LINE}</div>"
            "<div>Kontakt</div><div>Jana Wolterink</div><div>Telefon: 0 21 51 / 86-1558</div>"
            + "</div>" * depth + "</body></html>")
    body = LexborHTMLParser(html).body
    started = time.monotonic()
    assert extract_images(body, BASE) == [WANT]
    assert [c.phone for c in extract_contacts(body)] == ["+49 2151 861558"]
    assert time.monotonic() - started < 5


def test_start_anchored_labels_are_tried_at_the_start_only() -> None:
    from pipeline.parse.images import _anchored

    assert _anchored("^nachrichten aus\\b")
    assert _anchored("^(?:weitere|mehr)\\s+(?:beiträge|artikel)\\b")
    assert _anchored("^aktuelles aus [^.!?|]{2,40}:$")  # a "|" in brackets offers no other way
    assert not _anchored("aus dem pressearchiv\\b")
    assert not _anchored("^weitere|mehr")  # the second way is not anchored
    assert not _anchored("^(?:x)|(?:y)")


def _two_figures(between: str) -> str:
    second = ('<figure><img src="/medien/zwei.jpg" alt="Zwei"><figcaption>Das zweite Bild.</figcaption>'
              "</figure>")
    return (f'<div id="m"><h1>Titel</h1><figure>{IMG}<figcaption>{LINE}</figcaption></figure>{between}'
            f"{second}</div>")


@pytest.mark.parametrize(("between", "kept"), [
    ("<h2>Weitere Meldungen</h2>", 1),  # a label at the start of its text
    ("<p>Mehr dazu aus dem Pressearchiv</p>", 1),  # a label anywhere in a short text
    ("<p>Hier gibt es weitere Meldungen</p>", 2),  # a start-anchored label elsewhere is none
    ("<p>" + "Ein langer Absatz. " * 12 + "Weitere Meldungen</p>", 2),  # a paragraph is no label
])
def test_teaser_label_cuts_the_pictures_after_it(between: str, kept: int) -> None:
    main = LexborHTMLParser(_two_figures(between)).css_first("#m")
    assert len(extract_images(main, BASE)) == kept


def test_squashed_length_test_reads_a_prefix_only_when_it_settles() -> None:
    import random

    from pipeline.parse.images import _squashed_longer
    from pipeline.parse.visible import squash

    rnd = random.Random(4)
    for _ in range(2000):
        text = "".join(rnd.choice("ab  \n\t\u00a0\u200b") for _ in range(rnd.randrange(0, 60)))
        limit = rnd.randrange(0, 30)
        assert _squashed_longer(text, limit) == (len(squash(text)) > limit)


def test_root_paths_are_joined_to_the_origin_as_urljoin_does() -> None:
    import random
    from urllib.parse import urljoin

    from pipeline.parse.images import _origin, _plainly_rooted

    rnd = random.Random(7)
    alphabet = "ab/.?#;[]% :@=&-_~\\AZ09\t\x7fä"
    hosts = ["www.krefeld.de", "a:8080", "u:p@h.de", "H.DE", "[::1]:80", "host"]
    tried = 0
    for _ in range(20000):
        base = (rnd.choice(["https://", "http://", "HTTPS://"]) + rnd.choice(hosts)
                + rnd.choice(["", "/", "/de/inhalt/x/", "/a?b=c", "/a#f", "/x/y.html?q#z"]))
        src = "/" + "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 12)))
        origin = _origin(base)
        if origin and _plainly_rooted(src):
            tried += 1
            assert origin + src == urljoin(base, src), (base, src)
    assert tried > 1000
    assert _origin("https://[::1/") is None  # a bad base: urljoin decides (and raises)


# ---- the layout walk's arrays answer as the tree does ----

ODD_PLACES = [
    f'<b style="display:none"><span>{IMG}</span></b><p>{LINE}</p>',  # a hidden formatting element
    f"<picture><source srcset='/a.webp'>{IMG}</picture><p>{LINE}</p>",  # elements the walk skips
    f"<noscript>{IMG}</noscript><div>{LINE}</div>",
    f"<div hidden>{IMG}</div><nav>{IMG}</nav><header>{IMG}</header><footer><p>{IMG}</p></footer>",
    f'<div class="sr-only">{IMG}<span>{LINE}</span></div><aside><figure>{IMG}</figure></aside>',
    f'<ul><li><a href="/x/">{IMG}</a><a href="/y/">Ein Beitrag mit einem langen Titel</a></li>'
    f'<li><a href="/z/"><img src="/medien/z.jpg"></a><span style="display: none">Versteckt</span></li></ul>',
    f"<figure><div><b hidden>{LINE}</b>{IMG}</div></figure><p>Weitere Meldungen</p>{IMG}",
]


def _both_ways(main_html: str) -> tuple[list[Image], list[Image]]:
    from pipeline.parse.text import layout

    main = LexborHTMLParser(f"<html><body><div id='m'>{main_html}</div></body></html>").css_first("#m")
    lay = layout(main)
    return extract_images(main, BASE), extract_images(lay.nodes[0], BASE, lay)


@pytest.mark.parametrize("markup", [*MARKUPS.values(), *ODD_PLACES])
def test_layout_arrays_answer_as_the_tree_does(markup: str) -> None:
    plain, walked = _both_ways(f"<h1>Titel</h1><p>Erster Absatz.</p>{markup}<p>Ein weiterer Absatz.</p>")
    assert plain == walked


def test_layout_arrays_answer_as_the_tree_does_on_the_mirror() -> None:
    from pipeline.mirror.site import Site
    from pipeline.parse import build_tree
    from pipeline.parse.text import layout

    site = Site(snapshot=1, template="divsoup")
    tried = 0
    for info in site.pages()[:40]:
        tree = build_tree(site.render(info.path).body)
        assert tree is not None
        body = tree.body
        lay = layout(body)
        # every element the walk numbered that holds a picture, as main
        for e in range(len(lay.nodes)):
            main = lay.nodes[e]
            if main.css_first("img") is not None and e % 3 == 0:
                tried += 1
                assert extract_images(main, BASE) == extract_images(main, BASE, lay)
    assert tried > 100


def test_the_walk_numbers_no_hidden_or_layout_element_but_formatting_ones() -> None:
    """What _in_layout_box relies on (the picture rules read the attributes of PLAIN_INLINE ones only)."""
    from pipeline.mirror.site import Site
    from pipeline.parse import build_tree
    from pipeline.parse.text import PLAIN_INLINE, layout
    from pipeline.parse.visible import is_hidden

    trees = [LexborHTMLParser(f"<div>{m}</div>") for m in [*MARKUPS.values(), *ODD_PLACES]]
    site = Site(snapshot=1)
    trees += [build_tree(site.render(info.path).body) for info in site.pages()[:20]]
    for tree in trees:
        assert tree is not None
        lay = layout(tree.body)
        for node, tag in zip(lay.nodes[1:], lay.tags[1:], strict=True):
            assert tag not in ("nav", "footer", "button")
            assert tag in PLAIN_INLINE or not is_hidden(node), node.html
