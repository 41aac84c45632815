"""Where rendered messages go: the console (dry-run) or a Discord webhook.

Every sink sends one ``Message`` at a time and returns Discord's message id when there is one, so
that the outbox can record it. The Discord sink (through the bot's own connection) lives in
``bot.gateway.discord_io`` so that this module does not import discord.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

import aiohttp

from briefings.errors import SitrepError
from briefings.messages import Message
from briefings.render import format_for_console

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class DeliveryError(SitrepError):
    """A message could not be delivered (after retrying what can be retried)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Sink(Protocol):
    async def send(self, message: Message, *, channel_id: int | None = None) -> int | None:
        """Deliver ``message``; Discord's message id when the sink has one."""
        ...


def payload_with_attachments(message: Message) -> dict[str, Any]:
    """The JSON Discord receives for ``message``, attachments listed by index."""
    payload = message.to_payload()
    if message.attachments:
        payload["attachments"] = [
            {"id": i, "filename": a.filename} for i, a in enumerate(message.attachments)
        ]
    return payload


class ConsoleSink:
    """Prints messages as readable text (or their JSON payloads); writes attachments to files.

    ``attachment_dir`` defaults to a fresh temporary folder, created on first use.
    """

    def __init__(
        self,
        out: TextIO | None = None,
        *,
        attachment_dir: Path | None = None,
        as_json: bool = False,
    ) -> None:
        self.out = out or sys.stdout
        self.attachment_dir = attachment_dir
        self.as_json = as_json
        self.written: list[Path] = []

    def _folder(self) -> Path:
        if self.attachment_dir is None:
            self.attachment_dir = Path(tempfile.mkdtemp(prefix="sitrep-"))
        self.attachment_dir.mkdir(parents=True, exist_ok=True)
        return self.attachment_dir

    def _write_attachments(self, messages: Sequence[Message]) -> list[Path]:
        paths = []
        for message in messages:
            for a in message.attachments:
                path = self._folder() / a.filename
                n = 1
                while path in self.written or (path.exists() and path not in self.written):
                    path = self._folder() / f"{Path(a.filename).stem}-{n}{Path(a.filename).suffix}"
                    n += 1
                tmp = path.with_suffix(path.suffix + ".tmp")
                tmp.write_bytes(a.data)
                tmp.replace(path)
                self.written.append(path)
                paths.append(path)
        return paths

    def send_all(self, messages: Sequence[Message]) -> None:
        """Print every message in order, numbered, then the paths of their attachments."""
        paths = self._write_attachments(messages)
        if self.as_json:
            payloads = [payload_with_attachments(m) for m in messages]
            self.out.write(json.dumps(payloads, ensure_ascii=False, indent=2) + "\n")
        else:
            self.out.write(format_for_console(messages).rstrip("\n") + "\n")
        for p in paths:
            # With --json the payload is standard output; the note goes to standard error.
            note = f"attachment written: {p}\n"
            (sys.stderr if self.as_json else self.out).write(note)
        self.out.flush()

    async def send(self, message: Message, *, channel_id: int | None = None) -> int | None:
        if channel_id is not None and not self.as_json:
            self.out.write(f"----- to channel {channel_id} -----\n")
        self.send_all([message])
        return None


class WebhookSink:
    """Posts through a Discord webhook (``?wait=true``, so each post returns its message id).

    A 429 waits for ``retry_after``; a 5xx or a connection error is retried with exponential
    backoff and jitter; after ``max_attempts`` the post raises ``DeliveryError`` (nothing is
    dropped silently: the caller keeps the message). Other 4xx raise at once.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        username: str | None = None,
        avatar_url: str | None = None,
        max_attempts: int = 6,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.session = session
        self._url = url
        self.username = username
        self.avatar_url = avatar_url
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep

    def __repr__(self) -> str:  # the URL holds the webhook's token
        return f"WebhookSink(username={self.username!r})"

    def _body(self, message: Message) -> aiohttp.FormData | str:
        payload = payload_with_attachments(message)
        payload.pop("flags", None)  # webhooks cannot post ephemeral messages
        if self.username:
            payload["username"] = self.username
        if self.avatar_url:
            payload["avatar_url"] = self.avatar_url
        if not message.attachments:
            return json.dumps(payload, ensure_ascii=False)
        form = aiohttp.FormData(quote_fields=False)
        form.add_field("payload_json", json.dumps(payload), content_type="application/json")
        for i, a in enumerate(message.attachments):
            form.add_field(f"files[{i}]", a.data, filename=a.filename, content_type=a.content_type)
        return form

    def _backoff(self, attempt: int) -> float:
        delay: float = min(self.max_delay, self.base_delay * 2**attempt)
        return delay / 2 + random.uniform(0, delay / 2)

    async def send(self, message: Message, *, channel_id: int | None = None) -> int | None:
        last = "no attempt made"
        for attempt in range(self.max_attempts):
            body = self._body(message)  # a FormData can be sent once only
            headers = (
                {} if isinstance(body, aiohttp.FormData) else {"Content-Type": "application/json"}
            )
            try:
                async with self.session.post(
                    self._url, data=body, headers=headers, params={"wait": "true"}
                ) as resp:
                    text = await resp.text()
                    if 200 <= resp.status < 300:
                        data = json.loads(text) if text else {}
                        log.info("webhook post sent (message %s)", data.get("id"))
                        return int(data["id"]) if data.get("id") else None
                    if resp.status == 429:
                        delay = _retry_after(text, resp.headers.get("Retry-After"))
                        last = f"rate limited (429), retry after {delay:.2f}s"
                        log.warning("webhook %s", last)
                        await self.sleep(delay)
                        continue
                    if resp.status >= 500:
                        last = f"Discord error {resp.status}"
                        delay = self._backoff(attempt)
                        log.warning("webhook post failed: %s; retrying in %.2fs", last, delay)
                        await self.sleep(delay)
                        continue
                    raise DeliveryError(
                        f"webhook refused the post: HTTP {resp.status} {_short(text)}",
                        status=resp.status,
                    )
            except (TimeoutError, aiohttp.ClientConnectionError) as exc:
                last = f"connection error: {type(exc).__name__}"
                delay = self._backoff(attempt)
                log.warning("webhook post failed: %s; retrying in %.2fs", last, delay)
                await self.sleep(delay)
        raise DeliveryError(f"webhook post failed after {self.max_attempts} attempts: {last}")


def _retry_after(body: str, header: str | None) -> float:
    try:
        value = float(json.loads(body)["retry_after"])
    except (ValueError, KeyError, TypeError):
        try:
            value = float(header) if header else 1.0
        except ValueError:
            value = 1.0
    return max(0.0, min(value, 300.0))


def _short(text: str) -> str:
    one = " ".join(text.split())
    return one[:200]
