"""The source commands in Discord: ``/source add|list|remove`` and ``/ingest``.

Each command builds a :class:`bot.commands.source_commands.SourceWhere` from the interaction (the
bot's store and poller, the guild, the member's Manage Server permission) and answers through
``answer_source``, the handler ``sitrep dry-run --command`` uses too.

This module is the bot extension of the sources (see ``EXTENSIONS`` in ``bot.gateway.client``):
``setup`` and ``teardown`` start and stop the poller (``bot.sources.polling``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands

from bot.commands.pipeline import Invocation, error_message
from bot.commands.source_commands import SOURCE_SPECS, SourceWhere, answer_source
from bot.gateway.discord_io import reply
from bot.sources.fetch import Fetcher
from bot.sources.polling import (
    KINDS,
    SourcePoller,
    declared_sources,
    fetch_settings_of,
    list_sources,
    max_bytes_of,
    outbox_reporter,
    sync_declared_sources,
)

log = logging.getLogger(__name__)

__all__ = ["register_commands", "setup", "teardown"]

_SPECS = {s.name: s for s in SOURCE_SPECS}


def register_commands(tree: app_commands.CommandTree[Any]) -> None:
    """Add ``/source add|list|remove`` and ``/ingest`` to the bot's command tree."""

    def describe(name: str) -> dict[str, str]:
        return {o.name: o.description[:100] for o in _SPECS[name].options}

    async def respond(
        interaction: discord.Interaction[Any], name: str, options: dict[str, Any]
    ) -> None:
        started = time.perf_counter()
        client = interaction.client
        poller = getattr(client, "source_poller", None)
        inv = Invocation.of(name, options, now=datetime.now(UTC))
        deferred = False
        if _SPECS[name].slow:
            await interaction.response.defer(thinking=True)
            deferred = True
        if not isinstance(poller, SourcePoller):
            messages = [error_message("Sources are not running on this bot.")]
        else:
            perms = getattr(interaction, "permissions", None)
            where = SourceWhere(
                store=client.store,
                poller=poller,
                now=inv.now or datetime.now(UTC),
                guild_id=interaction.guild_id,
                can_manage=bool(
                    getattr(perms, "manage_guild", False) or getattr(perms, "administrator", False)
                ),
            )
            messages = await answer_source(where, inv)
            if name == "source add":
                poller.wake()
        await reply(interaction, messages, deferred=deferred)
        log.info(
            "command %s by user %s in guild %s: %d message(s) in %.1f ms",
            inv,
            interaction.user.id if interaction.user else "?",
            interaction.guild_id or "DM",
            len(messages),
            (time.perf_counter() - started) * 1000,
        )

    # Changing what the bot reads is for Manage Server (Administrator has it): hidden from the
    # others by default, refused at run time anyway (a server may change the default).
    group = app_commands.Group(
        name="source",
        description="Feeds and pages sitrep polls",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @group.command(name="add", description=_SPECS["source add"].description[:100])
    @app_commands.describe(**describe("source add"))
    @app_commands.choices(kind=[app_commands.Choice(name=k, value=k) for k in KINDS[:2]])
    async def add(
        interaction: discord.Interaction[Any],
        url: str,
        kind: str | None = None,
        keywords: str | None = None,
        regions: str | None = None,
        interval: str | None = None,
    ) -> None:
        options = {
            "url": url,
            "kind": kind,
            "keywords": keywords,
            "regions": regions,
            "interval": interval,
        }
        await respond(interaction, "source add", options)

    @group.command(name="list", description=_SPECS["source list"].description[:100])
    async def list_(interaction: discord.Interaction[Any]) -> None:
        await respond(interaction, "source list", {})

    @group.command(name="remove", description=_SPECS["source remove"].description[:100])
    @app_commands.describe(**describe("source remove"))
    async def remove(interaction: discord.Interaction[Any], source: str) -> None:
        await respond(interaction, "source remove", {"source": source})

    tree.add_command(group)

    @tree.command(name="ingest", description=_SPECS["ingest"].description[:100])
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(**describe("ingest"))
    async def ingest(interaction: discord.Interaction[Any], url: str) -> None:
        await respond(interaction, "ingest", {"url": url})


# ---------------------------------------------------------------- bot extension hooks


@dataclass(frozen=True, slots=True)
class _Running:
    """The poller's loop as the bot runs it: stopped through ``stop``, then awaited."""

    poller: SourcePoller
    fetcher: Fetcher
    stop: asyncio.Event
    task: asyncio.Task[None]


async def setup(bot: Any) -> None:
    """In the bot's ``setup_hook``: ``[[sources]]`` into the table, then the poller's loop."""
    config = bot.config
    settings = fetch_settings_of(config)
    now = datetime.now(UTC)
    report = await sync_declared_sources(bot.store.engine, declared_sources(config), now=now)
    if report.added or report.removed:
        log.info(
            "sources from the configuration: %d added, %d removed, %d kept",
            report.added,
            report.removed,
            report.kept,
        )
    fetcher = Fetcher(settings.policy(max_bytes_of(config)))
    scheduler = getattr(bot, "briefing_scheduler", None)
    outbox = getattr(scheduler, "outbox", None)
    admin = getattr(getattr(config, "discord", None), "admin_channel_id", None)
    poller = SourcePoller(
        bot.store,
        fetcher,
        max_bytes=max_bytes_of(config),
        report=outbox_reporter(outbox, admin) if outbox is not None else None,
        report_after=settings.report_after,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop), name="sitrep-sources")
    running = _Running(poller, fetcher, stop, task)
    bot.source_poller = poller
    bot._sources_running = running
    log.info("source poller started: %d sources", len(await list_sources(bot.store.engine)))


async def teardown(bot: Any) -> None:
    running = getattr(bot, "_sources_running", None)
    if not isinstance(running, _Running):
        return
    running.stop.set()
    running.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running.task
    await running.fetcher.close()
