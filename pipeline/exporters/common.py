"""What every export format shares: German sort keys, partner-city names, and the flat article row."""

from __future__ import annotations

import logging
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

# The canonical partner names of CONTRACT.md.
PARTNERS: tuple[str, ...] = ("Venlo", "Leicester", "Dünkirchen", "Leiden", "Charlotte",
                             "Landkreis Oder-Spree", "Uljanowsk", "Kayseri", "Kropyvnytskyi")
COLUMNS: tuple[tuple[str, str], ...] = (
    ("published", "Published"),
    ("title", "Title"),
    ("partner_cities", "Partner cities"),
    ("people", "People"),
    ("url", "URL"),
    ("lead", "Lead"),
    ("images", "Image captions (credits)"),
)
LIST_SEP = "; "
_UMLAUTS = str.maketrans("äöü", "aou")


def fold(text: str) -> str:
    """DIN 5007-1 style folding: case-insensitive, ä=a, ß=ss, accents dropped; locale-independent."""
    text = text.casefold().translate(_UMLAUTS)  # casefold already turns ß into ss
    if text.isascii():  # the common case, and 20x faster than decomposing
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def german_key(text: str | None) -> tuple[str, str]:
    """Sort key for names and titles: folded first, the original text breaks ties deterministically."""
    text = text or ""
    return fold(text), text


def _alias_key(text: str) -> str:
    # "Oder-Spree", "oder spree" and "ODERSPREE" are one key
    return "".join(c for c in fold(text) if c.isalnum())


@lru_cache(maxsize=1)
def _alias_table() -> dict[str, str]:
    """Folded spelling → canonical name, from the parser's alias table (pipeline/data/city_aliases.tsv)."""
    table = {_alias_key(p): p for p in PARTNERS}
    try:
        from ..data import read_lines

        lines = read_lines("city_aliases.tsv")
    except (ImportError, OSError) as e:  # the canonical names alone still work
        log.warning("partner alias table unavailable: %s", e)
        lines = []
    for line in lines:
        alias, sep, canonical = line.partition("\t")
        if sep and canonical.strip() in PARTNERS:
            table.setdefault(_alias_key(alias), canonical.strip())
    return table


def resolve_partner(name: str) -> str | None:
    """The canonical partner name for what a user typed (any case, umlauts or not), else None."""
    key = _alias_key(name)
    return _alias_table().get(key) if key else None


def iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def german_date(value: Any) -> str:
    d = as_date(value)
    return d.strftime("%d.%m.%Y") if d else "undated"


def person_text(p: dict[str, Any]) -> str:
    return f"{p['name']} ({p['role']})" if p.get("role") else str(p["name"])


def image_text(i: dict[str, Any]) -> str:
    caption = (i.get("caption") or i.get("alt") or "").strip()
    credit = (i.get("credit") or "").strip()
    if caption and credit:
        return f"{caption} (Foto: {credit})"
    return caption or (f"Foto: {credit}" if credit else "")


def sorted_cities(cities: list[str]) -> list[str]:
    return sorted(cities, key=german_key)


def flat_row(rec: dict[str, Any]) -> dict[str, Any]:
    """One article as the seven reporter columns; lists become '; '-joined text."""
    return {
        "published": as_date(rec.get("published")),
        "title": rec.get("title") or "",
        "partner_cities": LIST_SEP.join(sorted_cities(rec.get("partner_cities") or [])),
        # people stay in page order: the page lists them by importance or left to right in a picture
        "people": LIST_SEP.join(person_text(p) for p in rec.get("people") or []),
        "url": rec.get("canonical_url") or rec.get("url") or "",
        "lead": rec.get("lead") or "",
        "images": LIST_SEP.join(t for t in (image_text(i) for i in rec.get("images") or []) if t),
    }
