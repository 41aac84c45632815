"""Policy context. (Being built: see issue 2.)"""

from __future__ import annotations

from briefings.article import Article
from briefings.model import PolicyItem


def extract_policy(article: Article) -> tuple[PolicyItem, ...]:
    """Decisions, negotiations, authorizations and statements of leaders, with the actors named."""
    return ()
