"""Senders for the outbox: the bot's own Discord connection, and the console for dry-run.

``DiscordSender`` posts the outbox's JSON payload unchanged through discord.py's HTTP client
(so discord.py's rate limiter waits out 429s and retries a few 5xx itself) and translates what
is left into the outbox's errors: 429 -> ``RateLimited``, 5xx and connection errors ->
``TransientError``, 403/404/other 4xx -> ``PermanentError``. ``find`` reads the channel's
messages after a message id (Discord's own clock: the outbox's ``claimed_after``) and recognises
a post by its nonce, or, since Discord does not list nonces, as the bot's own plain message with
the same content that no other outbox row owns.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import discord
from discord.http import Route

from bot.delivery.outbox import PermanentError, RateLimited, TransientError
from briefings.messages import Attachment

log = logging.getLogger(__name__)

__all__ = ["ConsoleSender", "DiscordSender"]


GLOBAL_RATE = 48.0
"""Posts per second at most: under Discord's global limit of 50 requests a second per bot,
which discord.py does not pace ahead of time (it only waits after a global 429)."""


class DiscordSender:
    """The outbox's ``Sender`` over a logged-in ``discord.Client`` (REST only, no gateway).

    Posts are spaced ``1 / per_second`` apart, so a fan-out to thousands of channels runs at the
    global limit instead of bouncing off it; discord.py's limiter keeps each channel's bucket.
    """

    def __init__(
        self, client: discord.Client, *, history: int = 50, per_second: float = GLOBAL_RATE
    ) -> None:
        self.client = client
        self.history = max(1, min(history, 100))
        self.spacing = 1.0 / per_second if per_second > 0 else 0.0
        self._next_slot = 0.0

    async def _pace(self) -> None:
        if not self.spacing:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.spacing
        if slot > now:
            await asyncio.sleep(slot - now)

    async def send(
        self, channel_id: int, payload: dict[str, Any], files: Sequence[Attachment] = ()
    ) -> int:
        await self._pace()
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
        if not files:
            data = await self._call(route, json=payload)
        else:  # multipart: the JSON as payload_json, each file as files[i]
            form: list[dict[str, Any]] = [
                {"name": "payload_json", "value": json.dumps(payload, ensure_ascii=False)}
            ]
            form += [
                {
                    "name": f"files[{i}]",
                    "value": f.data,
                    "filename": f.filename,
                    "content_type": f.content_type,
                }
                for i, f in enumerate(files)
            ]
            data = await self._call(route, form=form)
        return int(data["id"])

    async def find(
        self, channel_id: int, payload: dict[str, Any], *, after: int | None, known: frozenset[int]
    ) -> int | None:
        route = Route("GET", "/channels/{channel_id}/messages", channel_id=channel_id)
        params: dict[str, Any] = {"limit": self.history}
        if after is not None:
            params["after"] = after
        listed = await self._call(route, params=params)
        me = self.client.user.id if self.client.user is not None else None
        nonce = payload.get("nonce")
        candidates = [
            m
            for m in (listed if isinstance(listed, list) else [])
            if int(m["id"]) not in known and (after is None or int(m["id"]) > after)
        ]
        for message in candidates:
            if nonce is not None and str(message.get("nonce")) == str(nonce):
                return int(message["id"])
        same = [int(m["id"]) for m in candidates if _same_post(m, payload, me)]
        return min(same) if same else None  # the oldest: parts were posted in order

    async def _call(self, route: Route, **kwargs: Any) -> Any:
        try:
            return await self.client.http.request(route, **kwargs)
        except discord.RateLimited as exc:  # discord.py refused to wait that long
            raise RateLimited(exc.retry_after) from exc
        except discord.DiscordServerError as exc:
            raise TransientError(f"Discord error {exc.status}: {exc.text or exc}") from exc
        except discord.HTTPException as exc:
            if exc.status == 429:
                raise RateLimited(_retry_after(exc), f"rate limited: {exc.text}") from exc
            if exc.status >= 500:
                raise TransientError(f"Discord error {exc.status}: {exc.text}") from exc
            raise PermanentError(exc.status, exc.text or str(exc)) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TransientError(f"connection error: {exc or type(exc).__name__}") from exc


def _retry_after(exc: discord.HTTPException) -> float:
    headers = getattr(exc.response, "headers", None) or {}
    try:
        return float(headers.get("Retry-After", 1.0))
    except (TypeError, ValueError):
        return 1.0


def _same_post(message: dict[str, Any], payload: dict[str, Any], me: int | None) -> bool:
    """``message`` is the bot's own plain message (not a command's reply) showing ``payload``."""
    author = message.get("author") or {}
    if me is not None and str(author.get("id")) != str(me):
        return False
    if message.get("type", 0) != 0 or message.get("interaction_metadata"):
        return False
    if (message.get("content") or "") != (payload.get("content") or ""):
        return False
    return _embed_keys(message.get("embeds")) == _embed_keys(payload.get("embeds"))


def _embed_keys(embeds: Any) -> list[tuple[Any, Any]]:
    return [(e.get("title"), e.get("description")) for e in embeds or [] if isinstance(e, dict)]


class ConsoleSender:
    """A ``Sender`` for dry-run: writes each payload (channel, content, embeds) to ``write``."""

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self.write = write
        self._next = 1
        self._sent: dict[tuple[int, str], int] = {}

    async def send(
        self, channel_id: int, payload: dict[str, Any], files: Sequence[Attachment] = ()
    ) -> int:
        key = (channel_id, str(payload.get("nonce")))
        if key in self._sent:
            return self._sent[key]
        shown = {k: v for k, v in payload.items() if k not in {"nonce", "enforce_nonce"}}
        text = json.dumps(shown, ensure_ascii=False, indent=2)
        attached = "".join(f"\n(attached: {f.filename}, {len(f.data):,} bytes)" for f in files)
        self.write(f"--- channel {channel_id}\n{text}{attached}")
        self._next += 1
        self._sent[key] = self._next
        return self._next

    async def find(
        self, channel_id: int, payload: dict[str, Any], *, after: int | None, known: frozenset[int]
    ) -> int | None:
        return self._sent.get((channel_id, str(payload.get("nonce"))))
