"""Rendering a place's history (``briefings.timeline``) into Discord messages.

The same pieces as a digest (``briefings.render_views``): views whose strings are already
``clean`` and within budget, one template (``timeline.md.j2``, one entry per line, overridable
like the others), its lines split into embeds and the embeds packed into messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from briefings import limits
from briefings.messages import Embed, Message
from briefings.render_views import (
    COLORS,
    NAME_BUDGET,
    TEXT_BUDGET,
    VALUE_BUDGET,
    TemplateRenderer,
    clip,
    timestamp,
)
from briefings.sanitize import escape_markdown, safe_url
from briefings.timeline import Timeline

TEMPLATE = "timeline.md.j2"
OUTLET_BUDGET = 48  # how an entry names its outlet (as digests cite a source)
LINK_BUDGET = 300  # a longer address is not linked: a line stays well within an embed


@dataclass(frozen=True, slots=True)
class EntryView:
    """One entry as the template sees it: every string clean and within its budget."""

    day: date
    when: str  # "2024-05-03", or "added 2024-05-03" for a report that gives no date
    published: bool
    outlet: str
    change: str  # "captured", "advance", ...
    text: str
    places: tuple[str, ...]
    url: str | None
    ref: str | None  # how commands name the article ("#12")


@dataclass(frozen=True, slots=True)
class TimelineView:
    place: str
    entries: tuple[EntryView, ...]  # oldest first
    omitted: int  # older entries not shown
    reports: int  # reports naming the place
    searched: int  # reports read
    partial: bool  # only the most recent reports were searched


def timeline_view(timeline: Timeline) -> TimelineView:
    entries = []
    for e in timeline.entries:
        url = safe_url(e.url)
        day = e.day.isoformat()
        entries.append(
            EntryView(
                day=e.day,
                when=day if e.published else f"added {day}",
                published=e.published,
                outlet=clip(e.outlet, OUTLET_BUDGET) or "an unnamed report",
                change=clip(e.change, VALUE_BUDGET),
                text=clip(e.item.text, TEXT_BUDGET["frontline"]),
                places=tuple(clip(p, NAME_BUDGET) for p in e.item.places[:4]),
                url=url if url is not None and len(url) <= LINK_BUDGET else None,
                ref=e.ref,
            )
        )
    return TimelineView(
        place=clip(timeline.place, NAME_BUDGET),
        entries=tuple(entries),
        omitted=timeline.omitted,
        reports=timeline.reports,
        searched=timeline.searched,
        partial=timeline.partial,
    )


def timeline_messages(
    renderer: TemplateRenderer, timeline: Timeline, *, now: datetime | None = None
) -> list[Message]:
    """The place's history as embeds: "History of X", entries oldest first, one per line."""
    view = timeline_view(timeline)
    now_ts = timestamp(now)
    body = renderer.render_template(TEMPLATE, {"timeline": view, "now_ts": now_ts})
    chunks = limits.split_to_fit(body.split("\n"), limits.EMBED_DESCRIPTION) or ["\u200b"]
    n_reports = f"{view.reports} report{'s' if view.reports != 1 else ''}"
    title = f"History of {escape_markdown(view.place)} ({n_reports}, oldest first)"
    notes = [f"{view.omitted} older not shown"] if view.omitted else []
    if view.partial:
        notes.append(f"searched the {view.searched} most recent reports with frontline news")
    footer = " · ".join(notes) or None
    when = datetime.fromtimestamp(now_ts, UTC) if now_ts is not None else None
    embeds = [
        Embed(
            title=limits.truncate(title + (f" {n}/{len(chunks)}" if len(chunks) > 1 else ""), 256),
            description=chunk,
            color=COLORS["frontline"],
            footer=footer,
            timestamp=when,
        )
        for n, chunk in enumerate(chunks, 1)
    ]
    return [Message(embeds=group) for group in limits.pack_embeds(embeds)]


__all__ = ["EntryView", "TimelineView", "timeline_messages", "timeline_view"]
