"""The export formats: one renderer per format, all fed the same list of full article records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from .html import render_html
from .tabular import render_csv, write_xlsx
from .text import render_json, render_jsonl, render_md

Records = list[dict[str, Any]]
Meta = dict[str, Any]

# Text formats render to bytes (and may go to stdout); binary formats write into a file only.
TEXT_FORMATS: dict[str, Callable[[Records, Meta], bytes]] = {
    "csv": render_csv,
    "json": render_json,
    "jsonl": render_jsonl,
    "md": render_md,
    "html": render_html,
}
BINARY_FORMATS: dict[str, Callable[[Records, Meta, BinaryIO], None]] = {
    "xlsx": write_xlsx,
}
FORMATS: tuple[str, ...] = (*TEXT_FORMATS, *BINARY_FORMATS)
