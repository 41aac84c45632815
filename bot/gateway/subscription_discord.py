"""The subscription commands in Discord: /subscribe, /unsubscribe, /subscriptions, /preview.

Each command builds a :class:`bot.commands.subscription_commands.Where` from the interaction (guild,
channel, the member's Manage Server permission, the bot's store and scheduler) and answers
through ``answer_subscription``, the pipeline ``sitrep dry-run --command`` uses too. /subscribe
and /unsubscribe are hidden from members without Manage Server by default
(``default_permissions``) and refuse them anyway, since server admins can change that default.

This module is the bot extension of scheduling (see ``EXTENSIONS`` in ``bot.gateway.client``):
``setup`` builds the outbox over the bot's Discord connection and gives the scheduler its render
step (``render_latest``), ``teardown`` stops it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands

from bot.commands.digests import render_latest
from bot.commands.pipeline import Invocation
from bot.commands.subscription_commands import (
    SUBSCRIPTION_SPECS,
    Where,
    answer_subscription,
    schedule_choices,
    section_choices,
    visible_subscriptions,
)
from bot.delivery.outbox import Outbox, RetryPolicy
from bot.delivery.senders import DiscordSender
from bot.gateway.discord_io import reply
from bot.scheduling.schedule import matching_timezones
from bot.scheduling.scheduler import BriefingScheduler, scheduler_config_of, sync_and_start
from bot.store.theatres import theatre_choices

log = logging.getLogger(__name__)

__all__ = ["register_commands", "setup", "teardown"]

_SPECS = {s.name: s for s in SUBSCRIPTION_SPECS}
_POSTABLE = (discord.ChannelType.text, discord.ChannelType.news)


def _describe(name: str) -> dict[str, str]:
    return {o.name: o.description for o in _SPECS[name].options}


def where_of(interaction: discord.Interaction[Any], now: datetime) -> Where:
    bot: Any = interaction.client
    scheduler = getattr(bot, "briefing_scheduler", None)
    guild = interaction.guild

    def in_guild(channel_id: int) -> bool:
        return guild is not None and guild.get_channel_or_thread(channel_id) is not None

    perms = interaction.permissions
    return Where(
        engine=bot.store.engine,
        render=scheduler.render
        if scheduler is not None
        else render_latest(bot.store, bot.renderer),
        now=now,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
        can_manage=bool(perms.manage_guild or perms.administrator),
        in_guild=in_guild,
        on_change=scheduler.sync_jobs if scheduler is not None else None,
        store=bot.store,
    )


async def respond(
    interaction: discord.Interaction[Any], name: str, options: dict[str, Any]
) -> None:
    inv = Invocation.of(name, options, now=datetime.now(UTC))
    assert inv.now is not None
    messages = await answer_subscription(where_of(interaction, inv.now), inv)
    await reply(interaction, messages)
    log.info(
        "command %s by user %s in guild %s: %d message(s)",
        inv,
        interaction.user.id if interaction.user else "?",
        interaction.guild_id or "DM",
        len(messages),
    )


def _channel_option(channel: app_commands.AppCommandChannel | None) -> str | None:
    if channel is None:
        return None
    if channel.type not in _POSTABLE:
        return f"#{channel.name} (not a text channel)"  # answered as "Not a channel: ..."
    return str(channel.id)


async def _timezones(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in matching_timezones(current)]


async def _sections(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=s[:100], value=s[:100]) for s in section_choices(current)]


async def _schedules(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=s[:100], value=s[:100]) for s in schedule_choices(current)]


async def _theatres(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    bot: Any = interaction.client
    return [app_commands.Choice(name=t, value=t) for t in await theatre_choices(bot.store, current)]


async def _subscriptions(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    where = where_of(interaction, datetime.now(UTC))
    typed = current.strip().lstrip("#").casefold()
    out = []
    for s in await visible_subscriptions(where):
        label = f"#{s.id} {s.schedule.describe()} · {', '.join(s.sections)}"
        if typed in label.casefold():
            out.append(app_commands.Choice(name=label[:100], value=str(s.id)))
    return out[:25]


def register_commands(tree: app_commands.CommandTree[Any]) -> None:
    """Add the subscription commands to the bot's command tree."""

    @tree.command(name="subscribe", description=_SPECS["subscribe"].description)
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(**_describe("subscribe"))
    @app_commands.autocomplete(
        timezone=_timezones, sections=_sections, schedule=_schedules, theatre=_theatres
    )
    async def subscribe(
        interaction: discord.Interaction[Any],
        channel: app_commands.AppCommandChannel | None = None,
        sections: str | None = None,
        schedule: str | None = None,
        timezone: str | None = None,
        theatre: str | None = None,
    ) -> None:
        options = {
            "channel": _channel_option(channel),
            "sections": sections,
            "schedule": schedule,
            "timezone": timezone,
            "theatre": theatre,
        }
        await respond(interaction, "subscribe", options)

    @tree.command(name="unsubscribe", description=_SPECS["unsubscribe"].description)
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(**_describe("unsubscribe"))
    @app_commands.autocomplete(subscription=_subscriptions)
    async def unsubscribe(
        interaction: discord.Interaction[Any],
        subscription: str | None = None,
        channel: app_commands.AppCommandChannel | None = None,
    ) -> None:
        options = {"subscription": subscription, "channel": _channel_option(channel)}
        await respond(interaction, "unsubscribe", options)

    @tree.command(name="subscriptions", description=_SPECS["subscriptions"].description)
    @app_commands.guild_only()
    async def subscriptions(interaction: discord.Interaction[Any]) -> None:
        await respond(interaction, "subscriptions", {})

    @tree.command(name="preview", description=_SPECS["preview"].description)
    @app_commands.guild_only()
    @app_commands.describe(**_describe("preview"))
    async def preview(
        interaction: discord.Interaction[Any],
        channel: app_commands.AppCommandChannel | None = None,
    ) -> None:
        await respond(interaction, "preview", {"channel": _channel_option(channel)})


# ---------------------------------------------------------------- bot extension hooks


async def setup(bot: Any) -> None:
    """In the bot's ``setup_hook``, once its store is open and it is logged in: the outbox over
    the bot's Discord connection, the scheduler over the store, then ``sync_and_start``."""
    conf = scheduler_config_of(bot.config)
    outbox = Outbox(
        bot.store.engine,
        DiscordSender(bot),
        policy=RetryPolicy(max_attempts=conf.max_attempts),
        admin_channel_id=conf.admin_channel_id,
        concurrency=conf.concurrency,
    )
    scheduler = BriefingScheduler(
        bot.store.engine, outbox, render_latest(bot.store, bot.renderer), config=conf
    )
    await sync_and_start(scheduler, bot.config)
    bot.briefing_scheduler = scheduler
    log.info("scheduler started: %d subscriptions", len(scheduler.scheduler.get_jobs()))


async def teardown(bot: Any) -> None:
    scheduler = getattr(bot, "briefing_scheduler", None)
    if isinstance(scheduler, BriefingScheduler):
        await scheduler.stop()
