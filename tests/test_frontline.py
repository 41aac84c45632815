"""The frontline section: fighting sentences with their places (sentences of our own writing)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.article import build_article
from briefings.frontline import MAX_TEXT, extract_frontline, summarize
from briefings.model import FrontlineItem
from briefings.places import DictGazetteer, find_places

GAZ = DictGazetteer(
    {
        "ukraine": "C",
        "russia": "C",
        "kyiv": "KM",
        "moscow": "KM",
        "kramske": "M",
        "lysychne": "m",
        "zarichne": "m",
        "dnipro": "M",
    }
)


def frontline(text: str) -> tuple[FrontlineItem, ...]:
    return extract_frontline(build_article(text), gazetteer=GAZ)


def test_capture_of_a_named_village_is_an_item_with_its_place() -> None:
    (item,) = frontline("Russian troops captured the village of Novoselivka on Tuesday.")
    assert item.places == ("Novoselivka",)
    assert item.sentences == (0,)
    assert item.text == "Russian troops captured the village of Novoselivka on Tuesday."


def test_each_kind_of_fighting_is_recognised() -> None:
    text = (
        "Ukrainian units advanced two kilometres south of Kramske. "
        "The brigade retreated from Lysychne under heavy fire. "
        "Assault groups stormed positions near Zarichne at dawn. "
        "Missiles struck a depot in the Petrivka district overnight. "
        "Defenders still hold the Oskol dam despite daily shelling. "
        "The garrison of Kramske is now almost encircled. "
        "Troops withdrew across the Sukhyi river to save the battalion."
    )
    items = frontline(text)
    assert [i.sentences for i in items] == [(k,) for k in range(7)]
    assert [i.places for i in items] == [
        ("Kramske",),
        ("Lysychne",),
        ("Zarichne",),
        ("Petrivka district",),
        ("Oskol dam",),
        ("Kramske",),
        ("Sukhyi river",),
    ]


def test_sentences_without_fighting_are_left_out() -> None:
    text = (
        "The village of Lypky is known for its apple orchards. "
        "Officials in Kyiv met bankers to discuss the budget."
    )
    assert frontline(text) == ()


def test_holding_ground_counts_only_with_a_named_place() -> None:
    assert frontline("Soldiers said the fighting was exhausting.") == ()
    (item,) = frontline("Soldiers said the fighting near Kramske was exhausting.")
    assert item.places == ("Kramske",)


def test_a_weak_cue_far_from_the_place_is_no_item() -> None:
    text = (
        "When we could no longer hear the drone overhead, after a long and tiring wait in the "
        "shelter, we packed our bags, found the car and drove out of Kramske."
    )
    assert frontline(text) == ()


def test_a_cue_next_to_its_place_ranks_above_one_far_from_it() -> None:
    near, far = frontline(
        "Troops advanced on Kramske. "
        "Troops advanced on Monday, officials said in a statement published late at night, "
        "and the governor, visiting schools and hospitals, later spoke about Kramske."
    )
    assert near.score > far.score


def test_a_place_changing_hands_ranks_above_a_vague_mention() -> None:
    items = frontline(
        "Troops attacked along the whole line overnight. "
        "Russian forces seized the town of Hirnyk after a three-week assault."
    )
    vague, seized = items
    assert seized.places == ("Hirnyk",)
    assert seized.score > vague.score
    assert 0.0 < vague.score <= 1.0 and seized.score <= 1.0


def test_capitals_as_seats_of_government_are_not_frontline_places() -> None:
    (item,) = frontline(
        "Kyiv said its troops had pushed back an assault on the village of Robotyne."
    )
    assert item.places == ("Robotyne",)


def test_countries_and_refuges_are_not_frontline_places() -> None:
    (item,) = frontline(
        "Civilians fled to Dnipro after Russia shelled the town of Marhanets for a week."
    )
    assert item.places == ("Marhanets",)


def test_a_sentence_that_sets_the_scene_joins_the_fighting_next_to_it() -> None:
    text = (
        "The worst is in Lysychne, a small rail town in the Sivash region. "
        "Russian troops broke through its defences on Friday."
    )
    items = frontline(text)
    assert [i.sentences for i in items] == [(0,), (1,)]
    assert items[0].places == ("Lysychne", "Sivash region")


def test_offices_and_equipment_named_with_war_words_are_no_fighting() -> None:
    text = (
        "The defense minister said new air-defense systems would reach Kramske. "
        "Ministers discussed war crimes trials in the capital."
    )
    assert frontline(text) == ()


def test_talks_venue_is_not_a_frontline_place() -> None:
    (item,) = frontline("The offensive on Zarichne will go on while talks in Kramske continue.")
    assert item.places == ("Zarichne",)


def test_dateline_is_dropped_from_the_summary() -> None:
    (item,) = frontline("KRAMSKE, Ukraine (Wire) — Troops retreated from the town of Lypky.")
    assert item.text == "Troops retreated from the town of Lypky."
    assert item.places == ("Lypky",)


def test_items_are_in_reading_order() -> None:
    text = (
        "Ukrainian forces retook Zarichne. Prices rose in the capital. "
        "Russian drones struck Kramske. Artillery pounded the village of Sadky."
    )
    assert [i.sentences[0] for i in frontline(text)] == [0, 2, 3]


def test_summary_is_one_trimmed_line_of_the_sentence_words() -> None:
    sentence = (
        "But the brigade, which had spent most of the summer defending a narrow salient, "
        "withdrew from the village of Orikhove on Thursday, according to two officers who "
        "spoke on condition of anonymity, because the army could no longer supply the "
        "positions by road, and drones had cut the last track."
    )
    (item,) = frontline(sentence)
    assert len(item.text) <= MAX_TEXT
    assert "\n" not in item.text
    assert item.text.startswith("The brigade")
    words = set(re.findall(r"\w+", sentence.lower()))
    assert set(re.findall(r"\w+", item.text.lower())) <= words


def test_summarize_keeps_short_sentences_and_cuts_long_ones_at_a_clause() -> None:
    assert summarize("Meanwhile, troops advanced.") == "Troops advanced."
    long = "Troops advanced " + ", ".join(f"past village {i}" for i in range(40)) + "."
    out = summarize(long)
    assert len(out) <= MAX_TEXT and out.endswith("…")
    assert long.startswith(out[:-1])


def test_summary_keeps_the_clause_that_names_the_place() -> None:
    sentence = (
        "After a summer in which the brigade lost half its vehicles, most of its experienced "
        "officers and every one of the supply routes it had once relied on for food, fuel and "
        "ammunition, the last company withdrew from the village of Orikhove on Thursday."
    )
    (item,) = frontline(sentence)
    assert item.places == ("Orikhove",)
    # The leading circumstance goes; the clause with the event and its place stays.
    assert item.text == "The last company withdrew from the village of Orikhove on Thursday."
    assert len(item.text) <= MAX_TEXT


def test_ground_held_as_a_share_is_ground_changing_hands() -> None:
    (item,) = frontline("By Friday the separatists controlled most of Kramske, the mayor said.")
    assert item.places == ("Kramske",)
    assert item.event == "seized"
    assert frontline("The minister will hold talks in Zarichne on Friday.") == ()


def test_a_cut_keeps_the_stronger_clause_over_the_one_naming_the_place() -> None:
    sentence = (
        "The rebels now hold nearly half of the surrounding district, the regional governor "
        "told reporters on Sunday, and artillery has shelled the outskirts of Zarichne every night."
    )
    line = summarize(sentence, keep=("Zarichne",))
    assert line.startswith("The rebels now hold nearly half of the surrounding district")
    assert len(line) <= MAX_TEXT


def test_item_json_follows_the_contract() -> None:
    (item,) = frontline("Russian troops captured the village of Novoselivka on Tuesday.")
    data = item.to_json()
    assert data["places"] == ["Novoselivka"] and data["sentences"] == [0]
    assert isinstance(data["text"], str)


# --- the real articles ---------------------------------------------------------------------------


def _tokens(s: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", s.lower().replace("’", "'"))


def _matches(gold: str, given: list[str]) -> bool:
    g = _tokens(gold)
    for name in given:
        c = _tokens(name)
        if g and c and (g[-1] in c or c[-1] in g):
            return True
    return False


def test_frontline_place_recall_on_the_real_articles(shared_articles: Path, gold_dir: Path) -> None:
    from briefings.ingest import read_article

    found = total = given = right = 0
    for gold_path in sorted(gold_dir.glob("*.json")):
        article_path = shared_articles / (gold_path.stem + ".txt")
        if not article_path.is_file():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))["places"]
        items = extract_frontline(read_article(str(article_path)))
        names = sorted({p for item in items for p in item.places})
        found += sum(_matches(g, names) for g in gold)
        total += len(gold)
        given += len(names)
        right += sum(_matches(n, gold) for n in names)
    assert total > 0
    assert found / total >= 0.80, f"place recall {found}/{total}"
    assert right / given >= 0.70, f"place precision {right}/{given}"


# --- any text ----------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "the village of ",
        "Kramske",
        "Lypky",
        " region",
        ", a town in ",
        " said",
        "Mr. ",
        "captured ",
        "near ",
        "’s",
        "“",
        "”",
        " — ",
        "KRAMSKE, Ukraine (Wire) — ",
        "Deir al-",
        "\n",
        ". ",
        ", ",
        " and ",
        "fled to ",
        "ÉLAN",
        "x" * 300,
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=30)), max_size=40))
def test_any_text_gives_valid_items(parts: list[str]) -> None:
    text = "".join(parts)
    if not text.strip():
        return
    article = build_article(text)
    items = extract_frontline(article, gazetteer=GAZ)
    n = len(article.sentences)
    for item in items:
        assert len(item.text) <= MAX_TEXT
        assert all(0 <= i < n for i in item.sentences)
        assert 0.0 <= item.score <= 1.0
        assert len(set(p.lower() for p in item.places)) == len(item.places)
    for m in find_places(article, GAZ).mentions:
        assert article.text[m.start : m.end] == m.name
        assert m.name.startswith(m.base)


def test_more_of_the_vocabulary_of_fighting() -> None:
    text = (
        "Russian forces are closing in on Kramske. "
        "The garrison fended off three attacks near Lypky. "
        "Units crossed the Sukhyi river before dawn. "
        "Saboteurs infiltrated the town of Hirnyk overnight."
    )
    assert [i.places for i in frontline(text)] == [
        ("Kramske",),
        ("Lypky",),
        ("Sukhyi river",),
        ("Hirnyk",),
    ]


def test_without_a_place_only_a_concrete_event_is_an_item() -> None:
    items = frontline(
        "A spokesman said the attackers were losing 300 men a day. "
        "Analysts say the army may be planning a bigger offensive in spring. "
        "Since the start of the invasion, the defenders have counted heavy losses. "
        "Prosecutors opened the trial of a captured sniper. "
        "Fighters hope to seize more ground before winter. "
        "The rebels attacked an army column at dawn. "
        "The outnumbered garrison was encircled and later pulled back."
    )
    assert [i.text for i in items] == [
        "The rebels attacked an army column at dawn.",
        "The outnumbered garrison was encircled and later pulled back.",
    ]


def test_items_with_places_rank_above_items_without_but_ground_changing_hands_leads() -> None:
    items = frontline(
        "Government troops recaptured the airport and overran two bases. "
        "Shelling was reported near the village of Ostrivka, a spokesman said. "
        "Rebels attacked a convoy on the highway. "
        "Rebels burned down houses in Dovhe village."
    )
    seized, shelled, convoy, burned = items
    assert not seized.places and shelled.places and not convoy.places and burned.places
    # Ground changing hands outranks the rest, named place or not; otherwise a place counts.
    assert seized.score >= max(shelled.score, burned.score)
    assert min(shelled.score, burned.score) > convoy.score


def test_burning_villages_and_a_fallen_town_are_fighting() -> None:
    items = frontline(
        "Soldiers set fire to two villages along the Sulova River: Lypky and Tykhe. "
        "Officials said that Zarichne had fallen."
    )
    assert [i.places for i in items] == [("Sulova River", "Lypky", "Tykhe"), ("Zarichne",)]


def test_meetings_held_in_a_region_are_no_fighting() -> None:
    assert (
        frontline("The general held a series of meetings with mayors in the Dolyna region.") == ()
    )


def test_a_sea_counts_where_ships_are_attacked_or_seized_there() -> None:
    attacked, crossing = frontline(
        "Rebels attacked two cargo ships in the Gulf of Tarsa on Monday. "
        "Troops advanced along the shore of the Lyra Sea toward the town of Ostrivka."
    )
    assert attacked.places == ("Gulf of Tarsa",)
    assert crossing.places == ("Ostrivka",)


def test_continents_and_portfolios_are_not_frontline_places() -> None:
    items = frontline(
        "Militias attacked convoys across the Horn of Africa and near the town of Ostrivka, "
        "said the aid group's director for Europe."
    )
    assert [i.places for i in items] == [("Ostrivka",)]


# --- paragraphs in styles the rules were not written from ----------------------------------------

STYLE_GAZ = DictGazetteer(
    {"sudan": "C", "ukraine": "C", "mali": "C", "khartoum": "KM", "tamara": "M", "dorsk": "m"}
)


def places_of_items(text: str) -> list[tuple[str, ...]]:
    return [i.places for i in extract_frontline(build_article(text), gazetteer=STYLE_GAZ)]


def test_wire_report_from_the_sahel() -> None:
    text = (
        "SENDA, Mali (Reuters) - Islamist fighters stormed a military post in the Kaya region "
        "on Sunday, killing at least a dozen soldiers, two security sources said.\n"
        "The attack near the town of Doubalé came days after militants ambushed a convoy on the "
        "road between Tamara and Dorsk.\n"
        "The army said it had neutralised 20 attackers, a claim that could not be verified."
    )
    assert places_of_items(text) == [("Kaya region",), ("Doubalé", "Tamara", "Dorsk")]


def test_monitor_report_with_arabic_names_and_plural_designators() -> None:
    text = (
        "Government troops advanced on Saturday into the al-Rawda and Kafr Hilal areas, two "
        "towns that rebels have held since 2014, a war monitor said.\n"
        "The troops captured the hilltop village of Tal Saqr and shelled Marun, 30 km north of "
        "Tamara city, throughout the night.\n"
        "The offensive follows the collapse of a truce brokered last month."
    )
    assert places_of_items(text) == [("al-Rawda", "Kafr Hilal"), ("Tal Saqr", "Marun")]


def test_magazine_dispatch_with_dashes_and_a_colon() -> None:
    text = (
        "The road to Hirka winds past burned-out tanks. Soldiers have held the ridge — a line "
        "of trenches above the hamlets of Zelena, Nove Pole and Piskove — for nine months.\n"
        "At the headquarters in Dorsk, an officer shows a map: three settlements — Lypove, "
        "Verbna and Kopanka — changed hands twice this summer.\n"
        "The general staff said its forces had repelled 14 assaults near Lypove."
    )
    assert places_of_items(text) == [
        ("Zelena", "Nove Pole", "Piskove"),
        ("Lypove", "Verbna", "Kopanka"),
        ("Lypove",),
    ]


def test_aid_agency_style_report_with_states_and_acronyms() -> None:
    text = (
        "The paramilitary Rapid Support Forces (RSF) tightened their siege of Um Dahab, the "
        "capital of West Tamara state, on Wednesday, residents said.\n"
        "In nearby Bira, RSF fighters looted the market.\n"
        "The army said its aircraft struck RSF positions in Um Kaddada and Gazala, southwest "
        "of Um Dahab.\n"
        "The UN's humanitarian chief told the Security Council in New York that aid convoys "
        "were blocked, and the agency's director for Africa said the siege must end."
    )
    assert places_of_items(text) == [
        ("Um Dahab", "West Tamara state"),
        ("Um Kaddada", "Gazala"),
    ]


def test_assessment_style_report_with_directions_bearings_and_lists() -> None:
    text = (
        "Russian forces continued offensive operations in the Kupol direction on October 3.\n"
        "Russian forces attacked north of Kupol near Dorsk, Lozova, and Pishchane on October 2.\n"
        "Geolocated footage indicates that Russian forces recently advanced northwest of Tykhe.\n"
        "A brigade spokesperson stated that Russian forces are using motorcycles in assaults."
    )
    assert places_of_items(text) == [
        ("Kupol",),
        ("Kupol", "Dorsk", "Lozova", "Pishchane"),
        ("Tykhe",),
    ]


def test_latin_american_style_report_with_municipalities_and_departments() -> None:
    text = (
        "Dissidents attacked a police station in the municipality of Suaza, in the department "
        "of Caldera, early on Tuesday, killing two officers, the ministry said.\n"
        "Fighting spread to the rural areas of Mazara and La Toma, local officials said.\n"
        "The army later said it had regained control of the roads between Suaza and Tamara."
    )
    assert places_of_items(text) == [
        ("Suaza", "Caldera"),
        ("Mazara", "La Toma"),
        ("Suaza", "Tamara"),
    ]


def test_a_war_breaking_out_is_no_breakout() -> None:
    assert frontline("The war broke out in April 2023 between the army and the militia.") == ()
    (item,) = frontline("The encircled battalion broke out of the pocket overnight.")
    assert item.places == ()


def test_an_exchange_of_fire_is_fighting() -> None:
    (item,) = frontline("Police and gunmen exchanged heavy fire outside Kramske overnight.")
    assert item.places == ("Kramske",)
    (item,) = frontline("Police opened fire on gunmen in Zarichne.")
    assert item.places == ("Zarichne",)
    assert frontline("Both sides will keep exchanging fire until a truce in Dnipro.") == ()


def test_a_war_in_a_named_region_is_fighting_but_a_war_alone_is_not() -> None:
    (item,) = frontline("Veterans of the long war in the Dara region, which ended last year, met.")
    assert item.places == ("Dara region",)
    assert frontline("The war changed everything, she said.") == ()


def test_killings_count_only_with_a_place_near_them() -> None:
    (item,) = frontline("The army said it killed 20 militants at Kramske on Tuesday.")
    assert item.places == ("Kramske",)
    assert frontline("Twenty people were killed, the army said.") == ()


# Two reports in styles the rules were not written from: a wire report of an insurgency, with a
# mayor, a governor, a family and a list after "such as"; an analysis looking back on a war, with
# a hospital, a numbered division, a checkpoint that a town only locates and a list of districts.
_WIRE = (
    "TAMBOLA, Nordland (Wire) — Insurgents overran an army outpost in the north of Kavari "
    "province on Thursday, killing at least 14 soldiers, two security sources said.\n\n"
    "The attackers, who arrived on motorcycles, also torched a nearby village, Sokoro, and "
    "looted a health centre, said Adama Kone, the mayor of Sokoro commune.\n\n"
    "Attacks on towns such as Bandiara and Mopti-Nord have surged since the junta expelled "
    "foreign troops, while the governor of Kavari province, Issa Toure, said his forces "
    "exchanged fire with the gunmen near Lerabe, 30 km east of the provincial capital.\n\n"
    "The Toure family, which has led the region for decades, said the violence would not stop "
    "elections."
)
_ANALYSIS = (
    "Ten years after the civil war in the Surat valley ended, the fault lines that drove it "
    "remain. Bakhari, a market town of 40,000 people, still bears the scars of the siege.\n\n"
    "Doctors at Bakhari General Hospital say they treated hundreds of wounded during the war. "
    "Families such as the Meskels lost three sons each.\n\n"
    "Commanders of the 2nd Infantry Division, which fought in the valley, now run businesses in "
    "Karsa, officials said.\n\n"
    "Militants attacked a checkpoint outside Meru late on Sunday, the army said, and clashes "
    "were reported in the districts of Al-Saqr and Harat-e-Now, north of the river."
)


def test_a_wire_report_of_an_insurgency_in_a_style_not_tuned_on() -> None:
    assert [item.places for item in frontline(_WIRE)] == [
        ("Kavari province",),
        ("Sokoro",),
        ("Bandiara", "Mopti-Nord", "Lerabe"),
    ]


def test_an_analysis_looking_back_on_a_war_in_a_style_not_tuned_on() -> None:
    assert [item.places for item in frontline(_ANALYSIS)] == [
        ("Surat valley",),
        ("Bakhari",),
        ("Al-Saqr", "Harat-e-Now"),
    ]


def test_words_about_a_war_that_are_no_fighting() -> None:
    text = (
        "Prisoners of war were returned at Kramske. A war memorial stands in Kramske. "
        "The war cabinet met in Kramske."
    )
    assert frontline(text) == ()


def test_ceasefire_violations_near_a_place_are_fighting() -> None:
    text = "Two conscripts died on Sunday amid truce violations reported near Zarichne."
    assert [item.places for item in frontline(text)] == [("Zarichne",)]
    assert frontline("Two conscripts died on Sunday near Zarichne.") == ()


def test_a_share_held_is_a_state_in_any_tense_but_not_a_fear() -> None:
    def second(verb: str) -> FrontlineItem:
        return frontline(
            f"Attacks on Lysychne went on all week. By Sunday the rebels {verb} most of the town."
        )[1]

    held, feared = second("appeared to control"), second("could control")
    # "the town" is Lysychne, and holding most of it is ground changing hands.
    assert held.places == ("Lysychne",) and held.event == "seized"
    assert held.score > feared.score


def test_a_seizure_with_its_place_outranks_one_told_with_a_pronoun_and_no_place() -> None:
    pronoun, named = frontline(
        "They took control of two villages to the north on Monday. "
        "Separatists took control of Kramske on Monday."
    )
    assert named.places == ("Kramske",) and not pronoun.places
    assert named.score > pronoun.score
    possessive, _ = frontline(
        "Their units took control of two villages to the north on Monday. "
        "Separatists took control of Kramske on Monday."
    )
    assert possessive.score == pronoun.score  # "their" leaves the same question: whose?


def test_speech_going_on_from_the_sentence_before_counts_as_quoted() -> None:
    quoted, plain = frontline(
        "“We held on. Our army retook Kramske on Monday, whatever they say.” "
        "Our army retook Kramske on Monday, whatever they say."
    )
    assert quoted.places == plain.places == ("Kramske",)
    assert quoted.score < plain.score


def test_a_speakers_vow_is_no_frontline_line() -> None:
    (item,) = frontline(
        "“We are not afraid. Our army will retake Kramske, whatever they say.” "
        "Rebels shelled Kramske overnight."
    )
    assert item.text == "Rebels shelled Kramske overnight."


def test_a_quotation_keeps_the_place_its_narration_names() -> None:
    (item,) = frontline("“They keep attacking the fields,” said a gunner posted south of Kramske.")
    assert item.places == ("Kramske",)


def test_a_count_of_what_was_done_makes_an_attack_rank_higher() -> None:
    counted, plain = frontline(
        "Rebels carried out 40 airstrikes on the depot at Kramske. "
        "Rebels carried out airstrikes on the depot at Zarichne."
    )
    assert counted.places == ("Kramske",) and plain.places == ("Zarichne",)
    assert counted.score > plain.score


def test_a_seizure_the_line_cuts_away_does_not_rank_as_one() -> None:
    hidden, shown = frontline(
        "The chief prosecutor announced plans on Monday for the first trial of a soldier accused "
        "of crimes against civilians in the long war, as fighting raged in the east and in the "
        "south of the country the rebels seized early in the war. "
        "Rebels seized two villages on Monday."
    )
    assert "seized" not in hidden.text  # the line is cut before it
    assert shown.score > hidden.score


def test_a_he_said_aside_is_attributed_to_the_person_it_refers_to() -> None:
    article = build_article(
        "Lena Marsh, an analyst who visited the front this month, said the defenders were tired. "
        "The attackers, she said, had captured the village of Velmora and pushed toward Arnsk."
    )
    (item,) = [i for i in extract_frontline(article) if "Velmora" in i.places]
    assert item.text == (
        "The attackers had captured the village of Velmora and pushed toward Arnsk — [Marsh]"
    )
