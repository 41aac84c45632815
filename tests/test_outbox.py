"""The delivery outbox on a real SQLite file, with a fake in-memory sender and a fixed clock."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from delivery_fakes import FakeSender, SimulatedCrash, wait_for_the_dead
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.delivery.outbox import (
    Outbox,
    PermanentError,
    Post,
    RateLimited,
    RetryPolicy,
    TransientError,
    nonce_for,
    post_key,
)
from bot.scheduling.subscriptions import create_subscription, create_tables, get_subscription
from briefings.messages import Message

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
ADMIN = 999


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}"


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_async_engine(db_url)
    await create_tables(eng)
    yield eng
    await eng.dispose()


def make_box(engine: AsyncEngine, sender: FakeSender, **kw: Any) -> Outbox:
    kw.setdefault("rng", random.Random(7))
    kw.setdefault("admin_channel_id", ADMIN)
    return Outbox(engine, sender, **kw)


def parts(sub_id: int, channel: int, *texts: str, when: datetime = T0) -> tuple[Post, ...]:
    return Post.parts(sub_id, channel, when, [Message(content=t) for t in texts])


async def subscription(engine: AsyncEngine, channel: int) -> int:
    sub = await create_subscription(engine, channel_id=channel, schedule="daily 08:00", now=T0)
    return sub.id


async def test_enqueue_is_idempotent_and_records_the_run(engine: AsyncEngine) -> None:
    sub = await subscription(engine, 10)
    box = make_box(engine, FakeSender())
    posts = parts(sub, 10, "one", "two")
    assert await box.enqueue(posts, now=T0, posted=(sub, T0)) == 2
    assert await box.enqueue(posts, now=T0, posted=(sub, T0)) == 0
    assert await box.enqueue([*posts, *posts], now=T0) == 0
    rows = await box.rows()
    assert [(r.key, r.part, r.status) for r in rows] == [
        (post_key(sub, T0, 0), 0, "pending"),
        (post_key(sub, T0, 1), 1, "pending"),
    ]
    assert rows[0].key == f"sub:{sub}:20260301T080000Z:0"
    assert len(rows[0].nonce) <= 25 and rows[0].nonce == nonce_for(rows[0].key)
    stored = await get_subscription(engine, sub)
    assert stored is not None and stored.last_posted_at == T0


async def test_delivers_in_order_with_nonce_and_no_mentions(engine: AsyncEngine) -> None:
    sender = FakeSender()
    box = make_box(engine, sender)
    await box.enqueue([*parts(1, 10, "a1", "a2"), *parts(2, 20, "b1")], now=T0)
    report = await box.deliver_due(now=T0)
    assert (report.sent, report.failed, report.next_due) == (3, 0, None)
    assert sender.texts(10) == ["a1", "a2"] and sender.texts(20) == ["b1"]
    payload = sender.channels[10][0][1]
    assert payload["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert payload["enforce_nonce"] is True and payload["nonce"] == nonce_for(post_key(1, T0, 0))
    rows = await box.rows()
    assert all(r.status == "sent" and r.message_id and r.sent_at == T0 for r in rows)
    assert (await box.deliver_due(now=T0 + timedelta(hours=1))).sent == 0
    assert sender.calls == 3


async def test_429_delays_only_that_channel_and_keeps_part_order(engine: AsyncEngine) -> None:
    sender = FakeSender(failures={10: [RateLimited(retry_after=5.0)]})
    box = make_box(engine, sender)
    await box.enqueue([*parts(1, 10, "a1", "a2"), *parts(2, 20, "b1")], now=T0)
    report = await box.deliver_due(now=T0)
    assert (report.sent, report.retried) == (1, 1)
    assert sender.texts(20) == ["b1"] and sender.texts(10) == []
    first = (await box.rows())[0]
    assert first.status == "pending" and first.attempts == 0  # a 429 is not a failure
    assert first.next_attempt_at == T0 + timedelta(seconds=5.25)
    assert report.next_due == first.next_attempt_at
    # not yet due: nothing is sent, and part 2 never overtakes part 1
    assert (await box.deliver_due(now=T0 + timedelta(seconds=5))).sent == 0
    assert sender.texts(10) == []
    assert (await box.deliver_due(now=T0 + timedelta(seconds=6))).sent == 2
    assert sender.texts(10) == ["a1", "a2"]


async def test_transient_errors_back_off_with_jitter_then_fail_with_one_report(
    engine: AsyncEngine,
) -> None:
    sub = await subscription(engine, 10)
    errors: list[BaseException] = [TransientError("502 Bad Gateway") for _ in range(3)]
    errors.insert(1, ConnectionResetError("connection reset"))
    sender = FakeSender(failures={10: errors})
    policy = RetryPolicy(max_attempts=4, base=timedelta(seconds=2), cap=timedelta(seconds=5))
    box = make_box(engine, sender, policy=policy)
    await box.enqueue(parts(sub, 10, "text", "more"), now=T0)
    now = T0
    waits = []
    for attempt in range(1, 4):
        report = await box.deliver_due(now=now)
        assert report.retried == 1, attempt
        row = (await box.rows())[0]
        assert row.attempts == attempt and row.status == "pending"
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    # attempt n waits between half and all of min(cap, base * 2**(n-1))
    full = [timedelta(seconds=2), timedelta(seconds=4), timedelta(seconds=5)]
    assert all(f / 2 <= w <= f for w, f in zip(waits, full, strict=True))
    assert len(set(waits)) == 3
    report = await box.deliver_due(now=now)
    assert report.failed == 1
    rows = await box.rows()
    assert rows[0].status == "failed" and "gave up after 4 attempts" in (rows[0].last_error or "")
    assert (
        rows[1].status == "failed" and rows[1].last_error == "an earlier part of this post failed"
    )
    assert [r.channel_id for r in rows[2:]] == [ADMIN]  # exactly one admin report
    await box.deliver_due(now=now)
    assert len(sender.texts(ADMIN)) == 1 and f"#{sub}" in sender.texts(ADMIN)[0]
    assert sender.texts(10) == []
    stored = await get_subscription(engine, sub)
    assert stored is not None and not stored.paused  # transient: the subscription goes on


async def test_403_pauses_the_subscription_and_reports_once(engine: AsyncEngine) -> None:
    sub = await subscription(engine, 10)
    other = await subscription(engine, 20)
    sender = FakeSender(failures={10: [PermanentError(403, "Missing Permissions")]})
    box = make_box(engine, sender)
    await box.enqueue([*parts(sub, 10, "a1", "a2"), *parts(other, 20, "b1")], now=T0)
    await box.enqueue(parts(sub, 10, "later", when=T0 + timedelta(days=1)), now=T0)
    report = await box.deliver_due(now=T0)
    assert report.paused == (sub,)
    assert sender.texts(20) == ["b1"]  # the other channel is not blocked
    stored = await get_subscription(engine, sub)
    assert stored is not None and stored.paused and "403" in (stored.paused_reason or "")
    statuses = {r.key: r.status for r in await box.rows() if r.subscription_id == sub}
    assert set(statuses.values()) == {"failed"}
    await box.deliver_due(now=T0 + timedelta(minutes=1))
    assert len(sender.texts(ADMIN)) == 1
    assert "paused" in sender.texts(ADMIN)[0] and "<#10>" in sender.texts(ADMIN)[0]
    assert sender.texts(10) == []


async def test_404_on_the_admin_channel_pauses_nothing(engine: AsyncEngine) -> None:
    sub = await subscription(engine, 10)
    sender = FakeSender(
        failures={10: [PermanentError(404, "Unknown Channel")], ADMIN: [PermanentError(404, "x")]}
    )
    box = make_box(engine, sender)
    await box.enqueue(parts(sub, 10, "a"), now=T0)
    await box.deliver_due(now=T0)
    report = await box.deliver_due(now=T0)
    assert report.failed == 1 and report.paused == ()
    assert [r.status for r in await box.rows()] == ["failed", "failed"]


@pytest.mark.parametrize("honor_nonce", [False, True])
async def test_crash_between_send_and_mark_then_restart_posts_exactly_once(
    db_url: str, honor_nonce: bool
) -> None:
    sender = FakeSender(crash_after_send=True, honor_nonce=honor_nonce)
    engine = create_async_engine(db_url)
    await create_tables(engine)
    box = make_box(engine, sender, concurrency=1)
    await box.enqueue(parts(1, 10, "only once", "second part"), now=T0)
    with pytest.raises(SimulatedCrash):
        await box.deliver_due(now=T0)
    assert sender.texts(10) == ["only once"]
    assert [r.status for r in await box.rows()] == ["sending", "pending"]
    await engine.dispose()

    # restart: a new engine and outbox on the same file; Discord (the sender) kept its messages
    sender.restart()
    engine = create_async_engine(db_url)
    box = make_box(engine, sender)
    later = T0 + timedelta(minutes=3)
    recovery = await box.recover(now=later)
    assert (recovery.recovered, recovery.resent) == (1, 0)
    await box.deliver_due(now=later)
    assert sender.texts(10) == ["only once", "second part"]
    rows = await box.rows()
    assert [r.status for r in rows] == ["sent", "sent"]
    assert rows[0].message_id == sender.channels[10][0][0]
    await engine.dispose()


async def test_crash_before_the_send_resends_after_restart(db_url: str) -> None:
    sender = FakeSender(crash_before_send=True)
    engine = create_async_engine(db_url)
    await create_tables(engine)
    box = make_box(engine, sender)
    await box.enqueue(parts(1, 10, "hello"), now=T0)
    with pytest.raises(SimulatedCrash):
        await box.deliver_due(now=T0)
    await wait_for_the_dead()
    await engine.dispose()

    sender.restart()
    engine = create_async_engine(db_url)
    box = make_box(engine, sender)
    recovery = await box.recover(now=T0)
    assert (recovery.recovered, recovery.resent) == (0, 1)
    assert (await box.deliver_due(now=T0)).sent == 1
    assert sender.texts(10) == ["hello"]
    await engine.dispose()


async def test_recover_leaves_fresh_claims_of_other_processes(engine: AsyncEngine) -> None:
    sender = FakeSender(crash_before_send=True)
    box = make_box(engine, sender)
    await box.enqueue(parts(1, 10, "x"), now=T0)
    with pytest.raises(SimulatedCrash):
        await box.deliver_due(now=T0)
    report = await box.recover(now=T0, stale_before=T0 - timedelta(minutes=1))
    assert (report.recovered, report.resent) == (0, 0)
    assert [r.status for r in await box.rows()] == ["sending"]


async def test_naive_times_are_refused(engine: AsyncEngine) -> None:
    box = make_box(engine, FakeSender())
    with pytest.raises(ValueError, match="timezone-aware"):
        await box.enqueue(parts(1, 10, "x"), now=datetime(2026, 1, 1))


async def test_400_fails_the_post_and_reports_without_pausing(engine: AsyncEngine) -> None:
    sub = await subscription(engine, 10)
    sender = FakeSender(failures={10: [PermanentError(400, "Invalid Form Body")]})
    box = make_box(engine, sender)
    await box.enqueue(parts(sub, 10, "a"), now=T0)
    report = await box.deliver_due(now=T0)
    assert (report.failed, report.paused) == (1, ())
    stored = await get_subscription(engine, sub)
    assert stored is not None and not stored.paused
    await box.deliver_due(now=T0)
    assert len(sender.texts(ADMIN)) == 1 and "Invalid Form Body" in sender.texts(ADMIN)[0]


async def test_an_unverifiable_send_is_checked_again_not_resent(engine: AsyncEngine) -> None:
    sender = FakeSender(crash_after_send=True)
    box = make_box(engine, sender)
    await box.enqueue(parts(1, 10, "x"), now=T0)
    with pytest.raises(SimulatedCrash):
        await box.deliver_due(now=T0)
    sender.restart()
    sender.find_failures[10] = [TransientError("502 reading history")]
    later = T0 + timedelta(minutes=1)
    report = await box.recover(now=later)
    assert (report.recovered, report.resent) == (0, 0)
    row = (await box.rows())[0]
    assert row.status == "sending" and row.claimed_at == later
    # the lease: not checked again at once, then checked and found
    assert (await box.recover(now=later, stale_before=later - box.lease)).recovered == 0
    assert sender.finds == 1
    after = later + box.lease + timedelta(seconds=1)
    assert (await box.recover(now=after, stale_before=after - box.lease)).recovered == 1
    assert sender.texts(10) == ["x"]
    assert [r.status for r in await box.rows()] == ["sent"]


async def test_keys_written_by_another_process_meanwhile_are_skipped(engine: AsyncEngine) -> None:
    """The database itself ignores a known key (ON CONFLICT DO NOTHING), no IntegrityError."""
    from bot.delivery.outbox import _insert_ignoring_known_keys

    box = make_box(engine, FakeSender())
    await box.enqueue(parts(1, 10, "first"), now=T0)
    row = {
        "key": post_key(1, T0, 0),
        "nonce": "x",
        "part": 0,
        "channel_id": 10,
        "payload": {"content": "second"},
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": T0,
        "created_at": T0,
    }
    async with engine.begin() as conn:
        await conn.execute(_insert_ignoring_known_keys(conn.dialect.name), [row])
    assert [r.payload["content"] for r in await box.rows()] == ["first"]
