"""What ``sitrep run``, ``sitrep sync-commands`` and ``sitrep dry-run --config/--command`` do.

discord.py is imported here only inside the functions that talk to Discord, so that the CLI's
other commands start fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import aiohttp

from bot.commands.pipeline import Invocation, answer
from bot.commands.subscription_commands import (
    dry_run_where,
    is_subscription_command,
    parse_subscription_command,
    run_subscription_command,
)
from bot.config import TOKEN_ENV, WEBHOOK_ENV, Config, default_config, find_config
from bot.delivery.sinks import ConsoleSink, WebhookSink
from bot.render_config import make_renderer
from bot.scheduling.subscriptions import declared_in, sync_declared
from bot.store.articles import NotFound, Store, load_configured
from bot.store.snapshot import throwaway_copy
from briefings import distill
from briefings.errors import ConfigError, SitrepError
from briefings.ingest import article_from_bytes
from briefings.model import SECTIONS
from briefings.render import Renderer

log = logging.getLogger(__name__)


def setup_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # discord.py's own chatter at INFO is useful; its DEBUG could include payloads: never.
    logging.getLogger("discord").setLevel(max(level, logging.INFO))


# ---------------------------------------------------------------- dry-run


async def open_demo_store(folder: Path) -> Store:
    """A store holding only the bundled demo article (dry-run without a configuration)."""
    store = await Store.open(f"sqlite+aiosqlite:///{folder / 'demo.db'}")
    data = resources.files("briefings").joinpath("data/demo_article.txt").read_bytes()
    article = article_from_bytes(data, name="demo article")
    await store.add_article(article, distill(article))
    return store


@contextlib.asynccontextmanager
async def dry_run_store(config: Config | None, *, now: datetime) -> AsyncIterator[Store]:
    """What a dry run works on, never the real store: with a configuration, a throwaway copy of
    its store (``bot.store.snapshot``) brought to what ``sitrep run`` sees once started (the
    configured articles loaded, ``[[subscriptions]]`` and ``[[sources]]`` synced); without one,
    a store holding only the demo article."""
    if config is None:
        with tempfile.TemporaryDirectory(prefix="sitrep-demo-") as tmp:
            store = await open_demo_store(Path(tmp))
            try:
                yield store
            finally:
                await store.close()
        return
    from bot.sources.catalog import sync_declared_sources
    from bot.sources.settings import declared_sources

    async with throwaway_copy(
        config.store.url, origin=config.path, theatres=config.theatres
    ) as store:
        await load_configured(store, config)
        await sync_declared(store.engine, declared_in(config), now=now)
        await sync_declared_sources(store.engine, declared_sources(config), now=now)
        yield store


async def dry_run_command(
    config: Config | None,
    command: str,
    *,
    as_json: bool = False,
    attachment_dir: Path | None = None,
    out: TextIO | None = None,
    now: datetime | None = None,
) -> int:
    """Answer one slash command as the bot would and print the reply; 2 for a wrong command.
    Whatever the command changes (``/subscribe``, ``/source add``) is changed in the dry run's
    throwaway store only."""
    from bot.commands.source_commands import (
        dry_run_source_command,
        is_source_command,
        parse_source_command,
    )

    when = now or datetime.now(UTC)
    if is_source_command(command):
        source_inv = parse_source_command(command)  # a wrong command fails before any loading
        async with dry_run_store(config, now=when) as store:
            return await dry_run_source_command(
                config, store, source_inv, out=out, now=now, as_json=as_json
            )
    invocation = parse_subscription_command(command)
    renderer = make_renderer(config or default_config({}))
    sink = ConsoleSink(out, attachment_dir=attachment_dir, as_json=as_json)
    async with dry_run_store(config, now=when) as store:
        return await _answer_and_print(store, renderer, invocation, sink, now)


async def _answer_and_print(
    store: Store,
    renderer: Renderer,
    invocation: Invocation,
    sink: ConsoleSink,
    now: datetime | None,
) -> int:
    inv = Invocation(invocation.name, invocation.options, now or datetime.now(UTC))
    if is_subscription_command(inv.name):  # wrong arguments raise; replies may be private
        sink.send_all(await run_subscription_command(dry_run_where(store, renderer, inv), inv))
        return 0
    messages = await answer(store, renderer, inv)
    if len(messages) == 1 and messages[0].ephemeral and inv.name != "help":
        # A wrong argument: the user's reply is the error, on one line, and exit 2.
        raise SitrepError(messages[0].content)
    sink.send_all(messages)
    return 0


async def dry_run_post(config: Config, *, out: TextIO | None = None) -> int:
    """With a configuration and no command: load the sources (into the dry run's throwaway
    store) and print the latest briefing exactly as it would be posted."""
    from bot.sources.polling import poll_configured

    now = datetime.now(UTC)
    async with dry_run_store(config, now=now) as store:
        await poll_configured(store, config, now=now)  # [[sources]], polled once
        latest = await store.latest()
        if latest is None:
            raise ConfigError(f"{config.path}: no articles loaded: add [sources] or [[articles]]")
        renderer = make_renderer(config)
        messages = renderer.post_messages(await store.briefing(latest.id), now=now, ref=latest.key)
        ConsoleSink(out).send_all(messages)
        return 0


def dry_run(
    config_path: str | None,
    command: str | None,
    *,
    as_json: bool = False,
    attachment_dir: str | None = None,
) -> int:
    config = find_config(config_path)
    if command is not None:
        folder = Path(attachment_dir) if attachment_dir else None
        return asyncio.run(dry_run_command(config, command, as_json=as_json, attachment_dir=folder))
    if config is None:
        raise ConfigError(
            "dry-run: no configuration (--config FILE, $SITREP_CONFIG or config/sitrep.toml) "
            "and no --command"
        )
    return asyncio.run(dry_run_post(config))


# ---------------------------------------------------------------- Discord


def _token(config: Config) -> str:
    token = config.discord.token
    if token is None:
        raise ConfigError(
            f"{TOKEN_ENV} is not set: export the bot's token (Developer Portal > Bot > Token)"
        )
    return token.value


def run(config_path: str | None) -> int:
    """Run the bot against Discord until interrupted."""
    config = find_config(config_path) or default_config()
    token = _token(config)
    setup_logging()
    import discord

    from bot.gateway.client import SitrepBot, use_discord_at

    use_discord_at(config.discord.api_url)
    bot = SitrepBot(config)
    try:
        asyncio.run(serve(bot, token))
    except discord.LoginFailure:
        raise ConfigError(f"Discord refused the token in {TOKEN_ENV} (401 Unauthorized)") from None
    except KeyboardInterrupt:
        pass
    return 0


async def serve(bot: Any, token: str) -> None:
    """Run ``bot`` until it stops or the process gets SIGINT or SIGTERM; then close it (the
    store, the webhook session and the extensions close with it)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await _serve_until_stopped(bot, token, stop)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)


async def _serve_until_stopped(bot: Any, token: str, stop: asyncio.Event) -> None:
    async with bot:
        running = asyncio.create_task(bot.start(token), name="sitrep-bot")
        stopping = asyncio.create_task(stop.wait(), name="sitrep-stop")
        done, _ = await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if running in done:
            stopping.cancel()
            running.result()  # LoginFailure and other start-up errors surface here
        else:
            log.info("stopping on signal")
            await bot.close()
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running


async def sync_commands_async(config: Config, guild_ids: list[int], *, token: str) -> list[str]:
    """Push the command tree to Discord (per guild, or globally); returns what was synced."""
    import discord

    from bot.gateway.client import SitrepBot

    bot = SitrepBot(config, serve=False)
    done: list[str] = []
    try:
        try:
            await bot.login(token)
        except discord.LoginFailure:
            raise ConfigError(
                f"Discord refused the token in {TOKEN_ENV} (401 Unauthorized)"
            ) from None
        if guild_ids:
            for gid in guild_ids:
                guild = discord.Object(id=gid)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                done.append(f"guild {gid}: {len(synced)} commands")
        else:
            synced = await bot.tree.sync()
            done.append(f"global: {len(synced)} commands (may take up to an hour to appear)")
    finally:
        await bot.close()
    return done


def sync_commands(config_path: str | None, guild: list[int] | None) -> int:
    config = find_config(config_path) or default_config()
    token = _token(config)
    setup_logging(logging.WARNING)
    from bot.gateway.client import use_discord_at

    use_discord_at(config.discord.api_url)
    guilds = list(guild or config.discord.guild_ids)
    for line in asyncio.run(sync_commands_async(config, guilds, token=token)):
        print(f"synced {line}")
    return 0


# ---------------------------------------------------------------- webhook


async def post_webhook_async(
    config: Config, article: str | None, sections: list[str] | None
) -> list[int | None]:
    """Post a briefing (the latest, or the article named) through ``[webhook]``; the ids of the
    messages Discord created. Each message is retried by the sink; one that still fails stops
    the post with a ``DeliveryError`` naming it."""
    hook = config.webhook
    if hook.url is None:
        where = config.path or "the configuration"
        raise ConfigError(f"{where}: [webhook] url: not set (or set {WEBHOOK_ENV})")
    chosen = tuple(s.strip().lower() for s in sections or ())
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise ConfigError(f"--section {unknown[0]}: one of {', '.join(SECTIONS)}")
    store = await Store.open(config.store.url, origin=config.path, theatres=config.theatres)
    try:
        await load_configured(store, config)
        try:
            stored = await store.resolve(article)
        except NotFound as exc:
            raise SitrepError(str(exc)) from None
        briefing = await store.briefing(stored.id)
    finally:
        await store.close()
    renderer = make_renderer(
        dataclasses.replace(config, render=dataclasses.replace(config.render, sections=chosen))
        if chosen
        else config
    )
    messages = renderer.post_messages(briefing, now=datetime.now(UTC), ref=stored.key)
    ids: list[int | None] = []
    async with aiohttp.ClientSession() as session:
        sink = WebhookSink(
            session, hook.url.value, username=hook.username, avatar_url=hook.avatar_url
        )
        for n, message in enumerate(messages, 1):
            ids.append(await sink.send(message))
            log.info("webhook post %d of %d sent", n, len(messages))
    return ids


def post_webhook(config_path: str | None, article: str | None, sections: list[str] | None) -> int:
    config = find_config(config_path) or default_config()
    setup_logging(logging.WARNING)
    ids = asyncio.run(post_webhook_async(config, article, sections))
    print(f"posted {len(ids)} message(s) through the webhook")
    return 0
