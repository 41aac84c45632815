"""Briefing lines: the clause that carries the event (``briefings.lines``), on sentences of our
own writing, one per rule."""

from __future__ import annotations

import pytest

from briefings.lines import attribution, event_line, event_parts, fit_line, without_timestamp


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
        # An apposition with no article, between a subject and its verb, goes ...
        (
            "The port, home to the northern fleet, was shelled overnight.",
            (),
            "The port was shelled overnight.",
        ),
        # ... and the speaker it split is whole again, its article in lower case.
        (
            "A rebel-appointed official in the east, head of the new council, said the vote "
            "would go ahead in May.",
            (),
            "The vote would go ahead in May — a rebel-appointed official in the east",
        ),
        # An item of a list is no apposition: no verb follows it.
        (
            "Tanks, crews of the northern brigade, and guns moved to the river.",
            (),
            "Tanks, crews of the northern brigade, and guns moved to the river.",
        ),
        # When and where it was said stays out of the line.
        (
            "The governor said on Tuesday that two bridges had been blown up near Tarn.",
            ("Tarn",),
            "Two bridges had been blown up near Tarn — the governor",
        ),
        (
            "The garrison said in a statement that the ferry had been sunk at dawn.",
            (),
            "The ferry had been sunk at dawn — the garrison",
        ),
        # "X said it ...": the pronoun is X, so the sentence stays as written.
        (
            "The army said it had retaken the ridge above Tarn.",
            ("Tarn",),
            "The army said it had retaken the ridge above Tarn.",
        ),
        # An attribution set off mid-sentence moves to the end; both clauses stay.
        (
            "The rebels now hold most of the valley, aid workers said, and the road to Tarn "
            "is cut.",
            ("Tarn",),
            "The rebels now hold most of the valley, and the road to Tarn is cut — aid workers",
        ),
        # A clause of what went on meanwhile (", as ...") is colour, unless it names something.
        (
            "The garrison held the bridge overnight, as the other side shelled the fields.",
            (),
            "The garrison held the bridge overnight.",
        ),
        (
            "The garrison held the bridge overnight, as rebels pushed toward Tarn.",
            ("Tarn",),
            "The garrison held the bridge overnight, as rebels pushed toward Tarn.",
        ),
        (
            "The colonel said his men had held the crossing at Tarn for a week.",
            ("Tarn",),
            "The colonel said his men had held the crossing at Tarn for a week.",
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


def test_a_long_line_is_cut_in_its_body_and_keeps_whose_word_it_is() -> None:
    def cut(text: str, limit: int) -> str:
        return text[: limit - 1] + "…"

    body = "The brigade pulled back from the ridge and the river crossing after a week of fire"
    assert fit_line(body, "officials", 200, cut) == body + " — officials"
    line = fit_line(body, "officials", 60, cut)
    assert line.endswith("… — officials") and len(line) <= 60
    assert fit_line(body, "", 40, cut) == body[:39] + "…"


@pytest.mark.parametrize(
    ("sentence", "speaker", "line"),
    [
        (  # an aside mid-sentence: the attribution moves to the end, the name in brackets
            "The attackers, he said, had captured the village of Velmora on Tuesday.",
            "Dorn",
            "The attackers had captured the village of Velmora on Tuesday — [Dorn]",
        ),
        (
            "The rebels shelled the port of Arnsk overnight, she said.",
            "Berg",
            "The rebels shelled the port of Arnsk overnight — [Berg]",
        ),
        (  # nobody to refer to: the sentence keeps its pronoun where it is
            "The attackers, he said, had captured the village of Velmora on Tuesday.",
            None,
            "The attackers, he said, had captured the village of Velmora on Tuesday.",
        ),
        (  # what is left would start with a pronoun of its own: kept whole
            "They, he said, took the bridge.",
            "Dorn",
            "They, he said, took the bridge.",
        ),
    ],
)
def test_a_pronouns_attribution_names_who_it_refers_to(
    sentence: str, speaker: str | None, line: str
) -> None:
    body, who = event_parts(sentence, speaker=speaker)
    assert (f"{body} — {who}" if who else body) == line


@pytest.mark.parametrize(
    ("sentence", "who"),
    [
        (
            "Moscow has deployed some 45,000 troops to Kursk, Ukrainian officials said.",
            "Ukrainian officials",
        ),
        (
            "Ukrainian officials said Moscow has deployed some 45,000 troops there.",
            "Ukrainian officials",
        ),
        (
            "The army has 9,000 troops in the region, according to Ukrainian officials, "
            "including reserves.",
            "Ukrainian officials",
        ),
        (
            "About 8,000 men have signed up, according to the defence ministry.",
            "the defence ministry",
        ),
        (
            "The rebels lost 300 fighters in a week, said a spokesman in the regional "
            "capital of Arn.",
            "a spokesman",
        ),
        ("The army lost 300 men in a week.", ""),  # the article's own figure
        ("“We lost 300 men in a single week at the river,” he said.", ""),  # the quotes' speaker
        ("The rebels lost 300 fighters in a week, he said.", ""),  # a pronoun names nobody
    ],
)
def test_whose_figure_a_sentence_gives(sentence: str, who: str) -> None:
    assert attribution(sentence) == who


@pytest.mark.parametrize(
    ("keep", "line"),
    [
        ((), "Rebel units pushed into the outskirts of Arnsk on Monday — Pavel Serko"),
        (  # the actor's own statement: the line keeps the sentence, role and all
            ("Pavel Serko",),
            "Rebel units pushed into the outskirts of Arnsk on Monday, the regional governor, "
            "Pavel Serko, said.",
        ),
    ],
)
def test_an_attribution_with_the_role_before_the_name(keep: tuple[str, ...], line: str) -> None:
    sentence = (
        "Rebel units pushed into the outskirts of Arnsk on Monday, the regional governor, "
        "Pavel Serko, said."
    )
    assert event_line(sentence, keep, roles=bool(keep)) == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("12:20 — Troops shelled Velyka.", "Troops shelled Velyka."),
        ("09:12 GMT - Troops shelled Velyka.", "Troops shelled Velyka."),
        ("7.45pm: Troops shelled Velyka.", "Troops shelled Velyka."),
        # a time inside the sentence, or a figure with no mark after it, stays
        ("Troops shelled Velyka at 12:20.", "Troops shelled Velyka at 12:20."),
        ("3.5 million people fled.", "3.5 million people fled."),
    ],
)
def test_a_liveblog_entrys_clock_time_is_no_part_of_its_line(line: str, expected: str) -> None:
    assert without_timestamp(line) == expected
