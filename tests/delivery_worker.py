"""One sitrep delivery process, for the crash tests and the fan-out benchmark.

The production path minus the gateway: a ``discord.Client`` logged in over REST (to the local
fake Discord at ``--api``), the outbox sending through ``DiscordSender``, and the
``BriefingScheduler`` over ``--db`` with a clock fixed at ``--now``. ``start`` settles what a
crash left behind and enqueues the due run of every subscription (the catch-up); then the
process delivers until nothing is due (retries jump the fixed clock instead of sleeping) and
prints ``done sent=N failed=M mine=K`` (K: the posts this process made). With ``--serve`` it
stays up instead, printing ``leader`` or ``follower`` whenever that changes.

    python tests/delivery_worker.py --db URL --api URL --now 2026-03-02T08:00:01+00:00
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import discord
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.delivery.outbox import Outbox, RetryPolicy, outbox
from bot.delivery.senders import DiscordSender
from bot.scheduling.scheduler import BriefingScheduler, SchedulerConfig
from bot.scheduling.subscriptions import Subscription
from bot.store.articles import tune_sqlite
from briefings.messages import Message

PARTS = 2


def contents(channel_id: int, when: datetime, parts: int = PARTS) -> list[str]:
    """What each subscription posts: ``parts`` messages naming their channel and run."""
    head = f"briefing for {channel_id} at {when:%Y-%m-%d %H:%M}"
    return [head] + [f"part {n + 1} of {parts} for {channel_id}" for n in range(1, parts)]


class CountingSender(DiscordSender):
    """``DiscordSender`` that counts the posts this process made."""

    sent = 0

    async def send(self, channel_id: int, payload: dict[str, Any], files: Any = ()) -> int:
        message_id = await super().send(channel_id, payload, files)
        self.sent += 1
        return message_id


class _QuickSleeps:
    """``asyncio`` for discord.py's HTTP module with its waits (1 s, 3 s, ... after a 500)
    shortened a hundredfold: this process's clock is fixed anyway (``--quick``)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def sleep(delay: float, result: Any = None) -> Any:
        return await asyncio.sleep(delay / 100, result)


async def main(args: argparse.Namespace) -> None:
    discord.http.Route.BASE = args.api
    if args.quick:
        discord.http.asyncio = _QuickSleeps()  # type: ignore[assignment]
    client = discord.Client(intents=discord.Intents.none())
    await client.login("test-token")
    engine = create_async_engine(args.db)
    tune_sqlite(engine)
    moment = [datetime.fromisoformat(args.now)]
    policy = RetryPolicy(
        max_attempts=25, base=timedelta(milliseconds=20), cap=timedelta(milliseconds=500)
    )
    sender = CountingSender(client, per_second=args.rate)

    async def render(sub: Subscription, now: datetime) -> Sequence[Message]:
        return [Message(content=c) for c in contents(sub.channel_id, now, args.parts)]

    box = Outbox(
        engine,
        sender,
        policy=policy,
        concurrency=args.concurrency,
        rng=random.Random(args.seed),
    )
    poll = timedelta(seconds=args.poll)
    config = SchedulerConfig(misfire_grace=timedelta(hours=1), leader_poll=poll)
    bs = BriefingScheduler(engine, box, render, config=config, clock=lambda: moment[0])
    try:
        if args.go:  # start together with other processes: "ready", then wait for a line
            print("ready", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        print(f"started {time.time():.6f}", file=sys.stderr, flush=True)
        starting = asyncio.create_task(bs.start(deliver=False))
        if args.serve:
            await starting  # deliver and say who schedules, until killed
            leading = None
            while True:
                if bs.leading != leading:
                    leading = bs.leading
                    print("leader" if leading else "follower", flush=True)
                await box.deliver_due(now=moment[0])
                await asyncio.sleep(0.02)
        while True:  # deliver while the catch-up writes the posts, until nothing is due
            started = starting.done()
            report = await box.deliver_due(now=moment[0])
            if report.next_due is None:
                if started:
                    break
                if not report.sent:
                    await asyncio.sleep(0.005)
                continue
            moment[0] = max(moment[0], report.next_due)
        await starting
        async with engine.connect() as conn:
            by_status = select(outbox.c.status, func.count()).group_by(outbox.c.status)
            counts = {status: n for status, n in (await conn.execute(by_status)).all()}
        sent, failed = counts.get("sent", 0), counts.get("failed", 0)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"done sent={sent} failed={failed} mine={sender.sent} peak_mb={peak_mb:.0f}")
    finally:
        await bs.stop()
        await client.close()
        await engine.dispose()


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--api", required=True)
    p.add_argument("--now", required=True)
    p.add_argument("--concurrency", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="shorten discord.py's retry waits")
    p.add_argument("--parts", type=int, default=PARTS, help="messages in each post")
    p.add_argument("--serve", action="store_true", help="stay up, printing leader/follower")
    p.add_argument("--poll", type=float, default=0.2, help="seconds between lock checks")
    p.add_argument("--go", action="store_true", help="print ready, start on a line of input")
    p.add_argument("--rate", type=float, default=0, help="posts a second at most (0: unpaced)")
    return p.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
