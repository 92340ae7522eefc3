"""What every export format shares: German sort keys, partner-city names, and the flat article row."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

# The canonical partner names of CONTRACT.md.
PARTNERS: tuple[str, ...] = ("Venlo", "Leicester", "Dünkirchen", "Leiden", "Charlotte",
                             "Landkreis Oder-Spree", "Uljanowsk", "Kayseri", "Kropyvnytskyi")
# Other spellings a reporter may type; used only when the parser's own alias table is not available.
_ALIASES: dict[str, str] = {
    "dunkerque": "Dünkirchen", "dunkirk": "Dünkirchen", "duenkirchen": "Dünkirchen",
    "ulyanovsk": "Uljanowsk", "uljanovsk": "Uljanowsk", "ulianovsk": "Uljanowsk",
    "oder-spree": "Landkreis Oder-Spree", "oder spree": "Landkreis Oder-Spree",
    "oder-spree-kreis": "Landkreis Oder-Spree", "oderspreekreis": "Landkreis Oder-Spree",
    "oder-spreekreis": "Landkreis Oder-Spree", "kreis oder-spree": "Landkreis Oder-Spree",
    "kreis beeskow": "Landkreis Oder-Spree", "beeskow": "Landkreis Oder-Spree",
    "kropywnyzkyj": "Kropyvnytskyi", "kropyvnytskyj": "Kropyvnytskyi", "kropywnyzkyi": "Kropyvnytskyi",
    "kirowohrad": "Kropyvnytskyi", "kirovohrad": "Kropyvnytskyi",
}

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


def fold(text: str) -> str:
    """DIN 5007-1 style folding: case-insensitive, ä=a, ß=ss, accents dropped; locale-independent."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def german_key(text: str | None) -> tuple[str, str]:
    """Sort key for names and titles: folded first, the original text breaks ties deterministically."""
    text = text or ""
    return fold(text), text


def _alias_key(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text).strip())


def resolve_partner(name: str) -> str | None:
    """The canonical partner name for what a user typed, or None when it names no partner city."""
    key = _alias_key(name)
    for p in PARTNERS:
        if _alias_key(p) == key:
            return p
    if key in _ALIASES:
        return _ALIASES[key]
    try:  # the parser's alias table knows more spellings once it exists
        from ..parse.cities import find_partner_cities
    except ImportError:
        return None
    found = find_partner_cities([name])
    return found[0] if len(found) == 1 and found[0] in PARTNERS else None


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
