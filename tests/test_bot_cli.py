"""``sitrep dry-run --command`` end to end (subprocess), ``sitrep run`` without a token, and
``sync-commands`` against the local fake Discord API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from cli_run import SITREP, clean_env, sitrep
from discord_server import APP_ID, GUILD_ID, FakeDiscord
from test_store import postgres_url  # noqa: F401  (the throwaway PostgreSQL server)

from bot.commands.pipeline import SPEC_BY_NAME
from bot.commands.subscription_commands import SUBSCRIPTION_SPECS
from bot.config import load_config
from bot.runner import sync_commands_async

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bot"


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    (folder / "articles").mkdir()
    for f in FIXTURES.glob("*.txt"):
        (folder / "articles" / f.name).write_bytes(f.read_bytes())
    cfg = folder / "sitrep.toml"
    cfg.write_text(
        "[store]\nurl = 'sqlite:///cli.db'\n[sources]\nfolders = ['articles']\n"
        "[[articles]]\npath = 'articles/river_crossing.txt'\npublished = 2030-01-01\n",
        encoding="utf-8",
    )
    return cfg


@pytest.mark.parametrize(
    "command",
    ["/briefing", "/briefing section:frontline", "/quotes", "/frontline", "/policy", "/sources"],
)
def test_dry_run_command_on_the_demo_article(command: str) -> None:
    r = sitrep("dry-run", "--command", command)
    assert r.returncode == 0, r.stderr
    assert "===== message 1 of" in r.stdout
    assert "----- embed 1 of" in r.stdout
    assert r.stderr == ""


def test_dry_run_reads_as_text_not_discord_markup() -> None:
    r = sitrep("dry-run")
    assert r.returncode == 0, r.stderr
    assert "<t:" not in r.stdout
    assert re.search(r"posted \d{4}-\d\d-\d\d \d\d:\d\d UTC", r.stdout), r.stdout[:400]


def test_dry_run_forces_writes_the_chart(tmp_path: Path) -> None:
    r = sitrep("dry-run", "--command", "/forces", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "[attachment: forces.png" in r.stdout
    assert f"attachment written: {tmp_path / 'forces.png'}" in r.stdout
    assert (tmp_path / "forces.png").read_bytes().startswith(b"\x89PNG")


def test_dry_run_json_is_the_exact_payload(configured: Path, tmp_path: Path) -> None:
    r = sitrep("dry-run", "--config", str(configured), "--command", "/help", "--json")
    assert r.returncode == 0, r.stderr
    (payload,) = json.loads(r.stdout)
    assert payload["flags"] == 64
    assert payload["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert payload["embeds"][0]["fields"][0]["name"].startswith("/briefing")


def test_dry_run_with_a_configuration_uses_its_articles(configured: Path) -> None:
    r = sitrep("dry-run", "--config", str(configured), "--command", "/sources")
    assert r.returncode == 0, r.stderr
    assert "Defenders Hold the Bridgehead" in r.stdout
    assert r.stdout.index("Defenders Hold") < r.stdout.index("Ceasefire Talks")  # 2030 first
    r = sitrep("dry-run", "--config", str(configured), "--command", "/briefing article:ceasefire")
    assert r.returncode == 0, r.stderr
    assert "Ceasefire Talks Stall" in r.stdout


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/briefing article:xyz", "No article matches 'xyz'. Try /sources."),
        ("/briefing article:#" + "9" * 25, "No article matches '\\#9999999999"),
        ("/briefing article:#\u00b2", "No article matches '\\#²'. Try /sources."),  # not int
        (
            "/subscribe channel:123456789012345678 schedule:0 8 * * \u00b2",
            "Cannot read the schedule '0 8 * * ²': unknown day of week '²'.",
        ),
        ("/subscribe channel:0", "Not a channel: '0'. A channel id is a positive number"),
        ("/subscribe channel:9223372036854775808", "Not a channel: '9223372036854775808'."),
        (
            "/subscribe channel:123456789012345678 schedule:" + "daily 08:00 " * 500,
            "The schedule is too long",
        ),
        ("/briefing section:weather", "Unknown section 'weather'"),
        ("/quotes speaker:Nobody Atall", "Nobody named 'Nobody Atall' is quoted"),
        ("/frontline place:Atlantis", "No frontline item names 'Atlantis'"),
        ("/teleport", "Unknown command /teleport"),
        ("/quotes speeker:x", "Unknown option 'speeker' for /quotes"),
        ("/sources extra:1", "/sources takes no options"),
        ("", "Not a command"),
    ],
)
def test_dry_run_bad_commands_exit_2_with_one_line(command: str, expected: str) -> None:
    r = sitrep("dry-run", "--command", command)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--command", "/help", "--until", "2030-01-02T00:00Z"),
            "dry-run: --command and --until do not go together",
        ),
        (("--command", "/help", "--fast"), "dry-run: --command and --fast do not go together"),
        (("--json",), "dry-run: --json only applies with --command"),
        (("--out", "charts"), "dry-run: --out only applies with --command"),
        (("--until", "2030-01-02T00:00Z", "--json"), "dry-run: --json only applies with --command"),
    ],
)
def test_dry_run_conflicting_or_useless_flags_exit_2_with_one_line(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    r = sitrep("dry-run", *args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"sitrep: {expected}"), line
    assert not (tmp_path / "charts").exists()


def test_dry_run_bad_configuration_exits_2_naming_file_and_key(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[render]\nsectoins = ['quotes']\n")
    r = sitrep("dry-run", "--config", str(cfg), "--command", "/help")
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert str(cfg.resolve()) in line and "[render] sectoins" in line


@pytest.mark.parametrize(
    ("listing", "key"),
    [
        ("[sources]\nfiles = ['articles/gone.txt']\n", "[sources] files"),
        ("[[articles]]\npath = 'articles/gone.txt'\n", "[[articles]] path"),
    ],
)
@pytest.mark.parametrize("command", [[], ["--command", "/sources"]])
def test_a_listed_file_that_is_not_there_is_named(
    tmp_path: Path, listing: str, key: str, command: list[str]
) -> None:
    # Another article is there, so the mistake cannot hide behind "no articles loaded".
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "here.txt").write_bytes((FIXTURES / "river_crossing.txt").read_bytes())
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        "[store]\nurl = 'sqlite:///s.db'\n" + listing + "[[articles]]\npath = 'articles/here.txt'\n"
    )
    r = sitrep("dry-run", "--config", str(cfg), *command, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    gone = tmp_path.resolve() / "articles" / "gone.txt"
    assert line == f"sitrep: {cfg.resolve()}: {key}: {gone}: no such file"


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 10_000 + "]" * 10_000,  # too deep for tomllib's recursive parser
        "[sources]\nfiles = " + "{b = " * 450 + "1" + "}" * 450,  # parsed, but deep for the checks
        "[render]\nsections = " + "[" * 16 + "]" * 16,  # 17 levels with [render]: one too many
    ],
)
def test_a_deeply_nested_configuration_exits_2_with_one_line(tmp_path: Path, text: str) -> None:
    cfg = tmp_path / "deep.toml"
    cfg.write_text(text + "\n")
    r = sitrep("dry-run", "--config", str(cfg), "--command", "/help")
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    assert line == f"sitrep: {cfg}: arrays or tables nested too deeply (at most 16 levels)"


def test_sixteen_levels_are_checked_as_usual(tmp_path: Path) -> None:
    cfg = tmp_path / "deep.toml"
    cfg.write_text("[render]\nsections = " + "[" * 15 + "]" * 15 + "\n")
    r = sitrep("dry-run", "--config", str(cfg), "--command", "/help")
    assert r.returncode == 2, r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert "[render] sections: must be a list" in line and "nested" not in line


def test_run_without_a_token_exits_2(tmp_path: Path) -> None:
    r = sitrep("run", cwd=tmp_path)
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert "DISCORD_TOKEN is not set" in line


def test_distill_does_not_import_discord() -> None:
    code = (
        "import sys; from bot import cli; "
        "cli.build_parser(); print('discord' in sys.modules, 'sqlalchemy' in sys.modules)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["False", "False"], r.stderr


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as s:
        monkeypatch.setattr(discord.http.Route, "BASE", s.api)
        yield s


async def test_sync_commands_to_a_guild(server: FakeDiscord, tmp_path: Path) -> None:
    cfg = tmp_path / "s.toml"
    cfg.write_text("[store]\nurl = 'sqlite:///s.db'\n")
    done = await sync_commands_async(load_config(cfg, env={}), [GUILD_ID], token="t")
    assert done == [f"guild {GUILD_ID}: 13 commands"]
    (req,) = server.calls("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    by_name = {c["name"]: c for c in req.json}
    assert sorted(by_name) == sorted(
        [*SPEC_BY_NAME, *(s.name for s in SUBSCRIPTION_SPECS), "source", "ingest"]
    )
    assert {o["name"] for o in by_name["source"]["options"]} == {"add", "list", "remove"}
    options = {o["name"]: o for o in by_name["briefing"]["options"]}
    assert options["article"]["autocomplete"] is True
    assert [c["value"] for c in options["section"]["choices"]] == [
        "frontline",
        "forces",
        "policy",
        "quotes",
    ]
    assert {o["name"] for o in by_name["quotes"]["options"]} == {"speaker", "article"}
    assert not (tmp_path / "s.db").exists()  # syncing opens no store


async def test_sync_commands_globally(server: FakeDiscord, tmp_path: Path) -> None:
    cfg = tmp_path / "s.toml"
    cfg.write_text("")
    done = await sync_commands_async(load_config(cfg, env={}), [], token="t")
    assert done[0].startswith("global: 13 commands")
    assert server.calls("PUT", f"/applications/{APP_ID}/commands")


def test_run_with_a_refused_token_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import threading

    from bot.runner import run
    from briefings.errors import ConfigError

    loop = asyncio.new_event_loop()
    server = FakeDiscord()
    loop.run_until_complete(server.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        server.fail_next("/users/@me", (401, {"message": "401: Unauthorized", "code": 0}))
        monkeypatch.setattr(discord.http.Route, "BASE", server.api)
        monkeypatch.setenv("DISCORD_TOKEN", "refused-token")
        monkeypatch.delenv("SITREP_DISCORD_URL", raising=False)  # the fake set above, not another
        cfg = tmp_path / "s.toml"
        cfg.write_text("[store]\nurl = 'sqlite:///s.db'\n")
        with pytest.raises(ConfigError, match="refused the token"):
            run(str(cfg))
        assert server.requests[0].path == "/api/v10/users/@me"
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_dry_run_with_a_configuration_prints_the_latest_post(configured: Path) -> None:
    r = sitrep("dry-run", "--config", str(configured))
    assert r.returncode == 0, r.stderr
    assert "Defenders Hold the Bridgehead" in r.stdout
    assert "===== message 1 of" in r.stdout


async def test_post_through_the_webhook_end_to_end(server: FakeDiscord, configured: Path) -> None:
    import asyncio

    cfg = configured.parent / "hook.toml"
    cfg.write_text(
        configured.read_text(encoding="utf-8")
        + f"[webhook]\nurl = '{server.url}/api/v10/webhooks/77/hooktoken'\n"
        "username = 'sitrep desk'\navatar_url = 'https://example.invalid/a.png'\n",
        encoding="utf-8",
    )
    server.fail_next("/webhooks/77/", (429, {"retry_after": 0.2}), (500, {"message": "x"}))
    proc = await asyncio.create_subprocess_exec(
        *SITREP,
        "post",
        "--config",
        str(cfg),
        "--section",
        "quotes",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=configured.parent,
        env=clean_env(),
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()
    posted = server.messages["webhook:77/hooktoken"]
    assert out.decode().strip() == f"posted {len(posted)} message(s) through the webhook"
    statuses = [r.status for r in server.requests if "/webhooks/77/" in r.path]
    assert statuses[:2] == [429, 500] and statuses.count(200) == len(posted)
    for req in server.calls("POST", "/webhooks/77/"):
        assert req.json["username"] == "sitrep desk"
        assert req.json["avatar_url"] == "https://example.invalid/a.png"
        assert req.json["allowed_mentions"]["parse"] == []
    assert "hooktoken" not in err.decode()


def test_post_without_a_webhook_is_one_clear_error(configured: Path) -> None:
    r = sitrep("post", "--config", str(configured))
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert "[webhook] url: not set" in line


async def test_serve_closes_the_bot_on_sigterm() -> None:
    import asyncio
    import signal

    from bot.runner import serve

    class FakeBot:
        def __init__(self) -> None:
            self.events: list[str] = []

        async def __aenter__(self) -> FakeBot:
            return self

        async def __aexit__(self, *exc: object) -> None:
            self.events.append("exit")

        async def start(self, token: str) -> None:
            self.events.append("start")
            await asyncio.sleep(3600)

        async def close(self) -> None:
            self.events.append("close")

    bot = FakeBot()
    task = asyncio.create_task(serve(bot, "t"))
    await asyncio.sleep(0.05)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, 5)
    assert bot.events == ["start", "close", "exit"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers removed afterwards


@pytest.mark.parametrize(
    ("guild", "shown"),
    [
        ("9223372036854775808", "'9223372036854775808'"),  # past 2^63: the store's integers
        ("0", "'0'"),
        ("\u00b2", "'²'"),  # a digit to str.isdigit, not to int
        ("9" * 5000, "'" + "9" * 40 + "'"),  # past int()'s digits, and clipped
    ],
)
def test_sync_commands_refuses_a_guild_that_is_no_discord_id(guild: str, shown: str) -> None:
    r = sitrep("sync-commands", "--guild", guild)
    assert r.returncode == 2 and r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    assert line == (
        f"sitrep: sync-commands: argument --guild: not a Discord id: {shown}"
        " (see sitrep sync-commands --help)"
    )


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_nul_and_bidi_in_an_articles_title_are_cleaned_before_the_store(
    tmp_path: Path, request: pytest.FixtureRequest, db: str
) -> None:
    """issue 10: a NUL in an [[articles]] title exited 1 on PostgreSQL and printed the SQL
    statement with its parameters; ``sitrep site`` (which writes the store) now stores it clean."""
    url = request.getfixturevalue("postgres_url") if db == "postgresql" else "sqlite:///s.db"
    (tmp_path / "a.txt").write_bytes((FIXTURES / "river_crossing.txt").read_bytes())
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        f"[store]\nurl = '{url}'\n[[articles]]\npath = 'a.txt'\n"
        'title = "Bridge\\u0000head \\u202eheld\\u2066"\n',
        encoding="utf-8",
    )
    r = sitrep("site", str(tmp_path / "out"), "--config", str(cfg), cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "INSERT" not in r.stderr and "Traceback" not in r.stderr
    index = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert "Bridgehead held" in index
    assert "\x00" not in index and "\u202e" not in index and "\u2066" not in index
