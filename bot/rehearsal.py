"""``sitrep dry-run --until TIME [--fast] [--now TIME]``: the scheduler for real, on the console.

The configured store is read (articles, briefings, subscriptions) but never written: it is
copied into a throwaway store (``bot.store.snapshot``), the configured articles loaded there,
and the subscriptions (those made by /subscribe and those of ``[[subscriptions]]``) copied into
a second throwaway SQLite database, so rehearsing a day of posts neither fills the real outbox
nor moves a subscription's last post. Each copy starts afresh at the start time (no catch-up
of earlier runs): what is printed is exactly what the bot would post from then until ``--until``.

* ``--fast`` replays the schedules at once (``BriefingScheduler.replay``): every run between the
  start (``--now``, default the current time) and ``--until`` is rendered, written to the outbox
  and delivered to the console at its own time, in time order.
* Without ``--fast`` the scheduler runs in real time (APScheduler and the outbox's delivery
  loop) until ``--until`` or Ctrl-C.

Each post is printed with its time and channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.commands.digests import DurationError, parse_duration, render_latest
from bot.config import Config, find_config
from bot.delivery.outbox import Outbox
from bot.render_config import make_renderer
from bot.scheduling.scheduler import BriefingScheduler, scheduler_config_of
from bot.scheduling.subscriptions import create_tables, declared_in, subscriptions, sync_declared
from bot.store.articles import load_configured
from bot.store.snapshot import throwaway_copy
from briefings.errors import ConfigError
from briefings.messages import Attachment
from briefings.render import readable

__all__ = ["ConsoleClockSender", "format_payload", "parse_time", "rehearse", "run_dry_schedule"]


def parse_time(text: str, what: str) -> datetime:
    """An ISO 8601 time (``2026-01-02T00:00Z``; no offset means UTC); ConfigError if bad."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"{what} {text!r}: not a time; write it as ISO 8601, e.g. 2026-01-02T00:00Z"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_until(text: str, start: datetime) -> datetime:
    """``--until``: an ISO 8601 time, or ``+DURATION`` (``+1h``, ``+2d``) from ``start``."""
    if not text.strip().startswith("+"):
        return parse_time(text, "--until")
    try:
        return start + parse_duration(text.strip()[1:])
    except DurationError as err:
        raise ConfigError(f"--until {text.strip()[:40]!r}: {err}") from None


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_payload(payload: dict[str, Any]) -> str:
    """A message's Discord JSON as readable text (content, then each embed as a block)."""
    out: list[str] = []
    if payload.get("content"):
        out.append(str(payload["content"]))
    embeds = payload.get("embeds") or []
    for k, e in enumerate(embeds, 1):
        out.append(f"----- embed {k} of {len(embeds)} -----")
        if e.get("title"):
            out.append(f"# {e['title']}")
        if e.get("description"):
            out.append(str(e["description"]))
        for f in e.get("fields") or []:
            out.append(f"[{f.get('name', '')}]")
            out.append(str(f.get("value", "")))
        footer = (e.get("footer") or {}).get("text")
        if footer:
            out.append(f"-- {footer}")
    return readable("\n".join(out))


class ConsoleClockSender:
    """The outbox's ``Sender`` for the rehearsal: prints each post with its time and channel.

    A post sent again with the same nonce (after a retry) is printed once.
    """

    def __init__(self, out: TextIO, clock: Callable[[], datetime]) -> None:
        self.out = out
        self.clock = clock
        self.posts = 0
        self._sent: dict[tuple[int, str], int] = {}

    async def send(
        self, channel_id: int, payload: dict[str, Any], files: Sequence[Attachment] = ()
    ) -> int:
        key = (channel_id, str(payload.get("nonce")))
        if key in self._sent:
            return self._sent[key]
        self.posts += 1
        self._sent[key] = self.posts
        head = f"===== {_when(self.clock())} · channel {channel_id} · post {self.posts} ====="
        attached = "".join(f"\n(attached: {f.filename}, {len(f.data):,} bytes)" for f in files)
        print(f"{head}\n{format_payload(payload)}{attached}\n", file=self.out, flush=True)
        return self.posts

    async def find(
        self, channel_id: int, payload: dict[str, Any], *, after: int | None, known: frozenset[int]
    ) -> int | None:
        return self._sent.get((channel_id, str(payload.get("nonce"))))


async def _copy_subscriptions(
    source: AsyncEngine, target: AsyncEngine, config: Config, start: datetime
) -> int:
    """The subscriptions of the store and the configuration into ``target``, starting afresh
    at ``start``; how many are active."""
    await create_tables(target)
    async with source.connect() as conn:
        rows = [dict(r._mapping) for r in (await conn.execute(select(subscriptions))).all()]
    async with target.begin() as conn:
        for row in rows:
            row.update(created_at=start, last_posted_at=None)
            await conn.execute(subscriptions.insert().values(**row))
    await sync_declared(target, declared_in(config), now=start)
    async with target.connect() as conn:
        found = (
            await conn.execute(select(subscriptions.c.id).where(subscriptions.c.paused.is_(False)))
        ).all()
    return len(found)


async def rehearse(
    config: Config,
    *,
    until: datetime,
    fast: bool,
    now: datetime | None = None,
    out: TextIO | None = None,
) -> int:
    """Run (or, ``fast``, replay) the configured schedules until ``until`` on the console."""
    stream = out or sys.stdout
    start = now or datetime.now(UTC)
    if until <= start:
        raise ConfigError(f"--until {until.isoformat()} is not after the start, {_when(start)}")
    async with throwaway_copy(
        config.store.url, origin=config.path, theatres=config.theatres
    ) as store:
        await load_configured(store, config)
        renderer = make_renderer(config)
        with tempfile.TemporaryDirectory(prefix="sitrep-dry-run-") as tmp:
            engine = create_async_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'schedule.db'}")
            try:
                active = await _copy_subscriptions(store.engine, engine, config, start)
                if not active:
                    where = config.path or "the configuration"
                    raise ConfigError(
                        f"{where}: no subscriptions to run: declare [[subscriptions]] there "
                        "(or /subscribe in Discord: a dry run never writes the store)"
                    )
                conf = replace(scheduler_config_of(config), admin_channel_id=None)
                render = render_latest(store, renderer)
                if fast:
                    return await _fast(engine, render, conf, start, until, stream)
                return await _real_time(engine, render, conf, until, stream)
            finally:
                await engine.dispose()


async def _fast(
    engine: AsyncEngine,
    render: Any,
    conf: Any,
    start: datetime,
    until: datetime,
    out: TextIO,
) -> int:
    moment = [start]
    sender = ConsoleClockSender(out, lambda: moment[0])
    box = Outbox(engine, sender, concurrency=1)
    bs = BriefingScheduler(engine, box, render, config=conf, clock=lambda: moment[0])
    results = await bs.replay(start, until, at_each=lambda when: moment.__setitem__(0, when))
    runs = sum(1 for r in results if r.parts)
    print(
        f"dry-run: {runs} scheduled runs, {sender.posts} posts from {_when(start)} "
        f"to {_when(until)}",
        file=out,
        flush=True,
    )
    return 0


async def _real_time(
    engine: AsyncEngine, render: Any, conf: Any, until: datetime, out: TextIO
) -> int:
    sender = ConsoleClockSender(out, lambda: datetime.now(UTC))
    box = Outbox(engine, sender, concurrency=1)
    bs = BriefingScheduler(engine, box, render, config=conf)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await bs.start()
    jobs = len(bs.scheduler.get_jobs())
    print(
        f"dry-run: {jobs} subscription{'s' if jobs != 1 else ''} scheduled, posting to the "
        f"console until {_when(until)} (Ctrl-C stops)",
        file=out,
        flush=True,
    )
    try:
        left = (until - datetime.now(UTC)).total_seconds()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, left))
    finally:
        await bs.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    print(f"dry-run: stopped, {sender.posts} posts", file=out, flush=True)
    return 0


def run_dry_schedule(
    config_path: str | None, until: str | None, *, fast: bool, now: str | None
) -> int:
    """The CLI's entry: check the options, load the configuration, rehearse."""
    if until is None:
        raise ConfigError("dry-run --fast needs --until TIME (e.g. --until 2026-01-02T00:00Z)")
    if now is not None and not fast:
        raise ConfigError("dry-run --now needs --fast (real time starts now)")
    start = parse_time(now, "--now") if now is not None else None
    end = parse_until(until, start or datetime.now(UTC))
    config = find_config(config_path)
    if config is None:
        raise ConfigError(
            "dry-run --until needs a configuration with subscriptions: --config FILE, "
            "$SITREP_CONFIG or config/sitrep.toml (cp config/sitrep.example.toml "
            "config/sitrep.toml)"
        )
    return asyncio.run(rehearse(config, until=end, fast=fast, now=start))
