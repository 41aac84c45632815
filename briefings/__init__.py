"""sitrep's pure core: articles in, four-section briefings out.

Nothing in this package touches the network, Discord or a database; it is synchronous and
deterministic (same input, same output). See DESIGN.md for the data flow.
"""

from briefings.article import Article, Paragraph, Sentence, build_article
from briefings.distill import distill
from briefings.model import (
    Actor,
    ArticleMeta,
    Briefing,
    ForceItem,
    FrontlineItem,
    PolicyItem,
    QuoteItem,
)

__all__ = [
    "Actor",
    "Article",
    "ArticleMeta",
    "Briefing",
    "ForceItem",
    "FrontlineItem",
    "Paragraph",
    "PolicyItem",
    "QuoteItem",
    "Sentence",
    "build_article",
    "distill",
]
