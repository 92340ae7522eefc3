"""Side-by-side benchmark: our parser vs htmldate (dates) and trafilatura (main text), same process per round.

    .venv/bin/python bench/parse_bench.py [--bench DIR] [--only dates|text] [--limit N] [--rounds R]

Scores with the method of the bench folder's score.py (exact day for dates; segment precision/recall/F1
for text) and prints pages per second for each contender, all measured in the same run. "ours" is the
full parse() (with the image, people, contact and city extractors: what `partner-archive parse --jsonl`
does) and is THE headline figure; "ours core" skips those extractors and is shown for information only.
The contenders take turns of 20 pages each, in rotating order, so that a drift of the machine's speed
(several per cent within a minute on this machine) falls on all alike instead of on whoever ran during it.
The whole comparison runs in R fresh processes (default 3); the last lines give the median ratio of each set
with every round's.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib.util
import json
import logging
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.parse import parse  # noqa: E402

logger = logging.getLogger(__name__)


def load_scorer(bench: Path) -> ModuleType | None:
    path = bench / "score.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("bench_score", path)
    if spec is None or spec.loader is None:
        return None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _norm(scorer: ModuleType | None) -> Callable[[str | None], str]:
    if scorer is not None and hasattr(scorer, "norm"):
        return scorer.norm
    import unicodedata

    return lambda s: " ".join(unicodedata.normalize("NFC", s or "").split())


def load_set(bench: Path, kind: str, limit: int | None) -> list[tuple[dict[str, Any], bytes]]:
    folder = bench / f"{kind}-de"
    rows = [json.loads(line) for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    rows = rows[:limit] if limit else rows
    return [(g, gzip.decompress((folder / g["file"]).read_bytes())) for g in rows]


Items = list[tuple[dict[str, Any], bytes]]


class Timing:
    """Wall-clock and CPU seconds of one contender's run (CPU time is robust to a busy machine)."""

    def __init__(self, wall: float, cpu: float) -> None:
        self.wall, self.cpu = wall, cpu


def side_by_side(items: Items, contenders: list[tuple[str, Callable[[bytes, str], Any]]],
                 turn: int = 20) -> dict[str, tuple[list[Any], Timing]]:
    """Each contender's answers and times over the items, all run in turns of `turn` pages, the order of the
    contenders rotating from turn to turn: a drift in the machine's speed (several per cent within a minute
    here) and the cost of growing a fresh process's heap fall on all of them alike. One untimed warm-up call
    each first (every contender loads its word lists and caches once per process, ~0.2 s for ours: a
    throughput figure should not charge that to N pages)."""
    outs: dict[str, list[Any]] = {name: [] for name, _ in contenders}
    wall = dict.fromkeys(outs, 0.0)
    cpu = dict.fromkeys(outs, 0.0)
    for _, fn in contenders:
        if items:
            with contextlib.suppress(Exception):  # a crash is counted in the timed run below
                fn(items[0][1], items[0][0]["url"])
    for k, first in enumerate(range(0, len(items), turn)):
        part = items[first:first + turn]
        shift = k % len(contenders)
        for name, fn in contenders[shift:] + contenders[:shift]:
            out = outs[name]
            start, used = time.perf_counter(), time.process_time()
            for g, html in part:
                try:
                    out.append(fn(html, g["url"]))
                except Exception as e:  # noqa: BLE001 - a contender's crash counts as a wrong answer
                    logger.debug("%s failed on %s: %s", name, g["url"], e)
                    out.append(None)
            wall[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - used
    return {name: (outs[name], Timing(wall[name], cpu[name])) for name in outs}


def score_dates(items: list[tuple[dict[str, Any], bytes]], preds: list[str | None]) -> float:
    right = sum((p or "")[:10] == g["date"] for (g, _), p in zip(items, preds, strict=True))
    return right / len(items)


def score_text(items: list[tuple[dict[str, Any], bytes]], preds: list[str | None],
               norm: Callable[[str | None], str]) -> tuple[float, float, float]:
    tp = fn = fp = 0
    for (g, _), text in zip(items, preds, strict=True):
        t = norm(text or "")
        for seg in g["with"]:
            if norm(seg) in t:
                tp += 1
            else:
                fn += 1
        fp += sum(norm(seg) in t for seg in g["without"])
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def warm_ours() -> float:
    """Load our gazetteers and word lists (once per process; lazily on first use otherwise): CPU seconds."""
    from pipeline.data import given_names, lexicon, vocabulary

    cpu = time.process_time()
    given_names()
    vocabulary("de")
    vocabulary("en")
    for section in ("people", "images", "contacts", "cities"):
        lexicon(section)
    return time.process_time() - cpu


def ours_date(html: bytes, url: str) -> str | None:
    return parse(html, url).published


def ours_text(html: bytes, url: str) -> str:
    return parse(html, url).text


def core_date(html: bytes, url: str) -> str | None:
    return parse(html, url, entities=False).published


def core_text(html: bytes, url: str) -> str:
    return parse(html, url, entities=False).text


def _line(name: str, n: int, t: Timing, figures: str) -> str:
    return (f"  {name:<12} {figures}   {n} pages in {t.wall:.2f} s = {n / t.wall:.0f} pages/s"
            f" (CPU {t.cpu:.2f} s = {n / t.cpu:.0f} pages/s)")


def _ratio(what: str, ours: Timing, core: Timing, theirs: Timing) -> str:
    return (f"  HEADLINE full parse vs {what}: {theirs.cpu / ours.cpu:.1f}x the pages/s by CPU time, "
            f"{theirs.wall / ours.wall:.1f}x by wall time\n"
            f"  (core only, without the entity extractors: CPU {theirs.cpu / core.cpu:.1f}x, "
            f"wall {theirs.wall / core.wall:.1f}x)")


RATIOS: dict[str, float] = {}  # per set: the headline, rival's CPU time over our full parse's


Contender = Callable[[bytes, str], Any]


def _compare(items: Items, ours: Contender, core: Contender, rival_name: str, rival: Contender | None,
             figures: Callable[[list[Any]], str], what: str) -> None:
    """Our full and core parse beside the rival, side by side; each line with its answers' `figures`."""
    contenders: list[tuple[str, Contender]] = [("ours", ours), ("core", core)]
    if rival is not None:
        contenders.append(("rival", rival))
    runs = side_by_side(items, contenders)
    for name, label in (("ours", "ours (full)"), ("core", "ours core"), ("rival", rival_name)):
        if name in runs:
            preds, t = runs[name]
            print(_line(label, len(items), t, figures(preds)))
    if rival is None:
        print(f"  {rival_name:<12} not installed (.venv/bin/pip install {rival_name})")
        return
    print(_ratio(rival_name, runs["ours"][1], runs["core"][1], runs["rival"][1]))
    RATIOS[f"{what} vs {rival_name}"] = runs["rival"][1].cpu / runs["ours"][1].cpu


def bench_dates(items: Items) -> None:
    print(f"dates-de ({len(items)} pages, exact day)")
    rival: Contender | None = None
    try:
        from htmldate import find_date

        def rival(html: bytes, url: str) -> str | None:
            return find_date(html, url=url, original_date=True, extensive_search=True)
    except ImportError:
        pass
    _compare(items, ours_date, core_date, "htmldate", rival,
             lambda preds: f"accuracy {score_dates(items, preds):.3f}", "dates-de")


def bench_text(items: Items, norm: Callable[[str | None], str]) -> None:
    print(f"text-de ({len(items)} pages, segment precision/recall/F1)")
    rival: Contender | None = None
    try:
        import trafilatura

        def rival(html: bytes, url: str) -> str:
            return trafilatura.extract(html, url=url) or ""
    except ImportError:
        pass

    def figures(preds: list[Any]) -> str:
        p, r, f = score_text(items, preds, norm)
        return f"P {p:.3f} R {r:.3f} F1 {f:.3f}"

    _compare(items, ours_text, core_text, "trafilatura", rival, figures, "text-de")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", default=str(REPO.parent / "shared" / "bench"),
                    help="the bench folder with dates-de/ and text-de/ (default: ../shared/bench)")
    ap.add_argument("--only", choices=["dates", "text"], help="run one set only")
    ap.add_argument("--limit", type=int, help="first N pages of each set (quick runs)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds, each in a fresh process; the headline is the median ratio (default 3)")
    args = ap.parse_args(argv)
    if args.rounds > 1:
        return _rounds(args)
    logging.basicConfig(level=logging.ERROR)
    bench = Path(args.bench)
    if not (bench / "dates-de").is_dir() and not (bench / "text-de").is_dir():
        print(f"parse_bench: {bench}: no dates-de/ or text-de/ folder here", file=sys.stderr)
        return 2
    norm = _norm(load_scorer(bench))
    from pipeline.compiled import parser_is_compiled

    build = "compiled by Cython (setup.py, `make build`)" if parser_is_compiled() else \
        "plain Python source (not compiled, or PARTNER_ARCHIVE_PURE=1)"
    print(f"(our parser: {build})")
    print(f"(our word lists loaded once before timing: {warm_ours():.2f} s CPU, paid once per process)")
    if args.only in (None, "dates") and (bench / "dates-de").is_dir():
        bench_dates(load_set(bench, "dates", args.limit))
    if args.only in (None, "text") and (bench / "text-de").is_dir():
        bench_text(load_set(bench, "text", args.limit), norm)
    print("RATIOS " + json.dumps(RATIOS))
    return 0


def _rounds(args: argparse.Namespace) -> int:
    """Run the bench `args.rounds` times, each in a fresh process, and give the median of each headline."""
    base = [sys.executable, __file__, "--bench", args.bench, "--rounds", "1"]
    base += ["--only", args.only] if args.only else []
    base += ["--limit", str(args.limit)] if args.limit else []
    found: dict[str, list[float]] = {}
    for r in range(args.rounds):
        print(f"== round {r + 1} of {args.rounds}", flush=True)
        done = subprocess.run(base, capture_output=True, text=True, check=False)
        for line in done.stdout.splitlines():
            if line.startswith("RATIOS "):
                for k, v in json.loads(line[7:]).items():
                    found.setdefault(k, []).append(v)
            else:
                print(line)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return done.returncode
    for k, vals in found.items():
        shown = ", ".join(f"{v:.2f}x" for v in vals)
        print(f"MEDIAN of {len(vals)} rounds, full parse {k}, by CPU time: "
              f"{statistics.median(vals):.2f}x ({shown})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
