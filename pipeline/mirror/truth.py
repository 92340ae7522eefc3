"""Write the expected record of every mirror page: `python -m pipeline.mirror.truth` → content/truth*/."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from ..models import Contact, Image, Person, Record
from .content import Page
from .site import Site

CANONICAL_BASE = "https://www.krefeld.de"
CONTENT_DIR = Path(__file__).resolve().parent / "content"


def normalize_phone(text: str | None) -> str | None:
    """'0 21 51 / 86-1554' → '+49 2151 861554' (the area code is what stands before the slash)."""
    if not text:
        return None
    area, sep, local = text.partition("/")
    area_digits, local_digits = re.sub(r"\D", "", area), re.sub(r"\D", "", local)
    if not sep:
        digits = area_digits
        return f"+49 {digits[1:]}" if digits.startswith("0") else digits or None
    return f"+49 {area_digits.lstrip('0')} {local_digits}"


def _image(img: dict[str, Any]) -> Image:
    shown = img.get("form", "spaced") != "none"  # form "none" prints no credit, so none can be expected
    return Image(
        src=f"{CANONICAL_BASE}/medien/{img['file']}",
        alt=img.get("alt") or None,
        caption=(img.get("caption") or "").strip() or None,
        credit=img.get("credit") if shown else None,
        photographer=img.get("photographer") if shown and img.get("credit") else None,
    )


def record(page: Page) -> Record:
    """The CONTRACT.md record of a page, derived by the rules of CONTENT.md (links are left out)."""
    texts = [(k, b[k]) for b in page.blocks for k in ("p", "h2", "h3") if k in b]
    paragraphs = [t for k, t in texts if k == "p"]
    url = CANONICAL_BASE + page.path
    return Record(
        url=url, canonical_url=url, kind=page.kind, title=page.title, subtitle=page.subtitle,
        published=page.published.isoformat() if page.published else None,
        lead=paragraphs[0] if paragraphs else None,
        text="\n\n".join(t for _, t in texts),
        people=[Person(name=p["name"], role=p.get("role")) for p in page.people],
        images=[_image(b["image"]) for b in page.blocks if "image" in b],
        partner_cities=list(page.partner_cities),
        contacts=[Contact(name=c.get("name"), phone=normalize_phone(c.get("phone")), email=c.get("email"),
                          room=c.get("room")) for c in page.contacts],
    )


def as_json(rec: Record) -> str:
    d = rec.to_dict()
    d.pop("links", None)
    return json.dumps(d, ensure_ascii=False, indent=2) + "\n"


def expected_files() -> dict[Path, str]:
    """truth/<id>.json for every page of snapshot 1; truth2/<id>.json for pages new or edited in 2."""
    out: dict[Path, str] = {}
    for page in Site(1).content_pages():
        out[CONTENT_DIR / "truth" / f"{page.id}.json"] = as_json(record(page))
    s1 = {p.id for p in Site(1).content_pages()}
    for page in Site(2).content_pages():
        if page.edited or page.id not in s1:
            out[CONTENT_DIR / "truth2" / f"{page.id}.json"] = as_json(record(page))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.mirror.truth", description=__doc__)
    ap.add_argument("--check", action="store_true", help="only report files that are missing or out of date")
    args = ap.parse_args(argv)
    want = expected_files()
    stale = [p for p in sorted((CONTENT_DIR / "truth").glob("*.json")) + sorted(
        (CONTENT_DIR / "truth2").glob("*.json")) if p not in want]
    differ = [p for p, text in want.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in differ:
            print(f"out of date: {p.relative_to(CONTENT_DIR)}")
        for p in stale:
            print(f"stale: {p.relative_to(CONTENT_DIR)}")
        return 1 if differ or stale else 0
    for p in stale:
        p.unlink()
    for p in differ:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(want[p], encoding="utf-8")
    print(f"{len(want)} truth files ({len(differ)} written, {len(stale)} removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
