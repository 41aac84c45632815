"""Fan-out: one scheduled briefing to N = 100, 1,000 and 5,000 channels through the local fake
Discord, which enforces Discord's limits (50 requests a second in all, 5 per 5 s per channel,
429 beyond). Prints the time from the run being due to the last post received, against the
bound N / 50 s, and checks that no channel lost or doubled its post.

The delivering process is a real sitrep process (tests/delivery_worker.py: the scheduler's
catch-up enqueues the run of every subscription, the outbox sends through ``DiscordSender``
over discord.py's HTTP client, on SQLite); its peak memory is reported.

    python benchmarks/fanout.py            # last line: fanout n=5000 seconds=... ratio=...
    python benchmarks/fanout.py 100 1000   # other sizes
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from discord_server import FakeDiscord  # noqa: E402

import bot.delivery.outbox  # noqa: E402,F401  (its table)
from bot.scheduling.subscriptions import create_tables, subscribe_channels  # noqa: E402
from bot.store.articles import tune_sqlite  # noqa: E402

WORKER = ROOT / "tests" / "delivery_worker.py"
RUN = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GLOBAL_PER_SECOND = 50
SIZES = (100, 1000, 5000)


async def subscribe(db: str, channels: list[int]) -> None:
    engine = create_async_engine(db)
    tune_sqlite(engine)
    await create_tables(engine)
    await subscribe_channels(
        engine, channels, schedule="daily 08:00", sections="quotes", now=RUN - timedelta(days=1)
    )
    await engine.dispose()


async def fan_out(n: int) -> dict[str, float | int]:
    channels = [10_000_000 + i for i in range(n)]
    with tempfile.TemporaryDirectory(prefix="sitrep-fanout-") as tmp:
        db = f"sqlite+aiosqlite:///{Path(tmp) / 'fanout.db'}"
        await subscribe(db, channels)
        async with FakeDiscord() as server:
            server.enforce_limits(per_second=GLOBAL_PER_SECOND, per_channel=5, window=5.0)
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                str(WORKER),
                "--db",
                db,
                "--api",
                server.api,
                "--now",
                (RUN + timedelta(seconds=1)).isoformat(),
                "--parts",
                "1",
                "--rate",
                "48",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            assert proc.stderr is not None
            line = (await proc.stderr.readline()).decode()
            started = re.match(r"started (\S+)", line)
            if started is None:
                _, err = await proc.communicate()
                raise SystemExit(f"the worker did not start: {line}{err.decode()[-2000:]}")
            due = float(started.group(1))  # the moment the run is due and the process acts
            last = due
            received = 0
            while received < n and proc.returncode is None:
                count = sum(1 for m in server.messages.values() for _ in m)
                if count > received:
                    received, last = count, time.time()
                await asyncio.sleep(0.01)
            out, err = await proc.communicate()
            if proc.returncode != 0:
                raise SystemExit(f"the worker failed: {err.decode()[-2000:]}")
            count = sum(1 for m in server.messages.values() for _ in m)
            if count > received:
                last = time.time()
            done = re.search(r"peak_mb=(\d+)", out.decode())
            peak = int(done.group(1)) if done else -1
            per_channel = [len(server.messages.get(f"channel:{c}", [])) for c in channels]
            refused = server.limits.refused if server.limits is not None else 0
    seconds = last - due
    bound = n / GLOBAL_PER_SECOND
    return {
        "n": n,
        "seconds": round(seconds, 2),
        "bound_seconds": round(bound, 2),
        "ratio": round(seconds / bound, 3),
        "lost": sum(1 for k in per_channel if k == 0),
        "doubled": sum(1 for k in per_channel if k > 1),
        "refused_429": refused,
        "peak_mb": peak,
    }


def main(argv: list[str]) -> int:
    sizes = tuple(int(a) for a in argv) or SIZES
    result: dict[str, float | int] = {}
    for n in sizes:
        result = asyncio.run(fan_out(n))
        print(
            f"n={n}: {result['seconds']} s against the bound {result['bound_seconds']} s "
            f"(ratio {result['ratio']}), lost {result['lost']}, doubled {result['doubled']}, "
            f"429s {result['refused_429']}, peak {result['peak_mb']} MB",
            flush=True,
        )
    keys = ("n", "seconds", "bound_seconds", "ratio", "lost", "doubled", "peak_mb")
    print("fanout " + " ".join(f"{k}={result[k]}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
