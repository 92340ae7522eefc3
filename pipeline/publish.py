"""Atomic publication of the read-only copy analysts open: copy beside it, fsync, rename over it.

DuckDB lets one process hold a database file, and while a crawler writes, nobody else could open
it. So analysts never open the crawler's file: they open `archive.duckdb`, a finished copy that is
replaced in one rename. A reader that has the old copy open keeps reading the old inode; a reader
that opens afterwards gets the new one; nobody sees a half-written file, even after a kill -9.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

TMP_PREFIX = ".publish-"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean_stale(folder: Path) -> None:
    """Remove temp copies a killed publisher left behind (they are never the published file)."""
    for p in folder.glob(f"{TMP_PREFIX}*"):
        try:
            p.unlink()
        except OSError as e:
            log.warning("cannot remove stale %s: %s", p, e)


def publish_copy(src: Path, dest: Path) -> Path:
    """Copy the checkpointed database `src` to `dest` atomically (same folder temp file + os.replace)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f"{TMP_PREFIX}{os.getpid()}-{dest.name}"
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout, length=8 * 1024 * 1024)
            fout.flush()
            os.fsync(fout.fileno())
        os.chmod(tmp, 0o444)  # the published copy is for reading; a writer must not open it by mistake
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    finally:
        if tmp.exists():
            tmp.unlink()
    log.info("published %s (%d bytes)", dest, dest.stat().st_size)
    return dest
