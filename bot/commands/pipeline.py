"""The slash commands as plain async functions: one pipeline for Discord and for dry-run.

Each handler takes the ``Store``, the ``Renderer`` and the command's ``Invocation`` (its options
and the time to stamp) and returns the ``Message`` list to reply with. The Discord client and
``sitrep dry-run --command "/quotes speaker:NAME"`` both call ``answer``; they differ only in
where the messages go. A wrong argument raises ``CommandError`` (a ``SitrepError``) whose
message is the short ephemeral reply.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.commands.chart import CHART_FILENAME, forces_chart
from bot.commands.digests import digest_reply, source_of
from bot.commands.front_map import front_map_attachment, with_attachment
from bot.store.articles import FRONTLINE_SCAN, NotFound, Store, StoredArticle, speakers_of
from bot.store.theatres import latest_of, resolve_theatre
from briefings import limits
from briefings.errors import SitrepError
from briefings.messages import Attachment, Embed, EmbedField, Message
from briefings.model import SECTIONS, Briefing
from briefings.render import Renderer
from briefings.sanitize import clean, escape_markdown, safe_url, strip_unsafe
from briefings.timeline import Report, build_timeline, close_places, names_place, place_choices

HELP_COLOR = 0x5865F2
SOURCES_COLOR = 0x95A5A6
# /sources lists the most recent articles; /briefing article: (autocomplete) finds the others.
SOURCES_SHOWN = 25


class CommandError(SitrepError):
    """A wrong command or argument: the message is the user's (ephemeral) reply."""


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    description: str
    autocomplete: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    description: str
    help: str
    options: tuple[Option, ...] = ()
    # True when answering needs real work (a chart): Discord's reply is deferred first.
    slow: bool = False


_ARTICLE = Option("article", "Which article (default: the latest)", autocomplete=True)

SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "briefing",
        "The latest briefing, or one section of it",
        "The briefing of the latest article (its strongest lines; `full` shows every item), "
        "or one `section` in full; `article` picks another; `since` (90m, 6h, 2d) gives a "
        "digest of every article new in that period; `theatre` keeps one theatre's articles.",
        (
            Option("section", "Only this section, every item of it", choices=SECTIONS),
            _ARTICLE,
            Option("since", "A digest of everything new in this period: 90m, 6h, 2d"),
            Option("full", "Every item of every section, not only the strongest"),
            Option("theatre", "Only articles of this theatre, e.g. Ukraine", autocomplete=True),
        ),
    ),
    CommandSpec(
        "quotes",
        "Key quotes, optionally by one speaker",
        "The key quotes with their speakers; `speaker` keeps one person's words.",
        (Option("speaker", "Only this speaker's quotes", autocomplete=True), _ARTICLE),
    ),
    CommandSpec(
        "forces",
        "Force ratios and numbers, with a chart",
        "Force ratios, troop numbers, losses and equipment, with a chart of them.",
        (_ARTICLE,),
        slow=True,
    ),
    CommandSpec(
        "frontline",
        "The frontline situation with a map, optionally around one place",
        "Advances, retreats and assaults, place by place, with a map of where they are; "
        "`place` gives that place's history across every stored report (date, outlet, what "
        "changed), or with `article` keeps that article's items about it.",
        (
            Option("place", "A place's history, or its items in one article", autocomplete=True),
            _ARTICLE,
        ),
    ),
    CommandSpec(
        "policy",
        "Policy context: decisions, talks, deliveries",
        "Decisions, negotiations and deliveries, with the leaders and officials behind them.",
        (_ARTICLE,),
    ),
    CommandSpec(
        "sources",
        "The articles sitrep knows",
        "Every article known, with its source, date, theatre and how many items each section has.",
    ),
    CommandSpec("help", "What each command does", "This help."),
)
SPEC_BY_NAME: dict[str, CommandSpec] = {s.name: s for s in SPECS}


@dataclass(frozen=True, slots=True)
class Invocation:
    """One command as asked: its name, its options (as text) and the time to stamp replies."""

    name: str
    options: tuple[tuple[str, str], ...] = ()
    now: datetime | None = None
    # How long a picture (the map) may hold the reply up; None: as long as it takes. Discord
    # wants an answer within three seconds, a dry-run waits.
    picture_within: float | None = None

    def __post_init__(self) -> None:
        # Arguments are text from outside: cleaned once here, where every command reads them
        # (Discord passes a lone surrogate or a bidi control as typed; SQLite cannot store one).
        cleaned = tuple((k, strip_unsafe(v)) for k, v in self.options)
        object.__setattr__(self, "options", cleaned)

    def get(self, key: str) -> str | None:
        for k, v in self.options:
            if k == key:
                stripped = v.strip()
                return stripped or None
        return None

    @classmethod
    def of(
        cls, name: str, options: Mapping[str, object] | None = None, now: datetime | None = None
    ) -> Invocation:
        opts = tuple((k, str(v)) for k, v in (options or {}).items() if v is not None)
        return cls(name=name, options=opts, now=now)

    def __str__(self) -> str:
        """For logs: one line whatever the user typed."""
        parts = ["/" + self.name, *(f"{k}:{' '.join(v.split())[:100]}" for k, v in self.options)]
        return " ".join(parts)


Handler = Callable[[Store, Renderer, Invocation], Awaitable[list[Message]]]


def parse_command(line: str, specs: Mapping[str, CommandSpec] | None = None) -> Invocation:
    """``"/quotes speaker:Anna Bell"`` -> ``Invocation("quotes", (("speaker", "Anna Bell"),))``.

    Values run to the next ``option:`` of the same command, so they may contain spaces.
    ``specs`` (default: these commands) lets extensions parse their own commands too.
    """
    known = SPEC_BY_NAME if specs is None else specs
    text = line.strip()
    m = re.match(r"^/?([\w-]+)\s*(.*)$", text, re.DOTALL)
    if not m or not text:
        raise CommandError(f"Not a command: '{clip(text)}'. Try /help.")
    name, rest = m.group(1).lower(), m.group(2).strip()
    spec = known.get(name)
    if spec is None:
        commands = ", ".join("/" + n for n in known)
        raise CommandError(f"Unknown command /{clip(name)}. Commands: {commands}.")
    names = [o.name for o in spec.options]
    if not rest:
        return Invocation(name)
    if not names:
        raise CommandError(f"/{name} takes no options.")
    marker = re.compile(r"(?:^|\s)(" + "|".join(map(re.escape, names)) + r"):", re.IGNORECASE)
    found = list(marker.finditer(rest))
    if not found or found[0].start() != 0:
        if ":" not in rest:
            raise CommandError(
                f"Write options as name:value, for example /{name} {names[0]}:{clip(rest)}."
            )
        first = rest.split(":", 1)[0].split()[0] if rest.split(":", 1)[0].split() else ":"
        raise CommandError(
            f"Unknown option '{clip(first)}' for /{name}. Options: {', '.join(names)}."
        )
    options: list[tuple[str, str]] = []
    for i, hit in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(rest)
        key = hit.group(1).lower()
        if any(k == key for k, _ in options):
            raise CommandError(f"Option '{key}' is given twice.")
        options.append((key, rest[hit.end() : end].strip()))
    return Invocation(name, tuple(options))


def command_list() -> str:
    return ", ".join("/" + s.name for s in SPECS)


def clip(text: str, n: int = 60) -> str:
    """User input echoed in a reply: one line, short, no code spans to break out of."""
    one = clean(text)
    one = one if len(one) <= n else one[: n - 1] + "…"
    return escape_markdown(one)


# ------------------------------------------------------------------------ handlers


async def _article(store: Store, inv: Invocation) -> tuple[StoredArticle, Briefing]:
    try:
        stored = await store.resolve(inv.get("article"))
    except NotFound as exc:
        raise CommandError(str(exc)) from None
    return stored, await store.briefing(stored.id)


async def cmd_briefing(store: Store, renderer: Renderer, inv: Invocation) -> list[Message]:
    section = inv.get("section")
    if section is not None:
        section = section.lower()
        if section not in SECTIONS:
            raise CommandError(
                f"Unknown section '{clip(section)}'. Choose one of: {', '.join(SECTIONS)}."
            )
    theatre = inv.get("theatre")
    if theatre is not None:
        if inv.get("article") is not None:
            raise CommandError("Give either theatre or article, not both.")
        try:  # one clear reply for a theatre no stored article reports on
            theatre = await resolve_theatre(store, theatre)
        except NotFound as exc:
            raise CommandError(str(exc)) from None
    since = inv.get("since")
    if since is not None:
        if inv.get("article") is not None:
            raise CommandError("Give either since or article, not both.")
        now = inv.now or datetime.now(UTC)
        return await digest_reply(store, renderer, since, now=now, section=section, theatre=theatre)
    full = _yes_no(inv.get("full"), "full")
    if theatre is not None:  # the latest article of the theatre
        found = await latest_of(store, theatre)
        if found is None:
            raise CommandError(f"No article reports on {clip(theatre)}.")
        stored, briefing = found
    else:
        stored, briefing = await _article(store, inv)
    if section is None:
        return renderer.post_messages(briefing, now=inv.now, ranked=not full, ref=stored.key)
    return renderer.section_messages(briefing, section, now=inv.now)


def _yes_no(value: str | None, option: str) -> bool:
    """A true/false option as typed (Discord sends ``true``/``false``); absent is false."""
    if value is None:
        return False
    low = value.lower()
    if low in ("true", "yes", "1"):
        return True
    if low in ("false", "no", "0"):
        return False
    raise CommandError(f"{option} is true or false, not '{clip(value)}'.")


async def cmd_quotes(store: Store, renderer: Renderer, inv: Invocation) -> list[Message]:
    stored, briefing = await _article(store, inv)
    speaker = inv.get("speaker")
    if speaker is not None:
        wanted = speaker.casefold()
        exact = [q for q in briefing.quotes if (q.speaker or "").casefold() == wanted]
        quotes = exact or [q for q in briefing.quotes if wanted in (q.speaker or "").casefold()]
        if not quotes:
            known = speakers_of(briefing)
            hint = f" Speakers: {clip(', '.join(known), 300)}." if known else ""
            raise CommandError(
                f"Nobody named '{clip(speaker)}' is quoted in {_name(stored)}.{hint}"
            )
        briefing = dataclasses.replace(briefing, quotes=tuple(quotes))
    return renderer.section_messages(briefing, "quotes", now=inv.now)


_charts: dict[str, bytes | None] = {}


async def cmd_forces(store: Store, renderer: Renderer, inv: Invocation) -> list[Message]:
    stored, briefing = await _article(store, inv)
    messages = renderer.section_messages(briefing, "forces", now=inv.now)
    key = briefing.article.sha256
    if key not in _charts:
        # Drawing takes tens of milliseconds: off the event loop, once per article.
        _charts[key] = await asyncio.to_thread(forces_chart, briefing.forces, stored.name)
        if len(_charts) > 64:
            _charts.pop(next(iter(_charts)))
    png = _charts[key]
    if png is None:
        return messages
    return with_attachment(messages, Attachment(CHART_FILENAME, png, "image/png"), in_embed=True)


async def cmd_frontline(store: Store, renderer: Renderer, inv: Invocation) -> list[Message]:
    place = inv.get("place")
    if place is not None and inv.get("article") is None:
        return await place_history(store, renderer, place, now=inv.now)
    stored, briefing = await _article(store, inv)
    if place is not None:
        items = [i for i in briefing.frontline if names_place(i, place)]
        if not items:
            known = places_of(briefing)
            hint = f" Places: {clip(', '.join(known), 300)}." if known else ""
            raise CommandError(f"No frontline item names '{clip(place)}' in {_name(stored)}.{hint}")
        briefing = dataclasses.replace(briefing, frontline=tuple(items))
    messages = renderer.section_messages(briefing, "frontline", now=inv.now)
    picture = await front_map_attachment(
        briefing.frontline, stored.name, timeout=inv.picture_within
    )
    return with_attachment(messages, picture, in_embed=True)


async def place_history(
    store: Store, renderer: Renderer, place: str, *, now: datetime | None = None
) -> list[Message]:
    """``/frontline place:X``: every stored report's frontline items naming X, oldest first."""
    found = await store.with_frontline(FRONTLINE_SCAN)
    if not found and await store.count() == 0:
        raise CommandError("No articles are loaded yet. Add some to the configuration.")
    reports = [_report(stored, briefing) for stored, briefing in reversed(found)]
    # As many as were read: older reports may name the place too (the reply says so).
    timeline = build_timeline(place, reports, partial=len(found) >= FRONTLINE_SCAN)
    if not timeline.entries:
        known = place_choices([b for _, b in found])
        close = close_places(place, known)
        hint = f" Close names: {clip(', '.join(close), 300)}." if close else ""
        if not close and known:
            hint = f" Places reported: {clip(', '.join(known[:10]), 300)}."
        raise CommandError(f"No frontline item names '{clip(place)}' in any stored report.{hint}")
    return renderer.timeline_messages(timeline, now=now)


def _report(stored: StoredArticle, briefing: Briefing) -> Report:
    """A stored article as a timeline reads it: credited as digests credit it, dated by its
    publication, else by when it was stored."""
    day = stored.published or stored.added_at.date()
    return Report(
        source_of(stored), briefing, day, published=stored.published is not None, ref=stored.key
    )


async def cmd_policy(store: Store, renderer: Renderer, inv: Invocation) -> list[Message]:
    _, briefing = await _article(store, inv)
    return renderer.section_messages(briefing, "policy", now=inv.now)


async def cmd_sources(store: Store, renderer: Renderer, inv: Invocation) -> list[Message]:
    known = await store.recent(limit=SOURCES_SHOWN)
    total = await store.count()
    if not known:
        return [Message(content="No articles are loaded yet. Add some to the configuration.")]
    lines = []
    for a in known:
        title = escape_markdown(limits.truncate(clean(a.name), 200))
        url = safe_url(a.url)
        head = f"[{title}]({url})" if url else f"**{title}**"
        theatre = (await store.briefing(a.id)).article.theatre  # cached: 25 at most
        facts = [
            escape_markdown(limits.truncate(clean(a.source), 80)) if a.source else None,
            a.when,
            escape_markdown(limits.truncate(clean(theatre), 80)) if theatre else None,
        ]
        counts = " · ".join(f"{name} {n}" for name, n in a.counts)
        lines.append(f"{head}\n{' · '.join(f for f in facts if f)} · {counts}")
    chunks = limits.split_to_fit(lines, limits.EMBED_DESCRIPTION, sep="\n\n")
    shown = f"{len(known)} of {total}" if total > len(known) else str(total)
    embeds = [
        Embed(
            title=f"Sources ({shown} article{'s' if total != 1 else ''}, most recent first)"
            + (f" {n}/{len(chunks)}" if len(chunks) > 1 else ""),
            description=chunk,
            color=SOURCES_COLOR,
            footer="Older articles: /briefing article: finds any by its title"
            if total > len(known)
            else None,
            timestamp=inv.now,
        )
        for n, chunk in enumerate(chunks, 1)
    ]
    return [Message(embeds=group) for group in limits.pack_embeds(embeds)]


# Commands added by extensions (module, name of its specs); /help lists them after the core ones.
EXTENSION_SPECS: tuple[tuple[str, str], ...] = (
    ("bot.commands.subscription_commands", "SUBSCRIPTION_SPECS"),
    ("bot.commands.source_commands", "SOURCE_SPECS"),
)


def all_specs() -> tuple[CommandSpec, ...]:
    """Every command the bot answers: the core ones, then the extensions'."""
    specs = list(SPECS)
    for module, attribute in EXTENSION_SPECS:
        extra: tuple[CommandSpec, ...] = getattr(importlib.import_module(module), attribute)
        specs.extend(extra)
    return tuple(specs)


async def cmd_help(store: Store, renderer: Renderer, inv: Invocation) -> list[Message]:
    fields = []
    for spec in all_specs():
        usage = " ".join(["/" + spec.name, *(f"[{o.name}]" for o in spec.options)])
        fields.append(EmbedField(name=usage, value=spec.help))
    embed = Embed(
        title="sitrep: war reporting, distilled",
        description=(
            "Each article becomes a four-part briefing: frontline, forces, policy and quotes. "
            "Every line points back to its paragraphs in the article."
        ),
        color=HELP_COLOR,
        fields=tuple(fields),
    )
    return [Message(embeds=(embed,), ephemeral=True)]


HANDLERS: dict[str, Handler] = {
    "briefing": cmd_briefing,
    "quotes": cmd_quotes,
    "forces": cmd_forces,
    "frontline": cmd_frontline,
    "policy": cmd_policy,
    "sources": cmd_sources,
    "help": cmd_help,
}


async def answer(store: Store, renderer: Renderer, inv: Invocation) -> list[Message]:
    """The reply to ``inv``: its handler's messages, or one ephemeral message for a wrong
    argument. Anything unexpected propagates to the caller's single error handler."""
    handler = HANDLERS.get(inv.name)
    if handler is None:
        return [error_message(f"Unknown command /{clip(inv.name)}. Try /help.")]
    if inv.now is None:
        inv = dataclasses.replace(inv, now=datetime.now(UTC))
    try:
        messages = await handler(store, renderer, inv)
    except SitrepError as exc:
        return [error_message(str(exc))]
    return messages or [Message(content="Nothing to show.", ephemeral=True)]


def error_message(text: str) -> Message:
    return Message(content=limits.truncate(text, limits.CONTENT), ephemeral=True)


def places_of(briefing: Briefing, query: str = "") -> list[str]:
    q = query.strip().casefold()
    seen: dict[str, None] = {}
    for item in briefing.frontline:
        for p in item.places:
            if q in p.casefold():
                seen.setdefault(p, None)
    return list(seen)


def _name(stored: StoredArticle) -> str:
    return f"'{clip(stored.name)}'"
