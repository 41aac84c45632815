"""A throwaway copy of the store, for dry runs: every row the real bot would see, none written.

``sitrep dry-run`` answers commands (``/subscribe`` and ``/source add`` included), polls sources
and rehearses schedules exactly as the bot would, but on :func:`throwaway_copy`: a temporary
SQLite database filled with the rows of the configured store, read without writing (an SQLite
file is opened read-only, and one that does not exist is not created). What the dry run
changes goes away with it; a later ``sitrep run`` finds the store as it was.

The tables copied are those of ``bot.store.articles.metadata`` at the time of the copy: the rooms
that define tables (subscriptions, outbox, sources) must be imported first, as they are by every
command that opens a store.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.store.articles import Store, _reason, metadata
from briefings.errors import ConfigError
from briefings.geo import DEFAULT_THEATRES, Theatres

__all__ = ["copy_rows", "throwaway_copy"]

BATCH = 500  # rows inserted at a time


@contextlib.asynccontextmanager
async def throwaway_copy(
    url: str, *, origin: object = None, theatres: Theatres = DEFAULT_THEATRES
) -> AsyncIterator[Store]:
    """A ``Store`` on a temporary SQLite file holding a copy of the store at ``url``; removed
    on leaving. A store that cannot be read is a ``ConfigError`` naming ``origin``."""
    with tempfile.TemporaryDirectory(prefix="sitrep-dry-run-") as tmp:
        copy = await Store.open(
            f"sqlite+aiosqlite:///{Path(tmp) / 'dry-run.db'}", theatres=theatres
        )
        try:
            await copy_rows(url, copy.engine, origin=origin)
            yield copy
        finally:
            await copy.close()


async def copy_rows(url: str, target: AsyncEngine, *, origin: object = None) -> int:
    """Every row of the store at ``url`` into ``target`` (whose tables exist); how many."""
    where = f"{origin}: " if origin else ""
    source = _read_only(url, where)
    if source is None:
        return 0
    copied = 0
    try:
        async with source.connect() as conn:
            columns = await conn.run_sync(_columns)
            for table in metadata.sorted_tables:  # parents before the rows that point to them
                present = columns.get(table.name)
                if not present:
                    continue
                cols = [c for c in table.columns if c.name in present]
                rows = (await conn.execute(select(*cols))).all()
                for start in range(0, len(rows), BATCH):
                    part = [
                        {c.name: _portable(v) for c, v in zip(cols, row, strict=True)}
                        for row in rows[start : start + BATCH]
                    ]
                    async with target.begin() as dst:
                        await dst.execute(table.insert(), part)
                copied += len(rows)
    except (OSError, SQLAlchemyError) as exc:
        raise ConfigError(f"{where}[store] url: cannot read the database: {_reason(exc)}") from None
    finally:
        await source.dispose()
    return copied


def _read_only(url: str, where: str) -> AsyncEngine | None:
    """An engine that reads the store at ``url``: an SQLite file opened read-only (None when
    there is no such file: an empty store); any other database as it is (only read)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"{where}[store] url: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ""
        if name in ("", ":memory:") or not Path(name).is_file():
            return None
        return create_async_engine(
            f"sqlite+aiosqlite:///{Path(name).resolve().as_uri()}?mode=ro&uri=true"
        )
    try:
        return create_async_engine(url)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"{where}[store] url needs the {exc.name} driver: pip install 'sitrep[postgres]'"
        ) from None


def _columns(conn: Connection) -> dict[str, set[str]]:
    """The tables of the database and their columns."""
    inspector = inspect(conn)
    return {
        name: {c["name"] for c in inspector.get_columns(name)}
        for name in inspector.get_table_names()
    }


def _portable(value: Any) -> Any:
    """A value as SQLite keeps it: aware times in UTC (SQLite drops the offset)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value
