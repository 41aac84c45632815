"""Interview transcripts: answers with no quotation marks are quotes of the person who gave them."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefings.article import build_article
from briefings.quotes import extract_quotes, quoted_ranges
from briefings.transcript import transcript_turns

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "articles" / "interview_transcript.txt"

INTRO = "Lena Marsh, an analyst at the Centre for Conflict Studies, spoke to us about the siege."


def _quotes(text: str) -> list[tuple[str | None, str]]:
    return [(q.speaker, q.text) for q in extract_quotes(build_article(text))]


def test_the_fixture_transcript_quotes_every_answer_to_the_commander() -> None:
    article = build_article(FIXTURE.read_text(encoding="utf-8"))
    headline, *quotes = extract_quotes(article)
    assert (headline.text, headline.speaker) == ("We count every shell", None)
    assert [q.text.split(".")[0] for q in quotes] == [
        "We still hold the bridgehead at Marivka, but we lost the school on the eastern edge on "
        "Thursday",
        "About 3,000 of theirs against roughly 600 of ours",
        "The minister told us in October that a new battalion would come",
        "Shells",
    ]
    assert {(q.speaker, q.speaker_role) for q in quotes} == {
        ("Irena Vashko", "commander of the 14th Rifle Brigade")
    }
    # The interviewer's questions are no key quotes.
    assert not any("?" in q.text for q in quotes)


def test_question_and_answer_labels_give_the_person_the_introduction_presents() -> None:
    text = (
        "Talk of the siege\n\n"
        f"{INTRO}\n\n"
        "Q: What happens next?\n\n"
        "A: The town falls within weeks unless the road is reopened.\n\n"
        "Q: Can it be held?\n\n"
        "A: Only with shells it does not have.\n"
    )
    assert _quotes(text) == [
        ("Lena Marsh", "The town falls within weeks unless the road is reopened"),
        ("Lena Marsh", "Only with shells it does not have"),
    ]


def test_surnames_in_capitals_and_a_titled_label_name_the_speakers() -> None:
    text = (
        "Two views of the front\n\n"
        "Gen. Oleh Hrin commands the southern group. Lena Marsh studies it from Kessa.\n\n"
        "HERALD: Is the line holding?\n\n"
        "Gen. Hrin: It is holding at Velyka.\n\n"
        "MARSH: It is bending, and the next month decides it.\n\n"
        "HERALD: What would change that?\n\n"
        "Gen. Hrin: Air defence over the bridges.\n"
    )
    assert [s for s, _ in _quotes(text)] == ["Oleh Hrin", "Lena Marsh", "Oleh Hrin"]


def test_an_answer_over_several_paragraphs_is_one_quote() -> None:
    text = (
        "Talk of the siege\n\n"
        f"{INTRO}\n\n"
        "Herald: What happens next?\n\n"
        "Marsh: The town falls within weeks.\n\n"
        "The road is cut, and the river is too wide to bridge under fire.\n\n"
        "Herald: Can it be held?\n\n"
        "Marsh: Only with shells it does not have.\n\n"
        "Marsh returned to Kessa on Monday.\n"
    )
    quotes = extract_quotes(build_article(text))
    assert [q.text for q in quotes] == [
        "The town falls within weeks. The road is cut, and the river is too wide to bridge under "
        "fire",
        "Only with shells it does not have",
    ]
    assert all(q.speaker == "Lena Marsh" for q in quotes)


def test_quotation_marks_inside_an_answer_stay_in_the_answer() -> None:
    text = (
        "Talk of the siege\n\n"
        f"{INTRO}\n\n"
        "Herald: Were you promised help?\n\n"
        "Marsh: The minister said “help is coming.” It has not come.\n\n"
        "Herald: And now?\n\n"
        "Marsh: Now we wait.\n"
    )
    quotes = extract_quotes(build_article(text))
    assert [(q.speaker, q.text) for q in quotes] == [
        ("Lena Marsh", "The minister said help is coming. It has not come"),
        ("Lena Marsh", "Now we wait"),
    ]
    article = build_article(text)
    answer = article.text.index("The minister")
    assert any(a <= answer < b for a, b in quoted_ranges(article))


@pytest.mark.parametrize(
    "text",
    [
        # A report with labelled notes is no transcript.
        "Shelling resumed\n\nTroops shelled Velyka overnight.\n\nUpdate: The shelling stopped at "
        "dawn.\n\nNote: This story has been updated.\n",
        # One labelled paragraph, no questions: a report's own words.
        "Shelling resumed\n\nKessa: Troops shelled Velyka overnight.\n\nMarivka: The road is "
        "open again.\n\nOfficials said the bridge held.\n",
    ],
)
def test_a_report_with_colons_is_no_transcript(text: str) -> None:
    assert transcript_turns(build_article(text)) == ()
    assert _quotes(text) == []


def test_a_report_with_marked_quotes_keeps_its_speakers() -> None:
    text = (
        "Shelling resumed\n\n"
        'Troops shelled Velyka overnight. "We held the bridge," said Col. Irena Vashko.\n'
    )
    assert transcript_turns(build_article(text)) == ()
    assert _quotes(text) == [("Irena Vashko", "We held the bridge")]


def test_two_speakers_of_one_surname_are_told_apart_by_their_full_labels() -> None:
    text = (
        "T\n\nIrena Vashko, a colonel, spoke to us. Her deputy Ivo Vashko did not.\n\n"
        "Herald: Will it hold?\n\nIrena Vashko: It will.\n\nHerald: How long?\n\n"
        "Ivo Vashko: A month."
    )
    assert _quotes(text) == [("Irena Vashko", "It will"), ("Ivo Vashko", "A month")]
