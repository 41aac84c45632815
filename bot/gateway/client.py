"""The Discord bot: one ``discord.AutoShardedClient`` subclass with an app-command tree
(one shard for one community; as many as Discord recommends when the bot serves many).

Resources (the store, the webhook session) are opened in ``setup_hook`` and closed in
``close()``. Every slash command calls ``bot.commands.pipeline.answer`` (the same pipeline as
dry-run) through ``SitrepBot.respond``, which defers first when the command needs real work,
logs one line per command and sends the reply with ``allowed_mentions`` none. Commands are
synced only by ``sitrep sync-commands``, never on start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.commands.front_map import REPLY_MAP_SECONDS, warm_up
from bot.commands.pipeline import SPEC_BY_NAME, Invocation, answer, error_message, places_of
from bot.config import Config
from bot.delivery.sinks import WebhookSink
from bot.gateway.discord_io import DiscordSink, reply
from bot.render_config import make_renderer
from bot.store.articles import NotFound, Store, StoredArticle, load_configured, speakers_of
from bot.store.theatres import theatre_choices
from briefings.model import SECTIONS
from briefings.timeline import place_choices

log = logging.getLogger(__name__)

# Modules that extend the bot, in this order (as discord.py extensions do, but plain): each may
# define ``register_commands(tree)`` (called when the bot is built, also for sync-commands),
# ``async setup(bot)`` (called in setup_hook once the store is open) and ``async teardown(bot)``
# (called in close(), in reverse order).
EXTENSIONS: tuple[str, ...] = ("bot.gateway.subscription_discord", "bot.gateway.source_discord")

UNEXPECTED = "Something went wrong on our side; it has been logged. Please try again later."


def use_discord_at(url: str | None) -> None:
    """Point discord.py at the Discord at ``url`` (``SITREP_DISCORD_URL``: the tests' local
    fake): its REST API under ``/api/v10``, and ``/gateway`` as the gateway discord.py falls back
    to after an INVALID_SESSION (the first one comes from ``GET /gateway/bot`` as usual). None
    leaves discord.com."""
    if url is None:
        return
    import yarl

    discord.http.Route.BASE = f"{url}/api/v{discord.http.INTERNAL_API_VERSION}"
    ws = "wss" if url.startswith("https:") else "ws"
    gateway = yarl.URL(url).with_scheme(ws).with_path("/gateway")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway
    log.warning("talking to the Discord at %s, not discord.com (SITREP_DISCORD_URL)", url)


# How long a stopping bot waits for the commands it is answering (a service manager's SIGKILL
# comes much later, systemd's after 90 s; Discord keeps a deferred reply's token 15 minutes).
FINISH_IN_FLIGHT_SECONDS = 15.0


class SitrepTree(app_commands.CommandTree["SitrepBot"]):
    """The command tree, with the one handler for everything unexpected; it counts the
    interactions being answered, so that a stopping bot finishes them first."""

    async def interaction_check(self, interaction: discord.Interaction[SitrepBot], /) -> bool:
        task = asyncio.current_task()
        if task is not None:
            self.client.in_flight.add(task)
            task.add_done_callback(self.client.in_flight.discard)
        return True

    async def on_error(
        self, interaction: discord.Interaction[SitrepBot], error: app_commands.AppCommandError
    ) -> None:
        name = interaction.command.qualified_name if interaction.command else "?"
        original = getattr(error, "original", error)
        log.error(
            "command /%s failed for user %s: %s",
            name,
            interaction.user.id if interaction.user else "?",
            type(original).__name__,
            exc_info=original,
        )
        if interaction.type is discord.InteractionType.autocomplete:
            return
        deferred = (
            interaction.response.type is discord.InteractionResponseType.deferred_channel_message
        )
        try:
            await reply(interaction, [error_message(UNEXPECTED)], deferred=deferred)
        except discord.HTTPException:
            log.warning("could not tell the user about the failure of /%s", name)


class SitrepBot(discord.AutoShardedClient):
    def __init__(self, config: Config, *, serve: bool = True) -> None:
        super().__init__(
            intents=discord.Intents.none() | discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.config = config
        self.serve = serve
        self.renderer = make_renderer(config)
        self.tree = SitrepTree(self)
        self._store: Store | None = None
        self._warming: asyncio.Task[None] | None = None
        self.session: aiohttp.ClientSession | None = None
        self.webhook: WebhookSink | None = None
        self.sink = DiscordSink(self)
        self.extensions_loaded: list[Any] = []
        self.in_flight: set[asyncio.Task[Any]] = set()
        register_commands(self.tree)
        for name in EXTENSIONS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            self.extensions_loaded.append(module)
            register = getattr(module, "register_commands", None)
            if register is not None:
                register(self.tree)

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is opened in setup_hook")
        return self._store

    async def setup_hook(self) -> None:
        if not self.serve:
            return
        self._store = await Store.open(
            self.config.store.url, origin=self.config.path, theatres=self.config.theatres
        )
        await load_configured(self._store, self.config)
        # The map data, read now in the background: the first /frontline has its map in time.
        self._warming = asyncio.create_task(asyncio.to_thread(warm_up))
        hook = self.config.webhook
        if hook.url is not None:
            self.session = aiohttp.ClientSession()
            self.webhook = WebhookSink(
                self.session, hook.url.value, username=hook.username, avatar_url=hook.avatar_url
            )
        for module in self.extensions_loaded:
            setup = getattr(module, "setup", None)
            if setup is not None:
                await setup(self)
        log.info("ready to answer: %d articles known", await self._store.count())

    async def finish_in_flight(self, timeout: float = FINISH_IN_FLIGHT_SECONDS) -> None:
        """Wait (at most ``timeout``) for the interactions being answered: a reply being drawn
        when the process is told to stop still reaches the user."""
        pending = {t for t in self.in_flight if not t.done() and t is not asyncio.current_task()}
        if not pending:
            return
        log.info("stopping: finishing %d command(s) in flight", len(pending))
        _, late = await asyncio.wait(pending, timeout=timeout)
        if late:
            log.warning("stopping: %d command(s) still running after %.0f s", len(late), timeout)

    async def close(self) -> None:
        if self.serve and not self.is_closed():
            await self.finish_in_flight()
        if self.serve:
            for module in reversed(self.extensions_loaded):
                teardown = getattr(module, "teardown", None)
                if teardown is not None:
                    try:
                        await teardown(self)
                    except Exception:
                        log.exception("extension %s failed to tear down", module.__name__)
        await super().close()
        if self.session is not None:
            await self.session.close()
            self.session = None
        if self._store is not None:
            await self._store.close()
            self._store = None

    async def respond(
        self, interaction: discord.Interaction[Any], name: str, options: dict[str, Any]
    ) -> None:
        """Answer one slash command through the shared pipeline; one log line per command."""
        started = time.perf_counter()
        inv = Invocation.of(name, options, now=datetime.now(UTC))
        if not SPEC_BY_NAME[name].slow:  # answered at once: a map late by then is left off
            inv = dataclasses.replace(inv, picture_within=REPLY_MAP_SECONDS)
        deferred = False
        if SPEC_BY_NAME[name].slow:
            await interaction.response.defer(thinking=True)
            deferred = True
        messages = await answer(self.store, self.renderer, inv)
        await reply(interaction, messages, deferred=deferred)
        log.info(
            "command %s by user %s in guild %s: %d message(s)%s in %.1f ms",
            inv,
            interaction.user.id if interaction.user else "?",
            interaction.guild_id or "DM",
            len(messages),
            " (error reply)" if messages and messages[0].ephemeral and name != "help" else "",
            (time.perf_counter() - started) * 1000,
        )

    async def article_choices(self, current: str) -> list[app_commands.Choice[str]]:
        found = await self.store.recent(limit=25, query=current)
        return [app_commands.Choice(name=a.label, value=a.key) for a in found]

    async def _chosen(self, article: str | None) -> StoredArticle | None:
        """The article an autocomplete is about: the one already chosen, else the latest."""
        try:
            return await self.store.resolve(article)
        except NotFound:
            return None

    async def speaker_choices(
        self, current: str, article: str | None = None
    ) -> list[app_commands.Choice[str]]:
        target = await self._chosen(article)
        if target is None:
            return []
        names = speakers_of(await self.store.briefing(target.id), current)
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:25]]

    async def place_choices(
        self, current: str, article: str | None = None
    ) -> list[app_commands.Choice[str]]:
        if article is None or not article.strip():
            # No article chosen: the places of every stored report, as the timeline reads them.
            found = await self.store.with_frontline()
            places = place_choices([briefing for _, briefing in found], current)
        else:
            target = await self._chosen(article)
            if target is None:
                return []
            places = places_of(await self.store.briefing(target.id), current)
        return [app_commands.Choice(name=p[:100], value=p[:100]) for p in places[:25]]


def _bot(interaction: discord.Interaction[Any]) -> SitrepBot:
    client = interaction.client
    assert isinstance(client, SitrepBot)
    return client


async def _articles(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return await _bot(interaction).article_choices(current)


async def _speakers(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return await _bot(interaction).speaker_choices(current, _article_option(interaction))


async def _places(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return await _bot(interaction).place_choices(current, _article_option(interaction))


async def _theatres(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    names = await theatre_choices(_bot(interaction).store, current)
    return [app_commands.Choice(name=t, value=t) for t in names]


def _article_option(interaction: discord.Interaction[Any]) -> str | None:
    value = getattr(interaction.namespace, "article", None)
    return value if isinstance(value, str) else None


def _desc(command: str, option: str) -> str:
    for o in SPEC_BY_NAME[command].options:
        if o.name == option:
            return o.description
    raise KeyError(option)


def register_commands(tree: app_commands.CommandTree[Any]) -> None:
    """Add every sitrep command to ``tree`` (the specs: ``bot.commands.pipeline.SPECS``)."""
    spec = SPEC_BY_NAME

    @tree.command(name="briefing", description=spec["briefing"].description)
    @app_commands.describe(
        section=_desc("briefing", "section"),
        article=_desc("briefing", "article"),
        since=_desc("briefing", "since"),
        full=_desc("briefing", "full"),
        theatre=_desc("briefing", "theatre"),
    )
    @app_commands.choices(section=[app_commands.Choice(name=s, value=s) for s in SECTIONS])
    @app_commands.autocomplete(article=_articles, theatre=_theatres)
    async def briefing(
        interaction: discord.Interaction[Any],
        section: str | None = None,
        article: str | None = None,
        since: str | None = None,
        full: bool | None = None,
        theatre: str | None = None,
    ) -> None:
        options = {"section": section, "article": article, "since": since, "theatre": theatre}
        await _bot(interaction).respond(
            interaction, "briefing", {**options, "full": None if full is None else str(full)}
        )

    @tree.command(name="quotes", description=spec["quotes"].description)
    @app_commands.describe(speaker=_desc("quotes", "speaker"), article=_desc("quotes", "article"))
    @app_commands.autocomplete(speaker=_speakers, article=_articles)
    async def quotes(
        interaction: discord.Interaction[Any],
        speaker: str | None = None,
        article: str | None = None,
    ) -> None:
        await _bot(interaction).respond(
            interaction, "quotes", {"speaker": speaker, "article": article}
        )

    @tree.command(name="forces", description=spec["forces"].description)
    @app_commands.describe(article=_desc("forces", "article"))
    @app_commands.autocomplete(article=_articles)
    async def forces(interaction: discord.Interaction[Any], article: str | None = None) -> None:
        await _bot(interaction).respond(interaction, "forces", {"article": article})

    @tree.command(name="frontline", description=spec["frontline"].description)
    @app_commands.describe(place=_desc("frontline", "place"), article=_desc("frontline", "article"))
    @app_commands.autocomplete(place=_places, article=_articles)
    async def frontline(
        interaction: discord.Interaction[Any],
        place: str | None = None,
        article: str | None = None,
    ) -> None:
        await _bot(interaction).respond(
            interaction, "frontline", {"place": place, "article": article}
        )

    @tree.command(name="policy", description=spec["policy"].description)
    @app_commands.describe(article=_desc("policy", "article"))
    @app_commands.autocomplete(article=_articles)
    async def policy(interaction: discord.Interaction[Any], article: str | None = None) -> None:
        await _bot(interaction).respond(interaction, "policy", {"article": article})

    @tree.command(name="sources", description=spec["sources"].description)
    async def sources(interaction: discord.Interaction[Any]) -> None:
        await _bot(interaction).respond(interaction, "sources", {})

    @tree.command(name="help", description=spec["help"].description)
    async def help_(interaction: discord.Interaction[Any]) -> None:
        await _bot(interaction).respond(interaction, "help", {})
