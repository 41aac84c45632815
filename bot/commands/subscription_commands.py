"""Slash commands for scheduled briefings: /subscribe, /unsubscribe, /subscriptions, /preview.

The handlers are plain async functions of a :class:`Where` (the database, the render step, the
time, the guild and channel the command was used in, whether the member may manage the server,
and what to call after a change: the scheduler's ``sync_jobs``) and the command's
``Invocation``. The Discord client (``bot.gateway.subscription_discord``, registered through
``bot.scheduling.scheduler``) and ``sitrep dry-run --command "/subscribe ..."`` both call
:func:`answer_subscription`.

A wrong argument (bad schedule, unknown time zone or section, missing permission) is one short
ephemeral reply, and nothing is written.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands.digests import render_latest
from bot.commands.pipeline import (
    SPEC_BY_NAME,
    CommandError,
    CommandSpec,
    Invocation,
    Option,
    clip,
    error_message,
    parse_command,
)
from bot.config import SNOWFLAKE_LIMIT
from bot.scheduling.schedule import parse_schedule
from bot.scheduling.subscriptions import (
    ORIGIN_CONFIG,
    Subscription,
    create_subscription,
    delete_subscription,
    list_subscriptions,
)
from bot.store.articles import NotFound, Store
from bot.store.theatres import resolve_theatre
from briefings import limits
from briefings.errors import SitrepError
from briefings.messages import Embed, Message
from briefings.model import SECTIONS

log = logging.getLogger(__name__)

__all__ = [
    "SUBSCRIPTION_SPECS",
    "Where",
    "answer_subscription",
    "dry_run_where",
    "is_subscription_command",
    "parse_subscription_command",
    "run_subscription_command",
    "visible_subscriptions",
]

DEFAULT_SCHEDULE = "daily 08:00"
LIST_COLOR = 0x95A5A6
SCHEDULE_EXAMPLES = (
    "daily 08:00",
    "weekdays 07:30",
    "every 6h",
    "every 12h",
    "mon,thu 18:00",
    "weekends 10:00",
    "0 8 * * *",
)
NEED_MANAGE = "Only members with the Manage Server permission can {what}."

_CHANNEL = Option("channel", "Channel to post in (default: this one)")
SUBSCRIPTION_SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "subscribe",
        "Post briefings to a channel on a schedule (Manage Server)",
        "Posts the latest briefing to `channel` on a `schedule` ('daily 08:00', 'weekdays "
        "07:30', 'every 6h' or cron '0 8 * * *') in a `timezone`; `sections` picks sections; "
        "`theatre` keeps one theatre's articles.",
        (
            _CHANNEL,
            Option("sections", "Sections, e.g. 'frontline, quotes' (default: all)", True),
            Option("schedule", "'daily 08:00', 'every 6h', cron '0 8 * * *'…", True),
            Option("timezone", "IANA time zone, e.g. Europe/Kyiv (default: UTC)", True),
            Option("theatre", "Only articles of this theatre, e.g. Ukraine (default: all)", True),
        ),
    ),
    CommandSpec(
        "unsubscribe",
        "Stop a scheduled briefing (Manage Server)",
        "Removes `subscription` (its #number), or the one subscription of `channel`.",
        (
            Option("subscription", "Which subscription (its #number)", True),
            Option("channel", "The channel whose subscription ends (default: this one)"),
        ),
    ),
    CommandSpec(
        "subscriptions",
        "This server's scheduled briefings and their next runs",
        "Every subscription of this server with its schedule, sections and next run.",
    ),
    CommandSpec(
        "preview",
        "Exactly what a channel's next scheduled post will be (only you see it)",
        "Shows, privately, the next scheduled post of `channel` as it will be posted.",
        (Option("channel", "Which channel (default: this one)"),),
    ),
)
_SPECS = {s.name: s for s in SUBSCRIPTION_SPECS}

Render = Callable[[Subscription, datetime], Awaitable[Sequence[Message]]]


@dataclass(frozen=True, slots=True)
class Where:
    """Where and by whom a subscription command was used, and what it may touch."""

    engine: AsyncEngine
    render: Render
    now: datetime
    guild_id: int | None = None
    channel_id: int | None = None
    can_manage: bool = True
    # Does this channel belong to the guild? (configuration entries may not name their guild)
    in_guild: Callable[[int], bool] | None = None
    # Called after a subscription is added or removed (the scheduler's sync_jobs).
    on_change: Callable[[], Awaitable[object]] | None = None
    # The articles' store: what a theatre argument is checked against (unchecked without it).
    store: Store | None = None


def is_subscription_command(name: str) -> bool:
    return name.lower() in _SPECS


def parse_subscription_command(line: str) -> Invocation:
    """``parse_command`` that also knows the subscription commands."""
    return parse_command(line, specs={**SPEC_BY_NAME, **_SPECS})


async def answer_subscription(where: Where, inv: Invocation) -> list[Message]:
    """The reply to a subscription command; a wrong argument is one ephemeral message."""
    try:
        return await run_subscription_command(where, inv)
    except SitrepError as exc:
        return [error_message(str(exc))]


async def run_subscription_command(where: Where, inv: Invocation) -> list[Message]:
    """The reply to a subscription command; a wrong argument raises a ``SitrepError``."""
    handler = _HANDLERS.get(inv.name)
    if handler is None:
        raise CommandError(f"Unknown command /{clip(inv.name)}. Try /help.")
    return await handler(where, inv)


# ---------------------------------------------------------------- handlers


def _channel(where: Where, inv: Invocation) -> int:
    given = inv.get("channel")
    if given is None:
        if where.channel_id is None:
            raise CommandError("Name the channel: channel:<channel id>.")
        return where.channel_id
    m = re.fullmatch(r"<#(\d{1,20})>|#?(\d{1,20})", given.strip())
    if not m:
        raise CommandError(f"Not a channel: '{clip(given)}'. Give a channel or its id.")
    channel = int(m.group(1) or m.group(2))
    if not 0 < channel < SNOWFLAKE_LIMIT:  # positive, and fits a signed 64-bit integer
        raise CommandError(
            f"Not a channel: '{clip(given)}'. A channel id is a positive number below 2^63."
        )
    return channel


def _when(moment: datetime) -> str:
    ts = int(moment.timestamp())
    return f"<t:{ts}:f> (<t:{ts}:R>)"


async def _changed(where: Where) -> None:
    if where.on_change is not None:
        await where.on_change()


async def visible_subscriptions(where: Where) -> list[Subscription]:
    """The subscriptions this guild may see (all of them outside a guild, as in dry-run)."""
    subs = await list_subscriptions(where.engine)
    if where.guild_id is None:
        return subs
    return [
        s
        for s in subs
        if s.guild_id == where.guild_id
        or (s.guild_id is None and where.in_guild is not None and where.in_guild(s.channel_id))
    ]


async def cmd_subscribe(where: Where, inv: Invocation) -> list[Message]:
    if not where.can_manage:
        raise CommandError(NEED_MANAGE.format(what="subscribe channels"))
    channel = _channel(where, inv)
    spec = inv.get("schedule") or DEFAULT_SCHEDULE
    zone = inv.get("timezone") or "UTC"
    parse_schedule(spec, zone)  # a ScheduleError names what is wrong before anything is written
    theatre = inv.get("theatre")
    if theatre is not None and where.store is not None:
        try:  # a theatre of stored articles, a configured group or a country
            theatre = await resolve_theatre(where.store, theatre, reported_only=False)
        except NotFound as exc:
            raise CommandError(str(exc)) from None
    sub = await create_subscription(
        where.engine,
        channel_id=channel,
        schedule=spec,
        timezone=zone,
        sections=inv.get("sections"),
        guild_id=where.guild_id,
        now=where.now,
        theatre=theatre,
    )
    await _changed(where)
    log.info("subscription %s added: channel %s, %s", sub.id, channel, sub.schedule.describe())
    nxt = sub.next_run(where.now)
    tail = f" Next post {_when(nxt)}." if nxt is not None else ""
    only = f", {clip(sub.theatre, 100)} only" if sub.theatre else ""
    return [
        Message(
            content=f"Subscribed <#{channel}> (#{sub.id}): {sub.schedule.describe()}, "
            f"{', '.join(sub.sections)}{only}.{tail}"
        )
    ]


def _subscription_id(text: str) -> int:
    m = re.fullmatch(r"#?\s*(\d{1,12})\b.*", text.strip(), re.DOTALL)
    if not m:
        raise CommandError(f"Not a subscription number: '{clip(text)}'. See /subscriptions.")
    return int(m.group(1))


async def cmd_unsubscribe(where: Where, inv: Invocation) -> list[Message]:
    if not where.can_manage:
        raise CommandError(NEED_MANAGE.format(what="remove subscriptions"))
    visible = await visible_subscriptions(where)
    given = inv.get("subscription")
    if given is not None:
        wanted = _subscription_id(given)
        found = [s for s in visible if s.id == wanted]
        if not found:
            raise CommandError(f"There is no subscription #{wanted} here. See /subscriptions.")
        sub = found[0]
    else:
        channel = _channel(where, inv)
        mine = [s for s in visible if s.channel_id == channel]
        if not mine:
            raise CommandError(f"<#{channel}> has no subscription. See /subscriptions.")
        if len(mine) > 1:
            listed = "; ".join(f"#{s.id} {s.schedule.describe()}" for s in mine)
            raise CommandError(
                f"<#{channel}> has {len(mine)} subscriptions ({clip(listed, 500)}): "
                "choose one with subscription:<number>."
            )
        sub = mine[0]
    if sub.origin == ORIGIN_CONFIG:
        raise CommandError(
            f"Subscription #{sub.id} is declared in the configuration file: remove it there "
            "(it would come back at the next start)."
        )
    if not await delete_subscription(where.engine, sub.id):
        raise CommandError(f"Subscription #{sub.id} was already removed.")
    await _changed(where)
    log.info("subscription %s removed", sub.id)
    return [
        Message(
            content=f"Unsubscribed <#{sub.channel_id}> (#{sub.id}): "
            f"{sub.schedule.describe()} will post no more."
        )
    ]


async def cmd_subscriptions(where: Where, inv: Invocation) -> list[Message]:
    subs = await visible_subscriptions(where)
    if not subs:
        return [
            Message(content="No scheduled briefings yet: /subscribe sets one up.", ephemeral=True)
        ]
    lines = [s.describe(where.now) for s in subs]
    chunks = limits.split_to_fit(lines, limits.EMBED_DESCRIPTION)
    embeds = [
        Embed(
            title=f"Scheduled briefings ({len(subs)})"
            + (f" {n}/{len(chunks)}" if len(chunks) > 1 else ""),
            description=chunk,
            color=LIST_COLOR,
        )
        for n, chunk in enumerate(chunks, 1)
    ]
    return [Message(embeds=group, ephemeral=True) for group in limits.pack_embeds(embeds)]


async def cmd_preview(where: Where, inv: Invocation) -> list[Message]:
    channel = _channel(where, inv)
    visible = await visible_subscriptions(where)
    subs = [s for s in visible if s.channel_id == channel and not s.paused]
    runs = [(s.next_run(where.now), s) for s in subs]
    upcoming = sorted(((when, s.id, s) for when, s in runs if when is not None))
    if not upcoming:
        raise CommandError(f"<#{channel}> has no scheduled briefing: /subscribe sets one up.")
    when, _, sub = upcoming[0]
    messages = list(await where.render(sub, when))
    head = f"The next post to <#{channel}> (#{sub.id}, {sub.schedule.describe()}), {_when(when)}"
    if not messages:
        return [Message(content=f"{head}: nothing to post yet, no articles.", ephemeral=True)]
    body = [dataclasses.replace(m, ephemeral=True) for m in messages]
    return [Message(content=head + ":", ephemeral=True), *body]


_HANDLERS: dict[str, Callable[[Where, Invocation], Awaitable[list[Message]]]] = {
    "subscribe": cmd_subscribe,
    "unsubscribe": cmd_unsubscribe,
    "subscriptions": cmd_subscriptions,
    "preview": cmd_preview,
}


def dry_run_where(store: Any, renderer: Any, inv: Invocation) -> Where:
    """``sitrep dry-run --command``: the configured database, no guild or current channel (so
    ``channel:`` is needed), and the right to manage (the console's user runs the bot)."""
    assert inv.now is not None
    return Where(
        engine=store.engine, render=render_latest(store, renderer), now=inv.now, store=store
    )


# ---------------------------------------------------------------- autocomplete values


def section_choices(current: str) -> list[str]:
    """Completions of a comma-separated section list: what is typed, plus one more section."""
    parts = [p.strip() for p in current.split(",")]
    done, last = [p for p in parts[:-1] if p], parts[-1].lower()
    out = ["all"] if not done and "all".startswith(last) else []
    for name in SECTIONS:
        if name not in done and name.startswith(last):
            out.append(", ".join([*done, name]))
    return out[:25]


def schedule_choices(current: str) -> list[str]:
    typed = current.strip()
    found = [s for s in SCHEDULE_EXAMPLES if s.startswith(typed.lower())]
    if typed and typed not in found:
        found.insert(0, typed)
    return found[:25]
