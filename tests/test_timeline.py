"""A place's history (``briefings.timeline``, ``briefings.render_timeline``): which items, in
which order, credited how, and said in which words; rendered within Discord's limits."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from briefings import build_article, distill
from briefings.digest import SourceRef
from briefings.limits import message_violations
from briefings.model import ArticleMeta, Briefing, FrontlineEvent, FrontlineItem
from briefings.render import Renderer
from briefings.timeline import (
    Report,
    build_timeline,
    change_of,
    close_places,
    names_place,
    place_choices,
)


def briefing(*items: FrontlineItem, title: str = "A report") -> Briefing:
    meta = ArticleMeta(title=title, source=None, published=None, words=100, sha256=title)
    return Briefing(meta, frontline=items)


def item(
    text: str, places: tuple[str, ...] = (), event: FrontlineEvent = "", n: int = 0
) -> FrontlineItem:
    return FrontlineItem(text, places, (n,), event=event)


def report(
    b: Briefing,
    day: date,
    outlet: str | None = "The Herald",
    *,
    published: bool = True,
    url: str | None = None,
    ref: str | None = None,
) -> Report:
    return Report(SourceRef(outlet, b.article.title, url), b, day, published, ref)


def test_entries_are_every_report_naming_the_place_oldest_first() -> None:
    may = briefing(
        item("Troops retook Pryozerne after a night of fighting", ("Pryozerne",), "seized", 4),
        item("The dam west of Lisnyky was shelled", ("Lisnyky",), "attacked", 2),
    )
    march = briefing(item("Attackers captured Pryozerne", ("Pryozerne",), "seized"))
    april = briefing(
        item("Columns withdrew from pryozerne at dawn", (), "moved", 7),  # named in the text
        item("Fighting near Pryozerne went on", ("Pryozerne",), "held", 3),
    )
    unrelated = briefing(item("Shelling in Lisnyky", ("Lisnyky",), "attacked"))
    reports = [
        report(may, date(2025, 5, 2), "Daily Wire Service", ref="#3"),
        report(unrelated, date(2025, 4, 20), "Nobody"),
        report(march, date(2025, 3, 9), "Kyiv Herald", ref="#1"),
        report(april, date(2025, 4, 1), None, published=False, ref="#2"),
    ]
    timeline = build_timeline("PRYOZERNE", reports)
    assert [(e.day.isoformat(), e.outlet, e.change) for e in timeline.entries] == [
        ("2025-03-09", "Kyiv Herald", "captured"),
        ("2025-04-01", "A report", "fighting"),  # no outlet: the title, as digests cite it
        ("2025-04-01", "A report", "withdrawal"),  # one article's items in reading order
        ("2025-05-02", "Daily Wire Service", "retaken"),
    ]
    assert [e.published for e in timeline.entries] == [True, False, False, True]
    assert [e.ref for e in timeline.entries] == ["#1", "#2", "#2", "#3"]
    assert timeline.place == "Pryozerne"  # as the reports spell it, not as typed
    assert (timeline.reports, timeline.omitted) == (3, 0)
    assert "Lisnyky" not in json.dumps([e.item.text for e in timeline.entries])


def test_only_the_most_recent_entries_are_kept_and_the_others_counted() -> None:
    reports = [
        report(
            briefing(item(f"Assault number {d} on Kamianka", ("Kamianka",), "attacked")),
            date(2025, 1, d),
        )
        for d in range(28, 0, -1)
    ]
    timeline = build_timeline("kamianka", reports, limit=25)
    assert len(timeline.entries) == 25 and timeline.omitted == 3
    assert timeline.entries[0].day == date(2025, 1, 4)
    assert timeline.entries[-1].day == date(2025, 1, 28)
    assert timeline.reports == 28


def test_no_report_naming_the_place_gives_an_empty_timeline() -> None:
    reports = [
        report(briefing(item("Shelling in Lisnyky", ("Lisnyky",), "attacked")), date.today())
    ]
    timeline = build_timeline("Atlantis", reports)
    assert timeline.entries == () and timeline.reports == 0
    assert timeline.place == "Atlantis"
    assert build_timeline("   ", reports).entries == ()


def test_names_place_is_the_one_article_filter() -> None:
    line = item("Drones struck the bridge at Zorya", ("Zorya district",))
    assert names_place(line, "zorya") and names_place(line, "ZORYA DISTRICT")
    assert names_place(line, "the bridge")  # in the text, as the article filter always did
    assert not names_place(line, "Lisnyky") and not names_place(line, "")


@pytest.mark.parametrize(
    ("event", "text", "words"),
    [
        ("seized", "Attackers captured the village", "captured"),
        ("seized", "The town fell to the attackers", "captured"),
        ("seized", "Troops took full control of the town", "captured"),
        ("seized", "Ukrainian units retook the village", "retaken"),
        ("seized", "The brigade liberated the hamlet", "retaken"),
        ("seized", "The garrison was encircled", "encircled"),
        ("seized", "The attackers now control most of the district", "control reported"),
        ("seized", "Russia is trying to retake the region", "bid to retake"),
        ("seized", "The town could fall within weeks", "bid to capture"),
        ("seized", "The attackers failed to take the bridge", "bid to capture"),
        ("seized", "Troops captured the village and will push on", "captured"),
        ("moved", "Commanders plan to advance in spring", "bid to advance"),
        ("moved", "Columns advanced three kilometers", "advance"),
        ("moved", "The defenders withdrew to the hills", "withdrawal"),
        ("moved", "Units pulled back across the river", "withdrawal"),
        ("moved", "Columns pushed toward the river", "advance"),
        ("moved", "Troops dug in along the ridge", "movement"),
        ("moved", "A counteroffensive began at dawn", "counterattack"),
        ("moved", "The defenders repelled the assault", "attack repelled"),
        ("attacked", "An assault on the station", "attack"),
        ("attacked", "Drones struck the depot", "strike"),
        ("held", "The defenders held their positions", "held"),
        ("held", "Fierce battles raged near the mine", "fighting"),
        ("scene", "The village, a small mining town, lies on the river", "background"),
        ("", "Something happened in the town", "reported"),
    ],
)
def test_each_change_is_said_in_words(event: FrontlineEvent, text: str, words: str) -> None:
    assert change_of(item(text, ("Somewhere",), event)) == words


def test_place_choices_most_reported_then_most_recent() -> None:
    newest = briefing(item("a", ("Lisnyky",)), item("b", ("Zorya",)))
    middle = briefing(item("c", ("Pryozerne",)), item("d", ("zorya",)), item("e", ("Zorya",)))
    oldest = briefing(item("f", ("Pryozerne",)), item("g", ("Kamianka",)))
    ranked = place_choices([newest, middle, oldest])
    # two reports each (most recent first), then one report each (most recent first)
    assert ranked == ["Zorya", "Pryozerne", "Lisnyky", "Kamianka"]
    assert place_choices([newest, middle, oldest], "ZO") == ["Zorya"]
    assert place_choices([newest, middle, oldest], "ka") == ["Kamianka"]
    assert place_choices([], "x") == []


def test_close_places_suggest_a_typo_fix() -> None:
    known = ["Pryozerne", "Kamianka", "Lisnyky"]
    assert close_places("Pryozerny", known) == ["Pryozerne"]
    assert close_places("kamyanka", known) == ["Kamianka"]
    assert close_places("Atlantis", known) == []


def test_rendered_history_within_limits_and_never_pings() -> None:
    hostile = "@everyone the **town** <@123> fell, ||spoiler|| [x](https://evil.invalid)"
    reports = [
        report(
            briefing(item(hostile + " near Zorya " + "word " * 90, ("Zorya",), "seized")),
            date(2025, 1, 1 + d % 28),
            "@here Outlet **bold**",
            url="https://news.invalid/a",
        )
        for d in range(60)
    ]
    timeline = build_timeline("Zorya", reports, limit=60)
    messages = Renderer().timeline_messages(timeline)
    assert len(messages) >= 2  # sixty long lines do not fit one message
    text = json.dumps([m.to_payload() for m in messages])
    for raw in ("@everyone", "@here", "<@123>", "**town**", "**bold**", "[x](https://evil"):
        assert raw not in text
    for m in messages:
        assert message_violations(m) == ()
    first = messages[0].embeds[0]
    assert first.title is not None and first.title.startswith("History of Zorya (60 reports")
    assert first.description is not None
    assert first.description.startswith(
        "- **2025-01-01** · [@\u200bhere Outlet \\*\\*bold\\*\\*](https://news"
    )
    assert "**captured**" in first.description


def test_rendered_history_says_how_many_older_entries_are_left_out() -> None:
    reports = [
        report(briefing(item("Kamianka was shelled", ("Kamianka",), "attacked")), date(2025, 2, d))
        for d in range(1, 11)
    ]
    (message,) = Renderer().timeline_messages(build_timeline("Kamianka", reports, limit=4))
    (embed,) = message.embeds
    assert embed.description is not None
    lines = embed.description.split("\n")
    assert lines[0] == "-# 6 older entries not shown: the 4 most recent follow."
    assert [ln.split("**")[1] for ln in lines[1:]] == [
        "2025-02-07",
        "2025-02-08",
        "2025-02-09",
        "2025-02-10",
    ]
    assert embed.footer == "6 older not shown"


def test_an_undated_report_says_when_it_was_stored() -> None:
    b = briefing(item("Kamianka was shelled", ("Kamianka",), "attacked"))
    timeline = build_timeline("Kamianka", [report(b, date(2025, 2, 3), published=False)])
    (message,) = Renderer().timeline_messages(timeline)
    assert message.embeds[0].description is not None
    assert message.embeds[0].description.startswith("- **added 2025-02-03** · *The Herald*")


def test_real_articles_give_a_sorted_history(shared_articles: Path) -> None:
    files = sorted(shared_articles.glob("*.txt"))[:6]
    reports = []
    for n, path in enumerate(files):
        b = distill(build_article(path.read_text(encoding="utf-8"), title=path.stem))
        reports.append(report(b, date(2025, 1, 1 + n), path.stem))
    places = place_choices([r.briefing for r in reversed(reports)])
    if not places:
        pytest.skip("no frontline places in the first shared articles")
    timeline = build_timeline(places[0], reports)
    assert timeline.entries
    assert [e.day for e in timeline.entries] == sorted(e.day for e in timeline.entries)
    assert all(names_place(e.item, places[0]) for e in timeline.entries)
    for m in Renderer().timeline_messages(timeline):
        assert message_violations(m) == ()


def test_a_query_naming_several_places_is_titled_as_asked() -> None:
    reports = [
        report(briefing(item("Kamianka was shelled", ("Kamianka",), "attacked")), date(2025, 2, 1)),
        report(briefing(item("Kupiansk was shelled", ("Kupiansk",), "attacked")), date(2025, 2, 2)),
    ]
    timeline = build_timeline("an", reports)
    assert timeline.place == "an" and len(timeline.entries) == 2
    assert build_timeline("kamianka", reports).place == "Kamianka"
    # Only a place named so exactly: "Kherson" matches "Kherson region", no history of it.
    assert build_timeline("kamia", reports).place == "kamia"


def test_a_partial_search_says_how_many_reports_were_read() -> None:
    reports = [
        report(briefing(item("Kamianka was shelled", ("Kamianka",), "attacked")), date(2025, 2, d))
        for d in range(1, 4)
    ]
    (message,) = Renderer().timeline_messages(build_timeline("Kamianka", reports, partial=True))
    assert message.embeds[0].footer == "searched the 3 most recent reports with frontline news"
    (message,) = Renderer().timeline_messages(
        build_timeline("Kamianka", reports, limit=1, partial=True)
    )
    assert message.embeds[0].footer == (
        "2 older not shown · searched the 3 most recent reports with frontline news"
    )
    (message,) = Renderer().timeline_messages(build_timeline("Kamianka", reports))
    assert message.embeds[0].footer is None
