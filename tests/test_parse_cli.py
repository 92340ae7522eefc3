"""The `parse` command: one file, a JSON Lines list (with .gz), errors and exit codes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.cli import main

PAGE = ("<html><head><title>T</title></head><body><h1>Krefeld und Venlo feiern</h1>"
        "<p>Veröffentlicht am: 15.11.2024</p><p>Seit sechzig Jahren verbindet Krefeld und Venlo eine enge "
        "Freundschaft, die mit einem Empfang gefeiert wird. Grüße!</p></body></html>")
URL = "https://www.krefeld.de/de/inhalt/krefeld-und-venlo-feiern/"


def test_single_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "page.html"
    f.write_bytes(PAGE.encode())
    assert main(["parse", str(f), "--url", URL]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    rec = json.loads(out)
    assert rec["url"] == URL and rec["title"] == "Krefeld und Venlo feiern"
    assert rec["published"] == "2024-11-15" and rec["kind"] == "press_release"
    assert "Grüße!" in out  # ensure_ascii=False: umlauts as written, not \u escapes
    assert "enge Freundschaft" in out and "Veröffentlicht" not in rec["text"]
    assert set(rec) >= {"canonical_url", "subtitle", "lead", "text", "people", "images", "partner_cities",
                        "contacts", "links"}


def test_single_gz_file_and_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "page.html.gz"
    f.write_bytes(gzip.compress(PAGE.encode()))
    cfg = tmp_path / "sources.yaml"
    cfg.write_text("sources:\n  - name: k\n    start_urls: [https://www.krefeld.de/]\n"
                   "    allowed_hosts: [www.krefeld.de, krefeld.de, kaoa-krefeld.de]\n"
                   "    canonical_host: www.krefeld.de\n", encoding="utf-8")
    alias = "https://kaoa-krefeld.de/de/inhalt/krefeld-und-venlo-feiern/&c92=2147483647"
    assert main(["parse", str(f), "--url", alias, "--source", "k", "--config", str(cfg)]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["url"] == alias and rec["canonical_url"] == URL


def test_jsonl_in_order_with_gz_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html").write_bytes(PAGE.encode())
    (tmp_path / "pages" / "b.html.gz").write_bytes(gzip.compress(PAGE.replace("Venlo", "Leiden").encode()))
    lst = tmp_path / "list.jsonl"
    rows = [{"file": "pages/a.html", "url": "https://x.example/a"},
            {"file": "pages/missing.html", "url": "https://x.example/m"},
            {"file": "pages/b.html.gz", "url": "https://x.example/b"}]
    lst.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["parse", "--jsonl", str(lst)]) == 1  # finished, one page failed
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["url"] for x in lines] == ["https://x.example/a", "https://x.example/m", "https://x.example/b"]
    assert "error" in lines[1] and "missing.html" in lines[1]["error"]
    assert "Leiden" in lines[2]["title"] and "error" not in lines[0]


def test_jsonl_many_pages_keep_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = []
    for i in range(70):  # above the threshold where a process pool is used
        (tmp_path / f"p{i}.html").write_bytes(PAGE.replace("Venlo feiern", f"Venlo feiern {i}").encode())
        rows.append({"file": f"p{i}.html", "url": f"https://x.example/{i}"})
    lst = tmp_path / "list.jsonl"
    lst.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["parse", "--jsonl", str(lst)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["title"] for x in lines] == [f"Krefeld und Venlo feiern {i}" for i in range(70)]


def test_errors_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.html"
    assert main(["parse", str(missing), "--url", URL]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.html" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"file": "a.html", "url": "u"}\n{not json\n', encoding="utf-8")
    assert main(["parse", "--jsonl", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:2" in err and err.count("\n") == 1
    assert main(["parse", "--jsonl", str(tmp_path / "none.jsonl")]) == 2
    assert "none.jsonl" in capsys.readouterr().err
    f = tmp_path / "page.html"
    f.write_bytes(PAGE.encode())
    assert main(["parse", str(f)]) == 2  # --url missing
    assert "--url" in capsys.readouterr().err
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"file": 3}\n', encoding="utf-8")
    assert main(["parse", "--jsonl", str(wrong)]) == 2
    assert "wrong.jsonl:1" in capsys.readouterr().err
