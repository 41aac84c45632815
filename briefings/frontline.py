"""Frontline situation. (Being built: see issue 2.)"""

from __future__ import annotations

from briefings.article import Article
from briefings.model import FrontlineItem


def extract_frontline(article: Article) -> tuple[FrontlineItem, ...]:
    """Advances, retreats, seizures, assaults and held ground, with the places named."""
    return ()
