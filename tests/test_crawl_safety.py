"""A crawl as the scheduler runs it: its own process, analysts reading meanwhile, kill -9, a 2nd crawl."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from mirrorconfig import mirror_config

from pipeline.mirror import server

CLI = [sys.executable, "-m", "pipeline"]


def start_crawl(cfg_path: Path, archive: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*CLI, "crawl", "--config", str(cfg_path), "--archive", str(archive),
                             "--progress", "log"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def counts(archive: Path) -> tuple[int, int, int]:
    con = duckdb.connect(str(archive / "archive.duckdb"), read_only=True)
    try:
        row = con.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_versions), "
                          "(SELECT count(*) FROM crawl_runs WHERE finished IS NULL)").fetchone()
        return int(row[0]), int(row[1]), int(row[2])
    finally:
        con.close()


@pytest.fixture()
def slow_mirror(tmp_path: Path):
    """The mirror with a crawl slow enough (rate-limited) to be interrupted or read during."""
    with server.start_in_thread(snapshot=1, port=0) as mirror:
        cfg = mirror_config(tmp_path, mirror.port, rate=15, concurrency=1)
        yield mirror, cfg.path, tmp_path / "archive"


def test_reader_never_locked_out_and_never_sees_a_partial_run(slow_mirror) -> None:
    mirror, cfg_path, archive = slow_mirror
    assert subprocess.run([*CLI, "crawl", "--config", str(cfg_path), "--archive", str(archive)],
                          capture_output=True, timeout=240).returncode == 0
    baseline = counts(archive)
    mirror.set_snapshot(2)
    proc = start_crawl(cfg_path, archive)
    seen, errors = [], []
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        r = subprocess.run([*CLI, "sql", "SELECT count(*) AS n FROM crawl_runs WHERE finished IS NULL",
                            "--archive", str(archive), "--format", "csv"], capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            errors.append(r.stderr)
        else:
            seen.append(r.stdout.splitlines()[-1])
        time.sleep(0.2)
    assert proc.wait(timeout=60) == 0
    assert errors == [], errors[:3]
    assert len(seen) >= 3, "the reader ran during the crawl"
    assert set(seen) == {"0"}, "no unfinished run is ever visible"
    assert counts(archive)[0] > baseline[0], "snapshot 2's new pages arrived after the crawl"


def test_kill_9_leaves_published_archive_intact_and_next_run_completes(slow_mirror) -> None:
    mirror, cfg_path, archive = slow_mirror
    assert subprocess.run([*CLI, "crawl", "--config", str(cfg_path), "--archive", str(archive)],
                          capture_output=True, timeout=240).returncode == 0
    before = counts(archive)
    published = (archive / "archive.duckdb").read_bytes()
    mirror.set_snapshot(2)
    proc = start_crawl(cfg_path, archive)
    time.sleep(2.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert (archive / "archive.duckdb").read_bytes() == published
    assert counts(archive) == before
    r = subprocess.run([*CLI, "crawl", "--config", str(cfg_path), "--archive", str(archive)],
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    con = duckdb.connect(str(archive / "archive.duckdb"), read_only=True)
    dup = con.execute("SELECT count(*) FROM (SELECT canonical_url FROM articles "
                      "GROUP BY 1 HAVING count(*) > 1)").fetchone()[0]
    # a corrected date is a new version with the same text: compare whole records, not text hashes
    dup_versions = con.execute("SELECT count(*) FROM (SELECT article_id, record_hash FROM article_versions "
                               "GROUP BY 1, 2 HAVING count(*) > 1)").fetchone()[0]
    assert dup == 0 and dup_versions == 0


def test_second_crawl_while_one_runs_exits_2(slow_mirror) -> None:
    _, cfg_path, archive = slow_mirror
    first = start_crawl(cfg_path, archive)
    try:
        time.sleep(1.5)
        assert first.poll() is None, "the first crawl is still running"
        r = subprocess.run([*CLI, "crawl", "--config", str(cfg_path), "--archive", str(archive)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2
        assert "lock" in r.stderr.lower() or "running" in r.stderr.lower()
        assert r.stderr.strip().count("\n") == 0
    finally:
        first.kill()
        first.wait()


def test_first_crawl_killed_then_next_run_reaches_the_whole_site(slow_mirror) -> None:
    from test_crawl import truth

    _, cfg_path, archive = slow_mirror
    proc = start_crawl(cfg_path, archive)
    time.sleep(3.0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    r = subprocess.run([*CLI, "crawl", "--config", str(cfg_path), "--archive", str(archive)],
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    con = duckdb.connect(str(archive / "archive.duckdb"), read_only=True)
    paths = [u.split("/", 3)[-1] for (u,) in con.execute(
        "SELECT canonical_url FROM articles WHERE kind = 'press_release'").fetchall()]
    expected = [p.lstrip("/") for p, rec in truth(1).items() if rec["kind"] == "press_release"]
    assert sorted(paths) == sorted(expected), "every press release once, none lost with the killed run"
    statuses = [s for (s,) in con.execute("SELECT status FROM crawl_runs ORDER BY id").fetchall()]
    assert statuses == ["aborted", "ok"]
