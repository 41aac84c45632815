"""/subscribe, /unsubscribe, /subscriptions and /preview: the handlers with a fixed clock, then
through discord.py against the local fake Discord, then ``sitrep dry-run --command`` and the
scheduled dry-run (``--until --fast``) as subprocesses."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
from discord_server import GUILD_ID, FakeDiscord, Recorded, dispatch, interaction_payload
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.commands.pipeline import Invocation
from bot.commands.subscription_commands import (
    Where,
    answer_subscription,
    parse_subscription_command,
    schedule_choices,
    section_choices,
)
from bot.config import load_config
from bot.scheduling.subscriptions import DeclaredSubscription as Declared
from bot.scheduling.subscriptions import (
    Subscription,
    create_subscription,
    create_tables,
    list_subscriptions,
    set_paused,
    sync_declared,
)
from bot.store.articles import Store
from briefings.messages import Message

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday, 09:00 in Kyiv
EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bot"


class Renders:
    def __init__(self) -> None:
        self.calls: list[tuple[int, datetime]] = []

    async def __call__(self, sub: Subscription, now: datetime) -> Sequence[Message]:
        self.calls.append((sub.id, now))
        return [Message(content=f"post of #{sub.id} at {now:%H:%M}"), Message(content="part 2")]


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    eng = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'subs.db'}")
    await create_tables(eng)
    yield eng
    await eng.dispose()


class Changes:
    def __init__(self) -> None:
        self.n = 0

    async def __call__(self) -> None:
        self.n += 1


def where(engine: AsyncEngine, **kw: Any) -> Where:
    kw.setdefault("render", Renders())
    kw.setdefault("guild_id", 10)
    kw.setdefault("channel_id", 100)
    return Where(engine=engine, now=NOW, **kw)


async def ask(w: Where, line: str) -> list[Message]:
    inv = parse_subscription_command(line)
    return await answer_subscription(w, Invocation(inv.name, inv.options, w.now))


async def test_subscribe_list_and_unsubscribe(engine: AsyncEngine) -> None:
    changes = Changes()
    w = where(engine, on_change=changes)
    (done,) = await ask(w, "/subscribe schedule:daily 08:00 timezone:Europe/Kyiv sections:quotes")
    (sub,) = await list_subscriptions(engine)
    assert (sub.channel_id, sub.guild_id, sub.sections) == (100, 10, ("quotes",))
    assert (sub.schedule_spec, sub.timezone) == ("daily 08:00", "Europe/Kyiv")
    nxt = int(datetime(2026, 3, 3, 6, 0, tzinfo=UTC).timestamp())  # tomorrow 08:00 in Kyiv
    assert not done.ephemeral and f"<t:{nxt}:f>" in done.content and "<#100>" in done.content
    assert changes.n == 1

    await ask(w, "/subscribe channel:<#200> schedule:every 6h")
    (listing,) = await ask(w, "/subscriptions")
    assert listing.ephemeral
    text = listing.embeds[0].description or ""
    assert f"<t:{nxt}:f>" in text and "<#200>" in text and len(text.splitlines()) == 2

    (gone,) = await ask(w, "/unsubscribe")  # this channel's one subscription
    assert "Unsubscribed <#100>" in gone.content and not gone.ephemeral
    assert [s.channel_id for s in await list_subscriptions(engine)] == [200]
    assert changes.n == 3


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/subscribe schedule:daily 25:00", "Cannot read the schedule"),
        ("/subscribe schedule:every 1m", "schedule"),
        ("/subscribe timezone:Mars/Olympus", "Unknown time zone"),
        ("/subscribe sections:weather", "Unknown section 'weather'"),
        ("/subscribe channel:general", "Not a channel"),
        ("/subscribe channel:0", "Not a channel: '0'. A channel id is a positive number"),
        ("/subscribe channel:9223372036854775808", "Not a channel: '9223372036854775808'."),
        ("/subscribe channel:12345678901234567890123", "Not a channel"),
        (
            "/subscribe schedule:" + "daily 08:00 " * 500,
            "The schedule is too long (5,999 characters; at most 200).",  # its last space cut
        ),
        ("/subscribe timezone:" + "Europe/" * 1000, "time zone"),
    ],
)
async def test_wrong_arguments_are_one_private_reply_and_write_nothing(
    engine: AsyncEngine, line: str, expected: str
) -> None:
    changes = Changes()
    (reply,) = await ask(where(engine, on_change=changes), line)
    assert reply.ephemeral and expected in reply.content
    assert len(reply.content) <= 2000 and "\n" not in reply.content  # one line within limits
    assert await list_subscriptions(engine) == [] and changes.n == 0


async def test_changes_need_manage_server(engine: AsyncEngine) -> None:
    await create_subscription(engine, channel_id=100, schedule="every 6h", guild_id=10, now=NOW)
    member = where(engine, can_manage=False)
    for line in ("/subscribe", "/unsubscribe subscription:1"):
        (reply,) = await ask(member, line)
        assert reply.ephemeral and "Manage Server" in reply.content
    assert len(await list_subscriptions(engine)) == 1
    (listing,) = await ask(member, "/subscriptions")  # reading is for everyone
    assert "every 6h" in (listing.embeds[0].description or "")


async def test_unsubscribe_chooses_refuses_and_stays_in_its_guild(engine: AsyncEngine) -> None:
    a = await create_subscription(engine, channel_id=100, schedule="every 6h", guild_id=10, now=NOW)
    await create_subscription(engine, channel_id=100, schedule="daily 08:00", guild_id=10, now=NOW)
    other = await create_subscription(
        engine, channel_id=300, schedule="every 6h", guild_id=99, now=NOW
    )
    await sync_declared(engine, [Declared(channel_id=400, schedule="daily 09:00")], now=NOW)
    w = where(engine, in_guild=lambda channel: channel == 400)
    (two,) = await ask(w, "/unsubscribe")
    assert two.ephemeral and "2 subscriptions" in two.content and f"#{a.id}" in two.content
    (foreign,) = await ask(w, f"/unsubscribe subscription:{other.id}")
    assert foreign.ephemeral and f"no subscription #{other.id}" in foreign.content
    (declared,) = await ask(w, "/unsubscribe channel:400")
    assert declared.ephemeral and "configuration file" in declared.content
    (done,) = await ask(w, f"/unsubscribe subscription:#{a.id}")
    assert not done.ephemeral
    (listing,) = await ask(w, "/subscriptions")
    shown = listing.embeds[0].description or ""
    assert "<#100>" in shown and "<#400>" in shown and "<#300>" not in shown
    assert len(await list_subscriptions(engine)) == 3


async def test_preview_is_exactly_the_next_post(engine: AsyncEngine) -> None:
    renders = Renders()
    w = where(engine, render=renders)
    later = await create_subscription(
        engine, channel_id=100, schedule="daily 20:00", guild_id=10, now=NOW
    )
    sooner = await create_subscription(
        engine, channel_id=100, schedule="daily 10:00", timezone="Europe/Kyiv", guild_id=10, now=NOW
    )
    paused = await create_subscription(
        engine, channel_id=100, schedule="every 5m", guild_id=10, now=NOW
    )
    await set_paused(engine, paused.id, True, "403")
    head, *post = await ask(w, "/preview")
    nxt = sooner.next_run(NOW)
    assert nxt == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 10:00 in Kyiv, before 20:00 UTC
    assert later.next_run(NOW) == datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    assert renders.calls == [(sooner.id, nxt)]
    expected = await Renders()(sooner, nxt)
    assert [m.content for m in post] == [m.content for m in expected]
    assert all(m.ephemeral for m in [head, *post])
    assert f"<t:{int(nxt.timestamp())}:f>" in head.content
    (none,) = await ask(w, "/preview channel:555")
    assert none.ephemeral and "no scheduled briefing" in none.content


def test_autocomplete_values() -> None:
    assert section_choices("") == ["all", "frontline", "forces", "policy", "quotes"]
    assert section_choices("quotes, f") == ["quotes, frontline", "quotes, forces"]
    assert schedule_choices("every")[:2] == ["every", "every 6h"]
    assert "daily 08:00" in schedule_choices("")


# ---------------------------------------------------------------- through discord.py


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as s:
        monkeypatch.setattr(discord.http.Route, "BASE", s.api)
        yield s


def command(
    name: str, options: dict[str, str], *, manage: bool, channel: int | None = None
) -> dict[str, Any]:
    payload = interaction_payload(name, options)
    if manage:
        payload["member"]["permissions"] = str(MANAGE_GUILD)
    else:
        payload["member"]["permissions"] = "0"
    if channel is not None:
        payload["data"]["options"].append({"name": "channel", "type": 7, "value": str(channel)})
        payload["data"]["resolved"] = {
            "channels": {
                str(channel): {"id": str(channel), "type": 0, "name": "news", "permissions": "0"}
            }
        }
    return payload


def replies(server: FakeDiscord) -> list[Recorded]:
    return [r for r in server.requests if r.path.endswith("/callback") or "/webhooks/" in r.path]


async def test_subscribe_in_discord_schedules_the_post_and_it_arrives(
    server: FakeDiscord, tmp_path: Path
) -> None:
    from bot.gateway.client import SitrepBot
    from briefings import build_article

    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("[store]\nurl = 'sqlite:///bot.db'\n", encoding="utf-8")
    bot = SitrepBot(load_config(cfg, env={"DISCORD_TOKEN": "t"}))
    try:
        await bot.login("t")
        text = (
            'Troops held the bridgehead on Tuesday. "We will not give up this bank," said Anna '
            "Bell, a company commander. The river rose overnight."
        )
        await bot.store.add_article(build_article(text, title="Bridgehead", published=date.today()))
        bs = bot.briefing_scheduler
        opts = {"schedule": "every 6h", "sections": "quotes"}

        server.reset()
        await dispatch(bot, command("subscribe", opts, manage=False, channel=4242))
        (refused,) = replies(server)
        assert (
            refused.payload["flags"] & EPHEMERAL and "Manage Server" in refused.payload["content"]
        )
        assert await list_subscriptions(bs.engine) == []

        server.reset()
        await dispatch(bot, command("subscribe", opts, manage=True, channel=4242))
        (ok,) = replies(server)
        assert "Subscribed <#4242>" in ok.payload["content"]
        (sub,) = await list_subscriptions(bs.engine)
        assert (sub.channel_id, sub.guild_id) == (4242, GUILD_ID)
        assert bs.next_run(sub.id) is not None  # sync_jobs ran: the job exists

        server.reset()
        await dispatch(bot, command("preview", {}, manage=False, channel=4242))
        shown = replies(server)
        assert shown and all(r.payload["flags"] & EPHEMERAL for r in shown)
        assert "We will not give up this bank" in str([r.payload for r in shown])

        server.reset()
        payload = interaction_payload("subscribe", {"timezone": "kyi"}, focused="timezone")
        await dispatch(bot, payload)
        (choices,) = replies(server)
        assert {"name": "Europe/Kyiv", "value": "Europe/Kyiv"} in choices.json["data"]["choices"]

        # advance the clock to the next run: the post arrives in the channel
        run = sub.schedule.next_runs(datetime.now(UTC), 1)[0]
        result = await bs.run_subscription(sub.id, now=run + timedelta(seconds=2))
        assert result.scheduled_for == run and result.parts >= 1
        await bs.outbox.deliver_due(now=run + timedelta(seconds=2))
        posted = server.messages.get("channel:4242", [])
        assert len(posted) == result.parts
        assert "We will not give up this bank" in str(posted)

        server.reset()
        await dispatch(bot, command("unsubscribe", {}, manage=True, channel=4242))
        assert "Unsubscribed" in replies(server)[0].payload["content"]
        assert bs.next_run(sub.id) is None  # the job went with it
    finally:
        await bot.close()


# ---------------------------------------------------------------- sitrep dry-run


def sitrep(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "SITREP_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def test_dry_run_replays_the_store_and_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    river = FIXTURES / "river_crossing.txt"
    (tmp_path / "articles" / river.name).write_bytes(river.read_bytes())
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        "[store]\nurl = 'sqlite:///s.db'\n[sources]\nfolders = ['articles']\n"
        "[[subscriptions]]\nchannel = 555\nschedule = 'daily 08:00'\ntimezone = 'Europe/Kyiv'\n"
        "sections = ['frontline']\n",
        encoding="utf-8",
    )

    async def subscribed_in_discord() -> None:  # what /subscribe in Discord stored
        store = await Store.open(load_config(cfg, env={}).store.url)
        try:
            await create_subscription(
                store.engine,
                channel_id=123,
                schedule="every 6h",
                sections="quotes",
                now=datetime(2025, 12, 1, tzinfo=UTC),
            )
        finally:
            await store.close()

    asyncio.run(subscribed_in_discord())
    bad = sitrep(
        "dry-run", "--config", str(cfg), "--command", "/subscribe schedule:every 6h", cwd=tmp_path
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "channel" in bad.stderr
    made = sitrep(
        "dry-run",
        "--config",
        str(cfg),
        "--command",
        "/subscribe channel:777 schedule:every 6h sections:quotes",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    assert "Subscribed #777 (#" in made.stdout  # in the dry run only: not replayed below

    day = sitrep(
        "dry-run",
        "--config",
        str(cfg),
        "--until",
        "2026-01-02T00:00Z",
        "--fast",
        "--now",
        "2026-01-01T00:00Z",
        cwd=tmp_path,
    )
    assert day.returncode == 0, day.stderr
    heads = re.findall(r"===== (\S+ \S+) UTC · channel (\d+) ·", day.stdout)
    assert heads == [
        ("2026-01-01 06:00:00", "123"),
        ("2026-01-01 06:00:00", "555"),  # 08:00 in Kyiv
        ("2026-01-01 12:00:00", "123"),
        ("2026-01-01 18:00:00", "123"),
        ("2026-01-02 00:00:00", "123"),
    ]
    assert "# Key quotes" in day.stdout and "# Frontline situation" in day.stdout
    assert day.stdout.strip().splitlines()[-1].startswith("dry-run: 5 scheduled runs, 5 posts")
    with sqlite3.connect(tmp_path / "s.db") as db:  # rehearsing wrote nothing to the store
        assert db.execute("select count(*) from outbox").fetchone() == (0,)
        assert db.execute("select channel_id, last_posted_at from subscriptions").fetchall() == [
            (123, None)
        ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--fast",), "needs --until"),
        (("--until", "tomorrow"), "not a time"),
        (("--until", "2025-01-01T00:00Z", "--fast", "--now", "2026-01-01T00:00Z"), "not after"),
        (("--until", "2030-01-01T00:00Z", "--fast"), "no subscriptions to run"),
    ],
)
def test_dry_run_schedule_options_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str
) -> None:
    from bot.cli import main

    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(f"[store]\nurl = 'sqlite:///{tmp_path / 's.db'}'\n", encoding="utf-8")
    assert main(["dry-run", "--config", str(cfg), *args]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1


async def test_dry_run_in_real_time_stops_at_until(tmp_path: Path) -> None:
    import io
    import time

    from bot.rehearsal import rehearse

    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        f"[store]\nurl = 'sqlite:///{tmp_path / 's.db'}'\n"
        "[[subscriptions]]\nchannel = 555\nschedule = 'every 6h'\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    started = time.monotonic()
    until = datetime.now(UTC) + timedelta(seconds=0.3)
    assert await rehearse(load_config(cfg, env={}), until=until, fast=False, out=out) == 0
    assert time.monotonic() - started < 10
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("dry-run: 1 subscription scheduled") and "Ctrl-C" in lines[0]
    assert lines[-1] == "dry-run: stopped, 0 posts"
