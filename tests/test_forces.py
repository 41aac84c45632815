"""The forces section: ratios, troops, casualties, equipment, territory, normalized values."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from pathlib import Path

import pytest

from briefings.article import build_article
from briefings.forces import extract_forces
from briefings.model import ForceItem

FORCE_KINDS = {"ratio", "troops", "casualties", "equipment", "territory"}


def _items(text: str) -> tuple[ForceItem, ...]:
    return extract_forces(build_article(text))


def _forces(text: str) -> list[tuple[str, str, str]]:
    return [(i.kind, i.value, i.text) for i in _items(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Defenders said they were outnumbered roughly 7-to-1 on the southern flank.",
            ("ratio", "7:1", "outnumbered roughly 7-to-1"),
        ),
        (
            "The garrison was outnumbered 4 to 1, an officer said.",
            ("ratio", "4:1", "outnumbered 4 to 1"),
        ),
        (
            "The rebels now field about four times as many fighters as the government.",
            ("ratio", "4:1", "about four times as many fighters"),
        ),
        (
            "The enemy has five times as many armed reconnaissance drones along the river.",
            ("ratio", "5:1", "five times as many armed reconnaissance drones"),
        ),
        (
            "Commanders said the enemy enjoyed a ratio of 8:1 in artillery.",
            ("ratio", "8:1", "ratio of 8:1"),
        ),
        (
            "In artillery the defenders are outgunned by a factor of ten.",
            ("ratio", "10:1", "factor of ten"),
        ),
        (
            "The army moved twice as many tanks to the border.",
            ("ratio", "2:1", "twice as many tanks"),
        ),
    ],
)
def test_ratios(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _forces(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The junta has deployed some 12,500 troops to the province.",
            ("troops", "12500", "some 12,500 troops"),
        ),
        (
            "Officials said 3,000 Eritrean soldiers crossed the border.",
            ("troops", "3000", "3,000 Eritrean soldiers"),
        ),
        (
            "The ministry says it recruits 2,000–2,500 volunteers a week.",
            ("troops", "2000-2500/week", "2,000–2,500 volunteers a week"),
        ),
        (
            "The brigade keeps a mobile reserve of about 4,000 near the capital.",
            ("troops", "4000", "a mobile reserve of about 4,000"),
        ),
        (
            "A 3,000-strong force arrived from the north.",
            ("troops", "3000", "3,000-strong force"),
        ),
        (
            "Some 10,000-odd troops are massing near the border.",
            ("troops", "10000", "Some 10,000-odd troops"),
        ),
        (
            "The army recruits about 30,000 a month, officials say.",
            ("troops", "30000/month", "about 30,000 a month"),
        ),
        (
            "Perhaps 300 militiamen still hold the airport.",
            ("troops", "300", "Perhaps 300 militiamen"),
        ),
        (
            "From the roof we watched as four more Serbians ran across the square.",
            ("troops", "4", "four more Serbians"),
        ),
        (
            "Now they only send three or four men at a time.",
            ("troops", "3-4", "three or four men"),
        ),
    ],
)
def test_troops(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _forces(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Western officials estimate the army is losing about 900 men killed and wounded a day.",
            ("casualties", "900/day", "about 900 men killed and wounded a day"),
        ),
        (
            "The insurgents have suffered 40,000 casualties since the spring.",
            ("casualties", "40000", "40,000 casualties"),
        ),
        (
            "Rescuers recovered 17 bodies from the rubble on Friday.",
            ("casualties", "17", "17 bodies"),
        ),
        (
            "The health ministry recorded the deaths of 85 civilians in the city.",
            ("casualties", "85", "deaths of 85 civilians"),
        ),
        (
            "The army said it had killed more than 60 gunmen in the raid.",
            ("casualties", "60", "killed more than 60 gunmen"),
        ),
        (
            "The shelling caused the wounding of at least 120 others.",
            ("casualties", "120", "wounding of at least 120 others"),
        ),
        (
            "The death toll in the province has passed 4,500, officials said.",
            ("casualties", "4500", "death toll in the province has passed 4,500"),
        ),
        (
            "About 90 were taken hostage during the raid.",
            ("casualties", "90", "About 90 were taken hostage"),
        ),
        (
            "Police said they had neutralised 12 assailants near the border.",
            ("casualties", "12", "neutralised 12 assailants"),
        ),
        (
            "The blast killed 12 and wounded 30, police said.",
            ("casualties", "30", "wounded 30"),
        ),
        (
            "Three U.S. soldiers were killed in the attack.",
            ("casualties", "3", "Three U.S. soldiers"),
        ),
        (
            "A company a week means two thousand men a month, he said.",
            ("troops", "2000/month", "two thousand men a month"),
        ),
    ],
)
def test_casualties_and_rates(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _forces(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "After losing a dozen tanks, the column turned back.",
            ("equipment", "12", "a dozen tanks"),
        ),
        (
            "Aircraft drop guided bombs weighing half a ton on the bridges.",
            ("equipment", "0.5 t", "guided bombs weighing half a ton"),
        ),
        (
            "A 500-pound bomb hit the depot.",
            ("equipment", "500 lb", "500-pound bomb"),
        ),
        (
            "Air defences downed 25 of the 30 drones launched overnight.",
            ("equipment", "25", "25 of the 30 drones"),
        ),
        (
            "One in four Ukrainian drones is now made at home.",
            ("equipment", "25%", "One in four Ukrainian drones"),
        ),
        (
            "The navy sent two aircraft carriers to the region.",
            ("equipment", "2", "two aircraft carriers"),
        ),
        (
            "The government will send six F-16s and 14 Leopard 2 tanks.",
            ("equipment", "14", "14 Leopard 2 tanks"),
        ),
        (
            "The government will send six F-16s and 14 Leopard 2 tanks.",
            ("equipment", "6", "six F-16s"),
        ),
        (
            "The navy lost 14 warships in the first year.",
            ("equipment", "14", "14 warships"),
        ),
    ],
)
def test_equipment(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _forces(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The rebels now control nearly a third of the country.",
            ("territory", "33%", "nearly a third of the country"),
        ),
        (
            "Government troops have retaken about half the territory they lost.",
            ("territory", "50%", "about half the territory"),
        ),
        (
            "The town lies about 20km (12 miles) west of the front line.",
            ("territory", "20 km", "about 20km (12 miles) west of the front line"),
        ),
        (
            "Only 3 kilometres from the enemy trenches, the medics work in a cellar.",
            ("territory", "3 km", "Only 3 kilometres from the enemy trenches"),
        ),
        (
            "The attackers captured three villages east of the river.",
            ("territory", "3 villages", "captured three villages"),
        ),
        (
            "They now hold 1,200 square kilometres of territory.",
            ("territory", "1200 km2", "1,200 square kilometres of territory"),
        ),
        (
            "The front line stretches for 1,200 km from the sea to the mountains.",
            ("territory", "1200 km", "1,200 km from the sea"),
        ),
        (
            "Their forces took 40 square kilometres this week.",
            ("territory", "40 km2", "40 square kilometres"),
        ),
        (
            "The army advanced 8 km in a week.",
            ("territory", "8 km", "advanced 8 km"),
        ),
    ],
)
def test_territory(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _forces(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "More than 90,000 people have fled the region, the agency said.",
            ("other", "90000", "More than 90,000 people"),
        ),
        ("The city, a river port of about 120,000, was cut off.", ("other", "120000", "port")),
        (
            "The air force carried out 24 airstrikes in the past 24 hours.",
            ("other", "24/day", "24 airstrikes in the past 24 hours"),
        ),
        (
            "Around 2.3 million have fled their homes since the spring.",
            ("other", "2300000", "Around 2.3 million have fled"),
        ),
        (
            "One in four of the drones is now made at home.",
            ("equipment", "25%", "One in four of the drones"),
        ),
        (
            "Allies have conducted at least 8 rounds of strikes on the coast.",
            ("other", "8", "at least 8 rounds of strikes"),
        ),
        (
            "Prices rose by 40% in the besieged city.",
            ("other", "40%", "Prices rose by 40%"),
        ),
    ],
)
def test_other_figures(text: str, expected: tuple[str, str, str]) -> None:
    found = _forces(text)
    assert any(k == expected[0] and v == expected[1] and expected[2] in t for k, v, t in found), (
        found
    )


@pytest.mark.parametrize(
    "text",
    [
        "The offensive began on March 3 and stalled by 2023.",
        "A 45-year-old sergeant of the 93rd Brigade spoke by phone.",
        "Maj. Petro Ivanenko, 52, commands the unit.",
        "Hundreds of soldiers and dozens of tanks massed; several hundred troops left.",
        "Dealing with two people is easy, he said, and one soldier agreed.",
        "They waited for three days and slept for four hours.",
        "Two months earlier, six weeks ago, the first convoy arrived.",
        "The shelter was 100ft away and the cable 10km long.",
        "The aid package is worth $1.2 billion and 400 million euros.",
        "The council voted 7 to 9 on the measure.",
        "There are three reasons for this, and one of them is money.",
        "The rebels hold an area roughly twice the size of Belgium.",
        "Their guns fire 120mm shells, and the deal passed 283 to 48.",
        "The council voted 7 to 2, more than expected.",
        "Both Route 66 and Highway 1 were closed for the second time in a week.",
    ],
)
def test_rejections(text: str) -> None:
    assert _forces(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Eleven militia members died near the dam.",
            ("casualties", "11", "Eleven militia members"),
        ),
        (
            "Roughly 300 rebel and tribal militiamen entered the town.",
            ("troops", "300", "Roughly 300 rebel and tribal militiamen"),
        ),
        (
            "About 150 Varnian Liberation Front fighters crossed the river.",
            ("troops", "150", "About 150 Varnian Liberation Front fighters"),
        ),
        (
            "A 60-soldier unit marched into the valley.",
            ("troops", "60", "60-soldier unit"),
        ),
        ("A 25-vehicle convoy left the depot.", ("equipment", "25", "25-vehicle convoy")),
        (
            "The raiders move in teams of up to four people at night.",
            ("troops", "4", "up to four people"),
        ),
        (
            "About 60 guerrillas aboard armoured trucks crossed the bridge.",
            ("troops", "60", "About 60 guerrillas"),
        ),
        ("The air force sent six fighter jets.", ("equipment", "6", "six fighter jets")),
        ("Officials said 12 tank crews deserted.", ("troops", "12", "12 tank crews")),
        (
            "Two Dalmish fighters were seen on the ridge.",
            ("troops", "2", "Two Dalmish fighters"),
        ),
    ],
)
def test_heads_behind_long_modifiers(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _forces(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The navy admitted that three of its sailors had died.",
            ("casualties", "3", "three of its sailors"),
        ),
        (
            "Two of the Torvan gunners were hurt in the raid.",
            ("casualties", "2", "Two of the Torvan gunners"),
        ),
        (
            "Two guards were hurt; one of them died in hospital on Friday.",
            ("casualties", "1", "one of them died"),
        ),
        (
            "A mine wrecked a lorry, and one of the tanks was damaged.",
            ("equipment", "1", "one of the tanks"),
        ),
    ],
)
def test_partitives(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _forces(text)


@pytest.mark.parametrize(
    "text",
    [
        "One of the soldiers said the unit was tired.",
        "Three of the five members of the council voted no.",
        "Two of them were later released.",
        "Six members of parliament visited the front.",
        "A 40-year-old driver and his two-year-old son were evacuated.",
    ],
)
def test_partitives_and_people_without_losses_are_left_out(text: str) -> None:
    assert _forces(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Eighteen villagers, including four women, died in the shelling.",
            ("casualties", "18", "Eighteen villagers"),
        ),
        (
            "Eighteen villagers, including four women, died in the shelling.",
            ("casualties", "4", "four women"),
        ),
        (
            "Seven farmers were among the victims of the shelling.",
            ("casualties", "7", "Seven farmers"),
        ),
        (
            "Two colonels were among scores of soldiers who died in the siege.",
            ("casualties", "2", "Two colonels"),
        ),
        (
            "Three members of a Dalvo road crew were later shot dead.",
            ("casualties", "3", "Three members of a Dalvo road crew were later shot dead"),
        ),
        (
            "One officer from the border post died, and four were hurt.",
            ("casualties", "1", "One officer from the border post died"),
        ),
        (
            "One officer from the border post died, and four were hurt.",
            ("casualties", "4", "four were hurt"),
        ),
        (
            "Seven Dravian soldiers, all from the same unit, died in the ambush.",
            ("casualties", "7", "Seven Dravian soldiers"),
        ),
        (
            "Two days of clashes left 9 policemen and customs officers dead.",
            ("casualties", "9", "9 policemen and customs officers dead"),
        ),
        (
            "Medics warned the death toll might pass 30.",
            ("casualties", "30", "death toll might pass 30"),
        ),
        (
            "After the blast, medics rushed 6 others to a hospital in Dorvik.",
            ("casualties", "6", "6 others to a hospital"),
        ),
        (
            "Doctors counted at least 15 injuries after the blast.",
            ("casualties", "15", "at least 15 injuries"),
        ),
        (
            "The clinic admitted two soldiers with severe burns and 11 with light wounds.",
            ("casualties", "2", "two soldiers"),
        ),
        (
            "The clinic admitted two soldiers with severe burns and 11 with light wounds.",
            ("casualties", "11", "11 with light wounds"),
        ),
        (
            "Among the dead were four journalists.",
            ("casualties", "4", "Among the dead were four journalists"),
        ),
        ("Five villagers were killed in the raid.", ("casualties", "5", "Five villagers")),
        (
            "The convoy carried 40 soldiers, two of whom were killed.",
            ("casualties", "2", "two of whom were killed"),
        ),
        (
            "Scores of soldiers died, among them at least six officers.",
            ("casualties", "6", "at least six officers"),
        ),
        (
            "The blast killed 12 people, including three children.",
            ("casualties", "3", "three children"),
        ),
        ("Two soldiers went missing near the pass.", ("casualties", "2", "Two soldiers")),
        (
            "Eight of its fighters were killed and one of them was beheaded.",
            ("casualties", "1", "one of them was beheaded"),
        ),
        (
            "The army lost 3 helicopters and 200 men in the battle.",
            ("casualties", "200", "200 men"),
        ),
        (
            "Raiders wounded 17, a week after the truce collapsed.",
            ("casualties", "17", "wounded 17"),
        ),
    ],
)
def test_losses_told_late_or_far_from_the_number(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _forces(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The army has lost some 400 of its 1,200 tanks.",
            ("equipment", "400", "some 400 of its 1,200 tanks"),
        ),
        (
            "The air force said it struck more than 120 targets.",
            ("other", "120", "more than 120 targets"),
        ),
        (
            "The rebels now control about 60 percent of the state.",
            ("territory", "60%", "about 60 percent of the state"),
        ),
        (
            "Moscow recruited 30,000 convicts for the assault.",
            ("troops", "30000", "30,000 convicts"),
        ),
        (
            "Gunmen abducted 25 schoolchildren from the dormitory.",
            ("casualties", "25", "25 schoolchildren"),
        ),
        ("Nearly 1,000 soldiers surrendered.", ("casualties", "1000", "Nearly 1,000 soldiers")),
        (
            "Fourteen people were reported killed in the raid.",
            ("casualties", "14", "Fourteen people"),
        ),
        (
            "Nine soldiers are feared dead after the landslide.",
            ("casualties", "9", "Nine soldiers"),
        ),
        (
            "Three fighters are believed to have been captured.",
            ("casualties", "3", "Three fighters"),
        ),
    ],
)
def test_more_heads_and_verbs(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _forces(text)


def test_a_list_after_troops_keeps_their_kind() -> None:
    found = _forces("The army deployed 5,000 troops, including 300 special forces.")
    assert ("troops", "300", "300 special forces") in found


def test_a_loss_verb_without_a_noun_counts_up_to_an_adjunct() -> None:
    """The object of "wounded" may be a bare number closed by a phrase of place or time."""
    found = _forces("Drones killed 14 soldiers and wounded 30 near Velyka on Sunday.")
    assert ("casualties", "30", "wounded 30") in found
    assert ("casualties", "9", "killed 9") in _forces("The raid killed 9 in the market.")


def test_people_counted_by_a_toll_verb_are_a_loss() -> None:
    assert _forces("Brigade losses reached 300 men in a week, a commander said.") == [
        ("casualties", "300", "300 men")
    ]
    # a force that merely has casualties is still a force
    assert _forces("Casualties were light in a force of 3,000 troops.") == [
        ("troops", "3000", "3,000 troops")
    ]


def test_an_active_killer_is_not_a_loss() -> None:
    found = _forces("Five gunmen killed three guards at the gate.")
    assert ("troops", "5", "Five gunmen") in found
    assert ("casualties", "3", "killed three guards") in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The militia overran three outposts and took 12 districts.",
            [
                ("territory", "3 outposts", "overran three outposts"),
                ("territory", "12 districts", "took 12 districts"),
            ],
        ),
        (
            "Two villages were captured by the militia.",
            [("territory", "2 villages", "Two villages")],
        ),
        (
            "The rebels gained control of four towns.",
            [("territory", "4 towns", "gained control of four towns")],
        ),
        ("Soldiers torched three villages.", [("other", "3", "three villages")]),
        (
            'The staff said its units had "liberated" two hamlets.',
            [("territory", "2 hamlets", "two hamlets")],
        ),
        (
            "Some 700 families from four hamlets sought shelter.",
            [("other", "700", "Some 700 families")],
        ),
    ],
)
def test_places_counted_are_territory_when_taken(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _forces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "“For each one we shoot, another eight appear,” a gunner said.",
            ("ratio", "8:1", "For each one we shoot, another eight"),
        ),
        (
            "For every tank we destroy, they send two more.",
            ("ratio", "2:1", "For every tank we destroy, they send two"),
        ),
        (
            "For every drone we shoot down, there are five in the air.",
            ("ratio", "5:1", "For every drone we shoot down, there are five"),
        ),
    ],
)
def test_exchange_ratios(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _forces(text)


def test_for_each_without_another_is_no_ratio() -> None:
    assert not any(
        k == "ratio" for k, _v, _t in _forces("For each family, officials gave 20 tents.")
    )


def test_a_unit_conversion_in_brackets_is_not_a_second_figure() -> None:
    assert _forces("They hold 2,500 sq km (965 sq miles) of farmland.") == [
        ("territory", "2500 km2", "2,500 sq km (965 sq miles) of farmland")
    ]


def test_a_bare_figure_repeated_in_a_quote_is_listed_once() -> None:
    found = _forces(
        "The raid killed three people and wounded 9. “Three dead, 9 wounded,” the governor wrote."
    )
    assert [(k, v) for k, v, _t in found] == [("casualties", "3"), ("casualties", "9")]


def test_displaced_without_a_noun_is_other() -> None:
    assert _forces("The fighting has uprooted nearly 2 million.") == [
        ("other", "2000000", "uprooted nearly 2 million")
    ]


def test_items_trace_to_sentences_and_rank_ratios_and_losses_first() -> None:
    text = (
        "The town has 5,000 residents.\n"
        "Officers say 2,000 troops hold the line. They are outnumbered 5-to-1 and lose about "
        "100 men killed or wounded a day.\n"
        "The enemy lost 30 tanks."
    )
    article = build_article(text)
    items = extract_forces(article)
    assert [i.kind for i in items] == ["other", "troops", "ratio", "casualties", "equipment"]
    for item in items:
        (index,) = item.sentences
        assert item.text in article.sentences[index].text
    ranked = sorted(items, key=lambda i: -i.score)
    assert [i.kind for i in ranked[:2]] == ["ratio", "casualties"]
    assert ranked[-1].kind == "other"


def test_text_is_exact_substring_of_article() -> None:
    text = "They lost “around 1,200 men” dead; roughly 40% of the ground is held."
    article = build_article(text)
    for item in extract_forces(article):
        assert item.text in article.text


def test_empty_and_numberless_articles() -> None:
    assert _forces("The talks resumed in Geneva on Tuesday without a breakthrough.") == []
    assert extract_forces(build_article("")) == ()


# -- the real articles ------------------------------------------------------------------------


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).lower()
    s = re.sub("[“”]", '"', s)
    s = re.sub("[‘’]", "'", s)
    s = re.sub("[—–‑]", "-", s)
    return re.sub(r"\s+", " ", s).strip(" \"'.,;:-")


def _same(gold: dict[str, str], item: ForceItem) -> bool:
    g, p = _norm(gold["text"]), _norm(item.text)
    return bool(g and p and (g in p or p in g)) or (
        _norm(gold["value"]) == _norm(item.value) and bool(set(g.split()) & set(p.split()))
    )


def test_real_articles_recall_and_precision(shared_articles: Path, gold_dir: Path) -> None:
    from briefings.ingest import read_article

    gold_force = matched_force = given = given_matched = 0
    words = 0
    elapsed = 0.0
    for gold_path in sorted(gold_dir.glob("*.json")):
        article = read_article(str(shared_articles / (gold_path.stem + ".txt")))
        t0 = time.perf_counter()
        items = list(extract_forces(article))
        elapsed += time.perf_counter() - t0
        words += article.words
        numbers = json.loads(gold_path.read_text(encoding="utf-8"))["numbers"]
        force = [n for n in numbers if n["kind"] in FORCE_KINDS]
        gold_force += len(force)
        free = list(items)
        for g in force:
            hit = next((i for i in free if _same(g, i)), None)
            if hit is not None:
                matched_force += 1
                free.remove(hit)
        given += len(items)
        given_matched += sum(any(_same(g, i) for g in numbers) for i in items)
    recall = matched_force / gold_force
    precision = given_matched / given
    assert recall >= 0.85, f"force-number recall {recall:.2f}"
    assert precision >= 0.75, f"number precision {precision:.2f}"
    # Generous bound (shared machine): the whole distillation must stay well under 5 ms/1,000 words.
    assert elapsed / words * 1000 < 20, f"{elapsed / words * 1e6:.1f} ms per 1,000 words"


def test_bigger_forces_rank_above_small_groups() -> None:
    items = _items("Three soldiers crossed first. Behind them came 40,000 troops.")
    small, big = items
    assert (small.value, big.value) == ("3", "40000")
    assert big.score > small.score


def test_a_repeated_figure_is_listed_once() -> None:
    found = _forces(
        "The army has some 45,000 troops in the region. Three soldiers deserted. "
        "Those 45,000 troops face a hard winter. Three more Varnians appeared."
    )
    assert [v for _k, v, _t in found] == ["45000", "3", "3"]


def test_first_article_key_figures(kursk_article: Path) -> None:
    from briefings.ingest import read_article

    items = extract_forces(read_article(str(kursk_article)))
    found = {(i.kind, i.value) for i in items}
    for expected in [
        ("ratio", "10:1"),
        ("ratio", "3:1"),
        ("ratio", "6:1"),
        ("casualties", "1200/day"),
        ("troops", "45000"),
        ("territory", "50%"),
        ("equipment", "1 t"),
    ]:
        assert expected in found
    # No date, year, age or unit name slipped in ("2022", "30-year-old", "47th Brigade").
    assert not any(v in {"2022", "30", "35", "47", "21"} for _k, v in found)
    top = sorted(items, key=lambda i: -i.score)[:4]
    assert {i.kind for i in top} <= {"ratio", "casualties"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a ratio told smaller term first after its cue, and a list of ratios as one range
        (
            "Commanders said they were outnumbered one to four, one to five in places.",
            [("ratio", "4:1-5:1", "outnumbered one to four, one to five")],
        ),
        (
            "The garrison was outnumbered four to one or five to one.",
            [("ratio", "4:1-5:1", "outnumbered four to one or five to one")],
        ),
        ("The odds were one to three against the defenders.", [("ratio", "3:1", "one to three")]),
        ("The convoy takes one to four days to cross.", []),  # no cue: a range of days
        # a share counted "out of" a whole held or taken
        (
            "Government forces now hold 12 out of the province's 90 districts, officials said.",
            [("territory", "12 districts", "hold 12 out of the province's 90 districts")],
        ),
        # "N of them" after a capture verb counts what the sentence named before
        (
            "The rebels stormed the northern villages and seized some 40 of them in a week.",
            [("territory", "40 villages", "seized some 40 of them")],
        ),
        (
            "Soldiers surrounded the villagers and captured 40 of them.",
            [("casualties", "40", "captured 40 of them")],
        ),
        # things destroyed that a front depends on
        (
            "Drones destroyed three separate pontoons across the river near Arnsk.",
            [("equipment", "3", "three separate pontoons")],
        ),
        # people driven from their homes, with the verb that says so
        (
            "More than 150,000 people fled, according to United Nations estimates.",
            [("other", "150000", "More than 150,000 people fled")],
        ),
        (
            "Some 20,000 residents have been evacuated from the city.",
            [("other", "20000", "Some 20,000 residents have been evacuated")],
        ),
    ],
)
def test_counts_whose_noun_or_cue_is_not_next_to_the_number(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _forces(text) == expected


def test_people_displaced_rank_with_losses_not_as_other_figures() -> None:
    (fled,) = _items("More than 150,000 people fled the shelling, aid groups said.")
    (few,) = _items("About 400 residents were moved to a school.")
    (troops,) = _items("About 8,000 troops massed near the border.")
    assert fled.kind == few.kind == "other"
    assert fled.score > few.score + 0.5  # ranked among the forces and losses, not last
    assert abs(fled.score - troops.score) < 0.1


def test_a_figure_carries_whose_figure_it_is() -> None:
    (item,) = _items(
        "Moscow has deployed some 45,000 troops to the border, Ukrainian officials said."
    )
    assert item.attribution == "Ukrainian officials"
    assert item.to_json()["attribution"] == "Ukrainian officials"
    (own,) = _items("The garrison numbers about 3,000 troops.")
    assert own.attribution is None and "attribution" not in own.to_json()
