"""The export formats, one module each, all fed the same list of full article records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from .csvfile import render_csv
from .html import render_html
from .jsonfile import render_json, render_jsonl
from .markdown import render_md
from .xlsx import write_xlsx

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
