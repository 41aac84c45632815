"""The delivery outbox: every post is written down before it is sent and marked after.

A scheduled post is one or more messages ("parts"). Each part is a row with a unique key
(subscription id + scheduled time + part), its payload (the JSON Discord receives), a status and
the message id Discord gave it::

    pending ──claim──► sending ──Discord answered──► sent
       ▲                  │
       └── 429 / 5xx / ───┤ (exponential backoff with jitter, up to ``max_attempts``)
           connection     └── 403 / 404, or attempts exhausted ──► failed (+ one admin report)

Nothing is lost or doubled:

* ``enqueue`` ignores a part whose key is already there, so firing a run twice writes it once;
  it records the subscription's ``last_posted_at`` in the same transaction.
* A part is sent only after the parts before it in its post are sent (messages stay in order).
* Each part carries a nonce derived from its key; the sender posts it with Discord's
  ``enforce_nonce``, so a retry within minutes returns the first message instead of a second.
* On start-up (``recover``), rows left in ``sending`` by a crash between the send and the mark
  are checked against the channel's messages (``Sender.find``): found, the row is marked sent
  with that message id; not found, it goes back to pending and is sent again. Discord does not
  list nonces, so a message is recognised by what it is (the bot's, the same content) and by
  Discord's own clock, never the dead process's: a claim records the highest message id the
  outbox knew (``claimed_after``: a snowflake, Discord's time), the row's message can only be
  newer than that (less ``DISCORD_CLOCK_MARGIN``), and a message some other row already owns is
  never taken. A process whose clock ran fast or slow recovers the same.
* A permanent failure (403: permission lost, 404: channel gone) pauses the subscription and
  writes one admin report, itself an outbox row with a unique key, so it is sent exactly once.
* A 429 delays only the rows of that channel; the other channels go on.

I/O happens through a :class:`Sender` (Discord REST, webhook or console) injected by the caller,
and the time through ``now`` arguments, so tests run with fixed clocks and a fake sender.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.delivery.posts import (
    FAILED,
    FILES_KEY,
    PAUSING_STATUSES,
    PENDING,
    SENDING,
    SENT,
    DeliveryError,
    DeliveryReport,
    OutboxRow,
    PermanentError,
    Post,
    RateLimited,
    RetryPolicy,
    Sender,
    Tally,
    TransientError,
    clip_text,
    file_ref,
    lower_bound,
    nonce_for,
    outbox,
    outbox_files,
    outbox_row,
    post_key,
    post_of,
    unsent_heads,
)
from bot.store.articles import utc
from bot.store.subscriptions import subscriptions
from briefings.messages import Attachment, Message

log = logging.getLogger(__name__)

__all__ = [
    "DeliveryError",
    "DeliveryReport",
    "Outbox",
    "OutboxRow",
    "PermanentError",
    "Post",
    "RateLimited",
    "RetryPolicy",
    "Sender",
    "TransientError",
    "nonce_for",
    "outbox",
    "post_key",
]


# ---------------------------------------------------------------- the outbox


class Outbox:
    """Enqueue posts, deliver the due ones through a ``Sender``, recover after a crash."""

    def __init__(
        self,
        engine: AsyncEngine,
        sender: Sender,
        *,
        policy: RetryPolicy = RetryPolicy(),
        admin_channel_id: int | None = None,
        concurrency: int = 50,
        lease: timedelta = timedelta(minutes=5),
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.sender = sender
        self.policy = policy
        self.admin_channel_id = admin_channel_id
        self.concurrency = max(1, concurrency)
        self.lease = lease  # a row "sending" for longer than this is checked and settled
        self.rng = rng or random.Random()
        # SQLite has one writer: serialize this process's writes instead of hitting "locked".
        self._write_lock = asyncio.Lock()
        self._writes: list[
            tuple[Callable[[AsyncConnection], Awaitable[int]], asyncio.Future[int]]
        ] = []
        self._writer: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    # ------------------------------------------------------------ writing

    async def enqueue(
        self,
        posts: Sequence[Post],
        *,
        now: datetime,
        posted: tuple[int, datetime] | None = None,
    ) -> int:
        """Write ``posts`` as pending rows (known keys are skipped); how many were new.

        With ``posted=(subscription_id, scheduled_for)`` the subscription's ``last_posted_at``
        advances in the same transaction, so a run is recorded exactly when its parts are.
        """
        at = utc(now)

        async def write(conn: AsyncConnection) -> int:
            added = await _insert_new(conn, posts, at)
            if posted is not None:
                sub_id, when = posted
                when = utc(when)
                await conn.execute(
                    update(subscriptions)
                    .where(
                        subscriptions.c.id == sub_id,
                        (subscriptions.c.last_posted_at.is_(None))
                        | (subscriptions.c.last_posted_at < when),
                    )
                    .values(last_posted_at=when)
                )
            return added

        added = await self._write_with(write)
        if added:
            self._wake.set()
        return added

    async def _write(self, statement: Any) -> int:
        """Execute one write statement; its row count, committed before this returns."""

        async def write(conn: AsyncConnection) -> int:
            return int((await conn.execute(statement)).rowcount)

        return await self._write_with(write)

    async def _write_with(self, write: Callable[[AsyncConnection], Awaitable[int]]) -> int:
        """Run ``write`` in a transaction; its result, committed before this returns.

        Writes of concurrent tasks (enqueues of the jobs of one moment, claims and marks of the
        senders) share one transaction, so a fan-out costs about one commit per round instead
        of two per message (group commit)."""
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._writes.append((write, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._commit_writes())
        return await done

    async def _commit_writes(self) -> None:
        await asyncio.sleep(0)  # let the other senders of this round join the transaction
        while self._writes:
            batch, self._writes = self._writes, []
            try:
                async with self._write_lock, self.engine.begin() as conn:
                    counts = [await write(conn) for write, _ in batch]
            except BaseException as exc:
                for _, waiter in batch:
                    if not waiter.done():
                        waiter.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for (_, waiter), count in zip(batch, counts, strict=True):
                if not waiter.done():
                    waiter.set_result(count)

    async def _update(self, row_id: int, **values: Any) -> None:
        await self._write(update(outbox).where(outbox.c.id == row_id).values(**values))

    async def _claim(self, row_id: int, now: datetime) -> bool:
        """Take a pending row for sending. On PostgreSQL a row another process holds is
        skipped, not waited for (``FOR UPDATE SKIP LOCKED``); SQLite has one writer anyway."""
        free = (
            select(outbox.c.id)
            .where(outbox.c.id == row_id, outbox.c.status == PENDING)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        newest = select(func.max(outbox.c.message_id)).scalar_subquery()
        claimed = await self._write(
            update(outbox)
            .where(outbox.c.id == free, outbox.c.status == PENDING)
            .values(status=SENDING, claimed_at=now, claimed_after=newest)
        )
        return bool(claimed)

    async def mark_sent(self, row_id: int, message_id: int, *, now: datetime) -> None:
        await self._update(
            row_id, status=SENT, message_id=message_id, sent_at=utc(now), last_error=None
        )

    # ------------------------------------------------------------ reading

    async def rows(self, *, status: str | None = None) -> list[OutboxRow]:
        stmt = select(outbox).order_by(outbox.c.id)
        if status is not None:
            stmt = stmt.where(outbox.c.status == status)
        async with self.engine.connect() as conn:
            return [outbox_row(r) for r in (await conn.execute(stmt)).all()]

    async def next_due(self) -> datetime | None:
        """When the next sendable part is due: the earliest ``next_attempt_at`` among the first
        unsent part of each post (later parts wait for it); None when nothing is pending."""
        heads = unsent_heads(await self._unsent())
        times = [r.next_attempt_at for r in heads.values() if r.status == PENDING]
        return min(times) if times else None

    async def _unsent(self) -> list[OutboxRow]:
        stmt = (
            select(outbox)
            .where(outbox.c.status.in_((PENDING, SENDING)))
            .order_by(outbox.c.channel_id, outbox.c.id)
        )
        async with self.engine.connect() as conn:
            return [outbox_row(r) for r in (await conn.execute(stmt)).all()]

    # ------------------------------------------------------------ recovery

    async def recover(
        self, *, now: datetime, stale_before: datetime | None = None
    ) -> DeliveryReport:
        """Settle rows left in ``sending`` (by a crash); only those claimed before
        ``stale_before`` when given (another live process may own newer claims)."""
        at = utc(now)
        stmt = select(outbox).where(outbox.c.status == SENDING).order_by(outbox.c.id)
        if stale_before is not None:
            stmt = stmt.where(outbox.c.claimed_at < utc(stale_before))
        async with self.engine.connect() as conn:
            stuck = [outbox_row(r) for r in (await conn.execute(stmt)).all()]
        recovered = resent = 0
        owned: dict[int, set[int]] = {}  # channel -> message ids rows own (found ones added)
        for row in stuck:
            payload = {**row.payload, "nonce": row.nonce, "enforce_nonce": True}
            payload.pop(FILES_KEY, None)
            after = lower_bound(row.claimed_after)
            if row.channel_id not in owned:
                owned[row.channel_id] = await self._owned(row.channel_id, after)
            try:
                found = await self.sender.find(
                    row.channel_id, payload, after=after, known=frozenset(owned[row.channel_id])
                )
            except PermanentError as exc:
                # the channel cannot be read: sending again will fail the same way and pause it
                log.warning("outbox: cannot check channel %s: %s", row.channel_id, exc)
                found = None
            except Exception as exc:
                # unknown whether it was sent: check again after the lease, never guess
                log.warning("outbox: cannot check %s yet (%s); will retry", row.key, exc)
                await self._update(row.id, claimed_at=at)
                continue
            if found is not None:
                log.info("outbox: %s was sent before the restart (message %s)", row.key, found)
                owned[row.channel_id].add(found)
                await self.mark_sent(row.id, found, now=at)
                recovered += 1
            else:
                await self._update(row.id, status=PENDING, next_attempt_at=at, claimed_at=None)
                resent += 1
        if resent:
            self._wake.set()
        return DeliveryReport(recovered=recovered, resent=resent)

    async def _owned(self, channel_id: int, after: int | None) -> set[int]:
        """The message ids of ``channel_id`` that rows own, newer than ``after``."""
        stmt = select(outbox.c.message_id).where(
            outbox.c.channel_id == channel_id, outbox.c.message_id.is_not(None)
        )
        if after is not None:
            stmt = stmt.where(outbox.c.message_id > after)
        async with self.engine.connect() as conn:
            return {int(m) for m in (await conn.execute(stmt)).scalars().all()}

    # ------------------------------------------------------------ delivery

    async def deliver_due(self, *, now: datetime) -> DeliveryReport:
        """Send every part due at ``now`` whose earlier parts are sent; channels in parallel
        (up to ``concurrency``), the parts of one channel in order."""
        at = utc(now)
        unsent = await self._unsent()
        heads = unsent_heads(unsent)
        by_channel: dict[int, list[OutboxRow]] = {}
        ready: set[tuple[str, int]] = set()  # (post, part) that this round sends, in order
        tally = Tally()
        for row in unsent:  # by channel, then in the order the parts were written
            post = post_of(row.key)
            head = heads[post]
            if row.status != PENDING or head.status != PENDING or head.next_attempt_at > at:
                continue
            if row.id == head.id or (post, row.part - 1) in ready:
                ready.add((post, row.part))
                by_channel.setdefault(row.channel_id, []).append(row)

        gate = asyncio.Semaphore(self.concurrency)

        async def run_channel(rows: list[OutboxRow]) -> None:
            async with gate:
                for row in rows:
                    if not await self._deliver_one(row, at, tally):
                        break  # keep the channel's order: the rest wait for this one

        await asyncio.gather(*(run_channel(rows) for rows in by_channel.values()))
        return DeliveryReport(
            sent=tally.sent,
            retried=tally.retried,
            failed=tally.failed,
            paused=tuple(tally.paused),
            next_due=await self.next_due(),
        )

    async def _deliver_one(self, row: OutboxRow, at: datetime, tally: Tally) -> bool:
        """Send one claimed row; True when it was sent."""
        if not await self._claim(row.id, at):
            return False  # someone else has it
        payload = {**row.payload, "nonce": row.nonce, "enforce_nonce": True}
        refs = payload.pop(FILES_KEY, None) or []
        try:
            files = await self._files(refs)
            if len(files) != len(refs):  # the payload lists only the files that are sent
                payload["attachments"] = [
                    {"id": i, "filename": f.filename} for i, f in enumerate(files)
                ]
            message_id = await self.sender.send(row.channel_id, payload, files)
        except RateLimited as exc:
            delay = timedelta(seconds=exc.retry_after) + self.policy.rate_limit_margin
            await self._retry_later(row, at + delay, str(exc), count=False)
            tally.retried += 1
            return False
        except PermanentError as exc:
            await self._permanent(row, exc, at, tally)
            return False
        except Exception as exc:  # TransientError, connection errors, anything unexpected
            if not isinstance(exc, TransientError):
                log.warning("outbox: unexpected error sending %s", row.key, exc_info=True)
            attempts = row.attempts + 1
            if attempts >= self.policy.max_attempts:
                why = f"gave up after {attempts} attempts: {exc}"
                await self._fail(row, why, at, report=True, attempts=attempts)
                tally.failed += 1
            else:
                when = at + self.policy.delay(attempts, self.rng)
                await self._retry_later(
                    row, when, str(exc) or type(exc).__name__, attempts=attempts
                )
                tally.retried += 1
            return False
        await self.mark_sent(row.id, message_id, now=at)
        tally.sent += 1
        log.info("posted %s to channel %s (message %s)", row.key, row.channel_id, message_id)
        return True

    async def _files(self, refs: list[dict[str, str]]) -> list[Attachment]:
        """The files a part names, in order; one gone from the table is left out (the post
        goes without its picture rather than not at all)."""
        if not refs:
            return []
        wanted = [r["sha256"] for r in refs]
        async with self.engine.connect() as conn:
            found = dict(
                (
                    await conn.execute(
                        select(outbox_files.c.sha256, outbox_files.c.data).where(
                            outbox_files.c.sha256.in_(wanted)
                        )
                    )
                ).all()
            )
        out = []
        for ref in refs:
            data = found.get(ref["sha256"])
            if data is None:
                log.warning("outbox: file %s of a post is gone; sent without it", ref["filename"])
                continue
            out.append(Attachment(ref["filename"], bytes(data), ref["content_type"]))
        return out

    async def _retry_later(
        self,
        row: OutboxRow,
        when: datetime,
        error: str,
        *,
        count: bool = True,
        attempts: int | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": PENDING,
            "next_attempt_at": when,
            "claimed_at": None,
            "last_error": clip_text(error),
        }
        if count:
            values["attempts"] = attempts if attempts is not None else row.attempts + 1
        await self._update(row.id, **values)

    async def _permanent(
        self, row: OutboxRow, exc: PermanentError, at: datetime, tally: Tally
    ) -> None:
        reason = f"{exc} ({exc.status})"
        await self._fail(row, reason, at, report=False, attempts=row.attempts + 1)
        tally.failed += 1
        if row.subscription_id is None:
            log.error("outbox: admin report to channel %s failed: %s", row.channel_id, reason)
            return
        if exc.status not in PAUSING_STATUSES:
            await self._report(
                f"report:failed:{post_of(row.key)}",
                f"A post of subscription #{row.subscription_id} to <#{row.channel_id}> was "
                f"refused by Discord: {reason}.",
                at,
            )
            return
        sub_id = row.subscription_id
        async with self._write_lock, self.engine.begin() as conn:
            result = await conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == sub_id, subscriptions.c.paused.is_(False))
                .values(paused=True, paused_reason=clip_text(reason, 200))
            )
            # the subscription's other unsent parts will not go through either
            await conn.execute(
                update(outbox)
                .where(
                    and_(
                        outbox.c.subscription_id == sub_id,
                        outbox.c.status == PENDING,
                        outbox.c.channel_id == row.channel_id,
                    )
                )
                .values(status=FAILED, last_error="subscription paused: " + clip_text(reason, 200))
            )
        if result.rowcount:
            tally.paused.append(sub_id)
            log.warning("subscription %s paused: %s", sub_id, reason)
            await self._report(
                f"report:pause:sub:{sub_id}:{row.key}",
                f"Subscription #{sub_id} is paused: posting to <#{row.channel_id}> failed with "
                f"{reason}. Fix the channel or the bot's permissions, then resume it.",
                at,
            )

    async def _fail(
        self,
        row: OutboxRow,
        reason: str,
        at: datetime,
        *,
        report: bool,
        attempts: int | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": FAILED,
            "claimed_at": None,
            "last_error": clip_text(reason),
        }
        if attempts is not None:
            values["attempts"] = attempts
        async with self._write_lock, self.engine.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == row.id).values(**values))
            # the later parts of the same post would read wrong without this one
            await conn.execute(
                update(outbox)
                .where(
                    outbox.c.key.startswith(post_of(row.key) + ":", autoescape=True),
                    outbox.c.part > row.part,
                    outbox.c.status == PENDING,
                )
                .values(status=FAILED, last_error="an earlier part of this post failed")
            )
        log.warning("outbox: %s failed: %s", row.key, reason)
        if report and row.subscription_id is not None:
            await self._report(
                f"report:failed:{row.key.rpartition(':')[0]}",
                f"A post of subscription #{row.subscription_id} to <#{row.channel_id}> could not "
                f"be delivered: {reason}.",
                at,
            )

    async def _report(self, key: str, text: str, at: datetime) -> None:
        """One admin report per key, through the outbox itself (so it is sent exactly once)."""
        if self.admin_channel_id is None:
            log.warning("admin report (no admin channel configured): %s", text)
            return
        payload = Message(content=clip_text(text, 2000)).to_payload()
        await self.enqueue(
            [Post(key=key, channel_id=self.admin_channel_id, payload=payload)], now=at
        )

    # ------------------------------------------------------------ running

    def wake(self) -> None:
        """Deliver now (called after an enqueue from another component)."""
        self._wake.set()

    async def run(
        self,
        clock: Callable[[], datetime],
        stop: asyncio.Event,
        *,
        idle: float = 30.0,
    ) -> None:
        """Deliver forever in real time until ``stop`` is set: after each enqueue, and when the
        next retry is due (at most ``idle`` seconds apart)."""
        while not stop.is_set():
            self._wake.clear()
            try:
                now = clock()
                await self.recover(now=now, stale_before=now - self.lease)
                report = await self.deliver_due(now=now)
            except Exception:
                log.exception("outbox: delivery round failed")
                report = DeliveryReport()
            wait = idle
            if report.next_due is not None:
                wait = min(idle, max(0.0, (report.next_due - clock()).total_seconds()))
            progressed = report.sent or report.retried or report.failed
            if wait <= 0 and progressed:
                await asyncio.sleep(0)  # let other tasks run between immediate rounds
                continue
            # due rows that this round could not take (another process holds them): no spinning
            wait = max(wait, 0.5)
            waker = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait({waker, stopper}, timeout=wait, return_when="FIRST_COMPLETED")
            finally:
                waker.cancel()
                stopper.cancel()


async def _insert_new(conn: AsyncConnection, posts: Sequence[Post], at: datetime) -> int:
    """Insert the posts whose keys are new; how many were inserted."""
    if not posts:
        return 0
    keys = [p.key for p in posts]
    known = set(
        (await conn.execute(select(outbox.c.key).where(outbox.c.key.in_(keys)))).scalars().all()
    )
    rows: list[dict[str, Any]] = [
        {
            "key": p.key,
            "nonce": nonce_for(p.key),
            "subscription_id": p.subscription_id,
            "scheduled_for": utc(p.scheduled_for) if p.scheduled_for is not None else None,
            "part": p.part,
            "channel_id": p.channel_id,
            "payload": p.payload,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": at,
            "created_at": at,
        }
        for p in posts
        if p.key not in known
    ]
    unique: dict[str, dict[str, Any]] = {}
    for r in rows:
        unique.setdefault(r["key"], r)
    if not unique:
        return 0
    # Keys written meanwhile by another process are skipped by the database itself.
    await conn.execute(_insert_ignoring_known_keys(conn.dialect.name), list(unique.values()))
    await _insert_files(conn, [f for p in posts if p.key in unique for f in p.files], at)
    return len(unique)


async def _insert_files(conn: AsyncConnection, files: Sequence[Attachment], at: datetime) -> None:
    """Store each file once by its hash (a map posted to a thousand channels is one row)."""
    by_hash = {file_ref(f)["sha256"]: f.data for f in files}
    if not by_hash:
        return
    known = set(
        (
            await conn.execute(
                select(outbox_files.c.sha256).where(outbox_files.c.sha256.in_(list(by_hash)))
            )
        )
        .scalars()
        .all()
    )
    rows = [
        {"sha256": h, "data": d, "created_at": at} for h, d in by_hash.items() if h not in known
    ]
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == "sqlite":
        stmt: Any = sqlite_insert(outbox_files).on_conflict_do_nothing(
            index_elements=[outbox_files.c.sha256]
        )
    elif dialect == "postgresql":
        stmt = postgresql_insert(outbox_files).on_conflict_do_nothing(
            index_elements=[outbox_files.c.sha256]
        )
    else:
        stmt = outbox_files.insert()
    await conn.execute(stmt, rows)


def _insert_ignoring_known_keys(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` where the dialect has it."""
    if dialect == "sqlite":
        return sqlite_insert(outbox).on_conflict_do_nothing(index_elements=[outbox.c.key])
    if dialect == "postgresql":
        return postgresql_insert(outbox).on_conflict_do_nothing(index_elements=[outbox.c.key])
    return outbox.insert()
