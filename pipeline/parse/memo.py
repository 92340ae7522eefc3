"""Bounded memos of the parser's pure word and name tests: plain dicts and sets, emptied when full.

A hit is one C-level lookup, which is most calls: lru_cache's bookkeeping (each hit moved to the front of
its list) costs more than its better eviction saves. Process-wide, like the word lists they answer from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def remember(memo: dict[K, V], key: K, value: V, limit: int) -> V:
    """Store `value` under `key` (emptying the memo first when it holds `limit` entries); return it."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value


def remember_all(known: set[K], keys: Iterable[K], limit: int) -> None:
    """Add `keys` to the set `known`, emptied first when it holds `limit` entries."""
    if len(known) >= limit:
        known.clear()
    known.update(keys)
