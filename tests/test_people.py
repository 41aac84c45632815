"""People: titles, appositions, attribution, call signs, canonical names, pronouns, kinds."""

from __future__ import annotations

import pytest

from briefings.article import build_article
from briefings.people import PeopleIndex, find_people, shortest_description
from briefings.roles import Person, role_kind


def index(text: str) -> PeopleIndex:
    return find_people(build_article(text))


def names(text: str) -> set[str]:
    return {p.name for p in index(text).people if p.named}


def test_titles_make_people_and_become_roles() -> None:
    idx = index(
        "President Anna Vell met Gen. Piotr Halas on Monday. Kremlin spokesman Oleg Rann "
        "said nothing. Prosecutor General Mira Sol charged Sgt. Ivo Tamm."
    )
    by = {p.name: p for p in idx.people}
    assert by["Anna Vell"].kind == "leader"
    assert by["Piotr Halas"].kind == "commander"
    assert by["Oleg Rann"].role == "Kremlin spokesman" and by["Oleg Rann"].kind == "official"
    assert by["Mira Sol"].kind == "official"
    assert by["Ivo Tamm"].kind == "soldier"


def test_apposition_role_and_mononym() -> None:
    idx = index("Bors, a 30-year-old battalion commander with the 5th Brigade, said little.")
    (p,) = [p for p in idx.people if p.named]
    assert p.name == "Bors"
    assert p.role == "battalion commander with the 5th Brigade"
    assert p.kind == "commander"


def test_surname_resolves_to_full_name() -> None:
    idx = index("Rep. Michael Stone said he would vote. Later Stone said it again.")
    assert names("Rep. Michael Stone said he would vote. Later Stone said it again.") == {
        "Michael Stone"
    }
    assert len(idx.mentions) == 2
    assert {idx.people[m.person].name for m in idx.mentions} == {"Michael Stone"}


def test_places_countries_organisations_and_sentence_starts_are_not_people() -> None:
    text = (
        "Russia said the talks failed. Fighting raged near Dovhe and in Dovhe itself. "
        "The Azov Regiment said it held. Still, Moscow sent more troops. "
        "Analysts said the front was stable. In January Ukrainian forces pulled back."
    )
    assert names(text) == set()


def test_call_sign_is_a_person() -> None:
    assert "Grom" in names("A sergeant who goes by the call sign Grom said the line held.")


def test_possessives_that_only_people_have() -> None:
    idx = index("Observers expect Kim Jong Un’s troops to arrive. One of them was Orysia’s home.")
    by = {p.name: p for p in idx.people}
    assert by["Kim Jong Un"].kind == "leader"
    assert "Orysia" in by


def test_pronoun_antecedent_is_the_last_subject() -> None:
    text = "Lena Hart said the army was tired. She added that Marco Vell was not ready."
    idx = index(text)
    found = idx.antecedent(text.index("She added") + 20)
    assert found is not None and found.name == "Lena Hart"


def test_unnamed_speaker_kept_by_shortest_description() -> None:
    idx = index("A senior officer, speaking anonymously, said reserves were late.")
    unnamed = [p for p in idx.people if not p.named]
    assert [p.name for p in unnamed] == ["a senior officer"]


def test_definite_description_resolves_to_an_earlier_name() -> None:
    text = "With Ivan Dorn at the border, the president signed the order."
    idx = index(text)
    # Not to a name in its own sentence...
    assert idx.resolve_description("the president", text.index("the president"), 0) is None
    text2 = "Crowds cheered Ivan Dorn at the border. There the president signed the order."
    idx2 = index(text2)
    found = idx2.resolve_description("the president", text2.index("the president"), 1)
    assert found is not None and found.name == "Ivan Dorn"


def test_role_kinds_and_descriptions() -> None:
    assert role_kind("platoon commander with the 21st Brigade") == "commander"
    assert role_kind("Prosecutor General") == "official"
    assert role_kind("gas analyst") == "expert"
    assert role_kind("Chief Sergeant of the reconnaissance unit") == "soldier"
    assert role_kind("Prime Minister") == "leader"
    assert role_kind("drinks company") == "unknown"
    assert shortest_description("one Ukrainian private fighting near the river") == (
        "one Ukrainian private"
    )
    assert shortest_description("A marine from the 38th Brigade who asked") == (
        "a marine from the 38th Brigade"
    )


def test_arabic_particles_belong_to_the_name() -> None:
    idx = index(
        "Gen. Abdel Fattah al-Burhan rejected the plan. Later Burhan said the army would stay."
    )
    assert {idx.people[m.person].name for m in idx.mentions} == {"Abdel Fattah al-Burhan"}


def test_title_with_of_is_kept_whole() -> None:
    (p,) = [p for p in index("Secretary of State Anna Pell flew home.").people if p.named]
    assert p.role == "Secretary of State" and p.kind == "official"


def person(text: str, name: str) -> Person:
    found = [p for p in index(text).people if p.name == name]
    assert found, [p.name for p in index(text).people]
    return found[0]


def test_title_compound_after_an_organisation_gives_the_name() -> None:
    p = person("Defense Forces Chief of Staff Aron Tal visited the front.", "Aron Tal")
    assert p.role == "Defense Forces Chief of Staff" and p.kind == "official"
    p = person("Hill Party Secretary-General Omar Sadiq spoke on Tuesday.", "Omar Sadiq")
    assert p.role == "Hill Party Secretary-General" and p.kind == "official"
    p = person("The army's spokesperson Brigadier General Idris Fadl said little.", "Idris Fadl")
    # The description before the rank says what he does: he speaks for the army.
    assert p.role == "army's spokesperson" and p.kind == "official"
    p = person("Brigadier General Idris Fadl said little.", "Idris Fadl")
    assert p.kind == "commander"


def test_a_title_modifier_alone_is_no_title() -> None:
    text = "The Kessa People’s Defence Team said it held the ridge."
    assert names(text) == set()


def test_the_one_told_is_not_a_person() -> None:
    assert names("Sami Kerr fled in May. He told Valley Radio that he would stay.") == {"Sami Kerr"}


def test_background_leaders_and_office_holders() -> None:
    text = (
        "The war pits the army, led by Ruben Castel, against a militia loyal to General Amos "
        "Dulo. Varga signed a decree on Friday."
    )
    assert person(text, "Ruben Castel").kind == "leader"
    assert person(text, "Amos Dulo").kind == "commander"
    assert person(text, "Varga").kind == "leader"


def test_commentators_of_rights_groups_are_experts() -> None:
    assert role_kind("campaigns director at Rights Watch") == "expert"
    assert role_kind("director of the Kessa Institute for War Studies") == "expert"
    assert role_kind("deputy governor of the Kessa region") == "official"
    assert role_kind("Secretary-General") == "official"


def test_reversed_apposition_role_is_the_last_noun_phrase() -> None:
    p = person(
        "On Monday the minister met with her top commander, Olek Sirko, in the capital.",
        "Olek Sirko",
    )
    assert p.role == "her top commander" and p.kind == "commander"


def test_unnamed_speaker_after_according_to() -> None:
    idx = index("The post fell, according to a militia member who took part in the raid.")
    assert [p.name for p in idx.people if not p.named] == ["a militia member"]


def test_the_one_told_is_a_person_when_a_role_follows() -> None:
    p = person("The minister told Anna Kovac, the city's mayor, that aid was coming.", "Anna Kovac")
    assert p.kind == "official"


def test_a_name_after_a_leading_conjunction_is_not_sentence_initial() -> None:
    text = "Olena Marsh spoke first. When Petro Vale reached the trench, he said, it burned."
    assert "Petro Vale" in names(text)


def test_a_named_speaker_after_an_unnamed_official_takes_the_role() -> None:
    text = (
        "Two houses were hit at dawn, according to a spokesman for the Kessa rescue agency.\n"
        "Six people were killed, Omar Haddad said."
    )
    p = person(text, "Omar Haddad")
    assert p.role == "spokesman for the Kessa rescue agency" and p.kind == "official"
    # Not when another sentence stands between them, nor when the name has a role of its own.
    far = text.replace("\n", " The rain fell.\n")
    assert person(far, "Omar Haddad").role is None


def test_a_nickname_in_quotes_stays_inside_the_name() -> None:
    text = "The militia is loyal to General Amos “Falcon” Dulo. Dulo denied it."
    p = person(text, "Amos “Falcon” Dulo")
    assert p.kind == "commander"
    assert {p.name for p in index(text).people} == {"Amos “Falcon” Dulo"}


def test_nouns_after_a_titles_for_or_of_complete_the_title() -> None:
    text = "U.N. High Commissioner for Refugees Filippo Randi warned of a hard winter."
    p = person(text, "Filippo Randi")
    assert p.role == "U.N. High Commissioner for Refugees" and p.kind == "official"
    text = "Deputy Prime Minister for European Integration Olha Sten spoke."
    assert person(text, "Olha Sten").role == "Deputy Prime Minister for European Integration"


def test_a_call_sign_that_is_also_a_place_name_is_a_person() -> None:
    text = "Her commander, a major with the call sign Bear, is blunt. Bear says the town will fall."
    assert person(text, "Bear").name == "Bear"


def test_call_signs_and_names_given_alone() -> None:
    for text, name in (
        ("A fighter with the nom de guerre Sokil said little.", "Sokil"),
        ("A sniper whose callsign is Ghost spoke.", "Ghost"),
        ("A medic who gave her name as Olha spoke.", "Olha"),
        ("A man identified only as Petro said so.", "Petro"),
    ):
        assert name in names(text), text
    assert names("He gave his name as the reason.") == set()


def test_indefinite_pronouns_are_not_people() -> None:
    assert names("“We waited. Nobody told us anything,” said Mira Tal, a teacher.") == {"Mira Tal"}


def test_name_comma_role_without_an_article() -> None:
    p = person(
        "The convoy lost two tankers near the ford, said Tomas Vire, Red Hill militia spokesman.",
        "Tomas Vire",
    )
    assert p.role == "Red Hill militia spokesman" and p.kind == "official"
    # A list after the comma is no role.
    q = person("The convoy met Tomas Vire, Ana Lind and their commander.", "Tomas Vire")
    assert q.role is None


def test_a_name_before_a_group_or_place_noun_is_no_person() -> None:
    text = (
        "The offensive, run by Maoist Red Path guerrillas from the hills, stalled. "
        "Dune Hill gunmen burned the depot, and al Dune Hill claimed the raid. "
        "The governor of the Lower Vale region, Ivo Stan, said the road was shut."
    )
    assert names(text) == {"Ivo Stan"}


def test_an_abbreviated_title_is_no_role_but_gives_kind_and_gender() -> None:
    text = "Rep. Mara Quill spoke. Mrs. Ola Venn said she was tired. U.S. Sen. Ira Holt left."
    quill, venn = person(text, "Mara Quill"), person(text, "Ola Venn")
    assert (quill.role, quill.kind) == (None, "official")
    assert venn.role is None and venn.gender == "f"
    assert (person(text, "Ira Holt").role, person(text, "Ira Holt").kind) == (None, "official")
    assert person("Defense Minister Ira Holt left.", "Ira Holt").role == "Defense Minister"


def test_the_description_before_a_title_is_the_role() -> None:
    text = (
        "The council’s pick to be defense envoy, Rep. Mara Quill (D., Ore.), said talks "
        "would start. The navy’s chief spokesman Rear Admiral Tor Hale denied it. "
        "A clip showed the commander of the garrison in the valley Colonel Uri Dane at work."
    )
    assert person(text, "Mara Quill").role == "council’s pick to be defense envoy"
    assert person(text, "Tor Hale").role == "navy’s chief spokesman"
    dane = person(text, "Uri Dane")
    assert (dane.role, dane.kind) == ("commander of the garrison in the valley", "commander")


def test_role_after_an_infinitive_and_before_a_name_stops_at_verbs() -> None:
    text = (
        "We failed to reach Kessa province’s militia spokesman, Lev Dorn, on Monday. "
        "Students who fought president Omar Vasko in 1990 are now ministers."
    )
    assert person(text, "Lev Dorn").role == "Kessa province’s militia spokesman"
    assert person(text, "Omar Vasko").role == "president"


def test_a_place_before_a_reported_clause_with_its_own_speaker_is_no_speaker() -> None:
    text = (
        "Ivan Rusk, spokesman for the eastern group, spoke. Overnight shelling hit Dovhe and "
        "Lypka, he said, adding that the damage was worse than last week."
    )
    assert names(text) == {"Ivan Rusk"}


def test_a_role_word_before_a_body_noun_is_part_of_the_body() -> None:
    assert shortest_description("the general staff said") == "the general staff"
    assert shortest_description("the press office of the army") == "the press office of the army"
    assert shortest_description("the general said") == "the general"


def test_another_is_no_part_of_a_role() -> None:
    p = person("“We left at night,” said Ilsa Marr, another Hill Street resident.", "Ilsa Marr")
    assert p.role == "Hill Street resident"


def test_an_unnamed_description_already_named_is_no_role_for_the_next_speaker() -> None:
    text = (
        "The head of the monitoring mission, Carla Ruiz, told reporters the truce held. "
        "Tomas Brek said the roads were mined. "
        "Shelling resumed, according to a spokesman for the port authority. "
        "Ivo Lemm said two cranes burned. "
        "Col. Ada Stroud said nothing."
    )
    assert person(text, "Carla Ruiz").role == "head of the monitoring mission"
    assert person(text, "Tomas Brek").role is None
    assert person(text, "Ivo Lemm").role == "spokesman for the port authority"


def test_a_description_with_to_before_the_name() -> None:
    text = (
        "Kessa’s ambassador to the UN, Pavel Rudd, said the council would meet. "
        "Residents went to the mayor, Ilse Varn, for help."
    )
    assert person(text, "Pavel Rudd").role == "Kessa’s ambassador to the UN"
    assert person(text, "Ilse Varn").role == "mayor"


def test_a_description_before_a_rank_and_a_title_with_of_the() -> None:
    text = (
        "The militia’s chief spokesman, Lieutenant Colonel Omar Haddan, said little. "
        "Chief of the General Staff Vera Orlan flew north."
    )
    haddan = person(text, "Omar Haddan")
    assert (haddan.role, haddan.kind) == ("militia’s chief spokesman", "official")
    assert person(text, "Vera Orlan").role == "Chief of the General Staff"
    # A rank before a name with no description stays the role.
    assert person("Captain Ivo Marr said little.", "Ivo Marr").role == "Captain"


def test_a_surname_ending_like_a_nationality_after_a_title_and_a_given_name() -> None:
    text = (
        "Quoting “early” findings of the inquiry, Defence Minister Aram Vartanian said the guard "
        "had died by accident. Vartanian spoke after a visit to the border."
    )
    vartanian = person(text, "Aram Vartanian")
    assert (vartanian.role, vartanian.kind) == ("Defence Minister", "official")
    # A nationality after a title stays no name.
    people = find_people(build_article("Deputy Minister Lena said the Armenian troops left."))
    assert all("Armenian" not in p.name for p in people.people)


def test_a_chain_of_of_phrases_from_a_title_to_a_country_before_the_name() -> None:
    text = (
        "The Commander-in-Chief of the Armed Forces of Norway Ivo Marran and the Minister of "
        "Defense Lena Dovik visited the units near the river."
    )
    marran = person(text, "Ivo Marran")
    assert marran.role == "Commander-in-Chief of the Armed Forces of Norway"
    assert marran.kind == "commander"
    # No title at the head of the chain: no name after the country.
    people = find_people(build_article("Fighters of the Armed Forces of Norway Ivo Marran met."))
    assert not any(p.name == "Ivo Marran" for p in people.people)


def test_a_strongman_or_warlord_before_a_name_is_a_leader() -> None:
    text = "Fighters loyal to strongman Pavel Grusk shelled the port. Grusk’s forces held the hill."
    grusk = person(text, "Pavel Grusk")
    assert (grusk.role, grusk.kind) == ("strongman", "leader")
    assert person("Men of warlord Edo Vass took the road.", "Edo Vass").kind == "leader"


def test_the_government_of_a_person_makes_a_leader_but_not_of_a_place() -> None:
    text = "Troops of the UN-backed government of Ivo al-Darran took the bridge."
    assert person(text, "Ivo al-Darran").kind == "leader"
    people = find_people(build_article("The administration of Abu Dhabi said the port was shut."))
    assert not people.people


def test_a_capitalised_ed_word_inside_a_name_is_no_verb() -> None:
    from briefings.people import _last_noun_phrase

    assert _last_noun_phrase("The United Nations human rights chief") == (
        "The United Nations human rights chief"
    )
    assert _last_noun_phrase("Aid had reached the camp chief") == "the camp chief"


def test_a_gerund_opening_a_sentence_is_no_person() -> None:
    text = (
        "T\n\nFighting continued near the town of Rivna on Monday. Shelling resumed at dawn.\n\n"
        "Henrik Solvang, the UN envoy, said aid convoys were blocked.\n\n"
        "Ada Manning, a nurse, stayed. Manning continued to treat the wounded."
    )
    index = find_people(build_article(text))
    assert sorted(p.name for p in index.people) == ["Ada Manning", "Henrik Solvang"]
    manning = index.lookup("Manning")
    assert manning is not None and manning.name == "Ada Manning"
    assert sum(1 for m in index.mentions if index.people[m.person] is manning) == 2


def test_the_country_after_a_persons_name_is_no_person() -> None:
    text = (
        "T\n\nForeign Minister Karim Saleh of Sardania, the chief mediator, told journalists "
        "that both parties had agreed to an exchange. He said 40 detainees would be swapped."
    )
    index = find_people(build_article(text))
    assert [p.name for p in index.people] == ["Karim Saleh"]
    assert index.antecedent(text.index("He said")) == index.people[0]


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("UN humanitarian coordinator for Veldan", "official"),
        ("the chief mediator", "official"),
        ("special rapporteur on torture", "official"),
    ],
)
def test_roles_of_aid_and_mediation_are_officials(role: str, kind: str) -> None:
    assert role_kind(role) == kind
