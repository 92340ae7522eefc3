"""The mirror's images: a tiny valid baseline JPEG (one grey 8×8 block) naming its file in a comment."""

from __future__ import annotations

import struct
from functools import lru_cache


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _one_code_table(table_class: int) -> bytes:
    # a Huffman table with a single 1-bit code ('0') for symbol 0: DC "no difference" / AC "end of block"
    return bytes([table_class << 4]) + bytes([1] + [0] * 15) + b"\x00"


@lru_cache(maxsize=512)
def tiny_jpeg(name: str = "") -> bytes:
    """A decodable JPEG; the comment makes each file's bytes (and so its digest) differ."""
    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    comment = f"partner-archive offline mirror: {name}".encode()[:200]
    sof = struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00"
    sos = b"\x01\x01\x00\x00\x3f\x00"
    return (b"\xff\xd8" + _segment(0xE0, jfif) + _segment(0xFE, comment)
            + _segment(0xDB, b"\x00" + b"\x01" * 64) + _segment(0xC0, sof)
            + _segment(0xC4, _one_code_table(0)) + _segment(0xC4, _one_code_table(1))
            + _segment(0xDA, sos) + b"\x3f" + b"\xff\xd9")
