"""Digests (briefings.digest, briefings.render_digest): merging, crediting, ranking, what changed.

Three reports of our own writing on one front (tests/fixtures/digest) are posted in turn: the
first alone, then the other two as a digest compared with the first. Golden files of the digest
(rewritten with SITREP_UPDATE_GOLDEN=1, as in tests/test_render.py) are in tests/golden/digest.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_render import check_golden

from briefings import distill
from briefings.digest import Digest, SourceRef, build_digest, hands_changed
from briefings.ingest import read_article
from briefings.limits import message_violations
from briefings.messages import Message
from briefings.model import (
    ArticleMeta,
    Briefing,
    ForceItem,
    FrontlineItem,
    PolicyItem,
    QuoteItem,
)
from briefings.render import Renderer, RenderOptions, format_for_console

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "digest"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SINCE = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
OUTLETS = {
    "1_ledger": ("Varta Ledger", date(2026, 2, 28)),
    "2_meridian": ("Meridian Wire", date(2026, 3, 2)),
    "3_herald": ("Plains Herald", date(2026, 3, 2)),
}


def front() -> list[tuple[SourceRef, Briefing]]:
    """The three reports, distilled, each with its outlet and address."""
    out = []
    for path in sorted(FIXTURES.glob("*.txt")):
        outlet, day = OUTLETS[path.stem]
        article = dataclasses.replace(
            read_article(str(path)),
            source=outlet,
            published=day,
            url=f"https://news.example/{path.stem}",
        )
        briefing = distill(article)
        out.append((SourceRef.of(briefing.article), briefing))
    return out


@pytest.fixture(scope="module")
def reports() -> list[tuple[SourceRef, Briefing]]:
    return front()


@pytest.fixture(scope="module")
def second_post(reports: list[tuple[SourceRef, Briefing]]) -> Digest:
    """The digest of reports 2 and 3, the channel having seen report 1."""
    return build_digest(reports[1:], previous=[reports[0][1]], now=NOW, since=SINCE)


def names(digest: Digest, indexes: tuple[int, ...]) -> list[str]:
    return [digest.sources[i].name for i in indexes]


# ---------------------------------------------------------------- the three reports


def test_same_quote_from_two_reports_is_shown_once_with_both_sources(second_post: Digest) -> None:
    matching = [q for q in second_post.quotes if "rifles against artillery" in q.item.text]
    assert len(matching) == 1
    assert names(second_post, matching[0].sources) == ["Meridian Wire", "Plains Herald"]
    assert [s for s, _ in matching[0].mentions] == [0, 1]


def test_same_capture_and_same_figure_merged_with_both_sources(second_post: Digest) -> None:
    captured = [f for f in second_post.frontline if "Lisnivka" in f.item.text]
    captured = [f for f in captured if "captured" in f.item.text]
    assert len(captured) == 1
    assert names(second_post, captured[0].sources) == ["Meridian Wire", "Plains Herald"]
    troops = [f for f in second_post.forces if f.item.kind == "troops"]
    assert len(troops) == 1 and troops[0].item.value == "6000"
    assert len(troops[0].sources) == 2


def test_corroborated_items_rank_first(second_post: Digest) -> None:
    # The capture reported by both outlets leads the frontline, the troops figure the forces.
    assert len(second_post.frontline[0].sources) == 2
    assert "captured" in second_post.frontline[0].item.text
    scores = [i.score for i in second_post.forces]
    assert scores == sorted(scores, reverse=True)


def test_what_changed_against_the_first_report(second_post: Digest) -> None:
    changes = second_post.changes
    ratios = [c for c in changes.figures if c.kind == "ratio"]
    assert len(ratios) == 1
    ratio = ratios[0]
    assert (ratio.before, ratio.after, ratio.direction) == ("3:1", "10:1", "up")
    assert ratio.area == "Dovzhyk"
    assert ratio.before_source is not None and ratio.before_source.name == "Varta Ledger"
    assert names(second_post, ratio.sources) == ["Meridian Wire"]
    # 6,000 troops in all three: no change.
    assert not [c for c in changes.figures if c.kind == "troops"]
    assert [(p.place, p.verb) for p in changes.places] == [("Lisnivka", "captured")]
    assert len(changes.places[0].sources) == 2
    decisions = " ".join(d.text for d in changes.decisions)
    assert "approved the transfer" in decisions and "martial law" in decisions
    assert "weighing" not in decisions  # still weighing is no decision
    assert second_post.compared_with == 1


def test_what_was_already_seen_is_not_news(reports: list[tuple[SourceRef, Briefing]]) -> None:
    """Report 3 after a post of reports 1 and 2: the capture and the ratio are old news."""
    digest = build_digest(reports[2:], previous=[reports[0][1], reports[1][1]], now=NOW)
    assert not digest.changes.places
    assert not [c for c in digest.changes.figures if c.kind == "ratio"]
    assert [d.text for d in digest.changes.decisions] == [
        p.text for p in reports[2][1].policy if "martial law" in p.text
    ]


def test_changes_within_one_digest_when_nothing_was_seen_before(
    reports: list[tuple[SourceRef, Briefing]],
) -> None:
    digest = build_digest(reports, now=NOW)
    ratio = [c for c in digest.changes.figures if c.kind == "ratio"]
    assert [(c.before, c.after) for c in ratio] == [("3:1", "10:1")]
    assert digest.compared_with == 0


def test_digest_is_deterministic_and_json(reports: list[tuple[SourceRef, Briefing]]) -> None:
    one = build_digest(reports[1:], previous=[reports[0][1]], now=NOW, since=SINCE)
    two = build_digest(front()[1:], previous=[front()[0][1]], now=NOW, since=SINCE)
    assert one == two
    data = one.to_json()
    assert data["schema"] == "sitrep.digest/1"
    assert json.loads(json.dumps(data)) == data
    assert data["sources"][0]["outlet"] == "Meridian Wire"
    assert data["changes"]["figures"][0]["before_source"]["outlet"] == "Varta Ledger"


def test_golden_digest(second_post: Digest) -> None:
    messages = Renderer().digest_messages(second_post, now=NOW)
    for m in messages:
        assert message_violations(m) == ()
    check_golden("digest/varta.post.txt", format_for_console(messages))
    check_golden(
        "digest/varta.json",
        json.dumps(second_post.to_json(), ensure_ascii=False, indent=1) + "\n",
    )


def test_rendered_digest_names_sources_and_changes(second_post: Digest) -> None:
    messages = Renderer().digest_messages(second_post, now=NOW)
    assert messages[0].content.startswith("## Digest: 2 new reports")
    titles = [e.title for m in messages for e in m.embeds]
    assert titles[0] == "What changed" and titles[-1] == "Sources"
    changed = messages[0].embeds[0].description or ""
    assert "3:1 → **10:1**" in changed and "**Lisnivka** newly reported captured" in changed
    assert "[Meridian Wire](https://news.example/2_meridian)" in changed
    sources = messages[-1].embeds[-1].description or ""
    assert "2. [Dovzhyk Braces" in sources and "Plains Herald" in sources


def test_sections_of_a_subscription_only(second_post: Digest) -> None:
    messages = Renderer().digest_messages(second_post, now=NOW, sections=("quotes",))
    titles = [e.title for m in messages for e in m.embeds]
    assert titles == ["What changed", "Key quotes", "Sources"]
    changed = messages[0].embeds[0].description or ""
    assert "No figure moved" in changed  # the ratio and the capture belong to other sections


# ---------------------------------------------------------------- rules, on items of our own


def meta(title: str, outlet: str | None = None) -> ArticleMeta:
    return ArticleMeta(title, outlet, None, 100, title.encode().hex()[:64].ljust(64, "0"))


def briefing(title: str, **sections: object) -> tuple[SourceRef, Briefing]:
    b = Briefing(meta(title, f"{title} Times"), **sections)  # type: ignore[arg-type]
    return SourceRef.of(b.article), b


def test_same_words_by_another_speaker_are_two_quotes() -> None:
    a = briefing(
        "A", quotes=(QuoteItem("We will hold the bridge at any cost", "Ana Roe", None, (1,)),)
    )
    b = briefing(
        "B", quotes=(QuoteItem("We will hold the bridge at any cost", "Ben Oak", None, (2,)),)
    )
    c = briefing(
        "C", quotes=(QuoteItem("We will hold the bridge at any cost.", "Roe", None, (3,)),)
    )
    digest = build_digest([a, b, c], now=NOW)
    assert [q.sources for q in digest.quotes] == [(0, 2), (1,)]


def test_quoted_fragment_is_the_same_quote() -> None:
    whole = "The river is high, the bridges are gone, and we will still be here in spring"
    a = briefing("A", quotes=(QuoteItem(whole, "Ana Roe", "mayor", (1,), 2.0),))
    b = briefing("B", quotes=(QuoteItem("we will still be here in spring", "Roe", None, (5,)),))
    c = briefing("C", quotes=(QuoteItem("here in spring", "Roe", None, (5,)),))  # too short
    digest = build_digest([a, b, c], now=NOW)
    assert [(q.item.text, q.sources) for q in digest.quotes] == [
        (whole, (0, 1)),
        ("here in spring", (2,)),
    ]


def test_same_kind_of_fighting_at_one_place_is_one_item() -> None:
    def report(title: str, text: str, *places: str) -> tuple[SourceRef, Briefing]:
        return briefing(title, frontline=(FrontlineItem(text, places, (0,), 1.0),))

    shelled = report(
        "A", "Artillery pounded Ravnopil through the night, officials said.", "Ravnopil"
    )
    struck = report("B", "Drones struck the market in Ravnopil overnight.", "Ravnopil")
    held = report("C", "Defenders held their positions in Ravnopil.", "Ravnopil")
    elsewhere = report("D", "Drones struck a depot in Kostrove overnight.", "Kostrove")
    digest = build_digest([shelled, struck, held, elsewhere], now=NOW)
    assert [f.sources for f in digest.frontline] == [(0, 1), (2,), (3,)]


def test_same_figure_in_another_area_is_another_item() -> None:
    def report(title: str, place: str) -> tuple[SourceRef, Briefing]:
        return briefing(
            title,
            frontline=(FrontlineItem(f"Shelling near {place}", (place,), (0,), 1.0),),
            forces=(ForceItem("about 40 tanks", "equipment", "40", (0,), 0.5),),
        )

    digest = build_digest([report("A", "Ravnopil"), report("B", "Kostrove")], now=NOW)
    assert len(digest.forces) == 2
    digest = build_digest([report("A", "Ravnopil"), report("B", "Ravnopil")], now=NOW)
    assert [f.sources for f in digest.forces] == [(0, 1)]


def test_a_figure_sources_give_differently_is_one_line_with_each_value_and_its_sources() -> None:
    def report(title: str, text: str, value: str, place: str) -> tuple[SourceRef, Briefing]:
        return briefing(
            title,
            frontline=(FrontlineItem(f"Shelling near {place}", (place,), (0,), 1.0),),
            forces=(ForceItem(text, "troops", value, (0,), 0.8),),
        )

    a = report("A", "some 45,000 troops", "45000", "Ravnopil")
    b = report("B", "about 60,000 troops", "60000", "Ravnopil")
    c = report("C", "some 60,000 troops", "60000", "Ravnopil")
    far = report("D", "about 9,000 troops", "9000", "Kostrove")
    digest = build_digest([a, b, c, far], now=NOW)
    # The most reported value leads; the other is beside it with its source, never averaged.
    first, other = digest.forces
    assert (first.item.value, first.sources) == ("60000", (1, 2))
    assert first.differs == (("45000", (0,)),)
    assert first.to_json()["differs"] == [{"value": "45000", "sources": [0]}]
    assert (other.item.value, other.differs) == ("9000", ())  # another area: another figure
    text = "\n".join(
        m.content + "".join((e.description or "") for e in m.embeds)
        for m in Renderer().digest_messages(digest, now=NOW)
    )
    line = next(x for x in text.splitlines() if "60,000" in x)
    assert "**2 outlets**" in line and "**45,000** per" in line and "reports differ" in line


def test_corroboration_outranks_a_slightly_higher_single_score() -> None:
    lone = PolicyItem("Parliament banned grain exports to the north", ("Ida Vale",), (0,), 1.0)
    shared = PolicyItem("The cabinet signed the water accord with Tarsk", ("Ola Berg",), (1,), 0.8)
    a = briefing("A", policy=(lone, shared))
    b = briefing("B", policy=(dataclasses.replace(shared, sentences=(4,)),))
    digest = build_digest([a, b], now=NOW)
    assert [p.item.text for p in digest.policy] == [shared.text, lone.text]
    assert digest.policy[0].score == pytest.approx(1.2)


def test_figures_move_only_against_the_same_thing() -> None:
    old = briefing(
        "Old",
        forces=(
            ForceItem("some 8,000 troops", "troops", "8000", (0,)),
            ForceItem("30 armored vehicles", "equipment", "30", (1,)),
        ),
    )[1]
    new = briefing(
        "New",
        forces=(
            ForceItem("nearly 12,000 troops", "troops", "12000", (0,)),
            ForceItem("25 drones", "equipment", "25", (1,)),
        ),
    )
    digest = build_digest([new], previous=[old], now=NOW)
    assert [(c.kind, c.before, c.after, c.direction) for c in digest.changes.figures] == [
        ("troops", "8000", "12000", "up")
    ]


def test_places_changing_hands() -> None:
    def item(text: str, *places: str) -> FrontlineItem:
        return FrontlineItem(text, places, (0,))

    assert hands_changed(item("Troops seized the hamlet of Ostrov on Monday.", "Ostrov")) == [
        ("Ostrov", "seized")
    ]
    assert hands_changed(item("Ostrov fell after a week of fighting.", "Ostrov")) == [
        ("Ostrov", "fell")
    ]
    assert hands_changed(
        item("Defenders withdrew from Ostrov toward Brody.", "Ostrov", "Brody")
    ) == [("Ostrov", "withdrew")]
    assert hands_changed(item("Shelling hit Ostrov overnight.", "Ostrov")) == []
    # Attempts, plans, denials and other subjects' losses are no change of hands.
    for text in (
        "Troops failed to take Ostrov.",
        "The army will liberate Ostrov soon.",
        "They abandoned their attempt to capture Ostrov.",
        "The enemy has not captured Ostrov.",
        "Ostrov lost power overnight.",
    ):
        assert hands_changed(item(text, "Ostrov")) == [], text
    assert hands_changed(item("Ostrov was captured at dawn.", "Ostrov")) == [("Ostrov", "captured")]


def test_new_decisions_only() -> None:
    def policy(text: str) -> PolicyItem:
        return PolicyItem(text, ("Ida Vale",), (0,))

    seen = briefing("Old", policy=(policy("The cabinet signed the grain accord on Friday."),))
    new = briefing(
        "New",
        policy=(
            policy("The cabinet signed the grain accord on Friday, Vale said."),  # seen
            policy("Vale said the bank would signal its stance soon."),  # no decision
            policy("Parliament banned exports of fuel to the occupied districts."),
            policy("The allies will send two more batteries, Vale said."),
        ),
    )
    digest = build_digest([new], previous=[seen[1]], now=NOW)
    assert [d.text for d in digest.changes.decisions] == [
        "Parliament banned exports of fuel to the occupied districts.",
        "The allies will send two more batteries, Vale said.",
    ]


def test_aware_times_only() -> None:
    with pytest.raises(ValueError):
        build_digest([], now=datetime(2026, 1, 1))


# ---------------------------------------------------------------- Discord's limits

_text = st.lists(
    st.sampled_from([*"ab cd*_~|`>#@<[]()\n\\ ", "@everyone", "<@1>", "x" * 50, "Ostrov fell"]),
    max_size=300,
).map("".join)


@st.composite
def any_briefing(draw: st.DrawFn) -> tuple[SourceRef, Briefing]:
    title = draw(st.text(max_size=400))
    outlet = draw(st.one_of(st.none(), st.text(max_size=300)))
    url = draw(st.sampled_from([None, "https://x.example/" + "a" * 1900, "https://x.example/a"]))
    n = draw(st.integers(0, 12))
    texts = draw(st.lists(_text, min_size=n, max_size=n))
    places = draw(st.lists(st.text(max_size=120), max_size=6))
    kind = draw(st.sampled_from(["ratio", "troops", "equipment"]))
    b = Briefing(
        ArticleMeta(title, outlet, None, 10, "0" * 64, url),
        frontline=tuple(FrontlineItem(t, tuple(places), (i,), 1.0) for i, t in enumerate(texts)),
        forces=tuple(ForceItem(t, kind, t[:60], (i,), 0.5) for i, t in enumerate(texts)),  # type: ignore[arg-type]
        policy=tuple(PolicyItem(t, tuple(places), (i,), 2.0) for i, t in enumerate(texts)),
        quotes=tuple(
            QuoteItem(t, t[:300] or None, t[:500], (i,), 3.0) for i, t in enumerate(texts)
        ),
    )
    return SourceRef.of(b.article), b


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(any_briefing(), min_size=1, max_size=30),
    st.lists(any_briefing(), max_size=3),
    st.booleans(),
)
def test_any_digest_fits_discord(
    new: list[tuple[SourceRef, Briefing]], old: list[tuple[SourceRef, Briefing]], many: bool
) -> None:
    digest = build_digest(new, previous=[b for _, b in old], now=NOW, since=SINCE)
    limits = (("frontline", 60), ("forces", 60), ("policy", 60), ("quotes", 60))
    renderer = Renderer(RenderOptions(max_items=limits)) if many else Renderer()
    messages = renderer.digest_messages(digest, now=NOW)
    assert messages
    for m in messages:
        assert message_violations(m) == (), m
        assert "@everyone" not in m.content


# ---------------------------------------------------------------- theatres

THEATRES = Path(__file__).resolve().parent / "fixtures" / "theatres"


def two_theatres() -> list[tuple[SourceRef, Briefing]]:
    """Reports of our own writing: Kupiansk (Ukraine), El Fasher (Sudan), Pokrovsk (Ukraine)."""
    out = []
    for path in sorted(THEATRES.glob("*.txt")):
        article = dataclasses.replace(
            read_article(str(path)), source=f"Outlet {path.stem[0]}", published=date(2026, 3, 1)
        )
        briefing = distill(article)
        out.append((SourceRef.of(briefing.article), briefing))
    return out


def titles(messages: list[Message]) -> list[str]:
    return [e.title or "" for m in messages for e in m.embeds]


def test_a_digest_of_two_theatres_groups_its_sections_under_each() -> None:
    reports = two_theatres()
    assert [b.article.theatre for _, b in reports] == ["Ukraine", "Sudan", "Ukraine"]
    digest = build_digest(reports, now=NOW, since=SINCE)
    assert digest.spans_theatres
    assert digest.theatre_order() == ("Ukraine", "Sudan")  # most reported first
    assert digest.to_json()["sources"][1]["theatre"] == "Sudan"
    messages = Renderer().digest_messages(digest, now=NOW)
    assert all(message_violations(m) == () for m in messages)
    shown = titles(messages)
    sections = [t for t in shown if " · " in t]
    assert sections and all(t.split(" · ")[0] in ("Ukraine", "Sudan") for t in sections)
    # theatre by theatre: every Ukraine embed before the first Sudan one
    kinds = [t.split(" · ")[0] for t in sections]
    assert kinds == sorted(kinds, key=lambda k: k != "Ukraine") and "Sudan" in kinds
    assert "Ukraine · Frontline situation" in shown and "Sudan · Frontline situation" in shown
    text = format_for_console(messages)
    assert "Ukraine: 2 reports · Sudan: 1 report" in messages[0].content
    ukraine = text.index("Ukraine · Frontline situation")
    sudan = text.index("Sudan · Frontline situation")
    assert "El Fasher" in text[sudan:] and "El Fasher" not in text[ukraine:sudan]
    assert "Pokrovsk" in text[ukraine:sudan]


def test_a_digest_of_one_theatre_has_no_theatre_headings() -> None:
    reports = [r for r in two_theatres() if r[1].article.theatre == "Ukraine"]
    digest = build_digest(reports, now=NOW, since=SINCE)
    assert not digest.spans_theatres
    messages = Renderer().digest_messages(digest, now=NOW)
    shown = titles(messages)
    assert "Frontline situation" in shown and not any(" · " in t for t in shown)
    assert "Ukraine" not in messages[0].content
    # the same as a digest built without knowing the theatres at all
    unknown = dataclasses.replace(digest, theatres=())
    assert Renderer().digest_messages(unknown, now=NOW) == messages
