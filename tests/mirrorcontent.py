"""The mirror's content format (pipeline/mirror/CONTENT.md) as data, shared by the content tests."""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

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


def slugify(title: str) -> str:
    """The site's slug rule: lowercase, German umlauts spelled out, punctuation dropped, spaces to '-'."""
    s = title.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9\s-]", "", s)
    return "-".join(w for w in re.split(r"[\s-]+", s) if w)


def load_pages(own_prefix: str) -> dict[str, dict[str, Any]]:
    """Every page; other writers' files that do not parse are skipped (their own tests check them),
    the calling test's own files (ids starting with `own_prefix`) must parse."""
    pages: dict[str, dict[str, Any]] = {}
    for f in sorted(PAGES.glob("*.yaml")):
        try:
            with f.open(encoding="utf-8") as fh:
                pages[f.stem] = yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            if f.stem.startswith(own_prefix):
                raise ValueError(f"{f}: invalid YAML: {exc}") from exc
            logger.warning("skipping unparsable %s", f.name)
    return pages
