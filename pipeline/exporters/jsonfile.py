"""JSON exports: one array of full records (json), or one record per line (jsonl)."""

from __future__ import annotations

import json
from typing import Any

from .common import iso

_JSON_DATES = ("published", "first_seen", "last_seen", "gone_since", "archived_at")


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
