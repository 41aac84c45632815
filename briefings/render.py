"""Rendering a ``Briefing`` into Discord messages with Jinja2 templates.

One ``Renderer`` owns one Jinja ``Environment`` (``StrictUndefined``) over the bundled templates in
``briefings/templates`` and, in front of them, an optional user folder that overrides them by file
name. Templates receive views whose strings are already ``clean`` (one line, mentions
neutralised, cut to a budget); markdown templates escape them with the ``md`` filter.

Template convention: a section template renders one item per line (blank lines allowed between
items). Messages are split at line boundaries, so an item is never split across messages.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2

from briefings import limits
from briefings.digest import Digest
from briefings.errors import ConfigError, TemplateError
from briefings.messages import Embed, Message
from briefings.model import (
    SECTIONS,
    Briefing,
    ForceItem,
    Item,
    PolicyItem,
    QuoteItem,
)
from briefings.render_views import (
    COLORS,
    FOOTER_BUDGET,
    HEADINGS,
    LEAD_BUDGET,
    NAME_BUDGET,
    TITLE_BUDGET,
    ItemView,
    SectionView,
    WhoView,
    clip,
    clip_or_none,
    item_view,
    timestamp,
)
from briefings.sanitize import clean, escape_markdown, safe_url
from briefings.template_sandbox import ConfinedLoader, SandboxedTemplates, render_bounded
from briefings.timeline import Timeline

BUNDLED_TEMPLATES = Path(__file__).resolve().parent / "templates"

DEFAULT_MAX_ITEMS: tuple[tuple[str, int], ...] = (
    ("frontline", 5),
    ("forces", 7),
    ("policy", 3),
    ("quotes", 3),
)
_REF = re.compile(r"#\d{1,19}")  # how commands name a stored article: "#12"
FIT_TEXT = 1800  # characters of a ranked briefing's text: one Discord message, read at a glance
MIN_FIT_ITEMS = 2  # fitting never shows fewer items of a section than this
#: Which section gives up an item first when several show as large a share of their limit:
#: quotes are the longest lines, and a decision is rarely said twice, so policy goes last.
_FIT_ORDER = ("quotes", "frontline", "forces", "policy")
ITEM_SEPARATOR_ROOM = 2  # characters between two rendered items ("\n" or a blank line)
MORE_LINE_ROOM = 80  # the "+N more: /briefing section:NAME" line
MAX_MESSAGES = 50  # the most messages one rendering may make (a post, a reply, a view)

# The templates a renderer needs; all are loaded (and so checked) when it is built.
TEMPLATE_NAMES: tuple[str, ...] = (
    "header.md.j2",
    "briefing.md.j2",
    "briefing.txt.j2",
    *(f"{name}.md.j2" for name in SECTIONS),
    "digest_macros.md.j2",
    "digest_header.md.j2",
    "digest_changes.md.j2",
    "digest_section.md.j2",
    "digest_sources.md.j2",
    "timeline.md.j2",
)


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What the rendered view shows: which sections in which order, how many items of each."""

    sections: tuple[str, ...] = SECTIONS
    max_items: tuple[tuple[str, int], ...] = DEFAULT_MAX_ITEMS
    template_dir: Path | None = None
    # A ranked view shows fewer items (never under MIN_FIT_ITEMS a section) until the
    # briefing's text is at most this long: one message, read at a glance. None: no fitting.
    fit_text: int | None = FIT_TEXT

    def __post_init__(self) -> None:
        unknown = [s for s in self.sections if s not in SECTIONS]
        unknown += [s for s, _ in self.max_items if s not in SECTIONS]
        if unknown:
            raise ConfigError(
                f"unknown section {unknown[0]!r}: the sections are {', '.join(SECTIONS)}"
            )
        if not self.sections:
            raise ConfigError("no sections to show: name at least one of " + ", ".join(SECTIONS))
        if len(set(self.sections)) != len(self.sections):
            raise ConfigError("a section is listed twice in the sections to show")
        bad = [(s, n) for s, n in self.max_items if n < 1]
        if bad:
            raise ConfigError(f"item limit for {bad[0][0]!r} must be at least 1, not {bad[0][1]}")

    def limit_for(self, section: str) -> int | None:
        """The item limit of ``section`` in the rendered view (``None``: no limit)."""
        for name, n in self.max_items:
            if name == section:
                return n
        return None


@dataclass(frozen=True, slots=True)
class ArticleView:
    title: str | None
    source: str | None
    url: str | None
    published: date | None
    published_ts: int | None  # Unix time of noon UTC that day: the same date everywhere
    words: int


@dataclass(frozen=True, slots=True)
class _View:
    article: ArticleView
    sections: tuple[SectionView, ...]
    now_ts: int | None = None
    lead: str | None = None  # the bottom line, clean and within its budget
    # How commands name the article ("#12"), so a post's "more" hint reaches this article and
    # not whichever is the latest when it is read; None: the latest (no store, the CLI).
    ref: str | None = None

    def context(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "sections": self.sections,
            "now_ts": self.now_ts,
            "lead": self.lead,
            "ref": self.ref,
        }


def top_items(items: Sequence[Item], limit: int | None) -> tuple[Item, ...]:
    """The ``limit`` items of highest ``score`` (ties: the earlier), shown in reading order.

    A ranked view says each thing once and lets several voices speak: an item that repeats one
    already chosen (the same ratio from a second sentence) is left out, and a second quote of
    one speaker, or a second policy line of one actor, comes after every other one's best.
    """
    if limit is None or len(items) <= limit:
        return tuple(items)
    order = sorted(range(len(items)), key=lambda i: (-items[i].score, i))
    best: list[int] = []
    later: list[int] = []
    seen: set[tuple[str, str]] = set()
    for i in order:
        key = _repeat_key(items[i])
        if key is not None and key in seen:
            later.append(i)
            continue
        if key is not None:
            seen.add(key)
        best.append(i)
    chosen = (best + later)[:limit]
    return tuple(items[i] for i in sorted(chosen))


def _repeat_key(item: Item) -> tuple[str, str] | None:
    """What makes two items say the same in a ranked view (``None``: nothing)."""
    if isinstance(item, ForceItem) and item.kind == "ratio":
        return ("ratio", item.value)
    if isinstance(item, QuoteItem) and item.speaker:
        return ("speaker", item.speaker.casefold())
    if isinstance(item, PolicyItem) and item.actors:
        return ("actor", item.actors[0].casefold())
    return None


def _sources(items: Sequence[ItemView]) -> str:
    """Where ``items`` come from: "from paragraphs 3, 7" (sentences if paragraphs are unknown)."""
    traced = [i for i in items if i.sentences]
    if not traced:
        return ""
    if all(i.paragraphs for i in traced):
        numbers = sorted({p for i in traced for p in i.paragraphs})
        unit = "paragraph" if len(numbers) == 1 else "paragraphs"
    else:
        numbers = sorted({s for i in traced for s in i.sentences})
        unit = "sentence" if len(numbers) == 1 else "sentences"
    return limits.truncate(f"from {unit} {', '.join(map(str, numbers))}", FOOTER_BUDGET // 2)


def _section_view(
    briefing: Briefing, name: str, limit: int | None, paragraph_of: tuple[int, ...]
) -> SectionView:
    items = briefing.section(name)
    lead = briefing.lead
    if limit is not None and lead is not None and lead.section == name != "forces":
        # A ranked view says the lead once, at the top, and gives its place to the next item.
        items = tuple(i for i in items if i.sentences != lead.sentences)
    if limit is not None and name == "policy":
        # Who is who is no policy: one line of names and roles instead of a line each.
        items = tuple(i for i in items if not (isinstance(i, PolicyItem) and i.introduces))
    top = top_items(items, limit)
    who = _who(briefing, top) if limit is not None and name == "policy" else ()
    shown = tuple(item_view(name, item, paragraph_of, trim=limit is not None) for item in top)
    return SectionView(
        name=name,
        heading=HEADINGS[name],
        items=shown,
        total=len(items),
        more=len(items) - len(shown),
        sources=_sources(shown),
        who=who,
    )


WHO_MAX = 3  # actors on the "Who's who" line
WHO_ROLE_BUDGET = 60


def _who(briefing: Briefing, top: Sequence[Item]) -> tuple[WhoView, ...]:
    """The "Who's who" line of a ranked policy view: the actors the shown lines name, with the
    role the article gives them where the lines do not already ("President Biden's decision"
    says who Biden is), in the article's order, each role clipped, at most ``WHO_MAX``."""
    lines = [i for i in top if isinstance(i, PolicyItem)]
    named = {a for item in lines for a in item.actors}
    said = " ".join(item.text for item in lines).casefold()
    actors = [
        a for a in briefing.actors if a.name in named and a.role and a.role.casefold() not in said
    ]
    return tuple(
        WhoView(clip(a.name, NAME_BUDGET), clip(a.role or "", WHO_ROLE_BUDGET))
        for a in actors[:WHO_MAX]
    )


def _article_view(briefing: Briefing) -> ArticleView:
    meta = briefing.article
    published_ts = None
    if meta.published is not None:
        published_ts = int(datetime.combine(meta.published, time(12), tzinfo=UTC).timestamp())
    return ArticleView(
        title=clip_or_none(meta.title, TITLE_BUDGET),
        source=clip_or_none(meta.source, NAME_BUDGET),
        url=safe_url(meta.url),
        published=meta.published,
        published_ts=published_ts,
        words=meta.words,
    )


_LONG_NUMBER = re.compile(r"(?<![\d.,])\d{4,}(?![\d,])")


def readable_figure(value: str) -> str:
    """A normalized value as readers like it: thousands separated ("45000" -> "45,000")."""
    return _LONG_NUMBER.sub(lambda m: f"{int(m.group()):,}", value)


def _discord_timestamp(value: int, style: str = "f") -> str:
    return f"<t:{int(value)}:{style}>"


def _error_location(exc: BaseException, template: jinja2.Template) -> str:
    """``file, line N`` of the template frame where ``exc`` was raised, if Jinja recorded one;
    else the file of ``template``, the one being rendered."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if frames:
        return f"{frames[-1].filename}, line {frames[-1].lineno}"
    return template.filename or template.name or "a template"


class Renderer:
    """Renders briefings with one Jinja environment (bundled templates, user overrides first)."""

    def __init__(self, options: RenderOptions = RenderOptions()) -> None:
        self.options = options
        loaders: list[jinja2.BaseLoader] = []
        if options.template_dir is not None:
            if not options.template_dir.is_dir():
                raise TemplateError(f"template folder {options.template_dir} does not exist")
            loaders.append(ConfinedLoader(options.template_dir))
        loaders.append(ConfinedLoader(BUNDLED_TEMPLATES))
        self.env = SandboxedTemplates(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.env.add_filter("md", escape_markdown)
        self.env.add_filter("clean", clean)
        self.env.add_filter("timestamp", _discord_timestamp)
        self.env.add_filter("figure", readable_figure)
        self.env.globals["headings"] = MappingProxyType(dict(HEADINGS))
        self._templates = {name: self._load(name) for name in TEMPLATE_NAMES}

    def _load(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or exc.name or name
            raise TemplateError(f"{where}, line {exc.lineno}: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"template {exc.name} not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"template {name} cannot be read: {exc}") from None

    def render_template(self, name: str, context: dict[str, Any]) -> str:
        try:
            return render_bounded(self._templates[name], context).strip("\n")
        except jinja2.TemplateSyntaxError as exc:  # an {% include %} of a broken template
            where = exc.filename or exc.name or name
            raise TemplateError(f"{where}, line {exc.lineno}: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"template {exc.name} not found (needed by {name})") from None
        except Exception as exc:  # undefined names, bad filters, errors raised in templates
            where = _error_location(exc, self._templates[name])
            raise TemplateError(f"{where}: {exc}") from None

    # -- views ----------------------------------------------------------------------------

    def _view(
        self,
        briefing: Briefing,
        *,
        sections: Sequence[str] | None = None,
        now: datetime | None = None,
        ranked: bool = True,
        limits: Mapping[str, int] | None = None,
        ref: str | None = None,
    ) -> _View:
        paragraph_of = briefing.article.sentence_paragraphs
        names = self.options.sections if sections is None else tuple(sections)
        chosen = limits or {}
        return _View(
            article=_article_view(briefing),
            sections=tuple(
                _section_view(
                    briefing,
                    name,
                    chosen.get(name, self.options.limit_for(name)) if ranked else None,
                    paragraph_of,
                )
                for name in names
            ),
            now_ts=timestamp(now),
            lead=clip_or_none(briefing.lead.text, LEAD_BUDGET)
            if briefing.lead is not None
            else None,
            ref=ref if ref is not None and _REF.fullmatch(ref) else None,
        )

    def section_parts(
        self, context: dict[str, Any], section: SectionView, template: str
    ) -> list[tuple[str, str]]:
        """The section's descriptions, each within an embed's limit, with each one's sources.

        Items are grouped before rendering (each measured alone), so a group's footer names
        exactly its own paragraphs and an item is never split, whatever its template does.
        """

        def body(part: SectionView) -> str:
            return self.render_template(template, {**context, "section": part})

        whole = body(section)
        groups = [section]
        if len(whole) > limits.EMBED_DESCRIPTION and len(section.items) > 1:
            alone = [
                len(body(replace(section, items=(item,), more=0, sources=_sources((item,)))))
                for item in section.items
            ]
            room = limits.EMBED_DESCRIPTION - ITEM_SEPARATOR_ROOM
            packed: list[list[ItemView]] = [[]]
            size = MORE_LINE_ROOM
            for item, length in zip(section.items, alone, strict=True):
                if packed[-1] and size + length + ITEM_SEPARATOR_ROOM > room:
                    packed.append([])
                    size = MORE_LINE_ROOM
                packed[-1].append(item)
                size += length + ITEM_SEPARATOR_ROOM
            groups = [
                replace(
                    section,
                    items=tuple(items),
                    more=section.more if n == len(packed) - 1 else 0,
                    sources=_sources(items),
                )
                for n, items in enumerate(packed)
            ]
        parts: list[tuple[str, str]] = []
        for group in groups:
            text = whole if group is section else body(group)
            # A user template may still overflow: then split its lines as a last resort.
            chunks = limits.split_to_fit(text.split("\n"), limits.EMBED_DESCRIPTION)
            parts.extend((chunk, group.sources) for chunk in chunks)
        return parts or [("\u200b", "")]

    def _section_embeds(self, view: _View, section: SectionView) -> list[Embed]:
        parts = self.section_parts(view.context(), section, f"{section.name}.md.j2")
        timestamp = datetime.fromtimestamp(view.now_ts, UTC) if view.now_ts is not None else None
        embeds = []
        for n, (chunk, sources) in enumerate(parts, 1):
            footer_parts = [p for p in (view.article.title, sources) if p]
            footer = limits.truncate(" · ".join(footer_parts), FOOTER_BUDGET) or None
            title = section.heading
            if len(parts) > 1:
                title = f"{title} ({n}/{len(parts)})"
            embeds.append(
                Embed(
                    title=limits.truncate(title, limits.EMBED_TITLE),
                    description=chunk,
                    url=view.article.url,
                    color=COLORS[section.name],
                    footer=footer,
                    timestamp=timestamp,
                )
            )
        return embeds

    # -- public API ------------------------------------------------------------------------

    def post_messages(
        self,
        briefing: Briefing,
        *,
        now: datetime | None = None,
        sections: Sequence[str] | None = None,
        ranked: bool = True,
        ref: str | None = None,
    ) -> list[Message]:
        """A scheduled post: a header, then one embed per section, split to fit Discord.

        ``sections`` (default: the options' sections) picks and orders the sections shown;
        ``ranked=False`` shows every item of each (``/briefing full:true``); ``ref`` is how
        commands name the article ("#12"), for the hint to the lines not shown.
        """
        if sections is not None:
            unknown = [name for name in sections if name not in SECTIONS]
            if unknown:
                raise ConfigError(
                    f"unknown section {unknown[0]!r}: the sections are {', '.join(SECTIONS)}"
                )
        if ranked:
            view = self._fitted_view(
                briefing, now=now, sections=sections, measure=self._post_text_size, ref=ref
            )
        else:
            view = self._view(briefing, now=now, sections=sections, ranked=False)
        header = self.render_template("header.md.j2", view.context())
        contents = limits.split_to_fit(header.split("\n"), limits.CONTENT)
        embeds = [e for s in view.sections for e in self._section_embeds(view, s)]
        groups = limits.pack_embeds(embeds)
        messages = [Message(content=c) for c in contents[:-1]]
        last = contents[-1] if contents else ""
        if groups:
            messages.append(Message(content=last, embeds=groups[0]))
            messages.extend(Message(embeds=g) for g in groups[1:])
        elif last:
            messages.append(Message(content=last))
        names = ["header.md.j2", *(f"{s.name}.md.j2" for s in view.sections)]
        return _at_most(messages, "a post", names)

    def section_messages(
        self,
        briefing: Briefing,
        section: str,
        *,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> list[Message]:
        """One section as embeds (the replies to /quotes, /forces, /frontline, /policy).

        Every item of the section is shown unless ``limit`` names how many (the top by score).
        """
        if section not in SECTIONS:
            raise ConfigError(
                f"unknown section {section!r}: the sections are {', '.join(SECTIONS)}"
            )
        view = self._view(briefing, sections=(section,), now=now, ranked=False)
        if limit is not None:
            view = _View(
                view.article,
                (_section_view(briefing, section, limit, briefing.article.sentence_paragraphs),),
                view.now_ts,
            )
        embeds = self._section_embeds(view, view.sections[0])
        return _at_most(
            [Message(embeds=g) for g in limits.pack_embeds(embeds)],
            f"the {section} section",
            [f"{section}.md.j2"],
        )

    def digest_messages(
        self, digest: Digest, *, now: datetime | None = None, sections: Sequence[str] | None = None
    ) -> list[Message]:
        """A digest of several articles (``briefings.digest``), as a scheduled post is."""
        from briefings.render_digest import digest_messages

        messages = digest_messages(self, digest, now=now, sections=sections)
        return _at_most(messages, "a digest", [n for n in TEMPLATE_NAMES if "digest" in n])

    def timeline_messages(
        self, timeline: Timeline, *, now: datetime | None = None
    ) -> list[Message]:
        """A place's history (``briefings.timeline``): its entries oldest first, one per line."""
        from briefings.render_timeline import TEMPLATE, timeline_messages

        return _at_most(timeline_messages(self, timeline, now=now), "a timeline", [TEMPLATE])

    def _post_text_size(self, view: _View) -> int:
        """The characters of a post's text: its header and each section as its template says."""
        context = view.context()
        size = len(self.render_template("header.md.j2", context))
        for section in view.sections:
            part = {**context, "section": section}
            size += len(section.heading) + len(self.render_template(f"{section.name}.md.j2", part))
        return size

    def _markdown_body(self, view: _View) -> str:
        context = view.context()
        # The whole briefing says once, at its end, what each section holds beyond its view.
        context["more"] = tuple((s.name, s.more) for s in context["sections"] if s.more)
        context["sections"] = tuple(replace(s, more=0) for s in context["sections"])
        return self.render_template("briefing.md.j2", context)

    def _fitted_view(
        self,
        briefing: Briefing,
        *,
        now: datetime | None = None,
        sections: Sequence[str] | None = None,
        measure: Callable[[_View], int] | None = None,
        ref: str | None = None,
    ) -> _View:
        """The ranked view, with fewer items while its text (``measure``: by default, of the
        markdown briefing) is over ``fit_text``: the section showing the largest share of its
        limit gives up its lowest item (ties in ``_FIT_ORDER``), down to ``MIN_FIT_ITEMS``; then
        the items given up before the last one come back where they still fit."""
        view = self._view(briefing, now=now, sections=sections, ref=ref)
        budget = self.options.fit_text
        if budget is None:
            return view
        limits = {s.name: len(s.items) for s in view.sections if self.options.limit_for(s.name)}
        size = measure or (lambda v: len(self._markdown_body(v)))
        given_up: list[str] = []
        while size(view) > budget:
            shrinkable = [name for name, n in limits.items() if n > MIN_FIT_ITEMS]
            if not shrinkable:
                return view
            name = max(
                shrinkable,
                key=lambda n: (limits[n] / (self.options.limit_for(n) or 1), -_FIT_ORDER.index(n)),
            )
            limits[name] -= 1
            given_up.append(name)
            view = self._view(briefing, now=now, sections=sections, limits=limits, ref=ref)
        # The last step may have given up a long line where a short one was enough: the items
        # given up before it come back, most recent first, wherever they still fit.
        for name in reversed(given_up[:-1]):
            trial = {**limits, name: limits[name] + 1}
            bigger = self._view(briefing, now=now, sections=sections, limits=trial, ref=ref)
            if size(bigger) <= budget:
                limits, view = trial, bigger
        return view

    def markdown_messages(self, briefing: Briefing) -> list[Message]:
        """The briefing as plain Discord-markdown content messages (no embeds)."""
        body = self._markdown_body(self._fitted_view(briefing))
        chunks = limits.split_to_fit(_keep_headings_with_next(body.split("\n")), limits.CONTENT)
        messages = [Message(content=c) for c in chunks] or [Message(content="Empty briefing.")]
        return _at_most(messages, "the briefing", ["briefing.md.j2"])

    def text(self, briefing: Briefing) -> str:
        """The briefing as plain text, no markdown."""
        return self.render_template("briefing.txt.j2", self._view(briefing).context()) + "\n"


def _at_most(messages: list[Message], what: str, templates: Sequence[str]) -> list[Message]:
    """``messages`` if they are at most ``MAX_MESSAGES``; more is a template gone wrong."""
    if len(messages) > MAX_MESSAGES:
        raise TemplateError(
            f"the templates {', '.join(templates)} render {what} as {len(messages):,} messages"
            f" (at most {MAX_MESSAGES})"
        )
    return messages


def _keep_headings_with_next(lines: Sequence[str]) -> list[str]:
    """Lines as split units, a markdown heading glued to the line after it."""
    units: list[str] = []
    glue = False
    for line in lines:
        if glue and line.strip():
            units[-1] += "\n" + line
        else:
            units.append(line)
        glue = line.startswith("#")
    return units


def render_messages(briefing: Briefing) -> list[Message]:
    """The briefing as markdown content messages, with the default options."""
    return Renderer().markdown_messages(briefing)


#: Discord's timestamp styles as a console writes them (a date, a time, or both).
_CONSOLE_TIME_STYLES = {"d": "%Y-%m-%d", "D": "%Y-%m-%d", "t": "%H:%M UTC", "T": "%H:%M:%S UTC"}
_TIME_AND_RELATIVE = re.compile(r"<t:(-?\d{1,12}):[fF]> \(<t:\1:R>\)")
_DISCORD_MARKUP = re.compile(
    r"<(?:t:(?P<t>-?\d{1,12})(?::(?P<style>[tTdDfFR]))?|(?P<kind>#|@&|@!?)(?P<id>\d{1,20}))>"
)


def readable(text: str) -> str:
    """``text`` with Discord's markup for people as a console shows it: a timestamp
    (``<t:1796529155:f>``) as "2026-12-05 16:32 UTC", a channel (``<#123>``) as "#123", a
    user or role mention as "@123". Discord renders these; a terminal would print noise."""

    def one(m: re.Match[str]) -> str:
        if m.group("t") is not None:
            try:
                moment = datetime.fromtimestamp(int(m.group("t")), UTC)
            except (OverflowError, OSError, ValueError):
                return m.group()
            style = m.group("style") or "f"
            return moment.strftime(_CONSOLE_TIME_STYLES.get(style, "%Y-%m-%d %H:%M UTC"))
        return ("#" if m.group("kind") == "#" else "@") + m.group("id")

    # "<t:N:f> (<t:N:R>)", a time and how far off it is, reads as one time on a console.
    text = _TIME_AND_RELATIVE.sub(r"<t:\1:f>", text)
    return _DISCORD_MARKUP.sub(one, text)


def format_for_console(messages: Sequence[Message]) -> str:
    """``messages`` as readable text: numbered, separated, embeds drawn as framed blocks, and
    Discord's markup (timestamps, channel mentions) as a person reads it (``readable``)."""
    out: list[str] = []
    total = len(messages)
    for n, msg in enumerate(messages, 1):
        flags = " (ephemeral)" if msg.ephemeral else ""
        out.append(f"===== message {n} of {total}{flags} =====")
        if msg.content:
            out.append(msg.content)
        for k, embed in enumerate(msg.embeds, 1):
            color = f" · color #{embed.color:06X}" if embed.color is not None else ""
            out.append(f"----- embed {k} of {len(msg.embeds)}{color} -----")
            if embed.title:
                out.append(f"# {embed.title}")
            if embed.url:
                out.append(f"<{embed.url}>")
            if embed.description:
                out.append(embed.description)
            for f in embed.fields:
                out.append(f"[{f.name}]{' (inline)' if f.inline else ''}")
                out.append(f.value)
            tail = [p for p in (embed.footer, _console_time(embed.timestamp)) if p]
            if tail:
                out.append("-- " + " · ".join(tail))
            if embed.image_url:
                out.append(f"[image: {embed.image_url}]")
        for a in msg.attachments:
            out.append(f"[attachment: {a.filename}, {len(a.data):,} bytes]")
        out.append("")
    return readable("\n".join(out))


def _console_time(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
