"""The rows of ``FORCE_RULES``: every example sentence gives exactly the figures its row lists."""

from __future__ import annotations

import dataclasses
import re

import pytest

import briefings.forces as forces
from briefings.article import build_article
from briefings.force_rules import FORCE_RULES, Cue, ForceExample, ForceRule


def _figures(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((f.kind, f.value) for f in forces.extract_forces(build_article(text)))


_EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.name}: {example.text[:40]}")
    for rule in FORCE_RULES
    for example in rule.examples
]


@pytest.mark.parametrize(("rule", "example"), _EXAMPLES)
def test_each_rule_gives_the_figures_of_its_examples(
    rule: ForceRule, example: ForceExample
) -> None:
    assert _figures(example.text) == example.figures


@pytest.mark.parametrize("rule", FORCE_RULES, ids=lambda r: r.name)
def test_each_rule_has_an_example_of_what_it_yields(rule: ForceRule) -> None:
    yielded = {kind for example in rule.examples for kind, _ in example.figures}
    if rule.yields is None:
        assert not yielded
    else:
        assert rule.yields in yielded


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in FORCE_RULES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", FORCE_RULES, ids=lambda r: r.name)
def test_a_rule_names_the_code_that_decides_it(rule: ForceRule) -> None:
    assert callable(getattr(forces, rule.decided_in, None)), rule.decided_in


_CUE_RULES = [rule for rule in FORCE_RULES if rule.cue is not None]


@pytest.mark.parametrize("rule", _CUE_RULES, ids=lambda r: r.name)
def test_a_cue_row_is_what_finds_its_examples(
    rule: ForceRule, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rows are data the extractor reads: without this row its first example loses its figure.
    example = rule.examples[0]
    assert example.figures
    monkeypatch.setattr(forces, "_CUE_RULES", tuple(r for r in forces._CUE_RULES if r is not rule))
    assert _figures(example.text) != example.figures


def test_a_new_cue_row_is_read_without_code(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a newcomer does: one row with its cue and an example. "A convoy of 40" counts
    # vehicles; the table as shipped does not say so.
    text = "A convoy of 40 crossed the bridge at dawn."
    assert _figures(text) == ()
    row = ForceRule(
        "a convoy's size",
        "equipment",
        (ForceExample(text, (("equipment", "40"),)),),
        Cue("before", re.compile(r"\bconvoy\s+of\s+$", re.IGNORECASE)),
    )
    monkeypatch.setattr(forces, "_CUE_RULES", (*forces._CUE_RULES, row))
    assert _figures(text) == (("equipment", "40"),)
    assert forces.extract_forces(build_article(text))[0].text == "convoy of 40"


def test_examples_are_frozen_data() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        FORCE_RULES[0].name = "changed"  # type: ignore[misc]
