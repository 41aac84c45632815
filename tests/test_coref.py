"""Every example of every coreference rule (briefings.coref.RULES), through the whole people
index: a rule that breaks another rule's example fails here."""

from __future__ import annotations

import pytest

from briefings.article import build_article
from briefings.coref import RULES, Example
from briefings.people import find_people

CASES = [
    pytest.param(example, id=f"{rule.name}: {example.text[:40]}")
    for rule in RULES
    for example in rule.examples
]


@pytest.mark.parametrize("example", CASES)
def test_rule_example(example: Example) -> None:
    index = find_people(build_article(example.text))
    by_name = {p.name: p for p in index.people if p.named}
    assert example.person in by_name, sorted(by_name)
    person = by_name[example.person]
    assert person.kind == example.kind, person
    if example.role is not None:
        assert person.role == example.role, person


def test_every_rule_has_an_example_and_says_what_it_yields() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.examples and rule.yields, rule.name


def test_a_description_does_not_reach_past_someone_with_a_role() -> None:
    text = (
        "Mara Quill said she toured the ridge. Defence Minister Ivo Renn met her at the depot. "
        "The Veskan president said the line would hold."
    )
    by_name = {p.name: p for p in find_people(build_article(text)).people if p.named}
    assert by_name["Mara Quill"].kind == "unknown"
    assert by_name["Ivo Renn"].role == "Defence Minister"
