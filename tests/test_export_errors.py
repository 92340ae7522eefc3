"""Bad export input: exit 2, one clear line on stderr, and nothing (half-)written left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_export_data import build_archive

from pipeline import cli, exporters


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("archive")
    build_archive(d)
    return d


def run(archive: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["export", "--archive", str(archive), *args])
    err = capsys.readouterr().err
    return code, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_unknown_partner_lists_the_valid_names(archive: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.csv"
    code, err = run(archive, capsys, "--format", "csv", "--partner", "Paris", "-o", str(out))
    assert code == 2
    line = one_line(err)
    assert "--partner" in line and "'Paris'" in line
    for name in ("Venlo", "Dünkirchen", "Landkreis Oder-Spree", "Charlotte", "Kropyvnytskyi"):
        assert name in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option,value", [
    ("--since", "2024-02-30"), ("--until", "2023-02-29"), ("--since", "2024-13-01"),
    ("--until", "15.11.2024"), ("--since", "yesterday"), ("--since", "2024-1-5"),
])
def test_impossible_or_malformed_dates(archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       option: str, value: str) -> None:
    out = tmp_path / "out.xlsx"
    code, err = run(archive, capsys, "--format", "xlsx", option, value, "-o", str(out))
    assert code == 2
    line = one_line(err)
    assert option in line and value in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["--person", "--query"])
def test_a_filter_without_words(archive: Path, capsys: pytest.CaptureFixture[str], option: str) -> None:
    code, err = run(archive, capsys, "--format", "md", option, "…?!")
    assert code == 2 and option in one_line(err)


def test_since_after_until(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(archive, capsys, "--format", "md", "--since", "2024-12-01", "--until", "2024-01-01")
    assert code == 2 and "--since" in one_line(err)


@pytest.mark.parametrize("where", ["missing_folder", "parent_is_a_file", "target_is_a_folder"])
def test_unwritable_output_path(archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                where: str) -> None:
    (tmp_path / "a_file").write_text("keep me", encoding="utf-8")
    (tmp_path / "a_folder").mkdir()
    target = {"missing_folder": tmp_path / "no" / "such" / "out.csv",
              "parent_is_a_file": tmp_path / "a_file" / "out.csv",
              "target_is_a_folder": tmp_path / "a_folder"}[where]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, err = run(archive, capsys, "--format", "csv", "-o", str(target))
    assert code == 2
    line = one_line(err)
    assert str(target) in line
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "a_file").read_text(encoding="utf-8") == "keep me"


def test_xlsx_needs_an_output_file(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(archive, capsys, "--format", "xlsx")
    line = one_line(err)
    assert code == 2 and "-o" in line and "xlsx" in line
    assert capsys.readouterr().out == ""


def test_unknown_source_and_missing_archive(archive: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(archive, capsys, "--format", "csv", "--source", "bonn")
    assert code == 2 and "bonn" in one_line(err) and "krefeld" in err
    code, err = run(tmp_path / "nowhere", capsys, "--format", "csv", "-o", str(tmp_path / "x.csv"))
    assert code == 2 and "archive.duckdb" in one_line(err)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_leaves_the_old_file_and_no_temp(archive: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "list.csv"
    target.write_text("yesterday's list", encoding="utf-8")

    def broken(records: list, meta: dict) -> bytes:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(exporters.TEXT_FORMATS, "csv", broken)
    with pytest.raises(RuntimeError):
        cli.main(["export", "--archive", str(archive), "--format", "csv", "-o", str(target)])
    assert target.read_text(encoding="utf-8") == "yesterday's list"
    assert [p.name for p in tmp_path.iterdir()] == ["list.csv"]


def test_a_good_export_replaces_the_file_readably(archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "list.md"
    target.write_text("old", encoding="utf-8")
    assert cli.main(["export", "--archive", str(archive), "--format", "md", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("# ")
    assert target.stat().st_mode & 0o044, "an export is readable by others, unlike mkstemp's 0600"
    assert [p.name for p in tmp_path.iterdir()] == ["list.md"]
