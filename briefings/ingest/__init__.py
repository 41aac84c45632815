"""Turning bytes into an ``Article``: plain text, Markdown and HTML files (feeds and URLs later).

``read_article`` reads a path or standard input; ``article_from_bytes`` reads bytes already in
memory (a fetched page, a stored document). Both refuse bad input with ``InputError``.
"""

from briefings.ingest.files import (
    DEFAULT_MAX_BYTES,
    INPUT_FORMATS,
    InputFormat,
    article_from_bytes,
    article_from_text,
    detect_format,
    read_article,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "INPUT_FORMATS",
    "InputFormat",
    "article_from_bytes",
    "article_from_text",
    "detect_format",
    "read_article",
]
