"""RSS and Atom feeds (feedparser): a feed's bytes into ``FeedItem`` values, and an item's
``Article`` from the feed's full content when the feed carries it.

``parse_feed`` never touches the network: it is given the bytes a ``Fetcher`` read. A document
that is not a feed at all (an HTML page, a broken XML file with no entries) is a ``FeedError``
saying so; a feed with a small flaw that still has entries is read.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from briefings.article import Article, build_article
from briefings.errors import InputError
from briefings.sanitize import clean_optional

__all__ = [
    "FULL_TEXT_WORDS",
    "Feed",
    "FeedError",
    "FeedItem",
    "article_from_item",
    "html_fragment_text",
    "parse_feed",
]

# A feed item whose content has at least this many words carries the article itself.
FULL_TEXT_WORDS = 60


class FeedError(InputError):
    """A document that is not a readable RSS or Atom feed."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed. ``content`` is the full text (HTML) when the feed has it."""

    guid: str | None
    link: str | None
    title: str | None
    published: datetime | None = None
    summary: str | None = None
    content: str | None = None

    @property
    def key(self) -> str:
        """What identifies the item within its feed: its GUID, else its link, else a hash of
        its title and summary."""
        if self.guid:
            return self.guid
        if self.link:
            return self.link
        text = f"{self.title or ''}\n{self.summary or ''}"
        return "sha1:" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def full_text(self) -> str | None:
        """The item's article text when the feed carries it (long enough content), else None."""
        for candidate in (self.content, self.summary):
            if not candidate:
                continue
            text = html_fragment_text(candidate)
            if len(text.split()) >= FULL_TEXT_WORDS:
                return text
        return None


@dataclass(frozen=True, slots=True)
class Feed:
    title: str | None
    link: str | None
    items: tuple[FeedItem, ...]


def _text(value: Any) -> str | None:
    """A one-line field of the feed (title, GUID, link), cleaned where it enters."""
    return clean_optional(value) if isinstance(value, str) else None


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _content(entry: Any) -> str | None:
    best: str | None = None
    for part in entry.get("content") or ():
        value = part.get("value") if hasattr(part, "get") else None
        if isinstance(value, str) and value.strip() and (best is None or len(value) > len(best)):
            best = value
    return best


def parse_feed(data: bytes, *, name: str) -> Feed:
    """Read an RSS or Atom document; ``FeedError`` naming ``name`` when it is not one."""
    import feedparser  # imported where feeds are read: it is slow to import

    if not data.strip():
        raise FeedError(f"{name}: empty document, not a feed")
    try:
        parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser's own failures on hostile input
        raise FeedError(f"{name}: not a readable feed ({type(exc).__name__})") from None
    entries = list(parsed.get("entries") or ())
    if parsed.get("bozo"):
        # In a broken document an entry with no GUID, link or content is what a truncation
        # leaves behind: dropped.
        entries = [e for e in entries if e.get("id") or e.get("link") or _content(e)]
    version = parsed.get("version") or ""
    if not entries and (parsed.get("bozo") or not version):
        problem = parsed.get("bozo_exception")
        why = " ".join(str(problem).split())[:160] if problem else "no RSS or Atom elements"
        raise FeedError(f"{name}: not a valid RSS or Atom feed ({why})")
    feed = parsed.get("feed") or {}
    items = []
    for entry in entries:
        items.append(
            FeedItem(
                guid=_text(entry.get("id")),
                link=_text(entry.get("link")),
                title=_text(entry.get("title")),
                published=_when(entry),
                summary=entry.get("summary") if isinstance(entry.get("summary"), str) else None,
                content=_content(entry),
            )
        )
    return Feed(title=_text(feed.get("title")), link=_text(feed.get("link")), items=tuple(items))


def article_from_item(item: FeedItem, *, source: str | None = None) -> Article | None:
    """The ``Article`` of an item whose feed carries the full text, else None (its page must be
    fetched)."""
    text = item.full_text
    if text is None:
        return None
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    article = build_article(
        text,
        title=item.title,
        source=source,
        url=item.link,
        published=item.published.date() if item.published else None,
        sha256=digest,
    )
    return article if article.paragraphs else None


# ---------------------------------------------------------------- HTML fragments

_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
    "article",
    "tr",
    "figure",
    "hr",
    "ul",
    "ol",
    "table",
}
_SKIPPED = {"script", "style", "figcaption", "noscript", "iframe", "svg"}
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/][^>]*>")


class _FragmentText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_fragment_text(fragment: str) -> str:
    """The text of a feed's HTML content: one paragraph per line, markup and scripts dropped.

    Feed content is the article's own markup (no navigation to remove), so a plain pass is
    enough, and far faster than a page extractor."""
    if not _LOOKS_LIKE_HTML.search(fragment):
        text = html.unescape(fragment)
    else:
        parser = _FragmentText()
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
