"""Every example of every speaker rule (briefings.quotes.SPEAKER_RULES) through the whole
quotes extractor: a rule that breaks another rule's example fails here."""

from __future__ import annotations

import pytest

from briefings.article import build_article
from briefings.quotes import SPEAKER_RULES, SpeakerExample, extract_quotes

CASES = [
    pytest.param(example, id=f"{rule.name} ({example.style}): {example.text[:30]}")
    for rule in SPEAKER_RULES
    for example in rule.examples
]


@pytest.mark.parametrize("example", CASES)
def test_speaker_rule_example(example: SpeakerExample) -> None:
    quotes = extract_quotes(build_article(example.text))
    assert quotes, example.text
    assert [q.speaker for q in quotes] == [example.speaker, *example.others], quotes
    if example.role is not None:
        assert quotes[0].speaker_role == example.role, quotes[0]


def test_rules_are_named_once_and_say_what_they_yield() -> None:
    assert len({rule.name for rule in SPEAKER_RULES}) == len(SPEAKER_RULES)
    for rule in SPEAKER_RULES:
        assert rule.yields and rule.examples, rule.name
