"""The run report: what one crawl run found new, changed and gone, as reports/run-<id>.md and .json."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from .exporters.common import german_date, iso, sorted_cities
from .exporters.markdown import md_escape
from .exporters.records import (
    ID_IN,
    Filters,
    RunChanges,
    columns,
    ids_param,
    run_changes,
    select_articles,
)

log = logging.getLogger(__name__)

_COUNTS = ("pages_fetched", "pages_new", "pages_changed", "pages_unchanged", "pages_gone", "pages_failed")
# A mail should stay readable: long lists are cut, the JSON keeps everything.
_MD_LIST_MAX = 200


# the columns a report lists (not the texts: a first run reports every article as new)
_ITEM_COLS = ("id", "title", "canonical_url", "url", "kind", "published", "partner_cities", "version",
              "gone_since")
_COMPARED = ("title", "subtitle", "published", "lead", "text", "partner_cities", "people", "images")


def _differences(con: duckdb.DuckDBPyConnection, ids: list[Any]) -> dict[Any, tuple[str | None, list[str]]]:
    """For each changed article: its previous title and which fields differ from the previous version."""
    cols = [c for c in _COMPARED if c in columns(con, "article_versions")]
    if not ids or "title" not in cols:
        return {}
    diffs = ", ".join(f"p.{c} IS DISTINCT FROM v.{c}" for c in cols)
    rows = con.execute(
        f"SELECT v.article_id, p.title, {diffs} FROM articles a "
        "JOIN article_versions v ON v.article_id = a.id AND v.version = a.version "
        "JOIN article_versions p ON p.article_id = a.id AND p.version = a.version - 1 "
        f"WHERE {ID_IN.format(col='a.id')}", [ids_param(ids)]).fetchall()
    return {r[0]: (r[1], [c for c, differs in zip(cols, r[2:], strict=True) if differs]) for r in rows}


def _items(con: duckdb.DuckDBPyConnection, ids: list[Any]) -> list[dict[str, Any]]:
    if not ids:
        return []
    recs = select_articles(con, Filters(ids=set(ids), skip_duplicates=False), cols=_ITEM_COLS)
    return [{"id": r["id"], "title": r.get("title"), "url": r.get("canonical_url") or r.get("url"),
             "kind": r.get("kind"), "published": iso(r.get("published")),
             "partner_cities": sorted_cities(list(r.get("partner_cities") or [])),
             "version": r.get("version"), "gone_since": iso(r.get("gone_since"))} for r in recs]


def build_report(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, Any]:
    """The report as plain data (also the .json file's content)."""
    ch: RunChanges = run_changes(con, run_id)
    run = ch.run
    changed = _items(con, ch.changed)
    diffs = _differences(con, ch.changed)
    for item in changed:
        old, fields = diffs.get(item["id"], (None, []))
        item["previous_title"] = old if old is not None and old != item["title"] else None
        item["changed_fields"] = fields
    return {
        "run": {
            "id": run["id"], "started": iso(run.get("started")), "finished": iso(run.get("finished")),
            "status": run.get("status"), "sources": list(run.get("sources") or []),
            "counts": {k.removeprefix("pages_"): int(run.get(k) or 0) for k in _COUNTS if k in run},
        },
        "new": _items(con, ch.new),
        "changed": changed,
        "gone": _items(con, ch.gone),
        "failed_urls": list(run.get("failed_urls") or []),
    }


def _md_line(item: dict[str, Any], extra: str = "") -> str:
    date = german_date(item["published"]) if item.get("published") else "undated"
    cities = f" ({md_escape(', '.join(item['partner_cities']))})" if item.get("partner_cities") else ""
    title = md_escape(item.get("title") or "(untitled)")
    return f"- {date} — {title} — <{item['url']}>{cities}{extra}"


def _md_section(title: str, items: list[dict[str, Any]], line: Any = _md_line) -> list[str]:
    out = [f"## {title} ({len(items)})", ""]
    if not items:
        return [*out, "none", ""]
    out += [line(i) for i in items[:_MD_LIST_MAX]]
    if len(items) > _MD_LIST_MAX:
        out.append(f"- … and {len(items) - _MD_LIST_MAX} more (see the .json report)")
    return [*out, ""]


def render_markdown(rep: dict[str, Any]) -> str:
    run = rep["run"]
    when = run["started"][:16].replace("T", " ") if run["started"] else "?"
    lines = [f"# Crawl run {run['id']} — {when} UTC ({run['status']})", ""]
    if run["counts"]:
        lines += [" · ".join(f"{k} {v}" for k, v in run["counts"].items()), ""]

    def changed_line(i: dict[str, Any]) -> str:
        what = f" ({', '.join(i['changed_fields'])})" if i.get("changed_fields") else ""
        was = f"; title was “{md_escape(i['previous_title'])}”" if i.get("previous_title") else ""
        return _md_line(i, f" — version {i['version']}{what}{was}")

    def gone_line(i: dict[str, Any]) -> str:
        return _md_line(i, f" — gone since {german_date(i['gone_since'])}" if i.get("gone_since") else "")

    lines += _md_section("New", rep["new"])
    lines += _md_section("Changed", rep["changed"], changed_line)
    lines += _md_section("Gone", rep["gone"], gone_line)
    if rep["failed_urls"]:
        lines += [f"## Failed pages ({len(rep['failed_urls'])})", ""]
        lines += [f"- <{u}>" for u in rep["failed_urls"][:_MD_LIST_MAX]]
        lines.append("")
    return "\n".join(lines)


def _write_atomic(path: Path, data: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_run_report(con: duckdb.DuckDBPyConnection, run_id: int, reports_dir: Path) -> tuple[Path, Path]:
    """Write reports/run-<id>.md and run-<id>.json for one finished run; returns both paths."""
    rep = build_report(con, run_id)
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    md_path, json_path = reports_dir / f"run-{run_id}.md", reports_dir / f"run-{run_id}.json"
    _write_atomic(json_path, json.dumps(rep, ensure_ascii=False, indent=2, default=str) + "\n")
    _write_atomic(md_path, render_markdown(rep))
    log.info("run report: %s (%d new, %d changed, %d gone)", md_path, len(rep["new"]), len(rep["changed"]),
             len(rep["gone"]))
    return md_path, json_path
