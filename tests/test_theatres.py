"""Theatres in the bot, end to end: ``/subscribe theatre:``, ``/briefing theatre: since:``,
autocomplete, a restart, through discord.py against the local fake Discord on a real SQLite file.

The reports are of our own writing (tests/fixtures/theatres and below): towns the gazetteer
knows in Ukraine (Kupiansk, Pokrovsk, Kramatorsk) and in Sudan (El Fasher, Omdurman, Kassala,
Nyala).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
from discord_server import FakeDiscord, Recorded, dispatch, interaction_payload
from sqlalchemy import update
from test_subscription_commands import command as managed
from test_subscription_commands import replies

from bot.config import Config, load_config
from bot.gateway.client import SitrepBot
from bot.scheduling.subscriptions import list_subscriptions
from bot.store.articles import Store, articles
from bot.store.theatres import reported, resolve_theatre, theatre_choices
from briefings import build_article
from briefings.article import Article
from briefings.ingest import read_article

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "theatres"
EPHEMERAL = 64
TOKEN = "t"

# Reports that arrive after the first scheduled post: two from Sudan, one from Ukraine.
LATER = {
    "kassala": (
        "Drone Strikes Reach Kassala",
        "Drones struck the airport of Kassala on Thursday and set a fuel depot on fire, "
        "officials said. The army said it shot down three drones over Kassala. "
        '"The sky was full of smoke by the morning," said Hassan Idris, a teacher in Kassala.',
    ),
    "nyala": (
        "Fighting Returns to Nyala",
        "Paramilitary fighters shelled the army's positions in Nyala overnight, residents said. "
        "The army said it recaptured two districts of Nyala after a day of street battles.",
    ),
    "kramatorsk": (
        "Missiles Hit Kramatorsk",
        "Russian missiles struck an apartment block in Kramatorsk on Thursday, killing four "
        "people, the regional governor said. Rescuers searched the ruins in Kramatorsk all day.",
    ),
}


def later(name: str) -> Article:
    title, text = LATER[name]
    return build_article(text, title=title, source=f"Wire {name}")


def fixture(name: str) -> Article:
    (path,) = FIXTURES.glob(f"*_{name}.txt")
    return dataclasses.replace(read_article(str(path)), source=f"Outlet {name}")


async def put(store: Store, article: Article, when: datetime) -> None:
    """Store ``article`` as if it arrived at ``when``."""
    assert await store.add_article(article)
    async with store.engine.begin() as conn:
        await conn.execute(
            update(articles).where(articles.c.sha256 == article.sha256).values(added_at=when)
        )


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as s:
        monkeypatch.setattr(discord.http.Route, "BASE", s.api)
        yield s


def configured(tmp_path: Path) -> Config:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        "[store]\nurl = 'sqlite:///bot.db'\n[theatres]\nSudan = ['SD', 'SS']\n", encoding="utf-8"
    )
    return load_config(cfg, env={"DISCORD_TOKEN": TOKEN})


def command(name: str, options: dict[str, str], *, channel: int | None = None) -> dict[str, Any]:
    """A command from someone with Manage Server."""
    return managed(name, options, manage=True, channel=channel)


async def ask(server: FakeDiscord, bot: SitrepBot, payload: dict[str, Any]) -> list[Recorded]:
    server.reset()
    await dispatch(bot, payload)
    return replies(server)


def text_of(recorded: list[Recorded]) -> str:
    return json.dumps([r.payload for r in recorded], ensure_ascii=False)


def maps_posted(server: FakeDiscord, channel: int) -> list[str]:
    return [f[1] for r in server.calls("POST", rf"/channels/{channel}/messages$") for f in r.files]


def posted_to(server: FakeDiscord, channel: int) -> str:
    return json.dumps(server.messages.get(f"channel:{channel}", []), ensure_ascii=False)


async def test_subscribe_to_a_theatre_posts_only_its_articles_and_survives_a_restart(
    server: FakeDiscord, tmp_path: Path
) -> None:
    config = configured(tmp_path)
    t0 = datetime.now(UTC) - timedelta(hours=1)
    bot = SitrepBot(config)
    try:
        await bot.login(TOKEN)
        # Ukraine, Sudan, then Ukraine again: the latest article overall is not Sudan's
        for n, name in enumerate(("kupiansk", "elfasher", "pokrovsk")):
            await put(bot.store, fixture(name), t0 + timedelta(minutes=n))

        (choices,) = await ask(
            server, bot, interaction_payload("subscribe", {"theatre": "su"}, focused="theatre")
        )
        assert [c["value"] for c in choices.json["data"]["choices"]] == ["Sudan"]

        (refused,) = await ask(
            server, bot, command("subscribe", {"theatre": "Atlantis"}, channel=4242)
        )
        assert refused.payload["flags"] & EPHEMERAL
        assert refused.payload["content"] == (
            "'Atlantis' is not a theatre. Theatres reported: Ukraine, Sudan."
        )
        assert await list_subscriptions(bot.briefing_scheduler.engine) == []

        opts = {"theatre": "sudan", "schedule": "every 6h"}
        (ok,) = await ask(server, bot, command("subscribe", opts, channel=4242))
        assert "Subscribed <#4242>" in ok.payload["content"]
        assert "Sudan only" in ok.payload["content"]
        bs = bot.briefing_scheduler
        (sub,) = await list_subscriptions(bs.engine)
        assert sub.theatre == "Sudan"  # in the spelling of the theatres reported

        run = sub.schedule.next_runs(datetime.now(UTC), 1)[0]
        result = await bs.run_subscription(sub.id, now=run + timedelta(seconds=2))
        assert result.parts >= 1
        await bs.outbox.deliver_due(now=run + timedelta(seconds=2))
        first = posted_to(server, 4242)
        assert "El Fasher" in first
        assert "Kupiansk" not in first and "Pokrovsk" not in first
        # The post carries the map of its places, sent with it through the outbox.
        assert maps_posted(server, 4242) == ["front.png"]

        # /frontline answers with the map of the latest report (Pokrovsk, Myrnohrad) in its embed
        (frontline,) = await ask(server, bot, interaction_payload("frontline", {}))
        assert [f[1] for f in frontline.files] == ["front.png"]
        assert frontline.file_data["front.png"].startswith(b"\x89PNG")
        assert "attachment://front.png" in text_of([frontline])

        # more news after that post: two reports from Sudan and one from Ukraine
        for n, name in enumerate(("kassala", "kramatorsk", "nyala")):
            await put(bot.store, later(name), run + timedelta(hours=1, minutes=n))
    finally:
        await bot.close()

    # a restart: the subscription keeps its theatre, and its next post is Sudan's digest
    bot = SitrepBot(config)
    try:
        await bot.login(TOKEN)
        bs = bot.briefing_scheduler
        (sub,) = await list_subscriptions(bs.engine)
        assert sub.theatre == "Sudan"
        (listing,) = await ask(server, bot, command("subscriptions", {}))
        assert "Sudan only" in text_of([listing])
        server.messages.pop("channel:4242", None)
        nxt = sub.schedule.next_runs(run + timedelta(hours=1, minutes=5), 1)[0]
        result = await bs.run_subscription(sub.id, now=nxt + timedelta(seconds=2))
        assert result.parts >= 1
        await bs.outbox.deliver_due(now=nxt + timedelta(seconds=2))
        second = posted_to(server, 4242)
        assert "Digest: 2 new reports" in second
        assert "Kassala" in second and "Nyala" in second
        assert "Kramatorsk" not in second
        assert "Ukraine" not in second  # one theatre: no theatre headings
        assert maps_posted(server, 4242) == ["front.png"]  # the digest's map, once
    finally:
        await bot.close()


async def test_briefing_of_one_theatre_since_a_period(server: FakeDiscord, tmp_path: Path) -> None:
    bot = SitrepBot(configured(tmp_path))
    try:
        await bot.login(TOKEN)
        now = datetime.now(UTC)
        for n, name in enumerate(("kupiansk", "elfasher", "pokrovsk")):
            await put(bot.store, fixture(name), now - timedelta(hours=3, minutes=-n))

        both = text_of(await ask(server, bot, interaction_payload("briefing", {"since": "24h"})))
        assert "Ukraine · Frontline situation" in both and "Sudan · Frontline situation" in both

        ukraine = text_of(
            await ask(
                server,
                bot,
                interaction_payload("briefing", {"theatre": "Ukraine", "since": "24h"}),
            )
        )
        assert "Digest: 2 new reports" in ukraine
        assert "Kupiansk" in ukraine and "Pokrovsk" in ukraine
        assert "El Fasher" not in ukraine and "Sudan" not in ukraine

        # one article of the theatre in the period: its briefing
        sudan = text_of(
            await ask(
                server, bot, interaction_payload("briefing", {"theatre": "sudan", "since": "24h"})
            )
        )
        assert "El Fasher" in sudan and "Pokrovsk" not in sudan

        # the latest of a theatre, without a period
        latest = text_of(
            await ask(server, bot, interaction_payload("briefing", {"theatre": "Ukraine"}))
        )
        assert "Pokrovsk" in latest and "El Fasher" not in latest

        (none,) = await ask(
            server, bot, interaction_payload("briefing", {"theatre": "Syria", "since": "24h"})
        )
        assert none.payload["flags"] & EPHEMERAL
        assert none.payload["content"] == (
            "No article reports on Syria. Theatres reported: Ukraine, Sudan."
        )
        (quiet,) = await ask(
            server, bot, interaction_payload("briefing", {"theatre": "Sudan", "since": "1h"})
        )
        assert quiet.payload["content"].startswith("No new articles on Sudan in the last 1 hour.")

        (choices,) = await ask(
            server, bot, interaction_payload("briefing", {"theatre": ""}, focused="theatre")
        )
        assert [c["value"] for c in choices.json["data"]["choices"]] == ["Ukraine", "Sudan"]
    finally:
        await bot.close()


async def test_theatres_of_the_store(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    try:
        assert await reported(store) == []
        for name in ("kupiansk", "elfasher", "pokrovsk"):
            assert await store.add_article(fixture(name))
        assert await reported(store) == [("Ukraine", 2), ("Sudan", 1)]
        assert await theatre_choices(store, "n") == ["Ukraine", "Sudan"]  # most reported first
        assert await theatre_choices(store, "SU") == ["Sudan"]
        assert await resolve_theatre(store, "  ukraine ") == "Ukraine"
        assert await resolve_theatre(store, "Russia") == "Ukraine"  # a country of the theatre
        assert await resolve_theatre(store, "Mali", reported_only=False) == "Mali"
    finally:
        await store.close()
