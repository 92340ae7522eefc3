"""Markdown export: a list a reporter can paste into a text (date — title — link, people, partner cities)."""

from __future__ import annotations

import re
from typing import Any

from .common import german_date, person_text, sorted_cities

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render_md(records: list[dict[str, Any]], meta: dict[str, Any]) -> bytes:
    lines = [f"# {md_escape(meta.get('title') or 'Articles')}", ""]
    n = len(records)
    lines += [f"_{n} article{'s' if n != 1 else ''}, exported {german_date(meta.get('generated'))}_", ""]
    for rec in records:
        url = rec.get("canonical_url") or rec.get("url") or ""
        title = md_escape(rec.get("title") or "(untitled)")
        lines.append(f"- {german_date(rec.get('published'))} — {title} — <{url}>")
        people = [person_text(p) for p in rec.get("people") or []]
        if people:
            lines.append(f"  - People: {md_escape('; '.join(people))}")
        cities = sorted_cities(rec.get("partner_cities") or [])
        if cities:
            lines.append(f"  - Partner cities: {md_escape(', '.join(cities))}")
    return ("\n".join(lines) + "\n").encode("utf-8")
