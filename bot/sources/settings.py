"""Sources as values and as configured: ``Source``, ``[[sources]]`` and ``[fetch]``.

The ``Source`` a row of the table reads as (with when it is due, backing off while it fails),
what ``[[sources]]`` declares and what ``[fetch]`` sets, parsed and checked here (registered
with the config loader on import; the keys are in ``bot.sources.polling``'s docstring).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bot.config import Table as ConfigTable
from bot.config import register_table, shown
from bot.sources.fetch import (
    FetchPolicy,
    Validators,
    parse_networks,
)
from bot.store.articles import db_time
from briefings.errors import SitrepError
from briefings.ingest import DEFAULT_MAX_BYTES
from briefings.sanitize import clean_line, clean_optional

log = logging.getLogger(__name__)
T = TypeVar("T")


KINDS = ("feed", "page", "folder")
ORIGIN_CONFIG = "config"
ORIGIN_COMMAND = "command"
DEFAULT_INTERVAL = timedelta(minutes=30)
MIN_INTERVAL = timedelta(seconds=30)
FOLDER_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1"


class SourceError(SitrepError):
    """A source that cannot be added or found: bad URL, unknown kind, duplicate, unknown id."""


# ---------------------------------------------------------------- values


# The longest wait between two polls of a failing source (its own interval may be longer).
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    kind: str
    location: str
    name: str | None
    keywords: tuple[str, ...]
    regions: tuple[str, ...]
    interval: timedelta
    origin: str
    guild_id: int | None
    validators: Validators
    created_at: datetime
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failing_since: datetime | None = None
    failure_reported: bool = False
    articles_found: int = 0

    def due_at(self) -> datetime:
        """When the next poll is due (at once for a source never polled).

        A failing source backs off: it waits as long as it has been failing (so the waits
        double), never less than its interval and never more than ``MAX_BACKOFF``, unless its
        own interval is longer; a success resets it.
        """
        if self.last_polled_at is None:
            return self.created_at
        wait = self.interval
        if self.failing_since is not None:
            failing_for = self.last_polled_at - self.failing_since
            wait = max(self.interval, min(failing_for, MAX_BACKOFF))
        return self.last_polled_at + wait

    @property
    def failing(self) -> bool:
        return self.failing_since is not None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.kind == "folder":
            return Path(self.location).name or self.location
        return urlsplit(self.location).hostname or self.location


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split("\n") if v)


def source_row(r: Any, found: int = 0) -> Source:
    created = db_time(r.created_at)
    assert created is not None
    return Source(
        id=r.id,
        kind=r.kind,
        location=r.location,
        name=r.name,
        keywords=_split(r.keywords),
        regions=_split(r.regions),
        interval=timedelta(seconds=r.interval_seconds),
        origin=r.origin,
        guild_id=r.guild_id,
        validators=Validators(r.etag, r.last_modified),
        created_at=created,
        last_polled_at=db_time(r.last_polled_at),
        last_success_at=db_time(r.last_success_at),
        last_error=r.last_error,
        last_error_at=db_time(r.last_error_at),
        failing_since=db_time(r.failing_since),
        failure_reported=bool(r.failure_reported),
        articles_found=found,
    )


@dataclass(frozen=True, slots=True)
class DeclaredSource:
    """One ``[[sources]]`` entry, validated."""

    kind: str
    location: str
    name: str | None = None
    keywords: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    interval: timedelta = DEFAULT_INTERVAL


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """``[fetch]``: the fetch policy and when a failing source is reported."""

    allow_networks: tuple[str, ...] = ()
    timeout: float = 30.0
    read_timeout: float = 15.0
    retries: int = 2
    max_redirects: int = 5
    report_after: timedelta = timedelta(hours=24)

    def policy(self, max_bytes: int = DEFAULT_MAX_BYTES) -> FetchPolicy:
        return FetchPolicy(
            allow_networks=parse_networks(self.allow_networks),
            max_bytes=max_bytes,
            total_timeout=self.timeout,
            read_timeout=min(self.read_timeout, self.timeout),
            connect_timeout=min(10.0, self.timeout),
            max_redirects=self.max_redirects,
            retries=self.retries,
        )


# ---------------------------------------------------------------- configuration

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day)s?\s*$", re.I)
_UNIT = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400}


MAX_INTERVAL = timedelta(days=30)


def parse_interval(text: str) -> timedelta:
    """``"90s"``, ``"30m"``, ``"2h"``, ``"1d"`` -> a timedelta (at least 30 seconds)."""
    m = _INTERVAL.match(text)
    if not m:
        raise SourceError(f"Not an interval: {shown(text)} (write 90s, 30m, 2h or 1d).")
    seconds = float(m.group(1)) * _UNIT[m.group(2).lower()]
    if seconds > MAX_INTERVAL.total_seconds():
        raise SourceError(f"The interval {shown(text)} is too long: at most 30d.")
    value = timedelta(seconds=seconds)
    if value < MIN_INTERVAL:
        raise SourceError(f"The interval {shown(text)} is too short: at least 30s.")
    return value


def _guess_kind(url: str) -> str:
    return "feed"


def parse_declared_source(t: ConfigTable) -> DeclaredSource:
    """One ``[[sources]]`` entry; ConfigError naming the file and the key."""
    url = t.text("url")
    path = t.path("path")
    kind = (t.text("kind") or "").strip().lower() or None
    if (url is None) == (path is None):
        raise t.error("url", "give either url (a feed or a page) or path (a folder)")
    if kind is not None and kind not in KINDS:
        raise t.error("kind", f"unknown kind {shown(kind)} (one of {', '.join(KINDS)})")
    if path is not None:
        if kind not in (None, "folder"):
            raise t.error("kind", 'a path is a folder: kind = "folder" (or a url for feeds)')
        kind, location = "folder", str(path.resolve())
    else:
        assert url is not None
        try:
            check_url_text(url)
        except SourceError as exc:
            raise t.error("url", str(exc)) from None
        if kind == "folder":
            raise t.error("kind", "a folder is given with path, not url")
        kind, location = kind or _guess_kind(url), url.strip()
    interval_text = t.text("interval")
    try:
        interval = parse_interval(interval_text) if interval_text else DEFAULT_INTERVAL
    except SourceError as exc:
        raise t.error("interval", str(exc)) from None
    return DeclaredSource(
        kind=kind,
        location=location,
        # Text from outside, cleaned where it enters (PostgreSQL refuses a NUL in the table).
        name=clean_optional(t.text("name")),
        keywords=tuple(k for k in map(clean_line, t.str_list("keywords")) if k),
        regions=tuple(r for r in map(clean_line, t.str_list("regions")) if r),
        interval=interval,
    )


def parse_fetch(t: ConfigTable) -> FetchSettings:
    networks = t.str_list("allow_networks")
    try:
        parse_networks(networks)
    except ValueError as exc:
        raise t.error("allow_networks", str(exc)) from None
    timeout = t.integer("timeout_seconds", 30, minimum=1)
    read = t.integer("read_timeout_seconds", 15, minimum=1)
    retries = t.integer("retries", 2, minimum=0)
    redirects = t.integer("max_redirects", 5, minimum=0)
    hours = t.integer("report_failing_after_hours", 24, minimum=1)
    assert timeout is not None and read is not None and retries is not None
    assert redirects is not None and hours is not None
    if redirects > 5:
        raise t.error("max_redirects", f"at most 5, not {redirects}")
    return FetchSettings(
        allow_networks=networks,
        timeout=float(timeout),
        read_timeout=float(read),
        retries=retries,
        max_redirects=redirects,
        report_after=timedelta(hours=hours),
    )


register_table("sources", parse_declared_source, array=True)
register_table("fetch", parse_fetch)


def declared_sources(config: object) -> tuple[DeclaredSource, ...]:
    """The ``[[sources]]`` of a loaded configuration (empty when none)."""
    table = getattr(config, "table", None)
    value = table("sources") if callable(table) else None
    if not isinstance(value, tuple):
        return ()
    return tuple(v for v in value if isinstance(v, DeclaredSource))


def fetch_settings_of(config: object) -> FetchSettings:
    table = getattr(config, "table", None)
    value = table("fetch") if callable(table) else None
    return value if isinstance(value, FetchSettings) else FetchSettings()


def max_bytes_of(config: object) -> int:
    ingest = getattr(config, "ingest", None)
    value = getattr(ingest, "max_bytes", None)
    return value if isinstance(value, int) and value > 0 else DEFAULT_MAX_BYTES


MAX_URL = 1000


def check_url_text(url: str) -> None:
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        raise SourceError(f"Not a valid URL: {shown(url)}.") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise SourceError(f"Not an http(s) URL: {shown(url)}.")
    if len(url) > MAX_URL:
        raise SourceError(f"A URL of at most {MAX_URL} characters, please.")


def one_line(text: str, n: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"
