"""One article in, one briefing out: the four extractors over one ``Article``."""

from __future__ import annotations

from briefings.article import Article
from briefings.forces import extract_forces
from briefings.frontline import extract_frontline
from briefings.model import ArticleMeta, Briefing
from briefings.policy import extract_policy
from briefings.quotes import extract_quotes


def distill(article: Article) -> Briefing:
    """Distill ``article`` into a ``Briefing`` (pure and deterministic)."""
    return Briefing(
        article=ArticleMeta.of(article),
        frontline=extract_frontline(article),
        forces=extract_forces(article),
        policy=extract_policy(article),
        quotes=extract_quotes(article),
    )
