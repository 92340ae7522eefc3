"""The house rules of docs/ARCHITECTURE.md: which module may import which."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "pipeline"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            names.update(f"{base}.{a.name}" if node.module else f"{base}{a.name}" for a in node.names)
    return names


def module_files(*names: str) -> list[Path]:
    out: list[Path] = []
    for name in names:
        p = PKG / name
        if p.is_dir():
            out += sorted(p.rglob("*.py"))
        elif p.with_suffix(".py").exists():
            out.append(p.with_suffix(".py"))
    return out


def _hits(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    """Imports of a forbidden module: third-party by its top name, ours relative or as `pipeline.X`."""
    bad = []
    for f in files:
        for name in imports_of(f):
            if name.startswith("."):
                parts = name.lstrip(".").split(".")
            elif name.startswith("pipeline."):
                parts = name.split(".")[1:]
            else:
                parts = name.split(".")[:1]  # `urllib.parse` is not our parse package
            if parts and parts[0] in forbidden:
                bad.append(f"{f.name} imports {name}")
    return bad


@pytest.mark.parametrize("files,forbidden", [
    (module_files("parse", "dedup"), ("httpx", "duckdb", "socket", "requests", "fetch", "store")),
    (module_files("fetch", "frontier", "capture"), ("parse",)),
    (module_files("store", "publish"), ("fetch", "parse", "httpx")),
])
def test_import_rules(files: list[Path], forbidden: tuple[str, ...]) -> None:
    assert files, "the modules this rule is about exist"
    assert _hits(files, forbidden) == []


def test_the_rule_checker_catches_a_violation(tmp_path: Path) -> None:
    f = tmp_path / "bad.py"
    f.write_text("import httpx\nfrom ..store import Archive\nfrom pipeline.parse import parse\n"
                 "from urllib.parse import urljoin\n")
    hits = _hits([f], ("httpx", "store", "parse"))
    assert not any("urllib" in h for h in hits)
    for module in ("httpx", "store", "parse"):
        assert any(module in h for h in hits)


def test_parsers_open_no_files() -> None:
    for f in module_files("parse", "dedup"):
        src = f.read_text(encoding="utf-8")
        assert "open(" not in src.replace("urlopen(", ""), f"{f.name} does file I/O"
