"""The configuration: one TOML file, validated once at start-up into frozen dataclasses.

Every table has one parse function that reads its keys through a ``Table`` reader; the reader
rejects unknown keys and wrong types with a ``ConfigError`` naming the file and the key. The
Discord token comes from the environment only (``DISCORD_TOKEN``) and is kept as a ``Secret``
whose ``repr`` hides it.

Other parts of the bot add their own tables with ``register_table(name, parse)``; the parsed
value is then available as ``config.table(name)``.
"""

from __future__ import annotations

import importlib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from briefings.errors import ConfigError
from briefings.geo import DEFAULT_THEATRES, Theatres, is_country_code
from briefings.ingest import DEFAULT_MAX_BYTES
from briefings.ingest.files import not_a_file
from briefings.model import SECTIONS
from briefings.render_views import clip

TOKEN_ENV = "DISCORD_TOKEN"
WEBHOOK_ENV = "SITREP_WEBHOOK_URL"
DISCORD_URL_ENV = "SITREP_DISCORD_URL"  # another Discord (the tests' local fake), never set in use
DEFAULT_DB = "sitrep.db"
DEFAULT_PATTERNS = ("*.txt", "*.md", "*.markdown", "*.html", "*.htm")

T = TypeVar("T")

SHOWN = 60  # characters of a wrong value (or key) that an error message echoes
SNOWFLAKE_LIMIT = 2**63  # Discord's ids, and the store's integers, are below it


def shown(value: object) -> str:
    """``value`` as an error message echoes it: its ``repr`` (control and bidi characters
    escaped, never obeyed by the terminal), one line of at most ``SHOWN`` characters ("…" where
    cut), however long the string or large the list or table."""
    return clip(repr(value), SHOWN)


def shown_key(key: str) -> str:
    """A key or table name as an error message names it: as written, without control or bidi
    characters, at most ``SHOWN`` characters."""
    return clip(key, SHOWN)


@dataclass(frozen=True, slots=True)
class Secret:
    """A value that must never be printed or logged: ``repr`` and ``str`` hide it."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:
        return "********"

    def __bool__(self) -> bool:
        return bool(self.value)


class Table:
    """Reads the keys of one TOML table, remembering which were read to reject the others."""

    def __init__(self, file: Path, name: str, data: object) -> None:
        self.file = file
        self.name = name
        if not isinstance(data, dict):
            raise self.error(None, "must be a table")
        self.data: dict[str, Any] = data
        self._seen: set[str] = set()

    @property
    def folder(self) -> Path:
        return self.file.parent

    def error(self, key: str | None, problem: str) -> ConfigError:
        name = shown_key(self.name)
        where = f"[{name}]" if key is None else f"[{name}] {shown_key(key)}"
        return ConfigError(f"{self.file}: {where}: {problem}")

    def _get(self, key: str, kind: type[T] | tuple[type, ...], what: str) -> T | None:
        self._seen.add(key)
        if key not in self.data:
            return None
        value = self.data[key]
        # bool is an int in Python; never accept it where a number is meant.
        if isinstance(value, bool) and kind is not bool:
            raise self.error(key, f"must be {what}, not {shown(value)}")
        if not isinstance(value, kind):
            raise self.error(key, f"must be {what}, not {shown(value)}")
        return value  # type: ignore[return-value]

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self._get(key, str, "a string")
        if value is None:
            return default
        if not value.strip():
            raise self.error(key, "must not be empty")
        return value

    def integer(
        self, key: str, default: int | None = None, *, minimum: int | None = None
    ) -> int | None:
        value = self._get(key, int, "an integer")
        if value is None:
            return default
        if minimum is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum}, not {value}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self._get(key, bool, "true or false")
        return default if value is None else value

    def str_list(self, key: str) -> tuple[str, ...]:
        value = self._get(key, list, "a list of strings")
        if value is None:
            return ()
        for v in value:
            if not isinstance(v, str) or not v.strip():
                raise self.error(key, f"must be a list of non-empty strings, not {shown(v)}")
        return tuple(value)

    def id_list(self, key: str) -> tuple[int, ...]:
        value = self._get(key, list, "a list of Discord ids")
        if value is None:
            return ()
        return tuple(self._snowflake(key, v) for v in value)

    def snowflake(self, key: str) -> int | None:
        self._seen.add(key)
        if key not in self.data:
            return None
        return self._snowflake(key, self.data[key])

    def _snowflake(self, key: str, v: object) -> int:
        # Discord ids are 64-bit; TOML integers hold them, strings of digits are accepted too.
        # tomllib reads an integer of any size: one past 2^63 would fail in the store (exit 1).
        n = int(v) if isinstance(v, str) and re.fullmatch(r"\s*[0-9]{1,20}\s*", v) else v
        if isinstance(n, bool) or not isinstance(n, int) or not 0 < n < SNOWFLAKE_LIMIT:
            raise self.error(
                key, f"must be a Discord id (a positive integer below 2^63), not {shown(v)}"
            )
        return n

    def path(self, key: str, default: Path | None = None) -> Path | None:
        value = self.text(key)
        if value is None:
            return default
        return resolve_path(self.folder, value)

    def path_list(self, key: str) -> tuple[Path, ...]:
        return tuple(resolve_path(self.folder, v) for v in self.str_list(key))

    def day(self, key: str) -> date | None:
        self._seen.add(key)
        if key not in self.data:
            return None
        v = self.data[key]
        if isinstance(v, datetime):
            return v.date()
        if isinstance(v, date):
            return v
        if isinstance(v, str):
            try:
                return date.fromisoformat(v.strip())
            except ValueError:
                pass
        raise self.error(key, f"must be a date such as 2024-11-20, not {shown(v)}")

    def sub(self, key: str) -> Table | None:
        """A nested table (``[render.max_items]``), itself checked for unknown keys."""
        self._seen.add(key)
        if key not in self.data:
            return None
        return Table(self.file, f"{self.name}.{key}", self.data[key])

    def forbid(self, key: str, problem: str) -> None:
        if key in self.data:
            raise self.error(key, problem)

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self._seen)
        if unknown:
            known = ", ".join(sorted(self._seen)) or "none"
            raise self.error(unknown[0], f"unknown key (known keys: {known})")


def resolve_path(folder: Path, value: str) -> Path:
    """``value`` with ``~`` expanded, relative to the configuration file's folder."""
    p = Path(value).expanduser()
    return p if p.is_absolute() else (folder / p)


# ---------------------------------------------------------------- the tables


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """``[store]``: where articles and briefings are kept (an SQLAlchemy URL)."""

    url: str


@dataclass(frozen=True, slots=True)
class RenderConfig:
    """``[render]``: which sections to show, how many items each, and a templates folder."""

    sections: tuple[str, ...] = SECTIONS
    max_items: tuple[tuple[str, int], ...] = ()
    template_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class IngestConfig:
    """``[ingest]``: limits on what is read."""

    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True, slots=True)
class ArticleEntry:
    """One ``[[articles]]`` entry: a file, with metadata the file itself may lack."""

    path: Path
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None


@dataclass(frozen=True, slots=True)
class SourcesConfig:
    """``[sources]``: files and folders of articles to load at start-up."""

    files: tuple[Path, ...] = ()
    folders: tuple[Path, ...] = ()
    patterns: tuple[str, ...] = DEFAULT_PATTERNS


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    """``[discord]`` plus ``DISCORD_TOKEN`` (and ``SITREP_DISCORD_URL``) from the environment."""

    token: Secret | None = None
    guild_ids: tuple[int, ...] = ()
    admin_channel_id: int | None = None
    api_url: str | None = None  # http://host:port of a Discord other than discord.com


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """``[webhook]``: posting through a webhook with a custom name and avatar."""

    url: Secret | None = None
    username: str | None = None
    avatar_url: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None
    store: StoreConfig
    render: RenderConfig = RenderConfig()
    ingest: IngestConfig = IngestConfig()
    articles: tuple[ArticleEntry, ...] = ()
    sources: SourcesConfig = SourcesConfig()
    discord: DiscordConfig = DiscordConfig()
    webhook: WebhookConfig = WebhookConfig()
    theatres: Theatres = DEFAULT_THEATRES
    extra: tuple[tuple[str, object], ...] = ()

    def table(self, name: str) -> object | None:
        """The parsed value of a table registered with ``register_table`` (None if absent)."""
        return dict(self.extra).get(name)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def normalize_store_url(url: str, folder: Path) -> str:
    """An async SQLAlchemy URL: ``sqlite:`` gets aiosqlite, relative SQLite paths are made
    relative to the configuration file, ``postgresql:`` gets asyncpg."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("must be a URL such as sqlite:///sitrep.db or postgresql://host/db")
    base = scheme.split("+", 1)[0]
    if base == "sqlite":
        # sqlite:///relative.db, sqlite:////absolute.db, sqlite:///:memory:
        target = rest[1:] if rest.startswith("/") else rest
        if target in ("", ":memory:"):
            return "sqlite+aiosqlite:///:memory:"
        p = Path(target).expanduser()
        if not p.is_absolute():
            p = folder / p
        return sqlite_url(p)
    if base in ("postgresql", "postgres"):
        driver = scheme.split("+", 1)[1] if "+" in scheme else "asyncpg"
        return f"postgresql+{driver}://{rest}"
    raise ValueError(f"unsupported database {shown(base)} (use sqlite or postgresql)")


def parse_store(t: Table) -> StoreConfig:
    url = t.text("url") or sqlite_url(t.folder / DEFAULT_DB)
    try:
        return StoreConfig(url=normalize_store_url(url, t.folder))
    except ValueError as exc:
        raise t.error("url", str(exc)) from None


def parse_render(t: Table) -> RenderConfig:
    sections = t.str_list("sections") or SECTIONS
    for s in sections:
        if s not in SECTIONS:
            raise t.error("sections", f"unknown section {shown(s)} (one of {', '.join(SECTIONS)})")
    if len(set(sections)) != len(sections):
        raise t.error("sections", "lists a section twice")
    limits: list[tuple[str, int]] = []
    sub = t.sub("max_items")
    if sub is not None:
        for name in list(sub.data):
            if name not in SECTIONS:
                raise sub.error(name, f"unknown section (one of {', '.join(SECTIONS)})")
            n = sub.integer(name, minimum=1)
            assert n is not None
            limits.append((name, n))
        sub.finish()
    template_dir = t.path("templates")
    if template_dir is not None and not template_dir.is_dir():
        raise t.error("templates", f"no such folder: {template_dir}")
    return RenderConfig(sections=sections, max_items=tuple(limits), template_dir=template_dir)


def parse_ingest(t: Table) -> IngestConfig:
    n = t.integer("max_bytes", DEFAULT_MAX_BYTES, minimum=1)
    assert n is not None
    return IngestConfig(max_bytes=n)


def parse_article(t: Table) -> ArticleEntry:
    path = t.path("path")
    if path is None:
        raise t.error("path", "missing: every [[articles]] entry names a file")
    return ArticleEntry(
        path=path,
        title=t.text("title"),
        source=t.text("source"),
        url=t.text("url"),
        published=t.day("published"),
    )


def parse_sources(t: Table) -> SourcesConfig:
    files = t.path_list("files")
    folders = t.path_list("folders")
    patterns = t.str_list("patterns") or DEFAULT_PATTERNS
    return SourcesConfig(files=files, folders=folders, patterns=patterns)


def parse_discord(t: Table, env: Mapping[str, str]) -> DiscordConfig:
    t.forbid("token", f"the token is a secret: set {TOKEN_ENV} in the environment instead")
    token = env.get(TOKEN_ENV, "").strip()
    return DiscordConfig(
        token=Secret(token) if token else None,
        guild_ids=t.id_list("guild_ids"),
        admin_channel_id=t.snowflake("admin_channel"),
        api_url=_discord_url(env.get(DISCORD_URL_ENV, "").strip()),
    )


def _discord_url(value: str) -> str | None:
    """``SITREP_DISCORD_URL``: ``http(s)://host[:port]``, nothing more; None when unset."""
    if not value:
        return None
    m = re.fullmatch(r"(https?)://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\])(:\d{1,5})?/?", value)
    if m is None:
        raise ConfigError(f"{DISCORD_URL_ENV}: not an http(s)://host[:port] URL: {shown(value)}")
    return value.rstrip("/")


def parse_webhook(t: Table, env: Mapping[str, str]) -> WebhookConfig:
    url = env.get(WEBHOOK_ENV, "").strip() or t.text("url")
    t._seen.add("url")
    if url is not None and not url.startswith(("https://", "http://")):
        raise t.error("url", "must be an http(s) URL")
    avatar = t.text("avatar_url")
    if avatar is not None and not avatar.startswith(("https://", "http://")):
        raise t.error("avatar_url", "must be an http(s) URL")
    username = t.text("username")
    if username is not None and not 1 <= len(username) <= 80:
        raise t.error("username", "must be 1 to 80 characters")
    return WebhookConfig(url=Secret(url) if url else None, username=username, avatar_url=avatar)


MAX_THEATRE_NAME = 100  # a Discord choice's name and value are at most 100 characters


def parse_theatres(t: Table) -> Theatres:
    """``[theatres]``: ``Name = ["UA", "RU"]`` groups countries into one theatre.

    The groups extend the defaults (``briefings.geo.DEFAULT_THEATRES``): a group of a default's
    name replaces it, and a country a group lists leaves the default that had it
    (``Russia = ["RU"]`` makes Russia a theatre of its own). ``defaults = false`` drops the
    defaults altogether. Country codes are ISO 3166-1 alpha-2; a country in two groups is an
    error.
    """
    keep_defaults = t.flag("defaults", True)
    configured: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for name in [k for k in t.data if k != "defaults"]:
        if not name.strip() or name != name.strip() or len(name) > MAX_THEATRE_NAME:
            raise t.error(
                name,
                f"a theatre's name is 1 to {MAX_THEATRE_NAME} characters, without spaces around it",
            )
        codes = t.str_list(name)
        if not codes:
            raise t.error(name, 'must list at least one country code, for example ["UA"]')
        upper: list[str] = []
        for code in codes:
            if not is_country_code(code.strip()):
                raise t.error(
                    name,
                    f'{shown(code)} is not a country code (ISO 3166-1 alpha-2, such as "UA")',
                )
            c = code.strip().upper()
            if c in owner and owner[c] != name:
                raise t.error(name, f"{c} is already in the theatre {shown(owner[c])}")
            owner[c] = name
            if c not in upper:
                upper.append(c)
        configured[name] = tuple(upper)
    groups: dict[str, tuple[str, ...]] = {}
    if keep_defaults:
        for name, default_codes in DEFAULT_THEATRES.groups:
            if name in configured:
                continue
            rest = tuple(sorted(c for c in default_codes if c not in owner))
            if rest:
                groups[name] = rest
    groups.update(configured)
    return Theatres.of(groups)


# Tables added by other parts of the bot: name -> parse(table reader or list of readers).
TableParser = Callable[[Table], object]
_EXTRA_TABLES: dict[str, tuple[TableParser, bool]] = {}


def register_table(name: str, parse: TableParser, *, array: bool = False) -> None:
    """Accept ``[name]`` (or ``[[name]]`` with ``array=True``) and parse it with ``parse``.

    For an array, ``parse`` is called once per entry and ``config.table(name)`` is the tuple of
    results; for a plain table it is the single result (``parse`` is not called when absent).
    """
    _EXTRA_TABLES[name] = (parse, array)


_KNOWN = ("store", "render", "ingest", "articles", "sources", "discord", "webhook", "theatres")

# Modules that register tables of their own (``register_table`` at import): imported before a
# file is read, so that their tables are known whatever the caller imported first.
EXTENSION_MODULES: tuple[str, ...] = (
    "bot.scheduling.subscriptions",
    "bot.scheduling.scheduler",
    "bot.sources.polling",
)


def _import_extensions() -> None:
    for name in EXTENSION_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the module exists but lacks a dependency: say so
                raise


def default_config(env: Mapping[str, str] | None = None, *, folder: Path | None = None) -> Config:
    """The configuration with every default (no file): a SQLite file in ``folder``."""
    env = os.environ if env is None else env
    folder = folder or Path.cwd()
    empty = Path(folder / "<defaults>")
    return Config(
        path=None,
        store=parse_store(Table(empty, "store", {})),
        discord=parse_discord(Table(empty, "discord", {}), env),
        webhook=parse_webhook(Table(empty, "webhook", {}), env),
    )


CONFIG_ENV = "SITREP_CONFIG"
DEFAULT_CONFIG = Path("config/sitrep.toml")


def config_path(explicit: str | None) -> str | None:
    """Where every command finds its configuration, one rule for all: ``--config FILE``, else
    ``$SITREP_CONFIG``, else ./config/sitrep.toml if it exists; None when there is none."""
    path = explicit or os.environ.get(CONFIG_ENV, "").strip() or None
    if path is None and DEFAULT_CONFIG.is_file():
        path = str(DEFAULT_CONFIG)
    return path


def find_config(explicit: str | None) -> Config | None:
    """The configuration :func:`config_path` names, loaded; None when there is none."""
    path = config_path(explicit)
    return load_config(path) if path else None


MAX_NESTING = 16  # sitrep's own tables and lists nest 3 deep at most: plenty of room


def _nesting(value: object) -> int:
    """How deeply lists and tables nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > MAX_NESTING:
                    return depth + 1
                deepest = max(deepest, depth + 1)
                stack.append((child, depth + 1))
    return deepest


def _read_regular(file: Path) -> bytes:
    """The bytes of ``file``, a regular file: a named pipe (which would block the read until a
    writer came), a folder or a device is refused with one line, before anything is opened."""
    try:
        kind = not_a_file(file.stat().st_mode)
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such configuration file") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror or exc}") from None
    if kind is not None:
        raise ConfigError(f"{file}: is {kind}, not a regular file")
    try:
        # O_NONBLOCK: should the path become a named pipe after the check, opening it returns
        # at once instead of waiting for a writer, and fstat refuses it.
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            kind = not_a_file(os.fstat(fh.fileno()).st_mode)
            if kind is not None:
                raise ConfigError(f"{file}: is {kind}, not a regular file")
            return fh.read()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror or exc}") from None


def load_config(path: Path | str, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate ``path``; every problem is a ``ConfigError`` naming file and key."""
    env = os.environ if env is None else env
    _import_extensions()
    file = Path(path)
    raw = _read_regular(file)
    too_deep = f"{file}: arrays or tables nested too deeply (at most {MAX_NESTING} levels)"
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested values recursively
        raise ConfigError(too_deep) from None
    if _nesting(data) > MAX_NESTING:  # and the checks below (and their reprs) would too
        raise ConfigError(too_deep)
    file = file.resolve()

    def table(name: str) -> Table:
        return Table(file, name, data.get(name, {}))

    def done(t: Table, value: T) -> T:
        t.finish()
        return value

    t = table("store")
    store = done(t, parse_store(t))
    t = table("render")
    render = done(t, parse_render(t))
    t = table("ingest")
    ingest = done(t, parse_ingest(t))
    # ``[sources]`` (files and folders loaded at start-up) or ``[[sources]]`` (sources polled by
    # bot.sources.polling, registered below): an array is not the table of files.
    raw_sources = data.get("sources", {})
    t = Table(file, "sources", raw_sources if not isinstance(raw_sources, list) else {})
    sources = done(t, parse_sources(t))
    t = table("discord")
    discord = done(t, parse_discord(t, env))
    t = table("webhook")
    webhook = done(t, parse_webhook(t, env))
    theatres = DEFAULT_THEATRES
    if "theatres" in data:
        t = table("theatres")
        theatres = done(t, parse_theatres(t))

    raw_articles = data.get("articles", [])
    if not isinstance(raw_articles, list):
        raise ConfigError(f"{file}: [[articles]]: must be an array of tables ([[articles]])")
    articles: list[ArticleEntry] = []
    for i, entry in enumerate(raw_articles):
        t = Table(file, f"articles #{i + 1}", entry)
        articles.append(done(t, parse_article(t)))

    extra: list[tuple[str, object]] = []
    for name, (parse, array) in _EXTRA_TABLES.items():
        if name not in data:
            continue
        if array:
            entries = data[name]
            if name in _KNOWN and not isinstance(entries, list):
                continue  # the built-in table of that name read it
            if not isinstance(entries, list):
                raise ConfigError(f"{file}: [[{name}]]: must be an array of tables ([[{name}]])")
            values: list[object] = []
            for i, entry in enumerate(entries):
                t = Table(file, f"{name} #{i + 1}", entry)
                values.append(done(t, parse(t)))
            extra.append((name, tuple(values)))
        else:
            t = table(name)
            extra.append((name, done(t, parse(t))))

    unknown = sorted(set(data) - set(_KNOWN) - set(_EXTRA_TABLES))
    if unknown:
        known = ", ".join(sorted({*_KNOWN, *_EXTRA_TABLES}))
        name = shown_key(unknown[0])
        raise ConfigError(f"{file}: [{name}]: unknown table (known tables: {known})")

    return Config(
        path=file,
        store=store,
        render=render,
        ingest=ingest,
        articles=tuple(articles),
        sources=sources,
        discord=discord,
        webhook=webhook,
        theatres=theatres,
        extra=tuple(extra),
    )
