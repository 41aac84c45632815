"""Channels subscribed to briefings on a schedule: the ``subscriptions`` table is the truth.

Subscriptions come from two places, ``/subscribe`` and ``[[subscriptions]]`` in the
configuration, and both live in this table; the scheduler derives its jobs from it alone.
``sync_declared`` brings the table in line with the configuration at start-up: declared entries
missing from the table are added, rows the configuration declared earlier and no longer does are
removed, and rows still declared keep their state (paused, last post). Rows made by commands are
never touched by the sync.

``last_posted_at`` is the *scheduled* time of the last post enqueued for the subscription (not the
moment it was sent): it is what the catch-up after a restart compares with the schedule.

Configuration (registered with the config loader when this module is imported)::

    [[subscriptions]]
    channel = 123456789012345678      # required, a Discord channel id
    guild = 987654321098765432        # optional
    schedule = "daily 08:00"          # cron or plain words (bot.scheduling.schedule)
    timezone = "Europe/Kyiv"          # IANA name, default UTC
    sections = ["frontline", "quotes"]  # default: all four
    theatre = "Sudan"                 # only that theatre's articles (default: every theatre)

A subscription's ``theatre`` (stored as written; ``""`` in the table for every theatre) keeps
its posts to the articles of that theatre (``bot.store.theatres``); it is part of what makes two
subscriptions of a channel different, with the schedule, time zone and sections.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Table as ConfigTable
from bot.config import register_table, shown
from bot.scheduling.schedule import Schedule, ScheduleError, parse_schedule
from bot.store.articles import db_time, metadata, utc
from bot.store.subscriptions import THEATRE_LENGTH, subscriptions
from briefings.errors import SitrepError
from briefings.model import SECTIONS
from briefings.sanitize import escape_markdown

__all__ = [
    "DeclaredSubscription",
    "Subscription",
    "SubscriptionError",
    "SyncReport",
    "create_subscription",
    "create_tables",
    "delete_subscription",
    "get_subscription",
    "list_subscriptions",
    "mark_posted",
    "normalize_sections",
    "parse_declared",
    "set_paused",
    "subscribe_channels",
    "subscriptions",
    "sync_declared",
]

ORIGIN_COMMAND = "command"
ORIGIN_CONFIG = "config"


class SubscriptionError(SitrepError):
    """A subscription that cannot be made: bad sections, duplicate, unknown id."""


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    guild_id: int | None
    channel_id: int
    sections: tuple[str, ...]
    schedule_spec: str
    timezone: str
    paused: bool
    paused_reason: str | None
    origin: str
    created_at: datetime
    last_posted_at: datetime | None
    theatre: str | None = None  # only this theatre's articles; None: every theatre

    @property
    def schedule(self) -> Schedule:
        return parse_schedule(self.schedule_spec, self.timezone)

    @property
    def job_id(self) -> str:
        return f"sub:{self.id}"

    def next_run(self, now: datetime) -> datetime | None:
        """The next scheduled run after ``now`` (None while paused)."""
        if self.paused:
            return None
        runs = self.schedule.next_runs(now, 1)
        return runs[0] if runs else None

    def describe(self, now: datetime) -> str:
        """One line for ``/subscriptions``: channel, schedule, sections, and the next run in
        Discord's timestamp format (each reader sees it in their own time zone)."""
        head = (
            f"#{self.id} <#{self.channel_id}> · {self.schedule.describe()} · "
            f"{', '.join(self.sections)}"
        )
        if self.theatre:
            head += f" · {escape_markdown(self.theatre)} only"
        if self.paused:
            return f"{head} · paused: {self.paused_reason or 'by an admin'}"
        nxt = self.next_run(now)
        if nxt is None:
            return f"{head} · no further runs"
        ts = int(nxt.timestamp())
        return f"{head} · next <t:{ts}:f> (<t:{ts}:R>)"


@dataclass(frozen=True, slots=True)
class DeclaredSubscription:
    """One ``[[subscriptions]]`` entry of the configuration, validated."""

    channel_id: int
    schedule: str
    timezone: str = "UTC"
    sections: tuple[str, ...] = SECTIONS
    guild_id: int | None = None
    theatre: str | None = None


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: int = 0
    removed: int = 0
    kept: int = 0


def normalize_sections(names: Iterable[str] | str | None) -> tuple[str, ...]:
    """Section names in canonical order; ``None``, empty or ``all`` mean all four."""
    if names is None:
        return SECTIONS
    if isinstance(names, str):
        names = [n for n in names.replace(",", " ").split() if n]
    wanted = {n.strip().lower() for n in names if n.strip()}
    if not wanted or wanted == {"all"}:
        return SECTIONS
    unknown = sorted(wanted - set(SECTIONS))
    if unknown:
        raise SubscriptionError(
            f"Unknown section {shown(unknown[0])}: the sections are {', '.join(SECTIONS)}."
        )
    return tuple(s for s in SECTIONS if s in wanted)


def normalize_theatre(name: str | None) -> str | None:
    """A theatre as stored: spaces tidied, ``None`` for none; ``SubscriptionError`` when too
    long to be one."""
    if name is None:
        return None
    tidy = " ".join(name.split())
    if not tidy:
        return None
    if len(tidy) > THEATRE_LENGTH:
        raise SubscriptionError(f"A theatre's name is at most {THEATRE_LENGTH} characters.")
    return tidy


def _row(row: Any) -> Subscription:
    created = db_time(row.created_at)
    assert created is not None
    return Subscription(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        sections=tuple(s for s in row.sections.split(",") if s),
        schedule_spec=row.schedule,
        timezone=row.timezone,
        paused=bool(row.paused),
        paused_reason=row.paused_reason,
        origin=row.origin,
        created_at=created,
        last_posted_at=db_time(row.last_posted_at),
        theatre=row.theatre or None,
    )


async def create_tables(engine: AsyncEngine) -> None:
    """Create the subscriptions table (and the rest of the shared metadata) if missing."""
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


async def create_subscription(
    engine: AsyncEngine,
    *,
    channel_id: int,
    schedule: str,
    timezone: str = "UTC",
    sections: Iterable[str] | str | None = None,
    guild_id: int | None = None,
    now: datetime,
    origin: str = ORIGIN_COMMAND,
    theatre: str | None = None,
) -> Subscription:
    """Validate and store a subscription; ScheduleError/SubscriptionError with a clear message."""
    parsed = parse_schedule(schedule, timezone)
    chosen = normalize_sections(sections)
    only = normalize_theatre(theatre)
    values = {
        "guild_id": guild_id,
        "channel_id": channel_id,
        "sections": ",".join(chosen),
        "schedule": parsed.spec,
        "timezone": parsed.timezone,
        "paused": False,
        "origin": origin,
        "created_at": utc(now),
        "theatre": only or "",
    }
    async with engine.begin() as conn:
        existing = await conn.scalar(
            select(subscriptions.c.id).where(
                subscriptions.c.channel_id == channel_id,
                subscriptions.c.schedule == parsed.spec,
                subscriptions.c.timezone == parsed.timezone,
                subscriptions.c.sections == values["sections"],
                subscriptions.c.theatre == values["theatre"],
            )
        )
        if existing is not None:
            of = f", {only} only" if only else ""
            raise SubscriptionError(
                f"This channel already has that subscription (#{existing}): "
                f"{parsed.describe()}, {', '.join(chosen)}{of}."
            )
        result = await conn.execute(subscriptions.insert().values(**values))
        (new_id,) = result.inserted_primary_key or (None,)
        row = (await conn.execute(select(subscriptions).where(subscriptions.c.id == new_id))).one()
    return _row(row)


async def subscribe_channels(
    engine: AsyncEngine,
    channel_ids: Iterable[int],
    *,
    schedule: str,
    timezone: str = "UTC",
    sections: Iterable[str] | str | None = None,
    now: datetime,
    last_posted_at: datetime | None = None,
    theatre: str | None = None,
) -> int:
    """One subscription per channel, validated once and written in one transaction (a fan-out
    to many channels); returns how many were written. No duplicate check: for new channels."""
    parsed = parse_schedule(schedule, timezone)
    chosen = ",".join(normalize_sections(sections))
    only = normalize_theatre(theatre) or ""
    rows = [
        {
            "channel_id": channel,
            "sections": chosen,
            "schedule": parsed.spec,
            "timezone": parsed.timezone,
            "paused": False,
            "origin": ORIGIN_COMMAND,
            "created_at": utc(now),
            "last_posted_at": utc(last_posted_at) if last_posted_at else None,
            "theatre": only,
        }
        for channel in channel_ids
    ]
    if rows:
        async with engine.begin() as conn:
            await conn.execute(subscriptions.insert(), rows)
    return len(rows)


async def get_subscription(engine: AsyncEngine, subscription_id: int) -> Subscription | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(select(subscriptions).where(subscriptions.c.id == subscription_id))
        ).first()
    return _row(row) if row is not None else None


async def list_subscriptions(
    engine: AsyncEngine,
    *,
    guild_id: int | None = None,
    channel_id: int | None = None,
    active_only: bool = False,
) -> list[Subscription]:
    """Subscriptions by id, optionally of one guild or channel, optionally only unpaused."""
    stmt = select(subscriptions).order_by(subscriptions.c.id)
    if guild_id is not None:
        stmt = stmt.where(subscriptions.c.guild_id == guild_id)
    if channel_id is not None:
        stmt = stmt.where(subscriptions.c.channel_id == channel_id)
    if active_only:
        stmt = stmt.where(subscriptions.c.paused.is_(False))
    async with engine.connect() as conn:
        return [_row(r) for r in (await conn.execute(stmt)).all()]


async def delete_subscription(
    engine: AsyncEngine, subscription_id: int, *, guild_id: int | None = None
) -> bool:
    """Remove a subscription (only of ``guild_id`` when given); False when there was none."""
    stmt = delete(subscriptions).where(subscriptions.c.id == subscription_id)
    if guild_id is not None:
        stmt = stmt.where(subscriptions.c.guild_id == guild_id)
    async with engine.begin() as conn:
        result = await conn.execute(stmt)
    return bool(result.rowcount)


async def set_paused(
    engine: AsyncEngine, subscription_id: int, paused: bool, reason: str | None = None
) -> bool:
    """Pause (with a reason shown to admins) or resume; False when the id is unknown."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(subscriptions)
            .where(subscriptions.c.id == subscription_id)
            .values(paused=paused, paused_reason=reason if paused else None)
        )
    return bool(result.rowcount)


async def mark_posted(engine: AsyncEngine, subscription_id: int, scheduled_for: datetime) -> bool:
    """Record that the post scheduled for ``scheduled_for`` is enqueued; never moves backwards.

    True when this call advanced ``last_posted_at`` (False: an equal or later run was recorded).
    """
    when = utc(scheduled_for)
    async with engine.begin() as conn:
        result = await conn.execute(
            update(subscriptions)
            .where(
                subscriptions.c.id == subscription_id,
                or_(
                    subscriptions.c.last_posted_at.is_(None),
                    subscriptions.c.last_posted_at < when,
                ),
            )
            .values(last_posted_at=when)
        )
    return bool(result.rowcount)


_Key = tuple[int, str, str, str, str]


def _declared_key(d: DeclaredSubscription) -> _Key:
    parsed = parse_schedule(d.schedule, d.timezone)
    sections = ",".join(normalize_sections(d.sections))
    return (d.channel_id, parsed.spec, parsed.timezone, sections, d.theatre or "")


async def sync_declared(
    engine: AsyncEngine, declared: Sequence[DeclaredSubscription], *, now: datetime
) -> SyncReport:
    """Make the configuration's subscriptions rows of the table (see the module docstring)."""
    wanted: dict[_Key, DeclaredSubscription] = {}
    for d in declared:
        wanted.setdefault(_declared_key(d), d)
    added = removed = kept = 0
    async with engine.begin() as conn:
        rows = (await conn.execute(select(subscriptions))).all()
        existing = {
            (r.channel_id, r.schedule, r.timezone, r.sections, r.theatre or ""): r for r in rows
        }
        for key, row in existing.items():
            if row.origin != ORIGIN_CONFIG:
                continue
            if key in wanted:
                kept += 1
            else:
                await conn.execute(delete(subscriptions).where(subscriptions.c.id == row.id))
                removed += 1
        for key, d in wanted.items():
            if key in existing:
                continue  # already there (from the config, or made by a command)
            channel_id, spec, zone, sections, theatre = key
            await conn.execute(
                subscriptions.insert().values(
                    guild_id=d.guild_id,
                    channel_id=channel_id,
                    sections=sections,
                    schedule=spec,
                    timezone=zone,
                    paused=False,
                    origin=ORIGIN_CONFIG,
                    created_at=utc(now),
                    theatre=theatre,
                )
            )
            added += 1
    return SyncReport(added=added, removed=removed, kept=kept)


async def due_rows(engine: AsyncEngine, ids: Sequence[int]) -> list[Subscription]:
    """The unpaused subscriptions among ``ids`` (for a fan-out of one run)."""
    stmt = select(subscriptions).where(
        and_(subscriptions.c.id.in_(list(ids)), subscriptions.c.paused.is_(False))
    )
    async with engine.connect() as conn:
        return [_row(r) for r in (await conn.execute(stmt)).all()]


def parse_declared(t: ConfigTable) -> DeclaredSubscription:
    """Parse one ``[[subscriptions]]`` entry; ConfigError naming file and key."""
    channel = t.snowflake("channel")
    if channel is None:
        raise t.error("channel", "is required (the Discord id of the channel to post in)")
    guild = t.snowflake("guild")
    spec = t.text("schedule")
    if spec is None:
        raise t.error("schedule", "is required, for example 'daily 08:00' or '0 8 * * *'")
    zone = t.text("timezone", "UTC") or "UTC"
    names = t.str_list("sections")
    try:
        schedule = parse_schedule(spec, zone)
    except ScheduleError as exc:
        key = "timezone" if "time zone" in str(exc) else "schedule"
        raise t.error(key, str(exc)) from None
    try:
        sections = normalize_sections(names or None)
    except SubscriptionError as exc:
        raise t.error("sections", str(exc)) from None
    try:
        theatre = normalize_theatre(t.text("theatre"))
    except SubscriptionError as exc:
        raise t.error("theatre", str(exc)) from None
    return DeclaredSubscription(
        channel_id=channel,
        schedule=schedule.spec,
        timezone=schedule.timezone,
        sections=sections,
        guild_id=guild,
        theatre=theatre,
    )


register_table("subscriptions", parse_declared, array=True)


def declared_in(config: object) -> tuple[DeclaredSubscription, ...]:
    """The ``[[subscriptions]]`` of a loaded ``bot.config.Config`` (empty when none)."""
    table = getattr(config, "table", None)
    value = table("subscriptions") if callable(table) else None
    if not isinstance(value, tuple):
        return ()
    return tuple(v for v in value if isinstance(v, DeclaredSubscription))
