"""What the outbox holds and the seam to Discord: the table, a ``Post`` and its rows, errors.

The ``outbox`` table and its statuses, the ``Sender`` protocol with the errors a sender raises
(rate limited, transient, permanent), the values (``Post`` with its parts and keys, ``OutboxRow``,
``RetryPolicy``, ``DeliveryReport``) and the nonce a part is sent with. ``bot.delivery.outbox``
writes, claims and delivers the rows.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from bot.store.articles import db_time, metadata
from briefings.errors import SitrepError
from briefings.messages import Attachment, Message

log = logging.getLogger(__name__)


PAUSING_STATUSES = frozenset({403, 404})
# How far apart Discord's own servers may stamp two messages made one after the other: the
# margin taken off a claim's ``claimed_after`` snowflake (its milliseconds are the high bits).
DISCORD_CLOCK_MARGIN = timedelta(seconds=5)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("nonce", String(25), nullable=False),
    Column("subscription_id", Integer, nullable=True, index=True),
    Column("scheduled_for", DateTime(timezone=True), nullable=True),
    Column("part", Integer, nullable=False, default=0),
    Column("channel_id", BigInteger, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(10), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, index=True),
    Column("claimed_at", DateTime(timezone=True), nullable=True),
    Column("message_id", BigInteger, nullable=True, index=True),
    # the highest message id the outbox had when the row was claimed (Discord's time, not ours)
    Column("claimed_after", BigInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)

# The files of the parts (a map of the front), stored once by content however many channels
# post them; a part's payload names its files under FILES_KEY, which is the outbox's own and
# removed before the payload is sent.
outbox_files = Table(
    "outbox_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
FILES_KEY = "sitrep_files"


def file_ref(attachment: Attachment) -> dict[str, str]:
    return {
        "sha256": hashlib.sha256(attachment.data).hexdigest(),
        "filename": attachment.filename,
        "content_type": attachment.content_type,
    }


def part_payload(message: Message) -> dict[str, Any]:
    """The JSON of ``message`` as the outbox keeps it: Discord's payload, its attachments listed
    by index (``attachment://NAME`` in an embed refers to them) and named by hash under
    ``FILES_KEY``."""
    payload = message.to_payload()
    if message.attachments:
        payload["attachments"] = [
            {"id": i, "filename": a.filename} for i, a in enumerate(message.attachments)
        ]
        payload[FILES_KEY] = [file_ref(a) for a in message.attachments]
    return payload


# ---------------------------------------------------------------- the sender seam


class DeliveryError(SitrepError):
    """A send that did not go through; the subclasses say what the outbox should do."""


class RateLimited(DeliveryError):
    """429: try again after ``retry_after`` seconds (does not count as a failed attempt)."""

    def __init__(self, retry_after: float, message: str = "rate limited (429)") -> None:
        super().__init__(message)
        self.retry_after = max(0.0, float(retry_after))


class TransientError(DeliveryError):
    """5xx or a connection error: retried with exponential backoff, up to a limit."""


class PermanentError(DeliveryError):
    """A 4xx that retrying cannot fix; never retried. 403 (the bot may not post there) and 404
    (the channel is gone) pause the subscription; others (400: a payload Discord refuses) fail
    the post and are reported, the subscription goes on."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Sender(Protocol):
    """Where posts go. Raises the ``DeliveryError`` subclasses above; anything else is treated
    as transient and logged."""

    async def send(
        self, channel_id: int, payload: dict[str, Any], files: Sequence[Attachment] = ()
    ) -> int:
        """Post ``payload`` (which carries ``nonce`` and ``enforce_nonce``) with ``files`` (the
        ``attachments`` the payload lists, in order); the message id."""
        ...

    async def find(
        self, channel_id: int, payload: dict[str, Any], *, after: int | None, known: frozenset[int]
    ) -> int | None:
        """The id of the oldest message of the channel that is this ``payload`` (its ``nonce``
        where the API returns nonces, else the bot's own message with the same content), newer
        than message id ``after`` when given, and not one of ``known`` (messages other rows
        own); None when there is none."""
        ...


# ---------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Post:
    """One part of a post to enqueue."""

    key: str
    channel_id: int
    payload: dict[str, Any]
    subscription_id: int | None = None
    scheduled_for: datetime | None = None
    part: int = 0
    files: tuple[Attachment, ...] = ()  # the files the payload names under FILES_KEY

    @classmethod
    def parts(
        cls,
        subscription_id: int,
        channel_id: int,
        scheduled_for: datetime,
        messages: Sequence[Message],
    ) -> tuple[Post, ...]:
        """The parts of one scheduled post of a subscription, keyed for exactly-once delivery."""
        return tuple(
            cls(
                key=post_key(subscription_id, scheduled_for, i),
                channel_id=channel_id,
                payload=part_payload(message),
                subscription_id=subscription_id,
                scheduled_for=scheduled_for,
                part=i,
                files=message.attachments,
            )
            for i, message in enumerate(messages)
        )


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    key: str
    nonce: str
    subscription_id: int | None
    scheduled_for: datetime | None
    part: int
    channel_id: int
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    claimed_at: datetime | None
    message_id: int | None
    last_error: str | None
    sent_at: datetime | None
    claimed_after: int | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits ``base * 2**(n-1)`` capped at ``cap``,
    of which a random half (``equal jitter``) so that channels do not retry in lockstep."""

    max_attempts: int = 6
    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=10)
    rate_limit_margin: timedelta = timedelta(milliseconds=250)

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        full = min(self.cap, self.base * (1 << max(attempt - 1, 0)))
        half = full / 2
        return half + half * rng.random()


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0
    resent: int = 0
    paused: tuple[int, ...] = ()
    next_due: datetime | None = None


@dataclass(slots=True)
class Tally:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    paused: list[int] = field(default_factory=list)


def post_key(subscription_id: int, scheduled_for: datetime, part: int) -> str:
    """``sub:<id>:<UTC time>:<part>``: the same run of the same subscription is one key."""
    when = scheduled_for.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"sub:{subscription_id}:{when}:{part}"


def nonce_for(key: str) -> str:
    """A Discord nonce (at most 25 characters) derived from the row's unique key."""
    return "sr" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:23]


def outbox_row(r: Any) -> OutboxRow:
    nxt = db_time(r.next_attempt_at)
    assert nxt is not None
    return OutboxRow(
        id=r.id,
        key=r.key,
        nonce=r.nonce,
        subscription_id=r.subscription_id,
        scheduled_for=db_time(r.scheduled_for),
        part=r.part,
        channel_id=r.channel_id,
        payload=dict(r.payload),
        status=r.status,
        attempts=r.attempts,
        next_attempt_at=nxt,
        claimed_at=db_time(r.claimed_at),
        message_id=r.message_id,
        last_error=r.last_error,
        sent_at=db_time(r.sent_at),
        claimed_after=r.claimed_after,
    )


def lower_bound(claimed_after: int | None) -> int | None:
    """The message id the row's message must be newer than: the claim's ``claimed_after`` less
    ``DISCORD_CLOCK_MARGIN`` (a snowflake's milliseconds are its bits from the 22nd up)."""
    if claimed_after is None:
        return None
    margin = int(DISCORD_CLOCK_MARGIN / timedelta(milliseconds=1)) << 22
    return max(0, claimed_after - margin)


def post_of(key: str) -> str:
    """The post a part's key belongs to (the key without its part number)."""
    return key.rpartition(":")[0]


def unsent_heads(unsent: Sequence[OutboxRow]) -> dict[str, OutboxRow]:
    """The first unsent part of each post."""
    heads: dict[str, OutboxRow] = {}
    for row in unsent:
        post = post_of(row.key)
        if post not in heads or row.part < heads[post].part:
            heads[post] = row
    return heads


def clip_text(text: str, n: int = 500) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
