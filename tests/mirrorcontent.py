"""The mirror's content format (pipeline/mirror/CONTENT.md) as data, shared by the content tests."""

from __future__ import annotations

from pathlib import Path

PAGES = Path(__file__).resolve().parent.parent / "pipeline" / "mirror" / "content" / "pages"

REQUIRED = {"id", "kind", "path", "template", "snapshots", "published", "title", "teaser", "blocks",
            "people", "partner_cities"}
OPTIONAL = {"legacy_id", "subtitle", "related_label", "related", "contacts", "contact_note", "snapshot2"}
SNAPSHOT2_KEYS = {"published", "title", "subtitle", "teaser", "blocks", "people", "partner_cities"}
BLOCK_KEYS = {"image", "p", "h2", "h3", "video"}
IMAGE_KEYS = {"file", "alt", "caption", "credit", "label", "form", "photographer", "twice"}
LABELS = {"Foto:", "Bild:", "Fotos:", "Grafik:", "Repro:", "©", "Logo:", ""}
FORMS = {"glued", "spaced", "paren", "none"}

# Canonical partner name -> the spellings that count as a mention (CONTRACT.md).
CITY_PATTERNS: dict[str, str] = {
    "Venlo": r"\bVenlo",
    "Leicester": r"\bLeicester",
    "Dünkirchen": r"\bDünkirchen|\bDunkerque|\bDunkirk",
    "Leiden": r"\bLeiden(?:er)?\b",
    "Charlotte": r"\bCharlotte\b",
    "Landkreis Oder-Spree": r"Oder-Spree|\bBeeskow",
    "Uljanowsk": r"\bUljanowsk|\bUlyanovsk",
    "Kayseri": r"\bKayseri",
    "Kropyvnytskyi": r"\bKropyvnytskyi|\bKropywnyzkyj",
}
