"""Charset decoding: BOM first, then the HTTP header, then <meta>, then detection; lying labels lose."""

from __future__ import annotations

import codecs

from pipeline.parse import parse
from pipeline.parse.encoding import decode, detect_encoding, normalize_charset

TEXT = "Städtepartnerschaft: Grüße aus Dünkirchen, Größe und Maß"
PAGE = f"<html><head><title>T</title></head><body><p>{TEXT}</p></body></html>"


def test_bom_beats_everything() -> None:
    body = codecs.BOM_UTF8 + PAGE.encode("utf-8")
    assert decode(body, "text/html; charset=iso-8859-1") == PAGE
    assert decode(codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le"), "text/html; charset=utf-8") == PAGE
    assert decode(codecs.BOM_UTF16_BE + PAGE.encode("utf-16-be")) == PAGE


def test_header_charset_used_when_it_fits() -> None:
    assert decode(PAGE.encode("cp1252"), "text/html; charset=windows-1252") == PAGE
    assert decode(PAGE.encode("iso-8859-15"), 'text/html; charset="ISO-8859-15"') == PAGE


def test_lying_header_is_overruled() -> None:
    # says UTF-8, is Latin-1: invalid UTF-8 bytes
    assert decode(PAGE.encode("cp1252"), "text/html; charset=utf-8") == PAGE
    # says Latin-1, is UTF-8 with multi-byte sequences
    assert decode(PAGE.encode("utf-8"), "text/html; charset=iso-8859-1") == PAGE


def test_meta_charset_and_http_equiv() -> None:
    p1 = PAGE.replace("<head>", '<head><meta charset="windows-1252">')
    assert decode(p1.encode("cp1252")) == p1
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    p2 = PAGE.replace("<head>", "<head>" + meta)
    assert decode(p2.encode("cp1252")) == p2


def test_detection_without_any_label() -> None:
    long_page = PAGE.replace(TEXT, (TEXT + " über die Brücke, schöne Straßen. ") * 20)
    assert decode(long_page.encode("cp1252")) == long_page
    assert decode(long_page.encode("utf-8")) == long_page


def test_unknown_and_odd_labels() -> None:
    assert normalize_charset("x-no-such-charset") is None
    assert normalize_charset("latin1") == "cp1252"
    assert normalize_charset("UTF-16") == "utf-8"  # no BOM: treated as ASCII-compatible (HTML rule)
    assert detect_encoding(b"<p>plain</p>", "text/html; charset=bogus")[0] == "utf-8"


def test_decode_never_raises() -> None:
    assert decode(b"") == ""
    assert "broken" in decode(b"<p>\xff\xfe\xfa broken \xc3</p>", "text/html; charset=utf-8")
    assert isinstance(decode(bytes(range(256))), str)


def test_parse_uses_header_charset() -> None:
    headers = {"Content-Type": "text/html; charset=cp1252"}
    rec = parse(PAGE.encode("cp1252"), "https://www.example.org/", headers)
    assert TEXT in rec.text
