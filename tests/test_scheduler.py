"""Scheduled briefings: jobs from the table, runs with a fixed clock, catch-up, restart."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
from apscheduler.triggers.cron import CronTrigger
from delivery_fakes import FakeSender, SimulatedCrash, wait_for_the_dead
from discord_server import FakeDiscord
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.commands.digests import render_latest
from bot.config import load_config
from bot.delivery.outbox import Outbox
from bot.delivery.senders import ConsoleSender, DiscordSender
from bot.scheduling.scheduler import (
    BriefingScheduler,
    SchedulerConfig,
    due_run,
    scheduler_config_of,
    sync_and_start,
)
from bot.scheduling.subscriptions import (
    Subscription,
    create_subscription,
    create_tables,
    declared_in,
    delete_subscription,
    get_subscription,
    list_subscriptions,
    set_paused,
)
from briefings.errors import ConfigError
from briefings.messages import Message

DAY1 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
GRACE = timedelta(minutes=15)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


class Renders:
    """The injected render step: records each call, posts two messages."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, datetime]] = []

    async def __call__(self, sub: Subscription, now: datetime) -> Sequence[Message]:
        self.calls.append((sub.id, now))
        head = f"briefing for {sub.channel_id} at {now:%Y-%m-%d %H:%M}"
        return [Message(content=head), Message(content="sections: " + ",".join(sub.sections))]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'sitrep.db'}"


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_async_engine(db_url)
    await create_tables(eng)
    yield eng
    await eng.dispose()


def build(
    engine: AsyncEngine, sender: FakeSender, clock: Clock, renders: Renders | None = None
) -> BriefingScheduler:
    outbox = Outbox(engine, sender, rng=random.Random(1), admin_channel_id=999)
    return BriefingScheduler(
        engine,
        outbox,
        renders or Renders(),
        config=SchedulerConfig(misfire_grace=GRACE),
        clock=clock,
    )


async def daily(engine: AsyncEngine, channel: int, at: str = "08:00", **kw: Any) -> Subscription:
    kw.setdefault("now", DAY1 - timedelta(days=1))
    return await create_subscription(engine, channel_id=channel, schedule=f"daily {at}", **kw)


async def test_jobs_follow_the_table(engine: AsyncEngine) -> None:
    a = await daily(engine, 10, timezone="Europe/Kyiv")
    b = await create_subscription(engine, channel_id=20, schedule="every 6h", now=DAY1)
    c = await daily(engine, 30)
    await set_paused(engine, c.id, True, "403")
    bs = build(engine, FakeSender(), Clock(DAY1))
    await bs.start(deliver=False)
    try:
        jobs = {job.id: job for job in bs.scheduler.get_jobs()}
        assert set(jobs) == {f"sub:{a.id}", f"sub:{b.id}"}
        job = jobs[f"sub:{a.id}"]
        assert isinstance(job.trigger, CronTrigger)
        assert str(job.trigger.timezone) == "Europe/Kyiv"
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 900)
        nxt = bs.next_run(a.id)
        assert nxt is not None and nxt.tzinfo is not None
        assert nxt.astimezone(a.schedule.zone).strftime("%H:%M") == "08:00"

        # a change in the table, then a sync: same ids, nothing doubled
        assert await delete_subscription(engine, b.id)
        await set_paused(engine, c.id, False)
        assert await bs.sync_jobs() == (2, 1)
        assert sorted(job.id for job in bs.scheduler.get_jobs()) == [f"sub:{a.id}", f"sub:{c.id}"]
        # an unchanged job is not replaced (which would recompute its next run from now):
        # mark it with a next run time its trigger would never give, then sync again
        odd = (datetime.now(UTC) + timedelta(hours=1)).replace(minute=7, second=0, microsecond=0)
        bs.scheduler.modify_job(f"sub:{a.id}", next_run_time=odd)
        assert await bs.sync_jobs() == (2, 0)
        assert len(bs.scheduler.get_jobs()) == 2
        assert bs.next_run(a.id) == odd
    finally:
        await bs.stop()


async def test_a_run_posts_once_and_records_it(engine: AsyncEngine) -> None:
    sub = await daily(engine, 10, sections=["quotes"])
    sender, renders = FakeSender(), Renders()
    bs = build(engine, sender, Clock(DAY1), renders)
    result = await bs.run_subscription(sub.id, now=DAY1 + timedelta(seconds=2))
    assert (result.scheduled_for, result.parts, result.enqueued) == (DAY1, 2, 2)
    await bs.outbox.deliver_due(now=DAY1 + timedelta(seconds=2))
    assert sender.texts(10) == ["briefing for 10 at 2026-03-02 08:00", "sections: quotes"]
    stored = await get_subscription(engine, sub.id)
    assert stored is not None and stored.last_posted_at == DAY1

    # the same job waking again (a second instance, a clock jump back) posts nothing more
    again = await bs.run_subscription(sub.id, now=DAY1 + timedelta(minutes=1))
    assert again.scheduled_for is None and again.reason == "no run due"
    assert len(renders.calls) == 1
    # the next day posts again
    nxt = await bs.run_subscription(sub.id, now=DAY1 + timedelta(days=1))
    assert nxt.scheduled_for == DAY1 + timedelta(days=1)


async def test_a_late_wake_posts_within_the_grace_and_not_after(engine: AsyncEngine) -> None:
    sub = await daily(engine, 10)
    bs = build(engine, FakeSender(), Clock(DAY1))
    late = await bs.run_subscription(sub.id, now=DAY1 + timedelta(minutes=14))
    assert late.scheduled_for == DAY1
    too_late = await bs.run_subscription(sub.id, now=DAY1 + timedelta(days=1, minutes=16))
    assert too_late.scheduled_for is None


async def test_paused_or_deleted_subscriptions_post_nothing(engine: AsyncEngine) -> None:
    sub = await daily(engine, 10)
    await set_paused(engine, sub.id, True, "gone")
    bs = build(engine, FakeSender(), Clock(DAY1))
    assert (await bs.run_subscription(sub.id, now=DAY1)).reason == "paused"
    assert (await bs.run_subscription(12345, now=DAY1)).reason == "no such subscription"
    assert await bs.outbox.rows() == []


async def test_catch_up_posts_one_missed_run_within_grace_and_none_beyond(
    engine: AsyncEngine,
) -> None:
    recent = await daily(engine, 10)  # last run 08:00, bot back at 08:05: one post
    old = await daily(engine, 20, at="07:30")  # last run 07:30, 35 minutes ago: none
    frequent = await create_subscription(
        engine, channel_id=30, schedule="every 5m", now=DAY1 - timedelta(hours=1)
    )  # missed many runs: exactly one post, the latest
    for s in (recent, old, frequent):
        await bs_mark(engine, s.id, DAY1 - timedelta(days=2))  # down for two days
    sender = FakeSender()
    now = DAY1 + timedelta(minutes=5)
    bs = build(engine, sender, Clock(now))
    results = {r.subscription_id: r for r in await bs.catch_up(now=now)}
    assert results[recent.id].scheduled_for == DAY1
    assert results[old.id].scheduled_for is None
    assert results[frequent.id].scheduled_for == now
    await bs.outbox.deliver_due(now=now)
    assert len(sender.texts(10)) == 2 and len(sender.texts(30)) == 2  # one post of two parts
    assert sender.texts(20) == []
    # a second start (or the job waking now) adds nothing
    assert all(r.scheduled_for is None for r in await bs.catch_up(now=now))


async def bs_mark(engine: AsyncEngine, sub_id: int, when: datetime) -> None:
    from bot.scheduling.subscriptions import mark_posted

    assert await mark_posted(engine, sub_id, when)


def test_due_run_uses_creation_when_never_posted() -> None:
    sub = Subscription(
        id=1,
        guild_id=None,
        channel_id=1,
        sections=("quotes",),
        schedule_spec="daily 08:00",
        timezone="UTC",
        paused=False,
        paused_reason=None,
        origin="command",
        created_at=DAY1 + timedelta(minutes=1),
        last_posted_at=None,
    )
    assert due_run(sub, DAY1 + timedelta(minutes=5), GRACE) is None  # created after the run
    assert due_run(sub, DAY1 + timedelta(days=1, minutes=5), GRACE) == DAY1 + timedelta(days=1)


async def test_crash_after_send_then_restart_posts_exactly_once(db_url: str) -> None:
    engine = create_async_engine(db_url)
    await create_tables(engine)
    subs = [await daily(engine, 100 + i) for i in range(5)]
    sender = FakeSender()
    clock = Clock(DAY1 + timedelta(seconds=1))
    bs = build(engine, sender, clock)
    for sub in subs:
        await bs.run_subscription(sub.id, now=clock.now)
    sender.crash_after_send = True  # the process dies right after Discord stored a message
    with pytest.raises(SimulatedCrash):
        await bs.outbox.deliver_due(now=clock.now)
    await wait_for_the_dead()
    await engine.dispose()

    # restart a little later: recover, catch up, deliver
    sender.restart()
    clock.now = DAY1 + timedelta(minutes=2)
    engine = create_async_engine(db_url)
    bs = build(engine, sender, clock)
    await bs.start(deliver=False)
    try:
        await bs.outbox.deliver_due(now=clock.now)
        for sub in subs:
            assert len(sender.texts(sub.channel_id)) == 2, sub.channel_id
        assert {r.status for r in await bs.outbox.rows()} == {"sent"}
    finally:
        await bs.stop()
        await engine.dispose()


async def test_apscheduler_fires_the_job_and_the_outbox_delivers(engine: AsyncEngine) -> None:
    sub = await create_subscription(
        engine, channel_id=10, schedule="every 30m", now=DAY1 - timedelta(minutes=1)
    )
    arrived = asyncio.Event()

    class Signalling(FakeSender):
        async def send(self, channel_id: int, payload: dict[str, Any], files: Any = ()) -> int:
            mid = await super().send(channel_id, payload, files)
            if len(self.texts(channel_id)) == 2:
                arrived.set()
            return mid

    sender = Signalling()
    clock = Clock(DAY1 - timedelta(seconds=30))
    bs = build(engine, sender, clock)
    await bs.start()
    try:
        assert await bs.outbox.rows() == []  # nothing due at start
        clock.now = DAY1 + timedelta(seconds=1)
        bs.scheduler.modify_job(f"sub:{sub.id}", next_run_time=datetime.now(UTC))
        await asyncio.wait_for(arrived.wait(), timeout=10)
        assert sender.texts(10)[0] == "briefing for 10 at 2026-03-02 08:00"
    finally:
        await bs.stop()
    rows = await bs.outbox.rows()
    assert [r.status for r in rows] == ["sent", "sent"]
    assert rows[0].scheduled_for == DAY1


def _demo_briefing() -> Any:
    from importlib import resources

    from briefings import distill
    from briefings.ingest import article_from_bytes

    data = resources.files("briefings").joinpath("data/demo_article.txt").read_bytes()
    return distill(article_from_bytes(data, name="demo"))


class _OneArticleStore:
    """The two store calls render_latest makes, for one article stored at ``added_at``."""

    def __init__(self, added_at: datetime) -> None:
        self.added_at = added_at
        self.demo = _demo_briefing()

    async def latest(self) -> Any:
        return type("A", (), {"id": 7, "key": "#7", "name": "Demo", "added_at": self.added_at})()

    async def briefing(self, article_id: int) -> Any:
        assert article_id == 7
        return self.demo


async def test_render_latest_picks_sections() -> None:
    from briefings.render import Renderer

    render = render_latest(_OneArticleStore(DAY1 - timedelta(hours=1)), Renderer())
    everything = await daily_sub(("frontline", "forces", "policy", "quotes"))
    full = await render(everything, DAY1)
    titles = [e.title for m in full for e in m.embeds]
    assert titles == ["Frontline situation", "Forces and numbers", "Policy context", "Key quotes"]
    # The demo's places are fictional: the gazetteer locates none, and no map is drawn.
    assert not [a for m in full for a in m.attachments]
    # Chosen sections are one post (header and their embeds, in the subscription's order),
    # not one message per section.
    some = await daily_sub(("quotes", "forces"))
    post = await render(some, DAY1)
    assert len(post) == 1 and post[0].content
    assert [e.title for e in post[0].embeds] == ["Key quotes", "Forces and numbers"]
    assert not post[0].attachments  # no frontline section, no map


async def test_a_post_with_the_frontline_carries_the_map_of_its_places() -> None:
    from briefings.render import Renderer

    store = _OneArticleStore(DAY1 - timedelta(hours=1))
    real = ("Kramatorsk", "Sloviansk", "Siversk")
    store.demo = dataclasses.replace(
        store.demo,
        frontline=tuple(
            dataclasses.replace(item, places=(real[i % 3],))
            for i, item in enumerate(store.demo.frontline)
        ),
    )
    render = render_latest(store, Renderer())
    post = await render(await daily_sub(("frontline", "quotes")), DAY1)
    assert [a.filename for m in post for a in m.attachments] == ["front.png"]
    assert post[0].attachments[0].data.startswith(b"\x89PNG")


async def daily_sub(sections: tuple[str, ...]) -> Subscription:
    return Subscription(
        1, None, 1, sections, "daily 08:00", "UTC", False, None, "command", DAY1, None
    )


def test_scheduler_config(tmp_path: Path) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("[scheduler]\nmisfire_grace_minutes = 30\n[discord]\nadmin_channel = 55\n")
    conf = scheduler_config_of(load_config(cfg, env={}))
    assert conf == SchedulerConfig(misfire_grace=timedelta(minutes=30), admin_channel_id=55)
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert scheduler_config_of(load_config(empty, env={})) == SchedulerConfig()
    for body, message in [
        ("misfire_grace_minutes = 0", r"\[scheduler\] misfire_grace_minutes: must be at least 1"),
        ("grace = 5", r"\[scheduler\] grace: unknown key"),
        ("max_attempts = 0", r"\[scheduler\] max_attempts: must be at least 1"),
    ]:
        cfg.write_text(f"[scheduler]\n{body}\n")
        with pytest.raises(ConfigError, match=message):
            load_config(cfg, env={})


# --- end to end: scheduler, outbox and discord.py against the local fake Discord ---------


class DyingSender(DiscordSender):
    """The real sender, in a process that is killed right after its ``n``-th accepted post."""

    def __init__(self, client: discord.Client, n: int) -> None:
        super().__init__(client)
        self.left = n
        self.dead = False

    async def send(self, channel_id: int, payload: dict[str, Any], files: Any = ()) -> int:
        if self.dead:
            raise SimulatedCrash
        mid = await super().send(channel_id, payload, files)
        self.left -= 1
        if self.left <= 0:
            self.dead = True
            raise SimulatedCrash
        return mid


async def test_fan_out_killed_midway_restarts_with_one_post_per_channel(
    monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    channels = [5000 + i for i in range(30)]
    admin = 7777
    async with FakeDiscord() as server:
        monkeypatch.setattr(discord.http.Route, "BASE", server.api)
        client = discord.Client(intents=discord.Intents.none())
        await client.login("test-token")
        try:
            for ch in (5003, 5007, 5011):
                server.fail_next(rf"/channels/{ch}/messages", (429, {"retry_after": 0.01}))
            server.fail_next(r"/channels/5005/messages", (500, {"message": "oops"}))
            # the channel stays forbidden (for reading it back after the crash, too)
            forbidden = (403, {"message": "Missing Access"})
            server.fail_next(r"/channels/5013/messages", *[forbidden] * 5)

            engine = create_async_engine(db_url)
            await create_tables(engine)
            subs = [await daily(engine, ch) for ch in channels]
            clock = Clock(DAY1 + timedelta(seconds=1))
            config = SchedulerConfig(misfire_grace=GRACE, admin_channel_id=admin)

            def scheduler(sender: DiscordSender) -> BriefingScheduler:
                box = Outbox(engine, sender, rng=random.Random(5), admin_channel_id=admin)
                return BriefingScheduler(engine, box, Renders(), config=config, clock=clock)

            first = scheduler(DyingSender(client, n=12))
            await first.start(deliver=False)  # the 08:00 run is due: 30 posts of 2 parts
            with pytest.raises(SimulatedCrash):
                await first.outbox.deliver_due(now=clock.now)
            await wait_for_the_dead()
            first.scheduler.shutdown(wait=False)
            await engine.dispose()
            assert 0 < sum(len(server.messages.get(f"channel:{c}", [])) for c in channels) < 60

            clock.now = DAY1 + timedelta(minutes=1)
            engine = create_async_engine(db_url)
            second = scheduler(DiscordSender(client))
            await second.start(deliver=False)
            try:
                for _ in range(5):
                    report = await second.outbox.deliver_due(now=clock.now)
                    if report.next_due is None:
                        break
                    clock.now = max(clock.now, report.next_due)
            finally:
                await second.stop()
            for sub in subs:
                got = [m["content"] for m in server.messages.get(f"channel:{sub.channel_id}", [])]
                if sub.channel_id == 5013:
                    assert got == []
                    continue
                head = f"briefing for {sub.channel_id} at 2026-03-02 08:00"
                assert got == [head, "sections: frontline,forces,policy,quotes"], sub.channel_id
            reports = [m["content"] for m in server.messages.get(f"channel:{admin}", [])]
            assert len(reports) == 1 and "<#5013>" in reports[0]
            paused = await get_subscription(engine, subs[13].id)
            assert paused is not None and paused.paused
            await engine.dispose()
        finally:
            await client.close()


def test_the_documented_example_blocks_load(tmp_path: Path) -> None:
    """The commented [scheduler] and [[subscriptions]] of the example, uncommented, are valid."""
    example = Path(__file__).resolve().parents[1] / "config" / "sitrep.example.toml"
    lines = example.read_text(encoding="utf-8").splitlines()
    start = lines.index("# [scheduler]")
    body = [line.removeprefix("# ") for line in lines[start:] if line.startswith("# ")]
    body = [line for line in body if re.match(r"\[|\w+ = ", line)]  # not the prose
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("\n".join(body) + "\n", encoding="utf-8")
    config = load_config(cfg, env={})
    assert scheduler_config_of(config).misfire_grace == timedelta(minutes=15)
    (declared,) = declared_in(config)
    assert (declared.schedule, declared.timezone) == ("daily 08:00", "Europe/Kyiv")
    assert declared.sections == ("frontline", "quotes")


async def test_replay_plays_a_day_of_schedules_in_time_order(engine: AsyncEngine) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    kyiv = await create_subscription(
        engine, channel_id=1, schedule="daily 08:00", timezone="Europe/Kyiv", now=start
    )
    six = await create_subscription(engine, channel_id=2, schedule="every 6h", now=start)
    printed: list[str] = []
    box = Outbox(engine, ConsoleSender(printed.append), rng=random.Random(1))
    bs = BriefingScheduler(engine, box, Renders(), clock=Clock(start))
    results = await bs.replay(start, start + timedelta(days=1))
    assert [(r.subscription_id, r.scheduled_for) for r in results] == [
        (kyiv.id, datetime(2026, 1, 1, 6, tzinfo=UTC)),  # 08:00 in Kyiv
        (six.id, datetime(2026, 1, 1, 6, tzinfo=UTC)),
        (six.id, datetime(2026, 1, 1, 12, tzinfo=UTC)),
        (six.id, datetime(2026, 1, 1, 18, tzinfo=UTC)),
        (six.id, datetime(2026, 1, 2, 0, tzinfo=UTC)),
    ]
    assert len(printed) == 10  # every run posted (two parts each), in order
    assert "briefing for 1 at 2026-01-01 08:00" in printed[0]  # rendered at Kyiv time
    assert "briefing for 2 at 2026-01-02 00:00" in printed[-2]
    assert {r.status for r in await box.rows()} == {"sent"}


async def test_sync_and_start_brings_the_configuration_into_the_table(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text('[[subscriptions]]\nchannel = 77\nschedule = "weekdays 07:30"\n')
    bs = build(engine, FakeSender(), Clock(DAY1))
    await sync_and_start(bs, load_config(cfg, env={}), deliver=False)
    try:
        (sub,) = await list_subscriptions(engine)
        assert (sub.channel_id, sub.origin) == (77, "config")
        assert [job.id for job in bs.scheduler.get_jobs()] == [f"sub:{sub.id}"]
    finally:
        await bs.stop()


async def test_the_bot_starts_the_scheduler_and_posts_a_subscribed_briefing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Through SitrepBot's extension hooks: subscribe in the configuration, advance the clock,
    the post arrives in the channel (fake Discord) with the latest briefing's quotes."""
    from bot.gateway.client import SitrepBot
    from briefings import build_article

    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        "[store]\nurl = 'sqlite:///bot.db'\n"
        "[[subscriptions]]\nchannel = 4321\nschedule = 'every 6h'\nsections = ['quotes']\n",
        encoding="utf-8",
    )
    async with FakeDiscord() as server:
        monkeypatch.setattr(discord.http.Route, "BASE", server.api)
        bot = SitrepBot(load_config(cfg, env={"DISCORD_TOKEN": "secret-token"}))
        try:
            await bot.login("secret-token")  # runs setup_hook, which starts the scheduler
            text = (
                'Troops held the bridgehead on Tuesday. "We will not give up this bank, '
                '@everyone," said Anna Bell, a company commander. The river rose overnight.'
            )
            await bot.store.add_article(build_article(text, title="Bridgehead holds"))
            bs = bot.briefing_scheduler
            (sub,) = await list_subscriptions(bs.engine)
            assert sub.origin == "config" and bs.next_run(sub.id) is not None
            run = sub.schedule.next_runs(datetime.now(UTC), 1)[0]
            later = run + timedelta(seconds=3)
            result = await bs.run_subscription(sub.id, now=later)
            assert result.scheduled_for == run and result.parts >= 1
            await bs.outbox.deliver_due(now=later)
        finally:
            await bot.close()
        posted = server.messages.get("channel:4321", [])
        assert len(posted) == result.parts
        bodies = [c.json for c in server.calls("POST", r"/channels/4321/messages")]
        assert all(b and b["allowed_mentions"]["parse"] == [] for b in bodies)
        shown = json.dumps(bodies)
        assert "We will not give up this bank" in shown and "Anna Bell" in shown
