"""XLSX export (openpyxl): styled, frozen header row with autofilter, real date cells, links, widths."""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .common import COLUMNS, flat_row

# Excel's limit for the text of one cell.
_CELL_MAX = 32_767
# Excel's limit for hyperlinks in one sheet; rows beyond it keep the URL as plain text.
_LINKS_MAX = 65_530
_WIDTHS = {"published": 12, "title": 60, "partner_cities": 20, "people": 45, "url": 50, "lead": 80,
           "images": 60}
_WRAP = {"title", "people", "lead", "images"}


def _clean(text: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text if len(text) <= _CELL_MAX else text[: _CELL_MAX - 1] + "…"


def write_xlsx(records: list[dict[str, Any]], meta: dict[str, Any], out: BinaryIO) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Articles"
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E78")
    for col, (_, label) in enumerate(COLUMNS, start=1):
        c = ws.cell(row=1, column=col, value=label)
        c.font, c.fill = header_font, header_fill
        c.alignment = Alignment(vertical="center")
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    for r, rec in enumerate(records, start=2):
        row = flat_row(rec)
        for col, (key, _) in enumerate(COLUMNS, start=1):
            value = row[key]
            c = ws.cell(row=r, column=col)
            if key == "published":
                c.value = value  # a real date cell, or empty
                c.number_format = "DD.MM.YYYY"
            elif value:
                c.value = _clean(value)
                c.data_type = "s"  # a title starting with "=" is text, never a formula
            c.alignment = wrap if key in _WRAP else top
            if key == "url" and value and r - 1 <= _LINKS_MAX:
                c.hyperlink = value
                c.style = "Hyperlink"
                c.alignment = top
    for col, (key, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS[key]
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, len(records) + 1)}"
    wb.properties.title = meta.get("title") or "Articles"
    wb.properties.creator = "partner-archive"
    wb.properties.created = meta.get("generated") or datetime.now()
    wb.save(out)
