"""`sql` and `runs`: read-only enforcement, output formats, missing archive, exit codes through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_store import fetched_for, make_record

from pipeline import cli, query, store
from pipeline.errors import ArchiveError, ReadOnlyError, UsageError
from pipeline.models import RunStats


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("query")
    with store.open_writer(folder) as a:
        run = a.begin_run(["krefeld"])
        for slug in ("a", "b"):
            rec = make_record(slug, title=f"Titel {slug}, mit Komma", text=f"Text {slug} " * 20)
            a.store(run, "krefeld", rec, fetched_for(rec))
        a.finish_run(run, RunStats(run_id=run, pages_fetched=2, pages_new=2, status="ok"))
        a.publish()
    return folder


def _sql(folder: Path, sql: str, fmt: str) -> str:
    out = io.StringIO()
    assert query.run_sql(folder, sql, fmt, out) == 0
    return out.getvalue()


def test_csv_is_a_header_then_rows(archive_dir: Path) -> None:
    text = _sql(archive_dir, "SELECT id, title, published, partner_cities FROM articles ORDER BY id", "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["id", "title", "published", "partner_cities"]
    assert rows[1] == ["1", "Titel a, mit Komma", "2024-11-15", '["Venlo"]']
    assert len(rows) == 3


def test_json_is_one_array_of_objects_with_iso_dates(archive_dir: Path) -> None:
    data = json.loads(_sql(archive_dir, "SELECT id, published, first_seen, partner_cities, "
                                        "gone_since FROM articles ORDER BY id", "json"))
    assert isinstance(data, list) and len(data) == 2
    assert data[0]["published"] == "2024-11-15" and data[0]["partner_cities"] == ["Venlo"]
    assert data[0]["gone_since"] is None and "T" in data[0]["first_seen"]
    assert json.loads(_sql(archive_dir, "SELECT * FROM articles WHERE false", "json")) == []


def test_table_is_aligned(archive_dir: Path) -> None:
    lines = _sql(archive_dir, "SELECT id, kind FROM articles ORDER BY id", "table").splitlines()
    assert lines[0].split() == ["id", "kind"]
    assert lines[2].split() == ["1", "press_release"] and lines[-1] == "(2 rows)"
    assert lines[2].index("press_release") == lines[0].index("kind")


@pytest.mark.parametrize("sql", [
    "INSERT INTO articles (id) VALUES (99)",
    "UPDATE articles SET title = 'x'",
    "DELETE FROM articles",
    "CREATE TABLE t (x INT)",
    "DROP TABLE articles",
    "ALTER TABLE articles ADD COLUMN y INT",
    "ATTACH '/tmp/other.duckdb' AS o",
    "COPY articles TO '/tmp/out.csv'",
    "COPY (SELECT 1) TO '/tmp/out.csv'",
    "INSTALL fts",
    "LOAD '/tmp/evil.duckdb_extension'",
    "SET memory_limit = '1GB'",
    "PRAGMA enable_profiling",
    "CHECKPOINT",
    "CALL pragma_version()",
    "SELECT 1; DELETE FROM articles",
    "EXPORT DATABASE '/tmp/x'",
])
def test_writes_and_side_effects_are_refused(archive_dir: Path, sql: str) -> None:
    with pytest.raises(UsageError):
        query.run_sql(archive_dir, sql, "table", io.StringIO())


def test_refusal_is_a_read_only_error_for_writing_statements() -> None:
    with pytest.raises(ReadOnlyError, match="read-only"):
        query.check_read_only("DELETE FROM articles")
    query.check_read_only("SELECT 1")
    query.check_read_only("PRAGMA table_info('articles')")
    query.check_read_only("EXPLAIN SELECT * FROM articles")


def test_reading_files_from_sql_is_blocked(archive_dir: Path) -> None:
    with pytest.raises(UsageError):
        query.run_sql(archive_dir, "SELECT * FROM read_csv('/etc/passwd')", "csv", io.StringIO())


def test_pragma_table_info_reads(archive_dir: Path) -> None:
    assert "canonical_url" in _sql(archive_dir, "PRAGMA table_info('articles')", "csv")


def test_missing_archive_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match=str(tmp_path / "nope" / "archive.duckdb")):
        query.run_sql(tmp_path / "nope", "SELECT 1", "table", io.StringIO())


def test_cli_exit_codes(archive_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["sql", "SELECT count(*) AS n FROM articles", "--format", "csv",
                     "--archive", str(archive_dir)]) == 0
    assert capsys.readouterr().out == "n\n2\n"
    assert cli.main(["sql", "DROP TABLE articles", "--archive", str(archive_dir)]) == 2
    err = capsys.readouterr().err
    assert "read-only" in err and len(err.strip().splitlines()) == 1
    assert cli.main(["sql", "SELECT nonsense FROM nowhere", "--archive", str(archive_dir)]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert cli.main(["sql", "SELECT 1", "--archive", str(tmp_path / "missing")]) == 2
    assert "archive.duckdb" in capsys.readouterr().err
    assert cli.main(["search", "Text", "--archive", str(archive_dir)]) == 0
    assert "Titel" in capsys.readouterr().out


def test_runs_lists_the_history_with_counts(archive_dir: Path) -> None:
    out = io.StringIO()
    assert query.run_runs(archive_dir, 20, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:4] == ["id", "started", "finished", "status"]
    assert lines[2].split()[0] == "1" and "ok" in lines[2].split() and "krefeld" in lines[2]
    assert "Archive: 2 articles, 2 on the site" in out.getvalue()
