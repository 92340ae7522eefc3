"""Export every format from a small real archive and read it back with the format's own reader."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from markdown_it import MarkdownIt
from test_export_data import ARTICLES, CONTACT, build_archive, by_id, expected_order

from pipeline import cli
from pipeline.export import newest_first
from pipeline.exporters.common import fold, german_key, resolve_partner, sorted_cities

CONTRACT_FIELDS = {"url", "canonical_url", "kind", "title", "subtitle", "published", "lead", "text", "people",
                   "images", "partner_cities", "contacts", "links"}
ARCHIVE_FIELDS = {"id", "first_seen", "last_seen", "version", "gone_since"}
IMG = "Image captions (credits)"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("archive")
    build_archive(d)
    return d


def export(archive: Path, out: Path, *args: str) -> Path:
    fmt = out.suffix.lstrip(".")
    assert cli.main(["export", "--archive", str(archive), "--format", fmt, "-o", str(out), *args]) == 0
    return out


def ids_of(archive: Path, tmp_path: Path, *args: str) -> list[int]:
    out = export(archive, tmp_path / "ids.jsonl", *args)
    return [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]


def titles(ids: list[int]) -> list[str]:
    return [by_id(i)["title"] for i in ids]


# ---- the formats ----

def test_csv_has_a_bom_one_row_per_article_and_joined_lists(archive: Path, tmp_path: Path) -> None:
    out = export(archive, tmp_path / "a.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["Title"] for r in rows] == titles(expected_order())
    first = {r["Title"]: r for r in rows}
    venlo = first[by_id(1)["title"]]
    assert venlo["Published"] == "2024-11-15"
    assert venlo["People"] == "Frank Meyer (Oberbürgermeister); Antoin Scholten (Bürgermeister von Venlo)"
    assert venlo["URL"] == by_id(1)["canonical_url"]
    assert venlo[IMG] == "Burg Linn bei Nacht. (Foto: Stadt Krefeld, Presse und Kommunikation)"
    duen = first[by_id(2)["title"]]
    assert duen[IMG] == "Unterzeichnung im Rathaus. (Foto: Ville de Dunkerque); Gruppenbild."
    assert duen["People"] == "Frank Meyer (Oberbürgermeister); Patrice Vergriete"
    overview = first[by_id(4)["title"]]
    assert overview["Published"] == ""
    # cities sorted in German order: Dünkirchen between Charlotte and Leicester
    assert overview["Partner cities"] == "Charlotte; Dünkirchen; Leicester; Leiden; Venlo"


def test_xlsx_is_a_styled_workbook_with_real_dates_and_links(archive: Path, tmp_path: Path) -> None:
    out = export(archive, tmp_path / "a.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row == len(ARTICLES) + 1 and ws.max_column == 7
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G7"
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Published", "Title"] and "URL" in header
    assert all(c.font.bold for c in ws[1])
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["Title"]].value for r in ws.iter_rows(min_row=2)] == titles(expected_order())
    for row, aid in zip(ws.iter_rows(min_row=2), expected_order(), strict=True):
        a = by_id(aid)
        pub = row[col["Published"]]
        if a["published"] is None:
            assert pub.value is None
        else:
            assert pub.is_date and pub.value.date() == a["published"]
        link = row[col["URL"]]
        assert link.value == a["canonical_url"] and link.hyperlink.target == a["canonical_url"]
    lead3 = next(r[col["Lead"]] for r in ws.iter_rows(min_row=2)
                 if r[col["Title"]].value == by_id(3)["title"])
    assert lead3.value == by_id(3)["lead"] and lead3.data_type == "s", "a lead starting with '=' stays text"
    assert ws.column_dimensions["B"].width >= 40 and ws.column_dimensions["A"].width >= 10


def _db_rows(archive: Path) -> dict[int, dict[str, Any]]:
    con = duckdb.connect(str(archive / "archive.duckdb"), read_only=True)
    cur = con.execute("SELECT * FROM articles")
    names = [d[0] for d in cur.description]
    rows = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    con.close()
    return rows


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_formats_hold_the_full_records(archive: Path, tmp_path: Path, fmt: str) -> None:
    out = export(archive, tmp_path / f"a.{fmt}")
    text = out.read_text(encoding="utf-8")
    recs = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    assert [r["id"] for r in recs] == expected_order()
    db = _db_rows(archive)
    for r in recs:
        assert r.keys() >= CONTRACT_FIELDS | ARCHIVE_FIELDS
        row, a = db[r["id"]], by_id(r["id"])
        for k in ("url", "canonical_url", "kind", "title", "lead", "text", "version", "source"):
            assert r[k] == row[k], k
        assert r["published"] == (row["published"].isoformat() if row["published"] else None)
        assert datetime.fromisoformat(r["first_seen"]) == row["first_seen"]
        assert (r["gone_since"] is None) == (row["gone_since"] is None)
        assert r["partner_cities"] == row["partner_cities"]
        assert [(p["name"], p["role"]) for p in r["people"]] == a["people"]
        assert [(i["caption"], i["credit"]) for i in r["images"]] == a["images"]
    contact = dict(zip(("name", "phone", "email", "room"), CONTACT, strict=True))
    assert recs[expected_order().index(1)]["contacts"] == [contact]


def test_markdown_is_a_pasteable_list(archive: Path, tmp_path: Path) -> None:
    out = export(archive, tmp_path / "a.md")
    text = out.read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").parse(text)
    assert tokens[0].type == "heading_open"
    top_items = [t for t in tokens if t.type == "list_item_open" and t.level == 1]
    assert len(top_items) == len(ARTICLES)
    hrefs = [t.attrGet("href") for t in tokens if t.type == "inline" for t in (t.children or [])
             if t.type == "link_open"]
    assert hrefs == [by_id(i)["canonical_url"] for i in expected_order()]
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert lines[2].startswith("- 15.11.2024 — Krefeld und Venlo feiern")
    assert lines[-1].startswith("- undated — Übersicht")
    assert "  - People: Frank Meyer (Oberbürgermeister); Antoin Scholten (Bürgermeister von Venlo)" in text
    assert "  - Partner cities: Leicester, Venlo" in text


class _TableReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.external: list[str] = []
        self.tags: set[str] = set()
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        a = dict(attrs)
        if tag in ("script", "img", "iframe") and a.get("src") or tag == "link":
            self.external.append(tag)
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "td" and self._in_body:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data + " ")


def test_html_is_one_self_contained_page_with_the_table(archive: Path, tmp_path: Path) -> None:
    out = export(archive, tmp_path / "a.html")
    page = out.read_text(encoding="utf-8")
    reader = _TableReader()
    reader.feed(page)
    assert reader.external == [] and {"style", "script", "table", "input"} <= reader.tags
    assert len(reader.rows) == len(ARTICLES)
    assert [r[1].split(" https://")[0] for r in reader.rows] == titles(expected_order())
    venlo = reader.rows[expected_order().index(1)]
    assert venlo[0] == "15.11.2024"
    assert "Burg Linn bei Nacht. Foto: Stadt Krefeld, Presse und Kommunikation" in venlo[5]
    assert venlo[6] == "01.11.2026", "the date of the archived copy"
    assert f'<a href="{by_id(1)["canonical_url"]}">' in page
    assert "no longer on the site since 02.11.2026" in reader.rows[expected_order().index(5)][1]


def test_text_formats_go_to_stdout(archive: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert cli.main(["export", "--archive", str(archive), "--format", "csv", "--partner", "Charlotte"]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbf") and b"Charlotte Sister Cities zu Gast" in out
    assert cli.main(["export", "--archive", str(archive), "--format", "json", "--partner", "Leicester"]) == 0
    recs = json.loads(capsysbinary.readouterr().out.decode("utf-8"))
    assert [r["id"] for r in recs] == [3, 4]


# ---- the filters ----

@pytest.mark.parametrize("args,ids", [
    ([], expected_order()),
    (["--partner", "Venlo"], [1, 3, 4]),
    (["--partner", "Dunkerque"], [2, 4]),
    (["--partner", "DUENKIRCHEN"], [2, 4]),
    (["--partner", "dünkirchen"], [2, 4]),
    (["--partner", "Ulyanovsk"], [5]),
    (["--since", "2024-01-01"], [6, 2, 1]),
    (["--until", "2023-12-31"], [3, 5]),
    (["--since", "2024-11-20", "--until", "2024-11-20"], [6, 2]),
    (["--person", "meyer"], [2, 1]),
    (["--person", "Hanna Finke"], [3]),
    (["--person", "Hanna Meyer"], []),
    (["--query", "Burg Linn"], [1]),
    (["--query", "freundschaft"], [2, 1]),
    (["--source", "archiv"], [5]),
    (["--new"], [6, 2]),
    (["--new", "--partner", "Charlotte"], [6]),
    (["--partner", "Venlo", "--since", "2024-01-01", "--person", "Frank Meyer"], [1]),
])
def test_filters_combine(archive: Path, tmp_path: Path, args: list[str], ids: list[int]) -> None:
    assert ids_of(archive, tmp_path, *args) == ids


def test_query_uses_the_full_text_index_when_the_archive_has_one(tmp_path: Path) -> None:
    from pipeline import search
    from pipeline.store import schema

    build_archive(tmp_path)
    con = schema.connect(tmp_path / "archive.duckdb")
    search.build_index(con)
    con.close()
    # the German stemmer finds "Freundschaft" for "Freundschaften"; a substring match would not
    assert ids_of(tmp_path, tmp_path, "--query", "Freundschaften") == [2, 1]
    assert ids_of(tmp_path, tmp_path, "--query", "Freundschaften", "--partner", "Venlo") == [1]
    assert ids_of(tmp_path, tmp_path, "--query", "Freundschaften", "--new") == [2]


# ---- ordering and names ----

def test_german_folding_and_sorting() -> None:
    assert fold("Ärger Straße") == "arger strasse"
    names = ["Zander", "Öztürk", "Ober", "Äbel", "Abel", "über", "Ulm"]
    assert sorted(names, key=german_key) == ["Abel", "Äbel", "Ober", "Öztürk", "über", "Ulm", "Zander"]
    assert sorted_cities(["Venlo", "Dünkirchen", "Charlotte", "Leiden"]) == \
        ["Charlotte", "Dünkirchen", "Leiden", "Venlo"]


def test_newest_first_breaks_ties_by_title_in_german_order() -> None:
    d, t = date(2024, 1, 1), datetime(2026, 1, 1)
    recs = [{"title": "Zoo", "published": d, "first_seen": t},
            {"title": "Übergabe", "published": d, "first_seen": t},
            {"title": "Alt", "published": None, "first_seen": t},
            {"title": "Neu", "published": date(2024, 2, 1), "first_seen": t},
            {"title": "Apfel", "published": d, "first_seen": t}]
    assert [r["title"] for r in newest_first(recs)] == ["Neu", "Apfel", "Übergabe", "Zoo", "Alt"]


@pytest.mark.parametrize("typed,canonical", [("Dunkerque", "Dünkirchen"), ("dunkirk", "Dünkirchen"),
                                             ("Kreis Beeskow", "Landkreis Oder-Spree"), ("oder-spree",
                                             "Landkreis Oder-Spree"), ("  venlo ", "Venlo"),
                                             ("Kropywnyzkyj", "Kropyvnytskyi"), ("Paris", None), ("", None)])
def test_partner_aliases(typed: str, canonical: str | None) -> None:
    assert resolve_partner(typed) == canonical


def test_xlsx_survives_control_characters_and_overlong_cells(tmp_path: Path) -> None:
    from pipeline.exporters.xlsx import write_xlsx

    rec = {"title": "Bell\x07 im Titel", "published": "2024-02-29", "partner_cities": ["Venlo"], "people": [],
           "canonical_url": "https://www.krefeld.de/x/", "lead": "ä" * 40_000, "images": []}
    out = tmp_path / "x.xlsx"
    with out.open("wb") as fh:
        write_xlsx([rec], {"title": "t"}, fh)
    row = [c.value for c in openpyxl.load_workbook(out).active[2]]
    assert row[0] == datetime(2024, 2, 29) and row[1] == "Bell im Titel"
    assert len(row[5]) == 32_767 and row[5].endswith("…")
