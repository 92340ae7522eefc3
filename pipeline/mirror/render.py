"""Turn mirror pages into the view data the templates need, and the templates into HTML."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
import yaml

from .content import Page

VARIANTS = ("current", "legacy", "html5", "tables", "divsoup")
LEGACY_PREFIX = "/C125748100427CD6/html/"
EXPANDED = "2147483647"  # the real site's "list expanded" value of cNN parameters


@lru_cache(maxsize=1)
def chrome() -> dict[str, Any]:
    path = resources.files("pipeline.mirror").joinpath("content").joinpath("chrome.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline.mirror", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )


def alias_base(host_base: str) -> str:
    """The alias host form of a base URL: what krefeld.de / kaoa-krefeld.de are to www.krefeld.de."""
    parts = urlsplit(host_base)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    if host.startswith("www."):
        return f"http://{host[4:]}{port}"
    if host == "127.0.0.1":
        return f"{parts.scheme}://localhost{port}"
    return host_base.rstrip("/")


def caption_line(img: dict[str, Any]) -> str:
    """Caption and credit as the site prints them, per the block's `form`."""
    cap = (img.get("caption") or "").strip()
    credit = img.get("credit")
    form = img.get("form", "spaced")
    if not credit or form == "none":
        return cap
    label = img.get("label", "Foto:")
    cred = f"{label} {credit}" if label else credit
    if not cap:
        return cred
    if form == "glued":
        return f"{cap}{cred}"
    if form == "paren":
        return f"{cap} ({cred})"
    return f"{cap} {cred}"


def image_view(img: dict[str, Any]) -> dict[str, Any]:
    return {"src": f"/medien/{img['file']}", "alt": img.get("alt") or "", "line": caption_line(img),
            "twice": bool(img.get("twice"))}


def german_date(page: Page) -> str | None:
    return page.published.strftime("%d.%m.%Y") if page.published else None


def _link(path: str, host_base: str, absolute: bool = False) -> str:
    return f"{alias_base(host_base)}{path}" if absolute else path


def chrome_view(host_base: str, url: str, title: str) -> dict[str, Any]:
    c = chrome()

    def links(items: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
        return [{"text": i["text"],
                 "href": i.get("href") or _link(i["path"], host_base, i.get("absolute", False))}
                for i in items]

    share = [{"text": s["text"], "href": s["href"].format(url=quote(url, safe=""), title=quote(title))}
             for s in c["share"]]
    return {
        "site_name": c["site_name"], "logo_text": c["logo_text"], "nav": links(c["nav"]),
        "service": links(c["service_links"]),
        "footer": [{"title": g["title"], "links": links(g["links"])} for g in c["footer_groups"]],
        "footer_note": c["footer_note"], "share_label": c["share_label"], "share": share,
        "cookie_text": c["cookie_text"], "cookie_buttons": c["cookie_buttons"],
        "cookie_link": links([c["cookie_link"]])[0],
    }


def crumbs_for(kind: str, title: str, host_base: str) -> list[dict[str, str | None]]:
    start = {"text": "Startseite", "href": _link("/de/", host_base, absolute=True)}
    overview = "/de/oberbuergermeister/staedtepartnerschaften/"
    if kind in ("press_release", "listing"):
        mid = [{"text": "Presse", "href": "/de/presse/pressemitteilungen/"}]
        if kind == "press_release":
            mid.append({"text": "Pressemitteilungen", "href": "/de/presse/pressemitteilungen/"})
    elif kind in ("partner_page", "overview"):
        mid = [{"text": "Oberbürgermeister", "href": overview}]
        if kind == "partner_page":
            mid.append({"text": "Städtepartnerschaften", "href": overview})
    else:
        mid = []
    return [start, *mid, {"text": title, "href": None}]


def teaser_view(p: Page, href: str) -> dict[str, Any]:
    img = p.lead_image
    return {"href": href, "title": p.title, "teaser": p.teaser or "",
            "image": image_view(img) if img else None}


def detail_view(page: Page, related: Sequence[Page], partners: Sequence[Page],
                host_base: str) -> dict[str, Any]:
    """Everything a detail template shows, in reading order; the same for every markup variant."""
    blocks = [dict(b) for b in page.blocks]
    head: list[dict[str, Any]] = []
    while blocks and "image" in blocks[0]:  # lead picture(s) sit between the date line and the subtitle
        head.append(image_view(blocks.pop(0)["image"]))
    body = []
    for b in blocks:
        key = next(iter(b))
        body.append({"type": key, "image": image_view(b["image"])} if key == "image"
                    else {"type": key, "text": b[key] if key != "video" else "Eingebettetes Youtube-Video"})
    rel_items = []
    for i, r in enumerate(related):
        href = r.path
        if r.legacy_id and i % 3 == 2:
            href = LEGACY_PREFIX + r.legacy_id
        elif i % 2 == 1:
            href = f"{r.path}&c92={EXPANDED}"
        rel_items.append(teaser_view(r, href))
    partner_items = []
    for i, p in enumerate(partners):
        if page.kind == "overview" and p.legacy_id and i % 2 == 0:
            href = LEGACY_PREFIX + p.legacy_id
        elif i % 2 == 0:
            href = _link(p.path, host_base, absolute=True)
        else:
            href = f"{p.path}&c94={EXPANDED}"
        partner_items.append({"href": href, "text": p.title})
    contact = None
    if page.contacts:
        contact = {"note": page.contact_note, "people": [dict(c) for c in page.contacts],
                   "address": chrome()["address"]}
    url = f"{host_base}{page.path}"
    return {
        "view": "detail", "kind": page.kind, "title": page.title, "date": german_date(page),
        "head_images": head, "subtitle": page.subtitle, "body": body,
        "related": {"label": page.related_label or "", "entries": rel_items} if rel_items else None,
        "partners": ({"label": chrome()["partner_footer_label"], "entries": partner_items}
                     if partner_items else None),
        "contact": contact, "crumbs": crumbs_for(page.kind, page.title, host_base),
        "chrome": chrome_view(host_base, url, page.title), "charset": page.encoding,
    }


def listing_view(current: dict[str, Any], archive: dict[str, Any], host_base: str) -> dict[str, Any]:
    c = chrome()
    lst = c["listing"]
    extra = [{"text": c["dead_link"]["text"], "href": c["dead_link"]["path"]},
             {"text": c["forbidden"][1]["title"], "href": c["forbidden"][1]["path"]}]
    return {
        "view": "listing", "kind": "listing", "title": lst["title"], "intro": lst["intro"],
        "lists": [current, archive], "extra": extra,
        "crumbs": crumbs_for("listing", lst["title"], host_base),
        "chrome": chrome_view(host_base, f"{host_base}{lst['path']}", lst["title"]), "charset": "utf-8",
    }


def stub_view(title: str, text: str, host_base: str, path: str) -> dict[str, Any]:
    return {"view": "stub", "kind": "other", "title": title, "text": text,
            "crumbs": crumbs_for("other", title, host_base),
            "chrome": chrome_view(host_base, f"{host_base}{path}", title), "charset": "utf-8"}


def render_html(variant: str, view: dict[str, Any]) -> str:
    return environment().get_template(f"{variant}.html").render(v=view)
