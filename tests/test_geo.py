"""Geocoding and theatres (briefings/geo.py): sentences of our own writing, and real articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefings import distill
from briefings.article import build_article
from briefings.geo import (
    DEFAULT_THEATRES,
    GeoIndex,
    Theatres,
    assign_theatre,
    build_geo_entries,
    distance_km,
    geo_index,
    geocode,
)
from briefings.ingest import read_article
from briefings.model import ArticleMeta, Briefing, FrontlineItem, QuoteItem

# Pokrovsk is a town in Ukraine's Donetsk region and another in Russia's Sakha republic (near
# Yakutsk); Engels in Russia was once called Pokrovsk too (an alternate name, never preferred).


def test_a_name_of_two_countries_goes_to_the_larger_place_of_that_very_name() -> None:
    geo = geocode(["Pokrovsk"])
    assert [(p.name, p.country) for p in geo.found] == [("Pokrovsk", "UA")]
    assert geo.found[0].lat == pytest.approx(48.28, abs=0.05)
    assert not geo.found[0].alias


def test_the_other_places_of_the_briefing_pick_the_country() -> None:
    # Both are in the theatre of Yakutsk (Ukraine = UA + RU): the nearer one wins over the larger.
    geo = geocode(["Pokrovsk", "Yakutsk"])
    pokrovsk = geo.found[0]
    assert pokrovsk.country == "RU"
    assert pokrovsk.lat == pytest.approx(61.48, abs=0.05)
    assert pokrovsk.lon == pytest.approx(129.14, abs=0.05)


def test_context_countries_pick_the_country() -> None:
    assert geocode(["Pokrovsk"], context=["RU"]).found[0].country == "RU"


def test_a_place_the_gazetteer_lacks_is_listed_not_guessed() -> None:
    geo = geocode(["Kostiantynivka", "Zorvanka Brod", "kostiantynivka"])
    assert [p.name for p in geo.found] == ["Kostiantynivka"]
    assert geo.missing == ("Zorvanka Brod",)


def test_region_and_compass_words_fall_back_to_the_bare_name() -> None:
    geo = geocode(["Kherson region", "northern Sudan"])
    assert [(p.country, p.kind) for p in geo.found] == [("UA", "city"), ("SD", "country")]
    assert geo.found[0].lat is not None
    assert geo.found[1].lat is None  # a country is no point on a map


def test_the_index_is_built_from_the_installed_data() -> None:
    entries = build_geo_entries()
    index = GeoIndex.of(entries)
    assert {h.country for h in index.locations("Pokrovsk")} >= {"UA", "RU"}
    assert "country" in {h.kind for h in index.locations("Sudan")}
    assert geocode(["Sudan"], index=index).found[0].kind == "country"
    assert geo_index().locations("Pokrovsk") == index.locations("Pokrovsk")


def _briefing(places: list[tuple[str, ...]], roles: tuple[str, ...] = ()) -> Briefing:
    meta = ArticleMeta(title=None, source=None, published=None, words=10, sha256="0")
    return Briefing(
        article=meta,
        frontline=tuple(FrontlineItem("a line", p, (i,)) for i, p in enumerate(places)),
        quotes=tuple(QuoteItem("words", "A Speaker", r, (0,)) for r in roles),
    )


def test_theatre_of_a_written_report_in_ukraine() -> None:
    text = (
        "Russian troops captured the village of Novoselka near Pokrovsk on Tuesday after weeks "
        "of assaults, the general staff said. Fighting continued east of Kostiantynivka."
    )
    assert distill(build_article(text)).article.theatre == "Ukraine"


def test_theatre_of_a_written_report_in_sudan() -> None:
    text = (
        "Fighters of the paramilitary force captured El Fasher after a long siege, residents "
        "said. Shelling hit Omdurman overnight."
    )
    briefing = distill(build_article(text))
    assert briefing.article.theatre == "Sudan"
    assert briefing.to_json()["article"]["theatre"] == "Sudan"
    assert Briefing.from_json(briefing.to_json()).article.theatre == "Sudan"


def test_the_ambiguous_name_follows_the_other_places_into_their_theatre() -> None:
    ungrouped = Theatres.of({})
    text = "Rebels seized the town of Pokrovsk and then attacked Yakutsk, local officials said."
    assert distill(build_article(text), ungrouped).article.theatre == "Russia"
    alone = "Troops captured the town of Pokrovsk after a week of fighting, officials said."
    assert distill(build_article(alone), ungrouped).article.theatre == "Ukraine"


def test_groupings_make_one_theatre_of_several_countries() -> None:
    b = _briefing([("Kursk",), ("Sudzha",), ("Kostiantynivka",)])
    assert assign_theatre(b) == "Ukraine"  # default: UA and RU are one war
    assert assign_theatre(b, Theatres.of({})) == "Russia"
    sahel = Theatres.of({"Sahel": ["ML", "bf", "NE"]})
    assert assign_theatre(_briefing([("Bamako",), ("Ouagadougou",)]), sahel) == "Sahel"
    assert sahel.of_country("SD") == "Sudan"


def test_actors_countries_break_a_tie() -> None:
    ungrouped = Theatres.of({})
    places = [("Kostiantynivka",), ("Omdurman",)]
    assert assign_theatre(_briefing(places), ungrouped) == "Ukraine"  # first in reading order
    roles = ("a spokesman for Sudan's army",)
    assert assign_theatre(_briefing(places, roles), ungrouped) == "Sudan"


def test_no_located_place_and_no_actor_is_no_theatre() -> None:
    assert assign_theatre(_briefing([("Zorvanka Brod",)])) is None
    assert assign_theatre(_briefing([], ("an adviser to Sudan's leader",))) == "Sudan"


REAL_THEATRES = {
    "00_wsj_kursk.txt": "Ukraine",
    "01_ap_kherson_azovstal.txt": "Ukraine",
    "06_bbc_rodynske_fibre_optic_drones.txt": "Ukraine",
    "08_economist_kupiansk_myrnohrad_siversk.txt": "Ukraine",
    "10_cnn_gaza_khan_younis_return.txt": "Israel and Gaza",
}


@pytest.mark.parametrize("name", sorted(REAL_THEATRES))
def test_theatre_of_each_real_article(shared_articles: Path, name: str) -> None:
    path = shared_articles / name
    if not path.is_file():
        pytest.skip(f"real article absent: {path}")
    briefing = distill(read_article(path), DEFAULT_THEATRES)
    assert briefing.article.theatre == REAL_THEATRES[name]


def test_a_war_across_a_border_is_one_context_for_same_named_places() -> None:
    # Donetsk is a city of 900,000 in Ukraine and a town of 50,000 in Russia's Rostov region.
    # Kursk, in Russia, is in the same theatre as both (DEFAULT_THEATRES: Ukraine = UA + RU), so
    # it does not pull Donetsk to the smaller Russian town: the larger place wins.
    geo = geocode(["Kursk", "Donetsk"])
    assert [p.country for p in geo.found] == ["RU", "UA"]


def test_distance_between_two_points_is_great_circle() -> None:
    assert distance_km((50.45, 30.52), (49.84, 24.03)) == pytest.approx(467, abs=5)
    assert distance_km((0.0, 179.5), (0.0, -179.5)) == pytest.approx(111, abs=1)
