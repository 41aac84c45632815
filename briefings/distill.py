"""One article in, one briefing out: the four extractors over one ``Article``."""

from __future__ import annotations

import dataclasses

from briefings.actors import extract_actors
from briefings.article import Article
from briefings.forces import extract_forces
from briefings.frontline import extract_frontline
from briefings.geo import DEFAULT_THEATRES, Theatres, assign_theatre
from briefings.lead import choose_lead
from briefings.links import with_links
from briefings.model import ArticleMeta, Briefing
from briefings.policy import extract_policy
from briefings.quotes import extract_quotes, naming_places


def distill(article: Article, theatres: Theatres = DEFAULT_THEATRES) -> Briefing:
    """Distill ``article`` into a ``Briefing`` (pure and deterministic).

    ``theatres`` groups countries into theatres (``briefings.geo``); the article's is set on
    ``briefing.article.theatre``.
    """
    policy = extract_policy(article)
    frontline = extract_frontline(article)
    briefing = Briefing(
        article=ArticleMeta.of(article),
        frontline=frontline,
        forces=extract_forces(article),
        policy=policy,
        quotes=naming_places(extract_quotes(article), {p for i in frontline for p in i.places}),
        actors=extract_actors(article, policy=policy),
    )
    theatre = assign_theatre(briefing, theatres)
    briefing = dataclasses.replace(
        briefing,
        article=dataclasses.replace(briefing.article, theatre=theatre),
        lead=choose_lead(article, briefing),
    )
    return with_links(briefing, [s.text for s in article.sentences])
