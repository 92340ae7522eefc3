"""The page's own publication date: structured data, labelled lines, URL dates; never an event date."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

logger = logging.getLogger(__name__)

MONTHS = {
    "januar": 1, "jänner": 1, "jan": 1, "january": 1, "februar": 2, "feb": 2, "february": 2, "märz": 3,
    "maerz": 3, "mär": 3, "mrz": 3, "march": 3, "mar": 3, "april": 4, "apr": 4, "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11, "dezember": 12, "dez": 12, "december": 12, "dec": 12,
}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = (r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|mo|di|mi|do|fr|sa|so|"
            r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)\.?,?\s*")
# one date in any of the written forms; named groups tell which
DATE_RX = re.compile(
    rf"(?<![\d.])(?P<d1>\d{{1,2}})\.\s?(?P<m1>\d{{1,2}})\.\s?(?P<y1>\d{{4}}|\d{{2}})(?![\d])"
    rf"|(?<!\d)(?P<y2>\d{{4}})-(?P<m2>\d{{1,2}})-(?P<d2>\d{{1,2}})(?!\d)"
    rf"|(?<![\d.])(?P<d3>\d{{1,2}})\.?\s*(?:de\s+)?(?P<m3>{_MONTH_ALT})\.?,?\s+(?P<y3>\d{{4}})(?!\d)"
    rf"|\b(?P<m4>{_MONTH_ALT})\.?\s+(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y4>\d{{4}})(?!\d)"
    rf"|(?<!\d)(?P<y5>\d{{4}})/(?P<m5>\d{{1,2}})/(?P<d5>\d{{1,2}})(?!\d)"
    rf"|(?<!\d)(?P<d6>\d{{1,2}})/(?P<m6>\d{{1,2}})/(?P<y6>\d{{4}})(?!\d)",
    re.I,
)
_LABEL = (r"(?:veröffentlicht|ver[öo]ffentlicht\s+am|publiziert|erstellt|erschienen|eingestellt|"
          r"pressemitteilung|pressemeldung|presseinformation|meldung|datum|stand|"
          r"published|posted|date|geschrieben|verfasst|online seit)")
LABELLED_RX = re.compile(
    r"(?:\b(?:artikel|beitrag|eintrag|post|text)\s+wurde\s+(?:\w+\s+)?am\s+"
    rf"|\b{_LABEL}\b(?:\s+(?:am|vom|on|seit|:))?\s*:?\s*)(?:{_WEEKDAY})?(?=\d|[a-zäöü]+\.?\s+\d)", re.I)
_MODIFIED_LABEL = re.compile(r"(?:aktualisiert|geändert|updated|modified|zuletzt)\W*(?:am\W*)?$", re.I)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/_-]([01]?\d)[/_-]([0-3]?\d)(?:[/_.-]|$)"
                       r"|/((?:19|20)\d{2})([01]\d)([0-3]\d)(?:[/_.-]|$)")
# day first, as German URLs write it: /23-01-2022-titel, /08112021-titel
_URL_DATE_DMY = re.compile(r"[/_-]([0-3]\d)[._-]?([01]\d)[._-]?((?:19|20)\d{2})(?:[/_.-]|$)")
# every date form and every labelled date holds a digit: a line without one is not searched (the big
# case-blind alternations are slow to try at every position; this search stops at the first digit)
_DIGIT = re.compile(r"\d")
_META_NAMES = (
    "article:published_time", "og:article:published_time", "datepublished", "date", "dc.date",
    "dc.date.issued", "dc.date.created", "dcterms.date", "dcterms.issued", "dcterms.created",
    "pubdate", "publishdate", "publish-date", "publish_date", "publication_date", "publication-date",
    "parsely-pub-date", "sailthru.date", "citation_publication_date", "citation_date", "release_date",
    "article.published", "published_time", "published-date", "original-publish-date", "created",
    "date.created", "og:published_time", "article:published", "dc.created", "creation_date",
    "live_date", "displaydate", "og:pubdate",
)
_META_RANK = {n: i for i, n in enumerate(_META_NAMES)}
_DATE_CLASS = re.compile(r"date|datum|time|zeit|published|posted|meta|byline|veroeffentlicht|entry-meta",
                         re.I)
_EVENT_PREFIX = re.compile(r"\b(?:am|vom|bis|zum|ab|seit|im|um|von|until|from|on|since)\s*$", re.I)
MIN_YEAR, MAX_YEAR = 1995, 2035


def _valid(y: int, m: int, d: int) -> str | None:
    if y < 100:
        y += 2000 if y < 50 else 1900
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first well-formed date in `text` as YYYY-MM-DD (None when there is none)."""
    if not _DIGIT.search(text):
        return None
    for m in DATE_RX.finditer(text):
        iso = match_to_iso(m)
        if iso:
            return iso
    return None


def match_to_iso(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    for i in "123456":
        if g.get(f"y{i}"):
            month = g[f"m{i}"]
            mo = int(month) if month.isdigit() else MONTHS.get(month.lower().rstrip("."))
            if mo is None:
                return None
            return _valid(int(g[f"y{i}"]), mo, int(g[f"d{i}"]))
    return None


def iso_prefix(value: str) -> str | None:
    """A date from a machine-readable value: ISO 8601, with or without time, or a written date."""
    value = value.strip()
    m = re.match(r"(\d{4})-?(\d{2})-?(\d{2})", value)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return parse_date(value)


def url_date(url: str) -> str | None:
    m = _URL_DATE.search(url)
    if not m:
        d = _URL_DATE_DMY.search(url)
        return _valid(int(d.group(3)), int(d.group(2)), int(d.group(1))) if d else None
    if m.group(1):
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return _valid(int(m.group(4)), int(m.group(5)), int(m.group(6)))


# the tree's date sources, fetched together when the first is needed: every whole-tree query is a walk
# of its own; each selector names its own tag, so the tag alone tells which one a node matched
SOURCES_CSS = 'script[type="application/ld+json"], meta, time'


@dataclass
class Sources:
    """The nodes SOURCES_CSS matches, by tag, each list in document order."""

    scripts: list[Any] = field(default_factory=list)  # <script type="application/ld+json">
    metas: list[Any] = field(default_factory=list)
    times: list[Any] = field(default_factory=list)

    def add(self, tag: str, node: Any) -> None:
        if tag == "meta":
            self.metas.append(node)
        elif tag == "time":
            self.times.append(node)
        elif tag == "script":
            self.scripts.append(node)


def sources(tree: Any) -> Sources:
    found = Sources()
    for node in tree.css(SOURCES_CSS):
        found.add(node.tag, node)
    return found


def _json_ld_dates(scripts: list[Any]) -> str | None:
    for node in scripts:
        raw = node.text(deep=True)
        if "date" not in raw:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            m = re.search(r'"date(?:Published|Created)"\s*:\s*"([^"]+)"', raw)
            if m and iso_prefix(m.group(1)):
                return iso_prefix(m.group(1))
            continue
        found = _walk_json(data, 0)
        if found:
            return found
    return None


def _walk_json(data: Any, depth: int) -> str | None:
    if depth > 12:
        return None
    if isinstance(data, list):
        for item in data:
            found = _walk_json(item, depth + 1)
            if found:
                return found
    elif isinstance(data, dict):
        for key in ("datePublished", "dateCreated", "uploadDate"):
            v = data.get(key)
            if isinstance(v, str) and iso_prefix(v):
                return iso_prefix(v)
        for v in data.values():
            if isinstance(v, (dict, list)):
                found = _walk_json(v, depth + 1)
                if found:
                    return found
    return None


def _meta_date(metas: list[Any]) -> str | None:
    best: tuple[int, str] | None = None
    for node in metas:
        a = node.attributes
        key = (a.get("property") or a.get("name") or a.get("itemprop") or a.get("http-equiv") or "").lower()
        rank = _META_RANK.get(key)
        if rank is None or not a.get("content"):
            continue
        iso = iso_prefix(a["content"] or "")
        if iso and (best is None or rank < best[0]):
            best = (rank, iso)
    return best[1] if best else None


def _itemprop_date(tree: Any) -> str | None:
    for node in tree.css('[itemprop="datePublished"], [itemprop="dateCreated"]'):
        a = node.attributes
        value = a.get("content") or a.get("datetime") or node.text(deep=True)
        iso = iso_prefix(value or "")
        if iso:
            return iso
    return None


def _time_date(times: list[Any]) -> str | None:
    first: str | None = None
    for node in times:
        a = node.attributes
        value = a.get("datetime") or node.text(deep=True)
        iso = iso_prefix(value or "")
        if not iso:
            continue
        names = f"{a.get('class') or ''} {a.get('itemprop') or ''}".lower()
        if "pubdate" in a or "publish" in names or "entry-date" in names or "created" in names:
            return iso
        if "modif" in names or "update" in names:
            continue
        if first is None and not _in_comment(node):
            first = iso
    return first


def _in_comment(node: Any) -> bool:
    p, n = node.parent, 0
    while p is not None and n < 12:
        a = p.attributes if p.tag and not p.tag.startswith("-") else {}
        names = f"{a.get('id') or ''} {a.get('class') or ''}".lower()
        if "comment" in names or "sidebar" in names or p.tag in ("aside", "footer"):
            return True
        p, n = p.parent, n + 1
    return False


def labelled_date(lines: Iterable[str]) -> str | None:
    """The date after a publication label ("Veröffentlicht am: 15.11.2024", "Pressemitteilung vom …");
    a date labelled as an update is taken only when no other labelled date exists."""
    fallback = None
    for line in lines:
        if len(line) > 400:
            line = line[:400]
        if not _DIGIT.search(line):
            continue
        for lm in LABELLED_RX.finditer(line):
            dm = DATE_RX.match(line, lm.end())
            if not dm:
                continue
            iso = match_to_iso(dm)
            if not iso:
                continue
            if _MODIFIED_LABEL.search(line[: lm.start()]) or re.match(r"stand\b", lm.group(0), re.I):
                fallback = fallback or iso
                continue
            return iso
    return fallback


def standalone_date(lines: Iterable[str]) -> str | None:
    """A date that stands on its own line (a dateline or byline), not inside a sentence."""
    for line in lines:
        if len(line) > 120 or not _DIGIT.search(line):
            continue
        m = DATE_RX.search(line)
        if not m:
            continue
        rest = (line[: m.start()] + " " + line[m.end():]).strip()
        words = re.findall(r"[^\W\d_]{2,}", rest)
        # an event inside running text ("am 15. Juni 1974 unterzeichnet …") is not a dateline;
        # a short byline ("von Anna Muster am 20.06.2018") is
        if _EVENT_PREFIX.search(line[: m.start()]) and len(words) > 4:
            continue
        if len(words) <= 6 and not re.search(r"[.!?]\s+[A-ZÄÖÜ]", rest):
            iso = match_to_iso(m)
            if iso:
                return iso
    return None


def leading_date(paragraphs: Iterable[str]) -> str | None:
    """A news dateline opening the first paragraphs: "01.02.2022 – Der Arbeitsmarkt …",
    "Berlin, 3. März 2020. Die …"."""
    for text in list(paragraphs)[:2]:
        m = DATE_RX.search(text[:60])
        if not m:
            continue
        before = text[: m.start()]
        if len(before) < 30 and not _EVENT_PREFIX.search(before) and not re.search(r"[.!?]\s", before):
            after = text[m.end(): m.end() + 3]
            if not after or after[0] in " \u00a0–—-:.,|)":
                return match_to_iso(m)
    return None


# a date element's class or id holds one of these (case-sensitive, as lexbor matches [class*=…])
_CLASS_WORD = re.compile("date|Date|datum|Datum|time|Time|zeit|published|posted|meta|byline|veroeffentlicht")
# every [class*=…] selector is a substring search in every class attribute of the tree: the query asks
# for fewer, wider ones (a case pair as one case-blind selector, "dat" for date and datum), and
# _CLASS_WORD keeps the elements the words themselves select; an element that matches several selectors
# comes several times, as it always did (its second look finds what the first found)
_CLASS_DATE_CSS = ", ".join(
    f"[{attr}*={word}]" for attr in ("class", "id")
    for word in ("dat i", "time i", "zeit", "published", "posted", "meta", "byline", "veroeffentlicht"))


def _class_date(tree: Any) -> str | None:
    for node in tree.css(_CLASS_DATE_CSS):
        a = node.attributes
        names = f"{a.get('class') or ''} {a.get('id') or ''}"  # (no word holds the space)
        if not _CLASS_WORD.search(names):
            continue
        if not _DATE_CLASS.search(names) or re.search(r"update|modif|comment", names, re.I):
            continue
        text = node.text(deep=True, separator=" ")
        if len(text) > 200:
            continue
        iso = parse_date(text)
        if iso:
            return iso
    return None


def find_published(tree: Any, url: str, text: str | Iterable[str] | None = None,
                   head_lines: Iterable[str] | None = None,
                   paragraphs: Iterable[str] | None = None) -> str | None:
    """The page's own publication date as YYYY-MM-DD, or None when the page states none.

    `text` is the page's text (a string or its lines); `head_lines` the lines from the top of the
    article (title, byline, date line), where an unlabelled dateline is trusted; `paragraphs` the
    article's own text, whose opening may carry a news dateline.
    """
    lines: list[str] = text.split("\n") if isinstance(text, str) else list(text or [])
    head = list(head_lines or [])
    try:
        # what the page shows by its title beats metadata, which often carries a later edit's date
        found = labelled_date(head) or url_date(url) or standalone_date(head)
        if found:
            return found
        nodes = sources(tree)
        return (
            _json_ld_dates(nodes.scripts)
            or _meta_date(nodes.metas)
            or _itemprop_date(tree)
            or labelled_date(lines)
            or _time_date(nodes.times)
            or leading_date(paragraphs or [])
            or _class_date(tree)
            or standalone_date(lines)
        )
    except Exception:  # noqa: BLE001 - a date is optional; a parser bug must not lose the page
        logger.exception("date extraction failed for %s", url)
        return None
