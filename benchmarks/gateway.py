"""Interactions over the gateway (issue 11): INTERACTION_CREATE sent to first callback received.

The real ``sitrep run`` runs in a subprocess, connected through ``SITREP_DISCORD_URL`` to the local
fake Discord of tests/discord_server.py (REST and gateway on 127.0.0.1, zlib-stream compression as
discord.py asks for it), with the bundled demo article in a fresh SQLite store. 200 interactions
(the answer-at-once commands and the two autocompletes, in turn) are sent one after another over
the websocket; the clock starts when the fake Discord writes the payload to the socket and stops
when it receives the interaction callback. Goal: p99 < 100 ms on this machine (Discord's deadline
is 3 s).

The last line is ``key=value`` pairs (CONTRACT.md, "Benchmarks").
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from discord_server import FakeDiscord, interaction_payload  # noqa: E402

RUNS = 200
WARMUP = 10
TARGET_P99_MS = 100.0
TOKEN = "benchmark-token"
INTERACTIONS: list[tuple[str, dict[str, str], str | None]] = [
    ("briefing", {}, None),
    ("briefing", {"section": "quotes"}, None),
    ("quotes", {}, None),
    ("frontline", {}, None),
    ("policy", {}, None),
    ("sources", {}, None),
    ("help", {}, None),
    ("briefing", {"article": ""}, "article"),
    ("quotes", {"speaker": ""}, "speaker"),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


async def one(
    server: FakeDiscord, name: str, options: dict[str, str], focused: str | None
) -> float:
    payload: dict[str, Any] = interaction_payload(name, options, focused=focused)
    sent = time.perf_counter()
    await server.send_event("INTERACTION_CREATE", payload)
    callback = await server.callback(payload, timeout=10)
    assert 200 <= callback.status < 300, callback
    return (callback.received_at - sent) * 1000


async def main() -> int:
    demo = resources.files("briefings").joinpath("data/demo_article.txt")
    with tempfile.TemporaryDirectory(prefix="sitrep-gateway-bench-") as tmp:
        folder = Path(tmp)
        (folder / "sitrep.toml").write_text(
            f"[store]\nurl = 'sqlite:///sitrep.db'\n[sources]\nfiles = ['{demo}']\n",
            encoding="utf-8",
        )
        async with FakeDiscord() as server:
            server.token = TOKEN
            env = {**os.environ, "DISCORD_TOKEN": TOKEN, "SITREP_DISCORD_URL": server.url}
            started = time.perf_counter()
            with open(folder / "stderr.log", "wb") as err:
                proc = await asyncio.create_subprocess_exec(
                    *(sys.executable, "-m", "bot.cli", "run", "--config", "sitrep.toml"),
                    cwd=folder,
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=err,
                )
            try:
                await server.wait_ready(timeout=120)
                print(f"sitrep run connected in {time.perf_counter() - started:.1f} s")
                for i in range(WARMUP):
                    await one(server, *INTERACTIONS[i % len(INTERACTIONS)])
                by_name: dict[str, list[float]] = {}
                times: list[float] = []
                for i in range(RUNS):
                    name, options, focused = INTERACTIONS[i % len(INTERACTIONS)]
                    ms = await one(server, name, options, focused)
                    times.append(ms)
                    label = f"{name} (autocomplete)" if focused else name
                    by_name.setdefault(label, []).append(ms)
            finally:
                proc.send_signal(signal.SIGTERM)
                await asyncio.wait_for(proc.wait(), 30)
    for label, values in by_name.items():
        print(
            f"{label:26s} n={len(values):3d} p50={statistics.median(values):6.1f} ms "
            f"max={max(values):6.1f} ms"
        )
    p50, p99 = percentile(times, 50), percentile(times, 99)
    print(
        f"all: {RUNS} interactions, dispatch to first callback p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )
    print(f"goal p99 < {TARGET_P99_MS:.0f} ms: {'met' if p99 < TARGET_P99_MS else 'NOT met'}")
    print(
        f"gateway n={RUNS} p50_ms={p50:.1f} p99_ms={p99:.1f} max_ms={max(times):.1f} "
        f"target_p99_ms={TARGET_P99_MS:.0f} exit={proc.returncode}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
