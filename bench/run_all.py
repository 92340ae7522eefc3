"""`make bench`: every benchmark at its issue's size, one after another; each prints its figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# (title, script, arguments at the size, arguments of a quick smoke run over the same code paths)
BENCHES = [
    ("parse: our parser vs htmldate and trafilatura on real pages", "parse_bench.py", [], ["--limit", "40"]),
    ("crawl: partner-archive vs Scrapy, 4 loopback hosts", "crawl_bench.py", ["--pages", "5000"],
     ["--pages", "200"]),
    ("archive: synthetic articles", "archive_bench.py", ["--articles", "100000"], ["--articles", "2000"]),
]


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    worst = 0
    for title, script, full, smoke in BENCHES:
        print(f"\n=== {title}\n", flush=True)
        worst = max(worst, subprocess.call([sys.executable, str(HERE / script), *(smoke if quick else full)]))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
