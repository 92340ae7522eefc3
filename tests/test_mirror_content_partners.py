"""Format and ground-truth checks for the mirror's partnership press releases (pages/p-*.yaml)."""

from __future__ import annotations

import datetime as dt
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

# Words that belong in `role`, never at the start of `name`.
ROLE_WORDS = ("Oberbürgermeister", "Bürgermeister", "OB ", "Landrat", "Burgemeester", "Stadtdirektor",
              "Pressesprecher", "Mayor", "Honorarkonsul", "Generalkonsulin", "Künstlerin")
# Pages whose slug was kept when the title changed (the real site's quirk).
SLUG_KEPT = {"p-duenkirchen-50-jahre-freundschaft"}
# "Oberbürgermeister Frank Meyer": whoever follows a role word is a person the truth must list.
ROLE_THEN_NAME = re.compile(
    r"\b(?:Oberbürgermeister(?:in)?|Bürgermeister(?:in)?|Landrat|Burgemeester|Mayor|Stadtdirektor|"
    r"Generalkonsulin|Honorarkonsul|Künstlerin|Pressesprecher|Nachhaltigkeitsbeauftragte)(?: a\. D\.)? "
    r"((?:Dr\. )?[A-ZÄÖÜ][a-zäöüß]+(?: (?:von |van )?[A-ZÄÖÜ][a-zäöüß]+)+)"
)
FIRST_DAY, LAST_DAY = dt.date(2020, 1, 1), dt.date(2025, 12, 31)


def load_all() -> dict[str, dict[str, Any]]:
    return load_pages("p-")


ALL = load_all() if PAGES.is_dir() else {}
MINE = {k: v for k, v in ALL.items() if k.startswith("p-")}


def body_text(blocks: list[dict[str, Any]]) -> str:
    return "\n\n".join(str(next(iter(b.values()))) for b in blocks if next(iter(b)) in ("p", "h2", "h3"))


def images(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b["image"] for b in blocks if "image" in b]


def visible_text(title: str, blocks: list[dict[str, Any]]) -> str:
    """Title, text and captions: where a person in `people` must be named (credits excluded)."""
    caps = [i["caption"] for i in images(blocks)]
    return "\n".join([title, body_text(blocks), *caps])


def mention_text(title: str, subtitle: str | None, blocks: list[dict[str, Any]]) -> str:
    extra = [f"{i['alt']} {i['credit'] or ''}" for i in images(blocks)]
    return "\n".join([visible_text(title, blocks), subtitle or "", *extra])


def states(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The page as it looks in each snapshot it exists in."""
    out = []
    for snap in page["snapshots"]:
        state = dict(page)
        if snap == 2:
            state.update(page.get("snapshot2") or {})
        out.append(state)
    return out


def test_enough_pages() -> None:
    assert len(MINE) >= 31, sorted(MINE)


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
        assert 2 in page["snapshots"], f"{pid}: snapshot2 on a page absent from snapshot 2"
    assert bool(page.get("related")) == bool(page.get("related_label"))
    for rid in page.get("related") or []:
        assert rid in ALL and rid != pid, f"{pid}: related {rid!r} is no page"


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
    for st in states(MINE[pid]):
        published = st["published"]
        assert isinstance(published, dt.date) and FIRST_DAY <= published <= LAST_DAY, f"{pid}: {published}"
        blocks = st["blocks"]
        for b in blocks:
            assert len(b) == 1 and set(b) <= BLOCK_KEYS, f"{pid}: bad block {b}"
        assert any("p" in b for b in blocks), f"{pid}: no paragraph"
        words = len(body_text(blocks).split())
        assert 150 <= words <= 450, f"{pid}: {words} words"
        for img in images(blocks):
            assert set(img) == IMAGE_KEYS, f"{pid}: image keys {set(img) ^ IMAGE_KEYS}"
            assert img["label"] in LABELS and img["form"] in FORMS
            assert img["caption"] and img["alt"] and img["file"].endswith(".jpg")
            if img["credit"] is None:
                assert img["form"] == "none" and img["label"] == "" and img["photographer"] is None
            else:
                assert img["form"] != "none", f"{pid}: credit without form"
            if img["photographer"]:
                assert img["photographer"] in img["credit"], f"{pid}: {img['photographer']}"
        check_people(pid, st)
        check_cities(pid, st)


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
            assert role in seen, f"{pid}: role {role!r} of {name} not on the page"
    for m in ROLE_THEN_NAME.finditer(seen):
        assert m.group(1) in names, f"{pid}: {m.group(0)!r} but {m.group(1)!r} not in people"
    for img in images(st["blocks"]):
        # A photographer named only in a credit is not a person of the page.
        if img["photographer"] and img["photographer"] not in seen:
            assert img["photographer"] not in names, f"{pid}: credit-only photographer in people"


def check_cities(pid: str, st: dict[str, Any]) -> None:
    cities = st["partner_cities"]
    assert set(cities) <= set(CITY_PATTERNS), f"{pid}: non-canonical {cities}"
    assert len(cities) == len(set(cities))
    text = mention_text(st["title"], st.get("subtitle"), st["blocks"])
    found = {c for c, pat in CITY_PATTERNS.items() if re.search(pat, text)}
    assert found == set(cities), f"{pid}: text mentions {sorted(found)}, truth says {sorted(cities)}"
    # Related teasers are on the page too: they must not bring in a partner the truth omits.
    for rid in st.get("related") or []:
        other = ALL[rid]
        caps = " ".join(i["caption"] for i in images(other.get("blocks") or [])[:1])
        teaser = f"{other['title']} {other.get('teaser') or ''} {caps}"
        extra = {c for c, pat in CITY_PATTERNS.items() if re.search(pat, teaser)} - set(cities)
        assert not extra, f"{pid}: related {rid} mentions {extra}"


def test_unique_ids_paths_legacy_ids() -> None:
    paths = [p.get("path") for p in ALL.values() if p.get("path")]
    assert len(paths) == len(set(paths)), "duplicate path among pages"
    lids = [p["legacy_id"] for p in ALL.values() if p.get("legacy_id")]
    assert len(lids) == len(set(lids)), "duplicate legacy_id"
    assert len({p["id"] for p in ALL.values()}) == len(ALL)


def test_coverage() -> None:
    """The set as a whole exercises every caption form, template and snapshot change."""
    imgs = [i for p in MINE.values() for st in states(p) for i in images(st["blocks"])]
    assert {i["label"] for i in imgs} >= {"Foto:", "Bild:", "Fotos:", "Grafik:", "Repro:", "©", ""}
    assert {i["form"] for i in imgs} == FORMS
    assert any(i["twice"] for i in imgs) and not all(i["twice"] for i in imgs)
    assert {p["template"] for p in MINE.values()} == {"current", "legacy"}
    with_lid = sum(1 for p in MINE.values() if p.get("legacy_id"))
    assert 0.25 <= with_lid / len(MINE) <= 0.45
    assert sum(1 for p in MINE.values() if p["snapshots"] == [1]) == 1
    changed = [p["snapshot2"] for p in MINE.values() if p.get("snapshot2")]
    assert any("published" in c for c in changed) and any("title" in c for c in changed)
    assert any("people" in c and "blocks" in c for c in changed)
    added = [p for p in MINE.values() if "blocks" in (p.get("snapshot2") or {})
             and len(p["snapshot2"]["blocks"]) > len(p["blocks"])]
    assert added, "no page gains a paragraph in snapshot 2"
    credits = {i["credit"] for i in imgs}
    for needed in ("Ville de Dunkerque", "Photos CUD", "Markus Distelrath / Pixabay", "Privat", "Pixabay"):
        assert needed in credits, needed
    assert any(p.get("related") for p in MINE.values())
