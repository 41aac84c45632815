"""Links from a briefing's items to the sentences they come from, on the original page.

A link is the article's URL with a text fragment (``#:~:text=start,end``): browsers that support
it scroll to the sentence and highlight it, the others open the page. Every item of a briefing
whose article has a URL carries such a link (``url`` in the JSON), so a reader can check a line
against the words it was cut from.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Sequence
from typing import TypeVar

from briefings.model import Briefing, Item
from briefings.sanitize import safe_url

#: A sentence of up to this many words is named whole; a longer one by its first and last words.
EDGE_WORDS = 4
WHOLE_WORDS = 2 * EDGE_WORDS


def _directive_part(words: Sequence[str]) -> str:
    # Inside a text directive "-", "," and "&" are syntax: they are percent-encoded as well.
    return urllib.parse.quote(" ".join(words), safe="").replace("-", "%2D")


def sentence_link(url: str | None, sentence: str | None) -> str | None:
    """The page at ``url`` scrolled to ``sentence`` (a text fragment), the page itself when there
    is no sentence, None when ``url`` is not a safe http(s) address.

    >>> sentence_link("https://example.org/a#top", "Rebels shelled the port overnight.")
    'https://example.org/a#:~:text=Rebels%20shelled%20the%20port%20overnight.'
    """
    base = safe_url(url)
    if base is None:
        return None
    words = (sentence or "").split()
    if not words:
        return base
    page = base.split("#", 1)[0]
    if len(words) <= WHOLE_WORDS:
        return f"{page}#:~:text={_directive_part(words)}"
    start, end = words[:EDGE_WORDS], words[-EDGE_WORDS:]
    return f"{page}#:~:text={_directive_part(start)},{_directive_part(end)}"


_I = TypeVar("_I", bound=Item)


def with_links(briefing: Briefing, sentences: Sequence[str]) -> Briefing:
    """``briefing`` with every item (and the lead) linked to its first source sentence.

    ``sentences`` are the article's sentence texts, indexed as the items' ``sentences`` are.
    Without a safe article URL the briefing is returned as it is.
    """
    if safe_url(briefing.article.url) is None:
        return briefing

    def link(indexes: Sequence[int]) -> str | None:
        first = indexes[0] if indexes else None
        text = sentences[first] if first is not None and 0 <= first < len(sentences) else None
        return sentence_link(briefing.article.url, text)

    def linked(items: tuple[_I, ...]) -> tuple[_I, ...]:
        return tuple(dataclasses.replace(i, url=link(i.sentences)) for i in items)

    lead = briefing.lead
    return dataclasses.replace(
        briefing,
        frontline=linked(briefing.frontline),
        forces=linked(briefing.forces),
        policy=linked(briefing.policy),
        quotes=linked(briefing.quotes),
        lead=dataclasses.replace(lead, url=link(lead.sentences)) if lead is not None else None,
    )
