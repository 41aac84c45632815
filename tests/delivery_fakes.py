"""Fakes for delivery tests: an in-memory Discord that can fail and a simulated process death."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


class SimulatedCrash(BaseException):
    """The process dies: nothing after this point runs (not an ``Exception``: never caught)."""


@dataclass
class FakeSender:
    """Channels as lists of (message id, payload). ``failures[channel]`` raises in order;
    ``crash_after_send`` kills the "process" right after Discord stored the message; once dead,
    every call of the process raises until ``restart``. The messages stay: they are Discord's."""

    channels: dict[int, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    failures: dict[int, list[BaseException]] = field(default_factory=dict)
    crash_after_send: bool = False
    crash_before_send: bool = False
    honor_nonce: bool = False  # Discord's enforce_nonce; off to prove recovery alone suffices
    next_id: int = 1000
    calls: int = 0
    finds: int = 0
    find_failures: dict[int, list[BaseException]] = field(default_factory=dict)
    dead: bool = False

    def restart(self) -> None:
        self.dead = self.crash_after_send = self.crash_before_send = False

    async def send(self, channel_id: int, payload: dict[str, Any], files: Any = ()) -> int:
        self.calls += 1
        if self.dead or self.crash_before_send:
            self.dead = True
            raise SimulatedCrash
        queue = self.failures.get(channel_id)
        if queue:
            raise queue.pop(0)
        posted = self.channels.setdefault(channel_id, [])
        if self.honor_nonce:
            for mid, p in posted:
                if p.get("nonce") == payload.get("nonce"):
                    return mid
        self.next_id += 1
        posted.append((self.next_id, payload))
        if self.crash_after_send:
            self.dead = True
            raise SimulatedCrash
        return self.next_id

    async def find(
        self, channel_id: int, payload: dict[str, Any], *, after: int | None, known: frozenset[int]
    ) -> int | None:
        self.finds += 1
        if self.dead:
            raise SimulatedCrash
        queue = self.find_failures.get(channel_id)
        if queue:
            raise queue.pop(0)
        for mid, p in self.channels.get(channel_id, [])[-50:]:
            if p.get("nonce") == payload["nonce"]:
                return mid
        return None

    def texts(self, channel_id: int) -> list[str]:
        return [p.get("content", "") for _, p in self.channels.get(channel_id, [])]


async def wait_for_the_dead() -> None:
    """Let the other tasks of the crashed "process" run into the crash too, before restarting
    on the same database (a real crash stops them all at once)."""
    me = asyncio.current_task()
    others = [
        t
        for t in asyncio.all_tasks()
        if t is not me and getattr(t.get_coro(), "__qualname__", "").startswith("Outbox.")
    ]
    if others:
        await asyncio.wait(others, timeout=5)
