"""Slash command latency (issue 3, "Speed"): interaction received to response sent.

The bot runs in process against the local fake Discord API of tests/discord_server.py (on
127.0.0.1) with 200 stored articles. Each command is dispatched as the gateway would dispatch it
(``INTERACTION_CREATE`` through discord.py's ``CommandTree``); the clock starts when the payload
is handed to discord.py and stops when the server receives the first response (the interaction
callback). For commands that defer (/forces draws a chart) the time to the complete answer is
printed too. Target: p99 < 50 ms for the first response (Discord's hard deadline is 3 s).

The last line is ``key=value`` pairs (CONTRACT.md, "Benchmarks").
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import discord  # noqa: E402
from discord_server import FakeDiscord, interaction_payload  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.gateway.client import SitrepBot  # noqa: E402
from briefings import distill  # noqa: E402
from briefings.ingest import article_from_bytes  # noqa: E402
from briefings.model import ArticleMeta  # noqa: E402

ARTICLES = 200
RUNS = 100
WARMUP = 5
TARGET_P99_MS = 50.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


async def seed(bot: SitrepBot) -> list[str]:
    """200 articles: the demo article's briefing under 200 titles, dates and hashes."""
    data = resources.files("briefings").joinpath("data/demo_article.txt").read_bytes()
    article = article_from_bytes(data, name="demo article")
    briefing = distill(article)
    titles = []
    start = date(2024, 1, 1)
    for i in range(ARTICLES):
        title = f"Report {i:03d}: {article.title or 'the front'}"
        a = dataclasses.replace(
            article,
            title=title,
            published=start + timedelta(days=i),
            sha256=f"{i:064x}",
        )
        b = dataclasses.replace(briefing, article=ArticleMeta.of(a))
        await bot.store.add_article(a, b)
        titles.append(title)
    return titles


async def time_one(
    server: FakeDiscord, bot: SitrepBot, name: str, options: dict[str, str], focused: str | None
) -> tuple[float, float]:
    server.requests.clear()
    before = set(asyncio.all_tasks())
    payload = interaction_payload(name, options, focused=focused)
    started = time.perf_counter()
    bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    tasks = [t for t in asyncio.all_tasks() - before if t.get_name() == "CommandTree-invoker"]
    await asyncio.gather(*tasks)
    done = time.perf_counter()
    sent = [r for r in server.requests if r.method != "GET"]
    first = min(r.received_at for r in sent)
    return (first - started) * 1000, (done - started) * 1000


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    rng = random.Random(7)
    async with FakeDiscord() as server:
        discord.http.Route.BASE = server.api
        with tempfile.TemporaryDirectory(prefix="sitrep-bench-") as tmp:
            cfg = Path(tmp) / "sitrep.toml"
            cfg.write_text("[store]\nurl = 'sqlite:///bench.db'\n", encoding="utf-8")
            bot = SitrepBot(load_config(cfg, env={}))
            await bot.login("benchmark-token")
            try:
                t0 = time.perf_counter()
                titles = await seed(bot)
                print(f"stored {len(titles)} articles in {time.perf_counter() - t0:.2f} s")
                latest = await bot.store.latest()
                assert latest is not None
                speakers = await bot.store.speakers() or ["nobody"]
                briefing = await bot.store.briefing(latest.id)
                places = [p for i in briefing.frontline for p in i.places] or ["nowhere"]
                cases: list[tuple[str, str, dict[str, str], str | None]] = [
                    ("/briefing", "briefing", {}, None),
                    ("/briefing section:quotes", "briefing", {"section": "quotes"}, None),
                    ("/briefing article:<title>", "briefing", {"article": "<title>"}, None),
                    ("/quotes", "quotes", {}, None),
                    ("/quotes speaker:<name>", "quotes", {"speaker": speakers[0]}, None),
                    ("/forces", "forces", {}, None),
                    ("/forces article:<title>", "forces", {"article": "<title>"}, None),
                    ("/frontline", "frontline", {}, None),
                    ("/frontline place:<place>", "frontline", {"place": places[0]}, None),
                    ("/policy", "policy", {}, None),
                    ("/sources", "sources", {}, None),
                    ("/help", "help", {}, None),
                    ("/briefing article:xyz (error)", "briefing", {"article": "xyz"}, None),
                    ("autocomplete article", "briefing", {"article": "Report 1"}, "article"),
                    ("autocomplete speaker", "quotes", {"speaker": ""}, "speaker"),
                    ("autocomplete place", "frontline", {"place": ""}, "place"),
                ]
                all_first: list[float] = []
                worst = ("", 0.0)
                print(f"{'command':34} {'p50 ms':>8} {'p99 ms':>8} {'complete p99 ms':>16}")
                for label, name, options, focused in cases:
                    firsts: list[float] = []
                    completes: list[float] = []
                    for i in range(WARMUP + RUNS):
                        opts = {
                            k: (rng.choice(titles) if v == "<title>" else v)
                            for k, v in options.items()
                        }
                        first, complete = await time_one(server, bot, name, opts, focused)
                        if i >= WARMUP:
                            firsts.append(first)
                            completes.append(complete)
                    p50, p99 = statistics.median(firsts), percentile(firsts, 99)
                    print(
                        f"{label:34} {p50:8.1f} {p99:8.1f} {percentile(completes, 99):16.1f}",
                        flush=True,
                    )
                    all_first.extend(firsts)
                    if p99 > worst[1]:
                        worst = (label.split()[0], p99)
            finally:
                await bot.close()
    p50, p99 = statistics.median(all_first), percentile(all_first, 99)
    print(
        f"commands articles={ARTICLES} runs={len(all_first)} p50_ms={p50:.1f} p99_ms={p99:.1f} "
        f"worst_command={worst[0]} worst_p99_ms={worst[1]:.1f} target_p99_ms={TARGET_P99_MS:.0f} "
        f"ok={int(worst[1] < TARGET_P99_MS)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
