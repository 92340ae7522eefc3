"""Publication dates: labelled forms, structured data, URL dates; event dates in the text are traps."""

from __future__ import annotations

import pytest

from pipeline.parse import parse
from pipeline.parse.dates import parse_date, url_date

BODY = ("<p>Die Stadt lädt am Donnerstag, 21. November, zu einem Empfang ein. Die Partnerschaft wurde am "
        "15. Juni 1974 besiegelt; das Fest läuft vom 7. bis zum 9. Juni 2025 auf dem Platz.</p>"
        "<p>Ein zweiter Absatz mit ausreichend Text, damit der Hauptinhalt sicher erkannt wird.</p>")


def page(head: str = "", top: str = "", body: str = BODY) -> bytes:
    return (f"<html><head>{head}</head><body><div class='main'><h1>Ein Titel für die Meldung</h1>{top}"
            f"{body}</div></body></html>").encode()


def published(head: str = "", top: str = "", body: str = BODY,
              url: str = "https://www.example.org/x/") -> str | None:
    return parse(page(head, top, body), url).published


@pytest.mark.parametrize("line, expected", [
    ("Veröffentlicht am: 15.11.2024", "2024-11-15"),
    ("Veröffentlicht am 05.03.2025", "2025-03-05"),
    ("Pressemitteilung vom 7. Februar 2022", "2022-02-07"),
    ("Stand: 01.02.2023", "2023-02-01"),
    ("Datum: 2021-05-27", "2021-05-27"),
    ("erstellt am 13.07.2022 um 10:15 Uhr", "2022-07-13"),
    ("Freitag, 15. November 2024", "2024-11-15"),
    ("15.11.2024", "2024-11-15"),
    ("2024-11-15", "2024-11-15"),
    ("Posted on May 31, 2012 by admin", "2012-05-31"),
    ("Veröffentlicht: 3. März 2020 | Redaktion", "2020-03-03"),
])
def test_labelled_and_dateline_forms(line: str, expected: str) -> None:
    assert published(top=f"<p>{line}</p>") == expected


def test_labelled_date_wins_over_event_dates_in_text() -> None:
    assert published(top="<p>Veröffentlicht am: 15.11.2024</p>") == "2024-11-15"


def test_no_date_stated_gives_null() -> None:
    # only event dates in running text: "am 15. Juni 1974", "vom 7. bis zum 9. Juni 2025"
    assert published() is None


def test_event_date_in_a_sentence_is_not_taken() -> None:
    body = ("<p>Am 15. Juni 1974 unterzeichneten beide Städte den Vertrag im Rathaus, feierlich und "
            "mit Musik.</p>")
    assert published(body=body) is None


def test_structured_data() -> None:
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
          '"datePublished": "2023-09-07T11:00:00+02:00", "dateModified": "2023-09-08"}</script>')
    assert published(head=ld) == "2023-09-07"
    graph = '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, ' \
            '{"@type": "Article", "datePublished": "2020-01-02"}]}</script>'
    assert published(head=graph) == "2020-01-02"
    meta = '<meta property="article:published_time" content="2022-09-28T08:00:00Z">'
    assert published(head=meta) == "2022-09-28"
    assert published(head='<meta name="date" content="2021-05-27">') == "2021-05-27"
    assert published(top='<time datetime="2024-05-02T09:00">2. Mai</time>') == "2024-05-02"


def test_modified_date_only_as_fallback() -> None:
    top = "<p>Aktualisiert am 20.11.2024</p><p>Veröffentlicht am 15.11.2024</p>"
    assert published(top=top) == "2024-11-15"


def test_url_dates() -> None:
    assert url_date("https://blog.example.org/2019/05/31/titel/") == "2019-05-31"
    assert url_date("https://blog.example.org/20190531-titel") == "2019-05-31"
    assert url_date("https://www.example.org/de/inhalt/2019-titel/") is None
    assert published(url="https://blog.example.org/2019/05/31/titel/") == "2019-05-31"


def test_invalid_dates_are_rejected() -> None:
    assert parse_date("31.02.2024") is None
    assert parse_date("15.13.2024") is None
    assert parse_date("15. Brumaire 2024") is None
    assert parse_date("1. Januar 1850") is None
    assert parse_date("3. März 2020") == "2020-03-03"
    assert parse_date("3. Maerz 2020") == "2020-03-03"


def test_german_month_names() -> None:
    months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
              "November", "Dezember"]
    for i, name in enumerate(months, 1):
        assert parse_date(f"Montag, 4. {name} 2024") == f"2024-{i:02d}-04"


def test_bylines_and_sentences_about_the_article() -> None:
    assert published(top="<p>von Anna Muster am 20.06.2018</p>") == "2018-06-20"
    body = BODY + "<p>Dieser Artikel wurde am 14. Dezember 2015 um 14:48 von Redaktion veröffentlicht.</p>"
    assert published(body=body) == "2015-12-14"


def test_news_dateline_opening_the_text() -> None:
    body = ("<p>01.02.2022 – Der Arbeitsmarkt ist gut in das Jahr gestartet, sagte die Vorständin am "
            "Dienstag in Nürnberg vor der Presse.</p>") + BODY
    assert published(body=body) == "2022-02-01"


def test_day_first_url_dates() -> None:
    assert url_date("https://www.example.org/newsroom/23-01-2022-titel-der-meldung") == "2022-01-23"
    assert url_date("https://www.example.org/aktuelles/08112021-fachtag/") == "2021-11-08"
    assert url_date("https://www.example.org/artikel/1136087.titel.html") is None


def test_class_date_candidates_are_the_word_selectors_matches() -> None:
    # _class_date asks lexbor for wider selectors and keeps what the case-sensitive words select
    from selectolax.lexbor import LexborHTMLParser

    from pipeline.parse.dates import _CLASS_DATE_CSS, _CLASS_WORD

    words = ("date", "Date", "datum", "Datum", "time", "Time", "zeit", "published", "posted", "meta",
             "byline", "veroeffentlicht")
    narrow = ", ".join(f"[{attr}*={w}]" for attr in ("class", "id") for w in words)
    html = """<html class="x-Date"><head><meta class="metadata"></head><body><div class="DATE">a</div>
    <p class="data">b</p><p id="upDATEd" class="TIME">c</p><span class="entry-date Date">d</span>
    <div class="newsDatum"><i id="zeitpunkt">e</i></div><em class>f</em><b id="Timeline">g</b>
    <footer class="comment-meta byline">h</footer><p class="pu blished">i</p></body></html>"""
    tree = LexborHTMLParser(html)

    def distinct(nodes: list) -> list[str]:  # an element matching several selectors comes several times
        out: list[str] = []
        for n in nodes:
            h = n.html
            if not out or out[-1] != h:
                out.append(h)
        return out

    kept = [n for n in tree.css(_CLASS_DATE_CSS)
            if _CLASS_WORD.search(f"{n.attributes.get('class') or ''} {n.attributes.get('id') or ''}")]
    assert distinct(kept) == distinct(tree.css(narrow))
    assert [n.tag for n in tree.css(narrow)] == ["html", "meta", "span", "span", "div", "i", "b", "footer",
                                                 "footer"]


def test_cheap_letter_tests_agree_with_case_blind_regexes() -> None:
    # content.is_related_label tests "arch" in text.lower(), page._in_partner_list the lowered first
    # character against "dkup": every character re.I equates with one of those letters lowers to it
    import re

    for letters in ("arch", "dkup"):
        rx = re.compile(f"[{letters}]", re.I)
        assert all(chr(c).lower() in letters for c in range(0x110000) if rx.fullmatch(chr(c)))


def test_date_sources_in_one_query_are_each_selectors_matches() -> None:
    # find_published fetches json-ld scripts, metas and times in one query and tells them apart by tag
    # (type matches case-blind in lexbor)
    from selectolax.lexbor import LexborHTMLParser

    from pipeline.parse.dates import sources

    html = """<html><head><script type="APPLICATION/LD+JSON">{}</script><script>x</script>
    <script type="application/json">{}</script><meta property="og:title" content="T"><meta name="date">
    </head><body><time datetime="2020-01-02">2. Januar</time><p itemprop="datePublished">3.4.2020</p>
    <svg><script type="application/ld+json">{}</script></svg><time>x</time></body></html>"""
    tree = LexborHTMLParser(html)
    found = sources(tree)
    for got, query in ((found.scripts, 'script[type="application/ld+json"]'), (found.metas, "meta"),
                       (found.times, "time")):
        want = tree.css(query)
        assert [n.html for n in got] == [n.html for n in want] and want
