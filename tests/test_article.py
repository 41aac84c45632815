import pytest

from briefings.article import build_article, display_name, is_trailer
from briefings.sentences import split_sentences


def test_abbreviations_do_not_end_sentences() -> None:
    text = (
        "Trump’s pick, Rep. Michael Waltz (R., Fla.), said he agreed. Gen. Ivan Petrov said "
        "U.S. officials knew. He left."
    )
    assert split_sentences(text) == [
        "Trump’s pick, Rep. Michael Waltz (R., Fla.), said he agreed.",
        "Gen. Ivan Petrov said U.S. officials knew.",
        "He left.",
    ]


def test_quote_ending_inside_marks_splits_only_before_a_new_sentence() -> None:
    text = "“Stop them?” he asked. “Yes.” Then he left. “We hold,” she said."
    assert split_sentences(text) == [
        "“Stop them?” he asked.",
        "“Yes.”",
        "Then he left.",
        "“We hold,” she said.",
    ]


def test_article_offsets_point_into_text_and_trailers_are_dropped() -> None:
    body = (
        "By Jane Roe\n\nTroops held the line. Officials said so.\n"
        "Second paragraph here.\nJohn Doe contributed to this article.\n"
        "Write to Jane Roe at j@x.com"
    )
    article = build_article(body)
    assert [s.text for s in article.sentences] == [
        "Troops held the line.",
        "Officials said so.",
        "Second paragraph here.",
    ]
    for s in article.sentences:
        assert article.text[s.start : s.end] == s.text
    assert [s.paragraph for s in article.sentences] == [0, 0, 1]
    assert is_trailer("Reporting by A. Reporter; Editing by B. Editor")
    assert not is_trailer("Troops held the line.")


@pytest.mark.parametrize(
    ("title", "opening", "name"),
    [
        ("Ceasefire talks stall", "Anything.", "Ceasefire talks stall"),
        (None, "Shelling hit Arnsk. Then the guns fell silent.", "Shelling hit Arnsk"),
        (
            None,
            "Troops advanced on the eastern town of Velmora on Tuesday, officials said.",
            "Troops advanced on the eastern town of Velmora…",
        ),
        (None, "  \n ", "untitled article"),
        (None, "A" * 90 + " b", "A" * 60 + "…"),
        ("  ", "Drones struck a depot, the army said.", "Drones struck a depot, the army said"),
    ],
)
def test_an_article_is_named_by_its_title_else_its_first_words(
    title: str | None, opening: str, name: str
) -> None:
    assert display_name(title, opening) == name
