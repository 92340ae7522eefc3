"""Export and run report over an archive written by the real store (open_writer … publish), two runs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline import cli, store
from pipeline.models import Fetched, Image, Person, Record, RunStats
from pipeline.report import write_run_report

BASE = "https://www.krefeld.de/de/inhalt/"


def record(slug: str, title: str, published: str, cities: list[str], people: list[Person],
           text: str) -> Record:
    url = BASE + slug + "/"
    return Record(url=url, canonical_url=url, kind="press_release", title=title, published=published,
                  lead=text.split(".")[0] + ".", text=text, people=people, partner_cities=cities,
                  images=[Image(src=BASE + slug + ".jpg", alt=title, caption=f"Bild zu {title}.",
                                credit="Stadt Krefeld, Presse und Kommunikation")])


A = record("venlo-60", "Krefeld und Venlo feiern 60 Jahre", "2024-11-15", ["Venlo"],
           [Person("Frank Meyer", "Oberbürgermeister")],
           "Ein Fest auf Burg Linn. Viele Gäste kamen aus Venlo.")
B = record("duenkirchen-50", "Krefeld und Dünkirchen erneuern ihr Versprechen", "2024-11-20", ["Dünkirchen"],
           [Person("Frank Meyer", "Oberbürgermeister"), Person("Patrice Vergriete", None)],
           "Die Städte erneuern ihr Freundschaftsversprechen. Seit 1974 sind sie verbunden.")
C = record("leicester-orchester", "Orchester aus Leicester zu Gast", "2023-05-02", ["Leicester"], [],
           "Ein Jugendorchester spielte im Seidenweberhaus. Der Saal war voll.")
D = record("charlotte-besuch", "Besuch aus Charlotte", "2024-12-01", ["Charlotte"],
           [Person("Jane Doe", "Präsidentin")], "Charlotte Sister Cities besuchte Krefeld. Es gab Gespräche.")
B2 = replace(B, title="Krefeld und Dünkirchen feiern 50-jährige Freundschaft")


def fetched(rec: Record) -> Fetched:
    return Fetched(url=rec.url, final_url=rec.url, status=200, headers={"content-type": "text/html"},
                   body=f"<html><h1>{rec.title}</h1></html>".encode(), fetched_at=datetime.now(UTC))


def crawl(archive_dir: Path, records: list[Record], gone: list[Record] = (), status: str = "ok"
          ) -> tuple[int, list[str]]:
    with store.open_writer(archive_dir) as arc:
        run_id = arc.begin_run(["krefeld"])
        # the raw capture of D is not kept: its export shows no archived-copy date
        outcomes = [arc.store(run_id, "krefeld", r, fetched(r),
                              warc=None if r is D else (f"run-{run_id}.warc.gz", i))
                    for i, r in enumerate(records)]
        for r in gone:
            assert arc.mark_gone(run_id, r.url)
        stats = RunStats(run_id=run_id, pages_fetched=len(records), pages_new=outcomes.count("new"),
                         pages_changed=outcomes.count("changed"), pages_unchanged=outcomes.count("unchanged"),
                         pages_gone=len(gone), status=status)
        arc.finish_run(run_id, stats)
        arc.publish()
        write_run_report(arc.con, run_id, archive_dir / "reports")
    return run_id, outcomes


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("stored")
    assert crawl(d, [A, B, C]) == (1, ["new", "new", "new"])
    assert crawl(d, [A, B2, D], gone=[C]) == (2, ["unchanged", "changed", "new"])
    with store.open_writer(d) as arc:  # a reparse run afterwards must not hide what run 2 found
        run_id = arc.begin_run(["reparse"])
        arc.finish_run(run_id, RunStats(run_id=run_id, status="reparse"))
        arc.publish()
    return d


def export_json(archive: Path, tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "out.json"
    assert cli.main(["export", "--archive", str(archive), "--format", "json", "-o", str(out), *args]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_full_export_from_the_store(archive: Path, tmp_path: Path) -> None:
    recs = export_json(archive, tmp_path)
    assert [r["title"] for r in recs] == [D.title, B2.title, A.title, C.title]
    b = recs[1]
    assert b["version"] == 2 and b["partner_cities"] == ["Dünkirchen"]
    assert [(p["name"], p["role"]) for p in b["people"]] == [("Frank Meyer", "Oberbürgermeister"),
                                                             ("Patrice Vergriete", None)]
    assert b["images"][0]["credit"] == "Stadt Krefeld, Presse und Kommunikation"
    assert recs[3]["gone_since"] is not None and recs[0]["gone_since"] is None
    assert recs[0]["archived_at"] is None and all(r["archived_at"] for r in recs[1:])


def test_new_means_new_or_changed_in_the_last_crawl(archive: Path, tmp_path: Path) -> None:
    assert [r["title"] for r in export_json(archive, tmp_path, "--new")] == [D.title, B2.title]
    assert [r["title"] for r in export_json(archive, tmp_path, "--new", "--person", "Meyer")] == [B2.title]


def test_query_uses_the_published_search_index(archive: Path, tmp_path: Path) -> None:
    # "Freundschaftsversprechen" only stems to itself; "Städte" stems like "Stadt"
    assert [r["title"] for r in export_json(archive, tmp_path, "--query", "Stadt")] == [B2.title]


def test_the_run_reports_written_after_each_run(archive: Path) -> None:
    rep1 = json.loads((archive / "reports" / "run-1.json").read_text(encoding="utf-8"))
    assert sorted(i["title"] for i in rep1["new"]) == sorted([A.title, B.title, C.title])
    rep2 = json.loads((archive / "reports" / "run-2.json").read_text(encoding="utf-8"))
    assert [i["title"] for i in rep2["new"]] == [D.title]
    assert [(i["title"], i["previous_title"]) for i in rep2["changed"]] == [(B2.title, B.title)]
    assert rep2["changed"][0]["changed_fields"] == ["title"]
    assert [i["title"] for i in rep2["gone"]] == [C.title]
    assert rep2["run"]["counts"]["gone"] == 1
    md = (archive / "reports" / "run-2.md").read_text(encoding="utf-8")
    assert D.url in md and B2.url in md and C.url in md
