"""The `parse` command: saved HTML (one file, or a JSON Lines list of files) → records as JSON on stdout."""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .config import Source
from .errors import UsageError

logger = logging.getLogger(__name__)

PARALLEL_MIN = 64  # below this many pages a process pool costs more than it saves


def read_body(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip (by name or by magic number)."""
    data = path.read_bytes()
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise UsageError(f"{path}: not a valid gzip file: {e}") from None
    return data


def _source(args: argparse.Namespace) -> Source | None:
    name = getattr(args, "source", None)
    if not name:
        return None
    from . import config

    return config.load(getattr(args, "config", None) or "sources.yaml").source(name)


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)


def parse_file(path: Path, url: str, source: Source | None = None) -> dict[str, Any]:
    from .parse import parse

    return parse(read_body(path), url, source=source).to_dict()


def read_list(list_path: Path) -> list[tuple[Path, str]]:
    """The (file, url) pairs of a JSON Lines list; any bad line is a UsageError naming it."""
    try:
        lines = list_path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UsageError(f"{list_path}: list file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{list_path}: cannot read list: {e}") from None
    folder = list_path.parent
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise UsageError(f"{list_path}:{n}: not valid JSON: {e.msg}") from None
        if not isinstance(obj, dict) or not all(isinstance(obj.get(k), str) for k in ("file", "url")):
            raise UsageError(f"{list_path}:{n}: expected an object with string fields 'file' and 'url'")
        items.append((folder / obj["file"], obj["url"]))
    return items


def _one(item: tuple[Path, str, Source | None]) -> tuple[str, bool]:
    path, url, source = item
    try:
        return _dump(parse_file(path, url, source)), True
    except FileNotFoundError:
        return _dump({"url": url, "file": str(path), "error": f"{path}: file not found"}), False
    except (OSError, UsageError) as e:
        return _dump({"url": url, "file": str(path), "error": str(e)}), False
    except Exception as e:  # noqa: BLE001 - one bad page must not end the batch
        logger.exception("cannot parse %s", path)
        return _dump({"url": url, "file": str(path), "error": f"{type(e).__name__}: {e}"}), False


def _results(jobs: list[tuple[Path, str, Source | None]]) -> Iterator[tuple[str, bool]]:
    workers = min(2, os.cpu_count() or 1)
    if len(jobs) < PARALLEL_MIN or workers < 2:
        yield from map(_one, jobs)
        return
    import multiprocessing

    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ctx.Pool(workers) as pool:
        yield from pool.imap(_one, jobs, chunksize=8)  # imap keeps the list's order


def run_list(list_path: Path, source: Source | None, out: IO[str]) -> int:
    jobs = [(p, u, source) for p, u in read_list(list_path)]
    failed = 0
    for line, ok in _results(jobs):
        out.write(line + "\n")
        failed += not ok
    out.flush()
    if failed:
        print(f"partner-archive parse: {failed} of {len(jobs)} pages could not be parsed", file=sys.stderr)
    return 1 if failed else 0


def run(args: argparse.Namespace, out: IO[str] | None = None) -> int:
    out = out or sys.stdout
    source = _source(args)
    if getattr(args, "jsonl", None):
        if getattr(args, "file", None):
            raise UsageError("give either FILE --url URL or --jsonl LIST, not both")
        return run_list(Path(args.jsonl), source, out)
    if not getattr(args, "file", None):
        raise UsageError("missing FILE (or --jsonl LIST)")
    if not getattr(args, "url", None):
        raise UsageError(f"{args.file}: --url is required (the URL the file was fetched from)")
    path = Path(args.file)
    try:
        record = parse_file(path, args.url, source)
    except FileNotFoundError:
        raise UsageError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a file") from None
    except OSError as e:
        raise UsageError(f"{path}: cannot read: {e.strerror or e}") from None
    out.write(_dump(record) + "\n")
    out.flush()
    return 0
