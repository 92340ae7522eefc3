"""The reporters' article list: filter the published archive and write it as csv/xlsx/json/jsonl/md/html."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from .errors import ArchiveError, UsageError
from .exporters import BINARY_FORMATS, FORMATS, TEXT_FORMATS
from .exporters.common import PARTNERS, fold, german_key, resolve_partner
from .exporters.records import Filters, last_finished_run, load_records, run_changes, select_articles

log = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class ExportOptions:
    """Validated export filters; build with `from_args` so bad input fails before anything is read."""

    format: str
    partner: str | None = None
    since: date | None = None
    until: date | None = None
    person: str | None = None
    query: str | None = None
    source: str | None = None
    new: bool = False
    output: Path | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ExportOptions:
        fmt = args.format
        if fmt not in FORMATS:
            raise UsageError(f"--format: unknown format '{fmt}' (one of {', '.join(FORMATS)})")
        output = Path(args.output) if getattr(args, "output", None) else None
        if fmt in BINARY_FORMATS and output is None:
            raise UsageError(f"--format {fmt} writes a binary file: give the file with -o FILE")
        since, until = parse_date("--since", args.since), parse_date("--until", args.until)
        if since and until and since > until:
            raise UsageError(f"--since {since} is after --until {until}: no date can match")
        partner = None
        if getattr(args, "partner", None):
            partner = resolve_partner(args.partner)
            if partner is None:
                names = ", ".join(sorted(PARTNERS, key=german_key))
                raise UsageError(f"--partner: unknown partner city '{args.partner}'; valid names: {names}")
        person = _blank_to_none(getattr(args, "person", None))
        query = _blank_to_none(getattr(args, "query", None))
        for option, value in (("--person", person), ("--query", query)):
            if value is not None and not _tokens(value):
                raise UsageError(f"{option}: '{value}' holds no word to look for")
        return cls(format=fmt, partner=partner, since=since, until=until, person=person, query=query,
                   source=_blank_to_none(getattr(args, "source", None)),
                   new=bool(getattr(args, "new", False)), output=output)

    def describe(self) -> str:
        parts = []
        if self.partner:
            parts.append(f"partner {self.partner}")
        if self.since:
            parts.append(f"since {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        if self.person:
            parts.append(f"person “{self.person}”")
        if self.query:
            parts.append(f"matching “{self.query}”")
        if self.source:
            parts.append(f"source {self.source}")
        if self.new:
            parts.append("new or changed in the last run")
        return "Krefeld partnership articles" + (f" — {', '.join(parts)}" if parts else "")


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def parse_date(option: str, value: str | None) -> date | None:
    """A strict YYYY-MM-DD date; '2024-02-30' or '15.11.2024' is a usage error naming the option."""
    if value is None:
        return None
    if not _ISO_DATE.fullmatch(value.strip()):
        raise UsageError(f"{option}: '{value}' is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as e:
        raise UsageError(f"{option}: '{value}' is not a valid date ({e})") from None


# ---- reading ----

def open_archive(archive_dir: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published archive (query.open_reader once the store offers it)."""
    try:
        from .query import open_reader
    except ImportError:
        open_reader = None
    if open_reader is not None:
        return open_reader(archive_dir)
    path = Path(archive_dir) / "archive.duckdb"
    if not path.is_file():
        raise ArchiveError(f"no archive at {path} (run 'partner-archive crawl' first)")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:
        raise ArchiveError(f"cannot open {path}: {str(e).splitlines()[0]}") from None


def _query_ids(con: duckdb.DuckDBPyConnection, words: str) -> set[Any] | None:
    """Ids the full-text index matches, or None when there is no index to ask."""
    try:
        from .search import has_index, matching_ids
    except ImportError:
        return None
    if not has_index(con):
        return None
    return set(matching_ids(con, words))


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def _names_person(rec: dict[str, Any], wanted: list[str]) -> bool:
    # every word of the query is a word of one person's name: "Meyer" and "frank meyer" find "Frank Meyer"
    return any(set(wanted) <= set(_tokens(p.get("name") or "")) for p in rec["people"])


def _mentions(rec: dict[str, Any], words: list[str]) -> bool:
    hay = fold(" ".join(str(rec.get(k) or "") for k in ("title", "subtitle", "lead", "text")))
    return all(w in hay for w in words)


def newest_first(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By published (undated last), then first_seen, both newest first; equal ones by title, German order."""
    records.sort(key=lambda r: german_key(r.get("title")))
    records.sort(key=lambda r: (r.get("first_seen") is not None, r.get("first_seen") or datetime.min),
                 reverse=True)
    records.sort(key=lambda r: (r.get("published") is not None, r.get("published") or date.min), reverse=True)
    return records


def select_records(con: duckdb.DuckDBPyConnection, opts: ExportOptions) -> list[dict[str, Any]]:
    """The full records matching every filter in `opts`, newest first."""
    f = Filters(partner=opts.partner, since=opts.since, until=opts.until, source=opts.source)
    if opts.source:
        known = [r[0] for r in con.execute("SELECT DISTINCT source FROM articles ORDER BY 1").fetchall()]
        if opts.source not in known:
            raise UsageError(f"--source: no articles of source '{opts.source}' in the archive "
                             f"(sources: {', '.join(known) or 'none'})")
    if opts.new:
        run_id = last_finished_run(con)
        if run_id is None:
            log.warning("the archive has no finished crawl run: nothing is new")
            return []
        ch = run_changes(con, run_id)
        f.ids = set(ch.new) | set(ch.changed)
    text_fallback: list[str] = []
    if opts.query:
        ids = _query_ids(con, opts.query)
        if ids is None:
            text_fallback = _tokens(opts.query)
        else:
            f.ids = ids if f.ids is None else f.ids & ids
    records = load_records(con, select_articles(con, f))
    if text_fallback:
        records = [r for r in records if _mentions(r, text_fallback)]
    if opts.person:
        wanted = _tokens(opts.person)
        records = [r for r in records if _names_person(r, wanted)]
    return newest_first(records)


# ---- writing ----

def _temp_beside(target: Path) -> tuple[int, Path]:
    """An empty temp file in the target's folder, so the final os.replace is atomic."""
    if target.is_dir():
        raise UsageError(f"-o {target}: is a folder, not a file")
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"-o {target}: the folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as e:
        raise UsageError(f"-o {target}: cannot write there ({e.strerror or e})") from None
    return fd, Path(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_output(opts: ExportOptions, records: list[dict[str, Any]], meta: dict[str, Any],
                 fd_tmp: tuple[int, Path] | None) -> None:
    if fd_tmp is None:  # text format to stdout
        data = TEXT_FORMATS[opts.format](records, meta)
        sys.stdout.flush()
        buf = getattr(sys.stdout, "buffer", None)
        if buf is not None:
            buf.write(data)
            buf.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
        return
    assert opts.output is not None
    fd, tmp = fd_tmp
    try:
        with os.fdopen(fd, "wb") as fh:
            if opts.format in BINARY_FORMATS:
                BINARY_FORMATS[opts.format](records, meta, fh)
            else:
                fh.write(TEXT_FORMATS[opts.format](records, meta))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; an export is meant to be shared
        os.replace(tmp, opts.output)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def run_export(archive_dir: Path, args: argparse.Namespace) -> int:
    """The `export` command: validate, read the published archive, write the chosen format."""
    opts = ExportOptions.from_args(args)
    # claim the output first: an unwritable path fails before any work, and nothing is left behind
    fd_tmp = _temp_beside(opts.output) if opts.output else None
    try:
        con = open_archive(archive_dir)
        try:
            records = select_records(con, opts)
        finally:
            con.close()
    except BaseException:
        if fd_tmp:
            os.close(fd_tmp[0])
            fd_tmp[1].unlink(missing_ok=True)
        raise
    meta = {"title": opts.describe(), "generated": datetime.now(), "archive": str(archive_dir)}
    write_output(opts, records, meta, fd_tmp)
    if opts.output:
        print(f"{len(records)} articles written to {opts.output}", file=sys.stderr)
    return 0
