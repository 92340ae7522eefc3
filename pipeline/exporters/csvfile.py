"""CSV export: UTF-8 with a BOM (so Excel shows umlauts), one row per article, lists joined with "; "."""

from __future__ import annotations

import csv
import io
from typing import Any

from .common import COLUMNS, flat_row


def render_csv(records: list[dict[str, Any]], meta: dict[str, Any]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([label for _, label in COLUMNS])
    for rec in records:
        row = flat_row(rec)
        w.writerow(["" if row[k] is None else str(row[k]) for k, _ in COLUMNS])
    # The BOM is what makes Excel read the file as UTF-8 (umlauts) instead of the ANSI code page.
    return buf.getvalue().encode("utf-8-sig")
