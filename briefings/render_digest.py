"""Rendering a ``Digest`` (``briefings.digest``) into Discord messages.

The same machinery as a briefing, through the public API both use (``briefings.render_views``):
one Jinja environment, views whose strings are already ``clean`` and within budget, sections
packed into embeds at item boundaries, then messages packed to Discord's limits. A digest post
is a header (content), a "What changed" embed, one embed per non-empty section with its items
ranked most important first (each line naming its sources as links), and a "Sources" embed
listing every article. A digest whose articles report on more than one theatre groups its
sections by theatre, most reported first: the header names the theatres and each section embed is
headed by its theatre ("Ukraine · Frontline"); a digest of one theatre shows none of it.

Templates (overridable like the others, see ``templates/README.md``): ``digest_header.md.j2``,
``digest_changes.md.j2``, ``digest_section.md.j2`` (one item per line), ``digest_sources.md.j2``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any

from briefings import limits
from briefings.digest import NO_THEATRE, Changes, Digest, DigestItem, SourceRef
from briefings.errors import ConfigError
from briefings.messages import Embed, Message
from briefings.model import SECTIONS
from briefings.render_views import (
    COLORS,
    HEADINGS,
    NAME_BUDGET,
    TEXT_BUDGET,
    TITLE_BUDGET,
    VALUE_BUDGET,
    SectionView,
    TemplateRenderer,
    clip,
    item_view,
    timestamp,
)
from briefings.sanitize import safe_url

CHANGES_COLOR = 0x16A085
SOURCES_COLOR = 0x95A5A6
# The longest link shown: a longer address is named without its link so that a line stays well
# within an embed. (Templates name at most three sources per line and count the others.)
LINK_BUDGET = 300
SOURCES_LISTED = 25
CITE_BUDGET = 48  # how items name a source: an outlet, or a title cut short
KIND_LABELS = {
    "ratio": "Force ratio",
    "troops": "Troops",
    "casualties": "Losses",
    "equipment": "Equipment",
    "territory": "Ground",
    "rate": "Rate",
    "other": "Figure",
}
# Which "what changed" kinds belong to which section (a channel showing only some sections sees
# only their changes).
CHANGE_SECTIONS = {"figures": "forces", "places": "frontline", "decisions": "policy"}


@dataclass(frozen=True, slots=True)
class SourceView:
    number: int  # 1-based, as listed in the Sources embed
    name: str  # how items cite it: the outlet (numbered when two sources share one)
    title: str | None
    outlet: str | None
    url: str | None  # a link short enough to show, else none
    published: date | None
    published_ts: int | None

    @property
    def who(self) -> str:
        """The outlet (two reports of one outlet are one outlet), else how it is cited."""
        return (self.outlet or self.name).casefold()


@dataclass(frozen=True, slots=True)
class DifferView:
    """Another value of a digest's figure, as other sources give it."""

    value: str
    sources: tuple[SourceView, ...]


@dataclass(frozen=True, slots=True)
class FigureView:
    label: str  # "Force ratio", "Troops"
    subject: str
    area: str | None
    before: str
    after: str
    direction: str  # "up", "down" or ""
    before_text: str
    after_text: str
    before_source: str | None  # its name
    sources: tuple[SourceView, ...]


@dataclass(frozen=True, slots=True)
class PlaceView:
    place: str
    verb: str
    text: str
    sources: tuple[SourceView, ...]


@dataclass(frozen=True, slots=True)
class DecisionView:
    text: str
    actors: tuple[str, ...]
    sources: tuple[SourceView, ...]


@dataclass(frozen=True, slots=True)
class TheatreView:
    name: str
    count: int  # articles of the digest reporting on it


@dataclass(frozen=True, slots=True)
class DigestView:
    count: int  # articles in the digest
    sources: tuple[SourceView, ...]
    since_ts: int | None
    now_ts: int | None
    compared_with: int
    figures: tuple[FigureView, ...]
    places: tuple[PlaceView, ...]
    decisions: tuple[DecisionView, ...]
    sections_shown: tuple[str, ...]
    # The theatres the articles report on, most reported first: only when more than one.
    theatres: tuple[TheatreView, ...] = ()

    @property
    def has_changes(self) -> bool:
        return bool(self.figures or self.places or self.decisions)


def _source_views(sources: Sequence[SourceRef]) -> tuple[SourceView, ...]:
    names = [clip(s.name, CITE_BUDGET) or "an unnamed report" for s in sources]
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    out = []
    for number, (ref, name) in enumerate(zip(sources, names, strict=True), 1):
        url = safe_url(ref.url)
        published_ts = None
        if ref.published is not None:
            published_ts = int(datetime.combine(ref.published, time(12), tzinfo=UTC).timestamp())
        out.append(
            SourceView(
                number=number,
                name=f"{name} ({number})" if counts[name] > 1 else name,
                title=clip(ref.title, TITLE_BUDGET) or None if ref.title else None,
                outlet=clip(ref.outlet, NAME_BUDGET) or None if ref.outlet else None,
                url=url if url is not None and len(url) <= LINK_BUDGET else None,
                published=ref.published,
                published_ts=published_ts,
            )
        )
    return tuple(out)


def _cited(indexes: Sequence[int], sources: Sequence[SourceView]) -> tuple[SourceView, ...]:
    return tuple(sources[i] for i in indexes if 0 <= i < len(sources))


def _changes_view(
    changes: Changes, sources: Sequence[SourceView], shown: Sequence[str]
) -> tuple[tuple[FigureView, ...], tuple[PlaceView, ...], tuple[DecisionView, ...]]:
    figures: list[FigureView] = []
    if CHANGE_SECTIONS["figures"] in shown:
        for c in changes.figures:
            cited = _cited(c.sources, sources)
            figures.append(
                FigureView(
                    label=KIND_LABELS.get(c.kind, "Figure"),
                    subject=clip(c.subject, VALUE_BUDGET),
                    area=clip(c.area, NAME_BUDGET) or None if c.area else None,
                    before=clip(c.before, VALUE_BUDGET),
                    after=clip(c.after, VALUE_BUDGET),
                    direction=c.direction,
                    before_text=clip(c.before_text, 120),
                    after_text=clip(c.after_text, 120),
                    before_source=clip(c.before_source.name, NAME_BUDGET)
                    if c.before_source
                    else None,
                    sources=cited,
                )
            )
    places: list[PlaceView] = []
    if CHANGE_SECTIONS["places"] in shown:
        for p in changes.places:
            cited = _cited(p.sources, sources)
            places.append(
                PlaceView(
                    place=clip(p.place, NAME_BUDGET),
                    verb=clip(p.verb, VALUE_BUDGET),
                    text=clip(p.text, 300),
                    sources=cited,
                )
            )
    decisions: list[DecisionView] = []
    if CHANGE_SECTIONS["decisions"] in shown:
        for d in changes.decisions:
            cited = _cited(d.sources, sources)
            decisions.append(
                DecisionView(
                    text=clip(d.text, TEXT_BUDGET["policy"]),
                    actors=tuple(clip(a, NAME_BUDGET) for a in d.actors[:4]),
                    sources=cited,
                )
            )
    return tuple(figures), tuple(places), tuple(decisions)


def digest_view(
    digest: Digest, *, now: datetime | None = None, sections: Sequence[str] = SECTIONS
) -> DigestView:
    sources = _source_views(digest.sources)
    figures, places, decisions = _changes_view(digest.changes, sources, sections)
    return DigestView(
        count=len(digest.sources) + digest.omitted,
        sources=sources,
        since_ts=timestamp(digest.since),
        now_ts=timestamp(now),
        compared_with=digest.compared_with,
        figures=figures,
        places=places,
        decisions=decisions,
        sections_shown=tuple(sections),
        theatres=_theatre_views(digest),
    )


def theatre_name(theatre: str | None) -> str:
    return clip(theatre, NAME_BUDGET) or NO_THEATRE if theatre else NO_THEATRE


def _theatre_views(digest: Digest) -> tuple[TheatreView, ...]:
    if not digest.spans_theatres:
        return ()
    return tuple(
        TheatreView(theatre_name(t), sum(1 for s in digest.theatres if s == t))
        for t in digest.theatre_order()
    )


def _section_view(
    name: str, items: Sequence[DigestItem], limit: int | None, sources: Sequence[SourceView]
) -> SectionView:
    shown = items if limit is None else items[:limit]  # already ranked, most important first
    views = []
    for merged in shown:
        cited = _cited(merged.sources, sources)
        base = item_view(name, merged.item, ())
        differs = tuple(
            DifferView(clip(value, VALUE_BUDGET), _cited(indexes, sources))
            for value, indexes in merged.differs
        )
        views.append(replace(base, paragraphs=(), sentences=(), sources=cited, differs=differs))
    return SectionView(
        name=name,
        heading=HEADINGS[name],
        items=tuple(views),
        total=len(items),
        more=len(items) - len(views),
        sources="",
    )


def digest_messages(
    renderer: TemplateRenderer,
    digest: Digest,
    *,
    now: datetime | None = None,
    sections: Sequence[str] | None = None,
) -> list[Message]:
    """The digest as a post: header, "What changed", the sections, the sources."""
    names = tuple(renderer.options.sections if sections is None else sections)
    unknown = [s for s in names if s not in SECTIONS]
    if unknown:
        raise ConfigError(f"unknown section {unknown[0]!r}: the sections are {', '.join(SECTIONS)}")
    view = digest_view(digest, now=now, sections=names)
    context: dict[str, Any] = {"digest": view, "now_ts": view.now_ts}
    timestamp = datetime.fromtimestamp(view.now_ts, UTC) if view.now_ts is not None else None
    footer = f"Digest of {view.count} report{'s' if view.count != 1 else ''}"
    embeds: list[Embed] = []

    def add(title: str, color: int, chunks: Sequence[str], url: str | None = None) -> None:
        for n, chunk in enumerate(chunks, 1):
            shown = title if len(chunks) == 1 else f"{title} ({n}/{len(chunks)})"
            embeds.append(
                Embed(
                    title=limits.truncate(shown, limits.EMBED_TITLE),
                    description=chunk,
                    url=url,
                    color=color,
                    footer=footer,
                    timestamp=timestamp,
                )
            )

    if view.has_changes or view.compared_with:
        body = renderer.render_template("digest_changes.md.j2", context)
        add("What changed", CHANGES_COLOR, limits.split_to_fit(body.split("\n"), 4096))

    def add_section(name: str, items: Sequence[DigestItem], title: str) -> None:
        section = _section_view(name, items, renderer.options.limit_for(name), view.sources)
        parts = renderer.section_parts(context, section, "digest_section.md.j2")
        add(title, COLORS[name], [chunk for chunk, _ in parts])

    if digest.spans_theatres:  # theatre by theatre, each with its sections
        grouped = {name: dict(digest.by_theatre(name)) for name in names}
        for theatre in digest.theatre_order():
            for name in names:
                items = grouped[name].get(theatre, ())
                if items:
                    add_section(name, items, f"{theatre_name(theatre)} · {HEADINGS[name]}")
    else:
        for name in names:
            items = digest.section(name)
            if items:
                add_section(name, items, HEADINGS[name])
    if view.sources:
        listed = replace(view, sources=view.sources[:SOURCES_LISTED])
        body = renderer.render_template("digest_sources.md.j2", {**context, "digest": listed})
        add("Sources", SOURCES_COLOR, limits.split_to_fit(body.split("\n"), 4096))
    header = renderer.render_template("digest_header.md.j2", context)
    contents = limits.split_to_fit(header.split("\n"), limits.CONTENT)
    groups = limits.pack_embeds(embeds)
    messages = [Message(content=c) for c in contents[:-1]]
    last = contents[-1] if contents else ""
    if groups:
        messages.append(Message(content=last, embeds=groups[0]))
        messages.extend(Message(embeds=g) for g in groups[1:])
    elif last:
        messages.append(Message(content=last))
    return messages or [Message(content="Nothing new.")]
