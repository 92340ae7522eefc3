"""Publication under real processes: readers never hit a lock or a half-finished run; kill -9 is harmless."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from pipeline import publish, query

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent("""
    import sys, time
    from datetime import UTC, datetime
    from pipeline import store
    from pipeline.models import Fetched, Record, RunStats

    folder, delay = sys.argv[1], float(sys.argv[4])
    runs, per_run, first = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[5])
    with store.open_writer(folder) as a:
        for r in range(first, first + runs):
            run = a.begin_run(["krefeld"])
            for i in range(per_run):
                url = f"https://www.krefeld.de/de/inhalt/lauf-{r}-meldung-{i}/"
                text = (f"Meldung {i} aus Lauf {r}: Die Städtepartnerschaft zwischen Krefeld und Venlo "
                        f"wird mit einem Empfang gefeiert. Nummer {r * 1000 + i} unterscheidet die Texte "
                        f"voneinander, damit keine Duplikate entstehen. Kennung {r}-{i}-{r * i}.")
                rec = Record(url=url, canonical_url=url, kind="press_release", title=f"Lauf {r} Nr. {i}",
                             published="2024-11-15", text=text, partner_cities=["Venlo"])
                f = Fetched(url=url, final_url=url, status=200, fetched_at=datetime.now(UTC))
                a.log_fetch(run, f, None)
                a.store(run, "krefeld", rec, f)
                print(f"stored {r} {i}", flush=True)
                time.sleep(delay)
            a.finish_run(run, RunStats(run_id=run, pages_new=per_run, status="ok"))
            a.publish()
            print(f"published {r}", flush=True)
""")

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from pipeline import query, search

    folder, per_run, seconds = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    seen, errors, loops = set(), [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        loops += 1
        try:
            con = query.open_reader(folder)
            n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            open_runs = con.execute("SELECT count(*) FROM crawl_runs WHERE finished IS NULL").fetchone()[0]
            hits = search.matching_ids(con, "Städtepartnerschaften")
            con.close()
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}")
            continue
        seen.add(n)
        if n % per_run or open_runs or len(hits) != n:
            errors.append(f"partial state: {n} articles, {open_runs} open runs, {len(hits)} hits")
    print(json.dumps({"loops": loops, "seen": sorted(seen), "errors": errors[:5], "n_errors": len(errors)}))
""")


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def _writer(folder: Path, runs: int, per_run: int, delay: float, first: int = 1) -> subprocess.Popen[str]:
    args = [str(folder), str(runs), str(per_run), str(delay), str(first)]
    return subprocess.Popen([sys.executable, "-c", WRITER, *args], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_readers_never_see_a_lock_or_a_partial_run(tmp_path: Path) -> None:
    per_run = 4
    first = _writer(tmp_path, 1, per_run, 0.0)
    assert first.wait(60) == 0, first.stderr.read() if first.stderr else ""
    writer = _writer(tmp_path, 5, per_run, 0.05, first=2)
    reader = subprocess.run([sys.executable, "-c", READER, str(tmp_path), str(per_run), "4"], cwd=ROOT,
                            env=_env(), capture_output=True, text=True, timeout=120)
    assert writer.wait(120) == 0, writer.stderr.read() if writer.stderr else ""
    assert reader.returncode == 0, reader.stderr
    result = json.loads(reader.stdout)
    assert result["n_errors"] == 0, result["errors"]
    assert result["loops"] > 10
    assert len(result["seen"]) >= 2, result  # the reader saw several publications go by
    con = query.open_reader(tmp_path)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 6 * per_run
    con.close()


def test_kill_9_mid_run_leaves_the_published_archive_and_the_next_run_completes(tmp_path: Path) -> None:
    per_run = 6
    first = _writer(tmp_path, 1, per_run, 0.0)
    assert first.wait(60) == 0
    published = tmp_path / "archive.duckdb"
    before = published.read_bytes()

    victim = _writer(tmp_path, 1, per_run, 0.3, first=2)
    assert victim.stdout is not None
    stored = 0
    for line in victim.stdout:
        stored += line.startswith("stored")
        if stored == 3:
            break
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(30)
    assert victim.returncode == -signal.SIGKILL

    assert published.read_bytes() == before  # untouched, and valid:
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == per_run
    con.close()
    assert not list(tmp_path.glob(f"{publish.TMP_PREFIX}*"))

    # The next run redoes run 2's pages: the ones the killed run stored are not duplicated.
    again = _writer(tmp_path, 1, per_run, 0.0, first=2)
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    con = query.open_reader(tmp_path)
    total, distinct = con.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone()
    assert total == distinct == 2 * per_run
    assert con.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 2 * per_run
    statuses = con.execute("SELECT list(status ORDER BY id) FROM crawl_runs").fetchone()[0]
    assert statuses == ["ok", "aborted", "ok"]
    con.close()


def test_publish_copy_replaces_atomically(tmp_path: Path) -> None:
    src = tmp_path / "src.duckdb"
    con = duckdb.connect(str(src))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    dest = tmp_path / "pub" / "archive.duckdb"
    dest.parent.mkdir()
    (dest.parent / f"{publish.TMP_PREFIX}123-archive.duckdb").write_bytes(b"half")
    publish.clean_stale(dest.parent)
    publish.publish_copy(src, dest)
    old = dest.stat().st_ino
    reader = duckdb.connect(str(dest), read_only=True)  # a reader holding the old copy keeps it
    publish.publish_copy(src, dest)
    assert dest.stat().st_ino != old
    assert reader.execute("SELECT x FROM t").fetchone() == (1,)
    reader.close()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["archive.duckdb"]
