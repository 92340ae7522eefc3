"""`make demo`: serve the offline mirror on loopback, crawl it into archive/demo/, show a summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import config, crawl, query
from .errors import PipelineError
from .mirror import server

DEMO_CONFIG = Path(__file__).resolve().parent.parent / "sources.demo.yaml"
EXAMPLE_SQL = (
    "SELECT p AS partner_city, count(*) AS articles, min(published) AS first, max(published) AS last "
    "FROM (SELECT unnest(partner_cities) AS p, published FROM articles WHERE kind = 'press_release') "
    "GROUP BY p ORDER BY articles DESC, p"
)


def demo_config(path: Path, port: int) -> config.Config:
    """The demo configuration, moved to another port when 8765 is taken."""
    cfg = config.load(path)
    if port != 8765:
        for s in cfg.sources:
            s.start_urls = [u.replace(":8765", f":{port}") for u in s.start_urls]
            s.allowed_hosts = [h.replace(":8765", f":{port}") for h in s.allowed_hosts]
            s.canonical_host = (s.canonical_host or "").replace(":8765", f":{port}") or None
    return cfg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.demo", description=__doc__)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--archive", default="archive/demo")
    ap.add_argument("--config", default=str(DEMO_CONFIG))
    args = ap.parse_args(argv)
    archive = Path(args.archive)
    try:
        cfg = demo_config(Path(args.config), args.port)
        try:
            mirror = server.start_in_thread(snapshot=1, port=args.port)
        except OSError as e:
            print(f"demo: cannot serve the mirror on 127.0.0.1:{args.port}: {e} (try PORT=8766 make demo)",
                  file=sys.stderr)
            return 2
        with mirror:
            print(f"Offline mirror of krefeld.de serving on {mirror.base_url}")
            code = crawl.run(cfg, archive)
        print(f"\nArchive: {archive / 'archive.duckdb'}  (WARC captures in {archive / 'warc'})")
        print(f"\nExample query — partner cities in the press releases:\n  {EXAMPLE_SQL}\n")
        query.run_sql(archive, EXAMPLE_SQL, "table", sys.stdout)
        print(f"\nTry: .venv/bin/partner-archive search Städtepartnerschaften --archive {archive}")
        return code
    except PipelineError as e:
        print(f"demo: {e}", file=sys.stderr)
        return e.exit_code

if __name__ == "__main__":
    sys.exit(main())
