"""Key quotes: every direct quotation with its speaker. (Being built: see issue 2.)"""

from __future__ import annotations

from briefings.article import Article
from briefings.model import QuoteItem


def extract_quotes(article: Article) -> tuple[QuoteItem, ...]:
    """Every direct quotation of ``article`` in reading order."""
    return ()
