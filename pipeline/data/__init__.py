"""Gazetteers and word lists the parsers read: data, kept apart from the code that uses it."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def lexicon(section: str) -> dict[str, Any]:
    """One section of lexicon.yaml; word lists come back as frozensets, other values as written."""
    raw = yaml.safe_load(resources.files(__name__).joinpath("lexicon.yaml").read_text(encoding="utf-8"))
    if section not in raw:
        raise KeyError(f"pipeline/data/lexicon.yaml: no section {section!r}")
    out: dict[str, Any] = {}
    for key, value in raw[section].items():
        if isinstance(value, str):
            out[key] = frozenset(value.split())
        else:
            out[key] = value
    return out


def read_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a data file."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return [ln.rstrip("\n") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
