"""The bottom line of a briefing: the one fact a reader must take away, first.

Ground changing hands outranks everything (who took, retook, encircled or lost what), named
place or not; else the heaviest force figure (a ratio, a force's size, losses, a share of
ground), told by the clause of its sentence; else the main decision of the policy section.
"""

from __future__ import annotations

from briefings.article import Article
from briefings.frontline import changes_hands, summarize
from briefings.model import Briefing, Lead
from briefings.policy import summarize as policy_line

#: Force figures heavy enough to lead a briefing; a count of equipment or a rate is not.
_LEADING_KINDS = frozenset({"ratio", "troops", "casualties", "territory"})
LEAD_TEXT = 220  # characters of a lead told from a figure's sentence
_MIN_FORCE_SCORE = 0.85  # below: a handful of soldiers, a distance; not a bottom line


def choose_lead(article: Article, briefing: Briefing) -> Lead | None:
    """The briefing's lead line, or ``None`` when it has nothing to lead with."""
    seized = [i for i in briefing.frontline if i.event == "seized" and changes_hands(i.text)]
    if seized:
        best = max(seized, key=lambda i: (i.score, -i.sentences[0]))
        return Lead(best.text, "frontline", best.sentences)
    heavy = [i for i in briefing.forces if i.kind in _LEADING_KINDS and i.score >= _MIN_FORCE_SCORE]
    if heavy:
        best_force = max(heavy, key=lambda i: (i.score, -i.sentences[0]))
        index = best_force.sentences[0]
        if 0 <= index < len(article.sentences):
            text = summarize(article.sentences[index].text, LEAD_TEXT)
            return Lead(text, "forces", best_force.sentences)
    if briefing.policy:
        best_policy = max(briefing.policy, key=lambda i: (i.score, -i.sentences[0]))
        index = best_policy.sentences[0]
        text = best_policy.text
        if "…" in text and 0 <= index < len(article.sentences):
            text = policy_line(article.sentences[index].text, LEAD_TEXT, best_policy.actors)
        return Lead(text, "policy", best_policy.sentences)
    return None
