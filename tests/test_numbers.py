"""Reading number phrases: digits, words, ranges, ratios, multiples, fractions, measures."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.article import build_article
from briefings.forces import extract_forces
from briefings.numbers import NumberPhrase, find_numbers, format_number, parse_number


def _found(text: str) -> list[tuple[str, str, str]]:
    return [(p.text, p.form, p.normalized) for p in find_numbers(text)]


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("45,000", 45000),
        ("1.2 million", 1_200_000),
        ("2½", 2.5),
        ("a dozen", 12),
        ("two dozen", 24),
        ("half a dozen", 6),
        ("ninety", 90),
        ("twenty-five", 25),
        ("twenty five", 25),
        ("a thousand", 1000),
        ("two hundred and fifty thousand", 250_000),
        ("3.5bn", 3_500_000_000),
        ("half", 0.5),
        ("a third", 1 / 3),
        ("two-thirds", 2 / 3),
        ("three quarters", 0.75),
    ],
)
def test_parse_number_reads_digits_and_words(phrase: str, value: float) -> None:
    assert parse_number(phrase) == pytest.approx(value)


@pytest.mark.parametrize(
    "phrase",
    ["hundreds", "thousands", "dozens", "several", "several hundred", "a few", "tens", "many", ""],
)
def test_vague_words_are_not_numbers(phrase: str) -> None:
    assert parse_number(phrase) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("one ton", [("one ton", "measure", "1 t")]),
        ("half a ton", [("half a ton", "measure", "0.5 t")]),
        ("ninety percent", [("ninety percent", "percent", "90%")]),
        ("12 per cent", [("12 per cent", "percent", "12%")]),
        ("three times as many", [("three times", "multiple", "3:1")]),
        ("twice as many", [("twice", "multiple", "2:1")]),
        ("10-to-1", [("10-to-1", "ratio", "10:1")]),
        ("3 to 1", [("3 to 1", "ratio", "3:1")]),
        ("1-to-4", [("1-to-4", "ratio", "4:1")]),
        ("by a ratio of 5:1", [("5:1", "ratio", "5:1")]),
        ("8,000–9,000", [("8,000–9,000", "count", "8000-9000")]),
        ("20-30%", [("20-30%", "percent", "20-30%")]),
        ("between 40 and 60 soldiers", [("40 and 60", "count", "40-60")]),
        ("one or two people", [("one or two", "count", "1-2")]),
        ("a 250kg bomb", [("250kg", "measure", "250 kg")]),
        ("a 500-pound bomb", [("500-pound", "measure", "500 lb")]),
        ("12 kilometres", [("12 kilometres", "measure", "12 km")]),
        ("300 square kilometres", [("300 square kilometres", "measure", "300 km2")]),
        ("$1.2m", [("$1.2m", "count", "1200000")]),
        ("10,000-odd", [("10,000-odd", "count", "10000")]),
        ("200 or so", [("200 or so", "count", "200")]),
        ("one in five", [("one in five", "fraction", "20%")]),
    ],
)
def test_find_numbers_forms(text: str, found: list[tuple[str, str, str]]) -> None:
    assert _found(text) == found


def test_offsets_point_into_the_text() -> None:
    text = "They lost some 1,200 men and two dozen tanks in a week."
    phrases = find_numbers(text)
    assert [text[p.start : p.end] for p in phrases] == ["1,200", "two dozen"]
    assert all(isinstance(p, NumberPhrase) for p in phrases)


def test_scans_only_the_range_given() -> None:
    text = "First 40 troops. Then 50 more troops."
    second = text.index("Then")
    assert [p.value for p in find_numbers(text, second)] == [50]


@pytest.mark.parametrize(
    "text",
    [
        "The attack came on May 14 and again on 3 August.",
        "Russia annexed the peninsula in 2014, and the war began in 2019.",
        "The strike hit at 6 a.m. local time, and another at 14:30.",
        "A 30-year-old commander and his two-year-old son were evacuated.",
        "Sgt. Ivan Petrenko, 21, was charged on Monday.",
        "He serves with the 47th Brigade and the 3rd Assault Brigade.",
        "Pilots of F-16 jets and crews of T-72 tanks trained together.",
        "The unit known as Code 7.4 was sent in.",
        "Hundreds of soldiers and dozens of tanks, tens of thousands of people, several hundred "
        "troops and a few percent.",
        "It was the first half of the year and the third battalion moved.",
        "He sent case No. 4 to the court.",
        "In his 40s, he fought through the 1990s.",
        "He called three times a day.",
        "Call 044 555 0199 or agent 007.",
    ],
)
def test_not_quantities(text: str) -> None:
    assert _found(text) == []


def test_numbers_after_weekdays_and_pronouns_are_counts() -> None:
    assert _found("Officials said on Tuesday 37 people died.") == [("37", "count", "37")]
    assert _found("Then I counted 12 tanks.") == [("12", "count", "12")]


def test_half_and_fractions_need_what_they_divide() -> None:
    assert _found("nearly half the territory") == [("half", "fraction", "50%")]
    assert _found("a third of the town") == [("a third", "fraction", "33%")]
    assert _found("half an hour later") == []
    assert _found("a third attempt") == []


def test_format_number() -> None:
    assert format_number(45000.0) == "45000"
    assert format_number(2.5) == "2.5"
    assert format_number(100 / 3) == "33"
    assert format_number(0.25) == "0.25"


_PIECES = [
    "1",
    "12",
    "1,200",
    "2.5",
    "½",
    "a",
    "an",
    "one",
    "two",
    "twenty",
    "-",
    "–",
    "to",
    "-to-",
    ":",
    "in",
    "or",
    "and",
    "between",
    "half",
    "third",
    "dozen",
    "hundred",
    "thousand",
    "million",
    "times",
    "as many",
    "%",
    "percent",
    "km",
    "kg",
    "ton",
    "year-old",
    "July",
    "2022",
    "$",
    "m",
    "bn",
    "of",
    "the",
    "troops",
    "killed",
    "a day",
    ",",
    ".",
    "(",
    ")",
    " ",
    "F-",
    "No.",
    "Mr",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.booleans())
@settings(max_examples=300, deadline=None)
def test_any_text_reads_without_error(pieces: list[str], spaced: bool) -> None:
    text = (" " if spaced else "").join(pieces)
    for p in find_numbers(text):
        assert 0 <= p.start < p.end <= len(text)
        assert text[p.start : p.end] == p.text
        assert p.normalized
    parse_number(text)
    article = build_article(text)
    for item in extract_forces(article):
        assert item.text in article.text
        assert item.value
