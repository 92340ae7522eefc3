"""Duplicate detection, pure: content hashes, word-shingle MinHash signatures and LSH band keys.

Three levels (the store applies them in this order):
1. canonical URL — the same page under one URL is one article (the store's URL table);
2. exact content — `content_hash` over the normalised title and text: an alias host, a legacy
   Domino id or a list-state URL serving the same release is the same article;
3. near duplicates — MinHash over word 3-shingles, bucketed by LSH bands; candidates sharing a
   band are confirmed by the exact Jaccard similarity of their shingle sets (never all pairs).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zlib
from collections.abc import Iterable
from urllib.parse import urlsplit

import numpy as np

from .models import Record

SHINGLE = 3  # words per shingle: one edited word changes three shingles, unrelated texts share almost none
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS  # 16 bands of 4: P(candidate) ≥ 0.999 at Jaccard 0.8, ≈ 0.12 at 0.3

_WORD = re.compile(r"\w+", re.UNICODE)
_MASK64 = (1 << 64) - 1

# Fixed seeds so signatures stored in the archive stay comparable across runs and processes.
_rng = np.random.default_rng(20241115)
_A = (_rng.integers(1, 2**63 - 1, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)).reshape(-1, 1)
_B = _rng.integers(0, 2**63 - 1, size=NUM_PERM, dtype=np.uint64).reshape(-1, 1)
_P1, _P2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)
_WORD_HASH: dict[str, int] = {}  # crc32 of each word seen: hashing is the costliest step of a bulk ingest


def normalize(text: str | None) -> str:
    """NFC, case-folded, whitespace collapsed: what counts as 'the same text'."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.casefold().split())


def content_hash(record: Record) -> str:
    """Hash of the normalised title and text: equal for the same release under any URL."""
    data = normalize(record.title) + "\n" + normalize(record.text)
    return hashlib.blake2b(data.encode("utf-8"), digest_size=16).hexdigest()


def record_hash(record: Record) -> str:
    """Hash of every stored field but the URLs and links: a difference makes a new version."""
    r = record
    # Built by hand: dataclasses.asdict is the slowest step of a bulk ingest.
    d = [r.kind, r.title, r.subtitle, r.published, r.lead, r.text, list(r.partner_cities),
         [list(vars(p).values()) for p in r.people], [list(vars(i).values()) for i in r.images],
         [list(vars(c).values()) for c in r.contacts]]
    blob = json.dumps(d, ensure_ascii=False, default=str)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=16).hexdigest()


_OPAQUE_ID = re.compile(r"/[0-9A-Fa-f]{16,}(?=/|$)")


def url_preference(url: str) -> tuple[int, int]:
    """Lower is a better name for an article: a readable path beats an opaque document id (the
    legacy `/C125748100427CD6/html/<hex>` aliases), and a URL without parameters beats one with."""
    parts = urlsplit(url)
    return (1 if _OPAQUE_ID.search(parts.path) else 0, 1 if parts.query or "&" in parts.path else 0)


def words(text: str) -> list[str]:
    if not text:
        return []
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _WORD.findall(text.lower())


def shingle_hashes(text: str) -> np.ndarray:
    """Distinct 64-bit hashes of the word 3-shingles (a short text is one shingle of all its words)."""
    ws = words(text)
    if not ws:
        return np.zeros(0, dtype=np.uint64)
    if len(_WORD_HASH) > 1_000_000:  # a bound, not a cache policy: German vocabularies are far smaller
        _WORD_HASH.clear()
    for w in set(ws).difference(_WORD_HASH):
        _WORD_HASH[w] = zlib.crc32(w.encode("utf-8"))
    h = np.fromiter(map(_WORD_HASH.__getitem__, ws), dtype=np.uint64, count=len(ws))
    if len(h) < SHINGLE:
        h = np.array([np.bitwise_xor.reduce(h * _P1)], dtype=np.uint64)
        return h
    with np.errstate(over="ignore"):
        sh = (h[:-2] * _P1) ^ (h[1:-1] * _P2) ^ h[2:]
        sh = (sh ^ (sh >> np.uint64(29))) * _P1  # mix so the position products spread over all bits
    return np.unique(sh)


def shingle_text(record: Record) -> str:
    return f"{record.title or ''} {record.text or ''}"


def signature(shingles: np.ndarray) -> np.ndarray:
    """MinHash signature (NUM_PERM uint64) with multiply-shift hash functions."""
    if len(shingles) == 0:
        return np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        hv = (_A * shingles.reshape(1, -1) + _B) >> np.uint64(11)
    return hv.min(axis=1)


def band_keys(sig: np.ndarray) -> list[int]:
    """One key per LSH band: a 63-bit hash of (band number, the band's rows); fits a BIGINT."""
    keys = []
    for b in range(BANDS):
        part = sig[b * ROWS:(b + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(part, digest_size=8, person=b"band%04d" % b).digest()
        keys.append(int.from_bytes(digest, "little") & 0x7FFF_FFFF_FFFF_FFFF)
    return keys


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle-hash sets (sorted, distinct)."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def best_match(shingles: np.ndarray, candidates: Iterable[tuple[int, np.ndarray]],
               threshold: float) -> tuple[int, float] | None:
    """The most similar candidate at or above the threshold, as (id, similarity); ties go to the lower id."""
    best: tuple[int, float] | None = None
    for cid, other in candidates:
        sim = jaccard(shingles, other)
        if sim >= threshold and (best is None or sim > best[1] or (sim == best[1] and cid < best[0])):
            best = (cid, sim)
    return best


def is_trivial(record: Record, min_words: int = 8) -> bool:
    """Too little text for near-duplicate detection to mean anything (menus, empty pages)."""
    return len(words(record.text or "")) < min_words
