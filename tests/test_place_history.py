"""``/frontline place:X``, a place's history, through the real command path: discord.py's
``CommandTree`` against the local fake Discord API and a real SQLite store; the same command in
``sitrep dry-run --command`` (a subprocess) on articles distilled from files."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from cli_run import sitrep
from discord_server import FakeDiscord, dispatch, interaction_payload
from test_bot_commands import TOKEN, callback, check_limits, make_config, run
from test_bot_commands import server as server

from bot.gateway.client import SitrepBot
from bot.store.articles import Store
from briefings import build_article
from briefings.model import ArticleMeta, Briefing, FrontlineEvent, FrontlineItem

EPHEMERAL = 64


async def store_report(
    bot: SitrepBot,
    title: str,
    outlet: str | None,
    published: date | None,
    *items: tuple[str, tuple[str, ...], FrontlineEvent],
) -> None:
    article = build_article(
        f"{title}: the body of a report of our own writing.",
        title=title,
        source=outlet,
        published=published,
        url=f"https://{(outlet or 'unnamed').lower().replace(' ', '-')}.invalid/{len(title)}",
    )
    frontline = tuple(
        FrontlineItem(text, places, (n,), event=event)
        for n, (text, places, event) in enumerate(items)
    )
    assert await bot.store.add_article(article, Briefing(ArticleMeta.of(article), frontline))


@pytest.fixture
async def bot(server: FakeDiscord, tmp_path: Path) -> AsyncIterator[SitrepBot]:
    b = SitrepBot(make_config(tmp_path))
    try:
        await b.login(TOKEN)
        # Stored in this order; published in another: the history goes by date.
        await store_report(
            b,
            "Village retaken after a week",
            "Kyiv Herald",
            date(2025, 6, 14),
            ("Ukrainian troops retook Pryozerne on Friday", ("Pryozerne",), "seized"),
        )
        await store_report(
            b,
            "Attackers take a river village",
            "Daily Wire Service",
            date(2025, 5, 30),
            ("Attacking units captured Pryozerne after heavy assaults", ("Pryozerne",), "seized"),
            ("Shelling hit the dam at Lisnyky", ("Lisnyky",), "attacked"),
        )
        await store_report(
            b,
            "Defenders pull back in the east",
            "Frontline Monitor",
            date(2025, 6, 2),
            ("Defenders withdrew from the outskirts of Pryozerne", ("Pryozerne",), "moved"),
        )
        # The latest article does not name the town at all.
        await store_report(
            b,
            "Talks about the harbor",
            "Evening Post",
            date(2025, 7, 1),
            ("Drones struck a depot near Zorya", ("Zorya",), "attacked"),
        )
        server.reset()
        yield b
    finally:
        await b.close()


async def test_place_history_lists_every_report_in_date_order(
    server: FakeDiscord,
    bot: SitrepBot,
) -> None:
    reqs = await run(server, bot, "frontline", place="pryozerne")
    payload = callback(reqs).payload
    check_limits(payload)
    assert not payload.get("flags", 0) & EPHEMERAL
    (embed,) = payload["embeds"]
    assert embed["title"] == "History of Pryozerne (3 reports, oldest first)"
    lines = embed["description"].split("\n")
    assert len(lines) == 3
    expected = [
        ("2025-05-30", "Daily Wire Service", "captured", "Attacking units captured Pryozerne"),
        ("2025-06-02", "Frontline Monitor", "withdrawal", "Defenders withdrew from the outskirts"),
        ("2025-06-14", "Kyiv Herald", "retaken", "Ukrainian troops retook Pryozerne"),
    ]
    for line, (day, outlet, change, text) in zip(lines, expected, strict=True):
        assert line.startswith(f"- **{day}** · [{outlet}](https://")
        assert f"· **{change}** — {text}" in line
    assert "Lisnyky" not in embed["description"] and "Zorya" not in embed["description"]


async def test_an_article_still_keeps_its_own_items(
    server: FakeDiscord,
    bot: SitrepBot,
) -> None:
    reqs = await run(server, bot, "frontline", place="pryozerne", article="river village")
    text = json.dumps(callback(reqs).payload["embeds"])
    assert "Frontline situation" in text and "History of" not in text
    assert "captured Pryozerne" in text
    assert "retook" not in text and "withdrew" not in text and "Lisnyky" not in text


async def test_an_unreported_place_gets_a_short_private_reply_with_close_names(
    server: FakeDiscord,
    bot: SitrepBot,
) -> None:
    payload = callback(await run(server, bot, "frontline", place="Pryozerny")).payload
    assert payload["flags"] & EPHEMERAL
    assert payload["content"] == (
        "No frontline item names 'Pryozerny' in any stored report. Close names: Pryozerne."
    )
    payload = callback(await run(server, bot, "frontline", place="Atlantis")).payload
    assert payload["flags"] & EPHEMERAL
    assert payload["content"].startswith("No frontline item names 'Atlantis' in any stored report.")
    assert "Pryozerne" in payload["content"]  # the places reported, to pick from


async def test_place_autocomplete_offers_places_of_every_stored_report(
    server: FakeDiscord,
    bot: SitrepBot,
) -> None:
    server.reset()
    await dispatch(bot, interaction_payload("frontline", {"place": ""}, focused="place"))
    values = [c["value"] for c in callback(server.requests).json["data"]["choices"]]
    # Named by three reports, then by one each, the most recently published first.
    assert values == ["Pryozerne", "Zorya", "Lisnyky"]
    server.reset()
    await dispatch(bot, interaction_payload("frontline", {"place": "pry"}, focused="place"))
    values = [c["value"] for c in callback(server.requests).json["data"]["choices"]]
    assert values == ["Pryozerne"]  # not in the latest article: offered all the same
    # With an article chosen, the places of that article only (as before).
    server.reset()
    options: dict[str, str | bool] = {"article": "harbor", "place": ""}
    await dispatch(bot, interaction_payload("frontline", options, focused="place"))
    values = [c["value"] for c in callback(server.requests).json["data"]["choices"]]
    assert values == ["Zorya"]


async def test_an_undated_report_is_dated_by_when_it_was_stored(
    server: FakeDiscord,
    bot: SitrepBot,
) -> None:
    await store_report(
        bot, "An undated dispatch", None, None, ("Fighting near Pryozerne", ("Pryozerne",), "held")
    )
    (stored,) = await bot.store.recent(1, "undated dispatch")
    reqs = await run(server, bot, "frontline", place="Pryozerne")
    description = callback(reqs).payload["embeds"][0]["description"]
    last = description.split("\n")[-1]  # stored today: after every 2025 report
    assert last.startswith(f"- **added {stored.added_at.date().isoformat()}** · [An undated")
    assert "**fighting** — Fighting near Pryozerne" in last


async def test_the_most_recent_25_entries_and_a_count_of_the_others(
    server: FakeDiscord,
    bot: SitrepBot,
) -> None:
    for day in range(1, 29):
        await store_report(
            bot,
            f"Daily report {day}",
            "Wire",
            date(2024, 2, day),
            (f"Assault {day} on Pryozerne", ("Pryozerne",), "attacked"),
        )
    reqs = await run(server, bot, "frontline", place="Pryozerne")
    payload = callback(reqs).payload
    check_limits(payload)
    description = "\n".join(e["description"] for e in payload["embeds"])
    lines = description.split("\n")
    # 31 entries: the 25 most recent (the last 22 daily ones, then the three of 2025)
    assert lines[0] == "-# 6 older entries not shown: the 25 most recent follow."
    assert len(lines) == 26
    assert lines[1].startswith("- **2024-02-07**") and "Assault 7 on" in lines[1]
    assert lines[-1].startswith("- **2025-06-14** · [Kyiv Herald]")
    assert payload["embeds"][-1]["footer"]["text"] == "6 older not shown"


async def test_a_history_read_from_the_most_recent_reports_only_says_so(
    server: FakeDiscord,
    bot: SitrepBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.commands.pipeline.FRONTLINE_SCAN", 3)
    reqs = await run(server, bot, "frontline", place="pryozerne")
    (embed,) = callback(reqs).payload["embeds"]
    # The three most recent: the harbor report, Kyiv Herald, Frontline Monitor; not the oldest.
    assert embed["title"] == "History of Pryozerne (2 reports, oldest first)"
    assert "Daily Wire Service" not in embed["description"]
    assert embed["footer"]["text"] == "searched the 3 most recent reports with frontline news"


async def test_the_store_reads_reports_with_frontline_news_most_recent_first(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    store = await Store.open(url)
    try:
        for n, day in enumerate((date(2025, 1, 3), date(2025, 1, 9), date(2025, 1, 5))):
            a = build_article(f"Report {n} of our own.", title=f"Report {n}", published=day)
            items = (FrontlineItem(f"Assault {n} on Zorya", ("Zorya",), (0,), event="attacked"),)
            await store.add_article(a, Briefing(ArticleMeta.of(a), items))
        quiet = build_article("Nothing at the front.", title="Quiet", published=date(2025, 2, 1))
        await store.add_article(quiet, Briefing(ArticleMeta.of(quiet)))
        first = await store.with_frontline()
        assert [a.title for a, _ in first] == ["Report 1", "Report 2", "Report 0"]
        assert [b.frontline[0].text for _, b in first] == [
            "Assault 1 on Zorya",
            "Assault 2 on Zorya",
            "Assault 0 on Zorya",
        ]
        assert [a.title for a, _ in await store.with_frontline(2)] == ["Report 1", "Report 2"]
    finally:
        await store.close()
    reopened = await Store.open(url)  # nothing cached: every briefing read from the database
    try:
        assert [(a.id, b) for a, b in await reopened.with_frontline()] == [
            (a.id, b) for a, b in first
        ]
    finally:
        await reopened.close()


REPORTS = {
    "one.txt": (
        "Herald of the Steppe",
        "2025-03-01",
        "Attacking units captured the village of Pryozerne on Monday after a week of assaults, "
        "the regional command said.\n",
    ),
    "two.txt": (
        "Wire Service",
        "2025-03-09",
        "Ukrainian troops retook Pryozerne on Thursday, pushing the attackers back across the "
        "river, officials said.\n",
    ),
}


def test_dry_run_gives_the_same_history(tmp_path: Path) -> None:
    entries = []
    for name, (outlet, published, text) in REPORTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        entries.append(
            f"[[articles]]\npath = '{name}'\nsource = '{outlet}'\npublished = {published}\n"
        )
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("[store]\nurl = 'sqlite:///dry.db'\n" + "".join(entries), encoding="utf-8")
    r = sitrep("dry-run", "--config", str(cfg), "--command", "/frontline place:pryozerne")
    assert r.returncode == 0, r.stderr
    assert "# History of Pryozerne (2 reports, oldest first)" in r.stdout
    first = r.stdout.index("- **2025-03-01** · *Herald of the Steppe* · **captured**")
    second = r.stdout.index("- **2025-03-09** · *Wire Service* · **retaken**")
    assert first < second
