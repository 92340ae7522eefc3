"""The commands of CONTRACT.md: each parses its options and calls one or two library functions."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import PipelineError, UsageError

Handler = Callable[[argparse.Namespace], int]


def _not_built(what: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        raise UsageError(f"'{what}' is not built yet")

    return run


# ---- command handlers (each a few lines; the work is in the library) ----

def cmd_crawl(args: argparse.Namespace) -> int:
    from . import config, crawl

    cfg = config.load(args.config)
    return crawl.run(cfg, Path(args.archive), sources=args.source, progress=args.progress)


def cmd_parse(args: argparse.Namespace) -> int:
    from . import parse_cli

    return parse_cli.run(args)


def cmd_reparse(args: argparse.Namespace) -> int:
    from . import config, crawl

    return crawl.reparse(config.load(args.config), Path(args.archive))


def cmd_sql(args: argparse.Namespace) -> int:
    from . import query

    return query.run_sql(Path(args.archive), args.query, args.format, sys.stdout)


def cmd_search(args: argparse.Namespace) -> int:
    from . import search

    return search.run_search(Path(args.archive), args.words, args.limit, sys.stdout)


def cmd_export(args: argparse.Namespace) -> int:
    from . import export

    return export.run_export(Path(args.archive), args)


def cmd_runs(args: argparse.Namespace) -> int:
    from . import query

    return query.run_runs(Path(args.archive), args.limit, sys.stdout)


def cmd_demo_site(args: argparse.Namespace) -> int:
    from .mirror import server

    return server.serve(port=args.port, snapshot=args.snapshot, host=args.host)


# ---- argument parsing ----

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default="sources.yaml", help="the sources file (default: sources.yaml)")
    common.add_argument("--archive", default="archive/", help="the archive folder (default: archive/)")
    common.add_argument("-v", "--verbose", action="store_true", help="log more")

    p = argparse.ArgumentParser(
        prog="partner-archive",
        description="Scrape and archive the City of Krefeld's town-twinning pages and press releases.",
        epilog="Exit status: 0 success; 1 run finished but some pages failed; 2 bad usage, config or input.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    c = sub.add_parser("crawl", parents=[common], help="one crawl run: fetch, capture, parse, dedup, store")
    c.add_argument("--source", action="append", metavar="NAME", help="crawl only this source (repeatable)")
    c.add_argument("--progress", choices=["auto", "bar", "log"], default="auto",
                   help="progress bar on a terminal (auto), always a bar, or plain log lines")
    c.set_defaults(func=cmd_crawl)

    c = sub.add_parser("parse", parents=[common], help="parse saved HTML and print the record as JSON")
    c.add_argument("file", nargs="?", help="a saved HTML file (.gz allowed)")
    c.add_argument("--url", help="the URL the file was fetched from")
    c.add_argument("--source", metavar="NAME", help="use this source's hosts and parser hints")
    c.add_argument("--jsonl", metavar="LIST", help='JSON Lines of {"file", "url"}; one record per line')
    c.set_defaults(func=cmd_parse)

    c = sub.add_parser("reparse", parents=[common], help="re-parse the stored captures (no network)")
    c.set_defaults(func=cmd_reparse)

    c = sub.add_parser("sql", parents=[common], help="run read-only SQL against the archive")
    c.add_argument("query", help="one SQL statement")
    c.add_argument("--format", choices=["table", "csv", "json"], default="table")
    c.set_defaults(func=cmd_sql)

    c = sub.add_parser("search", parents=[common], help="full-text search over articles (German stemming)")
    c.add_argument("words", help="the words to look for")
    c.add_argument("--limit", type=int, default=10)
    c.set_defaults(func=cmd_search)

    c = sub.add_parser("export", parents=[common], help="the reporters' article list")
    c.add_argument("--format", required=True, choices=["csv", "xlsx", "json", "jsonl", "md", "html"])
    c.add_argument("--partner", metavar="CITY", help="only articles about this partner city")
    c.add_argument("--since", metavar="DATE", help="published on or after (YYYY-MM-DD)")
    c.add_argument("--until", metavar="DATE", help="published on or before (YYYY-MM-DD)")
    c.add_argument("--person", metavar="NAME", help="only articles naming this person")
    c.add_argument("--query", metavar="WORDS", help="only articles matching this full-text query")
    c.add_argument("--source", metavar="NAME", help="only articles of this source")
    c.add_argument("--new", action="store_true", help="only articles new or changed in the last run")
    c.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout for text formats)")
    c.set_defaults(func=cmd_export)

    c = sub.add_parser("runs", parents=[common], help="the crawl-run history with counts")
    c.add_argument("--limit", type=int, default=20)
    c.set_defaults(func=cmd_runs)

    c = sub.add_parser("demo-site", parents=[common], help="serve the bundled offline mirror on 127.0.0.1")
    c.add_argument("--port", type=int, default=8765)
    c.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    c.add_argument("--snapshot", type=int, choices=[1, 2], default=1,
                   help="1: the site as first crawled; 2: the later state (edited, new, removed pages)")
    c.set_defaults(func=cmd_demo_site)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except PipelineError as e:
        print(f"partner-archive {args.command}: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(f"partner-archive {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
