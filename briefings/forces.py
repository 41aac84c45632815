"""Force ratios and numbers. (Being built: see issue 2.)"""

from __future__ import annotations

from briefings.article import Article
from briefings.model import ForceItem


def extract_forces(article: Article) -> tuple[ForceItem, ...]:
    """Force ratios, troop counts, casualties, equipment and territory figures, in reading order."""
    return ()
