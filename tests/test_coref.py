"""Every example of every coreference rule (briefings.coref.RULES), through the whole people
index: a rule that breaks another rule's example fails here."""

from __future__ import annotations

import pytest

from briefings.article import build_article
from briefings.coref import HEAD_FAMILIES, RULES, DescriptionExample, Example, description_fit
from briefings.people import find_people
from briefings.quotes import extract_quotes
from briefings.roles import Person, role_kind

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


FAMILY_CASES = [
    pytest.param(example, id=f"{family.name}: {example.description} / {example.role}")
    for family in HEAD_FAMILIES
    for example in family.examples
]


@pytest.mark.parametrize("example", FAMILY_CASES)
def test_head_family_example(example: DescriptionExample) -> None:
    person = Person("Ana Pol", example.role, role_kind(example.role))
    assert (description_fit(example.description, person) > 0) == example.fits


def test_the_description_goes_to_the_role_it_fits_best() -> None:
    text = (
        "Foreign Minister Ivo Renn and Defence Minister Piotr Lenk met on Monday. "
        "“The ceasefire is holding,” the defence minister said."
    )
    (quote,) = extract_quotes(build_article(text))
    assert quote.speaker == "Piotr Lenk"


def test_initials_name_the_body_of_a_role() -> None:
    from briefings.coref import acronyms

    assert set(acronyms("United Nations human rights chief")) == {"un"}
    assert set(acronyms("president of the International Committee of the Red Cross")) == {"icrc"}
    assert acronyms("the rights chief") == {}


def test_a_quote_by_the_bodys_initials_goes_to_the_person_named_with_its_full_name() -> None:
    text = (
        "The United Nations human rights chief, Miriam Okafor, visited the camp near the border "
        "on Monday. Aid convoys had not reached the camp for three weeks, officials said.\n"
        "“The situation here is intolerable and it is getting worse,” the UN rights chief told "
        "reporters."
    )
    (quote,) = extract_quotes(build_article(text))
    assert quote.speaker == "Miriam Okafor"
    assert quote.speaker_role == "United Nations human rights chief"
