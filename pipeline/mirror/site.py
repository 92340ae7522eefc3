"""The offline mirror of krefeld.de as a pure function: a path (with the site's `&`-parameters) → response."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from ..errors import UsageError
from . import render
from .content import Page, load_all, resolve
from .media import tiny_jpeg

log = logging.getLogger(__name__)

ENGINE_VERSION = "1"  # bump when the markup changes, so validators change with it
_NO_DATE = date(2024, 1, 15)  # Last-Modified of pages that state no date
_EDIT_DATE = date(2025, 10, 1)  # edits of snapshot 2 happened after this day
_DIGEST_BASE = "https://www.krefeld.de"  # validators ignore the host a page is asked under


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class PageInfo:
    id: str
    kind: str
    path: str


def _params(tail: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in re.split(r"[&;?]", tail):
        if part:
            k, _, v = part.partition("=")
            out.setdefault(k, v)
    return out


def _offset(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


class Site:
    """All pages of one snapshot, rendered with their own template or one forced markup variant."""

    def __init__(self, snapshot: int = 1, template: str | None = None) -> None:
        if snapshot not in (1, 2):
            raise UsageError(f"snapshot: {snapshot} is not 1 or 2")
        if template is not None and template not in render.VARIANTS:
            raise UsageError(f"template: {template!r} is not one of {', '.join(render.VARIANTS)}")
        self.snapshot = snapshot
        self.template = template
        raw = load_all()
        self._pages: list[Page] = [p for p in (resolve(d, snapshot) for d in raw) if p is not None]
        self._by_id = {p.id: p for p in self._pages}
        self._by_path = {p.path.rstrip("/"): p for p in self._pages}
        self._by_legacy = {p.legacy_id: p for p in self._pages if p.legacy_id}
        self._all_files = {b["image"]["file"] for d in raw
                           for bl in (d.get("blocks"), (d.get("snapshot2") or {}).get("blocks"))
                           for b in bl or () if "image" in b}
        c = render.chrome()
        self._stubs: dict[str, tuple[str, str]] = {}
        for item in [*c["nav"], *c["service_links"], *(li for g in c["footer_groups"] for li in g["links"])]:
            path = item.get("path", "")
            taken = path.rstrip("/") in self._by_path or path == c["listing"]["path"]
            if path and not taken:
                text = f"Informationen zum Thema {item['text']}."
                self._stubs[item["path"].rstrip("/")] = (item["text"], text)
        self._stubs["/de"] = ("Startseite", "Willkommen auf den Seiten der Stadt Krefeld.")
        for f in c["forbidden"]:
            self._stubs[f["path"].rstrip("/")] = (f["title"], "Interner Bereich: für Crawler gesperrt.")
        self._press = sorted((p for p in self._pages if p.kind == "press_release"),
                             key=lambda p: (p.published or date.min, p.id), reverse=True)
        self._cache: dict[tuple[str, str], Response] = {}
        self._digests: dict[str, str] = {}

    # ---- inventory ----
    def pages(self) -> list[PageInfo]:
        """Every page of this snapshot: content pages, the listing and the furniture pages."""
        out = [PageInfo(p.id, p.kind, p.path) for p in self._pages]
        out.append(PageInfo("pressemitteilungen", "listing", render.chrome()["listing"]["path"]))
        out += [PageInfo(f"stub:{path}", "other", path + "/") for path in self._stubs]
        return out

    def detail_paths(self) -> list[str]:
        """Paths of the content pages (press releases, partner pages, overviews) of this snapshot."""
        return [p.path for p in self._pages]

    def page(self, page_id: str) -> Page | None:
        return self._by_id.get(page_id)

    def content_pages(self) -> list[Page]:
        return list(self._pages)

    # ---- rendering ----
    def render(self, path_with_params: str, host_base: str = "https://www.krefeld.de") -> Response:
        host_base = host_base.rstrip("/")
        key = (path_with_params, host_base)
        if key in self._cache:
            return self._cache[key]
        resp = self._route(path_with_params, host_base)
        if len(self._cache) < 4096:
            self._cache[key] = resp
        return resp

    def _route(self, raw: str, host_base: str) -> Response:
        parts = urlsplit(raw)
        path, _, tail = unquote(parts.path).partition("&")
        params = _params(tail + "&" + parts.query)
        if path == "/robots.txt":
            return self._text(self.robots_txt(host_base), "text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            return self._text(self.sitemap_xml(host_base), "application/xml; charset=utf-8")
        if path.startswith("/medien/"):
            name = path[len("/medien/"):]
            if name in self._all_files:
                return Response(200, {"Content-Type": "image/jpeg"}, tiny_jpeg(name))
            return self._not_found(host_base)
        if path.startswith(render.LEGACY_PREFIX):
            page = self._by_legacy.get(path[len(render.LEGACY_PREFIX):].strip("/").lower())
        else:
            page = self._by_path.get(path.rstrip("/"))
        if page is not None:
            return self._detail(page, host_base)
        lst = render.chrome()["listing"]
        if path.rstrip("/") == lst["path"].rstrip("/"):
            return self._listing(params, host_base)
        stub = self._stubs.get(path.rstrip("/"))
        if stub is not None:
            html = render.render_html(self._variant("current"), render.stub_view(*stub, host_base, path))
            return Response(200, {"Content-Type": "text/html; charset=utf-8"}, html.encode("utf-8"))
        return self._not_found(host_base)

    def _variant(self, own: str) -> str:
        return self.template or own

    def _related(self, page: Page) -> list[Page]:
        out = [self._by_id[i] for i in page.related if i in self._by_id and i != page.id]
        missing = [i for i in page.related if i not in self._by_id]
        if missing:
            log.debug("%s: related pages not in snapshot %d: %s", page.id, self.snapshot, missing)
        if page.related_partner:
            city = page.related_partner
            picks = [p for p in self._press
                     if (city in p.partner_cities or (city == "*" and p.partner_cities)) and p not in out]
            out += picks[: max(0, 5 - len(out))]
        return out

    def _partners(self) -> list[Page]:
        order = render.chrome()["partner_order"]
        by_slug = {p.path.rstrip("/").rsplit("/", 1)[-1]: p for p in self._pages if p.kind == "partner_page"}
        return [by_slug[s] for s in order if s in by_slug]

    def _html(self, page: Page, host_base: str) -> str:
        partners = self._partners() if page.kind in ("partner_page", "overview") else []
        view = render.detail_view(page, self._related(page), partners, host_base)
        return render.render_html(self._variant(page.template), view)

    def body_digest(self, page: Page) -> str:
        """Hash of the page as rendered for the canonical host: changes whenever anything shown changes."""
        if page.id not in self._digests:
            html = self._html(page, _DIGEST_BASE)
            self._digests[page.id] = hashlib.sha1(f"{ENGINE_VERSION}|{html}".encode()).hexdigest()
        return self._digests[page.id]

    def validators(self, page: Page) -> tuple[str, datetime]:
        """ETag and Last-Modified from what the page shows and its dates only, so stable across restarts."""
        digest = self.body_digest(page)
        day = page.published or _NO_DATE
        if self.snapshot == 2:
            before = get_site(1, self.template)
            old = before.page(page.id)
            if old is not None and before.body_digest(old) != digest:  # changed since snapshot 1
                day = max(day, _EDIT_DATE) + timedelta(days=int(digest[:2], 16) % 28)
        return f'"{digest[:20]}"', datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)

    def _detail(self, page: Page, host_base: str) -> Response:
        html = self._html(page, host_base)
        etag, when = self.validators(page)
        headers = {"Content-Type": f"text/html; charset={page.encoding}", "ETag": etag,
                   "Last-Modified": format_datetime(when, usegmt=True)}
        return Response(200, headers, html.encode(page.encoding, errors="xmlcharrefreplace"))

    def _listing(self, params: dict[str, str], host_base: str) -> Response:
        lst = render.chrome()["listing"]
        size, cur_n = lst["page_size"], lst["current_size"]
        lists = [(lst["current_param"], lst["current_heading"], self._press[:cur_n]),
                 (lst["archive_param"], lst["archive_heading"], self._press[cur_n:])]
        state = {name: _offset(params.get(name)) for name, _, _ in lists}
        given = {name: params[name] for name, _, _ in lists if name in params}
        views: list[dict[str, Any]] = []
        for name, heading, items in lists:
            start = state[name]
            shown = items[start - 1: start - 1 + size]
            entries = []
            for i, p in enumerate(shown):
                href = p.path if (start + i) % 4 else p.path.rstrip("/")  # trailing slash is optional
                if name == lst["archive_param"]:
                    href = f"{href}&c93={render.EXPANDED}"
                entries.append(render.teaser_view(p, href))
            pager = []
            for n, off in enumerate(range(1, len(items) + 1, size), start=1):
                keep = {k: v for k, v in given.items() if k != name}  # the other list keeps its state
                keep[name] = str(off)
                href = lst["path"] + "".join(f"&{k}={keep[k]}" for k, _, _ in lists if k in keep)
                pager.append({"text": str(n), "href": None if off == start else href})
            views.append({"param": name, "heading": heading, "entries": entries, "pager": pager})
        view = render.listing_view(views[0], views[1], host_base)
        html = render.render_html(self._variant("current"), view)
        return Response(200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"},
                        html.encode("utf-8"))

    def _text(self, text: str, ctype: str) -> Response:
        return Response(200, {"Content-Type": ctype}, text.encode("utf-8"))

    def _not_found(self, host_base: str) -> Response:
        view = render.stub_view("Seite nicht gefunden", "Die angeforderte Seite existiert nicht (mehr).",
                                host_base, "/404")
        html = render.render_html(self._variant("current"), view)
        return Response(404, {"Content-Type": "text/html; charset=utf-8"}, html.encode("utf-8"))

    def robots_txt(self, host_base: str) -> str:
        lines = ["# mirror-only: the real krefeld.de serves no robots.txt; this one is the offline mirror's",
                 "User-agent: *"]
        lines += [f"Disallow: {path}" for path in render.chrome()["robots_disallow"]]
        lines += ["", f"Sitemap: {host_base}/sitemap.xml", ""]
        return "\n".join(lines)

    def sitemap_xml(self, host_base: str) -> str:
        rows = ['<?xml version="1.0" encoding="UTF-8"?>',
                "<!-- mirror-only: the real krefeld.de serves no sitemap.xml -->",
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for p in self._pages:
            _, when = self.validators(p)
            rows.append(f"  <url><loc>{escape(host_base + p.path)}</loc>"
                        f"<lastmod>{when.date().isoformat()}</lastmod></url>")
        rows.append("</urlset>\n")
        return "\n".join(rows)


@lru_cache(maxsize=16)
def get_site(snapshot: int = 1, template: str | None = None) -> Site:
    """A shared, cached Site per (snapshot, template): the YAML is parsed once per process."""
    return Site(snapshot, template)
