"""Archive benchmark: bulk ingest, memory, near-duplicate recall/precision and full-text latency.

    .venv/bin/python bench/archive_bench.py [--articles 100000] [--dir /tmp/archive-bench]

Synthetic German press releases (150–900 words), 5 % of them planted near-duplicates of an earlier
article (a few words replaced, one sentence dropped or added) under another URL.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import search, store  # noqa: E402
from pipeline.models import Fetched, Image, Person, Record, RunStats  # noqa: E402
from pipeline.query import open_reader  # noqa: E402

WORDS = """Stadt Krefeld Partnerstadt Städtepartnerschaft Oberbürgermeister Bürgermeisterin Rathaus Empfang
Delegation Besuch Jubiläum Freundschaft Austausch Jugend Schule Verein Kultur Konzert Festival Ausstellung
Geschichte Vertrag Kooperation Zusammenarbeit Wirtschaft Ausschuss Sitzung Rat Verwaltung Bürgerinnen
Bürger Gäste Feier Jahre Europa Niederlande Frankreich England Ukraine Türkei Amerika Brücke Zukunft
Projekt Spende Fahrzeug Hilfe Unterstützung Gemeinschaft Veranstaltung Programm Musik Orchester Kirche
Platz Burg Linn Ratssaal historisch offiziell feierlich gemeinsam grenzüberschreitend europäisch
traditionell jährlich neu alt groß klein wichtig herzlich erfolgreich lebendig intensiv besonders
die der das und mit für auf im den dem ein eine einer zum zur von bei nach über unter vor
wurde werden hat haben ist sind war waren kann können soll sollen will wollen begrüßte betonte erklärte
unterzeichnete überreichte eröffnete besuchte feierte dankte lobte stellte plante organisierte""".split()  # noqa: SIM905
CITIES = ["Venlo", "Leicester", "Dünkirchen", "Leiden", "Charlotte", "Landkreis Oder-Spree", "Kayseri",
          "Kropyvnytskyi", "Uljanowsk"]
PEOPLE = [("Frank Meyer", "Oberbürgermeister"), ("Kerstin Jensen", "Bürgermeisterin"),
          ("Antoin Scholten", "Bürgermeister von Venlo"), ("Karsten Schüller", None), ("Vi Lyles", "Mayor")]


def _rare_pool(size: int = 50_000) -> list[str]:
    # Rare made-up words make texts distinct, as names and topics do in real releases.
    rng = random.Random(1)
    syll = ["ka", "re", "fel", "dor", "li", "na", "ber", "stein", "hof", "mann", "wald", "bach", "au", "ti"]
    return ["".join(rng.choices(syll, k=rng.randint(2, 5))).capitalize() for _ in range(size)]


RARE = _rare_pool()


def make_text(seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    n = int(min(900, max(150, rng.lognormvariate(6.0, 0.45))))
    common, rare = rng.choices(WORDS, k=n), rng.choices(RARE, k=n // 5 + 1)
    words = [rare[i // 5] if i % 5 == 4 else common[i] for i in range(n)]
    sentences, i = [], 0
    while i < n:
        k = rng.randint(8, 20)
        sentences.append(" ".join(words[i:i + k]).capitalize() + ".")
        i += k
    paras = [" ".join(sentences[j:j + 4]) for j in range(0, len(sentences), 4)]
    title = " ".join(rng.choices(WORDS, k=6)).capitalize() + " " + rng.choice(RARE)
    return title, "\n\n".join(paras)


def near_copy(title: str, text: str, rng: random.Random) -> str:
    """Small edits: a few words replaced, and a sentence dropped or added."""
    words = text.split(" ")
    for _ in range(max(1, len(words) // 100)):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    edited = " ".join(words)
    if rng.random() < 0.5:
        parts = edited.split(". ")
        if len(parts) > 6:
            del parts[rng.randrange(1, len(parts) - 1)]
        edited = ". ".join(parts)
    else:
        edited += " Die Stadt Krefeld ergänzte die Meldung am Folgetag."
    return edited


def articles(n: int, dup_share: float = 0.05, seed: int = 7) -> Iterator[tuple[Record, int | None]]:
    """(record, index of the article it near-duplicates or None), generated lazily: memory stays flat."""
    rng = random.Random(seed)
    day0 = date(2005, 1, 1)
    originals: list[int] = []  # copies are made of originals, whose text make_text() can rebuild
    for i in range(n):
        orig = rng.choice(originals) if i > 100 and rng.random() < dup_share else None
        if orig is None:
            originals.append(i)
        title, text = make_text(seed * 1_000_003 + (orig if orig is not None else i))
        if orig is not None:
            text = near_copy(title, text, rng)
        url = f"https://www.krefeld.de/de/inhalt/meldung-{i}/"
        rec = Record(url=url, canonical_url=url, kind="press_release", title=title,
                     published=(day0 + timedelta(days=i % 7300)).isoformat(), lead=text[:200], text=text,
                     people=[Person(*p) for p in rng.sample(PEOPLE, rng.randint(0, 3))],
                     images=[Image(f"https://www.krefeld.de/bilder/{i}.jpg", caption="Bild",
                                   credit="Stadt Krefeld, Presse und Kommunikation",
                                   photographer=rng.choice([None, "A. Bischof", "D. Jochmann"]))],
                     partner_cities=rng.sample(CITIES, rng.randint(0, 2)))
        yield rec, orig


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def nightly(archive: store.Archive, n: int, now: datetime) -> tuple[float, int]:
    """A later run: 0.5 % of the articles edited and as many new, stored and published; the seconds
    the publish took (its full-text index work is what grows with the archive if it is not incremental)."""
    k = max(1, n // 200)
    run = archive.begin_run(["bench"])
    items = []
    for i, (rec, _) in enumerate(articles(2 * k, dup_share=0.0, seed=11)):
        # the first k take the URLs of existing articles (an edit), the rest are new URLs
        slug = f"meldung-{i * (n // k)}" if i < k else f"neu-{i}"
        rec.url = rec.canonical_url = f"https://www.krefeld.de/de/inhalt/{slug}/"
        items.append((rec, Fetched(url=rec.url, final_url=rec.url, status=200, fetched_at=now), None))
    archive.store_many(run, "bench", iter(items), threshold=0.8)
    archive.finish_run(run, RunStats(run_id=run, status="ok"))
    t = time.perf_counter()
    archive.publish()
    return time.perf_counter() - t, k


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--dir", default="/tmp/partner-archive-bench")
    ap.add_argument("--queries", type=int, default=100)
    args = ap.parse_args()
    folder = Path(args.dir)
    shutil.rmtree(folder, ignore_errors=True)
    n = args.articles
    checkpoints = {n // 4, n // 2, n}
    planted: dict[int, int] = {}  # url index → original index
    print(f"ingesting {n} synthetic articles into {folder}")
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    with store.open_writer(folder) as archive:
        run = archive.begin_run(["bench"])

        gen = [0.0]  # time spent making the synthetic articles, not storing them

        def items() -> Iterator[tuple[Record, Fetched, None]]:
            source = articles(n)
            for i in range(n):
                t = time.perf_counter()
                rec, orig = next(source)
                fetched = Fetched(url=rec.url, final_url=rec.url, status=200, fetched_at=now)
                gen[0] += time.perf_counter() - t
                if orig is not None:
                    planted[i] = orig
                yield rec, fetched, None
                if i + 1 in checkpoints:
                    print(f"  {i + 1:>7} articles  store time {time.perf_counter() - t0 - gen[0]:6.1f} s  "
                          f"peak RSS {peak_rss_mb():6.0f} MB")

        outcomes = archive.store_many(run, "bench", items(), threshold=0.8)
        t_ingest = time.perf_counter() - t0 - gen[0]
        archive.finish_run(run, RunStats(run_id=run, pages_new=outcomes.count("new"), status="ok"))
        t1 = time.perf_counter()
        archive.publish()
        t_publish = time.perf_counter() - t1
        t_night, k = nightly(archive, n, now)
    print(f"ingest (store_many, without generating the articles): {t_ingest:.1f} s "
          f"({n / t_ingest:,.0f} articles/s); generating: {gen[0]:.1f} s")
    print(f"search index + publish: {t_publish:.1f} s; peak RSS {peak_rss_mb():.0f} MB "
          f"(largest worker process: {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB)")

    print(f"next publish after a nightly run ({k} articles edited, {k} new): {t_night:.1f} s "
          f"= {t_night / t_publish:.2f}x the first (the index takes only what changed)")

    con = open_reader(folder)
    found = con.execute("SELECT a.canonical_url, d.canonical_url FROM near_duplicates n JOIN articles a "
                        "ON a.id = n.article_id JOIN articles d ON d.id = n.duplicate_of").fetchall()

    def idx(url: str) -> int:
        return int(url.rstrip("/").rsplit("-", 1)[1])

    def root(i: int) -> int:
        while i in planted:
            i = planted[i]
        return i

    # A copy linked to its original, or to another copy of the same original, is a correct detection.
    detected = {idx(a): idx(d) for a, d in found}
    correct = {i for i, d in detected.items() if i in planted and root(i) == root(d)}
    recall = len(correct) / max(1, len(planted))
    precision = len(correct) / max(1, len(detected))
    print(f"near-duplicates: planted {len(planted)}, detected {len(detected)}, "
          f"recall {recall:.4f}, precision {precision:.4f}")

    rng = random.Random(3)
    # Analysts look for names, places and topics: words of a few hundred articles (the rare pool),
    # alone, in pairs, or with a common word. The second set is the worst case: words in ~90 % of texts.
    topical = [" ".join([rng.choice(RARE)] + rng.sample(WORDS, rng.randint(0, 1))) if i % 2 else
               " ".join(rng.sample(RARE, rng.randint(1, 2))) for i in range(args.queries)]
    common = [" ".join(rng.sample(WORDS[:60], rng.randint(1, 2))) for _ in range(args.queries)]
    search.matching_ids(con, "Städtepartnerschaften", 10)  # warm-up
    for name, queries in (("topical words", topical), ("very common words", common)):
        times, hits = [], 0
        for q in queries:
            t = time.perf_counter()
            hits += bool(search.matching_ids(con, q, 10))
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        print(f"full-text queries, {name}: median {statistics.median(times):.1f} ms, "
              f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms over {len(times)} queries "
              f"({hits} with results)")
    con.close()
    size = (folder / "archive.duckdb").stat().st_size / 1e6
    print(f"published archive: {size:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
