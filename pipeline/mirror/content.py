"""Load and check the mirror's page YAML (CONTENT.md) and resolve a page for one snapshot of the site."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..errors import UsageError

log = logging.getLogger(__name__)

KINDS = ("press_release", "partner_page", "overview", "other")
TEMPLATES = ("current", "legacy")
FORMS = ("glued", "spaced", "paren", "none")
LABELS = ("Foto:", "Bild:", "Fotos:", "Grafik:", "Repro:", "©", "Logo:", "")
BLOCK_KEYS = ("image", "p", "h2", "h3", "video")
_REQUIRED = ("id", "kind", "path", "title")
# Top-level keys a page may carry; `snapshot2` may override any of the content ones.
_KNOWN = {
    "id", "kind", "path", "legacy_id", "template", "snapshots", "published", "title", "subtitle", "teaser",
    "blocks", "related_label", "related", "related_partner", "contacts", "contact_note", "people",
    "partner_cities", "snapshot2", "encoding", "last_modified",
}
_HEX32 = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Page:
    """One page of the site as it stands in one snapshot (snapshot2 overrides already applied)."""

    id: str
    kind: str
    path: str
    title: str
    template: str = "current"
    legacy_id: str | None = None
    published: date | None = None
    subtitle: str | None = None
    teaser: str | None = None
    blocks: tuple[dict[str, Any], ...] = ()
    related_label: str | None = None
    related: tuple[str, ...] = ()
    related_partner: str | None = None
    contacts: tuple[dict[str, Any], ...] = ()
    contact_note: str | None = None
    people: tuple[dict[str, Any], ...] = ()
    partner_cities: tuple[str, ...] = ()
    encoding: str = "utf-8"
    edited: bool = False  # snapshot 2 overrides some field of snapshot 1 (its record differs)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def lead_image(self) -> dict[str, Any] | None:
        for b in self.blocks:
            if "image" in b:
                return b["image"]
        return None


def _fail(name: str, msg: str) -> UsageError:
    return UsageError(f"mirror content {name}: {msg}")


def _check_image(name: str, where: str, img: Any) -> None:
    if not isinstance(img, dict) or not img.get("file"):
        raise _fail(name, f"{where}: image needs a 'file'")
    form = img.get("form", "spaced")
    if form not in FORMS:
        raise _fail(name, f"{where}.form: {form!r} is not one of {', '.join(FORMS)}")
    if img.get("label", "Foto:") not in LABELS:
        raise _fail(name, f"{where}.label: {img.get('label')!r} is not one of {LABELS}")


def _check_blocks(name: str, field_name: str, blocks: Any) -> None:
    if not isinstance(blocks, list):
        raise _fail(name, f"{field_name}: must be a list")
    for i, b in enumerate(blocks):
        if not isinstance(b, dict) or len(b) != 1 or next(iter(b)) not in BLOCK_KEYS:
            raise _fail(name, f"{field_name}[{i}]: one of {', '.join(BLOCK_KEYS)} expected, got {b!r}")
        if "image" in b:
            _check_image(name, f"{field_name}[{i}]", b["image"])
        elif "video" not in b and not isinstance(b[next(iter(b))], str):
            raise _fail(name, f"{field_name}[{i}]: text expected")


def check(name: str, d: Any) -> None:
    """Raise a one-line UsageError naming the file and field when the page data is malformed."""
    if not isinstance(d, dict):
        raise _fail(name, "top level must be a mapping")
    for k in _REQUIRED:
        if not d.get(k):
            raise _fail(name, f"missing field '{k}'")
    unknown = set(d) - _KNOWN
    if unknown:
        raise _fail(name, f"unknown field(s) {', '.join(sorted(unknown))}")
    if name != f"{d['id']}.yaml":
        raise _fail(name, f"id {d['id']!r} does not match the file name")
    if d["kind"] not in KINDS:
        raise _fail(name, f"kind: {d['kind']!r} is not one of {', '.join(KINDS)}")
    if not str(d["path"]).startswith("/"):
        raise _fail(name, f"path: {d['path']!r} must start with /")
    if d.get("template", "current") not in TEMPLATES:
        raise _fail(name, f"template: {d['template']!r} is not one of {', '.join(TEMPLATES)}")
    if d.get("legacy_id") and not _HEX32.fullmatch(str(d["legacy_id"])):
        raise _fail(name, f"legacy_id: {d['legacy_id']!r} is not 32 lowercase hex digits")
    snaps = d.get("snapshots", [1, 2])
    if not isinstance(snaps, list) or not snaps or not set(snaps) <= {1, 2}:
        raise _fail(name, f"snapshots: {snaps!r} must be a non-empty list of 1 and/or 2")
    for key in ("published",):
        if d.get(key) is not None and not isinstance(d[key], date):
            raise _fail(name, f"{key}: {d[key]!r} is not a YYYY-MM-DD date")
    _check_blocks(name, "blocks", d.get("blocks") or [])
    s2 = d.get("snapshot2")
    if s2 is not None:
        if not isinstance(s2, dict) or set(s2) - _KNOWN:
            raise _fail(name, "snapshot2: must be a mapping of known fields")
        if "blocks" in s2:
            _check_blocks(name, "snapshot2.blocks", s2["blocks"])
        if s2.get("published") is not None and not isinstance(s2["published"], date):
            raise _fail(name, f"snapshot2.published: {s2['published']!r} is not a YYYY-MM-DD date")


def _norm_path(path: str) -> str:
    return path if path.endswith("/") else path + "/"


@lru_cache(maxsize=1)
def load_all() -> tuple[dict[str, Any], ...]:
    """Every page file's raw data, checked; cached for the process."""
    folder = resources.files("pipeline.mirror").joinpath("content").joinpath("pages")
    out: list[dict[str, Any]] = []
    seen_paths: dict[str, str] = {}
    seen_legacy: dict[str, str] = {}
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name)
    for entry in entries:
        try:
            d = yaml.safe_load(entry.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark else ""
            raise _fail(entry.name, f"invalid YAML{where}: {getattr(e, 'problem', e)}") from None
        check(entry.name, d)
        p = _norm_path(d["path"])
        if p in seen_paths:
            raise _fail(entry.name, f"path {d['path']!r} already used by {seen_paths[p]}")
        seen_paths[p] = entry.name
        if d.get("legacy_id"):
            if d["legacy_id"] in seen_legacy:
                raise _fail(entry.name, f"legacy_id already used by {seen_legacy[d['legacy_id']]}")
            seen_legacy[d["legacy_id"]] = entry.name
        out.append(d)
    return tuple(out)


def resolve(d: dict[str, Any], snapshot: int) -> Page | None:
    """The page as it stands in `snapshot`, or None when it does not exist there."""
    if snapshot not in d.get("snapshots", [1, 2]):
        return None
    data = {k: v for k, v in d.items() if k != "snapshot2"}
    edited = False
    if snapshot == 2 and d.get("snapshot2"):
        data.update(d["snapshot2"])
        edited = 1 in d.get("snapshots", [1, 2])
    return Page(
        id=data["id"], kind=data["kind"], path=data["path"], title=data["title"],
        template=data.get("template") or "current", legacy_id=data.get("legacy_id"),
        published=data.get("published"), subtitle=data.get("subtitle"), teaser=data.get("teaser"),
        blocks=tuple(data.get("blocks") or ()), related_label=data.get("related_label"),
        related=tuple(data.get("related") or ()), related_partner=data.get("related_partner"),
        contacts=tuple(data.get("contacts") or ()), contact_note=data.get("contact_note"),
        people=tuple(data.get("people") or ()), partner_cities=tuple(data.get("partner_cities") or ()),
        encoding=data.get("encoding") or "utf-8", edited=edited, raw=data,
    )
