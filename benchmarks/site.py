"""Web archive speed: ``sitrep site`` over 1,000 stored briefings (target: under 10 s), and the
map of a 30-place digest (target: under 300 ms after the first, which reads the map data).

The fixture articles and the bundled demo article are distilled once, then stored 1,000 times
as different reports (ids, outlets, days over about three months, theatres) in a real SQLite
store; the archive is then built from the store exactly as ``sitrep site`` does (reading the
store, re-splitting each article's sentences, every page, digest and the feed) and written to a
temporary folder. Prints the time of each stage and the total.

The last line is ``key=value`` pairs (CONTRACT.md, "Benchmarks").
"""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

from bot.commands.front_map import draw_front_map
from bot.site import site_entries, site_map, write_files
from bot.store.articles import Store
from briefings import distill
from briefings.article import Article
from briefings.frontmap import front_map
from briefings.ingest import article_from_bytes, read_article
from briefings.model import FrontlineItem
from briefings.site import build_site

ROOT = Path(__file__).resolve().parents[1]
N = 1000
THEATRES = ("Ukraine", "Sudan", "Israel and Gaza", None)


def articles() -> list[Article]:
    paths = sorted((ROOT / "tests" / "fixtures" / "digest").glob("*.txt"))
    paths += sorted((ROOT / "tests" / "fixtures" / "bot").glob("*.txt"))
    out = [read_article(str(p)) for p in paths]
    demo = resources.files("briefings").joinpath("data/demo_article.txt").read_bytes()
    out.append(article_from_bytes(demo, name="demo article"))
    return out


async def fill(store: Store, base: list[Article]) -> None:
    briefings = [distill(a) for a in base]
    start = date(2026, 1, 1)
    for n in range(N):
        article = dataclasses.replace(
            base[n % len(base)],
            sha256=f"{n:064x}",
            source=f"Outlet {n % 37}",
            title=f"Report {n}",
            published=start + timedelta(days=n % 90),
        )
        b = briefings[n % len(base)]
        meta = dataclasses.replace(
            b.article,
            sha256=article.sha256,
            title=article.title,
            source=article.source,
            published=article.published,
            theatre=THEATRES[n % len(THEATRES)],
        )
        await store.add_article(article, dataclasses.replace(b, article=meta))


async def main_async() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = await Store.open(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
        try:
            t0 = time.perf_counter()
            await fill(store, articles())
            print(f"stored {N} briefings in {time.perf_counter() - t0:.1f} s (not timed below)")
            t1 = time.perf_counter()
            entries = await site_entries(store)
            t2 = time.perf_counter()
        finally:
            await store.close()
        files = build_site(entries, now=datetime.now(UTC), make_map=site_map)
        t3 = time.perf_counter()
        written = write_files(files, folder / "out")
        t4 = time.perf_counter()
    total = t4 - t1
    print(f"read the store and the sentences: {t2 - t1:.2f} s")
    maps = sum(1 for name in files if name.startswith("maps/"))
    print(f"built {len(files)} files (pages, digests, feed, {maps} maps): {t3 - t2:.2f} s")
    print(f"wrote {written} files: {t4 - t3:.2f} s")
    print(f"total {total:.2f} s for {N} briefings (target under 10 s)")
    places, map_ms = map_figures()
    print(
        f"site n={N} files={written} read_s={t2 - t1:.2f} build_s={t3 - t2:.2f} "
        f"write_s={t4 - t3:.2f} seconds={total:.2f} target_s=10 maps={maps} "
        f"map_places={places} map_ms={map_ms:.0f} map_target_ms=300"
    )


TOWNS = (
    "Kramatorsk Sloviansk Druzhkivka Kostiantynivka Bakhmut Toretsk Pokrovsk Myrnohrad Siversk "
    "Lyman Izium Horlivka Donetsk Avdiivka Selydove Kupiansk Kharkiv Zaporizhzhia Kherson "
    "Mariupol Melitopol Berdiansk Nikopol Dnipro Pavlohrad Sumy Kursk Belgorod Luhansk Chasiv Yar"
).split(" ")


def map_figures() -> tuple[int, float]:
    """The map of a digest naming 30 places: the first of this one and the median of the next
    five (the map data was read by the site's maps above; reading it costs about 0.5 s)."""
    events = ("seized", "attacked", "moved", "held", "scene")
    items = [
        FrontlineItem(f"Fighting near {t}.", (t,), (i,), event=events[i % 5])  # type: ignore[arg-type]
        for i, t in enumerate(TOWNS)
    ]
    t0 = time.perf_counter()
    front = front_map(items)
    assert front is not None
    draw_front_map(front, "30 places")
    first = time.perf_counter() - t0
    times = []
    for _ in range(5):
        t = time.perf_counter()
        front = front_map(items)
        assert front is not None
        drawn = draw_front_map(front, "30 places")
        times.append(time.perf_counter() - t)
    warm = sorted(times)[len(times) // 2]
    print(
        f"map of {len(front.points)} places: first {first * 1000:.0f} ms, "
        f"then {warm * 1000:.0f} ms (target under 300 ms); {len(drawn.labels)} names drawn"
    )
    return len(front.points), warm * 1000


if __name__ == "__main__":
    asyncio.run(main_async())
