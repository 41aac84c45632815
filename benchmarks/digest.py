"""Digest speed: building and rendering the digest of a busy day.

The reports of tests/fixtures (the digest front and the bot's articles) and the bundled demo
article are distilled once, then posted as 25 new articles from different outlets (so many facts
are reported several times and merge) compared with 10 earlier ones. Prints the time to build the
digest (merging, ranking, what changed) and to render it, each the median of several runs.

The last line is ``key=value`` pairs (CONTRACT.md, "Benchmarks").
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from briefings import distill
from briefings.digest import SourceRef, build_digest
from briefings.ingest import article_from_bytes, read_article
from briefings.limits import message_violations
from briefings.model import Briefing
from briefings.render import Renderer

ROOT = Path(__file__).resolve().parents[1]
NEW, EARLIER, RUNS = 25, 10, 7


def briefings() -> list[Briefing]:
    paths = sorted((ROOT / "tests" / "fixtures" / "digest").glob("*.txt"))
    paths += sorted((ROOT / "tests" / "fixtures" / "bot").glob("*.txt"))
    out = [distill(read_article(str(p))) for p in paths]
    demo = resources.files("briefings").joinpath("data/demo_article.txt").read_bytes()
    out.append(distill(article_from_bytes(demo, name="demo article")))
    return out


def main() -> None:
    base = briefings()
    posted = []
    for n in range(NEW + EARLIER):
        b = base[n % len(base)]
        meta = dataclasses.replace(b.article, source=f"Outlet {n}", sha256=f"{n:064x}")
        posted.append(dataclasses.replace(b, article=meta))
    earlier, new = posted[:EARLIER], [(SourceRef.of(b.article), b) for b in posted[EARLIER:]]
    items = sum(
        len(b.section(s)) for _, b in new for s in ("frontline", "forces", "policy", "quotes")
    )
    print(f"{len(base)} distinct reports; {NEW} new articles ({items} items), {EARLIER} earlier")
    now = datetime(2026, 3, 2, 8, tzinfo=UTC)
    renderer = Renderer()
    builds, renders = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        digest = build_digest(new, previous=earlier, now=now)
        built = time.perf_counter()
        messages = renderer.digest_messages(digest, now=now)
        builds.append(built - started)
        renders.append(time.perf_counter() - built)
    merged = sum(len(digest.section(s)) for s in ("frontline", "forces", "policy", "quotes"))
    bad = sum(bool(message_violations(m)) for m in messages)
    print(f"merged into {merged} items, {len(messages)} messages, {bad} over Discord's limits")
    print(
        f"digest articles={NEW} items={items} merged={merged} "
        f"build_seconds={statistics.median(builds):.4f} "
        f"render_seconds={statistics.median(renders):.4f} messages={len(messages)} "
        f"violations={bad}"
    )


if __name__ == "__main__":
    main()
