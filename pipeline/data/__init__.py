"""Gazetteers and word lists the parsers read: data, kept apart from the code that uses it."""

from __future__ import annotations

import gc
import gzip
import json
import logging
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

logger = logging.getLogger(__name__)


def _frozen(words: frozenset[str]) -> frozenset[str]:
    """Move the word list (and everything else alive now) out of the garbage collector's sight: a full
    collection visits every member of every set, and these lists (~10^5 words) made that cost ~6 % of
    parsing time. They live for the whole process anyway."""
    gc.freeze()
    return words


@cache
def _lexicon_file() -> dict[str, Any]:
    """lexicon.yaml, read and parsed once per process (each section used to parse the whole file)."""
    loaded = yaml.safe_load(resources.files(__name__).joinpath("lexicon.yaml").read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


@cache
def lexicon(section: str) -> dict[str, Any]:
    """One section of lexicon.yaml; word lists come back as frozensets, other values as written."""
    raw = _lexicon_file()
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


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Given names: gender_guesser's dictionary (~45,000 names, many countries) plus our extras."""
    names: set[str] = set()
    try:
        text = resources.files("gender_guesser").joinpath("data", "nam_dict.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - dependency missing
        logger.warning("gender_guesser not installed: only pipeline/data/given_names_extra.txt is used")
        text = ""
    for line in text.splitlines():
        if not line or line[0] in "#=" or len(line) < 30:
            continue
        name = line[3:29].strip()
        if "+" in name or " " in name:
            continue
        names.add(name)
    names.update(read_lines("given_names_extra.txt"))
    names.difference_update(read_lines("not_given_names.txt"))
    return _frozen(frozenset(names))


@lru_cache(maxsize=4)
def vocabulary(lang: str) -> frozenset[str]:
    """Lower-case vocabulary of a language (pyspellchecker's word lists; common surnames included)."""
    try:
        raw = resources.files("spellchecker").joinpath("resources", f"{lang}.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - dependency missing
        logger.warning("pyspellchecker not installed: three-word names are not checked against German words")
        return frozenset()
    return _frozen(frozenset(json.loads(gzip.decompress(raw))))
