"""The ``subscriptions`` table: a channel, its schedule, sections and theatre, paused or not, last
post.

It lives in the store because two rooms write it: scheduling (``bot.scheduling.subscriptions``
holds the rules: creating, syncing with the configuration, listing) and delivery (the outbox
records a run's ``last_posted_at`` with its posts, and pauses a subscription Discord refuses).

``theatre`` (empty: every theatre) came after the table: ``upgrade`` adds it to a table an older
sitrep made, and makes it part of the unique key (one channel may follow two theatres on the same
schedule).
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
    inspect,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.articles import metadata, register_upgrade

__all__ = ["THEATRE_LENGTH", "subscriptions", "upgrade"]

THEATRE_LENGTH = 100

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
    Column("theatre", String(THEATRE_LENGTH), nullable=False, default="", server_default=""),
    UniqueConstraint(
        "channel_id", "schedule", "timezone", "sections", "theatre", name="uq_subscription"
    ),
)

_OLD = "subscriptions_before_theatre"


async def upgrade(engine: AsyncEngine) -> None:
    """Give a ``subscriptions`` table made before theatres its ``theatre`` column and the unique
    key with it. SQLite cannot change a table's constraints: the table is made anew and its rows
    copied (ids kept); PostgreSQL alters it in place."""
    async with engine.begin() as conn:
        columns = await conn.run_sync(
            lambda sync: [c["name"] for c in inspect(sync).get_columns("subscriptions")]
        )
        if not columns or "theatre" in columns:
            return
        if engine.dialect.name == "sqlite":
            names = ", ".join(f'"{c}"' for c in columns if c in subscriptions.c)
            await conn.exec_driver_sql("DROP INDEX IF EXISTS ix_subscriptions_channel_id")
            await conn.exec_driver_sql(f"ALTER TABLE subscriptions RENAME TO {_OLD}")
            await conn.run_sync(lambda sync: subscriptions.create(sync))
            await conn.exec_driver_sql(
                f"INSERT INTO subscriptions ({names}) SELECT {names} FROM {_OLD}"
            )
            await conn.exec_driver_sql(f"DROP TABLE {_OLD}")
            return
        await conn.exec_driver_sql(
            "ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS theatre "
            f"VARCHAR({THEATRE_LENGTH}) NOT NULL DEFAULT ''"
        )
        await conn.exec_driver_sql(
            "ALTER TABLE subscriptions DROP CONSTRAINT IF EXISTS uq_subscription"
        )
        await conn.exec_driver_sql(
            "ALTER TABLE subscriptions ADD CONSTRAINT uq_subscription "
            "UNIQUE (channel_id, schedule, timezone, sections, theatre)"
        )


register_upgrade(upgrade)
