"""Briefing lines: the clause that carries the event (``briefings.lines``), on sentences of our
own writing, one per rule."""

from __future__ import annotations

import pytest

from briefings.lines import event_line


@pytest.mark.parametrize(
    ("sentence", "keep", "line"),
    [
        # A leading attribution moves to the end.
        (
            "Regional officials said the brigade had pulled back from the ridge overnight.",
            (),
            "The brigade had pulled back from the ridge overnight — Regional officials",
        ),
        # A trailing one too, in both word orders, and "according to".
        (
            "The bridge at Harlow was destroyed on Monday, the army said.",
            ("Harlow",),
            "The bridge at Harlow was destroyed on Monday — the army",
        ),
        (
            "The bridge at Harlow was destroyed on Monday, said a spokesman for the garrison.",
            ("Harlow",),
            "The bridge at Harlow was destroyed on Monday — a spokesman for the garrison",
        ),
        (
            "Two battalions crossed the river near Tarn, according to the defence ministry.",
            ("Tarn",),
            "Two battalions crossed the river near Tarn — the defence ministry",
        ),
        # A comment before a colon goes when a sentence follows it.
        (
            "The plan seems to have worked: In two weeks the rebels took back the airport.",
            (),
            "In two weeks the rebels took back the airport.",
        ),
        # ... in lower case too, as British style writes it; an infinitive is its object.
        (
            "The monitors explained the shift: a rebel push had retaken most of the airport.",
            (),
            "A rebel push had retaken most of the airport.",
        ),
        (
            "The garrison had one order: to hold the bridge at all costs until dawn.",
            (),
            "The garrison had one order: to hold the bridge at all costs until dawn.",
        ),
        # A leading circumstance goes, even one with a list inside it.
        (
            "Because of its bridges, roads and rail yards, Tarn had long anchored the defence.",
            ("Tarn",),
            "Tarn had long anchored the defence.",
        ),
        # ... unless it names what the item is about.
        (
            "After taking Harlow, the rebels advanced on the coast road.",
            ("Harlow",),
            "After taking Harlow, the rebels advanced on the coast road.",
        ),
        # An aside between commas goes; one with a figure stays.
        (
            "The garrison, which had held out since spring, surrendered the fort at Brill.",
            ("Brill",),
            "The garrison surrendered the fort at Brill.",
        ),
        (
            "The garrison, which numbered 400 men, surrendered the fort at Brill.",
            ("Brill",),
            "The garrison, which numbered 400 men, surrendered the fort at Brill.",
        ),
        # An apposition goes after a name, but "the" after a common word starts the clause.
        (
            "Rebel gunners shelled the port of Tarn, the largest still held by the government.",
            ("Tarn",),
            "Rebel gunners shelled the port of Tarn.",
        ),
        (
            "Only weeks after the rebels had claimed it, the president visited the port.",
            (),
            "Only weeks after the rebels had claimed it, the president visited the port.",
        ),
        # A tail of colour goes; a tail with a name or a date is news and stays.
        (
            "Rebel units entered the port of Sallow, leaving the old quarter in smoke.",
            ("Sallow",),
            "Rebel units entered the port of Sallow.",
        ),
        (
            "The army has stepped up its push, making its largest gains since March.",
            (),
            "The army has stepped up its push, making its largest gains since March.",
        ),
        # An actor's own statement keeps the name where it leads.
        (
            "Mayor Ruth Adler said the evacuation would start on Friday.",
            ("Ruth Adler",),
            "Mayor Ruth Adler said the evacuation would start on Friday.",
        ),
        # A clause before "said" is no speaker, and a pronoun says nothing at the end.
        (
            "Troops advanced after the governor said the town was safe.",
            (),
            "Troops advanced after the governor said the town was safe.",
        ),
        (
            "The shelling stopped at noon, he said.",
            (),
            "The shelling stopped at noon, he said.",
        ),
        # A sentence that is mostly a quotation is left to the quotes section.
        (
            "“We will not leave,” the commander said.",
            (),
            "“We will not leave,” the commander said.",
        ),
    ],
)
def test_event_line(sentence: str, keep: tuple[str, ...], line: str) -> None:
    assert event_line(sentence, keep) == line


def test_every_word_of_a_line_is_the_sentences_own() -> None:
    sentence = (
        "Despite heavy rain and fog, the northern group, which had been resting, retook "
        "the village of Kell, officials said."
    )
    line = event_line(sentence, ("Kell",))
    assert line == "The northern group retook the village of Kell — officials"
    words = set(sentence.replace(",", " ").replace(".", " ").lower().split())
    assert set(line.replace("—", " ").lower().split()) <= words
