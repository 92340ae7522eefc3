"""sources.yaml loading: defaults, and one-line errors naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import config
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sources.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_real_and_demo_configurations_load() -> None:
    real = config.load(ROOT / "sources.yaml").source("krefeld")
    assert real.canonical_host == "www.krefeld.de"
    assert set(real.allowed_hosts) == {"www.krefeld.de", "krefeld.de", "kaoa-krefeld.de"}
    assert real.rate == 1.0
    demo = config.load(ROOT / "sources.demo.yaml").source("krefeld")
    assert "127.0.0.1:8765" in demo.allowed_hosts


def test_defaults_for_everything_but_name_and_start_urls(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, "sources:\n  - name: a\n    start_urls: [https://example.org/x/]\n"))
    s = cfg.sources[0]
    assert s.allowed_hosts == ["example.org"] and s.canonical_host == "example.org"
    assert (s.rate, s.concurrency, s.max_pages, s.max_depth, s.timeout, s.max_bytes) == (
        1.0, 1, 5000, 8, 20.0, 10_000_000)
    assert cfg.user_agent == config.DEFAULT_USER_AGENT


ONE = "sources:\n  - name: a\n    start_urls: [https://e.org/]\n"


@pytest.mark.parametrize("body,needle", [
    (ONE + "    ratee: 2\n", "line 4: sources[0].ratee: unknown key"),
    (ONE + "    rate: fast\n", "sources[0].rate: expected int or float"),
    (ONE + "    max_pages: true\n", "sources[0].max_pages"),
    (ONE + "    include: ['(']\n", "bad regular expression"),
    ("sources:\n  - start_urls: [https://e.org/]\n", "missing required key 'name'"),
    ("sources:\n  - name: a\n    start_urls: [ftp://e.org/]\n", "not an http(s) URL"),
    ("sources:\n  - name: a\n    start_urls: [https://e.org/]\n  - name: a\n    start_urls: [https://e.org/]\n",
     "used more than once"),
    ("user_agnt: x\nsources: []\n", "line 1: unknown key 'user_agnt'"),
    ("sources: [\n", "not valid YAML"),
    ("sources:\n  - name: a\n    start_urls: [https://e.org/]\n    rate: 0\n", "must be greater than 0"),
])
def test_bad_configuration_is_one_line_naming_file_and_key(tmp_path: Path, body: str, needle: str) -> None:
    with pytest.raises(ConfigError) as e:
        config.load(write(tmp_path, body))
    msg = str(e.value)
    assert "\n" not in msg
    assert str(tmp_path / "sources.yaml") in msg
    assert needle in msg


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "nope.yaml")


def test_unknown_source_name_lists_known(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, "sources:\n  - name: a\n    start_urls: [https://e.org/]\n"))
    with pytest.raises(ConfigError, match="known: a"):
        cfg.select(["b"])
