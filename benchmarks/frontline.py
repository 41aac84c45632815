"""Speed of the places and frontline extractors, and the cost of the first gazetteer build.

In process: every article of ../shared/articles (the fixtures of tests/ when that folder is
absent) is read once, run once to warm up, then ``find_places`` and ``extract_frontline`` are
timed in rounds; prints milliseconds of CPU time per 1,000 words (CPU time, so that other
processes on the machine disturb the figure less than wall time would). Then the gazetteer index
is built from scratch in a child process with an empty cache folder: its CPU seconds, peak
memory, names and file size.

Target: places and frontline together well inside the whole distillation's 5 ms per 1,000 words.
The last line is ``key=value`` pairs (CONTRACT.md, "Benchmarks").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_ARTICLES = ROOT.parent / "shared" / "articles"
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
SUFFIXES = {".txt", ".md", ".html", ".htm"}
ROUNDS = 15

_BUILD = """
import json, resource, time
t = time.process_time()
from briefings.places import gazetteer, cache_dirs
gazetteer()
cpu = time.process_time() - t
index = next(iter(cache_dirs()[0].glob("places-*.idx")))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
names = index.read_bytes().count(b"\\n") + 1
print(json.dumps({"cpu_s": cpu, "peak_mb": peak, "bytes": index.stat().st_size, "names": names}))
"""


def article_paths() -> list[Path]:
    for folder in (SHARED_ARTICLES, FIXTURES):
        paths = sorted(p for p in folder.glob("*") if p.suffix.lower() in SUFFIXES)
        if paths:
            return paths
    raise SystemExit("no articles found in ../shared/articles nor tests/fixtures/articles")


def per_1000_words(run: object, articles: list[object], words: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        t0 = time.process_time()
        for article in articles:
            run(article)  # type: ignore[operator]
        best = min(best, time.process_time() - t0)
    return best / words * 1_000_000


def main() -> None:
    from briefings.frontline import extract_frontline
    from briefings.ingest import read_article
    from briefings.places import find_places

    articles = [read_article(str(p)) for p in article_paths()]
    words = sum(a.words for a in articles)
    for article in articles:
        extract_frontline(article)  # warm-up: the gazetteer, memos, regex compilation
    places_ms = per_1000_words(find_places, articles, words)
    both_ms = per_1000_words(extract_frontline, articles, words)
    print(f"{len(articles)} articles, {words:,} words (best of {ROUNDS} rounds, CPU time)")
    print(f"  find_places                  {places_ms:6.2f} ms per 1,000 words")
    print(f"  places + extract_frontline   {both_ms:6.2f} ms per 1,000 words")

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SITREP_CACHE_DIR": cache}
        out = subprocess.run(
            [sys.executable, "-c", _BUILD], env=env, capture_output=True, text=True, check=True
        )
    build = json.loads(out.stdout)
    print(
        f"first gazetteer build: {build['cpu_s']:.2f} s CPU, peak {build['peak_mb']:.0f} MB, "
        f"{build['names']:,} names, index {build['bytes'] / 1e6:.1f} MB"
    )
    print(
        f"frontline words={words} places_ms_per_1000_words={places_ms:.2f} "
        f"places_frontline_ms_per_1000_words={both_ms:.2f} build_cpu_s={build['cpu_s']:.2f} "
        f"build_peak_mb={build['peak_mb']:.0f} index_names={build['names']}"
    )


if __name__ == "__main__":
    main()
