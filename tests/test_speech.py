"""What a quoted speech says most strongly (``briefings.speech``), on speeches of our own."""

from __future__ import annotations

from briefings import speech
from briefings.article import build_article
from briefings.quotes import extract_quotes
from briefings.render_views import strongest


def test_a_speech_splits_into_its_sentences() -> None:
    assert speech.sentences("We held. They did not! Why?") == ["We held.", "They did not!", "Why?"]


def test_words_that_commit_or_judge_are_stronger_than_description() -> None:
    assert speech.strength("They will never take the bridge.") > speech.strength(
        "We walked down the road to the old market."
    )
    # A contraction commits as much as its long form does.
    assert speech.strength("They’ll take the bridge.") == speech.strength("They will take it.")


def test_a_long_speech_is_cut_to_its_lead_sentence_first() -> None:
    text = (
        "I think they’ll break through by spring. They bring more guns and more men every week, "
        "more than we can count, and they keep coming through the fields at night and at dawn."
    )
    cut = strongest(text, 80)
    assert cut.startswith("I think they’ll break through by spring.")
    assert cut.endswith("…")


def test_a_figure_later_in_the_speech_outranks_its_lead() -> None:
    text = "It was hard. We lost 40 men in a single week on that hill, and nobody came to help us."
    assert speech.strongest_index(speech.sentences(text)) == 1


def test_the_headline_quotes_the_speech_the_story_is_about() -> None:
    title = "‘The harbour is gone’: fishermen return to a burnt port"
    assert speech.in_headline("The harbour is gone. Nothing is left of the boats.", title)
    assert not speech.in_headline("The harbour is open again.", title)
    assert speech.in_headline("Sadly the harbour is gone, and the boats with it.", title)
    assert not speech.in_headline("Gone.", title)  # one word is no quotation
    assert speech.in_headline(
        "We will hold the line here.", "Defenders: We will hold the line here"
    )
    assert not speech.in_headline("The harbour is gone.", None)


def test_the_speech_the_headline_quotes_ranks_first() -> None:
    body = (
        "“We came back to see what is left of our street and of the shops where we worked for "
        "thirty years, and of the school,” said Rami Haddad, a teacher.\n"
        "“The harbour is gone, and the boats with it,” said Lina Sayegh, a fisherwoman."
    )
    title = "‘The harbour is gone’: fishermen return to a burnt port"
    plain = extract_quotes(build_article(body))
    headed = extract_quotes(build_article(body, title=title))
    assert max(plain, key=lambda q: q.score).speaker == "Rami Haddad"
    assert max(headed, key=lambda q: q.score).speaker == "Lina Sayegh"
