"""Several sitrep processes on one PostgreSQL database: the outbox is shared (each post sent
exactly once), and exactly one process schedules, the lock moving when its holder is killed.

Needs ``SITREP_TEST_PG_URL`` (``.ci/run`` starts a throwaway server with
``scripts/ci-postgres`` and exports it); skipped with the reason where it is unset.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from delivery_worker import contents
from discord_server import FakeDiscord
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.delivery.outbox import Outbox, Post
from bot.delivery.senders import ConsoleSender
from bot.scheduling.subscriptions import create_tables, list_subscriptions, subscribe_channels

WORKER = Path(__file__).resolve().parent / "delivery_worker.py"
RUN = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PG_ENV = "SITREP_TEST_PG_URL"


@pytest.fixture
async def pg_db() -> AsyncIterator[str]:
    """A fresh database on the test server, dropped afterwards."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL to test with (.ci/run starts one)")
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    name = f"sitrep_{uuid.uuid4().hex[:12]}"
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        await admin.dispose()
        pytest.skip(f"cannot create a database on {PG_ENV}: {exc}")
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await admin.dispose()


async def subscribe(db: str, channels: list[int], posted: datetime | None = None) -> None:
    engine = create_async_engine(db)
    await create_tables(engine)
    await subscribe_channels(
        engine,
        channels,
        schedule="daily 08:00",
        sections="quotes",
        now=RUN - timedelta(days=1),
        last_posted_at=posted,
    )
    await engine.dispose()


async def worker(server: FakeDiscord, db: str, *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        "--db",
        db,
        "--api",
        server.api,
        "--now",
        (RUN + timedelta(seconds=1)).isoformat(),
        "--quick",
        *extra,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_two_processes_share_the_outbox_each_post_sent_once(pg_db: str) -> None:
    channels = [80_000 + i for i in range(500)]
    await subscribe(pg_db, channels, posted=RUN)  # the run is enqueued below, not caught up
    engine = create_async_engine(pg_db)
    box = Outbox(engine, ConsoleSender(lambda _: None))
    posts = [
        p
        for sub in await list_subscriptions(engine)
        for p in Post.parts(
            sub.id,
            sub.channel_id,
            RUN,
            [m for m in await _messages(sub.channel_id)],
        )
    ]
    assert await box.enqueue(posts, now=RUN) == 500
    await engine.dispose()

    async with FakeDiscord() as server:
        procs = [
            await worker(server, pg_db, "--parts", "1", "--concurrency", "4", "--go")
            for _ in (1, 2)
        ]
        async with asyncio.timeout(60):
            for p in procs:
                assert p.stdout is not None
                assert (await p.stdout.readline()).strip() == b"ready"
        for p in procs:  # both at once
            assert p.stdin is not None
            p.stdin.write(b"go\n")
            await p.stdin.drain()
        async with asyncio.timeout(120):
            outs = await asyncio.gather(*(p.communicate() for p in procs))
        mine = []
        for p, (out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, err.decode()[-2000:]
            found = re.search(r"done sent=(\d+) failed=(\d+) mine=(\d+)", out.decode())
            assert found, out.decode()
            mine.append(int(found.group(3)))
        # Every post sent once between them. Which process sends how many is up to the scheduler:
        # on a loaded machine the first to wake can drain all 500 before the other claims one.
        assert sum(mine) == 500, mine
        for channel in channels:
            got = [m["content"] for m in server.messages.get(f"channel:{channel}", [])]
            assert got == contents(channel, RUN, 1), channel


async def _messages(channel: int) -> list[object]:
    from briefings.messages import Message

    return [Message(content=c) for c in contents(channel, RUN, 1)]


async def test_the_scheduler_lock_moves_when_its_holder_is_killed(pg_db: str) -> None:
    await subscribe(pg_db, [90_001])
    async with FakeDiscord() as server:
        first = await worker(server, pg_db, "--serve")
        assert first.stdout is not None
        async with asyncio.timeout(60):
            assert (await first.stdout.readline()).decode().strip() == "leader"
        second = await worker(server, pg_db, "--serve")
        assert second.stdout is not None
        try:
            async with asyncio.timeout(60):
                assert (await second.stdout.readline()).decode().strip() == "follower"
            async with asyncio.timeout(30):  # the leader's catch-up post arrives
                while len(server.messages.get("channel:90001", [])) < 2:
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0.5)  # a few lock checks: the holder keeps it
            assert second.returncode is None
            first.kill()  # SIGKILL: its connection closes, the server releases the lock
            await first.wait()
            async with asyncio.timeout(30):
                assert (await second.stdout.readline()).decode().strip() == "leader"
        finally:
            for p in (first, second):
                if p.returncode is None:
                    p.kill()
                    await p.wait()
            await asyncio.sleep(0.5)  # the new leader's catch-up finds the run posted
        # the catch-up ran once in all: one post
        assert [m["content"] for m in server.messages.get("channel:90001", [])] == contents(
            90_001, RUN
        )


async def test_a_dry_run_copies_a_postgresql_store_and_writes_nothing(pg_db: str) -> None:
    from bot.store.articles import Store
    from bot.store.snapshot import throwaway_copy
    from briefings.ingest import article_from_bytes

    posted = RUN - timedelta(hours=3)
    await subscribe(pg_db, [501, 502], posted=posted)
    store = await Store.open(pg_db)
    try:
        river = Path(__file__).resolve().parent / "fixtures" / "bot" / "river_crossing.txt"
        assert await store.add_article(article_from_bytes(river.read_bytes(), name="river"))
        real = await list_subscriptions(store.engine)
        async with throwaway_copy(pg_db) as copy:
            assert copy.engine.dialect.name == "sqlite"
            assert await copy.count() == 1
            seen = await list_subscriptions(copy.engine)
            assert [(s.channel_id, s.created_at, s.last_posted_at) for s in seen] == [
                (s.channel_id, s.created_at, s.last_posted_at) for s in real
            ]
            assert seen[0].last_posted_at == posted
            await subscribe_channels(
                copy.engine, [503], schedule="daily 08:00", sections="quotes", now=RUN
            )
            assert len(await list_subscriptions(copy.engine)) == 3
        assert [s.channel_id for s in await list_subscriptions(store.engine)] == [501, 502]
    finally:
        await store.close()
