"""HTML pages: the main text and metadata by trafilatura, navigation and adverts left behind.

trafilatura (and lxml under it) is imported on first use only: it costs over 100 ms to import,
and most commands never read HTML.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from briefings.errors import InputError
from briefings.ingest.dates import parse_date
from briefings.ingest.document import Parsed

# Metadata that trafilatura may leave out (it ignores dates later than today's, for example).
_META_DATE = re.compile(
    r"""<meta[^>]{0,300}?(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|"""
    r"""datePublished|pubdate|publishdate|date|dc\.date(?:\.issued)?)["'][^>]{0,300}?>""",
    re.I,
)
_CONTENT = re.compile(r"""content\s*=\s*["']([^"']{4,60})["']""", re.I)
_TIME_TAG = re.compile(r"""<time[^>]{0,200}?datetime\s*=\s*["']([^"']{4,60})["']""", re.I)
_PROSE = re.compile(r"[.!?…][\"'”’)]*$")
_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")


def _quiet_loggers() -> None:
    # Without a handler configured, Python prints a library's warnings on stderr; the CLI
    # promises one line there. An application that configures logging still gets them.
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())


def _has_prose(paragraphs: list[str]) -> bool:
    """True when some paragraph reads as a sentence of prose, not a menu or a form."""
    return any(len(p.split()) >= 6 and _PROSE.search(p) for p in paragraphs)


def _published(doc_date: Any, html_text: str) -> date | None:
    if isinstance(doc_date, str) and doc_date:
        found = parse_date(doc_date)
        if found:
            return found
    for m in _META_DATE.finditer(html_text[:200_000]):
        content = _CONTENT.search(m.group(0))
        if content:
            found = parse_date(content.group(1))
            if found:
                return found
    tag = _TIME_TAG.search(html_text[:200_000])
    return parse_date(tag.group(1)) if tag else None


def _text_attr(doc: Any, name: str) -> str | None:
    value = getattr(doc, name, None)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def parse_html(html_text: str, *, name: str) -> Parsed:
    """Extract the article of an HTML page; ``InputError`` when the page has none."""
    import trafilatura

    _quiet_loggers()
    try:
        doc = trafilatura.bare_extraction(
            html_text,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_formatting=False,
            include_links=False,
        )
    except (ValueError, TypeError, AttributeError) as exc:  # lxml failures on broken input
        raise InputError(f"{name}: HTML that could not be parsed ({exc})") from None
    text = _text_attr(doc, "text") if doc is not None else None
    paragraphs = [p.strip() for p in (text or "").split("\n") if p.strip()]
    if not _has_prose(paragraphs):
        raise InputError(f"{name}: no article body found in the HTML page")
    title = _text_attr(doc, "title")
    if title and paragraphs and paragraphs[0].strip().casefold() == title.casefold():
        paragraphs.pop(0)
    return Parsed(
        body="\n".join(paragraphs),
        title=title,
        source=_text_attr(doc, "sitename") or _text_attr(doc, "hostname"),
        url=_text_attr(doc, "url"),
        published=_published(getattr(doc, "date", None), html_text),
    )
