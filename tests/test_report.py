"""The run report: new, changed and gone articles of one run, as Markdown and JSON beside the archive."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from markdown_it import MarkdownIt
from test_export_data import ARTICLES, PREVIOUS_TITLE_2, build_archive, by_id

from pipeline.errors import UsageError
from pipeline.report import write_run_report


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    build_archive(tmp_path / "archive")
    c = duckdb.connect(str(tmp_path / "archive" / "archive.duckdb"))
    yield c
    c.close()


def test_run_two_reports_new_changed_and_gone(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    md_path, json_path = write_run_report(con, 2, tmp_path / "reports")
    assert md_path == tmp_path / "reports" / "run-2.md" and json_path == tmp_path / "reports" / "run-2.json"
    rep = json.loads(json_path.read_text(encoding="utf-8"))
    assert rep["run"]["id"] == 2 and rep["run"]["status"] == "failed_pages"
    assert rep["run"]["counts"] == {"fetched": 6, "new": 1, "changed": 1, "unchanged": 3, "failed": 1}
    assert [i["id"] for i in rep["new"]] == [6]
    assert [i["id"] for i in rep["changed"]] == [2]
    assert rep["changed"][0]["previous_title"] == PREVIOUS_TITLE_2
    assert rep["changed"][0]["version"] == 2 and rep["changed"][0]["changed_fields"] == ["title"]
    assert [i["id"] for i in rep["gone"]] == [5] and rep["gone"][0]["gone_since"].startswith("2026-11-02")
    for item in rep["new"] + rep["changed"] + rep["gone"]:
        a = by_id(item["id"])
        assert item["title"] == a["title"] and item["url"] == a["canonical_url"]

    md = md_path.read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").parse(md)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["Crawl run 2 — 2026-11-02 02:00 UTC (failed_pages)",
                        "New (1)", "Changed (1)", "Gone (1)"]
    hrefs = [c.attrGet("href") for t in tokens if t.type == "inline" for c in t.children or []
             if c.type == "link_open"]
    assert hrefs == [by_id(i)["canonical_url"] for i in (6, 2, 5)]
    assert f"version 2 (title); title was “{PREVIOUS_TITLE_2}”" in md
    assert "gone since 02.11.2026" in md


def test_first_run_has_everything_new(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    _, json_path = write_run_report(con, 1, tmp_path)
    rep = json.loads(json_path.read_text(encoding="utf-8"))
    assert sorted(i["id"] for i in rep["new"]) == sorted(a["id"] for a in ARTICLES if a["id"] != 6)
    assert rep["changed"] == [] and rep["gone"] == []
    md = (tmp_path / "run-1.md").read_text(encoding="utf-8")
    assert "## Changed (0)\n\nnone" in md
    # newest first, like the export
    assert md.index("Krefeld und Venlo feiern") < md.index("Ökumenischer Besuch") < md.index("Abschied aus")


def test_reports_are_replaced_whole_and_no_temp_is_left(con: duckdb.DuckDBPyConnection,
                                                        tmp_path: Path) -> None:
    write_run_report(con, 2, tmp_path / "reports")
    write_run_report(con, 2, tmp_path / "reports")
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["run-2.json", "run-2.md"]


def test_unknown_run(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="99"):
        write_run_report(con, 99, tmp_path / "reports")
    assert not (tmp_path / "reports").exists()
