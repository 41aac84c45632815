"""Turning bytes into an ``Article``: plain text, Markdown and HTML files (more to come)."""

from briefings.ingest.files import DEFAULT_MAX_BYTES, article_from_bytes, read_article

__all__ = ["DEFAULT_MAX_BYTES", "article_from_bytes", "read_article"]
