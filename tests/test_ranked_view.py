"""What a ranked view (the default post) picks and how it trims, on items of our own writing."""

from __future__ import annotations

from briefings.article import build_article
from briefings.distill import distill
from briefings.model import ForceItem, PolicyItem, QuoteItem
from briefings.render import Renderer, top_items
from briefings.render_views import strongest


def test_a_long_speech_is_trimmed_to_its_strongest_sentences() -> None:
    speech = (
        "We came here in the spring and the fields were still green then. "
        "Nobody expected the road to be cut so soon. "
        "We will not leave this town while a single house stands. "
        "The children were sent west in April, and the old people stayed behind with us."
    )
    out = strongest(speech, 120)
    assert "We will not leave this town while a single house stands." in out
    assert len(out) <= 120 and out.startswith("… ") and out.endswith(" …")
    assert strongest("Short words.", 120) == "Short words."
    # A speech whose kept sentence ends in its own "…" gets no second one.
    trailing = "We lost the house, and then the tents were gone… " + "Nobody came. " * 12
    assert strongest(trailing, 60) == "We lost the house, and then the tents were gone…"


def test_a_ranked_view_says_each_ratio_once_and_lets_several_speakers_and_actors_speak() -> None:
    forces = [
        ForceItem("outnumbered three to one", "ratio", "3:1", (0,), 0.97),
        ForceItem("three times as many men", "ratio", "3:1", (1,), 0.97),
        ForceItem("4,000 troops", "troops", "4000", (2,), 0.88),
    ]
    assert [i.sentences for i in top_items(forces, 2)] == [(0,), (2,)]
    quotes = [
        QuoteItem("First words of a long speech", "Ana Bel", None, (0,), 5.0),
        QuoteItem("More words of the same speaker", "Ana Bel", None, (1,), 4.9),
        QuoteItem("Words of another", "Ivo Ren", None, (2,), 3.0),
    ]
    assert [i.speaker for i in top_items(quotes, 2)] == ["Ana Bel", "Ivo Ren"]
    policy = [
        PolicyItem("The president ordered a curfew", ("Ana Kovar",), (0,), 4.5),
        PolicyItem("The president closed the schools", ("Ana Kovar",), (1,), 4.5),
        PolicyItem("The minister approved the budget", ("Ivo Ren",), (2,), 4.0),
    ]
    assert [i.actors for i in top_items(policy, 2)] == [("Ana Kovar",), ("Ivo Ren",)]


_WHO_ARTICLE = (
    "Rebels stormed the village of Ostrova at dawn.\n"
    "Col. Tomas Brek, who commands the 5th Brigade, said the enemy attacked at dawn.\n"
    "President Ana Kovar ordered a curfew across the province on Friday, and Kovar said talks "
    "with the rebels were over."
)


def test_who_is_who_is_one_line_in_a_ranked_view_not_policy() -> None:
    briefing = distill(build_article(_WHO_ARTICLE))
    intro = [i for i in briefing.policy if i.introduces]
    assert [i.text for i in intro] == ["Col. Tomas Brek, who commands the 5th Brigade"]
    assert intro[0].to_json()["introduces"] is True
    ranked = "\n".join(m.content for m in Renderer().markdown_messages(briefing))
    assert (
        "who commands the 5th Brigade"
        not in ranked.split("### Key quotes")[0].split("### Policy context")[1]
    )
    assert "curfew" in ranked
    # The full section still lists the introduction, for /briefing section:policy.
    full = Renderer().section_messages(briefing, "policy")
    assert "who commands the 5th Brigade" in "".join(e.description or "" for e in full[0].embeds)


def test_the_who_is_who_line_gives_the_roles_the_lines_do_not() -> None:
    text = (
        "Rebels stormed the village of Ostrova at dawn.\n"
        "“We will not give in,” said Ana Kovar, the president of Norland. Kovar ordered a "
        "curfew across the province on Friday."
    )
    ranked = "\n".join(
        m.content for m in Renderer().markdown_messages(distill(build_article(text)))
    )
    assert "-# Who's who: Ana Kovar, president of Norland" in ranked
    # A role the line already says is not said twice.
    said = "President Ana Kovar of Norland ordered a curfew across the province on Friday."
    ranked = "\n".join(
        m.content for m in Renderer().markdown_messages(distill(build_article(said)))
    )
    assert "Who's who" not in ranked
