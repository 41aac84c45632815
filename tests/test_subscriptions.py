"""The subscriptions table: CRUD on a real SQLite file, and the sync of declared subscriptions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.config import load_config
from bot.scheduling.schedule import ScheduleError
from bot.scheduling.subscriptions import (
    DeclaredSubscription,
    SubscriptionError,
    create_subscription,
    create_tables,
    declared_in,
    delete_subscription,
    get_subscription,
    list_subscriptions,
    mark_posted,
    normalize_sections,
    set_paused,
    subscribe_channels,
    sync_declared,
)
from briefings.errors import ConfigError
from briefings.model import SECTIONS

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    eng = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'subs.db'}")
    await create_tables(eng)
    yield eng
    await eng.dispose()


async def test_create_get_list_delete(engine: AsyncEngine) -> None:
    sub = await create_subscription(
        engine,
        guild_id=1,
        channel_id=10,
        schedule="Daily 08:00",
        timezone="Europe/Kyiv",
        sections=["quotes", "frontline"],
        now=NOW,
    )
    assert sub.id > 0
    assert sub.job_id == f"sub:{sub.id}"
    assert sub.sections == ("frontline", "quotes")  # canonical order
    assert sub.schedule_spec == "daily 08:00"
    assert sub.created_at == NOW and sub.created_at.tzinfo is not None
    assert sub.last_posted_at is None and not sub.paused
    assert sub.schedule.next_runs(NOW, 1)[0].astimezone(UTC) == datetime(2026, 1, 2, 6, tzinfo=UTC)

    other = await create_subscription(
        engine, guild_id=2, channel_id=20, schedule="every 6h", now=NOW
    )
    assert other.sections == SECTIONS
    assert [s.id for s in await list_subscriptions(engine)] == [sub.id, other.id]
    assert [s.id for s in await list_subscriptions(engine, guild_id=2)] == [other.id]
    assert [s.id for s in await list_subscriptions(engine, channel_id=10)] == [sub.id]
    assert await get_subscription(engine, sub.id) == sub

    assert not await delete_subscription(engine, sub.id, guild_id=2)  # another guild's
    assert await delete_subscription(engine, sub.id, guild_id=1)
    assert await get_subscription(engine, sub.id) is None
    assert not await delete_subscription(engine, sub.id)


async def test_bad_input_is_refused_with_clear_errors(engine: AsyncEngine) -> None:
    with pytest.raises(ScheduleError, match="Cannot read the schedule"):
        await create_subscription(engine, channel_id=1, schedule="sometimes", now=NOW)
    with pytest.raises(ScheduleError, match="Unknown time zone"):
        await create_subscription(
            engine, channel_id=1, schedule="daily 08:00", timezone="Moon/Base", now=NOW
        )
    with pytest.raises(SubscriptionError, match="Unknown section 'weather'"):
        await create_subscription(
            engine, channel_id=1, schedule="daily 08:00", sections="quotes,weather", now=NOW
        )
    await create_subscription(engine, channel_id=1, schedule="daily 08:00", now=NOW)
    with pytest.raises(SubscriptionError, match="already has that subscription"):
        await create_subscription(engine, channel_id=1, schedule="daily  08:00", now=NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        await create_subscription(
            engine, channel_id=2, schedule="daily 08:00", now=datetime(2026, 1, 1)
        )
    assert len(await list_subscriptions(engine)) == 1


def test_normalize_sections() -> None:
    assert normalize_sections(None) == SECTIONS
    assert normalize_sections("all") == SECTIONS
    assert normalize_sections("") == SECTIONS
    assert normalize_sections("Quotes, forces") == ("forces", "quotes")


async def test_pause_resume_and_mark_posted(engine: AsyncEngine) -> None:
    sub = await create_subscription(engine, channel_id=5, schedule="daily 08:00", now=NOW)
    assert await set_paused(engine, sub.id, True, "Missing Access (403)")
    paused = await get_subscription(engine, sub.id)
    assert paused is not None and paused.paused and paused.paused_reason == "Missing Access (403)"
    assert await list_subscriptions(engine, active_only=True) == []
    assert await set_paused(engine, sub.id, False)
    resumed = await get_subscription(engine, sub.id)
    assert resumed is not None and not resumed.paused and resumed.paused_reason is None
    assert not await set_paused(engine, 999, True)

    first = datetime(2026, 1, 2, 8, tzinfo=UTC)
    assert await mark_posted(engine, sub.id, first)
    assert not await mark_posted(engine, sub.id, first)  # same run again
    assert not await mark_posted(engine, sub.id, datetime(2026, 1, 1, 8, tzinfo=UTC))  # older
    got = await get_subscription(engine, sub.id)
    assert got is not None and got.last_posted_at == first


async def test_sync_declared_adds_keeps_and_removes_only_config_rows(engine: AsyncEngine) -> None:
    by_command = await create_subscription(engine, channel_id=7, schedule="daily 09:00", now=NOW)
    a = DeclaredSubscription(channel_id=1, schedule="daily 08:00", timezone="Europe/Kyiv")
    b = DeclaredSubscription(channel_id=2, schedule="every 6h", sections=("quotes",))
    report = await sync_declared(engine, [a, b, a], now=NOW)
    assert (report.added, report.removed, report.kept) == (2, 0, 0)
    rows = await list_subscriptions(engine)
    assert {(s.channel_id, s.origin) for s in rows} == {
        (7, "command"),
        (1, "config"),
        (2, "config"),
    }

    # state of a kept row survives a restart's sync
    row_a = next(s for s in rows if s.channel_id == 1)
    await set_paused(engine, row_a.id, True, "gone")
    await mark_posted(engine, row_a.id, datetime(2026, 1, 1, 6, tzinfo=UTC))

    report = await sync_declared(engine, [a], now=NOW)
    assert (report.added, report.removed, report.kept) == (0, 1, 1)
    rows = await list_subscriptions(engine)
    assert {s.channel_id for s in rows} == {1, 7}
    kept = next(s for s in rows if s.channel_id == 1)
    assert kept.id == row_a.id and kept.paused and kept.last_posted_at is not None
    assert await get_subscription(engine, by_command.id) == by_command

    report = await sync_declared(engine, [], now=NOW)
    assert (report.added, report.removed) == (0, 1)
    assert [s.id for s in await list_subscriptions(engine)] == [by_command.id]


def test_config_subscriptions_are_parsed_and_validated(tmp_path: Path) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        "[[subscriptions]]\n"
        "channel = 123456789012345678\n"
        'schedule = "weekdays 07:30"\n'
        'timezone = "America/New_York"\n'
        'sections = ["quotes"]\n'
        "\n"
        "[[subscriptions]]\n"
        'channel = "42"\n'
        'schedule = "0 8 * * *"\n',
        encoding="utf-8",
    )
    declared = declared_in(load_config(cfg, env={}))
    assert declared == (
        DeclaredSubscription(
            channel_id=123456789012345678,
            schedule="weekdays 07:30",
            timezone="America/New_York",
            sections=("quotes",),
        ),
        DeclaredSubscription(channel_id=42, schedule="0 8 * * *"),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('schedule = "daily 08:00"', r"\[subscriptions #1\] channel: is required"),
        ("channel = 1", r"\[subscriptions #1\] schedule: is required"),
        ('channel = 1\nschedule = "daily 26:00"', r"schedule: Cannot read the schedule"),
        ('channel = 1\nschedule = "daily 08:00"\ntimezone = "Kyiv"', r"timezone: Unknown time"),
        ('channel = 1\nschedule = "daily 08:00"\nsections = ["x"]', r"sections: Unknown section"),
        ('channel = 1\nschedule = "daily 08:00"\ncolour = "red"', r"colour: unknown key"),
        ('channel = 1\nschedule = "daily 08:00"\ntheatre = ""', r"theatre: must not be empty"),
        ('channel = 1\nschedule = "daily 08:00"\ntheatre = 5', r"theatre: must be a string"),
        (
            f'channel = 1\nschedule = "daily 08:00"\ntheatre = "{"x" * 101}"',
            r"theatre: A theatre's name is at most 100 characters",
        ),
    ],
)
def test_bad_config_subscriptions_name_file_and_key(
    tmp_path: Path, body: str, message: str
) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(f"[[subscriptions]]\n{body}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_config(cfg, env={})
    assert str(cfg.name) in str(info.value)


async def test_describe_shows_the_next_run_as_a_discord_timestamp(engine: AsyncEngine) -> None:
    sub = await create_subscription(
        engine,
        channel_id=10,
        schedule="daily 08:00",
        timezone="Europe/Kyiv",
        sections="quotes",
        now=NOW,
    )
    nxt = int(datetime(2026, 1, 2, 6, tzinfo=UTC).timestamp())  # 08:00 in Kyiv
    assert sub.describe(NOW) == (
        f"#{sub.id} <#10> · daily 08:00 (Europe/Kyiv) · quotes · next <t:{nxt}:f> (<t:{nxt}:R>)"
    )
    await set_paused(engine, sub.id, True, "Missing Access (403)")
    paused = await get_subscription(engine, sub.id)
    assert paused is not None and paused.next_run(NOW) is None
    assert paused.describe(NOW).endswith("· paused: Missing Access (403)")


async def test_subscribe_channels_writes_one_validated_row_per_channel(engine: AsyncEngine) -> None:
    n = await subscribe_channels(
        engine, [11, 12, 13], schedule="weekdays 07:30", timezone="Europe/Kyiv", now=NOW
    )
    assert n == 3
    subs = await list_subscriptions(engine)
    assert sorted(s.channel_id for s in subs) == [11, 12, 13]
    assert {(s.schedule.spec, s.timezone, s.sections) for s in subs} == {
        ("weekdays 07:30", "Europe/Kyiv", SECTIONS)
    }
    with pytest.raises(ScheduleError):
        await subscribe_channels(engine, [14], schedule="every 3s", now=NOW)
    assert len(await list_subscriptions(engine)) == 3  # nothing written for a bad schedule


async def test_a_declared_theatre_is_its_own_subscription(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    cfg = tmp_path / "sitrep.toml"
    entry = '[[subscriptions]]\nchannel = 42\nschedule = "daily 08:00"\n'
    cfg.write_text(f'{entry}theatre = " Sudan "\n\n{entry}', encoding="utf-8")
    declared = declared_in(load_config(cfg, env={}))
    assert [d.theatre for d in declared] == ["Sudan", None]
    report = await sync_declared(engine, declared, now=NOW)
    assert report.added == 2
    subs = await list_subscriptions(engine)
    assert sorted((s.theatre or "") for s in subs) == ["", "Sudan"]
    assert "· Sudan only" in next(s for s in subs if s.theatre).describe(NOW)
    # synced again: both kept, none doubled; without the theatre entry it goes
    assert (await sync_declared(engine, declared, now=NOW)).kept == 2
    report = await sync_declared(engine, declared[1:], now=NOW)
    assert (report.kept, report.removed) == (1, 1)
    assert [s.theatre for s in await list_subscriptions(engine)] == [None]
