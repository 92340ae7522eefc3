"""Text exports: JSON (one array), JSON Lines (a record a line) and a Markdown list to paste into a text."""

from __future__ import annotations

import json
import re
from typing import Any

from .common import as_date, iso, person_text, sorted_cities

_JSON_DATES = ("published", "first_seen", "last_seen", "gone_since", "archived_at")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def json_record(rec: dict[str, Any]) -> dict[str, Any]:
    """The record with dates and timestamps as ISO strings, ready for json.dumps."""
    out = dict(rec)
    for k in _JSON_DATES:
        out[k] = iso(out.get(k))
    if out.get("version") is not None:
        out["version"] = int(out["version"])
    return out


def render_json(records: list[dict[str, Any]], meta: dict[str, Any]) -> bytes:
    body = json.dumps([json_record(r) for r in records], ensure_ascii=False, indent=2, default=str)
    return (body + "\n").encode("utf-8")


def render_jsonl(records: list[dict[str, Any]], meta: dict[str, Any]) -> bytes:
    lines = (json.dumps(json_record(r), ensure_ascii=False, default=str) for r in records)
    return "".join(line + "\n" for line in lines).encode("utf-8")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def german_date(value: Any) -> str:
    d = as_date(value)
    return d.strftime("%d.%m.%Y") if d else "undated"


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
