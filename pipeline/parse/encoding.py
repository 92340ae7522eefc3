"""Bytes → text: byte-order mark, then the HTTP charset, then <meta>, then detection; lying labels lose."""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
# Browsers treat these labels as their supersets (WHATWG Encoding Standard).
_ALIASES = {
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "iso8859-1": "cp1252", "iso_8859-1": "cp1252",
    "x-user-defined": "cp1252", "iso-8859-9": "cp1254", "tis-620": "cp874", "gb2312": "gb18030",
    "gbk": "gb18030", "x-sjis": "shift_jis", "utf8": "utf-8", "unicode": "utf-16-le",
}


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # A page labelled UTF-16 without a BOM is almost always really ASCII-compatible (HTML spec).
    if codec.startswith("utf-16") or codec.startswith("utf-32"):
        return "utf-8"
    return codec


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return normalize_charset(m.group(1)) if m else None


def meta_charset(body: bytes) -> str | None:
    """The charset a <meta charset> or http-equiv Content-Type in the first 4 KB declares."""
    m = _META_CHARSET.search(body[:4096])
    return normalize_charset(m.group(1).decode("ascii", "ignore")) if m else None


def _fits(body: bytes, codec: str) -> bool:
    """Whether the bytes are valid in `codec`; single-byte codecs accept nearly anything, so for
    them a body that is valid multi-byte UTF-8 counts as a mismatch (the label is lying)."""
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return not (codec != "utf-8" and _is_utf8_with_multibyte(body))


def _is_utf8_with_multibyte(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(body: bytes) -> str:
    if body.isascii() or _is_utf8_with_multibyte(body):
        return "utf-8"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:200_000]).best()
        if best is not None and best.encoding:
            return normalize_charset(best.encoding) or "cp1252"
    except Exception:  # noqa: BLE001 - detection is a best effort; fall back below
        logger.debug("charset detection failed", exc_info=True)
    return "cp1252"


def detect_encoding(body: bytes, content_type: str | None = None) -> tuple[str, int]:
    """(codec, number of BOM bytes to skip)."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, len(bom)
    for declared in (header_charset(content_type), meta_charset(body)):
        if declared and _fits(body, declared):
            return declared, 0
        if declared:
            logger.debug("declared charset %s does not fit the bytes; overruled", declared)
    return _detect(body), 0


def decode(body: bytes, content_type: str | None = None) -> str:
    """The document's text. Never raises: undecodable bytes become U+FFFD."""
    if not body:
        return ""
    codec, skip = detect_encoding(body, content_type)
    return body[skip:].decode(codec, errors="replace")
