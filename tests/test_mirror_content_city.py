"""Format and ground-truth checks for the mirror's city press releases (pages/c-*.yaml)."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import logging
import re
from typing import Any

import pytest
from mirrorcontent import (
    BLOCK_KEYS,
    CITY_PATTERNS,
    FORMS,
    IMAGE_KEYS,
    LABELS,
    OPTIONAL,
    PAGES,
    REQUIRED,
    SNAPSHOT2_KEYS,
    load_pages,
    slugify,
)

logger = logging.getLogger(__name__)

CONTACT_KEYS = {"name", "phone", "email", "room"}

# Stricter than CITY_PATTERNS for the true negatives: no substring a naive tagger could trip over
# ("leiden" hides in "Leidenschaft" and "kleiden"), and no talk of partnerships at all.
NEGATIVE_TRAPS = ("venlo", "leicester", "dünkirchen", "duenkirchen", "dunkerque", "dunkirk", "leiden",
                  "charlotte", "oder-spree", "beeskow", "uljanowsk", "ulyanovsk", "kayseri", "kropyv",
                  "kropyw", "partnerstadt", "partnerschaft", "xuzhou", "hangzhou")
ROLE_WORDS = ("Oberbürgermeister", "Bürgermeister", "OB ", "Landrat", "Stadtdirektor", "Dezernent",
              "Beigeordnete", "Leiter", "Branddirektor", "Trainer", "Kapitän", "Künstlerin")
# Pages whose slug was kept when the title changed (the real site's quirk).
SLUG_KEPT = {"c-luederitzstrasse-umbenennung"}
# The near-duplicate pair: republished under another slug with a few words changed.
NEAR_DUPLICATE = ("c-weihnachtsmarkt-2023", "c-weihnachtsmarkt-2023-budenzauber")
FIRST_DAY, LAST_DAY = dt.date(2020, 1, 1), dt.date(2025, 12, 31)
SNAP2_FIRST, SNAP2_LAST = dt.date(2025, 6, 1), dt.date(2025, 11, 20)
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
WEEKDAY_DATE = re.compile(
    rf"\b(?:Pfingst|Oster|Toten)?(?P<wd>{'|'.join(f'[{w[0]}{w[0].lower()}]{w[1:]}' for w in WEEKDAYS)}), "
    rf"(?P<d>\d{{1,2}})\. (?P<m>{'|'.join(MONTHS)})"
    r"(?: (?P<y>\d{4}))?")


def load_all() -> dict[str, dict[str, Any]]:
    return load_pages("c-")


ALL = load_all() if PAGES.is_dir() else {}
MINE = {k: v for k, v in ALL.items() if k.startswith("c-")}


def body_text(blocks: list[dict[str, Any]]) -> str:
    return "\n\n".join(str(next(iter(b.values()))) for b in blocks if next(iter(b)) in ("p", "h2", "h3"))


def images(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b["image"] for b in blocks if "image" in b]


def visible_text(title: str, blocks: list[dict[str, Any]]) -> str:
    """Title, text and captions: where a person in `people` must be named (credits excluded)."""
    return "\n".join([title, body_text(blocks), *(i["caption"] for i in images(blocks))])


def whole_page(st: dict[str, Any]) -> str:
    """Everything the page shows, teasers of related pages included."""
    parts = [visible_text(st["title"], st["blocks"]), st.get("subtitle") or "", st.get("teaser") or ""]
    parts += [f"{i['alt']} {i['credit'] or ''} {i['file']}" for i in images(st["blocks"])]
    for rid in st.get("related") or []:
        other = ALL[rid]
        parts += [other["title"], other.get("teaser") or ""]
        parts += [i["caption"] for i in images(other.get("blocks") or [])[:1]]
    return "\n".join(parts)


def states(page: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The page as it looks in each snapshot it exists in."""
    out = []
    for snap in page["snapshots"]:
        state = dict(page)
        if snap == 2:
            state.update(page.get("snapshot2") or {})
        out.append((snap, state))
    return out


def test_enough_pages() -> None:
    unrelated = [p for p in MINE.values() if p["snapshots"] != [2] and not p["partner_cities"]]
    only2 = [p for p in MINE.values() if p["snapshots"] == [2]]
    assert len(unrelated) >= 17, len(unrelated)
    assert len(only2) == 5
    assert sum(1 for p in only2 if p["partner_cities"]) >= 3


@pytest.mark.parametrize("pid", sorted(MINE))
def test_format(pid: str) -> None:
    page = MINE[pid]
    keys = set(page)
    assert keys >= REQUIRED, f"{pid}: missing {REQUIRED - keys}"
    assert keys <= REQUIRED | OPTIONAL, f"{pid}: unknown {keys - REQUIRED - OPTIONAL}"
    assert page["id"] == pid
    assert page["kind"] == "press_release"
    assert page["template"] in ("current", "legacy")
    assert page["snapshots"] in ([1, 2], [1], [2])
    lid = page.get("legacy_id")
    assert lid is None or re.fullmatch(r"[0-9a-f]{32}", lid), f"{pid}: legacy_id {lid!r}"
    assert set(page.get("snapshot2") or {}) <= SNAPSHOT2_KEYS
    if page.get("snapshot2"):
        assert page["snapshots"] == [1, 2], f"{pid}: snapshot2 on a page not in both snapshots"
    assert bool(page.get("related")) == bool(page.get("related_label"))
    for rid in page.get("related") or []:
        assert rid in ALL and rid != pid, f"{pid}: related {rid!r} is no page"
        # A teaser must lead to a page that exists in every snapshot this page is in.
        assert set(page["snapshots"]) <= set(ALL[rid]["snapshots"]), f"{pid}: related {rid} vanishes"
    for c in page.get("contacts") or []:
        assert set(c) == CONTACT_KEYS, f"{pid}: contact keys {set(c)}"
        assert re.fullmatch(r"0 21 51 / 86-\d{4}", c["phone"]), c["phone"]
        assert c["email"].endswith("@krefeld.de") and re.fullmatch(r"[A-Z] \d{3}", c["room"])
    assert page["teaser"] and page["teaser"] not in body_text(page["blocks"])


@pytest.mark.parametrize("pid", sorted(MINE))
def test_path_and_slug(pid: str) -> None:
    page = MINE[pid]
    m = re.fullmatch(r"/de/inhalt/([a-z0-9]+(?:-[a-z0-9]+)*)/", page["path"])
    assert m, f"{pid}: bad path {page['path']!r}"
    if pid in SLUG_KEPT:
        assert m.group(1) != slugify(page["title"])
    else:
        assert m.group(1) == slugify(page["title"]), f"{pid}: slug differs from {slugify(page['title'])}"


@pytest.mark.parametrize("pid", sorted(MINE))
def test_states(pid: str) -> None:
    page = MINE[pid]
    for snap, st in states(page):
        published = st["published"]
        assert isinstance(published, dt.date) and FIRST_DAY <= published <= LAST_DAY, f"{pid}: {published}"
        if page["snapshots"] == [2]:
            assert SNAP2_FIRST <= published <= SNAP2_LAST, f"{pid}: {published} outside the snapshot-2 window"
        blocks = st["blocks"]
        for b in blocks:
            assert len(b) == 1 and set(b) <= BLOCK_KEYS, f"{pid}: bad block {b}"
        assert any("p" in b for b in blocks), f"{pid}: no paragraph"
        assert next(iter(b for b in blocks if next(iter(b)) != "image")).get("p"), f"{pid}: lead is no p"
        words = len(body_text(blocks).split())
        assert 150 <= words <= 450, f"{pid} (snapshot {snap}): {words} words"
        for img in images(blocks):
            assert set(img) == IMAGE_KEYS, f"{pid}: image keys {set(img) ^ IMAGE_KEYS}"
            assert img["label"] in LABELS and img["form"] in FORMS
            assert img["caption"] and img["alt"] and re.fullmatch(r"[a-z0-9-]+\.jpg", img["file"])
            if img["credit"] is None:
                assert img["form"] == "none" and img["label"] == "" and img["photographer"] is None
            else:
                assert img["form"] != "none", f"{pid}: credit without form"
                assert not img["credit"].startswith(tuple(LABELS - {""})), f"{pid}: label left in credit"
            if img["photographer"]:
                assert img["photographer"] in img["credit"], f"{pid}: {img['photographer']}"
                assert img["credit"].endswith(img["photographer"]) or "/ Pixabay" in img["credit"]
        check_people(pid, st)
        check_cities(pid, st)
        check_event_dates(pid, st)


def check_people(pid: str, st: dict[str, Any]) -> None:
    seen = visible_text(st["title"], st["blocks"])
    names = [p["name"] for p in st["people"]]
    assert len(names) == len(set(names)), f"{pid}: duplicate person"
    for person in st["people"]:
        assert set(person) == {"name", "role"}
        name, role = person["name"], person["role"]
        assert name in seen, f"{pid}: {name!r} not in title/text/captions"
        assert not name.startswith(ROLE_WORDS), f"{pid}: role word in name {name!r}"
        if role is not None:
            # The role as the page gives it: written right before the name or as an apposition after it.
            # A party in parentheses between name and apposition is no role: "Name (SPD), Vorsitzende …".
            n, r = re.escape(name), re.escape(role)
            pattern = rf"{r} {n}|{n}(?: \([A-ZÄÖÜa-zäöü/ ]+\))?, {r}|{n} \({r}\)"
            assert re.search(pattern, seen), f"{pid}: role {role!r} of {name} not given on the page"
    for img in images(st["blocks"]):
        # A photographer named only in a credit is not a person of the page.
        if img["photographer"] and img["photographer"] not in seen:
            assert img["photographer"] not in names, f"{pid}: credit-only photographer in people"
    for c in st.get("contacts") or []:
        assert c["name"] not in names, f"{pid}: contact-box staff are not people of the article"


def check_cities(pid: str, st: dict[str, Any]) -> None:
    cities = st["partner_cities"]
    assert set(cities) <= set(CITY_PATTERNS), f"{pid}: non-canonical {cities}"
    assert len(cities) == len(set(cities))
    text = whole_page(st)
    found = {c for c, pat in CITY_PATTERNS.items() if re.search(pat, text)}
    assert found == set(cities), f"{pid}: page mentions {sorted(found)}, truth says {sorted(cities)}"
    if not cities:
        low = text.lower()
        hits = [w for w in NEGATIVE_TRAPS if w in low]
        assert not hits, f"{pid}: a true negative must not contain {hits}"


def check_event_dates(pid: str, st: dict[str, Any]) -> None:
    """Every 'Wochentag, D. Monat' in the text names the right weekday; none is the publication day."""
    published: dt.date = st["published"]
    text = body_text(st["blocks"])
    matches = list(WEEKDAY_DATE.finditer(text))
    assert matches or re.search(r"\bvom \d{1,2}\. (?:\w+ )?bis zum \d{1,2}\.", text) or "Anfang " in text, (
        f"{pid}: no event date in the text")
    for m in matches:
        month = MONTHS.index(m["m"]) + 1
        year = int(m["y"]) if m["y"] else published.year
        if not m["y"] and month < published.month - 6:
            year += 1  # "am Sonntag, 5. Januar" in a December release means next January
        day = dt.date(year, month, int(m["d"]))
        real = WEEKDAYS[day.weekday()]
        assert real.lower() == m["wd"].lower(), f"{pid}: {m.group(0)} is a {real}"
        assert day != published, f"{pid}: event date equals the publication date"


def test_unique_ids_paths_legacy_ids() -> None:
    paths = [p.get("path") for p in ALL.values() if p.get("path")]
    assert len(paths) == len(set(paths)), "duplicate path among pages"
    lids = [p["legacy_id"] for p in ALL.values() if p.get("legacy_id")]
    assert len(lids) == len(set(lids)), "duplicate legacy_id"
    assert len({p["id"] for p in ALL.values()}) == len(ALL)
    files = [i["file"] for p in MINE.values() for _, st in states(p) for i in images(st["blocks"])]
    assert len(set(files)) >= len(MINE), "too few distinct pictures"


def test_near_duplicate() -> None:
    a, b = (MINE[i] for i in NEAR_DUPLICATE)
    assert a["path"] != b["path"] and a["title"] != b["title"]
    assert a["snapshots"] == b["snapshots"] == [1, 2]
    assert a["title"].split(":")[0] == b["title"].split(":")[0], "only the title suffix differs"
    wa, wb = body_text(a["blocks"]).split(), body_text(b["blocks"]).split()
    assert len(wa) == len(wb)
    changed = sum(1 for x, y in zip(wa, wb, strict=True) if x != y)
    assert 2 <= changed <= 3, f"{changed} words changed"
    assert difflib.SequenceMatcher(None, wa, wb).ratio() > 0.95


def test_snapshot_changes() -> None:
    removed = [p for p in MINE.values() if p["snapshots"] == [1]]
    assert len(removed) == 1 and not removed[0]["partner_cities"]
    changed = {pid: p["snapshot2"] for pid, p in MINE.items() if p.get("snapshot2")}
    assert len(changed) >= 2
    assert all(not MINE[pid]["partner_cities"] for pid in changed)
    added = [pid for pid, c in changed.items() if len(c.get("blocks", [])) == len(MINE[pid]["blocks"]) + 1]
    assert added, "no page gains a paragraph in snapshot 2"
    for pid in added:
        later = changed[pid]["blocks"]
        extra = [i for i in range(len(later)) if later[:i] + later[i + 1:] == MINE[pid]["blocks"]]
        assert extra and "p" in later[extra[0]], f"{pid}: snapshot 2 must only add one paragraph"
    renamed = [pid for pid, c in changed.items() if "people" in c and "blocks" in c
               and {p["name"] for p in c["people"]} != {p["name"] for p in MINE[pid]["people"]}]
    assert renamed, "no page corrects a name in snapshot 2"
    for pid in renamed:
        old = {p["name"] for p in MINE[pid]["people"]} - {p["name"] for p in changed[pid]["people"]}
        later = visible_text(changed[pid].get("title", MINE[pid]["title"]), changed[pid]["blocks"])
        for name in old:
            assert not re.search(rf"\b{re.escape(name)}\b", later), f"{pid}: old spelling {name!r} left"
        # Apart from the corrected name, the text is the same.
        (new_name,) = {p["name"] for p in changed[pid]["people"]} - {p["name"] for p in MINE[pid]["people"]}
        (old_name,) = old
        new_short, old_short = new_name.split()[-1], old_name.split()[-1]
        assert json.dumps(changed[pid]["blocks"]).replace(new_short, old_short) == json.dumps(
            MINE[pid]["blocks"]), f"{pid}: snapshot 2 changes more than the name"


def test_coverage() -> None:
    """The set as a whole exercises every caption form, template and role form of the facts file."""
    imgs = [i for p in MINE.values() for _, st in states(p) for i in images(st["blocks"])]
    assert {i["label"] for i in imgs} >= {"Foto:", "Bild:", "Fotos:", "Grafik:", "Repro:", "©", ""}
    assert {i["form"] for i in imgs} == FORMS
    assert any(i["twice"] for i in imgs) and not all(i["twice"] for i in imgs)
    assert {p["template"] for p in MINE.values()} == {"current", "legacy"}
    old = [p for p in MINE.values() if p["published"].year < 2022]
    assert sum(p["template"] == "legacy" for p in old) > len(old) / 2, "older releases mostly legacy"
    with_lid = sum(1 for p in MINE.values() if p.get("legacy_id"))
    assert 0.25 <= with_lid / len(MINE) <= 0.45
    photographers = {i["photographer"] for i in imgs}
    for who in ("A. Bischof", "Dirk Jochmann", "S. Erath", "Christoph Elles", "Markus Distelrath"):
        assert who in photographers, who
    credits = {i["credit"] for i in imgs}
    for needed in ("Pixabay", "Markus Distelrath / Pixabay", "Privat", "Stadt Krefeld, Stadtarchiv",
                   "Stadt Krefeld, Stadtmarketing", "Gemeente Venlo"):
        assert needed in credits, needed
    captions = " ".join(i["caption"] for i in imgs)
    for form in ("(v. l.):", "(v.l.)", "vlnr:", "(von links nach rechts)", "(5. v. re.)", "4. von links",
                 "links", "daneben"):
        assert form in captions, form
    texts = " ".join(body_text(st["blocks"]) for p in MINE.values() for _, st in states(p))
    for form in ("Frank Meyer, Oberbürgermeister der Stadt Krefeld,", "Oberbürgermeister Frank Meyer",
                 "(Bürgermeister von Venlo)", "(SPD)", "Meyer betonte", "Dr. Hanna Finke",
                 "Von-der-Leyen-Platz", "Dionysiusplatz", "Kaiser-Wilhelm-Museum", "Anfang Juli", "um 18 Uhr",
                 " bis zum "):
        assert form in texts, form
    assert sum(1 for p in MINE.values() if p.get("contacts")) >= 2
    assert any(p.get("related") for p in MINE.values())
