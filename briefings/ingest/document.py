"""What each format reader returns: the article's body text and the metadata it found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Parsed:
    """A format's reading of one document, before it becomes an ``Article``.

    ``body`` has one paragraph per line; bylines and trailers may still be in it (the ``Article``
    drops them).
    """

    body: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None
