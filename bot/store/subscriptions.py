"""The ``subscriptions`` table: a channel, its schedule and sections, paused or not, last post.

It lives in the store because two rooms write it: scheduling (``bot.scheduling.subscriptions``
holds the rules: creating, syncing with the configuration, listing) and delivery (the outbox
records a run's ``last_posted_at`` with its posts, and pauses a subscription Discord refuses).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from bot.store.articles import metadata

__all__ = ["subscriptions"]

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=True),
    Column("channel_id", BigInteger, nullable=False, index=True),
    Column("sections", String(100), nullable=False),
    Column("schedule", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("paused_reason", String(500), nullable=True),
    Column("origin", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_posted_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("channel_id", "schedule", "timezone", "sections", name="uq_subscription"),
)
