"""A real process killed (SIGKILL) in the middle of a fan-out to 200 channels, restarted: every
channel has its post exactly once, parts in order; the same while the local Discord answers 10%
429s and 10% 500s and drops 5% of connections after making the message; and the same when the
killed process's clock ran 2 minutes or an hour fast and the restart comes after Discord forgot
the nonces (the local Discord lists no nonces, as Discord does)."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from delivery_worker import PARTS, contents
from discord_server import FakeDiscord
from sqlalchemy.ext.asyncio import create_async_engine

from bot.scheduling.subscriptions import create_tables, subscribe_channels

WORKER = Path(__file__).resolve().parent / "delivery_worker.py"
RUN = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CHANNELS = [70_000 + i for i in range(200)]


async def subscribe_all(db: str, channels: list[int] = CHANNELS) -> None:
    """A daily 08:00 subscription for each channel (one transaction)."""
    engine = create_async_engine(db)
    await create_tables(engine)
    await subscribe_channels(engine, channels, schedule="daily 08:00", now=RUN - timedelta(days=1))
    await engine.dispose()


async def worker(server: FakeDiscord, db: str, now: datetime) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(WORKER),
        "--db",
        db,
        "--api",
        server.api,
        "--now",
        now.isoformat(),
        "--quick",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def posted(server: FakeDiscord) -> int:
    return sum(len(server.messages.get(f"channel:{c}", [])) for c in CHANNELS)


@pytest.mark.parametrize("faults", [False, True], ids=["clean", "faults"])
async def test_killed_mid_fan_out_then_restarted_posts_each_exactly_once(
    tmp_path: Path, faults: bool
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'fanout.db'}"
    await subscribe_all(db)
    total = len(CHANNELS) * PARTS
    async with FakeDiscord() as server:
        if faults:
            server.chaos(rate_429=0.10, rate_500=0.10, rate_drop=0.05, seed=7)
        first = await worker(server, db, RUN + timedelta(seconds=1))
        async with asyncio.timeout(60):
            while posted(server) < total // 4 and first.returncode is None:
                await asyncio.sleep(0.002)
        first.kill()  # SIGKILL: no clean-up of any kind
        await first.wait()
        assert first.returncode == -9, "the fan-out ended before it could be killed"
        before = posted(server)
        assert 0 < before < total

        second = await worker(server, db, RUN + timedelta(minutes=1))
        async with asyncio.timeout(90):
            out, err = await second.communicate()
        assert second.returncode == 0, err.decode()[-2000:]
        assert f"done sent={total} failed=0" in out.decode()

        for channel in CHANNELS:
            got = [m["content"] for m in server.messages.get(f"channel:{channel}", [])]
            assert got == contents(channel, RUN), channel
        if faults:
            statuses = [r.status for r in server.requests if r.method == "POST"]
            assert statuses.count(429) > 10 and statuses.count(500) > 10
            assert statuses.count(-1) > 5


@pytest.mark.parametrize("skew", [timedelta(minutes=2), timedelta(hours=1)], ids=["2min", "1h"])
async def test_killed_with_a_fast_clock_then_restarted_right_posts_each_exactly_once(
    tmp_path: Path, skew: timedelta
) -> None:
    """The killed process's clock ran ``skew`` ahead of Discord's; the restarted one is right,
    and comes after Discord forgot the nonces: recovery cannot lean on either."""
    db = f"sqlite+aiosqlite:///{tmp_path / 'skew.db'}"
    await subscribe_all(db)
    total = len(CHANNELS) * PARTS
    async with FakeDiscord() as server:
        started = time.time()
        discord_now = (RUN + timedelta(seconds=1) - skew).timestamp()
        server.clock = lambda: discord_now + (time.time() - started)
        first = await worker(server, db, RUN + timedelta(seconds=1))  # skew ahead of Discord
        async with asyncio.timeout(60):
            while posted(server) < total // 4 and first.returncode is None:
                await asyncio.sleep(0.002)
        first.kill()
        await first.wait()
        assert first.returncode == -9, "the fan-out ended before it could be killed"
        assert 0 < posted(server) < total

        server.nonce_seconds = 0.0  # restarted after Discord's nonce window
        right = datetime.fromtimestamp(server.clock(), UTC)
        second = await worker(server, db, right)
        async with asyncio.timeout(90):
            out, err = await second.communicate()
        assert second.returncode == 0, err.decode()[-2000:]
        assert f"done sent={total} failed=0" in out.decode()
        for channel in CHANNELS:
            got = [m["content"] for m in server.messages.get(f"channel:{channel}", [])]
            assert got == contents(channel, RUN), channel  # 0 lost, 0 doubled, in order
