"""Picture credits: "Caption.Foto: Stadt Krefeld, A. Bischof" -> caption, credit, photographer."""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.data import lexicon

from .visible import squash

_INITIALS_NAME = re.compile(r"(?:[A-ZÄÖÜ]\.\s?){1,2}(?:-[A-ZÄÖÜ]\.\s?)?[A-ZÄÖÜ][\w'’-]+")
_ABBREV_END = re.compile(r"\b[A-ZÄÖÜ]\.$|\b(?:e\.V|Inc|Ltd|Co)\.$")


@lru_cache(maxsize=1)
def _label_rx() -> re.Pattern[str]:
    labels = "|".join(sorted(lexicon("images")["credit_labels"], key=len, reverse=True))
    # "(Foto: X)", "… Foto: X", "….Foto: X" (glued) or "© X": a match holds ":" or "©" (split_credit)
    return re.compile(rf"(?P<open>\(\s*)?(?:(?<![\w-])(?:{labels})\s*:|©)\s*")


@lru_cache(maxsize=1)
def _heads_rx() -> re.Pattern[str]:
    heads = "|".join(re.escape(h) for h in sorted(lexicon("images")["credit_heads"], key=len, reverse=True))
    name = r"[A-ZÄÖÜ][\w.'’-]*(?:\s+[A-ZÄÖÜ][\w.'’-]*){0,3}"
    # an unlabelled credit: after a sentence end, a known credit head (or "Name / Pixabay") to the end
    # (so a text without ".", "!" or "?" holds none: split_credit)
    return re.compile(rf"(?:(?<=[.!?])|(?<=[.!?]\s))(?P<credit>(?:{heads}|{name}\s*/\s*(?:{heads}))[^!?]*)$")


def photographer_of(credit: str | None) -> str | None:
    """The person's part of a credit ("…, A. Bischof" -> "A. Bischof"), None for organisations."""
    if not credit:
        return None
    from pipeline.parse.people import looks_like_person  # people imports this module

    org = lexicon("images")["org_words"]
    for seg in reversed(re.split(r"\s*[,/;|]\s*|\s+-\s+|\s+–\s+", credit)):
        seg = seg.strip(" .()")
        words = seg.split()
        if not 2 <= len(words) <= 4 or any(w.strip(".") in org for w in words):
            continue
        if _INITIALS_NAME.fullmatch(seg):
            return seg
        if looks_like_person(seg):
            return seg
    return None


@lru_cache(maxsize=1024)  # a caption is split for its picture, its caption test and the people search
def split_credit(text: str | None) -> tuple[str | None, str | None, str | None]:
    """'Caption.Foto: Stadt Krefeld, …, A. Bischof' -> (caption, credit, photographer)."""
    text = squash(text)
    if not text:
        return None, None, None
    caption, credit = text, None
    m = None
    # a labelled credit holds ":" or "©", an unlabelled one follows a sentence end: no search without
    if ":" in text or "©" in text:
        for cand in _label_rx().finditer(text):
            m = cand
            break
    if m is not None:
        rest = text[m.end():]
        if m.group("open"):
            depth, cut = 1, len(rest)
            for i, ch in enumerate(rest):
                depth += ch == "("
                depth -= ch == ")"
                if depth == 0:
                    cut = i
                    break
            credit = rest[:cut].strip()
            after = rest[cut + 1:].strip()
            caption = text[:m.start()].strip()
            if after.strip(" .,;:"):
                caption = f"{caption} {after}".strip()
        else:
            credit = rest.strip()
            caption = text[:m.start()].strip()
    else:
        h = _heads_rx().search(text) if "." in text or "!" in text or "?" in text else None
        if h and h.start() > 0:
            credit = h.group("credit").strip()
            caption = text[:h.start()].strip()
    if credit is not None:
        credit = credit.strip(" ;,") or None
        if credit and credit.endswith(".") and not _ABBREV_END.search(credit):
            credit = credit[:-1]
    caption = caption.strip(" ,;–-") or None
    return caption, credit, photographer_of(credit)


# ---- pictures ----
