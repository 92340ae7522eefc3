"""The command surface of CONTRACT.md: help texts, exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import build_parser, main

COMMANDS = ["crawl", "parse", "reparse", "sql", "search", "export", "runs", "demo-site"]


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for c in COMMANDS:
        assert c in out


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help_with_common_options(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "--config" in out and "--archive" in out


def test_bad_usage_exits_2() -> None:
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args(["export", "--format", "pdf"])
    assert e.value.code == 2


def test_bad_config_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text("sources:\n  - name: a\n    start_urls: [https://e.org/]\n    speed: 3\n")
    assert main(["crawl", "--config", str(cfg), "--archive", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "speed" in err and str(cfg) in err and "Traceback" not in err


def test_python_dash_m_is_the_same_program() -> None:
    r = subprocess.run([sys.executable, "-m", "pipeline", "--help"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "demo-site" in r.stdout
