"""Page analysis on small hand-written pages in several markups: title, subtitle, lead, text, kind."""
# ruff: noqa: E501  (the HTML fixtures keep their natural line breaks)

from __future__ import annotations

from pipeline.parse import parse

URL = "https://www.krefeld.de/de/inhalt/krefeld-und-venlo-feiern/"

PORTAL = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Krefeld und Venlo feiern | Stadt Krefeld</title>
<link rel="canonical" href="https://www.krefeld.de/de/inhalt/krefeld-und-venlo-feiern/"></head>
<body>
<a class="skip" href="#main">Zum Inhalt springen</a>
<div class="kopf"><ul class="hauptmenue"><li><a href="/de/rathaus/">Rathaus</a></li>
<li><a href="/de/presse/">Presse</a></li><li><a href="/de/kultur/">Kultur und Freizeit</a></li></ul></div>
<div class="pfad"><a href="/">Startseite</a> &gt; <a href="/de/presse/">Presse</a></div>
<div class="spalte">
 <div class="inhalt-box">
  <h2 class="unsichtbar">Inhaltsbereich</h2>
  <h1>Krefeld und Venlo feiern 60 Jahre Städtepartnerschaft</h1>
  <p class="datum">Veröffentlicht am: 15.11.2024</p>
  <div class="bild"><img src="/medien/burg.jpg" alt="Burg Linn bei Nacht.">
   <p class="bu">Burg Linn bei Nacht.Foto: Stadt Krefeld, Presse und Kommunikation, A. Bischof</p></div>
  <h2>Ein Empfang auf Burg Linn</h2>
  <p>Seit sechzig Jahren verbindet Krefeld und Venlo eine enge Freundschaft, die am Donnerstag,
  21. November, mit einem Empfang auf Burg Linn gefeiert wird.</p>
  <p>Oberbürgermeister Frank Meyer begrüßt dazu Gäste aus beiden Städten, darunter den Bürgermeister von
  Venlo, Antoin Scholten. Die Partnerschaft wurde am 21. November 1964 besiegelt.</p>
  <h3>Ein Blick zurück</h3>
  <p>Schon in den ersten Jahren trafen sich Vereine, Schulen und Chöre regelmäßig zu Besuchen diesseits
  und jenseits der Grenze.</p>
  <p>Eingebettetes Youtube-Video</p>
  <p><strong>Weitere Beiträge zur Städtepartnerschaft mit Venlo aus dem Pressearchiv:</strong></p>
  <div class="liste">
   <div class="eintrag"><h3><a href="/de/inhalt/ausschuss-tagt/">Ausschuss tagt in Venlo</a></h3>
    <p>Der gemeinsame Ausschuss hat sich zu grenzüberschreitender Wirtschaft beraten und Pläne gemacht.</p></div>
   <div class="eintrag"><h3><a href="/de/inhalt/festival/">Kultur findet Stadt wird Festival</a></h3>
    <p>Das Festival wird in diesem Jahr deutsch-niederländisch und bringt Künstler beider Länder zusammen.</p></div>
  </div>
 </div>
 <div class="kontakt"><h2>Kontakt</h2><p>Ricarda Beispiel</p><p>Telefon: 0 21 51 / 86-1554</p></div>
</div>
<div id="fuss"><p>Impressum</p><p>Datenschutz</p><p>Copyright Stadt Krefeld 2024</p></div>
<div class="cookie-hinweis"><p>Diese Website verwendet Cookies, um Ihnen den bestmöglichen Service zu
bieten. Mit der Nutzung stimmen Sie zu.</p></div>
</body></html>"""

HTML5 = """<html><head><meta charset="utf-8"><title>Neues Gemeindehaus - Blog der Gemeinde</title>
<meta property="article:published_time" content="2019-05-31T10:00:00+02:00"></head><body>
<header><nav><a href="/">Start</a> <a href="/blog/">Blog</a> <a href="/kontakt/">Kontakt</a></nav></header>
<main><article>
<header><h1>Neues Gemeindehaus eröffnet</h1><p class="meta">31. Mai 2019 von Redaktion</p></header>
<p>Nach zwei Jahren Bauzeit ist das neue Gemeindehaus am Samstag feierlich eröffnet worden, mit einem Fest
für alle Generationen und vielen Gästen aus der Nachbarschaft.</p>
<figure><img src="haus.jpg" alt=""><figcaption>Das neue Haus am Markt. Foto: Privat</figcaption></figure>
<h2>Platz für alle</h2>
<p>Im Erdgeschoss gibt es einen großen Saal, oben liegen Gruppenräume für Jugend und Senioren, die ab
sofort gebucht werden können.</p>
<ul><li>Saal für 200 Personen mit Bühne</li><li>Vier Gruppenräume und eine Küche</li></ul>
<div class="share"><a href="https://facebook.com/x">Teilen</a> <a href="https://twitter.com/x">Tweet</a></div>
</article>
<aside><h2>Beliebte Beiträge</h2><ul><li><a href="/a">Sommerfest</a></li><li><a href="/b">Basar</a></li></ul></aside>
</main>
<footer><p>© 2019 Gemeinde Musterstadt · <a href="/impressum">Impressum</a></p></footer>
</body></html>"""

LEGACY = """<html><head><title>Städtepartnerschaften</title></head><body>
<table width="100%"><tr><td class="nav" width="180">
<a href="/de/rathaus/">Rathaus</a><br><a href="/de/presse/">Presse</a><br><a href="/de/stadt/">Stadt</a><br>
<a href="/de/wirtschaft/">Wirtschaft</a><br><a href="/de/kultur/">Kultur</a>
</td><td>
<font size="5"><b>Städtepartnerschaften</b></font><br>
<p>Krefeld pflegt Partnerschaften mit Städten in ganz Europa und darüber hinaus. Die älteste verbindet
Krefeld seit 1964 mit dem niederländischen Venlo.</p>
<p>Ziel ist die Begegnung von Menschen: Schulen, Vereine und Verwaltungen tauschen sich regelmäßig aus
und besuchen einander.</p>
</td></tr></table>
<p><a href="/de/impressum/">Impressum</a> | <a href="/de/datenschutz/">Datenschutz</a></p>
</body></html>"""


def test_portal_press_release_fields() -> None:
    rec = parse(PORTAL.encode(), URL)
    assert rec.title == "Krefeld und Venlo feiern 60 Jahre Städtepartnerschaft"
    assert rec.subtitle == "Ein Empfang auf Burg Linn"
    assert rec.published == "2024-11-15"
    assert rec.kind == "press_release"
    assert rec.lead and rec.lead.startswith("Seit sechzig Jahren verbindet Krefeld und Venlo")
    paragraphs = rec.text.split("\n\n")
    assert paragraphs[0] == rec.lead
    assert "Ein Blick zurück" in paragraphs  # intermediate heading kept as its own paragraph
    assert paragraphs[-1].startswith("Schon in den ersten Jahren")


def test_portal_text_exclusions() -> None:
    text = parse(PORTAL.encode(), URL).text
    for unwanted in ("Inhaltsbereich", "Veröffentlicht am", "Zum Inhalt springen", "Rathaus", "Startseite",
                     "Foto:", "Burg Linn bei Nacht", "Eingebettetes Youtube-Video", "Weitere Beiträge",
                     "Ausschuss tagt", "grenzüberschreitender Wirtschaft", "Kontakt", "0 21 51", "Impressum",
                     "Cookies", "Krefeld und Venlo feiern 60 Jahre", "Ein Empfang auf Burg Linn"):
        assert unwanted not in text, unwanted


def test_links_absolute_ordered_unique() -> None:
    rec = parse(PORTAL.encode(), URL)
    assert rec.links[:3] == ["https://www.krefeld.de/de/rathaus/", "https://www.krefeld.de/de/presse/",
                             "https://www.krefeld.de/de/kultur/"]
    assert len(rec.links) == len(set(rec.links))
    assert "https://www.krefeld.de/de/inhalt/festival/" in rec.links
    assert all(u.startswith("https://") and "#" not in u for u in rec.links)


def test_canonical_link_same_site_only() -> None:
    page = PORTAL.replace("https://www.krefeld.de/de/inhalt/krefeld-und-venlo-feiern/",
                          "https://evil.example/x/")
    assert parse(page.encode(), URL + "&c92=2147483647").canonical_url == URL
    assert parse(PORTAL.encode(), "https://krefeld.de/de/inhalt/alt/").canonical_url == URL


def test_html5_article() -> None:
    rec = parse(HTML5.encode(), "https://gemeinde.example/blog/neues-gemeindehaus/")
    assert rec.title == "Neues Gemeindehaus eröffnet"
    assert rec.published == "2019-05-31"
    assert rec.lead and rec.lead.startswith("Nach zwei Jahren Bauzeit")
    assert "Platz für alle" in rec.text and "Saal für 200 Personen mit Bühne" in rec.text
    for unwanted in ("Start", "Beliebte Beiträge", "Sommerfest", "Teilen", "Tweet", "Impressum",
                     "Das neue Haus am Markt", "31. Mai 2019"):
        assert unwanted not in rec.text, unwanted


def test_legacy_table_layout() -> None:
    rec = parse(LEGACY.encode("cp1252"), "https://www.krefeld.de/de/stadtmarketing/staedtepartnerschaften/",
                {"Content-Type": "text/html; charset=windows-1252"})
    assert rec.title == "Städtepartnerschaften"
    assert rec.kind == "overview"
    assert "Venlo" in rec.text and "Ziel ist die Begegnung" in rec.text
    assert "Wirtschaft" not in rec.text and "Impressum" not in rec.text
    assert rec.published is None


def test_partner_page_kind() -> None:
    page = PORTAL.replace("<h2>Ein Empfang auf Burg Linn</h2>",
                          "<h2>Die Partnerschaft mit Venlo in den Niederlanden</h2>").replace(
        '<p class="datum">Veröffentlicht am: 15.11.2024</p>', "")
    rec = parse(page.encode(), "https://www.krefeld.de/de/oberbuergermeister/venlo/")
    assert rec.kind == "partner_page"
    assert rec.published is None


def test_listing_kind() -> None:
    items = "".join(
        f'<div class="item"><h3><a href="/de/inhalt/meldung-{i}/">Meldung Nummer {i}</a></h3>'
        f"<p>Kurzer Anrisstext zur Meldung {i}.</p></div>" for i in range(8))
    page = f"<html><body><h1>Pressemitteilungen</h1>{items}</body></html>"
    rec = parse(page.encode(), "https://www.example.org/aktuelles/")
    assert rec.kind == "listing"
    assert rec.title == "Pressemitteilungen"


def test_title_falls_back_to_head() -> None:
    page = "<html><head><title>Sommerfest im Stadtpark | Stadt Musterstadt</title></head><body><p>" \
           + "Ein langer Absatz über das Sommerfest im Stadtpark mit vielen Gästen. " * 3 + "</p></body></html>"
    rec = parse(page.encode(), "https://www.example.org/x")
    assert rec.title == "Sommerfest im Stadtpark"
    assert rec.text.startswith("Ein langer Absatz")


def test_empty_and_binary_input() -> None:
    for body in (b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), b"%PDF-1.4\n%\xe2\xe3"):
        rec = parse(body, "https://www.example.org/file")
        assert rec.kind == "other" and rec.text == "" and rec.title is None
        assert rec.url == "https://www.example.org/file"


def test_source_selector_hints() -> None:
    from pipeline.config import Source

    src = Source(name="k", start_urls=["https://www.krefeld.de/"],
                 allowed_hosts=["www.krefeld.de", "krefeld.de"], canonical_host="www.krefeld.de",
                 selectors={"title": "div.kontakt h2", "main": "#fuss", "date": "#stempel"})
    page = PORTAL.replace("<body>", '<body><span id="stempel">3. März 2021</span>')
    rec = parse(page.encode(), "https://krefeld.de/de/inhalt/krefeld-und-venlo-feiern/", source=src)
    assert rec.title == "Kontakt"
    assert rec.published == "2021-03-03"
    assert "Datenschutz" in rec.text and "Seit sechzig Jahren" not in rec.text
    assert rec.canonical_url == URL
    bad = Source(name="k", start_urls=["https://www.krefeld.de/"], selectors={"title": "!!bad((", "main": "]["})
    assert parse(PORTAL.encode(), URL, source=bad).title == "Krefeld und Venlo feiern 60 Jahre Städtepartnerschaft"


def _mirror_pages() -> list[tuple[dict, bytes]]:
    import json
    from pathlib import Path

    truth = Path(__file__).resolve().parent.parent / "pipeline" / "mirror" / "content" / "truth"
    try:
        from pipeline.mirror.site import Site
    except ImportError:
        return []
    if not truth.is_dir():
        return []
    site, out = Site(snapshot=1), []
    for f in sorted(truth.glob("*.json")):
        t = json.loads(f.read_text(encoding="utf-8"))
        body = site.render(t["url"].split("krefeld.de", 1)[1]).body
        out.append((t, body if isinstance(body, bytes) else body.encode()))
    return out


def test_mirror_pages_match_truth_for_page_fields() -> None:
    import pytest

    pages = _mirror_pages()
    if not pages:
        pytest.skip("the offline mirror is not there")
    wrong = []
    for t, body in pages:
        rec = parse(body, t["url"]).to_dict()
        wrong += [(t["url"], k) for k in ("kind", "title", "subtitle", "published", "lead", "text") if rec[k] != t[k]]
    assert not wrong


def test_mirror_kind_and_date_without_url_signal() -> None:
    import pytest

    pages = _mirror_pages()
    if not pages:
        pytest.skip("the offline mirror is not there")
    right = sum(parse(body, f"https://www.example.org/seite-{i}/").kind == t["kind"]
                for i, (t, body) in enumerate(pages))
    # semantics alone: a page fetched under an alias URL must get the same kind
    assert right == len(pages)
    assert all(parse(body, "https://www.example.org/x/").published == t["published"] for t, body in pages)


def _article(paragraphs: int = 3) -> str:
    return "".join(f"<p>Absatz {i}: Die Stadt baut eine neue Brücke über den Fluss, die im Sommer fertig "
                   f"werden soll und Radwege auf beiden Seiten bekommt.</p>" for i in range(paragraphs))


def test_class_names_of_furniture_and_wrappers() -> None:
    page = (f"<html><body><div class='content-sidebar-wrap'><div class='entry-content'>{_article()}</div>"
            "<div class='comments'><p>Toller Beitrag, vielen Dank für die ausführlichen Informationen hier!</p>"
            "</div><div class='sidebar'><p>Werbung für ein Produkt, das niemand braucht, aber alle kaufen.</p></div>"
            "<span class='sr-only'>Versteckter Hinweis für Screenreader</span>"
            "<div class='Section--Ads box'><p>Ein weiterer echter Absatz mit Inhalt, der zum Artikel gehört "
            "und nicht entfernt werden darf.</p></div></div></body></html>")
    text = parse(page.encode(), "https://www.example.org/a").text
    assert "Absatz 0" in text and "Absatz 2" in text
    assert "Toller Beitrag" not in text and "Werbung für ein Produkt" not in text
    assert "Versteckter Hinweis" not in text
    assert "Ein weiterer echter Absatz" in text  # a BEM modifier ("--Ads") is not furniture


def test_teaser_list_ends_and_contact_box_is_dropped() -> None:
    page = ("<html><body><div class='x'><h1>Neue Brücke</h1>" + _article(2)
            + "<p>Mehr zum Thema:</p><ul><li><h3><a href='/a'>Alte Brücke wird abgerissen</a></h3>"
            "<p>Kurzer Anriss.</p></li><li><h3><a href='/b'>Radweg gesperrt</a></h3><p>Noch ein Anriss.</p></li></ul>"
            "<h2>Kontakt</h2><p>Anna Muster</p><p>Telefon: 0 21 51 / 86-1234</p><p>E-Mail: a.muster@example.org</p>"
            "</div></body></html>")
    text = parse(page.encode(), "https://www.example.org/b").text
    assert "Absatz 1" in text
    for unwanted in ("Mehr zum Thema", "Alte Brücke", "Kurzer Anriss", "Kontakt", "Anna Muster", "Telefon"):
        assert unwanted not in text, unwanted


def test_box_heading_after_the_text_is_not_the_title() -> None:
    page = ("<html><head><title>Neue Brücke für die Stadt | Stadtportal</title></head><body><div id='main'>"
            + _article(3) + "<h1>Quicklinks</h1><p><a href='/x'>Termine</a></p></div></body></html>")
    rec = parse(page.encode(), "https://www.example.org/c")
    assert rec.title == "Neue Brücke für die Stadt"
    assert "Absatz 0" in rec.text


def test_a_parser_bug_does_not_lose_the_page(monkeypatch) -> None:
    import pipeline.parse as parse_module

    def broken(root):
        raise RuntimeError("boom")

    monkeypatch.setattr(parse_module, "layout", broken)
    rec = parse(PORTAL.encode(), URL + "&c92=2147483647")
    assert rec.url == URL + "&c92=2147483647" and rec.canonical_url == URL
    assert rec.kind == "other" and rec.text == "" and "https://www.krefeld.de/de/presse/" in rec.links


def test_line_breaks_only_from_br() -> None:
    page = ("<html><body><div><p>Ein Absatz, der im Quelltext\n      umbrochen ist und trotzdem eine Zeile bleibt, "
            "wie es der Browser zeigt.</p><p>Anschrift der Stelle<br>Von-der-Leyen-Platz 1<br><br>47798 Krefeld "
            "und noch etwas Text dazu.</p></div></body></html>")
    paragraphs = parse(page.encode(), "https://www.example.org/d").text.split("\n\n")
    assert paragraphs[0].startswith("Ein Absatz, der im Quelltext umbrochen ist")
    assert paragraphs[1] == "Anschrift der Stelle\nVon-der-Leyen-Platz 1\n47798 Krefeld und noch etwas Text dazu."


def test_hidden_formatting_elements_are_not_text() -> None:
    page = ("<html><body><div>" + _article(2)
            + "<p>Der Rat tagt am Montag.<b style='display: none'>Geheimer Vermerk</b> <strong hidden>Entwurf</strong>"
            " <em aria-hidden='true'>Unsichtbar</em> <em>Sichtbar betont</em> <i class='fa fa-x'></i></p>"
            "</div></body></html>")
    text = parse(page.encode(), "https://www.example.org/e").text
    assert "Der Rat tagt am Montag. Sichtbar betont" in text
    for hidden in ("Geheimer Vermerk", "Entwurf", "Unsichtbar"):
        assert hidden not in text, hidden
