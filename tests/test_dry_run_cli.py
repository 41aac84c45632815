"""``sitrep dry-run`` as a new user meets it, end to end (the real CLI in a subprocess): it finds
its configuration by the rule every command follows (``--config``, ``$SITREP_CONFIG``, then
./config/sitrep.toml) and still prints the demo briefing with no configuration at all; it sees
what the bot would see (the store and the configuration) and never writes the store."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cli_run import sitrep

from bot.config import load_config
from bot.scheduling.subscriptions import create_subscription
from bot.store.articles import Store, load_configured

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "sitrep.example.toml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bot"
# The README's example, word for word.
REPLAY = ["dry-run", "--until", "2026-01-02T00:00Z", "--fast", "--now", "2026-01-01T00:00Z"]


def checkout(folder: Path, extra: str = "", name: str = "sitrep.toml") -> Path:
    """``folder`` as a checkout whose user ran ``cp config/sitrep.example.toml
    config/sitrep.toml`` and then appended ``extra``; returns the configuration."""
    (folder / "config").mkdir(exist_ok=True)
    articles = folder / "articles"
    articles.mkdir(exist_ok=True)
    (articles / "river_crossing.txt").write_bytes((FIXTURES / "river_crossing.txt").read_bytes())
    cfg = folder / "config" / name
    cfg.write_text(EXAMPLE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return cfg


def declared(channel: int) -> str:
    return (
        '\n[[articles]]\npath = "../articles/river_crossing.txt"\n'
        f'\n[[subscriptions]]\nchannel = {channel}\nschedule = "daily 08:00"\n'
    )


def test_the_readme_replay_reads_config_sitrep_toml(tmp_path: Path) -> None:
    checkout(tmp_path, declared(123456789012345678))
    r = sitrep(*REPLAY, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "channel 123456789012345678 · post 1" in r.stdout
    assert "2026-01-01 08:00:00 UTC" in r.stdout
    assert "Defenders Hold the Bridgehead" in r.stdout
    assert "dry-run: 1 scheduled runs" in r.stdout


def test_the_example_configuration_as_copied_says_what_is_missing(tmp_path: Path) -> None:
    cfg = checkout(tmp_path)
    r = sitrep(*REPLAY, cwd=tmp_path)
    assert r.returncode == 2
    assert "needs a configuration" not in r.stderr
    assert "no subscriptions to run" in r.stderr and "[[subscriptions]]" in r.stderr
    assert str(Path("config") / cfg.name) in r.stderr or str(cfg) in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_config_option_then_environment_then_config_sitrep_toml(tmp_path: Path) -> None:
    checkout(tmp_path, declared(111))
    other = checkout(tmp_path, declared(222), name="other.toml")
    third = checkout(tmp_path, declared(333), name="third.toml")

    def channel(*args: str, env: dict[str, str] | None = None) -> str:
        r = sitrep(*REPLAY, *args, cwd=tmp_path, env=env)
        assert r.returncode == 0, r.stderr
        found = {c for c in ("111", "222", "333") if f"channel {c} · post" in r.stdout}
        assert len(found) == 1, r.stdout
        return found.pop()

    assert channel() == "111"  # config/sitrep.toml
    assert channel(env={"SITREP_CONFIG": str(other)}) == "222"  # the environment wins over it
    assert channel("--config", str(third), env={"SITREP_CONFIG": str(other)}) == "333"


def test_dry_run_and_command_read_config_sitrep_toml(tmp_path: Path) -> None:
    checkout(tmp_path, declared(123))
    r = sitrep("dry-run", cwd=tmp_path)  # the latest post of the configured articles
    assert r.returncode == 0, r.stderr
    assert "Defenders Hold the Bridgehead" in r.stdout
    r = sitrep("dry-run", "--command", "/sources", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Defenders Hold the Bridgehead" in r.stdout


@pytest.mark.parametrize("command", [[], ["--command", "/briefing section:quotes"]])
def test_no_configuration_at_all_is_the_demo_briefing(tmp_path: Path, command: list[str]) -> None:
    r = sitrep("dry-run", *command, cwd=tmp_path, env={"HOME": str(tmp_path / "home")})
    assert r.returncode == 0, r.stderr
    assert "River crossing holds as attackers press toward Velyka Dolyna" in r.stdout or (
        "Key quotes" in r.stdout
    )
    assert "===== message 1 of" in r.stdout
    assert r.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == []


def test_no_configuration_and_until_names_where_one_is_looked_for(tmp_path: Path) -> None:
    r = sitrep(*REPLAY, cwd=tmp_path)
    assert r.returncode == 2
    assert "--config FILE" in r.stderr and "config/sitrep.toml" in r.stderr
    assert len(r.stderr.splitlines()) == 1


# ---------------------------------------------------------------- a dry run never writes the store


def rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the SQLite file ``db`` (read-only)."""
    with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as conn:
        names = [
            r[0]
            for r in conn.execute("select name from sqlite_master where type = 'table'").fetchall()
        ]
        return {n: sorted(conn.execute(f'select * from "{n}"').fetchall(), key=repr) for n in names}


def digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


async def run_and_subscribe_in_discord(cfg: Path, channel: int) -> None:
    """What ``sitrep run`` stores at start, then a /subscribe made in Discord."""
    config = load_config(cfg, env={})
    store = await Store.open(config.store.url, origin=cfg)
    try:
        await load_configured(store, config)
        await create_subscription(
            store.engine,
            channel_id=channel,
            schedule="every 6h",
            now=datetime(2025, 12, 1, tzinfo=UTC),
        )
    finally:
        await store.close()


def test_dry_run_commands_see_the_store_and_the_configuration_and_write_neither(
    tmp_path: Path,
) -> None:
    cfg = checkout(tmp_path, declared(111))
    asyncio.run(run_and_subscribe_in_discord(cfg, 222))
    db = tmp_path / "config" / "sitrep.db"  # [store] url = "sqlite:///sitrep.db"
    before, before_digest = rows(db), digest(db)
    assert [r[2] for r in before["subscriptions"]] == [222]

    made = sitrep(
        "dry-run", "--command", "/subscribe channel:333 schedule:daily 09:00", cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    assert "Subscribed #333 (#" in made.stdout
    assert rows(db) == before and digest(db) == before_digest

    listed = sitrep("dry-run", "--command", "/subscriptions", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "#111" in listed.stdout  # declared in the configuration
    assert "#222" in listed.stdout  # made in Discord, in the store
    assert "#333" not in listed.stdout  # the earlier dry run left nothing behind

    gone = sitrep("dry-run", "--command", "/unsubscribe channel:222", cwd=tmp_path)
    assert gone.returncode == 0, gone.stderr
    assert "Unsubscribed #222" in gone.stdout
    for more in (["dry-run"], REPLAY, ["dry-run", "--command", "/briefing"]):
        r = sitrep(*more, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    assert rows(db) == before and digest(db) == before_digest


def test_a_dry_run_does_not_create_the_store(tmp_path: Path) -> None:
    checkout(tmp_path, declared(111))
    for args in (["--command", "/subscribe channel:333"], ["--command", "/source list"], []):
        r = sitrep("dry-run", *args, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    r = sitrep(*REPLAY, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "config" / "sitrep.db").exists()


def test_until_may_be_a_duration_from_the_start(tmp_path: Path) -> None:
    """``--until +2d`` counts from ``--now`` (or from now): two days hold two daily posts."""
    checkout(tmp_path, declared(123456789012345678))
    r = sitrep("dry-run", "--until", "+2d", "--fast", "--now", "2026-01-01T00:00Z", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "2026-01-01 08:00:00 UTC" in r.stdout
    assert "2026-01-02 08:00:00 UTC" in r.stdout
    assert "2026-01-03 08:00" not in r.stdout
    assert "dry-run: 2 scheduled runs" in r.stdout


@pytest.mark.parametrize("until", ["+", "+soon", "+0m", "+400d"])
def test_a_bad_duration_for_until_is_one_clear_line(tmp_path: Path, until: str) -> None:
    checkout(tmp_path, declared(123456789012345678))
    r = sitrep("dry-run", "--until", until, "--fast", cwd=tmp_path)
    assert r.returncode == 2, r.stdout
    assert "--until" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_an_untitled_file_is_listed_by_its_first_words_and_found_by_them(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(
        "Rebels shelled the river port of Ostrova overnight, the governor said.\n\n"
        "Two ferries were sunk at their moorings, port officials said.\n"
    )
    (tmp_path / "sitrep.toml").write_text('[sources]\nfiles = ["report.txt"]\n')
    r = sitrep("dry-run", "--config", "sitrep.toml", "--command", "/sources", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "**Rebels shelled the river port of Ostrova overnight…**" in r.stdout
    assert "untitled" not in r.stdout
    assert "\nadded " in r.stdout  # no date in the article: when it was read, said as such
    r = sitrep(
        "dry-run", "--config", "sitrep.toml", "--command", "/quotes article:ostrova", cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert "No article matches" not in r.stdout + r.stderr
