"""Slash commands through discord.py's own machinery, against the local fake Discord API.

Real ``discord.Interaction`` objects are built from gateway payloads and dispatched through the
``CommandTree``; the assertions are on the JSON the server received.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import discord
import pytest
from discord_server import APP_ID, FakeDiscord, Recorded, dispatch, interaction_payload

from bot.config import load_config
from bot.gateway.client import UNEXPECTED, SitrepBot
from briefings import build_article
from briefings.model import (
    ArticleMeta,
    Briefing,
    ForceItem,
    FrontlineItem,
    PolicyItem,
    QuoteItem,
)

TOKEN = "test-token-must-never-be-logged"
EPHEMERAL = 64


def hostile_briefing(title: str, published: date, n: int = 1) -> tuple[Any, Briefing]:
    body = "\n".join(f"Paragraph {i} of {title} about the front." for i in range(12))
    article = build_article(body, title=title, published=published, url="https://example.invalid/a")
    q = [
        QuoteItem(
            "@everyone hold the line <@123456789>, **now**", "Anna Bell", "a commander", (1,)
        ),
        QuoteItem("We need shells ||spoiler|| `code`", "Bob Stone", None, (2,)),
        QuoteItem("Second thing Anna said", "Anna Bell", "a commander", (3,)),
    ]
    f = [
        ForceItem("outnumbered 4 to 1", "ratio", "4:1", (4,)),
        ForceItem("2 to 1 upriver", "ratio", "2:1", (4,)),
        ForceItem("some 8,000 troops", "troops", "8000", (5,)),
        ForceItem("300 killed and wounded a day", "casualties", "300/day", (6,)),
    ]
    fl = [
        FrontlineItem("Troops held Ostrivka <@&987> @here", ("Ostrivka",), (7,)),
        FrontlineItem("The enemy seized Berezove", ("Berezove",), (8,)),
    ]
    p = [PolicyItem("The minister approved new air defenses", ("Olena Kovalenko",), (9,))]
    meta = ArticleMeta.of(article)
    return article, Briefing(meta, tuple(fl) * n, tuple(f) * n, tuple(p) * n, tuple(q) * n)


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as s:
        monkeypatch.setattr(discord.http.Route, "BASE", s.api)
        yield s


def make_config(tmp_path: Path) -> Any:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("[store]\nurl = 'sqlite:///bot.db'\n", encoding="utf-8")
    return load_config(cfg, env={"DISCORD_TOKEN": TOKEN})


@pytest.fixture
async def bot(server: FakeDiscord, tmp_path: Path) -> AsyncIterator[SitrepBot]:
    b = SitrepBot(make_config(tmp_path))
    try:
        await b.login(TOKEN)
        older, older_b = hostile_briefing("Older report from the river", date(2024, 1, 5))
        await b.store.add_article(older, older_b)
        article, briefing = hostile_briefing("Bridgehead holds @everyone", date(2024, 11, 20))
        await b.store.add_article(article, briefing)
        server.reset()
        yield b
    finally:
        await b.close()


async def run(
    server: FakeDiscord, bot: SitrepBot, name: str, **options: str | bool
) -> list[Recorded]:
    server.reset()
    await dispatch(bot, interaction_payload(name, options))
    return [r for r in server.requests if r.method != "GET"]


def check_limits(payload: dict[str, Any]) -> None:
    mentions = payload["allowed_mentions"]
    assert mentions["parse"] == []
    assert not mentions.get("users") and not mentions.get("roles")
    assert not mentions.get("replied_user")
    assert len(payload.get("content") or "") <= 2000
    embeds = payload.get("embeds") or []
    assert len(embeds) <= 10
    total = 0
    for e in embeds:
        assert len(e.get("title", "")) <= 256
        assert len(e.get("description", "")) <= 4096
        assert len(e.get("fields", [])) <= 25
        for f in e.get("fields", []):
            assert len(f["name"]) <= 256 and len(f["value"]) <= 1024
        total += len(e.get("title", "")) + len(e.get("description", ""))
        total += len((e.get("footer") or {}).get("text", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
    assert total <= 6000
    text = json.dumps(payload)
    for raw in ("@everyone", "@here", "<@123456789>", "<@&987>"):
        assert raw not in text, f"{raw} reached Discord unneutralised"


def callback(reqs: list[Recorded]) -> Recorded:
    (cb,) = [r for r in reqs if r.path.endswith("/callback")]
    return cb


def followups(reqs: list[Recorded]) -> list[Recorded]:
    return [r for r in reqs if r.method == "POST" and f"/webhooks/{APP_ID}/" in r.path]


async def test_briefing_posts_every_section_within_limits(
    server: FakeDiscord, bot: SitrepBot
) -> None:
    reqs = await run(server, bot, "briefing")
    cb = callback(reqs)
    assert cb.json["type"] == 4
    payloads = [cb.payload] + [r.payload for r in followups(reqs)]
    embeds = [e for p in payloads for e in p.get("embeds", [])]
    assert len(embeds) >= 4
    titles = " ".join(e.get("title", "") for e in embeds)
    for p in payloads:
        check_limits(p)
        assert not (p.get("flags", 0) & EPHEMERAL)
    assert "Anna Bell" in json.dumps(payloads)
    assert titles


async def test_briefing_full_shows_every_item(server: FakeDiscord, bot: SitrepBot) -> None:
    def lines(reqs: list[Recorded]) -> int:
        payloads = [callback(reqs).payload] + [r.payload for r in followups(reqs)]
        for p in payloads:
            check_limits(p)
        text = "\n".join(e.get("description", "") for p in payloads for e in p["embeds"])
        return sum(1 for line in text.splitlines() if line.startswith(("- ", "> ")))

    article, briefing = hostile_briefing("Long report", date(2025, 1, 1), n=12)
    await bot.store.add_article(article, briefing)
    ranked = await run(server, bot, "briefing")
    full = await run(server, bot, "briefing", full=True)
    assert lines(full) > lines(ranked)
    assert "more: /briefing" not in json.dumps([r.payload for r in full])
    assert lines(await run(server, bot, "briefing", full=False)) == lines(ranked)


async def test_briefing_section_is_one_section(server: FakeDiscord, bot: SitrepBot) -> None:
    reqs = await run(server, bot, "briefing", section="quotes")
    payload = callback(reqs).payload
    check_limits(payload)
    text = json.dumps(payload["embeds"])
    assert "Anna Bell" in text and "Bob Stone" in text
    assert "Olena Kovalenko" not in text and "8,000" not in text


async def test_briefing_of_an_older_article(server: FakeDiscord, bot: SitrepBot) -> None:
    reqs = await run(server, bot, "briefing", section="quotes", article="older report")
    text = json.dumps(callback(reqs).payload)
    assert "Older report" in text


async def test_quotes_by_one_speaker(server: FakeDiscord, bot: SitrepBot) -> None:
    reqs = await run(server, bot, "quotes", speaker="anna bell")
    payload = callback(reqs).payload
    check_limits(payload)
    text = json.dumps(payload["embeds"])
    assert "Second thing Anna said" in text
    assert "We need shells" not in text


async def test_forces_defers_and_attaches_a_chart(server: FakeDiscord, bot: SitrepBot) -> None:
    reqs = await run(server, bot, "forces")
    assert callback(reqs).json["type"] == 5  # deferred: drawing takes real work
    (first, *_rest) = followups(reqs)
    assert first.files and first.files[0][1] == "forces.png"
    assert first.file_data["forces.png"].startswith(b"\x89PNG\r\n\x1a\n")
    payload = first.payload
    check_limits(payload)
    assert payload["attachments"] == [{"id": 0, "filename": "forces.png"}]
    images = [e.get("image", {}).get("url") for e in payload["embeds"]]
    assert "attachment://forces.png" in images
    assert "8,000" in json.dumps(payload["embeds"]) or "8000" in json.dumps(payload["embeds"])


async def test_frontline_by_place_and_policy(server: FakeDiscord, bot: SitrepBot) -> None:
    reqs = await run(server, bot, "frontline", place="berez")
    text = json.dumps(callback(reqs).payload["embeds"])
    assert "Berezove" in text and "Ostrivka" not in text
    reqs = await run(server, bot, "policy")
    payload = callback(reqs).payload
    check_limits(payload)
    assert "air defenses" in json.dumps(payload["embeds"])


async def test_sources_lists_articles_most_recent_first(
    server: FakeDiscord, bot: SitrepBot
) -> None:
    reqs = await run(server, bot, "sources")
    payload = callback(reqs).payload
    check_limits(payload)
    description = payload["embeds"][0]["description"]
    assert description.index("Bridgehead") < description.index("Older report")
    assert "2024-11-20" in description and "quotes 3" in description and "forces 4" in description


async def test_help_is_one_ephemeral_embed_naming_every_command(
    server: FakeDiscord, bot: SitrepBot
) -> None:
    reqs = await run(server, bot, "help")
    payload = callback(reqs).payload
    assert payload["flags"] & EPHEMERAL
    (embed,) = payload["embeds"]
    names = " ".join(f["name"] for f in embed["fields"])
    for command in ("/briefing", "/quotes", "/forces", "/frontline", "/policy", "/sources"):
        assert command in names
    # The extensions' commands are listed too: a user finds /subscribe and /source from /help.
    for command in ("/subscribe", "/unsubscribe", "/subscriptions", "/preview", "/source add"):
        assert command in names
    assert "/ingest" in names


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("briefing", {"article": "xyz"}, "No article matches 'xyz'. Try /sources."),
        ("briefing", {"section": "weather"}, "Unknown section 'weather'"),
        ("briefing", {"full": "maybe"}, "full is true or false, not 'maybe'"),
        ("quotes", {"speaker": "Nobody Atall"}, "Nobody named 'Nobody Atall' is quoted"),
        ("frontline", {"place": "Atlantis"}, "No frontline item names 'Atlantis'"),
        ("policy", {"article": "@everyone <@1> nothing"}, "No article matches"),
    ],
)
async def test_wrong_arguments_get_a_short_ephemeral_reply(
    server: FakeDiscord, bot: SitrepBot, name: str, options: dict[str, str], expected: str
) -> None:
    reqs = await run(server, bot, name, **options)
    payload = callback(reqs).payload
    assert payload["flags"] & EPHEMERAL
    assert expected in payload["content"]
    assert "embeds" not in payload or not payload["embeds"]
    check_limits(payload)


async def test_wrong_argument_after_defer_stays_private(
    server: FakeDiscord, bot: SitrepBot
) -> None:
    reqs = await run(server, bot, "forces", article="xyz")
    assert callback(reqs).json["type"] == 5
    assert any(r.method == "DELETE" and r.path.endswith("/messages/@original") for r in reqs)
    (follow,) = followups(reqs)
    assert follow.payload["flags"] & EPHEMERAL
    assert "No article matches 'xyz'" in follow.payload["content"]


async def test_unexpected_errors_reach_one_handler(
    server: FakeDiscord, bot: SitrepBot, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    async def broken(article_id: int) -> Briefing:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.store, "briefing", broken)
    with caplog.at_level(logging.INFO):
        reqs = await run(server, bot, "policy")
    payload = callback(reqs).payload
    assert payload["flags"] & EPHEMERAL
    assert payload["content"] == UNEXPECTED
    assert "database on fire" not in json.dumps(payload)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert "/policy" in errors[0].getMessage()


async def test_one_log_line_per_command_and_no_token(
    server: FakeDiscord, bot: SitrepBot, caplog: Any
) -> None:
    with caplog.at_level(logging.DEBUG):
        await run(server, bot, "quotes", speaker="Bob Stone")
        await run(server, bot, "sources")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.gateway.client"]
    assert len([x for x in lines if x.startswith("command /quotes speaker:Bob Stone")]) == 1
    assert len([x for x in lines if x.startswith("command /sources")]) == 1
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


async def test_autocomplete_articles_speakers_and_places(
    server: FakeDiscord, bot: SitrepBot
) -> None:
    server.reset()
    await dispatch(bot, interaction_payload("briefing", {"article": ""}, focused="article"))
    cb = callback(server.requests)
    assert cb.json["type"] == 8
    choices = cb.json["data"]["choices"]
    assert [c["name"] for c in choices] == [
        "Bridgehead holds @everyone (2024-11-20)",
        "Older report from the river (2024-01-05)",
    ]
    # The value autocomplete gives resolves to that very article.
    reqs = await run(server, bot, "briefing", section="quotes", article=choices[1]["value"])
    assert "Older report" in json.dumps(callback(reqs).payload)

    server.reset()
    await dispatch(bot, interaction_payload("quotes", {"speaker": "bo"}, focused="speaker"))
    assert [c["value"] for c in callback(server.requests).json["data"]["choices"]] == ["Bob Stone"]
    server.reset()
    await dispatch(bot, interaction_payload("frontline", {"place": "ost"}, focused="place"))
    assert [c["value"] for c in callback(server.requests).json["data"]["choices"]] == ["Ostrivka"]


async def test_long_briefings_split_across_messages(server: FakeDiscord, bot: SitrepBot) -> None:
    article, briefing = hostile_briefing("Enormous report", date(2025, 1, 1), n=200)
    await bot.store.add_article(article, briefing)
    reqs = await run(server, bot, "quotes")
    payloads = [callback(reqs).payload] + [r.payload for r in followups(reqs)]
    assert len(payloads) >= 2
    for p in payloads:
        check_limits(p)


async def test_restart_reopens_the_same_store_without_rereading(
    server: FakeDiscord, tmp_path: Path, caplog: Any
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    fixtures = Path(__file__).resolve().parent / "fixtures" / "bot"
    for f in fixtures.glob("*.txt"):
        (folder / f.name).write_bytes(f.read_bytes())
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("[store]\nurl = 'sqlite:///bot.db'\n[sources]\nfolders = ['articles']\n")
    config = load_config(cfg, env={"DISCORD_TOKEN": TOKEN})
    first = SitrepBot(config)
    await first.login(TOKEN)
    assert await first.store.count() == 3
    await first.close()

    with caplog.at_level(logging.INFO, logger="bot.store.articles"):
        second = SitrepBot(config)
        await second.login(TOKEN)
    try:
        assert await second.store.count() == 3
        assert not [r for r in caplog.records if "article added" in r.getMessage()]
        reqs = await run(server, second, "sources")
        assert "Ceasefire Talks Stall" in callback(reqs).payload["embeds"][0]["description"]
    finally:
        await second.close()


async def test_hostile_article_file_never_pings_in_any_command(
    server: FakeDiscord, tmp_path: Path
) -> None:
    fixtures = Path(__file__).resolve().parent / "fixtures" / "bot"
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        f"[store]\nurl = 'sqlite:///h.db'\n[sources]\nfiles = ['{fixtures / 'hostile.txt'}']\n"
    )
    b = SitrepBot(load_config(cfg, env={}))
    try:
        await b.login(TOKEN)
        for name in ("briefing", "quotes", "forces", "frontline", "policy", "sources"):
            reqs = await run(server, b, name)
            payloads = [r.payload for r in reqs if r.json and r.method == "POST"]
            assert payloads, name
            for p in payloads:
                if p:
                    check_limits(p)
            if name in ("briefing", "sources"):
                assert "Ridge" in json.dumps(payloads)  # the hostile title is shown, defused
    finally:
        await b.close()


async def test_unexpected_error_after_a_deferral_stays_private(
    server: FakeDiscord, bot: SitrepBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.commands.pipeline as commands

    def broken(*args: object) -> bytes:
        raise RuntimeError("chart exploded")

    monkeypatch.setattr(commands, "forces_chart", broken)
    monkeypatch.setattr(commands, "_charts", {})
    reqs = await run(server, bot, "forces")
    assert callback(reqs).json["type"] == 5
    assert any(r.method == "DELETE" for r in reqs)  # the public "thinking…" message goes
    (follow,) = followups(reqs)
    assert follow.payload["flags"] & EPHEMERAL and follow.payload["content"] == UNEXPECTED


async def test_unexpected_error_after_a_reply_keeps_the_reply(
    server: FakeDiscord, bot: SitrepBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.gateway.client as client

    real = client.reply
    failed: list[bool] = []

    async def reply_then_fail(interaction: Any, messages: Any, *, deferred: bool = False) -> None:
        await real(interaction, messages[:1], deferred=deferred)
        if not failed:
            failed.append(True)
            raise RuntimeError("followup failed")

    monkeypatch.setattr(client, "reply", reply_then_fail)
    reqs = await run(server, bot, "policy")
    assert not any(r.method == "DELETE" for r in reqs)
    assert [r.payload.get("flags", 0) & EPHEMERAL for r in reqs if r.method == "POST"] == [0, 64]


async def test_speaker_autocomplete_follows_the_chosen_article(
    server: FakeDiscord, bot: SitrepBot
) -> None:
    a = build_article("Another article body.", title="Harbor talks", published=date(2020, 1, 1))
    quotes = (QuoteItem("We will not trade the harbor", "Adrian Volk", "president", (0,)),)
    await bot.store.add_article(a, Briefing(ArticleMeta.of(a), quotes=quotes))
    server.reset()
    options = {"article": "harbor", "speaker": ""}
    await dispatch(bot, interaction_payload("quotes", options, focused="speaker"))
    choices = callback(server.requests).json["data"]["choices"]
    assert [c["value"] for c in choices] == ["Adrian Volk"]


async def test_an_empty_store_says_so(server: FakeDiscord, tmp_path: Path) -> None:
    b = SitrepBot(make_config(tmp_path))
    try:
        await b.login(TOKEN)
        for name in ("briefing", "quotes", "frontline", "policy"):
            payload = callback(await run(server, b, name)).payload
            assert payload["flags"] & EPHEMERAL
            assert "No articles are loaded yet" in payload["content"]
        payload = callback(await run(server, b, "sources")).payload
        assert "No articles are loaded yet" in payload["content"]
        server.reset()
        await dispatch(b, interaction_payload("quotes", {"speaker": ""}, focused="speaker"))
        assert callback(server.requests).json["data"]["choices"] == []
    finally:
        await b.close()
