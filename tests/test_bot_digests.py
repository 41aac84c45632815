"""Digests in the bot (bot.commands.digests): new articles, the scheduled post, /briefing since.

The three reports of tests/fixtures/digest are stored at chosen times (the store stamps
``added_at`` with the clock, so the tests move it) and posted in turn.
"""

from __future__ import annotations

import dataclasses
import io
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from delivery_fakes import FakeSender
from sqlalchemy import update

from bot.commands.digests import (
    DurationError,
    added_before,
    added_between,
    describe_period,
    parse_duration,
    render_latest,
)
from bot.commands.pipeline import Invocation, answer, parse_command
from bot.config import load_config
from bot.delivery.outbox import Outbox
from bot.runner import dry_run_command
from bot.scheduling.scheduler import BriefingScheduler, SchedulerConfig
from bot.scheduling.subscriptions import Subscription, create_subscription
from bot.store.articles import Store, articles
from briefings.ingest import read_article
from briefings.limits import message_violations
from briefings.render import Renderer

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "digest"
T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
OUTLETS = {"1_ledger": "Varta Ledger", "2_meridian": "Meridian Wire", "3_herald": "Plains Herald"}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """The three reports stored one, two and three hours after T0."""
    s = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'digest.db'}")
    try:
        for hours, path in enumerate(sorted(FIXTURES.glob("*.txt")), 1):
            await put(s, path, at(hours))
        yield s
    finally:
        await s.close()


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


async def put(store: Store, path: Path, when: datetime) -> None:
    """Store the report at ``path`` as if it arrived at ``when``."""
    article = dataclasses.replace(
        read_article(str(path)),
        source=OUTLETS[path.stem],
        url=f"https://news.example/{path.stem}",
    )
    assert await store.add_article(article)
    async with store.engine.begin() as conn:
        await conn.execute(
            update(articles).where(articles.c.sha256 == article.sha256).values(added_at=when)
        )


# ---------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6h", timedelta(hours=6)),
        ("2d", timedelta(days=2)),
        ("90m", timedelta(minutes=90)),
        (" 1d12h ", timedelta(hours=36)),
        ("24 hours", timedelta(hours=24)),
        ("1w", timedelta(days=7)),
        ("2 days and 3 hours", timedelta(hours=51)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("yesterday", "not a duration"),
        ("", "not a duration"),
        ("6", "not a duration"),
        ("-6h", "not a duration"),
        ("6x", "unknown unit"),
        ("30s", "unknown unit"),
        ("0m", "too short"),
        ("31d", "too long"),
        ("99999999h", "not a duration"),
    ],
)
def test_bad_durations_say_how(text: str, says: str) -> None:
    with pytest.raises(DurationError) as err:
        parse_duration(text)
    assert says in str(err.value) and "90m, 6h, 2d" in str(err.value)


def test_describe_period() -> None:
    assert describe_period(timedelta(hours=24)) == "1 day"
    assert describe_period(timedelta(minutes=90)) == "90 minutes"
    assert describe_period(timedelta(hours=6)) == "6 hours"


# ---------------------------------------------------------------- store queries


async def test_articles_added_in_a_period_oldest_first(store: Store) -> None:
    found, total = await added_between(store, at(1.5), at(10))
    assert [a.source for a in found] == ["Meridian Wire", "Plains Herald"] and total == 2
    found, total = await added_between(store, at(0), at(10), limit=2)
    assert [a.source for a in found] == ["Meridian Wire", "Plains Herald"] and total == 3
    found, _ = await added_between(store, at(1.5), at(2.5))  # the end is a bound too
    assert [a.source for a in found] == ["Meridian Wire"]
    seen = await added_before(store, at(2.5))
    assert [a.source for a in seen] == ["Varta Ledger", "Meridian Wire"]
    assert await added_before(store, at(2.5), window=timedelta(hours=1)) == [seen[1]]


# ---------------------------------------------------------------- scheduled posts


def subscription(last_posted_at: datetime | None, sections: tuple[str, ...]) -> Subscription:
    return Subscription(
        1, None, 5, sections, "daily 08:00", "UTC", False, None, "command", T0, last_posted_at
    )


ALL = ("frontline", "forces", "policy", "quotes")


async def test_scheduled_posts_in_turn(store: Store) -> None:
    render = render_latest(store, Renderer())
    # The first post (nothing posted before): the latest briefing, as always.
    first = await render(subscription(None, ALL), at(1.5))
    assert first[0].content.startswith("## Situation briefing")
    # Two reports new since the last post: their digest, compared with the first report.
    second = await render(subscription(at(1.5), ALL), at(4))
    assert second[0].content.startswith("## Digest: 2 new reports")
    assert "compared with 1 earlier report" in second[0].content
    changed = second[0].embeds[0].description or ""
    assert "3:1 → **10:1**" in changed and "Lisnivka" in changed
    for m in second:
        assert message_violations(m) == ()
    # One report new: its briefing.
    third = await render(subscription(at(2.5), ALL), at(4))
    assert third[0].content.startswith("## Situation briefing: Dovzhyk Braces")
    # A subscription to some sections gets a digest of those.
    some = await render(subscription(at(1.5), ("forces", "quotes")), at(4))
    titles = [e.title for m in some for e in m.embeds]
    assert titles == ["What changed", "Forces and numbers", "Key quotes", "Sources"]
    # Channels of one run with the same last post share one computed post.
    assert await render(subscription(at(1.5), ALL), at(4)) is second
    assert await render(subscription(at(1.5), ALL), at(5)) is not second
    # Nothing stored since the last post: no post at all, never a repeat of old news.
    assert await render(subscription(at(3.5), ALL), at(24)) == []


async def test_daily_posts_through_the_outbox(tmp_path: Path) -> None:
    """A daily subscription posts the first report, then, the next day, the digest of the two
    reports stored since, with what changed."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'daily.db'}")
    try:
        paths = sorted(FIXTURES.glob("*.txt"))
        sub = await create_subscription(
            store.engine, channel_id=77, schedule="daily 08:00", now=T0 - timedelta(days=1)
        )
        sender = FakeSender()
        outbox = Outbox(store.engine, sender, rng=random.Random(1))
        scheduler = BriefingScheduler(
            store.engine, outbox, render_latest(store, Renderer()), config=SchedulerConfig()
        )
        await put(store, paths[0], at(1))
        first = await scheduler.run_subscription(sub.id, now=at(2))  # Sunday 08:00
        await outbox.deliver_due(now=at(2))
        await put(store, paths[1], at(20))
        await put(store, paths[2], at(21))
        store._latest_at = float("-inf")  # as after LATEST_TTL
        second = await scheduler.run_subscription(sub.id, now=at(26))  # Monday 08:00
        await outbox.deliver_due(now=at(26))
    finally:
        await store.close()
    assert first.enqueued and second.enqueued
    posts = [payload for _, payload in sender.channels[77]]
    assert posts[0]["content"].startswith("## Situation briefing: Defenders Dig In")
    digest = [p for p in posts if p.get("content", "").startswith("## Digest: 2 new reports")]
    assert len(digest) == 1
    changed = digest[0]["embeds"][0]["description"]
    assert "3:1 → **10:1**" in changed and "**Lisnivka** newly reported captured" in changed
    assert all(p["allowed_mentions"] == {"parse": [], "replied_user": False} for p in posts)


# ---------------------------------------------------------------- /briefing since


async def test_briefing_since_gives_the_digest(store: Store) -> None:
    messages = await answer(
        store, Renderer(), Invocation.of("briefing", {"since": "4h"}, now=at(4))
    )
    assert messages[0].content.startswith("## Digest: 3 new reports")
    assert not messages[0].ephemeral
    one = await answer(store, Renderer(), Invocation.of("briefing", {"since": "90m"}, now=at(4)))
    assert one[0].content.startswith("## Situation briefing: Dovzhyk Braces")
    section = await answer(
        store, Renderer(), Invocation.of("briefing", {"since": "1d", "section": "quotes"}, at(4))
    )
    assert [e.title for m in section for e in m.embeds] == ["Key quotes", "Sources"]


async def test_digest_keeps_the_most_recent_and_counts_the_rest(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.commands.digests.MAX_ARTICLES", 2)
    messages = await answer(store, Renderer(), Invocation.of("briefing", {"since": "1d"}, at(4)))
    assert messages[0].content.startswith("## Digest: 3 new reports")
    sources = messages[-1].embeds[-1].description or ""
    assert "Varta Ledger" not in sources and "Plains Herald" in sources
    assert sources.endswith("*+1 more*")


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"since": "soon"}, "'soon' is not a duration. Write it like 90m, 6h, 2d"),
        ({"since": "30m"}, "No new articles in the last 30 minutes."),
        ({"since": "1h", "article": "Village"}, "Give either since or article, not both."),
    ],
)
async def test_briefing_since_helpful_replies(
    store: Store, options: dict[str, str], says: str
) -> None:
    messages = await answer(store, Renderer(), Invocation.of("briefing", options, now=at(10)))
    assert len(messages) == 1 and messages[0].ephemeral
    assert messages[0].content.startswith(says)


def test_since_is_an_option_of_briefing() -> None:
    inv = parse_command("/briefing since:24h section:forces")
    assert inv.get("since") == "24h" and inv.get("section") == "forces"


async def test_dry_run_briefing_since(tmp_path: Path) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        f"[store]\nurl = 'sqlite:///d.db'\n[sources]\nfolders = ['{FIXTURES}']\n",
        encoding="utf-8",
    )
    config = load_config(cfg, env={})
    out = io.StringIO()
    assert await dry_run_command(config, "/briefing since:24h", out=out) == 0
    text = out.getvalue()
    assert "## Digest: 3 new reports" in text and "# What changed" in text
