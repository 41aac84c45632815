"""The briefing's top-level ``actors``: every named leader, official and commander of the
article, read from the people index (``briefings.people`` with ``briefings.coref``), not from
the sentences the policy extractor keeps.

One actor per person, in order of first mention, with the role the article gives and the
sentences that mention them. A leader named only as history ("when X was overthrown", in every
mention) is no actor. A person the policy extractor treats as acting in office (a bare surname
stating a decision) is one too, since policy items and the top-level list must agree.
"""

from __future__ import annotations

import re
from typing import Literal, cast

from briefings.article import Article
from briefings.model import Actor, PolicyItem
from briefings.people import PeopleIndex, find_people
from briefings.roles import COMMAND_KINDS

_FALLEN = re.compile(
    r"\s+(?:was|had been)\s+(?:\w+\s+)?(?:overthrown|ousted|toppled|deposed|assassinated)\b"
)

ActorKind = Literal["leader", "official", "commander"]


def extract_actors(
    article: Article, people: PeopleIndex | None = None, policy: tuple[PolicyItem, ...] = ()
) -> tuple[Actor, ...]:
    """Named leaders, officials and commanders, in order of first mention."""
    if people is None:
        people = find_people(article)
    acting = {name for item in policy for name in item.actors}
    sentences: dict[int, list[int]] = {}
    live: set[int] = set()
    for m in people.mentions:
        p = people.people[m.person]
        if not p.named or (p.kind not in COMMAND_KINDS and p.name not in acting):
            continue
        found = sentences.setdefault(m.person, [])
        if m.sentence not in found:
            found.append(m.sentence)
        if not _FALLEN.match(article.text, m.end) or p.name in acting:
            live.add(m.person)
    out: list[Actor] = []
    for i, sents in sentences.items():
        if i not in live:
            continue
        p = people.people[i]
        kind = cast(ActorKind, p.kind if p.kind in COMMAND_KINDS else "leader")
        out.append(Actor(p.name, p.role, kind, tuple(sorted(sents))))
    return tuple(out)
