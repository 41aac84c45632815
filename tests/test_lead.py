"""The bottom line (``briefings.lead``) and the definite place it may name, on reports of our
own writing."""

from __future__ import annotations

from briefings.article import build_article
from briefings.distill import distill
from briefings.frontline import changes_hands
from briefings.model import Briefing
from briefings.render import Renderer


def brief(text: str) -> Briefing:
    return distill(build_article(text))


def test_ground_changing_hands_leads_even_without_a_place() -> None:
    b = brief(
        "Artillery pounded the village of Ostrivka through the night. "
        "In two weeks the northern army has retaken most of the ground it lost in spring. "
        "The defence minister said 40,000 troops were massed on the border."
    )
    assert b.lead is not None and b.lead.section == "frontline"
    assert b.lead.text.startswith("In two weeks the northern army has retaken")
    assert b.to_json()["lead"]["sentences"] == [1]


def test_without_a_change_of_ground_the_heaviest_figure_leads() -> None:
    b = brief(
        "The government said 40,000 troops were massed along the northern border. "
        "Three soldiers were seen on the road."
    )
    assert b.lead is not None and b.lead.section == "forces"
    assert "40,000 troops" in b.lead.text


def test_a_plan_or_an_adjective_is_no_change_of_ground() -> None:
    assert changes_hands("Rebels captured the airport on Monday.")
    assert not changes_hands("Rebels are trying to capture the airport.")
    assert not changes_hands("They fired from newly captured positions on the ridge.")
    assert not changes_hands("A captured soldier was shown on television.")


def test_the_town_is_named_from_the_sentences_before_in_brackets() -> None:
    b = brief(
        "The defence of the mining town of Ostrivka is nearing its end. "
        "Supplies have run short for weeks. "
        "By early March the town was in effect encircled."
    )
    (item,) = [i for i in b.frontline if 2 in i.sentences]
    assert item.text == "By early March [Ostrivka] was in effect encircled."
    assert item.places == ("Ostrivka",)


def test_the_lead_is_shown_first_and_once() -> None:
    b = brief(
        "Rebels captured the port of Sallow on Monday after a week of fighting. "
        "Shelling continued near the village of Brill."
    )
    text = Renderer().markdown_messages(b)[0].content
    assert "**Bottom line:** Rebels captured the port of Sallow" in text
    assert text.count("Rebels captured the port of Sallow") == 1
    assert b.from_json(b.to_json()).lead == b.lead


def test_a_decision_that_leads_is_told_whole_and_once() -> None:
    b = brief(
        "A rebel-appointed official in the east, head of the new council, said officials "
        "there want the government to hold a vote on joining the federation by the end of "
        "the summer — that is, to break away for good."
    )
    assert b.lead is not None and b.lead.section == "policy"
    # The whole decision fits a lead: no cut, the speaker's description at the end.
    assert "…" not in b.lead.text
    assert b.lead.text.endswith("— a rebel-appointed official in the east")
    text = Renderer().markdown_messages(b)[0].content
    assert text.count("want the government to hold a vote") == 1
