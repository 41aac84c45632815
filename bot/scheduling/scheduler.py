"""Scheduled briefings: APScheduler 3.x jobs derived from the subscriptions table.

The table is the truth. ``sync_jobs`` reads it and makes the scheduler's jobs match it, one job
per active subscription, id ``sub:<id>``, ``replace_existing=True``, ``coalesce=True``,
``max_instances=1`` and the configured ``misfire_grace_time`` (15 minutes by default: APScheduler's
own default of 1 second would drop a post whose wake-up is a little late). Call it at start-up and
after every change (``/subscribe``, ``/unsubscribe``, a pause).

A run renders the latest briefing for the subscription's sections and enqueues its messages in
the outbox (recording ``last_posted_at`` in the same transaction); the outbox delivers them.
Which run is due is always computed from the schedule and the clock, never taken from
APScheduler, so the job, the catch-up and the tests share one code path:

* the run being posted is the latest scheduled time in ``(last posted, now]`` that is no older
  than the grace; none, nothing is posted;
* at start-up (``catch_up``) the same rule gives each subscription at most one catch-up post for
  the runs missed while the bot was down, and none when the last missed run is older than the
  grace.

Render step, outbox (and through it the sender) and clock are injected: tests run with a fixed
clock and a fake sender, and dry-run will use the console.

Configuration (``[scheduler]``, registered with the config loader on import)::

    [scheduler]
    misfire_grace_minutes = 15        # how late a post may still go out (also the catch-up)
    max_attempts = 6                  # sends of one message before it is given up
    concurrency = 50                  # channels posted to at the same time

Delivery failures are reported to ``[discord] admin_channel``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.config import Config, register_table
from bot.config import Table as ConfigTable
from bot.delivery.outbox import Outbox, Post
from bot.scheduling.schedule import ScheduleError
from bot.scheduling.subscriptions import (
    Subscription,
    declared_in,
    get_subscription,
    list_subscriptions,
    sync_declared,
)
from briefings.messages import Message

log = logging.getLogger(__name__)

__all__ = [
    "BriefingScheduler",
    "LeaderLock",
    "RenderPost",
    "RunResult",
    "SchedulerConfig",
    "due_run",
    "parse_scheduler_config",
    "sync_and_start",
]

RenderPost = Callable[[Subscription, datetime], Awaitable[Sequence[Message]]]
"""Renders what ``subscription`` posts at ``now``: the messages, or none when there is nothing."""

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    misfire_grace: timedelta = timedelta(minutes=15)
    admin_channel_id: int | None = None
    max_attempts: int = 6
    concurrency: int = 50
    # PostgreSQL, several processes: how often a process checks the scheduler lock (a waiting
    # one takes it over; the holder picks up subscriptions made in other processes).
    leader_poll: timedelta = timedelta(seconds=15)


SCHEDULER_LOCK = 0x5E7_2E9_5C4ED  # the advisory lock key of "the process that schedules"


class LeaderLock:
    """Exactly one process runs the scheduler. On PostgreSQL: a session advisory lock held on a
    connection of its own, which the server releases when that process dies (its connection
    closes), so another process can take it over. On SQLite (one process): always held."""

    def __init__(self, engine: AsyncEngine, key: int = SCHEDULER_LOCK) -> None:
        self.engine = engine
        self.key = key
        self._conn: AsyncConnection | None = None

    @property
    def shared(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def hold(self) -> bool:
        """Take the lock, or check it is still held; True while this process holds it."""
        if not self.shared:
            return True
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except Exception as exc:  # the connection (and with it the lock) is gone
                log.warning("scheduler lock lost: %s", exc)
                await self._drop()
        conn = await self.engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
        except BaseException:
            await conn.close()
            raise
        if got:
            self._conn = conn
            return True
        await conn.close()
        return False

    async def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()


def parse_scheduler_config(t: ConfigTable) -> SchedulerConfig:
    """``[scheduler]``; ConfigError naming file and key."""
    grace = t.integer("misfire_grace_minutes", 15, minimum=1)
    attempts = t.integer("max_attempts", 6, minimum=1)
    concurrency = t.integer("concurrency", 50, minimum=1)
    assert grace is not None and attempts is not None and concurrency is not None
    return SchedulerConfig(
        misfire_grace=timedelta(minutes=grace),
        max_attempts=attempts,
        concurrency=concurrency,
    )


register_table("scheduler", parse_scheduler_config)


def scheduler_config_of(config: Config) -> SchedulerConfig:
    """The ``[scheduler]`` of a loaded configuration (defaults when absent), with the admin
    channel of ``[discord]``."""
    value = config.table("scheduler")
    found = value if isinstance(value, SchedulerConfig) else SchedulerConfig()
    return replace(found, admin_channel_id=config.discord.admin_channel_id)


def due_run(sub: Subscription, now: datetime, grace: timedelta) -> datetime | None:
    """The run of ``sub`` to post at ``now``: the latest scheduled time after its last post (or
    its creation) and no older than ``grace``; None when there is none."""
    since = max(sub.last_posted_at or sub.created_at, now - grace)
    return sub.schedule.last_run_at_or_before(now, since)


@dataclass(frozen=True, slots=True)
class RunResult:
    subscription_id: int
    scheduled_for: datetime | None
    parts: int = 0
    enqueued: int = 0
    reason: str = ""


class BriefingScheduler:
    """Owns the APScheduler instance and the run of one subscription."""

    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Outbox,
        render: RenderPost,
        *,
        config: SchedulerConfig = SchedulerConfig(),
        clock: Clock = _utc_now,
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.render = render
        self.config = config
        self.clock = clock
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(config.misfire_grace.total_seconds()),
            },
        )
        self._stop = asyncio.Event()
        self._shapes: dict[str, tuple[str, str]] = {}  # job id -> (schedule, time zone)
        self._delivery: asyncio.Task[None] | None = None
        self.lock = LeaderLock(engine)
        self.leading = False
        self._watch: asyncio.Task[None] | None = None

    # ------------------------------------------------------------ lifecycle

    async def start(self, *, deliver: bool = True) -> None:
        """Inside the running loop: settle the outbox after a crash, start the jobs, post the
        catch-ups, and (``deliver``) run the outbox's delivery loop.

        The jobs start before the catch-up so that no run falls between the two; a job and the
        catch-up computing the same run write the same outbox keys, so it is posted once.
        """
        now = self.clock()
        # With PostgreSQL other live processes may be sending: only rows claimed longer ago
        # than the outbox's lease are theirs to settle (a dead process's rows wait that long).
        stale = now - self.outbox.lease if self.lock.shared else None
        recovered = await self.outbox.recover(now=now, stale_before=stale)
        if recovered.recovered or recovered.resent:
            log.info(
                "outbox after restart: %d already sent, %d to send again",
                recovered.recovered,
                recovered.resent,
            )
        self._stop.clear()
        if deliver:  # first, so that the catch-up's posts go out while it writes the rest
            self._delivery = asyncio.create_task(self.outbox.run(self.clock, self._stop))
        if await self.lock.hold():
            await self._lead()
        else:
            log.info("another process runs the scheduler; this one delivers and waits")
        if self.lock.shared:
            self._watch = asyncio.create_task(self._watch_lock())

    async def _lead(self) -> None:
        """Become the process that schedules: the jobs, then the catch-up of missed runs."""
        await self.sync_jobs()
        if not self.scheduler.running:
            self.scheduler.start()
        else:
            self.scheduler.resume()
        self.leading = True
        await self.catch_up(now=self.clock())

    async def _watch_lock(self) -> None:
        """PostgreSQL: take the scheduler over when its holder dies; while holding it, pick up
        the subscriptions other processes made (and post a run they made due)."""
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                wait = self.config.leader_poll.total_seconds()
                await asyncio.wait_for(self._stop.wait(), timeout=wait)
                return
            try:
                held = await self.lock.hold()
                if held and not self.leading:
                    log.info("this process now runs the scheduler")
                    await self._lead()
                elif held:
                    await self.sync_jobs()
                    await self.catch_up(now=self.clock())
                elif self.leading:
                    log.warning("scheduler lock lost: this process stops scheduling")
                    self.scheduler.pause()
                    self.leading = False
            except Exception:
                log.exception("scheduler lock check failed")

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self._stop.set()
        if self._watch is not None:
            await self._watch
            self._watch = None
        self.leading = False
        await self.lock.release()
        if self._delivery is not None:
            await self._delivery
            self._delivery = None

    # ------------------------------------------------------------ jobs

    async def sync_jobs(self) -> tuple[int, int]:
        """Make the jobs match the active subscriptions; (jobs now, jobs removed)."""
        active = await list_subscriptions(self.engine, active_only=True)
        wanted: set[str] = set()
        for sub in active:
            # An unchanged job is left alone: replacing it would recompute its next run from
            # now and could drop a run that is due but not yet started.
            shape = (sub.schedule_spec, sub.timezone)
            if self._shapes.get(sub.job_id) == shape and self.scheduler.get_job(sub.job_id):
                wanted.add(sub.job_id)
                continue
            try:
                trigger = sub.schedule.trigger()
            except ScheduleError as exc:  # a row edited by hand, or a zone that left tzdata
                log.error("subscription %s has a bad schedule, skipped: %s", sub.id, exc)
                continue
            wanted.add(sub.job_id)
            self._shapes[sub.job_id] = shape
            self.scheduler.add_job(
                self._fire,
                trigger=trigger,
                args=[sub.id],
                id=sub.job_id,
                name=f"{sub.schedule.describe()} -> channel {sub.channel_id}",
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(self.config.misfire_grace.total_seconds()),
            )
        removed = 0
        for job in self.scheduler.get_jobs():
            if job.id.startswith("sub:") and job.id not in wanted:
                job.remove()
                self._shapes.pop(job.id, None)
                removed += 1
        return len(wanted), removed

    async def _fire(self, subscription_id: int) -> None:
        """The job APScheduler runs; never raises (one logged handler)."""
        try:
            await self.run_subscription(subscription_id, now=self.clock())
        except Exception:
            log.exception("scheduled run of subscription %s failed", subscription_id)

    # ------------------------------------------------------------ runs

    async def run_subscription(self, subscription_id: int, *, now: datetime) -> RunResult:
        """Post the run of a subscription due at ``now`` (see the module docstring)."""
        sub = await get_subscription(self.engine, subscription_id)
        if sub is None:
            return RunResult(subscription_id, None, reason="no such subscription")
        if sub.paused:
            return RunResult(subscription_id, None, reason="paused")
        return await self._post(sub, now)

    async def _post(self, sub: Subscription, now: datetime) -> RunResult:
        scheduled_for = due_run(sub, now, self.config.misfire_grace)
        if scheduled_for is None:
            return RunResult(sub.id, None, reason="no run due")
        # rendered as of its scheduled time: every channel of one run gets the same post
        messages = await self.render(sub, scheduled_for)
        if not messages:
            log.info("subscription %s: nothing to post for %s", sub.id, scheduled_for)
            return RunResult(sub.id, scheduled_for, reason="nothing to post")
        posts = Post.parts(sub.id, sub.channel_id, scheduled_for, messages)
        added = await self.outbox.enqueue(posts, now=now, posted=(sub.id, scheduled_for))
        log.info(
            "subscription %s: run of %s enqueued (%d parts, %d new)",
            sub.id,
            scheduled_for.isoformat(),
            len(posts),
            added,
        )
        return RunResult(sub.id, scheduled_for, parts=len(posts), enqueued=added)

    async def catch_up(self, *, now: datetime) -> list[RunResult]:
        """After a restart: at most one post per subscription for the runs it missed, when the
        latest of them is within the grace."""
        gate = asyncio.Semaphore(self.config.concurrency)

        async def one(sub: Subscription) -> RunResult | None:
            async with gate:
                try:
                    result = await self._post(sub, now)
                except ScheduleError as exc:
                    log.error("subscription %s has a bad schedule, skipped: %s", sub.id, exc)
                    return None
            if result.scheduled_for is not None:
                log.info(
                    "catch-up for subscription %s: the run of %s", sub.id, result.scheduled_for
                )
            return result

        # concurrently, so that the outbox writes the posts of many subscriptions at once
        subs = await list_subscriptions(self.engine, active_only=True)
        found = await asyncio.gather(*(one(sub) for sub in subs))
        return [r for r in found if r is not None]

    def next_run(self, subscription_id: int) -> datetime | None:
        """When APScheduler will next run the subscription's job (None: no job)."""
        job = self.scheduler.get_job(f"sub:{subscription_id}")
        # a job added before the scheduler starts has no next run time yet
        return getattr(job, "next_run_time", None) if job is not None else None

    # ------------------------------------------------------------ replay (dry-run --fast)

    async def replay(
        self,
        start: datetime,
        until: datetime,
        *,
        limit: int = 10_000,
        at_each: Callable[[datetime], object] | None = None,
    ) -> list[RunResult]:
        """Play the schedules of ``(start, until]`` at once, in time order, as if the clock had
        passed: each run is rendered, enqueued and delivered at its own time (``at_each`` is
        told the time first). For ``sitrep dry-run --until ... --fast`` with a console sender;
        APScheduler is not used."""
        events: list[tuple[datetime, int]] = []
        for sub in await list_subscriptions(self.engine, active_only=True):
            try:
                runs = sub.schedule.runs_between(start, until, limit=limit)
            except ScheduleError as exc:
                log.error("subscription %s has a bad schedule, skipped: %s", sub.id, exc)
                continue
            events.extend((when, sub.id) for when in runs)
        events.sort()
        results: list[RunResult] = []
        for when, sub_id in events[:limit]:
            if at_each is not None:
                at_each(when)
            result = await self.run_subscription(sub_id, now=when)
            await self.outbox.deliver_due(now=when)
            results.append(result)
        return results


async def sync_and_start(
    scheduler: BriefingScheduler, config: Config, *, deliver: bool = True
) -> None:
    """Start-up as the bot does it: the configuration's ``[[subscriptions]]`` into the table,
    then ``scheduler.start``."""
    report = await sync_declared(scheduler.engine, declared_in(config), now=scheduler.clock())
    if report.added or report.removed:
        log.info(
            "subscriptions from the configuration: %d added, %d removed, %d kept",
            report.added,
            report.removed,
            report.kept,
        )
    await scheduler.start(deliver=deliver)
