"""Every slash command with any arguments, through discord.py's command tree against the local
fake Discord (issue 10): whatever the length, the characters (controls, bidi, NUL, lone
surrogates) or the size of a number, the reply is within Discord's limits and is never the
generic "something went wrong" answer, and no control or bidi character typed is echoed.
Autocompletes likewise answer within Discord's limits.

Hypothesis draws the arguments; the commands and their options come from the tree itself, so a
command added later is covered without a change here. Nothing leaves 127.0.0.1: host names do
not resolve (``socket.getaddrinfo`` is replaced for the test).
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands
from discord_server import FakeDiscord, dispatch, interaction_payload
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_untrusted_text import FORBIDDEN, payload_texts

from bot.config import load_config
from bot.gateway.client import UNEXPECTED, SitrepBot
from briefings import build_article, limits

ARTICLE = (
    'Troops held the bridgehead near Kel on Tuesday. "We will not give up this bank," said Anna '
    "Bell, a company commander. About 1,200 soldiers took part, outnumbering the defenders "
    "three to one."
)

# Text of any kind, the hostile made frequent; numbers of any size, as ids or "#ids".
_hostile = st.sampled_from(
    ["\x00", "\x1b[2J", "\u202e", "\u2066", "\ud800", "\ufeff", "@everyone", "<@1>", "\n", "²"]
)
_digits = st.integers(min_value=-(2**70), max_value=2**70).map(str) | st.text(
    "0123456789", max_size=30
)
_text = st.one_of(
    st.text(max_size=50),
    st.lists(st.text(max_size=20) | _hostile, max_size=10).map("".join),
    st.text(max_size=7000),  # past every limit Discord would let a user type, on purpose
    _digits,
    _digits.map(lambda d: "#" + d),
    _digits.map(lambda d: f"<#{d}>"),
    _digits.flatmap(lambda d: st.sampled_from(["h", "d", "m", "s", " * * * *"]).map(d.__add__)),
    st.sampled_from(["every 6h", "daily 08:00", "0 8 * * *", "Europe/Kyiv", "quotes, forces"]),
    st.sampled_from(["frontline", "Kel", "Anna Bell", "#1", "24h", "https://a..b/f", "ftp://x"]),
)
MANAGE_GUILD = 1 << 5
_channel = st.integers(min_value=-(2**65), max_value=2**65)


def _commands(bot: SitrepBot) -> list[tuple[str, str | None, list[app_commands.Parameter]]]:
    """(command, subcommand, parameters) for every slash command of the bot's tree."""
    out: list[tuple[str, str | None, list[app_commands.Parameter]]] = []
    for command in bot.tree.get_commands():
        if isinstance(command, app_commands.Group):
            for sub in command.commands:
                assert isinstance(sub, app_commands.Command)
                out.append((command.name, sub.name, sub.parameters))
        else:
            assert isinstance(command, app_commands.Command)
            out.append((command.name, None, command.parameters))
    return out


def _option(param: app_commands.Parameter, value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The option as Discord sends it, and what goes under ``resolved``."""
    if param.type is discord.AppCommandOptionType.channel:
        cid = str(value)
        channel = {"id": cid, "type": 0, "name": "news", "permissions": "0"}
        return {"name": param.name, "type": 7, "value": cid}, {"channels": {cid: channel}}
    if param.type is discord.AppCommandOptionType.boolean:
        return {"name": param.name, "type": 5, "value": bool(value)}, {}
    return {"name": param.name, "type": 3, "value": value}, {}


def _payload(
    name: str, sub: str | None, options: list[dict[str, Any]], resolved: dict[str, Any]
) -> dict[str, Any]:
    payload = interaction_payload(name)
    payload["member"]["permissions"] = str(MANAGE_GUILD)  # the commands that change state too
    if sub is not None:
        options = [{"name": sub, "type": 1, "options": options}]
    payload["data"]["options"] = options
    if resolved:
        payload["data"]["resolved"] = resolved
    return payload


def _violations(payload: dict[str, Any]) -> list[str]:
    """What in one message payload breaks Discord's limits."""
    found = []
    if len(payload.get("content") or "") > limits.CONTENT:
        found.append(f"content of {len(payload['content'])}")
    embeds = payload.get("embeds") or []
    if len(embeds) > limits.EMBEDS:
        found.append(f"{len(embeds)} embeds")
    total = 0
    for e in embeds:
        sizes = {
            "title": (len(e.get("title") or ""), limits.EMBED_TITLE),
            "description": (len(e.get("description") or ""), limits.EMBED_DESCRIPTION),
            "footer": (len((e.get("footer") or {}).get("text") or ""), 2048),
            "author": (len((e.get("author") or {}).get("name") or ""), 256),
            "fields": (len(e.get("fields") or []), 25),
        }
        for f in e.get("fields") or []:
            sizes["field name"] = (len(f.get("name") or ""), 256)
            sizes["field value"] = (len(f.get("value") or ""), 1024)
            total += len(f.get("name") or "") + len(f.get("value") or "")
        total += sum(sizes[k][0] for k in ("title", "description", "footer", "author"))
        found += [f"{k} of {n}" for k, (n, most) in sizes.items() if n > most]
    if total > limits.EMBED_TOTAL:
        found.append(f"embeds of {total} in all")
    return found


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No host name resolves but the loopback's: nothing is fetched from outside."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in ("127.0.0.1", "localhost"):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "not resolved in the tests")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def running(
    tmp_path: Path, offline: None
) -> Iterator[tuple[asyncio.Runner, FakeDiscord, SitrepBot]]:
    """The bot logged in to the fake Discord, with one stored article, on a loop of its own
    (Hypothesis calls the test function once per example)."""
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        "[store]\nurl = 'sqlite:///s.db'\n[fetch]\nretries = 0\ntimeout_seconds = 2\n", "utf-8"
    )
    with asyncio.Runner() as runner:
        server = FakeDiscord()
        runner.run(server.__aenter__())
        base = discord.http.Route.BASE
        discord.http.Route.BASE = server.api
        bot = SitrepBot(load_config(cfg, env={"DISCORD_TOKEN": "t"}))
        try:
            runner.run(bot.login("t"))
            article = build_article(ARTICLE, title="Bridgehead", published=date.today())
            runner.run(bot.store.add_article(article))
            yield runner, server, bot
        finally:
            runner.run(bot.close())
            runner.run(server.__aexit__(None, None, None))
            discord.http.Route.BASE = base


def _ask(
    runner: asyncio.Runner, server: FakeDiscord, bot: SitrepBot, payload: dict[str, Any]
) -> list[dict[str, Any]]:
    """Dispatch ``payload``; every message the bot sent for it (callbacks, followups, edits)."""
    server.reset()
    runner.run(dispatch(bot, payload))
    sent = [
        r
        for r in server.requests
        if r.method in ("POST", "PATCH")
        and (r.path.endswith("/callback") or "/webhooks/" in r.path)
    ]
    assert sent, "no answer at all"
    return [r.json if r.path.endswith("/callback") else r.payload for r in sent]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_arguments_get_a_reply_within_discords_limits_and_never_the_generic_error(
    running: tuple[asyncio.Runner, FakeDiscord, SitrepBot], data: st.DataObject
) -> None:
    runner, server, bot = running
    name, sub, params = data.draw(st.sampled_from(_commands(bot)), label="command")
    options, resolved = [], {}
    for param in params:
        if not param.required and not data.draw(st.booleans(), label=f"give {param.name}"):
            continue
        if param.type is discord.AppCommandOptionType.channel:
            value: Any = data.draw(_channel, label=param.name)
        elif param.type is discord.AppCommandOptionType.boolean:
            value = data.draw(st.booleans(), label=param.name)
        else:
            value = data.draw(_text, label=param.name)
        option, more = _option(param, value)
        options.append(option)
        resolved.update(more)
    for answer in _ask(runner, server, bot, _payload(name, sub, options, resolved)):
        message = answer.get("data") or {} if "type" in answer else answer
        text = json.dumps(message, ensure_ascii=False)
        assert UNEXPECTED not in text, (name, sub, options)
        for shown in payload_texts(message):  # nothing typed reorders or breaks the reply
            assert not FORBIDDEN.search(shown), (ascii(shown)[:300], name, sub)
        assert not _violations(message), (_violations(message), name, sub)
        assert (message.get("allowed_mentions") or {"parse": []}).get("parse") == []


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_text_typed_into_an_autocomplete_gets_choices_within_discords_limits(
    running: tuple[asyncio.Runner, FakeDiscord, SitrepBot], data: st.DataObject
) -> None:
    runner, server, bot = running
    completing = [  # (the source subcommands complete nothing)
        (name, p.name) for name, sub, params in _commands(bot) for p in params if p.autocomplete
    ]
    name, option = data.draw(st.sampled_from(completing), label="option")
    typed = data.draw(_text, label="typed")
    payload = interaction_payload(name, {option: typed}, focused=option)
    (answer,) = _ask(runner, server, bot, payload)
    assert answer["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    choices = answer["data"]["choices"]
    assert len(choices) <= 25
    for c in choices:
        assert 1 <= len(c["name"]) <= 100 and len(str(c["value"])) <= 100, c


NINES = "9" * 30
LONG_HOST = "https://" + "a" * 5000 + ".example/f"
ISSUE_CASES = [
    # (command, subcommand, options, the one private reply); a channel option is an int
    ("briefing", None, {"article": "#" + NINES}, f"No article matches '\\#{NINES}'. Try /sources."),
    ("briefing", None, {"article": "#\u00b2"}, "No article matches '\\#²'. Try /sources."),
    (
        "quotes",
        None,
        {"speaker": "Nobody\ud800\u202e"},
        "Nobody named 'Nobody' is quoted in 'Bridgehead'. Speakers: Anna Bell.",
    ),
    (
        "subscribe",
        None,
        {"channel": 2**63},
        "Not a channel: '9223372036854775808'. A channel id is a positive number below 2^63.",
    ),
    ("subscribe", None, {"channel": 0}, "Not a channel: '0'. A channel id is a positive number"),
    (
        "subscribe",
        None,
        {"schedule": "0 8 * * \u00b2"},
        "Cannot read the schedule '0 8 * * ²': unknown day of week '²'.",
    ),
    (
        "subscribe",
        None,
        {"schedule": "daily 08:00 " * 499},
        "The schedule is too long (5,987 characters; at most 200).",
    ),
    ("preview", None, {"channel": 2**63}, "Not a channel: '9223372036854775808'."),
    (
        "unsubscribe",
        None,
        {"subscription": "#" + NINES},
        f"Not a subscription number: '\\#{NINES}'. See /subscriptions.",
    ),
    ("source", "add", {"url": LONG_HOST}, ": the host name is too long (5,008 characters)"),
    (
        "source",
        "add",
        {"url": "https://a.example/f", "interval": "99999999999999999999d"},
        "The interval '99999999999999999999d' is too long: at most 30d.",
    ),
    ("source", "remove", {"source": "#" + NINES}, "Name the source by its #number"),
    ("ingest", None, {"url": LONG_HOST}, "Could not fetch it: the host name is too long (5,008"),
]


@pytest.mark.parametrize(
    ("name", "sub", "options", "expected"),
    ISSUE_CASES,
    ids=[f"{c[0]} {c[1] or ''} {next(iter(c[2]))}" for c in ISSUE_CASES],
)
def test_issue_10s_wrong_arguments_get_one_private_line(
    running: tuple[asyncio.Runner, FakeDiscord, SitrepBot],
    name: str,
    sub: str | None,
    options: dict[str, Any],
    expected: str,
) -> None:
    runner, server, bot = running
    params = {p.name: p for c, s, ps in _commands(bot) if (c, s) == (name, sub) for p in ps}
    given, resolved = [], {}
    for key, value in options.items():
        option, more = _option(params[key], value)
        given.append(option)
        resolved.update(more)
    answers = _ask(runner, server, bot, _payload(name, sub, given, resolved))
    shown = [a.get("data") or {} if "type" in a else a for a in answers]
    (reply,) = [m for m in shown if m.get("content")]  # one reply (a deferral shows nothing)
    assert reply["flags"] & 64  # private
    content = reply["content"]
    assert "\n" not in content and len(content) <= limits.CONTENT
    assert content == expected or content.endswith(expected) or content.startswith(expected)
