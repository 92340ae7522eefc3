"""parse(): one fetched page (bytes + URL) → the CONTRACT.md record. Pure: no network, no files."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from ..models import Image, Record
from ..urls import canonicalize
from .dates import find_published, parse_date
from .encoding import detect_encoding
from .links import extract_links
from .page import Page, analyse, classify
from .text import Layout, layout

if TYPE_CHECKING:
    from ..config import Source

logger = logging.getLogger(__name__)

__all__ = ["parse", "build_tree", "extract_links"]


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None


_CONTROL_BYTES = bytes(c for c in range(32) if not 9 <= c <= 13)


def _looks_binary(body: bytes) -> bool:
    head = body[:2048]
    if not head:
        return True
    if head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")):
        return True
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00<\x00" not in head \
            and b"<\x00" not in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > len(head) * 0.1


def build_tree(body: bytes, content_type: str | None = None) -> LexborHTMLParser | None:
    if _looks_binary(body):
        return None
    codec, skip = detect_encoding(body, content_type)
    if codec == "utf-8" and not skip and b"\x00" not in body:
        return LexborHTMLParser(body)  # lexbor reads UTF-8 bytes directly: no str round trip
    html = body[skip:].decode(codec, errors="replace")
    if "\x00" in html:
        html = html.replace("\x00", "\ufffd")
    return LexborHTMLParser(html)


def _same_site(a: str, b: str, source: Source | None) -> bool:
    try:
        ha, hb = urlsplit(a).hostname or "", urlsplit(b).hostname or ""
    except ValueError:
        return False
    if source is not None:
        from ..urls import host_allowed

        return host_allowed(urlsplit(b).netloc, source.allowed_hosts, urlsplit(b).scheme or "https")
    return ha.removeprefix("www.") == hb.removeprefix("www.") and bool(ha)


def canonical_url(tree: Any, url: str, source: Source | None = None) -> str:
    chosen = url
    node = tree.css_first('link[rel="canonical"][href]') if tree is not None else None
    if node is not None:
        href = (node.attributes.get("href") or "").strip()
        if href:
            try:
                absolute = urljoin(url, href)
                if urlsplit(absolute).scheme in ("http", "https") and _same_site(url, absolute, source):
                    chosen = absolute
            except ValueError:
                pass
    try:
        return canonicalize(chosen, source)
    except ValueError:
        return chosen


ENTITY_TEXT_CAP = 100_000  # characters of text handed to the entity extractors (pathological pages)


def _bounded(paragraphs: list[str]) -> list[str]:
    total, out = 0, []
    for p in paragraphs:
        total += len(p)
        if total > ENTITY_TEXT_CAP:
            break
        out.append(p)
    return out


def _entities(rec: Record, page: Page, tree: Any, lay: Layout) -> None:
    """The entity extractors of the other parse modules; each is optional and may fail alone."""
    try:
        from .images import extract_images

        rec.images = extract_images(page.article, rec.canonical_url or rec.url, lay)
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - one extractor's bug must not lose the page
        logger.exception("image extraction failed for %s", rec.url)
    captions = [i.caption for i in rec.images if isinstance(i, Image) and i.caption] or page.captions
    try:
        from .people import extract_people

        paragraphs = ([rec.subtitle] if rec.subtitle else []) + _bounded(page.paragraphs)
        rec.people = extract_people(rec.title, paragraphs, captions[:50])
    except ImportError:
        pass
    except Exception:  # noqa: BLE001
        logger.exception("people extraction failed for %s", rec.url)
    try:
        from .contacts import extract_contacts

        body = tree.body
        # the layout walked body itself when there is one: its spots cover all of body's text nodes
        whole = body is not None and lay.nodes and lay.nodes[0].mem_id == body.mem_id
        rec.contacts = extract_contacts(body, lay.spots if whole else None, lay.spot_texts if whole else None)
    except ImportError:
        pass
    except Exception:  # noqa: BLE001
        logger.exception("contact extraction failed for %s", rec.url)
    try:
        from .cities import find_partner_cities

        rec.partner_cities = find_partner_cities([rec.title, rec.subtitle, rec.text[:ENTITY_TEXT_CAP],
                                                  *captions[:50]])
    except ImportError:
        pass
    except Exception:  # noqa: BLE001
        logger.exception("partner-city extraction failed for %s", rec.url)


def parse(body: bytes, url: str, headers: Mapping[str, str] | None = None,
          source: Source | None = None, *, entities: bool = True) -> Record:
    """The record of one page. Never raises on bad HTML or bytes: such a page gives kind "other".

    `entities=False` skips images, people, contacts and partner cities (the bench's core timing)."""
    rec = Record(url=url, canonical_url=url)
    try:
        tree = build_tree(body or b"", _header(headers, "content-type"))
    except Exception:  # noqa: BLE001 - lexbor or a codec choking on garbage
        logger.exception("cannot build a tree for %s", url)
        tree = None
    if tree is None:
        with contextlib.suppress(ValueError):
            rec.canonical_url = canonicalize(url, source)
        return rec
    try:
        _analyse(rec, tree, url, source, entities)
    except Exception:  # noqa: BLE001 - a parser bug must not lose the page: keep what was found
        logger.exception("page analysis failed for %s", url)
    return rec


def _analyse(rec: Record, tree: LexborHTMLParser, url: str, source: Source | None, entities: bool) -> None:
    rec.canonical_url = canonical_url(tree, url, source)
    rec.links = extract_links(tree, url)
    root = tree.body or tree.root
    if root is None:
        return
    lay = layout(root)
    page = analyse(tree, lay, url, source.selectors if source is not None else None)
    rec.title, rec.subtitle, rec.lead, rec.text = page.title, page.subtitle, page.lead, page.text
    hint = source.selectors.get("date") if source is not None else None
    node = None
    if hint:
        try:
            node = tree.css_first(hint)
        except Exception:  # noqa: BLE001 - a bad hint selector is ignored
            node = None
    rec.published = (parse_date(node.text(deep=True, separator=" ")) if node is not None else None) \
        or find_published(tree, url, page.all_lines, head_lines=page.head_lines, paragraphs=page.paragraphs)
    rec.kind = classify(page, lay, url, rec.published)
    if entities:
        _entities(rec, page, tree, lay)
